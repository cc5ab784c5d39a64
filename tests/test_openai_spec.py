"""The probes and the simulator against the OpenAI API description (openai/openai-openapi,
the copy in tests/specs): every request body `checker plan --json` produces validates
against the request schema of its endpoint, and every body the simulator sends against the
response schema; the simulator refuses what the real API refuses."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from checker.model import CAPABILITIES
from checker.providers import KINDS
from checker.providers.openai_catalog import FAMILIES, family_of
from checker.simulator import Simulator
from tests.conftest import run_cli
from tests.openai_spec import description, errors

# One model per catalog family (a test below keeps this list complete).
REPRESENTATIVES = [
    "gpt-image-1-mini", "gpt-image-1", "dall-e-3", "dall-e-2", "text-embedding-3-small",
    "text-embedding-3-large", "text-embedding-ada-002", "o3-pro", "gpt-5-chat-latest",
    "gpt-5-nano", "gpt-5-mini", "gpt-5", "o4-mini", "o3-mini", "o3", "o1-mini", "o1",
    "gpt-4.1-nano", "gpt-4.1-mini", "gpt-4.1", "gpt-4o-mini", "gpt-4o", "gpt-4-turbo",
    "gpt-3.5-turbo", "my-finetune-v7",
]
REQUEST_SCHEMAS = {"chat": "CreateChatCompletionRequest", "responses": "CreateResponse",
                   "images": "CreateImageRequest", "embeddings": "CreateEmbeddingRequest"}
RESPONSE_SCHEMAS = {"chat": "CreateChatCompletionResponse", "responses": "Response",
                    "images": "ImagesResponse", "embeddings": "CreateEmbeddingResponse"}
STREAM_SCHEMAS = {"chat": "CreateChatCompletionStreamResponse", "responses": "ResponseStreamEvent"}
BASE = "https://api.example.com/v1"  # display only: `plan` sends nothing


def test_every_catalog_family_has_a_representative() -> None:
    assert sorted(FAMILIES.index(family_of(m)) for m in REPRESENTATIVES) == list(
        range(len(FAMILIES)))


def applicable(model: str) -> list[str]:
    kind = KINDS["openai"]
    return [c for c in CAPABILITIES if kind.capability_refusal(model, c, None) is None]


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    blocks = "".join(f"  - provider: p\n    model: {model}\n    capabilities: "
                     f"[{', '.join(applicable(model))}]\n" for model in REPRESENTATIVES)
    config = tmp_path_factory.mktemp("plan") / "checks.yml"
    config.write_text(f"providers:\n  p: {{base_url: '{BASE}', api_key: '${{K}}'}}\n"
                      f"checks:\n{blocks}", encoding="utf-8")
    result = run_cli("plan", "-c", str(config), "--json", env={"K": "sk-test-plan"})
    assert result.code == 0, result.stderr
    probes: list[dict[str, Any]] = json.loads(result.stdout)["probes"]
    return probes


def test_every_probe_body_is_a_valid_request(planned: list[dict[str, Any]]) -> None:
    assert len(planned) >= 40
    problems = {p["id"]: errors(REQUEST_SCHEMAS[p["kind"]], p["body"]) for p in planned}
    assert {name: found for name, found in problems.items() if found} == {}


def test_probe_bodies_follow_the_rules_the_descriptions_state(
        planned: list[dict[str, Any]]) -> None:
    # Stated in the API description, beyond what its schemas enforce:
    assert "not compatible with" in description("CreateChatCompletionRequest", "max_tokens") \
        or "deprecated" in description("CreateChatCompletionRequest", "max_tokens")
    for probe in planned:
        body, family = probe["body"], family_of(probe["model"])
        if probe["kind"] == "chat":
            # reasoning models take max_completion_tokens, never max_tokens
            assert ("max_tokens" in body) is (not family.reasoning), probe["id"]
            assert ("reasoning_effort" not in body) or family.reasoning, probe["id"]
        if probe["kind"] == "responses":
            assert body["max_output_tokens"] >= 16 and body["store"] is False
            assert ("reasoning" not in body) or family.reasoning or not family.priced
        if probe["kind"] == "images" and probe["model"].startswith("gpt-image"):
            assert "response_format" not in body  # GPT image models refuse it
            assert body["n"] == 1 and body["quality"] == "low"


def post(url: str, body: dict[str, Any], key: str,
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, json.dumps(body).encode(), method="POST", headers={
        "Authorization": f"Bearer {key}", "Content-Type": "application/json",
        **(headers or {})})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_every_success_the_simulator_sends_is_valid(planned: list[dict[str, Any]],
                                                    simulator: Simulator) -> None:
    key = simulator.new_key("verified")
    checked = set()
    for probe in planned:
        if not family_of(probe["model"]).priced:
            continue  # a model the catalog does not know: the simulator does not serve it
        path = probe["url"].removeprefix(BASE)
        status, _, raw = post(simulator.url + path, probe["body"], key)
        assert status == 200, (probe["id"], raw[:300])
        if probe["body"].get("stream"):
            events = [line[5:].strip() for line in raw.decode().splitlines()
                      if line.startswith("data:")]
            assert events[-1] == "[DONE]" if probe["kind"] == "chat" else events[-1] != "[DONE]"
            for event in events:
                if event != "[DONE]":
                    found = errors(STREAM_SCHEMAS[probe["kind"]], json.loads(event))
                    assert found == [], (probe["id"], found)
        else:
            found = errors(RESPONSE_SCHEMAS[probe["kind"]], json.loads(raw))
            assert found == [], (probe["id"], found)
        checked.add((probe["kind"], bool(probe["body"].get("stream"))))
    assert checked == {("chat", False), ("chat", True), ("responses", False),
                       ("responses", True), ("images", False), ("embeddings", False)}


SCENARIOS = ["unverified", "revoked", "no-credit", "billing-limit", "project-restricted",
             "rate-limited", "rate-limited-long", "flaky", "deactivated", "region",
             "moderated"]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_refusal_the_simulator_sends_is_a_valid_error(scenario: str,
                                                            simulator: Simulator) -> None:
    key = simulator.new_key(scenario)
    model = "gpt-image-1" if scenario in ("moderated", "unverified") else "gpt-5"
    kind = "images" if model.startswith("gpt-image") else "chat"
    body = ({"model": model, "prompt": "A plain white square.", "n": 1, "quality": "low",
             "size": "1024x1024"} if kind == "images" else
            {"model": model, "messages": [{"role": "user", "content": "Reply with OK."}],
             "max_completion_tokens": 16})
    path = "/images/generations" if kind == "images" else "/chat/completions"
    status, headers, raw = post(simulator.url + path, body, key)
    assert status >= 400, scenario
    assert errors("ErrorResponse", json.loads(raw)) == []
    if status == 429 and scenario == "rate-limited":
        # As the API description documents it: whole seconds, at least 1.
        assert re.fullmatch(r"[1-9]\d*", headers["retry-after"])


REFUSED = [
    ("/responses", {"model": "gpt-5", "input": "x", "max_output_tokens": 8},
     400, "integer_below_min_value", "max_output_tokens"),
    ("/chat/completions", {"model": "o3", "messages": [{"role": "user", "content": "x"}],
                           "max_tokens": 1}, 400, "unsupported_parameter", "max_tokens"),
    ("/images/generations", {"model": "gpt-image-1", "prompt": "x", "response_format": "url"},
     400, "unknown_parameter", "response_format"),
]


@pytest.mark.parametrize(("path", "body", "status", "code", "param"), REFUSED,
                         ids=[r[4] for r in REFUSED])
def test_the_simulator_refuses_what_the_real_api_refuses(simulator: Simulator, path: str,
                                                         body: dict[str, Any], status: int,
                                                         code: str, param: str) -> None:
    got, _, raw = post(simulator.url + path, body, simulator.new_key("verified"))
    error = json.loads(raw)["error"]
    assert (got, error["code"], error["param"]) == (status, code, param)
    assert errors("ErrorResponse", json.loads(raw)) == []


def test_an_unknown_organization_gets_the_real_mismatch_error(simulator: Simulator) -> None:
    key = simulator.new_key("verified")
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "x"}],
            "max_tokens": 1}
    good, _, _ = post(simulator.url + "/chat/completions", body, key,
                      {"OpenAI-Organization": "org-sim-main"})
    bad, _, raw = post(simulator.url + "/chat/completions", body, key,
                       {"OpenAI-Organization": "org-somebody-else"})
    assert (good, bad) == (200, 401)
    assert json.loads(raw)["error"]["code"] == "mismatched_organization"


def test_a_probe_that_drifts_from_the_api_is_probe_rejected(simulator: Simulator,  # type: ignore[no-untyped-def]
                                                            write_config, tmp_path: Path) -> None:
    config = write_config(f"""\
        providers:
          p: {{base_url: "{simulator.url}", api_key: "${{K}}", organization: org-elsewhere}}
          q: {{base_url: "{simulator.url}", api_key: "${{K}}"}}
        checks:
          - provider: q
            model: o3
            params: {{max_tokens: 5}}
          - provider: p
            model: gpt-4o-mini
        """)
    report = tmp_path / "r.json"
    result = run_cli("run", "-c", str(config), "--json", str(report),
                     env={"K": simulator.new_key("verified")})
    classes = [r["class"] for r in json.loads(report.read_text())["results"]]
    assert classes == ["probe_rejected", "auth_failed"]
    assert result.code == 1
