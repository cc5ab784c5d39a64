"""Serve checker's simulator in a process of its own, for ``bench/run.py``.

Running the simulator outside the benchmarked process keeps its threads, CPU time and
memory out of the checker's figures. Protocol, one line each way:

- on start, one JSON line on stdout: ``{"url": ..., "keys": [...]}`` (verified keys);
- ``answers PATH`` on stdin: write every answer so far (JSON) to PATH, reply ``ok``;
- ``usage`` on stdin: reply with this process's CPU seconds as JSON;
- end of stdin: stop.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
from typing import Any

from checker.simulator import Answered, Simulator


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per answer")
    parser.add_argument("--keys", type=int, default=1, help="verified keys to create")
    parser.add_argument("--image-bytes", type=int, default=64 * 1024,
                        help="raw image size (the answer is base64: 4/3 of it)")
    parser.add_argument("--retry-after-seconds", type=int, default=None)
    parser.add_argument("--rate-limit-fraction", type=float, default=0.0)
    parser.add_argument("--scenario", default="verified", help="the scenario of the keys")
    return parser.parse_args(argv)


def _record(answer: Answered) -> dict[str, Any]:
    probe = answer.probe
    return {
        "model": probe.model,
        "capability": probe.capability,
        "path": probe.path,
        "status": answer.status,
        "received": probe.received,
        "sent": answer.sent,
        "retry_after": answer.headers.get("retry-after"),
    }


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _serve(simulator: Simulator) -> None:
    for line in sys.stdin:
        command, _, argument = line.strip().partition(" ")
        if command == "answers":
            with simulator._lock:
                records = [_record(a) for a in simulator.answered]
            with open(argument, "w", encoding="utf-8") as handle:
                json.dump(records, handle)
            print("ok", flush=True)
        elif command == "usage":
            print(json.dumps({"cpu_s": _cpu_seconds()}), flush=True)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    simulator = Simulator(latency=args.latency, image_bytes=args.image_bytes,
                          retry_after_seconds=args.retry_after_seconds,
                          rate_limit_fraction=args.rate_limit_fraction)
    keys = [simulator.new_key(args.scenario) for _ in range(args.keys)]
    with simulator:
        print(json.dumps({"url": simulator.url, "keys": keys}), flush=True)
        _serve(simulator)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
