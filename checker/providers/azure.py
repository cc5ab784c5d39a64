"""Azure OpenAI: deployments in the path, ``api-version`` query, and the key in the
``api-key`` header, or an Entra ID token as ``Authorization: Bearer``: fetched with
azure-identity (``auth: entra``, ``entra.py``) or given (``access_token: ${VAR}``).

The request bodies, success answers and error format are OpenAI's; what differs is the
address, how the credential travels, and the answers for a wrong key, token, role or
deployment.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..fields import ACCESS_TOKEN, Field
from ..model import Check
from ..outcomes import OutcomeClass
from . import entra
from .base import HeaderValue, OptionError, ProbeRequest, Reply, SimRequest
from .openai import OpenAIKind
from .openai_catalog import ProbeKind
from .openai_wire import PATHS, capability_of, json_reply

if TYPE_CHECKING:
    from ..model import Provider
    from .base import Fetch

DEFAULT_API_VERSION = "2025-04-01-preview"
_API_VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}(-preview)?$|^v1$|^latest$|^preview$")


# Where Azure fixes a refusal, by how the provider signs in.
AZURE_ADVICE: Mapping[OutcomeClass, str] = {
    OutcomeClass.MODEL_NOT_FOUND: (
        "Azure: the check's model is looked up as a deployment name (`deployments:` maps model "
        "names to yours; Azure AI Foundry → Deployments lists them); a new deployment takes "
        "about 5 minutes to answer"),
    OutcomeClass.QUOTA_EXHAUSTED: (
        "Azure: check the subscription's billing and the deployment's quota in Azure AI "
        "Foundry → Quotas"),
}
ENTRA_ADVICE: Mapping[OutcomeClass, str] = {
    OutcomeClass.PERMISSION_DENIED: (
        "Azure with Entra ID: assign this identity the role Cognitive Services OpenAI User on "
        "the resource (a new assignment can take minutes to apply), and check the resource's "
        "network rules"),
    OutcomeClass.AUTH_FAILED: (
        "Azure with Entra ID: the token must be for https://cognitiveservices.azure.com, from "
        "the resource's tenant, and unexpired (the identity line says which it was)"),
}
KEY_ADVICE: Mapping[OutcomeClass, str] = {
    OutcomeClass.PERMISSION_DENIED: (
        "Azure: check the resource's network rules (Networking → firewalls and virtual "
        "networks) for this runner"),
    OutcomeClass.AUTH_FAILED: (
        "Azure: use Key 1 or Key 2 of this resource (Resource Management → Keys and Endpoint) "
        "with its own endpoint; a key of another resource or region is refused"),
}


class AzureKind(OpenAIKind):
    name = "azure"
    summary = "Azure OpenAI (api-key header, deployments, api-version)"
    fields = (
        Field("api_version", "string", "Azure api-version query parameter (default "
              f"{DEFAULT_API_VERSION})."),
        Field("deployments", "string_map", "Azure: model name -> deployment name."),
        Field("auth", "enum", "Azure: key (api_key, the default) or entra (an Entra ID token "
              "from azure-identity's DefaultAzureCredential).", choices=("key", "entra")),
        ACCESS_TOKEN,
    )

    key_vendor = "azure"  # no published prefix: any known vendor's shape is foreign here
    key_env = "AZURE_OPENAI_API_KEY"
    ambient_extra = "azure"  # auth: entra

    def expected_key_vendor(self, options: Mapping[str, Any], base_url: str) -> str | None:
        return self.key_vendor

    def advice(self, check: Check, cls: OutcomeClass, rule: str) -> str | None:
        by_auth = ENTRA_ADVICE if check.provider.option("auth") == "entra" else KEY_ADVICE
        return by_auth.get(cls) or AZURE_ADVICE.get(cls)

    def options(self, values: Mapping[str, Any], error: OptionError) -> Mapping[str, Any]:
        version = values.get("api_version", DEFAULT_API_VERSION)
        if not _API_VERSION.match(version):
            error("api_version", f"api_version {version!r} is not an Azure OpenAI API version",
                  f"write e.g. {DEFAULT_API_VERSION}")
        auth = values.get("auth", "key")
        token = bool(values.get("access_token"))
        if auth == "entra" and token:
            error("access_token", "auth: entra fetches its own token, access_token gives one",
                  "keep one")
        return {"api_version": version, "deployments": dict(values.get("deployments", {})),
                "auth": "entra" if token else auth, "access_token": token}

    def ambient_credentials(self, options: Mapping[str, Any]) -> str | None:
        if options.get("auth") == "entra" and not options.get("access_token"):
            return "Entra ID (azure-identity's DefaultAzureCredential)"
        return None

    def api_key_refusal(self, options: Mapping[str, Any]) -> tuple[str, str] | None:
        if options.get("auth") == "entra":
            return ("auth: entra sends an Entra ID token, never a key",
                    "remove api_key, or auth: entra to use the key")
        return None

    def key_variable(self, options: Mapping[str, Any]) -> str:
        return "AZURE_OPENAI_AD_TOKEN" if options.get("access_token") else self.key_env

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
        if check.key is None or check.key.value is None:
            return []  # auth: entra: `authorize` adds the token
        if check.provider.option("auth") == "entra":
            return [("Authorization", check.key.value.bearer())]
        return [("api-key", check.key.value)]

    async def authorize(self, request: ProbeRequest, provider: Provider) -> ProbeRequest:
        """An Entra ID token from azure-identity, unless the probe carries a credential."""
        if provider.option("auth") != "entra" or any(
                name.lower() in ("authorization", "api-key") for name, _ in request.headers):
            return request
        token = await entra.access_token(provider.name, provider.timeout or 30.0)
        return request._replace(
            headers=(*request.headers, ("Authorization", token.token.bearer())),
            secrets=(*request.secrets, token.token))

    async def identity(self, provider: Provider, fetch: Fetch) -> str | None:
        """The token's object id, from its claims (never the token)."""
        if provider.option("auth") != "entra":
            return None
        if provider.api_key is not None and provider.api_key.value is not None:
            claims = entra.claims(provider.api_key.value.reveal())
            if claims is None:
                return "an access token that is not a JWT (no object id can be read from it)"
        else:
            claims = entra.known_claims(provider.name)
        return None if claims is None else entra.describe(claims, time.time())

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
                return SimRequest(self.name, kind.value, headers.get("api-key", "")
                                  or _bearer(headers), model, capability_of(body), path,
                                  deployment=deployment, body=body, headers=headers)
        return None

    def sim_reject(self, request: SimRequest) -> Reply | None:
        """An Entra ID token for another audience, or expired, is refused before anything
        else is looked at."""
        if not _bearer(request.headers):
            return super().sim_reject(request)
        claims = entra.claims(request.key) or {}
        expires = claims.get("exp")
        if claims.get("aud") not in entra.AUDIENCES or not isinstance(expires, int | float) \
                or expires < time.time():
            return _token_refused()
        return super().sim_reject(request)

    def sim_refusal(self, refusal: str, request: SimRequest) -> Reply:
        if _bearer(request.headers):
            if refusal in ("invalid_key", "no_key"):
                return _token_refused()
            if refusal == "project_denied":
                return _role_missing(request)
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


def _bearer(headers: Mapping[str, str]) -> str:
    value = headers.get("authorization", "")
    return value[7:].strip() if value.lower().startswith("bearer ") else ""


def _token_refused() -> Reply:
    # A token that is missing, malformed, for another audience or expired: one answer for
    # all (MuiseDestiny/zotero-gpt#412, the raw body).
    return json_reply(401, {"statusCode": 401, "message": "Unauthorized. Access token is "
                            "missing, invalid, audience is incorrect (https://cognitiveservices"
                            ".azure.com), or have expired."})


def _role_missing(request: SimRequest) -> Reply:
    """The principal has no data-plane role (Cognitive Services OpenAI User) on the
    resource: 401 PermissionDenied, in Azure's error envelope (davrous/AzureAgentToM365#3)."""
    oid = str((entra.claims(request.key) or {}).get("oid") or "")
    if request.probe == ProbeKind.CHAT.value:
        # The chat completions data action, as the azurefeeds.com "Lesson Learned #527"
        # body names it ({deployment-id} is literal there).
        message = (f"The principal `{oid}` lacks the required data action `Microsoft."
                   "CognitiveServices/accounts/OpenAI/deployments/chat/completions/action` to "
                   "perform `POST /openai/deployments/{deployment-id}/chat/completions` "
                   "operation.")
    else:  # no report names the data action of the other endpoints: the older message
        message = "Principal does not have access to API/Operation."  # semantic-kernel#10020
    return json_reply(401, {"error": {"code": "PermissionDenied", "message": message}})
