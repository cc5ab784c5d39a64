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

from .classify import classify
from .config import Check, Provider
from .outcomes import OutcomeClass, info
from .probes import ProbeRequest, build_probe
from .results import Result, result_without_probe, verdict_for
from .retry import decide
from .secrets import Redactor

SUCCESS_READ_CAP = 4 * 1024  # enough to see that a probe succeeded; images send megabytes
ERROR_READ_CAP = 64 * 1024  # every known error body fits
REQUEST_ID_HEADERS = ("x-request-id", "apim-request-id", "request-id", "x-ms-request-id")

log = logging.getLogger("checker")

Sleep = Callable[[float], Coroutine[Any, Any, None]]


@dataclass
class RunOptions:
    concurrency: int = 8
    provider_concurrency: int = 4
    deadline: float | None = None  # seconds for the whole run
    timeout: float | None = None  # overrides every check's per-attempt timeout
    retries: int | None = None  # overrides every check's retries
    clock: Callable[[], float] = time.monotonic
    sleep: Sleep = asyncio.sleep
    rng: random.Random = field(default_factory=random.Random)
    # A transport for tests (e.g. respx); None = real network.
    transport: httpx.AsyncBaseTransport | None = None


@dataclass(frozen=True)
class Answer:
    """What came back from one attempt, before classification."""

    status: int | None
    headers: Mapping[str, str]
    body: bytes
    latency_ms: float
    failure: OutcomeClass | None = None  # set when no HTTP answer arrived
    failure_message: str = ""


ResultCallback = Callable[[Result], None]


async def run_checks(
    checks: Sequence[Check],
    options: RunOptions,
    redactor: Redactor,
    stop: asyncio.Event | None = None,
    on_result: ResultCallback | None = None,
) -> tuple[list[Result], str | None]:
    """Run every check. Returns results in ``checks`` order and why the run stopped early
    (``"deadline"``, or the reason set on ``stop``), if it did. Unfinished checks are
    reported as ``interrupted``, never dropped."""
    started = options.clock()
    deadline = started + options.deadline if options.deadline is not None else None
    limit = asyncio.Semaphore(options.concurrency)
    clients = _Clients(options)
    provider_limits: dict[str, asyncio.Semaphore] = {}
    results: dict[int, Result] = {}

    async def one(index: int, check: Check) -> None:
        semaphore = provider_limits.setdefault(
            check.provider.name,
            asyncio.Semaphore(check.provider.concurrency or options.provider_concurrency),
        )
        try:
            result = await _run_check(check, options, clients, limit, semaphore, redactor,
                                      deadline)
        except Exception as exc:  # a bug in checker must not lose the other results
            result = result_without_probe(
                check, OutcomeClass.UNKNOWN,
                redactor(f"checker internal error: {type(exc).__name__}: {exc}"),
            )
        results[index] = result
        if on_result is not None:
            on_result(result)

    tasks = [asyncio.ensure_future(one(i, check)) for i, check in enumerate(checks)]
    stopped: str | None = None
    try:
        stopped = await _wait(tasks, options, deadline, stop)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await clients.close()

    ordered: list[Result] = []
    for index, check in enumerate(checks):
        if index in results:
            ordered.append(results[index])
            continue
        why = {
            "deadline": f"not finished within the run deadline ({options.deadline:g}s)"
            if options.deadline is not None else "not finished",
        }.get(stopped or "", f"not finished: the run was interrupted ({stopped})")
        ordered.append(result_without_probe(check, OutcomeClass.INTERRUPTED, why))
    return ordered, stopped


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
            lean = transport is None and not self.proxied
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
                trust_env=True,
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
) -> Result:
    if check.key is None or check.key.value is None:
        missing = ", ".join(check.key.missing) if check.key else "api_key"
        return result_without_probe(
            check, OutcomeClass.CONFIG_ERROR,
            f"environment variable {missing} is not set (export it, or use a CI secret)",
        )
    try:
        request = build_probe(check)
        client = clients.get(check.provider)
    except (OSError, ssl.SSLError, ValueError) as exc:
        return result_without_probe(check, OutcomeClass.CONFIG_ERROR,
                                    redactor(f"cannot set up the probe: {exc}"))
    timeout = options.timeout or check.timeout
    retries = options.retries if options.retries is not None else check.retries
    started = options.clock()
    notes: list[str] = []
    attempt = 0
    while True:
        attempt += 1
        # The provider's slot first: a probe waiting for its provider must not hold one
        # of the global slots that probes of other providers could use.
        async with provider_limit, limit:
            answer = await _attempt(client, request, timeout)
        if answer.failure is not None:
            cls, status, message, rule, code = (answer.failure, None, answer.failure_message,
                                                "transport", None)
        else:
            outcome = classify(answer.status, answer.headers, answer.body)
            cls, status, message, rule, code = (outcome.cls, outcome.status, outcome.message,
                                                outcome.rule, outcome.code)
        log.debug("%s attempt %d: %s %s -> %s in %.0fms", check.id, attempt, request.method,
                  request.url, status if status is not None else cls.value, answer.latency_ms)
        decision = decide(
            retryable=info(cls).retryable,
            attempt=attempt,
            max_retries=retries,
            headers=answer.headers,
            message=message,
            now=options.clock(),
            deadline=deadline,
            now_epoch=time.time(),
            rng=options.rng,
        )
        if not decision.retry:
            if info(cls).retryable and "deadline" in decision.reason:
                notes.append(decision.reason)
            break
        notes.append(f"attempt {attempt}: {cls.value}, retried after {decision.delay:.2f}s "
                     f"({decision.reason})")
        await options.sleep(decision.delay)

    return Result(
        check=check,
        cls=cls,
        verdict=verdict_for(check, cls),
        status=status,
        message=redactor(message),
        rule=rule,
        code=code,
        request_id=_request_id(answer.headers),
        attempts=attempt,
        latency_ms=answer.latency_ms,
        duration_s=options.clock() - started,
        endpoint=request.url,
        limits={k: v for k, v in answer.headers.items() if k.startswith("x-ratelimit-")},
        notes=tuple(redactor(n) for n in notes),
    )


def _request_id(headers: Mapping[str, str]) -> str | None:
    for name in REQUEST_ID_HEADERS:
        if name in headers:
            return headers[name][:128]
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
    async with client.stream(
        request.method,
        request.url,
        headers=request.wire_headers(),
        json=dict(request.body),
        timeout=httpx.Timeout(timeout),
    ) as response:
        headers = {k.lower(): v for k, v in response.headers.items()}
        if 200 <= response.status_code < 300:
            if request.stream:
                body = await _read_first_event(response)
            else:
                body = await _read_capped(response, SUCCESS_READ_CAP)
        elif 300 <= response.status_code < 400:
            body = b""  # classify names the Location host; the body is not needed
        else:
            body = await _read_capped(response, ERROR_READ_CAP)
        return Answer(response.status_code, headers, body,
                      (time.perf_counter() - began) * 1000)


async def _read_capped(response: httpx.Response, cap: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= cap:
            break  # leaving the `stream` block closes the connection; the rest is not read
    return b"".join(chunks)[:cap]


async def _read_first_event(response: httpx.Response) -> bytes:
    """Read a server-sent-event stream up to its first complete ``data:`` event."""
    buffer = b""
    async for chunk in response.aiter_bytes():
        buffer += chunk
        normalized = buffer.replace(b"\r\n", b"\n")
        if b"data:" in normalized and b"\n\n" in normalized[normalized.index(b"data:"):]:
            break
        if len(buffer) >= ERROR_READ_CAP:
            break
    return buffer


def _failure(cls: OutcomeClass, message: str, began: float) -> Answer:
    return Answer(None, {}, b"", (time.perf_counter() - began) * 1000, cls, message)


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
