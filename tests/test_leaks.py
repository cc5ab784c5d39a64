"""A key never appears in any output: every command, every report format, with providers
that echo the key back (whole, half, URL-encoded, inside JSON strings, in headers)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import quote

import pytest

from checker.secrets import MASK, Redactor, looks_like_secret
from checker.simulator import Simulator
from tests.conftest import run_cli

MIN_FRAGMENT = 8


def fragments(secret: str) -> set[str]:
    return {secret[i:i + MIN_FRAGMENT] for i in range(len(secret) - MIN_FRAGMENT + 1)}


def assert_no_leak(text: str, secrets: list[str], where: str) -> None:
    for secret in secrets:
        for form in (secret, quote(secret, safe=""), json.dumps(secret)[1:-1],
                     base64.b64encode(secret.encode()).decode()):
            assert form not in text, f"{where} contains the key"
        leaked = [f for f in fragments(secret) if f in text]
        assert not leaked, f"{where} contains key fragments {leaked[:3]}"


# --- the redactor itself -----------------------------------------------------------------------


def test_redactor_masks_whole_and_partial_and_encoded_forms() -> None:
    key = "sk-proj-Zq8XbN4vT1rLmP0aYcW7eUhK3sJd"
    redact = Redactor([key])
    for text in (key, f"half {key[:18]}", quote(key, safe=""), json.dumps({"k": key}),
                 f"Basic {base64.b64encode(key.encode()).decode()}", f"end {key[-9:]}"):
        out = redact(text)
        assert_no_leak(out, [key], repr(text))
        assert MASK in out


def test_redactor_masks_key_shaped_text_it_was_not_told_about() -> None:
    redact = Redactor()
    assert redact("key sk-abcdefghijklmnopqrstuvwx used") == "key sk-*** used"
    assert redact("Authorization: Bearer abc.def-ghi_jkl") == "Authorization: Bearer ***"
    assert redact('{"api-key": "0123456789abcdef0123456789abcdef"}') == '{"api-key": "***"}'


def test_redactor_leaves_ordinary_text_alone() -> None:
    redact = Redactor(["sk-sim-Q2xvY2tXb3JrU2VjcmV0"])
    text = "Your organization must be verified to use the model `gpt-image-2`. (request id: 123)"
    assert redact(text) == text


def test_secret_detection() -> None:
    assert looks_like_secret("sk-proj-abcdefghijkl")
    assert looks_like_secret("a8f5f167f44f4964e6c998dee827110c")
    assert not looks_like_secret("sim-verified-org")
    assert not looks_like_secret("https://api.openai.com/v1")  # display only


# --- every command, every format ---------------------------------------------------------------


@pytest.fixture
def leaky(simulator: Simulator, write_config):  # type: ignore[no-untyped-def]
    """A config whose providers echo their keys back, and a few others for contrast."""
    keys = {
        "ECHO_KEY": simulator.new_key("echo-key"),
        "REVOKED_KEY": simulator.new_key("revoked"),
        "GOOD_KEY": simulator.new_key("verified"),
    }
    config = write_config(f"""
providers:
  echo:
    base_url: {simulator.url}
    api_key: ${{ECHO_KEY}}
  revoked:
    base_url: {simulator.url}
    api_key: ${{REVOKED_KEY}}
  good:
    base_url: {simulator.url}
    api_key: ${{GOOD_KEY}}
    headers: {{X-Gateway-Token: "${{GOOD_KEY}}"}}
checks:
  - providers: [echo, revoked, good]
    models: [gpt-4o-mini, o3]
  - providers: [echo]
    models: [o3]
    capabilities: [stream, reasoning_summary]
""")
    return config, keys


def scan_outputs(result, files: list[Path], secrets: list[str]) -> None:  # type: ignore[no-untyped-def]
    assert_no_leak(result.stdout, secrets, "stdout")
    assert_no_leak(result.stderr, secrets, "stderr")
    for path in files:
        if path.exists():
            assert_no_leak(path.read_text(encoding="utf-8"), secrets, path.name)


def test_run_with_every_report_never_leaks(leaky, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config, keys = leaky
    files = [tmp_path / "r.xml", tmp_path / "r.json", tmp_path / "r.md"]
    result = run_cli("run", "-c", str(config), "--junit-xml", str(files[0]), "--json",
                     str(files[1]), "--markdown", str(files[2]), "--github-annotations",
                     "--verbose", "--debug", env=keys)
    assert result.code == 1, result.stderr
    assert all(path.exists() for path in files)
    assert "auth_failed" in result.stdout and "checker: echo / o3 [access] attempt 1" in (
        result.stderr)
    scan_outputs(result, files, list(keys.values()))


def test_github_actions_mode_never_leaks(leaky, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config, keys = leaky
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs.txt"
    env = {**keys, "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary),
           "GITHUB_OUTPUT": str(outputs)}
    result = run_cli("run", "-c", str(config), "--junit-xml", str(tmp_path / "r.xml"), env=env)
    assert result.code == 1
    assert summary.read_text() and outputs.read_text()
    # No `::add-mask::VALUE` line either: a log captured with tee would hold the key.
    # checker's own redaction covers its output; keys from `secrets.*` are masked by the
    # runner anyway.
    assert "::add-mask::" not in result.stdout
    scan_outputs(result, [summary, outputs, tmp_path / "r.xml"], list(keys.values()))


@pytest.mark.parametrize("command", [["plan"], ["plan", "--json"], ["validate"]])
def test_offline_commands_never_leak(leaky, command: list[str]) -> None:  # type: ignore[no-untyped-def]
    config, keys = leaky
    result = run_cli(*command, "-c", str(config), env=keys)
    assert result.code == 0, result.stderr
    scan_outputs(result, [], list(keys.values()))


def test_config_errors_never_echo_a_literal_key(write_config) -> None:  # type: ignore[no-untyped-def]
    key = "sk-proj-Lq9XwZ2mRt7vB4nK8pY3sD6fH1jG"
    config = write_config(f"providers:\n  p:\n    base_url: https://x.example\n"
                          f"    api_key: {key}\n    headers: {{Authorization: 'Bearer {key}'}}\n"
                          f"checks:\n  - providers: [p]\n    models: [gpt-5]\n")
    for command in ("validate", "run", "plan"):
        result = run_cli(command, "-c", str(config))
        assert result.code == 2 and "literal secret" in result.stderr
        scan_outputs(result, [], [key])


def test_wait_and_merge_never_leak(leaky, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config, keys = leaky
    report, merged = tmp_path / "w.json", tmp_path / "m.xml"
    waited = run_cli("wait", "-c", str(config), "--timeout", "5s", "--interval", "1s",
                     "--json", str(report), "--debug", env=keys)
    assert waited.code == 1 and "waiting cannot change" in waited.stdout
    scan_outputs(waited, [report], list(keys.values()))
    combined = run_cli("merge", str(report), "--junit-xml", str(merged))
    scan_outputs(combined, [merged], list(keys.values()))


def test_demo_never_leaks_its_keys(tmp_path: Path) -> None:
    # The demo makes its keys up; they are random, so scan for the shape instead.
    result = run_cli("demo", "--json", str(tmp_path / "d.json"), cwd=tmp_path)
    for text in (result.stdout, result.stderr, (tmp_path / "d.json").read_text(),
                 (tmp_path / "checker-report.xml").read_text()):
        assert "sk-sim-" not in text.replace("sk-***", "")
        assert "AKIASIM" not in text  # the demo's AWS access key id (the chain's, redacted)
