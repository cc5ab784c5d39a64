"""Shared fixtures. Nothing here reaches the internet: providers are the project's
simulator on 127.0.0.1, and the network guard (tests/netguard) refuses, in this process and
in every Python process a test starts, any connection that is not loopback."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from checker.simulator import Simulator

CORPUS = Path(__file__).parent / "data" / "errors-dev.jsonl"
NETGUARD = Path(__file__).parent / "netguard"
NETGUARD_LOG = Path(tempfile.mkdtemp(prefix="checker-netguard-")) / "refused.log"


def _install_netguard() -> None:
    os.environ["CHECKER_TEST_NETGUARD_LOG"] = str(NETGUARD_LOG)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(NETGUARD), *filter(None, [os.environ.get("PYTHONPATH")])])
    spec = importlib.util.spec_from_file_location("checker_test_netguard",
                                                  NETGUARD / "sitecustomize.py")
    assert spec is not None and spec.loader is not None
    spec.loader.exec_module(importlib.util.module_from_spec(spec))


_install_netguard()


def refused_connections() -> list[str]:
    """What the network guard refused since the last call, and forget it."""
    if not NETGUARD_LOG.exists():
        return []
    lines = NETGUARD_LOG.read_text(encoding="utf-8").splitlines()
    NETGUARD_LOG.unlink()
    return lines


@pytest.fixture(autouse=True)
def loopback_only() -> Iterator[None]:
    """Fails a test whose code (or a process it started) tried to reach a non-loopback host."""
    refused_connections()
    yield
    refused = refused_connections()
    assert not refused, f"tried to leave loopback: {refused}"


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
