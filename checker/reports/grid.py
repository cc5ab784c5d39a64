"""The matrix at a glance: a provider × model grid with one mark per capability, a legend,
and the failing cells' hints under it. Shared by the Markdown summary (always) and the
terminal (``--matrix``); each passes its own marks.

Columns are the providers (with the key, when a check names its own); rows are the models
in the order the config declares them; a cell holds one mark per capability of the run, in
the order of ``CAPABILITIES`` (``·`` where that capability was not checked).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from ..model import CAPABILITIES
from ..outcomes import Verdict
from ..results import Result, RunReport
from .wording import first_line, worst_first

NOT_CHECKED = "not checked"


class Grid(NamedTuple):
    columns: tuple[str, ...]
    rows: tuple[str, ...]
    capabilities: tuple[str, ...]  # those the run checked, in the canonical order
    cells: Mapping[tuple[str, str], Mapping[str, Result]]  # (row, column) → capability → result

    def marks(self, row: str, column: str, symbols: Mapping[str, str]) -> str:
        cell = self.cells.get((row, column), {})
        return "".join(symbols[mark_of(cell.get(capability))] for capability in self.capabilities)


def column_of(result: Result) -> str:
    check = result.check
    name = check.provider.name
    return f"{name} ({check.key_label})" if "(key " in check.id else name


def mark_of(result: Result | None) -> str:
    """A verdict's name, or ``NOT_CHECKED``."""
    return NOT_CHECKED if result is None else result.verdict.value


def build(report: RunReport) -> Grid:
    columns: dict[str, None] = {}
    rows: dict[str, None] = {}
    used: set[str] = set()
    cells: dict[tuple[str, str], dict[str, Result]] = {}
    for result in report.results:
        column, row = column_of(result), result.check.model
        columns.setdefault(column)
        rows.setdefault(row)
        used.add(result.check.capability)
        cells.setdefault((row, column), {})[result.check.capability] = result
    capabilities = tuple(c for c in CAPABILITIES if c in used)
    return Grid(tuple(columns), tuple(rows), capabilities, cells)


def legend(symbols: Mapping[str, str], capabilities: Sequence[str]) -> str:
    names = {Verdict.PASSED.value: "pass", Verdict.FAILED.value: "fail",
             Verdict.INCONCLUSIVE.value: "inconclusive", Verdict.SKIPPED.value: "skipped",
             NOT_CHECKED: "not checked"}
    marks = ", ".join(f"{symbols[key]} {name}" for key, name in names.items())
    order = " ".join(capabilities)
    return f"{marks}; one mark per capability, in this order: {order}"


def failing(report: RunReport) -> list[tuple[str, str]]:
    """(cell name, first line) of every check that did not pass, worst first."""
    problems = [r for r in report.results if not r.passed]
    return [(f"{column_of(r)} / {r.check.model} [{r.check.capability}]", first_line(r))
            for r in worst_first(problems)]
