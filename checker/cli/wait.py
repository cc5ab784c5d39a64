"""`checker wait`: re-probe what is not passing until it passes or the timeout."""

from __future__ import annotations

import argparse
import math
import sys
from typing import NamedTuple

from ..exit_codes import EXIT_USAGE
from .common import (
    Refused,
    enable_debug_log,
    finish,
    load,
    output_options,
    refuse_over_budget,
    refuse_shared_paths,
    run_options,
    select,
)
from .options import (
    CONFIG_HELP,
    ProbeArgs,
    ReportArgs,
    add_probe_options,
    add_report_options,
    duration,
)

HELP = ("re-probe what is not passing until it passes (e.g. after verifying the "
        "organization) or the timeout")


class WaitArgs(NamedTuple):
    probe: ProbeArgs
    reports: ReportArgs
    timeout: float
    interval: float


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-c", "--config", help=CONFIG_HELP)
    parser.add_argument("--timeout", dest="wait_timeout", type=duration, default=20 * 60,
                        help="how long to keep trying (default 20m)")
    parser.add_argument("--interval", type=duration, default=60.0,
                        help="between rounds (default 60s)")
    add_probe_options(parser, add_report_options(parser), attempt_timeout_flag="--attempt-timeout")


def main(args: argparse.Namespace) -> int:
    options = WaitArgs(ProbeArgs.from_args(args), ReportArgs.from_args(args),
                       args.wait_timeout, args.interval)
    return run(options)


def run(options: WaitArgs) -> int:
    from ..audit import redactor_for, run_wait
    from ..wait import Progress, describe

    probe = options.probe
    config = load(probe.config, probe.max_checks, options.reports)
    if config is None:
        return EXIT_USAGE
    rounds = 1 + math.floor(options.timeout / options.interval)
    try:
        output = output_options(options.reports)
        refuse_shared_paths(output)
        checks = select(config, probe.only)
        refuse_over_budget(config, checks, probe.max_cost, rounds)
    except Refused:
        return EXIT_USAGE
    redactor = redactor_for(config)
    if probe.debug:
        enable_debug_log(redactor)
    live = sys.stderr.isatty() and not options.reports.quiet
    status = [""]

    def on_progress(progress: Progress) -> None:
        status[0] = describe(progress)
        if not live:
            print(redactor(status[0]), flush=True)

    def on_tick(left: float) -> None:
        if live:
            line = status[0].rsplit("; next attempt in", 1)[0]
            sys.stderr.write(f"\r\033[K{line}; next attempt in {left:.0f}s")
            sys.stderr.flush()

    report, outcome = run_wait(config, checks, run_options(probe, config, options.reports.quiet),
                               redactor, timeout=options.timeout, interval=options.interval,
                               on_progress=on_progress, on_tick=on_tick)
    if live:
        sys.stderr.write("\r\033[K")
    # A wait that timed out with checks pending fails, also with --allow-inconclusive.
    return finish(report, output, redactor, probe.allow_inconclusive, probe.show_limits,
                  pending=not outcome.all_passing)
