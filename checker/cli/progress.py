"""What a person sees while a run goes on: a live status line on a terminal, one line per
wait (and a heartbeat for slow probes) in a CI log. Written to stderr; it names checks
and classes, never provider text."""

from __future__ import annotations

from typing import TextIO

from ..runner import SLOW_AFTER, Activity, Observer, Snapshot


class Watcher(Observer):
    """What a person sees while the run goes on (stderr; never provider text). On a
    terminal: one live status line. In a CI log: one line per wait of a second or more,
    and every ``HEARTBEAT`` seconds a line naming what is still being probed."""

    HEARTBEAT = 10.0

    def __init__(self, stream: TextIO, live: bool) -> None:
        self.stream = stream
        self.live = live
        self.slow_after = SLOW_AFTER
        self.last_heartbeat = 0.0
        self.shown = False

    def waiting(self, activity: Activity) -> None:
        if self.live or activity.wait_for < 1.0:
            return
        self._line(f"checker: waiting {activity.wait_for:.0f}s for {activity.check.id}: "
                   f"{activity.wait_reason}")

    def tick(self, snapshot: Snapshot) -> None:
        if self.live:
            text = f"[{snapshot.elapsed:.0f}s] {snapshot.done}/{snapshot.total} done"
            if snapshot.active:
                text += " · " + _doing(snapshot.active[0], snapshot.now)
            self.stream.write(f"\r\033[K{text[:200]}")
            self.stream.flush()
            self.shown = True
            return
        slow = [a for a in snapshot.active
                if a.state == "probing" and snapshot.now - a.since >= self.slow_after]
        if slow and snapshot.elapsed - self.last_heartbeat >= self.HEARTBEAT:
            self.last_heartbeat = snapshot.elapsed
            names = ", ".join(_doing(a, snapshot.now) for a in slow[:3])
            more = f" and {len(slow) - 3} more" if len(slow) > 3 else ""
            self._line(f"checker: {snapshot.elapsed:.0f}s, {snapshot.done}/{snapshot.total} "
                       f"done; still probing {names}{more}")

    def finish(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()

    def _line(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()


def _doing(activity: Activity, now: float) -> str:
    if activity.state == "waiting":
        left = max(0.0, activity.wait_for - (now - activity.since))
        return f"{activity.check.id} waiting {left:.0f}s more ({activity.wait_reason})"
    return f"{activity.check.id} (attempt {activity.attempts}, {now - activity.since:.0f}s)"
