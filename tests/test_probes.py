"""The request each probe sends, per model family, capability and provider flavour."""

from __future__ import annotations

import json

from checker.config import parse_config
from checker.model import Config
from checker.plan import plan, render_plan, total_cost
from checker.providers import build_probe, format_usd
from checker.providers.openai_catalog import ProbeKind, estimate_cost, family_of

KEY = "sk-test-0123456789abcdefghijklmnop"


def config(models: str, extra_check: str = "", extra_provider: str = "",
           kind: str = "openai") -> Config:
    text = f"""
providers:
  p:
    kind: {kind}
    base_url: https://api.example.com/v1
    api_key: ${{KEY}}
{extra_provider}
checks:
  - providers: [p]
    models: [{models}]
{extra_check}
"""
    return parse_config(text.lstrip("\n"), "c.yml", {"KEY": KEY, "ORG": "org-123"})


def probe_of(models: str, **kwargs: str):  # type: ignore[no-untyped-def]
    return build_probe(config(models, **kwargs).checks[0])


def test_image_model_generates_one_low_quality_image() -> None:
    request = probe_of("gpt-image-1")
    assert request.url == "https://api.example.com/v1/images/generations"
    assert request.body == {"model": "gpt-image-1", "prompt": "A plain white square.",
                            "size": "1024x1024", "quality": "low", "n": 1}
    assert request.kind == ProbeKind.IMAGES and not request.stream


def test_dall_e_2_uses_its_smallest_size_and_a_url_answer() -> None:
    body = probe_of("dall-e-2").body
    assert body["size"] == "256x256" and body["response_format"] == "url"


def test_reasoning_model_uses_max_completion_tokens_and_low_effort() -> None:
    request = probe_of("o3")
    assert request.url.endswith("/chat/completions")
    assert request.body["max_completion_tokens"] == 16
    assert request.body["reasoning_effort"] == "low"
    assert "max_tokens" not in request.body


def test_chat_model_asks_for_one_token() -> None:
    body = probe_of("gpt-4o-mini").body
    assert body["max_tokens"] == 1 and body["messages"][0]["role"] == "user"


def test_unknown_model_defaults_to_chat() -> None:
    request = probe_of("my-finetune-v7")
    assert request.kind == ProbeKind.CHAT and request.body["max_tokens"] == 1


def test_stream_capability_sets_stream() -> None:
    request = build_probe(config("o3", "    capabilities: [stream]").checks[0])
    assert request.stream and request.body["stream"] is True
    assert ("Accept", "text/event-stream") in request.headers


def test_reasoning_summary_goes_to_responses_with_minimum_output() -> None:
    request = build_probe(config("gpt-5", "    capabilities: [reasoning_summary]").checks[0])
    assert request.url.endswith("/responses")
    assert request.body == {"model": "gpt-5", "input": "Reply with OK.",
                            "max_output_tokens": 16, "reasoning": {"summary": "auto"},
                            "store": False}


def test_embeddings() -> None:
    request = probe_of("text-embedding-3-small")
    assert request.url.endswith("/embeddings") and request.body == {
        "model": "text-embedding-3-small", "input": "ok"}


def test_responses_only_model_is_probed_on_responses() -> None:
    assert probe_of("o3-pro").kind == ProbeKind.RESPONSES


def test_probe_override_params_and_prompt() -> None:
    check = config("my-model", "    probe: responses\n    params: {temperature: 0}\n"
                               "    prompt: Say hi").checks[0]
    request = build_probe(check)
    assert request.url.endswith("/responses")
    assert request.body["temperature"] == 0 and request.body["input"] == "Say hi"


def test_openai_headers_bearer_org_project() -> None:
    request = probe_of("gpt-5", extra_provider="    organization: ${ORG}\n    project: proj_1")
    wire = request.wire_headers()
    assert wire["Authorization"] == f"Bearer {KEY}"
    assert wire["OpenAI-Organization"] == "org-123"
    assert wire["OpenAI-Project"] == "proj_1"
    shown = request.shown_headers()
    assert shown["Authorization"] == "Bearer ***"
    assert KEY not in repr(request)


def test_azure_deployment_path_api_key_header_and_version() -> None:
    cfg = config("gpt-image-1", kind="azure",
                 extra_provider="    api_version: 2025-04-01-preview\n"
                                "    deployments: {gpt-image-1: image-prod}")
    request = build_probe(cfg.checks[0])
    assert request.url == ("https://api.example.com/v1/openai/deployments/image-prod/"
                           "images/generations?api-version=2025-04-01-preview")
    wire = request.wire_headers()
    assert wire["api-key"] == KEY and "Authorization" not in wire


def test_azure_responses_use_the_deployment_as_model() -> None:
    text = """
providers:
  az:
    kind: azure
    base_url: https://res.openai.azure.com  # display only
    api_key: ${KEY}
    deployments: {o3: o3-eu}
checks:
  - providers: [az]
    models: [o3]
    capabilities: [reasoning_summary]
"""
    cfg = parse_config(text.lstrip("\n"), "c.yml", {"KEY": KEY})
    request = build_probe(cfg.checks[0])
    azure = "https://res.openai.azure.com"  # display only: nothing is sent in this test
    assert request.url.startswith(f"{azure}/openai/responses?api-version=")
    assert request.body["model"] == "o3-eu"


def test_catalog_families() -> None:
    assert family_of("gpt-5-mini").reasoning
    assert not family_of("gpt-5-chat-latest").reasoning
    assert family_of("gpt-image-1-mini").probe is ProbeKind.IMAGES
    assert not family_of("something-new").priced


def test_cost_estimates() -> None:
    image = estimate_cost("gpt-image-1", ProbeKind.IMAGES)
    assert image.usd == 0.011 and image.priced
    chat = estimate_cost("gpt-4o-mini", ProbeKind.CHAT)
    assert 0 < chat.usd < 0.0001
    assert format_usd(0.011) == "$0.011"


def test_plan_renders_requests_without_keys_and_totals_cost() -> None:
    cfg = config("gpt-image-1, o3")
    planned = plan(cfg)
    text = render_plan(planned)
    assert "p / gpt-image-1 [access]" in text and "POST https://api.example.com/v1/images" in text
    assert KEY not in text and "Bearer ***" in text
    assert total_cost(planned) > 0.011
    assert "estimated cost of one run" in text
    json.dumps([p.request.body for p in planned])  # bodies are plain JSON


def test_price_override_from_config() -> None:
    text = """
prices:
  gpt-image-1: {image: 0.5}
providers:
  p: {base_url: "https://api.example.com/v1", api_key: "${KEY}"}
checks:
  - providers: [p]
    models: [gpt-image-1]
"""
    cfg = parse_config(text.lstrip("\n"), "c.yml", {"KEY": KEY})
    assert total_cost(plan(cfg)) == 0.5
