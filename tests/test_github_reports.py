"""What `checker` tells GitHub Actions: masks, the terminal table fenced against workflow
command injection, annotations (worst first, 10 per type), step outputs and the Markdown
job summary; and the same reports outside Actions (`--github-annotations`, `--markdown`)."""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from checker.config import parse_config
from checker.outcomes import OutcomeClass, Verdict
from checker.reports.github import annotation
from checker.reports.markdown import MAX_BYTES, MarkdownFormat
from checker.results import Result, RunReport
from checker.simulator import Simulator
from tests.conftest import CLIResult, run_cli

INJECTION = ("::warning title=pwned::injected\n::add-mask::everything "
             "![x](https://evil.test/p.png) <img src=x onerror=alert(1)> [link](https://evil.test)")
ANNOTATION = re.compile(r"^::(error|warning|notice)( [^:]*)?::", re.M)


@pytest.fixture
def hostile() -> Iterator[HTTPServer]:
    """A provider on 127.0.0.1 whose error message holds workflow commands and markup."""
    with HTTPServer(host="127.0.0.1") as server:
        body = {"error": {"message": INJECTION, "type": "invalid_request_error",
                          "code": "weird_code"}}
        server.expect_request("/v1/chat/completions").respond_with_json(body, status=400)
        yield server


def github_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
            "GITHUB_OUTPUT": str(tmp_path / "output.txt"), **extra}


def outputs(tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "output.txt"
    if not path.exists():
        return {}
    return dict(line.split("=", 1) for line in path.read_text().splitlines())


def fenced_regions(stdout: str) -> list[tuple[int, int]]:
    """(start, end) line indexes of every ::stop-commands:: region, checked for a
    matching resume line with the same token."""
    lines = stdout.splitlines()
    regions = []
    index = 0
    while index < len(lines):
        match = re.fullmatch(r"::stop-commands::([0-9a-f]{32})", lines[index])
        if match:
            end = lines.index(f"::{match.group(1)}::", index + 1)
            regions.append((index, end))
            index = end
        index += 1
    return regions


def commands_outside_fences(stdout: str) -> list[str]:
    """Lines the runner would execute as workflow commands (it trims leading spaces)."""
    lines = stdout.splitlines()
    inside = set()
    for start, end in fenced_regions(stdout):
        inside.update(range(start, end + 1))
    return [line.strip() for n, line in enumerate(lines)
            if n not in inside and line.strip().startswith("::")]


def hostile_run(server: HTTPServer, write_config, tmp_path: Path,  # type: ignore[no-untyped-def]
                *args: str, github: bool = True) -> CLIResult:
    config = write_config(f"""\
        providers:
          evil:
            base_url: {server.url_for("/v1")}
            api_key: ${{EVIL_KEY}}
        checks:
          - provider: evil
            model: gpt-4o-mini
        """)
    env = {"EVIL_KEY": "sk-test-hostile-0123456789"}
    if github:
        env.update(github_env(tmp_path))
    return run_cli("run", "-c", str(config), *args, env=env, cwd=tmp_path)


# --- workflow command injection --------------------------------------------------------------


def test_provider_text_cannot_inject_workflow_commands(hostile, write_config,  # type: ignore[no-untyped-def]
                                                       tmp_path: Path) -> None:
    result = hostile_run(hostile, write_config, tmp_path)
    assert result.code == 3
    assert "::warning title=pwned::injected" in result.stdout  # echoed, but fenced
    regions = fenced_regions(result.stdout)
    assert len(regions) == 1
    # Outside the fence: only our annotations, with the body escaped; no `::add-mask::`
    # line (it would put the key itself in any log captured with tee).
    outside = commands_outside_fences(result.stdout)
    assert [line.split(" ")[0].split("::")[1] for line in outside] == ["warning"]
    assert outside[0].startswith("::warning file=checks.yml,line=7,")
    assert not any(line.startswith("::add-mask::") for line in result.stdout.splitlines())


def test_the_fence_token_is_new_every_run(hostile, write_config,  # type: ignore[no-untyped-def]
                                          tmp_path: Path) -> None:
    first = hostile_run(hostile, write_config, tmp_path)
    second = hostile_run(hostile, write_config, tmp_path)
    token = re.compile(r"^::stop-commands::(\w+)$", re.M)
    assert token.findall(first.stdout) != token.findall(second.stdout)


def test_no_fence_and_no_masks_outside_github_actions(hostile, write_config,  # type: ignore[no-untyped-def]
                                                      tmp_path: Path) -> None:
    result = hostile_run(hostile, write_config, tmp_path, github=False)
    assert "::stop-commands::" not in result.stdout
    assert "::add-mask::sk-test" not in result.stdout
    assert not ANNOTATION.search(result.stdout.replace("      ::warning title=pwned", ""))


def test_annotation_text_is_escaped() -> None:
    line = annotation("error", "50% done\r\nnext: line", "dir/checks.yml", 7,
                      "p / m [access]: cls, more")
    assert line == ("::error file=dir/checks.yml,line=7,title=p / m [access]%3A cls%2C more::"
                    "50%25 done%0D%0Anext: line")
    assert "\n" not in line


# --- annotations ---------------------------------------------------------------------------


MANY = """\
version: 1
defaults: {retries: 0}
providers:
  unverified:
    base_url: ${SIM_URL}
    api_key: ${K_UNVERIFIED}
  revoked:
    base_url: ${SIM_URL}
    api_key: ${K_REVOKED}
  staging:
    base_url: ${SIM_URL}
    api_key: ${K_VERIFIED}
  website:
    base_url: ${SIM_URL}
    api_key: ${K_WEBSITE}
checks:
  - provider: unverified
    model: gpt-image-1
  - provider: revoked
    models: [m-01, m-02, m-03, m-04, m-05, m-06, m-07, m-08, m-09, m-10, m-11, m-12]
  - provider: staging
    model: gpt-4o-mini
    expect: denied
  - provider: website
    model: gpt-4o-mini
"""


@pytest.fixture
def many_failures(simulator: Simulator, write_config, tmp_path: Path) -> CLIResult:  # type: ignore[no-untyped-def]
    config = write_config(MANY)
    env = {"SIM_URL": simulator.url, "K_UNVERIFIED": simulator.new_key("unverified"),
           "K_REVOKED": simulator.new_key("revoked"), "K_VERIFIED": simulator.new_key("verified"),
           "K_WEBSITE": simulator.new_key("html-200"), **github_env(tmp_path)}
    return run_cli("run", "-c", str(config), env=env, cwd=tmp_path)


def test_annotations_worst_first_and_at_most_10_per_type(many_failures: CLIResult,
                                                         tmp_path: Path) -> None:
    assert many_failures.code == 1
    errors = [line for line in many_failures.stdout.splitlines() if line.startswith("::error")]
    warnings = [line for line in many_failures.stdout.splitlines()
                if line.startswith("::warning")]
    assert len(errors) == 10  # 14 failures: 9 annotations and one that names the rest
    titles = [re.search(r"title=([^:]*)::", line).group(1) for line in errors]  # type: ignore[union-attr]
    # A key that reaches a model it must not is the worst finding, then a dead key.
    assert titles[0] == "staging / gpt-4o-mini [access]%3A ok"
    assert all(t.startswith("revoked / m-") and t.endswith("auth_failed") for t in titles[1:9])
    assert titles[9] == "checker%3A 5 more errors"
    assert errors[9].endswith("::5 more: revoked / m-09 [access], revoked / m-10 [access], "
                              "revoked / m-11 [access], revoked / m-12 [access], "
                              "unverified / gpt-image-1 [access]")
    assert "file=" not in errors[9]
    # Each annotation points at the line that declared its model.
    lines = MANY.splitlines()
    revoked_models = lines.index("    models: [m-01, m-02, m-03, m-04, m-05, m-06, m-07, m-08, "
                                 "m-09, m-10, m-11, m-12]") + 1
    assert f",line={revoked_models}," in errors[1]  # the `models:` flow list
    assert len(warnings) == 1 and "unexpected_response" in warnings[0]
    assert f",line={len(lines)}," in warnings[0]  # the website's model, the last line
    assert outputs(tmp_path)["failed"] == "14"


def test_config_error_in_github_actions(write_config, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config = write_config("""\
        providers:
          openai:
            base_url: https://api.openai.com/v1  # display only
            api_key: ${OPENAI_API_KEY}
        checks:
          - providers: [openai]
            modles: [gpt-5]
        """)
    result = run_cli("run", "-c", str(config), env=github_env(tmp_path), cwd=tmp_path)
    assert result.code == 2
    assert re.search(r"^::error file=checks.yml,line=7,title=checker%3A configuration error::"
                     r"unknown key 'modles' in checks\[0\] \(did you mean 'models'\?\)$",
                     result.stdout, re.M)
    assert outputs(tmp_path)["exit-code"] == "2"
    summary = (tmp_path / "summary.md").read_text()
    assert summary.startswith("## ❌ checker: configuration error, nothing was probed")
    assert "checks.yml:7:5: unknown key 'modles'" in summary


# --- outputs and the summary switch ----------------------------------------------------------


def two_checks(simulator: Simulator, write_config) -> tuple[Path, dict[str, str]]:  # type: ignore[no-untyped-def]
    config = write_config("""\
        providers:
          verified:
            base_url: ${SIM_URL}
            api_key: ${K_VERIFIED}
          unverified:
            base_url: ${SIM_URL}
            api_key: ${K_UNVERIFIED}
        checks:
          - providers: [verified, unverified]
            model: o3
        """)
    return config, {"SIM_URL": simulator.url, "K_VERIFIED": simulator.new_key("verified"),
                    "K_UNVERIFIED": simulator.new_key("unverified")}


def test_step_outputs(simulator: Simulator, write_config, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config, env = two_checks(simulator, write_config)
    result = run_cli("run", "-c", str(config), "--junit-xml", "out/r.xml", "--json", "r.json",
                     env={**env, **github_env(tmp_path)}, cwd=tmp_path)
    assert result.code == 1
    assert outputs(tmp_path) == {"exit-code": "1", "passed": "1", "failed": "1",
                                 "inconclusive": "0", "skipped": "0", "total": "2",
                                 "report": "out/r.xml",
                                 "json": "r.json"}
    assert (tmp_path / "summary.md").read_text().startswith("## ❌ model access check failed")


def test_no_summary_keeps_outputs_and_annotations(simulator: Simulator, write_config,  # type: ignore[no-untyped-def]
                                                  tmp_path: Path) -> None:
    config, env = two_checks(simulator, write_config)
    result = run_cli("run", "-c", str(config), "--no-summary",
                     env={**env, **github_env(tmp_path)}, cwd=tmp_path)
    assert result.code == 1
    assert not (tmp_path / "summary.md").exists()
    assert outputs(tmp_path)["failed"] == "1"
    assert "::error file=checks.yml,line=10," in result.stdout  # `model: o3`


def test_no_github_turns_all_of_it_off(simulator: Simulator, write_config,  # type: ignore[no-untyped-def]
                                       tmp_path: Path) -> None:
    config, env = two_checks(simulator, write_config)
    result = run_cli("run", "-c", str(config), "--no-github",
                     env={**env, **github_env(tmp_path)}, cwd=tmp_path)
    assert result.code == 1
    assert not (tmp_path / "summary.md").exists()
    assert outputs(tmp_path) == {}
    assert "::" not in result.stdout


def test_annotations_on_request_outside_github_actions(simulator: Simulator, write_config,  # type: ignore[no-untyped-def]
                                                       tmp_path: Path) -> None:
    config, env = two_checks(simulator, write_config)
    env["GITHUB_STEP_SUMMARY"] = str(tmp_path / "summary.md")  # ignored outside Actions
    result = run_cli("run", "-c", str(config), "--github-annotations", env=env, cwd=tmp_path)
    assert result.code == 1
    assert re.search(r"^::error file=checks.yml,line=10,title=unverified / o3 \[access\]%3A "
                     r"verification_required::", result.stdout, re.M)
    assert "::add-mask::" not in result.stdout
    assert "::stop-commands::" not in result.stdout
    assert not (tmp_path / "summary.md").exists()


# --- the Markdown summary ------------------------------------------------------------------


def test_markdown_file(simulator: Simulator, write_config, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config = write_config("""\
        providers:
          verified:
            base_url: ${SIM_URL}
            api_key: ${K_VERIFIED}
          unverified:
            base_url: ${SIM_URL}
            api_key: ${K_UNVERIFIED}
          website:
            base_url: ${SIM_URL}
            api_key: ${K_WEBSITE}
        checks:
          - providers: [verified, unverified]
            models: [gpt-image-1, gpt-4o-mini]
          - provider: website
            model: gpt-4o-mini
          - provider: verified
            model: gpt-5
            api_key: ${K_STAGING}
            expect: denied
        """)
    env = {"SIM_URL": simulator.url, "K_VERIFIED": simulator.new_key("verified"),
           "K_UNVERIFIED": simulator.new_key("unverified"),
           "K_WEBSITE": simulator.new_key("html-200"),
           "K_STAGING": simulator.new_key("project-restricted")}
    result = run_cli("run", "-c", str(config), "--markdown", "summary.md", env=env,
                     cwd=tmp_path)
    assert result.code == 1
    text = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert text.splitlines()[0] == ("## ❌ model access check failed: 4 passed, 1 failed, "
                                    "1 inconclusive of 6")
    assert re.findall(r"^### (.+)$", text, re.M) == ["Matrix", "verified", "unverified",
                                                     "website"]
    # The matrix at a glance: providers as columns, one mark per capability.
    assert "| Model | verified | unverified | website | verified \\(K\\_STAGING\\) |" in text
    assert "| `gpt-image-1` | ✅ | ❌ | · | · |" in text
    assert "| `gpt-4o-mini` | ✅ | ✅ | ⚠️ | · |" in text
    assert "✅ pass, ❌ fail, ⚠️ inconclusive, ⏭️ skipped, · not checked" in text
    assert ("- unverified / gpt-image-1 \\[access\\]: organization not verified for "
            "gpt-image-1 — verify at") in text
    assert text.count("| Model | Capability | Key | Result | Class | Hint |") == 3
    assert ("| `gpt-image-1` | access | K\\_UNVERIFIED | ❌ fail | `verification_required` | "
            "the organization must be verified for this model or capability |") in text
    assert "| `gpt-4o-mini` | access | K\\_WEBSITE | ⚠️ inconclusive | `unexpected_response` |" \
        in text
    assert "| `gpt-5` | access | K\\_STAGING | ✅ pass | `permission_denied` | expected denied |" \
        in text
    details = text[text.index("<details>"):]
    assert details.rstrip().endswith("</details>")
    assert "**unverified / gpt-image-1 \\[access\\]**: `verification_required` (checks.yml:13)" \
        in details
    assert "What to do: Verify the organization" in details
    assert "verified / gpt-4o-mini" not in details  # only what did not pass
    for key in env.values():
        if key.startswith("sk-"):
            assert key not in text


def test_markdown_escapes_provider_text(hostile, write_config, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    hostile_run(hostile, write_config, tmp_path, "--markdown", "summary.md", github=False)
    text = (tmp_path / "summary.md").read_text(encoding="utf-8")
    quoted = next(line for line in text.splitlines() if line.startswith("> "))
    assert "injected" in quoted
    # Every character that could open an image, a link or HTML is escaped.
    assert not re.search(r"(?<!\\)[!<>\[\]()]", quoted[2:]), quoted
    assert "\\!\\[x\\]\\(https://evil.test/p.png\\)" in quoted


def synthetic_report(count: int, message: str) -> RunReport:
    models = ", ".join(f"model-{n:05d}" for n in range(count))
    config = parse_config(textwrap.dedent(f"""\
        providers:
          p:
            base_url: https://api.example.test/v1
            api_key: ${{KEY}}
        checks:
          - provider: p
            models: [{models}]
        """), "checks.yml", {"KEY": "sk-test-synthetic"})
    results = tuple(Result(check=check, cls=OutcomeClass.VERIFICATION_REQUIRED,
                           verdict=Verdict.FAILED, status=403, message=message, attempts=1)
                    for check in config.checks)
    return RunReport(config_path="checks.yml", results=results,
                     started_at=datetime(2025, 1, 1, tzinfo=UTC), duration_s=1.0,
                     tool_version="test")


def test_summary_stays_under_one_mebibyte() -> None:
    report = synthetic_report(2500, "Your organization must be verified. " * 30)
    text = MarkdownFormat().render(report)
    assert len(text.encode()) <= MAX_BYTES <= 1024 * 1024
    assert text.startswith("## ❌ model access check failed: 0 passed, 2500 failed")
    assert text.rstrip().endswith("see the JUnit or JSON report.")
    assert text.count("<details>") == text.count("</details>") == 1


def test_small_summary_is_not_cut() -> None:
    text = MarkdownFormat().render(synthetic_report(3, "no"))
    assert "truncated" not in text
    # in the matrix, the list of what did not pass, the table and the details
    assert json.dumps(text).count("model-0000") == 15
