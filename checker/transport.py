"""One probe attempt over HTTP: httpx2's pooled client per provider, a bounded read, and
every way it can fail named.

* TLS is always verified. Trust: the provider's ``ca_bundle:`` if given; otherwise
  httpx2's default, which reads ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` and falls back to the
  operating system's trust store.
* Redirects are never followed (the key would go with them).
* Proxies: ``HTTPS_PROXY`` and ``NO_PROXY`` are honoured for ``https://`` providers (a TLS
  tunnel carries the key end to end); a plain ``http://`` provider is reached directly,
  never through ``HTTP_PROXY``, where the key would travel in clear text.
* The whole attempt is bounded by one timeout (httpx's timeouts are per read, so a server
  that trickles bytes would otherwise never time out), and the answer is read only as far
  as needed, decoded by checker within a cap, whatever its ``Content-Encoding`` says.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx2

from .decoding import ACCEPT_ENCODING, BoundedDecoder, DecodingError, parse_encodings
from .model import Provider
from .outcomes import OutcomeClass
from .providers import ProbeRequest

SUCCESS_READ_CAP = 4 * 1024  # enough to see that a probe succeeded; images send megabytes
ERROR_READ_CAP = 64 * 1024  # every known error body fits
# Raw bytes read for one answer, whatever its encoding says: decoding stops at the caps
# above, and this bounds the reading of data that decodes to nothing.
RAW_READ_CAP = 1024 * 1024


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


class Clients:
    """One pooled ``AsyncClient`` per provider, created on first use."""

    def __init__(self, provider_concurrency: int,
                 transport: httpx2.AsyncBaseTransport | None = None) -> None:
        self.provider_concurrency = provider_concurrency
        self.transport = transport  # for tests; None = the network
        self.clients: dict[str, httpx2.AsyncClient] = {}

    def get(self, provider: Provider) -> httpx2.AsyncClient:
        client = self.clients.get(provider.name)
        if client is None:
            connections = provider.concurrency or self.provider_concurrency
            https = provider.base_url.startswith("https:")
            client = httpx2.AsyncClient(
                verify=_trust(provider, https),
                follow_redirects=False,  # never carry the key to another host
                limits=httpx2.Limits(max_connections=connections,
                                     max_keepalive_connections=connections),
                transport=self.transport,
                # Environment proxies (and SSL_CERT_FILE) only for https: a plain-http
                # provider is never reached through HTTP_PROXY.
                trust_env=https,
            )
            self.clients[provider.name] = client
        return client

    async def close(self) -> None:
        await asyncio.gather(*(c.aclose() for c in self.clients.values()),
                             return_exceptions=True)


_CONTEXTS: dict[tuple[str | None, bool], ssl.SSLContext] = {}


def _trust(provider: Provider, trust_env: bool) -> ssl.SSLContext:
    """The verified TLS context for ``provider``: its ``ca_bundle:``, else httpx2's
    default (``SSL_CERT_FILE``/``SSL_CERT_DIR``, then the system store). Loading a store
    costs tens of milliseconds, so each is loaded once per process and shared."""
    key = (provider.ca_bundle, trust_env)
    context = _CONTEXTS.get(key)
    if context is None:
        if provider.ca_bundle:
            context = ssl.create_default_context(cafile=provider.ca_bundle)
        else:
            context = httpx2.create_ssl_context(verify=True, trust_env=trust_env)
        _CONTEXTS[key] = context
    return context


async def attempt(client: httpx2.AsyncClient, request: ProbeRequest, timeout: float) -> Answer:
    """Send ``request`` once and read the answer, within ``timeout`` seconds in all."""
    began = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            return await _exchange(client, request, timeout, began)
    except (TimeoutError, httpx2.TimeoutException) as exc:
        phases: dict[type[BaseException], str] = {
            httpx2.ConnectTimeout: "while connecting",
            httpx2.ReadTimeout: "waiting for the answer",
            httpx2.WriteTimeout: "while sending",
            httpx2.PoolTimeout: "waiting for a free connection",
        }
        phase = phases.get(type(exc), "before the answer was complete")
        return _failure(OutcomeClass.TIMEOUT, f"no answer within {timeout:g}s ({phase})", began)
    except httpx2.ConnectError as exc:
        return _failure(OutcomeClass.NETWORK_ERROR, _connect_reason(exc), began)
    except (httpx2.RemoteProtocolError, httpx2.ReadError, httpx2.WriteError) as exc:
        return _failure(OutcomeClass.NETWORK_ERROR,
                        f"connection broken mid-answer: {_first_line(exc)}", began)
    except httpx2.UnsupportedProtocol as exc:
        return _failure(OutcomeClass.CONFIG_ERROR, f"unsupported URL: {_first_line(exc)}", began)
    except (httpx2.HTTPError, OSError, ssl.SSLError) as exc:
        return _failure(OutcomeClass.NETWORK_ERROR,
                        f"{type(exc).__name__}: {_first_line(exc)}", began)


async def _exchange(client: httpx2.AsyncClient, request: ProbeRequest, timeout: float,
                    began: float) -> Answer:
    headers = request.wire_headers()
    headers["Accept-Encoding"] = ACCEPT_ENCODING
    payload: dict[str, Any] = ({"content": request.content} if request.content is not None
                               else {"json": dict(request.body)})
    async with client.stream(request.method, request.url, headers=headers,
                             timeout=httpx2.Timeout(timeout), **payload) as response:
        answer_headers = {k.lower(): v for k, v in response.headers.items()}
        status = response.status_code
        if 300 <= status < 400:
            body = b""  # classify names the Location host; the body is not needed
        else:
            try:
                encodings = parse_encodings(answer_headers.get("content-encoding"))
                stream = 200 <= status < 300 and request.stream
                cap = SUCCESS_READ_CAP if 200 <= status < 300 and not stream else ERROR_READ_CAP
                decoder = BoundedDecoder(encodings, cap)
                complete = (_never if not stream
                            else _has_first_message if request.stream_format == "aws-eventstream"
                            else _has_first_event)
                body = await _read(response, decoder, complete)
            except DecodingError as exc:
                return _failure(OutcomeClass.UNEXPECTED_RESPONSE, str(exc), began, status)
        return Answer(status, answer_headers, body, (time.perf_counter() - began) * 1000)


async def _read(response: httpx2.Response, decoder: BoundedDecoder,
                complete: Callable[[bytearray], bool]) -> bytes:
    """The body, decoded, up to where ``complete`` says it has what it needs, or up to the
    cap; the rest is never read (leaving the ``stream`` block closes the connection)."""
    buffer = bytearray()
    raw = 0
    async for chunk in response.aiter_raw():
        raw += len(chunk)
        buffer += decoder.feed(chunk)
        if complete(buffer) or decoder.done or raw >= RAW_READ_CAP:
            break
    return bytes(buffer)


def _never(body: bytearray) -> bool:
    return False


def _has_first_event(body: bytearray) -> bool:
    """A server-sent-event stream's first complete ``data:`` event (if it is not an event
    stream, the cap ends the read: classify says what it is)."""
    normalized = body.replace(b"\r\n", b"\n")
    return b"data:" in normalized and b"\n\n" in normalized[normalized.index(b"data:"):]


def _has_first_message(body: bytearray) -> bool:
    """An AWS event stream's first message: its prelude's first four bytes are the message's
    total length (the kind decodes and checks the message with the vendor's library)."""
    return len(body) >= 4 and len(body) >= int.from_bytes(body[:4], "big")


def _failure(cls: OutcomeClass, message: str, began: float, status: int | None = None) -> Answer:
    return Answer(None, {}, b"", (time.perf_counter() - began) * 1000, cls, message, status)


def _connect_reason(exc: httpx2.ConnectError) -> str:
    """Name the cause: the client's own message ("All connection attempts failed") often
    hides it in the exception chain."""
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
