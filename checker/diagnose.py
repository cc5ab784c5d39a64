"""`checker diagnose`: explain an error body someone pasted. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .classify import Outcome, classify
from .outcomes import info
from .providers import any_dialect
from .secrets import Redactor

# "403 Your organization…", "Error code: 400 - {…}", "HTTP 429 (429) …", "status: 404"
_LEADING_STATUS = re.compile(
    r"^\s*(?:error code:\s*|http(?:/[\d.]+)?\s+|status(?: code)?[:=]?\s*)?([1-5]\d\d)\b", re.I
)


@dataclass(frozen=True)
class Diagnosis:
    outcome: Outcome
    status_source: str  # "given", "read from the text", "unknown"

    def as_dict(self) -> dict[str, object]:
        details = info(self.outcome.cls)
        return {
            "class": self.outcome.cls.value,
            "kind": details.kind.value,
            "retryable": details.retryable,
            "summary": details.summary,
            "hint": details.hint,
            "status": self.outcome.status,
            "rule": self.outcome.rule,
            "message": self.outcome.message,
        }


def infer_status(text: str) -> int | None:
    match = _LEADING_STATUS.match(text)
    return int(match.group(1)) if match else None


def diagnose(text: str, status: int | None = None) -> Diagnosis:
    source = "given"
    if status is None:
        status = infer_status(text)
        source = "read from the text" if status is not None else "unknown"
    outcome = classify(status, {}, text, dialect=any_dialect())
    # Whatever the person pasted may hold their key: mask anything key-shaped.
    outcome = Outcome(outcome.cls, outcome.status, Redactor()(outcome.message), outcome.rule,
                      outcome.code)
    return Diagnosis(outcome, source)


def render(diagnosis: Diagnosis) -> str:
    outcome = diagnosis.outcome
    details = info(outcome.cls)
    status = ("unknown" if outcome.status is None
              else f"{outcome.status} ({diagnosis.status_source})")
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
    lines.append(f"what to do: {details.hint}")
    return "\n".join(lines) + "\n"
