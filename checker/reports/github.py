"""GitHub Actions workflow commands: one annotation per check that did not pass, on the
YAML line that declared its model. Worst first; GitHub shows at most 10 per type per
step, so the rest are summarised in one more annotation."""

from __future__ import annotations

from ..results import Result, RunReport, Verdict
from .interface import ReportFormat
from .junit import short_message

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


def _level(result: Result) -> str:
    return "error" if result.verdict is Verdict.FAILED else "warning"


class GitHubAnnotationsFormat(ReportFormat):
    name = "github-annotations"

    def render(self, report: RunReport) -> str:
        lines: list[str] = []
        for issue in report.config_issues[:MAX_PER_TYPE]:
            lines.append(annotation("error", f"{issue.message} ({issue.fix})" if issue.fix
                                    else issue.message, issue.location.file,
                                    issue.location.line, "checker: configuration error"))
        failed = [r for r in report.results if r.verdict is Verdict.FAILED]
        inconclusive = [r for r in report.results if r.verdict is Verdict.INCONCLUSIVE]
        for level, results in (("error", failed), ("warning", inconclusive)):
            for result in results[:MAX_PER_TYPE - (1 if len(results) > MAX_PER_TYPE else 0)]:
                check = result.check
                message = f"{short_message(result)}\n{result.hint}"
                lines.append(annotation(level, message, check.location.file,
                                        check.location.line, f"{check.id}: {result.cls.value}"))
            if len(results) > MAX_PER_TYPE:
                rest = results[MAX_PER_TYPE - 1:]
                names = ", ".join(r.check.id for r in rest[:20])
                lines.append(annotation(level, f"{len(rest)} more: {names}"
                                        + (" …" if len(rest) > 20 else ""),
                                        title=f"checker: {len(rest)} more {level}s"))
        return "\n".join(lines) + ("\n" if lines else "")
