"""Where reports go: files (atomically), the terminal, and GitHub Actions' own channels.

Every byte passes through the run's Redactor on its way out.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TextIO

from .reports import ReportFormat, write_atomic
from .reports.github import GitHubAnnotationsFormat
from .reports.json import JSONFormat
from .reports.junit import JUnitFormat
from .reports.markdown import MarkdownFormat
from .reports.terminal import TerminalFormat
from .results import RunReport
from .secrets import Redactor


@dataclass(frozen=True)
class OutputOptions:
    junit_xml: str | None = None
    json: str | None = None
    markdown: str | None = None
    annotations: bool = False
    github: bool = False  # step summary, step outputs, masks (in GitHub Actions)
    summary: bool = True  # append the Markdown summary to $GITHUB_STEP_SUMMARY (with github)
    colour: bool = False
    quiet: bool = False
    verbose: bool = False


def in_github_actions(environ: Mapping[str, str]) -> bool:
    return environ.get("GITHUB_ACTIONS") == "true"


def use_colour(stream: TextIO, environ: Mapping[str, str], choice: str = "auto") -> bool:
    if choice in ("always", "never"):
        return choice == "always"
    if environ.get("NO_COLOR"):  # https://no-color.org: set and not empty
        return False
    return stream.isatty() and environ.get("TERM") != "dumb"


def stop_commands(text: str, token: str) -> str:
    """``text`` fenced so the runner executes no workflow command inside it.

    The terminal table echoes provider response text; a body holding a line like
    ``::add-mask::`` or ``::error::`` must not become a command. ``token`` must be
    unguessable (see ``new_token``) or the text could end the fence itself."""
    if not text:
        return text
    body = text if text.endswith("\n") else text + "\n"
    return f"::stop-commands::{token}\n{body}::{token}::\n"


def new_token() -> str:
    return secrets.token_hex(16)


def write_reports(
    report: RunReport,
    options: OutputOptions,
    redactor: Redactor,
    exit_code: int,
    environ: Mapping[str, str] | None = None,
    stdout: TextIO | None = None,
) -> list[str]:
    """Write every requested report. Returns problems (e.g. an unwritable path), never
    raises for them: one report failing must not stop the others."""
    environ = os.environ if environ is None else environ
    stdout = sys.stdout if stdout is None else stdout
    problems: list[str] = []

    def to_file(path: str | None, format_: ReportFormat) -> None:
        if not path:
            return
        try:
            write_atomic(path, format_.render(report), redactor)
        except OSError as exc:
            problems.append(f"cannot write {path}: {exc.strerror or exc}")

    to_file(options.junit_xml, JUnitFormat())
    to_file(options.json, JSONFormat(exit_code))
    to_file(options.markdown, MarkdownFormat())

    if not options.quiet:
        terminal = TerminalFormat(colour=options.colour, verbose=options.verbose)
        table = redactor(terminal.render(report))
        stdout.write(stop_commands(table, new_token()) if options.github else table)
    if options.annotations:
        stdout.write(redactor(GitHubAnnotationsFormat().render(report)))
    stdout.flush()

    if options.github:
        problems.extend(_github_files(report, options, redactor, exit_code, environ))
    return problems


def _github_files(
    report: RunReport,
    options: OutputOptions,
    redactor: Redactor,
    exit_code: int,
    environ: Mapping[str, str],
) -> list[str]:
    problems = []
    summary_path = environ.get("GITHUB_STEP_SUMMARY")
    if summary_path and options.summary:
        try:
            with open(summary_path, "a", encoding="utf-8") as stream:
                stream.write(redactor(MarkdownFormat().render(report)))
        except OSError as exc:
            problems.append(f"cannot append to GITHUB_STEP_SUMMARY: {exc.strerror or exc}")
    output_path = environ.get("GITHUB_OUTPUT")
    if output_path:
        counts = report.counts
        lines = [
            f"exit-code={exit_code}",
            f"passed={counts.passed}",
            f"failed={counts.failed}",
            f"inconclusive={counts.inconclusive}",
            f"skipped={counts.skipped}",
            f"total={counts.total}",
            f"report={options.junit_xml or ''}",
            f"json={options.json or ''}",
        ]
        try:
            with open(output_path, "a", encoding="utf-8") as stream:
                stream.write("\n".join(lines) + "\n")
        except OSError as exc:
            problems.append(f"cannot append to GITHUB_OUTPUT: {exc.strerror or exc}")
    return problems
