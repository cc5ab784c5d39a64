"""Turn a provider's answer into an outcome class.

``classify(status, headers, body, expected, dialect)`` is pure. It reads what it can from
the body (``facts.read_facts``), then walks the provider kind's own rules and the shared
table (``rules.RULES``) top to bottom and takes the first rule whose conditions all hold.
A 2xx is ``ok`` only when it has the shape of a successful answer of the endpoint that
was asked (``Expected``): an event stream for a streaming probe, a chat completion for a
chat probe. The default dialect is the OpenAI wire format, spoken also by relays,
gateways, Azure and local servers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import NamedTuple
from urllib.parse import urlsplit

from . import safejson
from .facts import EXCERPT_CHARS, MAX_EXAMINED_CHARS, Facts, read_facts
from .outcomes import OutcomeClass, info
from .rules import CLIENT_RULES, RULES, Rule
from .sanitize import clean
from .shapes import ANY_SUCCESS, Expected, SuccessShape

C = OutcomeClass


class Outcome(NamedTuple):
    cls: OutcomeClass
    status: int | None
    message: str  # short human-readable excerpt (not yet redacted: the caller redacts)
    rule: str  # the RULES row (or built-in check) that decided
    code: str | None = None

    @property
    def retryable(self) -> bool:
        return info(self.cls).retryable


class Dialect(NamedTuple):
    """How one kind of provider answers: what its successful answers look like, and the
    rules for its own error format, tried before the shared table. ``fallback_rules`` are
    tried after it: the other kinds' rules, because relays and gateways pass a vendor's
    body on inside their own (``providers.dialect_of`` assembles them). The default is the
    OpenAI wire format, which relays, gateways and local servers speak too."""

    name: str
    success: Callable[[str], SuccessShape | None]
    rules: tuple[Rule, ...] = ()
    fallback_rules: tuple[Rule, ...] = ()


def classify(status: int | None, headers: Mapping[str, str], body: str | bytes,
             expected: Expected = ANY_SUCCESS, dialect: Dialect | None = None) -> Outcome:
    """Classify one HTTP answer. ``status`` is None when unknown (a pasted body).

    Linear in the size of ``body``: only its first ``MAX_EXAMINED_CHARS`` are read, and
    every pattern applied to them is free of catastrophic backtracking."""
    dialect = dialect or OPENAI_DIALECT
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = text[:MAX_EXAMINED_CHARS]

    if status is not None and 300 <= status < 400:
        return Outcome(C.UNEXPECTED_RESPONSE, status, _redirect_message(headers), "redirect")

    if status is not None and 200 <= status < 300:
        shape = dialect.success(text)
        if shape is not None:
            wrong = _wrong_shape(shape, expected)
            if wrong is None:
                return Outcome(C.OK, status, "", f"2xx-{shape.format}")
            return Outcome(C.UNEXPECTED_RESPONSE, status, wrong, "2xx-wrong-shape")

    facts = read_facts(text, headers)
    code = _first(facts.codes)
    for rule in (*dialect.rules, *RULES, *dialect.fallback_rules):
        if rule.matches(status, facts):
            return Outcome(rule.cls, status, _excerpt_for(rule, facts, text), rule.name, code)
    excerpt = _excerpt(facts, text)
    if status is not None and 200 <= status < 300:
        # A 2xx that is neither a known success nor a known error: an empty body, a
        # truncated or foreign JSON document, a proxy's page.
        return Outcome(C.UNEXPECTED_RESPONSE, status, excerpt or "empty body", f"2xx-{facts.shape}")
    if not excerpt and status is not None:
        excerpt = f"the body says nothing: a {status} alone proves nothing"
    return Outcome(C.UNKNOWN, status, excerpt, "no-rule", code)


def classify_client_text(text: str) -> Outcome | None:
    """What a client printed when no HTTP answer arrived (an SDK's "Request timed out",
    ECONNREFUSED, CERTIFICATE_VERIFY_FAILED, "Unexpected token '<'"), or None when the text
    is not such a print. A JSON or HTML document is an answer, never a client's print, unless
    it is a client's error serialised as JSON (a `stack`, `syscall` or `errno` member, a Node
    error code, or a JavaScript stack frame in a string: axios', node-fetch's and undici's
    errors, a CLI's error log).
    A client print that says an answer came back (a row deciding `unknown`) gives None too."""
    text = text[:MAX_EXAMINED_CHARS]
    facts = read_facts(text)
    if facts.shape != "text" and not (facts.shape == "json" and _SERIALISED_ERROR.search(text)):
        return None
    for rule in CLIENT_RULES:
        if rule.matches(None, facts):
            if rule.cls is C.UNKNOWN:
                return None
            return Outcome(rule.cls, None, _excerpt_for(rule, facts, text), rule.name)
    return None


# What only a client's own error has when it is written out as JSON: Node's `stack`,
# `syscall` and `errno` members, a `code` that is a Node error code (`ETIMEDOUT`, undici's
# `UND_ERR_CONNECT_TIMEOUT`, `ERR_NETWORK`: also inside an error's `cause`), urllib3's
# "Max retries exceeded with url" (an app that passes its client's error on), or a JavaScript
# stack frame ("\n    at fn (file:1:2)") JSON-escaped in a string. A provider's error body
# rarely has one, and in `diagnose` an answer's own reading still wins over a client reading
# unless it says nothing.
_SERIALISED_ERROR = re.compile(
    r"""["'](?:stack|syscall|errno)["'][ \t]{0,4}:|\\n[ \t]{1,8}at [^\s(]{1,200} \("""
    r"""|["']code["'][ \t]{0,4}:[ \t]{0,4}"""
    r"""["'](?:UND_ERR_[A-Z_]{1,40}|E(?!RROR)[A-Z]{3,14}|ERR_[A-Z_]{1,40})["']"""
    r"""|Max retries exceeded with url"""
)


def _redirect_message(headers: Mapping[str, str]) -> str:
    location = next((v for k, v in headers.items() if k.lower() == "location"), "")
    host = urlsplit(location).hostname if location else None
    target = f"to {host}" if host else "to another path on this host" if location else ""
    return f"redirect {target} not followed (the key is never sent on)".replace("  ", " ")


# --- success bodies -------------------------------------------------------------------------

# The start of a successful answer of each endpoint, matched on the first few KiB so
# that a capped read of a multi-megabyte image answer is enough.
_OBJECT = re.compile(r'"object"[ \t\r\n]{0,8}:[ \t\r\n]{0,8}"([a-z_.]{1,40})"')
_KIND_OF_OBJECT = {"chat.completion": "chat", "response": "responses", "list": "embeddings",
                   "embedding": "embeddings", "chat.completion.chunk": "chat"}
_CHOICES = re.compile(r'"choices"[ \t\r\n]{0,8}:[ \t\r\n]{0,8}\[')
_DATA_LIST = re.compile(r'"data"[ \t\r\n]{0,8}:[ \t\r\n]{0,8}\[')
_CREATED = re.compile(r'"created"[ \t\r\n]{0,8}:[ \t\r\n]{0,8}\d')
_HEAD_CHARS = 4096


def success_shape(text: str) -> SuccessShape | None:
    """The shape of a successful answer, if ``text`` starts like one; None for an error
    object or anything else."""
    stripped = text.lstrip()
    if stripped.startswith("{"):
        head = stripped[:_HEAD_CHARS]
        if '"error"' in head and _error_object(head):
            return None
        kind = _json_success_kind(head)
        return None if kind is None else SuccessShape("json", kind or None)
    if stripped.startswith(("data:", "event:", ":")):
        first = _first_sse_data(stripped)
        if first is None or first == "[DONE]":
            return None
        try:
            event = safejson.loads(first)
        except ValueError:
            return None
        if not isinstance(event, dict) or event.get("type") == "error" or event.get("error"):
            return None
        if isinstance(event.get("object"), str):
            return SuccessShape("sse", _KIND_OF_OBJECT.get(event["object"]))
        if str(event.get("type", "")).startswith("response."):
            return SuccessShape("sse", "responses")
        if isinstance(event.get("choices"), list):
            return SuccessShape("sse", "chat")
        return None
    return None


def _json_success_kind(head: str) -> str | None:
    """The endpoint a JSON success body belongs to; "" when it is a success of no
    recognisable endpoint; None when it is not a success body."""
    match = _OBJECT.search(head)
    if match is not None and match.group(1) in _KIND_OF_OBJECT:
        return _KIND_OF_OBJECT[match.group(1)]
    if _CHOICES.search(head):
        return "chat"
    if _DATA_LIST.search(head) and _CREATED.search(head):
        return "images"
    return None


def _wrong_shape(shape: SuccessShape, expected: Expected) -> str | None:
    """Why a success body does not prove the capability, or None when it does."""
    streams = ("sse", "eventstream")
    if expected.stream is True and shape.format not in streams:
        return ("asked for an event stream, but the endpoint answered with one JSON body "
                "(it ignores `stream: true`): streaming is not proven")
    if expected.stream is False and shape.format in streams:
        return "asked for one JSON answer, but the endpoint sent an event stream"
    if expected.kind is not None and shape.kind is not None and shape.kind != expected.kind:
        return (f"a {expected.kind} probe was answered with a {shape.kind} body: the endpoint "
                "does not answer what was asked")
    return None


def _error_object(head: str) -> bool:
    """True if a JSON body's "error" member is present and not null."""
    try:
        value = safejson.loads(head)
    except ValueError:
        return re.search(r'"error"[ \t\r\n]{0,8}:[ \t\r\n]{0,8}(null|false)', head) is None
    return isinstance(value, dict) and bool(value.get("error"))


def _first_sse_data(text: str) -> str | None:
    for line in text.splitlines():
        if line.startswith("data:"):
            return line[5:].strip()
    return None


def _excerpt_for(rule: Rule, facts: Facts, raw: str) -> str:
    """The message that made the rule match, so the report quotes the relevant sentence."""
    if rule.text is None:
        return _excerpt(facts, raw)
    for message in facts.messages:
        if re.search(rule.text, message.lower()):
            return _shorten(message)
    match = re.search(rule.text, raw.lower())
    if match is None:
        return _excerpt(facts, raw)
    return _shorten(raw[match.start() :].replace("\\n", " ").replace("\\", ""))


def _shorten(message: str) -> str:
    return clean(message, EXCERPT_CHARS)


def _excerpt(facts: Facts, raw: str) -> str:
    return _shorten(facts.message or raw)


def _first(values: Iterable[str]) -> str | None:
    ordered = sorted(v for v in values if v not in ("null", "none", ""))
    return ordered[0] if ordered else None


OPENAI_DIALECT = Dialect("openai", success_shape)
