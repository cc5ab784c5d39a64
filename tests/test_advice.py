"""Where to fix a refusal is said in the provider's own terms (a note under the check): the
class hints are vendor-neutral, each kind adds its console, role or quota page."""

from __future__ import annotations

import pytest

from checker.classify import classify
from checker.config.loader import parse_config
from checker.model import Check
from checker.outcomes import CLASS_INFO, OutcomeClass
from checker.providers import KINDS, dialect_of

C = OutcomeClass
CONFIG = """
providers:
  openai: {base_url: "https://api.openai.com/v1", api_key: "${OPENAI_API_KEY}"}  # display only
  relay: {base_url: "https://llm-relay.example.com/v1", api_key: "${OPENAI_API_KEY}"}
  groq: {preset: groq, api_key: "${GROQ_API_KEY}"}
  azure-key: {kind: azure, base_url: "https://r.openai.azure.com", api_key: "${AZ_KEY}"}
  azure-entra: {kind: azure, base_url: "https://r.openai.azure.com", auth: entra}  # display only
  claude: {kind: anthropic, api_key: "${ANTHROPIC_API_KEY}"}
  gemini: {kind: gemini, api_key: "${GEMINI_API_KEY}"}
  vertex: {kind: vertex, project: my-project, location: us-east5}
  bedrock: {kind: bedrock, region: us-east-1}
checks:
  - providers: [openai, relay, groq, azure-key, azure-entra, claude, gemini, vertex, bedrock]
    models: [some-model]
"""
ENV = {"OPENAI_API_KEY": "sk-proj-" + "a1" * 20, "GROQ_API_KEY": "gsk_" + "b2" * 20,
       "AZ_KEY": "c3" * 16, "ANTHROPIC_API_KEY": "sk-ant-api03-" + "d4" * 20,
       "GEMINI_API_KEY": "AIza" + "e5" * 17 + "x"}


@pytest.fixture(scope="module")
def checks() -> dict[str, Check]:
    config = parse_config(CONFIG.lstrip("\n"), "c.yml", ENV)
    return {check.provider.name: check for check in config.checks}


def advice(check: Check, cls: OutcomeClass) -> str | None:
    return KINDS[check.provider.kind].advice(check, cls, rule="")


@pytest.mark.parametrize(("provider", "cls", "says"), [
    ("openai", C.PERMISSION_DENIED, "platform.openai.com → Project → Limits"),
    ("openai", C.QUOTA_EXHAUSTED, "Settings → Billing"),
    ("azure-key", C.AUTH_FAILED, "Keys and Endpoint"),
    ("azure-entra", C.PERMISSION_DENIED, "Cognitive Services OpenAI User"),
    ("azure-entra", C.MODEL_NOT_FOUND, "deployment name"),
    ("claude", C.QUOTA_EXHAUSTED, "console.anthropic.com"),
    ("gemini", C.PERMISSION_DENIED, "Generative Language API"),
    ("vertex", C.PERMISSION_DENIED, "roles/aiplatform.user"),
    ("vertex", C.MODEL_NOT_FOUND, "Model Garden"),
    ("bedrock", C.PERMISSION_DENIED, "bedrock:InvokeModel"),
])
def test_each_kind_says_where_to_fix_it(checks: dict[str, Check], provider: str,
                                        cls: OutcomeClass, says: str) -> None:
    said = advice(checks[provider], cls)
    assert said is not None and says in said


@pytest.mark.parametrize("provider", ["relay", "groq"])
def test_openais_console_is_not_named_for_a_relay_or_another_vendor(
        checks: dict[str, Check], provider: str) -> None:
    for cls in OutcomeClass:
        said = advice(checks[provider], cls)
        assert said is None or "openai.com" not in said


def test_the_class_hints_name_no_vendors_console() -> None:
    for cls in (C.PERMISSION_DENIED, C.QUOTA_EXHAUSTED, C.AUTH_FAILED):
        hint = CLASS_INFO[cls].hint
        assert "openai.com" not in hint and "console" not in hint.lower(), cls


@pytest.mark.parametrize(("provider", "status", "body", "says"), [
    # anthropics/claude-code#1613: the body says only "Request not allowed"
    ("claude", 403, '{"error":{"type":"forbidden","message":"Request not allowed"}}',
     "countries it does not serve"),
    # aws/aws-cli#8717: the body says only "Operation not allowed"
    ("bedrock", None, "An error occurred (ValidationException) when calling the InvokeModel "
     "operation: Operation not allowed", "open a support case"),
])
def test_a_refusal_whose_usual_cause_the_body_omits_names_it_in_the_advice(
        checks: dict[str, Check], provider: str, status: int | None, body: str,
        says: str) -> None:
    kind = KINDS[checks[provider].provider.kind]
    outcome = classify(status, {}, body, dialect=dialect_of(kind))
    assert outcome.cls is C.PERMISSION_DENIED  # what the text states, not the usual cause
    said = kind.advice(checks[provider], outcome.cls, outcome.rule)
    assert said is not None and says in said
