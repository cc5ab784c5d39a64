"""Azure OpenAI with Entra ID: ``auth: entra`` (azure-identity's DefaultAzureCredential,
faked at its documented seam: an object with ``get_token(scope)``; nothing reaches
login.microsoftonline.com) or ``access_token: ${VAR}``; the real bodies Azure answers for a
token of the wrong audience, an expired one and a principal without a role; the identity
read from the token's claims; the simulator's Entra-authenticated Azure."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar, NamedTuple

import httpx2
import pytest

from checker.classify import classify
from checker.config import parse_config
from checker.model import Config, ConfigError
from checker.outcomes import OutcomeClass
from checker.providers import KINDS, build_probe, dialect_of
from checker.providers.entra import SCOPE, claims, describe, unsigned_token
from checker.reports.json import JSONFormat
from checker.reports.junit import JUnitFormat
from checker.results import Result, RunReport
from checker.runner import RunOptions, run_checks
from checker.secrets import Redactor
from checker.simulator import Simulator
from tests.cloud_bodies import body_from

C = OutcomeClass
AZURE = dialect_of(KINDS["azure"])

# What Azure answers, from public reports: (source, text in the body, class).
BODIES = [
    # Wrong audience, expired or malformed token: one 401 for all.
    ("MuiseDestiny/zotero-gpt#412", "", C.AUTH_FAILED),
    ("Azure-Samples/azure-search-openai-demo#994", "", C.AUTH_FAILED),
    ("microsoft/genaiscript#960", "", C.AUTH_FAILED),
    # A token of another tenant.
    ("Azure-Samples/ai-rag-chat-evaluator#94", "", C.AUTH_FAILED),
    # The principal lacks the data-plane role (Cognitive Services OpenAI User): 401 too.
    ("azurefeeds.com", "chat/completions/action", C.PERMISSION_DENIED),
    ("microsoft/semantic-kernel#10020", "", C.PERMISSION_DENIED),
    ("microsoft/ai-agent-evals#43", "", C.PERMISSION_DENIED),
]


@pytest.mark.parametrize(("source", "contains", "expected"), BODIES,
                         ids=[b[0] for b in BODIES])
def test_entra_refusals_are_classified_from_their_real_bodies(
        source: str, contains: str, expected: OutcomeClass) -> None:
    row = body_from(source, contains)
    outcome = classify(row["status"], {}, str(row["body"]), dialect=AZURE)
    assert outcome.cls is expected and expected.value in row["expect"], outcome


# --- config -----------------------------------------------------------------------------

ENTRA = """
providers:
  az:
    kind: azure
    base_url: {url}
{extra}
checks:
  - providers: [az]
    models: [gpt-4o-mini]
"""


def load(extra: str, env: dict[str, str] | None = None, url: str = "https://r.openai.azure.com"
         ) -> Config:
    return parse_config(ENTRA.format(url=url, extra=extra).lstrip("\n"), "c.yml", env or {})


def test_auth_entra_needs_no_key_and_sends_none_until_authorized() -> None:
    config = load("    auth: entra")
    request = build_probe(config.checks[0])
    assert not any(name.lower() in ("api-key", "authorization") for name, _ in request.headers)
    assert KINDS["azure"].ambient_credentials(config.providers["az"].options)


def test_an_access_token_travels_as_a_bearer_never_as_api_key() -> None:
    token = unsigned_token({"aud": "https://cognitiveservices.azure.com", "oid": "o"})
    config = load("    access_token: ${AZURE_OPENAI_AD_TOKEN}", {"AZURE_OPENAI_AD_TOKEN": token})
    headers = dict(build_probe(config.checks[0]).wire_headers())
    assert headers["Authorization"] == f"Bearer {token}" and "api-key" not in headers
    assert token not in str(build_probe(config.checks[0]).shown_headers())


@pytest.mark.parametrize(("extra", "message"), [
    ("    auth: entra\n    api_key: ${K}", "'api_key' does not apply to provider 'az'"),
    ("    auth: entra\n    access_token: ${K}", "auth: entra fetches its own token"),
    ("    api_key: ${K}\n    access_token: ${K}", "has both 'api_key' and 'access_token'"),
    ("    auth: oauth", "auth"),
])
def test_entra_config_mistakes_are_located_errors(extra: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load(extra, {"K": "k" * 40})
    assert message in str(caught.value) and "k" * 40 not in str(caught.value)


def test_the_identity_is_read_from_the_claims_with_what_is_wrong_with_the_token() -> None:
    good = {"aud": "https://cognitiveservices.azure.com", "oid": "11111111-aaaa",
            "appid": "22222222-bbbb", "tid": "33333333-cccc", "exp": 4_000_000_000}
    assert describe(good, time.time()) == (
        "Entra ID object id 11111111-aaaa (application 22222222-bbbb, tenant 33333333-cccc)")
    wrong = describe({**good, "aud": "https://management.azure.com/", "exp": 1}, time.time())
    assert "not Azure OpenAI" in wrong and "expired 1970-01-01T00:00:01Z" in wrong
    assert claims("not-a-jwt") is None and claims("a.!!!.c") is None
    assert claims(unsigned_token(good)) == good


# --- runs against the simulator's Entra-authenticated Azure ---------------------------------


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator() as simulator:
        yield simulator


def run(config: Config) -> list[Result]:
    redactor = Redactor(config.secret_values())
    results, _ = asyncio.run(run_checks(config.checks, RunOptions(rng=random.Random(0)),
                                        redactor))
    return results


class AccessToken(NamedTuple):  # azure.core.credentials.AccessToken's shape
    token: str
    expires_on: int


class FakeDefaultAzureCredential:
    """DefaultAzureCredential as checker uses it: constructed without arguments, then
    get_token(scope)."""

    made: ClassVar[list[FakeDefaultAzureCredential]] = []
    token = ""

    def __init__(self) -> None:
        self.scopes: list[str] = []
        FakeDefaultAzureCredential.made.append(self)

    def get_token(self, *scopes: str) -> AccessToken:
        self.scopes.extend(scopes)
        return AccessToken(self.token, int(time.time()) + 3600)


@pytest.fixture
def default_credential(monkeypatch: pytest.MonkeyPatch) -> type[FakeDefaultAzureCredential]:
    import azure.identity

    FakeDefaultAzureCredential.made = []
    monkeypatch.setattr(azure.identity, "DefaultAzureCredential", FakeDefaultAzureCredential)
    return FakeDefaultAzureCredential


def test_auth_entra_run_uses_the_cognitive_services_scope_once_and_names_the_object_id(
        sim: Simulator, default_credential: type[FakeDefaultAzureCredential]) -> None:
    default_credential.token = sim.new_entra_token("verified", oid="0b7c1d2e-oid")
    config = load("    auth: entra", url=sim.origin)
    config = config._replace(checks=config.checks * 3)
    results = run(config)
    assert [r.cls for r in results] == [C.OK] * 3
    [credential] = default_credential.made
    assert credential.scopes == [SCOPE] == ["https://cognitiveservices.azure.com/.default"]
    assert results[0].identity is not None and "0b7c1d2e-oid" in results[0].identity
    report = RunReport("c.yml", tuple(results), datetime.now(UTC), 0.1, "0")
    for fmt in (JSONFormat(), JUnitFormat()):
        text = fmt.render(report)
        assert "0b7c1d2e-oid" in text and default_credential.token not in text


def test_a_principal_without_the_role_fails_naming_the_data_action(
        sim: Simulator, default_credential: type[FakeDefaultAzureCredential]) -> None:
    default_credential.token = sim.new_entra_token("identity-denied", oid="5a5a-oid")
    [result] = run(load("    auth: entra", url=sim.origin))
    assert result.cls is C.PERMISSION_DENIED and result.status == 401
    assert "5a5a-oid" in result.message and "chat/completions/action" in result.message


@pytest.mark.parametrize(("token_args", "note"), [
    ({"audience": "https://management.azure.com/"}, "not Azure OpenAI"),
    ({"expires_in": -60}, "its token expired"),
])
def test_a_token_for_another_audience_or_expired_is_refused(
        sim: Simulator, token_args: dict[str, Any], note: str) -> None:
    token = sim.new_entra_token("verified", **token_args)
    [result] = run(load("    access_token: ${T}", {"T": token}, url=sim.origin))
    assert result.cls is C.AUTH_FAILED and result.status == 401
    assert "audience is incorrect" in result.message
    assert result.identity is not None and note in result.identity


def test_a_failing_credential_chain_is_the_checks_config_error(
        sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    import azure.identity
    from azure.core.exceptions import ClientAuthenticationError

    class Failing:
        def get_token(self, *scopes: str) -> AccessToken:
            raise ClientAuthenticationError("DefaultAzureCredential failed to retrieve a token "
                                            "from the included credentials.")

    monkeypatch.setattr(azure.identity, "DefaultAzureCredential", Failing)
    [result] = run(load("    auth: entra", url=sim.origin))
    assert result.cls is C.CONFIG_ERROR
    assert "DefaultAzureCredential failed" in result.message and "azure/login" in result.message


def test_the_simulator_keeps_api_key_auth_as_it_was(sim: Simulator) -> None:
    key = sim.new_key("verified")
    [result] = run(load("    api_key: ${K}", {"K": key}, url=sim.origin))
    assert result.cls is C.OK and result.identity is None
    bad = httpx2.post(f"{sim.origin}/openai/deployments/gpt-4o-mini/chat/completions"
                      "?api-version=2025-04-01-preview", json={"messages": []},
                      headers={"authorization": "Bearer not-a-jwt"})
    assert bad.status_code == 401 and bad.json()["statusCode"] == 401
