"""The simulator: a loopback server that speaks every provider kind's wire format and acts
out the scenario its key is bound to.

A request is routed by the kinds (``ProviderKind.sim_route``); the scenario table says
whether to refuse and with what; the kind renders the refusal or the success as the real
API sends it (``sim_refusal``, ``sim_success``); the faults module sends what no API would.
It binds to 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import socket
import ssl
import struct
import sys
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from ..providers import KINDS
from ..providers.base import Reply, SimRequest, SimSettings
from ..providers.entra import unsigned_token
from .faults import FAULTS, invalid_route
from .scenarios import BY_NAME, ONEAPI_CHANNELS, PROJECT_ALLOWLIST, Scenario

SCENARIOS: Mapping[str, str] = {name: s.description for name, s in BY_NAME.items()}
# The secret access key of the fixed test credentials: an AWS access key id of the form
# `sim-<scenario>` signs with it (`checker simulate`; new_aws_credentials makes random ones).
SIM_AWS_SECRET = "sim-aws-secret-access-key"
SIGNING_SECRETS: Mapping[str, str] = {f"sim-{name}": SIM_AWS_SECRET for name in BY_NAME}
ENTRA_AUDIENCE = "https://cognitiveservices.azure.com"
SIM_TENANT = "5e1a7c3d-0000-4000-8000-00000000c4ec"  # the simulator's Entra tenant


@dataclass(frozen=True)
class Probe:
    """One request as the simulator understood it."""

    time: float
    scenario: str
    path: str
    model: str
    capability: str
    kind: str | None  # the endpoint ("chat", …), None when no kind recognised the route
    provider_kind: str | None  # "openai", "azure", …
    organization: str | None
    received: float | None = None  # monotonic arrival time, before any injected latency

    @property
    def azure(self) -> bool:
        return self.provider_kind == "azure"


@dataclass(frozen=True)
class Answered:
    """One answer as it left the simulator (``Simulator.answered``)."""

    probe: Probe
    status: int
    sent: float  # monotonic time the answer was written
    headers: Mapping[str, str]


class Simulator:
    """``with Simulator() as sim: sim.url`` → ``http://127.0.0.1:PORT/v1``. The key picks
    the scenario: one made by ``new_key(scenario)``, one registered in ``keys``, or a key
    of the form ``sim-<scenario>[-anything]``."""

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
        # Secrets of the signing credentials the simulator accepts (AWS), by key id.
        self.signing_secrets: dict[str, str] = {}
        self.latency = latency
        self.slow_seconds = slow_seconds
        self.propagation_requests = propagation_requests
        self.rate_limit_fraction = rate_limit_fraction
        self.settings = SimSettings(retry_after_ms, retry_after_seconds, image_bytes)
        self.azure_deployments = dict(azure_deployments or {})
        self.log: list[Probe] = []
        self.answered: list[Answered] = []
        self._first_requests = 0
        self._counts: dict[tuple[str, ...], int] = {}
        self._lock = threading.Lock()
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
        if scenario not in BY_NAME:
            raise ValueError(f"unknown scenario {scenario!r}")
        key = "sk-sim-" + secrets.token_urlsafe(24)
        self.keys[key] = scenario
        return key

    def new_aws_credentials(self, scenario: str) -> tuple[str, str]:
        """A random AWS access key id bound to ``scenario`` and its secret access key: the
        simulator verifies SigV4 signatures made with them."""
        if scenario not in BY_NAME:
            raise ValueError(f"unknown scenario {scenario!r}")
        key_id = "AKIASIM" + secrets.token_hex(6).upper()
        self.keys[key_id] = scenario
        self.signing_secrets[key_id] = secrets.token_urlsafe(30)
        return key_id, self.signing_secrets[key_id]

    def new_entra_token(self, scenario: str, *, audience: str = ENTRA_AUDIENCE,
                        expires_in: float = 3600.0, oid: str | None = None) -> str:
        """An Entra ID-shaped token (a JWT with no valid signature: ``aud``, ``oid``,
        ``tid``, ``exp``) bound to ``scenario``. Azure OpenAI's simulator refuses it, as
        Azure does, when its audience is another service's or it has expired."""
        key = self.new_key(scenario)
        token = unsigned_token({"aud": audience, "iss": f"https://sts.windows.net/{SIM_TENANT}/",
                                "oid": oid or str(uuid.uuid4()), "tid": SIM_TENANT,
                                "exp": int(time.time() + expires_in), "sim": key[7:]})
        self.keys[token] = self.keys.pop(key)
        return token

    # -- behaviour

    def scenario_of(self, key: str) -> Scenario | None:
        if key in self.keys:
            return BY_NAME[self.keys[key]]
        if key.startswith("sim-"):
            rest = key[4:]
            for name in sorted(BY_NAME, key=len, reverse=True):
                if rest == name or rest.startswith(name + "-"):
                    return BY_NAME[name]
        return None

    def _next(self, *counter: str) -> int:
        with self._lock:
            self._counts[counter] = self._counts.get(counter, 0) + 1
            return self._counts[counter]

    def respond(self, method: str, path: str, headers: Mapping[str, str], body: bytes,
                received: float | None = None) -> tuple[Reply, Probe]:
        parts = urlsplit(path)
        route = parts.path
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            payload = None
        if payload is None and headers.get("content-type", "").startswith(
                "application/x-www-form-urlencoded"):
            payload = {}  # a form (AWS's query APIs): the kind reads SimRequest.raw
        request = None
        if isinstance(payload, dict) and method == "POST":
            for kind in KINDS.values():
                request = kind.sim_route(method, route, headers, payload)
                if request is not None:
                    break
        if request is not None:
            request = KINDS[request.kind].sim_authenticate(
                request._replace(raw=body), {**SIGNING_SECRETS, **self.signing_secrets})
        if request is not None and parts.query:
            request = request._replace(query=parts.query)
        if request is not None and request.deployment is not None:
            request = request._replace(model=self.azure_deployments.get(
                request.deployment, request.deployment))
        scenario = self.scenario_of(request.key) if request is not None else None
        probe = Probe(time.monotonic(), scenario.name if scenario else "unknown-key", route,
                      request.model if request else "", request.capability if request else "",
                      request.probe if request else None, request.kind if request else None,
                      request.organization if request else None, received)
        with self._lock:
            self.log.append(probe)
        if payload is None:
            reply = _parse_error()
        elif request is None:
            reply = invalid_route(method, route)
        else:
            request = request._replace(settings=self.settings._replace(
                honour_stream=scenario.honour_stream if scenario else True))
            reply = self._reply(request, scenario)
            tier = scenario.tier if scenario else "default"
            # The reply's own headers win over the ones every answer carries.
            headers = {**KINDS[request.kind].sim_headers(request, tier), **reply.headers}
            reply = reply._replace(headers=headers)
        return reply, probe

    def _reply(self, request: SimRequest, scenario: Scenario | None) -> Reply:
        kind = KINDS[request.kind]
        if scenario is None:
            return kind.sim_refusal("invalid_key" if request.key else "no_key", request)
        steps = scenario.steps
        for step in steps:
            if step.when == "always":
                return self._refusal(step.refusal, request)
        rejected = kind.sim_reject(request)
        if rejected is not None:
            return rejected
        for step in steps:
            if step.when == "not_in_channel" and request.model not in ONEAPI_CHANNELS:
                return self._refusal(step.refusal, request)
        unknown = kind.sim_known(request)
        if unknown is not None:
            return unknown
        if scenario.delay:
            time.sleep(self.slow_seconds)
        if self._fraction_limited(scenario, request):
            return kind.sim_refusal("rate_limit", request)
        gated = request.capability in kind.model_info(request.model).gated
        for step in steps:
            if self._applies(step.when, request, gated):
                return self._refusal(step.refusal, request)
        return kind.sim_success(request)

    def _applies(self, when: str, request: SimRequest, gated: bool) -> bool:
        if when == "not_allowed":
            return request.model not in PROJECT_ALLOWLIST
        if when == "first":
            return self._next(request.key, request.model, request.capability, "first") == 1
        if when == "images":
            return request.probe == "images"
        if when == "gated":
            return gated
        if when == "gated_until":
            return gated and self._next(request.key, "propagating") <= self.propagation_requests
        if when == "pending":
            return self._next(request.key, request.model, "pending") <= self.propagation_requests
        return False

    def _refusal(self, refusal: str, request: SimRequest) -> Reply:
        if refusal.startswith("fault:"):
            return FAULTS[refusal.removeprefix("fault:")](request)
        return KINDS[request.kind].sim_refusal(refusal, request)

    def _fraction_limited(self, scenario: Scenario, request: SimRequest) -> bool:
        """``rate_limit_fraction``: refuse that share of first requests once (benchmarks)."""
        if not self.rate_limit_fraction:
            return False
        if self._next(request.key, request.model, request.capability, "fraction") != 1:
            return False
        with self._lock:  # every 1/fraction-th first request, evenly spread
            before = int(self._first_requests * self.rate_limit_fraction)
            self._first_requests += 1
            return int(self._first_requests * self.rate_limit_fraction) > before


def _parse_error() -> Reply:
    return Reply(400, json.dumps({"error": {
        "message": "We could not parse the JSON body of your request. (HINT: This likely "
                   "means you aren't using your HTTP library correctly. The OpenAI API expects "
                   "a JSON payload, but what was sent was not valid JSON. If you have trouble "
                   "figuring out how to fix this, please contact us through our help center "
                   "at help.openai.com.)",
        "type": "invalid_request_error", "param": None, "code": None}}).encode())


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
        reply, probe = simulator.respond(method, self.path, headers, body, received=received)
        try:
            self._send(reply)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        with simulator._lock:
            simulator.answered.append(Answered(probe, reply.status, time.monotonic(),
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
