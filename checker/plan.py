"""The expanded matrix, the request each probe will send, and what a run costs. No network."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

from .catalog import PRICES_AS_OF, CostEstimate, estimate_cost, family_of, format_usd
from .config import Check, Config
from .probes import ProbeRequest, build_probe
from .wait import format_duration


@dataclass(frozen=True)
class PlannedProbe:
    check: Check
    request: ProbeRequest
    cost: CostEstimate
    gated: bool  # OpenAI gates this model/capability behind Organization Verification


def plan(config: Config, checks: Sequence[Check] | None = None) -> list[PlannedProbe]:
    planned = []
    for check in config.checks if checks is None else checks:
        request = build_probe(check)
        override = config.prices.get(check.model)
        planned.append(PlannedProbe(
            check=check,
            request=request,
            cost=estimate_cost(check.model, request.kind, override),
            gated=check.capability in family_of(check.model).gated,
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


def render_plan(planned: Sequence[PlannedProbe], verbose: bool = True) -> str:
    lines: list[str] = []
    for item in planned:
        check, request = item.check, item.request
        price = format_usd(item.cost.usd) + ("" if item.cost.priced else " (default price)")
        flags = "  [may need Organization Verification]" if item.gated else ""
        lines.append(f"{check.id}{flags}")
        lines.append(f"    {check.location.file}:{check.location.line} · key "
                     f"{check.key_label} · expect {check.expect.label} · ~{price}")
        lines.append(f"    {request.method} {request.url}")
        if verbose:
            headers = ", ".join(f"{k}: {v}" for k, v in request.shown_headers().items()
                                if k.lower() not in ("content-type", "user-agent", "accept"))
            if headers:
                lines.append(f"    {headers}")
            lines.append(f"    {json.dumps(request.body, separators=(',', ':'))}")
    unpriced = sum(not p.cost.priced for p in planned)
    lines.append("")
    summary = (f"{len(planned)} probes; estimated cost of one run: "
               f"{format_usd(total_cost(planned))} (prices as of {PRICES_AS_OF}")
    summary += f"; {unpriced} at a default price)" if unpriced else ")"
    lines.append(summary)
    return "\n".join(lines) + "\n"
