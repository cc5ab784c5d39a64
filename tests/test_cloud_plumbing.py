"""What every cloud kind shares: vendor libraries as optional extras, credentials from the
platform's chain (no ``api_key:``), the identity the credentials belong to in every report,
and ``regions:`` sweeps. Exercised with a small test kind registered for the test; the
real kinds (Bedrock, Vertex, Azure with Entra ID) have their own tests."""

from __future__ import annotations

import asyncio
import json
import random
import subprocess
import sys
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import respx

from checker.config import parse_config
from checker.config.schema import config_schema
from checker.model import Check, Config, ConfigError, Provider
from checker.outcomes import OutcomeClass
from checker.policy import verdict_for
from checker.providers import KINDS, extras
from checker.providers.base import Fetch, OptionError, ProbeRequest, Sweep
from checker.providers.openai import OpenAIKind
from checker.reports import RenderOptions
from checker.reports.github import GitHubAnnotationsFormat
from checker.reports.json import JSONFormat
from checker.reports.junit import JUnitFormat
from checker.reports.markdown import MarkdownFormat
from checker.reports.terminal import TerminalFormat
from checker.results import Result, RunReport
from checker.runner import RunOptions, run_checks
from checker.secrets import Redactor, Secret

pytestmark = pytest.mark.httpx2(assert_all_called=False)

SESSION_TOKEN = "tok-session-Zq81vN3pLx0Ww7Rt5Yb2Kc9"  # a credential the chain "fetched"
IDENTITY = "arn:aws:sts::123456789012:assumed-role/ci-deploy/gha-run-42"
Fields = OpenAIKind.fields


class CloudyKind(OpenAIKind):
    """OpenAI's wire format behind a cloud's credential chain, regions and identity."""

    name = "cloudy"
    summary = "test kind"
    default_base_url = "https://{region}.cloudy.test/v1"  # default_url() fills it in
    sweep = Sweep("region", "regions")
    fields = (
        *Fields,
        OpenAIKind.fields[0]._replace(name="region", type="string", description="A region."),
        OpenAIKind.fields[0]._replace(name="regions", type="string_list",
                                      description="Regions."),
    )

    def options(self, values: Mapping[str, Any], error: OptionError) -> Mapping[str, Any]:
        region = values.get("region", "")
        if not region.replace("-", "").isalnum():
            error("region", f"region {region!r} is not a region name", "write e.g. us-east-1")
        return {"region": region}

    def default_url(self, options: Mapping[str, Any]) -> str | None:
        return f"https://{options['region']}.cloudy.test/v1"

    def ambient_credentials(self, options: Mapping[str, Any]) -> str | None:
        return "the test credential chain"

    async def authorize(self, request: ProbeRequest, provider: Provider) -> ProbeRequest:
        if any(name.lower() == "authorization" for name, _ in request.headers):
            return request
        return request._replace(headers=(*request.headers,
                                         ("Authorization", Secret(SESSION_TOKEN).bearer())))

    async def identity(self, provider: Provider, fetch: Fetch) -> str | None:
        request = ProbeRequest("whoami", "GET", provider.base_url + "/whoami", (), {}, False,
                               content=b"")
        answer = await fetch(await self.authorize(request, provider))
        return str(json.loads(answer.body)["arn"]) if answer.status == 200 else None


@pytest.fixture
def cloudy(monkeypatch: pytest.MonkeyPatch) -> Iterator[CloudyKind]:
    kind = CloudyKind()
    monkeypatch.setitem(KINDS, kind.name, kind)  # type: ignore[arg-type]
    yield kind


def load(text: str, env: dict[str, str] | None = None) -> Config:
    return parse_config(text.lstrip("\n"), "c.yml", env or {})


SWEEP = """
providers:
  c:
    kind: cloudy
    regions: [us-east-1, eu-west-1]
checks:
  - providers: [c]
    models: [gpt-4o-mini]
"""


# --- extras -------------------------------------------------------------------------------


def test_a_missing_extra_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extras, "_installed", lambda module: False)
    extra = extras.missing("bedrock")
    assert extra is not None
    assert extra.install == "pip install 'model-access-checker[bedrock]'"
    assert extras.missing("vertex") is not None and extras.missing("azure") is not None


def test_require_raises_a_config_error_path_with_the_install_command(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def absent(name: str) -> None:
        raise ModuleNotFoundError(name)

    monkeypatch.setattr(extras.importlib, "import_module", absent)
    with pytest.raises(ValueError, match=r"pip install 'model-access-checker\[azure\]'"):
        extras.require("azure")


def test_installed_extras_import_on_demand() -> None:
    assert extras.missing("bedrock") is None  # the test extra installs all three
    assert extras.require("bedrock", "botocore.auth").__name__ == "botocore.auth"


def test_the_base_install_imports_no_vendor_library_at_start_up(tmp_path: Any) -> None:
    code = ("import sys, checker.cli.main, checker.config, checker.runner, checker.providers;"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('botocore', 'boto3', 'google', 'azure')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


# --- credentials without api_key, regions --------------------------------------------------


def test_regions_expand_to_one_provider_and_check_per_region(cloudy: CloudyKind) -> None:
    config = load(SWEEP)
    assert [c.id for c in config.checks] == ["c@us-east-1 / gpt-4o-mini [access]",
                                            "c@eu-west-1 / gpt-4o-mini [access]"]
    assert [c.provider.base_url for c in config.checks] == [
        "https://us-east-1.cloudy.test/v1", "https://eu-west-1.cloudy.test/v1"]
    assert [c.provider.option("region") for c in config.checks] == ["us-east-1", "eu-west-1"]
    assert all(c.key is None for c in config.checks)  # the credential chain: no api_key
    assert all(c.location.line == 7 for c in config.checks)


def test_one_region_keeps_the_provider_name(cloudy: CloudyKind) -> None:
    config = load(SWEEP.replace("regions: [us-east-1, eu-west-1]", "region: us-west-2"))
    assert [c.id for c in config.checks] == ["c / gpt-4o-mini [access]"]


def test_a_check_may_name_one_region_of_a_sweep(cloudy: CloudyKind) -> None:
    config = load(SWEEP.replace("providers: [c]", "providers: [c@eu-west-1]"))
    assert [c.id for c in config.checks] == ["c@eu-west-1 / gpt-4o-mini [access]"]


@pytest.mark.parametrize(("regions", "line", "message"), [
    ("region: us-east-1\n    regions: [eu-west-1]", 5,
     "provider 'c' has both 'region' and 'regions'"),
    ("regions: []", 4, "'regions' in provider 'c' is an empty list"),
    ("regions: [us-east-1, us-east-1]", 4, "'us-east-1' is listed twice in 'regions'"),
    ("regions: [us-east-1, 'eu west']", 4, "region 'eu west' is not a region name"),
    ("regions: [" + ", ".join(f"r{i}" for i in range(65)) + "]", 4,
     "'regions' of provider 'c' lists 65 values, over the limit of 64"),
])
def test_regions_mistakes_are_located_config_errors(cloudy: CloudyKind, regions: str,
                                                     line: int, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load(SWEEP.replace("regions: [us-east-1, eu-west-1]", regions))
    assert any(i.location.line == line and message in i.message for i in caught.value.issues), \
        caught.value.issues


def test_a_kind_without_ambient_credentials_still_needs_an_api_key() -> None:
    with pytest.raises(ConfigError, match="provider 'p' has no api_key"):
        load("providers:\n  p: {base_url: 'https://x.test/v1'}\n"
             "checks:\n  - {providers: [p], models: [m]}\n")


def test_a_broken_api_key_never_falls_back_to_the_chain(cloudy: CloudyKind) -> None:
    with pytest.raises(ConfigError, match="literal secret"):
        load(SWEEP.replace("regions:", "api_key: sk-literal-0123456789abcdefghij\n    regions:"))


def test_the_schema_refuses_region_and_regions_together(cloudy: CloudyKind) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = config_schema()
    base = {"providers": {"c": {"kind": "cloudy", "regions": ["us-east-1"]}},
            "checks": [{"providers": ["c"], "models": ["m"]}]}
    jsonschema.validate(base, schema)
    both = json.loads(json.dumps(base))
    both["providers"]["c"]["region"] = "eu-west-1"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(both, schema)


# --- the run: ambient credentials, identity, redaction --------------------------------------


def run(config: Config) -> list[Result]:
    redactor = Redactor(config.secret_values())
    options = RunOptions(rng=random.Random(0))
    results, _ = asyncio.run(run_checks(config.checks, options, redactor))
    return results


def test_identity_is_looked_up_once_per_provider_and_the_token_is_redacted(
        cloudy: CloudyKind, httpx2_mock: respx.Router) -> None:
    calls: list[str] = []
    for region in ("us-east-1", "eu-west-1"):
        base = f"https://{region}.cloudy.test/v1"
        httpx2_mock.post(f"{base}/chat/completions").respond(
            403, json={"error": {"message": f"denied for token {SESSION_TOKEN}",
                                 "type": "x", "code": "permission_denied"}})

        def whoami(request: httpx.Request, region: str = region) -> httpx.Response:
            calls.append(region)
            assert request.headers["authorization"] == f"Bearer {SESSION_TOKEN}"
            return httpx.Response(200, json={"arn": f"{IDENTITY}-{region}"})

        httpx2_mock.get(f"{base}/whoami").mock(side_effect=whoami)
    config = load(SWEEP.replace("[gpt-4o-mini]", "[gpt-4o-mini, gpt-4.1]"))
    results = run(config)
    assert sorted(calls) == ["eu-west-1", "us-east-1"]  # once per provider, not per check
    assert [r.identity for r in results] == [f"{IDENTITY}-us-east-1"] * 2 + [
        f"{IDENTITY}-eu-west-1"] * 2
    assert all(SESSION_TOKEN not in r.message and "denied for token" in r.message
               for r in results)


def test_an_identity_that_cannot_be_found_is_only_a_missing_line(
        cloudy: CloudyKind, httpx2_mock: respx.Router) -> None:
    base = "https://us-east-1.cloudy.test/v1"
    httpx2_mock.post(f"{base}/chat/completions").respond(
        200, json={"id": "c", "object": "chat.completion", "choices": [{"index": 0}]})
    httpx2_mock.get(f"{base}/whoami").respond(500, text="nope")
    [result] = run(load(SWEEP.replace("regions: [us-east-1, eu-west-1]", "region: us-east-1")))
    assert (result.cls, result.identity) == (OutcomeClass.OK, None)


# --- every report shows the identity, never the secret -------------------------------------


def sample_report(cloudy: CloudyKind) -> RunReport:
    config = load(SWEEP)
    checks: list[Check] = list(config.checks)
    results = (
        Result(check=checks[0], cls=OutcomeClass.PERMISSION_DENIED,
               verdict=verdict_for(checks[0], OutcomeClass.PERMISSION_DENIED), status=403,
               message="User is not authorized to perform: bedrock:InvokeModel",
               identity=IDENTITY),
        Result(check=checks[1], cls=OutcomeClass.OK, verdict=verdict_for(checks[1],
                                                                          OutcomeClass.OK),
               status=200, identity=IDENTITY + "-eu"),
    )
    return RunReport(config_path="c.yml", results=results,
                     started_at=datetime(2026, 11, 25, tzinfo=UTC), duration_s=1.0,
                     tool_version="0.2.0")


@pytest.mark.parametrize("format_", [TerminalFormat, JSONFormat, JUnitFormat, MarkdownFormat,
                                     GitHubAnnotationsFormat])
def test_every_report_format_shows_who_the_credentials_are(cloudy: CloudyKind,
                                                           format_: type[Any]) -> None:
    text = format_(RenderOptions(matrix=True)).render(sample_report(cloudy))
    assert IDENTITY in text
    assert SESSION_TOKEN not in text


def test_the_terminal_verbose_row_and_the_json_record_carry_the_identity(
        cloudy: CloudyKind) -> None:
    report = sample_report(cloudy)
    verbose = TerminalFormat(RenderOptions(verbose=True)).render(report)
    assert f"identity {IDENTITY}-eu" in verbose  # a passing row shows it with -v
    records = json.loads(JSONFormat().render(report))["results"]
    assert [r["identity"] for r in records] == [IDENTITY, IDENTITY + "-eu"]


def test_the_matrix_shows_regions_as_columns(cloudy: CloudyKind) -> None:
    markdown = MarkdownFormat().render(sample_report(cloudy))
    header = next(line for line in markdown.splitlines() if line.startswith("| Model |"))
    assert "c@us\\-east\\-1" in header or "c@us-east-1" in header
    assert "eu\\-west\\-1" in header or "eu-west-1" in header
    terminal = TerminalFormat(RenderOptions(matrix=True)).render(sample_report(cloudy))
    grid_header = next(line for line in terminal.splitlines() if line.startswith("MODEL"))
    assert "c@us-east-1" in grid_header and "c@eu-west-1" in grid_header


def test_merge_keeps_the_identity(cloudy: CloudyKind, tmp_path: Any) -> None:
    from checker.merge import merge_reports

    path = tmp_path / "r.json"
    path.write_text(JSONFormat().render(sample_report(cloudy)))
    merged = merge_reports([str(path)], "0.2.0")
    assert [r.identity for r in merged.results] == [IDENTITY, IDENTITY + "-eu"]


def test_a_chain_without_its_extra_is_a_config_error_naming_the_install_command(
        cloudy: CloudyKind, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(CloudyKind, "ambient_extra", "bedrock")
    monkeypatch.setattr(extras, "_installed", lambda module: False)
    with pytest.raises(ConfigError) as caught:
        load(SWEEP)
    [issue] = caught.value.issues
    assert issue.location.line == 3  # the `kind:` line
    assert "the test credential chain" in issue.message
    assert "pip install 'model-access-checker[bedrock]'" in issue.fix
    # With a key of its own, the provider does not need the chain's library.
    config = load(SWEEP.replace("regions:", "api_key: ${K}\n    regions:"),
                  {"K": "tok-0123456789"})
    assert len(config.checks) == 2
