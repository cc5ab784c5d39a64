"""Reading a response body: what can be known from it before any rule is applied.

``read_facts(text, headers)`` decodes what it can (JSON, an event stream, a Python repr an
SDK printed, HTML) and collects the messages and the structured evidence, wherever a relay
nested or stringified it:

* ``code``/``type``/``param`` values (OpenAI and most relays, Anthropic's ``error.type``);
* Google's canonical status names (``"status": "PERMISSION_DENIED"``, ``[400
  FAILED_PRECONDITION]``, ``RESOURCE_EXHAUSTED: …``) and ErrorInfo ``reason`` values
  (``API_KEY_INVALID``, ``CONSUMER_SUSPENDED``);
* error names ending in ``Exception``: AWS ``__type``, the ``x-amzn-ErrorType`` header,
  ``An error occurred (AccessDeniedException)`` as boto prints it;
* which Google quota was exceeded (``quota_limits``): a per-day or per-minute window read
  from QuotaFailure ``quotaId`` values, ``quota_limit``/``quota_metric`` metadata and the
  "Quota exceeded for …" sentence, and a limit of zero.

Everything here is linear in the size of the text and bounded in depth: provider text is
hostile input.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple

from . import safejson

MAX_EXAMINED_CHARS = 64 * 1024  # every known error body fits in far less
EXCERPT_CHARS = 300


class Facts(NamedTuple):
    """What could be read from a response body."""

    shape: str  # "empty" | "json" | "sse" | "html" | "text"
    text: str  # lower-cased haystack: raw body plus every decoded message, quotes straightened
    messages: tuple[str, ...]
    codes: frozenset[str]
    types: frozenset[str]
    params: frozenset[str]
    rpc_statuses: frozenset[str] = frozenset()  # Google canonical names, upper case
    reasons: frozenset[str] = frozenset()  # Google ErrorInfo reasons, upper case
    exceptions: frozenset[str] = frozenset()  # "accessdeniedexception", lower case
    quota_limits: frozenset[str] = frozenset()  # Google quotas exceeded: "day", "minute", "zero"

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
# Google's canonical status names as they appear in prints of a body, a gRPC error or an
# SDK's "[400 FAILED_PRECONDITION]". Only names that cannot be an ordinary upper-case word.
RPC_STATUSES = frozenset({
    "INVALID_ARGUMENT", "FAILED_PRECONDITION", "OUT_OF_RANGE", "UNAUTHENTICATED",
    "PERMISSION_DENIED", "NOT_FOUND", "ALREADY_EXISTS", "RESOURCE_EXHAUSTED",
    "DEADLINE_EXCEEDED", "UNAVAILABLE", "INTERNAL", "UNIMPLEMENTED", "ABORTED", "CANCELLED",
    "DATA_LOSS", "UNKNOWN",
})
_RPC_IN_TEXT = re.compile(
    r"\b(INVALID_ARGUMENT|FAILED_PRECONDITION|OUT_OF_RANGE|UNAUTHENTICATED|PERMISSION_DENIED"
    r"|NOT_FOUND|RESOURCE_EXHAUSTED|DEADLINE_EXCEEDED|UNAVAILABLE)\b"
)
# gRPC's numeric status as its C core prints it (`debug_error_string = "… grpc_status:7 …"`,
# a `grpc-status: 14` trailer): the same evidence as the name.
_GRPC_CODE_IN_TEXT = re.compile(r"""\bgrpc[_-]status\\?["']?[ \t]{0,4}[:=][ \t]{0,4}(\d{1,2})\b""")
_GRPC_CODE_NAMES = {
    "3": "INVALID_ARGUMENT", "4": "DEADLINE_EXCEEDED", "5": "NOT_FOUND",
    "7": "PERMISSION_DENIED", "8": "RESOURCE_EXHAUSTED", "9": "FAILED_PRECONDITION",
    "11": "OUT_OF_RANGE", "12": "UNIMPLEMENTED", "13": "INTERNAL", "14": "UNAVAILABLE",
    "16": "UNAUTHENTICATED",
}
# google-api-core's exception classes, one per canonical status, as Python prints them
# ("google.api_core.exceptions.InvalidArgument: 400 …"): the same evidence as the name.
_API_CORE_IN_TEXT = re.compile(
    r"\bexceptions\.(InvalidArgument|FailedPrecondition|OutOfRange|Unauthenticated"
    r"|PermissionDenied|NotFound|ResourceExhausted|DeadlineExceeded|ServiceUnavailable"
    r"|InternalServerError)\b")
_API_CORE_NAMES = {
    "InvalidArgument": "INVALID_ARGUMENT", "FailedPrecondition": "FAILED_PRECONDITION",
    "OutOfRange": "OUT_OF_RANGE", "Unauthenticated": "UNAUTHENTICATED",
    "PermissionDenied": "PERMISSION_DENIED", "NotFound": "NOT_FOUND",
    "ResourceExhausted": "RESOURCE_EXHAUSTED", "DeadlineExceeded": "DEADLINE_EXCEEDED",
    "ServiceUnavailable": "UNAVAILABLE", "InternalServerError": "INTERNAL",
}
# ErrorInfo: {"reason": "API_KEY_INVALID"}, JSON-escaped inside a relay's string, or as
# the gRPC client prints it: [reason: "API_KEY_INVALID" domain: …]
_REASON_IN_TEXT = re.compile(
    r"""\breason\\?["']?[ \t]{0,4}:[ \t]{0,4}\\?["']([A-Z][A-Z0-9_]{2,60})\\?["']"""
)
# AccessDeniedException, botocore.errorfactory.ThrottlingException, throttlingException
_EXCEPTION_IN_TEXT = re.compile(r"\b([A-Za-z][A-Za-z]{1,60}Exception)\b")
# Google's quota evidence: QuotaFailure `quotaId`/`quotaMetric` and ErrorInfo metadata
# `quota_limit`/`quota_metric` values (in JSON, JSON-escaped or as gRPC prints them), the
# sentence "Quota exceeded for quota metric '…' and limit '…'" / "for metric: …, limit: 0" /
# "for aiplatform…/…_per_minute_…", and a `quota_limit_value` of "0".
_QUOTA_NAME = re.compile(
    r"""quota_?(?:id|limit|metric)\\?["']?[ \t]{0,4}:[ \t]{0,4}\\?["']([A-Za-z][\w./ -]{2,160})"""
    r"""|quota exceeded for (?:quota )?metric:? '?([^',\n]{1,200})'?"""
    r"""(?:,? and limit '([^'\n]{1,200})'|, limit: (\d{1,12}))?"""
    r"""|quota exceeded for ([\w./-]{1,200})""",
    re.IGNORECASE,
)
_QUOTA_LIMIT_ZERO = re.compile(
    r"""quota_limit_value\\?["'][ \t\r\n]{0,8}(?:value)?:[ \t]{0,4}\\?["']0\\?["']""",
    re.IGNORECASE,
)
_MAX_NAMES = 16  # of each kind: a real body names one or two
_MAX_EMBEDDED = 8  # `{…}` tried inside one text: an SDK's print holds one or two
_BRACE_OR_QUOTE = re.compile(r"""[{}"'\\]""")
_SPACES = re.compile(r"[ \t]{2,}")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


class _Found:
    """What the walk over decoded documents collects (private, mutable while reading)."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.extra_text: list[str] = []
        self.codes: set[str] = set()
        self.types: set[str] = set()
        self.params: set[str] = set()
        self.rpc_statuses: set[str] = set()
        self.reasons: set[str] = set()
        self.exceptions: set[str] = set()
        self.quota_limits: set[str] = set()


def read_facts(text: str, headers: Mapping[str, str] | None = None) -> Facts:
    stripped = text.strip()
    found = _Found()
    for name, value in (headers or {}).items():
        if name.lower() == "x-amzn-errortype":  # "AccessDeniedException:http://internal…"
            found.exceptions.add(_exception_name(value))
    if not stripped:
        return Facts("empty", "", (), frozenset(), frozenset(), frozenset(),
                     exceptions=frozenset(found.exceptions - {""}))

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

    for document in documents:
        _walk(document, found, depth=0)

    for field, value in _FIELD.findall(stripped):
        target = {"code": found.codes, "type": found.types, "param": found.params}[field.lower()]
        if value.lower() not in ("null", "none"):
            target.add(value.lower())
    _collect_names(stripped, found)
    messages = found.messages
    if not messages:
        messages.extend(_unescape(m) for m in _MESSAGE.findall(stripped)[:3])

    raw: list[str] = [stripped]
    if shape == "html":
        readable = " ".join(_TAG.sub(" ", stripped).split())
        if readable:
            messages.append(readable[:EXCERPT_CHARS])
    elif not messages and shape == "text":
        # Plain text is its own message, with line breaks and runs of spaces made single
        # spaces so that a phrase a terminal wrapped still matches; the haystack needs it once.
        messages.append(" ".join(stripped.split()))
        raw = []

    # A message's own line breaks are a client's or a log's wrapping ("has been\ndisabled"):
    # in the haystack each message is one line, so a phrase matches across them.
    flat_messages = (" ".join(message.split()) for message in messages)
    haystack = "\n".join([*raw, *flat_messages, *found.extra_text]).lower().translate(_QUOTES)
    # A terminal or a log pads and wraps words ("has been     disabled"): phrases match
    # across any run of spaces.
    haystack = _SPACES.sub(" ", haystack)
    return Facts(
        shape=shape,
        text=haystack,
        messages=tuple(m for m in messages if m),
        codes=frozenset(found.codes),
        types=frozenset(found.types),
        params=frozenset(found.params),
        rpc_statuses=frozenset(found.rpc_statuses),
        reasons=frozenset(found.reasons),
        exceptions=frozenset(found.exceptions - {""}),
        quota_limits=frozenset(found.quota_limits),
    )


def _collect_names(text: str, found: _Found) -> None:
    """Status names, reasons and exception names printed anywhere in the text (a relay or
    an SDK may have flattened the document they came from)."""
    for pattern, target in ((_RPC_IN_TEXT, found.rpc_statuses),
                            (_REASON_IN_TEXT, found.reasons)):
        for match in pattern.finditer(text):
            target.add(match.group(1))
            if len(target) >= _MAX_NAMES:
                break
    # Other spellings of the same status names: gRPC's number, google-api-core's class.
    for pattern, status_names in ((_GRPC_CODE_IN_TEXT, _GRPC_CODE_NAMES),
                                  (_API_CORE_IN_TEXT, _API_CORE_NAMES)):
        for match in pattern.finditer(text):
            if len(found.rpc_statuses) >= _MAX_NAMES:
                break
            name = status_names.get(match.group(1))
            if name is not None:
                found.rpc_statuses.add(name)
    for match in _EXCEPTION_IN_TEXT.finditer(text):
        found.exceptions.add(match.group(1).lower())
        if len(found.exceptions) >= _MAX_NAMES:
            break
    for count, match in enumerate(_QUOTA_NAME.finditer(text)):
        if count >= _MAX_NAMES:
            break
        *names, limit, bare = match.groups()
        for name in (*names, bare):
            if name:
                found.quota_limits.update(_quota_windows(name))
        if limit == "0":
            found.quota_limits.add("zero")
    if _QUOTA_LIMIT_ZERO.search(text):
        found.quota_limits.add("zero")


def _quota_windows(name: str) -> set[str]:
    """The window a Google quota's id or name says: `GenerateRequestsPerDayPerProjectPerModel`,
    "requests per day per user", `…_requests_per_minute_per_project`."""
    squeezed = re.sub(r"[\s_-]", "", name.lower())[:200]
    return {window for window in ("day", "minute") if "per" + window in squeezed}


def _exception_name(value: str) -> str:
    """AWS error type: ``com.amazon.coral.validate#ValidationException`` or
    ``AccessDeniedException:http://internal.amazon.com/…`` -> ``validationexception``."""
    return value.split(":", 1)[0].rsplit("#", 1)[-1].strip().lower()[:80]


def _walk(value: object, found: _Found, depth: int) -> None:
    """Collect messages and structured evidence from a decoded body."""
    if depth > 8:
        return
    if isinstance(value, list):
        for item in value[:20]:
            _walk(item, found, depth + 1)
        return
    if not isinstance(value, dict):
        return
    for key, item in value.items():
        name = str(key).lower()
        if name in ("message", "msg", "detail", "error", "error_description") and isinstance(
            item, str
        ):
            # Google's JS SDK and some relays put the upstream body, as JSON text, where
            # the message belongs: read the body instead of quoting it.
            inner = _decode_documents(item) if item.lstrip().startswith("{") else []
            if inner:
                found.extra_text.append(item)
                for document in inner:
                    _walk(document, found, depth + 1)
            else:
                found.messages.append(item)
        elif name == "code" and item is not None and not isinstance(item, (dict, list)):
            found.codes.add(str(item).lower())
        elif name == "type" and isinstance(item, str):
            found.types.add(item.lower())
        elif name == "param" and isinstance(item, str) and item:
            found.params.add(item.lower())
        elif name == "status" and isinstance(item, str) and item in RPC_STATUSES:
            found.rpc_statuses.add(item)
        elif name == "reason" and isinstance(item, str) and item.isupper():
            found.reasons.add(item[:80])
        elif name == "__type" and isinstance(item, str):
            found.exceptions.add(_exception_name(item))
        elif name == "raw" and isinstance(item, str):
            # OpenRouter and other relays wrap the upstream body as a string.
            found.extra_text.append(item)
            for document in _decode_documents(item):
                _walk(document, found, depth + 1)
        if isinstance(item, (dict, list)):
            _walk(item, found, depth + 1)


def _decode_documents(text: str) -> list[object]:
    """JSON (or a Python repr an SDK printed) found in ``text``, in order: the whole text,
    else each balanced ``{…}`` in it (a traceback quotes the request before the SDK prints
    the error body). Nothing nested deeper than ``safejson.MAX_DEPTH`` is decoded."""
    try:
        return [safejson.loads(text)]
    except ValueError:
        pass
    documents: list[object] = []
    position = 0
    for _ in range(_MAX_EMBEDDED):
        start = text.find("{", position)
        if start < 0:
            break
        end = _closing_brace(text, start)
        if end < 0:
            break  # nothing after this point closes: no more documents
        document = _decode_one(text[start:end])
        if document is None:
            position = start + 1
        else:
            documents.append(document)
            position = end
    return documents


def _closing_brace(text: str, start: int) -> int:
    """The index after the ``}`` that closes the ``{`` at ``start``, or -1. Strings in
    either quote are skipped; one linear pass over the special characters."""
    depth = 0
    quote = ""
    escaped_at = -1
    for match in _BRACE_OR_QUOTE.finditer(text, start):
        char, at = match.group(), match.start()
        if quote:
            if char == "\\" and escaped_at != at:
                escaped_at = at + 1
            elif char == quote and escaped_at != at:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return at + 1
    return -1


def _decode_one(snippet: str) -> object | None:
    try:
        decoded: object = safejson.loads(snippet)
        return decoded
    except ValueError:
        pass
    try:
        # "Error code: 400 - {'error': {...}}" as printed by the Python SDK. literal_eval
        # only builds literals, never runs code.
        import ast  # rarely needed: not loaded at start-up

        safejson.check_depth(snippet.replace("(", "[").replace(")", "]"))
        value: object = ast.literal_eval(snippet)
        return value
    except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
        return None


def _unescape(value: str) -> str:
    try:
        return str(safejson.loads(f'"{value}"'))
    except ValueError:
        return value
