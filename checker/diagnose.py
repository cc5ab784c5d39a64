"""`checker diagnose`: explain an error body, or a client's error text, someone pasted. Pure."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .classify import Outcome, classify, classify_client_text
from .model import ACCESS
from .outcomes import Kind, OutcomeClass, info, unverified_note
from .providers import KINDS, any_dialect
from .rules import RULES
from .secrets import Redactor

# Where a pasted text says its status. Each pattern is anchored on words around the number
# and bounded, and the earliest match in the first few KiB wins.
_STATUS_PRINTS = (
    # "403 Your organization…", "HTTP 429 (429) …", "status: 404" at the very start
    re.compile(r"^\s{0,8}(?:http(?:/[\d.]{1,3})?[ \t]{1,3}|status(?: code)?[:=]?[ \t]{0,3})?"
               r"([1-5]\d\d)\b", re.I),
    # `curl -i`: "HTTP/1.1 403 Forbidden", "HTTP/2 429" on a line of its own
    re.compile(r"^HTTP/[\d.]{1,3}[ \t]{1,3}([1-5]\d\d)\b", re.M),
    # Python SDK "Error code: 403 - {…}", Vertex "Error Code: 403, Message: …"
    re.compile(r"\berror code:?[ \t]{0,3}([1-5]\d\d)\b", re.I),
    # Node SDK "PermissionDeniedError: 403 …", "API Error: 403 …", "Error: 400 POST …"
    re.compile(r"(?:Error|Exception):?[ \t]{1,3}\(?([1-5]\d\d)\b"),
    # "status code 404", "(status code: 429)", "HTTP 401 (PermissionDenied)", "[404 Not Found]",
    # Swift's "http_status_403"
    re.compile(r"\bstatus[ _]?code:?[ \t]{0,3}([1-5]\d\d)\b|\bhttp[ \t]{1,3}([1-5]\d\d)\b"
               r"|\[([1-5]\d\d) [A-Z][a-z]{2,12}(?: [A-Z][a-z]{2,12}){0,3}\]"
               r"|http_status_([1-5]\d\d)\b", re.I),
    # the status a body repeats: Google's `"code": 403`, LiteLLM's `'code': '429'`
    re.compile(r"""["']?(?:code|status|statusCode)["']?[ \t]{0,3}:[ \t]{0,3}["']?([45]\d\d)\b"""),
)
_STATUS_PRINT_CHARS = 4096
# OpenAI's "The model `o3` does not exist or you do not have access to it."
_NAMED_MODEL = re.compile(r"\bmodel `([^`\s]{1,100})`")


@dataclass(frozen=True)
class Diagnosis:
    outcome: Outcome
    status_source: str  # "given", "read from the text", "unknown", "no HTTP answer"
    notes: tuple[str, ...] = ()

    @property
    def http_answer(self) -> bool:
        """False when the text is a client's own error: no HTTP answer was seen."""
        return self.status_source != "no HTTP answer"

    def as_dict(self) -> dict[str, object]:
        details = info(self.outcome.cls)
        return {
            "class": self.outcome.cls.value,
            "kind": details.kind.value,
            "retryable": details.retryable,
            "summary": details.summary,
            "hint": details.hint,
            "status": self.outcome.status,
            "http_answer": self.http_answer,
            "rule": self.outcome.rule,
            "message": self.outcome.message,
            "notes": list(self.notes),
        }


def infer_status(text: str) -> int | None:
    """The HTTP status a pasted text states (an SDK's print, a `curl -i` status line, a
    body that repeats it), or None."""
    head = text[:_STATUS_PRINT_CHARS]
    found: tuple[int, int] | None = None
    for pattern in _STATUS_PRINTS:
        match = pattern.search(head)
        if match is not None and (found is None or match.start() < found[0]):
            number = next(group for group in match.groups() if group)
            found = (match.start(), int(number))
    return None if found is None else found[1]


def diagnose(text: str, status: int | None = None) -> Diagnosis:
    source = "given"
    if status is None:
        status = infer_status(text)
        source = "read from the text" if status is not None else "unknown"
    outcome = classify(status, {}, text, dialect=any_dialect())
    if status is None:
        # A timeout, a refused connection or a TLS failure an SDK printed: no HTTP answer
        # came. It wins unless the text holds an answer that says something else.
        client = classify_client_text(text)
        if client is not None and (outcome.cls in (OutcomeClass.UNKNOWN, client.cls)
                                   or _denied_by_a_phrase(outcome)):
            outcome, source = client, "no HTTP answer"
    # Whatever the person pasted may hold their key: mask anything key-shaped.
    outcome = Outcome(outcome.cls, outcome.status, Redactor()(outcome.message), outcome.rule,
                      outcome.code)
    return Diagnosis(outcome, source, _notes(outcome))


def _denied_by_a_phrase(outcome: Outcome) -> bool:
    """A definite failure that only a phrase decided. A client's print of a transport
    failure can quote such a phrase (.NET's TLS failure says "Authentication failed"): the
    transport failure wins, since a wrong definite class is the worse mistake."""
    return info(outcome.cls).kind is Kind.DENIED and outcome.rule in _phrase_rules()


@functools.cache
def _phrase_rules() -> frozenset[str]:
    return frozenset(rule.name for rule in (*any_dialect().rules, *RULES) if rule.phrase_only)


def _notes(outcome: Outcome) -> tuple[str, ...]:
    if outcome.cls is not OutcomeClass.MODEL_NOT_FOUND:
        return ()
    named = _NAMED_MODEL.search(outcome.message)
    if named is None or ACCESS not in KINDS["openai"].model_info(named.group(1)).gated:
        return ()
    return (unverified_note(named.group(1)),)


def render(diagnosis: Diagnosis) -> str:
    outcome = diagnosis.outcome
    details = info(outcome.cls)
    if not diagnosis.http_answer:
        status = "none: this is the client's own error, no HTTP answer was seen"
    elif outcome.status is None:
        status = "unknown"
    else:
        status = f"{outcome.status} ({diagnosis.status_source})"
    retry = "yes, it is transient" if details.retryable else "no, retrying will not help"
    lines = [
        f"class:     {outcome.cls.value} ({details.kind.value})",
        f"means:     {details.summary}",
        f"retry:     {retry}",
        f"status:    {status}",
        f"matched:   rule '{outcome.rule}'",
    ]
    if outcome.message:
        lines.append(f"message:   {outcome.message}")
    lines.extend(f"note:      {note}" for note in diagnosis.notes)
    lines.append(f"what to do: {details.hint}")
    return "\n".join(lines) + "\n"
