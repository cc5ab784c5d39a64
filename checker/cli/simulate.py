"""`checker simulate`: serve the simulator on 127.0.0.1 for your own experiments."""

from __future__ import annotations

import argparse
import time

from ..exit_codes import EXIT_OK

HELP = "serve the simulator on 127.0.0.1"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument("--latency", type=float, default=0.0,
                        help="seconds per answer (default %(default)s)")
    parser.add_argument("--env-file", help="write SIM_URL and one key per scenario "
                        "(SIM_KEY_<SCENARIO>) to this file, as NAME=value lines")


def main(args: argparse.Namespace) -> int:
    from ..simulator import SCENARIOS, Simulator

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
