"""Nightly-audit features: baseline diff, rate limits and tier minimums, sharding and merge,
cost limits."""

from __future__ import annotations

import json
import random
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from checker.baseline import compare
from checker.config import parse_config
from checker.limits import parse_limits
from checker.outcomes import OutcomeClass, Verdict
from checker.policy import enforce_minimums, fail_regressions, result_without_probe
from checker.results import Result
from checker.shard import parse_shard, select_shard
from checker.simulator import Simulator
from tests.conftest import run_cli, sim_config

C = OutcomeClass

CONFIG = parse_config("""
providers:
  p: {base_url: "https://api.example.test/v1", api_key: "${K}"}
checks:
  - providers: [p]
    models: [gpt-image-1, o3, gpt-5, gpt-4o-mini]
  - providers: [p]
    models: [gpt-4.1]
    expect: [ok, verification_required]
  - providers: [p]
    models: [o4-mini]
    min_rpm: 1000
    min_tpm: 100000
""".lstrip("\n"), "c.yml", {"K": "k"})


def results(*classes: OutcomeClass) -> list[Result]:
    return [result_without_probe(check, cls, "") for check, cls in zip(CONFIG.checks, classes,
                                                                       strict=False)]


# --- baseline ------------------------------------------------------------------------------


def test_changes_since_the_baseline() -> None:
    baseline = {"p / gpt-image-1 [access]": "ok", "p / o3 [access]": "verification_required",
                "p / gpt-5 [access]": "verification_required",
                "p / gpt-4o-mini [access]": "rate_limited", "p / gone [access]": "ok"}
    now = results(C.VERIFICATION_REQUIRED, C.OK, C.QUOTA_EXHAUSTED, C.OK, C.OK)
    changes = {c.id: (c.kind, c.regression) for c in compare(baseline, now)}
    assert changes == {
        "p / gpt-image-1 [access]": ("lost_access", True),
        "p / o3 [access]": ("gained_access", False),
        "p / gpt-5 [access]": ("new_failure_class", True),
        "p / gpt-4o-mini [access]": ("recovered", False),
        "p / gpt-4.1 [access]": ("new_check", False),
        "p / gone [access]": ("removed_check", False),
    }
    partial = compare(baseline, now, complete=False)
    assert all(c.kind != "removed_check" for c in partial)


def test_inconclusive_now_is_not_a_regression() -> None:
    [change] = compare({"p / gpt-image-1 [access]": "ok"}, results(C.RATE_LIMITED))
    assert (change.kind, change.regression) == ("inconclusive", False)


def test_fail_on_change_fails_a_regression_the_expectation_allows() -> None:
    now = results(C.OK, C.OK, C.OK, C.OK, C.VERIFICATION_REQUIRED)
    assert now[4].verdict is Verdict.PASSED  # expect: [ok, verification_required]
    changes = compare({"p / gpt-4.1 [access]": "ok"}, now[4:])
    failed = fail_regressions(now, changes)
    assert failed[4].verdict is Verdict.FAILED
    assert "regression since the baseline: lost access: ok → verification_required" in (
        failed[4].notes[-1])
    assert [r.verdict for r in failed[:4]] == [Verdict.PASSED] * 4


# --- rate limits -----------------------------------------------------------------------------


def test_parse_limits() -> None:
    limits = parse_limits({"x-ratelimit-limit-requests": "500", "x-ratelimit-limit-tokens":
                           "30000", "x-ratelimit-remaining-requests": "499",
                           "x-ratelimit-reset-requests": "6m0s", "x-ratelimit-reset-tokens":
                           "20ms"})
    assert (limits.limit_requests, limits.limit_tokens, limits.remaining_requests) == (
        500, 30000, 499)
    assert (limits.reset_requests_s, limits.reset_tokens_s) == (360.0, 0.02)
    assert not parse_limits({}).known


def test_tier_minimums() -> None:
    check = CONFIG.checks[5]
    low = Result(check=check, cls=C.OK, verdict=Verdict.PASSED, limits={
        "x-ratelimit-limit-requests": "500", "x-ratelimit-limit-tokens": "200000"})
    enforced = enforce_minimums(low)
    assert enforced.cls is C.TIER_TOO_LOW and enforced.verdict is Verdict.FAILED
    assert enforced.message == "requests per minute limit 500 < required 1000"
    high = Result(check=check, cls=C.OK, verdict=Verdict.PASSED, limits={
        "x-ratelimit-limit-requests": "5000", "x-ratelimit-limit-tokens": "2000000"})
    assert enforce_minimums(high) is high
    unknown = enforce_minimums(Result(check=check, cls=C.OK, verdict=Verdict.PASSED))
    assert unknown.cls is C.OK and "not verified" in unknown.notes[0]


def test_limits_in_json_markdown_and_show_limits(simulator: Simulator, write_config,  # type: ignore[no-untyped-def]
                                                 tmp_path: Path) -> None:
    key = simulator.new_key("tier1")
    config = write_config(f"""
providers:
  tier1:
    base_url: {simulator.url}
    api_key: ${{TIER_KEY}}
checks:
  - providers: [tier1]
    models: [gpt-4o-mini]
    min_rpm: 100
  - providers: [tier1]
    models: [gpt-5]
    min_rpm: 1000
""")
    result = run_cli("run", "-c", str(config), "--show-limits", "--json", str(tmp_path / "r.json"),
                     "--markdown", str(tmp_path / "r.md"), env={"TIER_KEY": key})
    assert result.code == 1
    assert "tier_too_low" in result.stdout
    assert "Rate limits seen:" in result.stdout and "30,000" in result.stdout
    records = json.loads((tmp_path / "r.json").read_text())["results"]
    assert [r["class"] for r in records] == ["ok", "tier_too_low"]
    assert records[0]["rate_limits"]["limit_requests"] == 500
    assert "Rate limits seen" in (tmp_path / "r.md").read_text()


# --- sharding ------------------------------------------------------------------------------


def test_shards_partition_evenly_and_survive_reordering() -> None:
    many = parse_config("providers:\n  p: {base_url: 'https://x.example', api_key: '${K}'}\n"
                        "checks:\n  - providers: [p]\n    models: [" +
                        ", ".join(f"m{i}" for i in range(37)) + "]\n", "c.yml", {"K": "k"})
    checks = list(many.checks)
    shards = [select_shard(checks, k, 4) for k in range(1, 5)]
    ids = [c.id for shard in shards for c in shard]
    assert sorted(ids) == sorted(c.id for c in checks)  # every check exactly once
    sizes = [len(s) for s in shards]
    assert max(sizes) - min(sizes) <= 1
    shuffled = checks[:]
    random.Random(7).shuffle(shuffled)
    assert [{c.id for c in select_shard(shuffled, k, 4)} for k in range(1, 5)] == [
        {c.id for c in shard} for shard in shards]


@pytest.mark.parametrize("text", ["0/4", "5/4", "1/0", "a/b", "2"])
def test_bad_shard_specs(text: str) -> None:
    with pytest.raises(ValueError):
        parse_shard(text)


def test_sharded_runs_merge_into_one_report(simulator: Simulator, write_config,  # type: ignore[no-untyped-def]
                                            tmp_path: Path) -> None:
    keys = {"GOOD_KEY": simulator.new_key("verified"), "BAD_KEY": simulator.new_key("unverified")}
    config = write_config(f"""
providers:
  good: {{base_url: "{simulator.url}", api_key: "${{GOOD_KEY}}"}}
  bad: {{base_url: "{simulator.url}", api_key: "${{BAD_KEY}}"}}
checks:
  - providers: [good, bad]
    models: [gpt-image-1, o3, gpt-5, gpt-4o-mini]
""")
    parts = []
    for k in range(1, 4):
        part = tmp_path / f"shard{k}.json"
        run_cli("run", "-c", str(config), "--shard", f"{k}/3", "--json", str(part), "-q", env=keys)
        assert json.loads(part.read_text())["shard"] == f"{k}/3"
        parts.append(str(part))
    merged_xml, merged_json = tmp_path / "all.xml", tmp_path / "all.json"
    result = run_cli("merge", *parts, "--junit-xml", str(merged_xml), "--json", str(merged_json))
    assert result.code == 1  # the unverified org fails, as in an unsharded run
    full = tmp_path / "full.json"
    run_cli("run", "-c", str(config), "--json", str(full), "-q", env=keys)
    by_id = {r["id"]: r["class"] for r in json.loads(merged_json.read_text())["results"]}
    assert by_id == {r["id"]: r["class"] for r in json.loads(full.read_text())["results"]}
    root = ET.parse(merged_xml).getroot()
    assert root.get("tests") == "8" and root.get("failures") == "3"
    assert {s.get("name") for s in root.iter("testsuite")} == {"good", "bad"}
    overlap = run_cli("merge", parts[0], parts[0])
    assert overlap.code == 2 and "overlap" in overlap.stderr


def test_merge_refuses_what_is_not_a_report(tmp_path: Path) -> None:
    bogus = tmp_path / "x.json"
    bogus.write_text('{"hello": 1}')
    result = run_cli("merge", str(bogus))
    assert result.code == 2 and "not a checker JSON report" in result.stderr


# --- baseline end to end, costs -----------------------------------------------------------


def test_baseline_end_to_end(simulator: Simulator, write_config, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config, _ = sim_config(simulator, write_config,
                           "  - providers: [org]\n    models: [gpt-image-1, gpt-4o-mini]\n"
                           "    expect: [ok, verification_required]\n", {"org": "verified"})
    yesterday, today = tmp_path / "yesterday.json", tmp_path / "today.json"
    first = run_cli("run", "-c", str(config), "--baseline", str(yesterday), "--json",
                    str(yesterday), env={"ORG_KEY": simulator.new_key("verified")})
    assert first.code == 0 and "does not exist yet" in first.stdout
    unverified = {"ORG_KEY": simulator.new_key("unverified")}
    lenient = run_cli("run", "-c", str(config), "--baseline", str(yesterday), "--json",
                      str(today), "--markdown", str(tmp_path / "s.md"), env=unverified)
    assert lenient.code == 0  # the expectation allows verification_required
    assert "REGRESSION  org / gpt-image-1 [access]: lost access: ok → verification_required" in (
        lenient.stdout)
    baseline = json.loads(today.read_text())["baseline"]
    assert baseline["regressions"] == 1 and baseline["changes"][0]["kind"] == "lost_access"
    assert "Changes since the last run (1)" in (tmp_path / "s.md").read_text()
    strict = run_cli("run", "-c", str(config), "--baseline", str(yesterday),
                     "--fail-on-change", env=unverified)
    assert strict.code == 1
    bad = tmp_path / "bad.json"
    bad.write_text("not json")
    broken = run_cli("run", "-c", str(config), "--baseline", str(bad), env=unverified)
    assert broken.code == 2 and "is not JSON" in broken.stderr
    assert run_cli("run", "-c", str(config), "--fail-on-change", env=unverified).code == 2


def test_max_cost_refuses_before_sending_anything(simulator: Simulator, write_config) -> None:  # type: ignore[no-untyped-def]
    config, env = sim_config(simulator, write_config,
                             "  - providers: [org]\n    models: [gpt-image-1, gpt-4o-mini]\n",
                             {"org": "verified"})
    result = run_cli("run", "-c", str(config), "--max-cost", "0.005", env=env)
    assert result.code == 2
    assert "estimated cost of one run is $0.011, over --max-cost $0.005" in result.stderr
    assert "org / gpt-image-1 [access] $0.011" in result.stderr
    assert simulator.log == []
    assert run_cli("run", "-c", str(config), "--max-cost", "0.05", env=env).code == 0
    waiting = run_cli("wait", "-c", str(config), "--timeout", "20m", "--max-cost", "0.05",
                      env=env)
    assert waiting.code == 2 and "a wait of up to 21 rounds" in waiting.stderr
    plan = run_cli("plan", "-c", str(config), "--wait", "20m", "--interval", "60s", env=env)
    assert "makes at most 21 rounds: at most $0.231" in plan.stdout
