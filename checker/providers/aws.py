"""AWS through botocore (the ``[bedrock]`` extra, imported on demand): the credential chain,
SigV4 signing, the caller's identity from STS, and the first message of an AWS event stream.
Nothing here is hand-written that botocore does: the signer, the credential providers (web
identity, profiles, SSO, instance roles), the query parser and the event-stream decoder are
botocore's own."""

from __future__ import annotations

import functools
import json
from typing import Any

from .. import safejson
from ..secrets import Secret
from . import extras
from .base import HeaderValue, ProbeRequest
from .blocking import PerRun

# --- credentials and signing (botocore) ----------------------------------------------------

HINT = ("assume a role before this step (aws-actions/configure-aws-credentials), set "
        "AWS_PROFILE, or write api_key: ${AWS_BEARER_TOKEN_BEDROCK}")
CREDENTIAL_TIMEOUT = 30.0  # seconds: a web-identity exchange or a metadata endpoint
_CREDENTIALS: PerRun[tuple[Any, Any]] = PerRun("the AWS credential chain")


async def chain_credentials(provider: str, profile: str | None, timeout: float) -> Any:
    """Frozen credentials from botocore's chain (environment, profile, web identity, SSO,
    container and instance roles), loaded once per provider and run in a bounded thread,
    reloaded when botocore says they need refreshing."""
    _, frozen = await _CREDENTIALS.get(provider, lambda previous: _load(previous, profile),
                                       _fresh, timeout, HINT)
    return frozen


def _load(previous: tuple[Any, Any] | None, profile: str | None) -> tuple[Any, Any]:
    """Blocking (botocore may ask STS or a metadata endpoint): runs in a thread."""
    if previous is None:
        session = extras.require("bedrock", "botocore.session")
        credentials = session.Session(profile=profile).get_credentials()
        if credentials is None:
            raise ValueError("no AWS credentials found by the credential chain (environment "
                             "variables, profile, web identity, instance role)")
    else:
        credentials = previous[0]
    return credentials, credentials.get_frozen_credentials()


def _fresh(value: tuple[Any, Any]) -> bool:
    needs = getattr(value[0], "refresh_needed", None)
    return not (callable(needs) and needs())


def sign(request: ProbeRequest, credentials: Any, service: str, region: str) -> ProbeRequest:
    """``request`` signed with botocore's SigV4Auth. The session token and the key pair are
    secrets (redacted by the run); the signature itself is single-use."""
    auth = extras.require("bedrock", "botocore.auth")
    awsrequest = extras.require("bedrock", "botocore.awsrequest")
    unsigned = [(n, v) for n, v in request.headers
                if n.lower() not in ("authorization", "x-amz-date", "x-amz-security-token")]
    aws = awsrequest.AWSRequest(method=request.method, url=request.url,
                                data=request.content or b"",
                                headers={n: v.reveal() if isinstance(v, Secret) else v
                                         for n, v in unsigned})
    auth.SigV4Auth(credentials, service, region).add_auth(aws)
    signed: list[tuple[str, HeaderValue]] = [*unsigned, ("X-Amz-Date", aws.headers["X-Amz-Date"]),
                                             ("Authorization", aws.headers["Authorization"])]
    secrets = [Secret(credentials.secret_key), Secret(credentials.access_key)]
    if credentials.token:
        signed.append(("X-Amz-Security-Token", Secret(credentials.token)))
        secrets.append(Secret(credentials.token))
    return request._replace(headers=tuple(signed), secrets=tuple(secrets))


@functools.cache
def _sts_output_shape() -> Any:
    session = extras.require("bedrock", "botocore.session")
    model = session.get_session().get_service_model("sts")
    return model.operation_model("GetCallerIdentity").output_shape


def caller_arn(body: bytes) -> str | None:
    """The ``Arn`` of a GetCallerIdentity answer, read by botocore's own query parser."""
    parsers = extras.require("bedrock", "botocore.parsers")
    parsed = parsers.create_parser("query").parse(
        {"body": body, "headers": {}, "status_code": 200}, _sts_output_shape())
    arn = parsed.get("Arn") if isinstance(parsed, dict) else None
    return str(arn) if arn else None


# --- the event stream (botocore) ------------------------------------------------------------

# ConverseStreamOutput's events (botocore's service model); its exceptions arrive as
# `:message-type: exception`.
STREAM_EVENTS = frozenset({"messageStart", "contentBlockStart", "contentBlockDelta",
                           "contentBlockStop", "messageStop", "metadata"})


def first_message(body: bytes) -> bytes:
    """The first message of an AWS event stream, decoded by botocore (prelude and message
    CRCs checked), as JSON the classifier reads: an event, an exception (``__type`` and
    ``message``, like an HTTP error), or a line saying why it is not one."""
    try:
        eventstream = extras.require("bedrock", "botocore.eventstream")
    except extras.MissingExtra as exc:
        return f"cannot read the AWS event stream: {exc}".encode()
    buffer = eventstream.EventStreamBuffer()
    buffer.add_data(body)
    try:
        message = next(iter(buffer), None)
    except eventstream.ParserError as exc:
        return f"not an AWS event stream: {type(exc).__name__}: {exc}".encode()
    if message is None:
        return b"not an AWS event stream: it ended before its first message was complete"
    kind = str(message.headers.get(":message-type", ""))
    try:
        payload = safejson.loads(message.payload.decode("utf-8")) if message.payload else None
    except (ValueError, UnicodeDecodeError):
        payload = None
    if kind == "event":
        return json.dumps({"event_stream": {"event": str(message.headers.get(":event-type")),
                                            "payload": payload}}).encode()
    if kind == "exception":
        text = payload.get("message") if isinstance(payload, dict) else None
        return json.dumps({"__type": str(message.headers.get(":exception-type")),
                           "message": str(text or "")}).encode()
    if kind == "error":
        return json.dumps({"__type": str(message.headers.get(":error-code")),
                           "message": str(message.headers.get(":error-message", ""))}).encode()
    return f"not an AWS event stream: a message of type {kind!r}".encode()
