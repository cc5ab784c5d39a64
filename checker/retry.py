"""When to try a probe again. Pure: the caller passes the clock's readings and the RNG."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from typing import NamedTuple

BACKOFF_BASE = 0.5  # seconds before the first retry without a server hint
BACKOFF_CAP = 20.0
HINT_JITTER = 0.1  # up to +10% (at most 1 s) on top of what the server asked for

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_MESSAGE_HINTS = (
    re.compile(r"try again in (\d+(?:\.\d+)?)\s*(ms|s|seconds?|milliseconds?)\b", re.I),
    re.compile(r"retry after (\d+(?:\.\d+)?)\s*(ms|s|seconds?|milliseconds?)\b", re.I),
    # Gemini: "… Please retry in 35.593370567s."
    re.compile(r"please retry in (\d{1,9}(?:\.\d{1,12})?)(ms|s)\b", re.I),
)
# Google's RetryInfo detail in an error body: {"@type": "…RetryInfo", "retryDelay": "26s"}
# (also with the escaped quotes of a body a relay wrapped as a string).
_RETRY_INFO = re.compile(r"""retryDelay\\?["'][ \t\r\n]{0,8}:[ \t\r\n]{0,8}\\?["']"""
                         r"(\d{1,9}(?:\.\d{1,12})?)s")
_TIMESTAMP = re.compile(r"^(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(\.\d{1,9})?"
                        r"([Zz]|[+-]\d\d:\d\d)$")


def parse_duration(text: str) -> float | None:
    """OpenAI's reset format: ``6m0s``, ``1s``, ``20ms``, ``1h2m3.5s``, or bare seconds."""
    value = text.strip().lower()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    total = 0.0
    position = 0
    for match in _DURATION_PART.finditer(value):
        if match.start() != position:
            return None
        number, unit = float(match.group(1)), match.group(2)
        total += number * {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}[unit]
        position = match.end()
    return total if position == len(value) and position > 0 else None


def parse_timestamp(text: str) -> float | None:
    """An RFC 3339 time (Anthropic's ``anthropic-ratelimit-*-reset``) as a Unix time."""
    match = _TIMESTAMP.match(text.strip())
    if match is None:
        return None
    from datetime import datetime  # only for a reset written as a time

    zone = match.group(8).upper().replace("Z", "+00:00")
    whole_seconds = match.group(0)[: match.start(7) if match.group(7) else match.start(8)]
    try:
        when = datetime.fromisoformat(whole_seconds.replace(" ", "T") + zone)
    except ValueError:
        return None
    return when.timestamp() + float(match.group(7) or 0)


def _retry_after(value: str, now_epoch: float) -> float | None:
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        pass
    import email.utils  # only for a Retry-After written as an HTTP date

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - now_epoch)


# LiteLLM passes the upstream's headers on with this prefix (`llm_provider-retry-after`,
# `llm_provider-x-ratelimit-reset-requests`); older versions send Retry-After only so.
RELAY_PREFIX = "llm_provider-"


def server_hint(headers: Mapping[str, str], message: str, now_epoch: float,
                body: str = "") -> tuple[float, str] | None:
    """Seconds the server asked us to wait and where it said so (a header, the message,
    the body's RetryInfo, or the reset time of the limit that is exhausted). The relay's own
    header wins over the upstream's it forwards."""
    lowered = {k.lower(): v for k, v in headers.items()}
    for name in ("retry-after-ms", RELAY_PREFIX + "retry-after-ms"):
        if name in lowered:
            try:
                return max(0.0, float(lowered[name]) / 1000), name
            except ValueError:
                pass
    for name in ("retry-after", RELAY_PREFIX + "retry-after"):
        if name in lowered:
            delay = _retry_after(lowered[name], now_epoch)
            if delay is not None:
                return delay, name.replace("retry-after", "Retry-After")
    for pattern in _MESSAGE_HINTS:
        match = pattern.search(message[:4096])
        if match:
            number, unit = float(match.group(1)), match.group(2).lower()
            return (number / 1000 if unit.startswith("m") else number), "the error message"
    retry_info = _RETRY_INFO.search(body[:65536])
    if retry_info:
        return float(retry_info.group(1)), "RetryInfo"
    return _exhausted_limit_reset(lowered, now_epoch)


def _exhausted_limit_reset(lowered: Mapping[str, str],
                           now_epoch: float) -> tuple[float, str] | None:
    """Only the limit that is exhausted says when to come back: OpenAI's
    ``x-ratelimit-reset-*`` (a duration), Anthropic's ``anthropic-ratelimit-*-reset`` (a
    time)."""
    resets: list[tuple[float, str]] = []
    for prefix in ("", RELAY_PREFIX):
        for kind in ("requests", "tokens"):
            if lowered.get(f"{prefix}x-ratelimit-remaining-{kind}", "").strip() == "0":
                reset = parse_duration(lowered.get(f"{prefix}x-ratelimit-reset-{kind}", ""))
                if reset is not None:
                    resets.append((reset, f"{prefix}x-ratelimit-reset-{kind}"))
        if resets:
            break
    if resets:
        return max(resets)
    for kind in ("requests", "tokens", "input-tokens", "output-tokens"):
        name = f"anthropic-ratelimit-{kind}"
        if lowered.get(f"{name}-remaining", "").strip() == "0":
            when = parse_timestamp(lowered.get(f"{name}-reset", ""))
            if when is not None:
                resets.append((max(0.0, when - now_epoch), f"{name}-reset"))
    return max(resets) if resets else None


def server_delay(headers: Mapping[str, str], message: str, now_epoch: float,
                 body: str = "") -> float | None:
    """Seconds the server asked us to wait, from headers, the error message or the body,
    if it said."""
    hint = server_hint(headers, message, now_epoch, body)
    return None if hint is None else hint[0]


def backoff(attempt: int, rng: random.Random) -> float:
    """Exponential backoff with jitter for the retry after ``attempt`` (1-based) failed."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2.0 ** (attempt - 1))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


class RetryDecision(NamedTuple):
    retry: bool
    delay: float  # seconds to sleep before the next attempt
    reason: str  # why not, or where the delay came from
    wanted: float | None = None  # a wait that was asked for (or needed) but not granted


def decide(
    *,
    retryable: bool,
    attempt: int,
    max_retries: int,
    headers: Mapping[str, str],
    message: str,
    now: float,
    deadline: float | None,
    now_epoch: float,
    rng: random.Random,
    max_wait: float | None = None,
    body: str = "",
) -> RetryDecision:
    """Retry ``attempt`` (1-based, just finished)? Never sleeps past ``deadline``, nor
    longer than ``max_wait`` at once: such a wait is reported instead of slept."""
    if not retryable:
        return RetryDecision(False, 0.0, "not a transient outcome")
    if attempt > max_retries:
        return RetryDecision(False, 0.0, f"gave up after {attempt} attempts")
    hint = server_hint(headers, message, now_epoch, body)
    if hint is not None:
        wanted, where = hint
        delay = wanted + rng.uniform(0, min(1.0, wanted * HINT_JITTER))
        source = f"{where} asked for {wanted:.3g}s"
    else:
        wanted = delay = backoff(attempt, rng)
        source = "backoff"
    if deadline is not None and now + delay >= deadline:
        return RetryDecision(False, 0.0, f"not retried: {source}; waiting would pass the run "
                             f"deadline ({max(0.0, deadline - now):.3g}s left)", wanted)
    if max_wait is not None and wanted > max_wait:
        return RetryDecision(False, 0.0, f"not retried: {source}, longer than one wait may "
                             f"take ({max_wait:.3g}s, --max-wait)", wanted)
    return RetryDecision(True, delay, source)
