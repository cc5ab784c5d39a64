"""The action and every workflow (the project's CI and the examples users copy) pass the
validators people run on them: check-jsonschema's GitHub schemas, actionlint (with
shellcheck on the `run:` scripts), zizmor's offline security audits, and shellcheck on the
action's own scripts. All are Python wheels from the test extra; nothing is fetched."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ACTION = ROOT / "action.yml"
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml")) + sorted(
    (ROOT / "examples" / "workflows").glob("*.yml"))
FULL_SHA = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")
# The examples cannot know the published action's owner or release commit (zizmor is told
# so in .github/zizmor.yml); the self-test uses the checkout under test.
NOT_PINNED_ON_PURPOSE = ("./", "your-org/model-access-checker@v0")


def tool(name: str) -> str:
    path = BIN / name
    assert path.exists(), f"{name} is missing: pip install -e '.[test]'"
    return str(path)


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=300,
                          env={"PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(Path.home()),
                               "NO_COLOR": "1"})


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_there_are_workflows_to_check() -> None:
    names = [relative(p) for p in WORKFLOWS]
    assert ".github/workflows/ci.yml" in names
    assert {"examples/workflows/deploy.yml", "examples/workflows/nightly-audit.yml"} <= set(names)


def test_action_matches_githubs_action_schema() -> None:
    result = run(tool("check-jsonschema"), "--builtin-schema", "vendor.github-actions",
                 relative(ACTION))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=relative)
def test_workflow_matches_githubs_workflow_schema(workflow: Path) -> None:
    result = run(tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
                 relative(workflow))
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint() -> None:
    """Also checks the `with:` of `uses: ./` against action.yml's inputs, expressions,
    and every `run:` script with shellcheck."""
    result = run(tool("actionlint"), "-no-color", *map(relative, WORKFLOWS))
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_sees_shellcheck() -> None:
    result = run(tool("actionlint"), "-verbose", relative(WORKFLOWS[0]))
    assert 'Rule "shellcheck" was disabled' not in result.stderr


def test_zizmor() -> None:
    result = run(tool("zizmor"), "--offline", "--no-progress", relative(ACTION),
                 *map(relative, WORKFLOWS))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout


@pytest.mark.parametrize("step_id", ["install", "check"])
def test_shellcheck_on_the_action_scripts(step_id: str, tmp_path: Path) -> None:
    spec = next(s for s in load(ACTION)["runs"]["steps"] if s.get("id") == step_id)
    script = tmp_path / f"{step_id}.sh"
    script.write_text(spec["run"], encoding="utf-8")
    # SC2154: the variables come from the step's env:, which shellcheck cannot see.
    result = run(tool("shellcheck"), "--shell=bash", "--exclude=SC2154", str(script))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=relative)
def test_workflow_conventions(workflow: Path) -> None:
    document = load(workflow)
    assert document["permissions"] == {}, "grant permissions per job"
    for name, job in document["jobs"].items():
        assert "permissions" in job, f"job {name} has no permissions"
        for step in job.get("steps", []):
            uses = step.get("uses")
            if uses and not uses.startswith(NOT_PINNED_ON_PURPOSE):
                assert FULL_SHA.match(uses), f"{uses} is not pinned to a commit"
            if uses and uses.startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False
            assert "${{" not in step.get("run", ""), f"expression in a script in job {name}"


def ci_steps() -> dict[str, dict[str, Any]]:
    job = load(ROOT / ".github" / "workflows" / "ci.yml")["jobs"]["action"]
    return {step["id"]: step for step in job["steps"] if "id" in step}


def test_ci_runs_lint_tests_on_every_supported_python_and_the_action() -> None:
    jobs = load(ROOT / ".github" / "workflows" / "ci.yml")["jobs"]
    assert any("ruff check" in s.get("run", "") for s in jobs["lint"]["steps"])
    assert jobs["tests"]["strategy"]["matrix"]["python-version"] == ["3.10", "3.11", "3.12",
                                                                     "3.13"]
    assert any("pytest" in s.get("run", "") for s in jobs["tests"]["steps"])
    steps = ci_steps()
    for step_id in ("failing", "lenient", "broken"):
        assert steps[step_id]["uses"] == "./"
        config = ROOT / steps[step_id]["with"]["config"]
        assert config.is_file(), config
    assert steps["failing"]["continue-on-error"] is True
    assert steps["broken"]["continue-on-error"] is True


def test_ci_self_test_expects_what_the_action_test_measures() -> None:
    """The numbers the CI job asserts are the ones tests/test_action.py sees locally."""
    job = load(ROOT / ".github" / "workflows" / "ci.yml")["jobs"]["action"]
    script = job["steps"][-1]["run"]
    expected = dict(re.findall(r'expect "([\w -]+)" "\$\w+" (\S+)', script))
    assert expected["failing exit-code"] == "1"
    assert (expected["failing passed"], expected["failing failed"],
            expected["failing inconclusive"]) == ("3", "1", "1")
    assert (expected["lenient exit-code"], expected["lenient passed"],
            expected["lenient inconclusive"]) == ("0", "1", "1")
    assert expected["broken exit-code"] == "2"
