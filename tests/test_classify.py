"""Classification: every dev-corpus body, and one real body per rule of the table."""

from __future__ import annotations

import json

import pytest

from checker.classify import RULES, classify, classify_client_text, read_facts
from checker.outcomes import CLASS_INFO, Kind, OutcomeClass, info
from checker.rules import CLIENT_RULES, STATUS_LABELS
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
    # dev corpus: poenl/gemini-api#4
    ('region-user-location', 400,
     "{'error': {'code': 400, 'message': 'User location is not supported for the API use.',"
     " 'status': 'FAILED_PRECONDITION'}}",
     C.REGION_BLOCKED),
    # dev corpus: google-gemini/deprecated-generative-ai-python#206
    ('google-quota-spent', 429,
     "429 Quota exceeded for quota metric 'Generate Content API requests per minute' and li"
     "mit 'GenerateContent request limit per minute for a region' of service 'generativelan"
     'guage.googleapis.com\' for consumer \'project_number:99429294349\'. [reason: "RATE_LI'
     'MIT_EXCEEDED"\ndomain: "googleapis.com"\nmetadata {\n  key: "service"\n  value: "gene'
     'rativelanguage.googleapis.com"\n}\nmetadata {\n  key: "quota_metric"\n  value: "gener'
     'ativelanguage.googleapis.com/generate_content_requests"\n}\nmetadata {\n  key: "quota'
     '_location"\n  value: "us-west4"\n}\nmetadata {\n  key: "quota_limit"\n  value: "Gener'
     'ateContentRequestsPerMinutePerProjectPerRegion"\n}\nmetadata {\n  key: "quota_limit_v'
     'alue"\n  value: "0"\n}\nmetadata {\n  key: "consumer"\n  value: "projects/99429294349'
     '"\n}\n, links {\n  description: "Request a higher quota limit."\n  url: "https://clou'
     'd.google.com/docs/quota#requesting_higher_quota"\n}\n]',
     C.QUOTA_EXHAUSTED),
    # DEV-2: GoogleCloudPlatform/generative-ai#382
    ('google-quota-per-minute', 429,
     "Quota exceeded for quota metric 'Generate Content API requests per min"
     "ute' and limit 'GenerateContent request limit per minute for a region'"
     " of service 'generativelanguage.googleapis.com'",
     C.RATE_LIMITED),
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
    ("account-deactivated-code", 401,
     '{"error": {"message": "This key is associated with a deactivated account.", "type": '
     '"invalid_request_error", "param": null, "code": "account_deactivated"}}',
     C.ACCOUNT_DISABLED),
    ("access-terminated-type", 429,
     '{"error": {"message": "Your access was terminated due to violation of our policies", '
     '"type": "access_terminated", "param": null, "code": null}}', C.ACCOUNT_DISABLED),
    # dev corpus: babaohuang/GeminiProChat#122
    ('account-suspended-reason', 403,
     '[GoogleGenerativeAI Error]: Error fetching from [403 Forbidden] Permission denied: Co'
     'nsumer \'api_key:AIzaSyB9IojgeZxxxANOw3RhahRT1_xxx\' has been suspended. [{"@type":"t'
     'ype.googleapis.com/google.rpc.ErrorInfo","reason":"CONSUMER_SUSPENDED","domain":"goog'
     'leapis.com","metadata":{"service":"generativelanguage.googleapis.com","consumer":"pro'
     'jects/82087571650"}}]',
     C.ACCOUNT_DISABLED),
    ("account-disabled-text", 403,
     '{"error":{"code":"Forbidden","message":"Your resource has been temporarily blocked because '
     'we detected behavior that may violate our content policy."}}', C.ACCOUNT_DISABLED),
    # DEV-2: Wei-Shaw/sub2api#1566
    ('permission-code', 401,
     'Authentication failed (401): {\n  "error": {\n    "message": "You have i'
     'nsufficient permissions for this operation. Missing scopes: api.respon'
     'ses.write. Check that you have the correct role in your organization ('
     "Reader, Writer, Owner) and project (Member, Owner), and if you're usin"
     'g a restricted API key, that it has the necessary scopes.",\n    "type"'
     ': "invalid_request_error",\n    "param": null,\n    "code": "missing_sco'
     'pe"\n  }\n}',
     C.PERMISSION_DENIED),
    ("project-allowlist", 403,
     '{"error": {"message": "Project `proj_9KoeXdtHe0YQJbsF2FQAKmzl` does not have access to '
     'model `gpt-4o-mini`", "type": "invalid_request_error", "param": null, "code": '
     '"model_not_found"}}', C.PERMISSION_DENIED),
    ("key-model-restriction-type", 401,
     '{"error": {"message": "key not allowed to access model. This key can only access '
     "models=['gpt-5']. Tried to access claude-sonnet-4-20250514\", \"type\": "
     '"key_model_access_denied", "param": "model", "code": "401"}}', C.PERMISSION_DENIED),
    # truefoundry/models#949 (a gateway's 403, printed by the OpenAI Python SDK; fragment)
    ("key-model-restriction", None,
     "openai.PermissionDeniedError: Error code: 403 - {'status': 'failure', 'message': 'User "
     "gateway-tester-v2-39655442-6 is not authorized to access model test-v2-openrouter/x-ai-"
     "grok-4 or model does not exist', 'error': {'message': 'User gateway-tester-v2-39655442-6 "
     "is not authorized to access model test-v2-openrouter/x-ai-grok-4 or model does not exist'"
     ", 'type': 'AuthorizationError', 'code': '403'}",
     C.PERMISSION_DENIED),
    # dev corpus: dirkpetersen/our-chat#3
    ('permission-exception', None,
     'botocore.errorfactory.AccessDeniedException: An error occurred (AccessDeniedException'
     ") when calling the InvokeModel operation: You don't have access to the model with the"
     ' specified model ID.',
     C.PERMISSION_DENIED),
    # dev corpus: mhawksey/GeminiApp#10
    ('permission-reason', 403,
     '{\n  "error": {\n    "code": 403,\n    "message": "Requests from referer \\u003cempty'
     '\\u003e are blocked.",\n    "status": "PERMISSION_DENIED",\n    "details": [\n      {'
     '\n        "@type": "type.googleapis.com/google.rpc.ErrorInfo",\n        "reason": "AP'
     'I_KEY_HTTP_REFERRER_BLOCKED",\n        "domain": "googleapis.com",\n        "metadata'
     '": {\n          "consumer": "projects/XXXXXXXXXXXX",\n          "service": "generativ'
     'elanguage.googleapis.com",\n          "httpReferrer": "\\u003cempty\\u003e"\n        '
     '}\n      },\n      {\n        "@type": "type.googleapis.com/google.rpc.LocalizedMessa'
     'ge",\n        "locale": "en-US",\n        "message": "Requests from referer \\u003cem'
     'pty\\u003e are blocked."\n      }\n    ]\n  }\n}',
     C.PERMISSION_DENIED),
    # dev corpus: microsoft/microsoft-foundry-for-vscode#247
    ('azure-rbac-text', None,
     'Failed to load vector stores for project CrossPostMe: The principal `377025c5-0931-43'
     '7c-bffe-0b4ee77d31bb` lacks the required data action `Microsoft.CognitiveServices/acc'
     'ounts/AIServices/assets/read` to perform `GET /api/projects/{projectName}/vector_stor'
     'es` operation. For instructions on granting the necessary permissions, see https://ak'
     'a.ms/FoundryPermissions.',
     C.PERMISSION_DENIED),
    # DEV-2: continuedev/continue#12547
    ('azure-network-acl', 403,
     '{"code":"403","message":"A Virtual Network is configured for this reso'
     'urce. Please use the correct endpoint for making requests. Check https'
     '://aka.ms/cogsvc-vnet for more details."}',
     C.PERMISSION_DENIED),
    # DEV-3: BerriAI/litellm#3372 (a virtual key on an Azure-style route)
    ('relay-route-not-allowed', 401,
     '{\n\t"error": {\n\t\t"message": "Authentication Error, Only master key can be used to '
     'generate, delete, update info for new keys/users/teams. Route=/openai/deployments/gpt-3'
     '5-turbo/chat/completions",\n\t\t"type": "auth_error",\n\t\t"param": "None",\n\t\t"cod'
     'e": 401\n\t}\n}',
     C.PERMISSION_DENIED),
    # dev corpus: rominirani/genai-apptemplates-googlecloud#4
    ('iam-text', None,
     'details = "Permission \'aiplatform.endpoints.predict\' denied on resource \'//aiplatf'
     'orm.googleapis.com/projects/genai-playground-397314/locations/us-central1/publishers/'
     'google/models/chat-bison@001\' (or it may not exist)."',
     C.PERMISSION_DENIED),
    # dev corpus: BerriAI/litellm#10378
    ('model-access-text', None,
     'litellm.APIConnectionError: BedrockException - {"message":"You don\'t have access to '
     'the model with the specified model ID."}',
     C.PERMISSION_DENIED),
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
    # dev corpus: google-gemini/deprecated-generative-ai-python#481
    ('auth-reason', 400,
     'google.api_core.exceptions.InvalidArgument: 400 API key not valid. Please pass a vali'
     'd API key. [reason: "API_KEY_INVALID" domain: "googleapis.com" metadata {   key: "ser'
     'vice"   value: "generativelanguage.googleapis.com" } ]',
     C.AUTH_FAILED),
    # dev corpus: vercel/ai#4163
    ('auth-exception', None,
     'UnrecognizedClientException: The security token included in the request is invalid.',
     C.AUTH_FAILED),
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
    # dev corpus: google/adk-python#200
    ('model-not-found-rpc', 404,
     "{'error': {'code': 404, 'message': 'models/gemini-2.0-flash-live-001 is not found for"
     ' API version v1beta, or is not supported for generateContent. Call ListModels to see '
     "the list of available models and their supported methods.', 'status': 'NOT_FOUND'}}",
     C.MODEL_NOT_FOUND),
    ("model-not-found-text", 503,
     '{"error": {"message": "\\u5f53\\u524d\\u5206\\u7ec4 default \\u4e0b\\u5bf9\\u4e8e\\u6a21'
     '\\u578b gpt-5 \\u65e0\\u53ef\\u7528\\u6e20\\u9053 '
     '(request id: 2025082215093026624875464905761)"'
     ', "type": "one_api_error"}}', C.MODEL_NOT_FOUND),
    # dev corpus: ollama/ollama-python#149
    ('model-not-found-local', None,
     "model 'llama2' not found, try pulling it first",
     C.MODEL_NOT_FOUND),
    # dev corpus: netease-youdao/QAnything#555
    ('model-not-found-local', 404,
     '{\'error\': {\'message\': \'model "ollama" not found, try pulling it first\', \'type'
     "': 'api_error', 'param': None, 'code': None}}",
     C.MODEL_NOT_FOUND),
    # dev corpus: googleapis/python-aiplatform#3574
    ('model-not-found-google', 404,
     '404 Publisher Model `publishers/google/models/claude-3-sonnet` is not found.',
     C.MODEL_NOT_FOUND),
    # dev corpus: aws-samples/amazon-bedrock-workshop#315
    ('model-not-found-bedrock', None,
     'ValidationException: An error occurred (ValidationException) when calling the InvokeM'
     'odel operation: The provided model identifier is invalid.',
     C.MODEL_NOT_FOUND),
    ("probe-param-code", 400,
     '{"error": {"message": "Unsupported parameter: \'max_tokens\' is not supported with this '
     "model. Use 'max_completion_tokens' instead.\", \"type\": \"invalid_request_error\", "
     '"param": "max_tokens", "code": "unsupported_parameter"}}', C.PROBE_REJECTED),
    # dev corpus: anthropics/claude-code#10314
    ('probe-type', 413,
     '{"error":{"type":"request_too_large","message":"Request exceeds the maximum size"}}',
     C.PROBE_REJECTED),
    ("probe-param-text", None,
     "Invalid value: '2560x1440'. Supported values are: '1024x1024', '1024x1536', '1536x1024', "
     "and 'auto'.", C.PROBE_REJECTED),
    # dev corpus: hotovo/aider-desk#460
    ('azure-api-version', None,
     '{"error":{"code":"BadRequest","message":"API version not supported"}}',
     C.PROBE_REJECTED),
    # DEV-2: MerlinStacks/overseek#29
    ('relay-no-matching-endpoint', 404,
     '{"level":50,"time":"2026-02-11T10:38:11.021Z","status":404,"error":"{\\'
     '"error\\":{\\"message\\":\\"No endpoints found that support tool use. To l'
     'earn more about provider routing, visit: https://openrouter.ai/docs/gu'
     'ides/routing/provider-selection\\",\\"code\\":404}}","accountId":"eed0e40'
     '1-4dde-4a57-bee0-d41689bb2dfd","msg":"OpenRouter Error"}',
     C.PROBE_REJECTED),
    # DEV-2: hiyouga/LlamaFactory#2644
    ('request-validation', 422,
     "{'detail': [{'loc': ['body', 'messages', 2, 'content'], 'msg': 'none i"
     "s not an allowed value', 'type': 'type_error.none.not_allowed'}]}",
     C.PROBE_REJECTED),
    ("request-too-large", 429,
     "Request too large for gpt-5 in organization org-123456 on tokens per min (TPM): Limit "
     "30000, Requested 36055.", C.PROBE_REJECTED),
    # DEV-3: zhangrenyang/chatgpt#46 (a doubled /v1 through Cloudflare AI Gateway)
    ('wrong-route-code', 404,
     '{\n  "error": {\n    "type": "invalid_request_error",\n    "code": "unknown_url",\n    "'
     'message": "Unknown request URL: POST /v1/v1/chat/completions. Please check the URL for t'
     'ypos, or see the docs at https://platform.openai.com/docs/api-reference/.",\n    "param'
     '": null\n  }\n}',
     C.PROBE_REJECTED),
    # dev corpus: ollama/ollama#5830
    ('wrong-route', 404,
     '404 page not found',
     C.PROBE_REJECTED),
    # dev corpus: microsoft/graphrag#1863
    ('azure-resource-not-found', 404,
     "{'error': {'code': '404', 'message': 'Resource not found'}}",
     C.PROBE_REJECTED),
    # dev corpus: microsoft/agent-lightning#290
    ('relay-cooldown', None,
     'No deployments available for selected model, Try again in 5 seconds. Passed model=Qwe'
     "n/Qwen2.5-0.5B-Instruct. pre-call-checks=False, cooldown_list=['3dfdf3fc7bce8b4337b0c"
     "174251a6cff311d9f85b7afb2d3214bdbdfecd3b907']",
     C.RATE_LIMITED),
    ("rate-limit-code", 429,
     '{"error": {"message": "Rate limit reached for gpt-4o in organization org-x on requests per '
     'min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.", "type": "requests", '
     '"param": null, "code": "rate_limit_exceeded"}}', C.RATE_LIMITED),
    ("rate-limit-type", 429,
     '{"type": "error", "error": {"type": "rate_limit_error", "message": "Number of request '
     'tokens has exceeded your per-minute limit."}}', C.RATE_LIMITED),
    # dev corpus: anthropics/claude-code#1466
    ('rate-limit-exception', None,
     'An error occurred (ThrottlingException) when calling the InvokeModel operation (reach'
     'ed max retries: 2): Too many tokens, please wait before trying again.',
     C.RATE_LIMITED),
    ("rate-limit-rpc", 429,
     '[{"error": {"code": 429, "message": "Resource has been exhausted (e.g. check quota).", '
     '"status": "RESOURCE_EXHAUSTED"}}]', C.RATE_LIMITED),
    # dev corpus: Aider-AI/aider#1263
    ('rate-limit-rpc', None,
     'litellm.llms.vertex_httpx.VertexAIError: {\n  "error": {\n    "code": 429,\n    "mess'
     'age": "Resource has been exhausted (e.g. check quota).",\n    "status": "RESOURCE_EXH'
     'AUSTED"\n  }\n}',
     C.RATE_LIMITED),
    ("rate-limit-text", 429,
     "429 Rate limit reached for gpt-4o in organization org-uOtiSEwvUnroadaOnJJquBEC on tokens "
     "per min (TPM): Limit 30000, Used 29937, Requested 385. Please try again in 644ms.",
     C.RATE_LIMITED),
    # dev corpus: microsoft/vscode#292471
    ('timeout-code', 408,
     '{"error":{"message":"Timed out reading request body. Try again, or use a smaller requ'
     'est size.","code":"user_request_timeout"}}',
     C.TIMEOUT),
    # dev corpus: BerriAI/litellm#3279
    ('timeout-text', None,
     '{\n  "error": {\n    "message": "APITimeoutError - Request timed out. \\n model: azur'
     'e/chatgpt-v-2 \\n api_base: https://openai-gpt-4-test-v-1.openai.azure.com/ \\n error'
     '_str: Request timed out.",\n    "type": null,\n    "param": null,\n    "code": 408\n '
     ' }\n}',
     C.TIMEOUT),
    ("server-type", 500,
     '{"error": {"message": "The server had an error processing your request.", "type": '
     '"server_error", "param": null, "code": null}}', C.SERVER_ERROR),
    ("server-code", 500,
     '{"error": {"code": "InternalServerError", "message": "Backend returned unexpected '
     'response. Please contact Microsoft for help."}}', C.SERVER_ERROR),
    # dev corpus: google-gemini/cookbook#425
    ('server-rpc', 503,
     "{'error': {'code': 503, 'message': 'The model is overloaded. Please try again later.'"
     ", 'status': 'UNAVAILABLE'}}",
     C.SERVER_ERROR),
    ("server-text", 502,
     "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n<center><h1>502 Bad Gateway"
     "</h1></center>\n<hr><center>cloudflare</center>", C.SERVER_ERROR),
    # quiccklabs/Labs_solutions#28 (Vertex AI through gRPC, as Python printed it; fragment)
    ("permission-rpc", None,
     "status = StatusCode.PERMISSION_DENIED\n\tdetails = \"Permission denied on resource "
     "project qwiklabs-gcp-04-53b3d52c8891 .\"",
     C.PERMISSION_DENIED),
    # dev corpus: google-gemini/gemini-cli#1463
    ('auth-rpc', 401,
     '✕ [API Error: API keys are not supported by this API. Expected OAuth2 access token or'
     ' other authentication credentials that assert a principal. See \n  https://cloud.goog'
     'le.com/docs/authentication (Status: UNAUTHENTICATED)]',
     C.AUTH_FAILED),
    ("permission-text", 403,
     '{"type": "error", "error": {"type": "permission_error", "message": "Your API key does not '
     'have permission to use the specified resource."}}', C.PERMISSION_DENIED),
    # dev corpus: anthropics/claude-code#17848
    ('permission-text', 403,
     '{"type":"error","error":{"type":"permission_error","message":"Permission denied"},"re'
     'quest_id":"req_011CX4kyMNYV8HGKS4XAgwkP"}',
     C.PERMISSION_DENIED),
    # dev corpus: ollama/ollama#5830
    ('invalid-request-type', 400,
     '{"error":{"message":"EOF","type":"invalid_request_error","param":null,"code":null}}',
     C.PROBE_REJECTED),
    # dev corpus: snailyp/gemini-balance#206
    ('invalid-argument-rpc', 400,
     '{\n"error": {\n"code": 400,\n"message": "Budget 0 is invalid. This model only works i'
     'n thinking mode.",\n"status": "INVALID_ARGUMENT"\n}\n}',
     C.PROBE_REJECTED),
    # mlcommons/modelbench#1654 (Bedrock Converse through boto3)
    ("validation-exception", None,
     "An error occurred (ValidationException) when calling the Converse operation: This action "
     "doesn't support the model that you provided. Try again with a supported text or chat "
     "model.", C.PROBE_REJECTED),
    # pingcap/autoflow#574: AWS's "Malformed input request" is read by its phrase
    ("probe-param-text", None,
     "botocore.errorfactory.ValidationException: An error occurred (ValidationException) when "
     "calling the InvokeModel operation: Malformed input request: #: subject must not be valid "
     "against schema {\"required\":[\"messages\"]}#: extraneous key [response_mime_type] is "
     "not permitted, please reformat your input and try again.",
     C.PROBE_REJECTED),
    ("invalid-url", 404,
     '{"error": {"message": "Invalid URL (POST /v1/chat/completion)", "type": '
     '"invalid_request_error", "param": null, "code": null}}', C.PROBE_REJECTED),
    ("bot-wall", 403, "403 Please enable cookies.", C.UNEXPECTED_RESPONSE),
    ("html-5xx", 524,
     "<!DOCTYPE html><html><head><title>api.example.com | 524: A timeout occurred</title>"
     "</head><body>The origin web server timed out responding to this request.</body></html>",
     C.SERVER_ERROR),
    ("html-page", 404,
     "<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1>"
     "</center><hr><center>nginx</center></body></html>", C.UNEXPECTED_RESPONSE),
    # openai-node prints an empty answer as "<status> status code (no body)" (continuedev/
    # continue#10277 shows the 401 form; code that handles Cerebras' empty 429s quotes this one)
    ("status-429", 429, "429 status code (no body)", C.RATE_LIMITED),
    # DEV-3: diffbot/code-gpt-docs#33 (axios behind a proxy that wants credentials)
    ("status-407", 407,
     "OpenAI API Response was: Error: Request failed with status code 407. More information "
     "about this error: https://www.codegpt.co/docs/tutorial-basics/api_errors",
     C.NETWORK_ERROR),
    ("status-5xx", 504, '{"detail": "upstream request timeout"}', C.SERVER_ERROR),
    # Round 8: google-gemini/gemini-cli#18811 (the message of INVALID_ARGUMENT, printed alone)
    ('invalid-argument-text', None,
     '[API Error: Failed to generate content: Request contains an invalid argument.]',
     C.PROBE_REJECTED),
    # sherlcok314159/reverse-kimi#13 (a relay in front of Kimi, Go)
    ('relay-got-no-json', None,
     "错误:invalid character 'd' looking\nfor beginning of value",
     C.UNEXPECTED_RESPONSE),
    # Round 7: spring-projects/spring-ai#1349 (Vertex through gRPC: an HTML page came back)
    ("grpc-got-html", 404,
     'io.grpc.StatusRuntimeException: UNIMPLEMENTED: HTTP status code 404\n\ninvalid'
     ' content-type: text/html; charset=UTF-8',
     C.UNEXPECTED_RESPONSE),
    # Round 6: anthropics/claude-code#14646 (Claude on Vertex through Claude Code)
    ("not-found-rpc", 404,
     'API Error: 404 {"error":{"code":404,"message":"Requested entity was not found.","status":'
     '"NOT_FOUND"}}', C.PROBE_REJECTED),
    # Round 5: theopenco/llmgateway#3393 (Bedrock's OpenAI-compatible endpoint, as logged)
    ("account-model-restriction", 401,
     "openai.gpt-5.6-luna is not available for this account. You can explore\n            other "
     "available models on Amazon Bedrock. For additional access options,\n            contact "
     "AWS Sales at https://aws.amazon.com/contact-us/sales-support/", C.PERMISSION_DENIED),
    # Round 4 (from HELD-OUT and HELD-OUT-2 after they were measured):
    # aws/aws-cli#8717: every model of an account AWS had not cleared ("an issue with the
    # account"); read as a refusal of access since round 13 (HELD-OUT-9 and -10's collectors)
    ("aws-operation-not-allowed", None,
     "An error occurred (ValidationException) when calling the InvokeModel operation: "
     "Operation not allowed", C.PERMISSION_DENIED),
    # ppipada/flexigpt-vscode-extension#8 (Anthropic, a wrong path)
    ("wrong-route-type", 404,
     '{\n"type": "error",\n"error": {\n"type": "not_found_error",\n"message": "Not Found"\n}\n}',
     C.PROBE_REJECTED),
    # father-bot/chatgpt_telegram_bot#419 (openai-python 0.x behind a relay)
    ("sdk-invalid-response", 404,
     "Something went wrong during completion. Reason: Invalid response object from API: "
     "'404 Not Found' (HTTP response code was 404).", C.UNEXPECTED_RESPONSE),
    # Round 9: rows that read a kind of answer by its words, not one wording.
    # router-for-me/CLIProxyAPI#3185 (a relay): a part of the request, and a word refusing it
    ("request-part-refused", None,
     '{"success":false,"result":[],"messages":[],"error":[{"code":2019,"message":"Chat '
     'completion bad format"}]}',
     C.PROBE_REJECTED),
    # BerriAI/litellm#4438: the error's name says the service failed, whatever follows
    ("server-exception-name", None,
     "litellm.exceptions.ServiceUnavailableError: BedrockException - cannot access local "
     "variable 'data' where it is not associated with a value LiteLLM Retried: 1 times, "
     "LiteLLM Max Retries: 2",
     C.SERVER_ERROR),
    # hsliuping/TradingAgents-CN#170 (Alibaba DashScope, an account in arrears)
    ("money-words", None,
     "{'error': {'code': 'Arrearage', 'param': None, 'message': 'Access denied, please make "
     "sure your account is in good standing.', 'type': 'Arrearage'}, 'id': 'chatcmpl-f9fdb02"
     "7-830c-9e05-8366-ce479a878825', 'request_id': 'f9fdb027-830c-9e05-8366-ce479a878825'}",
     C.QUOTA_EXHAUSTED),
    # Round 11 (HELD-OUT-8 after it was measured).
    # MoonshotAI/kimi-cli#1996 (wrapped by the terminal; the type split across lines)
    ("credential-words", 401,
     "{'error': {'message': 'The API Key appears to be invalid or\nmay have expired. Please "
     "verify your credentials and try again.', 'type': 'invalid_aut\nhentication_error'}}",
     C.AUTH_FAILED),
    # continuedev/continue#10184 (Ollama's words as Continue shows them)
    ("model-words-not-found", None,
     'The model "llama3.1:8b" was not found. To download it, run `ollama run llama3.1:8b`.',
     C.MODEL_NOT_FOUND),
    # chatboxai/chatbox#2114 (Ollama's runner died mid-answer)
    ("server-backend-eof", None,
     '{"error":"an error was encountered while running the model: unexpected EOF"}',
     C.SERVER_ERROR),
]

# Real bodies that a rule reads since rounds 4 to 8 widened it to the stable part of a wording.
WIDENED_SAMPLES: list[tuple[str, int | None, str, OutcomeClass]] = [
    # google-gemini/gemini-cli#14603: the phrase beats the body's INVALID_ARGUMENT
    ("model-access-text", 400,
     '[API Error: [{\n    "error": {\n      "code": 400,\n      "message": "You don\'t have '
     'access to this model or the model name is invalid",\n      "errors": [\n        {\n'
     '          "message": "You don\'t have access to this model or the model name is invalid",'
     '\n          "domain": "global",\n          "reason": "badRequest"\n        }\n      ],\n'
     '      "status": "INVALID_ARGUMENT"\n    }\n  }\n  ]]', C.PERMISSION_DENIED),
    # vercel/ai#13302 (Vercel AI Gateway)
    ("auth-text", None,
     "Error [GatewayAuthenticationError]: Unauthenticated request to AI Gateway.\n\nTo "
     "authenticate, set the AI_GATEWAY_API_KEY environment variable with your API key.",
     C.AUTH_FAILED),
    # HeyPuter/puter#3168 (Together)
    ("model-not-found-code", 400,
     '{"id":"okkMWzu-2kFHot-a023f611fd50ff7e","error":{"message":"The dedicated endpoint for '
     'mistralai/Mixtral-8x22B-Instruct-v0.1 is not running. Please visit '
     'https://api.together.ai/models to start the endpoint.","type":"invalid_request_error",'
     '"param":null,"code":"dedicated_endpoint_not_running"}}', C.MODEL_NOT_FOUND),
    # ruoccofabrizio/azure-open-ai-embeddings-qna#16 (Azure, openai-python 0.x)
    ("model-not-found-text", None,
     "InvalidRequestError: The API deployment for the resource does not exist.",
     C.MODEL_NOT_FOUND),
    # continuedev/continue#10150 (LM Studio)
    ("server-text", 400, '400 Failed to load model "gpt-oss-20b". Error: Error loading model.',
     C.SERVER_ERROR),
    # continuedev/continue#12670 (xAI)
    ("quota-text", 403,
     '403 "Your newly created team doesn\'t have any credits or licenses yet. You can purchase '
     'those on https://console.x.ai/team/481c7584-ab46-4974-b86b-a4978384e229."',
     C.QUOTA_EXHAUSTED),
    # ChatGPTNextWeb/NextChat#3581 (FastAPI's 404, pretty-printed)
    ("wrong-route", 404, '{\n  "detail": "Not Found"\n}', C.PROBE_REJECTED),
    # Round 5 (HELD-OUT-3 after it was measured). openai/openai-node#1730 (a Responses stream)
    ("server-text", None,
     "An error occurred while processing your request. You can retry your request, or contact "
     "us through our help center at help.openai.com if the error persists. Please include the "
     "request ID req_1332ed8a813a4caaa2f0f3c55a6a68cb in your message.", C.SERVER_ERROR),
    # ollama/ollama#5628
    ("server-text", None,
     "Error: llama runner process has terminated: exit status 0xc0000409 error:failed to create "
     "context with model 'C:\\Users\\ChatAI\\.ollama\\models\\blobs\\sha256-916173d92319f80a29d"
     "b51321f7cb3441f326bac95c421de809e1d08eaaeb693'", C.SERVER_ERROR),
    # MoonshotAI/Kimi-K2#5 (masking as the report shows it)
    ("quota-type", 403,
     '{"error":{"message":"Your account xx> is not active, organization <xx> exceeded current '
     'quota, please check your plan and billing details","type":"exceeded_current_quota_error"}}',
     C.QUOTA_EXHAUSTED),
    # louisho5/picobot#6: Ollama's OpenAI-compatible endpoint; the phrase beats `api_error`
    ("probe-param-text", 400,
     '{"error":{"message":"registry.ollama.ai/library/gemma3:4b does not support tools",'
     '"type":"api_error","param":null,"code":null}}', C.PROBE_REJECTED),
    # aws-samples/sample-connector-for-bedrock#87
    ("probe-param-text", None,
     "The model returned the following errors: `temperature` and `top_p` cannot both be "
     "specified for this model. Please use only one.", C.PROBE_REJECTED),
    # diffbot/code-gpt-docs#300 (Bedrock InvokeModel, no exception name printed)
    ("probe-param-text", None,
     "Error: Malformed input request: #: subject must not be valid against schema "
     "{required:[messages]}#: required key [max_tokens] not found, please reformat your input "
     "and try again.", C.PROBE_REJECTED),
    # GoogleCloudPlatform/application-integration-samples#12
    ("probe-param-text", 400,
     "Code 400, Gemini cannot be accessed through Vertex Predict/RawPredict API.",
     C.PROBE_REJECTED),
    # NousResearch/hermes-agent#32678 (Claude on Vertex, the global region)
    ("model-not-found-google", None,
     "FAILED_PRECONDITION:\nPublisher Model .../publishers/anthropic/models/claude-sonnet-5\nis "
     "not servable in region global.", C.MODEL_NOT_FOUND),
    # songquanpeng/one-api#1900 (a relay in front of Anthropic, anthropic-python's print)
    ("invalid-url", 404,
     "{'error': {'message': 'Invalid URL (POST /v1/messages)', 'type': 'invalid_request_error', "
     "'param': '', 'code': ''}}", C.PROBE_REJECTED),
    # Round 6 (HELD-OUT-4 after it was measured). continuedev/continue#6185 (Mistral): the
    # phrase beats `invalid_request_error`
    ("server-text", None,
     '{"object":"error","message":"Service tier capacity exceeded for this model.","type":'
     '"invalid_request_error","param":null,"code":null}', C.SERVER_ERROR),
    # ollama/ollama#10920
    ("server-text", None,
     "Error: model requires more system memory (164.8 GiB) than is available (13.4 GiB)",
     C.SERVER_ERROR),
    # langchain-ai/langchainjs#2768 (Bedrock InvokeModel)
    ("server-text", None,
     "The system encountered an unexpected error during processing. Try your request again.",
     C.SERVER_ERROR),
    # stackblitz-labs/bolt.diy#56 (Groq through the Vercel AI SDK)
    ("probe-param-text", None,
     "APICallError [AI_APICallError]: max_tokens for preview model `llama-3.1-8b-instant` must "
     "be less than or equal to 8000", C.PROBE_REJECTED),
    # BerriAI/litellm#19384 (Bedrock Converse passed on by LiteLLM; cut)
    ("probe-param-text", None,
     "litellm.BadRequestError: BedrockException - {\"message\":\"11 validation errors detected: "
     "Value '' at 'toolConfig.tools.1.member.toolSpec.name' failed to satisfy constraint: Member "
     "must satisfy regular expression pattern: [a-zA-Z0-9_-]+", C.PROBE_REJECTED),
    # ding113/claude-code-hub#474 (a relay's print of an upstream's Anthropic-style error)
    ("probe-param-text", 400,
     'Provider yes**** returned 400: Provider returned 400: 400 | Upstream: {"error":{"type":'
     '"\\u003cnil\\u003e","message":"prompt is too long: 220383 tokens \\u003e 200000 maximum '
     '(request id: 2025122922523952222015Tdg4wtx9)"},"type":"error"}', C.PROBE_REJECTED),
    # justlovemaki/AIClient2API#274 (a relay in front of an AWS-signed upstream)
    ("auth-text", 403, "API call failed: 403 - The bearer token included in the request is "
                       "invalid.", C.AUTH_FAILED),
    # BerriAI/litellm#25466: LiteLLM's router has no deployment of that model name
    ("model-not-found-text", None,
     "litellm.exceptions.BadRequestError: litellm.BadRequestError: You passed in "
     "model=nonexistent-model. There are no healthy deployments for this model. Received Model "
     "Group=nonexistent-model\nAvailable Model Group Fallbacks=None", C.MODEL_NOT_FOUND),
    # Round 7 (HELD-OUT-5 after it was measured).
    # 64bit/async-openai#68 (the Rust SDK's Debug print)
    ('model-not-found-text', None,
     'Error: ApiError(ApiError { message: "The model: `code-davinci-002` does not ex'
     'ist", type: "invalid_request_error", param: None, code: Some(String("model_not'
     '_found")) })',
     C.MODEL_NOT_FOUND),
    # Aider-AI/aider#4029 (LiteLLM passing Azure on)
    ('azure-api-version', None,
     'litellm.BadRequestError: AzureException - Azure OpenAI Responses API is enable'
     'd only for api-version 2025-03-01-preview\nand later',
     C.PROBE_REJECTED),
    # dinoanderson/qwen_cli_coder#1 (DashScope, through a CLI)
    ('auth-code', 401,
     '[API Error: Qwen API error: 401 - {"code":"InvalidApiKey","message":"Invalid A'
     'PI-key provided.","request_id":"01415ff3-53f4-989d-83c0-3eb61fa1418e"}]',
     C.AUTH_FAILED),
    # langgenius/dify#5850 (Zhipu: the account is in arrears, recharge and retry)
    ('quota-text', 429,
     'Error code: 429, with error text {"error":{"code":"1113","message":"您的账户已欠费，请充'
     '值后重试。"}}',
     C.QUOTA_EXHAUSTED),
    # microsoft/semantic-kernel#8525 (OpenAI through Azure.Core)
    ('wrong-route', 404,
     'HTTP 404 (invalid_request_error: unknown_url)\n\nUnknown request URL: POST /ch'
     'at/completions. Please check the URL for typos, or see the docs at https://pla'
     'tform.openai.com/docs/api-reference/.',
     C.PROBE_REJECTED),
    # LostRuins/koboldcpp#1189 (KoboldCpp)
    ('server-type', None,
     'Error occurred during text generation: {"detail":{"msg":"Server is busy; pleas'
     'e try again later.","type":"service_unavailable"}}',
     C.SERVER_ERROR),
    # SillyTavern/SillyTavern#93 (KoboldAI's field validation)
    ('probe-param-text', None,
     "{ detail: { stop_sequence: [ 'Unknown field.' ] } }",
     C.PROBE_REJECTED),
    # janhq/jan#4686 (Jan)
    ('server-text', 400,
     'API Error: BadRequestError("Error code: 400 - {\'message\': \'Engine is not lo'
     'aded yet\'}")',
     C.SERVER_ERROR),
    # RooCodeInc/Roo-Code#248 (Bedrock through Roo Code)
    ('probe-param-text', None,
     'Error: The maximum tokens you requested exceed the model limit of 4096. Try ag'
     'ain with a maximum tokens value lower than 4096.',
     C.PROBE_REJECTED),
    # router-for-me/CLIProxyAPI#2442 (Anthropic, the message wrapped in a relay's print)
    ('account-disabled-text', 400,
     'API Error: 400 {"type":"error","error":{"type":"invalid_request_error","messag'
     'e":"This organization has been\ndisabled."},"request_id":"req_011CZam6yhqAXwts'
     'QmHZ4Yuc"}',
     C.ACCOUNT_DISABLED),
    # langchain-ai/deepagents#4485 (Claude on Vertex)
    ('probe-param-text', 400,
     '400 FAILED_PRECONDITION: claude-sonnet-4-6 is not supported in the generateCon'
     'tent API.',
     C.PROBE_REJECTED),
    # kirodotdev/Kiro#11026 (Bedrock through Kiro)
    ('probe-param-text', None,
     'Bedrock error message: The value at toolConfig.tools.26.toolSpec.inputSchema.j'
     'son.type must be one of the following: object. (request_id: 3e8e6713-236a-49f5'
     '-b3ff-9179832c3885)',
     C.PROBE_REJECTED),
    # Round 8 (HELD-OUT-6 after it was measured; no fresh sample measured these).
    # irudnyts/openai#68 (OpenAI through an R client)
    ('probe-param-text', 400,
     'OpenAI API request failed [400]: you must provide a model parameter',
     C.PROBE_REJECTED),
    # elizaOS/eliza#5023 (the reporter's placeholder kept)
    ('project-allowlist', None,
     "Project `my key' does not have access to model `gpt-4o`",
     C.PERMISSION_DENIED),
    # serac-labs/serac#53 (an OpenAI-compatible server)
    ('probe-param-text', None,
     'After the (optional) system message(s), user or tool message(s) should alterna'
     'te with assistant message(s).',
     C.PROBE_REJECTED),
    # adesso-ai/homebrew-streb#5 (Claude on Vertex through LiteLLM)
    ('probe-param-text', 400,
     'API Error: 400 {"error":{"message":"{\\"type\\":\\"error\\",\\"error\\":{\\"ty'
     'pe\\":\\"invalid_request_error\\",\\"message\\":\\"Unexpected value(s)\n     `'
     'prompt-caching-scope-2026-01-05` for the `anthropic-beta` header. Please consu'
     'lt our documentation at docs.anthropic.com or try again without the\n     head'
     'er.\\"},\\"request_id\\":\\"req_vrtx_011CXizW8m3443QLJVVZH13k\\"}. Received Mo'
     'del Group=claude-sonnet-4-5-20250929\\nAvailable Model Group\n     Fallbacks=N'
     'one","type":"None","param":"None","code":"400"}}',
     C.PROBE_REJECTED),
    # ai-christianson/RA.Aid#182 (Gemini, a terminal-boxed print)
    ('quota-text', 429,
     "Encountered ResourceExhausted: 429 Gemini 2.5 Pro Preview doesn't have a free "
     'quota tier. Please use Gemini │\n│ 2.5 Pro Experimental (models/gemini-2.5.pro'
     '-exp-03-25) instead. For more information on this error, head    │\n│ to: http'
     's://ai.google.dev/gemini-api/docs/rate-limits. [violations { } violations { } '
     'violations { }        │\n│ violations { } , links { description: "Learn more a'
     'bout Gemini API quotas" url:                             │\n│ "https://ai.goog'
     'le.dev/gemini-api/docs/rate-limits" } , retry_delay { seconds: 33 } ]. Retryin'
     'g in 8s...    │\n│ (Attempt 4/20)',
     C.QUOTA_EXHAUSTED),
    # BerriAI/litellm#8597 (gRPC's debug string, quotes escaped)
    ('iam-text', None,
     'debug_error_string = \\"UNKNOWN:Error received from peer ipv4:142.250.191.138:'
     '443 {created_time:\\"2025-02-17T19:04:22.270203099+00:00\\", grpc_status:7, gr'
     'pc_message:\\"Permission \\\\\'aiplatform.endpoints.predict\\\\\' denied on re'
     "source \\\\'//aiplatform.googleapis.com/projects/*********/locations/us-centra"
     'l1/endpoints/1984786713414729728\\\\\' (or it may not exist).\\"}\\"',
     C.PERMISSION_DENIED),
    # onyx-dot-app/onyx#7842 (Bedrock through LiteLLM)
    ('probe-param-text', None,
     'litellm.exceptions.BadRequestError: litellm.BadRequestError: BedrockException '
     '- b\'{"message":"The toolConfig field must be defined when using toolUse and t'
     'oolResult content blocks."}\'',
     C.PROBE_REJECTED),
    # anthropics/claude-code#12122 (Bedrock through LiteLLM and Claude Code)
    ('probe-param-text', 400,
     'API Error: 400 {"error":{"message":"{\\"message\\":\\"messages.0.content.3.tex'
     't.cache_control.ephemeral.ttl: Extra inputs are not permitted\\"}. Received \n'
     '    Model Group=claude-sonnet-4-5\\nAvailable Model Group Fallbacks=None","typ'
     'e":"None","param":"None","code":"400"}}',
     C.PROBE_REJECTED),
    # anthropics/claude-code#66594 (Bedrock through Claude Code)
    ('probe-param-text', 400,
     "API Error: 400 data retention mode 'default' is not available for this model",
     C.PROBE_REJECTED),
    # anthropics/claude-code#65044 (Claude Code)
    ('iam-text', None,
     'Your organization has disabled Claude subscription access for Claude Code · Us'
     'e an Anthropic API key instead, or ask your admin to enable access',
     C.PERMISSION_DENIED),
    # anthropics/claude-code#68120 (Anthropic)
    ('model-not-found-type', 404,
     'Error: 404 {"type":"error","error":{"type":"not_found_error","message":"Claude'
     ' Fable 5 is not available. Please use Opus 4.8. Learn more: https://www.anthro'
     'pic.com/news/fable-mythos-access"},"request_id":"req_011CbzRugheav4hCSLt618Z7"'
     '}',
     C.MODEL_NOT_FOUND),
    # onyx-dot-app/onyx#6368 (Bedrock through LiteLLM)
    ('rate-limit-text', None,
     'Failed to process chat message due to litellm.ServiceUnavailableError: Bedrock'
     'Exception - {"exceptionMetadata":{"qosTier":"10","rudiMetadata":"{\\"queueDwel'
     'lTimeInMs\\":0,\\"expectedQueueDelayInMs\\":394460,\\"variantIdentifier\\":\\"'
     'anthropic.claude-3-7-sonnet-20250219-v1:0:18k\\"}"},"message":"Too many connec'
     'tions, please wait before trying again."}',
     C.RATE_LIMITED),
    # router-for-me/CLIProxyAPI#3185 (a relay)
    ('probe-param-text', None,
     '{"success":false,"result":[],"messages":[],"error":[{"code":2019,"message":"Co'
     'mpatibility endpoint: chat/completions/chat/completions is not supported."}]}',
     C.PROBE_REJECTED),
    # Round 10 (HELD-OUT-7 after it was measured)
    # cline/cline#4080 (Google's OAuth token endpoint refusing a Vertex refresh)
    ('auth-text', 400,
     '400 - {"error":"invalid_grant","error_description":"reauth related error (invalid_rapt'
     ')","error_uri":"https://support.google.com/a/answer/9368756","error_subtype":"invalid_'
     'rapt"}',
     C.AUTH_FAILED),
    # docker/docker-agent#2469 (Vertex's OpenAI-compatible endpoint)
    ('probe-param-text', 400,
     '{\n  "error": {\n    "code": 400,\n    "message": "The deployed model does not support '
     'ChatCompletions. endpoint_id: ..., deployed_model_id: ...",\n    "status": "FAILED_PRE'
     'CONDITION"\n  }\n}',
     C.PROBE_REJECTED),
    # Round 11 (HELD-OUT-8 after it was measured)
    # openai/codex#44577
    ('key-model-restriction', 401,
     'unexpected status 401 Unauthorized: You are not authorized to access this model',
     C.PERMISSION_DENIED),
    # SWE-agent/mini-swe-agent#902 (a gateway's moderation, under a 502 code)
    ('moderation-text', None,
     '{\n  "error": {\n    "message": "This content was flagged for possible cybersecurity r'
     'isk...",\n    "code": 502\n  }\n}',
     C.CONTENT_FILTERED),
    # BerriAI/litellm#3465 (a vLLM-style server behind LiteLLM)
    ('probe-param-text', 404,
     "{'error': {'object': 'error', 'type': 'invalid_request_error', 'message': 'model is mi"
     "ssing conversation_config, please use /completions API instead'}}",
     C.PROBE_REJECTED),
    # songquanpeng/one-api#1503
    ('quota-text', None,
     'relay error (channel id 2, user id: 1): Open api daily request limit reached',
     C.QUOTA_EXHAUSTED),
    # xtekky/gpt4free#3436 (Ollama's hosted models)
    ('money-words', None,
     '[{"error":"this model requires a subscription, upgrade for access: https://ollama.com/u'
     'pgrade (ref: b7b9f6f9-5486-478e-8050-857feaa13152)"}]',
     C.QUOTA_EXHAUSTED),
    # stdapi-ai/stdapi.ai#135 (Bedrock's Mantle endpoint)
    ('server-text', None,
     'MantleError: The service is temporarily unavailable. Retry the request.',
     C.SERVER_ERROR),
    # Round 12 (HELD-OUT-9 after it was measured)
    # jackMort/ChatGPT.nvim#64
    ('request-part-refused', None,
     "// API ERROR: 14 is greater than the maximum of 1 - 'top_p'",
     C.PROBE_REJECTED),
    # promptfoo/promptfoo#8959
    ('request-part-refused', 400,
     "Error in Azure Foundry Agent API call: Error: 400 The 'agent' property i"
     "s deprecated. Use 'agent_reference' instead. [Request ID: some-request-i"
     "d]",
     C.PROBE_REJECTED),
    # fuzhengwei/chatglm-sdk-java#8
    ('request-part-refused', None,
     '{"error":{"code":"1210","message":"API 调用参数有误，请检查文档。"}}',
     C.PROBE_REJECTED),
    # anomalyco/opencode#2557
    ('request-part-refused', None,
     "AI_APICallError: The messages parameter is illegal. Please check the doc"
     "umentation.",
     C.PROBE_REJECTED),
    # MartialBE/one-hub#456
    ('request-part-refused', 400,
     "{\"error\":{\"code\":400,\"message\":\"Provider API error: `allowed_function_na"
     "mes` should only be specified for ANY mode.\",\"status\":\"gemini_error\"}}",
     C.PROBE_REJECTED),
    # ChatGPTBox-dev/chatGPTBox#788
    ('request-part-refused', None,
     "CORS requests must set 'anthropic-dangerous-direct-browser-access' heade"
     "r",
     C.PROBE_REJECTED),
    # zai-org/GLM-5#91
    ('sdk-invalid-response', None,
     "Type validation failed: Value: {\"id\":\"\",\"object\":\"\",\"created\":0,\"model\":"
     "\"\",\"system_fingerprint\":null,\"choices\":null,\"usage\":null}. Error message"
     ": [ { \"code\": \"invalid_union\", \"errors\": [ [ { \"expected\": \"array\", \"cod"
     "e\": \"invalid_type\", \"path\": [ \"choices\" ], \"message\": \"Invalid input: ex"
     "pected array, received null\" } ], [ { \"expected\": \"object\", \"code\": \"inv"
     "alid_type\", \"path\": [ \"error\" ], \"message\": \"Invalid input: expected obj"
     "ect, received undefined\" } ] ], \"path\": [], \"message\": \"Invalid i...",
     C.UNEXPECTED_RESPONSE),
    # Wei-Shaw/claude-relay-service#740
    ('relay-got-no-json', None,
     "[API Error: Unexpected token 'D', \"[DONE]\" is not valid JSON]",
     C.UNEXPECTED_RESPONSE),
    # QwenLM/Qwen#938
    ('moderation-text', 400,
     "'status_code':\n400\n'request_id':\n'17f9c41d-fbbd-9a78-a35e-e36dcb774c23'\n"
     "'code':\n'DataInspectionFailed'\n'message':\n'Input data may contain inappr"
     "opriate content.'",
     C.CONTENT_FILTERED),
    # openai/openai-python#1527
    ('credential-words', 401,
     "{'statusCode': 401, 'message': 'Access denied due to missing subscriptio"
     "n key. Make sure to include subscription key when making requests to an "
     "API.'}",
     C.AUTH_FAILED),
    # n8n-io/n8n#14623
    ('auth-text', None,
     "Credential should be scoped to correct service: 'bedrock'",
     C.AUTH_FAILED),
    # ollama/ollama#7668
    ('server-text', None,
     "Exception: Ollama Error - {'error': 'an unknown error was encountered wh"
     "ile running the model '}",
     C.SERVER_ERROR),
    # BerriAI/litellm#8176
    ('probe-param-text', 404,
     "{\"error\":{\"message\":\"litellm.NotFoundError: BedrockException - Bedrock I"
     "nvoke HTTPX: Unknown provider=llama/arn:aws:bedrock:us-west-2:4115780393"
     "87:imported-model/y5kcalhbqbo3, model=llama/arn:aws:bedrock:us-west-2:41"
     "1578039387:imported-model/y5kcalhbqbo3. Try calling via converse route -"
     " `bedrock/converse/<model>`.\\nReceived Model Group=DeepSeek-R1-Distill-L"
     "lama-8B\\nAvailable Model Group Fallbacks=None\",\"type\":null,\"param\":null,"
     "\"code\":\"404\"}",
     C.PROBE_REJECTED),
    # Round 13 (HELD-OUT-10 after it was measured)
    # CosmosShadow/gptpdf#41
    ('probe-param-text', 422,
     "Failed to deserialize the JSON body into the target type: messages[1]: i"
     "nvalid type: sequence, expected a string at line 1 column 486954",
     C.PROBE_REJECTED),
    # jordymeow/ai-engine#11
    ('account-model-restriction', 403,
     "{\"object\":\"error\",\"message\":\"This model is not available in your subscri"
     "ption tier\",\n \"type\":\"tier_not_allowed\",\"param\":null,\"code\":\"1910\",\"raw_"
     "status_code\":403}",
     C.PERMISSION_DENIED),
    # patterns-ai-core/langchainrb_rails#56
    ('probe-param-text', None,
     "OpenAI HTTP Error (spotted in ruby-openai 6.3.1): {\"error\"=>{\"message\"=>"
     "\"This model does not support specifying dimensions.\", \"type\"=>\"invalid_r"
     "equest_error\", \"param\"=>nil, \"code\"=>nil}}",
     C.PROBE_REJECTED),
    # n8n-io/n8n#14797
    ('probe-param-text', 400,
     "400 \"Each message must have at least one content element.\"",
     C.PROBE_REJECTED),
    # lemonade-sdk/lemonade#745
    ('server-type', None,
     "{\"error\": {\"message\": \"Network error: CURL error: Failure when receiving"
     " data from the peer\", \"type\": \"network_error\"}}",
     C.SERVER_ERROR),
    # lemonade-sdk/lemonade#745
    ('server-text', None,
     "data: {\"error\":{\"details\":{\"backend\":\"llama-server\",\"code\":\"backend_watc"
     "hdog_reset\",\"reason\":\"backend process exited during streaming request\",\""
     "retryable\":true},\"message\":\"llama-server was unresponsive and has been r"
     "eset by the backend watchdog. The model will be reloaded automatically o"
     "n retry.\",\"type\":\"backend_error\"}}",
     C.SERVER_ERROR),
    # microsoft/semantic-kernel#10339
    ('wrong-route', None,
     "{\"status\": \"Serverless endpoint not found\"}",
     C.PROBE_REJECTED),
    # open-webui/open-webui#1229
    ('probe-param-text', None,
     "Ollama: model is required",
     C.PROBE_REJECTED),
    # infinitocloud/asterisk_to_openai_rt_community#4
    ('probe-param-text', None,
     "[ERROR] OpenAI error for 1779354710.120956: The Realtime Beta API is no "
     "longer supported. Please use /v1/realtime for the GA API.",
     C.PROBE_REJECTED),
    # langchain-ai/openwiki#29
    ('request-part-refused', None,
     "Function call is missing a thought_signature in functionCall parts. This"
     " is required\nfor tools to work correctly...",
     C.PROBE_REJECTED),
    # cloudflare/cloudflare-docs#23038
    ('wrong-route', 400,
     "{'success': False, 'errors': [{'code': 7000, 'message': 'No route for th"
     "at URI'}], 'messages': [], 'result': None}",
     C.PROBE_REJECTED),
    # anomalyco/opencode#20202
    ('auth-text', None,
     "Error: invalid_scope: Invalid OAuth scope or ID token audience provided.",
     C.AUTH_FAILED),
    # BerriAI/litellm#20021
    ('request-part-refused', None,
     "litellm.BadRequestError: {\"message\":\"invalid beta flag”}",
     C.PROBE_REJECTED),
    # BerriAI/litellm#26131
    ('probe-param-text', None,
     "litellm.BadRequestError: OpenAIException - inference gateway: BadRequest"
     " - failed to extract request data: \ninference gateway invalid chat-compl"
     "etion request: chat-completion request must have at least one message.",
     C.PROBE_REJECTED),
    # BerriAI/litellm#25877
    ('request-part-refused', 400,
     "{\"error\":{\"message\":\"b'{\\\"type\\\":\\\"error\\\",\\\"error\\\":{\\\"type\\\":\\\"invalid"
     "_request_error\\\",\\\"message\\\":\\\"\\\\\\\\\\\"thinking.type.enabled\\\\\\\\\\\" is not "
     "supported for this model. Use \\\\\\\\\\\"thinking.type.adaptive\\\\\\\\\\\" and \\\\\\"
     "\\\\\"output_config.effort\\\\\\\\\\\" to\n     control thinking behavior.\\\"},\\\"re"
     "quest_id\\\":\\\"req_011Ca7qUXxE8LhWBqa2KebcM\\\"}'\",\"type\":\"None\",\"param\":\"No"
     "ne\",\"code\":\"400\"}}",
     C.PROBE_REJECTED),
    # firebase/flutterfire#13542
    ('iam-text', None,
     "DartError: The Vertex AI in Firebase SDK requires the Vertex AI in Fireb"
     "ase API (`firebasevertexai.googleapis.com`) to be enabled in your Fireba"
     "se project. Enable this",
     C.PERMISSION_DENIED),
    # acwwat/amazon-bedrock-agent-test-ui#1
    ('azure-resource-not-found', None,
     "InvokeAgent operation: Failed to retrieve resource because it doesn't ex"
     "ist. Retry the request with a different resource identifier",
     C.PROBE_REJECTED),
    # maximhq/bifrost#2276 (the gateway could not reach its upstream)
    ('server-text', None,
     '"is_bifrost_error": true,\n  "error": {\n    "error": "write tcp xxxx:53374->xxxx:3000'
     '0: write: broken pipe",\n    "message": "failed to execute HTTP request to provider API'
     '"\n  }',
     C.SERVER_ERROR),
]


@pytest.mark.parametrize(("rule", "status", "body", "expected"), WIDENED_SAMPLES,
                         ids=[s[0] for s in WIDENED_SAMPLES])
def test_a_widened_rule_reads_the_wording_it_was_widened_for(
        rule: str, status: int | None, body: str, expected: OutcomeClass) -> None:
    outcome = classify(status, {}, body)
    assert (outcome.cls, outcome.rule) == (expected, rule), outcome.message


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


# Bodies that say no more than their status: the rule samples of the old status rows, SGLang's
# 401 (sgl-project/sglang#25127), openai-node's print of an empty 401 (continuedev/
# continue#10277), nginx's 403 page (anthropics/claude-code-action#1089). Not proof of a
# definite failure.
@pytest.mark.parametrize(("status", "body"), [
    (401, '{"detail": "Unauthorized"}'),
    (401, '{"error":"Unauthorized"}'),
    (401, "401 status code (no body)"),
    (402, "Payment Required"),
    (403, "<html>\n<head><title>403 Forbidden</title></head>\n<body>\n<center><h1>403 Forbidden"
          "</h1></center>\n</body>\n</html>"),
])
def test_status_alone_never_decides_a_definite_class(status: int, body: str) -> None:
    outcome = classify(status, {}, body)
    assert info(outcome.cls).kind is Kind.INCONCLUSIVE, outcome


def test_an_empty_401_says_why_it_is_unknown() -> None:
    outcome = classify(401, {}, "")
    assert outcome.cls is C.UNKNOWN and "401 alone proves nothing" in outcome.message


def test_a_row_that_needs_no_body_evidence_decides_only_an_inconclusive_class() -> None:
    """The status, the body's shape or a relay's generic label alone never decide a denial."""
    for rule in RULES:
        if not rule.needs_body_evidence:
            assert info(rule.cls).kind is Kind.INCONCLUSIVE, rule.name
    assert {"permission_error", "throttling_error", "403"} <= STATUS_LABELS


# --- evidence that overrides a broader label ------------------------------------------------

@pytest.mark.parametrize(("status", "body", "expected"), [
    # Google's PERMISSION_DENIED for a suspended consumer, through a relay (dev corpus:
    # coaidev/coai#67)
    (403, "gemini error: Permission denied: Consumer 'api_key:AIza**************************** "
          "has been suspended. (code: 403, status: PERMISSION_DENIED)", C.ACCOUNT_DISABLED),
    # ... for a leaked key, re-wrapped by @google/genai (dev corpus: continuedev/continue#10513)
    (403, '{"error":{"message":"{\\n  \\"error\\": {\\n    \\"code\\": 403,\\n    '
          '\\"message\\": \\"Your API key was reported as leaked. Please use another API '
          'key.\\",\\n    \\"status\\": \\"PERMISSION_DENIED\\"\\n  }\\n}\\n",'
          '"code":403,"status":"Forbidden"}}', C.AUTH_FAILED),
    # Ollama's "model not found" labelled api_error (dev corpus: netease-youdao/QAnything#555)
    (404, "{'error': {'message': 'model \"ollama\" not found, try pulling it first', 'type': "
          "'api_error', 'param': None, 'code': None}}", C.MODEL_NOT_FOUND),
    # a gateway's exhausted budget, on a 429 (dev corpus: BerriAI/litellm#14144)
    (429, "No deployments available - crossed budget: Exceeded budget for deployment model_name: "
          "xxx, litellm_params.model: xxx, model_id: xxx: 0.36300000000000004 >= 1d",
     C.QUOTA_EXHAUSTED),
    # Bedrock's curly apostrophe (dev corpus: cline/cline#2482)
    (400, "400 Invocation of model ID anthropic.claude-3-7-sonnet-20250219-v1:0 with on-demand "
          "throughput isn\u2019t supported. Retry your request with the ID or ARN of an inference"
          " profile that contains this model.", C.PROBE_REJECTED),
])
def test_specific_evidence_beats_a_broad_label(status: int, body: str,
                                               expected: OutcomeClass) -> None:
    assert classify(status, {}, body).cls is expected


def test_an_aws_error_name_in_the_header_is_read() -> None:
    # The header as aws-samples/amazon-bedrock-client-for-mac#1 shows it; botocore takes the
    # error code from it, since Bedrock's body holds only {"message": ...}.
    header = {"x-amzn-ErrorType": "AccessDeniedException:http://internal.amazon.com/coral/com."
                                  "amazon.bedrock/"}
    assert read_facts("", header).exceptions == {"accessdeniedexception"}
    assert classify(403, header, "").rule == "permission-exception"


# --- text a client printed when no HTTP answer came (`checker diagnose`) --------------------

# Dev corpus, in order: UfoMiao/zcf#139 (DEV-3), langchain-ai/langchain#21919, curl/curl#9168
# (DEV-3), Aider-AI/aider#2175, waylaidwanderer/node-chatgpt-api#66, postmanlabs/postman-app-
# support#8862 (DEV-3), stackblitz-labs/bolt.diy#532, Paper2Poster/Paper2Poster#12,
# BerriAI/litellm#3415, open-webui/open-webui#10013.
CLIENT_SAMPLES: list[tuple[str, str, OutcomeClass]] = [
    ("client-saw-an-answer", "Failed to connect to api.anthropic.com: ERR_BAD_REQUEST",
     C.UNKNOWN),
    ("client-timeout", "openai.APITimeoutError: Request timed out.", C.TIMEOUT),
    ("client-curl-exit", "curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to "
                         "github.com:443", C.NETWORK_ERROR),
    ("client-tls", "httpcore.ConnectError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify "
                   "failed: unable to get local issuer certificate (_ssl.c:1000)", C.NETWORK_ERROR),
    ("client-dns", "FetchError: request to https://api.openai.com/v1/completions failed, reason: "
                   "getaddrinfo ENOTFOUND api.openai.com", C.NETWORK_ERROR),
    ("client-proxy", "Error: tunneling socket could not be established, statusCode=407",
     C.NETWORK_ERROR),
    ("client-refused", "APICallError [AI_APICallError]: Cannot connect to API: connect "
                       "ECONNREFUSED ::1:11434", C.NETWORK_ERROR),
    ("client-reset", "ConnectionResetError: [Errno 104] Connection reset by peer",
     C.NETWORK_ERROR),
    ("client-connection", "openai.APIConnectionError: Connection error.", C.NETWORK_ERROR),
    ("client-not-json", "SyntaxError: Unexpected token '<', \"<!DOCTYPE \"... is not valid JSON",
     C.UNEXPECTED_RESPONSE),
    # Round 4: appleboy/CodeGPT#133 (Go), themaximalist/llm.js#28 (V8's newer wording)
    ("client-timeout", 'Error: Post "https://api.openai.com/v1/chat/completions": net/http: '
                       "request canceled (Client.Timeout exceeded while awaiting headers)",
     C.TIMEOUT),
    ("client-not-json", "SyntaxError: Unexpected non-whitespace character after JSON at "
                        "position 124 (line 2 column 1)", C.UNEXPECTED_RESPONSE),
    # ChatGPTNextWeb/NextChat#1713: undici's error serialised as JSON, only its `cause`
    ("client-timeout", '{\n  "cause": {\n    "name": "ConnectTimeoutError",\n    "code": '
                       '"UND_ERR_CONNECT_TIMEOUT",\n    "message": "Connect Timeout Error"\n  }\n}',
     C.TIMEOUT),
    # Round 5: orhanerday/open-ai#34 (PHP cURL), microsoft/semantic-kernel#4594 (Azure.Core),
    # langchain4j/langchain4j-examples#20 (okhttp)
    ("client-dns", "Could not resolve: api.openai.com (Could not contact DNS servers)",
     C.NETWORK_ERROR),
    ("client-timeout", "System.Threading.Tasks.TaskCanceledException: The operation was "
                       "cancelled because it exceeded the configured timeout of 0:01:40. Network "
                       "timeout can be adjusted in ClientOptions.Retry.NetworkTimeout.", C.TIMEOUT),
    ("client-timeout", "java.lang.RuntimeException: java.io.InterruptedIOException: timeout",
     C.TIMEOUT),
    # Round 6: anasfik/openai#149 (Dart), xtekky/chatgpt-clone#77 (an app's JSON that passes
    # urllib3's error on)
    ("client-dns", "SocketException: Failed host lookup: 'api.openai.com' (OS Error: Host "
                   "sconosciuto. , errno = 11001)\nOS Error: Host sconosciuto. , errno = 11001",
     C.NETWORK_ERROR),
    ("client-proxy", '{\n  "_action": "_ask",\n  "error": "an error occurred HTTPSConnectionPool('
                     "host='api.openai.com', port=443): Max retries exceeded with url: /v1/chat/"
                     "completions (Caused by ProxyError('Cannot connect to proxy.', NewConnection"
                     "Error('<urllib3.connection.HTTPSConnection object at 0x7fd22fbefeb0>: Failed"
                     " to establish a new connection: [Errno 111] Connection refused')))\",\n  "
                     '"success": false\n}', C.NETWORK_ERROR),
    # Round 7: microsoft/PubSec-Info-Assistant#162, juanrgon/chatgpt-cli#1,
    # carlrobertoh/ProxyAI#586
    ('client-connection',
     "Error: Error communicating with OpenAI: HTTPSConnectionPool(host='https', port"
     '=443): Max retries exceeded with url: //infoasst-aoai-w8ilp.openai.azure.co',
     C.NETWORK_ERROR),
    ('client-timeout',
     "thread 'main' panicked at 'called `Result::unwrap()` on an `Err` value: reqwes"
     't::Error { kind: Request, url: Url { scheme: "https", cannot_be_a_base: false,'
     ' username: "", password: None, host: Some(Domain("api.openai.com")), port: Non'
     'e, path: "/v1/chat/completions", query: None, fragment: None }, source: TimedO'
     "ut }', /home/oatman/.cargo/registry/src/index.crates.io-6f17d22bba15001f/chatg"
     'pt-cli-0.1',
     C.TIMEOUT),
    ('client-proxy',
     'java.io.IOException: Failed to authenticate with proxy',
     C.NETWORK_ERROR),
    # Round 8
    # numman-ali/opencode-openai-codex-auth#76 (a Bun-based CLI)
    ('client-tls',
     'Error: Error: unknown certificate verification error',
     C.NETWORK_ERROR),
    # AtomicBot-ai/Atomic-Chat#212 (a desktop app in front of llama-server)
    ('client-timeout',
     'timeout: llama-server completion exceeded the 180-second deadline',
     C.TIMEOUT),
    # Round 10: openai/codex#7197 (reqwest under a streaming client)
    ('client-reset',
     'stream disconnected before completion: Transport error: Error while reading the server '
     'response: error decoding response body',
     C.NETWORK_ERROR),
    # shenjinti/fgpt#6 (reqwest could not decode what came back)
    ('client-not-json', 'Error: Reqwest("error decoding response body")', C.UNEXPECTED_RESPONSE),
    # Round 12: huggingface/llm-ls#97 (serde, Rust)
    ('client-not-json',
     "[LLM] serde json error: data did not match any variant of untagged enum OpenAIAPIResponse",
     C.UNEXPECTED_RESPONSE),
    # Round 13: yuanbw2025/storyforge#4
    ('client-connection-word',
     "错误: 网络错误 — 可能原因：1) 网络不通 2) 该平台不支持浏览器直接调用(CORS) 3) Base URL 错误",
     C.NETWORK_ERROR),
    # Round 13: betalgo/openai#277
    ('client-not-json',
     "<' is an invalid start of a value. LineNumber: 0 | BytePositionInLine: 0"
     ".",
     C.UNEXPECTED_RESPONSE),
    # Round 9: the words alone, for a print no row names.
    # isinaltinkaya/gptchatteR#7 (R's curl)
    ('client-timeout-word',
     'Error in curl::curl_fetch_memory(url, handle = handle) : \n  Timeout was reached: '
     '[api.openai.com] Connection timeout after 10007 ms',
     C.TIMEOUT),
    # ai-genie/chatgpt-vscode#36 (node-fetch)
    ('client-tls-word',
     'Request to https://api.openai.com/v1/chat/completions failed, reason: certificate has '
     'expired',
     C.NETWORK_ERROR),
    # openclaw/openclaw#92391 (an agent's own summary of getaddrinfo ENOTFOUND)
    ('client-dns-word',
     'LLM request failed: DNS lookup for the provider endpoint failed.',
     C.NETWORK_ERROR),
    # anthropics/claude-code#86317
    ('client-connection-word',
     'API Error: Connection closed mid-response. The response above may be incomplete.',
     C.NETWORK_ERROR),
]


@pytest.mark.parametrize(("rule", "text", "expected"), CLIENT_SAMPLES,
                         ids=[s[0] for s in CLIENT_SAMPLES])
def test_each_client_rule_matches_its_real_text(rule: str, text: str,
                                                expected: OutcomeClass) -> None:
    facts = read_facts(text)
    assert next(r.name for r in CLIENT_RULES if r.matches(None, facts)) == rule
    outcome = classify_client_text(text)
    if expected is C.UNKNOWN:
        # the print says an HTTP answer came: no client reading, the answer decides
        assert outcome is None
        return
    assert outcome is not None and (outcome.cls, outcome.rule) == (expected, rule)
    assert outcome.status is None


def test_every_client_rule_has_a_sample() -> None:
    assert {r.name for r in CLIENT_RULES} == {s[0] for s in CLIENT_SAMPLES}


def test_an_answer_is_never_read_as_a_client_print() -> None:
    # LiteLLM's 408 body says "Request timed out", but it is an HTTP answer (BerriAI/litellm#3279)
    body = ('{\n  "error": {\n    "message": "APITimeoutError - Request timed out. \\n model: '
            'azure/chatgpt-v-2 \\n api_base: https://openai-gpt-4-test-v-1.openai.azure.com/ '
            '\\n error_str: Request timed out.",\n    "type": null,\n    "param": null,\n    '
            '"code": 408\n  }\n}')
    assert classify_client_text(body) is None
    assert classify(None, {}, body).cls is C.TIMEOUT


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


def test_facts_read_a_numeric_grpc_status_as_its_name() -> None:
    # BerriAI/litellm#8597: the C core's debug string gives the status as a number only.
    facts = read_facts('debug_error_string = "UNKNOWN:Error received from peer ipv4:142.250.'
                       '191.138:443 {created_time:"2025-02-17T19:04:22.270203099+00:00", '
                       'grpc_status:7, grpc_message:"Permission denied"}"')
    assert facts.rpc_statuses == {"PERMISSION_DENIED"}
    assert read_facts("grpc_status:99").rpc_statuses == frozenset()


def test_facts_read_google_api_cores_exception_class_as_its_status() -> None:
    # langgenius/dify#4649
    facts = read_facts("google.api_core.exceptions.InvalidArgument: 400 User has requested a "
                       "restricted HarmBlockThreshold setting BLOCK_NONE.")
    assert facts.rpc_statuses == {"INVALID_ARGUMENT"}


def test_a_request_part_rule_never_reads_a_refusal_of_the_caller() -> None:
    # The same words on a 401, 403, 404 or 429, or in a page, refuse the caller or the path.
    body = '{"error": {"message": "Chat completion bad format"}}'
    assert classify(400, {}, body).cls is C.PROBE_REJECTED
    for status in (401, 403, 404, 429):
        assert classify(status, {}, body).rule != "request-part-refused"
    page = "<html><body><h1>Bad Request</h1><p>Invalid header value</p></body></html>"
    assert classify(400, {}, page).rule != "request-part-refused"


def test_money_words_never_read_the_reason_phrase_of_402() -> None:
    assert classify(402, {}, "402 Payment Required").cls is C.UNKNOWN


def test_every_class_has_a_hint_and_a_kind() -> None:
    for cls in OutcomeClass:
        details = CLASS_INFO[cls]
        assert details.hint and details.summary
        assert isinstance(details.kind, Kind)


def test_only_transient_classes_are_retryable() -> None:
    retryable = {cls for cls, details in CLASS_INFO.items() if details.retryable}
    assert retryable == {C.RATE_LIMITED, C.SERVER_ERROR, C.TIMEOUT, C.NETWORK_ERROR}


# --- Issue 12, second round: what DEV-2 taught (bodies read from the corpus by their label) --

def _dev2(research_class: str) -> dict[str, object]:
    path = CORPUS.parent / "errors-collected-dev2.jsonl"
    rows = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line)
    row: dict[str, object] = next(r for r in rows if r["research_class"] == research_class)
    return row


@pytest.mark.parametrize(("research_class", "windows", "expected"), [
    # "limit 'Gemini 2.5 Pro Requests per day per user per tier'": spent for the day
    ("gemini_code_assist_per_day_quota_exceeded", {"day"}, C.QUOTA_EXHAUSTED),
    # QuotaFailure quotaIds PerDay… and PerMinute…: the daily one decides
    ("gemini_quota_failure_per_day_and_per_minute_fragment", {"day", "minute"},
     C.QUOTA_EXHAUSTED),
    # "limit 'GenerateContent request limit per minute for a region'": wait and retry
    ("gemini_per_minute_region_quota_exceeded", {"minute"}, C.RATE_LIMITED),
    # Google's "You exceeded your current quota" names no window: no quota fact
    ("gemini_exceeded_current_quota_no_quota_id", set(), C.QUOTA_EXHAUSTED),
])
def test_a_google_quota_says_whether_it_is_spent_or_a_rate_limit(
        research_class: str, windows: set[str], expected: OutcomeClass) -> None:
    row = _dev2(research_class)
    assert read_facts(str(row["body"])).quota_limits == windows
    outcome = classify(row["status"], {}, str(row["body"]))  # type: ignore[arg-type]
    assert outcome.cls is expected
    assert outcome.retryable is (expected is C.RATE_LIMITED)


def test_an_openai_daily_request_limit_is_no_google_quota() -> None:
    # DEV: "Rate limit reached … on requests per day (RPD)" stays a rate limit
    path = CORPUS.parent / "errors-collected-dev.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    for row in rows:
        if row["research_class"] in ("rate_limit_rpd_realtime", "rate_limit_rpd_free_tier"):
            assert read_facts(row["body"]).quota_limits == frozenset()
            assert classify(row["status"], {}, row["body"]).cls is C.RATE_LIMITED


@pytest.mark.parametrize("research_class", [
    "fastapi_405_method_not_allowed_with_allow_header", "fastapi_405_sdk_repr",
    "fastapi_404_detail_not_found_sdk_print", "ollama_go_404_page_not_found_openai_node"])
def test_a_routers_own_404_or_405_is_a_refused_probe_never_a_missing_model(
        research_class: str) -> None:
    row = _dev2(research_class)
    outcome = classify(row["status"], {}, str(row["body"]))  # type: ignore[arg-type]
    assert (outcome.cls, outcome.rule) == (C.PROBE_REJECTED, "wrong-route")


def test_a_relay_without_a_provider_for_the_request_is_not_a_missing_model() -> None:
    tools = _dev2("openrouter_no_tool_endpoints_in_json_log_line")
    assert classify(404, {}, str(tools["body"])).cls is C.PROBE_REJECTED
    missing = _dev2("openrouter_no_endpoints_for_free_model_message")
    assert classify(404, {}, str(missing["body"])).cls is C.MODEL_NOT_FOUND


@pytest.mark.parametrize("research_class", [
    "openai_invalid_prompt_code_json", "openai_invalid_prompt_flagged_wrapped_print",
    "lobechat_provider_biz_error_invalid_prompt"])
def test_a_flagged_prompt_is_moderation_not_a_refused_probe(research_class: str) -> None:
    row = _dev2(research_class)
    assert classify(row["status"], {}, str(row["body"])).cls is C.CONTENT_FILTERED  # type: ignore[arg-type]
