"""The expanded matrix, the request each probe will send, and what a run costs. No network."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

from .model import Check, Config
from .providers import KINDS, CostEstimate, ProbeRequest, format_usd, kind_of
from .wait import format_duration


@dataclass(frozen=True)
class PlannedProbe:
    check: Check
    request: ProbeRequest
    cost: CostEstimate
    gated: bool  # OpenAI gates this model/capability behind Organization Verification
    proves: str  # what a granted answer proves


def plan(config: Config, checks: Sequence[Check] | None = None) -> list[PlannedProbe]:
    planned = []
    for check in config.checks if checks is None else checks:
        kind = kind_of(check)
        request = kind.build_probe(check)
        planned.append(PlannedProbe(
            check=check,
            request=request,
            cost=kind.estimate_cost(check, request, config.prices.get(check.model)),
            gated=kind.gated(check),
            proves=kind.proves(check, request),
        ))
    return planned


def total_cost(planned: Sequence[PlannedProbe]) -> float:
    return sum(p.cost.usd for p in planned)


@dataclass(frozen=True)
class WaitCost:
    rounds: int
    worst_usd: float  # every check stays pending for every round
    gated_usd: float  # only the checks OpenAI gates behind verification stay pending


def wait_cost(planned: Sequence[PlannedProbe], timeout: float, interval: float) -> WaitCost:
    """Upper bounds for `checker wait`: it re-probes only what is not passing yet."""
    rounds = 1 + math.floor(timeout / interval)
    one_run = total_cost(planned)
    gated = sum(p.cost.usd for p in planned if p.gated)
    return WaitCost(rounds, one_run * rounds, one_run + gated * (rounds - 1))


def render_wait_cost(cost: WaitCost, timeout: float, interval: float) -> str:
    return (f"a `checker wait --timeout {format_duration(timeout)} --interval "
            f"{format_duration(interval)}` makes at most "
            f"{cost.rounds} rounds: at most {format_usd(cost.worst_usd)} if every check stays "
            f"pending, {format_usd(cost.gated_usd)} if only the verification-gated ones do\n")


def render_plan(planned: Sequence[PlannedProbe], one_line: bool = False) -> str:
    lines: list[str] = []
    for item in planned:
        check, request = item.check, item.request
        price = format_usd(item.cost.usd) + ("" if item.cost.priced else " (default price)")
        if one_line:
            lines.append(f"{check.id}  ~{price}  {request.method} {request.url}")
            continue
        flags = "  [may need Organization Verification]" if item.gated else ""
        lines.append(f"{check.id}{flags}")
        lines.append(f"    {check.location.file}:{check.location.line} · key "
                     f"{check.key_label} · expect {check.expect.label} · ~{price}")
        lines.append(f"    {request.method} {request.url}")
        lines.append(f"    proves: {item.proves}")
        headers = ", ".join(f"{k}: {v}" for k, v in request.shown_headers().items()
                            if k.lower() not in ("content-type", "user-agent", "accept"))
        if headers:
            lines.append(f"    {headers}")
        lines.append(f"    {json.dumps(request.body, separators=(',', ':'))}")
    unpriced = sum(not p.cost.priced for p in planned)
    lines.append("")
    summary = (f"{len(planned)} probe{'s' if len(planned) != 1 else ''}; estimated cost of "
               "one run: "
               f"{format_usd(total_cost(planned))} (prices as of "
               f"{prices_as_of(planned)}")
    summary += f"; {unpriced} at a default price)" if unpriced else ")"
    lines.append(summary)
    return "\n".join(lines) + "\n"


def prices_as_of(planned: Sequence[PlannedProbe]) -> str:
    """The date of each price list used (one per provider kind)."""
    dates = sorted({KINDS[p.check.provider.kind].prices_as_of for p in planned})
    return ", ".join(dates) or min(kind.prices_as_of for kind in KINDS.values())


def plan_record(config: Config, planned: Sequence[PlannedProbe], waiting: WaitCost | None,
                timeout: float | None, interval: float) -> dict[str, object]:
    """The plan as JSON (`checker plan --json`)."""
    return {
        "config": config.path,
        "prices_as_of": prices_as_of(planned),
        "estimated_cost_usd": round(total_cost(planned), 6),
        "wait": None if waiting is None else {
            "timeout_s": timeout, "interval_s": interval, "rounds": waiting.rounds,
            "worst_usd": round(waiting.worst_usd, 6),
            "gated_only_usd": round(waiting.gated_usd, 6)},
        "probes": [{
            "id": p.check.id, "provider": p.check.provider.name, "model": p.check.model,
            "capability": p.check.capability, "key": p.check.key_label,
            "expect": p.check.expect.label, "kind": p.request.kind,
            "method": p.request.method, "url": p.request.url,
            "headers": p.request.shown_headers(), "body": p.request.body,
            "estimated_cost_usd": round(p.cost.usd, 6), "priced": p.cost.priced,
            "verification_gated": p.gated, "proves": p.proves,
            "file": p.check.location.file, "line": p.check.location.line,
        } for p in planned],
    }
