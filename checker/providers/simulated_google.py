"""The Gemini API's refusals as the simulator sends them: real bodies from public reports
(sources beside each), with only the variable parts filled in (model, method, key, the
retry delay the simulator was asked for). Data, read by ``gemini.GeminiKind.sim_refusal``.

Each entry returns ``(status, body, headers)``; a body of None means no real answer was
collected for that refusal, and the capability is left ungated.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .base import SimRequest

Refusal = tuple[int, dict[str, Any] | None, dict[str, str]]

_HELP = {"@type": "type.googleapis.com/google.rpc.Help", "links": [{
    "description": "Learn more about Gemini API quotas",
    "url": "https://ai.google.dev/gemini-api/docs/rate-limits"}]}


def _invalid_key(request: SimRequest) -> Refusal:
    # continuedev/continue#8516 (one element of the streamed array).
    message = "API key not valid. Please pass a valid API key."
    return 400, {"error": {"code": 400, "message": message, "status": "INVALID_ARGUMENT",
                           "details": [
                               {"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                                "reason": "API_KEY_INVALID", "domain": "googleapis.com",
                                "metadata": {"service": "generativelanguage.googleapis.com"}},
                               {"@type": "type.googleapis.com/google.rpc.LocalizedMessage",
                                "locale": "en-US", "message": message}]}}, {}


def _no_key(request: SimRequest) -> Refusal:
    # gunpal5/Google_GenerativeAI#15
    return 403, {"error": {"code": 403, "message": (
        "Method doesn't allow unregistered callers (callers without established identity). "
        "Please use API Key or other form of API consumer identity to call this API."),
        "status": "PERMISSION_DENIED"}}, {}


def _no_quota(request: SimRequest) -> Refusal:
    # A free tier without an allowance for the model (the body LiteLLM printed as
    # geminiException; the same message in continuedev/continue#11652).
    metric = "Quota exceeded for metric: generativelanguage.googleapis.com/"
    model = request.model
    lines = [f"* {metric}generate_content_free_tier_{what}, limit: 0, model: {model}"
             for what in ("input_token_count", "requests", "requests", "input_token_count")]
    delay = _delay(request)
    message = ("You exceeded your current quota, please check your plan and billing details. "
               "For more information on this error, head to: "
               "https://ai.google.dev/gemini-api/docs/rate-limits. To monitor your current "
               "usage, head to: https://ai.dev/rate-limit. \n" + "\n".join(lines)
               + f"\nPlease retry in {delay}s.")
    violations = [
        {"quotaMetric": f"generativelanguage.googleapis.com/generate_content_free_tier_{m}",
         "quotaId": quota_id, "quotaDimensions": {"location": "global", "model": model}}
        for m, quota_id in (
            ("input_token_count", "GenerateContentInputTokensPerModelPerMinute-FreeTier"),
            ("requests", "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"),
            ("requests", "GenerateRequestsPerDayPerProjectPerModel-FreeTier"),
            ("input_token_count", "GenerateContentInputTokensPerModelPerDay-FreeTier"))]
    return 429, {"error": {"code": 429, "message": message, "status": "RESOURCE_EXHAUSTED",
                           "details": [
                               _HELP,
                               {"@type": "type.googleapis.com/google.rpc.QuotaFailure",
                                "violations": violations},
                               {"@type": "type.googleapis.com/google.rpc.RetryInfo",
                                "retryDelay": f"{delay}s"}]}}, {}


def _rate_limit(request: SimRequest, delay: str | None = None) -> Refusal:
    # A per-minute free-tier limit: RooCodeInc/Roo-Code#3883 (the body the client wrapped).
    return 429, {"error": {
        "code": 429,
        "message": "You exceeded your current quota, please check your plan and billing "
                   "details. For more information on this error, head to: "
                   "https://ai.google.dev/gemini-api/docs/rate-limits.",
        "status": "RESOURCE_EXHAUSTED",
        "details": [
            {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{
                "quotaMetric": "generativelanguage.googleapis.com/"
                               "generate_content_free_tier_input_token_count",
                "quotaId": "GenerateContentInputTokensPerModelPerMinute-FreeTier",
                "quotaDimensions": {"location": "global", "model": request.model},
                "quotaValue": "250000"}]},
            _HELP,
            {"@type": "type.googleapis.com/google.rpc.RetryInfo",
             "retryDelay": f"{delay or _delay(request)}s"}]}}, {}


def _delay(request: SimRequest) -> str:
    settings = request.settings
    if settings.retry_after_seconds is not None:
        return str(settings.retry_after_seconds)
    return f"{settings.retry_after_ms / 1000:g}"


def _suspended(request: SimRequest) -> Refusal:
    # thooton/muse#6; Google echoes the key in the message, which checker must redact.
    return 403, {"error": {
        "code": 403, "message": f"Permission denied: Consumer 'api_key:{request.key}' has been "
                                "suspended.",
        "status": "PERMISSION_DENIED",
        "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                     "reason": "CONSUMER_SUSPENDED", "domain": "googleapis.com",
                     "metadata": {"service": "generativelanguage.googleapis.com",
                                  "consumer": "projects/993395320710"}}]}}, {}


def _region(request: SimRequest) -> Refusal:
    # google-gemini/gemini-cli#24641 (the body the @google/genai client wrapped).
    return 400, {"error": {"code": 400,
                           "message": "User location is not supported for the API use.",
                           "status": "FAILED_PRECONDITION"}}, {}


def _key_restricted(request: SimRequest) -> Refusal:
    # A key restricted to other APIs: continuedev/continue#12781.
    method = ("google.ai.generativelanguage.v1beta.GenerativeService."
              + ("StreamGenerateContent" if request.capability == "stream"
                 else "GenerateContent"))
    message = f"Requests to this API generativelanguage.googleapis.com method {method} are blocked."
    return 403, {"error": {"code": 403, "message": message, "status": "PERMISSION_DENIED",
                           "details": [
                               {"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                                "reason": "API_KEY_SERVICE_BLOCKED", "domain": "googleapis.com",
                                "metadata": {"consumer": "projects/177838813423",
                                             "service": "generativelanguage.googleapis.com",
                                             "apiName": "generativelanguage.googleapis.com",
                                             "methodName": method}},
                               {"@type": "type.googleapis.com/google.rpc.LocalizedMessage",
                                "locale": "en-US", "message": message}]}}, {}


def _model_not_found(request: SimRequest) -> Refusal:
    # google/adk-python#200
    method = "streamGenerateContent" if request.capability == "stream" else "generateContent"
    return 404, {"error": {"code": 404, "message": (
        f"models/{request.model} is not found for API version v1beta, or is not supported for "
        f"{method}. Call ListModels to see the list of available models and their supported "
        "methods."), "status": "NOT_FOUND"}}, {}


def _overloaded(request: SimRequest) -> Refusal:
    # lobehub/lobehub#9728
    return 503, {"error": {"code": 503, "message": "The model is overloaded. Please try again "
                                                   "later.", "status": "UNAVAILABLE"}}, {}


GOOGLE_REFUSALS: dict[str, Callable[[SimRequest], Refusal]] = {
    "no_key": _no_key,
    "invalid_key": _invalid_key,
    "insufficient_quota": _no_quota,
    "billing_limit": _no_quota,
    "deactivated": _suspended,
    "region": _region,
    "rate_limit": _rate_limit,
    "rate_limit_long": lambda r: _rate_limit(r, "120"),
    "server_error": _overloaded,
    "project_denied": _key_restricted,
    # No verification gate at Google: a restricted key is the closest real refusal.
    "verification": _key_restricted,
    "model_not_found": _model_not_found,
    "no_channel": _model_not_found,
    "moderation": lambda r: (200, None, {}),  # no real blocked-prompt answer collected
    # Cloud gates (Bedrock's): the closest real Google refusals.
    "use_case": _key_restricted,
    "subscription_pending": _key_restricted,
    "expired_token": _invalid_key,
}
