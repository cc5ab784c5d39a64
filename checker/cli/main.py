"""The `checker` command: parse the arguments and dispatch to the command's module.

Each command is one module in this package (``add_arguments``, ``main``); only the chosen
one is imported, so `checker validate` in a pre-commit hook does not load the runner or
the report formats.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType

from .. import __version__
from ..exit_codes import EXIT_OK, EXIT_SIGINT
from .common import LATCH, error

# name → (help, module): the order is the order of `checker --help`.
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("probe every check (the default command)", "run"),
    "wait": ("re-probe what is not passing until it passes (e.g. after verifying the "
             "organization) or the timeout", "wait"),
    "merge": ("combine the --json reports of shards into one report", "merge"),
    "demo": ("run a demo against the built-in simulator", "demo"),
    "plan": ("show the matrix, each request and its cost; no network", "plan"),
    "validate": ("check the config only; no network", "validate"),
    "diagnose": ("explain an error body (file or stdin)", "diagnose"),
    "simulate": ("serve the simulator on 127.0.0.1", "simulate"),
    "schema": ("print the JSON Schema of the config (for editors and check-jsonschema)",
               "schema"),
}
# Commands that write reports after probing: SIGINT/SIGTERM must not cut that short.
WRITES_REPORTS = frozenset({"run", "wait", "demo", "merge"})

EPILOG = ("Exit codes: 0 every check met its expectation; 1 at least one definite failure; "
          "2 usage or configuration error; 3 inconclusive (or nothing probed); "
          "--allow-inconclusive turns 3 into 0 only when every inconclusive check is one time "
          "can change; 130/143 interrupted by SIGINT/SIGTERM (the reports are still written).")


def command_module(name: str) -> ModuleType:
    return importlib.import_module(f"{__package__}.{COMMANDS[name][1]}")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """Every command listed, and the options of ``only`` built (the command being run):
    a pre-commit hook running `checker validate` need not build, nor import, the rest."""
    parser = argparse.ArgumentParser(
        prog="checker",
        description="Prove, before you deploy, that your API keys can use the models and "
        "capabilities your code calls.",
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"checker {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (help_text, _) in COMMANDS.items():
        command = commands.add_parser(name, help=help_text, description=help_text)
        if only == name:
            command_module(name).add_arguments(command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or (args_list[0] not in COMMANDS
                         and args_list[0] not in ("-h", "--help", "--version")):
        args_list.insert(0, "run")  # `checker` alone (or with run's flags) means `checker run`
    only = args_list[0] if args_list[0] in COMMANDS else None
    args = build_parser(only).parse_args(args_list)
    if only in WRITES_REPORTS:
        LATCH.install()  # a signal from here on finishes the reports, then exits 130/143
    try:
        return int(command_module(args.command).main(args))
    except KeyboardInterrupt:
        error("interrupted")
        return EXIT_SIGINT
    except BrokenPipeError:
        return EXIT_OK
    finally:
        LATCH.restore()
