"""Report formats are pure functions of a RunReport: build one, render, parse back."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from checker.config import parse_config
from checker.exit_codes import EXIT_FAILED, EXIT_INCONCLUSIVE, EXIT_OK
from checker.outcomes import OutcomeClass
from checker.policy import exit_code, verdict_for
from checker.reports import RenderOptions
from checker.reports.json import JSONFormat
from checker.reports.junit import JUnitFormat
from checker.reports.markdown import MarkdownFormat
from checker.reports.terminal import TerminalFormat
from checker.results import Result, RunReport

CONFIG = parse_config("""
providers:
  openai-prod: {base_url: "https://api.openai.com/v1", api_key: "${K}"}  # display only
  relay: {base_url: "https://relay.example.com/v1", api_key: "${K}"}
checks:
  - providers: [openai-prod, relay]
    models: [gpt-4.1, gpt-image-2]
  - providers: [openai-prod]
    models: [gpt-5]
    expect: denied
""".lstrip("\n"), "checks.yml", {"K": "sk-test-key-0123456789abcdef"})


def result(index: int, cls: OutcomeClass, message: str = "", **fields: object) -> Result:
    check = CONFIG.checks[index]
    return Result(check=check, cls=cls, verdict=verdict_for(check, cls), message=message,
                  **fields)  # type: ignore[arg-type]


def report(*results: Result, interrupted_by: str | None = None) -> RunReport:
    return RunReport(config_path="checks.yml", results=results,
                     started_at=datetime(2026, 11, 25, 4, 35, 43, tzinfo=UTC),
                     duration_s=1.23456, tool_version="0.1.0", interrupted_by=interrupted_by)


SAMPLE = report(
    result(0, OutcomeClass.OK, status=200, request_id="req_1", attempts=1, latency_ms=120.0,
           duration_s=0.123456789),
    result(1, OutcomeClass.VERIFICATION_REQUIRED, "Your organization must be verified to use "
           "the model `gpt-image-2`.", status=403, request_id="req_2", attempts=1,
           duration_s=1e-05),
    result(2, OutcomeClass.SERVER_ERROR, "Bad gateway \x00\x1b[31m | pipe", status=502,
           attempts=3, notes=("attempt 1: server_error, retried after 0.50s (backoff)",)),
    result(3, OutcomeClass.INTERRUPTED, "not finished: the run was interrupted (SIGTERM)"),
    result(4, OutcomeClass.OK, status=200, attempts=1),
)


def test_verdicts_and_exit_codes() -> None:
    assert [r.verdict.value for r in SAMPLE.results] == [
        "passed", "failed", "inconclusive", "inconclusive", "failed"]
    assert exit_code(SAMPLE.results) == EXIT_FAILED
    inconclusive_only = [SAMPLE.results[0], SAMPLE.results[2]]
    assert exit_code(inconclusive_only) == EXIT_INCONCLUSIVE
    assert exit_code(inconclusive_only, allow_inconclusive=True) == EXIT_OK
    assert exit_code([SAMPLE.results[0]]) == EXIT_OK
    assert exit_code([]) == EXIT_OK


def test_junit_structure_one_suite_per_provider_and_attributes() -> None:
    text = JUnitFormat().render(SAMPLE)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    assert "disabled=" not in text and "\x00" not in text and "\x1b" not in text
    root = ET.fromstring(text)
    assert root.tag == "testsuites"
    # Every check that did not pass is a <failure> (no <error>, no <skipped>): see junit.py.
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == (
        "5", "4", "0", "0")
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == ["openai-prod", "relay"]
    prod = suites["openai-prod"]
    assert prod.get("timestamp") == "2026-11-25T04:35:43"
    assert (prod.get("tests"), prod.get("failures"), prod.get("errors"), prod.get("skipped")) == (
        "3", "2", "0", "0")
    cases = {c.get("name"): c for c in root.iter("testcase")}
    ok = cases["openai-prod / gpt-4.1 [access]"]
    assert (ok.get("classname"), ok.get("file"), ok.get("line"), ok.get("time")) == (
        "openai-prod", "checks.yml", "6", "0.123")
    gated = cases["openai-prod / gpt-image-2 [access]"]
    assert gated.get("time") == "0.000"
    failure = gated.find("failure")
    assert failure is not None and failure.get("type") == "verification_required"
    # The first line says what failed and what to do; the class is in `type`, not repeated.
    assert failure.get("message", "").startswith("organization not verified for gpt-image-2 — "
                                                 "verify at platform.openai.com")
    assert "verification_required" not in failure.get("message", "")
    assert "must be verified" in (failure.text or "")  # the provider's words
    assert "15 minutes" in (failure.text or "")  # the hint, for GitLab which ignores message
    assert "request id: req_2" in (failure.text or "")
    system_out = gated.find("system-out")
    assert system_out is not None and "request_id: req_2" in (system_out.text or "")
    relay_error = cases["relay / gpt-4.1 [access]"].find("failure")
    assert relay_error is not None and relay_error.get("type") == "server_error"
    assert "(inconclusive)" in relay_error.get("message", "")
    interrupted = cases["relay / gpt-image-2 [access]"].find("failure")
    assert interrupted is not None and interrupted.get("type") == "interrupted"
    assert "SIGTERM" in interrupted.get("message", "")
    denied_but_ok = cases["openai-prod / gpt-5 [access]"].find("failure")
    assert denied_but_ok is not None and denied_but_ok.get("type") == "ok"
    props = {p.get("name"): p.get("value") for p in prod.iter("property")}
    assert props["provider.base_url"] == "https://api.openai.com/v1"  # display only


def test_junit_times_are_fixed_point() -> None:
    root = ET.fromstring(JUnitFormat().render(SAMPLE))
    for element in [root, *root.iter("testsuite"), *root.iter("testcase")]:
        value = element.get("time", "")
        assert value and "e" not in value and len(value.split(".")[1]) == 3


def test_json_record() -> None:
    data = json.loads(JSONFormat(RenderOptions(exit_code=1)).render(SAMPLE))
    assert data["version"] == 1 and data["summary"] == {
        "total": 5, "passed": 1, "failed": 2, "inconclusive": 2, "skipped": 0, "exit_code": 1}
    gated = data["results"][1]
    assert gated["class"] == "verification_required" and gated["passed"] is False
    assert gated["kind"] == "denied" and gated["line"] == 6
    assert data["started_at"] == "2026-11-25T04:35:43Z"


def test_markdown_summary() -> None:
    text = MarkdownFormat().render(SAMPLE)
    assert text.startswith("## ❌ model access check failed: 1 passed, 2 failed, "
                           "2 inconclusive of 5")
    assert "### openai-prod" in text and "### relay" in text
    assert "| `gpt-image-2` | access | K | ❌ fail | `verification_required` |" in text
    assert "<details>" in text and "Bad gateway" in text
    assert "\\|" in text  # a pipe in a message cannot break the table


def test_markdown_is_capped_below_github_limit() -> None:
    many = report(*[result(1, OutcomeClass.UNKNOWN, "x" * 300)] * 5000)
    assert len(MarkdownFormat().render(many).encode()) < 1024 * 1024


@pytest.mark.parametrize("colour", [False, True])
def test_terminal_table(colour: bool) -> None:
    text = TerminalFormat(RenderOptions(colour=colour)).render(SAMPLE)
    assert ("\033[" in text) is colour
    assert "openai-prod / gpt-image-2 [access]" in text
    assert "5 checks:" in text and "What to do:" in text
    assert "verification_required (1): Verify the organization" in text
    assert "expected denied, but the key can use gpt-5" in text
    assert "STOP" in text  # the interrupted check
    assert "\x00" not in text  # control characters from a body never reach the terminal
    assert "ok (1): The key can use this model, but the check expects it cannot" in text


def test_config_error_report_has_a_configuration_testcase() -> None:
    from checker.model import ConfigIssue, Location

    broken = RunReport("checks.yml", (), datetime(2026, 1, 1, tzinfo=UTC), 0.0, "0.1.0",
                       config_issues=(ConfigIssue(Location("checks.yml", 3, 5), "unknown key "
                                                  "'modles'", "did you mean 'models'?"),))
    root = ET.fromstring(JUnitFormat().render(broken))
    [case] = list(root.iter("testcase"))
    assert case.get("name") == "configuration" and case.get("line") == "3"
    error = case.find("error")
    assert error is not None and error.get("type") == "config_error"
    assert "modles" in error.get("message", "")
    assert "configuration error" in MarkdownFormat().render(broken)


def test_the_format_registry_covers_every_format_and_feeds_the_cli() -> None:
    from checker.cli.main import build_parser
    from checker.reports import FILE_FORMATS, FORMATS, Format

    assert set(FORMATS) == set(Format)
    assert all(FORMATS[f].name == f.value for f in Format)
    help_text = build_parser("run").format_help() + build_parser("run")._subparsers._group_actions[  # type: ignore[union-attr]
        0].choices["run"].format_help()
    for format_ in FILE_FORMATS:
        assert f"--{format_.value} PATH" in help_text
