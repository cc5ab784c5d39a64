"""The interface every report format implements: a pure function of the run's report."""

from __future__ import annotations

import abc

from ..results import RunReport


class ReportFormat(abc.ABC):
    """Renders a ``RunReport`` to text. Never does I/O: the caller writes (and redacts)."""

    name: str  # as in --<name> PATH

    @abc.abstractmethod
    def render(self, report: RunReport) -> str:
        """The whole report as text."""
