"""Retry and backoff decisions, with an injected clock and RNG (no real sleeps)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from checker.retry import backoff, decide, parse_duration, server_delay


@pytest.mark.parametrize(("text", "seconds"), [
    ("6m0s", 360.0), ("1s", 1.0), ("20ms", 0.02), ("1h2m3.5s", 3723.5), ("0.5", 0.5),
    ("9.816s", 9.816), ("", None), ("soon", None), ("5x", None),
])
def test_parse_duration(text: str, seconds: float | None) -> None:
    assert parse_duration(text) == seconds


def test_retry_after_ms_wins() -> None:
    assert server_delay({"retry-after-ms": "250", "retry-after": "9"}, "", 0) == 0.25


def test_retry_after_seconds_and_http_date() -> None:
    assert server_delay({"Retry-After": "2"}, "", 0) == 2.0
    now = datetime(2026, 1, 1, tzinfo=UTC)
    date = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert server_delay({"retry-after": date}, "", now.timestamp()) == pytest.approx(30)


@pytest.mark.parametrize(("message", "seconds"), [
    ("Please try again in 644ms.", 0.644),
    ("Please try again in 9.816s. Visit https://platform.openai.com", 9.816),
    ("Please retry after 7 seconds.", 7.0),
])
def test_message_hints(message: str, seconds: float) -> None:
    assert server_delay({}, message, 0) == pytest.approx(seconds)


def test_ratelimit_reset_only_for_the_exhausted_limit() -> None:
    headers = {"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "1.5s",
               "x-ratelimit-remaining-tokens": "100", "x-ratelimit-reset-tokens": "6m0s"}
    assert server_delay(headers, "", 0) == 1.5
    assert server_delay({"x-ratelimit-reset-tokens": "6m0s"}, "", 0) is None


# LiteLLM prefixes every upstream header with `llm_provider-` (its own test,
# tests/litellm_core_utils/test_get_headers.py: `llm_provider-retry-after: 57`,
# `llm_provider-x-ratelimit-remaining-requests`); before BerriAI/litellm#21553 Retry-After
# arrived only so.
@pytest.mark.parametrize(("headers", "seconds"), [
    ({"llm_provider-retry-after": "57"}, 57.0),
    ({"llm_provider-retry-after-ms": "1200"}, 1.2),
    ({"Retry-After": "5", "LLM_PROVIDER-Retry-After": "12"}, 5.0),  # the relay's own wins
    ({"llm_provider-x-ratelimit-remaining-requests": "0",
      "llm_provider-x-ratelimit-reset-requests": "1.5s",
      "llm_provider-x-ratelimit-remaining-tokens": "500",
      "llm_provider-x-ratelimit-reset-tokens": "6m0s"}, 1.5),
])
def test_a_relays_forwarded_retry_headers_are_read(headers: dict[str, str],
                                                   seconds: float) -> None:
    assert server_delay(headers, "", 0) == pytest.approx(seconds)


def test_a_relay_cooldown_says_when_to_come_back() -> None:
    # LiteLLM's cooldown answer (dev corpus: microsoft/agent-lightning#290)
    message = ("No deployments available for selected model, Try again in 5 seconds. Passed "
               "model=Qwen/Qwen2.5-0.5B-Instruct. pre-call-checks=False, cooldown_list=['3dfdf3f"
               "c7bce8b4337b0c174251a6cff311d9f85b7afb2d3214bdbdfecd3b907']")
    assert server_delay({}, message, 0) == 5.0


def test_backoff_grows_and_is_capped() -> None:
    rng = random.Random(1)
    first = [backoff(1, rng) for _ in range(50)]
    third = [backoff(3, rng) for _ in range(50)]
    assert all(0.25 <= d <= 0.5 for d in first)
    assert all(1.0 <= d <= 2.0 for d in third)
    assert all(d <= 20 for d in (backoff(30, rng) for _ in range(50)))


def _decide(**overrides: object):  # type: ignore[no-untyped-def]
    arguments = dict(retryable=True, attempt=1, max_retries=2, headers={}, message="", now=0.0,
                     deadline=None, now_epoch=0.0, rng=random.Random(0))
    arguments.update(overrides)
    return decide(**arguments)  # type: ignore[arg-type]


def test_never_retries_a_definite_answer() -> None:
    assert not _decide(retryable=False).retry


def test_gives_up_after_max_retries() -> None:
    assert _decide(attempt=2).retry
    assert not _decide(attempt=3).retry


def test_never_waits_less_than_the_server_asked() -> None:
    for seed in range(100):
        decision = _decide(headers={"retry-after": "1"}, rng=random.Random(seed))
        assert decision.retry and 1.0 <= decision.delay <= 1.1


def test_never_sleeps_past_the_deadline() -> None:
    decision = _decide(headers={"retry-after": "120"}, now=10.0, deadline=40.0)
    assert not decision.retry
    assert "deadline" in decision.reason and "120" in decision.reason
