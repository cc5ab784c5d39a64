"""The verdict policy, all of it: how an outcome counts for the gate, tier minimums,
baseline regressions, what ``--allow-inconclusive`` excuses, signals, and the exit code.
Pure. The CLI maps ``exit_code``'s answer to the process exit and nothing else.

A check passes only when its own probe proved what it expects. ``--allow-inconclusive``
excuses only outcomes that time alone can change (``ClassInfo.excusable``: rate limits,
server errors, timeouts, network errors, interrupted runs); never a broken check, an
answer of the wrong shape, a refused probe or an answer checker cannot name. A run that
proved nothing (every check skipped) never exits 0.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

from .exit_codes import EXIT_FAILED, EXIT_INCONCLUSIVE, EXIT_OK, EXIT_SIGINT, EXIT_SIGTERM
from .limits import parse_limits
from .model import Check
from .outcomes import Kind, OutcomeClass, Verdict, info
from .results import Change, Result

SIGNAL_EXITS = {"SIGINT": EXIT_SIGINT, "SIGTERM": EXIT_SIGTERM}


def verdict_for(check: Check, cls: OutcomeClass) -> Verdict:
    if check.expect.met_by(cls):
        return Verdict.PASSED
    if info(cls).kind is Kind.INCONCLUSIVE:
        return Verdict.INCONCLUSIVE
    return Verdict.FAILED


def result_without_probe(check: Check, cls: OutcomeClass, message: str,
                         verdict: Verdict | None = None) -> Result:
    """The result of a check that sent nothing (a missing key, an interrupted run)."""
    return Result(check=check, cls=cls, verdict=verdict or verdict_for(check, cls),
                  message=message)


def enforce_minimums(result: Result) -> Result:
    """A check with ``min_rpm``/``min_tpm`` whose key answered with lower limits fails as
    ``tier_too_low``. Without limit headers (many relays strip them) the check keeps its
    outcome and says the minimum could not be verified."""
    check = result.check
    if result.cls is not OutcomeClass.OK or (check.min_rpm is None and check.min_tpm is None):
        return result
    limits = parse_limits(result.limits)
    shortfalls: list[str] = []
    unverified: list[str] = []
    for name, minimum, seen in (("requests per minute", check.min_rpm, limits.limit_requests),
                                ("tokens per minute", check.min_tpm, limits.limit_tokens)):
        if minimum is None:
            continue
        if seen is None:
            unverified.append(f"{name} not reported by the provider: minimum {minimum} "
                              "not verified")
        elif seen < minimum:
            shortfalls.append(f"{name} limit {seen} < required {minimum}")
    if shortfalls:
        cls = OutcomeClass.TIER_TOO_LOW
        return dataclasses.replace(result, cls=cls, verdict=verdict_for(check, cls),
                                   message="; ".join(shortfalls), rule="tier-minimum")
    if unverified:
        return dataclasses.replace(result, notes=(*result.notes, *unverified))
    return result


def fail_regressions(results: Iterable[Result], changes: Iterable[Change]) -> list[Result]:
    """``--fail-on-change``: a regression fails its check even when the expectation allows
    the new outcome."""
    regressed = {c.id: c for c in changes if c.regression}
    updated = []
    for result in results:
        change = regressed.get(result.check.id)
        if change is not None and result.verdict is not Verdict.FAILED:
            result = dataclasses.replace(
                result, verdict=Verdict.FAILED,
                notes=(*result.notes, f"regression since the baseline: {change.description}"))
        updated.append(result)
    return updated


def excused(result: Result, allow_inconclusive: bool) -> bool:
    """An inconclusive result that ``--allow-inconclusive`` lets through."""
    return (allow_inconclusive and result.verdict is Verdict.INCONCLUSIVE
            and info(result.cls).excusable)


def nothing_proven(results: Sequence[Result]) -> bool:
    """Checks were declared but none was probed (every one skipped)."""
    return bool(results) and all(r.verdict is Verdict.SKIPPED for r in results)


def exit_code(results: Sequence[Result], allow_inconclusive: bool = False, *,
              interrupted_by: str | None = None, pending: bool = False) -> int:
    """130/143 when a signal stopped the run · 1 a definite failure, or (``checker wait``)
    checks still pending at its timeout · 3 inconclusive and not excused, or nothing
    proven · 0 every check met its expectation. (2, a usage error, is decided before any
    probe.)"""
    if interrupted_by in SIGNAL_EXITS:
        return SIGNAL_EXITS[interrupted_by]
    if pending or any(r.verdict is Verdict.FAILED for r in results):
        return EXIT_FAILED
    if any(r.verdict is Verdict.INCONCLUSIVE and not excused(r, allow_inconclusive)
           for r in results):
        return EXIT_INCONCLUSIVE
    if nothing_proven(results):
        return EXIT_INCONCLUSIVE
    return EXIT_OK


def excusable_classes() -> tuple[OutcomeClass, ...]:
    """What ``--allow-inconclusive`` excuses (for help texts and docs)."""
    return tuple(cls for cls in OutcomeClass if info(cls).excusable)
