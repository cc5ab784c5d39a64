"""`checker diagnose`: the status read from a pasted print, and a client's own error text
(no HTTP answer was seen). Real texts only (sources beside each)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.diagnose import diagnose, infer_status, render
from checker.outcomes import OutcomeClass
from tests.conftest import run_cli

C = OutcomeClass


@pytest.mark.parametrize(("text", "status"), [
    # anthropics/anthropic-sdk-python#81: the Python SDK's print, after the exception's name
    ("anthropic.AuthenticationError: Error code: 401 - {'error': {'type': 'authentication_error',"
     " 'message': 'Invalid API Key'}}", 401),
    # dev corpus, BerriAI/litellm#21814: the Node SDK's "Error: 403 …"
    ("Error fetching response:Error: 403 litellm.APIError: AzureException APIError - Key based "
     "authentication is disabled for this resource.. Received Model Group=gpt-4o\nAvailable "
     "Model Group Fallbacks=None", 403),
    # `curl -i`, verbatim from a public incident note on NVIDIA's 429 (code index)
    ('HTTP/2 429 \ndate: Fri, 09 Oct 2026 04:55:06 GMT\ncontent-type: application/problem+json\n'
     'content-length: 42\nvary: Origin\n\n{"status":429,"title":"Too Many Requests"}', 429),
    # dev corpus, babaohuang/GeminiProChat#122: @google/generative-ai's "[403 Forbidden]"
    ("[GoogleGenerativeAI Error]: Error fetching from [403 Forbidden] Permission denied: "
     "Consumer 'api_key:AIzaSyB9IojgeZxxxANOw3RhahRT1_xxx' has been suspended. [{\"@type\":\"type"
     ".googleapis.com/google.rpc.ErrorInfo\",\"reason\":\"CONSUMER_SUSPENDED\",\"domain\":\"g"
     "oogleapis.com\",\"metadata\":{\"service\":\"generativelanguage.googleapis.com\",\"consum"
     "er\":\"projects/82087571650\"}}]", 403),
    # dev corpus, SonicWarrior1/pdfchat#1: LangChain's Ollama wrapper
    ("ValueError: Ollama call failed with status code 404. Details: model 'mistral:instruct' not "
     "found, try pulling it first", 404),
    # dev corpus, microsoft/semantic-kernel#10020: as the .NET debugger showed it
    ("HTTP 401 (PermissionDenied)\\r\\n\\r\\nPrincipal does not have access to API/Operation.",
     401),
    # client texts state no status (dev corpus: BerriAI/litellm#32898,
    # conghaonet/hao_chatgpt#5)
    ("APIConnectionError: litellm.APIConnectionError: OllamaException - [WinError 10061] No "
     "connection could be made because the target machine actively refused it", None),
    ("SocketException: Connection reset by peer (OS Error: Connection reset by peer, errno = "
     "104), address = api.openai.com, port = 41764", None),
])
def test_the_status_is_read_from_what_was_pasted(text: str, status: int | None) -> None:
    assert infer_status(text) == status


# Dev corpus, in order: langchain-ai/langchain#21919, VRSEN/agency-swarm-lab#17,
# ollama/ollama#7132, langchain-ai/langchain#5296, Chanzhaoyu/chatgpt-web#500,
# open-webui/open-webui#10013.
@pytest.mark.parametrize(("text", "expected"), [
    ("openai.APITimeoutError: Request timed out.", C.TIMEOUT),
    ("httpx.ReadTimeout: The read operation timed out", C.TIMEOUT),
    ("APIConnectionError: Connection error.", C.NETWORK_ERROR),
    ("ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
     "unable to get local issuer certificate (_ssl.c:992)", C.NETWORK_ERROR),
    ("FetchError: request to https://api.openai.com/v1/chat/completions failed, reason: socket "
     "hang up", C.NETWORK_ERROR),
    ("SyntaxError: Unexpected token '<', \"<!DOCTYPE \"... is not valid JSON",
     C.UNEXPECTED_RESPONSE),
])
def test_a_clients_own_error_says_no_http_answer_was_seen(text: str,
                                                          expected: OutcomeClass) -> None:
    diagnosis = diagnose(text)
    assert diagnosis.outcome.cls is expected
    assert diagnosis.http_answer is False and diagnosis.outcome.status is None
    assert diagnosis.as_dict()["http_answer"] is False
    assert "no HTTP answer was seen" in render(diagnosis)


def test_an_upstream_body_inside_a_relays_connection_error_is_an_answer() -> None:
    # dev corpus, BerriAI/litellm#10378: LiteLLM calls Bedrock's access denial an
    # APIConnectionError
    text = ('litellm.APIConnectionError: BedrockException - {"message":"You don\'t have access to '
            'the model with the specified model ID."}')
    diagnosis = diagnose(text)
    assert diagnosis.outcome.cls is C.PERMISSION_DENIED
    assert diagnosis.http_answer is True


def test_a_relays_timeout_answer_is_an_answer() -> None:
    # BerriAI/litellm#3279: the proxy's 408 body
    body = ('{\n  "error": {\n    "message": "APITimeoutError - Request timed out. \\n model: '
            'azure/chatgpt-v-2 \\n api_base: https://openai-gpt-4-test-v-1.openai.azure.com/ \\n '
            'error_str: Request timed out.",\n    "type": null,\n    "param": null,\n    '
            '"code": 408\n  }\n}')
    diagnosis = diagnose(body)
    assert diagnosis.outcome.cls is C.TIMEOUT and diagnosis.http_answer is True
    assert diagnosis.outcome.status == 408 and diagnosis.status_source == "read from the text"


def test_diagnose_on_the_command_line_explains_a_client_error_on_one_screen() -> None:
    # dev corpus: openai/openai-python#326
    text = ("openai.error.APIConnectionError: Error communicating with OpenAI: HTTPSConnectionPool("
            "host='api.openai.com', port=443): Max retries exceeded with url: /v1/chat/completions"
            " (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] "
            "certificate verify failed: unable to get local issuer certificate (_ssl.c:992)')))")
    result = run_cli("diagnose", stdin=text)
    assert result.code == 0, result.stderr
    assert "class:     network_error" in result.stdout
    assert "no HTTP answer was seen" in result.stdout
    assert len(result.stdout.splitlines()) <= 10
    data = json.loads(run_cli("diagnose", "--json", stdin=text).stdout)
    assert (data["class"], data["http_answer"], data["rule"]) == ("network_error", False,
                                                                  "client-tls")


# firecrawl/firecrawl#1052, the end of the traceback as printed (the code above it quotes
# a request whose f-string braces are not a body)
FIRECRAWL_TRACEBACK = (
    '    response = client.chat.completions.create(\n'
    '        model="gpt-4o-mini",\n'
    '        messages=[\n'
    '            {"role": "system", "content": f"You are a {role}. {task}"},\n'
    '            {"role": "user", "content": content}\n'
    '        ]\n'
    '    )\n'
    '           ^^^^^^^^^^^^^^\n'
    '  File "D:\\apps\\python\\Lib\\site-packages\\openai\\_base_client.py", line 1061, in '
    '_request\n'
    '    raise self._make_status_error_from_response(err.response) from None\n'
    "openai.NotFoundError: Error code: 404 - {'error': {'message': 'The model `gpt-4o` does not "
    "exist or you do not have access to it.', 'type': 'invalid_request_error', 'param': None, "
    "'code': 'model_not_found'}}"
)


def test_a_traceback_shows_the_providers_message_not_a_code_line() -> None:
    result = diagnose(FIRECRAWL_TRACEBACK)
    assert result.outcome.cls is C.MODEL_NOT_FOUND and result.outcome.status == 404
    assert result.outcome.message == ("The model `gpt-4o` does not exist or you do not have "
                                      "access to it.")
    assert result.notes == ()  # gpt-4o is not gated


def test_a_missing_model_that_openai_gates_names_verification_as_a_cause() -> None:
    # jdmnk/codex-imagegen-cli#18, verbatim
    body = ('{"error": {"message": "The model `gpt-5.5` does not exist or you do not have '
            'access to it.", "type": "invalid_request_error", "param": null, "code": '
            '"model_not_found"}}')
    result = diagnose(body, 404)
    assert result.outcome.cls is C.MODEL_NOT_FOUND
    [note] = result.notes
    assert "not verified" in note and "gpt-5.5" in note
    assert f"note:      {note}" in render(result)
    assert result.as_dict()["notes"] == [note]


def test_a_tls_failure_that_says_authentication_failed_is_no_auth_failure() -> None:
    # DEV-2, microsoft/semantic-kernel#10082: .NET's TLS handshake failure reads
    # "Authentication failed"; a definite auth_failed from that phrase would send people to
    # rotate a key that is fine.
    path = Path(__file__).parent / "data" / "errors-collected-dev2.jsonl"
    row = next(json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
               if "dotnet_ssl_connection_could_not_be_established" in line)
    diagnosis = diagnose(row["body"])
    assert diagnosis.outcome.cls is C.NETWORK_ERROR
    assert not diagnosis.http_answer


def _dev3(research_class: str) -> str:
    path = Path(__file__).parent / "data" / "errors-collected-dev3.jsonl"
    rows = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines())
    body: str = next(row["body"] for row in rows if row["research_class"] == research_class)
    return body


@pytest.mark.parametrize(("research_class", "expected"), [
    # C2DH/journal-of-digital-history#121: axios' error written out as JSON (`stack`, `code`)
    ("axios_error_json_econnaborted", C.TIMEOUT),
    # anthropics/claude-code#53346: one entry of a CLI's error log, a JS stack in a string
    ("claude_code_error_log_json_connection_error_fragment", C.NETWORK_ERROR),
])
def test_a_clients_error_serialised_as_json_is_still_a_client_error(
        research_class: str, expected: OutcomeClass) -> None:
    diagnosis = diagnose(_dev3(research_class))
    assert diagnosis.outcome.cls is expected and diagnosis.http_answer is False


def test_a_client_print_that_names_an_answer_is_no_transport_failure() -> None:
    # DEV-3, UfoMiao/zcf#139: "Failed to connect" with axios' ERR_BAD_REQUEST, which axios
    # sets when a 4xx came back
    diagnosis = diagnose(_dev3("axios_err_bad_request_failed_to_connect"))
    assert diagnosis.outcome.cls is C.UNKNOWN
    assert diagnosis.http_answer is True


@pytest.mark.parametrize("research_class", [
    # DEV-3, diffbot/code-gpt-docs#33 and aivarsk/scrapy-proxies#63: a proxy's 407
    "axios_status_407_proxy", "scrapy_connect_tunnel_407",
])
def test_a_proxys_407_is_a_network_error_not_a_credential_problem(research_class: str) -> None:
    diagnosis = diagnose(_dev3(research_class))
    assert diagnosis.outcome.status == 407
    assert diagnosis.outcome.cls is C.NETWORK_ERROR
