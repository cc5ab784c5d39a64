"""The request a probe sends, and the interface every provider flavour implements."""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from ..catalog import ProbeKind
from ..secrets import MASK, Secret

if TYPE_CHECKING:
    from ..config import Check

HeaderValue = str | Secret


class ProbeRequest(NamedTuple):
    """One HTTP request that proves (or disproves) access. Holds the key only as a Secret."""

    kind: ProbeKind
    method: str
    url: str
    headers: tuple[tuple[str, HeaderValue], ...]
    body: Mapping[str, Any]
    stream: bool  # read the first server-sent event, then close

    def wire_headers(self) -> dict[str, str]:
        """Headers as sent. The only place a key value leaves its Secret."""
        return {
            name: value.reveal() if isinstance(value, Secret) else value
            for name, value in self.headers
        }

    def shown_headers(self) -> dict[str, str]:
        """Headers as displayed: secrets masked."""
        return {
            name: _masked(name, value) for name, value in self.headers
        }


def _masked(name: str, value: HeaderValue) -> str:
    if not isinstance(value, Secret):
        return value
    return f"Bearer {MASK}" if name.lower() == "authorization" else MASK


class Flavour(abc.ABC):
    """How one kind of provider (``kind:`` in the config) addresses a model."""

    name: str

    @abc.abstractmethod
    def build(self, check: Check, kind: ProbeKind, body: Mapping[str, Any]) -> ProbeRequest:
        """Address ``body`` (already built for ``kind``) to ``check``'s provider."""
