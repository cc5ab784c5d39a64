"""Google's Gemini API (AI Studio, the Generative Language API): ``POST {base_url}/v1beta/
models/{model}:generateContent`` (``:streamGenerateContent?alt=sse`` for ``stream``), the
key in the ``x-goog-api-key`` header (never in the URL, where logs and proxies keep it),
its catalog and list prices, its success shapes and its error format,
``{"error": {"code", "message", "status", "details": [{…ErrorInfo "reason"…}]}}``.

Why not the free ``:countTokens``: it is unbilled and exempt from inference quota, so a
project with no quota for a model (a free tier's ``limit: 0``), or one whose requests are
refused for the caller's location, is not known to fail there; no report shows either.
It cannot prove what a check asks for, so it is never used.
"""

from __future__ import annotations

import base64
import functools
import json
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import quote, unquote

from .. import safejson
from ..model import Check, Price
from ..outcomes import OutcomeClass
from ..shapes import SuccessShape
from .anthropic import with_overrides
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
from .openai_catalog import DEFAULT_IMAGE_PROMPT, DEFAULT_PROMPT
from .openai_wire import json_reply
from .simulated_google import GOOGLE_REFUSALS

if TYPE_CHECKING:
    from ..classify import Dialect

PRICES_AS_OF = "2026-10-07"
GENERATE = "generate"
PROBE_INPUT_TOKENS = 8  # the probe prompt as Gemini counts it, with room to spare


class Model(NamedTuple):
    pattern: str  # regex, matched against the whole lower-cased model id
    price: Price  # USD per million tokens (prompts up to 200k tokens), or per image
    image: bool = False  # answers with an image: probed by generating one
    # The cheapest generationConfig the model accepts (thinking models have a floor).
    config: Mapping[str, Any] = {}
    priced: bool = True  # False: a guess (an unknown model is priced pessimistically)

    @property
    def output_tokens(self) -> int:
        """At most this many billed output tokens (thinking counts against
        maxOutputTokens, and a thinking budget never exceeds it here)."""
        thinking = self.config.get("thinkingConfig") or {}
        budget = thinking.get("thinkingBudget", 0) if isinstance(thinking, dict) else 0
        try:
            return max(int(self.config.get("maxOutputTokens", 0)), int(budget))
        except (TypeError, ValueError):
            return 0


def _text(max_output: int, thinking: Mapping[str, Any] | None = None) -> dict[str, Any]:
    config: dict[str, Any] = {"maxOutputTokens": max_output}
    if thinking is not None:
        config["thinkingConfig"] = dict(thinking)
    return config


_IMAGE = {"responseModalities": ["IMAGE"]}  # one image at the default (cheapest) size
_NO_THINKING = {"thinkingBudget": 0}

# First match wins. Gemini 3 takes a thinking level (Pro and Flash from 3.7 on accept
# "low" at the least, the others "minimal"); 2.5 a thinking budget (2.5 Pro cannot stop
# thinking: 128 tokens is its floor; Flash and Flash-Lite turn it off with 0).
MODELS: tuple[Model, ...] = (
    Model(r"gemini-2\.5-flash-image.*", Price(0.30, per_image=0.039), image=True,
          config=_IMAGE),
    Model(r"gemini-3(\.\d+)?-pro-image.*", Price(2.0, per_image=0.134), image=True,
          config=_IMAGE),
    Model(r"gemini-.*-image.*", Price(2.0, per_image=0.134), image=True, config=_IMAGE,
          priced=False),
    Model(r"gemini-3(\.\d+)?-pro.*", Price(2.0, 12.0),
          config=_text(16, {"thinkingLevel": "low"})),
    Model(r"gemini-3(\.\d+)?-flash-lite.*", Price(0.30, 2.50),
          config=_text(16, {"thinkingLevel": "minimal"})),
    Model(r"gemini-3\.[7-9]-flash.*", Price(1.50, 7.50),
          config=_text(16, {"thinkingLevel": "low"})),
    Model(r"gemini-3(\.\d+)?-flash.*", Price(1.50, 9.00),
          config=_text(16, {"thinkingLevel": "minimal"})),
    Model(r"gemini-2\.5-pro.*", Price(1.25, 10.0),
          config=_text(128, {"thinkingBudget": 128})),
    Model(r"gemini-2\.5-flash-lite.*", Price(0.10, 0.40), config=_text(1, _NO_THINKING)),
    Model(r"gemini-2\.5-flash.*", Price(0.30, 2.50), config=_text(1, _NO_THINKING)),
    Model(r"gemini-2\.0-flash.*", Price(0.10, 0.40), config=_text(1)),
    Model(r".*", Price(4.0, 18.0), config=_text(16), priced=False),
)


def model_row(model: str) -> Model:
    return next(row for row in MODELS if re.fullmatch(row.pattern, model.lower()))


def model_id(model: str) -> str:
    return model.removeprefix("models/")


def generate_url(base_url: str, model: str, stream: bool) -> str:
    base = base_url.rstrip("/")
    if not base.endswith(("/v1beta", "/v1")):
        base += "/v1beta"
    method = "streamGenerateContent?alt=sse" if stream else "generateContent"
    return f"{base}/models/{quote(model_id(model), safe='-._')}:{method}"


# Where Google fixes a refusal of the Gemini API.
GEMINI_ADVICE: Mapping[OutcomeClass, str] = {
    OutcomeClass.QUOTA_EXHAUSTED: (
        "Gemini API: a project without billing has only free-tier limits (zero for some "
        "models); set up billing for the key's project in AI Studio, or wait for a daily quota "
        "to reset"),
    OutcomeClass.PERMISSION_DENIED: (
        "Gemini API: the key's API restrictions must allow the Generative Language API "
        "(Google Cloud console → APIs & Services → Credentials), and the API must be enabled "
        "in the key's project"),
    OutcomeClass.AUTH_FAILED: "Gemini API: create a key at aistudio.google.com/apikey",
}


class GeminiKind(ProviderKind):
    name = "gemini"
    summary = "Google Gemini API / AI Studio (x-goog-api-key, :generateContent)"
    default_base_url = "https://generativelanguage.googleapis.com"
    probes = (GENERATE,)
    prices_as_of = PRICES_AS_OF
    key_vendor = "google"
    key_env = "GEMINI_API_KEY"

    def dialect(self) -> Dialect:
        return gemini_dialect()

    def advice(self, check: Check, cls: OutcomeClass, rule: str) -> str | None:
        return GEMINI_ADVICE.get(cls)

    def model_info(self, model: str) -> ModelInfo:
        row = model_row(model_id(model))
        return ModelInfo(GENERATE, row.price, row.priced)

    def capability_refusal(self, model: str, capability: str,
                           probe: str | None) -> tuple[str, str] | None:
        return reasoning_summary_refusal(model, capability, "Gemini")

    def build_probe(self, check: Check) -> ProbeRequest:
        body = generate_body(check)
        stream = check.capability == STREAM
        headers: list[tuple[str, HeaderValue]] = list(common_headers(stream))
        if check.key is not None and check.key.value is not None:
            headers.append(("x-goog-api-key", check.key.value))
        return ProbeRequest(GENERATE, "POST",
                            generate_url(check.provider.base_url, check.model, stream),
                            tuple(with_overrides(headers, check.provider.headers)), body,
                            stream)

    def proves(self, check: Check, request: ProbeRequest) -> str:
        what = ("the key is valid and not restricted, the project may use this model, has "
                f"quota for it and is served where this runs: {generated(check.model)}")
        return what + (", streamed: the first server-sent event" if request.stream else "")

    def estimate_cost(self, check: Check, request: ProbeRequest,
                      override: Price | None) -> CostEstimate:
        return generate_cost(check.model, request, override)

    # -- the simulator

    def sim_route(self, method: str, path: str, headers: Mapping[str, str],
                  body: Mapping[str, Any]) -> SimRequest | None:
        match = _ROUTE.search(path)
        if match is None or "/publishers/" in path:  # Vertex AI's paths are not the API's
            return None
        capability = STREAM if match.group(2) == "streamGenerateContent" else ACCESS
        return SimRequest(self.name, GENERATE, headers.get("x-goog-api-key", ""),
                          unquote(match.group(1)), capability, path, body=body,
                          headers=headers)

    def sim_known(self, request: SimRequest) -> Reply | None:
        """Gemini's own 400 for a thinking budget the model refuses, or 404."""
        thinking = request.body.get("generationConfig", {}).get("thinkingConfig", {})
        if (request.model.startswith("gemini-2.5-pro")
                and thinking.get("thinkingBudget") == 0):
            return _google_error(400, "Budget 0 is invalid. This model only works in thinking "
                                      "mode.", "INVALID_ARGUMENT")
        return super().sim_known(request)

    def sim_refusal(self, refusal: str, request: SimRequest) -> Reply:
        status, payload, headers = GOOGLE_REFUSALS[refusal.partition(":")[0]](request)
        if payload is None:  # no real refusal collected: the capability stays ungated
            return self.sim_success(request)
        return json_reply(status, payload, **headers)

    def sim_success(self, request: SimRequest) -> Reply:
        return generate_reply(request, generate_answer(request.model))


_ROUTE = re.compile(r"/models/([^/:]{1,200}):(generateContent|streamGenerateContent)$")
_PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64).decode()


# --- the GenerateContent request and answer, shared with Vertex AI (``vertex.py``) ----------


def generate_body(check: Check) -> dict[str, Any]:
    """The cheapest GenerateContentRequest for ``check.model`` (its smallest output budget
    and least thinking), with the check's ``params`` merged in."""
    row = model_row(model_id(check.model))
    prompt = check.prompt or (DEFAULT_IMAGE_PROMPT if row.image else DEFAULT_PROMPT)
    body: dict[str, Any] = {"contents": [{"role": "user", "parts": [{"text": prompt}]}],
                            "generationConfig": json.loads(json.dumps(row.config))}
    body.update(check.params)
    return body


def generated(model: str) -> str:
    """What a granted probe of ``model`` generates, in a few words (for ``proves``)."""
    row = model_row(model_id(model))
    if row.image:
        return "one generated image"
    return (f"an answer of at most {row.output_tokens} token"
            + ("s" if row.output_tokens > 1 else ""))


def generate_cost(model: str, request: ProbeRequest, override: Price | None) -> CostEstimate:
    """An upper bound of one GenerateContent probe at list price: the prompt, and the
    output budget as sent (``params:`` may have raised it) or one image."""
    row = model_row(model_id(model))
    price = override or row.price
    usd = PROBE_INPUT_TOKENS * price.input_per_mtok / 1e6
    if row.image:
        usd += price.per_image
    else:
        config = request.body.get("generationConfig")
        sent = row._replace(config=config) if isinstance(config, dict) else row
        usd += sent.output_tokens * price.output_per_mtok / 1e6
    return CostEstimate(usd, override is not None or row.priced)


def generate_answer(model: str) -> dict[str, Any]:
    """A GenerateContentResponse as the API sends it (the simulator's success)."""
    row = model_row(model_id(model))
    part: dict[str, Any] = ({"inlineData": {"mimeType": "image/png", "data": _PNG}}
                            if row.image else {"text": "OK"})
    return {"candidates": [{"content": {"parts": [part], "role": "model"},
                            "finishReason": "STOP" if row.image else "MAX_TOKENS",
                            "index": 0}],
            "usageMetadata": {"promptTokenCount": 5, "candidatesTokenCount": 1,
                              "totalTokenCount": 6},
            "modelVersion": model, "responseId": random_hex(11)}


def generate_reply(request: SimRequest, answer: Mapping[str, Any]) -> Reply:
    """``answer`` as one JSON body, or streamed: server-sent events with ``alt=sse``,
    else one JSON array (as the API streams without it)."""
    if request.capability != STREAM or not request.settings.honour_stream:
        return json_reply(200, answer)
    if "alt=sse" in request.query:
        return Reply(200, _sse(answer), content_type="text/event-stream")
    return Reply(200, iter([b"[" + json.dumps(answer).encode() + b"]"]))


def _sse(answer: Mapping[str, Any]) -> Iterator[bytes]:
    yield b"data: " + json.dumps(answer).encode() + b"\r\n\r\n"


def _google_error(status: int, message: str, code_name: str) -> Reply:
    return json_reply(status, {"error": {"code": status, "message": message,
                                         "status": code_name}})


# --- how Gemini answers ----------------------------------------------------------------------

_ERROR_FIRST = re.compile(r'^\[?[ \t\r\n]{0,8}\{[ \t\r\n]{0,8}"error"')
_SUCCESS_KEY = re.compile(r'"(candidates|usageMetadata)"[ \t\r\n]{0,8}:')


def success_shape(text: str) -> SuccessShape | None:
    """A GenerateContentResponse (candidates, or only usage when a thinking model spent
    the whole budget); as server-sent events with ``alt=sse``, or a JSON array without.
    A prompt blocked by safety (``promptFeedback.blockReason``) is not one."""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        head = stripped[:4096]
        if _ERROR_FIRST.match(head) or '"blockReason"' in head:
            return None
        return SuccessShape("json", GENERATE) if _SUCCESS_KEY.search(head) else None
    if stripped.startswith("data:"):
        data = stripped.splitlines()[0][5:].strip()
        try:
            event = safejson.loads(data)
        except ValueError:
            return None
        if (isinstance(event, dict) and "error" not in event and "blockReason" not in data
                and ("candidates" in event or "usageMetadata" in event)):
            return SuccessShape("sse", GENERATE)
    return None


@functools.cache
def gemini_dialect() -> Dialect:
    """Google's error rules, each backed by a real body in tests/test_vendor_classify.py.
    ErrorInfo reasons (``API_KEY_INVALID``) and Google's own sentences decide, wherever a
    client or relay nested or printed them; none matches another vendor's words."""
    from ..classify import Dialect
    from ..outcomes import OutcomeClass as C
    from ..rules import Rule

    rules = (
        Rule("google-api-key-invalid", C.AUTH_FAILED,
             text=r"\bapi_key_invalid\b|api key not valid\. please pass a valid api key"
                  r"|api key expired\. please renew the api key"),
        Rule("google-unregistered-caller", C.AUTH_FAILED,
             text=r"method doesn't allow unregistered callers"),
        Rule("google-key-leaked", C.AUTH_FAILED, text=r"api key was reported as leaked"),
        Rule("google-consumer-suspended", C.ACCOUNT_DISABLED,
             text=r"\bconsumer_suspended\b|permission denied: consumer .{0,200}has been "
                  r"suspended"),
        Rule("google-project-denied", C.ACCOUNT_DISABLED,
             text=r"your project has been denied access"
                  r"|gemini has been disabled in this account for violation of terms"),
        Rule("google-user-location", C.REGION_BLOCKED,
             text=r"user location is not supported for the api use"),
        Rule("google-key-restricted", C.PERMISSION_DENIED,
             text=r"\bapi_key_(http_referrer|service|ip_address|android_app|ios_app)_blocked\b"
                  r"|requests from referer .{0,200} are blocked"
                  r"|requests to this api .{0,300} are blocked"),
        # "Generative Language API (Staging) has not been used in project …", also without
        # its ErrorInfo.
        Rule("google-service-disabled", C.PERMISSION_DENIED,
             text=r"\bservice_disabled\b|has not been used in project"),
        # Quotas (a limit of zero, a daily or a per-minute window) and RESOURCE_EXHAUSTED are
        # the shared table's: its rows read the QuotaFailure first.
        Rule("google-model-not-found", C.MODEL_NOT_FOUND, text=r"is not found for api version"),
        Rule("google-thinking-budget", C.PROBE_REJECTED,
             text=r"budget 0 is invalid\. this model only works in thinking mode"
                  r"|the thinking budget \(-?\d{1,12}\) is invalid"),
        Rule("google-overloaded", C.SERVER_ERROR,
             text=r"the model is overloaded"
                  r"|this model is currently experiencing high demand"),
        Rule("google-internal", C.SERVER_ERROR,
             text=r"an internal error has occurred\. please retry or report in"),
    )
    return Dialect("gemini", success_shape, rules)
