"""OpenAI and OpenAI-compatible relays: ``{base_url}/chat/completions`` and friends,
``Authorization: Bearer``, optional ``OpenAI-Organization`` / ``OpenAI-Project``.

Also the OpenAI wire format itself (request bodies, success answers, error bodies), which
Azure OpenAI and the OpenAI-compatible presets reuse.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from .. import __version__
from ..fields import Field
from ..model import Check, Price
from .base import (
    REASONING_SUMMARY,
    STREAM,
    CostEstimate,
    HeaderValue,
    ModelInfo,
    ProbeRequest,
    ProviderKind,
    Reply,
    SimRequest,
    random_hex,
)
from .keys import vendor_of_host
from .openai_catalog import (
    CHAT_MAX_TOKENS,
    DEFAULT_IMAGE_PROMPT,
    DEFAULT_PROMPT,
    PRICES_AS_OF,
    REASONING_MAX_COMPLETION_TOKENS,
    RESPONSES_MIN_OUTPUT_TOKENS,
    ProbeKind,
    estimate_cost,
    family_of,
    probe_kind_for,
)
from .presets import PRESETS

if TYPE_CHECKING:
    from ..classify import Dialect

PATHS: Mapping[ProbeKind, str] = {
    ProbeKind.CHAT: "/chat/completions",
    ProbeKind.RESPONSES: "/responses",
    ProbeKind.IMAGES: "/images/generations",
    ProbeKind.EMBEDDINGS: "/embeddings",
}

_VERIFY = (
    "Please go to: https://platform.openai.com/settings/organization/general and click on "
    "Verify Organization. If you just verified, it can take up to 15 minutes for access to "
    "propagate."
)


# --- probes -----------------------------------------------------------------------------------


def build_body(check: Check, kind: ProbeKind) -> dict[str, Any]:
    """The cheapest request body that proves ``check`` on endpoint ``kind``."""
    family = family_of(check.model)
    native = kind is family.probe  # family params only suit the endpoint they were written for
    extra = dict(family.params) if native else {}
    body: dict[str, Any]
    if kind is ProbeKind.CHAT:
        prompt = check.prompt or DEFAULT_PROMPT
        body = {"model": check.model, "messages": [{"role": "user", "content": prompt}]}
        if family.reasoning:
            body["max_completion_tokens"] = REASONING_MAX_COMPLETION_TOKENS
        else:
            body["max_tokens"] = CHAT_MAX_TOKENS
    elif kind is ProbeKind.RESPONSES:
        body = {
            "model": check.model,
            "input": check.prompt or DEFAULT_PROMPT,
            "max_output_tokens": RESPONSES_MIN_OUTPUT_TOKENS,
            "store": False,  # a probe leaves nothing behind in the account
        }
        extra.pop("reasoning_effort", None)
        if check.capability == REASONING_SUMMARY:
            body["reasoning"] = {"summary": "auto"}
    elif kind is ProbeKind.IMAGES:
        body = {"model": check.model, "prompt": check.prompt or DEFAULT_IMAGE_PROMPT}
    else:
        body = {"model": check.model, "input": check.prompt or "ok"}
    body.update(extra)
    if check.capability == STREAM:
        body["stream"] = True
    body.update(check.params)
    return body


def common_headers(stream: bool) -> list[tuple[str, HeaderValue]]:
    return [
        ("Content-Type", "application/json"),
        ("Accept", "text/event-stream" if stream else "application/json"),
        ("User-Agent", f"model-access-checker/{__version__}"),
    ]


class OpenAIKind(ProviderKind):
    name = "openai"
    summary = "OpenAI and OpenAI-compatible relays (Bearer key, /chat/completions, …)"
    fields: ClassVar[tuple[Field, ...]] = (
        Field("organization", "header", "Sent as OpenAI-Organization; selects the verified "
              "org."),
        Field("project", "header", "Sent as OpenAI-Project."),
        Field("preset", "enum", "An OpenAI-compatible vendor: its base URL (unless base_url "
              "is given) and key shape.", choices=tuple(PRESETS)),
    )
    probes = tuple(kind.value for kind in ProbeKind)
    prices_as_of = PRICES_AS_OF
    key_vendor = "openai"
    key_env = "OPENAI_API_KEY"

    def dialect(self) -> Dialect:
        from ..classify import OPENAI_DIALECT

        return OPENAI_DIALECT

    def default_url(self, options: Mapping[str, Any]) -> str | None:
        preset = PRESETS.get(str(options.get("preset")))
        return preset.base_url if preset is not None else self.default_base_url

    def key_variable(self, options: Mapping[str, Any]) -> str:
        preset = PRESETS.get(str(options.get("preset")))
        return preset.key_env if preset is not None else self.key_env

    def expected_key_vendor(self, options: Mapping[str, Any], base_url: str) -> str | None:
        """The preset's vendor, or the vendor whose own host this is; a relay's host says
        nothing about the keys it takes."""
        preset = PRESETS.get(str(options.get("preset")))
        return preset.vendor if preset is not None else vendor_of_host(base_url)

    def model_info(self, model: str) -> ModelInfo:
        family = family_of(model)
        return ModelInfo(family.probe.value, family.price, family.priced, family.reasoning,
                         family.gated)

    def probe_for(self, check: Check) -> str:
        override = ProbeKind(check.probe) if check.probe else None
        return probe_kind_for(check.model, check.capability, override).value

    def capability_refusal(self, model: str, capability: str,
                           probe: str | None) -> tuple[str, str] | None:
        kind = probe_kind_for(model, capability, ProbeKind(probe) if probe else None)
        if capability == STREAM and kind in (ProbeKind.IMAGES, ProbeKind.EMBEDDINGS):
            return (f"capability 'stream' does not apply to {kind.value} model '{model}'",
                    "drop 'stream' for this model, or set `probe: chat`")
        family = family_of(model)
        if capability == REASONING_SUMMARY and family.priced and not family.reasoning:
            return (f"capability 'reasoning_summary' does not apply to '{model}': it is not a "
                    "reasoning model", "drop 'reasoning_summary' for this model")
        return None

    def url(self, check: Check, kind: ProbeKind) -> str:
        return check.provider.base_url + PATHS[kind]

    def auth_headers(self, check: Check) -> list[tuple[str, HeaderValue]]:
        headers: list[tuple[str, HeaderValue]] = []
        if check.key is not None and check.key.value is not None:
            headers.append(("Authorization", check.key.value.bearer()))
        organization = check.provider.option("organization")
        project = check.provider.option("project")
        if organization:
            headers.append(("OpenAI-Organization", organization))
        if project:
            headers.append(("OpenAI-Project", project))
        return headers

    def build_probe(self, check: Check) -> ProbeRequest:
        kind = ProbeKind(self.probe_for(check))
        body = build_body(check, kind)
        stream = bool(body.get("stream"))
        headers = [*common_headers(stream), *self.auth_headers(check),
                   *check.provider.headers]
        return ProbeRequest(kind.value, "POST", self.url(check, kind), tuple(headers), body,
                            stream)

    def proves(self, check: Check, request: ProbeRequest) -> str:
        kind = ProbeKind(request.kind)
        answer = {ProbeKind.IMAGES: "one generated image at the lowest quality and size",
                  ProbeKind.EMBEDDINGS: "one embedding of one word",
                  ProbeKind.RESPONSES: "a response of at most 16 output tokens",
                  ProbeKind.CHAT: "a completion of the smallest budget the model takes"}[kind]
        what = f"the key (and organization) may use this model: {answer}"
        if check.capability == REASONING_SUMMARY:
            what += ", with a reasoning summary (organization verification)"
        return what + (", streamed: the first event of an event stream" if request.stream
                       else "")

    def estimate_cost(self, check: Check, request: ProbeRequest,
                      override: Price | None) -> CostEstimate:
        return estimate_cost(check.model, ProbeKind(request.kind), override)

    # -- the simulator

    def sim_route(self, method: str, path: str, headers: Mapping[str, str],
                  body: Mapping[str, Any]) -> SimRequest | None:
        if path.startswith("/openai/"):
            return None  # Azure's routes
        kind = _route(path)
        if kind is None:
            return None
        return SimRequest(self.name, kind.value, _bearer(headers.get("authorization", "")),
                          str(body.get("model") or ""), capability_of(body), path,
                          organization=headers.get("openai-organization"), body=body)

    def sim_refusal(self, refusal: str, request: SimRequest) -> Reply:
        name, _, relay = refusal.partition(":")
        reply = REFUSALS[name](request)
        return _through_relay(relay, reply) if relay else reply

    def sim_success(self, request: SimRequest) -> Reply:
        return success_reply(request)

    def sim_headers(self, request: SimRequest, tier: str) -> dict[str, str]:
        return {"x-request-id": "req_" + random_hex(12), **rate_limit_headers(tier)}


# --- the OpenAI wire format, as the simulator speaks it ------------------------------------


def capability_of(body: Mapping[str, Any]) -> str:
    reasoning = body.get("reasoning")
    if isinstance(reasoning, dict) and reasoning.get("summary"):
        return REASONING_SUMMARY
    return STREAM if body.get("stream") else "access"


def _route(path: str) -> ProbeKind | None:
    for kind, ending in PATHS.items():
        if path.endswith(ending):
            return kind
    return None


def _bearer(value: str) -> str:
    return value[7:].strip() if value.lower().startswith("bearer ") else ""


def json_reply(status: int, payload: object, **headers: str) -> Reply:
    return Reply(status, json.dumps(payload).encode(), dict(headers))


def error_reply(status: int, message: str, type_: str | None = "invalid_request_error",
                param: str | None = None, code: str | None = None, **headers: str) -> Reply:
    return json_reply(status, {"error": {"message": message, "type": type_, "param": param,
                                         "code": code}}, **headers)


def masked_key(key: str) -> str:
    return key[:3] + "*" * max(4, len(key) - 7) + key[-4:]


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


def _rate_limit(request: SimRequest, retry_after_ms: int, retry_after_seconds: int | None
                ) -> Reply:
    if retry_after_seconds is not None:
        wait, hint = str(retry_after_seconds), f"{retry_after_seconds}s"
        headers = {"retry-after": wait, "x-ratelimit-reset-requests": hint}
    else:
        hint = f"{retry_after_ms}ms"
        headers = {"retry-after-ms": str(retry_after_ms), "x-ratelimit-reset-requests": hint}
    return error_reply(429, f"Rate limit reached for {request.model} in organization org-sim "
                            "on requests per min (RPM): Limit 3, Used 3, Requested 1. Please "
                            f"try again in {hint}.", type_="requests",
                       code="rate_limit_exceeded", **headers,
                       **{"x-ratelimit-remaining-requests": "0"})


def _relay_id() -> str:
    return time.strftime("%Y%m%d%H%M%S") + random_hex(8)


def _through_relay(relay: str, reply: Reply) -> Reply:
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
REFUSALS: dict[str, Any] = {
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
    "rate_limit": lambda r: _rate_limit(r, r.settings.retry_after_ms,
                                        r.settings.retry_after_seconds),
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
}


def rate_limit_headers(tier: str) -> dict[str, str]:
    if tier == "tier1":
        return {"x-ratelimit-limit-requests": "500", "x-ratelimit-limit-tokens": "30000",
                "x-ratelimit-remaining-requests": "499", "x-ratelimit-remaining-tokens": "29980",
                "x-ratelimit-reset-requests": "120ms", "x-ratelimit-reset-tokens": "40ms"}
    return {"x-ratelimit-limit-requests": "10000", "x-ratelimit-limit-tokens": "30000000",
            "x-ratelimit-remaining-requests": "9999",
            "x-ratelimit-remaining-tokens": "29999980",
            "x-ratelimit-reset-requests": "6ms", "x-ratelimit-reset-tokens": "0s"}


_IMAGE_PAYLOADS: dict[int, bytes] = {}


def _image_body(image_bytes: int) -> bytes:
    payload = _IMAGE_PAYLOADS.get(image_bytes)
    if payload is None:
        import base64

        data = base64.b64encode(b"\x89PNG" + b"\x00" * image_bytes).decode()
        payload = json.dumps({"created": int(time.time()), "data": [{"b64_json": data}],
                              "usage": {"input_tokens": 8, "output_tokens": 272}}).encode()
        _IMAGE_PAYLOADS[image_bytes] = payload
    return payload


def success_reply(request: SimRequest) -> Reply:
    created = int(time.time())
    kind, model = ProbeKind(request.probe), request.model
    if kind is ProbeKind.IMAGES:
        return Reply(200, _image_body(request.settings.image_bytes))
    if kind is ProbeKind.EMBEDDINGS:
        return json_reply(200, {"object": "list", "model": model, "data": [
            {"object": "embedding", "index": 0, "embedding": [0.0123, -0.0456, 0.0789]}],
            "usage": {"prompt_tokens": 1, "total_tokens": 1}})
    if request.capability == STREAM and request.settings.honour_stream:
        return Reply(200, _event_stream(model, kind, created), content_type="text/event-stream")
    if kind is ProbeKind.RESPONSES:
        return json_reply(200, {"id": "resp_" + random_hex(8), "object": "response",
                                "created_at": created, "status": "incomplete", "model": model,
                                "incomplete_details": {"reason": "max_output_tokens"},
                                "output": [{"type": "reasoning", "summary": []}]})
    return json_reply(200, {"id": "chatcmpl-" + random_hex(8),
                            "object": "chat.completion", "created": created, "model": model,
                            "choices": [{"index": 0,
                                         "message": {"role": "assistant", "content": "OK"},
                                         "finish_reason": "length"}],
                            "usage": {"prompt_tokens": 12, "completion_tokens": 1,
                                      "total_tokens": 13}})


def _event_stream(model: str, kind: ProbeKind, created: int) -> Iterator[bytes]:
    if kind is ProbeKind.RESPONSES:
        events: list[dict[str, Any]] = [
            {"type": "response.created", "sequence_number": 0,
             "response": {"id": "resp_sim", "object": "response", "model": model}}]
    else:
        events = [{"id": "chatcmpl-sim", "object": "chat.completion.chunk", "created": created,
                   "model": model, "choices": [{"index": 0, "delta": {"role": "assistant"}}]},
                  {"id": "chatcmpl-sim", "object": "chat.completion.chunk", "created": created,
                   "model": model, "choices": [{"index": 0, "delta": {"content": "OK"},
                                                "finish_reason": "length"}]}]
    for event in events:
        yield b"data: " + json.dumps(event).encode() + b"\n\n"
    yield b"data: [DONE]\n\n"
