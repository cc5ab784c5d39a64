"""Azure OpenAI: deployments in the path, ``api-key`` header, ``api-version`` query.

The request bodies, success answers and error format are OpenAI's; what differs is the
address, the header the key travels in, and the answers for a wrong key or deployment.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from ..fields import Field
from ..model import Check
from .base import HeaderValue, OptionError, ProbeRequest, Reply, SimRequest
from .openai import OpenAIKind
from .openai_catalog import ProbeKind
from .openai_wire import PATHS, capability_of, json_reply

DEFAULT_API_VERSION = "2025-04-01-preview"
_API_VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}(-preview)?$|^v1$|^latest$|^preview$")


class AzureKind(OpenAIKind):
    name = "azure"
    summary = "Azure OpenAI (api-key header, deployments, api-version)"
    fields = (
        Field("api_version", "string", "Azure api-version query parameter (default "
              f"{DEFAULT_API_VERSION})."),
        Field("deployments", "string_map", "Azure: model name -> deployment name."),
    )

    key_vendor = "azure"  # no published prefix: any known vendor's shape is foreign here
    key_env = "AZURE_OPENAI_API_KEY"

    def expected_key_vendor(self, options: Mapping[str, Any], base_url: str) -> str | None:
        return self.key_vendor

    def options(self, values: Mapping[str, Any], error: OptionError) -> Mapping[str, Any]:
        version = values.get("api_version", DEFAULT_API_VERSION)
        if not _API_VERSION.match(version):
            error("api_version", f"api_version {version!r} is not an Azure OpenAI API version",
                  f"write e.g. {DEFAULT_API_VERSION}")
        return {"api_version": version, "deployments": dict(values.get("deployments", {}))}

    def deployment(self, check: Check) -> str:
        deployments: Mapping[str, str] = check.provider.option("deployments", {})
        return deployments.get(check.model, check.model)

    def url(self, check: Check, kind: ProbeKind) -> str:
        base = check.provider.base_url
        if not base.endswith("/openai"):
            base += "/openai"
        version = "?api-version=" + quote(check.provider.option("api_version") or "", safe="-.")
        if kind is ProbeKind.RESPONSES:
            return f"{base}/responses{version}"  # the deployment goes in the body
        return f"{base}/deployments/{quote(self.deployment(check), safe='')}{PATHS[kind]}{version}"

    def auth_headers(self, check: Check) -> list[tuple[str, HeaderValue]]:
        if check.key is not None and check.key.value is not None:
            return [("api-key", check.key.value)]
        return []

    def build_probe(self, check: Check) -> ProbeRequest:
        request = super().build_probe(check)
        if request.kind == ProbeKind.RESPONSES.value:
            # /responses takes the deployment as the model, not in the path.
            return request._replace(body={**request.body, "model": self.deployment(check)})
        return request

    # -- the simulator

    def sim_route(self, method: str, path: str, headers: Mapping[str, str],
                  body: Mapping[str, Any]) -> SimRequest | None:
        if not path.startswith("/openai/"):
            return None
        for kind, ending in PATHS.items():
            if path.endswith(ending):
                prefix = path[: -len(ending)]
                deployment = prefix[len("/openai/deployments/"):] if prefix.startswith(
                    "/openai/deployments/") else None
                model = deployment or str(body.get("model") or "")
                return SimRequest(self.name, kind.value, headers.get("api-key", ""), model,
                                  capability_of(body), path, deployment=deployment, body=body)
        return None

    def sim_refusal(self, refusal: str, request: SimRequest) -> Reply:
        if refusal in ("invalid_key", "no_key"):
            return json_reply(401, {"error": {"code": "401", "message":
                              "Access denied due to invalid subscription key or wrong API "
                              "endpoint. Make sure to provide a valid key for an active "
                              "subscription and use a correct regional API endpoint for your "
                              "resource."}})
        if refusal == "model_not_found" and request.deployment is not None:
            return json_reply(404, {"error": {"code": "DeploymentNotFound", "message":
                              "The API deployment for this resource does not exist. If you "
                              "created the deployment within the last 5 minutes, please wait a "
                              "moment and try again."}})
        return super().sim_refusal(refusal, request)

    def sim_headers(self, request: SimRequest, tier: str) -> dict[str, str]:
        headers = super().sim_headers(request, tier)
        headers["apim-request-id"] = headers["x-request-id"]
        return headers
