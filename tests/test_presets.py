"""`preset:` for OpenAI-compatible vendors, every kind's `base_url`, and the key-shape lint
(a key of another vendor is a `validate` warning, never an error)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from checker.config import parse_config
from checker.model import ConfigError
from checker.providers import build_probe
from checker.providers.keys import KEY_SHAPES, foreign_key_warning, shape_of
from checker.providers.presets import PRESETS
from tests.conftest import run_cli

SCHEMA = json.loads((Path(__file__).parents[1] / "schema" / "checks.schema.json").read_text())
REQUIRED_PRESETS = {"openrouter", "groq", "together", "fireworks", "deepseek", "mistral", "xai",
                    "perplexity", "cerebras", "gemini-openai", "anthropic-openai"}


def load(provider: str, env: dict[str, str] | None = None, model: str = "gpt-4o-mini"):  # type: ignore[no-untyped-def]
    text = f"providers:\n  p:\n{provider}\nchecks:\n  - providers: [p]\n    models: [{model}]\n"
    return parse_config(text, "c.yml", env or {"KEY": "sk-test-0123456789abcdef"})


def test_the_preset_table_covers_the_vendors() -> None:
    assert set(PRESETS) >= REQUIRED_PRESETS
    for preset in PRESETS.values():
        assert preset.base_url.startswith("https://") and not preset.base_url.endswith("/")
        assert preset.key_env.endswith("_API_KEY")


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_a_preset_is_kind_openai_at_the_vendors_base_url(name: str) -> None:
    config = load(f"    preset: {name}\n    api_key: ${{KEY}}")
    provider = config.providers["p"]
    assert provider.kind == "openai" and provider.base_url == PRESETS[name].base_url
    request = build_probe(config.checks[0])
    assert request.url == PRESETS[name].base_url + "/chat/completions"
    assert request.wire_headers()["Authorization"].startswith("Bearer ")


def test_base_url_wins_over_the_preset() -> None:
    config = load("    preset: groq\n    base_url: https://groq-proxy.example.com/v1\n"
                  "    api_key: ${KEY}")
    assert config.providers["p"].base_url == "https://groq-proxy.example.com/v1"


def test_an_unknown_preset_is_a_located_config_error() -> None:
    with pytest.raises(ConfigError, match=r"c.yml:3:13: 'preset' .* cannot be 'grok' "
                                          r"\(did you mean 'groq'\?\)"):
        load("    preset: grok\n    api_key: ${KEY}")


def test_preset_belongs_to_kind_openai_only() -> None:
    with pytest.raises(ConfigError, match="'preset' only applies to kind: openai"):
        load("    kind: anthropic\n    preset: groq\n    api_key: ${KEY}")


def test_without_base_url_or_preset_the_fix_names_both() -> None:
    with pytest.raises(ConfigError, match=r"add `base_url:`.*or `preset:`"):
        load("    api_key: ${KEY}")


@pytest.mark.parametrize(("kind", "url"), [
    ("anthropic", "https://api.anthropic.com"),
    ("gemini", "https://generativelanguage.googleapis.com"),
])
def test_native_kinds_have_a_default_base_url_and_take_another(kind: str, url: str) -> None:
    assert load(f"    kind: {kind}\n    api_key: ${{KEY}}").providers["p"].base_url == url
    other = load(f"    kind: {kind}\n    base_url: https://gw.example.com/{kind}\n"
                 "    api_key: ${KEY}")
    assert build_probe(other.checks[0]).url.startswith(f"https://gw.example.com/{kind}/v1")


@pytest.mark.parametrize(("provider", "valid"), [
    ({"preset": "groq", "api_key": "${K}"}, True),
    ({"kind": "anthropic", "api_key": "${K}"}, True),
    ({"kind": "gemini", "api_key": "${K}"}, True),
    ({"api_key": "${K}"}, False),  # kind openai needs base_url or preset
    ({"preset": "nope", "api_key": "${K}"}, False),
    ({"kind": "gemini", "preset": "groq", "api_key": "${K}"}, False),
    ({"kind": "azure", "api_key": "${K}"}, False),
])
def test_the_schema_agrees(provider: dict[str, str], valid: bool) -> None:
    document = {"providers": {"p": provider}, "checks": [{"provider": "p", "model": "m"}]}
    errors = list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(document))
    assert (not errors) == valid, errors


# --- the key-shape lint ---------------------------------------------------------------------

KEYS = {
    "anthropic": "sk-ant-api03-" + "A" * 93 + "AA",
    "google": "AIza" + "x" * 35,
    "openrouter": "sk-or-v1-" + "0" * 64,
    "groq": "gsk_" + "a" * 48,
    "openai": "sk-proj-" + "b" * 40,
    "xai": "xai-" + "c" * 80,
}


@pytest.mark.parametrize(("key", "expected", "warned"), [
    (KEYS["anthropic"], "anthropic", False),
    (KEYS["google"], "anthropic", True),
    (KEYS["anthropic"], "google", True),
    (KEYS["openrouter"], "openai", True),
    (KEYS["groq"], "groq", False),
    (KEYS["openai"], "groq", True),
    ("sk-" + "d" * 48, "anthropic", False),  # a bare sk- names no vendor
    (KEYS["xai"], None, False),  # a relay's host says nothing about its keys
    ("mistral0123456789abcdefghijklmnop", "mistral", False),
])
def test_foreign_key_warning(key: str, expected: str | None, warned: bool) -> None:
    warning = foreign_key_warning(key, expected)
    assert (warning is not None) == warned
    if warning is not None:
        assert key not in warning and key[:8] not in warning


def test_longer_prefixes_win() -> None:
    assert shape_of(KEYS["anthropic"]).vendor == "anthropic"  # type: ignore[union-attr]
    assert shape_of(KEYS["openrouter"]).vendor == "openrouter"  # type: ignore[union-attr]
    prefixes = [shape.prefix for shape in KEY_SHAPES]
    for i, prefix in enumerate(prefixes):
        assert not any(prefix.startswith(earlier) for earlier in prefixes[:i])


def test_validate_warns_about_a_key_of_another_vendor_and_exits_0(write_config) -> None:  # type: ignore[no-untyped-def]
    config = write_config("""
        providers:
          claude: {kind: anthropic, api_key: "${ANTHROPIC_API_KEY}"}
          gem: {kind: gemini, api_key: "${GEMINI_API_KEY}"}
          groq: {preset: groq, api_key: "${GROQ_API_KEY}"}
          oa: {base_url: "https://api.openai.com/v1", api_key: "${OPENAI_API_KEY}"}
          relay: {base_url: "https://relay.example.com/v1", api_key: "${RELAY_KEY}"}
        checks:
          - providers: [claude, gem, groq, oa, relay]
            models: [m]
        """)
    env = {"ANTHROPIC_API_KEY": KEYS["google"], "GEMINI_API_KEY": KEYS["google"],
           "GROQ_API_KEY": KEYS["openai"], "OPENAI_API_KEY": KEYS["anthropic"],
           "RELAY_KEY": KEYS["anthropic"]}
    result = run_cli("validate", "-c", str(config), env=env)
    assert result.code == 0, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 3, lines
    assert lines[0].startswith(f"{config}:2:38: warning: the key has the shape of a Google API "
                               "key (google), but provider 'claude' takes anthropic keys")
    assert "provider 'groq' takes groq keys" in lines[1]
    assert "provider 'oa' takes openai keys" in lines[2]
    for key in env.values():
        assert key[:10] not in result.stdout + result.stderr


@pytest.mark.parametrize(("provider", "variable"), [
    ("    preset: groq", "GROQ_API_KEY"),
    ("    kind: anthropic", "ANTHROPIC_API_KEY"),
    ("    kind: gemini", "GEMINI_API_KEY"),
    ("    base_url: https://relay.example.com/v1", "OPENAI_API_KEY"),
])
def test_a_provider_without_a_key_names_the_vendors_variable(provider: str,
                                                              variable: str) -> None:
    with pytest.raises(ConfigError, match=rf"add `api_key: \$\{{{variable}\}}`"):
        load(provider)


def test_a_checks_own_key_is_linted_against_each_of_its_providers(write_config) -> None:  # type: ignore[no-untyped-def]
    config = write_config("""
        providers:
          claude: {kind: anthropic, api_key: "${ANTHROPIC_API_KEY}"}
        checks:
          - providers: [claude]
            models: [claude-sonnet-4-5]
            api_key: ["${ANTHROPIC_API_KEY}", "${STAGING_KEY}"]
        """)
    env = {"ANTHROPIC_API_KEY": KEYS["anthropic"], "STAGING_KEY": KEYS["openrouter"]}
    result = run_cli("validate", "-c", str(config), env=env)
    assert result.code == 0
    assert result.stderr.splitlines() == [
        f"{config}:6:39: warning: the key has the shape of an OpenRouter key (openrouter), but "
        "provider 'claude' takes anthropic keys (is this the right variable?)"]
