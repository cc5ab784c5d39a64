"""The interface every report format implements: a pure function of the run's report."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import ClassVar

from ..results import RunReport


@dataclass(frozen=True)
class RenderOptions:
    """What a format may be asked to vary; every format takes the same options."""

    exit_code: int | None = None  # the run's exit code, for formats that record it
    colour: bool = False
    verbose: bool = False
    matrix: bool = False  # also draw the provider × model grid (terminal)
    quiet: bool = False  # the terminal shows only what did not pass, and the counts


class ReportFormat(abc.ABC):
    """Renders a ``RunReport`` to text. Never does I/O: the writer writes (and redacts)."""

    name: ClassVar[str]  # the format's name; file formats are written with --<name> PATH
    help: ClassVar[str]  # one line for --help
    to_file: ClassVar[bool]  # written to a path given on the command line

    def __init__(self, options: RenderOptions | None = None) -> None:
        self.options = options or RenderOptions()

    @abc.abstractmethod
    def render(self, report: RunReport) -> str:
        """The whole report as text."""
