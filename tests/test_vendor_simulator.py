"""The simulator speaks Anthropic's and Gemini's wire formats: their paths and key headers,
their answers (checked against the vendors' own answer types), their event streams, the
400s they send for malformed requests, and every scenario's refusal in their words."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx2
import pytest

from checker.classify import classify
from checker.outcomes import OutcomeClass
from checker.providers import KINDS, dialect_of
from checker.shapes import Expected
from checker.simulator import Simulator
from tests.vendor_schemas import anthropic_answer_errors, gemini_answer_errors

C = OutcomeClass
MESSAGE = {"model": "claude-sonnet-4-5", "max_tokens": 1,
           "messages": [{"role": "user", "content": "Reply with OK."}]}
GENERATE = {"contents": [{"role": "user", "parts": [{"text": "Reply with OK."}]}],
            "generationConfig": {"maxOutputTokens": 1, "thinkingConfig": {"thinkingBudget": 0}}}


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator(retry_after_ms=50) as simulator:
        yield simulator


def anthropic(sim: Simulator, key: str, body: dict[str, object] | None = None,
              version: str | None = "2023-06-01") -> httpx2.Response:
    headers = {"x-api-key": key}
    if version is not None:
        headers["anthropic-version"] = version
    return httpx2.post(f"{sim.origin}/v1/messages", json=body or MESSAGE, headers=headers)


def gemini(sim: Simulator, key: str, model: str = "gemini-2.5-flash", method: str =
           "generateContent", body: dict[str, object] | None = None) -> httpx2.Response:
    return httpx2.post(f"{sim.origin}/v1beta/models/{model}:{method}", json=body or GENERATE,
                       headers={"x-goog-api-key": key})


def test_anthropic_answers_a_message_the_sdk_accepts(sim: Simulator) -> None:
    response = anthropic(sim, sim.new_key("verified"))
    assert response.status_code == 200 and response.headers["request-id"].startswith("req_")
    assert anthropic_answer_errors(response.json()) == []
    assert int(response.headers["anthropic-ratelimit-requests-limit"]) > 0


def test_anthropic_streams_its_documented_events(sim: Simulator) -> None:
    response = anthropic(sim, sim.new_key("verified"), {**MESSAGE, "stream": True})
    assert response.headers["content-type"] == "text/event-stream"
    events = [block.split("\n") for block in response.text.strip().split("\n\n")]
    names = [lines[0].removeprefix("event: ") for lines in events]
    assert names[0] == "message_start" and names[-1] == "message_stop"
    first = json.loads(events[0][1].removeprefix("data: "))
    assert anthropic_answer_errors(first, event=True) == []


@pytest.mark.parametrize(("version", "body", "message"), [
    (None, MESSAGE, "anthropic-version: header is required"),
    ("2024-10-22", MESSAGE, 'anthropic-version: "2024-10-22" is not a valid version'),
    ("2023-06-01", {k: v for k, v in MESSAGE.items() if k != "max_tokens"},
     "max_tokens: Field required"),
])
def test_anthropic_refuses_malformed_requests_as_the_api_does(
        sim: Simulator, version: str | None, body: dict[str, object], message: str) -> None:
    response = anthropic(sim, sim.new_key("verified"), body, version)
    assert response.status_code == 400
    error = response.json()
    assert error["type"] == "error" and error["error"] == {"type": "invalid_request_error",
                                                           "message": message}
    outcome = classify(400, {}, response.text, dialect=dialect_of(KINDS["anthropic"]))
    assert outcome.cls is C.PROBE_REJECTED


def test_anthropic_key_goes_in_x_api_key_not_a_bearer_header(sim: Simulator) -> None:
    response = httpx2.post(f"{sim.origin}/v1/messages", json=MESSAGE, headers={
        "Authorization": f"Bearer {sim.new_key('verified')}", "anthropic-version": "2023-06-01"})
    assert response.status_code == 401
    assert response.json()["error"]["type"] == "authentication_error"


def test_gemini_answers_what_the_v1beta_proto_describes(sim: Simulator) -> None:
    response = gemini(sim, sim.new_key("verified"))
    assert response.status_code == 200 and gemini_answer_errors(response.json()) == []
    image = gemini(sim, sim.new_key("verified"), "gemini-2.5-flash-image",
                   body={"contents": GENERATE["contents"],
                         "generationConfig": {"responseModalities": ["IMAGE"]}})
    part = image.json()["candidates"][0]["content"]["parts"][0]
    assert part["inlineData"]["mimeType"] == "image/png"
    assert gemini_answer_errors(image.json()) == []


def test_gemini_streams_events_only_with_alt_sse(sim: Simulator) -> None:
    key = sim.new_key("verified")
    sse = gemini(sim, key, method="streamGenerateContent?alt=sse")
    assert sse.headers["content-type"] == "text/event-stream"
    assert sse.text.startswith("data: {") and sse.text.endswith("\r\n\r\n")
    assert gemini_answer_errors(json.loads(sse.text[6:])) == []
    array = gemini(sim, key, method="streamGenerateContent")
    assert array.text.startswith("[{")
    expected = Expected("generate", True)
    dialect = dialect_of(KINDS["gemini"])
    assert classify(200, {}, sse.text, expected, dialect).cls is C.OK
    assert classify(200, {}, array.text, expected, dialect).cls is C.UNEXPECTED_RESPONSE


def test_gemini_refuses_a_thinking_budget_its_model_cannot_take(sim: Simulator) -> None:
    response = gemini(sim, sim.new_key("verified"), "gemini-2.5-pro")
    assert response.status_code == 400
    assert response.json() == {"error": {"code": 400, "message": "Budget 0 is invalid. This "
                                         "model only works in thinking mode.",
                                         "status": "INVALID_ARGUMENT"}}
    assert classify(400, {}, response.text,
                    dialect=dialect_of(KINDS["gemini"])).cls is C.PROBE_REJECTED


# Every scenario of the simulator, as each vendor answers it.
SCENARIOS: list[tuple[str, OutcomeClass, OutcomeClass]] = [
    # scenario, Anthropic's class, Gemini's class
    ("verified", C.OK, C.OK),
    ("unverified", C.OK, C.OK),  # no verification gate at either vendor
    ("revoked", C.AUTH_FAILED, C.AUTH_FAILED),
    ("no-credit", C.QUOTA_EXHAUSTED, C.QUOTA_EXHAUSTED),
    ("billing-limit", C.QUOTA_EXHAUSTED, C.QUOTA_EXHAUSTED),
    ("deactivated", C.ACCOUNT_DISABLED, C.ACCOUNT_DISABLED),
    # Anthropic's edge 403 does not say it is the region: a refusal of access.
    ("region", C.PERMISSION_DENIED, C.REGION_BLOCKED),
    ("project-restricted", C.PERMISSION_DENIED, C.PERMISSION_DENIED),
    ("rate-limited-long", C.RATE_LIMITED, C.RATE_LIMITED),
]


@pytest.mark.parametrize(("scenario", "anthropic_class", "gemini_class"), SCENARIOS)
def test_each_scenario_in_each_vendors_words(sim: Simulator, scenario: str,
                                             anthropic_class: OutcomeClass,
                                             gemini_class: OutcomeClass) -> None:
    for kind, response, expected in (
            ("anthropic", anthropic(sim, sim.new_key(scenario)), anthropic_class),
            ("gemini", gemini(sim, sim.new_key(scenario)), gemini_class)):
        outcome = classify(response.status_code, dict(response.headers), response.content,
                           Expected(KINDS[kind].probes[0], False), dialect_of(KINDS[kind]))
        assert outcome.cls is expected, (kind, outcome)


def test_first_request_refusals_recover(sim: Simulator) -> None:
    for scenario, anthropic_status, gemini_status in (("rate-limited", 429, 429),
                                                     ("flaky", 529, 503)):
        key = sim.new_key(scenario)
        assert anthropic(sim, key).status_code == anthropic_status
        assert anthropic(sim, key).status_code == 200
        key = sim.new_key(scenario)
        assert gemini(sim, key).status_code == gemini_status
        assert gemini(sim, key).status_code == 200


def test_rate_limit_answers_say_when_to_come_back(sim: Simulator) -> None:
    claude = anthropic(sim, sim.new_key("rate-limited-long"))
    assert claude.headers["retry-after"] == "120"
    google = gemini(sim, sim.new_key("rate-limited-long"))
    details = google.json()["error"]["details"]
    assert {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "120s"} in details


def test_unknown_models_are_not_found_in_the_vendors_words(sim: Simulator) -> None:
    claude = anthropic(sim, sim.new_key("verified"), {**MESSAGE, "model": "sonnet4"})
    assert claude.status_code == 404
    assert claude.json()["error"] == {"type": "not_found_error", "message": "model: sonnet4"}
    google = gemini(sim, sim.new_key("verified"), "gemini-1.0-pro-retired")
    assert google.status_code == 404 and "is not found for API version v1beta" in google.text
