"""Anthropic's and Gemini's own answers: one real body per rule of each vendor's dialect,
every collected body of those vendors, their success shapes, and that their rules never
change what an OpenAI (or relay) body means.

The bodies are in tests/data/errors-anthropic-gemini.jsonl, each with its public source.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from checker.classify import Dialect, classify
from checker.outcomes import OutcomeClass
from checker.providers import KINDS, any_dialect, dialect_of
from checker.providers.anthropic import anthropic_dialect
from checker.providers.gemini import gemini_dialect
from checker.retry import server_hint
from checker.shapes import Expected
from tests.conftest import CORPUS

C = OutcomeClass
VENDOR_CORPUS = Path(__file__).parent / "data" / "errors-anthropic-gemini.jsonl"


def _rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


ROWS = _rows(VENDOR_CORPUS)
BY_CLASS = {str(row["research_class"]): row for row in ROWS}


def _is_anthropic(row: dict[str, object]) -> bool:
    return "anthropic" in str(row["provider"]).lower()


# Each rule of a vendor's dialect, with the research_class of its real body. The rule's
# name is asserted too: a reordering that moves a body to another row fails here.
RULE_SAMPLES: list[tuple[str, str, OutcomeClass]] = [
    ("anthropic-credit-balance", "anthropic_credit_balance_too_low_no_request_id",
     C.QUOTA_EXHAUSTED),
    ("anthropic-usage-limits", "anthropic_spend_limit_message_fragment", C.QUOTA_EXHAUSTED),
    ("anthropic-organization-disabled", "anthropic_organization_disabled_no_request_id",
     C.ACCOUNT_DISABLED),
    ("anthropic-authentication", "anthropic_invalid_x_api_key_no_request_id", C.AUTH_FAILED),
    ("anthropic-permission", "anthropic_permission_error", C.PERMISSION_DENIED),
    ("anthropic-forbidden", "anthropic_forbidden_request_not_allowed", C.PERMISSION_DENIED),
    ("anthropic-model-not-found", "anthropic_not_found_model", C.MODEL_NOT_FOUND),
    ("anthropic-request-too-large", "anthropic_request_too_large", C.PROBE_REJECTED),
    ("anthropic-invalid-request", "anthropic_version_header_missing", C.PROBE_REJECTED),
    ("anthropic-rate-limit", "anthropic_rate_limited_with_details_null", C.RATE_LIMITED),
    ("anthropic-overloaded", "anthropic_overloaded_529", C.SERVER_ERROR),
    ("anthropic-api-error", "anthropic_api_error_500", C.SERVER_ERROR),
    ("google-api-key-invalid", "gemini_api_key_invalid_array", C.AUTH_FAILED),
    ("google-unregistered-caller", "gemini_missing_api_key_unregistered_caller", C.AUTH_FAILED),
    ("google-key-leaked", "gemini_key_reported_leaked", C.AUTH_FAILED),
    ("google-consumer-suspended", "gemini_consumer_suspended_sdk_print", C.ACCOUNT_DISABLED),
    ("google-project-denied", "gemini_project_denied_relay", C.ACCOUNT_DISABLED),
    ("google-user-location", "gemini_user_location_not_supported_genai_js_wrapper",
     C.REGION_BLOCKED),
    ("google-key-restricted", "gemini_api_key_http_referrer_blocked", C.PERMISSION_DENIED),
    ("google-service-disabled", next(k for k in BY_CLASS if k.startswith(
        "vertex_api_service_disabled (SDK")), C.PERMISSION_DENIED),
    ("google-model-not-found", "gemini_model_not_found_genai_js_wrapper", C.MODEL_NOT_FOUND),
    ("google-thinking-budget", "gemini_thinking_budget_zero_invalid", C.PROBE_REJECTED),
    ("google-overloaded", "gemini_model_overloaded_503", C.SERVER_ERROR),
    ("google-internal", "gemini_internal_500", C.SERVER_ERROR),
]


def _dialect_for(rule: str) -> Dialect:
    return dialect_of(KINDS["anthropic" if rule.startswith("anthropic-") else "gemini"])


@pytest.mark.parametrize(("rule", "research_class", "expected"), RULE_SAMPLES,
                         ids=[s[0] for s in RULE_SAMPLES])
def test_each_vendor_rule_matches_its_real_body(rule: str, research_class: str,
                                                expected: OutcomeClass) -> None:
    row = BY_CLASS[research_class]
    outcome = classify(row["status"], {}, str(row["body"]),  # type: ignore[arg-type]
                       dialect=_dialect_for(rule))
    assert (outcome.rule, outcome.cls) == (rule, expected), outcome.message
    assert expected.value in row["expect"]  # type: ignore[operator]


def test_every_vendor_rule_has_a_sample_and_unique_name() -> None:
    names = [r.name for d in (anthropic_dialect(), gemini_dialect()) for r in d.rules]
    assert sorted(names) == sorted(s[0] for s in RULE_SAMPLES)
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("row", ROWS, ids=lambda r: str(r["research_class"])[:50])
def test_every_collected_vendor_body_classifies_with_its_kind(row: dict[str, object]) -> None:
    kind = "anthropic" if _is_anthropic(row) else "gemini"
    outcome = classify(row["status"], row.get("headers") or {},  # type: ignore[arg-type]
                       str(row["body"]), dialect=dialect_of(KINDS[kind]))
    assert outcome.cls.value in row["expect"], (outcome.rule, outcome.message)  # type: ignore[operator]
    # `checker diagnose` (a body of unknown origin) reads it the same way.
    pasted = classify(row["status"], {}, str(row["body"]),  # type: ignore[arg-type]
                      dialect=any_dialect())
    assert pasted.cls.value in row["expect"], (pasted.rule, pasted.message)  # type: ignore[operator]


@pytest.mark.parametrize("research_class", [
    "anthropic_version_header_missing", "anthropic_version_header_invalid",
    "anthropic_max_tokens_le_thinking_budget", "anthropic_max_tokens_above_model_max_pretty"])
def test_anthropic_rejects_the_probe_itself_in_its_own_words(research_class: str) -> None:
    row = BY_CLASS[research_class]
    outcome = classify(400, {}, str(row["body"]), dialect=dialect_of(KINDS["anthropic"]))
    assert (outcome.cls, outcome.rule) == (C.PROBE_REJECTED, "anthropic-invalid-request")


def test_a_free_tier_without_allowance_is_quota_not_a_rate_limit() -> None:
    # continuedev/continue#11652: "limit: 0" for gemini-2.5-pro, "Please retry in 35s".
    row = BY_CLASS["gemini_free_tier_limit_zero_genai_js_wrapper_fragment"]
    outcome = classify(429, {}, str(row["body"]), dialect=dialect_of(KINDS["gemini"]))
    assert outcome.cls is C.QUOTA_EXHAUSTED and not outcome.retryable
    # … while an exhausted resource with no zero quota is a rate limit, retried.
    per_minute = BY_CLASS["gemini_resource_exhausted_sdk_wrapped"]
    assert classify(429, {}, str(per_minute["body"]),
                    dialect=dialect_of(KINDS["gemini"])).retryable


def test_vendor_rules_never_change_an_openai_corpus_body() -> None:
    """The OpenAI dialect tries the other kinds' rules last, and `diagnose` tries them
    before the shared table: neither may move a body of the shared corpus."""
    for row in _rows(CORPUS):
        for dialect in (dialect_of(KINDS["openai"]), any_dialect()):
            outcome = classify(row["status"], {}, str(row["body"]),  # type: ignore[arg-type]
                               dialect=dialect)
            assert outcome.cls.value in row["expect"], (row["source"], outcome.rule)  # type: ignore[operator]


def test_anthropic_type_names_without_its_envelope_are_left_to_the_shared_table() -> None:
    # A relay that wraps Google's ToS block in Anthropic's type names
    # (lbjlaq/Antigravity-Manager#1653): not Anthropic's permission_error.
    row = BY_CLASS["gemini_disabled_tos_relay"]
    for rule in anthropic_dialect().rules:
        outcome = classify(row["status"], {}, str(row["body"]),  # type: ignore[arg-type]
                           dialect=Dialect("one", anthropic_dialect().success, (rule,)))
        assert outcome.rule != rule.name
    assert classify(row["status"], {}, str(row["body"]),  # type: ignore[arg-type]
                    dialect=any_dialect()).cls is C.ACCOUNT_DISABLED


# --- success shapes -----------------------------------------------------------------------

ANTHROPIC_MESSAGE = json.dumps({
    "id": "msg_013Zva2CMHLNnXjNJJKqJ2EF", "type": "message", "role": "assistant",
    "model": "claude-sonnet-4-5", "content": [{"type": "text", "text": "OK"}],
    "stop_reason": "max_tokens", "stop_sequence": None,
    "usage": {"input_tokens": 12, "output_tokens": 1}})
ANTHROPIC_STREAM = (
    'event: message_start\ndata: {"type": "message_start", "message": {"id": "msg_1", '
    '"type": "message", "role": "assistant", "content": [], "model": "claude-sonnet-4-5", '
    '"stop_reason": null, "stop_sequence": null, "usage": {"input_tokens": 12, '
    '"output_tokens": 1}}}\n\n')
# The mid-stream error the docs show (https://platform.claude.com/docs/en/api/messages-streaming)
ANTHROPIC_STREAM_ERROR = ('event: error\ndata: {"type": "error", "error": {"type": '
                          '"overloaded_error", "message": "Overloaded"}}\n\n')
GEMINI_ANSWER = json.dumps({
    "candidates": [{"content": {"parts": [{"text": "OK"}], "role": "model"},
                    "finishReason": "MAX_TOKENS", "index": 0}],
    "usageMetadata": {"promptTokenCount": 5, "candidatesTokenCount": 1, "totalTokenCount": 6},
    "modelVersion": "gemini-2.5-flash", "responseId": "abc"})
# A thinking model that spent its whole budget thinking answers with usage only.
GEMINI_THOUGHT_ONLY = json.dumps({
    "usageMetadata": {"promptTokenCount": 5, "totalTokenCount": 133, "thoughtsTokenCount": 128},
    "modelVersion": "gemini-2.5-pro", "responseId": "abc"})
GEMINI_BLOCKED = json.dumps({"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"},
                             "usageMetadata": {"promptTokenCount": 5, "totalTokenCount": 5}})


@pytest.mark.parametrize(("kind", "body", "stream", "expected"), [
    ("anthropic", ANTHROPIC_MESSAGE, False, C.OK),
    ("anthropic", ANTHROPIC_STREAM, True, C.OK),
    ("anthropic", ANTHROPIC_MESSAGE, True, C.UNEXPECTED_RESPONSE),  # stream ignored
    ("anthropic", ANTHROPIC_STREAM_ERROR, True, C.SERVER_ERROR),  # an error after the 200
    ("anthropic", GEMINI_ANSWER, False, C.UNEXPECTED_RESPONSE),  # another vendor's shape
    ("gemini", GEMINI_ANSWER, False, C.OK),
    ("gemini", GEMINI_THOUGHT_ONLY, False, C.OK),
    ("gemini", "data: " + GEMINI_ANSWER + "\r\n\r\n", True, C.OK),
    ("gemini", "[" + GEMINI_ANSWER + "]", True, C.UNEXPECTED_RESPONSE),  # alt=sse dropped
    ("gemini", GEMINI_ANSWER, True, C.UNEXPECTED_RESPONSE),
    ("gemini", GEMINI_BLOCKED, False, C.UNEXPECTED_RESPONSE),  # not an answer of the model
    ("gemini", ANTHROPIC_MESSAGE, False, C.UNEXPECTED_RESPONSE),
])
def test_a_2xx_is_ok_only_in_the_vendors_success_shape(kind: str, body: str, stream: bool,
                                                       expected: OutcomeClass) -> None:
    probe = KINDS[kind].probes[0]
    outcome = classify(200, {}, body, Expected(probe, stream), dialect_of(KINDS[kind]))
    assert outcome.cls is expected, outcome


def _vendor_baits() -> list[tuple[str, str]]:
    """What each vendor rule matched in its real body, as 256 KiB of repeated prefixes and
    whitespace runs (as tests/test_hostile.py does for the shared table)."""
    size = 256 * 1024
    seeds = ["retryDelay\\\": \\\"", "'retryDelay': '", "please retry in 1"]
    for rule, research_class, _ in RULE_SAMPLES:
        pattern = next(r for d in (anthropic_dialect(), gemini_dialect()) for r in d.rules
                       if r.name == rule).text
        if pattern is not None:
            match = re.search(pattern, str(BY_CLASS[research_class]["body"]).lower())
            assert match is not None, rule
            seeds.append(match.group(0))
    baits = []
    for seed in seeds:
        prefix = seed[: max(1, len(seed) // 2)]
        for name, body in (("repeated", prefix * (size // len(prefix) + 1)),
                           ("whitespace", prefix + " \n\t" * (size // 3))):
            baits.append((f"{seed[:20]!r}-{name}", body[:size]))
    return baits


def test_vendor_rules_and_waits_stay_linear_on_hostile_bodies() -> None:
    dialect = any_dialect()  # every vendor's rules and the shared table
    for name, body in _vendor_baits():
        started = time.perf_counter()
        classify(400, {}, body, dialect=dialect)
        server_hint({}, body, 0.0, body)
        took = time.perf_counter() - started
        assert took < 2.0, f"{name}: {took:.1f}s"


def test_a_phrase_matches_across_the_padding_a_terminal_added() -> None:
    # anthropics/claude-code#54311, as pasted (found when the sealed sample was measured;
    # the fix is general: runs of spaces are one space to every phrase)
    body = ('API Error: 400 {"type":"error","error":{"type":"invalid_request_error","message":'
            '"This organization has been     disabled."},'
            '"request_id":"req_011CaWDzTjCygKryF7ETTuZk"}')
    outcome = classify(400, {}, body, dialect=any_dialect())
    assert outcome.cls is OutcomeClass.ACCOUNT_DISABLED
