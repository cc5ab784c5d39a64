"""`checker schema`: the JSON Schema of the config (for editors and check-jsonschema)."""

from __future__ import annotations

import argparse
import sys

from ..exit_codes import EXIT_OK

HELP = "print the JSON Schema of the config (for editors and check-jsonschema)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def main(args: argparse.Namespace) -> int:
    from ..config.schema import render_schema

    sys.stdout.write(render_schema())
    return EXIT_OK
