"""What several commands share: reporting errors, loading the config, choosing the
checks, and finishing a run (exit code, reports). Heavy modules (the runner, httpx2) are
imported by the commands that probe, not here."""

from __future__ import annotations

import fnmatch
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from .. import __version__
from ..exit_codes import EXIT_FAILED, EXIT_INCONCLUSIVE, EXIT_OK, EXIT_USAGE
from ..model import DEFAULT_MAX_CHECKS, Check, Config, ConfigError, ConfigIssue, Location
from ..signals import SignalLatch
from .options import ProbeArgs, ReportArgs

if TYPE_CHECKING:
    from ..reports import OutputOptions
    from ..results import RunReport
    from ..runner import RunOptions
    from ..secrets import Redactor

# From the moment a reporting command starts, SIGINT/SIGTERM finish the reports first.
LATCH = SignalLatch()


class Refused(Exception):
    """Stop before probing: a usage problem already explained to the user (exit 2)."""


def error(message: str) -> None:
    sys.stderr.write(f"checker: {message}\n")
    sys.stderr.flush()


def config_path(given: str | None) -> str | None:
    from ..config import find_config

    if given:
        return given
    found = find_config()
    if found is None:
        error("no config found: pass -c PATH, or create checks.yml (or checks.yaml, "
              ".checker.yml, .checker.yaml, .github/checks.yml, .github/checks.yaml)")
    return found


def load(given: str | None, max_checks: int | None = None,
         reports: ReportArgs | None = None) -> Config | None:
    """The config, or None (exit 2) after saying why on stderr; with ``reports``, also in
    the reports the command was asked for (one `configuration` testcase)."""
    from ..config import load_config

    path = config_path(given)
    if path is None:
        if reports is not None:
            write_config_error_report(reports, ConfigError([ConfigIssue(
                Location("checks.yml", 1, 1), "no config found", "pass -c PATH")]), "checks.yml")
        return None
    try:
        config = load_config(path, max_checks=max_checks or DEFAULT_MAX_CHECKS)
    except ConfigError as exc:
        for issue in exc.issues:
            sys.stderr.write(f"{issue}\n")
        sys.stderr.flush()
        if reports is not None:
            write_config_error_report(reports, exc, path)
        return None
    for notice in config.notices:
        sys.stderr.write(f"{notice}\n")
    return config


def output_options(reports: ReportArgs) -> OutputOptions:
    from ..reports import OutputOptions
    from ..reports.writer import in_github_actions, use_colour

    github = in_github_actions(os.environ) and not reports.no_github
    annotations = (reports.github_annotations if reports.github_annotations is not None
                   else github)
    return OutputOptions(
        paths=dict(reports.paths),
        annotations=bool(annotations) and not reports.no_github,
        github=github,
        summary=not reports.no_summary,
        colour=use_colour(sys.stdout, os.environ, reports.color),
        quiet=reports.quiet,
        verbose=reports.verbose,
        matrix=reports.matrix,
    )


def refuse_shared_paths(output: OutputOptions) -> None:
    """Two reports at one path would silently overwrite each other: a usage error."""
    seen: dict[str, str] = {}
    for format_, path in output.paths.items():
        if not path:
            continue
        real = path if path == "-" else os.path.realpath(path)
        option = f"--{format_.value}"
        if real in seen:
            where = "stdout" if path == "-" else f"the same file ({path})"
            error(f"{seen[real]} and {option} both write to {where}: give each report its own "
                  "path")
            raise Refused
        seen[real] = option


def select(config: Config, only: Sequence[str], shard: str | None = None) -> list[Check]:
    """The checks this invocation runs: --only, then --shard."""
    checks = list(config.checks)
    if only:
        checks = [c for c in checks if any(fnmatch.fnmatchcase(c.id, g) for g in only)]
        if not checks:
            error(no_match(only, [c.id for c in config.checks]))
            raise Refused
    if shard:
        from ..shard import parse_shard, select_shard

        try:
            index, total = parse_shard(shard)
        except ValueError as exc:
            error(str(exc))
            raise Refused from None
        checks = select_shard(checks, index, total)
    return checks


def no_match(only: Sequence[str], names: Sequence[str]) -> str:
    """Why --only matched nothing, what it matches against, and names close to it."""
    import difflib

    close: list[str] = []
    for pattern in only:
        bare = pattern.strip("*")
        close += [n for n in names if bare and bare.lower() in n.lower()]
        close += difflib.get_close_matches(pattern, names, n=3, cutoff=0.5)
    shown = ", ".join(repr(n) for n in list(dict.fromkeys(close))[:5])
    quoted = " ".join(repr(p) for p in only)
    return (f"no check matches --only {quoted}: it matches whole check names, such as "
            f"{names[0]!r}, with shell-style wildcards (e.g. '*{only[0].strip('*')}*')"
            + (f"; close: {shown}" if shown else ""))


def refuse_over_budget(config: Config, checks: list[Check], max_cost: float | None,
                       rounds: int = 1) -> None:
    """--max-cost: refuse to start a run whose estimate exceeds it, naming the big spenders."""
    if max_cost is None:
        return
    from ..plan import plan, total_cost
    from ..providers import format_usd

    planned = plan(config, checks)
    estimate = total_cost(planned) * rounds
    if estimate <= max_cost:
        return
    costliest = sorted(planned, key=lambda p: p.cost.usd, reverse=True)[:5]
    names = ", ".join(f"{p.check.id} {format_usd(p.cost.usd)}" for p in costliest)
    what = "one run" if rounds == 1 else f"a wait of up to {rounds} rounds"
    error(f"estimated cost of {what} is {format_usd(estimate)}, over --max-cost "
          f"{format_usd(max_cost)}; costliest: {names}")
    raise Refused


def run_options(probe: ProbeArgs, config: Config, quiet: bool) -> RunOptions:
    from ..runner import DEFAULT_MAX_WAIT, RunOptions
    from .progress import Watcher

    defaults = config.defaults
    deadline = probe.deadline if probe.deadline is not None else defaults.deadline
    return RunOptions(
        concurrency=probe.concurrency or defaults.concurrency,
        provider_concurrency=probe.provider_concurrency or defaults.provider_concurrency,
        deadline=deadline or None,  # 0 = no limit
        timeout=probe.timeout,
        retries=probe.retries,
        max_wait=DEFAULT_MAX_WAIT if probe.max_wait is None else probe.max_wait,
        observer=Watcher(sys.stderr, live=sys.stderr.isatty() and not quiet),
    )


def enable_debug_log(redactor: Redactor) -> None:
    import logging

    class Redacting(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            return redactor(super().format(record))

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(Redacting("checker: %(message)s"))
    logger = logging.getLogger("checker")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)


def finish(report: RunReport, output: OutputOptions, redactor: Redactor,
           allow_inconclusive: bool, show_limits: bool = False, pending: bool = False) -> int:
    """Exit code and reports: everything after the probing."""
    from ..policy import exit_code
    from ..reports import write_reports

    code = exit_code(report.results, allow_inconclusive, interrupted_by=report.interrupted_by,
                     pending=pending)
    problems = write_reports(report, output, redactor, code)
    if show_limits:
        from ..limits import limits_table, render_limits

        sys.stdout.write("\nRate limits seen:\n" + redactor(render_limits(
            limits_table(report.results))))
    for problem in problems:
        error(problem)
    if problems and code in (EXIT_OK, EXIT_FAILED, EXIT_INCONCLUSIVE):
        code = EXIT_USAGE
    return signal_exit() or code


def signal_exit() -> int | None:
    """130/143 when a signal arrived while the reports were written (they were finished
    first)."""
    from ..policy import SIGNAL_EXITS

    return SIGNAL_EXITS.get(LATCH.received or "")


def write_config_error_report(reports: ReportArgs, failure: ConfigError, path: str) -> None:
    """With --junit-xml (or other reports) given, a config error still leaves a report
    that says why the run failed."""
    from ..config import display_path
    from ..reports import write_reports
    from ..results import RunReport
    from ..secrets import Redactor

    report = RunReport(
        config_path=display_path(path),
        results=(),
        started_at=datetime.now(UTC).replace(microsecond=0),
        duration_s=0.0,
        tool_version=__version__,
        config_issues=failure.issues,
    )
    import dataclasses

    options = dataclasses.replace(output_options(reports), table=False)
    for problem in write_reports(report, options, Redactor(), EXIT_USAGE):
        error(problem)
