"""Config loading: precise errors (file:line:column + fix), interpolation, matrix expansion."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.config import load_config, parse_config
from checker.model import ConfigError
from checker.outcomes import OutcomeClass
from tests.conftest import run_cli

DISPLAY_URL = "https://api.openai.com/v1"  # display only, never contacted

GOOD = """
version: 1
providers:
  openai-prod:
    base_url: https://api.openai.com/v1  # display only, never contacted
    api_key: ${OPENAI_API_KEY}
checks:
  - providers: [openai-prod]
    models: [gpt-5]
"""


def errors_of(text: str, env: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text.lstrip("\n"), "checks.yml", env or {})
    return [str(issue) for issue in caught.value.issues]


def test_good_config_loads() -> None:
    config = parse_config(GOOD.lstrip("\n"), "checks.yml", {"OPENAI_API_KEY": "k" * 20})
    assert [c.id for c in config.checks] == ["openai-prod / gpt-5 [access]"]


# --- one test per kind of bad input ---------------------------------------------------------


def test_unknown_key_names_line_column_and_suggests() -> None:
    text = GOOD.replace("    models: [gpt-5]", "    modles: [gpt-5]")
    errors = errors_of(text, {"OPENAI_API_KEY": "x"})
    assert "checks.yml:8:5: unknown key 'modles' in checks[0] (did you mean 'models'?)" in errors


def test_unknown_top_level_key() -> None:
    errors = errors_of(GOOD + "provders: {}\n")
    assert any(e.startswith("checks.yml:9:1: unknown key 'provders'") and "providers" in e
               for e in errors)


def test_wrong_type_is_named() -> None:
    errors = errors_of("defaults: {timeout: soon}\n" + GOOD.lstrip("\n").replace(
        "version: 1\n", ""))
    assert errors == ["checks.yml:1:21: 'timeout' in defaults must be a number, not 'soon' "
                      "(Seconds per attempt.)"]


def test_negative_number_is_refused() -> None:
    errors = errors_of(GOOD + "defaults: {retries: -1}\n")
    assert any("'retries' in defaults must be at least 0" in e for e in errors)


def test_empty_matrix() -> None:
    text = GOOD.split("checks:")[0] + "checks: []\n"
    assert errors_of(text) == ["checks.yml:6:9: no checks declared (the matrix is empty) "
                               "(add at least one check with `providers:` and `models:`)"]


def test_unknown_provider_reference_suggests_the_close_one() -> None:
    errors = errors_of(GOOD.replace("providers: [openai-prod]", "providers: [openai-prd]"))
    assert errors == ["checks.yml:7:17: unknown provider 'openai-prd' (did you mean "
                      "'openai-prod'?)"]


def test_bad_url() -> None:
    errors = errors_of(GOOD.replace(DISPLAY_URL, "ftp://example.com"))
    assert errors[0].startswith("checks.yml:4:15: base_url of provider 'openai-prod' is not an "
                                "http(s) URL")


@pytest.mark.parametrize("url", ["https://[api.openai.com/v1", "https://x.example:99999/v1",
                                 "https://x.example:port/v1", "https://exa mple.com/v1"])
def test_malformed_urls_found_by_the_fuzzer(url: str) -> None:
    errors = errors_of(GOOD.replace(DISPLAY_URL, url))
    assert errors[0].startswith("checks.yml:4:15: base_url of provider 'openai-prod' is not a "
                                "valid URL")


def test_plain_http_to_a_remote_host_is_refused_unless_allowed() -> None:
    text = GOOD.replace(DISPLAY_URL, "http://relay.example.com/v1")
    errors = errors_of(text, {"OPENAI_API_KEY": "x"})
    assert "unencrypted" in errors[0] and "allow_insecure_http" in errors[0]
    allowed = text.replace("    api_key:", "    allow_insecure_http: true\n    api_key:")
    config = parse_config(allowed.lstrip("\n"), "checks.yml", {"OPENAI_API_KEY": "x"})
    assert config.providers["openai-prod"].base_url == "http://relay.example.com/v1"


def test_plain_http_to_loopback_is_fine() -> None:
    text = GOOD.replace(DISPLAY_URL, "http://127.0.0.1:8080/v1")
    assert parse_config(text.lstrip("\n"), "c.yml", {}).checks


def test_duplicate_provider_name() -> None:
    text = GOOD.replace("checks:", "  openai-prod:\n    base_url: https://x.example\n"
                                   "    api_key: ${K}\nchecks:")
    errors = errors_of(text)
    assert any(e.startswith("checks.yml:6:3: duplicate key 'openai-prod' in providers "
                            "(first at line 3)") for e in errors)


def test_duplicate_check() -> None:
    errors = errors_of(GOOD + "  - provider: openai-prod\n    model: gpt-5\n")
    assert errors == ["checks.yml:10:12: duplicate check 'openai-prod / gpt-5 [access]' "
                      "(already declared at line 8) (remove one of them)"]


def test_literal_secret_in_api_key_is_refused() -> None:
    errors = errors_of(GOOD.replace("${OPENAI_API_KEY}", "sk-proj-abcdefghijklmnop1234567890"))
    assert errors[0].startswith("checks.yml:5:14: api_key in provider 'openai-prod' is a "
                                "literal secret")
    assert "sk-proj-abcdefghijklmnop1234567890" not in errors[0]


def test_literal_secret_as_an_interpolation_default_is_refused() -> None:
    errors = errors_of(GOOD.replace("${OPENAI_API_KEY}",
                                    "${OPENAI_API_KEY:-sk-abcdef0123456789abcd}"))
    assert "literal secret" in errors[0]


def test_literal_non_secret_api_key_must_still_come_from_env() -> None:
    errors = errors_of(GOOD.replace("${OPENAI_API_KEY}", "changeme"))
    assert "must come from the environment" in errors[0]


def test_literal_secret_in_headers_is_refused() -> None:
    text = GOOD.replace("    api_key:", "    headers:\n      X-Api-Key: "
                                       "a8f5f167f44f4964e6c998dee827110c\n    api_key:")
    errors = errors_of(text)
    assert errors[0].startswith("checks.yml:6:18: header 'X-Api-Key' of provider 'openai-prod' "
                                "holds a literal secret")


def test_header_from_environment_is_accepted_and_treated_as_secret() -> None:
    text = GOOD.replace("    api_key:", "    headers:\n      X-Gateway-Token: ${GW}\n    api_key:")
    config = parse_config(text.lstrip("\n"), "c.yml",
                          {"GW": "gateway-secret-123", "OPENAI_API_KEY": "k"})
    assert "gateway-secret-123" in config.secret_values()


def test_unknown_capability_suggests() -> None:
    errors = errors_of(GOOD + "    capabilities: [streaming]\n")
    assert errors == ["checks.yml:9:20: unknown capability 'streaming' (did you mean 'stream'?)"]


def test_stream_on_an_image_model_is_refused() -> None:
    errors = errors_of(GOOD.replace("[gpt-5]", "[gpt-image-1]") + "    capabilities: [stream]\n")
    assert "capability 'stream' does not apply to images model 'gpt-image-1'" in errors[0]


def test_unknown_expectation() -> None:
    errors = errors_of(GOOD + "    expect: denyed\n")
    assert errors == ["checks.yml:9:13: unknown expectation 'denyed' in checks[0] (did you mean "
                      "'denied'?)"]


def test_yaml_syntax_error_names_the_line() -> None:
    errors = errors_of("providers:\n  a: [unclosed\nchecks: []\n")
    assert errors[0].startswith("checks.yml:3:")
    assert "YAML syntax error" in errors[0]


def test_unquoted_variable_in_a_flow_list_gets_a_quoting_hint() -> None:
    errors = errors_of(GOOD + "    api_key: [${A}, ${B}]\n")
    assert errors[0].startswith("checks.yml:9:")
    assert 'quote ${VAR} inside [ ] or { }: ["${A}", "${B}"]' in errors[0]


def test_empty_file() -> None:
    assert errors_of("# nothing\n") == ["checks.yml:1:1: the file is empty (declare "
                                        "`providers:` and `checks:`; see `checker schema`)"]


def test_top_level_must_be_a_mapping() -> None:
    assert "the top level must be a mapping" in errors_of("- a\n- b\n")[0]


def test_two_documents() -> None:
    assert "more than one YAML document" in errors_of(GOOD + "---\nfoo: 1\n")[0]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(str(tmp_path / "nope.yml"))
    assert "file not found" in str(caught.value)


def test_directory_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(str(tmp_path))
    assert "is a directory" in str(caught.value)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "checks.yml"
    path.write_bytes(b"providers:\n  a: \xff\xfe\n")
    with pytest.raises(ConfigError) as caught:
        load_config(str(path))
    assert ":2:1: not UTF-8 text" in str(caught.value)


def test_unset_non_key_variable_is_an_error() -> None:
    errors = errors_of(GOOD.replace(DISPLAY_URL, "${RELAY_URL}"))
    assert errors[0].startswith("checks.yml:4:15: environment variable RELAY_URL (for "
                                "'base_url' in provider 'openai-prod') is not set")


def test_azure_only_options_on_an_openai_provider() -> None:
    text = GOOD.replace("    api_key:", "    api_version: 2024-10-21\n    api_key:")
    assert "'api_version' only applies to kind: azure" in errors_of(text)[0]


def test_all_errors_are_reported_at_once() -> None:
    text = GOOD.replace("models:", "modles:").replace("version: 1", "version: 2")
    assert len(errors_of(text)) >= 2


@pytest.mark.parametrize("text", [
    "providers: 3\nchecks: 4\n",
    "providers: {a: 1}\nchecks: [1]\n",
    "providers: {a: {base_url: [1]}}\nchecks: [{providers: {}, models: {}}]\n",
    "providers:\n  a:\n    base_url: https://x.example\n    api_key: ${K}\nchecks:\n  - "
    "providers: [a]\n    models: [~]\n",
    "providers:\n  a:\n    base_url: https://x.example\n    api_key: ${K\nchecks:\n  - "
    "providers: [a]\n    models: [m]\n",
    "? [a, b]\n: 1\n",
])
def test_odd_shapes_give_located_errors_not_crashes(text: str) -> None:
    errors = errors_of(text)
    assert errors and all(e.startswith("checks.yml:") for e in errors)


# --- interpolation and expansion --------------------------------------------------------------


def test_default_interpolation_and_optional_org() -> None:
    text = GOOD.replace(DISPLAY_URL, "${BASE:-https://relay.example.com/v1}")
    text = text.replace("    api_key:", "    organization: ${OPENAI_ORG_ID}\n    api_key:")
    config = parse_config(text.lstrip("\n"), "c.yml", {"OPENAI_API_KEY": "k"})
    provider = config.providers["openai-prod"]
    assert provider.base_url == "https://relay.example.com/v1"
    assert provider.option("organization") is None  # unset optional variable: header not sent


def test_unset_key_variable_is_not_a_load_error() -> None:
    config = parse_config(GOOD.lstrip("\n"), "c.yml", {})
    assert config.missing_key_variables() == ("OPENAI_API_KEY",)
    assert config.checks[0].key is not None and config.checks[0].key.value is None


MATRIX = """
providers:
  prod: {base_url: "https://api.openai.com/v1", api_key: "${PROD_KEY}"}  # display only
  relay: {base_url: "https://relay.example.com/v1", api_key: "${RELAY_KEY}"}
checks:
  - providers: [prod, relay]
    models: [gpt-image-2, o3]
  - provider: prod
    models:
      - o3
      - gpt-5
    capabilities: [stream, reasoning_summary]
  - providers: [prod]
    models: [gpt-5]
    api_key: ["${STAGING_KEY}", "${CI_KEY}"]
    expect: denied
"""


def test_matrix_expands_providers_models_capabilities_keys_with_lines() -> None:
    config = parse_config(MATRIX.lstrip("\n"), "checks.yml", {"PROD_KEY": "a", "RELAY_KEY": "b",
                                                              "STAGING_KEY": "c"})
    ids = [(c.id, c.location.line) for c in config.checks]
    assert ids == [
        ("prod / gpt-image-2 [access]", 6),
        ("prod / o3 [access]", 6),
        ("relay / gpt-image-2 [access]", 6),
        ("relay / o3 [access]", 6),
        ("prod / o3 [stream]", 9),
        ("prod / o3 [reasoning_summary]", 9),
        ("prod / gpt-5 [stream]", 10),
        ("prod / gpt-5 [reasoning_summary]", 10),
        ("prod / gpt-5 [access] (key STAGING_KEY)", 13),
        ("prod / gpt-5 [access] (key CI_KEY)", 13),
    ]
    staging = config.checks[-2]
    assert staging.expect.label == "denied"
    assert staging.expect.met_by(OutcomeClass.PERMISSION_DENIED)
    assert not staging.expect.met_by(OutcomeClass.OK)
    assert config.checks[-1].key is not None and config.checks[-1].key.missing == ("CI_KEY",)


def test_secrets_never_appear_in_reprs() -> None:
    config = parse_config(MATRIX.lstrip("\n"), "c.yml", {"PROD_KEY": "sk-supersecretvalue123456"})
    assert "supersecretvalue" not in repr(config)


def test_cli_validate_prints_errors_and_exits_2(write_config) -> None:  # type: ignore[no-untyped-def]
    path = write_config(GOOD.replace("models:", "modles:"))
    result = run_cli("validate", "-c", str(path))
    assert result.code == 2
    assert "unknown key 'modles' in checks[0] (did you mean 'models'?)" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_validate_ok_notes_unset_keys(write_config) -> None:  # type: ignore[no-untyped-def]
    path = write_config(GOOD)
    result = run_cli("validate", "-c", str(path))
    assert result.code == 0
    assert "ok (1 check across 1 provider)" in result.stdout
    assert "OPENAI_API_KEY" in result.stdout
    strict = run_cli("validate", "--strict", "-c", str(path))
    assert strict.code == 2


def test_cli_finds_the_default_config_names(tmp_path: Path) -> None:
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "checks.yml").write_text(GOOD.lstrip("\n"))
    result = run_cli("validate", cwd=tmp_path)
    assert result.code == 0 and ".github/checks.yml: ok" in result.stdout
    empty = tmp_path / "empty"
    empty.mkdir()
    missing = run_cli("validate", cwd=empty)
    assert missing.code == 2 and "no config found" in missing.stderr
