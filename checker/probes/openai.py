"""OpenAI and OpenAI-compatible relays: ``{base_url}/chat/completions``, Bearer auth."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..catalog import ProbeKind
from .interface import Flavour, HeaderValue, ProbeRequest

if TYPE_CHECKING:
    from ..config import Check

PATHS: Mapping[ProbeKind, str] = {
    ProbeKind.CHAT: "/chat/completions",
    ProbeKind.RESPONSES: "/responses",
    ProbeKind.IMAGES: "/images/generations",
    ProbeKind.EMBEDDINGS: "/embeddings",
}


def common_headers(check: Check, stream: bool) -> list[tuple[str, HeaderValue]]:
    return [
        ("Content-Type", "application/json"),
        ("Accept", "text/event-stream" if stream else "application/json"),
        ("User-Agent", f"model-access-checker/{__version__}"),
    ]


class OpenAIFlavour(Flavour):
    name = "openai"

    def build(self, check: Check, kind: ProbeKind, body: Mapping[str, Any]) -> ProbeRequest:
        provider = check.provider
        stream = bool(body.get("stream"))
        headers = common_headers(check, stream)
        if check.key is not None and check.key.value is not None:
            headers.append(("Authorization", check.key.value.bearer()))
        if provider.organization:
            headers.append(("OpenAI-Organization", provider.organization))
        if provider.project:
            headers.append(("OpenAI-Project", provider.project))
        headers.extend(provider.headers)
        return ProbeRequest(
            kind=kind,
            method="POST",
            url=provider.base_url + PATHS[kind],
            headers=tuple(headers),
            body=body,
            stream=stream,
        )
