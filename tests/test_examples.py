"""Every example works as copied: each workflow's check step runs with exactly the
environment the workflow maps (secrets and variables from a stand-in store), the configs
as the examples ship them with the provider URLs pointed at the simulator, the Makefile
with real make, the pre-commit config's hooks with their arguments. Exit codes are the
ones a user would get."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker import __version__
from checker.simulator import Simulator
from tests.conftest import clean_env
from tests.test_action import ActionRun, expand, read_outputs, run_check_step

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
ACTION = "your-org/model-access-checker@v0"
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)")
WORKFLOWS = ["deploy.yml", "nightly-audit.yml", "nightly-sharded.yml"]
# Where each workflow's config comes from in a user's repository.
CONFIG_SOURCE = {"checks.yml": "checks.yml", ".github/audit-checks.yml": "audit-checks.yml"}


def workflow(name: str) -> dict[str, Any]:
    return yaml.safe_load((EXAMPLES / "workflows" / name).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def action_steps(name: str) -> list[dict[str, Any]]:
    return [step for job in workflow(name)["jobs"].values() for step in job["steps"]
            if step.get("uses", "").startswith(ACTION)]


def store(simulator: Simulator, production: str = "verified") -> dict[str, str]:
    """What `${{ secrets.X }}` and `${{ vars.X }}` hold: keys the simulator acts out."""
    simulator.azure_deployments["image-prod"] = "gpt-image-1"
    return {"secrets.OPENAI_API_KEY": simulator.new_key(production),
            "secrets.OPENAI_STAGING_KEY": simulator.new_key("project-restricted"),
            "secrets.AZURE_OPENAI_API_KEY": simulator.new_key("verified"),
            "vars.OPENAI_ORG_ID": "org-sim-main"}


def copied_config(source: str, simulator: Simulator) -> str:
    """The example config as shipped, its provider URLs pointed at the simulator."""
    text = (EXAMPLES / source).read_text(encoding="utf-8")
    return (text.replace("https://api.openai.com/v1", simulator.url)
            .replace("https://my-resource.openai.azure.com", simulator.origin))


@pytest.mark.parametrize("name", WORKFLOWS)
def test_each_workflow_maps_every_variable_its_config_uses(name: str) -> None:
    for step in action_steps(name):
        source = CONFIG_SOURCE[step["with"]["config"]]
        used = set(VARIABLE.findall((EXAMPLES / source).read_text(encoding="utf-8")))
        assert used and used <= set(step["env"]), (name, sorted(used - set(step["env"])))


def run_step(step: dict[str, Any], workspace: Path, values: dict[str, str],
             matrix: dict[str, str] | None = None) -> ActionRun:
    context = {**values, **{f"matrix.{k}": v for k, v in (matrix or {}).items()}}
    inputs = {name: expand(str(value), context) for name, value in step["with"].items()}
    env = {name: expand(str(value), context) for name, value in step["env"].items()}
    return run_check_step(workspace, inputs, env)


def workspace_for(tmp_path: Path, config_path: str, simulator: Simulator) -> Path:
    workspace = tmp_path / "repository"
    (workspace / config_path).parent.mkdir(parents=True, exist_ok=True)
    (workspace / config_path).write_text(copied_config(CONFIG_SOURCE[config_path], simulator),
                                         encoding="utf-8")
    return workspace


@pytest.mark.parametrize(("production", "code"), [("verified", 0), ("unverified", 1),
                                                  ("revoked", 1)])
def test_the_deploy_workflow_as_copied(simulator: Simulator, tmp_path: Path, production: str,
                                       code: int) -> None:
    [step] = action_steps("deploy.yml")
    workspace = workspace_for(tmp_path, step["with"]["config"], simulator)
    run = run_step(step, workspace, store(simulator, production))
    assert run.code == code, run.stdout + run.stderr
    assert run.outputs["exit-code"] == str(code)
    assert (workspace / "checker-report.xml").is_file()  # the action's default report


def test_the_nightly_audit_as_copied(simulator: Simulator, tmp_path: Path) -> None:
    steps = workflow("nightly-audit.yml")["jobs"]["audit"]["steps"]
    check = next(s for s in steps if s.get("uses", "").startswith(ACTION))
    workspace = workspace_for(tmp_path, check["with"]["config"], simulator)
    first = run_step(check, workspace, store(simulator))
    assert first.code == 0, first.stdout + first.stderr
    assert "does not exist yet" in first.stdout  # the first night: no baseline
    (workspace / "baseline").mkdir()
    shutil.copy(workspace / "checker-report.json", workspace / "baseline/checker-report.json")
    second = run_step(check, workspace, store(simulator, "unverified"))
    assert second.code == 1
    report = json.loads((workspace / "checker-report.json").read_text(encoding="utf-8"))
    assert report["baseline"]["regressions"] >= 1  # lost access since last night


def test_the_sharded_audit_as_copied(simulator: Simulator, tmp_path: Path) -> None:
    spec = workflow("nightly-sharded.yml")
    [shard_step] = action_steps("nightly-sharded.yml")
    workspace = workspace_for(tmp_path, shard_step["with"]["config"], simulator)
    values = store(simulator, "unverified")
    for shard in spec["jobs"]["shard"]["strategy"]["matrix"]["shard"]:
        run = run_step(shard_step, workspace, values, {"shard": str(shard)})
        assert run.code in (0, 1), run.stderr  # continue-on-error: the merge job decides
    (workspace / "shards").mkdir()
    for report in workspace.glob("shard-*.json"):
        shutil.move(report, workspace / "shards" / report.name)
    merge = next(s for s in spec["jobs"]["merge"]["steps"] if s.get("id") == "merge")
    script = merge["run"].replace("checker merge", f"{shlex.quote(sys.executable)} -m checker "
                                                   "merge")
    output, summary = tmp_path / "output", tmp_path / "summary.md"
    completed = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                                script], cwd=workspace, capture_output=True, text=True,
                               timeout=120, env=clean_env({
                                   "GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(output),
                                   "GITHUB_STEP_SUMMARY": str(summary)}))
    assert completed.returncode == 0, completed.stderr  # the step records, the next step fails
    assert read_outputs(output)["exit-code"] == "1"  # an unverified organization
    assert summary.read_text(encoding="utf-8").count("## ❌ model access check failed") == 1
    assert (workspace / "checker-report.xml").is_file()


def test_the_makefile_with_the_example_config(simulator: Simulator, tmp_path: Path) -> None:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    (tmp_path / "checks.yml").write_text(copied_config("checks.yml", simulator),
                                         encoding="utf-8")
    deploy = tmp_path / "deploy.sh"
    deploy.write_text("#!/bin/sh\ntouch deployed\n", encoding="utf-8")
    deploy.chmod(0o755)
    values = store(simulator)
    env = {name.split(".", 1)[1]: value for name, value in values.items()}
    checker = f"{shlex.quote(sys.executable)} -m checker"
    result = subprocess.run(["make", "-f", str(EXAMPLES / "Makefile"), "deploy",
                             f"CHECKER={checker}"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120, env=clean_env(env))
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "deployed").exists()


def test_the_pre_commit_config_hooks(simulator: Simulator, tmp_path: Path) -> None:
    config = yaml.safe_load((EXAMPLES / "pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {h["id"]: h for repo in config["repos"] for h in repo["hooks"]}
    manifest = {h["id"]: h for h in yaml.safe_load(
        (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    (tmp_path / "checks.yml").write_text(copied_config("checks.yml", simulator),
                                         encoding="utf-8")
    values = store(simulator)
    env = {name.split(".", 1)[1]: value for name, value in values.items()}
    for hook_id, code in (("checker", 0), ("checker-run", 0)):
        entry = shlex.split(manifest[hook_id]["entry"])[1:]  # `checker <command>`
        result = subprocess.run([sys.executable, "-m", "checker", *entry,
                                 *hooks[hook_id]["args"]], cwd=tmp_path, capture_output=True,
                                text=True, timeout=120, env=clean_env(env))
        assert result.returncode == code, (hook_id, result.stdout + result.stderr)
    # Without the keys (a developer's machine): validate passes, run fails: the keys are
    # missing, and --allow-inconclusive does not excuse that.
    bare = subprocess.run([sys.executable, "-m", "checker", "run", *hooks["checker-run"]["args"]],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env=clean_env())
    assert bare.returncode == 1


def test_the_references_name_one_release() -> None:
    """The package version, the CHANGELOG, and every tag-shaped reference agree."""
    major = f"v{__version__.split('.')[0]}"
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'version = "{__version__}"' in pyproject
    assert f"## {__version__}" in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    texts = [p.read_text(encoding="utf-8") for p in [ROOT / "README.md", ROOT / "docs/ci.md",
                                                      *EXAMPLES.rglob("*.y*ml")]]
    refs = set(re.findall(r"model-access-checker@(v[\w.]+)", "\n".join(texts)))
    revs = set(re.findall(r"rev: (v[\w.]+)", "\n".join(texts)))
    schemas = set(re.findall(r"model-access-checker/(v[\w.]+)/schema", "\n".join(texts)))
    assert refs <= {major, f"v{__version__}"} and refs, refs
    assert revs == {f"v{__version__}"} and schemas <= {f"v{__version__}"}


def test_the_readme_lists_every_simulator_scenario() -> None:
    from checker.simulator import SCENARIOS

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert all(f"| `{name}` | {text} |" in readme for name, text in SCENARIOS.items())


# --- cloud identities: Vertex AI with workload identity federation, Azure with Entra ID ----
# The sign-in steps (google-github-actions/auth, azure/login) are stood in for by what they
# leave behind: Google's credential file for workload identity federation, whose token
# service and IAM Credentials API are played by a loopback server in their documented wire
# format; and an `az` on PATH that prints what `az account get-access-token` prints.

SERVICE_ACCOUNT = "model-access-ci@my-project.iam.gserviceaccount.com"


def checker_step(name: str) -> dict[str, Any]:
    [step] = action_steps(name)
    return step


def test_the_vertex_wif_workflow_signs_in_before_it_checks() -> None:
    job = workflow("vertex-wif.yml")["jobs"]["model-access"]
    assert job["permissions"] == {"contents": "read", "id-token": "write"}
    uses = [step.get("uses", "") for step in job["steps"]]
    auth = next(i for i, u in enumerate(uses) if u.startswith("google-github-actions/auth@"))
    assert auth < next(i for i, u in enumerate(uses) if u.startswith(ACTION))
    assert uses[auth] == "google-github-actions/auth@7c6bc770dae815cd3e89ee6cdf493a5fab2cc093"
    assert set(job["steps"][auth]["with"]) == {"workload_identity_provider", "service_account"}
    assert checker_step("vertex-wif.yml")["with"]["extras"] == "vertex"


def vertex_workspace(tmp_path: Path, simulator: Simulator) -> Path:
    workspace = tmp_path / "repository"
    workspace.mkdir()
    text = (EXAMPLES / "vertex-checks.yml").read_text(encoding="utf-8")
    (workspace / "vertex-checks.yml").write_text(text.replace(
        "kind: vertex", f"kind: vertex\n    base_url: {simulator.origin}"), encoding="utf-8")
    return workspace


def google_sign_in(tmp_path: Path, httpserver: Any, token: str) -> dict[str, str]:
    """What google-github-actions/auth leaves: an external_account credential file (its
    token exchange and impersonation answered by ``httpserver`` as Google's STS and IAM
    Credentials API answer) and GOOGLE_APPLICATION_CREDENTIALS pointing at it."""
    oidc = tmp_path / "oidc-token.txt"
    oidc.write_text("header.payload.signature", encoding="utf-8")
    httpserver.expect_request("/v1/token", method="POST").respond_with_json({
        "access_token": "sts-federated-token-0123456789", "token_type": "Bearer",
        "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
        "expires_in": 3600})
    httpserver.expect_request(f"/v1/projects/-/serviceAccounts/{SERVICE_ACCOUNT}"
                              ":generateAccessToken", method="POST").respond_with_json({
        "accessToken": token, "expireTime": "2099-01-01T00:00:00Z"})
    credentials = tmp_path / "gha-creds.json"
    credentials.write_text(json.dumps({
        "type": "external_account",
        "audience": "//iam.googleapis.com/projects/123456789/locations/global/"
                    "workloadIdentityPools/github/providers/my-repo",
        "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
        "token_url": httpserver.url_for("/v1/token"),
        "service_account_impersonation_url": httpserver.url_for(
            f"/v1/projects/-/serviceAccounts/{SERVICE_ACCOUNT}:generateAccessToken"),
        "credential_source": {"file": str(oidc)}}), encoding="utf-8")
    return {"GOOGLE_APPLICATION_CREDENTIALS": str(credentials),
            "GOOGLE_CLOUD_PROJECT": "my-project"}


@pytest.mark.parametrize(("scenario", "code", "seen"), [
    ("verified", 0, "4 checks: 4 passed"),
    ("identity-denied", 1, "aiplatform.endpoints.predict"),
])
def test_the_vertex_wif_workflow_as_copied(simulator: Simulator, tmp_path: Path,
                                           httpserver: Any, scenario: str, code: int,
                                           seen: str) -> None:
    workspace = vertex_workspace(tmp_path, simulator)
    token = simulator.new_key(scenario)
    run = run_check_step(workspace, checker_step("vertex-wif.yml")["with"],
                         google_sign_in(tmp_path, httpserver, token))
    assert run.code == code, run.stdout + run.stderr
    assert seen in run.stdout + run.summary and SERVICE_ACCOUNT in run.stdout
    assert token not in run.stdout + run.stderr + run.summary
    report = (workspace / "checker-report.xml").read_text(encoding="utf-8")
    assert SERVICE_ACCOUNT in report and token not in report


def test_the_azure_entra_workflow_signs_in_before_it_checks() -> None:
    job = workflow("azure-entra.yml")["jobs"]["model-access"]
    assert job["permissions"] == {"contents": "read", "id-token": "write"}
    steps = job["steps"]
    login = next(s for s in steps if s.get("uses", "").startswith("azure/login@"))
    assert login["uses"].startswith("azure/login@f5d393ae46f8fde4be8b75f32e3fc50e654ad0ca")
    assert set(login["with"]) == {"client-id", "tenant-id", "subscription-id"}
    assert steps.index(login) < steps.index(checker_step("azure-entra.yml"))
    assert checker_step("azure-entra.yml")["with"]["extras"] == "azure"


def az_sign_in(tmp_path: Path, token: str) -> dict[str, str]:
    """What azure/login leaves: an Azure CLI that is signed in (here an `az` that prints
    what `az account get-access-token --output json` prints, and records its arguments)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    answer = json.dumps({"accessToken": token, "expiresOn": "2099-01-01 00:00:00.000000",
                         "expires_on": 4070908800, "subscription": "sub", "tenant": "tenant",
                         "tokenType": "Bearer"})
    az = bin_dir / "az"
    az.write_text(f"#!/bin/sh\necho \"$@\" >> {tmp_path / 'az.log'}\necho '{answer}'\n",
                  encoding="utf-8")
    az.chmod(0o755)
    return {"PATH": f"{bin_dir}:{os.environ['PATH']}"}


@pytest.mark.parametrize(("scenario", "code", "seen"), [
    ("verified", 0, "2 checks: 2 passed"),
    ("identity-denied", 1, "chat/completions/action"),
])
def test_the_azure_entra_workflow_as_copied(simulator: Simulator, tmp_path: Path,
                                            scenario: str, code: int, seen: str) -> None:
    simulator.azure_deployments["chat-prod"] = "gpt-4o-mini"
    workspace = tmp_path / "repository"
    workspace.mkdir()
    text = (EXAMPLES / "azure-entra-checks.yml").read_text(encoding="utf-8")
    (workspace / "azure-entra-checks.yml").write_text(
        text.replace("https://my-resource.openai.azure.com", simulator.origin), encoding="utf-8")
    token = simulator.new_entra_token(scenario, oid="7f3e0c1a-ci-object-id")
    step = checker_step("azure-entra.yml")
    env = {**az_sign_in(tmp_path, token),
           **{name: str(value) for name, value in step["env"].items()}}
    run = run_check_step(workspace, step["with"], env)
    assert run.code == code, run.stdout + run.stderr
    assert seen in run.stdout + run.summary and "7f3e0c1a-ci-object-id" in run.stdout
    assert token not in run.stdout + run.stderr + run.summary
    assert "--resource https://cognitiveservices.azure.com" in (
        tmp_path / "az.log").read_text(encoding="utf-8")


# --- cloud identities: Bedrock with a role assumed through GitHub's OIDC --------------------
# aws-actions/configure-aws-credentials is stood in for by what it leaves: the role's
# temporary credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and
# AWS_REGION. The simulator verifies every signature made with them.


def test_the_bedrock_workflow_assumes_the_role_before_it_checks() -> None:
    job = workflow("bedrock-oidc.yml")["jobs"]["model-access"]
    assert job["permissions"] == {"contents": "read", "id-token": "write"}
    steps = job["steps"]
    assume = next(s for s in steps if s.get("uses", "").startswith(
        "aws-actions/configure-aws-credentials@"))
    assert assume["uses"] == ("aws-actions/configure-aws-credentials@"
                              "e6de054238d6b7531b4efff3b6587d9aade6a06c")
    assert set(assume["with"]) == {"role-to-assume", "aws-region"}
    assert steps.index(assume) < steps.index(checker_step("bedrock-oidc.yml"))
    assert checker_step("bedrock-oidc.yml")["with"]["extras"] == "bedrock"


@pytest.mark.parametrize(("scenario", "code", "seen"), [
    ("verified", 0, "6 checks: 6 passed"),
    ("subscribing", 1, "access_pending"),
    ("expired-token", 1, "auth_failed"),
])
def test_the_bedrock_workflow_as_copied(simulator: Simulator, tmp_path: Path, scenario: str,
                                        code: int, seen: str) -> None:
    workspace = tmp_path / "repository"
    workspace.mkdir()
    text = (EXAMPLES / "bedrock-checks.yml").read_text(encoding="utf-8")
    (workspace / "bedrock-checks.yml").write_text(text.replace(
        "kind: bedrock", f"kind: bedrock\n    base_url: {simulator.origin}"), encoding="utf-8")
    key_id, secret = simulator.new_aws_credentials(scenario)
    session = "IQoJb3JpZ2luX2VjEJr-role-session-token-0123456789"
    env = {"AWS_ACCESS_KEY_ID": key_id, "AWS_SECRET_ACCESS_KEY": secret,
           "AWS_SESSION_TOKEN": session, "AWS_REGION": "us-east-1",
           "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": str(tmp_path / "none"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}
    run = run_check_step(workspace, checker_step("bedrock-oidc.yml")["with"], env)
    assert run.code == code, run.stdout + run.stderr
    assert seen in run.stdout + run.summary
    # STS tells who the role session is; expired credentials it refuses too.
    assert ("assumed-role/checker-simulator" in run.stdout + run.summary) is (
        scenario != "expired-token")
    for secret_text in (secret, session, key_id):
        assert secret_text not in run.stdout + run.stderr + run.summary
    report = (workspace / "checker-report.xml").read_text(encoding="utf-8")
    assert "bedrock@eu-west-1" in report and secret not in report and session not in report
