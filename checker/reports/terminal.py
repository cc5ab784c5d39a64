"""The table a person reads in a terminal or a CI log. Colour only when asked for."""

from __future__ import annotations

from ..outcomes import OutcomeClass, Verdict
from ..results import Result, RunReport
from ..sanitize import clean
from . import grid
from .base import ReportFormat
from .wording import first_line, identities

_COLOURS = {"green": "32", "red": "31", "yellow": "33", "dim": "2", "bold": "1"}
_SYMBOL = {Verdict.PASSED: "PASS", Verdict.FAILED: "FAIL", Verdict.INCONCLUSIVE: "WARN",
           Verdict.SKIPPED: "SKIP"}
MESSAGE_WIDTH = 160
_VERDICT_COLOUR = {Verdict.PASSED: "green", Verdict.FAILED: "red", Verdict.INCONCLUSIVE: "yellow",
                   Verdict.SKIPPED: "dim"}


def _symbol(result: Result) -> str:
    return "STOP" if result.cls is OutcomeClass.INTERRUPTED else _SYMBOL[result.verdict]


class TerminalFormat(ReportFormat):
    name = "terminal"
    help = "the table on stdout"
    to_file = False

    def paint(self, text: str, colour: str) -> str:
        return f"\033[{_COLOURS[colour]}m{text}\033[0m" if self.options.colour else text

    def render(self, report: RunReport) -> str:
        if report.config_issues:
            return "\n".join(f"error: {issue}" for issue in report.config_issues) + "\n"
        if self.options.quiet:
            return self._quiet(report)
        rows = [self._row(r) for r in report.results]
        widths = [max((len(row[i]) for row in rows), default=0) for i in range(5)]
        headers = ("RESULT", "CHECK", "CLASS", "HTTP", "TIME")
        widths = [max(w, len(h)) for w, h in zip(widths, headers, strict=True)]
        lines = [self.paint(self._line(headers, widths), "bold")]
        for result, row in zip(report.results, rows, strict=True):
            line = self._line(row, widths)
            lines.append(self.paint(line[: widths[0]], _VERDICT_COLOUR[result.verdict])
                         + line[widths[0]:])
            if not result.passed or self.options.verbose:
                lines.extend(self._explain(result))
        lines.extend(self._advice(report))
        lines.extend(self._identities(report))
        if self.options.matrix:
            lines.extend(self._matrix(report))
        lines.extend(self._changes(report))
        lines.append("")
        lines.append(self._summary(report))
        if report.note:
            lines.append(report.note)
        return "\n".join(lines) + "\n"

    def _quiet(self, report: RunReport) -> str:
        """Only what did not pass, one line each, then the counts."""
        lines = []
        for result in report.results:
            if not result.passed:
                symbol = _symbol(result)
                lines.append(f"{self.paint(symbol, _VERDICT_COLOUR[result.verdict])}  "
                             f"{result.check.id}  {result.cls.value}: {first_line(result)}")
        if self.options.matrix:
            lines.extend(self._matrix(report))
        lines.append(self._summary(report))
        return "\n".join(lines) + "\n"

    def _matrix(self, report: RunReport) -> list[str]:
        table = grid.build(report)
        marks = {Verdict.PASSED.value: "✓", Verdict.FAILED.value: "✗",
                 Verdict.INCONCLUSIVE.value: "?", Verdict.SKIPPED.value: "-",
                 grid.NOT_CHECKED: "·"}
        colours = {"✓": "green", "✗": "red", "?": "yellow", "-": "dim", "·": "dim"}
        first = max([len("MODEL"), *(len(row) for row in table.rows)])
        widths = [max(len(column), len(table.capabilities)) for column in table.columns]
        header = "  ".join(["MODEL".ljust(first), *(c.ljust(w) for c, w in
                                                     zip(table.columns, widths, strict=True))])
        lines = ["", self.paint(header.rstrip(), "bold")]
        for row in table.rows:
            cells = []
            for column, width in zip(table.columns, widths, strict=True):
                text = table.marks(row, column, marks)
                painted = "".join(self.paint(mark, colours[mark]) for mark in text)
                cells.append(painted + " " * (width - len(text)))
            lines.append("  ".join([row.ljust(first), *cells]).rstrip())
        lines.append(self.paint(grid.legend(marks, table.capabilities), "dim"))
        for name, text in grid.failing(report):
            lines.append(f"  {name}: {text}")
        return lines

    def _identities(self, report: RunReport) -> list[str]:
        """Who each provider's credentials are (cloud identities), so a log says who
        lacks access."""
        who = identities(report)
        if not who:
            return []
        return ["", self.paint("Identities:", "bold"),
                *(f"  {provider}: {identity}" for provider, identity in who.items())]

    def _changes(self, report: RunReport) -> list[str]:
        if report.baseline is None:
            return []
        if not report.changes:
            return ["", f"No changes since the baseline ({report.baseline})."]
        regressions = sum(c.regression for c in report.changes)
        lines = ["", self.paint(f"Changes since the baseline ({report.baseline}): "
                                f"{len(report.changes)}, {regressions} regression(s)", "bold")]
        for change in report.changes:
            mark = self.paint("REGRESSION", "red") if change.regression else "          "
            lines.append(f"  {mark}  {change.id}: {change.description}")
        return lines

    def _row(self, result: Result) -> tuple[str, str, str, str, str]:
        symbol = _symbol(result)
        status = "" if result.status is None else str(result.status)
        took = f"{result.duration_s:.2f}s"
        if result.attempts > 1:
            took += f" ×{result.attempts}"
        return symbol, result.check.id, result.cls.value, status, took

    @staticmethod
    def _line(cells: tuple[str, ...], widths: list[int]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    def _explain(self, result: Result) -> list[str]:
        pad = "      "
        lines = []
        if result.cls is OutcomeClass.OK and not result.passed:
            lines.append(f"{pad}expected {result.check.expect.label}, but the key can use "
                         f"{result.check.model}")
        elif result.message:
            message = clean(result.message)
            if not self.options.verbose and len(message) > MESSAGE_WIDTH:
                message = message[: MESSAGE_WIDTH - 1] + "…"
            lines.append(f"{pad}{message}")
        if result.request_id and not result.passed:
            lines.append(self.paint(f"{pad}request id {result.request_id}", "dim"))
        if result.identity:
            lines.append(self.paint(f"{pad}identity {result.identity}", "dim"))
        for note in result.notes:
            lines.append(self.paint(f"{pad}{note}", "dim"))
        return lines

    def _advice(self, report: RunReport) -> list[str]:
        """One hint per class that needs action, not one per failing row."""
        seen: dict[OutcomeClass, tuple[int, str]] = {}
        for result in report.results:
            if not result.passed:
                number, _ = seen.get(result.cls, (0, ""))
                seen[result.cls] = (number + 1, result.hint)
        if not seen:
            return []
        lines = ["", self.paint("What to do:", "bold")]
        for cls, (number, hint) in seen.items():
            lines.append(f"  {cls.value} ({number}): {hint}")
        return lines

    def _summary(self, report: RunReport) -> str:
        counts = report.counts
        parts = [
            self.paint(f"{counts.passed} passed", "green"),
            self.paint(f"{counts.failed} failed", "red") if counts.failed
            else f"{counts.failed} failed",
            self.paint(f"{counts.inconclusive} inconclusive", "yellow") if counts.inconclusive
            else f"{counts.inconclusive} inconclusive",
        ]
        if counts.skipped:
            parts.append(f"{counts.skipped} skipped")
        noun = "check" if counts.total == 1 else "checks"
        text = f"{counts.total} {noun}: " + ", ".join(parts) + f" in {report.duration_s:.1f}s"
        if report.interrupted_by:
            text += f" (stopped early: {report.interrupted_by})"
        return text
