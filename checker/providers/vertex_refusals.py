"""Vertex AI's refusals as the simulator sends them: Google's error envelope
``{"error": {"code", "message", "status"[, "details"]}}`` around real messages from public
reports (sources beside each; the same bodies back the rules in tests/test_vertex.py), with
only the variable parts filled in (project, location, model). Data, read by
``vertex.VertexKind``.

Each entry returns ``(status, body)``; a body of None means no real answer was collected
for that refusal, and the capability is left ungated.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .base import Reply, SimRequest
from .openai_wire import json_reply

Refusal = tuple[int, "dict[str, Any] | list[dict[str, Any]] | None"]
PROJECT_NUMBER = "720070608347"  # the simulator's project number in messages

_PATH = re.compile(r"/projects/([^/]{1,100})/locations/([^/]{1,40})/publishers/([^/]{1,40})/")


def _error(status: int, message: str, status_name: str,
           details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": status, "message": message, "status": status_name}
    if details is not None:
        error["details"] = details
    return {"error": error}


def resource(request: SimRequest) -> str:
    """``projects/P/locations/L/publishers/X/models/M`` of the request."""
    match = _PATH.search(request.path)
    project, location, publisher = match.groups() if match else ("-", "-", "google")
    return f"projects/{project}/locations/{location}/publishers/{publisher}/models/{request.model}"


def _unauthenticated(request: SimRequest) -> Refusal:
    # spring-projects/spring-ai#635 (gRPC print of the same status and message).
    return 401, _error(401, "Request had invalid authentication credentials. Expected OAuth 2 "
                            "access token, login cookie or other valid authentication "
                            "credential. See https://developers.google.com/identity/sign-in/"
                            "web/devconsole-project", "UNAUTHENTICATED")


def api_key_refused() -> Reply:
    # google-gemini/gemini-cli#1463: an API key sent where an OAuth token is needed.
    return json_reply(401, _error(401, "API keys are not supported by this API. Expected "
                                       "OAuth2 access token or other authentication "
                                       "credentials that assert a principal. See "
                                       "https://cloud.google.com/docs/authentication",
                                  "UNAUTHENTICATED"))


def _permission_denied(request: SimRequest) -> Refusal:
    # rpurinton/gemini-php#4 and #2, google-gemini/gemini-cli#5589 (code 403, this message,
    # status PERMISSION_DENIED); the identity lacks aiplatform.endpoints.predict.
    return 403, _error(403, "Permission 'aiplatform.endpoints.predict' denied on resource "
                            f"'//aiplatform.googleapis.com/{resource(request)}' (or it may not "
                            "exist).", "PERMISSION_DENIED")


def _not_allowed(request: SimRequest) -> Refusal:
    # langchain-ai/langchain-google#593: a partner model not enabled in Model Garden.
    project = resource(request).split("/")[1]
    return 400, _error(400, f"Project `{project}` is not allowed to use Publisher Model "
                            f"`{resource(request)}`", "FAILED_PRECONDITION")


def _billing_disabled(request: SimRequest) -> Refusal:
    # Google's front end for every API (Cloud Text-to-Speech: pgmichael/wavenet-for-chrome#83;
    # 403 PERMISSION_DENIED as in GoogleCloudPlatform/java-docs-samples#276). No Vertex AI
    # report of it was found.
    n = PROJECT_NUMBER
    return 403, _error(403, f"This API method requires billing to be enabled. Please enable "
                            f"billing on project #{n} by visiting https://console.developers."
                            f"google.com/billing/enable?project={n} then retry. If you enabled "
                            "billing for this project recently, wait a few minutes for the "
                            "action to propagate to our systems and retry.",
                       "PERMISSION_DENIED")


def _service_disabled(request: SimRequest) -> Refusal:
    # GoogleCloudPlatform/vertex-ai-samples#476 (the SDK printed the message and its
    # ErrorInfo: reason SERVICE_DISABLED, domain, consumer, service).
    n = PROJECT_NUMBER
    url = f"https://console.developers.google.com/apis/api/aiplatform.googleapis.com/overview?project={n}"
    return 403, _error(403, f"Vertex AI API has not been used in project {n} before or it is "
                            f"disabled. Enable it by visiting {url} then retry. If you enabled "
                            "this API recently, wait a few minutes for the action to propagate "
                            "to our systems and retry.", "PERMISSION_DENIED", [
        {"@type": "type.googleapis.com/google.rpc.Help", "links": [
            {"description": "Google developers console API activation", "url": url}]},
        {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "SERVICE_DISABLED",
         "domain": "googleapis.com",
         "metadata": {"consumer": f"projects/{n}", "service": "aiplatform.googleapis.com"}}])


def _resource_exhausted(request: SimRequest) -> Refusal:
    # BerriAI/litellm#29808 (the body LiteLLM wrapped): dynamic shared quota.
    return 429, _error(429, "Resource exhausted. Please try again later. Please refer to "
                            "https://cloud.google.com/vertex-ai/generative-ai/docs/"
                            "error-code-429 for more details.", "RESOURCE_EXHAUSTED")


def _out_of_capacity(request: SimRequest) -> Refusal:
    # googleapis/google-cloud-java#11195 (gRPC print of the same status and message).
    return 429, _error(429, "Unable to submit request because the service is temporarily out "
                            "of capacity. Try again later.", "RESOURCE_EXHAUSTED")


def _model_not_found(request: SimRequest) -> Refusal:
    status, body = 404, _error(404, f"Publisher Model `{resource(request)}` was not found or "
                                    "your project does not have access to it. Please ensure "
                                    "you are using a valid model version. For more "
                                    "information, see: https://cloud.google.com/vertex-ai/"
                                    "generative-ai/docs/learn/model-versions", "NOT_FOUND")
    # pydantic/pydantic-ai#5002 (generateContent); rawPredict sends it as a JSON array
    # (cline/cline#8697).
    return (status, [body]) if request.probe == "messages" else (status, body)


def not_found(request: SimRequest, wrong_publisher: bool) -> Reply:
    if not wrong_publisher:
        return json_reply(*_model_not_found(request))
    # langchain-ai/langchain-google#1529: Claude addressed as Google's model.
    return json_reply(404, _error(404, f"Publisher Model `{resource(request)}` not found.",
                                  "NOT_FOUND"))


REFUSALS: dict[str, Callable[[SimRequest], Refusal]] = {
    "no_key": _unauthenticated,
    "invalid_key": _unauthenticated,
    "insufficient_quota": _billing_disabled,
    "billing_limit": _billing_disabled,
    "deactivated": _service_disabled,
    "region": lambda r: (200, None),  # no report of Vertex refusing a caller's location
    "rate_limit": _resource_exhausted,
    "rate_limit_long": _resource_exhausted,
    "server_error": _out_of_capacity,
    "project_denied": _permission_denied,
    # No verification gate at Google: a partner model not enabled is the closest refusal.
    "verification": _not_allowed,
    "model_not_found": _model_not_found,
    "no_channel": _model_not_found,
    "moderation": lambda r: (200, None),  # no real blocked-prompt answer collected
    # Bedrock's gates: the closest real Vertex refusals.
    "use_case": _not_allowed,
    "subscription_pending": _not_allowed,
    "expired_token": _unauthenticated,
}
