"""The gate fails closed: a check passes only when its own probe proved its expectation,
and no lenient flag turns "nothing was proven" into a pass. End to end through the real
CLI against the simulator, plus the pure policy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.config import parse_config
from checker.exit_codes import EXIT_FAILED, EXIT_INCONCLUSIVE, EXIT_OK
from checker.model import ConfigError
from checker.outcomes import CLASS_INFO, OutcomeClass, Verdict
from checker.policy import excusable_classes, exit_code
from checker.results import Result
from checker.simulator import Simulator
from tests.conftest import run_cli, sim_config

ONE_CHECK = "  - providers: [prod]\n    models: [gpt-4o-mini]\n"

BASE = "https://api.openai.com/v1"  # display only: parsed, never contacted


def one_check(cls: OutcomeClass, verdict: Verdict | None = None) -> Result:
    config = parse_config(f"providers:\n  p: {{base_url: '{BASE}', api_key: '${{K}}'}}\n"
                          "checks:\n  - {provider: p, model: gpt-4o-mini}\n", "c.yml",
                          {"K": "sk-test-000000000000000000000000"})
    from checker.policy import verdict_for

    check = config.checks[0]
    return Result(check=check, cls=cls, verdict=verdict or verdict_for(check, cls))


# --- the policy table ----------------------------------------------------------------------

EXCUSABLE = {OutcomeClass.RATE_LIMITED, OutcomeClass.SERVER_ERROR, OutcomeClass.TIMEOUT,
             OutcomeClass.NETWORK_ERROR, OutcomeClass.INTERRUPTED}


def test_allow_inconclusive_excuses_only_what_time_can_change() -> None:
    assert set(excusable_classes()) == EXCUSABLE


@pytest.mark.parametrize("cls", list(OutcomeClass), ids=[c.value for c in OutcomeClass])
def test_exit_code_of_each_class_with_and_without_allow_inconclusive(cls: OutcomeClass) -> None:
    result = one_check(cls)
    strict, lenient = exit_code([result]), exit_code([result], allow_inconclusive=True)
    if cls is OutcomeClass.OK:
        assert (strict, lenient) == (EXIT_OK, EXIT_OK)
    elif result.verdict is Verdict.FAILED:
        assert (strict, lenient) == (EXIT_FAILED, EXIT_FAILED)
    elif cls in EXCUSABLE:
        assert (strict, lenient) == (EXIT_INCONCLUSIVE, EXIT_OK)
    else:  # probe_rejected, content_filtered, unexpected_response, unknown
        assert (strict, lenient) == (EXIT_INCONCLUSIVE, EXIT_INCONCLUSIVE)


def test_a_broken_check_is_a_failure_never_inconclusive() -> None:
    result = one_check(OutcomeClass.CONFIG_ERROR)
    assert result.verdict is Verdict.FAILED
    assert exit_code([result], allow_inconclusive=True) == EXIT_FAILED


def test_a_run_that_proved_nothing_never_exits_0() -> None:
    skipped = one_check(OutcomeClass.CONFIG_ERROR, Verdict.SKIPPED)
    assert exit_code([skipped]) == EXIT_INCONCLUSIVE
    assert exit_code([skipped], allow_inconclusive=True) == EXIT_INCONCLUSIVE
    assert exit_code([skipped, one_check(OutcomeClass.OK)]) == EXIT_OK


def test_every_class_says_whether_it_is_excusable() -> None:
    for cls, details in CLASS_INFO.items():
        if details.excusable:
            assert details.retryable or cls is OutcomeClass.INTERRUPTED


# --- expectations can only name proofs -------------------------------------------------------

@pytest.mark.parametrize("expect", ["config_error", "timeout", "unknown", "interrupted",
                                    "unexpected_response", "rate_limited"])
def test_an_expectation_that_proves_nothing_is_a_config_error(expect: str) -> None:
    with pytest.raises(ConfigError, match=f"'{expect}' cannot be expected"):
        parse_config(f"providers:\n  p: {{base_url: '{BASE}', api_key: '${{K}}'}}\n"
                     f"checks:\n  - {{provider: p, model: gpt-5, expect: {expect}}}\n",
                     "c.yml", {"K": "sk-x"})


# --- missing, empty and malformed keys end to end ---------------------------------------------

def run_with_key(simulator: Simulator, write_config, tmp_path: Path, value: str | None,  # type: ignore[no-untyped-def]
                 *args: str, extra: str = "") -> tuple[int, str, str, dict]:
    config, env = sim_config(simulator, write_config,
                             "  - providers: [prod]\n    models: [gpt-4o-mini]\n" + extra,
                             {"prod": "verified"})
    if value is None:
        env.pop("PROD_KEY")
    else:
        env["PROD_KEY"] = value
    report = tmp_path / "r.json"
    result = run_cli("run", "-c", str(config), "--json", str(report), *args, env=env)
    assert "Traceback" not in result.stderr + result.stdout
    data = json.loads(report.read_text()) if report.exists() else {}
    return result.code, result.stdout, result.stderr, data


@pytest.mark.parametrize("value", [None, ""], ids=["unset", "empty"])
def test_a_missing_key_fails_and_names_the_variable_even_with_allow_inconclusive(  # type: ignore[no-untyped-def]
        simulator: Simulator, write_config, tmp_path: Path, value: str | None) -> None:
    code, _, _, data = run_with_key(simulator, write_config, tmp_path, value,
                                      "--allow-inconclusive")
    assert code == 1
    record = data["results"][0]
    assert record["class"] == "config_error" and record["verdict"] == "failed"
    assert "PROD_KEY is not set or empty" in record["message"]
    assert "checks.yml:5:14" in record["message"]  # the api_key line
    assert simulator.log == []  # nothing was sent


def test_an_optional_check_whose_key_is_missing_is_skipped_with_the_reason(  # type: ignore[no-untyped-def]
        simulator: Simulator, write_config, tmp_path: Path) -> None:
    config, env = sim_config(simulator, write_config, (
        "  - providers: [prod]\n    models: [gpt-4o-mini]\n"
        "  - providers: [prod]\n    models: [gpt-5]\n    api_key: ${FORK_ONLY_KEY}\n"
        "    optional: true\n"), {"prod": "verified"})
    report = tmp_path / "r.json"
    result = run_cli("run", "-c", str(config), "--json", str(report), env=env)
    assert result.code == 0, result.stdout
    records = json.loads(report.read_text())["results"]
    assert [r["verdict"] for r in records] == ["passed", "skipped"]
    assert "FORK_ONLY_KEY" in records[1]["message"] and "optional" in records[1]["message"]
    assert "1 skipped" in result.stdout


def test_only_skipped_checks_exit_3_even_with_allow_inconclusive(  # type: ignore[no-untyped-def]
        simulator: Simulator, write_config, tmp_path: Path) -> None:
    config, env = sim_config(simulator, write_config, ONE_CHECK, {"prod": "verified"})
    text = config.read_text().replace("api_key: ${PROD_KEY}",
                                      "api_key: ${PROD_KEY}\n    optional: true")
    config.write_text(text)
    env.pop("PROD_KEY")
    result = run_cli("run", "-c", str(config), "--allow-inconclusive", env=env)
    assert result.code == 3, result.stdout


def test_validate_strict_fails_on_an_empty_key_on_one_line(  # type: ignore[no-untyped-def]
        simulator: Simulator, write_config) -> None:
    config, env = sim_config(simulator, write_config,
                             ONE_CHECK, {"prod": "verified"})
    env["PROD_KEY"] = ""
    result = run_cli("validate", "--strict", "-c", str(config), env=env)
    assert result.code == 2
    assert result.stdout == ""  # no "ok" first
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{config}:5:14:")
    assert "PROD_KEY is not set or empty" in lines[0]
    assert run_cli("validate", "-c", str(config), env=env).code == 0  # without --strict: a note


def test_a_key_with_a_trailing_newline_is_stripped_with_a_notice(  # type: ignore[no-untyped-def]
        simulator: Simulator, write_config, tmp_path: Path) -> None:
    key = simulator.new_key("verified")
    code, _, err, data = run_with_key(simulator, write_config, tmp_path, key + "\n")
    assert code == 0
    assert data["results"][0]["class"] == "ok" and data["results"][0]["attempts"] == 1
    assert "whitespace around PROD_KEY" in err and key not in err


@pytest.mark.parametrize(("value", "kind"), [
    ("sk-abc def-0123456789", "whitespace at position 7"),
    ("sk-abc\tdef-0123456789", "whitespace at position 7"),
    ("sk-abc\x01def-0123456789", "a control character at position 7"),
    ("sk-abcdé-0123456789", "a non-ASCII character at position 8"),
])
def test_a_malformed_key_is_a_config_error_naming_the_variable_not_the_value(  # type: ignore[no-untyped-def]
        simulator: Simulator, write_config, tmp_path: Path, value: str, kind: str) -> None:
    code, _, err, data = run_with_key(simulator, write_config, tmp_path, value)
    assert code == 2 and data["results"] == []
    assert len(err.strip().splitlines()) == 1, err
    assert f"PROD_KEY (api_key of provider 'prod') contains {kind}" in err
    assert value[:6] not in err and "0123456789" not in err
    assert simulator.log == []


@pytest.mark.parametrize("field", ["base_url", "timeout"])
def test_a_secret_in_the_wrong_field_is_never_echoed_in_a_config_error(  # type: ignore[no-untyped-def]
        write_config, field: str) -> None:
    secret = "sk-proj-Zq9ExampleSecretValue0123456789abcd"
    base = "${OOPS}" if field == "base_url" else "https://api.example.com/v1"  # display only
    timeout = "${OOPS}" if field == "timeout" else "20"
    config = write_config(f"providers:\n  p:\n    base_url: {base}\n    api_key: ${{K}}\n"
                          f"    timeout: {timeout}\nchecks:\n  - {{provider: p, model: gpt-5}}\n")
    result = run_cli("validate", "-c", str(config), env={"OOPS": secret, "K": "sk-x"})
    assert result.code == 2
    assert "${OOPS}" in result.stderr
    for fragment in (secret, secret[:12], secret[-12:]):
        assert fragment not in result.stderr + result.stdout


# --- a capability is proven only by its own evidence -----------------------------------------

def test_a_json_answer_to_a_streaming_request_is_not_a_stream(  # type: ignore[no-untyped-def]
        simulator: Simulator, write_config, tmp_path: Path) -> None:
    config, env = sim_config(simulator, write_config,
                             "  - providers: [relay, real]\n    models: [gpt-4o-mini]\n"
                             "    capabilities: [access, stream]\n",
                             {"relay": "no-stream", "real": "verified"})
    report = tmp_path / "r.json"
    result = run_cli("run", "-c", str(config), "--json", str(report), "--allow-inconclusive",
                     env=env)
    assert result.code == 3
    by_id = {r["id"]: r for r in json.loads(report.read_text())["results"]}
    assert by_id["relay / gpt-4o-mini [access]"]["class"] == "ok"
    stream = by_id["relay / gpt-4o-mini [stream]"]
    assert stream["class"] == "unexpected_response"
    assert "ignores `stream: true`" in stream["message"]
    assert by_id["real / gpt-4o-mini [stream]"]["class"] == "ok"


@pytest.mark.parametrize(("model", "capability", "words"), [
    ("gpt-4o", "reasoning_summary", "not a reasoning model"),
    ("gpt-4.1-mini", "reasoning_summary", "not a reasoning model"),
    ("gpt-image-1", "stream", "does not apply to images model"),
    ("text-embedding-3-small", "stream", "does not apply to embeddings model"),
])
def test_capabilities_that_cannot_apply_are_config_errors(model: str, capability: str,
                                                          words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        parse_config(f"providers:\n  p: {{base_url: '{BASE}', api_key: '${{K}}'}}\n"
                     f"checks:\n  - {{provider: p, model: {model}, "
                     f"capabilities: [{capability}]}}\n",
                     "c.yml", {"K": "sk-x"})


def spec_responses_only_models() -> list[str]:
    spec = Path(__file__).parent / "specs" / "openai-openapi.yaml"
    text = spec.read_text(encoding="utf-8")
    block = text[text.index("title: ResponsesOnlyModel"):].splitlines()[2:]
    names = []
    for line in block:
        if not line.strip().startswith("- "):
            break
        names.append(line.strip()[2:])
    return names


def test_models_served_only_by_responses_are_probed_there() -> None:
    from checker.providers.openai_catalog import ProbeKind, probe_kind_for

    names = spec_responses_only_models()
    assert len(names) > 10
    assert [n for n in names if probe_kind_for(n, "access") is not ProbeKind.RESPONSES] == []


# --- the matrix and report paths -------------------------------------------------------------

def test_a_matrix_over_the_limit_is_refused_before_any_check_is_built(write_config) -> None:  # type: ignore[no-untyped-def]
    models = "[" + ", ".join(f"m{i}" for i in range(200)) + "]"
    providers = "\n".join(f"  p{i}: {{base_url: '{BASE}', api_key: '${{K}}'}}" for i in range(60))
    names = "[" + ", ".join(f"p{i}" for i in range(60)) + "]"
    config = write_config(f"providers:\n{providers}\nchecks:\n"
                          + "".join(f"  - {{providers: {names}, models: {models}}}\n"
                                    for _ in range(100)))
    result = run_cli("validate", "-c", str(config), env={"K": "sk-x"}, timeout=60)
    assert result.code == 2
    assert "the matrix expands to 1,200,000 checks, over the limit of 10,000" in result.stderr
    assert "--max-checks" in result.stderr
    small = write_config(f"providers:\n{providers}\nchecks:\n  - {{providers: {names}, "
                         f"models: {models}}}\n", name="small.yml")
    assert run_cli("validate", "-c", str(small), env={"K": "sk-x"}).code == 2  # 12,000
    assert run_cli("validate", "-c", str(small), "--max-checks", "12000",
                   env={"K": "sk-x"}).code == 0


def test_an_alias_expanded_matrix_is_refused_from_an_8_kib_file(write_config) -> None:  # type: ignore[no-untyped-def]
    models = ", ".join(f"m{i}" for i in range(200))
    providers = "".join(f"  p{i}: {{base_url: '{BASE}', api_key: '${{K}}'}}\n" for i in range(10))
    names = ", ".join(f"p{i}" for i in range(10))
    text = (f"providers:\n{providers}checks:\n  - &block {{providers: [{names}], "
            f"models: [{models}], capabilities: [access, stream]}}\n" + "  - *block\n" * 400)
    assert len(text) <= 8 * 1024
    config = write_config(text)
    result = run_cli("run", "-c", str(config), env={"K": "sk-x"}, timeout=60)
    assert result.code == 2
    assert "the matrix expands to 1,604,000 checks, over the limit of 10,000" in result.stderr
    assert "Traceback" not in result.stderr


def test_two_reports_at_one_path_are_a_usage_error(  # type: ignore[no-untyped-def]
        simulator: Simulator, write_config, tmp_path: Path) -> None:
    config, env = sim_config(simulator, write_config,
                             ONE_CHECK, {"prod": "verified"})
    same = tmp_path / "report"
    result = run_cli("run", "-c", str(config), "--json", str(same), "--junit-xml",
                     str(tmp_path / "." / "report"), env=env)
    assert result.code == 2
    assert "--junit-xml and --json both write to the same file" in result.stderr
    assert simulator.log == []
