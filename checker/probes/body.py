"""Request bodies: the cheapest request that proves each capability. Pure."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..catalog import (
    CHAT_MAX_TOKENS,
    DEFAULT_IMAGE_PROMPT,
    DEFAULT_PROMPT,
    REASONING_MAX_COMPLETION_TOKENS,
    REASONING_SUMMARY,
    RESPONSES_MIN_OUTPUT_TOKENS,
    STREAM,
    ProbeKind,
    family_of,
    probe_kind_for,
)

if TYPE_CHECKING:
    from ..config import Check


def probe_kind(check: Check) -> ProbeKind:
    return probe_kind_for(check.model, check.capability, check.probe)


def build_body(check: Check, kind: ProbeKind) -> dict[str, Any]:
    family = family_of(check.model)
    native = kind is family.probe  # family params only suit the endpoint they were written for
    extra = dict(family.params) if native else {}
    body: dict[str, Any]
    if kind is ProbeKind.CHAT:
        prompt = check.prompt or DEFAULT_PROMPT
        body = {"model": check.model, "messages": [{"role": "user", "content": prompt}]}
        if family.reasoning:
            body["max_completion_tokens"] = REASONING_MAX_COMPLETION_TOKENS
        else:
            body["max_tokens"] = CHAT_MAX_TOKENS
    elif kind is ProbeKind.RESPONSES:
        body = {
            "model": check.model,
            "input": check.prompt or DEFAULT_PROMPT,
            "max_output_tokens": RESPONSES_MIN_OUTPUT_TOKENS,
            "store": False,  # a probe leaves nothing behind in the account
        }
        extra.pop("reasoning_effort", None)
        if check.capability == REASONING_SUMMARY:
            body["reasoning"] = {"summary": "auto"}
    elif kind is ProbeKind.IMAGES:
        body = {"model": check.model, "prompt": check.prompt or DEFAULT_IMAGE_PROMPT}
    else:
        body = {"model": check.model, "input": check.prompt or "ok"}
    body.update(extra)
    if check.capability == STREAM:
        body["stream"] = True
    body.update(check.params)
    return body
