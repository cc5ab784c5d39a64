"""Azure OpenAI: deployments in the path, ``api-key`` header, ``api-version`` query."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..catalog import ProbeKind
from .interface import Flavour, ProbeRequest
from .openai import PATHS, common_headers

if TYPE_CHECKING:
    from ..config import Check


class AzureFlavour(Flavour):
    name = "azure"

    def build(self, check: Check, kind: ProbeKind, body: Mapping[str, Any]) -> ProbeRequest:
        provider = check.provider
        deployment = provider.deployments.get(check.model, check.model)
        base = provider.base_url
        if not base.endswith("/openai"):
            base += "/openai"
        version = f"?api-version={quote(provider.api_version or '', safe='-.')}"
        if kind is ProbeKind.RESPONSES:
            # /responses takes the deployment as the model, not in the path.
            url = f"{base}/responses{version}"
            body = {**body, "model": deployment}
        else:
            url = f"{base}/deployments/{quote(deployment, safe='')}{PATHS[kind]}{version}"
        stream = bool(body.get("stream"))
        headers = common_headers(check, stream)
        if check.key is not None and check.key.value is not None:
            headers.append(("api-key", check.key.value))
        headers.extend(provider.headers)
        return ProbeRequest(kind, "POST", url, tuple(headers), body, stream)
