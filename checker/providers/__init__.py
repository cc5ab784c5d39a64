"""Provider kinds, one module each, registered here.

``KINDS`` is the one registry: the config loader reads each kind's fields and options
from it, ``checker schema`` generates the schema from it, ``plan`` and the runner build
probes through it, the simulator routes requests through it, and the README's table of
kinds is written from it. To add a kind: write ``providers/<kind>.py`` (a
``ProviderKind``) and add one line below.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..model import Check
from ..shapes import SuccessShape
from .anthropic import AnthropicKind
from .azure import AzureKind
from .base import CAPABILITIES, CostEstimate, ProbeRequest, ProviderKind, format_usd
from .bedrock import BedrockKind
from .gemini import GeminiKind
from .openai import OpenAIKind
from .vertex import VertexKind

if TYPE_CHECKING:
    from ..classify import Dialect

KINDS: Mapping[str, ProviderKind] = {
    kind.name: kind
    for kind in (
        OpenAIKind(),
        AzureKind(),
        AnthropicKind(),
        GeminiKind(),
        BedrockKind(),
        VertexKind(),
    )
}
DEFAULT_KIND = "openai"


def kind_of(check: Check) -> ProviderKind:
    return KINDS[check.provider.kind]


def build_probe(check: Check) -> ProbeRequest:
    return kind_of(check).build_probe(check)


def dialect_of(kind: ProviderKind) -> Dialect:
    """``kind``'s dialect, with every other kind's rules as fallbacks (a relay may pass a
    vendor's error body on inside its own)."""
    own = kind.dialect()
    others = tuple(rule for other in KINDS.values() if other.dialect().name != own.name
                   for rule in other.dialect().rules)
    return own._replace(fallback_rules=others)


def any_dialect() -> Dialect:
    """For a body of unknown origin (`checker diagnose`): every kind's success shapes and
    rules."""
    dialects = list(dict.fromkeys(kind.dialect() for kind in KINDS.values()))

    def success(text: str) -> SuccessShape | None:
        for dialect in dialects:
            shape = dialect.success(text)
            if shape is not None:
                return shape
        return None

    rules = tuple(rule for dialect in dialects for rule in dialect.rules)
    return dialects[0]._replace(name="any", success=success, rules=rules)


__all__ = ["CAPABILITIES", "DEFAULT_KIND", "KINDS", "CostEstimate", "ProbeRequest",
           "ProviderKind", "any_dialect", "build_probe", "dialect_of", "format_usd", "kind_of"]
