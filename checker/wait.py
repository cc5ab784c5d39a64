"""`checker wait`: re-probe what is not passing yet until it does, or until the timeout.

After someone verifies the organization, access takes up to 15 minutes to propagate. The
loop re-probes only checks that are not passing (a passing check is never probed again),
and only while every failing outcome is one that waiting can change; a revoked key or a
missing model ends the wait at once. The probing, the clock and the sleep are injected.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from .model import Check
from .outcomes import info
from .results import Result

ProbeRound = Callable[[Sequence[Check]], Awaitable[list[Result]]]
# Sleeps up to the given seconds; returns False if the wait was cancelled (a signal).
Sleep = Callable[[float], Awaitable[bool]]


@dataclass(frozen=True)
class Progress:
    elapsed: float
    passing: int
    total: int
    round: int
    next_in: float  # seconds until the next round
    pending: tuple[Result, ...]


@dataclass(frozen=True)
class WaitOutcome:
    results: list[Result]
    rounds: int
    reason: str
    all_passing: bool


def can_change_by_waiting(result: Result) -> bool:
    return info(result.cls).waitable


async def wait_for_access(
    checks: Sequence[Check],
    probe_round: ProbeRound,
    *,
    timeout: float,
    interval: float,
    clock: Callable[[], float],
    sleep: Sleep,
    on_progress: Callable[[Progress], None] | None = None,
) -> WaitOutcome:
    started = clock()
    latest: dict[str, Result] = {}
    pending: list[Check] = list(checks)
    rounds = 0
    while True:
        rounds += 1
        for result in await probe_round(pending):
            latest[result.check.id] = result
        results = [latest[check.id] for check in checks if check.id in latest]
        failing = [r for r in results if not r.passed]
        if not failing:
            return WaitOutcome(results, rounds, "every check passes", True)
        hopeless = [r for r in failing if not can_change_by_waiting(r)]
        if hopeless:
            first = hopeless[0]
            return WaitOutcome(results, rounds, f"{first.check.id} is {first.cls.value}, which "
                               "waiting cannot change", False)
        remaining = timeout - (clock() - started)
        if remaining <= 0:
            return WaitOutcome(results, rounds, f"timed out after {format_duration(timeout)} with "
                               f"{len(failing)} check(s) still failing", False)
        delay = min(interval, remaining)
        if on_progress is not None:
            on_progress(Progress(clock() - started, len(results) - len(failing), len(checks),
                                 rounds, delay, tuple(failing)))
        if not await sleep(delay):
            return WaitOutcome(results, rounds, "interrupted while waiting", False)
        pending = [r.check for r in failing]


def format_duration(seconds: float) -> str:
    minutes, second = divmod(round(seconds), 60)
    hours, minute = divmod(minutes, 60)
    if hours:
        return f"{hours}h{minute:02d}m" + (f"{second:02d}s" if second else "")
    if minute:
        return f"{minute}m" + (f"{second:02d}s" if second else "")
    return f"{second}s"


def describe(progress: Progress) -> str:
    """One status line: elapsed, passing/total, next attempt in …, what is pending."""
    classes: dict[str, int] = {}
    for result in progress.pending:
        classes[result.cls.value] = classes.get(result.cls.value, 0) + 1
    waiting_on = ", ".join(f"{name} ×{count}" for name, count in classes.items())
    return (f"[{format_duration(progress.elapsed)}] round {progress.round}: {progress.passing}/"
            f"{progress.total} passing; next attempt in {format_duration(progress.next_in)} "
            f"({waiting_on})")
