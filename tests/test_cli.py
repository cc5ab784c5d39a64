"""End to end: the real `checker` command against the simulator on 127.0.0.1."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from checker.simulator import Simulator
from tests.conftest import run_cli, sim_config


def junit_cases(path: Path) -> dict[str, ET.Element]:
    root = ET.parse(path).getroot()
    return {case.get("name", ""): case for case in root.iter("testcase")}


def outcome_of(case: ET.Element) -> str:
    for tag in ("failure", "error", "skipped"):
        element = case.find(tag)
        if element is not None:
            return f"{tag}:{element.get('type', '')}"
    return "pass"


def test_demo_runs_the_bundled_config_and_writes_junit(tmp_path: Path) -> None:
    result = run_cli("demo", cwd=tmp_path)
    assert result.code == 1, result.stderr
    assert "Traceback" not in result.stderr
    for text in ("verification_required", "auth_failed", "quota_exhausted", "permission_denied",
                 "region_blocked", "What to do:",
                 "34 checks: 18 passed, 16 failed, 0 inconclusive"):
        assert text in result.stdout
    cases = junit_cases(tmp_path / "checker-report.xml")
    assert len(cases) == 34
    assert outcome_of(cases["unverified-org / gpt-image-1 [access]"]) == (
        "failure:verification_required")
    assert outcome_of(cases["unverified-org / o3 [stream]"]) == "failure:verification_required"
    assert outcome_of(cases["relay / gpt-5 [access]"]) == "failure:verification_required"
    assert outcome_of(cases["no-credit / gpt-5 [access]"]) == "failure:quota_exhausted"
    assert outcome_of(cases["busy / gpt-4o-mini [access]"]) == "pass"
    assert outcome_of(cases["flaky / gpt-4o-mini [access]"]) == "pass"
    assert outcome_of(cases["verified-org / gpt-5 [access] (key DEMO_STAGING_KEY)"]) == "pass"
    # Anthropic, Gemini and a preset, each in its own wire format.
    assert outcome_of(cases["claude / claude-sonnet-4-5 [stream]"]) == "pass"
    assert outcome_of(cases["claude-no-credit / claude-sonnet-4-5 [access]"]) == (
        "failure:quota_exhausted")
    assert outcome_of(cases["gemini / gemini-2.5-flash [access]"]) == "pass"
    assert outcome_of(cases["gemini-eu-runner / gemini-2.5-flash [access]"]) == (
        "failure:region_blocked")
    assert outcome_of(cases["openrouter / openai/gpt-4o-mini [access]"]) == "pass"
    # Bedrock in two regions (signed requests the simulator verified), and a new account.
    profile = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
    assert outcome_of(cases[f"bedrock@us-east-1 / {profile} [access]"]) == "pass"
    assert outcome_of(cases[f"bedrock@eu-west-1 / {profile} [access]"]) == (
        "failure:model_not_found")
    assert outcome_of(cases["bedrock@eu-west-1 / amazon.nova-lite-v1:0 [access]"]) == "pass"
    assert outcome_of(cases[f"bedrock-new-account / {profile} [access]"]) == (
        "failure:access_pending")
    assert "arn:aws:sts::111122223333:assumed-role/checker-simulator/ci-session" in (
        result.stdout)


def test_run_all_ok_exits_0_with_json(simulator: Simulator, write_config,  # type: ignore[no-untyped-def]
                                      tmp_path: Path) -> None:
    config, env = sim_config(simulator, write_config, (
        "  - providers: [prod]\n    models: [gpt-image-1, o3, gpt-5, text-embedding-3-small]\n"
        "  - providers: [prod]\n    models: [o3]\n    capabilities: [stream, reasoning_summary]\n"
    ), {"prod": "verified"})
    report = tmp_path / "out" / "report.json"
    result = run_cli("run", "-c", str(config), "--json", str(report), env=env)
    assert result.code == 0, result.stdout + result.stderr
    data = json.loads(report.read_text())
    assert data["version"] == 1 and data["summary"]["passed"] == 6
    assert data["summary"]["exit_code"] == 0
    first = data["results"][0]
    for field in ("provider", "model", "capability", "class", "status", "passed", "attempts",
                  "latency_ms", "request_id", "file", "line", "hint"):
        assert field in first
    assert (first["provider"], first["model"], first["class"], first["status"]) == (
        "prod", "gpt-image-1", "ok", 200)
    assert first["line"] == 8 and first["request_id"].startswith("req_")
    kinds = {r["capability"]: r["endpoint"].rsplit("/", 1)[-1] for r in data["results"]}
    assert kinds["reasoning_summary"] == "responses"


def test_no_subcommand_means_run_and_finds_checks_yml(simulator: Simulator, write_config,  # type: ignore[no-untyped-def]
                                                       tmp_path: Path) -> None:
    config, env = sim_config(simulator, write_config,
                             "  - providers: [prod]\n    models: [gpt-4o-mini]\n",
                             {"prod": "verified"})
    assert config.parent == tmp_path
    result = run_cli(env=env, cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert "prod / gpt-4o-mini [access]" in result.stdout


def test_inconclusive_only_exits_3_or_0_when_allowed(simulator: Simulator,  # type: ignore[no-untyped-def]
                                                      write_config) -> None:
    config, env = sim_config(simulator, write_config,
                             "  - providers: [broken]\n    models: [gpt-4o-mini]\n",
                             {"broken": "html"}, defaults="{retries: 0, timeout: 5}")
    result = run_cli("run", "-c", str(config), env=env)
    assert result.code == 3, result.stdout
    assert "server_error" in result.stdout
    allowed = run_cli("run", "-c", str(config), "--allow-inconclusive", env=env)
    assert allowed.code == 0


def test_failure_wins_over_inconclusive(simulator: Simulator, write_config) -> None:  # type: ignore[no-untyped-def]
    config, env = sim_config(simulator, write_config,
                             "  - providers: [broken, revoked]\n    models: [gpt-4o-mini]\n",
                             {"broken": "html", "revoked": "revoked"},
                             defaults="{retries: 0, timeout: 5}")
    result = run_cli("run", "-c", str(config), "--allow-inconclusive", env=env)
    assert result.code == 1


def test_expect_denied_least_privilege(simulator: Simulator, write_config,  # type: ignore[no-untyped-def]
                                       tmp_path: Path) -> None:
    config, env = sim_config(simulator, write_config, (
        "  - providers: [staging, full]\n    models: [gpt-5]\n    expect: denied\n"
    ), {"staging": "project-restricted", "full": "verified"})
    junit = tmp_path / "r.xml"
    result = run_cli("run", "-c", str(config), "--junit-xml", str(junit), env=env)
    assert result.code == 1
    cases = junit_cases(junit)
    assert outcome_of(cases["staging / gpt-5 [access]"]) == "pass"
    failure = cases["full / gpt-5 [access]"].find("failure")
    assert failure is not None and failure.get("type") == "ok"
    assert "expected denied, but the key can use gpt-5" in failure.get("message", "")


def test_unset_key_variable_reports_config_error_and_runs_the_rest(  # type: ignore[no-untyped-def]
        simulator: Simulator, write_config, tmp_path: Path) -> None:
    config, env = sim_config(simulator, write_config, (
        "  - providers: [prod]\n    models: [gpt-4o-mini]\n"
        "  - providers: [prod]\n    models: [gpt-5]\n    api_key: ${NOT_SET_ANYWHERE}\n"
    ), {"prod": "verified"})
    report = tmp_path / "r.json"
    result = run_cli("run", "-c", str(config), "--json", str(report), env=env)
    assert result.code == 1  # a check whose key is missing fails: nothing was proven
    classes = [r["class"] for r in json.loads(report.read_text())["results"]]
    assert classes == ["ok", "config_error"]
    assert "NOT_SET_ANYWHERE is not set" in result.stdout


def test_config_error_exits_2_and_still_writes_a_junit_report(write_config,  # type: ignore[no-untyped-def]
                                                               tmp_path: Path) -> None:
    config = write_config("providers:\n  p: {base_url: 'https://x.example', api_key: '${K}'}\n"
                          "checks:\n  - providers: [p]\n    modles: [gpt-5]\n")
    junit = tmp_path / "report.xml"
    result = run_cli("run", "-c", str(config), "--junit-xml", str(junit))
    assert result.code == 2
    assert "checks.yml:5:5: unknown key 'modles'" in result.stderr
    assert "Traceback" not in result.stderr
    cases = junit_cases(junit)
    assert list(cases) == ["configuration"]
    error = cases["configuration"].find("error")
    assert error is not None and "modles" in error.get("message", "")


def test_plan_sends_nothing_and_shows_requests_and_cost(simulator: Simulator,  # type: ignore[no-untyped-def]
                                                        write_config) -> None:
    config, env = sim_config(simulator, write_config,
                             "  - providers: [prod]\n    models: [gpt-image-1, o3]\n"
                             "    capabilities: [access]\n",
                             {"prod": "verified"})
    result = run_cli("plan", "-c", str(config), env=env)
    assert result.code == 0, result.stderr
    assert "POST " + simulator.url + "/images/generations" in result.stdout
    assert '"quality":"low"' in result.stdout
    assert "Bearer ***" in result.stdout and env["PROD_KEY"] not in result.stdout
    assert "estimated cost of one run: $0.011" in result.stdout
    assert "[may need Organization Verification]" in result.stdout
    assert simulator.log == []
    as_json = json.loads(run_cli("plan", "--json", "-c", str(config), env=env).stdout)
    assert as_json["probes"][1]["body"]["max_completion_tokens"] == 16
    assert simulator.log == []


@pytest.mark.parametrize(("body", "status", "expected"), [
    ("403 Your organization must be verified to use the model `gpt-image-2`. Please go to: "
     "https://platform.openai.com/settings/organization/general", None, "verification_required"),
    ('{"error": {"message": "You exceeded your current quota", "code": "insufficient_quota"}}',
     "429", "quota_exhausted"),
    ("Rate limit reached for gpt-4o. Please try again in 644ms.", "429", "rate_limited"),
])
def test_diagnose_json(body: str, status: str | None, expected: str) -> None:
    args = ["diagnose", "--json"] + (["--status", status] if status else [])
    result = run_cli(*args, stdin=body)
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["class"] == expected
    assert set(data) >= {"class", "retryable", "hint"}
    assert data["retryable"] is (expected == "rate_limited")


def test_diagnose_reads_the_status_from_sdk_text_and_explains(tmp_path: Path) -> None:
    path = tmp_path / "body.txt"
    path.write_text("404 Your organization must be verified to use the model `o3`.")
    result = run_cli("diagnose", str(path))
    assert result.code == 0
    assert "class:     verification_required" in result.stdout
    assert "404 (read from the text)" in result.stdout
    assert "15 minutes" in result.stdout


def test_diagnose_masks_a_pasted_key() -> None:
    key = "sk-proj-AbCdEf0123456789GhIjKlMnOp"
    result = run_cli("diagnose", stdin=f'{{"error": {{"message": "Invalid key {key}"}}}}')
    assert key not in result.stdout and "sk-***" in result.stdout


@pytest.mark.parametrize("args", [["diagnose"], ["diagnose", "--status", "999"],
                                  ["diagnose", "/no/such/file"]])
def test_diagnose_bad_input_exits_2(args: list[str]) -> None:
    result = run_cli(*args, stdin="" if args == ["diagnose"] else "x")
    assert result.code == 2 and "Traceback" not in result.stderr


def test_only_filters_checks(simulator: Simulator, write_config) -> None:  # type: ignore[no-untyped-def]
    config, env = sim_config(simulator, write_config,
                             "  - providers: [prod]\n    models: [gpt-4o-mini, gpt-5]\n",
                             {"prod": "verified"})
    result = run_cli("run", "-c", str(config), "--only", "*gpt-5*", env=env)
    assert result.code == 0 and "gpt-4o-mini" not in result.stdout
    assert [p.model for p in simulator.log] == ["gpt-5"]
    nothing = run_cli("run", "-c", str(config), "--only", "nope", env=env)
    assert nothing.code == 2


def test_unwritable_report_path_exits_2_but_writes_the_others(  # type: ignore[no-untyped-def]
        simulator: Simulator, write_config, tmp_path: Path) -> None:
    config, env = sim_config(simulator, write_config,
                             "  - providers: [prod]\n    models: [gpt-4o-mini]\n",
                             {"prod": "verified"})
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run_cli("run", "-c", str(config), "--junit-xml", str(blocker / "r.xml"),
                     "--json", str(tmp_path / "ok.json"), env=env)
    assert result.code == 2 and "cannot write" in result.stderr
    assert json.loads((tmp_path / "ok.json").read_text())["summary"]["passed"] == 1


def test_azure_flavour(simulator: Simulator, write_config) -> None:  # type: ignore[no-untyped-def]
    key = simulator.new_key("verified")
    config = write_config(f"""
providers:
  azure-east:
    kind: azure
    base_url: {simulator.origin}
    api_key: ${{AZURE_KEY}}
    api_version: 2025-04-01-preview
    deployments: {{gpt-image-1: image-prod}}
checks:
  - providers: [azure-east]
    models: [gpt-image-1, gpt-4o-mini, no-such-deployment]
""")
    simulator.azure_deployments["image-prod"] = "gpt-image-1"
    result = run_cli("run", "-c", str(config), "--json", str(config.parent / "r.json"),
                     env={"AZURE_KEY": key})
    records = json.loads((config.parent / "r.json").read_text())["results"]
    assert [r["class"] for r in records] == ["ok", "ok", "model_not_found"], result.stdout
    assert records[0]["endpoint"].endswith(
        "/openai/deployments/image-prod/images/generations?api-version=2025-04-01-preview")
    assert all(p.azure for p in simulator.log)


def test_relays_unverified_upstream_and_missing_channel(simulator: Simulator,  # type: ignore[no-untyped-def]
                                                        write_config, tmp_path: Path) -> None:
    config, env = sim_config(simulator, write_config,
                             "  - providers: [openrouter, oneapi]\n"
                             "    models: [gpt-image-1, gpt-4.1-nano]\n",
                             {"openrouter": "relay-openrouter", "oneapi": "relay-oneapi"})
    run_cli("run", "-c", str(config), "--json", str(tmp_path / "r.json"), env=env)
    records = {r["id"]: r["class"] for r in json.loads((tmp_path / "r.json").read_text())[
        "results"]}
    assert records == {
        "openrouter / gpt-image-1 [access]": "verification_required",
        "openrouter / gpt-4.1-nano [access]": "ok",
        "oneapi / gpt-image-1 [access]": "verification_required",
        "oneapi / gpt-4.1-nano [access]": "model_not_found",
    }


def test_colour_only_when_asked(simulator: Simulator, write_config) -> None:  # type: ignore[no-untyped-def]
    config, env = sim_config(simulator, write_config,
                             "  - providers: [prod]\n    models: [gpt-4o-mini]\n",
                             {"prod": "verified"})
    plain = run_cli("run", "-c", str(config), env=env)
    assert "\033[" not in plain.stdout  # not a TTY, and NO_COLOR is set
    forced = run_cli("run", "-c", str(config), "--color", "always", env=env)
    assert "\033[32m" in forced.stdout


def test_version_and_help() -> None:
    from checker import __version__

    assert run_cli("--version").stdout.strip() == f"checker {__version__}"
    help_text = run_cli("--help").stdout
    assert "Exit codes" in help_text and "diagnose" in help_text
    assert run_cli("run", "--concurrency", "0").code == 2
