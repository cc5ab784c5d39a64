"""`checker wait`: the loop with a fake clock, and end to end against a simulator scenario
whose verification propagates after a few requests."""

from __future__ import annotations

import asyncio
import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from checker.config import parse_config
from checker.model import Check
from checker.outcomes import OutcomeClass
from checker.policy import result_without_probe
from checker.results import Result
from checker.simulator import Simulator
from checker.wait import Progress, describe, format_duration, wait_for_access
from tests.conftest import run_cli, sim_config

CONFIG = parse_config("""
providers:
  p: {base_url: "https://api.example.test/v1", api_key: "${K}"}
checks:
  - providers: [p]
    models: [gpt-image-1, o3, gpt-4o-mini]
""".lstrip("\n"), "c.yml", {"K": "k"})


class Script:
    """A fake provider: outcome per model per round, and a fake clock."""

    def __init__(self, outcomes: dict[str, list[OutcomeClass]]) -> None:
        self.outcomes = outcomes
        self.now = 0.0
        self.probed: list[list[str]] = []
        self.sleeps: list[float] = []

    async def probe_round(self, checks: Sequence[Check]) -> list[Result]:
        self.probed.append([c.model for c in checks])
        results = []
        for check in checks:
            script = self.outcomes[check.model]
            cls = script.pop(0) if len(script) > 1 else script[0]
            results.append(result_without_probe(check, cls, ""))
        self.now += 1.0
        return results

    async def sleep(self, seconds: float) -> bool:
        self.sleeps.append(seconds)
        self.now += seconds
        return True


def wait(script: Script, timeout: float = 600, interval: float = 60,
         progress: list[Progress] | None = None):  # type: ignore[no-untyped-def]
    return asyncio.run(wait_for_access(
        CONFIG.checks, script.probe_round, timeout=timeout, interval=interval,
        clock=lambda: script.now, sleep=script.sleep,
        on_progress=None if progress is None else progress.append))


V, OK = OutcomeClass.VERIFICATION_REQUIRED, OutcomeClass.OK


def test_reprobes_only_what_is_not_passing_until_all_pass() -> None:
    script = Script({"gpt-image-1": [V, V, OK], "o3": [V, OK], "gpt-4o-mini": [OK]})
    progress: list[Progress] = []
    outcome = wait(script, progress=progress)
    assert outcome.all_passing and outcome.rounds == 3
    assert script.probed == [["gpt-image-1", "o3", "gpt-4o-mini"], ["gpt-image-1", "o3"],
                             ["gpt-image-1"]]
    assert script.sleeps == [60, 60]
    assert [p.passing for p in progress] == [1, 2]
    assert "round 1: 1/3 passing; next attempt in 1m (verification_required ×2)" in describe(
        progress[0])


def test_an_outcome_waiting_cannot_change_ends_at_once() -> None:
    script = Script({"gpt-image-1": [V], "o3": [OutcomeClass.AUTH_FAILED], "gpt-4o-mini": [OK]})
    outcome = wait(script)
    assert not outcome.all_passing and outcome.rounds == 1 and script.sleeps == []
    assert outcome.reason == "p / o3 [access] is auth_failed, which waiting cannot change"


def test_transient_outcomes_are_waited_on() -> None:
    script = Script({"gpt-image-1": [OutcomeClass.RATE_LIMITED, OutcomeClass.SERVER_ERROR, OK],
                     "o3": [OutcomeClass.TIMEOUT, OutcomeClass.NETWORK_ERROR, OK],
                     "gpt-4o-mini": [OK]})
    assert wait(script).all_passing


def test_timeout_stops_with_the_final_results_and_never_oversleeps() -> None:
    script = Script({"gpt-image-1": [V], "o3": [OK], "gpt-4o-mini": [OK]})
    outcome = wait(script, timeout=150, interval=60)
    assert not outcome.all_passing
    assert outcome.reason.startswith("timed out after 2m30s with 1 check(s) still failing")
    assert [r.cls for r in outcome.results] == [V, OK, OK]
    assert sum(script.sleeps) + len(script.probed) <= 150 + len(script.probed)
    assert script.sleeps[-1] < 60  # the last sleep is cut to the time left


def test_format_duration() -> None:
    assert [format_duration(s) for s in (5, 60, 150, 3600, 3725)] == [
        "5s", "1m", "2m30s", "1h00m", "1h02m05s"]


# --- end to end ---------------------------------------------------------------------------


def _config(write_config, simulator: Simulator, scenario: str,  # type: ignore[no-untyped-def]
            models: str) -> tuple[Path, dict[str, str]]:
    return sim_config(simulator, write_config,
                      f"  - providers: [org]\n    models: [{models}]\n", {"org": scenario})


def test_wait_until_verification_propagates(write_config, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with Simulator(propagation_requests=4) as simulator:
        config, env = _config(write_config, simulator, "propagating", "gpt-image-1, gpt-4o-mini")
        junit = tmp_path / "wait.xml"
        result = run_cli("wait", "-c", str(config), "--timeout", "30s", "--interval", "0.2s",
                         "--junit-xml", str(junit), env=env)
        assert result.code == 0, result.stdout + result.stderr
        assert "checker wait: every check passes" in result.stdout
        assert "round 1: 1/2 passing; next attempt in" in result.stdout  # plain log lines
        models = [p.model for p in simulator.log]
        assert models.count("gpt-4o-mini") == 1  # a passing check is never probed again
        assert models.count("gpt-image-1") >= 2
    cases = ET.parse(junit).getroot().iter("testcase")
    assert all(case.find("failure") is None for case in cases)


def test_wait_ends_at_once_for_a_revoked_key(write_config, simulator: Simulator) -> None:  # type: ignore[no-untyped-def]
    config, env = _config(write_config, simulator, "revoked", "gpt-5")
    result = run_cli("wait", "-c", str(config), "--timeout", "10m", "--interval", "1s", env=env)
    assert result.code == 1
    assert "org / gpt-5 [access] is auth_failed, which waiting cannot change (1 round)" in (
        result.stdout)
    assert len(simulator.log) == 1


def test_wait_times_out_with_exit_1_and_a_final_report(write_config, simulator: Simulator,  # type: ignore[no-untyped-def]
                                                       tmp_path: Path) -> None:
    config, env = _config(write_config, simulator, "unverified", "gpt-image-1")
    report = tmp_path / "final.json"
    result = run_cli("wait", "-c", str(config), "--timeout", "1s", "--interval", "0.3s",
                     "--json", str(report), env=env)
    assert result.code == 1
    assert "timed out after 1s with 1 check(s) still failing" in result.stdout
    data = json.loads(report.read_text())
    assert data["results"][0]["class"] == "verification_required"
    assert data["note"].startswith("checker wait: timed out")
    assert len(simulator.log) >= 3
