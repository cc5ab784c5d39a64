"""The OpenAI wire format as the simulator speaks it (also for Azure OpenAI and relays).

Success bodies follow the OpenAI API description (``../shared/specs/openai-openapi.yaml``;
``tests/test_openai_spec.py`` validates every one against its response schema). Errors are
real bodies from the error corpus. Requests the real API refuses are refused the same
way (``reject``), so a probe that drifts from what the API accepts shows up in the tests
as ``probe_rejected``, not as a pass.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .base import REASONING_SUMMARY, STREAM, Reply, SimRequest, random_hex
from .openai_catalog import ProbeKind, family_of

PATHS: Mapping[ProbeKind, str] = {
    ProbeKind.CHAT: "/chat/completions",
    ProbeKind.RESPONSES: "/responses",
    ProbeKind.IMAGES: "/images/generations",
    ProbeKind.EMBEDDINGS: "/embeddings",
}

# The simulator's keys belong to organizations whose ids start with this.
SIMULATED_ORGANIZATIONS = "org-sim"

_VERIFY = (
    "Please go to: https://platform.openai.com/settings/organization/general and click on "
    "Verify Organization. If you just verified, it can take up to 15 minutes for access to "
    "propagate."
)


def capability_of(body: Mapping[str, Any]) -> str:
    reasoning = body.get("reasoning")
    if isinstance(reasoning, dict) and reasoning.get("summary"):
        return REASONING_SUMMARY
    return STREAM if body.get("stream") else "access"


def route(path: str) -> ProbeKind | None:
    for kind, ending in PATHS.items():
        if path.endswith(ending):
            return kind
    return None


def bearer(value: str) -> str:
    return value[7:].strip() if value.lower().startswith("bearer ") else ""


def json_reply(status: int, payload: object, **headers: str) -> Reply:
    return Reply(status, json.dumps(payload).encode(), dict(headers))


def error_reply(status: int, message: str, type_: str | None = "invalid_request_error",
                param: str | None = None, code: str | None = None, **headers: str) -> Reply:
    return json_reply(status, {"error": {"message": message, "type": type_, "param": param,
                                         "code": code}}, **headers)


def masked_key(key: str) -> str:
    return key[:3] + "*" * max(4, len(key) - 7) + key[-4:]


# --- requests the real API refuses ------------------------------------------------------------


def reject(request: SimRequest, organization: str | None) -> Reply | None:
    """The real refusal of a request the API does not accept, or None. Bodies are real:
    the organization mismatch from the error corpus; the parameter errors from public
    reports (griptape-ai/ComfyUI-Griptape#312, vercel/ai#6102, a logged /responses 400)."""
    if organization and not organization.startswith(SIMULATED_ORGANIZATIONS):
        return error_reply(401, "OpenAI-Organization header should match organization for "
                                "API key", code="mismatched_organization")
    body, family = request.body, family_of(request.model)
    if request.probe == ProbeKind.RESPONSES.value:
        budget = body.get("max_output_tokens")
        if isinstance(budget, int) and budget < 16:
            return error_reply(400, "Invalid 'max_output_tokens': integer below minimum value. "
                                    f"Expected a value >= 16, but got {budget} instead.",
                               param="max_output_tokens", code="integer_below_min_value")
    if request.probe == ProbeKind.CHAT.value and family.reasoning and "max_tokens" in body:
        return error_reply(400, "Unsupported parameter: 'max_tokens' is not supported with "
                                "this model. Use 'max_completion_tokens' instead.",
                           param="max_tokens", code="unsupported_parameter")
    if (request.probe == ProbeKind.IMAGES.value and request.model.startswith("gpt-image")
            and "response_format" in body):
        return error_reply(400, "Unknown parameter: 'response_format'.",
                           param="response_format", code="unknown_parameter")
    return None


# --- refusals -----------------------------------------------------------------------------


def _verification(request: SimRequest) -> Reply:
    if request.capability == STREAM:
        return error_reply(400, f"Your organization must be verified to stream this model. "
                                f"{_VERIFY}", param="stream", code="unsupported_value")
    if request.capability == REASONING_SUMMARY:
        return error_reply(400, "Your organization must be verified to generate reasoning "
                                "summaries. " + _VERIFY, param="reasoning.summary",
                           code="unsupported_value")
    message = f"Your organization must be verified to use the model `{request.model}`. {_VERIFY}"
    if request.probe == ProbeKind.IMAGES.value:
        return error_reply(403, message)
    return error_reply(404, message, code="model_not_found")


def _rate_limit(request: SimRequest) -> Reply:
    """A rate-limit 429 with ``Retry-After`` in whole seconds (at least 1), as the API
    description documents it, and OpenAI's more precise ``retry-after-ms``."""
    settings = request.settings
    if settings.retry_after_seconds is not None:
        seconds = float(settings.retry_after_seconds)
        headers = {"retry-after": str(settings.retry_after_seconds)}
        hint = f"{settings.retry_after_seconds}s"
    else:
        seconds = settings.retry_after_ms / 1000
        headers = {"retry-after-ms": str(settings.retry_after_ms),
                   "retry-after": str(max(1, math.ceil(seconds)))}
        hint = f"{settings.retry_after_ms}ms"
    headers["x-ratelimit-reset-requests"] = hint
    return error_reply(429, f"Rate limit reached for {request.model} in organization org-sim "
                            "on requests per min (RPM): Limit 3, Used 3, Requested 1. Please "
                            f"try again in {hint}.", type_="requests",
                       code="rate_limit_exceeded", **headers,
                       **{"x-ratelimit-remaining-requests": "0"})


def _relay_id() -> str:
    return time.strftime("%Y%m%d%H%M%S") + random_hex(8)


def through_relay(relay: str, reply: Reply) -> Reply:
    """How a relay in front of OpenAI passes a refusal on (real shapes: OpenRouter wraps
    the upstream body as a string in metadata.raw; one-api appends a request id)."""
    raw = reply.body if isinstance(reply.body, bytes) else b"{}"
    if relay == "openrouter":
        return json_reply(400, {"error": {"message": "Provider returned error", "code": 400,
                                          "metadata": {"raw": raw.decode(),
                                                       "provider_name": "OpenAI"}}},
                          **{"x-request-id": "gen-" + random_hex(8)})
    payload = json.loads(raw)
    payload["error"]["message"] += f" (request id: {_relay_id()})"
    return json_reply(reply.status, payload)


# Each refusal as OpenAI really sends it (bodies from the error corpus and OpenAI's docs).
REFUSALS: dict[str, Callable[[SimRequest], Reply]] = {
    "no_key": lambda r: error_reply(
        401, "You didn't provide an API key. You need to provide your API key in an "
             "Authorization header using Bearer auth."),
    "invalid_key": lambda r: error_reply(
        401, f"Incorrect API key provided: {masked_key(r.key)}. You can find your API key at "
             "https://platform.openai.com/account/api-keys.", code="invalid_api_key"),
    "insufficient_quota": lambda r: error_reply(
        429, "You exceeded your current quota, please check your plan and billing details. "
             "For more information on this error, read the docs: "
             "https://platform.openai.com/docs/guides/error-codes/api-errors.",
        type_="insufficient_quota", code="insufficient_quota"),
    "billing_limit": lambda r: error_reply(400, "Billing hard limit has been reached",
                                           code="billing_hard_limit_reached"),
    "deactivated": lambda r: error_reply(
        401, "This key is associated with a deactivated account. If you feel this is an "
             "error, contact us through our help center at help.openai.com.",
        code="account_deactivated"),
    "region": lambda r: json_reply(403, {"error": {
        "code": "unsupported_country_region_territory",
        "message": "Country, region, or territory not supported", "param": None,
        "type": "request_forbidden"}}),
    "rate_limit_long": lambda r: error_reply(
        429, f"Rate limit reached for {r.model} in organization org-sim on requests per day "
             "(RPD): Limit 10, Used 10, Requested 1.", type_="requests",
        code="rate_limit_exceeded", **{"retry-after": "120"}),
    "rate_limit": _rate_limit,
    "server_error": lambda r: error_reply(
        500, "The server had an error processing your request. Sorry about that! You can "
             "retry your request, or contact us through our help center at help.openai.com "
             "if you keep seeing this error.", type_="server_error"),
    "moderation": lambda r: error_reply(
        400, "Your request was rejected by the safety system. If you believe this is an "
             "error, contact us at help.openai.com and include the request ID "
             f"{random_hex(16)}. safety_violations=[sexual].",
        type_="image_generation_user_error", code="moderation_blocked"),
    "project_denied": lambda r: error_reply(
        403, f"Project `proj_Sim3x4mpl3Pr0j3ct` does not have access to model `{r.model}`",
        code="model_not_found"),
    "model_not_found": lambda r: error_reply(
        404, f"The model `{r.model}` does not exist or you do not have access to it.",
        code="model_not_found"),
    "no_channel": lambda r: json_reply(503, {"error": {
        "message": f"当前分组 default 下对于模型 {r.model} 无可用渠道 (request id: {_relay_id()})",
        "type": "one_api_error"}}),
    "verification": _verification,
    # Cloud gates (Bedrock's) have no OpenAI counterpart: the closest real refusals.
    "use_case": lambda r: REFUSALS["project_denied"](r),
    "subscription_pending": lambda r: REFUSALS["verification"](r),
    "expired_token": lambda r: REFUSALS["invalid_key"](r),
}


def refusal(name: str, request: SimRequest) -> Reply:
    """A refusal from the table; ``name:relay`` passes it through that relay."""
    base, _, relay = name.partition(":")
    reply = REFUSALS[base](request)
    return through_relay(relay, reply) if relay else reply


def rate_limit_headers(tier: str) -> dict[str, str]:
    if tier == "tier1":
        return {"x-ratelimit-limit-requests": "500", "x-ratelimit-limit-tokens": "30000",
                "x-ratelimit-remaining-requests": "499", "x-ratelimit-remaining-tokens": "29980",
                "x-ratelimit-reset-requests": "120ms", "x-ratelimit-reset-tokens": "40ms"}
    return {"x-ratelimit-limit-requests": "10000", "x-ratelimit-limit-tokens": "30000000",
            "x-ratelimit-remaining-requests": "9999",
            "x-ratelimit-remaining-tokens": "29999980",
            "x-ratelimit-reset-requests": "6ms", "x-ratelimit-reset-tokens": "0s"}


# --- successful answers (valid against the API description's response schemas) ------------


_IMAGE_PAYLOADS: dict[int, bytes] = {}


def _image_body(image_bytes: int) -> bytes:
    payload = _IMAGE_PAYLOADS.get(image_bytes)
    if payload is None:
        import base64

        data = base64.b64encode(b"\x89PNG" + b"\x00" * image_bytes).decode()
        payload = json.dumps({
            "created": int(time.time()), "data": [{"b64_json": data}],
            "usage": {"total_tokens": 280, "input_tokens": 8, "output_tokens": 272,
                      "input_tokens_details": {"text_tokens": 8, "image_tokens": 0}},
        }).encode()
        _IMAGE_PAYLOADS[image_bytes] = payload
    return payload


def chat_completion(model: str, created: int) -> dict[str, Any]:
    return {"id": "chatcmpl-" + random_hex(8), "object": "chat.completion", "created": created,
            "model": model, "service_tier": "default",
            "choices": [{"index": 0, "finish_reason": "length", "logprobs": None,
                         "message": {"role": "assistant", "content": "OK", "refusal": None,
                                     "annotations": []}}],
            "usage": {"prompt_tokens": 12, "completion_tokens": 1, "total_tokens": 13}}


def response_object(request: SimRequest, created: int, status: str) -> dict[str, Any]:
    """A /responses Response: ``incomplete`` at the probe's 16-token budget (a reasoning
    item, with a summary when one was asked for), or ``in_progress`` as streams start."""
    body = request.body
    reasoning = body.get("reasoning") if isinstance(body.get("reasoning"), dict) else {}
    response: dict[str, Any] = {
        "id": "resp_" + random_hex(24), "object": "response", "created_at": created,
        "status": status, "error": None, "incomplete_details": None, "instructions": None,
        "max_output_tokens": body.get("max_output_tokens"), "model": request.model,
        "output": [], "parallel_tool_calls": True, "previous_response_id": None,
        "reasoning": {"effort": "medium", "summary": (reasoning or {}).get("summary")},
        "store": bool(body.get("store", True)), "temperature": 1.0,
        "text": {"format": {"type": "text"}}, "tool_choice": "auto", "tools": [],
        "top_p": 1.0, "truncation": "disabled", "metadata": {},
    }
    if status == "incomplete":
        summary = ([{"type": "summary_text", "text": "**Replying**"}]
                   if request.capability == REASONING_SUMMARY else [])
        response.update(
            incomplete_details={"reason": "max_output_tokens"},
            output=[{"id": "rs_" + random_hex(24), "type": "reasoning", "summary": summary}],
            usage={"input_tokens": 12, "output_tokens": 16, "total_tokens": 28,
                   "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
                   "output_tokens_details": {"reasoning_tokens": 16}})
    return response


def success_reply(request: SimRequest) -> Reply:
    created = int(time.time())
    kind = ProbeKind(request.probe)
    if kind is ProbeKind.IMAGES:
        return Reply(200, _image_body(request.settings.image_bytes))
    if kind is ProbeKind.EMBEDDINGS:
        return json_reply(200, {"object": "list", "model": request.model, "data": [
            {"object": "embedding", "index": 0, "embedding": [0.0123, -0.0456, 0.0789]}],
            "usage": {"prompt_tokens": 1, "total_tokens": 1}})
    if request.capability == STREAM and request.settings.honour_stream:
        return Reply(200, event_stream(request, created), content_type="text/event-stream")
    if kind is ProbeKind.RESPONSES:
        return json_reply(200, response_object(request, created, "incomplete"))
    return json_reply(200, chat_completion(request.model, created))


def event_stream(request: SimRequest, created: int) -> Iterator[bytes]:
    """A chat completion stream (ends with ``data: [DONE]``), or a Responses stream of
    typed events (no ``[DONE]``: it ends with the final response event)."""
    if request.probe == ProbeKind.RESPONSES.value:
        started = response_object(request, created, "in_progress")
        events: list[dict[str, Any]] = [
            {"type": "response.created", "sequence_number": 0, "response": started},
            {"type": "response.in_progress", "sequence_number": 1, "response": started},
            {"type": "response.incomplete", "sequence_number": 2,
             "response": response_object(request, created, "incomplete")}]
        for event in events:
            yield (f"event: {event['type']}\ndata: ".encode() + json.dumps(event).encode()
                   + b"\n\n")
        return
    chunk = {"id": "chatcmpl-" + random_hex(8), "object": "chat.completion.chunk",
             "created": created, "model": request.model,
             "choices": [{"index": 0, "delta": {"role": "assistant", "content": "OK"},
                          "finish_reason": "length"}]}
    yield b"data: " + json.dumps(chunk).encode() + b"\n\n"
    yield b"data: [DONE]\n\n"
