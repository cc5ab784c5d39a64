"""The runner against respx-mocked endpoints (respx's httpcore2 mocker, which httpx2
uses), with a fake clock: retries, deadline, transport failures, redirects. No real
sleeps, no network."""

from __future__ import annotations

import asyncio
import random

import httpx
import httpx2
import pytest
import respx

from checker.config import parse_config
from checker.model import Config
from checker.outcomes import OutcomeClass, Verdict
from checker.results import Result
from checker.runner import RunOptions, run_checks
from checker.secrets import Redactor

# The routes a test declares need not all be called (a redirect target must not be).
pytestmark = pytest.mark.httpx2(assert_all_called=False)

BASE = "https://api.example.test/v1"
KEY = "sk-runner-test-0123456789abcdefgh"
OK_BODY = {"id": "chatcmpl-1", "object": "chat.completion", "choices": [{"index": 0}]}


def make_config(models: str = "gpt-4o-mini", retries: int = 2, extra: str = "",
                env: dict[str, str] | None = None) -> Config:
    text = f"""
defaults: {{retries: {retries}, timeout: 5}}
providers:
  p: {{base_url: "{BASE}", api_key: "${{KEY}}"}}
checks:
  - providers: [p]
    models: [{models}]
{extra}
"""
    return parse_config(text.lstrip("\n"), "c.yml", {"KEY": KEY} if env is None else env)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def run(config: Config, clock: FakeClock | None = None, deadline: float | None = None,
        stop: asyncio.Event | None = None) -> tuple[list[Result], str | None]:
    clock = clock or FakeClock()
    options = RunOptions(clock=clock, sleep=clock.sleep, rng=random.Random(0),
                         deadline=deadline)
    return asyncio.run(run_checks(config.checks, options, Redactor([KEY]), stop=stop))


def error(status: int, message: str, code: str | None = None, type_: str = "x",
          headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json={"error": {"message": message, "type": type_,
                                                  "code": code}}, headers=headers)


def test_success_records_status_request_id_limits_and_sends_the_key(
        httpx2_mock: respx.Router) -> None:
    route = httpx2_mock.post(f"{BASE}/chat/completions").respond(
        200, json=OK_BODY, headers={"x-request-id": "req_123",
                                    "x-ratelimit-limit-requests": "500"})
    [result], stopped = run(make_config())
    assert stopped is None
    assert (result.cls, result.verdict, result.status) == (OutcomeClass.OK, Verdict.PASSED, 200)
    assert result.request_id == "req_123" and result.attempts == 1
    assert result.limits == {"x-ratelimit-limit-requests": "500"}
    assert route.calls.last.request.headers["authorization"] == f"Bearer {KEY}"


def test_quota_429_is_never_retried(httpx2_mock: respx.Router) -> None:
    route = httpx2_mock.post(f"{BASE}/chat/completions").mock(return_value=error(
        429, "You exceeded your current quota", "insufficient_quota",
        headers={"retry-after": "1"}))
    clock = FakeClock()
    [result], _ = run(make_config(), clock)
    assert result.cls is OutcomeClass.QUOTA_EXHAUSTED and result.verdict is Verdict.FAILED
    assert route.call_count == 1 and clock.sleeps == []


def test_rate_limit_is_retried_after_what_the_server_asked(httpx2_mock: respx.Router) -> None:
    route = httpx2_mock.post(f"{BASE}/chat/completions").mock(side_effect=[
        error(429, "Rate limit reached. Please try again in 644ms.", "rate_limit_exceeded"),
        httpx.Response(200, json=OK_BODY),
    ])
    clock = FakeClock()
    [result], _ = run(make_config(), clock)
    assert result.cls is OutcomeClass.OK and result.attempts == 2
    assert route.call_count == 2
    assert 0.644 <= clock.sleeps[0] <= 0.644 * 1.1 + 1e-9


def test_server_errors_retried_then_reported(httpx2_mock: respx.Router) -> None:
    route = httpx2_mock.post(f"{BASE}/chat/completions").mock(
        return_value=error(500, "The server had an error processing your request.",
                           type_="server_error"))
    clock = FakeClock()
    [result], _ = run(make_config(retries=2), clock)
    assert result.cls is OutcomeClass.SERVER_ERROR and result.verdict is Verdict.INCONCLUSIVE
    assert route.call_count == 3 and len(clock.sleeps) == 2
    assert clock.sleeps[1] > clock.sleeps[0] * 1.0 or clock.sleeps[1] >= 0.5  # backoff grows
    assert len(result.notes) == 2


def test_retry_after_beyond_the_deadline_stops_waiting(httpx2_mock: respx.Router) -> None:
    route = httpx2_mock.post(f"{BASE}/chat/completions").mock(return_value=error(
        429, "Rate limit reached", "rate_limit_exceeded", headers={"retry-after": "120"}))
    clock = FakeClock()
    [result], _ = run(make_config(), clock, deadline=30)
    assert result.cls is OutcomeClass.RATE_LIMITED and route.call_count == 1
    assert clock.sleeps == []
    assert any("deadline" in note for note in result.notes)


def test_timeout_and_network_errors_are_classified(httpx2_mock: respx.Router) -> None:
    httpx2_mock.post(f"{BASE}/chat/completions").mock(side_effect=httpx2.ReadTimeout("slow"))
    httpx2_mock.post(f"{BASE}/embeddings").mock(side_effect=httpx2.ConnectError(
        "[Errno -2] Name or service not known"))
    results, _ = run(make_config("gpt-4o-mini, text-embedding-3-small", retries=0))
    assert [r.cls for r in results] == [OutcomeClass.TIMEOUT, OutcomeClass.NETWORK_ERROR]
    assert "waiting for the answer" in results[0].message
    assert results[1].message.startswith("DNS lookup failed")


def test_redirects_are_not_followed_and_name_the_host(httpx2_mock: respx.Router) -> None:
    route = httpx2_mock.post(f"{BASE}/chat/completions").respond(
        307, headers={"location": "https://login.evil.example/sso"})
    other = httpx2_mock.post("https://login.evil.example/sso").respond(200, json=OK_BODY)
    [result], _ = run(make_config())
    assert result.cls is OutcomeClass.UNEXPECTED_RESPONSE
    assert "login.evil.example" in result.message
    assert route.call_count == 1 and other.call_count == 0


def test_unset_key_is_a_config_error_result_and_others_still_run(httpx2_mock: respx.Router) -> None:
    route = httpx2_mock.post(f"{BASE}/chat/completions").respond(200, json=OK_BODY)
    config = make_config(extra="  - providers: [p]\n    models: [o3]\n    api_key: ${MISSING}",
                         env={"KEY": KEY})
    results, _ = run(config)
    assert [r.cls for r in results] == [OutcomeClass.OK, OutcomeClass.CONFIG_ERROR]
    assert "MISSING" in results[1].message and route.call_count == 1


def test_echoed_key_is_redacted_from_the_message(httpx2_mock: respx.Router) -> None:
    httpx2_mock.post(f"{BASE}/chat/completions").mock(return_value=error(
        401, f"Incorrect API key provided: {KEY}", "invalid_api_key"))
    [result], _ = run(make_config())
    assert result.cls is OutcomeClass.AUTH_FAILED
    assert KEY not in result.message and KEY[:12] not in result.message


def test_stop_event_marks_unfinished_checks_interrupted(httpx2_mock: respx.Router) -> None:
    async def never(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(3600)
        raise AssertionError

    httpx2_mock.post(f"{BASE}/chat/completions").mock(side_effect=never)
    config = make_config("gpt-4o-mini, o3")

    async def scenario() -> tuple[list[Result], str | None]:
        stop = asyncio.Event()
        stop.reason = "SIGTERM"  # type: ignore[attr-defined]
        asyncio.get_running_loop().call_later(0.05, stop.set)
        return await run_checks(config.checks, RunOptions(), Redactor(), stop=stop)

    results, stopped = asyncio.run(scenario())
    assert stopped == "SIGTERM"
    assert [r.cls for r in results] == [OutcomeClass.INTERRUPTED] * 2
    assert all("SIGTERM" in r.message for r in results)


def test_a_bug_in_one_check_does_not_lose_the_others(httpx2_mock: respx.Router,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from checker.providers.openai import OpenAIKind

    real = OpenAIKind.build_probe

    def broken(self, check):  # type: ignore[no-untyped-def]
        if check.model == "o3":
            raise RuntimeError("boom")
        return real(self, check)

    monkeypatch.setattr(OpenAIKind, "build_probe", broken)
    httpx2_mock.post(f"{BASE}/chat/completions").respond(200, json=OK_BODY)
    results, _ = run(make_config("gpt-4o-mini, o3"))
    assert [r.cls for r in results] == [OutcomeClass.OK, OutcomeClass.UNKNOWN]
    assert "internal error" in results[1].message


# jdmnk/codex-imagegen-cli#18, verbatim
GPT55_NOT_FOUND = ('{"error": {"message": "The model `gpt-5.5` does not exist or you do not have '
                   'access to it.", "type": "invalid_request_error", "param": null, "code": '
                   '"model_not_found"}}')


@pytest.mark.parametrize(("model", "noted"), [("gpt-5.5", True), ("gpt-4o-mini", False)])
def test_a_missing_model_that_openai_gates_says_verification_may_be_why(
        httpx2_mock: respx.Router, model: str, noted: bool) -> None:
    httpx2_mock.post(f"{BASE}/chat/completions").respond(
        404, text=GPT55_NOT_FOUND, headers={"content-type": "application/json"})
    [result], _ = run(make_config(models=model))
    assert result.cls is OutcomeClass.MODEL_NOT_FOUND
    said = [note for note in result.notes if "not verified" in note]
    assert bool(said) is noted
    if noted:
        assert "platform.openai.com/settings/organization/general" in said[0]


# anthropics/claude-code#17848, verbatim
ANTHROPIC_PERMISSION = ('{"type":"error","error":{"type":"permission_error","message":'
                        '"Permission denied"},"request_id":"req_011CX4kyMNYV8HGKS4XAgwkP"}')


@pytest.mark.parametrize(("expect", "advised"), [("ok", True), ("denied", False)])
def test_where_to_fix_it_is_said_only_when_something_needs_fixing(
        httpx2_mock: respx.Router, expect: str, advised: bool) -> None:
    httpx2_mock.post("https://claude.example.test/v1/messages").respond(
        403, text=ANTHROPIC_PERMISSION, headers={"content-type": "application/json"})
    config = parse_config(f"""
defaults: {{retries: 0, timeout: 5}}
providers:
  claude: {{kind: anthropic, base_url: "https://claude.example.test", api_key: "${{KEY}}"}}
checks:
  - providers: [claude]
    models: [claude-sonnet-4-5]
    expect: {expect}
""".lstrip("\n"), "c.yml", {"KEY": "sk-ant-api03-" + "k" * 40})
    [result], _ = run(config)
    assert result.cls is OutcomeClass.PERMISSION_DENIED
    assert (result.verdict is Verdict.PASSED) is not advised
    assert any("console.anthropic.com" in note for note in result.notes) is advised
