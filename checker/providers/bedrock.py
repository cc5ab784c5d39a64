"""AWS Bedrock: ``Converse`` (and ``ConverseStream``) at ``bedrock-runtime.<region>``, signed
with the AWS credential chain or sent with a Bedrock API key, one provider per region.

* Credentials: botocore's own chain (environment, profile, web identity, e.g. a role a
  GitHub job assumed through OIDC) and botocore's ``SigV4Auth`` (signing name ``bedrock``):
  the ``[bedrock]`` extra. Or ``api_key: ${AWS_BEARER_TOKEN_BEDROCK}``, a Bedrock API key
  sent as ``Authorization: Bearer`` (no extra needed).
* The probe: ``Converse`` with ``inferenceConfig.maxTokens: 1`` (the service's minimum);
  ``stream`` is ``ConverseStream``, whose AWS event stream is read up to its first message
  and decoded with botocore's ``EventStreamBuffer`` (an exception message is not a pass).
* Why not the free ``CountTokens``: it needs its own IAM action (``bedrock:CountTokens``),
  refuses inference-profile ids and many models, and nothing shows it enforcing the model
  access, the Marketplace subscription or the quota that ``InvokeModel`` meets. A pass must
  prove the code's own call, so it is never used.
* Who: the caller's ARN from STS ``GetCallerIdentity`` (free, needs no permission), signed
  by botocore; for an API key, what its observed format tells without a secret.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, urlsplit

from .. import safejson
from ..fields import Field
from ..model import Check, Price, Provider
from ..outcomes import OutcomeClass
from ..shapes import SuccessShape
from .anthropic import model_row as anthropic_row
from .anthropic import with_overrides
from .aws import (
    CREDENTIAL_TIMEOUT,
    STREAM_EVENTS,
    caller_arn,
    chain_credentials,
    first_message,
    sign,
)
from .base import (
    STREAM,
    CostEstimate,
    Fetch,
    HeaderValue,
    ModelInfo,
    OptionError,
    ProbeRequest,
    ProviderKind,
    Reply,
    SimRequest,
    Sweep,
    reasoning_summary_refusal,
)
from .blocking import in_thread
from .openai_catalog import DEFAULT_PROMPT

if TYPE_CHECKING:
    from ..classify import Dialect

CONVERSE = "converse"
SIGNING_NAME = "bedrock"  # not "bedrock-runtime" (the service model's signingName)
MAX_TOKENS = 1  # InferenceConfigurationMaxTokensInteger has min 1
PROBE_INPUT_TOKENS = 16
DEFAULT_URL = "https://bedrock-runtime.{region}.amazonaws.com"
STS_URL = "https://sts.{region}.amazonaws.com"
STS_BODY = b"Action=GetCallerIdentity&Version=2011-06-15"
EVENTSTREAM = "application/vnd.amazon.eventstream"
_REGION = re.compile(r"^[a-z]{2}(-[a-z]{2,10}){1,3}-\d{1,2}$")
# Cross-region inference profiles: `us.anthropic.…`, `eu.…`, `apac.…`, `global.…`.
PROFILE_PREFIXES = ("us.", "eu.", "apac.", "global.")

# List prices, USD per million tokens (third-party pages; the AWS price page shows none
# in text): Amazon Nova (atonementlicensing.pages.dev "as of Q1 2026, us-east-1"), Llama
# 3.3 70B (same page). Anthropic models: Anthropic's list price (anthropic.py), +10 % for
# in-region and geo profiles (`us.`, `eu.`) of Claude 4.5 and later (clauder-navi.com 2026);
# the estimate takes the higher. Unknown models are priced pessimistically.
PRICES_AS_OF = "2026-03-31"
_PRICES: tuple[tuple[str, Price], ...] = (
    (r"amazon\.nova-micro.*", Price(0.035, 0.14)),
    (r"amazon\.nova-lite.*", Price(0.06, 0.24)),
    (r"amazon\.nova-pro.*", Price(0.80, 3.20)),
    (r"meta\.llama3-3-70b.*", Price(0.72, 0.72)),
)
_UNKNOWN = Price(15.0, 75.0)


def base_model(model: str) -> str:
    """The foundation model a model id, inference profile or ARN names: `us.anthropic.x`
    and `arn:aws:bedrock:…:inference-profile/us.anthropic.x` → `anthropic.x`."""
    name = model.rsplit("/", 1)[-1] if model.startswith("arn:") else model
    for prefix in PROFILE_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def price_of(model: str) -> tuple[Price, bool]:
    """(price, known) of one probe's model."""
    base = base_model(model).lower()
    for pattern, price in _PRICES:
        if re.fullmatch(pattern, base):
            return price, True
    if base.startswith("anthropic."):
        claude = re.sub(r"-v\d+(:\d+)?$", "", base.removeprefix("anthropic."))
        row = anthropic_row(claude)
        if row.priced:
            uplift = 1.0 if model.startswith("global.") else 1.1
            return Price(row.price.input_per_mtok * uplift,
                         row.price.output_per_mtok * uplift), True
    return _UNKNOWN, False


def region_of(provider: Provider) -> str:
    return str(provider.option("region") or "")


def profile_prefix(region: str) -> str:
    """The geo inference profile of ``region`` (`global.` works from every region)."""
    geo = {"us": "us.", "eu": "eu.", "ap": "apac."}
    return geo.get(region.split("-")[0], "global.")


class BedrockKind(ProviderKind):
    name = "bedrock"
    summary = "AWS Bedrock Converse (SigV4 from the AWS credential chain, or a Bedrock API key)"
    fields = (
        Field("region", "string", "Bedrock: the AWS region, e.g. us-east-1."),
        Field("regions", "string_list", "Bedrock: several regions, one check per region."),
        Field("profile", "string", "Bedrock: a named AWS profile for the credential chain."),
        Field("sts_url", "string", "Bedrock: where the caller's identity is asked (default "
              "https://sts.<region>.amazonaws.com; a loopback base_url answers it itself)."),
    )
    default_base_url = DEFAULT_URL
    probes = (CONVERSE,)
    prices_as_of = PRICES_AS_OF
    key_env = "AWS_BEARER_TOKEN_BEDROCK"
    sweep = Sweep("region", "regions")
    ambient_extra = "bedrock"

    def dialect(self) -> Dialect:
        return bedrock_dialect()

    # -- config

    def options(self, values: Mapping[str, Any], error: OptionError) -> Mapping[str, Any]:
        region = str(values.get("region") or "")
        if not region:
            error("kind", "a bedrock provider needs `region:` or `regions: [...]`",
                  "add e.g. `region: us-east-1`")
        elif not _REGION.match(region):
            error("region", f"region {region!r} is not an AWS region name",
                  "write e.g. us-east-1 or eu-west-1")
        sts_url = values.get("sts_url")
        if sts_url is not None and not str(sts_url).startswith(("https://", "http://")):
            error("sts_url", f"sts_url {sts_url!r} is not an http(s) URL",
                  "write e.g. https://sts.us-east-1.amazonaws.com")
        options: dict[str, Any] = {"region": region}
        for name in ("profile", "sts_url"):
            if values.get(name):
                options[name] = str(values[name]).rstrip("/")
        return options

    def default_url(self, options: Mapping[str, Any]) -> str | None:
        return DEFAULT_URL.format(region=options.get("region") or "us-east-1")

    def ambient_credentials(self, options: Mapping[str, Any]) -> str | None:
        profile = options.get("profile")
        return "the AWS credential chain" + (f" (profile {profile})" if profile else "")

    def capability_refusal(self, model: str, capability: str,
                           probe: str | None) -> tuple[str, str] | None:
        return reasoning_summary_refusal(model, capability, "Bedrock")

    # -- probes and prices

    def model_info(self, model: str) -> ModelInfo:
        price, known = price_of(model)
        return ModelInfo(CONVERSE, price, known)

    def build_probe(self, check: Check) -> ProbeRequest:
        stream = check.capability == STREAM
        body: dict[str, Any] = {
            "messages": [{"role": "user", "content": [{"text": check.prompt or DEFAULT_PROMPT}]}],
            "inferenceConfig": {"maxTokens": MAX_TOKENS}}
        body.update(check.params)
        path = "converse-stream" if stream else "converse"
        url = f"{check.provider.base_url}/model/{quote(check.model, safe='')}/{path}"
        headers: list[tuple[str, HeaderValue]] = [("Content-Type", "application/json")]
        if check.key is not None and check.key.value is not None:
            headers.append(("Authorization", check.key.value.bearer()))
        # The exact bytes botocore's serializer sends: the signature covers them.
        content = json.dumps(body).encode()
        return ProbeRequest(CONVERSE, "POST", url,
                            tuple(with_overrides(headers, check.provider.headers)), body, stream,
                            content=content, stream_format="aws-eventstream")

    async def authorize(self, request: ProbeRequest, provider: Provider) -> ProbeRequest:
        if any(name.lower() == "authorization" for name, _ in request.headers):
            return request  # a Bedrock API key (bearer)
        credentials = await chain_credentials(provider.name, provider.option("profile"),
                                              provider.timeout or CREDENTIAL_TIMEOUT)
        return sign(request, credentials, SIGNING_NAME, region_of(provider))

    def proves(self, check: Check, request: ProbeRequest) -> str:
        what = (f"the identity may invoke this model in {region_of(check.provider)} (IAM, model "
                "access, Marketplace subscription, use-case form, quota): a 1-token Converse")
        if request.stream:
            return what + " streamed: the first message of the event stream is an event"
        return what

    def estimate_cost(self, check: Check, request: ProbeRequest,
                      override: Price | None) -> CostEstimate:
        price, known = price_of(check.model)
        price = override or price
        usd = (PROBE_INPUT_TOKENS * price.input_per_mtok + MAX_TOKENS * price.output_per_mtok)
        return CostEstimate(usd / 1e6, override is not None or known)

    # -- answers

    def readable(self, request: ProbeRequest, status: int | None, headers: Mapping[str, str],
                 body: bytes) -> bytes:
        content_type = headers.get("content-type", "")
        if (request.stream_format != "aws-eventstream" or status is None
                or not 200 <= status < 300 or not content_type.startswith(EVENTSTREAM)):
            return body
        return first_message(body)

    def advice(self, check: Check, cls: OutcomeClass, rule: str) -> str | None:
        return bedrock_advice(check, rule) or BEDROCK_ADVICE.get(cls)

    async def identity(self, provider: Provider, fetch: Fetch) -> str | None:
        if provider.api_key is not None:
            key = provider.api_key.value
            return api_key_identity(key.reveal()) if key is not None else None
        timeout = provider.timeout or CREDENTIAL_TIMEOUT
        credentials = await chain_credentials(provider.name, provider.option("profile"), timeout)
        url = provider.option("sts_url") or sts_default(provider)
        request = ProbeRequest("sts", "POST", url + "/", (
            ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),), {}, False,
            content=STS_BODY)
        answer = await fetch(sign(request, credentials, "sts", region_of(provider)))
        if answer.status != 200:
            return None
        return await in_thread(lambda: caller_arn(answer.body), timeout, "sts-identity")

    # -- the simulator (simulated_bedrock.py)

    def sim_route(self, method: str, path: str, headers: Mapping[str, str],
                  body: Mapping[str, Any]) -> SimRequest | None:
        from . import simulated_bedrock as sim  # serving only, not to read a config

        return sim.route(self.name, method, path, headers, body)

    def sim_authenticate(self, request: SimRequest, secrets: Mapping[str, str]) -> SimRequest:
        from . import simulated_bedrock as sim  # serving only, not to read a config

        return sim.authenticate(request, secrets)

    def sim_known(self, request: SimRequest) -> Reply | None:
        from . import simulated_bedrock as sim  # serving only, not to read a config

        return sim.known(request)

    def sim_refusal(self, refusal: str, request: SimRequest) -> Reply:
        from . import simulated_bedrock as sim  # serving only, not to read a config

        return sim.refusal(refusal, request)

    def sim_success(self, request: SimRequest) -> Reply:
        from . import simulated_bedrock as sim  # serving only, not to read a config

        return sim.success(request)

    def sim_headers(self, request: SimRequest, tier: str) -> dict[str, str]:
        from . import simulated_bedrock as sim  # serving only, not to read a config

        return sim.headers(request)


def sts_default(provider: Provider) -> str:
    """Regional STS; a loopback base_url (a local stand-in, the simulator) answers
    GetCallerIdentity itself, so a test never asks the real STS."""
    host = urlsplit(provider.base_url).hostname or ""
    if host in ("127.0.0.1", "localhost", "::1"):
        return provider.base_url
    return STS_URL.format(region=region_of(provider))


_LONG_TERM_USER = re.compile(r"^(BedrockAPIKey-[A-Za-z0-9]{1,40})-at-(\d{12})$")


def api_key_identity(key: str) -> str:
    """What a Bedrock API key says of its owner without revealing it. Its formats are
    observed, not documented: a long-term key is `ABSK` + base64 of `<service user>-at-
    <account>:<secret>`; a short-term one `bedrock-api-key-` + base64 of a presigned URL."""
    try:
        if key.startswith("ABSK"):
            user = base64.b64decode(key[4:], validate=True).decode().split(":", 1)[0]
            match = _LONG_TERM_USER.match(user)
            if match:
                return f"Bedrock API key of {match.group(1)} in account {match.group(2)}"
        if key.startswith("bedrock-api-key-"):
            url = base64.b64decode(key[16:] + "==", validate=False).decode()
            scope = parse_qs(urlsplit("https://" + url.split("://", 1)[-1]).query).get(
                "X-Amz-Credential", [""])[0].split("/")
            if len(scope) == 5 and _REGION.match(scope[2]):
                return f"Bedrock API key (short-term, made for {scope[2]})"
    except (ValueError, binascii.Error, UnicodeDecodeError):
        pass
    return "a Bedrock API key"


# --- how Bedrock answers --------------------------------------------------------------------


def success_shape(text: str) -> SuccessShape | None:
    """A Converse answer (``output`` and ``stopReason``), or the first message of a
    ConverseStream, once ``first_message`` decoded it: one of its events."""
    stripped = text.lstrip()
    if not stripped.startswith("{"):
        return None
    try:
        value = safejson.loads(stripped)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    event = value.get("event_stream")
    if isinstance(event, dict):
        return SuccessShape("eventstream", CONVERSE) if event.get("event") in STREAM_EVENTS \
            else None
    if isinstance(value.get("output"), dict) and "stopReason" in value:
        return SuccessShape("json", CONVERSE)
    return None


@functools.cache
def bedrock_dialect() -> Dialect:
    """Bedrock's own causes, each backed by a real body in tests/test_bedrock.py. They say
    which Bedrock gate refused (the advice names the fix); the shared table reads the same
    bodies as relays pass them on."""
    from ..classify import Dialect
    from ..outcomes import OutcomeClass as C
    from ..rules import Rule

    rules = (
        Rule("bedrock-marketplace-pending", C.ACCESS_PENDING,
             text=r"aws marketplace subscription for this model cannot be completed at this time"),
        Rule("bedrock-use-case-form", C.PERMISSION_DENIED,
             text=r"use case details have not been submitted"),
        Rule("bedrock-iam", C.PERMISSION_DENIED, text=r"is not authori[sz]ed to perform: bedrock:"),
        Rule("bedrock-model-access", C.PERMISSION_DENIED,
             text=r"(don't|do not) have access to the model with the specified model id"
                  r"|not authori[sz]ed to invoke this api operation"),
        Rule("bedrock-expired-token", C.AUTH_FAILED,
             text=r"security token included in the request is expired"),
        Rule("bedrock-invalid-token", C.AUTH_FAILED,
             text=r"security token included in the request is invalid"),
        Rule("bedrock-signature", C.AUTH_FAILED,
             text=r"request signature we calculated does not match"),
        Rule("bedrock-inference-profile", C.PROBE_REJECTED,
             text=r"on-demand throughput isn't supported"),
        Rule("bedrock-model-id", C.MODEL_NOT_FOUND,
             text=r"provided model identifier is invalid|could not resolve the foundation model"),
        # A daily token quota (Service Quotas "tokens per day") arrives as a throttle.
        Rule("bedrock-daily-quota", C.QUOTA_EXHAUSTED, text=r"too many tokens per day"),
        Rule("bedrock-throttling", C.RATE_LIMITED, exceptions=frozenset({"throttlingexception"})),
        Rule("bedrock-unavailable", C.SERVER_ERROR,
             text=r"bedrock is unable to process your request"),
    )
    return Dialect("bedrock", success_shape, rules)


# Where AWS fixes a refusal that no Bedrock rule named more closely.
BEDROCK_ADVICE: Mapping[OutcomeClass, str] = {
    OutcomeClass.PERMISSION_DENIED: (
        "Bedrock: grant this identity bedrock:InvokeModel (and InvokeModelWithResponseStream "
        "for stream) on the model and its inference profile, check SCPs and permission "
        "boundaries, and that the model is available in the region"),
    OutcomeClass.AUTH_FAILED: (
        "Bedrock: the AWS credentials or the Bedrock API key were refused: check the role the "
        "job assumed and its session, or create a new API key in this region"),
    OutcomeClass.QUOTA_EXHAUSTED: (
        "Bedrock: ask for a Service Quotas increase for this model in this region"),
}


def bedrock_advice(check: Check, rule: str) -> str | None:
    """What to do about Bedrock's own causes, in its terms (region, profile, identity)."""
    region = region_of(check.provider)
    model = base_model(check.model)
    prefix = profile_prefix(region)
    advice = {
        "bedrock-marketplace-pending": (
            f"the AWS Marketplace subscription to {model} is not complete yet (the first call "
            "starts it): `checker wait` re-probes; if it persists, grant "
            "aws-marketplace:ViewSubscriptions and aws-marketplace:Subscribe once"),
        "bedrock-use-case-form": (
            "submit Anthropic's use-case form once for the account (Bedrock console, model "
            "catalog), then allow 15 minutes"),
        "bedrock-iam": (
            f"grant bedrock:InvokeModel{'WithResponseStream' if check.capability == STREAM else ''}"
            " on the foundation model (and the inference profile) to this identity, and check "
            "SCPs and permission boundaries for an explicit deny"),
        "bedrock-model-access": (
            f"Bedrock says the same for a model not enabled for the account in {region} and for "
            f"a model not offered there: check the model is available and enabled in {region}"),
        "bedrock-expired-token": (
            "the session credentials expired: assume the role again (configure-aws-credentials "
            "role-duration-seconds), or refresh the profile's session"),
        "bedrock-signature": (
            "the secret access key does not belong to the access key id, the clock is off, or "
            "a proxy changed a signed header"),
        "bedrock-inference-profile": (
            f"this model is served only through an inference profile: call {prefix}{model} "
            f"(or global.{model}) instead of {model}"),
        "bedrock-model-id": (
            f"the id is not valid in {region}: a model not offered in this region, a typo, or a "
            f"profile of another geography (from {region} use {prefix}… or global.…)"),
        "aws-operation-not-allowed": (
            "AWS refuses every model so when it has not cleared the account (a new account, a "
            "pending verification: open a support case) as well as for a missing "
            "bedrock:InvokeModel grant: check the identity's policy first"),
        "bedrock-daily-quota": (
            f"the daily token quota for {model} in {region} is used up: ask for a Service Quotas "
            "increase (tokens per day); it resets daily"),
    }
    return advice.get(rule)
