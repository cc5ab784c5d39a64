"""`checker run`: probe every check, write the reports, exit with the verdict."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import NamedTuple

from ..exit_codes import EXIT_USAGE
from ..model import Config
from .common import (
    Refused,
    enable_debug_log,
    error,
    finish,
    load,
    output_options,
    refuse_over_budget,
    refuse_shared_paths,
    run_options,
    select,
)
from .options import CONFIG_HELP, ProbeArgs, ReportArgs, add_probe_options, add_report_options

HELP = "probe every check (the default command)"


class RunArgs(NamedTuple):
    probe: ProbeArgs
    reports: ReportArgs
    shard: str | None = None
    baseline: str | None = None
    fail_on_change: bool = False


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-c", "--config", help=CONFIG_HELP)
    add_probe_options(parser, add_report_options(parser))
    audit = parser.add_argument_group("audit")
    audit.add_argument("--shard", metavar="K/N",
                       help="run only shard K of N (deterministic; merge with `checker merge`)")
    audit.add_argument("--baseline", metavar="PATH",
                       help="a previous --json report: report what changed since (a missing "
                       "file means the first run)")
    audit.add_argument("--fail-on-change", action="store_true",
                       help="with --baseline: any regression fails, even when the "
                       "expectation allows it")


def main(args: argparse.Namespace) -> int:
    options = RunArgs(ProbeArgs.from_args(args), ReportArgs.from_args(args), args.shard,
                      args.baseline, args.fail_on_change)
    config = load(options.probe.config, options.probe.max_checks, options.reports)
    return EXIT_USAGE if config is None else run(options, config)


def run(options: RunArgs, config: Config) -> int:
    from ..audit import redactor_for, run_audit
    from .progress import Watcher

    probe = options.probe
    try:
        output = output_options(options.reports)
        refuse_shared_paths(output)
        checks = select(config, probe.only, options.shard)
        refuse_over_budget(config, checks, probe.max_cost)
        baseline = load_baseline(options)
    except Refused:
        return EXIT_USAGE
    redactor = redactor_for(config)
    if probe.debug:
        enable_debug_log(redactor)
    run_with = run_options(probe, config, options.reports.quiet)
    report = run_audit(config, checks, run_with, redactor, shard=options.shard)
    if isinstance(run_with.observer, Watcher):
        run_with.observer.finish()
    if baseline is not None:
        from ..baseline import compare
        from ..policy import fail_regressions

        complete = not probe.only and not options.shard
        changes = compare(baseline, report.results, complete=complete)
        results = report.results
        if options.fail_on_change:
            results = tuple(fail_regressions(results, changes))
        report = dataclasses.replace(report, results=results, baseline=options.baseline,
                                     changes=tuple(changes))
    return finish(report, output, redactor, probe.allow_inconclusive, probe.show_limits)


def load_baseline(options: RunArgs) -> dict[str, str] | None:
    if not options.baseline:
        if options.fail_on_change:
            error("--fail-on-change needs --baseline PATH")
            raise Refused
        return None
    from ..baseline import BaselineError, load_baseline

    try:
        baseline = load_baseline(options.baseline)
    except BaselineError as exc:
        error(str(exc))
        raise Refused from None
    if baseline is None:
        sys.stdout.write(f"note: baseline {options.baseline} does not exist yet; nothing to "
                         "compare with (this run's --json can be the next baseline)\n")
    return baseline
