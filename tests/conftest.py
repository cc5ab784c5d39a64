"""Shared fixtures. Nothing here reaches the internet: providers are the project's
simulator on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from checker.simulator import Simulator

CORPUS = Path(__file__).parent / "data" / "errors-dev.jsonl"


@pytest.fixture
def simulator() -> Iterator[Simulator]:
    with Simulator(retry_after_ms=50) as sim:
        yield sim


@dataclass
class CLIResult:
    code: int
    stdout: str
    stderr: str


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment a CLI run sees: no GitHub variables, no colour, plus ``extra``."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GITHUB_", "RUNNER_", "OPENAI_", "AZURE_"))}
    env["NO_COLOR"] = "1"
    env.pop("CI", None)
    env.update(extra or {})
    return env


def run_cli(*args: str, env: Mapping[str, str] | None = None, cwd: Path | None = None,
            stdin: str | None = None, timeout: float = 120) -> CLIResult:
    """Run the real `checker` command in a subprocess, as a user would."""
    completed = subprocess.run(
        [sys.executable, "-m", "checker", *args],
        capture_output=True, text=True, env=clean_env(env), cwd=cwd, input=stdin,
        timeout=timeout,
    )
    return CLIResult(completed.returncode, completed.stdout, completed.stderr)


@pytest.fixture
def write_config(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write a YAML config (dedented) into a temp dir and return its path."""
    def write(text: str, name: str = "checks.yml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path
    return write


def sim_config(simulator: Simulator, write_config, checks: str,  # type: ignore[no-untyped-def]
               scenarios: dict[str, str], defaults: str = "{retries: 2, timeout: 5}",
               extra_providers: str = "") -> tuple[Path, dict[str, str]]:
    """A config with one provider per scenario (named after it) and env with their keys."""
    env: dict[str, str] = {}
    providers = []
    for name, scenario in scenarios.items():
        variable = name.upper().replace("-", "_") + "_KEY"
        env[variable] = simulator.new_key(scenario)
        providers.append(f"  {name}:\n    base_url: {simulator.url}\n    api_key: ${{{variable}}}")
    text = (f"defaults: {defaults}\nproviders:\n" + "\n".join(providers) + "\n"
            + extra_providers + "checks:\n" + checks)
    return write_config(text), env
