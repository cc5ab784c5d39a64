"""The benchmark runs and reports every figure. No timing is asserted here: figures
depend on the machine (see bench/RESULTS.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench" / "run.py"

FIGURES = (
    "1a. throughput (small)",
    "1b. throughput (large)",
    "1c. naive sequential",
    "2. CPU per probe",
    "3a. start-up baseline",
    "3b. start-up version",
    "3c. start-up validate",
    "4a. peak RSS",
    "4b. peak RSS",
    "4c. RSS growth with answer size",
    "5a. retries: outcomes",
    "5b. retries: wall time",
    "5c. retries: Retry-After respected",
)


def test_quick_benchmark_prints_every_figure() -> None:
    completed = subprocess.run([sys.executable, str(BENCH), "--quick"], capture_output=True,
                               text=True, timeout=300, check=False)
    assert completed.returncode == 0, completed.stderr
    for figure in FIGURES:
        assert figure in completed.stdout, f"{figure!r} missing:\n{completed.stdout}"
    assert "target" in completed.stdout
