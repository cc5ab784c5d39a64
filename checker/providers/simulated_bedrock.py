"""The simulator's Bedrock: Converse and ConverseStream as the REST API answers them, SigV4
signatures verified with botocore against the simulator's test credentials, STS
GetCallerIdentity, and the gates acted out: a model not offered in a region, one served
only through an inference profile, the use-case form, a Marketplace subscription still in
progress, throttling, expired and invalid credentials.

Every error body is a real one (sources in tests/test_bedrock.py): ``{"message": …}`` with
the error name in ``x-amzn-ErrorType``. The event stream is framed here with ``struct`` and
``binascii.crc32`` (botocore decodes event streams but has no encoder) and read back by
botocore in the tests.
"""

from __future__ import annotations

import binascii
import hmac
import json
import re
import struct
import uuid
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple
from urllib.parse import unquote

from . import extras
from .base import ACCESS, STREAM, Reply, SimRequest

CONVERSE = "converse"
STS = "sts"
EVENTSTREAM = "application/vnd.amazon.eventstream"
_PATH = re.compile(r"^/model/([^/]{1,512})/(converse|converse-stream)$")
_CREDENTIAL = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=([^/,\s]{1,128})/(\d{8})/([a-z0-9-]{1,30})/([a-z0-9-]{1,30})"
    r"/aws4_request,[ \t]{0,4}SignedHeaders=([a-z0-9;_-]{1,512}),"
    r"[ \t]{0,4}Signature=([0-9a-f]{64})$")
DEFAULT_REGION = "us-east-1"  # a Bearer key names no region
CORAL = ":http://internal.amazon.com/coral/com.amazon.bedrock/"  # observed header suffix
ACCOUNT_ARN = "arn:aws:sts::111122223333:assumed-role/checker-simulator/ci-session"


class SimModel(NamedTuple):
    """A model of the simulated AWS (the simulator's own data, not AWS's catalog)."""

    regions: frozenset[str]
    profile_only: bool  # invoked only through an inference profile
    marketplace: bool  # offered through AWS Marketplace (a subscription on first call)


_US_EU_AP = frozenset({"us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1",
                       "eu-west-3", "ap-northeast-1", "ap-southeast-2"})
SIM_MODELS: Mapping[str, SimModel] = {
    "anthropic.claude-sonnet-4-5-20250929-v1:0": SimModel(_US_EU_AP, True, True),
    "anthropic.claude-haiku-4-5-20251001-v1:0": SimModel(_US_EU_AP, True, True),
    "anthropic.claude-opus-4-5-20251101-v1:0": SimModel(_US_EU_AP, True, True),
    "anthropic.claude-3-haiku-20240307-v1:0": SimModel(
        frozenset({"us-east-1", "us-west-2", "eu-west-1"}), False, True),
    "amazon.nova-micro-v1:0": SimModel(frozenset({"us-east-1", "us-west-2", "eu-west-1"}),
                                       False, False),
    "amazon.nova-lite-v1:0": SimModel(frozenset({"us-east-1", "us-west-2", "eu-west-1"}),
                                      False, False),
    "amazon.nova-pro-v1:0": SimModel(frozenset({"us-east-1", "us-west-2", "eu-west-1"}),
                                     False, False),
    "meta.llama3-3-70b-instruct-v1:0": SimModel(frozenset({"us-east-1", "us-west-2"}),
                                                True, True),
}
GEOGRAPHIES = {"us.": "us-", "eu.": "eu-", "apac.": "ap-", "global.": ""}


# --- routing and signatures -----------------------------------------------------------------


def route(kind: str, method: str, path: str, headers: Mapping[str, str],
          body: Mapping[str, Any]) -> SimRequest | None:
    match = _PATH.match(path)
    if method == "POST" and match is not None:
        capability = STREAM if match.group(2) == "converse-stream" else ACCESS
        return SimRequest(kind, CONVERSE, _key_id(headers), unquote(match.group(1)), capability,
                          path, body=body, headers=headers)
    if method == "POST" and path == "/" and headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded") and "/sts/aws4_request" in headers.get(
            "authorization", ""):
        return SimRequest(kind, STS, _key_id(headers), "", "identity", path, headers=headers)
    return None


def _key_id(headers: Mapping[str, str]) -> str:
    authorization = headers.get("authorization", "")
    if authorization.startswith("Bearer "):
        return authorization[7:].strip()
    match = _CREDENTIAL.match(authorization)
    return match.group(1) if match else ""


def region_of(request: SimRequest) -> str:
    """The region a signature is scoped to (a Bearer key's requests: us-east-1)."""
    match = _CREDENTIAL.match(request.headers.get("authorization", ""))
    return match.group(3) if match else DEFAULT_REGION


def authenticate(request: SimRequest, secrets: Mapping[str, str]) -> SimRequest:
    """A SigV4 request keeps its key id only if botocore, recomputing the signature with
    the simulator's secret for that key id, gets the same one."""
    authorization = request.headers.get("authorization", "")
    if authorization.startswith("Bearer "):
        return request
    match = _CREDENTIAL.match(authorization)
    if match is None:
        return request._replace(key="", auth_error="missing")
    key_id, _, region, service, signed_headers, signature = match.groups()
    secret = secrets.get(key_id)
    if secret is None:
        return request  # an access key id AWS does not know: UnrecognizedClient
    wanted = "sts" if request.probe == STS else "bedrock"
    expected, canonical, to_sign = _signature(request, key_id, secret, region, wanted,
                                              signed_headers.split(";"))
    if service == wanted and hmac.compare_digest(expected, signature):
        return request
    return request._replace(key="", auth_error=_mismatch(canonical, to_sign))


def _signature(request: SimRequest, key_id: str, secret: str, region: str, service: str,
               names: list[str]) -> tuple[str, str, str]:
    auth = extras.require("bedrock", "botocore.auth")
    awsrequest = extras.require("bedrock", "botocore.awsrequest")
    credentials_module = extras.require("bedrock", "botocore.credentials")
    headers = request.headers
    credentials = credentials_module.Credentials(key_id, secret,
                                                 headers.get("x-amz-security-token"))
    url = f"http://{headers.get('host', '')}{request.path}"
    if request.query:
        url += "?" + request.query
    aws = awsrequest.AWSRequest(method="POST", url=url, data=request.raw,
                                headers={name: headers.get(name, "") for name in names
                                         if name != "host"})
    aws.context["timestamp"] = headers.get("x-amz-date", "")
    signer = auth.SigV4Auth(credentials, service, region)
    canonical = signer.canonical_request(aws)
    to_sign = signer.string_to_sign(aws, canonical)
    return signer.signature(to_sign, aws), canonical, to_sign


def _mismatch(canonical: str, to_sign: str) -> str:
    return ("The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service "
            f"documentation for details.\n\nThe Canonical String for this request should have "
            f"been\n'{canonical}'\n\nThe String-to-Sign should have been\n'{to_sign}'\n")


# --- the gates -----------------------------------------------------------------------------


def known(request: SimRequest) -> Reply | None:
    """STS answers everyone it authenticated; a model id is checked against the region:
    offered there, of the right geography, invoked on demand or through a profile."""
    if request.probe == STS:
        return _caller_identity()
    region = region_of(request)
    base = _base_id(request.model)
    profile = request.model[: len(request.model) - len(base)] or None
    model = SIM_MODELS.get(base)
    if model is None or region not in model.regions or (
            profile is not None and not region.startswith(GEOGRAPHIES[profile])):
        return _error(400, "ValidationException", "The provided model identifier is invalid.")
    if profile is None and model.profile_only:
        return _error(400, "ValidationException",
                      f"Invocation of model ID {base} with on-demand throughput isn\u2019t "
                      "supported. Retry your request with the ID or ARN of an inference profile "
                      "that contains this model.")
    return None


def _base_id(model_id: str) -> str:
    profile = next((p for p in GEOGRAPHIES if model_id.startswith(p)), "")
    return model_id[len(profile):]


def refusal(name: str, request: SimRequest) -> Reply:
    name = name.partition(":")[0]
    if request.probe == STS:
        if name in ("invalid_key", "no_key", "expired_token"):
            return _sts_error()
        return _caller_identity()  # GetCallerIdentity needs no permission
    if name in ("invalid_key", "no_key") and request.auth_error not in ("", "missing"):
        # The signature did not verify: the real answer carries the canonical request.
        return _error(403, "InvalidSignatureException", request.auth_error)
    base = _base_id(request.model)
    model = SIM_MODELS.get(base)
    if name == "use_case":
        if not base.startswith("anthropic."):
            return success(request)
        return _error(404, "ResourceNotFoundException",
                      "Model use case details have not been submitted for this account. Fill out "
                      "the Anthropic use case details form before using the model. If you have "
                      "already filled out the form, try again in 15 minutes.")
    if name == "subscription_pending":
        if model is None or not model.marketplace:
            return success(request)
        return _error(403, "AccessDeniedException", MARKETPLACE)
    if name == "moderation":
        return success(request)  # no real guardrail answer collected
    status, error_name, message = _REFUSALS.get(name, _REFUSALS["project_denied"])
    if request.capability == STREAM and error_name in _IN_STREAM:
        # After the stream started, a throttle or an outage is a message of the stream.
        return Reply(200, exception_stream(_IN_STREAM[error_name], message),
                     content_type=EVENTSTREAM)
    return _error(status, error_name, message)


MARKETPLACE = (
    "Model access is denied due to IAM user or service role is not authorized to perform the "
    "required AWS Marketplace actions (aws-marketplace:ViewSubscriptions, "
    "aws-marketplace:Subscribe) to enable access to this model. Refer to the Amazon Bedrock "
    "documentation for further details. Your AWS Marketplace subscription for this model "
    "cannot be completed at this time. If you recently fixed this issue, try again after 2 "
    "minutes.")
NO_ACCESS = (403, "AccessDeniedException",
             "You don't have access to the model with the specified model ID.")
INVALID_TOKEN = (403, "UnrecognizedClientException",
                 "The security token included in the request is invalid.")
THROTTLED = (429, "ThrottlingException", "Too many requests, please wait before trying again.")
_REFUSALS: dict[str, tuple[int, str, str]] = {
    "no_key": INVALID_TOKEN,
    "invalid_key": INVALID_TOKEN,
    "expired_token": (403, "ExpiredTokenException",
                      "The security token included in the request is expired"),
    "insufficient_quota": (429, "ThrottlingException",
                           "Too many tokens per day, please wait before trying again."),
    "rate_limit": THROTTLED,
    "rate_limit_long": THROTTLED,
    "server_error": (503, "ServiceUnavailableException",
                     "Bedrock is unable to process your request."),
    "project_denied": NO_ACCESS,
    "verification": NO_ACCESS,
    "region": NO_ACCESS,  # Bedrock names no caller location: access is per region
    "deactivated": (403, "AccessDeniedException",
                    "Your account is not authorized to invoke this API operation."),
    "model_not_found": (400, "ValidationException", "The provided model identifier is invalid."),
    "no_channel": (400, "ValidationException", "The provided model identifier is invalid."),
}
_REFUSALS["billing_limit"] = _REFUSALS["insufficient_quota"]


# In-stream exception names (lower camel case, as `:exception-type` carries them).
_IN_STREAM = {"ThrottlingException": "throttlingException",
              "ServiceUnavailableException": "serviceUnavailableException"}
# Error names whose x-amzn-ErrorType value was observed with this suffix.
_CORAL_NAMES = frozenset({"AccessDeniedException", "ThrottlingException",
                          "ValidationException"})


def _error(status: int, name: str, message: str) -> Reply:
    error_type = name + CORAL if name in _CORAL_NAMES else name
    return Reply(status, json.dumps({"message": message}).encode(),
                 {"x-amzn-ErrorType": error_type})


# --- success --------------------------------------------------------------------------------


def success(request: SimRequest) -> Reply:
    usage = {"inputTokens": 12, "outputTokens": 1, "totalTokens": 13}
    if request.capability == STREAM and request.settings.honour_stream:
        return Reply(200, _event_stream(usage), content_type=EVENTSTREAM)
    return Reply(200, json.dumps({
        "output": {"message": {"role": "assistant", "content": [{"text": "OK"}]}},
        "stopReason": "max_tokens", "usage": usage, "metrics": {"latencyMs": 120}}).encode())


def headers(request: SimRequest) -> dict[str, str]:
    return {"x-amzn-RequestId": str(uuid.uuid4())}


def _event_stream(usage: Mapping[str, int]) -> Iterator[bytes]:
    """ConverseStream's events, one framed message each."""
    events: list[tuple[str, dict[str, Any]]] = [
        ("messageStart", {"role": "assistant"}),
        ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "OK"}}),
        ("contentBlockStop", {"contentBlockIndex": 0}),
        ("messageStop", {"stopReason": "max_tokens"}),
        ("metadata", {"usage": dict(usage), "metrics": {"latencyMs": 120}}),
    ]
    for name, payload in events:
        yield frame({":event-type": name, ":content-type": "application/json",
                     ":message-type": "event"}, json.dumps(payload).encode())


def exception_stream(name: str, message: str) -> Iterator[bytes]:
    """A 200 event stream whose first message is an exception (as Bedrock sends a
    throttle or an outage after the stream started)."""
    yield frame({":exception-type": name, ":content-type": "application/json",
                 ":message-type": "exception"}, json.dumps({"message": message}).encode())


def frame(message_headers: Mapping[str, str], payload: bytes) -> bytes:
    """One AWS event-stream message: prelude (total and headers length, CRC32), string
    headers (type 7), payload, message CRC32, all big-endian."""
    encoded = b""
    for name, value in message_headers.items():
        raw_name, raw_value = name.encode(), value.encode()
        encoded += struct.pack("!B", len(raw_name)) + raw_name
        encoded += struct.pack("!BH", 7, len(raw_value)) + raw_value
    total = 12 + len(encoded) + len(payload) + 4
    prelude = struct.pack("!II", total, len(encoded))
    prelude += struct.pack("!I", binascii.crc32(prelude) & 0xFFFFFFFF)
    message = prelude + encoded + payload
    return message + struct.pack("!I", binascii.crc32(message) & 0xFFFFFFFF)


# --- STS ------------------------------------------------------------------------------------

_STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"


def _caller_identity() -> Reply:
    body = (f'<GetCallerIdentityResponse xmlns="{_STS_NS}">\n  <GetCallerIdentityResult>\n'
            f"    <Arn>{ACCOUNT_ARN}</Arn>\n    <UserId>AROASIMULATOR:ci-session</UserId>\n"
            "    <Account>111122223333</Account>\n  </GetCallerIdentityResult>\n"
            f"  <ResponseMetadata>\n    <RequestId>{uuid.uuid4()}</RequestId>\n"
            "  </ResponseMetadata>\n</GetCallerIdentityResponse>\n")
    return Reply(200, body.encode(), content_type="text/xml")


def _sts_error() -> Reply:
    body = (f'<ErrorResponse xmlns="{_STS_NS}">\n  <Error>\n    <Type>Sender</Type>\n'
            "    <Code>InvalidClientTokenId</Code>\n    <Message>The security token included in "
            "the request is invalid.</Message>\n  </Error>\n"
            f"  <RequestId>{uuid.uuid4()}</RequestId>\n</ErrorResponse>\n")
    return Reply(403, body.encode(), content_type="text/xml")
