"""The composite action (action.yml): its metadata follows the conventions that keep it
safe (pinned setup-python, inputs only through env:, bash everywhere), and its steps do
what the inputs say. The `run:` steps are executed here the way the runner executes them
(`bash --noprofile --norc -eo pipefail`, GITHUB_OUTPUT/GITHUB_STEP_SUMMARY files,
`${{ }}` expressions only in `env:`), with the checker of this checkout standing in for
the one the install step builds, against the simulator on 127.0.0.1. The whole action,
install step included, runs in the CI self-test job (.github/workflows/ci.yml)."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker.simulator import Simulator
from tests.conftest import clean_env

ROOT = Path(__file__).resolve().parents[1]
SELF_TEST = ROOT / "tests" / "action"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
FULL_SHA = re.compile(r"^[^@]+@[0-9a-f]{40}$")
OUTPUTS = ("exit-code", "passed", "failed", "inconclusive", "report")


@functools.cache
def action() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def step(step_id: str) -> dict[str, Any]:
    return next(s for s in action()["runs"]["steps"] if s.get("id") == step_id)


def expand(text: str, context: Mapping[str, str]) -> str:
    """``${{ name }}`` replaced from ``context``; GitHub yields "" for a missing output."""
    return EXPRESSION.sub(lambda m: context.get(m.group(1), ""), text)


def read_outputs(path: Path) -> dict[str, str]:
    outputs: dict[str, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            name, _, value = line.partition("=")
            outputs[name] = value  # a later line wins, as on the runner
    return outputs


@dataclass(frozen=True)
class ActionRun:
    code: int
    stdout: str
    stderr: str
    step_outputs: dict[str, str]
    outputs: dict[str, str]  # the action's outputs, resolved from the step's
    summary: str


def run_check_step(workspace: Path, inputs: Mapping[str, str],
                   env: Mapping[str, str]) -> ActionRun:
    spec = step("check")
    context = {f"inputs.{name}": str(inputs.get(name, definition.get("default", "")))
               for name, definition in action()["inputs"].items()}
    context["steps.install.outputs.python"] = sys.executable
    runner_temp = workspace.parent / "runner-temp"
    runner_temp.mkdir(exist_ok=True)
    output_file, summary_file = runner_temp / "output", runner_temp / "summary.md"
    output_file.write_text("", encoding="utf-8")
    summary_file.write_text("", encoding="utf-8")
    script = runner_temp / "check.sh"
    script.write_text(spec["run"], encoding="utf-8")
    step_env = {name: expand(str(value), context) for name, value in spec["env"].items()}
    completed = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=workspace, capture_output=True, text=True, timeout=120,
        env=clean_env({**env, **step_env, "GITHUB_ACTIONS": "true",
                       "GITHUB_OUTPUT": str(output_file),
                       "GITHUB_STEP_SUMMARY": str(summary_file),
                       "GITHUB_WORKSPACE": str(workspace), "RUNNER_TEMP": str(runner_temp),
                       "GITHUB_ACTION_PATH": str(ROOT)}),
    )
    step_outputs = read_outputs(output_file)
    scope = {f"steps.check.outputs.{k}": v for k, v in step_outputs.items()}
    outputs = {name: expand(definition["value"], scope)
               for name, definition in action()["outputs"].items()}
    return ActionRun(completed.returncode, completed.stdout, completed.stderr, step_outputs,
                     outputs, summary_file.read_text(encoding="utf-8"))


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A checked-out repository holding the self-test configs at tests/action/."""
    root = tmp_path / "workspace"
    shutil.copytree(SELF_TEST, root / "tests" / "action")
    return root


@pytest.fixture
def sim_env(simulator: Simulator) -> dict[str, str]:
    """What the CI job loads from `checker simulate --env-file`."""
    return {"SIM_URL": simulator.url,
            "SIM_KEY_VERIFIED": simulator.new_key("verified"),
            "SIM_KEY_UNVERIFIED": simulator.new_key("unverified"),
            "SIM_KEY_HTML_200": simulator.new_key("html-200"),
            "SIM_KEY_RATE_LIMITED_LONG": simulator.new_key("rate-limited-long")}


def line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if line.strip() == text)


# --- metadata ---------------------------------------------------------------------------------


def test_inputs_and_outputs() -> None:
    inputs = action()["inputs"]
    assert list(inputs) == ["config", "junit-xml", "json", "args", "allow-inconclusive",
                            "python-version", "summary", "extras"]
    assert inputs["junit-xml"]["default"] == "checker-report.xml"
    assert inputs["summary"]["default"] == "true"
    assert inputs["allow-inconclusive"]["default"] == "false"
    assert re.fullmatch(r"3\.1[0-9]", inputs["python-version"]["default"])
    assert all(spec.get("description") for spec in inputs.values())
    outputs = action()["outputs"]
    assert list(outputs) == list(OUTPUTS)
    for name, spec in outputs.items():
        # Every output is what the checker itself wrote to GITHUB_OUTPUT.
        assert spec["value"] == f"${{{{ steps.check.outputs.{name} }}}}"
        assert spec.get("description")


def test_steps_follow_the_safety_conventions() -> None:
    text = (ROOT / "action.yml").read_text(encoding="utf-8")
    assert "github.action_path" not in text  # wrong in container jobs
    assert action()["runs"]["using"] == "composite"
    used_inputs: set[str] = set()
    for spec in action()["runs"]["steps"]:
        for value in (spec.get("env") or {}).values():
            used_inputs.update(re.findall(r"inputs\.([a-z-]+)", str(value)))
        for value in (spec.get("with") or {}).values():
            used_inputs.update(re.findall(r"inputs\.([a-z-]+)", str(value)))
        if "run" in spec:
            assert spec.get("shell") == "bash", spec.get("name")
            assert "${{" not in spec["run"], f"expression in the script of {spec.get('name')}"
        else:
            assert FULL_SHA.match(spec["uses"]), spec["uses"]
    assert used_inputs == set(action()["inputs"])
    setup = step("python")
    assert setup["uses"].startswith("actions/setup-python@")
    assert str(setup["with"]["update-environment"]).lower() == "false"
    install = step("install")["run"]
    assert 'pip install' in install and '"$GITHUB_ACTION_PATH${extras:+[$extras]}"' in install
    assert '"$RUNNER_TEMP/' in install


@pytest.mark.parametrize("step_id", ["install", "check"])
def test_scripts_are_valid_bash(step_id: str, tmp_path: Path) -> None:
    script = tmp_path / "step.sh"
    script.write_text(step(step_id)["run"], encoding="utf-8")
    completed = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr


# --- behaviour --------------------------------------------------------------------------------


def test_a_failing_check_fails_the_step_after_setting_outputs(workspace: Path,
                                                              sim_env: dict[str, str]) -> None:
    run = run_check_step(workspace, {"config": "tests/action/checks.yml",
                                     "json": "checker-report.json"}, sim_env)
    assert run.code == 1, run.stderr
    assert run.outputs == {"exit-code": "1", "passed": "3", "failed": "1",
                           "inconclusive": "1", "report": "checker-report.xml"}
    assert (workspace / "checker-report.xml").is_file()
    assert (workspace / "checker-report.json").is_file()
    assert run.summary.startswith("## ❌ model access check failed: 3 passed, 1 failed, "
                                  "1 inconclusive of 5")
    # The annotation points at the YAML line that declared the gated model.
    line = line_of(workspace / "tests/action/checks.yml", "- gpt-image-1")
    assert re.search(rf"^::error file=tests/action/checks.yml,line={line},title=unverified-org "
                     r"/ gpt-image-1 \[access\]%3A verification_required::", run.stdout, re.M)
    assert re.search(r"^::warning file=tests/action/checks.yml,.*unexpected_response",
                     run.stdout, re.M)
    # Keys appear nowhere, not even on `::add-mask::` lines (a captured log would hold them).
    assert "::add-mask::" not in run.stdout
    for name in ("SIM_KEY_VERIFIED", "SIM_KEY_UNVERIFIED", "SIM_KEY_HTML_200"):
        key = sim_env[name]
        assert key not in run.stdout
        assert key not in run.summary
        assert key not in (workspace / "checker-report.xml").read_text(encoding="utf-8")


def test_allow_inconclusive_and_no_summary(workspace: Path, sim_env: dict[str, str]) -> None:
    run = run_check_step(workspace, {"config": "tests/action/lenient.yml", "junit-xml": "",
                                     "allow-inconclusive": "true", "summary": "false"}, sim_env)
    assert run.code == 0, run.stdout + run.stderr
    assert run.outputs == {"exit-code": "0", "passed": "1", "failed": "0",
                           "inconclusive": "1", "report": ""}
    assert run.summary == ""
    assert not (workspace / "checker-report.xml").exists()
    assert "::warning file=tests/action/lenient.yml" in run.stdout  # annotations stay


def test_allow_inconclusive_never_excuses_an_answer_of_the_wrong_shape(
        workspace: Path, sim_env: dict[str, str]) -> None:
    # A login page (unexpected_response) proves nothing, and time will not change it.
    (workspace / "checks.yml").write_text(
        "providers:\n  website: {base_url: '${SIM_URL}', api_key: '${SIM_KEY_HTML_200}'}\n"
        "checks:\n  - {provider: website, model: gpt-4o-mini}\n", encoding="utf-8")
    run = run_check_step(workspace, {"config": "checks.yml", "allow-inconclusive": "true"},
                         sim_env)
    assert run.code == 3, run.stdout + run.stderr
    assert run.outputs["exit-code"] == "3"


def test_summary_is_on_by_default(workspace: Path, sim_env: dict[str, str]) -> None:
    run = run_check_step(workspace, {"config": "tests/action/lenient.yml"}, sim_env)
    assert run.code == 3
    assert run.outputs["exit-code"] == "3"
    assert run.summary.startswith("## ⚠️ model access check inconclusive")
    assert "| `gpt-4o-mini` |" in run.summary


def test_a_config_error_exits_2_with_a_report(workspace: Path, sim_env: dict[str, str]) -> None:
    run = run_check_step(workspace, {"config": "tests/action/broken.yml",
                                     "junit-xml": "reports/broken.xml"}, sim_env)
    assert run.code == 2
    assert run.outputs["exit-code"] == "2"
    assert run.outputs["report"] == "reports/broken.xml"
    assert 'name="configuration"' in (workspace / "reports/broken.xml").read_text()
    assert "tests/action/broken.yml:9:5: unknown key 'modles'" in run.stderr
    assert re.search(r"^::error file=tests/action/broken.yml,line=9,", run.stdout, re.M)
    assert "configuration error" in run.summary


def test_default_config_is_found_in_the_workspace(workspace: Path,
                                                  sim_env: dict[str, str]) -> None:
    shutil.copy(workspace / "tests/action/lenient.yml", workspace / "checks.yml")
    run = run_check_step(workspace, {"allow-inconclusive": "true"}, sim_env)
    assert run.code == 0, run.stderr
    assert run.outputs["passed"] == "1"


def test_args_are_split_like_a_shell(workspace: Path, sim_env: dict[str, str]) -> None:
    run = run_check_step(workspace, {"config": "tests/action/checks.yml",
                                     "args": "--only 'verified-org / *'  --retries 0"}, sim_env)
    assert run.code == 0, run.stdout + run.stderr
    assert run.outputs["passed"] == "2"
    assert run.step_outputs["total"] == "2"


def test_args_are_never_run_by_a_shell(workspace: Path, sim_env: dict[str, str]) -> None:
    run = run_check_step(workspace, {"config": "tests/action/checks.yml",
                                     "args": "--retries 0 $(touch pwned) `touch pwned2`; "
                                             "touch pwned3"}, sim_env)
    assert not list(workspace.glob("pwned*"))
    assert run.code == 2  # the checker refuses the unknown arguments
    assert run.outputs["exit-code"] == "2"  # set by the action when the checker could not
    assert "unrecognized arguments" in run.stderr


@pytest.mark.parametrize(("inputs", "message"), [
    ({"allow-inconclusive": "yes"}, "allow-inconclusive must be true or false"),
    ({"summary": "off"}, "summary must be true or false"),
    ({"args": "--only 'unbalanced"}, "args is not valid shell-like quoting"),
])
def test_bad_inputs_fail_with_exit_code_2(inputs: dict[str, str], message: str,
                                          workspace: Path, sim_env: dict[str, str]) -> None:
    run = run_check_step(workspace, {"config": "tests/action/checks.yml", **inputs}, sim_env)
    assert run.code == 2
    assert run.outputs["exit-code"] == "2"
    assert f"::error title=model-access-checker::input {message}" in run.stdout


def test_exit_code_is_set_even_when_the_checker_sets_no_outputs(
    workspace: Path, sim_env: dict[str, str],
) -> None:
    run = run_check_step(workspace, {"config": "tests/action/checks.yml",
                                     "args": "--no-github"}, sim_env)
    assert run.code == 1
    assert run.outputs == {"exit-code": "1", "passed": "", "failed": "", "inconclusive": "",
                           "report": ""}
    assert run.summary == ""


@pytest.mark.parametrize(("extras", "installed", "code"), [
    ("", "ACTION", 0),
    ("vertex", "ACTION[vertex]", 0),
    ("vertex, azure", "ACTION[vertex,azure]", 0),
    ("vertex,", None, 2),
    ("vertex;touch pwned", None, 2),
    ("*", None, 2),
])
def test_the_install_step_adds_only_known_extras(tmp_path: Path, extras: str,
                                                 installed: str | None, code: int) -> None:
    """The install step, run with a stand-in Python that records what pip was asked for."""
    log = tmp_path / "pip.log"
    fake = tmp_path / "python"
    fake.write_text(f"""#!/bin/bash
if [ "$1 $2" = "-m venv" ]; then
  mkdir -p "$3/bin"; cp "$0" "$3/bin/python"; exit 0
fi
if [ "$1 $2" = "-m pip" ]; then echo "${{@: -1}}" >> {log}; fi
exit 0
""", encoding="utf-8")
    fake.chmod(0o755)
    script = tmp_path / "install.sh"
    script.write_text(step("install")["run"], encoding="utf-8")
    (tmp_path / "temp").mkdir()
    completed = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=tmp_path,
        capture_output=True, text=True, timeout=60,
        env=clean_env({"BASE_PYTHON": str(fake), "INPUT_EXTRAS": extras,
                       "RUNNER_TEMP": str(tmp_path / "temp"), "GITHUB_ACTION_PATH": "ACTION",
                       "GITHUB_OUTPUT": str(tmp_path / "out")}))
    assert completed.returncode == code, completed.stdout + completed.stderr
    if installed is None:
        assert not log.exists() and "pwned" not in completed.stdout
        assert "::error" in completed.stdout
    else:
        assert log.read_text(encoding="utf-8").split() == [installed]
    assert not (tmp_path / "pwned").exists()
