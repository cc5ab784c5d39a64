"""`checker diagnose`: explain an error body someone pasted (file or stdin)."""

from __future__ import annotations

import argparse
import json
import sys

from ..exit_codes import EXIT_OK, EXIT_USAGE
from .common import error

HELP = "explain an error body (file or stdin)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", nargs="?", default="-", help="file with the body; - = stdin")
    parser.add_argument("--status", type=int, help="the HTTP status, if you know it")
    parser.add_argument("--json", action="store_true", help="print JSON")


def main(args: argparse.Namespace) -> int:
    from ..diagnose import diagnose, render

    try:
        if args.file == "-":
            data = sys.stdin.buffer.read(1024 * 1024)
        else:
            with open(args.file, "rb") as handle:
                data = handle.read(1024 * 1024)
    except OSError as exc:
        error(f"cannot read {args.file}: {exc.strerror or exc}")
        return EXIT_USAGE
    text = data.decode("utf-8", "replace")
    if not text.strip():
        error("nothing to diagnose: paste an error body on stdin or pass a file")
        return EXIT_USAGE
    if args.status is not None and not 100 <= args.status <= 599:
        error(f"--status {args.status} is not an HTTP status (100-599)")
        return EXIT_USAGE
    result = diagnose(text, args.status)
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False))
    else:
        sys.stdout.write(render(result))
    return EXIT_OK
