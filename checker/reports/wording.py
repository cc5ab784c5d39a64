"""Wording every report format shares: the one-line message, the full explanation, the
per-check details, and the order from worst to least bad."""

from __future__ import annotations

from collections.abc import Sequence

from ..model import Location
from ..outcomes import OutcomeClass, Verdict, info
from ..results import Result, RunReport

UNEXPECTED_ACCESS = "expected {expect}, but the key can use {model}"


def short_message(result: Result) -> str:
    """The class and the provider's own words (annotations, the terminal)."""
    if result.cls is OutcomeClass.OK:
        return UNEXPECTED_ACCESS.format(expect=result.check.expect.label,
                                        model=result.check.model)
    text = result.message or info(result.cls).summary
    return f"{result.cls.value}: {text}"


def first_line(result: Result) -> str:
    """The line a reporter shows first (a JUnit ``message``): what went wrong and what to
    do, without repeating the class, which is in ``type``."""
    details = info(result.cls)
    check = result.check
    values = {"model": check.model, "capability": check.capability,
              "key": check.key_label, "expect": check.expect.label,
              "provider": check.provider.name,
              "message": result.message.split(";")[0].split(" while ")[0]}
    headline = details.headline.format(**values).replace(" [access]", "")
    if result.verdict is Verdict.SKIPPED:
        return f"skipped: {headline} (optional check)"
    return f"{headline} — {details.action}"


def identities(report: RunReport) -> dict[str, str]:
    """Provider → who its credentials are, for the providers whose kind can tell."""
    found: dict[str, str] = {}
    for result in report.results:
        if result.identity:
            found.setdefault(result.check.provider.name, result.identity)
    return found


def location_of(result: Result) -> Location:
    """Where the config should be fixed: the ``api_key:`` line when the key is missing,
    else the line that declared the model."""
    key = result.check.key
    if result.cls is OutcomeClass.CONFIG_ERROR and key is not None and key.location:
        return key.location
    return result.check.location


def explanation(result: Result) -> str:
    """Human text for a check that did not pass: what happened, and what to do."""
    lines = [f"{result.cls.value}: {info(result.cls).summary}"]
    if result.check.expect.label != "ok":
        lines.append(f"expected: {result.check.expect.label}")
    if result.message:
        lines.append(f"message: {result.message}")
    if result.status is not None:
        lines.append(f"HTTP status: {result.status}")
    if result.request_id:
        lines.append(f"request id: {result.request_id}")
    if result.identity:
        lines.append(f"identity: {result.identity}")
    lines.extend(f"note: {note}" for note in result.notes)
    lines.append(f"what to do: {result.hint}")
    return "\n".join(lines)


def details(result: Result) -> str:
    """Every fact about one check, one ``name: value`` per line."""
    check = result.check
    fields = [
        ("provider", check.provider.name),
        ("model", check.model),
        ("capability", check.capability),
        ("key", check.key_label),
        ("identity", result.identity or ""),
        ("expect", check.expect.label),
        ("class", result.cls.value),
        ("verdict", result.verdict.value),
        ("status", "" if result.status is None else str(result.status)),
        ("request_id", result.request_id or ""),
        ("attempts", str(result.attempts)),
        ("latency_ms", "" if result.latency_ms is None else f"{result.latency_ms:.0f}"),
        ("endpoint", result.endpoint),
    ]
    if result.last_seen is not None:
        fields.append(("last_seen", f"{result.last_seen.cls.value} "
                                    f"{result.last_seen.status or ''} "
                                    f"({result.last_seen.doing})".replace("  ", " ")))
    return "\n".join(f"{name}: {value}" for name, value in fields)


# Worst first. Failures: an expectation breach (a key that reaches a model it must not) is a
# security finding; then problems that break every model of a key; then per-model gates.
FAILURE_ORDER: tuple[OutcomeClass, ...] = (
    OutcomeClass.OK,
    OutcomeClass.CONFIG_ERROR,
    OutcomeClass.AUTH_FAILED,
    OutcomeClass.ACCOUNT_DISABLED,
    OutcomeClass.QUOTA_EXHAUSTED,
    OutcomeClass.REGION_BLOCKED,
    OutcomeClass.VERIFICATION_REQUIRED,
    OutcomeClass.ACCESS_PENDING,
    OutcomeClass.PERMISSION_DENIED,
    OutcomeClass.MODEL_NOT_FOUND,
    OutcomeClass.TIER_TOO_LOW,
)
# Inconclusive: what needs a person (unknown answers) before what a retry may fix.
INCONCLUSIVE_ORDER: tuple[OutcomeClass, ...] = (
    OutcomeClass.UNKNOWN,
    OutcomeClass.UNEXPECTED_RESPONSE,
    OutcomeClass.PROBE_REJECTED,
    OutcomeClass.CONTENT_FILTERED,
    OutcomeClass.NETWORK_ERROR,
    OutcomeClass.TIMEOUT,
    OutcomeClass.SERVER_ERROR,
    OutcomeClass.RATE_LIMITED,
    OutcomeClass.INTERRUPTED,
)


def severity(result: Result) -> int:
    """Lower is worse. Classes not listed sort after the listed ones."""
    order = FAILURE_ORDER if result.verdict is Verdict.FAILED else INCONCLUSIVE_ORDER
    return order.index(result.cls) if result.cls in order else len(order)


def worst_first(results: Sequence[Result]) -> list[Result]:
    return sorted(results, key=severity)  # stable: config order within a class
