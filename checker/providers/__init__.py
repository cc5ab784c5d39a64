"""Provider kinds, one module each, registered here.

``KINDS`` is the one registry: the config loader reads each kind's fields and options
from it, ``checker schema`` generates the schema from it, ``plan`` and the runner build
probes through it, the simulator routes requests through it, and the README's table of
kinds is written from it. To add a kind: write ``providers/<kind>.py`` (a
``ProviderKind``) and add one line below.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..model import Check
from .azure import AzureKind
from .base import CAPABILITIES, CostEstimate, ProbeRequest, ProviderKind, format_usd
from .openai import OpenAIKind

KINDS: Mapping[str, ProviderKind] = {
    kind.name: kind
    for kind in (
        OpenAIKind(),
        AzureKind(),
    )
}
DEFAULT_KIND = "openai"


def kind_of(check: Check) -> ProviderKind:
    return KINDS[check.provider.kind]


def build_probe(check: Check) -> ProbeRequest:
    return kind_of(check).build_probe(check)


__all__ = ["CAPABILITIES", "DEFAULT_KIND", "KINDS", "CostEstimate", "ProbeRequest",
           "ProviderKind", "build_probe", "format_usd", "kind_of"]
