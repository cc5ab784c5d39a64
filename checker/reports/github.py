"""GitHub Actions workflow commands: one annotation per check that did not pass, on the
YAML line that declared its model. Worst first; GitHub shows at most 10 per type per
step, so from the tenth on they are summarised in one annotation that names them all."""

from __future__ import annotations

from collections.abc import Sequence

from ..outcomes import Verdict
from ..results import Result, RunReport
from .base import ReportFormat
from .wording import first_line, location_of, short_message, worst_first

MAX_PER_TYPE = 10


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(level: str, message: str, file: str | None = None, line: int | None = None,
               title: str | None = None) -> str:
    properties = []
    if file:
        properties.append(f"file={escape_property(file)}")
    if line:
        properties.append(f"line={line}")
    if title:
        properties.append(f"title={escape_property(title)}")
    head = f"::{level} " + ",".join(properties) if properties else f"::{level}"
    return f"{head}::{escape_data(message)}"


def capped(level: str, lines: Sequence[str], names: Sequence[str]) -> list[str]:
    """At most MAX_PER_TYPE annotations of one level: the first ones as they are, the
    rest summarised in the last slot (``names`` says what each line was about)."""
    if len(lines) <= MAX_PER_TYPE:
        return list(lines)
    kept = MAX_PER_TYPE - 1
    rest = names[kept:]
    listed = ", ".join(rest[:20]) + (" …" if len(rest) > 20 else "")
    return [*lines[:kept], annotation(level, f"{len(rest)} more: {listed}",
                                      title=f"checker: {len(rest)} more {level}s")]


def result_annotation(level: str, result: Result) -> str:
    """What failed and what to do first, then the provider's words and the full hint."""
    where = location_of(result)
    message = f"{first_line(result)}\n{short_message(result)}\n{result.hint}"
    if result.identity:
        message += f"\nidentity: {result.identity}"
    return annotation(level, message, where.file, where.line,
                      f"{result.check.id}: {result.cls.value}")


class GitHubAnnotationsFormat(ReportFormat):
    name = "github-annotations"
    help = "GitHub workflow annotations on the config lines (default in GitHub Actions)"
    to_file = False

    def render(self, report: RunReport) -> str:
        issues = report.config_issues
        lines = capped("error", [
            annotation("error", f"{issue.message} ({issue.fix})" if issue.fix else issue.message,
                       issue.location.file, issue.location.line, "checker: configuration error")
            for issue in issues], [str(issue.location) for issue in issues])
        for level, verdict in (("error", Verdict.FAILED), ("warning", Verdict.INCONCLUSIVE),
                               ("notice", Verdict.SKIPPED)):
            results = worst_first([r for r in report.results if r.verdict is verdict])
            lines.extend(capped(level, [result_annotation(level, r) for r in results],
                                [r.check.id for r in results]))
        return "\n".join(lines) + ("\n" if lines else "")
