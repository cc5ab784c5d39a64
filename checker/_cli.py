"""The `checker` command: argument parsing and dispatch. Thin by design: the work is in
``audit``, ``plan``, ``diagnose`` and ``reports``; this module turns flags into calls
and results into exit codes. Heavy modules (httpx, the runner) are imported only by the
commands that send probes, so `checker validate` in a pre-commit hook starts fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from . import __version__
from .exit_codes import (
    EXIT_FAILED,
    EXIT_INCONCLUSIVE,
    EXIT_OK,
    EXIT_SIGINT,
    EXIT_SIGTERM,
    EXIT_USAGE,
)
from .signals import SignalLatch

# Imported where used: `checker --version` loads none of them, `checker validate` only
# the config loader.
if TYPE_CHECKING:
    from .config import Check, Config, ConfigError
    from .output import OutputOptions
    from .results import RunReport
    from .runner import RunOptions
    from .secrets import Redactor


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or (args_list[0] not in SUBCOMMANDS
                         and args_list[0] not in ("-h", "--help", "--version")):
        args_list.insert(0, "run")  # `checker` alone (or with run's flags) means `checker run`
    only = args_list[0] if args_list[0] in SUBCOMMANDS else None
    args = build_parser(only).parse_args(args_list)
    if only in WRITES_REPORTS:
        _LATCH.install()  # a signal from here on finishes the reports, then exits 130/143
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        _error("interrupted")
        return EXIT_SIGINT
    except BrokenPipeError:
        return EXIT_OK
    finally:
        _LATCH.restore()


_LATCH = SignalLatch()
# Commands that write reports after probing: SIGINT/SIGTERM must not cut that short.
WRITES_REPORTS = frozenset({"run", "wait", "demo", "merge"})

# --- parser ----------------------------------------------------------------------------------


def _duration(text: str) -> float:
    from .retry import parse_duration

    value = parse_duration(text)
    if value is None or value <= 0:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (try 90s, 20m, 1h)")
    return value


def _budget(text: str) -> float:
    """A duration where 0 means "no limit"."""
    from .retry import parse_duration

    value = parse_duration(text)
    if value is None or value < 0:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (try 5m, 90s; 0 = none)")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


CONFIG_HELP = ("config file (default: the first of checks.yml, .checker.yml, "
               ".github/checks.yml that exists)")


def _run_arguments(run: argparse.ArgumentParser) -> None:
    run.add_argument("-c", "--config", help=CONFIG_HELP)
    _add_run_options(run)
    audit = run.add_argument_group("audit")
    audit.add_argument("--shard", metavar="K/N",
                       help="run only shard K of N (deterministic; merge with `checker merge`)")
    audit.add_argument("--baseline", metavar="PATH",
                       help="a previous --json report: report what changed since (a missing "
                       "file means the first run)")
    audit.add_argument("--fail-on-change", action="store_true",
                       help="with --baseline: any regression fails, even when the "
                       "expectation allows it")
    run.set_defaults(handler=cmd_run)


def _wait_arguments(wait: argparse.ArgumentParser) -> None:
    wait.add_argument("-c", "--config", help=CONFIG_HELP)
    wait.add_argument("--timeout", dest="wait_timeout", type=_duration, default=20 * 60,
                      help="how long to keep trying (default 20m)")
    wait.add_argument("--interval", type=_duration, default=60.0,
                      help="between rounds (default 60s)")
    _add_run_options(wait, attempt_timeout_flag="--attempt-timeout")
    wait.set_defaults(handler=cmd_wait)


def _merge_arguments(merge: argparse.ArgumentParser) -> None:
    merge.add_argument("reports", nargs="+", metavar="REPORT.json")
    _add_report_options(merge)
    merge.add_argument("--allow-inconclusive", action="store_true",
                       help="exit 0 instead of 3 when nothing failed and every inconclusive "
                       "check is one time can change")
    merge.set_defaults(handler=cmd_merge)


def _demo_arguments(demo: argparse.ArgumentParser) -> None:
    _add_run_options(demo, junit_default="checker-report.xml")
    demo.set_defaults(handler=cmd_demo)


def _plan_arguments(plan: argparse.ArgumentParser) -> None:
    plan.add_argument("-c", "--config", help=CONFIG_HELP)
    plan.add_argument("--max-checks", type=_positive_int, default=None,
                      help="refuse a matrix larger than this (default 10000)")
    plan.add_argument("--json", action="store_true", help="print the plan as JSON")
    plan.add_argument("-q", "--quiet", action="store_true", help="one line per probe")
    plan.add_argument("--wait", dest="wait_timeout", type=_duration, metavar="DURATION",
                      help="also estimate the worst-case cost of `checker wait` this long")
    plan.add_argument("--interval", type=_duration, default=60.0,
                      help="with --wait: seconds between rounds (default 60s)")
    plan.set_defaults(handler=cmd_plan)


def _validate_arguments(validate: argparse.ArgumentParser) -> None:
    validate.add_argument("-c", "--config", help=CONFIG_HELP)
    validate.add_argument("--max-checks", type=_positive_int, default=None,
                          help="refuse a matrix larger than this (default 10000)")
    validate.add_argument("--strict", action="store_true",
                          help="also fail when a key's environment variable is unset or empty "
                          "(unless its check is optional)")
    validate.set_defaults(handler=cmd_validate)


def _diagnose_arguments(diagnose: argparse.ArgumentParser) -> None:
    diagnose.add_argument("file", nargs="?", default="-", help="file with the body; - = stdin")
    diagnose.add_argument("--status", type=int, help="the HTTP status, if you know it")
    diagnose.add_argument("--json", action="store_true", help="print JSON")
    diagnose.set_defaults(handler=cmd_diagnose)


def _simulate_arguments(simulate: argparse.ArgumentParser) -> None:
    simulate.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    simulate.add_argument("--latency", type=float, default=0.0, help="seconds per answer")
    simulate.add_argument("--env-file", help="write export lines for one key per scenario "
                          "(SIM_KEY_<SCENARIO>) and SIM_URL to this file")
    simulate.set_defaults(handler=cmd_simulate)


def _schema_arguments(schema: argparse.ArgumentParser) -> None:
    schema.set_defaults(handler=cmd_schema)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole parser, or (``only``) every command listed but only that one's options
    built: a pre-commit hook running `checker validate` need not build the rest."""
    parser = argparse.ArgumentParser(
        prog="checker",
        description="Prove, before you deploy, that your API keys can use the models and "
        "capabilities your code calls.",
        epilog="Exit codes: 0 all checks met their expectation; 1 at least one definite "
        "failure; 2 usage or configuration error; 3 only inconclusive results "
        "(--allow-inconclusive turns that into 0); 130/143 interrupted by SIGINT/SIGTERM.",
    )
    parser.add_argument("--version", action="version", version=f"checker {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (help_text, add_arguments) in SUBCOMMANDS.items():
        command = commands.add_parser(name, help=help_text)
        if only is None or only == name:
            add_arguments(command)
    return parser


def _usd(text: str) -> float:
    try:
        value = float(text.lstrip("$"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an amount of USD: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _add_run_options(parser: argparse.ArgumentParser, junit_default: str | None = None,
                     attempt_timeout_flag: str = "--timeout") -> None:
    reports = _add_report_options(parser, junit_default)
    reports.add_argument("--debug", action="store_true",
                         help="log every attempt to stderr (keys redacted)")
    _add_probe_options(parser, reports, attempt_timeout_flag)


def _add_report_options(parser: argparse.ArgumentParser,
                        junit_default: str | None = None) -> argparse._ArgumentGroup:
    reports = parser.add_argument_group("reports")
    reports.add_argument("--junit-xml", metavar="PATH", default=junit_default,
                         help="write a JUnit XML report" + (
                             f" (default: {junit_default})" if junit_default else ""))
    reports.add_argument("--json", metavar="PATH", help="write a JSON report")
    reports.add_argument("--markdown", metavar="PATH", help="write a Markdown summary")
    reports.add_argument("--github-annotations", action="store_true", default=None,
                         help="print GitHub workflow annotations (default in GitHub Actions)")
    reports.add_argument("--no-github", action="store_true",
                         help="in GitHub Actions, do not annotate, summarise or set outputs")
    reports.add_argument("--no-summary", action="store_true",
                         help="in GitHub Actions, do not append the Markdown summary to the "
                         "job summary")
    reports.add_argument("-q", "--quiet", action="store_true", help="no table on stdout")
    reports.add_argument("-v", "--verbose", action="store_true",
                         help="explain passing checks too")
    reports.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                         help="colour the table (default: on a terminal, unless NO_COLOR)")
    return reports


def _add_probe_options(parser: argparse.ArgumentParser, reports: argparse._ArgumentGroup,
                       attempt_timeout_flag: str) -> None:
    probing = parser.add_argument_group("probing")
    probing.add_argument("--concurrency", type=_positive_int, help="probes in flight at once")
    probing.add_argument("--provider-concurrency", type=_positive_int,
                         help="probes in flight per provider")
    probing.add_argument(attempt_timeout_flag, dest="timeout", type=_duration,
                         help="per attempt, e.g. 20s")
    probing.add_argument("--retries", type=_non_negative_int,
                         help="retries for transient outcomes")
    probing.add_argument("--deadline", type=_budget,
                         help="time budget for the whole run, e.g. 5m (default: the config's "
                         "`defaults: deadline`, else 5m; 0 = none); unfinished checks are "
                         "reported as interrupted")
    probing.add_argument("--max-wait", type=_budget, default=None,
                         help="the longest single wait before a retry, e.g. for Retry-After "
                         "(default 60s); a longer one is reported as rate_limited, not slept")
    probing.add_argument("--max-checks", type=_positive_int, default=None,
                         help="refuse a matrix larger than this (default 10000)")
    probing.add_argument("--only", action="append", metavar="GLOB",
                         help="run only checks whose name matches (repeatable)")
    probing.add_argument("--max-cost", type=_usd, metavar="USD",
                         help="refuse to start when the estimated cost exceeds this (exit 2)")
    reports.add_argument("--show-limits", action="store_true",
                         help="print the rate limits each key reported (x-ratelimit-*)")
    parser.add_argument("--allow-inconclusive", action="store_true",
                        help="exit 0 instead of 3 when nothing failed but some checks "
                        "were inconclusive")


# --- commands --------------------------------------------------------------------------------


def _error(message: str) -> None:
    sys.stderr.write(f"checker: {message}\n")
    sys.stderr.flush()


def _config_path(args: argparse.Namespace) -> str | None:
    from .config import find_config

    if args.config:
        return str(args.config)
    found = find_config()
    if found is None:
        _error("no config found: pass -c PATH, or create checks.yml (or .checker.yml, "
               ".github/checks.yml)")
    return found


def _load(args: argparse.Namespace, with_reports: bool = False) -> Config | None:
    """The config, or None (exit 2) after saying why on stderr; ``with_reports``: also in
    the reports `run`/`wait` were asked for (one `configuration` testcase)."""
    from .config import ConfigError, ConfigIssue, Location, load_config

    path = _config_path(args)
    if path is None:
        if with_reports:
            _write_config_error_report(args, ConfigError([ConfigIssue(
                Location("checks.yml", 1, 1), "no config found", "pass -c PATH")]),
                "checks.yml")
        return None
    from .config import DEFAULT_MAX_CHECKS

    try:
        config = load_config(path, max_checks=getattr(args, "max_checks", None)
                             or DEFAULT_MAX_CHECKS)
    except ConfigError as exc:
        _print_issues(exc)
        if with_reports:
            _write_config_error_report(args, exc, path)
        return None
    for notice in config.notices:
        sys.stderr.write(f"{notice}\n")
    return config


def _print_issues(error: ConfigError) -> None:
    for issue in error.issues:
        sys.stderr.write(f"{issue}\n")
    sys.stderr.flush()


def cmd_validate(args: argparse.Namespace) -> int:
    loaded = _load(args)
    if loaded is None:
        return EXIT_USAGE
    missing = loaded.missing_keys()
    required = [key for key in missing if not key.optional]
    if args.strict and required:
        # One line per missing key, where it is written; no "ok" line before them.
        for key in required:
            where = f"{key.location}: " if key.location else f"{loaded.path}: "
            sys.stderr.write(f"{where}{key.missing_message().split(' (api_key at')[0]} "
                             "(--strict: the checks that use it would fail)\n")
        return EXIT_USAGE
    providers = len(loaded.providers)
    checks = len(loaded.checks)
    print(f"{loaded.path}: ok ({checks} check{'s' if checks != 1 else ''} across {providers} "
          f"provider{'s' if providers != 1 else ''})")
    if missing:
        names = ", ".join(dict.fromkeys(v for key in missing for v in key.missing))
        print(f"note: not set here: {names} (the checks that need "
              f"{'them' if len(missing) > 1 else 'it'} would fail, or be skipped where "
              "optional)")
    return EXIT_OK


def cmd_plan(args: argparse.Namespace) -> int:
    import json

    from .catalog import PRICES_AS_OF
    from .plan import plan, render_plan, render_wait_cost, total_cost, wait_cost

    loaded = _load(args)
    if loaded is None:
        return EXIT_USAGE
    planned = plan(loaded)
    waiting = (wait_cost(planned, args.wait_timeout, args.interval)
               if args.wait_timeout else None)
    if args.json:
        print(json.dumps({
            "config": loaded.path,
            "prices_as_of": PRICES_AS_OF,
            "estimated_cost_usd": round(total_cost(planned), 6),
            "wait": None if waiting is None else {
                "timeout_s": args.wait_timeout, "interval_s": args.interval,
                "rounds": waiting.rounds, "worst_usd": round(waiting.worst_usd, 6),
                "gated_only_usd": round(waiting.gated_usd, 6)},
            "probes": [{
                "id": p.check.id, "provider": p.check.provider.name, "model": p.check.model,
                "capability": p.check.capability, "key": p.check.key_label,
                "expect": p.check.expect.label, "kind": p.request.kind.value,
                "method": p.request.method, "url": p.request.url,
                "headers": p.request.shown_headers(), "body": p.request.body,
                "estimated_cost_usd": round(p.cost.usd, 6), "priced": p.cost.priced,
                "verification_gated": p.gated,
                "file": p.check.location.file, "line": p.check.location.line,
            } for p in planned],
        }, indent=2))
    else:
        sys.stdout.write(render_plan(planned, verbose=not args.quiet))
        if waiting is not None:
            sys.stdout.write(render_wait_cost(waiting, args.wait_timeout, args.interval))
    return EXIT_OK


def cmd_diagnose(args: argparse.Namespace) -> int:
    import json

    from .diagnose import diagnose, render

    try:
        if args.file == "-":
            data = sys.stdin.buffer.read(1024 * 1024)
        else:
            with open(args.file, "rb") as handle:
                data = handle.read(1024 * 1024)
    except OSError as exc:
        _error(f"cannot read {args.file}: {exc.strerror or exc}")
        return EXIT_USAGE
    text = data.decode("utf-8", "replace")
    if not text.strip():
        _error("nothing to diagnose: paste an error body on stdin or pass a file")
        return EXIT_USAGE
    if args.status is not None and not 100 <= args.status <= 599:
        _error(f"--status {args.status} is not an HTTP status (100-599)")
        return EXIT_USAGE
    result = diagnose(text, args.status)
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False))
    else:
        sys.stdout.write(render(result))
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    config = _load(args, with_reports=True)
    return EXIT_USAGE if config is None else _run_config(args, config)


def cmd_demo(args: argparse.Namespace) -> int:
    from .config import parse_config
    from .demo import demo_config_text, demo_environment
    from .simulator import Simulator

    with Simulator() as simulator:
        config = parse_config(demo_config_text(), "checker/data/demo.yml",
                              demo_environment(simulator))
        print(f"checker demo: simulator on {simulator.url}; "
              f"{len(config.checks)} checks from the bundled demo config\n")
        code = _run_config(args, config)
    if args.junit_xml and not args.quiet:
        print(f"\nJUnit report: {args.junit_xml} · the demo includes failures on purpose, "
              f"so it exits {code}")
    return code


def cmd_schema(args: argparse.Namespace) -> int:
    from .schema import render_schema

    sys.stdout.write(render_schema())
    return EXIT_OK


def cmd_simulate(args: argparse.Namespace) -> int:
    import time

    from .simulator import SCENARIOS, Simulator

    simulator = Simulator(port=args.port, latency=args.latency)
    lines = [f"SIM_URL={simulator.url}"]
    for scenario in SCENARIOS:
        variable = "SIM_KEY_" + scenario.upper().replace("-", "_")
        lines.append(f"{variable}={simulator.new_key(scenario)}")
    if args.env_file:
        with open(args.env_file, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
    simulator.start()
    print(f"simulator listening on {simulator.url} (Ctrl-C to stop)", flush=True)
    if not args.env_file:
        print("keys: sim-<scenario>, e.g. sim-verified, sim-unverified; scenarios: "
              + ", ".join(SCENARIOS), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        simulator.stop()
    return EXIT_OK


# --- running ---------------------------------------------------------------------------------


def _run_options(args: argparse.Namespace, config: Config) -> RunOptions:
    from .progress import Watcher
    from .runner import DEFAULT_MAX_WAIT, RunOptions

    defaults = config.defaults
    deadline = args.deadline if args.deadline is not None else defaults.deadline
    return RunOptions(
        concurrency=args.concurrency or defaults.concurrency,
        provider_concurrency=args.provider_concurrency or defaults.provider_concurrency,
        deadline=deadline or None,  # 0 = no limit
        timeout=args.timeout,
        retries=args.retries,
        max_wait=DEFAULT_MAX_WAIT if args.max_wait is None else args.max_wait,
        observer=Watcher(sys.stderr, live=sys.stderr.isatty() and not args.quiet),
    )


def _output_options(args: argparse.Namespace) -> OutputOptions:
    from .output import OutputOptions, in_github_actions, use_colour

    github = in_github_actions(os.environ) and not args.no_github
    annotations = args.github_annotations if args.github_annotations is not None else github
    return OutputOptions(
        junit_xml=args.junit_xml,
        json=args.json,
        markdown=args.markdown,
        annotations=bool(annotations) and not args.no_github,
        github=github,
        summary=not args.no_summary,
        colour=use_colour(sys.stdout, os.environ, args.color),
        quiet=args.quiet,
        verbose=args.verbose,
    )


class _Refused(Exception):
    """Stop before probing: a usage problem already explained to the user (exit 2)."""


def _select(args: argparse.Namespace, config: Config) -> list[Check]:
    """The checks this invocation runs: --only, then --shard."""
    import fnmatch

    checks = list(config.checks)
    if args.only:
        checks = [c for c in checks if any(fnmatch.fnmatchcase(c.id, g) for g in args.only)]
        if not checks:
            _error("no check matches --only " + " ".join(args.only))
            raise _Refused
    if getattr(args, "shard", None):
        from .shard import parse_shard, select_shard

        try:
            index, total = parse_shard(args.shard)
        except ValueError as exc:
            _error(str(exc))
            raise _Refused from None
        checks = select_shard(checks, index, total)
    return checks


def _refuse_over_budget(args: argparse.Namespace, config: Config, checks: list[Check],
                        rounds: int = 1) -> None:
    """--max-cost: refuse to start a run whose estimate exceeds it, naming the big spenders."""
    if args.max_cost is None:
        return
    from .catalog import format_usd
    from .plan import plan, total_cost

    planned = plan(config, checks)
    estimate = total_cost(planned) * rounds
    if estimate <= args.max_cost:
        return
    costliest = sorted(planned, key=lambda p: p.cost.usd, reverse=True)[:5]
    names = ", ".join(f"{p.check.id} {format_usd(p.cost.usd)}" for p in costliest)
    what = "one run" if rounds == 1 else f"a wait of up to {rounds} rounds"
    _error(f"estimated cost of {what} is {format_usd(estimate)}, over --max-cost "
           f"{format_usd(args.max_cost)}; costliest: {names}")
    raise _Refused


def _load_baseline(args: argparse.Namespace) -> dict[str, str] | None:
    if not getattr(args, "baseline", None):
        if getattr(args, "fail_on_change", False):
            _error("--fail-on-change needs --baseline PATH")
            raise _Refused
        return None
    from .baseline import BaselineError, load_baseline

    try:
        baseline = load_baseline(args.baseline)
    except BaselineError as exc:
        _error(str(exc))
        raise _Refused from None
    if baseline is None:
        print(f"note: baseline {args.baseline} does not exist yet; nothing to compare with "
              "(this run's --json can be the next baseline)")
    return baseline


def _prepare(args: argparse.Namespace, config: Config) -> tuple[list[Check], Redactor,
                                                                 OutputOptions]:
    from .audit import redactor_for

    redactor = redactor_for(config)
    output = _output_options(args)
    _refuse_shared_paths(output)
    if args.debug:
        _enable_debug_log(redactor)
    return _select(args, config), redactor, output


def _finish(args: argparse.Namespace, report: RunReport, output: OutputOptions,
            redactor: Redactor) -> int:
    """Exit code, reports, limits: everything after the probing."""
    from .output import write_reports
    from .results import exit_code

    code = _signal_exit(report.interrupted_by) or exit_code(report.results,
                                                            args.allow_inconclusive)
    problems = write_reports(report, output, redactor, code)
    if getattr(args, "show_limits", False):
        from .limits import limits_table, render_limits

        sys.stdout.write("\nRate limits seen:\n" + redactor(render_limits(
            limits_table(report.results))))
    for problem in problems:
        _error(problem)
    if problems and code in (EXIT_OK, EXIT_FAILED, EXIT_INCONCLUSIVE):
        code = EXIT_USAGE
    return _signal_exit(report.interrupted_by) or code


def _signal_exit(interrupted_by: str | None = None) -> int | None:
    """130/143 when a signal stopped the run or arrived while its reports were written
    (they were finished first)."""
    received = interrupted_by if interrupted_by in ("SIGINT", "SIGTERM") else _LATCH.received
    if received == "SIGINT":
        return EXIT_SIGINT
    if received == "SIGTERM":
        return EXIT_SIGTERM
    return None


def _run_config(args: argparse.Namespace, config: Config) -> int:
    import dataclasses

    from .audit import run_audit

    try:
        checks, redactor, output = _prepare(args, config)
        _refuse_over_budget(args, config, checks)
        baseline = _load_baseline(args)
    except _Refused:
        return EXIT_USAGE
    options = _run_options(args, config)
    report = run_audit(config, checks, options, redactor, shard=getattr(args, "shard", None))
    from .progress import Watcher

    if isinstance(options.observer, Watcher):
        options.observer.finish()
    if baseline is not None:
        from .baseline import compare, fail_regressions

        complete = not args.only and not getattr(args, "shard", None)
        changes = compare(baseline, report.results, complete=complete)
        results = report.results
        if args.fail_on_change:
            results = tuple(fail_regressions(results, changes))
        report = dataclasses.replace(report, results=results, baseline=args.baseline,
                                     changes=tuple(changes))
    return _finish(args, report, output, redactor)


def cmd_wait(args: argparse.Namespace) -> int:
    import math

    from .audit import run_wait
    from .wait import describe

    config = _load(args, with_reports=True)
    if config is None:
        return EXIT_USAGE
    rounds = 1 + math.floor(args.wait_timeout / args.interval)
    try:
        checks, redactor, output = _prepare(args, config)
        _refuse_over_budget(args, config, checks, rounds)
    except _Refused:
        return EXIT_USAGE
    live = sys.stderr.isatty() and not args.quiet
    status = [""]

    def on_progress(progress):  # type: ignore[no-untyped-def]
        status[0] = describe(progress)
        if not live:
            print(redactor(status[0]), flush=True)

    def on_tick(left: float) -> None:
        if live:
            line = status[0].rsplit("; next attempt in", 1)[0]
            sys.stderr.write(f"\r\033[K{line}; next attempt in {left:.0f}s")
            sys.stderr.flush()

    report, outcome = run_wait(config, checks, _run_options(args, config), redactor,
                               timeout=args.wait_timeout, interval=args.interval,
                               on_progress=on_progress, on_tick=on_tick)
    if live:
        sys.stderr.write("\r\033[K")
    code = _finish(args, report, output, redactor)
    if not outcome.all_passing and code == 0:
        return 1  # e.g. --allow-inconclusive with checks still rate limited at the timeout
    return code


def cmd_merge(args: argparse.Namespace) -> int:
    from . import __version__
    from .merge import MergeError, merge_reports
    from .output import write_reports
    from .results import exit_code
    from .secrets import Redactor

    try:
        output = _output_options(args)
        _refuse_shared_paths(output)
    except _Refused:
        return EXIT_USAGE
    try:
        report = merge_reports(args.reports, __version__)
    except MergeError as exc:
        _error(str(exc))
        return EXIT_USAGE
    code = exit_code(report.results, args.allow_inconclusive)
    # Merged reports are read like any provider answer: in GitHub Actions the table is
    # fenced and the annotations escaped, exactly as for `checker run`.
    problems = write_reports(report, output, Redactor(), code)
    for problem in problems:
        _error(problem)
    return _signal_exit() or (EXIT_USAGE if problems else code)


def _refuse_shared_paths(output: OutputOptions) -> None:
    """Two reports at one path would silently overwrite each other: a usage error."""
    seen: dict[str, str] = {}
    for option, path in (("--junit-xml", output.junit_xml), ("--json", output.json),
                         ("--markdown", output.markdown)):
        if not path or path == "-":
            continue
        real = os.path.realpath(path)
        if real in seen:
            _error(f"{seen[real]} and {option} name the same file ({path}): give each report "
                   "its own path")
            raise _Refused
        seen[real] = option


def _enable_debug_log(redactor: object) -> None:
    import logging

    class Redacting(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            return redactor(super().format(record))  # type: ignore[operator,no-any-return]

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(Redacting("checker: %(message)s"))
    logger = logging.getLogger("checker")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)


def _write_config_error_report(args: argparse.Namespace, error: ConfigError, path: str) -> None:
    """With --junit-xml (or other reports) given, a config error still leaves a report
    that says why the run failed."""
    from datetime import datetime, timezone

    from .config import display_path
    from .output import write_reports
    from .results import RunReport
    from .secrets import Redactor

    report = RunReport(
        config_path=display_path(path),
        results=(),
        started_at=datetime.now(timezone.utc).replace(microsecond=0),
        duration_s=0.0,
        tool_version=__version__,
        config_issues=error.issues,
    )
    options = _output_options(args)
    quiet = type(options)(**{**options.__dict__, "quiet": True})
    for problem in write_reports(report, quiet, Redactor(), EXIT_USAGE):
        _error(problem)


SUBCOMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None]]] = {
    "run": ("probe every check (the default command)", _run_arguments),
    "wait": ("re-probe what is not passing until it passes (e.g. after verifying the "
             "organization) or the timeout", _wait_arguments),
    "merge": ("combine the --json reports of shards into one report", _merge_arguments),
    "demo": ("run a demo against the built-in simulator", _demo_arguments),
    "plan": ("show the matrix, each request and its cost; no network", _plan_arguments),
    "validate": ("check the config only; no network", _validate_arguments),
    "diagnose": ("explain an error body (file or stdin)", _diagnose_arguments),
    "simulate": ("serve the simulator on 127.0.0.1", _simulate_arguments),
    "schema": ("print the JSON Schema of the config (for editors and check-jsonschema)",
               _schema_arguments),
}
