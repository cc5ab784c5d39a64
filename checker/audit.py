"""The service layer: run a config's checks (once, or until access arrives) and return a
RunReport. The CLI, `checker demo` and `checker wait` all come through here. SIGINT and
SIGTERM (CI cancellation) stop the probing; the report still covers every check.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Callable, Coroutine, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from . import __version__
from .model import Check, Config
from .policy import enforce_minimums
from .results import Result, RunReport
from .runner import RunOptions, run_checks
from .secrets import Redactor
from .signals import SignalLatch
from .wait import Progress, WaitOutcome, wait_for_access

T = TypeVar("T")


class StopEvent(asyncio.Event):
    """An Event that remembers why it was set ("SIGTERM", …)."""

    reason: str | None = None


def redactor_for(config: Config) -> Redactor:
    return Redactor(config.secret_values())


def _report(config: Config, results: Sequence[Result], started_at: datetime, began: float,
            stopped: str | None, shard: str | None, note: str | None = None) -> RunReport:
    return RunReport(
        config_path=config.path,
        results=tuple(results),
        started_at=started_at,
        duration_s=time.monotonic() - began,
        tool_version=__version__,
        interrupted_by=stopped,
        shard=shard,
        note=note,
    )


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


async def _probe(checks: Sequence[Check], options: RunOptions, redactor: Redactor,
                 stop: StopEvent | None) -> tuple[list[Result], str | None]:
    results, stopped = await run_checks(checks, options, redactor, stop=stop)
    return [enforce_minimums(result) for result in results], stopped


def run_audit(
    config: Config,
    checks: Sequence[Check],
    options: RunOptions,
    redactor: Redactor,
    *,
    handle_signals: bool = True,
    shard: str | None = None,
) -> RunReport:
    started_at, began = _now(), time.monotonic()

    async def main(stop: StopEvent) -> tuple[list[Result], str | None]:
        return await _probe(checks, options, redactor, stop)

    results, stopped = _with_signals(main, handle_signals)
    return _report(config, results, started_at, began, stopped, shard)


def run_wait(
    config: Config,
    checks: Sequence[Check],
    options: RunOptions,
    redactor: Redactor,
    *,
    timeout: float,
    interval: float,
    on_progress: Callable[[Progress], None] | None = None,
    on_tick: Callable[[float], None] | None = None,
    handle_signals: bool = True,
) -> tuple[RunReport, WaitOutcome]:
    """Probe, then re-probe what is not passing every ``interval`` s until it all passes,
    something cannot change by waiting, or ``timeout`` s have passed."""
    started_at, began = _now(), time.monotonic()

    async def main(stop: StopEvent) -> tuple[WaitOutcome, str | None]:
        async def probe_round(pending: Sequence[Check]) -> list[Result]:
            results, _ = await _probe(pending, options, redactor, stop)
            return results

        async def sleep(seconds: float) -> bool:
            deadline = time.monotonic() + seconds
            while (left := deadline - time.monotonic()) > 0:
                if on_tick is not None:
                    on_tick(left)
                try:
                    await asyncio.wait_for(stop.wait(), timeout=min(1.0, left))
                    return False
                except TimeoutError:
                    continue
            return not stop.is_set()

        outcome = await wait_for_access(checks, probe_round, timeout=timeout,
                                        interval=interval, clock=time.monotonic, sleep=sleep,
                                        on_progress=on_progress)
        return outcome, stop.reason

    outcome, stopped = _with_signals(main, handle_signals)
    report = _report(config, outcome.results, started_at, began, stopped, None,
                     note=f"checker wait: {outcome.reason} ({outcome.rounds} round"
                          f"{'s' if outcome.rounds != 1 else ''})")
    return report, outcome


def _with_signals(main: Callable[[StopEvent], Coroutine[Any, Any, T]],
                  handle_signals: bool) -> T:
    async def runner() -> T:
        stop = StopEvent()
        loop = asyncio.get_running_loop()
        installed: dict[signal.Signals, Any] = {}
        if handle_signals:
            for signum in (signal.SIGINT, signal.SIGTERM):
                try:
                    previous = signal.getsignal(signum)
                    loop.add_signal_handler(signum, _stopper(stop, signum))
                    installed[signum] = previous
                except (NotImplementedError, RuntimeError, ValueError):
                    pass  # not the main thread, or no loop signal handlers on this platform
                else:
                    # A signal a SignalLatch caught before probing began stops it at once.
                    latch = getattr(previous, "__self__", None)
                    if isinstance(latch, SignalLatch) and latch.received and not stop.reason:
                        stop.reason = latch.received
                        stop.set()
        try:
            return await main(stop)
        finally:
            for signum, previous in installed.items():
                loop.remove_signal_handler(signum)
                # Back to what was there (a SignalLatch while reports are written), not to
                # the default that would kill the process half way through them.
                if previous is not None:
                    signal.signal(signum, previous)

    return asyncio.run(runner())


def _stopper(stop: StopEvent, signum: signal.Signals) -> Callable[[], None]:
    def handler() -> None:
        if stop.reason is None:
            stop.reason = signum.name
        stop.set()

    return handler
