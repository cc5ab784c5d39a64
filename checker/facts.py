"""Reading a response body: what can be known from it before any rule is applied.

``read_facts(text)`` decodes what it can (JSON, an event stream, a Python repr an SDK
printed, HTML) and collects the messages and the ``code``/``type``/``param`` values,
wherever a relay nested or stringified them. Everything here is linear in the size of
the text and bounded in depth: provider text is hostile input.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from . import safejson

MAX_EXAMINED_CHARS = 64 * 1024  # every known error body fits in far less
EXCERPT_CHARS = 300


class Facts(NamedTuple):
    """What could be read from a response body."""

    shape: str  # "empty" | "json" | "sse" | "html" | "text"
    text: str  # lower-cased haystack: raw body plus every decoded message
    messages: tuple[str, ...]
    codes: frozenset[str]
    types: frozenset[str]
    params: frozenset[str]

    @property
    def message(self) -> str:
        if self.messages:
            return self.messages[0]
        return ""


_HTML = re.compile(r"<(!doctype html|html|head|body|title)\b", re.IGNORECASE)
# Neither pattern can backtrack catastrophically: a tag stops at the next "<" as well as
# at ">", and the separators of `code: x` are bounded runs, not `\s*` next to `\s+`.
_TAG = re.compile(r"<[^<>]*>")
# `code: x`, `"code": "x"`, `code x,` (one-api's flattened form), `Code:x` (Go structs)
_FIELD = re.compile(
    r"""(?<![\w])["']?(code|type|param)["']?[ \t]{0,4}(?:[:=][ \t]{0,4}|[ \t])["']?"""
    r"""([A-Za-z_][\w.\-]{0,100})""",
    re.IGNORECASE,
)
_MESSAGE = re.compile(r""""message"[ \t\r\n]{0,8}:[ \t\r\n]{0,8}"((?:[^"\\]|\\.){0,4096})""")


def read_facts(text: str) -> Facts:
    stripped = text.strip()
    if not stripped:
        return Facts("empty", "", (), frozenset(), frozenset(), frozenset())

    shape = "text"
    documents: list[object] = []
    if stripped.startswith(("data:", "event:")):
        shape = "sse"
        for line in stripped.splitlines():
            if line.startswith("data:"):
                documents.extend(_decode_documents(line[5:].strip()))
    elif _HTML.search(stripped[:2048]):
        shape = "html"
    else:
        documents = _decode_documents(stripped)
        if documents and stripped[0] in "{[":
            shape = "json"

    messages: list[str] = []
    codes: set[str] = set()
    types: set[str] = set()
    params: set[str] = set()
    extra_text: list[str] = []
    for document in documents:
        _walk(document, messages, codes, types, params, extra_text, depth=0)

    for field, value in _FIELD.findall(stripped):
        target = {"code": codes, "type": types, "param": params}[field.lower()]
        if value.lower() not in ("null", "none"):
            target.add(value.lower())
    if not messages:
        messages.extend(_unescape(m) for m in _MESSAGE.findall(stripped)[:3])

    if shape == "html":
        readable = " ".join(_TAG.sub(" ", stripped).split())
        if readable:
            messages.append(readable[:EXCERPT_CHARS])
    elif not messages and shape == "text":
        messages.append(" ".join(stripped.split()))

    haystack = "\n".join([stripped, *messages, *extra_text]).lower()
    return Facts(
        shape=shape,
        text=haystack,
        messages=tuple(m for m in messages if m),
        codes=frozenset(codes),
        types=frozenset(types),
        params=frozenset(params),
    )


def _walk(
    value: object,
    messages: list[str],
    codes: set[str],
    types: set[str],
    params: set[str],
    extra_text: list[str],
    depth: int,
) -> None:
    """Collect messages and code/type/param values from a decoded body."""
    if depth > 8:
        return
    if isinstance(value, list):
        for item in value[:20]:
            _walk(item, messages, codes, types, params, extra_text, depth + 1)
        return
    if not isinstance(value, dict):
        return
    for key, item in value.items():
        name = str(key).lower()
        if name in ("message", "msg", "detail", "error", "error_description") and isinstance(
            item, str
        ):
            messages.append(item)
        elif name == "code" and item is not None and not isinstance(item, (dict, list)):
            codes.add(str(item).lower())
        elif name == "type" and isinstance(item, str):
            types.add(item.lower())
        elif name == "param" and isinstance(item, str) and item:
            params.add(item.lower())
        elif name == "raw" and isinstance(item, str):
            # OpenRouter and other relays wrap the upstream body as a string.
            extra_text.append(item)
            for inner in _decode_documents(item):
                _walk(inner, messages, codes, types, params, extra_text, depth + 1)
        if isinstance(item, (dict, list)):
            _walk(item, messages, codes, types, params, extra_text, depth + 1)


def _decode_documents(text: str) -> list[object]:
    """JSON (or a Python repr an SDK printed) found in ``text``, outermost first. Nothing
    nested deeper than ``safejson.MAX_DEPTH`` is decoded."""
    try:
        return [safejson.loads(text)]
    except ValueError:
        pass
    start = text.find("{")
    if start < 0:
        return []
    candidate = text[start:]
    try:
        value, _ = safejson.raw_decode(candidate)
        return [value]
    except ValueError:
        pass
    end = candidate.rfind("}")
    if end < 0:
        return []
    try:
        # "Error code: 400 - {'error': {...}}" as printed by the Python SDK. literal_eval
        # only builds literals, never runs code.
        import ast  # rarely needed: not loaded at start-up

        literal = candidate[: end + 1]
        safejson.check_depth(literal.replace("(", "[").replace(")", "]"))
        return [ast.literal_eval(literal)]
    except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
        return []


def _unescape(value: str) -> str:
    try:
        return str(safejson.loads(f'"{value}"'))
    except ValueError:
        return value
