"""Rate limits seen in a provider's headers: OpenAI's ``x-ratelimit-*`` (also sent by
Azure and many OpenAI-compatible vendors) and Anthropic's ``anthropic-ratelimit-*``. The
tier minimums a check asserts are enforced by ``policy.enforce_minimums``. Pure."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .results import Result
from .retry import parse_duration, parse_timestamp

# Answer headers kept with each result (and read here): every vendor's rate-limit family.
LIMIT_HEADER_PREFIXES = ("x-ratelimit-", "anthropic-ratelimit-")


def is_limit_header(name: str) -> bool:
    return name.lower().startswith(LIMIT_HEADER_PREFIXES)


@dataclass(frozen=True)
class RateLimits:
    limit_requests: int | None = None  # per minute
    limit_tokens: int | None = None  # per minute
    remaining_requests: int | None = None
    remaining_tokens: int | None = None
    reset_requests_s: float | None = None
    reset_tokens_s: float | None = None

    @property
    def known(self) -> bool:
        return self.limit_requests is not None or self.limit_tokens is not None

    def as_dict(self) -> dict[str, int | float | None]:
        return dataclasses.asdict(self)


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(float(value.strip()))
    except ValueError:
        return None


def parse_limits(headers: Mapping[str, str], now_epoch: float | None = None) -> RateLimits:
    """The limits a key reported. Anthropic's resets are RFC 3339 times: they become
    seconds only when ``now_epoch`` is given."""
    lowered = {k.lower(): v for k, v in headers.items()}
    if any(name.startswith("anthropic-ratelimit-") for name in lowered):
        return _anthropic_limits(lowered, now_epoch)

    def reset(kind: str) -> float | None:
        value = lowered.get(f"x-ratelimit-reset-{kind}")
        return parse_duration(value) if value is not None else None

    return RateLimits(
        limit_requests=_int(lowered.get("x-ratelimit-limit-requests")),
        limit_tokens=_int(lowered.get("x-ratelimit-limit-tokens")),
        remaining_requests=_int(lowered.get("x-ratelimit-remaining-requests")),
        remaining_tokens=_int(lowered.get("x-ratelimit-remaining-tokens")),
        reset_requests_s=reset("requests"),
        reset_tokens_s=reset("tokens"),
    )


def _anthropic_limits(lowered: Mapping[str, str], now_epoch: float | None) -> RateLimits:
    """``anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,
    reset}``. ``tokens`` is the most restrictive token limit in force; without it, the
    input-token limit (the one a probe meets first) stands for tokens per minute."""

    def value(kind: str, what: str) -> str | None:
        return lowered.get(f"anthropic-ratelimit-{kind}-{what}")

    def tokens(what: str) -> str | None:
        return value("tokens", what) or value("input-tokens", what)

    def reset(text: str | None) -> float | None:
        if text is None or now_epoch is None:
            return None
        when = parse_timestamp(text)
        return None if when is None else max(0.0, when - now_epoch)

    return RateLimits(
        limit_requests=_int(value("requests", "limit")),
        limit_tokens=_int(tokens("limit")),
        remaining_requests=_int(value("requests", "remaining")),
        remaining_tokens=_int(tokens("remaining")),
        reset_requests_s=reset(value("requests", "reset")),
        reset_tokens_s=reset(tokens("reset")),
    )


@dataclass(frozen=True)
class LimitsRow:
    provider: str
    model: str
    key: str
    limits: RateLimits


def limits_table(results: Iterable[Result]) -> list[LimitsRow]:
    """One row per provider × model × key that reported limits (the first answer wins)."""
    rows: dict[tuple[str, str, str], LimitsRow] = {}
    for result in results:
        limits = parse_limits(result.limits)
        if not limits.known:
            continue
        check = result.check
        key = (check.provider.name, check.model, check.key_label)
        rows.setdefault(key, LimitsRow(*key, limits))
    return list(rows.values())


def render_limits(rows: list[LimitsRow]) -> str:
    if not rows:
        return "No rate-limit headers were seen.\n"
    header = ("PROVIDER", "MODEL", "KEY", "RPM", "TPM", "REMAINING REQ", "REMAINING TOK")
    table = [header] + [(
        row.provider, row.model, row.key, _show(row.limits.limit_requests),
        _show(row.limits.limit_tokens), _show(row.limits.remaining_requests),
        _show(row.limits.remaining_tokens)) for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True))
                     .rstrip() for line in table) + "\n"


def _show(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"
