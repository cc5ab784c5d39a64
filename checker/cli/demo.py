"""`checker demo`: the whole product against the built-in simulator, no key needed."""

from __future__ import annotations

import argparse
import sys

from ..reports import Format
from .options import ProbeArgs, ReportArgs, add_probe_options, add_report_options
from .run import RunArgs, run

HELP = "run a demo against the built-in simulator"
REPORT = "checker-report.xml"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_probe_options(parser, add_report_options(parser, {Format.JUNIT_XML: REPORT}))


def main(args: argparse.Namespace) -> int:
    from ..config import load_config
    from ..demo import DEMO_CONFIG, demo_config_text, demo_environment, use_demo_aws_credentials
    from ..simulator import Simulator

    options = RunArgs(ProbeArgs.from_args(args), ReportArgs.from_args(args))
    with open(DEMO_CONFIG, "w", encoding="utf-8") as handle:
        handle.write(demo_config_text())
    with Simulator() as simulator:
        use_demo_aws_credentials(simulator)
        config = load_config(DEMO_CONFIG, demo_environment(simulator))
        # Said on stderr: stdout is the table, or a report (`--json -`).
        print(f"checker demo: simulator on {simulator.url}; {len(config.checks)} checks from "
              f"the demo config, written to {DEMO_CONFIG}\n", file=sys.stderr)
        code = run(options, config)
    junit = options.reports.paths.get(Format.JUNIT_XML)
    if junit and not options.reports.quiet and code in (0, 1, 3):
        print(f"\nJUnit report: {junit} · the demo includes failures on purpose, "
              f"so it exits {code}", file=sys.stderr)
    return code
