"""Send the probes: asyncio, one pooled httpx client per provider, bounded concurrency,
per-attempt timeouts, retries for transient outcomes, a whole-run deadline.

The only module that talks to the network. Everything it decides is delegated to pure
functions (``classify``, ``retry.decide``, ``results.verdict_for``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
import ssl
import sys
import time
import urllib.request
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Callable,
    Coroutine,
    Iterator,
    Mapping,
    Sequence,
)
from dataclasses import dataclass, field
from typing import Any

import httpcore
import httpx

from .classify import Expected, classify
from .config import Check, Provider
from .decoding import ACCEPT_ENCODING, BoundedDecoder, DecodingError, parse_encodings
from .outcomes import OutcomeClass, Verdict, info
from .probes import ProbeRequest, build_probe
from .results import LastSeen, Result, result_without_probe, verdict_for
from .retry import decide
from .sanitize import clean
from .secrets import Redactor

SUCCESS_READ_CAP = 4 * 1024  # enough to see that a probe succeeded; images send megabytes
ERROR_READ_CAP = 64 * 1024  # every known error body fits
# Raw bytes read for one answer, whatever its encoding says: decoding stops at the caps
# above, and this bounds the reading of data that decodes to nothing.
RAW_READ_CAP = 1024 * 1024
DEFAULT_MAX_WAIT = 60.0  # seconds one retry may wait (e.g. for Retry-After)
SLOW_AFTER = 5.0  # seconds after which a probe or a wait is worth telling someone about
REQUEST_ID_HEADERS = ("x-request-id", "apim-request-id", "request-id", "x-ms-request-id")

log = logging.getLogger("checker")

Sleep = Callable[[float], Coroutine[Any, Any, None]]


@dataclass
class Activity:
    """What one check is doing right now (owned by the runner, read by observers). An
    interrupted check is reported from its last activity, so nothing it saw is lost."""

    check: Check
    started: float  # clock reading when the check started
    attempts: int = 0
    state: str = "queued"  # queued | probing | waiting
    since: float = 0.0  # clock reading when ``state`` began
    wait_for: float = 0.0  # seconds, while waiting
    wait_reason: str = ""
    last_class: OutcomeClass | None = None
    last_status: int | None = None
    last_message: str = ""


@dataclass(frozen=True)
class Snapshot:
    """The run at one moment, for a live status line."""

    elapsed: float  # seconds since the run started
    now: float  # the clock reading the activities' ``since`` compares with
    done: int
    total: int
    active: tuple[Activity, ...]  # checks being probed or waiting, longest first


class Observer:
    """Hooks for what a person watching the run should see. Every method is optional."""

    def result(self, result: Result) -> None:
        """A check finished."""

    def waiting(self, activity: Activity) -> None:
        """A check starts waiting ``activity.wait_for`` seconds before its next attempt."""

    def tick(self, snapshot: Snapshot) -> None:
        """About once a second while the run goes on."""


@dataclass
class RunOptions:
    concurrency: int = 8
    provider_concurrency: int = 4
    deadline: float | None = None  # seconds for the whole run
    timeout: float | None = None  # overrides every check's per-attempt timeout
    retries: int | None = None  # overrides every check's retries
    max_wait: float = DEFAULT_MAX_WAIT  # a single wait longer than this is not slept
    clock: Callable[[], float] = time.monotonic
    sleep: Sleep = asyncio.sleep
    rng: random.Random = field(default_factory=random.Random)
    # A transport for tests (e.g. respx); None = real network.
    transport: httpx.AsyncBaseTransport | None = None
    observer: Observer | None = None
    tick_interval: float = 1.0


@dataclass(frozen=True)
class Answer:
    """What came back from one attempt, before classification."""

    status: int | None
    headers: Mapping[str, str]
    body: bytes
    latency_ms: float
    failure: OutcomeClass | None = None  # set when no HTTP answer arrived (or no usable one)
    failure_message: str = ""
    failure_status: int | None = None


async def run_checks(
    checks: Sequence[Check],
    options: RunOptions,
    redactor: Redactor,
    stop: asyncio.Event | None = None,
) -> tuple[list[Result], str | None]:
    """Run every check. Returns results in ``checks`` order and why the run stopped early
    (``"deadline"``, or the reason set on ``stop``), if it did. Unfinished checks are
    reported as ``interrupted`` with what they last saw, never dropped."""
    started = options.clock()
    deadline = started + options.deadline if options.deadline is not None else None
    limit = asyncio.Semaphore(options.concurrency)
    clients = _Clients(options)
    provider_limits: dict[str, asyncio.Semaphore] = {}
    results: dict[int, Result] = {}
    activities: dict[int, Activity] = {}
    observer = options.observer

    async def one(index: int, check: Check) -> None:
        semaphore = provider_limits.setdefault(
            check.provider.name,
            asyncio.Semaphore(check.provider.concurrency or options.provider_concurrency),
        )
        activity = activities[index] = Activity(check, options.clock())
        try:
            result = await _run_check(check, options, clients, limit, semaphore, redactor,
                                      deadline, activity)
        except Exception as exc:  # a bug in checker must not lose the other results
            result = result_without_probe(
                check, OutcomeClass.UNKNOWN,
                redactor(clean(f"checker internal error: {type(exc).__name__}: {exc}")),
            )
        results[index] = result
        del activities[index]
        if observer is not None:
            observer.result(result)

    async def ticker() -> None:
        assert observer is not None
        while True:
            await asyncio.sleep(options.tick_interval)
            now = options.clock()
            active = sorted((a for a in activities.values() if a.state != "queued"),
                            key=lambda a: a.started)
            observer.tick(Snapshot(now - started, now, len(results), len(checks),
                                   tuple(active)))

    tasks = [asyncio.ensure_future(one(i, check)) for i, check in enumerate(checks)]
    ticking = asyncio.ensure_future(ticker()) if observer is not None else None
    stopped: str | None = None
    try:
        stopped = await _wait(tasks, options, deadline, stop)
    finally:
        if ticking is not None:
            ticking.cancel()
        unfinished = dict(activities)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if ticking is not None:
            await asyncio.gather(ticking, return_exceptions=True)
        await clients.close()

    ordered: list[Result] = []
    now = options.clock()
    for index, check in enumerate(checks):
        if index in results:
            ordered.append(results[index])
            continue
        if stopped == "deadline":
            why = (f"not finished within the run deadline ({options.deadline:g}s)"
                   if options.deadline is not None else "not finished")
        else:
            why = f"not finished: the run was interrupted ({stopped or 'stopped'})"
        ordered.append(_interrupted(check, unfinished.get(index), why, now, redactor))
    return ordered, stopped


def _interrupted(check: Check, activity: Activity | None, why: str, now: float,
                 redactor: Redactor) -> Result:
    """The result of a check the run stopped: what it last saw, how many attempts it
    made, how long it ran, and what it was doing."""
    if activity is None or activity.state == "queued":
        return result_without_probe(check, OutcomeClass.INTERRUPTED, f"{why}; never started")
    if activity.state == "waiting":
        doing = f"waiting {activity.wait_for:.0f}s ({activity.wait_reason})"
    else:
        doing = f"probing (attempt {activity.attempts}, {now - activity.since:.1f}s)"
    last = None
    message = f"{why} while {doing}"
    if activity.last_class is not None:
        last = LastSeen(activity.last_class, activity.last_status, doing)
        status = f" HTTP {activity.last_status}" if activity.last_status is not None else ""
        message += f"; last seen: {activity.last_class.value}{status}"
        if activity.last_message:
            message += f" ({activity.last_message})"
    else:
        last = LastSeen(OutcomeClass.INTERRUPTED, None, doing)
    cls = OutcomeClass.INTERRUPTED
    return Result(check=check, cls=cls, verdict=verdict_for(check, cls),
                  status=activity.last_status, message=redactor(clean(message, 600)),
                  rule="interrupted", attempts=activity.attempts,
                  duration_s=now - activity.started, last_seen=last)


async def _wait(
    tasks: Sequence[asyncio.Future[None]],
    options: RunOptions,
    deadline: float | None,
    stop: asyncio.Event | None,
) -> str | None:
    if not tasks:
        return None
    everything = asyncio.ensure_future(asyncio.wait(tasks))
    waiters: list[asyncio.Future[Any]] = [everything]
    stop_waiter = None
    if stop is not None:
        stop_waiter = asyncio.ensure_future(stop.wait())
        waiters.append(stop_waiter)
    timeout = None if deadline is None else max(0.0, deadline - options.clock())
    try:
        done, _ = await asyncio.wait(waiters, timeout=timeout,
                                     return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
    if everything in done:
        # A task that raised is a bug in checker; it must still not lose the report.
        return None
    if stop_waiter is not None and stop_waiter in done:
        return getattr(stop, "reason", None) or "stopped"
    return "deadline"


class _Clients:
    """One pooled AsyncClient per provider, created on first use."""

    def __init__(self, options: RunOptions) -> None:
        self.options = options
        self.clients: dict[str, httpx.AsyncClient] = {}
        self.proxied = _environment_proxies()

    def get(self, provider: Provider) -> httpx.AsyncClient:
        client = self.clients.get(provider.name)
        if client is None:
            connections = provider.concurrency or self.options.provider_concurrency
            transport = self.options.transport
            # A plain-http provider is reached directly, never through HTTP_PROXY: the key
            # would travel in clear text to the proxy. Through HTTPS_PROXY a TLS tunnel
            # carries it end to end.
            proxied = self.proxied and provider.base_url.startswith("https:")
            lean = transport is None and not proxied
            # Loading a CA store costs ~25 ms: not for a plain-http provider (a local
            # relay, the simulator) unless TLS settings were given, whose errors must
            # still show as config errors before the first probe.
            context = _tls(provider) if not lean or _tls_configured(provider) else None
            if lean:
                transport = _KeepAlivePool(lambda: _tls(provider), max_idle=connections)
            client = httpx.AsyncClient(
                verify=context if context is not None else True,  # unused by _KeepAlivePool
                follow_redirects=False,  # never carry the key to another host
                limits=httpx.Limits(max_connections=connections,
                                    max_keepalive_connections=connections),
                transport=transport,
                # HTTPS_PROXY, NO_PROXY: with a proxy configured, httpx's own transport
                # (and pool) is used, so proxies work exactly as httpx implements them.
                trust_env=proxied,
            )
            self.clients[provider.name] = client
        return client

    async def close(self) -> None:
        await asyncio.gather(*(c.aclose() for c in self.clients.values()),
                             return_exceptions=True)


def _tls_configured(provider: Provider) -> bool:
    return provider.base_url.startswith("https:") or bool(
        provider.ca_bundle or os.environ.get("SSL_CERT_FILE") or os.environ.get("SSL_CERT_DIR"))


def _environment_proxies() -> bool:
    """True if the environment names a proxy (what httpx reads with ``trust_env``)."""
    proxies = urllib.request.getproxies()
    return any(proxies.get(scheme) for scheme in ("http", "https", "all"))


# httpx maps httpcore's exceptions this way too; the most specific class wins.
_HTTPCORE_ERRORS: tuple[tuple[type[Exception], type[httpx.HTTPError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextlib.contextmanager
def _httpx_errors() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        for core, mapped in _HTTPCORE_ERRORS:
            if isinstance(exc, core):
                raise mapped(str(exc)) from exc
        raise


class _KeepAlivePool(httpx.AsyncBaseTransport):
    """Keep-alive HTTP/1.1 connections for one provider, reused most-recent first.

    httpx's default pool (httpcore 1.0) re-examines every connection, and asks each
    socket whether it is readable, whenever a request starts or ends, and lets waiting
    requests race for the same idle connection and retry. At 50 connections that cost
    more CPU than everything else a probe does. The runner already bounds how many
    probes are in flight per provider, so this pool needs no queue: a request takes an
    idle connection, or opens one.
    """

    def __init__(self, tls: Callable[[], ssl.SSLContext], max_idle: int,
                 keepalive_expiry: float = 5.0) -> None:
        self.tls = tls  # called for https origins only
        self.max_idle = max_idle
        self.keepalive_expiry = keepalive_expiry
        # Idle connections by origin (scheme, host, port); the last one used is on top.
        self.idle: dict[tuple[bytes, bytes, int], list[httpcore.AsyncHTTPConnection]] = {}
        self.open: set[httpcore.AsyncHTTPConnection] = set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.AsyncByteStream)
        url = request.url
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(scheme=url.raw_scheme, host=url.raw_host, port=url.port,
                             target=url.raw_path),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        origin = core.url.origin
        key = (origin.scheme, origin.host, origin.port)
        connection = await self._checkout(origin, key)
        try:
            with _httpx_errors():
                response = await connection.handle_async_request(core)
        except BaseException:
            await self._discard(connection)
            raise
        assert isinstance(response.stream, AsyncIterable)
        return httpx.Response(status_code=response.status, headers=response.headers,
                              stream=_PooledBody(response.stream, self, connection, key),
                              extensions=response.extensions)

    async def _checkout(self, origin: httpcore.Origin,
                        key: tuple[bytes, bytes, int]) -> httpcore.AsyncHTTPConnection:
        idle = self.idle.get(key, [])
        while idle:
            connection = idle.pop()
            if connection.is_available() and not connection.has_expired():
                return connection
            await self._discard(connection)
        context = self.tls() if origin.scheme == b"https" else None
        connection = httpcore.AsyncHTTPConnection(origin, ssl_context=context,
                                                  keepalive_expiry=self.keepalive_expiry,
                                                  )
        self.open.add(connection)
        return connection

    async def checkin(self, connection: httpcore.AsyncHTTPConnection,
                      key: tuple[bytes, bytes, int]) -> None:
        """After the answer is closed: keep the connection if it can serve again (a body
        left unread closes it)."""
        idle = self.idle.setdefault(key, [])
        if connection.is_idle() and len(idle) < self.max_idle:
            idle.append(connection)
        else:
            await self._discard(connection)

    async def _discard(self, connection: httpcore.AsyncHTTPConnection) -> None:
        self.open.discard(connection)
        with contextlib.suppress(Exception):
            await connection.aclose()

    async def aclose(self) -> None:
        connections, self.open, self.idle = self.open, set(), {}
        for connection in connections:
            with contextlib.suppress(Exception):
                await connection.aclose()


class _PooledBody(httpx.AsyncByteStream):
    """An answer's body; closing it hands the connection back to the pool."""

    def __init__(self, stream: AsyncIterable[bytes], pool: _KeepAlivePool,
                 connection: httpcore.AsyncHTTPConnection,
                 key: tuple[bytes, bytes, int]) -> None:
        self.stream = stream
        self.pool = pool
        self.connection = connection
        self.key = key
        self.closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _httpx_errors():
            async for part in self.stream:
                yield part

    async def aclose(self) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            with _httpx_errors():
                if hasattr(self.stream, "aclose"):
                    await self.stream.aclose()
        finally:
            await self.pool.checkin(self.connection, self.key)


_TLS_CONTEXTS: dict[str | None, ssl.SSLContext] = {}


def _tls(provider: Provider) -> ssl.SSLContext:
    """Verified TLS, always. Loading a CA store costs tens of milliseconds, so each store is
    loaded once per process. Trust: ``ca_bundle:``, else SSL_CERT_FILE/SSL_CERT_DIR, else
    certifi's bundle (what httpx uses by default)."""
    cafile = provider.ca_bundle or os.environ.get("SSL_CERT_FILE") or None
    context = _TLS_CONTEXTS.get(cafile)
    if context is None:
        if cafile is not None:
            context = ssl.create_default_context(cafile=cafile)
        elif os.environ.get("SSL_CERT_DIR"):
            context = ssl.create_default_context(capath=os.environ["SSL_CERT_DIR"])
        else:
            import certifi

            context = ssl.create_default_context(cafile=certifi.where())
        _TLS_CONTEXTS[cafile] = context
    return context


async def _run_check(
    check: Check,
    options: RunOptions,
    clients: _Clients,
    limit: asyncio.Semaphore,
    provider_limit: asyncio.Semaphore,
    redactor: Redactor,
    deadline: float | None,
    activity: Activity,
) -> Result:
    if check.key is None or check.key.value is None:
        if check.key is not None and check.key.optional:
            return result_without_probe(
                check, OutcomeClass.CONFIG_ERROR,
                f"skipped: {check.key.missing_message()} (the check is optional)",
                verdict=Verdict.SKIPPED)
        message = (check.key.missing_message() if check.key is not None
                   else "no api_key for this check")
        return result_without_probe(
            check, OutcomeClass.CONFIG_ERROR,
            f"{message}: export it, map the CI secret into the step's env, or mark the check "
            "`optional: true`")
    try:
        request = build_probe(check)
        client = clients.get(check.provider)
    except (OSError, ssl.SSLError, ValueError) as exc:
        return result_without_probe(check, OutcomeClass.CONFIG_ERROR,
                                    redactor(clean(f"cannot set up the probe: {exc}")))
    expected = Expected(request.kind.value, request.stream)
    timeout = options.timeout or check.timeout
    retries = options.retries if options.retries is not None else check.retries
    started = activity.started
    notes: list[str] = []
    while True:
        # The provider's slot first: a probe waiting for its provider must not hold one
        # of the global slots that probes of other providers could use.
        async with provider_limit, limit:
            activity.attempts += 1
            activity.state, activity.since = "probing", options.clock()
            answer = await _attempt(client, request, timeout)
        if answer.failure is not None:
            cls, status, message, rule, code = (answer.failure, answer.failure_status,
                                                answer.failure_message, "transport", None)
        else:
            outcome = classify(answer.status, answer.headers, answer.body, expected)
            cls, status, message, rule, code = (outcome.cls, outcome.status, outcome.message,
                                                outcome.rule, outcome.code)
        activity.last_class, activity.last_status = cls, status
        activity.last_message = clean(message, 200)
        log.debug("%s attempt %d: %s %s -> %s in %.0fms", check.id, activity.attempts,
                  request.method, request.url,
                  status if status is not None else cls.value, answer.latency_ms)
        now = options.clock()
        decision = decide(
            retryable=info(cls).retryable,
            attempt=activity.attempts,
            max_retries=retries,
            headers=answer.headers,
            message=message,
            now=now,
            deadline=deadline,
            now_epoch=time.time(),
            rng=options.rng,
            max_wait=options.max_wait,
        )
        if not decision.retry:
            if info(cls).retryable and decision.wanted is not None:
                notes.append(decision.reason)
            break
        notes.append(f"attempt {activity.attempts}: {cls.value}, retried after "
                     f"{decision.delay:.2f}s ({decision.reason})")
        activity.state, activity.since = "waiting", now
        activity.wait_for, activity.wait_reason = decision.delay, f"{cls.value}, {decision.reason}"
        if options.observer is not None:
            options.observer.waiting(activity)
        await options.sleep(decision.delay)

    return Result(
        check=check,
        cls=cls,
        verdict=verdict_for(check, cls),
        status=status,
        message=redactor(clean(message)),
        rule=rule,
        code=None if code is None else clean(code, 100),
        request_id=_request_id(answer.headers),
        attempts=activity.attempts,
        latency_ms=answer.latency_ms,
        duration_s=options.clock() - started,
        endpoint=request.url,
        limits={k: clean(v, 100) for k, v in answer.headers.items()
                if k.startswith("x-ratelimit-")},
        notes=tuple(redactor(clean(n)) for n in notes),
    )


def _request_id(headers: Mapping[str, str]) -> str | None:
    for name in REQUEST_ID_HEADERS:
        if name in headers:
            return clean(headers[name], 128) or None
    return None


async def _attempt(client: httpx.AsyncClient, request: ProbeRequest, timeout: float) -> Answer:
    began = time.perf_counter()
    try:
        # _within bounds the whole attempt: httpx's timeouts are per read, so a server that
        # trickles bytes would otherwise never time out.
        return await _within(timeout, _exchange(client, request, timeout, began))
    except (asyncio.TimeoutError, httpx.TimeoutException) as exc:
        phases: dict[type[BaseException], str] = {
            httpx.ConnectTimeout: "while connecting",
            httpx.ReadTimeout: "waiting for the answer",
            httpx.WriteTimeout: "while sending",
            httpx.PoolTimeout: "waiting for a free connection",
        }
        phase = phases.get(type(exc), "before the answer was complete")
        return _failure(OutcomeClass.TIMEOUT, f"no answer within {timeout:g}s ({phase})", began)
    except httpx.ConnectError as exc:
        return _failure(OutcomeClass.NETWORK_ERROR, _connect_reason(exc), began)
    except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
        return _failure(OutcomeClass.NETWORK_ERROR,
                        f"connection broken mid-answer: {_first_line(exc)}", began)
    except httpx.UnsupportedProtocol as exc:
        return _failure(OutcomeClass.CONFIG_ERROR, f"unsupported URL: {_first_line(exc)}", began)
    except (httpx.HTTPError, OSError, ssl.SSLError) as exc:
        return _failure(OutcomeClass.NETWORK_ERROR,
                        f"{type(exc).__name__}: {_first_line(exc)}", began)


async def _within(seconds: float, exchange: Coroutine[Any, Any, Answer]) -> Answer:
    """``exchange``, cancelled after ``seconds`` (TimeoutError). On Python 3.11+ without
    the extra task per attempt that ``wait_for`` creates."""
    if sys.version_info >= (3, 11):
        async with asyncio.timeout(seconds):
            return await exchange
    return await asyncio.wait_for(exchange, seconds)


async def _exchange(
    client: httpx.AsyncClient, request: ProbeRequest, timeout: float, began: float
) -> Answer:
    headers = request.wire_headers()
    headers["Accept-Encoding"] = ACCEPT_ENCODING
    async with client.stream(
        request.method,
        request.url,
        headers=headers,
        json=dict(request.body),
        timeout=httpx.Timeout(timeout),
    ) as response:
        answer_headers = {k.lower(): v for k, v in response.headers.items()}
        status = response.status_code
        if 300 <= status < 400:
            body = b""  # classify names the Location host; the body is not needed
        else:
            try:
                encodings = parse_encodings(answer_headers.get("content-encoding"))
            except DecodingError as exc:
                return _failure(OutcomeClass.UNEXPECTED_RESPONSE, str(exc), began, status)
            cap = SUCCESS_READ_CAP if 200 <= status < 300 and not request.stream \
                else ERROR_READ_CAP
            decoder = BoundedDecoder(encodings, cap)
            try:
                if 200 <= status < 300 and request.stream:
                    body = await _read_first_event(response, decoder)
                else:
                    body = await _read_capped(response, decoder)
            except DecodingError as exc:
                return _failure(OutcomeClass.UNEXPECTED_RESPONSE, str(exc), began, status)
        return Answer(status, answer_headers, body, (time.perf_counter() - began) * 1000)


async def _read_capped(response: httpx.Response, decoder: BoundedDecoder) -> bytes:
    """The body, decoded and capped; the rest is never read (leaving the ``stream`` block
    closes the connection)."""
    chunks: list[bytes] = []
    raw = 0
    async for chunk in response.aiter_raw():
        raw += len(chunk)
        chunks.append(decoder.feed(chunk))
        if decoder.done or raw >= RAW_READ_CAP:
            break
    return b"".join(chunks)


async def _read_first_event(response: httpx.Response, decoder: BoundedDecoder) -> bytes:
    """Read a server-sent-event stream up to its first complete ``data:`` event (or, if
    it is not an event stream, up to the cap: classify says what it is)."""
    buffer = b""
    raw = 0
    async for chunk in response.aiter_raw():
        raw += len(chunk)
        buffer += decoder.feed(chunk)
        normalized = buffer.replace(b"\r\n", b"\n")
        if b"data:" in normalized and b"\n\n" in normalized[normalized.index(b"data:"):]:
            break
        if decoder.done or raw >= RAW_READ_CAP:
            break
    return buffer


def _failure(cls: OutcomeClass, message: str, began: float, status: int | None = None) -> Answer:
    return Answer(None, {}, b"", (time.perf_counter() - began) * 1000, cls, message, status)


def _connect_reason(exc: httpx.ConnectError) -> str:
    """Name the cause: httpx's own message ("All connection attempts failed") often hides
    it in the exception chain."""
    causes: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(causes) < 8:
        causes.append(current)
        current = current.__cause__ or current.__context__
    for cause in causes:
        if isinstance(cause, ssl.SSLError):
            return f"TLS handshake failed: {_first_line(cause)}"
        if isinstance(cause, socket.gaierror):
            return f"DNS lookup failed: {_first_line(cause)}"
        if isinstance(cause, ConnectionRefusedError):
            return f"connection refused: {_first_line(cause)}"
    text = "; ".join(dict.fromkeys(_first_line(c) for c in causes))
    lowered = text.lower()
    if "certificate" in lowered or "ssl" in lowered or "tls" in lowered:
        return f"TLS handshake failed: {text}"
    if "name or service not known" in lowered or "nodename nor servname" in lowered or (
        "name resolution" in lowered or "getaddrinfo" in lowered or "no address" in lowered
    ):
        return f"DNS lookup failed: {text}"
    if "refused" in lowered:
        return f"connection refused: {text}"
    return f"cannot connect: {text}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]
