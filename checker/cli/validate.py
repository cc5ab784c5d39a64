"""`checker validate`: the config only, no network (fast enough for a pre-commit hook)."""

from __future__ import annotations

import argparse
import sys

from ..exit_codes import EXIT_OK, EXIT_USAGE
from .common import load
from .options import CONFIG_HELP, positive_int

HELP = "check the config only; no network"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-c", "--config", help=CONFIG_HELP)
    parser.add_argument("--max-checks", type=positive_int, default=None,
                        help="refuse a matrix larger than this (default 10000)")
    parser.add_argument("--strict", action="store_true",
                        help="also fail when a key's environment variable is unset or empty "
                        "(unless its check is optional)")


def main(args: argparse.Namespace) -> int:
    config = load(args.config, args.max_checks)
    if config is None:
        return EXIT_USAGE
    missing = config.missing_keys()
    required = [key for key in missing if not key.optional]
    if args.strict and required:
        # One line per missing key, where it is written; no "ok" line before them.
        for key in required:
            where = f"{key.location}: " if key.location else f"{config.path}: "
            names = ", ".join(key.missing)
            sys.stderr.write(f"{where}environment variable {names} is not set or empty "
                             "(--strict: the checks that use it would fail)\n")
        return EXIT_USAGE
    providers, checks = len(config.providers), len(config.checks)
    print(f"{config.path}: ok ({checks} check{'s' if checks != 1 else ''} across {providers} "
          f"provider{'s' if providers != 1 else ''})")
    if missing:
        names = ", ".join(dict.fromkeys(v for key in missing for v in key.missing))
        print(f"note: not set here: {names} (the checks that need "
              f"{'them' if len(missing) > 1 else 'it'} would fail, or be skipped where "
              "optional)")
    return EXIT_OK
