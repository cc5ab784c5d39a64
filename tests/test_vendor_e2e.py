"""End to end through the real `checker` command: one config mixing OpenAI, Anthropic,
Gemini and a preset against the simulator (exit codes, classes, reports, rate limits,
waits the vendors ask for, redaction); and the pure pieces behind the rate-limit report
and retry timing for Anthropic's and Google's headers and bodies."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path

import pytest

from checker.limits import is_limit_header, parse_limits
from checker.retry import parse_timestamp, server_hint
from checker.simulator import Simulator
from tests.conftest import run_cli

PROVIDERS = """\
providers:
  oa:
    base_url: {url}
    api_key: ${{OA_KEY}}
  claude:
    kind: anthropic
    base_url: {origin}
    api_key: ${{CLAUDE_KEY}}
  gem:
    kind: gemini
    base_url: {origin}
    api_key: ${{GEMINI_KEY}}
  router:
    preset: openrouter
    base_url: {url}
    api_key: ${{ROUTER_KEY}}
"""
CHECKS = """\
checks:
  - providers: [oa]
    models: [gpt-4o-mini]
  - providers: [claude]
    models: [claude-sonnet-4-5, claude-haiku-4-5]
    capabilities: [access, stream]
  - providers: [gem]
    models: [gemini-2.5-pro, gemini-2.5-flash]
    capabilities: [access, stream]
  - providers: [router]
    models: [openai/gpt-4o-mini]
"""


def mixed(sim: Simulator, write_config, scenarios: Mapping[str, str],  # type: ignore[no-untyped-def]
          checks: str = CHECKS) -> tuple[Path, dict[str, str]]:
    config = write_config(PROVIDERS.format(url=sim.url, origin=sim.origin) + checks)
    env = {f"{name.upper()}_KEY": sim.new_key(scenario) for name, scenario in scenarios.items()}
    return config, env


def results(path: Path) -> dict[str, dict[str, object]]:
    return {r["id"]: r for r in json.loads(path.read_text())["results"]}


ALL_VERIFIED = {"oa": "verified", "claude": "verified", "gemini": "verified",
                "router": "verified"}


def test_a_mixed_config_passes_end_to_end(simulator: Simulator, write_config,  # type: ignore[no-untyped-def]
                                          tmp_path: Path) -> None:
    config, env = mixed(simulator, write_config, ALL_VERIFIED)
    report, junit = tmp_path / "r.json", tmp_path / "r.xml"
    result = run_cli("run", "-c", str(config), "--json", str(report), "--junit-xml",
                     str(junit), "--show-limits", env=env)
    assert result.code == 0, result.stdout + result.stderr
    assert "10 checks: 10 passed, 0 failed, 0 inconclusive" in result.stdout
    by_id = results(report)
    assert {r["class"] for r in by_id.values()} == {"ok"}
    claude = by_id["claude / claude-sonnet-4-5 [stream]"]
    assert claude["endpoint"] == f"{simulator.origin}/v1/messages"
    assert str(claude["request_id"]).startswith("req_")
    assert claude["rate_limits"]["limit_requests"] == 4000  # type: ignore[index]
    gem = by_id["gem / gemini-2.5-pro [stream]"]
    assert str(gem["endpoint"]).endswith("/v1beta/models/gemini-2.5-pro:streamGenerateContent"
                                         "?alt=sse")
    assert by_id["router / openai/gpt-4o-mini [access]"]["class"] == "ok"
    suites = {s.get("name") for s in ET.parse(junit).getroot().iter("testsuite")}
    assert suites == {"oa", "claude", "gem", "router"}
    assert "claude" in result.stdout.split("Rate limits seen:")[1]


def test_each_vendors_denials_fail_with_their_own_class(simulator: Simulator, write_config,  # type: ignore[no-untyped-def]
                                                       tmp_path: Path) -> None:
    config, env = mixed(simulator, write_config, {
        "oa": "verified", "claude": "no-credit", "gemini": "deactivated", "router": "revoked"})
    report = tmp_path / "r.json"
    result = run_cli("run", "-c", str(config), "--json", str(report), "--markdown",
                     str(tmp_path / "r.md"), env=env)
    assert result.code == 1, result.stdout + result.stderr
    by_id = results(report)
    assert by_id["claude / claude-haiku-4-5 [stream]"]["class"] == "quota_exhausted"
    assert by_id["claude / claude-haiku-4-5 [stream]"]["status"] == 400
    assert by_id["gem / gemini-2.5-flash [access]"]["class"] == "account_disabled"
    assert by_id["router / openai/gpt-4o-mini [access]"]["class"] == "auth_failed"
    # Google echoes the key in "Consumer 'api_key:…' has been suspended": never shown.
    outputs = result.stdout + result.stderr + report.read_text() + (tmp_path / "r.md").read_text()
    assert "has been suspended" in outputs
    for key in env.values():
        assert key not in outputs and key[-12:] not in outputs


def test_gemini_region_block_and_waits_the_vendors_ask_for(simulator: Simulator,  # type: ignore[no-untyped-def]
                                                          write_config, tmp_path: Path) -> None:
    checks = ("checks:\n  - providers: [gem]\n    models: [gemini-2.5-flash]\n"
              "  - providers: [claude]\n    models: [claude-sonnet-4-5]\n")
    config, env = mixed(simulator, write_config, {"claude": "rate-limited", "gemini": "region"},
                        checks)
    report = tmp_path / "r.json"
    result = run_cli("run", "-c", str(config), "--json", str(report), env=env)
    assert result.code == 1
    by_id = results(report)
    assert by_id["gem / gemini-2.5-flash [access]"]["class"] == "region_blocked"
    claude = by_id["claude / claude-sonnet-4-5 [access]"]
    assert (claude["class"], claude["attempts"]) == ("ok", 2)
    assert "Retry-After asked for" in json.dumps(claude["notes"])


def test_gemini_retry_info_is_honoured_and_long_waits_are_not_slept(simulator: Simulator,  # type: ignore[no-untyped-def]
                                                                   write_config,
                                                                   tmp_path: Path) -> None:
    checks = "checks:\n  - providers: [gem]\n    models: [gemini-2.5-flash, gemini-2.5-pro]\n"
    config, env = mixed(simulator, write_config, {"gemini": "rate-limited"}, checks)
    report = tmp_path / "r.json"
    assert run_cli("run", "-c", str(config), "--json", str(report), env=env).code == 0
    for result in results(report).values():
        assert result["attempts"] == 2
        assert "RetryInfo asked for 0.05s" in json.dumps(result["notes"])
    config, env = mixed(simulator, write_config, {"gemini": "rate-limited-long"}, checks)
    result = run_cli("run", "-c", str(config), "--json", str(report), env=env)
    assert result.code == 3  # inconclusive: a wait of 120 s is longer than --max-wait
    assert "RetryInfo asked for 120s" in result.stdout


def test_anthropic_limits_feed_tier_minimums(simulator: Simulator, write_config,  # type: ignore[no-untyped-def]
                                            tmp_path: Path) -> None:
    checks = ("checks:\n  - providers: [claude]\n    models: [claude-sonnet-4-5]\n"
              "    min_rpm: 100\n    min_tpm: 20000\n")
    config, env = mixed(simulator, write_config, {"claude": "tier1"}, checks)
    report = tmp_path / "r.json"
    result = run_cli("run", "-c", str(config), "--json", str(report), env=env)
    assert result.code == 1
    check = results(report)["claude / claude-sonnet-4-5 [access]"]
    assert check["class"] == "tier_too_low"
    assert "requests per minute limit 50 < required 100" in str(check["message"])


# --- the pure pieces ------------------------------------------------------------------------

# The header names and formats of a recorded real answer (tidyllm's fixture of
# api.anthropic.com, 2025-08-21); the numbers are illustrative.
ANTHROPIC_HEADERS = {
    "anthropic-ratelimit-requests-limit": "50", "anthropic-ratelimit-requests-remaining": "49",
    "anthropic-ratelimit-requests-reset": "2025-08-21T12:40:59Z",
    "anthropic-ratelimit-tokens-limit": "38000", "anthropic-ratelimit-tokens-remaining": "38000",
    "anthropic-ratelimit-tokens-reset": "2025-08-21T12:40:59Z",
    "anthropic-ratelimit-input-tokens-limit": "30000",
    "anthropic-ratelimit-input-tokens-remaining": "30000",
    "anthropic-ratelimit-input-tokens-reset": "2025-08-21T12:40:59Z",
    "request-id": "req_011CSLsW7mFqvHHnzrKdKjAE",
}
NOW = parse_timestamp("2025-08-21T12:40:30Z")


def test_anthropic_rate_limit_headers_are_parsed() -> None:
    assert NOW is not None
    limits = parse_limits(ANTHROPIC_HEADERS, now_epoch=NOW)
    assert (limits.limit_requests, limits.limit_tokens) == (50, 38000)
    assert (limits.remaining_requests, limits.reset_requests_s) == (49, 29.0)
    assert parse_limits(ANTHROPIC_HEADERS).reset_requests_s is None  # no clock: no guess
    without_total = {k: v for k, v in ANTHROPIC_HEADERS.items() if "-tokens-" not in k
                     or k.startswith("anthropic-ratelimit-input-")}
    assert parse_limits(without_total).limit_tokens == 30000
    assert is_limit_header("Anthropic-RateLimit-Requests-Limit")
    assert not is_limit_header("request-id")


def test_openai_limits_are_read_as_before() -> None:
    limits = parse_limits({"x-ratelimit-limit-requests": "500", "x-ratelimit-reset-tokens": "6m0s"})
    assert (limits.limit_requests, limits.reset_tokens_s) == (500, 360.0)


@pytest.mark.parametrize(("headers", "body", "wanted", "where"), [
    # Anthropic: the exhausted limit's reset time (RFC 3339) says when to come back.
    ({**ANTHROPIC_HEADERS, "anthropic-ratelimit-requests-remaining": "0"}, "", 29.0,
     "anthropic-ratelimit-requests-reset"),
    # … but retry-after, when sent, wins.
    ({**ANTHROPIC_HEADERS, "anthropic-ratelimit-requests-remaining": "0", "retry-after": "7"},
     "", 7.0, "Retry-After"),
    # Google: RetryInfo in the body (RooCodeInc/Roo-Code#3883), also escaped by a relay.
    ({}, '{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "26s"}', 26.0,
     "RetryInfo"),
    ({}, '\\"retryDelay\\": \\"26s\\"', 26.0, "RetryInfo"),
    ({}, "{'@type': 'type.googleapis.com/google.rpc.RetryInfo', 'retryDelay': '59s'}", 59.0,
     "RetryInfo"),
])
def test_the_waits_vendors_ask_for(headers: dict[str, str], body: str, wanted: float,
                                   where: str) -> None:
    assert NOW is not None
    assert server_hint(headers, "", NOW, body) == (pytest.approx(wanted), where)


def test_geminis_please_retry_in_is_read_from_the_message() -> None:
    message = "…limit: 250000, model: gemini-2.5-flash\nPlease retry in 35.593370567s."
    assert server_hint({}, message, 0) == (pytest.approx(35.593370567), "the error message")
