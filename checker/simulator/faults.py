"""Faults the simulator injects whatever the provider kind: redirects, HTML pages, broken
and endless bodies, stalls, resets, compression bombs and hostile text."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from importlib import resources
from urllib.parse import quote

from ..providers.base import Reply, SimRequest


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


def _endless() -> Iterator[bytes]:
    yield b'{"created": 1, "data": [{"b64_json": "'
    chunk = b"A" * 65536
    while True:
        yield chunk


def _stalled() -> Iterator[bytes]:
    time.sleep(600)
    yield b": still here\n\n"


def _json(status: int, payload: object, **headers: str) -> Reply:
    return Reply(status, json.dumps(payload).encode(), dict(headers))


def _echo_key(request: SimRequest) -> Reply:
    key = request.key
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


def _escapes(request: SimRequest) -> Reply:
    message = ("Incorrect API key \x1b[31mprovided\x1b[0m \x1b]8;;https://evil.test\x07click"
               "\x1b]8;;\x07 \u202egnp.exe\u202c \u200bzero\u200bwidth \x9b31mc1\n"
               "::error title=pwned::injected\n##[error]legacy")
    return _json(401, {"error": {"message": message, "type": "invalid_request_error",
                                 "param": None, "code": "invalid_api_key"}},
                 **{"x-request-id": "req_\x1b[2J\x1b[31mred\x1b]0;title\x07"})


FAULTS: dict[str, Callable[[SimRequest], Reply]] = {
    "redirect": lambda r: Reply(307, b"", {"location": "https://login.example.net/sso"}),
    "html": lambda r: Reply(502, b"<html>\r\n<head><title>502 Bad Gateway</title></head>"
                                 b"\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>"
                                 b"\r\n<hr><center>cloudflare</center>\r\n</body>\r\n"
                                 b"</html>\r\n", content_type="text/html"),
    "html-200": lambda r: Reply(200, b"<!DOCTYPE html><html><head><title>Sign in</title>"
                                     b"</head><body><form>Sign in</form></body></html>",
                                content_type="text/html"),
    "empty-200": lambda r: Reply(200, b""),
    "truncated": lambda r: Reply(200, b'{"id": "chatcmpl-sim", "obj'),
    "reset": lambda r: Reply(200, b'{"id": "chatcmpl-sim", "object": "chat.completion", '
                                  + b" " * 4096, reset_after=40),
    "stall-body": lambda r: Reply(200, b'{"id": "chatcmpl-sim", "object": "chat.completion"'
                                       b', "choices": []}', reset_after=10, stall=600),
    "endless": lambda r: Reply(200, _endless(), content_type="application/json"),
    "stall-stream": lambda r: Reply(200, _stalled(), content_type="text/event-stream"),
    "echo-key": _echo_key,
    "gzip-bomb": lambda r: Reply(200, _gzip_bomb(), {"content-encoding": "gzip, gzip"}),
    "escapes": _escapes,
    "deep-json": lambda r: Reply(400, b'{"error": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"),
    "backtrack": lambda r: Reply(400, _backtrack_bait()),
}


def invalid_route(method: str, path: str) -> Reply:
    """An address no kind serves (OpenAI's own answer for an unknown path)."""
    return _json(404, {"error": {"message": f"Invalid URL ({method} {path})",
                                 "type": "invalid_request_error", "param": None,
                                 "code": None}})
