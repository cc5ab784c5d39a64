"""Turn a provider's answer into an outcome class.

``classify(status, headers, body)`` is pure. It first reads what it can from the
body (``read_facts``: messages, ``code``/``type``/``param`` values, wherever a
relay nested or stringified them), then walks ``RULES`` top to bottom and takes
the first rule whose conditions all hold. Order matters where real bodies
overlap: the text-model verification gate and the project allowlist both use
``code: model_not_found``, quota arrives as a 429, a budget error has
``type: auth_error``. Status codes are consulted only together with text, or in
the last few "status fallback" rows when nothing in the body is recognisable.

To teach checker a new body: add a row to ``RULES`` (above any broader row it
overlaps) and a test case with the real body in ``tests/test_classify.py``.
"""

import re
from collections.abc import Iterable, Mapping
from typing import NamedTuple
from urllib.parse import urlsplit

from . import safejson
from .outcomes import OutcomeClass, info
from .sanitize import clean

# Bodies beyond this are not examined further: every known error fits in far less.
MAX_EXAMINED_CHARS = 64 * 1024
_EXCERPT_CHARS = 300


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


class Rule(NamedTuple):
    """One row of the classification table: every given condition must hold."""

    name: str
    cls: OutcomeClass
    text: str | None = None  # regex searched in the lower-cased haystack
    codes: frozenset[str] = frozenset()  # any of these `code` values
    types: frozenset[str] = frozenset()  # any of these `type` values
    params: frozenset[str] = frozenset()  # any of these `param` values
    statuses: frozenset[int] = frozenset()  # any of these HTTP statuses
    min_status: int | None = None
    shapes: frozenset[str] = frozenset()  # any of these body shapes

    def matches(self, status: int | None, facts: Facts) -> bool:
        if self.text is not None and not re.search(self.text, facts.text):
            return False
        if self.codes and not self.codes & facts.codes:
            return False
        if self.types and not self.types & facts.types:
            return False
        if self.params and not self.params & facts.params:
            return False
        if self.statuses and status not in self.statuses:
            return False
        if self.min_status is not None and (status is None or status < self.min_status):
            return False
        return not (self.shapes and facts.shape not in self.shapes)


def _set(*values: str) -> frozenset[str]:
    return frozenset(values)


C = OutcomeClass

RULES: tuple[Rule, ...] = (
    # --- Organization Verification: 403 images, 404 text models (code model_not_found),
    # 400 param stream / reasoning.summary (code unsupported_value), also inside relays.
    Rule("verification-gate", C.VERIFICATION_REQUIRED, text=r"organi[sz]ation must be verified"),
    # --- Region
    Rule("region-code", C.REGION_BLOCKED, codes=_set("unsupported_country_region_territory")),
    Rule("region-text", C.REGION_BLOCKED,
         text=r"country, region,? or territory not supported"),
    # --- Rate limit phrased with the word "quota": must win over the quota rows below.
    Rule("concurrency-limit", C.RATE_LIMITED,
         text=r"limit of concurrent requests|too many concurrent requests"),
    # --- Quota and billing (429 insufficient_quota is NOT a rate limit)
    Rule("quota-code", C.QUOTA_EXHAUSTED,
         codes=_set("insufficient_quota", "billing_hard_limit_reached", "insufficient_user_quota",
                    "credit_balance_exhausted", "quota_exceeded", "billing_not_active")),
    Rule("quota-type", C.QUOTA_EXHAUSTED, types=_set("insufficient_quota")),
    Rule("quota-text", C.QUOTA_EXHAUSTED,
         text=r"exceeded your current quota|billing hard limit|budget has been exceeded"
              r"|insufficient (balance|credits?|funds)|quota is not enough|requires more credits"
              r"|key limit exceeded|credit balance is too low|out of credits|额度已用尽"
              r"|account is not active.{0,40}billing|check your billing details"
              r"|exceeded (the|your) (monthly )?budget|余额不足|额度不足"),
    Rule("payment-required", C.QUOTA_EXHAUSTED, statuses=frozenset({402})),
    # --- Account, organization or resource disabled
    Rule("account-deactivated-code", C.ACCOUNT_DISABLED,
         codes=_set("account_deactivated", "organization_deactivated", "account_disabled")),
    Rule("access-terminated-type", C.ACCOUNT_DISABLED, types=_set("access_terminated")),
    Rule("account-disabled-text", C.ACCOUNT_DISABLED,
         text=r"deactivated account|account (has been |was )?(deactivated|disabled|suspended)"
              r"|access was terminated|organization has been (disabled|deactivated|restricted)"
              r"|resource has been (temporarily )?blocked|account (is|has been) restricted"),
    # --- Permission: project allowlist (code model_not_found + 403), gateway key
    # restrictions, restricted-key scopes. Must come before the
    # model_not_found rows, and before auth: a gateway denial carries code "401".
    Rule("project-allowlist", C.PERMISSION_DENIED,
         text=r"project `?[\w-]+`? does not have access to model"),
    Rule("key-model-restriction", C.PERMISSION_DENIED,
         text=r"key not allowed to access model|not allowed to (use|access) (this )?model"
              r"|not allowed to sample from this model"),
    Rule("key-model-restriction-type", C.PERMISSION_DENIED,
         types=_set("key_model_access_denied", "permission_error")),
    Rule("missing-scopes", C.PERMISSION_DENIED,
         text=r"insufficient permissions|missing scopes|permission[_ ]?denied"
              r"|do(es)? not have permission"),
    # --- Authentication (after quota: a gateway budget error carries type auth_error)
    Rule("auth-code", C.AUTH_FAILED,
         codes=_set("invalid_api_key", "mismatched_organization", "no_organization",
                    "invalid_organization", "missing_api_key", "unauthorized", "401")),
    Rule("auth-type", C.AUTH_FAILED,
         types=_set("token_not_found_in_db", "authentication_error", "auth_error")),
    Rule("auth-text", C.AUTH_FAILED,
         text=r"incorrect api key|invalid api key|invalid x-api-key|no (cookie )?auth credentials"
              r"|missing bearer|didn't provide an api key|invalid proxy server token"
              r"|organization header should match|must be a member of an organization"
              r"|no such organization|invalid authentication|invalid subscription key"
              r"|api key (is )?(invalid|expired|revoked|not valid)|api key not valid"
              r"|token has been invalidated|do not have access to the organization"
              r"|user not found|invalid token|无效的令牌|令牌无效|未提供令牌"),
    # --- Moderation
    Rule("moderation-code", C.CONTENT_FILTERED, codes=_set("content_filter", "moderation_blocked",
                                                           "content_policy_violation")),
    Rule("moderation-text", C.CONTENT_FILTERED,
         text=r"rejected by the safety system|rejected as a result of our safety system"
              r"|content management policy"
              r"|flagged by (our|the) moderation"),
    # --- Model or deployment missing (also relays with "no available channel")
    Rule("model-not-found-code", C.MODEL_NOT_FOUND,
         codes=_set("model_not_found", "deploymentnotfound", "model_not_available",
                    "model_decommissioned")),
    Rule("model-not-found-type", C.MODEL_NOT_FOUND, types=_set("not_found_error"),
         text=r"model"),
    Rule("model-not-found-text", C.MODEL_NOT_FOUND,
         text=r"model `?[^`\s]*`? does not exist|requested model .{0,80} does not exist"
              r"|deployment for this resource does not exist|no such model|model not found"
              r"|unknown model|invalid model|is not a valid model id|has been decommissioned"
              r"|no endpoints found|no allowed providers are available"
              r"|无可用渠道|no available (channel|distributor)"),
    # --- The probe itself was refused (parameter or endpoint does not suit the model)
    Rule("probe-param-code", C.PROBE_REJECTED,
         codes=_set("unknown_parameter", "unsupported_parameter", "unsupported_value",
                    "invalid_value", "operationnotsupported", "invalid_request_body")),
    Rule("probe-param-text", C.PROBE_REJECTED,
         text=r"unknown parameter|unsupported parameter|unsupported value|invalid value:"
              r"|operation does not work with the specified model"
              r"|not supported (with|by) this model|only supported .{0,40}(v1/responses|endpoint)"
              r"|is not a chat model|maximum context length"),
    Rule("request-too-large", C.PROBE_REJECTED, text=r"request too large"),
    # --- Rate limits
    Rule("rate-limit-code", C.RATE_LIMITED,
         codes=_set("rate_limit_exceeded", "ratelimitexceeded", "too_many_requests")),
    Rule("rate-limit-type", C.RATE_LIMITED, types=_set("rate_limit_error", "requests", "tokens")),
    Rule("rate-limit-text", C.RATE_LIMITED,
         text=r"rate limit|exceeded token rate limit|too many requests|please retry after"
              r"|slow down"),
    # --- Provider, relay or edge failure
    Rule("server-type", C.SERVER_ERROR,
         types=_set("server_error", "service_unavailable_error", "cf_bad_gateway",
                    "overloaded_error", "api_error")),
    Rule("server-code", C.SERVER_ERROR, codes=_set("server_is_overloaded", "server_error",
                                                  "service_unavailable", "internal_error",
                                                  "internalservererror")),
    Rule("server-text", C.SERVER_ERROR,
         text=r"server had an error|currently overloaded|servers are currently overloaded"
              r"|bad gateway|service (temporarily )?unavailable|gateway time-?out"
              r"|internal server error|upstream (connect )?error"),
    # --- Bot walls, login pages, HTML where an API answer belongs
    Rule("invalid-url", C.UNEXPECTED_RESPONSE, text=r"\binvalid url \((get|post) "),
    Rule("bot-wall", C.UNEXPECTED_RESPONSE,
         text=r"enable cookies|attention required|just a moment\.\.\.|cf-chl|captcha"),
    Rule("html-5xx", C.SERVER_ERROR, shapes=_set("html"), min_status=500),
    Rule("html-page", C.UNEXPECTED_RESPONSE, shapes=_set("html")),
    # --- Status fallbacks: only reached when nothing in the body was recognised.
    Rule("status-401", C.AUTH_FAILED, statuses=frozenset({401})),
    Rule("status-429", C.RATE_LIMITED, statuses=frozenset({429})),
    Rule("status-5xx", C.SERVER_ERROR, min_status=500),
)


class Outcome(NamedTuple):
    cls: OutcomeClass
    status: int | None
    message: str  # short human-readable excerpt (not yet redacted: the caller redacts)
    rule: str  # the RULES row (or built-in check) that decided
    code: str | None = None

    @property
    def retryable(self) -> bool:
        return info(self.cls).retryable


class Expected(NamedTuple):
    """What a successful answer to the probe looks like: ``kind`` is the endpoint (chat,
    responses, images, embeddings; None accepts any of them) and ``stream`` whether the
    probe asked for an event stream. A 2xx proves access only in that shape."""

    kind: str | None = None
    stream: bool | None = None  # None: either (a pasted body, `checker diagnose`)


ANY_SUCCESS = Expected()


def classify(status: int | None, headers: Mapping[str, str], body: str | bytes,
             expected: Expected = ANY_SUCCESS) -> Outcome:
    """Classify one HTTP answer. ``status`` is None when unknown (a pasted body).

    Linear in the size of ``body``: only its first ``MAX_EXAMINED_CHARS`` are read, and
    every pattern applied to them is free of catastrophic backtracking."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = text[:MAX_EXAMINED_CHARS]

    if status is not None and 300 <= status < 400:
        return Outcome(C.UNEXPECTED_RESPONSE, status, _redirect_message(headers), "redirect")

    if status is not None and 200 <= status < 300:
        shape = success_shape(text)
        if shape is not None:
            wrong = _wrong_shape(shape, expected)
            if wrong is None:
                return Outcome(C.OK, status, "", f"2xx-{shape.format}")
            return Outcome(C.UNEXPECTED_RESPONSE, status, wrong, "2xx-wrong-shape")

    facts = read_facts(text)
    code = _first(facts.codes)
    for rule in RULES:
        if rule.matches(status, facts):
            return Outcome(rule.cls, status, _excerpt_for(rule, facts, text), rule.name, code)
    excerpt = _excerpt(facts, text)
    if status is not None and 200 <= status < 300:
        # A 2xx that is neither a known success nor a known error: an empty body, a
        # truncated or foreign JSON document, a proxy's page.
        return Outcome(C.UNEXPECTED_RESPONSE, status, excerpt or "empty body", f"2xx-{facts.shape}")
    return Outcome(C.UNKNOWN, status, excerpt, "no-rule", code)


def _redirect_message(headers: Mapping[str, str]) -> str:
    location = next((v for k, v in headers.items() if k.lower() == "location"), "")
    host = urlsplit(location).hostname if location else None
    target = f"to {host}" if host else "to another path on this host" if location else ""
    return f"redirect {target} not followed (the key is never sent on)".replace("  ", " ")


# --- success bodies -------------------------------------------------------------------------

class SuccessShape(NamedTuple):
    format: str  # "json" | "sse"
    kind: str | None  # the endpoint whose success this is, when the body says


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
    if expected.stream is True and shape.format != "sse":
        return ("asked for an event stream, but the endpoint answered with one JSON body "
                "(it ignores `stream: true`): streaming is not proven")
    if expected.stream is False and shape.format == "sse":
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


# --- reading an error body ------------------------------------------------------------------

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
            messages.append(readable[:_EXCERPT_CHARS])
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
    return clean(message, _EXCERPT_CHARS)


def _excerpt(facts: Facts, raw: str) -> str:
    return _shorten(facts.message or raw)


def _first(values: Iterable[str]) -> str | None:
    ordered = sorted(v for v in values if v not in ("null", "none", ""))
    return ordered[0] if ordered else None
