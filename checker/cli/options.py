"""Command-line options shared by several commands: argument types, the report options
(generated from the report registry), the probing options, and the typed values every
command passes on instead of the argparse namespace."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from ..retry import parse_duration

if TYPE_CHECKING:  # the report modules load only for the commands that write reports
    from ..reports import Format

CONFIG_HELP = ("config file (default: the first that exists of checks.yml, checks.yaml, "
               ".checker.yml, .checker.yaml, .github/checks.yml, .github/checks.yaml)")


# --- argument types ---------------------------------------------------------------------------


def duration(text: str) -> float:
    value = parse_duration(text)
    if value is None or value <= 0:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (try 90s, 20m, 1h)")
    return value


def budget(text: str) -> float:
    """A duration where 0 means "no limit"."""
    value = parse_duration(text)
    if value is None or value < 0:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (try 5m, 90s; 0 = none)")
    return value


def _whole_number(text: str, least: int, wording: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < least:
        raise argparse.ArgumentTypeError(wording)
    return value


def positive_int(text: str) -> int:
    return _whole_number(text, 1, "must be at least 1")


def non_negative_int(text: str) -> int:
    return _whole_number(text, 0, "must be 0 or more")


def usd(text: str) -> float:
    try:
        value = float(text.lstrip("$"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an amount of USD: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


# --- reports ----------------------------------------------------------------------------------


class ReportArgs(NamedTuple):
    paths: Mapping[Format, str] = MappingProxyType({})
    github_annotations: bool | None = None  # None: on in GitHub Actions
    no_github: bool = False
    no_summary: bool = False
    quiet: bool = False
    verbose: bool = False
    color: str = "auto"
    matrix: bool = False

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> ReportArgs:
        from ..reports import FILE_FORMATS

        paths = {f: getattr(args, _dest(f)) for f in FILE_FORMATS if getattr(args, _dest(f))}
        return cls(paths, args.github_annotations, args.no_github, args.no_summary,
                   args.quiet, args.verbose, args.color, args.matrix)


def _dest(format_: Format) -> str:
    return format_.value.replace("-", "_")


def add_report_options(parser: argparse.ArgumentParser,
                       defaults: dict[Format, str] | None = None) -> argparse._ArgumentGroup:
    from ..reports import FILE_FORMATS, FORMATS, Format

    defaults = defaults or {}
    reports = parser.add_argument_group("reports")
    for format_ in FILE_FORMATS:
        default = defaults.get(format_)
        reports.add_argument(f"--{format_.value}", metavar="PATH", default=default,
                             dest=_dest(format_),
                             help=FORMATS[format_].help + "; - for stdout" + (
                                 f" (default: {default})" if default else ""))
    reports.add_argument("--github-annotations", action="store_true", default=None,
                         help=FORMATS[Format.GITHUB_ANNOTATIONS].help)
    reports.add_argument("--no-github", action="store_true",
                         help="in GitHub Actions, do not annotate, summarise or set outputs")
    reports.add_argument("--no-summary", action="store_true",
                         help="in GitHub Actions, do not append the Markdown summary to the "
                         "job summary")
    reports.add_argument("--matrix", action="store_true",
                         help="also draw the provider × model grid on the terminal (the "
                         "Markdown summary always has it)")
    reports.add_argument("-q", "--quiet", action="store_true",
                         help="print only the checks that did not pass, and the counts")
    reports.add_argument("-v", "--verbose", action="store_true",
                         help="explain passing checks too")
    reports.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                         help="colour the table (default: %(default)s: on a terminal, "
                         "unless NO_COLOR)")
    return reports


# --- probing ----------------------------------------------------------------------------------


class ProbeArgs(NamedTuple):
    config: str | None = None
    concurrency: int | None = None
    provider_concurrency: int | None = None
    timeout: float | None = None
    retries: int | None = None
    deadline: float | None = None  # None: the config's, else the default; 0: none
    max_wait: float | None = None
    max_checks: int | None = None
    only: tuple[str, ...] = ()
    max_cost: float | None = None
    debug: bool = False
    show_limits: bool = False
    allow_inconclusive: bool = False

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> ProbeArgs:
        values: dict[str, Any] = {name: getattr(args, name, None)
                                  for name in cls._fields}
        values["only"] = tuple(values["only"] or ())
        for flag in ("debug", "show_limits", "allow_inconclusive"):
            values[flag] = bool(values[flag])
        return cls(**values)


def add_probe_options(parser: argparse.ArgumentParser, reports: argparse._ArgumentGroup,
                      attempt_timeout_flag: str = "--timeout") -> None:
    reports.add_argument("--debug", action="store_true",
                         help="log every attempt to stderr (keys redacted)")
    reports.add_argument("--show-limits", action="store_true",
                         help="print the rate limits each key reported (x-ratelimit-*)")
    probing = parser.add_argument_group("probing")
    probing.add_argument("--concurrency", type=positive_int,
                         help="probes in flight at once (default: the config's, else 8)")
    probing.add_argument("--provider-concurrency", type=positive_int,
                         help="probes in flight per provider (default: the config's, else 4)")
    probing.add_argument(attempt_timeout_flag, dest="timeout", type=duration,
                         help="per attempt, e.g. 20s (default: the config's, else 20s)")
    probing.add_argument("--retries", type=non_negative_int,
                         help="retries for transient outcomes (default: the config's, else 2)")
    probing.add_argument("--deadline", type=budget,
                         help="time budget for the whole run, e.g. 5m (default: the config's "
                         "`defaults: deadline`, else 5m; 0 = none); unfinished checks are "
                         "reported as interrupted")
    probing.add_argument("--max-wait", type=budget, default=None,
                         help="the longest single wait before a retry, e.g. for Retry-After "
                         "(default 60s); a longer one is reported as rate_limited, not slept")
    probing.add_argument("--max-checks", type=positive_int, default=None,
                         help="refuse a matrix larger than this (default 10000)")
    probing.add_argument("--only", action="append", metavar="GLOB",
                         help="run only checks whose name matches (repeatable)")
    probing.add_argument("--max-cost", type=usd, metavar="USD",
                         help="refuse to start when the estimated cost exceeds this (exit 2)")
    parser.add_argument("--allow-inconclusive", action="store_true",
                        help="exit 0 instead of 3 when nothing failed and every inconclusive "
                        "check is one time can change (rate limited, server or network "
                        "error, timeout, interrupted)")
