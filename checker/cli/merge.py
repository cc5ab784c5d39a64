"""`checker merge`: combine the ``--json`` reports of shards into one report."""

from __future__ import annotations

import argparse

from ..exit_codes import EXIT_USAGE
from .common import Refused, error, finish, output_options, refuse_shared_paths
from .options import ReportArgs, add_report_options

HELP = "combine the --json reports of shards into one report"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("reports", nargs="+", metavar="REPORT.json")
    add_report_options(parser)
    parser.add_argument("--allow-inconclusive", action="store_true",
                        help="exit 0 instead of 3 when nothing failed and every inconclusive "
                        "check is one time can change")


def main(args: argparse.Namespace) -> int:
    return run(list(args.reports), ReportArgs.from_args(args), args.allow_inconclusive)


def run(paths: list[str], reports: ReportArgs, allow_inconclusive: bool) -> int:
    from .. import __version__
    from ..merge import MergeError, merge_reports
    from ..secrets import Redactor

    try:
        output = output_options(reports)
        refuse_shared_paths(output)
    except Refused:
        return EXIT_USAGE
    try:
        report = merge_reports(paths, __version__)
    except MergeError as exc:
        error(str(exc))
        return EXIT_USAGE
    # Merged reports are read like any provider answer: in GitHub Actions the table is
    # fenced and the annotations escaped, exactly as for `checker run`.
    return finish(report, output, Redactor(), allow_inconclusive)
