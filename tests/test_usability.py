"""What a person sees: the matrix at a glance, quiet runs that still show failures, reports on
stdout, --only that explains itself, plan's one-line mode, YAML errors a person understands."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from checker.config import parse_config
from checker.outcomes import OutcomeClass
from checker.policy import verdict_for
from checker.reports import RenderOptions
from checker.reports.markdown import MarkdownFormat
from checker.reports.terminal import TerminalFormat
from checker.results import Result, RunReport
from checker.simulator import Simulator
from tests.conftest import run_cli, sim_config

BASE = "https://api.example.com/v1"  # display only: parsed, never contacted


def big_report(providers: int = 10, models: int = 20) -> RunReport:
    names = [f"provider-{p:02d}" for p in range(providers)]
    text = "providers:\n" + "".join(
        f"  {n}: {{base_url: '{BASE}', api_key: '${{K}}'}}\n" for n in names)
    text += (f"checks:\n  - providers: [{', '.join(names)}]\n    models: ["
             + ", ".join(f"gpt-4o-mini-{m:02d}" for m in range(models))
             + "]\n    capabilities: [access, stream]\n")
    config = parse_config(text, "checks.yml", {"K": "sk-test-0000000000000000000000"})
    results = []
    for index, check in enumerate(config.checks):
        cls = OutcomeClass.PERMISSION_DENIED if index % 7 == 0 else OutcomeClass.OK
        results.append(Result(check=check, cls=cls, verdict=verdict_for(check, cls)))
    return RunReport("checks.yml", tuple(results), datetime(2026, 11, 25, tzinfo=UTC), 1.0,
                     "0.2.0")


def test_the_matrix_stays_readable_at_10_providers_by_20_models() -> None:
    report = big_report()
    markdown = MarkdownFormat().render(report)
    grid = markdown[markdown.index("### Matrix"):markdown.index("**Not passing")]
    rows = [line for line in grid.splitlines() if line.startswith("| `")]
    assert len(rows) == 20 and all(line.count("|") == 12 for line in rows)
    assert "| `gpt-4o-mini-00` | ❌✅ | ✅✅ |" in grid  # access denied, stream fine
    assert "in this order: access stream" in grid
    terminal = TerminalFormat(RenderOptions(matrix=True)).render(report)
    lines = terminal[terminal.index("MODEL"):].splitlines()
    assert len(lines[0]) <= 160 and all(len(line) <= 160 for line in lines[1:21])
    assert lines[1].startswith("gpt-4o-mini-00  ✗✓")
    assert "✓ pass, ✗ fail, ? inconclusive, - skipped, · not checked" in terminal
    # The failing cells' first lines are under the grid.
    assert "provider-00 / gpt-4o-mini-00 [access]: key K may not use gpt-4o-mini-00" in terminal


def test_quiet_still_prints_what_did_not_pass(simulator: Simulator, write_config) -> None:  # type: ignore[no-untyped-def]
    config, env = sim_config(simulator, write_config,
                             "  - providers: [good, bad]\n    models: [gpt-4o-mini]\n",
                             {"good": "verified", "bad": "revoked"})
    result = run_cli("run", "-c", str(config), "-q", env=env)
    assert result.code == 1
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("FAIL  bad / gpt-4o-mini [access]  auth_failed: key BAD_KEY "
                               "rejected — ")
    assert lines[1].startswith("2 checks: 1 passed, 1 failed")


def test_one_check_is_singular(simulator: Simulator, write_config) -> None:  # type: ignore[no-untyped-def]
    config, env = sim_config(simulator, write_config,
                             "  - providers: [good]\n    models: [gpt-4o-mini]\n",
                             {"good": "verified"})
    result = run_cli("run", "-c", str(config), env=env)
    assert "1 check: 1 passed" in result.stdout
    assert "ok (1 check across 1 provider)" in run_cli("validate", "-c", str(config),
                                                       env=env).stdout


def test_a_report_on_stdout_moves_the_table_to_stderr(simulator: Simulator, write_config,  # type: ignore[no-untyped-def]
                                                      tmp_path: Path) -> None:
    config, env = sim_config(simulator, write_config,
                             "  - providers: [good]\n    models: [gpt-4o-mini]\n",
                             {"good": "verified"})
    result = run_cli("run", "-c", str(config), "--json", "-", env=env)
    assert result.code == 0
    assert json.loads(result.stdout)["summary"]["passed"] == 1
    assert "1 check: 1 passed" in result.stderr
    twice = run_cli("run", "-c", str(config), "--json", "-", "--markdown", "-", env=env)
    assert twice.code == 2 and "--json and --markdown both write to stdout" in twice.stderr


def test_only_explains_what_it_matches(simulator: Simulator, write_config) -> None:  # type: ignore[no-untyped-def]
    config, env = sim_config(simulator, write_config,
                             "  - providers: [prod]\n    models: [gpt-5, gpt-4o-mini]\n",
                             {"prod": "verified"})
    result = run_cli("run", "-c", str(config), "--only", "gpt-5", env=env)
    assert result.code == 2
    assert "no check matches --only 'gpt-5': it matches whole check names" in result.stderr
    assert "'prod / gpt-5 [access]'" in result.stderr  # a close name
    assert "'*gpt-5*'" in result.stderr
    assert simulator.log == []


def test_plan_takes_only_and_prints_one_line_per_probe_with_q(write_config) -> None:  # type: ignore[no-untyped-def]
    config = write_config(f"providers:\n  p: {{base_url: '{BASE}', api_key: '${{K}}'}}\n"
                          "checks:\n  - {provider: p, models: [gpt-5, gpt-4o-mini, o3]}\n")
    result = run_cli("plan", "-c", str(config), "-q", "--only", "*gpt-*", env={"K": "sk-x"})
    assert result.code == 0
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("p / gpt-5 [access]  ~$") and lines[0].endswith(
        f"POST {BASE}/chat/completions")
    assert lines[1].startswith("p / gpt-4o-mini [access]  ~$")
    assert lines[-1].startswith("2 probes; estimated cost of one run")


def test_yaml_errors_say_what_a_person_should_fix(write_config) -> None:  # type: ignore[no-untyped-def]
    config = write_config("providers:\n  p: {base_url: 'https://x.example', api_key: '${K}'}\n"
                          "checks:\n  - providers: [p]\n     models: [gpt-5]\n")
    result = run_cli("validate", "-c", str(config))
    assert result.code == 2
    assert result.stderr.count("\n") == 1
    assert ":5:6: YAML syntax error: this line is indented differently" in result.stderr
    assert "indented differently" in result.stderr and "(YAML parser: expected <block end>" \
        in result.stderr
    tabs = write_config("providers:\n\tp: 1\n", name="tabs.yml")
    assert "a tab character: YAML indents with spaces only" in run_cli(
        "validate", "-c", str(tabs)).stderr


def test_help_shows_defaults_and_every_config_name() -> None:
    result = run_cli("run", "--help")
    for text in ("checks.yml, checks.yaml, .checker.yml, .checker.yaml, .github/checks.yml, "
                 ".github/checks.yaml", "else 5m", "default 60s", "default 10000",
                 "--matrix", "- for stdout"):
        assert text in " ".join(result.stdout.split()), text
