"""A local OpenAI-compatible (and Azure OpenAI) server whose keys act out real scenarios.

It powers ``checker demo``, ``checker simulate`` and the test suite. It binds to
127.0.0.1 only. The key picks the scenario: either a key registered with
``Simulator(keys={key: scenario})``, or a key of the form ``sim-<scenario>[-anything]``.
Bodies and headers copy what providers really send (see the error corpus).
"""

from __future__ import annotations

import base64
import contextlib
import json
import secrets
import socket
import ssl
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote, urlsplit

from .catalog import ACCESS, REASONING_SUMMARY, STREAM, ProbeKind, family_of

_VERIFY = (
    "Please go to: https://platform.openai.com/settings/organization/general and click on "
    "Verify Organization. If you just verified, it can take up to 15 minutes for access to "
    "propagate."
)

SCENARIOS: Mapping[str, str] = {
    "verified": "a verified organization: every known model and capability answers",
    "unverified": "an unverified organization: gated models and capabilities are refused",
    "revoked": "a revoked key: 401 invalid_api_key",
    "no-credit": "no credit: 429 insufficient_quota (must not be retried)",
    "billing-limit": "billing hard limit reached: 400",
    "project-restricted": "a project allowlist with only gpt-4o-mini and text-embedding-3-small",
    "rate-limited": "429 with retry-after-ms (or Retry-After in seconds, with "
                    "`retry_after_seconds`) on the first request per model, then fine",
    "rate-limited-long": "429 with Retry-After: 120 every time",
    "flaky": "500 server_error on the first request per model, then fine",
    "relay-openrouter": "a relay wrapping an unverified upstream in error.metadata.raw",
    "relay-oneapi": "a one-api relay: no channel for unknown models, '(request id: …)' appended",
    "deactivated": "a deactivated account: 401 account_deactivated",
    "region": "403 unsupported_country_region_territory",
    "moderated": "images refused by the safety system",
    "slow": "answers only after `slow_seconds`",
    "html": "a 502 Bad Gateway page from an edge proxy",
    "html-200": "a 200 HTML login page (base_url points at a website)",
    "empty-200": "a 200 with an empty body",
    "truncated": "a 200 whose JSON stops half way",
    "reset": "the connection is reset in the middle of the body",
    "stall-body": "headers, a few bytes, then nothing",
    "stall-stream": "an event stream that never sends an event",
    "endless": "a 200 whose body never ends",
    "echo-key": "a 401 whose body and headers echo the key (in several encodings)",
    "redirect": "a 307 redirect to another host",
    "propagating": "unverified until `propagation_requests` requests were answered, then verified",
    "tier1": "verified, with tier-1 rate limits in the x-ratelimit-* headers",
    # Hostile answers (fault injection): none may hang, crash or blind checker.
    "no-stream": "verified, but ignores `stream: true`: answers one JSON completion",
    "gzip-bomb": "a 200 of about 2 KB with `Content-Encoding: gzip, gzip` that inflates to 1 GiB",
    "escapes": "a 401 whose message and request id carry terminal escapes, bidi overrides and "
               "workflow commands",
    "deep-json": "a 400 whose JSON body nests 50,000 levels deep",
    "backtrack": "a 400 of 256 KiB built to make regular expressions backtrack",
}

# Scenarios that refuse before looking at the model.
_ALWAYS = {"revoked", "no-credit", "billing-limit", "deactivated", "region", "echo-key",
           "rate-limited-long", "redirect", "html", "html-200", "empty-200", "truncated",
           "reset", "stall-body", "stall-stream", "endless", "gzip-bomb", "escapes",
           "deep-json", "backtrack"}

_ONEAPI_MODELS = {"gpt-4o-mini", "gpt-4o", "gpt-5", "o3", "gpt-image-1"}
_PROJECT_ALLOWLIST = {"gpt-4o-mini", "text-embedding-3-small"}


@dataclass
class Reply:
    status: int
    body: bytes | Iterator[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    # Fault injection: close after this many body bytes (`reset`), or stall (seconds).
    reset_after: int | None = None
    stall: float = 0.0
    probe: Probe | None = None  # the request this answers (set by ``Simulator.respond``)


@dataclass(frozen=True)
class Probe:
    """One request as the simulator understood it."""

    time: float
    scenario: str
    path: str
    model: str
    capability: str
    kind: ProbeKind | None
    azure: bool
    organization: str | None
    received: float | None = None  # monotonic arrival time, before any injected latency


@dataclass(frozen=True)
class Answered:
    """One answer as it left the simulator (``Simulator.answered``)."""

    probe: Probe
    status: int
    sent: float  # monotonic time the answer was written
    headers: Mapping[str, str]


def _json(status: int, payload: object, **headers: str) -> Reply:
    return Reply(status, json.dumps(payload).encode(), dict(headers))


def _error(status: int, message: str, type_: str | None = "invalid_request_error",
           param: str | None = None, code: str | None = None, **headers: str) -> Reply:
    return _json(status, {"error": {"message": message, "type": type_, "param": param,
                                    "code": code}}, **headers)


def _masked(key: str) -> str:
    return key[:3] + "*" * max(4, len(key) - 7) + key[-4:]


class Simulator:
    """``with Simulator() as sim: sim.url`` → ``http://127.0.0.1:PORT/v1``."""

    def __init__(
        self,
        keys: Mapping[str, str] | None = None,
        *,
        latency: float = 0.0,
        slow_seconds: float = 30.0,
        image_bytes: int = 64 * 1024,
        propagation_requests: int = 3,
        retry_after_ms: int = 300,
        port: int = 0,
        azure_deployments: Mapping[str, str] | None = None,
        retry_after_seconds: int | None = None,
        rate_limit_fraction: float = 0.0,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        """``retry_after_seconds``: rate-limit answers carry ``Retry-After: N`` (seconds)
        instead of ``retry-after-ms``. ``rate_limit_fraction``: that share of the first
        requests per (key, model, capability) of any scenario that would answer is refused
        once with a rate-limit 429, spread evenly in arrival order (benchmarks, load
        tests); keys whose scenario refuses before looking at the model are not affected."""
        self.keys = dict(keys or {})
        self.latency = latency
        self.slow_seconds = slow_seconds
        self.image_bytes = image_bytes
        self.propagation_requests = propagation_requests
        self.retry_after_ms = retry_after_ms
        self.retry_after_seconds = retry_after_seconds
        self.rate_limit_fraction = rate_limit_fraction
        self.azure_deployments = dict(azure_deployments or {})
        self.log: list[Probe] = []
        self.answered: list[Answered] = []
        self._first_requests = 0
        self._counts: dict[tuple[str, ...], int] = {}
        self._lock = threading.Lock()
        self._image_payload: bytes | None = None
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.simulator = self
        self.tls = tls
        if tls is not None:
            # The handshake happens in the handler thread, so one failing client (an
            # untrusted certificate) never blocks the others.
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True,
                                                  do_handshake_on_connect=False)
        self._thread: threading.Thread | None = None

    # -- lifecycle

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def origin(self) -> str:
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.origin}/v1"

    def start(self) -> Simulator:
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05},
                                        name="checker-simulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def new_key(self, scenario: str) -> str:
        """A random key bound to ``scenario`` (random so redaction never eats real words)."""
        if scenario not in SCENARIOS:
            raise ValueError(f"unknown scenario {scenario!r}")
        key = "sk-sim-" + secrets.token_urlsafe(24)
        self.keys[key] = scenario
        return key

    # -- behaviour

    def scenario_of(self, key: str) -> str | None:
        if key in self.keys:
            return self.keys[key]
        if key.startswith("sim-"):
            rest = key[4:]
            for name in sorted(SCENARIOS, key=len, reverse=True):
                if rest == name or rest.startswith(name + "-"):
                    return name
        return None

    def _next(self, *counter: str) -> int:
        with self._lock:
            self._counts[counter] = self._counts.get(counter, 0) + 1
            return self._counts[counter]

    def respond(self, method: str, path: str, headers: Mapping[str, str], body: bytes,
                received: float | None = None) -> Reply:
        parts = urlsplit(path)
        azure = parts.path.startswith("/openai/")
        key = headers.get("api-key", "") if azure else _bearer(headers.get("authorization", ""))
        scenario = self.scenario_of(key)
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            return _error(400, "We could not parse the JSON body of your request.")
        if not isinstance(request, dict):
            return _error(400, "The request body must be a JSON object.")
        kind, deployment = _route(parts.path)
        model = str(request.get("model") or deployment or "")
        if azure and deployment is not None:
            model = self.azure_deployments.get(deployment, deployment)
        capability = (REASONING_SUMMARY if isinstance(request.get("reasoning"), dict)
                      and request["reasoning"].get("summary") else
                      STREAM if request.get("stream") else ACCESS)
        probe = Probe(time.monotonic(), scenario or "unknown-key", parts.path, model,
                      capability, kind, azure, headers.get("openai-organization"), received)
        with self._lock:
            self.log.append(probe)
        reply = self._reply_to(method, parts.path, key, scenario, model, capability, kind,
                               azure, deployment)
        reply.probe = probe
        return reply

    def _reply_to(self, method: str, path: str, key: str, scenario: str | None, model: str,
                  capability: str, kind: ProbeKind | None, azure: bool,
                  deployment: str | None) -> Reply:
        if method != "POST" or kind is None:
            return _error(404, f"Invalid URL ({method} {path})", code=None)
        if scenario is None:
            if azure:
                return _json(401, {"error": {"code": "401", "message":
                             "Access denied due to invalid subscription key or wrong API "
                             "endpoint. Make sure to provide a valid key for an active "
                             "subscription and use a correct regional API endpoint for your "
                             "resource."}})
            if not key:
                return _error(401, "You didn't provide an API key. You need to provide your "
                                   "API key in an Authorization header using Bearer auth.")
            return _error(401, f"Incorrect API key provided: {_masked(key)}. You can find "
                               "your API key at https://platform.openai.com/account/api-keys.",
                          code="invalid_api_key")
        reply = self._scenario_reply(scenario, key, model, capability, kind, azure, deployment)
        reply.headers.setdefault("x-request-id", "req_" + secrets.token_hex(12))
        if azure:
            reply.headers.setdefault("apim-request-id", reply.headers["x-request-id"])
        for name, value in _limits(scenario).items():
            reply.headers.setdefault(name, value)
        return reply

    def _scenario_reply(self, scenario: str, key: str, model: str, capability: str,
                        kind: ProbeKind, azure: bool, deployment: str | None) -> Reply:
        if scenario in _ALWAYS:
            return self._always(scenario, key, model)
        if azure and deployment is not None and not _known(model):
            return _json(404, {"error": {"code": "DeploymentNotFound", "message":
                         "The API deployment for this resource does not exist. If you created "
                         "the deployment within the last 5 minutes, please wait a moment and "
                         "try again."}})
        if scenario == "relay-oneapi" and model not in _ONEAPI_MODELS:
            return _json(503, {"error": {"message": f"当前分组 default 下对于模型 {model} 无可用"
                                         f"渠道 (request id: {_relay_id()})",
                                         "type": "one_api_error"}})
        if not _known(model):
            return _error(404, f"The model `{model}` does not exist or you do not have access "
                               "to it.", code="model_not_found")
        if scenario == "slow":
            time.sleep(self.slow_seconds)
        if scenario == "project-restricted" and model not in _PROJECT_ALLOWLIST:
            return _error(403, f"Project `proj_Sim3x4mpl3Pr0j3ct` does not have access to "
                               f"model `{model}`", code="model_not_found")
        if self._rate_limited(scenario, key, model, capability):
            return self._rate_limit_reply(model)
        if scenario == "flaky" and self._next(key, model, capability, "flaky") == 1:
            return _error(500, "The server had an error processing your request. Sorry about "
                               "that! You can retry your request, or contact us through our "
                               "help center at help.openai.com if you keep seeing this error.",
                          type_="server_error")
        if scenario == "moderated" and kind is ProbeKind.IMAGES:
            return _error(400, "Your request was rejected by the safety system. If you believe "
                               "this is an error, contact us at help.openai.com and include the "
                               f"request ID {secrets.token_hex(16)}. safety_violations=[sexual].",
                          type_="image_generation_user_error", code="moderation_blocked")
        gated = capability in family_of(model).gated
        unverified = scenario in ("unverified", "relay-openrouter", "relay-oneapi") or (
            scenario == "propagating"
            and self._next(key, "propagating") <= self.propagation_requests
        )
        if gated and unverified:
            refusal = _verification_refusal(model, capability, kind)
            if scenario == "relay-openrouter":
                return _json(400, {"error": {"message": "Provider returned error", "code": 400,
                                             "metadata": {"raw": refusal.body.decode()
                                                          if isinstance(refusal.body, bytes)
                                                          else "", "provider_name": "OpenAI"}}},
                             **{"x-request-id": "gen-" + secrets.token_hex(8)})
            if scenario == "relay-oneapi":
                payload = json.loads(refusal.body if isinstance(refusal.body, bytes) else b"{}")
                payload["error"]["message"] += f" (request id: {_relay_id()})"
                return _json(refusal.status, payload)
            return refusal
        return self._success(model, capability, kind, scenario)

    def _rate_limited(self, scenario: str, key: str, model: str, capability: str) -> bool:
        if scenario != "rate-limited" and not self.rate_limit_fraction:
            return False
        if self._next(key, model, capability, "rl") != 1:
            return False
        if scenario == "rate-limited":
            return True
        with self._lock:  # every 1/fraction-th first request, evenly spread
            before = int(self._first_requests * self.rate_limit_fraction)
            self._first_requests += 1
            return int(self._first_requests * self.rate_limit_fraction) > before

    def _rate_limit_reply(self, model: str) -> Reply:
        if self.retry_after_seconds is not None:
            wait, hint = str(self.retry_after_seconds), f"{self.retry_after_seconds}s"
            headers = {"retry-after": wait, "x-ratelimit-reset-requests": hint}
        else:
            hint = f"{self.retry_after_ms}ms"
            headers = {"retry-after-ms": str(self.retry_after_ms),
                       "x-ratelimit-reset-requests": hint}
        return _error(429, f"Rate limit reached for {model} in organization org-sim on "
                           "requests per min (RPM): Limit 3, Used 3, Requested 1. Please "
                           f"try again in {hint}.", type_="requests", code="rate_limit_exceeded",
                      **headers, **{"x-ratelimit-remaining-requests": "0"})

    def _always(self, scenario: str, key: str, model: str) -> Reply:
        replies: dict[str, Callable[[], Reply]] = {
            "revoked": lambda: _error(401, f"Incorrect API key provided: {_masked(key)}. You can "
                                           "find your API key at https://platform.openai.com/"
                                           "account/api-keys.", code="invalid_api_key"),
            "no-credit": lambda: _error(429, "You exceeded your current quota, please check "
                                             "your plan and billing details. For more "
                                             "information on this error, read the docs: "
                                             "https://platform.openai.com/docs/guides/"
                                             "error-codes/api-errors.",
                                        type_="insufficient_quota", code="insufficient_quota"),
            "billing-limit": lambda: _error(400, "Billing hard limit has been reached",
                                            code="billing_hard_limit_reached"),
            "deactivated": lambda: _error(401, "This key is associated with a deactivated "
                                               "account. If you feel this is an error, contact "
                                               "us through our help center at help.openai.com.",
                                          code="account_deactivated"),
            "region": lambda: _json(403, {"error": {"code": "unsupported_country_region_"
                                                            "territory",
                                                    "message": "Country, region, or territory "
                                                               "not supported",
                                                    "param": None,
                                                    "type": "request_forbidden"}}),
            "echo-key": lambda: _echo_key(key),
            "rate-limited-long": lambda: _error(429, f"Rate limit reached for {model} in "
                                                     "organization org-sim on requests per day "
                                                     "(RPD): Limit 10, Used 10, Requested 1.",
                                                type_="requests", code="rate_limit_exceeded",
                                                **{"retry-after": "120"}),
            "redirect": lambda: Reply(307, b"", {"location": "https://login.example.net/sso"}),
            "html": lambda: Reply(502, b"<html>\r\n<head><title>502 Bad Gateway</title></head>"
                                       b"\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>"
                                       b"\r\n<hr><center>cloudflare</center>\r\n</body>\r\n"
                                       b"</html>\r\n", content_type="text/html"),
            "html-200": lambda: Reply(200, b"<!DOCTYPE html><html><head><title>Sign in</title>"
                                           b"</head><body><form>Sign in</form></body></html>",
                                      content_type="text/html"),
            "empty-200": lambda: Reply(200, b""),
            "truncated": lambda: Reply(200, b'{"id": "chatcmpl-sim", "obj'),
            "reset": lambda: Reply(200, b'{"id": "chatcmpl-sim", "object": "chat.completion", '
                                        + b" " * 4096, reset_after=40),
            "stall-body": lambda: Reply(200, b'{"id": "chatcmpl-sim", "object": "chat.completion"'
                                             b', "choices": []}', reset_after=10, stall=600),
            "endless": lambda: Reply(200, _endless(), content_type="application/json"),
            "stall-stream": lambda: Reply(200, _stalled(), content_type="text/event-stream"),
            "gzip-bomb": lambda: Reply(200, _gzip_bomb(), {"content-encoding": "gzip, gzip"}),
            "escapes": lambda: _error(401, "Incorrect API key \x1b[31mprovided\x1b[0m "
                                           "\x1b]8;;https://evil.test\x07click\x1b]8;;\x07 "
                                           "\u202egnp.exe\u202c \u200bzero\u200bwidth \x9b31m"
                                           "c1\n::error title=pwned::injected\n##[error]legacy",
                                      code="invalid_api_key",
                                      **{"x-request-id": "req_\x1b[2J\x1b[31mred\x1b]0;title\x07"}),
            "deep-json": lambda: Reply(400, b'{"error": ' + b"[" * 50_000 + b"]" * 50_000
                                       + b"}"),
            "backtrack": lambda: Reply(400, _backtrack_bait()),
        }
        return replies[scenario]()

    def _success(self, model: str, capability: str, kind: ProbeKind,
                 scenario: str = "verified") -> Reply:
        created = int(time.time())
        if kind is ProbeKind.IMAGES:
            return Reply(200, self._image_body(created))
        if kind is ProbeKind.EMBEDDINGS:
            return _json(200, {"object": "list", "model": model, "data": [
                {"object": "embedding", "index": 0, "embedding": [0.0123, -0.0456, 0.0789]}],
                "usage": {"prompt_tokens": 1, "total_tokens": 1}})
        if capability == STREAM and scenario != "no-stream":
            return Reply(200, _event_stream(model, kind, created),
                         content_type="text/event-stream")
        if kind is ProbeKind.RESPONSES:
            return _json(200, {"id": "resp_" + secrets.token_hex(8), "object": "response",
                               "created_at": created, "status": "incomplete", "model": model,
                               "incomplete_details": {"reason": "max_output_tokens"},
                               "output": [{"type": "reasoning", "summary": []}]})
        return _json(200, {"id": "chatcmpl-" + secrets.token_hex(8), "object": "chat.completion",
                           "created": created, "model": model, "choices": [
                               {"index": 0, "message": {"role": "assistant", "content": "OK"},
                                "finish_reason": "length"}],
                           "usage": {"prompt_tokens": 12, "completion_tokens": 1,
                                     "total_tokens": 13}})

    def _image_body(self, created: int) -> bytes:
        if self._image_payload is None:
            data = base64.b64encode(b"\x89PNG" + b"\x00" * self.image_bytes).decode()
            self._image_payload = json.dumps(
                {"created": created, "data": [{"b64_json": data}],
                 "usage": {"input_tokens": 8, "output_tokens": 272}}
            ).encode()
        return self._image_payload


def _verification_refusal(model: str, capability: str, kind: ProbeKind) -> Reply:
    if capability == STREAM:
        return _error(400, f"Your organization must be verified to stream this model. {_VERIFY}",
                      param="stream", code="unsupported_value")
    if capability == REASONING_SUMMARY:
        return _error(400, "Your organization must be verified to generate reasoning summaries. "
                           + _VERIFY, param="reasoning.summary", code="unsupported_value")
    message = f"Your organization must be verified to use the model `{model}`. {_VERIFY}"
    if kind is ProbeKind.IMAGES:
        return _error(403, message)
    return _error(404, message, code="model_not_found")


def _echo_key(key: str) -> Reply:
    half = key[: len(key) // 2]
    payload = {
        "error": {
            "message": f"Invalid key {key}. Partial: {half}… URL form: {quote(key, safe='')}",
            "type": "invalid_request_error",
            "code": "invalid_api_key",
            "param": json.dumps({"api_key": key}),
        },
        "debug": {"authorization": f"Bearer {key}", "raw": f'{{"key": "{key}"}}'},
    }
    return _json(401, payload, **{"x-echo-key": key, "x-echo-half": half})


def _event_stream(model: str, kind: ProbeKind, created: int) -> Iterator[bytes]:
    if kind is ProbeKind.RESPONSES:
        events = [{"type": "response.created", "sequence_number": 0,
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


def _endless() -> Iterator[bytes]:
    yield b'{"created": 1, "data": [{"b64_json": "'
    chunk = b"A" * 65536
    while True:
        yield chunk


def build_gzip_bomb(mebibytes: int = 1024) -> bytes:
    """``mebibytes`` MiB of zeros, gzipped twice. Building 1 GiB takes seconds, so the
    simulator serves the copy in ``data/gzip-bomb.gz`` made by this function."""
    import gzip
    import zlib

    inner = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = b"\0" * (1 << 20)
    parts = [inner.compress(zeros) for _ in range(mebibytes)]
    parts.append(inner.flush())
    return gzip.compress(b"".join(parts), 9)


def _gzip_bomb() -> bytes:
    """1 GiB of zeros, gzipped twice: about 2 KB on the wire."""
    from importlib import resources

    return resources.files("checker").joinpath("data/gzip-bomb.gz").read_bytes()


def _backtrack_bait() -> bytes:
    """Repeated prefixes of the phrases the classifier looks for, long whitespace runs and
    unclosed tags: a pattern that can backtrack catastrophically takes minutes on it."""
    pieces = ["code" + " " * 4096 + "x", "<" * 4096, '"message": "' + "\\" * 2048,
              "project " + "a" * 4096, "model `" + "b" * 4096, "sk-" * 2000,
              "bearer " + " " * 4096, "try again in " + "1" * 4096, "{" * 3000,
              "organization must be " * 200, "rate limit" * 500]
    body = "".join(pieces)
    return (body * (256 * 1024 // len(body) + 1))[: 256 * 1024].encode()


def _stalled() -> Iterator[bytes]:
    time.sleep(600)
    yield b": still here\n\n"


def _known(model: str) -> bool:
    return family_of(model).priced


def _route(path: str) -> tuple[ProbeKind | None, str | None]:
    endings = {
        "/chat/completions": ProbeKind.CHAT,
        "/responses": ProbeKind.RESPONSES,
        "/images/generations": ProbeKind.IMAGES,
        "/embeddings": ProbeKind.EMBEDDINGS,
    }
    for ending, kind in endings.items():
        if path.endswith(ending):
            prefix = path[: -len(ending)]
            if prefix.startswith("/openai/deployments/"):
                return kind, prefix[len("/openai/deployments/"):]
            return kind, None
    return None, None


def _bearer(value: str) -> str:
    return value[7:].strip() if value.lower().startswith("bearer ") else ""


def _relay_id() -> str:
    return time.strftime("%Y%m%d%H%M%S") + secrets.token_hex(8)


def _limits(scenario: str) -> dict[str, str]:
    if scenario == "tier1":
        return {"x-ratelimit-limit-requests": "500", "x-ratelimit-limit-tokens": "30000",
                "x-ratelimit-remaining-requests": "499", "x-ratelimit-remaining-tokens": "29980",
                "x-ratelimit-reset-requests": "120ms", "x-ratelimit-reset-tokens": "40ms"}
    return {"x-ratelimit-limit-requests": "10000", "x-ratelimit-limit-tokens": "30000000",
            "x-ratelimit-remaining-requests": "9999",
            "x-ratelimit-remaining-tokens": "29999980",
            "x-ratelimit-reset-requests": "6ms", "x-ratelimit-reset-tokens": "0s"}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256
    simulator: Simulator

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that stops reading (checker caps what it reads of an answer) and
        # closes resets the connection: normal here, not worth a traceback.
        if isinstance(sys.exc_info()[1], (ConnectionError, ssl.SSLError)):
            return  # also a client refusing our certificate (the TLS fault tests)
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without TCP_NODELAY, Nagle's algorithm
    # and delayed ACKs add ~40 ms to every answer.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the demo prints its own table

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        simulator = self.server.simulator
        received = time.monotonic()
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(min(length, 1024 * 1024)) if length else b""
        if simulator.latency:
            time.sleep(simulator.latency)
        headers = {k.lower(): v for k, v in self.headers.items()}
        reply = simulator.respond(method, self.path, headers, body, received=received)
        try:
            self._send(reply)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        if reply.probe is not None:
            with simulator._lock:
                simulator.answered.append(Answered(reply.probe, reply.status, time.monotonic(),
                                                   reply.headers))

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("content-type", reply.content_type)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if isinstance(reply.body, bytes):
            if reply.reset_after is not None:
                self.send_header("content-length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body[: reply.reset_after])
                self.wfile.flush()
                if reply.stall:
                    time.sleep(min(reply.stall, 600))
                self._reset()
                return
            self.send_header("content-length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
            return
        # Streamed (event stream, endless body): chunked transfer encoding.
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        for chunk in reply.body:
            self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")

    def _reset(self) -> None:
        self.close_connection = True
        # SO_LINGER with a zero timeout: close() sends RST, like a crashed upstream.
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
        self.connection.close()
