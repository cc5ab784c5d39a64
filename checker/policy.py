"""The verdict policy: how an outcome counts for the gate, and the exit code. Pure.

A check passes only when its own probe proved what it expects. ``--allow-inconclusive``
excuses only outcomes that time alone can change (``ClassInfo.excusable``: rate limits,
server errors, timeouts, network errors, interrupted runs); never a broken check, an
answer of the wrong shape, a refused probe or an answer checker cannot name. A run that
proved nothing (every check skipped) never exits 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .exit_codes import EXIT_FAILED, EXIT_INCONCLUSIVE, EXIT_OK
from .outcomes import Kind, OutcomeClass, Verdict, info

if TYPE_CHECKING:
    from .config import Check
    from .results import Result


def verdict_for(check: Check, cls: OutcomeClass) -> Verdict:
    if check.expect.met_by(cls):
        return Verdict.PASSED
    if info(cls).kind is Kind.INCONCLUSIVE:
        return Verdict.INCONCLUSIVE
    return Verdict.FAILED


def excused(result: Result, allow_inconclusive: bool) -> bool:
    """An inconclusive result that ``--allow-inconclusive`` lets through."""
    return (allow_inconclusive and result.verdict is Verdict.INCONCLUSIVE
            and info(result.cls).excusable)


def nothing_proven(results: Sequence[Result]) -> bool:
    """Checks were declared but none was probed (every one skipped)."""
    return bool(results) and all(r.verdict is Verdict.SKIPPED for r in results)


def exit_code(results: Sequence[Result], allow_inconclusive: bool = False) -> int:
    """0 all met · 1 a definite failure · 3 inconclusive and not excused, or nothing
    proven. Precedence 1 > 3 > 0 (2, a usage error, is decided before any probe)."""
    if any(r.verdict is Verdict.FAILED for r in results):
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
