"""Classification: every dev-corpus body, and one real body per rule of the table."""

from __future__ import annotations

import json

import pytest

from checker.classify import RULES, classify, read_facts
from checker.outcomes import CLASS_INFO, Kind, OutcomeClass
from tests.conftest import CORPUS

C = OutcomeClass


def _corpus() -> list[dict[str, object]]:
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line]


@pytest.mark.parametrize("sample", _corpus(), ids=lambda s: f"{s['expect'][0]}-{s['source'][:40]}")
def test_every_dev_corpus_body_classifies_into_its_expected_class(sample: dict) -> None:
    outcome = classify(sample["status"], {}, sample["body"])
    assert outcome.cls.value in sample["expect"], (outcome.rule, outcome.message)


# One real body per rule (sources: public bug reports and provider docs). The rule name
# is asserted too, so a reordering that silently moves a body to another row fails here.
RULE_SAMPLES: list[tuple[str, int | None, str, OutcomeClass]] = [
    ("verification-gate", 403,
     '{"error": {"message": "Your organization must be verified to use the model `gpt-image-2`. '
     'Please go to: https://platform.openai.com/settings/organization/general and click on '
     'Verify Organization. If you just verified, it can take up to 15 minutes for access to '
     'propagate.", "type": "invalid_request_error", "param": null, "code": null}}',
     C.VERIFICATION_REQUIRED),
    ("region-code", 403,
     '{"error": {"code": "unsupported_country_region_territory", "message": "Country, region, '
     'or territory not supported", "param": null, "type": "request_forbidden"}}',
     C.REGION_BLOCKED),
    ("region-text", 403, "403 Country, region, or territory not supported", C.REGION_BLOCKED),
    ("concurrency-limit", 429,
     '{"status": 429, "error": "INSUFFICIENT QUOTA", "message": "You exceeded your current limit '
     'of concurrent requests."}', C.RATE_LIMITED),
    ("quota-code", 429,
     '{"error": {"message": "You exceeded your current quota, please check your plan and billing '
     'details.", "type": "insufficient_quota", "param": null, "code": "insufficient_quota"}}',
     C.QUOTA_EXHAUSTED),
    ("quota-type", 429,
     '{"error": {"message": "You exceeded your current quota, please check your plan and billing '
     'details.", "type": "insufficient_quota", "param": null, "code": null}}',
     C.QUOTA_EXHAUSTED),
    ("quota-text", 402, '{"error": {"message": "Insufficient Balance", "type": "unknown_error", '
     '"param": null, "code": "invalid_request_error"}}', C.QUOTA_EXHAUSTED),
    ("payment-required", 402, "Payment Required", C.QUOTA_EXHAUSTED),
    ("account-deactivated-code", 401,
     '{"error": {"message": "This key is associated with a deactivated account.", "type": '
     '"invalid_request_error", "param": null, "code": "account_deactivated"}}',
     C.ACCOUNT_DISABLED),
    ("access-terminated-type", 429,
     '{"error": {"message": "Your access was terminated due to violation of our policies", '
     '"type": "access_terminated", "param": null, "code": null}}', C.ACCOUNT_DISABLED),
    ("account-disabled-text", 403,
     '{"error":{"code":"Forbidden","message":"Your resource has been temporarily blocked because '
     'we detected behavior that may violate our content policy."}}', C.ACCOUNT_DISABLED),
    ("project-allowlist", 403,
     '{"error": {"message": "Project `proj_9KoeXdtHe0YQJbsF2FQAKmzl` does not have access to '
     'model `gpt-4o-mini`", "type": "invalid_request_error", "param": null, "code": '
     '"model_not_found"}}', C.PERMISSION_DENIED),
    ("key-model-restriction", 401,
     '{"error": {"message": "key not allowed to access model. This key can only access '
     "models=['gpt-5']. Tried to access claude-sonnet-4-20250514\", \"type\": "
     '"key_model_access_denied", "param": "model", "code": "401"}}', C.PERMISSION_DENIED),
    ("key-model-restriction-type", 403,
     '{"type": "error", "error": {"type": "permission_error", "message": "Your API key does not '
     'have permission to use the specified resource."}}', C.PERMISSION_DENIED),
    ("missing-scopes", 401,
     '{"error": {"message": "You have insufficient permissions for this operation. Missing '
     'scopes: model.request.", "type": "invalid_request_error", "param": null, "code": null}}',
     C.PERMISSION_DENIED),
    ("auth-code", 401,
     '{"error": {"message": "Incorrect API key provided: sk-VKMIs***wjh3.", "type": '
     '"invalid_request_error", "param": null, "code": "invalid_api_key"}}', C.AUTH_FAILED),
    ("auth-type", 401,
     '{"type": "error", "error": {"type": "authentication_error", "message": "Unknown '
     'credentials"}}', C.AUTH_FAILED),
    ("auth-text", 401,
     '{"error": {"message": "Missing bearer or basic authentication in header", "type": '
     '"invalid_request_error", "param": null, "code": null}}', C.AUTH_FAILED),
    ("moderation-code", 400,
     '{"error": {"message": "Your request was rejected by the safety system.", "type": '
     '"image_generation_user_error", "param": null, "code": "moderation_blocked"}}',
     C.CONTENT_FILTERED),
    ("moderation-text", 400,
     "400 Your request was rejected as a result of our safety system. Your prompt may contain "
     "text that is not allowed by our safety system.", C.CONTENT_FILTERED),
    ("model-not-found-code", 404,
     '{"error": {"message": "The model `gpt-5.5` does not exist or you do not have access to '
     'it.", "type": "invalid_request_error", "param": null, "code": "model_not_found"}}',
     C.MODEL_NOT_FOUND),
    ("model-not-found-type", 404,
     '{"type": "error", "error": {"type": "not_found_error", "message": "model: '
     'claude-3-5-sonnet-2024"}}', C.MODEL_NOT_FOUND),
    ("model-not-found-text", 503,
     '{"error": {"message": "\\u5f53\\u524d\\u5206\\u7ec4 default \\u4e0b\\u5bf9\\u4e8e\\u6a21'
     '\\u578b gpt-5 \\u65e0\\u53ef\\u7528\\u6e20\\u9053 '
     '(request id: 2025082215093026624875464905761)"'
     ', "type": "one_api_error"}}', C.MODEL_NOT_FOUND),
    ("probe-param-code", 400,
     '{"error": {"message": "Unsupported parameter: \'max_tokens\' is not supported with this '
     "model. Use 'max_completion_tokens' instead.\", \"type\": \"invalid_request_error\", "
     '"param": "max_tokens", "code": "unsupported_parameter"}}', C.PROBE_REJECTED),
    ("probe-param-text", None,
     "Invalid value: '2560x1440'. Supported values are: '1024x1024', '1024x1536', '1536x1024', "
     "and 'auto'.", C.PROBE_REJECTED),
    ("request-too-large", 429,
     "Request too large for gpt-5 in organization org-123456 on tokens per min (TPM): Limit "
     "30000, Requested 36055.", C.PROBE_REJECTED),
    ("rate-limit-code", 429,
     '{"error": {"message": "Rate limit reached for gpt-4o in organization org-x on requests per '
     'min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.", "type": "requests", '
     '"param": null, "code": "rate_limit_exceeded"}}', C.RATE_LIMITED),
    ("rate-limit-type", 429,
     '{"type": "error", "error": {"type": "rate_limit_error", "message": "Number of request '
     'tokens has exceeded your per-minute limit."}}', C.RATE_LIMITED),
    ("rate-limit-text", 429,
     "429 Rate limit reached for gpt-4o in organization org-uOtiSEwvUnroadaOnJJquBEC on tokens "
     "per min (TPM): Limit 30000, Used 29937, Requested 385. Please try again in 644ms.",
     C.RATE_LIMITED),
    ("server-type", 500,
     '{"error": {"message": "The server had an error processing your request.", "type": '
     '"server_error", "param": null, "code": null}}', C.SERVER_ERROR),
    ("server-code", 500,
     '{"error": {"code": "InternalServerError", "message": "Backend returned unexpected '
     'response. Please contact Microsoft for help."}}', C.SERVER_ERROR),
    ("server-text", 502,
     "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n<center><h1>502 Bad Gateway"
     "</h1></center>\n<hr><center>cloudflare</center>", C.SERVER_ERROR),
    ("invalid-url", 404,
     '{"error": {"message": "Invalid URL (POST /v1/chat/completion)", "type": '
     '"invalid_request_error", "param": null, "code": null}}', C.UNEXPECTED_RESPONSE),
    ("bot-wall", 403, "403 Please enable cookies.", C.UNEXPECTED_RESPONSE),
    ("html-5xx", 524,
     "<!DOCTYPE html><html><head><title>api.example.com | 524: A timeout occurred</title>"
     "</head><body>The origin web server timed out responding to this request.</body></html>",
     C.SERVER_ERROR),
    ("html-page", 404,
     "<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1>"
     "</center><hr><center>nginx</center></body></html>", C.UNEXPECTED_RESPONSE),
    ("status-401", 401, '{"detail": "Unauthorized"}', C.AUTH_FAILED),
    ("status-429", 429,
     '[{"error": {"code": 429, "message": "Resource has been exhausted (e.g. check quota).", '
     '"status": "RESOURCE_EXHAUSTED"}}]', C.RATE_LIMITED),
    ("status-5xx", 504, '{"detail": "upstream request timeout"}', C.SERVER_ERROR),
]


@pytest.mark.parametrize(("rule", "status", "body", "expected"), RULE_SAMPLES,
                         ids=[s[0] for s in RULE_SAMPLES])
def test_each_rule_matches_its_real_body(rule: str, status: int | None, body: str,
                                         expected: OutcomeClass) -> None:
    outcome = classify(status, {}, body)
    assert (outcome.cls, outcome.rule) == (expected, rule), outcome.message


def test_every_rule_in_the_table_has_a_sample() -> None:
    assert {r.name for r in RULES} == {s[0] for s in RULE_SAMPLES}


def test_rule_classes_agree_with_the_samples() -> None:
    by_name = {r.name: r.cls for r in RULES}
    for rule, _, _, expected in RULE_SAMPLES:
        assert by_name[rule] is expected, rule


def test_rule_names_are_unique() -> None:
    names = [r.name for r in RULES]
    assert len(names) == len(set(names))


# --- traps the design calls out -------------------------------------------------------------


def test_quota_as_429_is_not_a_rate_limit_and_not_retryable() -> None:
    outcome = classify(429, {"retry-after": "1"},
                       '{"error": {"message": "You exceeded your current quota", "type": '
                       '"insufficient_quota", "code": "insufficient_quota"}}')
    assert outcome.cls is C.QUOTA_EXHAUSTED
    assert outcome.retryable is False


def test_text_model_verification_gate_beats_its_model_not_found_code() -> None:
    outcome = classify(404, {}, '{"error": {"message": "Your organization must be verified to '
                                'use the model `o3`.", "code": "model_not_found"}}')
    assert outcome.cls is C.VERIFICATION_REQUIRED


def test_project_allowlist_beats_its_model_not_found_code() -> None:
    outcome = classify(403, {}, '{"error": {"message": "Project `proj_abc` does not have access '
                                'to model `gpt-4o`", "code": "model_not_found"}}')
    assert outcome.cls is C.PERMISSION_DENIED


def test_budget_error_with_auth_error_type_is_quota() -> None:
    outcome = classify(400, {}, '{"error": {"message": "Budget has been exceeded! Current cost: '
                                '0.001, Max budget: 0.0", "type": "auth_error", "code": 400}}')
    assert outcome.cls is C.QUOTA_EXHAUSTED


def test_relay_string_wrapped_upstream_body_is_read() -> None:
    upstream = json.dumps({"error": {"message": "Your organization must be verified to generate "
                                     "reasoning summaries.", "param": "reasoning.summary",
                                     "code": "unsupported_value"}})
    body = json.dumps({"error": {"message": "Provider returned error", "code": 400,
                                 "metadata": {"raw": upstream, "provider_name": "OpenAI"}}})
    outcome = classify(400, {}, body)
    assert outcome.cls is C.VERIFICATION_REQUIRED
    assert outcome.message.startswith("Your organization must be verified")


def test_python_sdk_repr_of_a_body_is_read() -> None:
    body = ("Error code: 403 - {'error': {'message': 'Project `proj_x` does not have access to "
            "model `o3`', 'type': 'invalid_request_error', 'param': None, 'code': "
            "'model_not_found'}}")
    assert classify(None, {}, body).cls is C.PERMISSION_DENIED


def test_relay_request_id_suffix_does_not_matter() -> None:
    body = ('{"error": {"message": "Your organization must be verified to use the model `gpt-5`.'
            ' (request id: 2025082215093026624875464905761)", "type": "new_api_error"}}')
    assert classify(404, {}, body).cls is C.VERIFICATION_REQUIRED


def test_a_body_with_no_error_wrapper_is_read() -> None:
    body = '{"message": "Incorrect API key provided: kod-460f****2829.", "code": "invalid_api_key"}'
    assert classify(401, {}, body).cls is C.AUTH_FAILED


def test_unknown_body_is_unknown_with_status_and_excerpt() -> None:
    outcome = classify(418, {}, '{"error": {"message": "I am a teapot", "code": "teapot"}}')
    assert outcome.cls is C.UNKNOWN
    assert outcome.status == 418
    assert "teapot" in outcome.message


def test_status_alone_never_decides_403_or_404() -> None:
    assert classify(403, {}, "{}").cls is C.UNKNOWN
    assert classify(404, {}, "").cls is C.UNKNOWN


# --- success and non-API answers -------------------------------------------------------------


@pytest.mark.parametrize("body", [
    '{"id": "chatcmpl-1", "object": "chat.completion", "choices": [{"index": 0}]}',
    '{"id": "resp_1", "object": "response", "status": "incomplete", "output": []}',
    '{"object": "list", "data": [{"object": "embedding", "embedding": [0.1]}]}',
    # a capped read of a multi-megabyte image answer: cut mid-string
    '{"created": 1713833628, "data": [{"b64_json": "iVBORw0KGgoAAAANSUhEUgAA',
    'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[]}\n\n',
    'event: response.created\ndata: {"type":"response.created","response":{}}\n\n',
])
def test_2xx_with_a_known_success_shape_is_ok(body: str) -> None:
    assert classify(200, {}, body).cls is C.OK


@pytest.mark.parametrize(("body", "expected"), [
    ("", C.UNEXPECTED_RESPONSE),
    ("<!DOCTYPE html><html><body>Sign in</body></html>", C.UNEXPECTED_RESPONSE),
    ('{"id": "chatcmpl-1", "obj', C.UNEXPECTED_RESPONSE),
    ("OK", C.UNEXPECTED_RESPONSE),
    # a relay that answers 200 with an error object
    ('{"error": {"message": "You exceeded your current quota", "code": "insufficient_quota"}}',
     C.QUOTA_EXHAUSTED),
    ('data: {"type": "error", "error": {"code": "server_is_overloaded", "message": "Our servers '
     'are currently overloaded."}}\n\n', C.SERVER_ERROR),
])
def test_2xx_without_a_success_shape_is_not_ok(body: str, expected: OutcomeClass) -> None:
    assert classify(200, {}, body).cls is expected


def test_redirect_is_unexpected_response() -> None:
    assert classify(307, {"location": "https://login.example.net"}, "").cls is (
        C.UNEXPECTED_RESPONSE)


def test_bytes_and_invalid_utf8_are_accepted() -> None:
    outcome = classify(401, {}, b'{"error": {"message": "Incorrect API key \xff provided"}}')
    assert outcome.cls is C.AUTH_FAILED


def test_facts_collect_nested_codes_types_and_params() -> None:
    facts = read_facts('{"error": {"message": "x", "type": "T", "param": "stream", '
                       '"code": "unsupported_value"}}')
    assert facts.codes == {"unsupported_value"}
    assert facts.types == {"t"}
    assert facts.params == {"stream"}
    assert facts.shape == "json"


def test_every_class_has_a_hint_and_a_kind() -> None:
    for cls in OutcomeClass:
        details = CLASS_INFO[cls]
        assert details.hint and details.summary
        assert isinstance(details.kind, Kind)


def test_only_transient_classes_are_retryable() -> None:
    retryable = {cls for cls, details in CLASS_INFO.items() if details.retryable}
    assert retryable == {C.RATE_LIMITED, C.SERVER_ERROR, C.TIMEOUT, C.NETWORK_ERROR}
