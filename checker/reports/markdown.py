"""Markdown summary (GitHub job summary, PR comments): a headline, a table per provider,
collapsible details for everything that did not pass."""

from __future__ import annotations

from ..outcomes import OutcomeClass, info
from ..results import Result, RunReport, Verdict
from .interface import ReportFormat

ICONS = {Verdict.PASSED: "✅", Verdict.FAILED: "❌", Verdict.INCONCLUSIVE: "⚠️"}
MAX_BYTES = 1024 * 1024 - 4096  # GitHub refuses a step summary over 1 MiB


def cell(text: str) -> str:
    """Text safe inside a table cell: no pipes, no line breaks, no raw HTML."""
    escaped = text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
    return " ".join(escaped.split())


def headline(report: RunReport) -> str:
    counts = report.counts
    if report.config_issues:
        return "## ❌ checker: configuration error, nothing was probed"
    if counts.failed:
        icon, verdict = "❌", "model access check failed"
    elif counts.inconclusive:
        icon, verdict = "⚠️", "model access check inconclusive"
    else:
        icon, verdict = "✅", "model access check passed"
    parts = [f"{counts.passed} passed", f"{counts.failed} failed",
             f"{counts.inconclusive} inconclusive"]
    return f"## {icon} {verdict}: " + ", ".join(parts) + f" of {counts.total}"


def result_label(result: Result) -> str:
    if result.cls is OutcomeClass.INTERRUPTED:
        return "⏭️ not run"
    word = {Verdict.PASSED: "pass", Verdict.FAILED: "fail", Verdict.INCONCLUSIVE: "inconclusive"}
    return f"{ICONS[result.verdict]} {word[result.verdict]}"


class MarkdownFormat(ReportFormat):
    name = "markdown"

    def render(self, report: RunReport) -> str:
        lines = [headline(report), ""]
        if report.config_issues:
            lines.append("```")
            lines.extend(str(issue) for issue in report.config_issues)
            lines.append("```")
            return "\n".join(lines) + "\n"
        meta = [f"config `{report.config_path}`", f"{report.duration_s:.1f}s"]
        if report.shard:
            meta.append(f"shard {report.shard}")
        if report.interrupted_by:
            meta.append(f"**stopped early: {report.interrupted_by}**")
        lines.append(" · ".join(meta))
        lines.append("")
        for provider, results in report.by_provider().items():
            lines.append(f"### {cell(provider)}")
            lines.append("")
            lines.append("| Model | Capability | Key | Result | Class | Hint |")
            lines.append("|---|---|---|---|---|---|")
            for result in results:
                check = result.check
                hint = "" if result.passed else info(result.cls).summary
                lines.append(
                    f"| `{cell(check.model)}` | {cell(check.capability)} | "
                    f"{cell(check.key_label)} | {result_label(result)} | "
                    f"`{result.cls.value}` | {cell(hint)} |"
                )
            lines.append("")
        problems = [r for r in report.results if not r.passed]
        if problems:
            lines.append("<details><summary>Details of what did not pass</summary>")
            lines.append("")
            for result in problems:
                lines.extend(self._details(result))
            lines.append("</details>")
        text = "\n".join(lines) + "\n"
        if len(text.encode()) > MAX_BYTES:
            cut = text.encode()[:MAX_BYTES].decode(errors="ignore")
            text = cut + "\n\n…summary truncated; see the JUnit or JSON report.\n"
        return text

    def _details(self, result: Result) -> list[str]:
        check = result.check
        lines = [f"**{cell(check.id)}**: `{result.cls.value}` "
                 f"({check.location.file}:{check.location.line})", ""]
        if result.message:
            lines.append(f"> {cell(result.message)}")
            lines.append("")
        facts = []
        if result.status is not None:
            facts.append(f"HTTP {result.status}")
        if result.request_id:
            facts.append(f"request id `{cell(result.request_id)}`")
        facts.append(f"{result.attempts} attempt(s)")
        lines.append(" · ".join(facts))
        lines.append("")
        lines.append(f"What to do: {result.hint}")
        lines.append("")
        return lines
