"""Where reports go: files (atomically), the terminal, and GitHub Actions' own channels.

Every byte passes through the run's Redactor on its way out. In GitHub Actions the table,
which quotes provider text, is fenced with ``::stop-commands::<random token>``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TextIO

from ..results import RunReport
from ..secrets import Redactor
from .base import RenderOptions
from .registry import FILE_FORMATS, FORMATS, Format


@dataclass(frozen=True)
class OutputOptions:
    paths: Mapping[Format, str] = field(default_factory=dict)  # file formats → path
    annotations: bool = False
    github: bool = False  # step summary and step outputs (in GitHub Actions)
    summary: bool = True  # append the Markdown summary to $GITHUB_STEP_SUMMARY (with github)
    colour: bool = False
    quiet: bool = False  # the terminal shows only what did not pass
    table: bool = True  # print the terminal report at all
    verbose: bool = False
    matrix: bool = False

    def path(self, format_: Format) -> str | None:
        return self.paths.get(format_)


def in_github_actions(environ: Mapping[str, str]) -> bool:
    return environ.get("GITHUB_ACTIONS") == "true"


def use_colour(stream: TextIO, environ: Mapping[str, str], choice: str = "auto") -> bool:
    if choice in ("always", "never"):
        return choice == "always"
    if environ.get("NO_COLOR"):  # https://no-color.org: set and not empty
        return False
    return stream.isatty() and environ.get("TERM") != "dumb"


def stop_commands(text: str, token: str) -> str:
    """``text`` fenced so the runner executes no workflow command inside it (``::x::``
    and the legacy ``##[x]`` form alike).

    The terminal table echoes provider response text; a body holding a line like
    ``::add-mask::`` or ``::error::`` must not become a command. ``token`` must be
    unguessable (see ``new_token``) or the text could end the fence itself."""
    if not text:
        return text
    body = text if text.endswith("\n") else text + "\n"
    return f"::stop-commands::{token}\n{body}::{token}::\n"


def new_token() -> str:
    return secrets.token_hex(16)


def temporary_path(path: str) -> str:
    """Where ``path`` is written before it is renamed into place. Fixed per target, so a
    temporary file left by a killed run is overwritten (and renamed or removed) by the
    next write to the same path instead of piling up."""
    directory, name = os.path.split(os.path.abspath(path))
    return os.path.join(directory, f".{name}.checker-tmp")


def write_atomic(path: str, text: str, redactor: Redactor) -> None:
    """Write ``text`` (redacted) to ``path`` via a temporary file in the same directory
    and a rename, so a reader (or a cancelled job) never sees half a report."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    temporary = temporary_path(path)
    data = redactor(text).encode("utf-8")
    try:
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


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
    render = RenderOptions(exit_code=exit_code, colour=options.colour, verbose=options.verbose,
                           matrix=options.matrix, quiet=options.quiet)
    problems: list[str] = []
    # `--json -`: that report is stdout, so the table and annotations go to stderr.
    terminal = sys.stderr if "-" in options.paths.values() else stdout
    for format_ in FILE_FORMATS:
        path = options.path(format_)
        if not path:
            continue
        text = FORMATS[format_](render).render(report)
        if path == "-":
            stdout.write(redactor(text))
            continue
        try:
            write_atomic(path, text, redactor)
        except OSError as exc:
            problems.append(f"cannot write {path}: {exc.strerror or exc}")

    if options.table:
        table = redactor(FORMATS[Format.TERMINAL](render).render(report))
        terminal.write(stop_commands(table, new_token()) if options.github else table)
    if options.annotations:
        terminal.write(redactor(FORMATS[Format.GITHUB_ANNOTATIONS](render).render(report)))
    stdout.flush()
    terminal.flush()

    if options.github:
        problems.extend(_github_files(report, options, redactor, render, environ))
    return problems


def _github_files(report: RunReport, options: OutputOptions, redactor: Redactor,
                  render: RenderOptions, environ: Mapping[str, str]) -> list[str]:
    problems = []
    summary_path = environ.get("GITHUB_STEP_SUMMARY")
    if summary_path and options.summary:
        try:
            summary = FORMATS[Format.MARKDOWN](render).render(report)
            with open(summary_path, "a", encoding="utf-8") as stream:
                stream.write(redactor(summary))
        except OSError as exc:
            problems.append(f"cannot append to GITHUB_STEP_SUMMARY: {exc.strerror or exc}")
    output_path = environ.get("GITHUB_OUTPUT")
    if output_path:
        counts = report.counts
        lines = [
            f"exit-code={render.exit_code}",
            f"passed={counts.passed}",
            f"failed={counts.failed}",
            f"inconclusive={counts.inconclusive}",
            f"skipped={counts.skipped}",
            f"total={counts.total}",
            f"report={options.path(Format.JUNIT_XML) or ''}",
            f"json={options.path(Format.JSON) or ''}",
        ]
        try:
            with open(output_path, "a", encoding="utf-8") as stream:
                stream.write("\n".join(lines) + "\n")
        except OSError as exc:
            problems.append(f"cannot append to GITHUB_OUTPUT: {exc.strerror or exc}")
    return problems
