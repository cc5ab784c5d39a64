"""`checker plan`: the matrix, the exact request of each probe and its price. No network."""

from __future__ import annotations

import argparse
import json
import sys

from ..exit_codes import EXIT_OK, EXIT_USAGE
from .common import Refused, load, select
from .options import CONFIG_HELP, duration, positive_int

HELP = "show the matrix, each request and its cost; no network"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-c", "--config", help=CONFIG_HELP)
    parser.add_argument("--max-checks", type=positive_int, default=None,
                        help="refuse a matrix larger than this (default 10000)")
    parser.add_argument("--json", action="store_true", help="print the plan as JSON")
    parser.add_argument("-q", "--quiet", action="store_true", help="one line per probe")
    parser.add_argument("--only", action="append", metavar="GLOB",
                        help="only the checks whose name matches (repeatable), as for `run`")
    parser.add_argument("--wait", dest="wait_timeout", type=duration, metavar="DURATION",
                        help="also estimate the worst-case cost of `checker wait` this long")
    parser.add_argument("--interval", type=duration, default=60.0,
                        help="with --wait: seconds between rounds (default 60s)")


def main(args: argparse.Namespace) -> int:
    from ..plan import plan, plan_record, render_plan, render_wait_cost, wait_cost

    config = load(args.config, args.max_checks)
    if config is None:
        return EXIT_USAGE
    try:
        checks = select(config, args.only or ())
    except Refused:
        return EXIT_USAGE
    planned = plan(config, checks)
    waiting = wait_cost(planned, args.wait_timeout, args.interval) if args.wait_timeout else None
    if args.json:
        print(json.dumps(plan_record(config, planned, waiting, args.wait_timeout,
                                     args.interval), indent=2))
    else:
        sys.stdout.write(render_plan(planned, one_line=args.quiet))
        if waiting is not None:
            sys.stdout.write(render_wait_cost(waiting, args.wait_timeout, args.interval))
    return EXIT_OK
