"""Anthropic's and Gemini's probes: every body checked against the vendor's own published
request description (tests/vendor_schemas.py), where the key travels, what each probe
costs, and what `plan` says it proves."""

from __future__ import annotations

import json

import pytest

from checker.config import parse_config
from checker.model import Check, Config, ConfigError
from checker.plan import plan, plan_record, render_plan
from checker.providers import KINDS, build_probe
from tests.vendor_schemas import (
    anthropic_request_errors,
    gemini_genai_errors,
    gemini_proto_errors,
)

ANTHROPIC_KEY = "sk-ant-api03-" + "a" * 93 + "AA"
GEMINI_KEY = "AIza" + "b" * 35

ANTHROPIC_MODELS = ["claude-sonnet-4-5", "claude-opus-4-1", "claude-haiku-4-5",
                    "claude-opus-5-5", "claude-something-new"]
GEMINI_MODELS = ["gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-flash-lite",
                 "gemini-2.5-flash-image", "gemini-3-pro-image-preview", "gemini-3.1-pro-preview",
                 "gemini-3.5-flash", "gemini-3.5-flash-lite", "gemini-3.8-flash",
                 "gemini-2.0-flash", "gemini-next-unknown"]


def config(kind: str, models: list[str], capabilities: str = "[access, stream]",
           provider: str = "", check: str = "") -> Config:
    text = f"""
providers:
  p:
    kind: {kind}
    api_key: ${{KEY}}
{provider}
checks:
  - providers: [p]
    models: [{", ".join(models)}]
    capabilities: {capabilities}
{check}
"""
    key = ANTHROPIC_KEY if kind == "anthropic" else GEMINI_KEY
    return parse_config(text.lstrip("\n"), "c.yml", {"KEY": key})


def checks(kind: str, models: list[str], **kwargs: str) -> tuple[Check, ...]:
    return config(kind, models, **kwargs).checks


# --- Anthropic ------------------------------------------------------------------------------


@pytest.mark.parametrize("check", checks("anthropic", ANTHROPIC_MODELS), ids=lambda c: c.id)
def test_anthropic_probe_bodies_follow_the_sdk_description(check: Check) -> None:
    request = build_probe(check)
    assert anthropic_request_errors(request.body) == []
    assert request.body["max_tokens"] == 1
    assert request.stream == (check.capability == "stream") == bool(request.body.get("stream"))


def test_the_anthropic_validator_refuses_what_the_api_refuses() -> None:
    body = dict(build_probe(checks("anthropic", ["claude-sonnet-4-5"])[0]).body)
    del body["max_tokens"]
    assert anthropic_request_errors(body)  # the API answers 400 "max_tokens: Field required"
    assert anthropic_request_errors({**body, "max_tokens": "1"})
    assert anthropic_request_errors({**body, "max_tokens": 1, "maxTokens": 1})


def test_anthropic_key_travels_as_x_api_key_with_a_version() -> None:
    request = build_probe(checks("anthropic", ["claude-sonnet-4-5"])[0])
    assert request.url == "https://api.anthropic.com/v1/messages"
    wire = request.wire_headers()
    assert wire["x-api-key"] == ANTHROPIC_KEY and wire["anthropic-version"] == "2023-06-01"
    assert "Authorization" not in wire
    assert request.shown_headers()["x-api-key"] == "***"
    assert ANTHROPIC_KEY not in repr(request) + request.url


@pytest.mark.parametrize(("base_url", "url"), [
    ("https://gateway.example.com/anthropic", "https://gateway.example.com/anthropic/v1/messages"),
    ("https://api.anthropic.com/v1", "https://api.anthropic.com/v1/messages"),
    ("https://api.anthropic.com/", "https://api.anthropic.com/v1/messages"),
])
def test_anthropic_base_url(base_url: str, url: str) -> None:
    check = checks("anthropic", ["claude-sonnet-4-5"], provider=f"    base_url: {base_url}")[0]
    assert build_probe(check).url == url


def test_provider_headers_replace_the_kinds_own_never_duplicate_them() -> None:
    # Sent twice, a header's values are joined: "2023-06-01, 2023-06-01" is refused
    # (decolua/9router#2357).
    check = checks("anthropic", ["claude-sonnet-4-5"], provider=(
        "    headers: {anthropic-version: 2026-10-21, anthropic-beta: x}"))[0]
    names = [name.lower() for name, _ in build_probe(check).headers]
    assert names.count("anthropic-version") == 1
    assert build_probe(check).wire_headers()["anthropic-version"] == "2026-10-21"


def test_anthropic_costs_one_output_token_at_list_price() -> None:
    cfg = config("anthropic", ["claude-sonnet-4-5", "claude-opus-4-1", "claude-new"],
                 capabilities="[access]")
    costs = {p.check.model: p.cost for p in plan(cfg)}
    assert costs["claude-sonnet-4-5"].usd == pytest.approx((16 * 3 + 1 * 15) / 1e6)
    assert costs["claude-opus-4-1"].usd == pytest.approx((16 * 15 + 1 * 75) / 1e6)
    assert costs["claude-sonnet-4-5"].priced and not costs["claude-new"].priced


# --- Gemini ---------------------------------------------------------------------------------


@pytest.mark.parametrize("check", checks("gemini", GEMINI_MODELS), ids=lambda c: c.id)
def test_gemini_probe_bodies_follow_the_published_descriptions(check: Check) -> None:
    body = build_probe(check).body
    assert gemini_genai_errors(body) == []
    thinking = body["generationConfig"].get("thinkingConfig", {})
    if "thinkingLevel" not in thinking:  # the newest proto release predates Gemini 3
        assert gemini_proto_errors(body, check.model) == []


def test_the_gemini_validators_refuse_what_the_api_refuses() -> None:
    body = build_probe(checks("gemini", ["gemini-2.5-flash"])[0]).body
    bad = {**body, "contents": [{"parts": [{"txt": "x"}]}]}
    assert gemini_genai_errors(bad) and gemini_proto_errors(bad, "gemini-2.5-flash")
    snake = {**body, "generation_config": body["generationConfig"]}
    assert gemini_genai_errors(snake)


@pytest.mark.parametrize(("model", "config_"), [
    ("gemini-2.5-flash", {"maxOutputTokens": 1, "thinkingConfig": {"thinkingBudget": 0}}),
    ("gemini-2.5-flash-lite", {"maxOutputTokens": 1, "thinkingConfig": {"thinkingBudget": 0}}),
    # 2.5 Pro cannot stop thinking: 128 is its smallest budget (0 is refused with 400).
    ("gemini-2.5-pro", {"maxOutputTokens": 128, "thinkingConfig": {"thinkingBudget": 128}}),
    ("gemini-3.1-pro-preview", {"maxOutputTokens": 16, "thinkingConfig": {"thinkingLevel": "low"}}),
    ("gemini-3.5-flash", {"maxOutputTokens": 16, "thinkingConfig": {"thinkingLevel": "minimal"}}),
    ("gemini-2.5-flash-image", {"responseModalities": ["IMAGE"]}),
])
def test_gemini_smallest_budget_per_model(model: str, config_: dict[str, object]) -> None:
    assert build_probe(checks("gemini", [model])[0]).body["generationConfig"] == config_


def test_gemini_key_is_a_header_never_in_the_url() -> None:
    access, stream = checks("gemini", ["models/gemini-2.5-flash"])
    request = build_probe(access)
    assert request.url == ("https://generativelanguage.googleapis.com/v1beta/models/"
                           "gemini-2.5-flash:generateContent")
    assert build_probe(stream).url.endswith(":streamGenerateContent?alt=sse")
    for probe in (request, build_probe(stream)):
        assert "key=" not in probe.url and GEMINI_KEY not in probe.url
        assert probe.wire_headers()["x-goog-api-key"] == GEMINI_KEY
        assert "Authorization" not in probe.wire_headers()


def test_gemini_costs() -> None:
    cfg = config("gemini", ["gemini-2.5-flash", "gemini-2.5-pro", "gemini-2.5-flash-image"],
                 capabilities="[access]")
    costs = {p.check.model: p.cost.usd for p in plan(cfg)}
    assert costs["gemini-2.5-flash"] == pytest.approx((8 * 0.30 + 1 * 2.50) / 1e6)
    assert costs["gemini-2.5-pro"] == pytest.approx((8 * 1.25 + 128 * 10.0) / 1e6)
    assert costs["gemini-2.5-flash-image"] == pytest.approx(0.039 + 8 * 0.30 / 1e6)


@pytest.mark.parametrize("kind", ["anthropic", "gemini"])
def test_reasoning_summary_is_openais_and_refused_at_load(kind: str) -> None:
    with pytest.raises(ConfigError, match="reasoning_summary"):
        config(kind, ["m"], capabilities="[reasoning_summary]")


# --- plan: what each probe costs and proves, for every kind -------------------------------


def test_plan_says_what_every_probe_proves() -> None:
    text = """
providers:
  oa: {base_url: "https://api.openai.com/v1", api_key: "${K}"}
  az: {kind: azure, base_url: "https://r.openai.azure.com", api_key: "${K}"}
  claude: {kind: anthropic, api_key: "${K}"}
  gem: {kind: gemini, api_key: "${K}"}
  groq: {preset: groq, api_key: "${K}"}
checks:
  - providers: [oa, az, claude, gem, groq]
    models: [gpt-4o-mini]
    capabilities: [access, stream]
"""
    cfg = parse_config(text.lstrip("\n"), "c.yml", {"K": "sk-test-0123456789abcdef"})
    planned = plan(cfg)
    rendered = render_plan(planned)
    assert rendered.count("    proves: ") == len(planned) == 10
    assert "the account has credit" in rendered and "served where this runs" in rendered
    record = plan_record(cfg, planned, None, None, 60.0)
    probes = record["probes"]
    assert isinstance(probes, list)
    assert all(probe["proves"] for probe in probes)
    assert "2026-" in str(record["prices_as_of"])
    json.dumps(record)


def test_every_kind_dates_its_prices() -> None:
    for kind in KINDS.values():
        assert kind.prices_as_of.startswith("20")


def test_params_merged_into_a_gemini_probe_are_priced_as_sent() -> None:
    cfg = config("gemini", ["gemini-2.5-flash"], capabilities="[access]",
                 check="    params: {generationConfig: {maxOutputTokens: 1000}}")
    assert plan(cfg)[0].cost.usd == pytest.approx((8 * 0.30 + 1000 * 2.50) / 1e6)
