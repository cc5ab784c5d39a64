"""AWS Bedrock: each rule on a real body, the probe checked with botocore's own serializer
and validator for bedrock-runtime, SigV4 signatures verified by the simulator (recomputed
with botocore), event streams framed here and read by botocore, the caller's identity from
STS, the gates the simulator acts out, plan, redaction, and the config.

No test reaches AWS: credentials are test credentials in the environment (no profile, no
metadata endpoint), every request goes to the loopback simulator, and STS is asked there
too (a loopback base_url answers GetCallerIdentity)."""

from __future__ import annotations

import asyncio
import base64
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from checker.classify import classify
from checker.config import parse_config
from checker.model import Config, ConfigError
from checker.outcomes import OutcomeClass
from checker.providers import KINDS, build_probe, dialect_of, extras
from checker.providers.bedrock import BedrockKind, api_key_identity, bedrock_dialect
from checker.providers.simulated_bedrock import frame
from checker.results import Result
from checker.runner import RunOptions, run_checks
from checker.secrets import Redactor
from checker.simulator import Simulator
from tests.cloud_bodies import rows
from tests.conftest import run_cli

C = OutcomeClass
BEDROCK = dialect_of(KINDS["bedrock"])
DATA = Path(__file__).parent / "data"
BODIES = rows(DATA / "errors-collected-dev.jsonl") + rows(DATA / "errors-bedrock.jsonl")
SONNET = "anthropic.claude-sonnet-4-5-20250929-v1:0"


def body_from(source: str, contains: str = "") -> dict[str, Any]:
    found = [r for r in BODIES if str(r["source"]).startswith(source + " ")
             and contains in str(r["body"])]
    assert len(found) == 1, (source, len(found))
    return found[0]


# Each Bedrock rule with a real body (its source), and the class it decides.
RULE_SAMPLES: list[tuple[str, str, str, OutcomeClass]] = [
    ("bedrock-marketplace-pending",
     "aws-samples/sample-host-openclaw-on-amazon-bedrock-agentcore#41", "", C.ACCESS_PENDING),
    ("bedrock-use-case-form", "public repository notes", "", C.PERMISSION_DENIED),
    ("bedrock-iam", "aws-samples/semantic-search-with-amazon-opensearch#43", "",
     C.PERMISSION_DENIED),
    ("bedrock-iam", "aws-samples/sample-badgers#33", "", C.PERMISSION_DENIED),
    ("bedrock-model-access", "dirkpetersen/our-chat#3", "", C.PERMISSION_DENIED),
    ("bedrock-model-access", "aws-samples/amazon-bedrock-workshop#109", "",
     C.PERMISSION_DENIED),
    ("bedrock-expired-token", "anthropics/claude-code#28032", "", C.AUTH_FAILED),
    ("bedrock-invalid-token", "vercel/ai#4163", "", C.AUTH_FAILED),
    ("bedrock-signature", "BerriAI/litellm#14763", "", C.AUTH_FAILED),
    ("bedrock-inference-profile", "aws-samples/bedrock-multi-agents-collaboration-workshop#21",
     "", C.PROBE_REJECTED),
    ("bedrock-model-id", "aws-samples/amazon-bedrock-workshop#315", "", C.MODEL_NOT_FOUND),
    ("bedrock-model-id", "truera/trulens#779", "", C.MODEL_NOT_FOUND),
    ("bedrock-daily-quota", "minorun365/agent-book#29", "", C.QUOTA_EXHAUSTED),
    ("bedrock-throttling", "kirodotdev/Kiro#8113", "", C.RATE_LIMITED),
    ("bedrock-throttling", "BerriAI/litellm#589", "", C.RATE_LIMITED),
    ("bedrock-unavailable", "aws-samples/foundation-model-benchmarking-tool#247", "",
     C.SERVER_ERROR),
]


@pytest.mark.parametrize(("rule", "source", "contains", "expected"), RULE_SAMPLES,
                         ids=[f"{s[0]}:{s[1]}" for s in RULE_SAMPLES])
def test_each_bedrock_rule_matches_its_real_body(rule: str, source: str, contains: str,
                                                 expected: OutcomeClass) -> None:
    row = body_from(source, contains)
    outcome = classify(row["status"], row.get("headers") or {}, str(row["body"]),
                       dialect=BEDROCK)
    assert (outcome.rule, outcome.cls) == (rule, expected), outcome.message
    assert expected.value in row["expect"] or expected is C.ACCESS_PENDING


def test_every_bedrock_rule_has_a_real_body() -> None:
    names = {rule.name for rule in bedrock_dialect().rules}
    assert names == {sample[0] for sample in RULE_SAMPLES}


def test_access_denied_is_read_from_x_amzn_errortype() -> None:
    row = body_from("aws-samples/amazon-bedrock-client-for-mac#1")
    headers = {k.lower(): v for k, v in row["headers"].items()}
    outcome = classify(403, headers, '{"message":"Something else."}', dialect=BEDROCK)
    assert outcome.cls is C.PERMISSION_DENIED  # AccessDeniedException from the header alone


def test_every_bedrock_body_classifies_into_its_expect_list() -> None:
    for row in (r for r in BODIES if r.get("vendor_family") == "Bedrock"
                and r.get("origin") == "http"):
        cls = classify(row["status"], row.get("headers") or {}, str(row["body"]),
                       dialect=BEDROCK).cls
        # The Marketplace body is access_pending here, a class the corpus predates.
        assert cls.value in row["expect"] or cls is C.ACCESS_PENDING, row["source"]


def test_access_pending_is_waitable_and_a_definite_failure_never_excused() -> None:
    from checker.outcomes import DENIED_CLASSES, Kind, info

    details = info(C.ACCESS_PENDING)
    assert (details.kind, details.waitable, details.retryable, details.excusable) == (
        Kind.DENIED, True, False, False)
    assert C.ACCESS_PENDING not in DENIED_CLASSES  # `expect: denied` cannot pass on it


# --- the probe, as botocore would send it --------------------------------------------------


def bedrock_config(extra: str = "", models: str = SONNET, capabilities: str = "[access]",
                   env: dict[str, str] | None = None, base: str = "") -> Config:
    text = f"""
providers:
  br:
    kind: bedrock
    region: us-east-1
{base}{extra}
checks:
  - providers: [br]
    models: [{models}]
    capabilities: {capabilities}
"""
    return parse_config(text.lstrip("\n"), "checks.yml", env or {})


@pytest.mark.parametrize(("capability", "operation"), [("access", "Converse"),
                                                       ("stream", "ConverseStream")])
def test_the_probe_is_what_botocore_serializes_and_validates(capability: str,
                                                             operation: str) -> None:
    botocore_session = pytest.importorskip("botocore.session")
    from botocore.serialize import create_serializer
    from botocore.validate import ParamValidator

    model_id = "us." + SONNET
    [check] = bedrock_config(models=model_id, capabilities=f"[{capability}]").checks
    request = build_probe(check)
    op = botocore_session.get_session().get_service_model("bedrock-runtime").operation_model(
        operation)
    params = {"modelId": model_id, **request.body}
    report = ParamValidator().validate(params, op.input_shape)
    assert not report.has_errors(), report.generate_report()
    serialized = create_serializer("rest-json").serialize_to_request(params, op)
    assert request.url == "https://bedrock-runtime.us-east-1.amazonaws.com" + \
        serialized["url_path"]
    assert request.content == serialized["body"]
    assert request.body["inferenceConfig"] == {"maxTokens": 1}  # the model's minimum
    assert request.stream is (capability == "stream")


def test_max_tokens_one_is_the_service_minimum() -> None:
    botocore_session = pytest.importorskip("botocore.session")
    model = botocore_session.get_session().get_service_model("bedrock-runtime")
    shape = model.operation_model("Converse").input_shape.members["inferenceConfig"]
    assert shape.members["maxTokens"].metadata["min"] == 1


# --- config --------------------------------------------------------------------------------


def test_region_is_required_and_checked() -> None:
    with pytest.raises(ConfigError, match=r"checks.yml:3:11: a bedrock provider needs"):
        parse_config("providers:\n  br:\n    kind: bedrock\nchecks:\n"
                     "  - {providers: [br], models: [m]}\n", "checks.yml", {})
    with pytest.raises(ConfigError, match="region 'US-EAST' is not an AWS region name"):
        parse_config("providers:\n  br: {kind: bedrock, region: US-EAST}\nchecks:\n"
                     "  - {providers: [br], models: [m]}\n", "checks.yml", {})


def test_regions_make_one_check_per_region_with_the_regional_endpoint() -> None:
    config = parse_config("""
providers:
  bedrock-us: {kind: bedrock, regions: [us-east-1, eu-west-1]}
checks:
  - providers: [bedrock-us]
    models: [amazon.nova-lite-v1:0]
""".lstrip("\n"), "checks.yml", {})
    assert [c.id for c in config.checks] == [
        "bedrock-us@us-east-1 / amazon.nova-lite-v1:0 [access]",
        "bedrock-us@eu-west-1 / amazon.nova-lite-v1:0 [access]"]
    assert [build_probe(c).url.split("/model/")[0] for c in config.checks] == [
        "https://bedrock-runtime.us-east-1.amazonaws.com",
        "https://bedrock-runtime.eu-west-1.amazonaws.com"]


def test_without_botocore_the_chain_is_a_config_error_but_an_api_key_is_not(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extras, "_installed", lambda module: False)
    with pytest.raises(ConfigError) as caught:
        bedrock_config()
    assert "pip install 'model-access-checker[bedrock]'" in str(caught.value)
    config = bedrock_config("    api_key: ${AWS_BEARER_TOKEN_BEDROCK}\n",
                            env={"AWS_BEARER_TOKEN_BEDROCK": "bedrock-api-key-dGVzdA=="})
    request = build_probe(config.checks[0])
    assert request.shown_headers()["Authorization"] == "Bearer ***"


def test_reasoning_summary_does_not_apply() -> None:
    with pytest.raises(ConfigError, match="does not apply"):
        bedrock_config(capabilities="[reasoning_summary]")


# --- pricing and plan -----------------------------------------------------------------------


def test_plan_prices_the_probe_and_says_what_it_proves() -> None:
    kind = BedrockKind()
    check = bedrock_config(models="us." + SONNET).checks[0]
    cost = kind.estimate_cost(check, build_probe(check), None)
    assert cost.priced and 0.00004 < cost.usd < 0.0001  # 16 in, 1 out at $3.30/$16.50
    nova = bedrock_config(models="amazon.nova-micro-v1:0").checks[0]
    assert kind.estimate_cost(nova, build_probe(nova), None).usd < 0.000001
    assert "us-east-1" in kind.proves(check, build_probe(check))


def test_plan_command_shows_bedrock_requests_without_credentials(write_config: Any) -> None:
    path = write_config("""
providers:
  br: {kind: bedrock, region: us-east-1}
checks:
  - providers: [br]
    models: [us.anthropic.claude-sonnet-4-5-20250929-v1:0]
    capabilities: [access, stream]
""")
    result = run_cli("plan", "-c", str(path), env={"AWS_ACCESS_KEY_ID": "AKIAPLANTEST0000000",
                                                  "AWS_SECRET_ACCESS_KEY": "plan-secret-x"})
    assert result.code == 0, result.stderr
    assert "/converse-stream" in result.stdout and "proves:" in result.stdout
    assert "plan-secret-x" not in result.stdout + result.stderr


# --- event streams --------------------------------------------------------------------------


def eventstream(*messages: bytes) -> bytes:
    return b"".join(messages)


def stream_outcome(body: bytes) -> tuple[OutcomeClass, str]:
    kind = BedrockKind()
    [check] = bedrock_config(capabilities="[stream]").checks
    request = build_probe(check)
    headers = {"content-type": "application/vnd.amazon.eventstream"}
    readable = kind.readable(request, 200, headers, body)
    outcome = classify(200, headers, readable, request.expected, BEDROCK)
    return outcome.cls, outcome.message


def test_a_stream_passes_on_its_first_event_read_by_botocore() -> None:
    start = frame({":event-type": "messageStart", ":content-type": "application/json",
                   ":message-type": "event"}, b'{"role":"assistant"}')
    assert stream_outcome(start + b"\x00\x01")[0] is C.OK  # only the first message is read


def test_an_exception_as_the_first_message_is_not_a_pass() -> None:
    throttled = frame({":exception-type": "throttlingException",
                       ":content-type": "application/json", ":message-type": "exception"},
                      b'{"message":"Too many requests, please wait before trying again."}')
    assert stream_outcome(throttled)[0] is C.RATE_LIMITED
    unavailable = frame({":exception-type": "serviceUnavailableException",
                         ":content-type": "application/json", ":message-type": "exception"},
                        b'{"message":"Bedrock is unable to process your request."}')
    assert stream_outcome(unavailable)[0] is C.SERVER_ERROR


def test_a_broken_or_foreign_stream_is_unexpected() -> None:
    start = frame({":event-type": "messageStart", ":message-type": "event"}, b"{}")
    corrupt = start[:-1] + bytes([start[-1] ^ 0xFF])  # the message CRC no longer matches
    assert stream_outcome(corrupt)[0] is C.UNEXPECTED_RESPONSE
    assert "Checksum" in stream_outcome(corrupt)[1]
    assert stream_outcome(start[:10])[0] is C.UNEXPECTED_RESPONSE
    unknown = frame({":event-type": "surprise", ":message-type": "event"}, b"{}")
    assert stream_outcome(unknown)[0] is C.UNEXPECTED_RESPONSE


def test_a_json_answer_to_a_stream_probe_is_not_a_pass() -> None:
    [check] = bedrock_config(capabilities="[stream]").checks
    request = build_probe(check)
    body = b'{"output": {"message": {"role": "assistant"}}, "stopReason": "max_tokens"}'
    readable = BedrockKind().readable(request, 200, {"content-type": "application/json"}, body)
    assert classify(200, {}, readable, request.expected, BEDROCK).cls is C.UNEXPECTED_RESPONSE


# --- against the simulator ------------------------------------------------------------------


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Only test credentials: no profile file, no metadata endpoint, no real STS."""
    for name in ("AWS_PROFILE", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE",
                 "AWS_SESSION_TOKEN", "AWS_BEARER_TOKEN_BEDROCK",
                 "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                 "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    yield


def sim_run(sim: Simulator, monkeypatch: pytest.MonkeyPatch, scenario: str, models: str,
            capabilities: str = "[access]", regions: str = "[us-east-1]",
            secret: str | None = None, token: str | None = None,
            ) -> tuple[list[Result], Redactor]:
    key_id, real_secret = sim.new_aws_credentials(scenario)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret or real_secret)
    if token:
        monkeypatch.setenv("AWS_SESSION_TOKEN", token)
    config = parse_config(f"""
providers:
  br: {{kind: bedrock, regions: {regions}, base_url: "{sim.origin}"}}
checks:
  - providers: [br]
    models: {models}
    capabilities: {capabilities}
    retries: 2
""".lstrip("\n"), "checks.yml", {})
    redactor = Redactor(config.secret_values())
    results, _ = asyncio.run(run_checks(config.checks, RunOptions(rng=random.Random(0)),
                                        redactor))
    return results, redactor


def by_id(results: list[Result]) -> dict[str, Result]:
    return {r.check.id: r for r in results}


def test_signed_probes_pass_and_the_caller_arn_is_reported(
        aws_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    with Simulator() as sim:
        results, _ = sim_run(sim, monkeypatch, "verified",
                             f"[us.{SONNET}, amazon.nova-lite-v1:0]", "[access, stream]",
                             token="session-token-Fq0Gz3Lm8Vb2Xw5Rt9Yp")
    assert [r.cls for r in results] == [C.OK] * 4
    assert {r.identity for r in results} == {
        "arn:aws:sts::111122223333:assumed-role/checker-simulator/ci-session"}
    assert [p.path for p in sim.log if p.kind == "sts"] == ["/"]  # once for the provider


def test_a_wrong_secret_fails_the_simulators_signature_check(
        aws_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    with Simulator() as sim:
        [result], redactor = sim_run(sim, monkeypatch, "verified", "[amazon.nova-lite-v1:0]",
                                     secret="not-the-secret-0123456789")
    assert (result.cls, result.rule, result.status) == (C.AUTH_FAILED, "bedrock-signature", 403)
    assert "does not belong to the access key id" in " ".join(result.notes)
    assert "not-the-secret-0123456789" not in redactor(json.dumps(result.message))


def test_the_gates_of_each_region(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    with Simulator() as sim:
        results, _ = sim_run(sim, monkeypatch, "verified",
                             f"[us.{SONNET}, {SONNET}, amazon.nova-lite-v1:0, "
                             "meta.llama3-3-70b-instruct-v1:0]", regions="[us-east-1, eu-west-1]")
    found = by_id(results)
    eu = "br@eu-west-1 / "
    assert found[f"br@us-east-1 / us.{SONNET} [access]"].cls is C.OK
    profile = found[f"br@us-east-1 / {SONNET} [access]"]
    assert profile.cls is C.PROBE_REJECTED
    assert f"call us.{SONNET} (or global.{SONNET})" in " ".join(profile.notes)
    assert f"call eu.{SONNET}" in " ".join(found[f"{eu}{SONNET} [access]"].notes)
    wrong_geography = found[f"{eu}us.{SONNET} [access]"]
    assert (wrong_geography.cls, wrong_geography.rule) == (C.MODEL_NOT_FOUND, "bedrock-model-id")
    assert "from eu-west-1 use eu." in " ".join(wrong_geography.notes)
    assert found[f"{eu}meta.llama3-3-70b-instruct-v1:0 [access]"].cls is C.MODEL_NOT_FOUND
    assert found[f"{eu}amazon.nova-lite-v1:0 [access]"].cls is C.OK


@pytest.mark.parametrize(("scenario", "model", "cls", "rule"), [
    ("no-use-case", f"us.{SONNET}", C.PERMISSION_DENIED, "bedrock-use-case-form"),
    ("no-use-case", "amazon.nova-lite-v1:0", C.OK, "2xx-json"),
    ("subscribing", f"us.{SONNET}", C.ACCESS_PENDING, "bedrock-marketplace-pending"),
    ("subscribing", "amazon.nova-lite-v1:0", C.OK, "2xx-json"),
    ("expired-token", "amazon.nova-lite-v1:0", C.AUTH_FAILED, "bedrock-expired-token"),
    ("project-restricted", "amazon.nova-lite-v1:0", C.PERMISSION_DENIED,
     "bedrock-model-access"),
    ("no-credit", "amazon.nova-lite-v1:0", C.QUOTA_EXHAUSTED, "bedrock-daily-quota"),
    ("rate-limited", "amazon.nova-lite-v1:0", C.OK, "2xx-json"),  # retried, then granted
])
def test_the_simulated_account_gates(aws_env: None, monkeypatch: pytest.MonkeyPatch,
                                     scenario: str, model: str, cls: OutcomeClass,
                                     rule: str) -> None:
    with Simulator(retry_after_ms=10) as sim:
        [result], _ = sim_run(sim, monkeypatch, scenario, f"[{model}]")
    assert (result.cls, result.rule) == (cls, rule), result.message


def test_a_throttle_inside_the_stream_is_retried(aws_env: None,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    with Simulator(retry_after_ms=10) as sim:
        [result], _ = sim_run(sim, monkeypatch, "rate-limited", "[amazon.nova-lite-v1:0]",
                              "[stream]")
    assert (result.cls, result.attempts) == (C.OK, 2)


def test_wait_waits_for_a_marketplace_subscription(write_config: Any, tmp_path: Path) -> None:
    with Simulator(propagation_requests=2) as sim:
        key = sim.new_key("subscribing")
        path = write_config(f"""
providers:
  br:
    kind: bedrock
    region: us-east-1
    base_url: {sim.origin}
    api_key: ${{AWS_BEARER_TOKEN_BEDROCK}}
checks:
  - providers: [br]
    models: [us.{SONNET}]
""")
        report = tmp_path / "wait.json"
        result = run_cli("wait", "-c", str(path), "--timeout", "30s", "--interval", "0.2s",
                         "--json", str(report), env={"AWS_BEARER_TOKEN_BEDROCK": key})
    assert result.code == 0, result.stdout + result.stderr
    [record] = json.loads(report.read_text())["results"]
    assert record["class"] == "ok"
    assert record["identity"] == "a Bedrock API key"
    assert key not in result.stdout + result.stderr + report.read_text()


def test_secrets_never_reach_a_report(aws_env: None, write_config: Any, tmp_path: Path) -> None:
    with Simulator() as sim:
        key_id, secret = sim.new_aws_credentials("expired-token")
        token = "FwoGZXIvYXdzEJr-session-token-0123456789abcdef"
        path = write_config(f"""
providers:
  br: {{kind: bedrock, regions: [us-east-1, eu-west-1], base_url: "{sim.origin}"}}
checks:
  - providers: [br]
    models: [amazon.nova-lite-v1:0]
""")
        outputs = [tmp_path / name for name in ("r.json", "r.xml", "r.md")]
        result = run_cli("run", "-c", str(path), "--json", str(outputs[0]), "--junit-xml",
                         str(outputs[1]), "--markdown", str(outputs[2]), "--debug",
                         env={"AWS_ACCESS_KEY_ID": key_id, "AWS_SECRET_ACCESS_KEY": secret,
                              "AWS_SESSION_TOKEN": token, "AWS_EC2_METADATA_DISABLED": "true",
                              "AWS_CONFIG_FILE": str(tmp_path / "none"),
                              "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")})
    everything = result.stdout + result.stderr + "".join(p.read_text() for p in outputs)
    assert result.code == 1 and "auth_failed" in everything
    for secret_text in (secret, token, key_id):
        assert secret_text not in everything
        assert secret_text[:12] not in everything


# --- identity of API keys --------------------------------------------------------------------


def test_api_key_identity_says_what_the_key_shows_without_a_secret() -> None:
    long_term = "ABSK" + base64.b64encode(
        b"BedrockAPIKey-a1b2-at-123456789012:c2VjcmV0LXBhcnQtb2YtdGhlLWtleQ==").decode()
    assert api_key_identity(long_term) == (
        "Bedrock API key of BedrockAPIKey-a1b2 in account 123456789012")
    url = ("bedrock.amazonaws.com/?Action=CallWithBearerToken&X-Amz-Algorithm=AWS4-HMAC-SHA256"
           "&X-Amz-Credential=AKIAEXAMPLE%2F20260101%2Feu-west-1%2Fbedrock%2Faws4_request"
           "&X-Amz-Expires=43200&Version=1")
    short_term = "bedrock-api-key-" + base64.b64encode(url.encode()).decode()
    assert api_key_identity(short_term) == "Bedrock API key (short-term, made for eu-west-1)"
    assert api_key_identity("sk-whatever") == "a Bedrock API key"
    assert "c2VjcmV0" not in api_key_identity(long_term)
