"""Build the probe request for a check. One module per provider flavour."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from .azure import AzureFlavour
from .body import build_body, probe_kind
from .interface import Flavour, ProbeRequest
from .openai import OpenAIFlavour

if TYPE_CHECKING:
    from ..config import Check

FLAVOURS: Mapping[str, Flavour] = {
    flavour.name: flavour for flavour in (OpenAIFlavour(), AzureFlavour())
}


def build_probe(check: Check) -> ProbeRequest:
    kind = probe_kind(check)
    return FLAVOURS[check.provider.kind].build(check, kind, build_body(check, kind))


__all__ = ["FLAVOURS", "Flavour", "ProbeRequest", "build_probe", "probe_kind"]
