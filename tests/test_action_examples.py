"""The examples users copy (examples/): the Makefile gates `deploy` on the check (run here
with real make against the simulator), the workflows wire the action the way their
comments say, and the example config loads."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker.config import parse_config
from checker.simulator import Simulator
from tests.conftest import clean_env, run_cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
ACTION_REF = "your-org/model-access-checker@v0"

CONFIG = """\
version: 1
providers:
  openai:
    base_url: ${SIM_URL}
    api_key: ${OPENAI_API_KEY}
checks:
  - provider: openai
    models: [gpt-image-1, gpt-4o-mini]
"""


def load(name: str) -> dict[str, Any]:
    return yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def make(project: Path, target: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    checker = f"{shlex.quote(sys.executable)} -m checker"
    return subprocess.run(["make", "-f", str(EXAMPLES / "Makefile"), target,
                           f"CHECKER={checker}"], cwd=project, capture_output=True,
                          text=True, timeout=120, env=clean_env(env))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project with a checks.yml and a deploy script that leaves a mark."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    (tmp_path / "checks.yml").write_text(CONFIG, encoding="utf-8")
    deploy = tmp_path / "deploy.sh"
    deploy.write_text("#!/bin/sh\ntouch deployed\n", encoding="utf-8")
    deploy.chmod(0o755)
    return tmp_path


def test_makefile_deploys_when_every_key_has_access(project: Path,
                                                    simulator: Simulator) -> None:
    env = {"SIM_URL": simulator.url, "OPENAI_API_KEY": simulator.new_key("verified")}
    result = make(project, "deploy", env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (project / "deployed").exists()
    assert (project / "checker-report.xml").exists()
    assert "checks.yml: ok (2 checks across 1 provider)" in result.stdout


def test_makefile_stops_before_deploy_on_an_access_problem(project: Path,
                                                           simulator: Simulator) -> None:
    env = {"SIM_URL": simulator.url, "OPENAI_API_KEY": simulator.new_key("unverified")}
    result = make(project, "deploy", env)
    assert result.returncode != 0
    assert not (project / "deployed").exists()
    assert "FAIL    openai / gpt-image-1 [access]  verification_required" in result.stdout
    assert "Error 1" in result.stderr  # make reports the checker's exit code


def test_makefile_stops_before_probing_on_a_config_error(project: Path,
                                                         simulator: Simulator) -> None:
    (project / "checks.yml").write_text(CONFIG.replace("models:", "modles:"))
    env = {"SIM_URL": simulator.url, "OPENAI_API_KEY": simulator.new_key("verified")}
    result = make(project, "deploy", env)
    assert result.returncode != 0
    assert "checks.yml:8:5: unknown key 'modles'" in result.stderr
    assert "Error 2" in result.stderr
    assert not simulator.log  # nothing was probed
    assert not (project / "deployed").exists()


def test_example_config_loads() -> None:
    text = (EXAMPLES / "checks.yml").read_text(encoding="utf-8")
    config = parse_config(text, "checks.yml", {"OPENAI_API_KEY": "sk-test-a",
                                               "AZURE_OPENAI_API_KEY": "test-b",
                                               "OPENAI_STAGING_KEY": "sk-test-c"})
    assert len(config.checks) == 7
    assert [c.expect.label for c in config.checks].count("denied") == 1
    result = run_cli("validate", "-c", str(EXAMPLES / "checks.yml"))
    assert result.code == 0, result.stderr


def test_deploy_workflow_gates_deploy_on_the_check() -> None:
    workflow = load("workflows/deploy.yml")
    jobs = workflow["jobs"]
    assert jobs["deploy"]["needs"] == "model-access"
    uses = [s.get("uses", "") for s in jobs["model-access"]["steps"]]
    assert ACTION_REF in uses
    step = next(s for s in jobs["model-access"]["steps"] if s.get("uses") == ACTION_REF)
    assert step["env"]["OPENAI_API_KEY"] == "${{ secrets.OPENAI_API_KEY }}"
    assert "continue-on-error" not in step  # the failing step is the gate


def test_nightly_audit_keeps_and_publishes_the_junit_report() -> None:
    workflow = load("workflows/nightly-audit.yml")
    triggers = workflow[True] if True in workflow else workflow["on"]  # YAML 1.1: on → True
    assert triggers["schedule"][0]["cron"]
    assert "workflow_dispatch" in triggers
    steps = workflow["jobs"]["audit"]["steps"]
    check = next(s for s in steps if s.get("uses") == ACTION_REF)
    report = check["with"]["junit-xml"]
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    publish = next(s for s in steps if s.get("uses", "").startswith(
        "mikepenz/action-junit-report@"))
    for step in (upload, publish):
        assert step["if"] == "${{ !cancelled() }}"  # also when the audit found problems
    assert report in upload["with"]["path"]
    assert publish["with"]["report_paths"] == report
    assert workflow["jobs"]["audit"]["permissions"]["checks"] == "write"
