"""Vertex AI: the rules (each backed by a real body), the probes (checked against the
vendors' own SDKs for Vertex), the config, the costs, the simulator's Vertex, and a run
with Application Default Credentials faked at google-auth's documented seam
(``google.auth.default``): no metadata server, no token exchange, no real credential."""

from __future__ import annotations

import asyncio
import json
import random
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import httpx2
import pytest

from checker.classify import classify
from checker.config import parse_config
from checker.model import Config, ConfigError
from checker.outcomes import OutcomeClass
from checker.plan import plan
from checker.providers import KINDS, any_dialect, build_probe, dialect_of
from checker.providers.vertex import ANTHROPIC_VERSION, VertexKind
from checker.providers.vertex_rules import VERTEX_RULES
from checker.reports.json import JSONFormat
from checker.reports.junit import JUnitFormat
from checker.results import Result, RunReport
from checker.runner import RunOptions, run_checks
from checker.secrets import Redactor
from checker.shapes import Expected
from checker.simulator import Simulator
from tests.cloud_bodies import body_from, family
from tests.conftest import run_cli
from tests.vendor_schemas import (
    anthropic_answer_errors,
    anthropic_request_errors,
    gemini_answer_errors,
    gemini_genai_errors,
)

C = OutcomeClass
VERTEX = dialect_of(KINDS["vertex"])

# Each Vertex rule with the real bodies behind it (source, then the class it decides).
RULE_SAMPLES: list[tuple[str, str, OutcomeClass]] = [
    ("vertex-billing-disabled", "pgmichael/wavenet-for-chrome#83", C.QUOTA_EXHAUSTED),
    ("vertex-billing-disabled", "GoogleCloudPlatform/java-docs-samples#276", C.QUOTA_EXHAUSTED),
    ("vertex-publisher-model-not-allowed", "langchain-ai/langchain-google#593",
     C.PERMISSION_DENIED),
    ("vertex-iam-permission-denied", "google-gemini/gemini-cli#5589", C.PERMISSION_DENIED),
    ("vertex-iam-permission-denied", "rpurinton/gemini-php#4", C.PERMISSION_DENIED),
    ("vertex-publisher-model-not-found", "pydantic/pydantic-ai#5002", C.MODEL_NOT_FOUND),
    ("vertex-publisher-model-not-found", "cline/cline#8697", C.MODEL_NOT_FOUND),
    ("vertex-publisher-model-not-found", "langchain-ai/langchain-google#1529",
     C.MODEL_NOT_FOUND),
    ("vertex-invalid-credentials", "spring-projects/spring-ai#635", C.AUTH_FAILED),
    ("vertex-invalid-credentials", "google-gemini/gemini-cli#1463", C.AUTH_FAILED),
    ("vertex-base-model-quota", "langchain-ai/langchain-google#355", C.RATE_LIMITED),
    ("vertex-resource-exhausted", "BerriAI/litellm#29808", C.RATE_LIMITED),
    ("vertex-resource-exhausted", "googleapis/google-cloud-java#11195", C.RATE_LIMITED),
]


@pytest.mark.parametrize(("rule", "source", "expected"), RULE_SAMPLES,
                         ids=[f"{s[0]}:{s[1]}" for s in RULE_SAMPLES])
def test_each_vertex_rule_matches_its_real_body(rule: str, source: str,
                                                expected: OutcomeClass) -> None:
    row = body_from(source)
    outcome = classify(row["status"], {}, str(row["body"]), dialect=VERTEX)
    assert (outcome.rule, outcome.cls) == (rule, expected), outcome.message
    assert expected.value in row["expect"]


def test_every_vertex_rule_has_a_real_body_and_a_unique_name() -> None:
    names = [rule.name for rule in VERTEX_RULES]
    assert sorted(set(names)) == sorted({s[0] for s in RULE_SAMPLES})
    assert len(set(names)) == len(names)
    assert not any(r.name in names for k in ("gemini", "anthropic", "openai")
                   for r in KINDS[k].dialect().rules)


def test_the_api_not_enabled_is_googles_own_rule() -> None:
    row = body_from("GoogleCloudPlatform/vertex-ai-samples#476")
    outcome = classify(row["status"], {}, str(row["body"]), dialect=VERTEX)
    assert (outcome.cls, outcome.rule) == (C.PERMISSION_DENIED, "google-service-disabled")


@pytest.mark.parametrize("row", family("Vertex") + family("Google Cloud"),
                         ids=lambda r: str(r["source"]).split(" ")[0])
def test_every_collected_vertex_body_classifies_with_the_kind(row: dict[str, Any]) -> None:
    for dialect in (VERTEX, any_dialect()):
        outcome = classify(row["status"], {}, str(row["body"]), dialect=dialect)
        assert outcome.cls.value in row["expect"], (outcome.rule, outcome.message)


def test_the_denial_names_the_missing_permission() -> None:
    row = body_from("google-gemini/gemini-cli#5589")
    outcome = classify(403, {}, str(row["body"]), dialect=VERTEX)
    assert "aiplatform.endpoints.predict" in outcome.message


# --- probes ---------------------------------------------------------------------------------

PROVIDER = """
providers:
  v:
    kind: vertex
    project: my-proj
    location: {location}
checks:
  - providers: [v]
    models: [{model}]
    capabilities: [{capability}]
"""


def load(text: str, env: dict[str, str] | None = None) -> Config:
    return parse_config(text.lstrip("\n"), "c.yml", env or {})


def probe_of(model: str, location: str = "us-central1", capability: str = "access") -> Any:
    config = load(PROVIDER.format(location=location, model=model, capability=capability))
    return build_probe(config.checks[0])


def test_claude_probe_is_what_anthropics_vertex_client_sends() -> None:
    from anthropic import AnthropicVertex

    sent: list[httpx2.Request] = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        sent.append(request)
        return httpx2.Response(200, json={
            "id": "msg_1", "type": "message", "role": "assistant", "model": "m", "content": [],
            "stop_reason": "max_tokens", "stop_sequence": None,
            "usage": {"input_tokens": 1, "output_tokens": 1}})

    for location in ("us-east5", "global"):
        client = AnthropicVertex(region=location, project_id="my-proj", access_token="t",
                                 http_client=httpx2.Client(transport=httpx2.MockTransport(answer)))
        client.messages.create(model="claude-sonnet-4-5@20250929", max_tokens=1,
                               messages=[{"role": "user", "content": "Reply with OK."}])
        ours = probe_of("claude-sonnet-4-5@20250929", location)
        theirs = json.loads(sent[-1].content)
        assert ours.url == str(sent[-1].url)
        # The SDK now sends its own version; Anthropic's Vertex guide says the body "must"
        # carry vertex-2023-10-16, which every Claude model on Vertex accepts.
        assert {**theirs, "anthropic_version": ANTHROPIC_VERSION} == dict(ours.body)
        messages = {k: v for k, v in ours.body.items() if k != "anthropic_version"}
        assert anthropic_request_errors({**messages, "model": "claude-sonnet-4-5"}) == []


def test_gemini_probe_is_where_google_genai_sends_it_and_what_it_accepts() -> None:
    from google import genai
    from google.auth import credentials as google_credentials
    from google.genai import types

    class Token(google_credentials.Credentials):  # type: ignore[misc]
        def refresh(self, request: object) -> None:
            self.token = "t"

    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"candidates": [{"content": {"parts": [{"text": "OK"}],
                                                                     "role": "model"}}]})

    for location in ("us-central1", "global", "eu"):
        token = Token()
        token.token = "t"
        client = genai.Client(vertexai=True, project="my-proj", location=location,
                              credentials=token, http_options=types.HttpOptions(
                                  api_version="v1",
                                  httpx_client=httpx.Client(transport=httpx.MockTransport(answer))))
        client.models.generate_content(model="gemini-2.5-flash", contents="Reply with OK.")
        ours = probe_of("gemini-2.5-flash", location)
        assert ours.url == str(sent[-1].url)
        assert gemini_genai_errors(ours.body) == []


def test_stream_probes_use_the_streaming_methods() -> None:
    claude = probe_of("claude-sonnet-4-5@20250929", capability="stream")
    assert claude.url.endswith(":streamRawPredict") and claude.body["stream"] is True
    gemini = probe_of("gemini-2.5-flash", capability="stream")
    assert gemini.url.endswith(":streamGenerateContent?alt=sse") and gemini.stream


def test_a_base_url_replaces_the_regional_host() -> None:
    config = load(PROVIDER.format(location="us-central1", model="gemini-2.5-flash",
                                  capability="access").replace(
        "kind: vertex", "kind: vertex\n    base_url: https://psc.example.internal/v1"))
    assert build_probe(config.checks[0]).url == (
        "https://psc.example.internal/v1/projects/my-proj/locations/us-central1/publishers/"
        "google/models/gemini-2.5-flash:generateContent")


@pytest.mark.parametrize(("text", "message"), [
    ("    project: my-proj\n", "Vertex AI needs a location"),
    ("    location: us-central1\n", "Vertex AI needs the Google Cloud project"),
    ("    project: my-proj\n    location: us.evil.com/x\n", "is not a Google Cloud region"),
    ("    project: my-proj\n    location: global\n    api_key: ${K}\n",
     "Vertex AI takes OAuth 2 access tokens, not API keys"),
    ("    project: my-proj\n    location: global\n    access_token: ya29.A0ARrdaM-literal-"
     "token-value-123456\n", "access_token in provider 'v' is a literal secret"),
])
def test_config_mistakes_are_located_errors(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load("providers:\n  v:\n    kind: vertex\n" + text
             + "checks:\n  - {providers: [v], models: [gemini-2.5-flash]}\n", {"K": "k" * 30})
    assert message in str(caught.value)
    assert "ya29" not in str(caught.value)


def test_an_unset_access_token_is_the_checks_config_error_never_a_fallback_to_adc() -> None:
    config = load(PROVIDER.format(location="global", model="gemini-2.5-flash",
                                  capability="access").replace(
        "location: global", "location: global\n    access_token: ${VERTEX_TOKEN}"))
    [result] = run(config)
    assert result.cls is C.CONFIG_ERROR and "VERTEX_TOKEN" in result.message


def test_plan_prices_claude_regionally_and_says_what_it_proves() -> None:
    [regional] = plan(load(PROVIDER.format(location="us-east5", capability="access",
                                           model="claude-sonnet-4-5@20250929")))
    [global_] = plan(load(PROVIDER.format(location="global", capability="access",
                                          model="claude-sonnet-4-5@20250929")))
    assert regional.cost.usd == pytest.approx(global_.cost.usd * 1.10)
    assert global_.cost.usd == pytest.approx(16 * 3 / 1e6 + 15 / 1e6)  # Anthropic's list price
    assert "aiplatform.endpoints.predict" in regional.proves
    [older] = plan(load(PROVIDER.format(location="us-east5", capability="access",
                                        model="claude-sonnet-4@20250514")))
    assert older.cost.usd == pytest.approx(global_.cost.usd)  # no uplift before Sonnet 4.5


# --- the simulator's Vertex ----------------------------------------------------------------


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator(retry_after_ms=50) as simulator:
        yield simulator


def call(sim: Simulator, token: str | None, model: str, method: str,
         body: dict[str, Any] | None = None, publisher: str | None = None,
         headers: dict[str, str] | None = None) -> httpx2.Response:
    publisher = publisher or ("anthropic" if model.startswith("claude") else "google")
    default = ({"anthropic_version": ANTHROPIC_VERSION, "max_tokens": 1,
                "messages": [{"role": "user", "content": "Reply with OK."}]}
               if publisher == "anthropic" else
               {"contents": [{"role": "user", "parts": [{"text": "Reply with OK."}]}]})
    auth = {"authorization": f"Bearer {token}"} if token else {}
    return httpx2.post(f"{sim.origin}/v1/projects/p/locations/us-east5/publishers/{publisher}/"
                       f"models/{model}:{method}", json=body or default,
                       headers={**auth, **(headers or {})})


def test_the_simulator_answers_what_the_sdks_accept(sim: Simulator) -> None:
    token = sim.new_key("verified")
    gemini = call(sim, token, "gemini-2.5-flash", "generateContent")
    assert gemini.status_code == 200 and gemini_answer_errors(gemini.json()) == []
    claude = call(sim, token, "claude-sonnet-4-5@20250929", "rawPredict")
    assert claude.status_code == 200 and anthropic_answer_errors(claude.json()) == []
    stream = call(sim, token, "claude-sonnet-4-5@20250929", "streamRawPredict",
                  {"anthropic_version": ANTHROPIC_VERSION, "max_tokens": 1, "stream": True,
                   "messages": [{"role": "user", "content": "Reply with OK."}]})
    assert stream.text.startswith("event: message_start")


# scenario → the class of Vertex's answer
SCENARIOS = [("verified", C.OK), ("revoked", C.AUTH_FAILED), ("no-credit", C.QUOTA_EXHAUSTED),
             ("deactivated", C.PERMISSION_DENIED), ("identity-denied", C.PERMISSION_DENIED),
             ("rate-limited-long", C.RATE_LIMITED), ("region", C.OK), ("unverified", C.OK)]


@pytest.mark.parametrize(("scenario", "expected"), SCENARIOS)
def test_each_scenario_in_vertexs_words(sim: Simulator, scenario: str,
                                        expected: OutcomeClass) -> None:
    for model, method, kind in (("gemini-2.5-flash", "generateContent", "generate"),
                                ("claude-haiku-4-5@20251001", "rawPredict", "messages")):
        response = call(sim, sim.new_key(scenario), model, method)
        outcome = classify(response.status_code, dict(response.headers), response.content,
                           Expected(kind, False), VERTEX)
        assert outcome.cls is expected, (model, outcome)


def test_the_simulator_acts_out_vertexs_gates(sim: Simulator) -> None:
    token = sim.new_key("verified")
    wrong = call(sim, token, "claude-sonnet-4-5@20250929", "generateContent",
                 publisher="google")
    assert wrong.status_code == 404 and "` not found." in wrong.text
    unknown = call(sim, token, "claude-nonexistent-9@20990101", "rawPredict")
    assert unknown.status_code == 404 and isinstance(unknown.json(), list)  # rawPredict: array
    assert "does not have access to it" in unknown.text
    keyed = call(sim, None, "gemini-2.5-flash", "generateContent",
                 headers={"x-goog-api-key": "AIza" + "x" * 35})
    assert keyed.status_code == 401 and "API keys are not supported" in keyed.text
    assert call(sim, None, "gemini-2.5-flash", "generateContent").status_code == 401


# --- a run with Application Default Credentials -------------------------------------------


class FakeCredentials:
    """google-auth's Credentials as checker uses them: refresh(), token, valid and the
    principal's email (a service account impersonated through workload identity)."""

    def __init__(self, token: str, email: str = "ci-checker@my-proj.iam.gserviceaccount.com",
                 delay: float = 0.0) -> None:
        self.future_token = token
        self.token: str | None = None
        self.service_account_email = email
        self.refreshes = 0
        self.delay = delay

    @property
    def valid(self) -> bool:
        return self.token is not None

    def refresh(self, request: object) -> None:
        time.sleep(self.delay)
        self.refreshes += 1
        self.token = self.future_token


ADC = """
providers:
  vertex:
    kind: vertex
    project: my-proj
    location: us-east5
    base_url: {origin}
    timeout: {timeout}
checks:
  - providers: [vertex]
    models: [gemini-2.5-flash, claude-sonnet-4-5@20250929]
    capabilities: [access, stream]
"""


def run(config: Config) -> list[Result]:
    redactor = Redactor(config.secret_values())
    results, _ = asyncio.run(run_checks(config.checks, RunOptions(rng=random.Random(0)),
                                        redactor))
    return results


def adc(monkeypatch: pytest.MonkeyPatch, make: Any) -> list[list[str]]:
    import google.auth

    scopes: list[list[str]] = []

    def default(scopes_: list[str] | None = None, **_: object) -> tuple[Any, str]:
        scopes.append(list(scopes_ or []))
        return make(), "my-proj"

    monkeypatch.setattr(google.auth, "default",
                        lambda scopes=None, **kw: default(scopes, **kw))
    return scopes


def test_adc_run_passes_names_the_principal_and_never_shows_the_token(
        sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    token = sim.new_key("verified")
    made: list[FakeCredentials] = []
    scopes = adc(monkeypatch, lambda: made.append(FakeCredentials(token)) or made[-1])
    results = run(load(ADC.format(origin=sim.origin, timeout=5)))
    assert [r.cls for r in results] == [C.OK] * 4
    assert {r.identity for r in results} == {"ci-checker@my-proj.iam.gserviceaccount.com"}
    assert scopes == [["https://www.googleapis.com/auth/cloud-platform"]]
    assert len(made) == 1 and made[0].refreshes == 1  # once per provider and run
    report = RunReport("c.yml", tuple(results), datetime.now(UTC), 0.1, "0")
    for fmt in (JSONFormat(), JUnitFormat()):
        text = fmt.render(report)
        assert "ci-checker@my-proj.iam.gserviceaccount.com" in text and token not in text


def test_a_denied_identity_fails_with_the_permission_and_who_lacks_it(
        sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    adc(monkeypatch, lambda: FakeCredentials(sim.new_key("identity-denied")))
    results = run(load(ADC.format(origin=sim.origin, timeout=5)))
    assert {r.cls for r in results} == {C.PERMISSION_DENIED}
    assert all("aiplatform.endpoints.predict" in r.message for r in results)
    assert results[0].identity == "ci-checker@my-proj.iam.gserviceaccount.com"


def test_missing_adc_is_every_checks_config_error_found_once(
        sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    from google.auth.exceptions import DefaultCredentialsError

    calls: list[int] = []

    def missing() -> Any:
        calls.append(1)
        raise DefaultCredentialsError("Your default credentials were not found.")

    adc(monkeypatch, missing)
    results = run(load(ADC.format(origin=sim.origin, timeout=5)))
    assert {r.cls for r in results} == {C.CONFIG_ERROR} and len(calls) == 1
    assert "Your default credentials were not found" in results[0].message
    assert "google-github-actions/auth" in results[0].message
    assert "Traceback" not in results[0].message


def test_a_token_service_that_never_answers_is_bounded(
        sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    adc(monkeypatch, lambda: FakeCredentials("never", delay=30))
    started = time.monotonic()
    results = run(load(ADC.format(origin=sim.origin, timeout=0.3)))
    assert time.monotonic() - started < 10
    assert {r.cls for r in results} == {C.CONFIG_ERROR}
    assert "no answer within 0.3s" in results[0].message
    assert all(t.daemon for t in threading.enumerate() if t.name.startswith("checker-"))


def test_without_the_vertex_extra_the_install_command_is_named(
        sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    # requests (google-auth's token transport) missing: found when the token is fetched.
    monkeypatch.setitem(sys.modules, "google.auth.transport.requests", None)
    results = run(load(ADC.format(origin=sim.origin, timeout=5)))
    assert {r.cls for r in results} == {C.CONFIG_ERROR}
    assert "pip install 'model-access-checker[vertex]'" in results[0].message
    # google-auth missing: found when the config is loaded.
    monkeypatch.setitem(sys.modules, "google.auth", None)
    with pytest.raises(ConfigError, match=r"model-access-checker\[vertex\]"):
        load(ADC.format(origin=sim.origin, timeout=5))


def test_an_access_token_run_says_which_variable_held_it(sim: Simulator) -> None:
    token = sim.new_key("verified")
    config = load(ADC.format(origin=sim.origin, timeout=5).replace(
        "timeout: 5", "timeout: 5\n    access_token: ${VERTEX_TOKEN}"), {"VERTEX_TOKEN": token})
    results = run(config)
    assert [r.cls for r in results] == [C.OK] * 4
    assert "VERTEX_TOKEN" in str(results[0].identity) and token not in str(results[0].identity)


def test_vertex_is_registered() -> None:
    assert isinstance(KINDS["vertex"], VertexKind)


def test_a_checks_own_api_key_is_refused_where_the_provider_takes_tokens(write_config) -> None:  # type: ignore[no-untyped-def]
    config = write_config("""
        providers:
          vertex: {kind: vertex, project: my-project, location: us-east5}
          azure: {kind: azure, base_url: "https://r.openai.azure.com", auth: entra}  # display only
        checks:
          - providers: [vertex, azure]
            models: [gemini-2.5-flash]
            api_key: ${CHECK_KEY}
        """)
    result = run_cli("validate", "-c", str(config), env={"CHECK_KEY": "not-a-token-value"})
    assert result.code == 2
    lines = result.stderr.splitlines()
    assert any(f"{config}:7:14: 'api_key' in checks[0] does not apply to provider 'vertex'"
               in line for line in lines), result.stderr
    assert any("does not apply to provider 'azure': auth: entra sends an Entra ID token" in line
               for line in lines), result.stderr
    assert "not-a-token-value" not in result.stderr
