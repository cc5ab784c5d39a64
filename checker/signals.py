"""SIGINT and SIGTERM outside the probing loop: remembered, not obeyed at once.

CI cancels a job with SIGTERM (then SIGKILL a few seconds later). While probing, the
runner's own handlers stop the probes and mark unfinished checks ``interrupted``; before
and after that, and above all while the reports are being written, a signal must not
kill the process half way: ``SignalLatch`` records it, the reports are finished, and the
command then exits 130 (SIGINT) or 143 (SIGTERM).
"""

from __future__ import annotations

import contextlib
import signal
from types import FrameType
from typing import Any

HANDLED = (signal.SIGINT, signal.SIGTERM)


class SignalLatch:
    def __init__(self) -> None:
        self.received: str | None = None
        self._previous: dict[signal.Signals, Any] = {}

    def _record(self, signum: int, frame: FrameType | None) -> None:
        if self.received is None:
            self.received = signal.Signals(signum).name

    def install(self) -> SignalLatch:
        for signum in HANDLED:
            with contextlib.suppress(ValueError):  # not the main thread: nothing to defer
                self._previous[signum] = signal.signal(signum, self._record)
        return self

    def restore(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()

    def __enter__(self) -> SignalLatch:
        return self.install()

    def __exit__(self, *exc: object) -> None:
        self.restore()
