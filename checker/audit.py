"""The service layer: run a config's checks and return a RunReport.

The CLI, ``checker demo`` and ``checker wait`` all come through here. Signals (CI
cancellation) stop the probing; the report still covers every check.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Sequence
from datetime import datetime, timezone

from . import __version__
from .config import Check, Config
from .results import Result, RunReport
from .runner import ResultCallback, RunOptions, run_checks
from .secrets import Redactor


class StopEvent(asyncio.Event):
    """An Event that remembers why it was set ("SIGTERM", …)."""

    reason: str | None = None


def redactor_for(config: Config) -> Redactor:
    return Redactor(config.secret_values())


def run_audit(
    config: Config,
    checks: Sequence[Check],
    options: RunOptions,
    redactor: Redactor,
    *,
    on_result: ResultCallback | None = None,
    handle_signals: bool = True,
    shard: str | None = None,
) -> RunReport:
    started_at = datetime.now(timezone.utc).replace(microsecond=0)
    began = time.monotonic()
    results, stopped = asyncio.run(
        _audit(checks, options, redactor, on_result, handle_signals)
    )
    return RunReport(
        config_path=config.path,
        results=tuple(results),
        started_at=started_at,
        duration_s=time.monotonic() - began,
        tool_version=__version__,
        interrupted_by=stopped,
        shard=shard,
    )


async def _audit(
    checks: Sequence[Check],
    options: RunOptions,
    redactor: Redactor,
    on_result: ResultCallback | None,
    handle_signals: bool,
) -> tuple[list[Result], str | None]:
    stop = StopEvent()
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    if handle_signals:
        for signum in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(signum, _stopper(stop, signum))
                installed.append(signum)
            except (NotImplementedError, RuntimeError, ValueError):
                pass  # not the main thread, or a platform without loop signal handlers
    try:
        return await run_checks(checks, options, redactor, stop=stop, on_result=on_result)
    finally:
        for signum in installed:
            loop.remove_signal_handler(signum)


def _stopper(stop: StopEvent, signum: signal.Signals) -> object:
    def handler() -> None:
        if stop.reason is None:
            stop.reason = signum.name
        stop.set()

    return handler
