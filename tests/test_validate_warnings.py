"""`validate` warns, without failing, about what is probably a typo: a model name close to one
the vendor publishes, a known host without its API path. The lists it suggests from are
kept equal to the vendors' own (the OpenAI API description, the anthropic SDK)."""

from __future__ import annotations

import typing
from pathlib import Path

import anthropic.types.model
import pytest

from checker.config.checks import close_model
from checker.providers.anthropic import KNOWN_MODELS as ANTHROPIC_MODELS
from checker.providers.openai import API_URLS, OpenAIKind
from checker.providers.openai_models import KNOWN_MODELS as OPENAI_MODELS
from checker.providers.presets import PRESETS
from tests.conftest import run_cli
from tests.openai_spec_models import spec_model_names

OPENAI_KEY = "sk-proj-" + "a1" * 20
ANTHROPIC_KEY = "sk-ant-api03-" + "b2" * 20
ENV = {"OPENAI_API_KEY": OPENAI_KEY, "ANTHROPIC_API_KEY": ANTHROPIC_KEY}


def test_openai_names_are_the_api_descriptions() -> None:
    assert set(OPENAI_MODELS) == spec_model_names()


def test_anthropic_names_are_the_sdks() -> None:
    literal = typing.get_args(typing.get_args(anthropic.types.model.Model)[0])
    assert set(ANTHROPIC_MODELS) == set(literal)


@pytest.mark.parametrize(("written", "suggested"), [
    ("gpt-iamge-2", "gpt-image-2"),  # two letters swapped
    ("gpt-4o-mnii", "gpt-4o-mini"),
    ("gpt4o", "gpt-4o"),  # a dash missing
    ("o4mini", "o4-mini"),
    ("GPT-IAMGE-2", "gpt-image-2"),
    ("claude-sonet-4-5", "claude-sonnet-4-5"),
    ("gpt-image-2", None),  # published
    ("gpt-5.7", None),  # another version, perhaps newer than checker: no guess
    ("gpt-4o-2099-01-01", None),
    ("llama-3.3-70b-versatile", None),  # another vendor's model behind a preset
    ("openai/gpt-4o", None),  # OpenRouter's name
])
def test_close_model(written: str, suggested: str | None) -> None:
    assert close_model(written, OPENAI_MODELS + ANTHROPIC_MODELS) == suggested


@pytest.mark.parametrize(("url", "warned"), [
    ("https://api.openai.com", True),  # display only
    ("https://api.openai.com/", True),  # display only
    ("https://api.openai.com/v1", False),  # display only
    ("https://api.openai.com/v1/", False),  # display only
    ("https://openrouter.ai/api", True),  # display only
    ("https://api.groq.com/v1", True),  # Groq's path is /openai/v1
    ("https://generativelanguage.googleapis.com/v1beta", True),
    ("https://api.deepseek.com", False),  # served at the root too
    ("https://relay.example.com", False),  # a relay: nothing is known
    ("http://127.0.0.1:8080", False),
])
def test_url_warning(url: str, warned: bool) -> None:
    warning = OpenAIKind().url_warning(url.rstrip("/"))
    assert (warning is not None) is warned
    if warning is not None:
        assert API_URLS[url.split("/")[2]] in warning


def test_every_preset_url_passes_its_own_check() -> None:
    for preset in PRESETS.values():
        assert OpenAIKind().url_warning(preset.base_url) is None, preset.name


def test_validate_warns_with_file_line_and_column_and_still_passes(write_config) -> None:  # type: ignore[no-untyped-def]
    config: Path = write_config("""
        providers:
          openai:
            base_url: https://api.openai.com  # display only
            api_key: ${OPENAI_API_KEY}
          claude:
            kind: anthropic
            api_key: ${ANTHROPIC_API_KEY}
        checks:
          - providers: [openai]
            models: [gpt-iamge-2, gpt-4o-mini, gpt-5.7]
          - providers: [openai]
            models: [gpt-iamge-2]
            capabilities: [stream]
          - providers: [claude]
            models: [claude-sonet-4-5]
        """)
    result = run_cli("validate", "-c", str(config), env=ENV)
    assert result.code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if ": warning: " in line]
    assert warnings == [
        f"{config}:3:15: warning: base_url https://api.openai.com is not where api.openai.com "
        "serves its OpenAI-style API: probes would go to https://api.openai.com/chat/"
        "completions, which it does not serve; did you mean https://api.openai.com/v1?",
        f"{config}:10:14: warning: model 'gpt-iamge-2' is not one checker knows for kind "
        "openai; did you mean 'gpt-image-2'?",
        f"{config}:12:14: warning: model 'gpt-iamge-2' is not one checker knows for kind "
        "openai; did you mean 'gpt-image-2'?",
        f"{config}:15:14: warning: model 'claude-sonet-4-5' is not one checker knows for kind "
        "anthropic; did you mean 'claude-sonnet-4-5'?",
    ]
    assert OPENAI_KEY not in result.stderr + result.stdout
