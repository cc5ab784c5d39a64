"""Markdown summary (GitHub job summary, PR comments): a headline, a table per provider,
collapsible details for everything that did not pass.

Provider messages are untrusted text: they are escaped so a body cannot add links,
images or HTML to the summary. GitHub refuses a step summary over 1 MiB, so the text is
cut on a line boundary below that, keeping the headline and closing open elements."""

from __future__ import annotations

import re

from ..limits import limits_table
from ..outcomes import OutcomeClass, Verdict, info
from ..results import Result, RunReport
from . import grid
from .base import ReportFormat
from .wording import identities

ICONS = {Verdict.PASSED: "✅", Verdict.FAILED: "❌", Verdict.INCONCLUSIVE: "⚠️",
         Verdict.SKIPPED: "⏭️"}
MAX_BYTES = 1024 * 1024 - 4096  # GitHub refuses a step summary over 1 MiB
TRUNCATED = "\n…summary truncated (GitHub allows 1 MiB); see the JUnit or JSON report.\n"

# Markdown punctuation that could start a link, image, emphasis, code or HTML.
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#!|~&])")


def cell(text: str) -> str:
    """Untrusted text as plain inline Markdown on one line, safe in a table cell: every
    character that could start markup is backslash-escaped."""
    return " ".join(_SPECIAL.sub(r"\\\1", text).split())


def code(text: str) -> str:
    """Text as an inline code span (backslashes are literal there; only the table's
    pipe needs escaping)."""
    text = " ".join(text.split())
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") else text
    body = padded.replace("|", "\\|")
    return f"{fence}{body}{fence}"


def fit(text: str, limit: int = MAX_BYTES) -> str:
    """``text`` if it is at most ``limit`` UTF-8 bytes; else cut at a line boundary, open
    ``<details>`` closed, and a note that says so."""
    data = text.encode()
    if len(data) <= limit:
        return text
    budget = limit - len(TRUNCATED.encode()) - len(b"\n</details>\n")
    head = data[:budget].decode(errors="ignore")
    head = head[: head.rfind("\n") + 1] if "\n" in head else ""
    if head.count("<details>") > head.count("</details>"):
        head += "\n</details>\n"
    return head + TRUNCATED


def headline(report: RunReport) -> str:
    counts = report.counts
    if report.config_issues:
        return "## ❌ checker: configuration error, nothing was probed"
    if counts.failed:
        icon, verdict = "❌", "model access check failed"
    elif counts.inconclusive:
        icon, verdict = "⚠️", "model access check inconclusive"
    elif counts.skipped == counts.total:
        icon, verdict = "⚠️", "nothing was probed (every check skipped)"
    else:
        icon, verdict = "✅", "model access check passed"
    parts = [f"{counts.passed} passed", f"{counts.failed} failed",
             f"{counts.inconclusive} inconclusive"]
    if counts.skipped:
        parts.append(f"{counts.skipped} skipped")
    return f"## {icon} {verdict}: " + ", ".join(parts) + f" of {counts.total}"


def result_label(result: Result) -> str:
    if result.cls is OutcomeClass.INTERRUPTED:
        return "⏹️ interrupted"
    word = {Verdict.PASSED: "pass", Verdict.FAILED: "fail", Verdict.INCONCLUSIVE: "inconclusive",
            Verdict.SKIPPED: "skipped"}
    return f"{ICONS[result.verdict]} {word[result.verdict]}"


def row_hint(result: Result) -> str:
    if not result.passed:
        return info(result.cls).summary
    if result.check.expect.label != "ok":
        return f"expected {result.check.expect.label}"
    return ""


GRID_MARKS = {Verdict.PASSED.value: "✅", Verdict.FAILED.value: "❌",
              Verdict.INCONCLUSIVE.value: "⚠️", Verdict.SKIPPED.value: "⏭️",
              grid.NOT_CHECKED: "·"}


def matrix_section(report: RunReport) -> list[str]:
    """The provider × model grid, its legend, and what failed under it."""
    table = grid.build(report)
    if not table.rows:
        return []
    lines = ["### Matrix", "", "| Model | " + " | ".join(cell(c) for c in table.columns) + " |",
             "|---|" + "---|" * len(table.columns)]
    for row in table.rows:
        marks = [table.marks(row, column, GRID_MARKS) for column in table.columns]
        lines.append(f"| {code(row)} | " + " | ".join(marks) + " |")
    lines += ["", grid.legend(GRID_MARKS, table.capabilities), ""]
    problems = grid.failing(report)
    if problems:
        lines += ["**Not passing, worst first**", ""]
        lines += [f"- {cell(name)}: {cell(text)}" for name, text in problems[:50]]
        if len(problems) > 50:
            lines.append(f"- … and {len(problems) - 50} more (details below)")
        lines.append("")
    return lines


def changes_section(report: RunReport) -> list[str]:
    """What changed since the baseline (nightly audits), regressions first."""
    if report.baseline is None:
        return []
    if not report.changes:
        return [f"No changes since the last run ({code(report.baseline)}).", ""]
    ordered = sorted(report.changes, key=lambda c: not c.regression)
    lines = [f"### Changes since the last run ({len(ordered)})", "",
             "| Check | Change | Regression |", "|---|---|---|"]
    for change in ordered:
        lines.append(f"| {cell(change.id)} | {cell(change.description)} | "
                     f"{'❌ yes' if change.regression else 'no'} |")
    return [*lines, ""]


def limits_section(report: RunReport) -> list[str]:
    """Rate limits each key reported, collapsed: useful to see a key's tier."""
    rows = limits_table(report.results)
    if not rows:
        return []
    lines = ["<details><summary>Rate limits seen</summary>", "",
             "| Provider | Model | Key | Requests/min | Tokens/min |", "|---|---|---|---|---|"]
    for row in rows:
        rpm, tpm = row.limits.limit_requests, row.limits.limit_tokens
        lines.append(f"| {cell(row.provider)} | {code(row.model)} | {cell(row.key)} | "
                     f"{'-' if rpm is None else f'{rpm:,}'} | "
                     f"{'-' if tpm is None else f'{tpm:,}'} |")
    return [*lines, "", "</details>", ""]


class MarkdownFormat(ReportFormat):
    name = "markdown"
    help = "write a Markdown summary (the GitHub job summary)"
    to_file = True

    def render(self, report: RunReport) -> str:
        lines = [headline(report), ""]
        if report.config_issues:
            lines.append("```")
            lines.extend(str(issue) for issue in report.config_issues)
            lines.append("```")
            return fit("\n".join(lines) + "\n")
        meta = [f"config `{report.config_path}`", f"{report.duration_s:.1f}s"]
        if report.shard:
            meta.append(f"shard {report.shard}")
        if report.interrupted_by:
            meta.append(f"**stopped early: {report.interrupted_by}**")
        if report.note:
            meta.append(cell(report.note))
        lines.append(" · ".join(meta))
        lines.append("")
        lines.extend(matrix_section(report))
        lines.extend(changes_section(report))
        who = identities(report)
        for provider, results in report.by_provider().items():
            lines.append(f"### {cell(provider)}")
            lines.append("")
            if provider in who:
                lines.append(f"Identity: {code(who[provider])}")
                lines.append("")
            lines.append("| Model | Capability | Key | Result | Class | Hint |")
            lines.append("|---|---|---|---|---|---|")
            for result in results:
                check = result.check
                lines.append(
                    f"| {code(check.model)} | {cell(check.capability)} | "
                    f"{cell(check.key_label)} | {result_label(result)} | "
                    f"`{result.cls.value}` | {cell(row_hint(result))} |"
                )
            lines.append("")
        lines.extend(limits_section(report))
        problems = [r for r in report.results if not r.passed]
        if problems:
            lines.append("<details><summary>Details of what did not pass</summary>")
            lines.append("")
            for result in problems:
                lines.extend(self._details(result))
            lines.append("</details>")
        return fit("\n".join(lines) + "\n")

    def _details(self, result: Result) -> list[str]:
        check = result.check
        lines = [f"**{cell(check.id)}**: `{result.cls.value}` "
                 f"({cell(check.location.file)}:{check.location.line})", ""]
        if result.message:
            lines.append(f"> {cell(result.message)}")
            lines.append("")
        facts = []
        if result.status is not None:
            facts.append(f"HTTP {result.status}")
        if result.request_id:
            facts.append(f"request id {code(result.request_id)}")
        facts.append(f"{result.attempts} attempt(s)")
        if result.identity:
            facts.append(f"identity {code(result.identity)}")
        lines.append(" · ".join(facts))
        lines.append("")
        lines.append(f"What to do: {result.hint}")
        lines.append("")
        return lines
