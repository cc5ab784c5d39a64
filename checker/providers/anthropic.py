"""Anthropic's Messages API: ``POST {base_url}/v1/messages`` with ``x-api-key`` and
``anthropic-version``, its catalog and list prices, its success shapes (one Message, or
an event stream whose first event is ``message_start``) and its own error format,
``{"type": "error", "error": {"type": …, "message": …}}``.

Why not the free ``/v1/messages/count_tokens``: it answers 401 for a bad key and 404 for
an unknown model id, but a key with no credit counts tokens all the same (the credit
error only comes from ``/v1/messages``), and no report shows it checking a workspace's
access to a model. It cannot prove what a check asks for, so it is never used.
"""

from __future__ import annotations

import functools
import json
import re
import time
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from .. import safejson
from ..model import Check, Price
from ..outcomes import OutcomeClass
from ..shapes import SuccessShape
from .base import (
    ACCESS,
    STREAM,
    CostEstimate,
    HeaderValue,
    ModelInfo,
    ProbeRequest,
    ProviderKind,
    Reply,
    SimRequest,
    random_hex,
    reasoning_summary_refusal,
)
from .openai import common_headers
from .openai_catalog import DEFAULT_PROMPT
from .openai_wire import json_reply

if TYPE_CHECKING:
    from ..classify import Dialect

# The version every example in Anthropic's docs sends, still accepted by the API, by
# gateways and by older models (a newer one changes request semantics, not access).
ANTHROPIC_VERSION = "2023-06-01"
KNOWN_VERSIONS = frozenset({"2023-01-01", "2023-06-01", "2026-10-21"})
PRICES_AS_OF = "2026-10-24"
MAX_TOKENS = 1  # the smallest budget that generates (0 only fills the prompt cache)
PROBE_INPUT_TOKENS = 16  # the probe prompt with the message framing
MESSAGES = "messages"


class Model(NamedTuple):
    pattern: str  # regex, matched against the whole lower-cased model id
    price: Price  # USD per million tokens
    priced: bool = True  # False: not in the catalog, priced pessimistically


# First match wins. Retired ids (Opus 4, Sonnet 4, 3.x) stay priced: probing them shows
# the 404 a deploy would meet.
MODELS: tuple[Model, ...] = (
    Model(r"claude-opus-5-5.*", Price(4.0, 20.0)),
    Model(r"claude-(fable|mythos)-.*", Price(10.0, 50.0)),
    Model(r"claude-opus-(5|4-[5-9])(-.*)?", Price(5.0, 25.0)),
    Model(r"claude-opus-4(-.*)?|claude-3-opus.*", Price(15.0, 75.0)),
    Model(r"claude-sonnet-5.*", Price(2.0, 10.0)),
    Model(r"claude-sonnet-4.*|claude-3-[57]-sonnet.*", Price(3.0, 15.0)),
    Model(r"claude-haiku-5.*", Price(0.10, 0.50)),  # prompts up to 100k tokens
    Model(r"claude-haiku-4.*", Price(1.0, 5.0)),
    Model(r"claude-3-5-haiku.*", Price(0.80, 4.0)),
    Model(r"claude-3-haiku.*", Price(0.25, 1.25)),
    Model(r".*", Price(15.0, 75.0), priced=False),
)


def model_row(model: str) -> Model:
    return next(row for row in MODELS if re.fullmatch(row.pattern, model.lower()))


def messages_url(base_url: str) -> str:
    base = base_url.rstrip("/")
    return base + ("/messages" if base.endswith("/v1") else "/v1/messages")


def with_overrides(defaults: list[tuple[str, HeaderValue]],
                   extra: tuple[tuple[str, HeaderValue], ...]) -> list[tuple[str, HeaderValue]]:
    """The kind's headers, except those the provider's ``headers:`` replace (sent twice,
    a header's values are joined: ``anthropic-version: "2023-06-01, 2023-06-01"``)."""
    replaced = {name.lower() for name, _ in extra}
    return [*(h for h in defaults if h[0].lower() not in replaced), *extra]


# The model ids the vendor publishes (the anthropic SDK's `Model` literal; a test keeps the
# two equal), for "did you mean" on an id the catalog does not know.
KNOWN_MODELS: tuple[str, ...] = (
    "claude-fable-5-2", "claude-mythos-5-2", "claude-haiku-5-5", "claude-sonnet-5-5",
    "claude-fable-5-1", "claude-opus-5-5", "claude-mythos-5-1", "claude-sonnet-5",
    "claude-fable-5", "claude-mythos-5", "claude-opus-5", "claude-opus-4-8", "claude-opus-4-7",
    "claude-mythos-preview", "claude-opus-4-6", "claude-sonnet-4-6", "claude-haiku-4-5",
    "claude-haiku-4-5-20251001", "claude-opus-4-5", "claude-opus-4-5-20251101",
    "claude-sonnet-4-5", "claude-sonnet-4-5-20250929",
)


def _uuid() -> str:
    import uuid  # the simulator only

    return str(uuid.uuid4())


# Where Anthropic's console fixes a refusal.
ANTHROPIC_ADVICE: Mapping[OutcomeClass, str] = {
    OutcomeClass.QUOTA_EXHAUSTED: (
        "Anthropic: buy credits or raise the spend limit at console.anthropic.com → Settings → "
        "Billing"),
    OutcomeClass.AUTH_FAILED: (
        "Anthropic: create a key at console.anthropic.com → API keys (keys start sk-ant-), "
        "sent as x-api-key"),
    OutcomeClass.PERMISSION_DENIED: (
        "Anthropic: check the key's workspace and organization in console.anthropic.com"),
}


class AnthropicKind(ProviderKind):
    name = "anthropic"
    summary = "Anthropic Messages API (x-api-key, anthropic-version, /v1/messages)"
    default_base_url = "https://api.anthropic.com"
    probes = (MESSAGES,)
    prices_as_of = PRICES_AS_OF
    key_vendor = "anthropic"
    key_env = "ANTHROPIC_API_KEY"

    def dialect(self) -> Dialect:
        return anthropic_dialect()

    def model_info(self, model: str) -> ModelInfo:
        row = model_row(model)
        return ModelInfo(MESSAGES, row.price, row.priced)

    def known_models(self) -> tuple[str, ...]:
        return KNOWN_MODELS

    def advice(self, check: Check, cls: OutcomeClass, rule: str) -> str | None:
        if rule == "anthropic-forbidden":
            return ("Anthropic's edge refused the request (\"Request not allowed\"): it answers "
                    "so to countries it does not serve, so check where the job's traffic leaves "
                    "from (runner, proxy, VPN), then the key's organization")
        return ANTHROPIC_ADVICE.get(cls)

    def capability_refusal(self, model: str, capability: str,
                           probe: str | None) -> tuple[str, str] | None:
        return reasoning_summary_refusal(model, capability, "Anthropic")

    def build_probe(self, check: Check) -> ProbeRequest:
        body = message_body(check)
        stream = bool(body.get("stream"))
        headers: list[tuple[str, HeaderValue]] = [*common_headers(stream),
                                                  ("anthropic-version", ANTHROPIC_VERSION)]
        if check.key is not None and check.key.value is not None:
            headers.append(("x-api-key", check.key.value))
        return ProbeRequest(MESSAGES, "POST", messages_url(check.provider.base_url),
                            tuple(with_overrides(headers, check.provider.headers)), body,
                            stream)

    def proves(self, check: Check, request: ProbeRequest) -> str:
        what = ("the key is valid, the account has credit and the workspace may use this "
                "model: a 1-token message")
        return what + (", streamed: its first event is message_start" if request.stream
                       else "")

    def estimate_cost(self, check: Check, request: ProbeRequest,
                      override: Price | None) -> CostEstimate:
        return message_cost(check.model, request, override)

    # -- the simulator

    def sim_route(self, method: str, path: str, headers: Mapping[str, str],
                  body: Mapping[str, Any]) -> SimRequest | None:
        if not path.endswith("/v1/messages"):
            return None
        return SimRequest(self.name, MESSAGES, headers.get("x-api-key", ""),
                          str(body.get("model") or ""),
                          STREAM if body.get("stream") else ACCESS, path, body=body,
                          headers=headers)

    def sim_known(self, request: SimRequest) -> Reply | None:
        """The API's own 400 for a malformed request, or 404 for an unknown model."""
        version = request.headers.get("anthropic-version")
        if version is None:
            return invalid_request("anthropic-version: header is required")
        if version not in KNOWN_VERSIONS:
            return invalid_request(f"anthropic-version: {json.dumps(version)} is not a valid "
                                   "version")
        if "max_tokens" not in request.body:
            return invalid_request("max_tokens: Field required")
        return super().sim_known(request)

    def sim_refusal(self, refusal: str, request: SimRequest) -> Reply:
        return REFUSALS[refusal.partition(":")[0]](request)

    def sim_success(self, request: SimRequest) -> Reply:
        return message_reply(request)

    def sim_headers(self, request: SimRequest, tier: str) -> dict[str, str]:
        return {"request-id": _request_id(), "anthropic-organization-id": _uuid(),
                **rate_limit_headers(tier, time.time())}


# --- the Messages request and answer, shared with Claude on Vertex AI (``vertex.py``) --------


def message_body(check: Check) -> dict[str, Any]:
    """The cheapest Messages request: a one-token answer to the probe prompt (streamed for
    ``stream``), with the check's ``params`` merged in."""
    body: dict[str, Any] = {"model": check.model, "max_tokens": MAX_TOKENS,
                            "messages": [{"role": "user",
                                          "content": check.prompt or DEFAULT_PROMPT}]}
    if check.capability == STREAM:
        body["stream"] = True
    body.update(check.params)
    return body


def message_cost(model: str, request: ProbeRequest, override: Price | None) -> CostEstimate:
    """An upper bound of one Messages probe at list price (the budget as sent)."""
    row = model_row(model)
    price = override or row.price
    output = int(request.body.get("max_tokens") or MAX_TOKENS)
    usd = (PROBE_INPUT_TOKENS * price.input_per_mtok + output * price.output_per_mtok) / 1e6
    return CostEstimate(usd, override is not None or row.priced)


def message_reply(request: SimRequest) -> Reply:
    """A Message as the API sends it, or its documented event stream for ``stream``."""
    message = {"id": "msg_" + random_hex(12), "type": "message", "role": "assistant",
               "model": request.model, "content": [{"type": "text", "text": "OK"}],
               "stop_reason": "max_tokens", "stop_sequence": None,
               "usage": {"input_tokens": 12, "output_tokens": 1}}
    if request.capability == STREAM and request.settings.honour_stream:
        return Reply(200, _event_stream(message), content_type="text/event-stream")
    return json_reply(200, message)


# --- how Anthropic answers ------------------------------------------------------------------

_MESSAGE_TYPE = re.compile(r'"type"[ \t\r\n]{0,8}:[ \t\r\n]{0,8}"message"')


def success_shape(text: str) -> SuccessShape | None:
    """A Message (``"type": "message"``), or an event stream whose first event is
    ``message_start``."""
    stripped = text.lstrip()
    if stripped.startswith("{"):
        head = stripped[:4096]
        return SuccessShape("json", MESSAGES) if _MESSAGE_TYPE.search(head) else None
    if stripped.startswith(("event:", "data:")):
        data = next((line[5:].strip() for line in stripped.splitlines()
                     if line.startswith("data:")), None)
        try:
            event = safejson.loads(data) if data else None
        except ValueError:
            return None
        if isinstance(event, dict) and event.get("type") == "message_start":
            return SuccessShape("sse", MESSAGES)
    return None


_Q = r"""\\?["']"""  # a quote, as JSON, a Python repr or a string a relay escaped
_SEP = r"[ \t\r\n]{0,16}"


def envelope(error_type: str) -> str:
    """A pattern for Anthropic's own envelope around ``error_type``:
    ``{"type": "error", "error": {"type": "<error_type>"`` (the SDK's ``"details": null``
    may come first). Relays that borrow Anthropic's type names without its envelope are
    left to the shared table."""
    return (_field("type") + f"{_Q}error{_Q},{_SEP}" + _field("error") + r"\{" + _SEP
            + f"({_field('details')}null,{_SEP})?" + _field("type") + _Q + error_type + _Q)


def _field(name: str) -> str:
    return f"{_Q}{name}{_Q}{_SEP}:{_SEP}"


@functools.cache
def anthropic_dialect() -> Dialect:
    """Anthropic's success shapes and its error rules, each backed by a real body in
    tests/test_vendor_classify.py. The ``type`` inside its envelope decides first; the
    phrases are Anthropic's own (they also reach checker through relays)."""
    from ..classify import Dialect
    from ..outcomes import OutcomeClass as C
    from ..rules import Rule

    rules = (
        # Billing and account conditions arrive as 400 invalid_request_error.
        Rule("anthropic-credit-balance", C.QUOTA_EXHAUSTED,
             text=r"credit balance is too low to access the anthropic api"),
        Rule("anthropic-usage-limits", C.QUOTA_EXHAUSTED,
             text=r"you have reached your specified api usage limits"),
        Rule("anthropic-organization-disabled", C.ACCOUNT_DISABLED,
             text=r"this organization has been disabled"),
        Rule("anthropic-authentication", C.AUTH_FAILED, text=envelope("authentication_error")),
        Rule("anthropic-permission", C.PERMISSION_DENIED, text=envelope("permission_error")),
        # The edge's 403 (no envelope): reported from countries Anthropic does not serve, and
        # for other refusals of the caller; the body does not say which, so not region_blocked
        # (the advice names the region first).
        Rule("anthropic-forbidden", C.PERMISSION_DENIED, types=frozenset({"forbidden"}),
             text=r"request not allowed"),
        Rule("anthropic-model-not-found", C.MODEL_NOT_FOUND,
             text=envelope("not_found_error") + f",{_SEP}" + _field("message") + f"{_Q}model: "),
        Rule("anthropic-request-too-large", C.PROBE_REJECTED,
             types=frozenset({"request_too_large"})),
        Rule("anthropic-invalid-request", C.PROBE_REJECTED,
             types=frozenset({"invalid_request_error"}),
             text=r"max_tokens: field required|anthropic-version: header is required"
                  r"|anthropic-version: .{0,80} is not a valid version"
                  r"|must be greater than `thinking\.budget_tokens`"
                  r"|maximum allowed number of output tokens for claude"),
        Rule("anthropic-rate-limit", C.RATE_LIMITED, text=envelope("rate_limit_error")),
        Rule("anthropic-overloaded", C.SERVER_ERROR, text=envelope("overloaded_error")),
        Rule("anthropic-api-error", C.SERVER_ERROR, text=envelope("api_error")),
    )
    return Dialect("anthropic", success_shape, rules)


# --- the simulator's Anthropic ------------------------------------------------------------


def _request_id() -> str:
    return "req_011C" + random_hex(10)


def _error(status: int, type_: str, message: str, **headers: str) -> Reply:
    return json_reply(status, {"type": "error", "error": {"type": type_, "message": message},
                               "request_id": _request_id()}, **headers)


def invalid_request(message: str) -> Reply:
    return _error(400, "invalid_request_error", message)


def _rate_limit(request: SimRequest, retry_after: int) -> Reply:
    reset = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + retry_after))
    return _error(
        429, "rate_limit_error",
        f"This request would exceed the rate limit for your organization ({_uuid()}) of "
        "20,000 input tokens per minute. For details, refer to: "
        "https://docs.anthropic.com/en/api/rate-limits. You can see the response headers for "
        "current usage. Please reduce the prompt length or the maximum tokens requested, or "
        "try again later. You may also contact sales at "
        "https://www.anthropic.com/contact-sales to discuss your options for a rate limit "
        "increase.",
        **{"retry-after": str(retry_after),
           "anthropic-ratelimit-input-tokens-remaining": "0",
           "anthropic-ratelimit-input-tokens-reset": reset})


def _retry_after_seconds(request: SimRequest) -> int:
    settings = request.settings
    if settings.retry_after_seconds is not None:
        return settings.retry_after_seconds
    return round(settings.retry_after_ms / 1000)


# Each refusal as Anthropic really sends it (bodies from public reports; see
# tests/test_vendor_classify.py for their sources).
REFUSALS: dict[str, Callable[[SimRequest], Reply]] = {
    "no_key": lambda r: _error(401, "authentication_error", "invalid x-api-key"),
    "invalid_key": lambda r: _error(401, "authentication_error", "invalid x-api-key"),
    "insufficient_quota": lambda r: _error(
        400, "invalid_request_error", "Your credit balance is too low to access the Anthropic "
        "API. Please go to Plans & Billing to upgrade or purchase credits."),
    "deactivated": lambda r: _error(400, "invalid_request_error",
                                    "This organization has been disabled."),
    "region": lambda r: json_reply(403, {"error": {"type": "forbidden",
                                                   "message": "Request not allowed"}}),
    "rate_limit": lambda r: _rate_limit(r, _retry_after_seconds(r)),
    "rate_limit_long": lambda r: _rate_limit(r, 120),
    "server_error": lambda r: _error(529, "overloaded_error", "Overloaded",
                                     **{"x-should-retry": "true"}),
    "project_denied": lambda r: _error(403, "permission_error", "Permission denied"),
    "model_not_found": lambda r: _error(404, "not_found_error", f"model: {r.model}"),
}
# No separate billing limit, relay channel or verification gate at Anthropic: the closest
# real answer stands in. Moderation refuses only image probes, which Anthropic has not.
REFUSALS["billing_limit"] = REFUSALS["insufficient_quota"]
REFUSALS["no_channel"] = REFUSALS["model_not_found"]
REFUSALS["verification"] = REFUSALS["project_denied"]
REFUSALS["moderation"] = lambda r: AnthropicKind().sim_success(r)
# Cloud gates (Bedrock's): the closest real Anthropic refusals.
REFUSALS["use_case"] = REFUSALS["project_denied"]
REFUSALS["subscription_pending"] = REFUSALS["project_denied"]
REFUSALS["expired_token"] = REFUSALS["invalid_key"]


def rate_limit_headers(tier: str, now: float) -> dict[str, str]:
    """The ``anthropic-ratelimit-*`` family of a real answer (limits of the ``tier``)."""
    requests, input_tokens, output_tokens = ((50, 30_000, 8_000) if tier == "tier1"
                                             else (4_000, 2_000_000, 400_000))
    reset = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + 1))
    headers: dict[str, str] = {}
    for kind, limit in (("requests", requests), ("tokens", input_tokens + output_tokens),
                        ("input-tokens", input_tokens), ("output-tokens", output_tokens)):
        headers[f"anthropic-ratelimit-{kind}-limit"] = str(limit)
        headers[f"anthropic-ratelimit-{kind}-remaining"] = str(limit - 1)
        headers[f"anthropic-ratelimit-{kind}-reset"] = reset
    return headers


def _event_stream(message: Mapping[str, Any]) -> Iterator[bytes]:
    """The documented event flow: message_start, a content block, message_delta,
    message_stop (``ping`` may come anywhere)."""
    start = {**message, "content": [], "stop_reason": None,
             "usage": {"input_tokens": 12, "output_tokens": 1}}
    events: list[tuple[str, dict[str, Any]]] = [
        ("message_start", {"type": "message_start", "message": start}),
        ("content_block_start", {"type": "content_block_start", "index": 0,
                                 "content_block": {"type": "text", "text": ""}}),
        ("ping", {"type": "ping"}),
        ("content_block_delta", {"type": "content_block_delta", "index": 0,
                                 "delta": {"type": "text_delta", "text": "OK"}}),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("message_delta", {"type": "message_delta",
                           "delta": {"stop_reason": "max_tokens", "stop_sequence": None},
                           "usage": {"output_tokens": 1}}),
        ("message_stop", {"type": "message_stop"}),
    ]
    for name, data in events:
        yield f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()
