"""OpenAI and OpenAI-compatible relays: ``{base_url}/chat/completions`` and friends,
``Authorization: Bearer``, optional ``OpenAI-Organization`` / ``OpenAI-Project``.

Also the OpenAI wire format itself (request bodies, success answers, error bodies), which
Azure OpenAI and the OpenAI-compatible presets reuse.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

from .. import __version__
from ..fields import Field
from ..model import Check, Price
from ..outcomes import OutcomeClass
from .base import (
    REASONING_SUMMARY,
    STREAM,
    CostEstimate,
    HeaderValue,
    ModelInfo,
    ProbeRequest,
    ProviderKind,
    Reply,
    SimRequest,
    random_hex,
)
from .keys import vendor_of_host
from .openai_catalog import (
    CHAT_MAX_TOKENS,
    DEFAULT_IMAGE_PROMPT,
    DEFAULT_PROMPT,
    PRICES_AS_OF,
    REASONING_MAX_COMPLETION_TOKENS,
    RESPONSES_MIN_OUTPUT_TOKENS,
    ProbeKind,
    estimate_cost,
    family_of,
    probe_kind_for,
)
from .openai_models import KNOWN_MODELS
from .openai_wire import (
    PATHS,
    bearer,
    capability_of,
    rate_limit_headers,
    reject,
    route,
    success_reply,
)
from .openai_wire import refusal as refusal_reply
from .presets import PRESETS

if TYPE_CHECKING:
    from ..classify import Dialect



# --- probes -----------------------------------------------------------------------------------


def build_body(check: Check, kind: ProbeKind) -> dict[str, Any]:
    """The cheapest request body that proves ``check`` on endpoint ``kind``."""
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


def common_headers(stream: bool) -> list[tuple[str, HeaderValue]]:
    return [
        ("Content-Type", "application/json"),
        ("Accept", "text/event-stream" if stream else "application/json"),
        ("User-Agent", f"model-access-checker/{__version__}"),
    ]


# Where OpenAI's own console fixes a refusal (only for api.openai.com: a relay or another
# vendor behind a preset has consoles of its own).
OPENAI_ADVICE: Mapping[OutcomeClass, str] = {
    OutcomeClass.PERMISSION_DENIED: (
        "OpenAI: allow the model in the project's limits (platform.openai.com → Project → "
        "Limits), or in the restricted key's permissions"),
    OutcomeClass.QUOTA_EXHAUSTED: (
        "OpenAI: add credit or raise the limit at platform.openai.com → Settings → Billing; a "
        "project's budget can stop it too"),
    OutcomeClass.AUTH_FAILED: (
        "OpenAI: create a key at platform.openai.com/api-keys; `organization:` must be an "
        "organization the key belongs to"),
}


# The OpenAI-style API of each known host, as its SDK base URL (a host that serves it at
# the root, like DeepSeek's, has no path to forget and is left out).
API_URLS: Mapping[str, str] = {
    str(urlsplit(url).hostname): url
    for url in ("https://api.openai.com/v1", *(p.base_url for p in PRESETS.values()))
    if url.count("/") > 2
}


class OpenAIKind(ProviderKind):
    name = "openai"
    summary = "OpenAI and OpenAI-compatible relays (Bearer key, /chat/completions, …)"
    fields: ClassVar[tuple[Field, ...]] = (
        Field("organization", "header", "Sent as OpenAI-Organization; selects the verified "
              "org."),
        Field("project", "header", "Sent as OpenAI-Project."),
        Field("preset", "enum", "An OpenAI-compatible vendor: its base URL (unless base_url "
              "is given) and key shape.", choices=tuple(PRESETS)),
    )
    probes = tuple(kind.value for kind in ProbeKind)
    prices_as_of = PRICES_AS_OF
    key_vendor = "openai"
    key_env = "OPENAI_API_KEY"

    def dialect(self) -> Dialect:
        from ..classify import OPENAI_DIALECT

        return OPENAI_DIALECT

    def default_url(self, options: Mapping[str, Any]) -> str | None:
        preset = PRESETS.get(str(options.get("preset")))
        return preset.base_url if preset is not None else self.default_base_url

    def key_variable(self, options: Mapping[str, Any]) -> str:
        preset = PRESETS.get(str(options.get("preset")))
        return preset.key_env if preset is not None else self.key_env

    def expected_key_vendor(self, options: Mapping[str, Any], base_url: str) -> str | None:
        """The preset's vendor, or the vendor whose own host this is; a relay's host says
        nothing about the keys it takes."""
        preset = PRESETS.get(str(options.get("preset")))
        return preset.vendor if preset is not None else vendor_of_host(base_url)

    def known_models(self) -> tuple[str, ...]:
        return KNOWN_MODELS

    def advice(self, check: Check, cls: OutcomeClass, rule: str) -> str | None:
        if check.provider.option("preset") is None \
                and vendor_of_host(check.provider.base_url) == "openai":
            return OPENAI_ADVICE.get(cls)
        return None

    def url_warning(self, base_url: str) -> str | None:
        parts = urlsplit(base_url)
        api_url = API_URLS.get((parts.hostname or "").lower())
        if api_url is None or parts.path.rstrip("/") == urlsplit(api_url).path:
            return None
        return (f"base_url {base_url} is not where {urlsplit(api_url).hostname} serves its "
                f"OpenAI-style API: probes would go to {base_url}/chat/completions, which it "
                f"does not serve; did you mean {api_url}?")

    def model_info(self, model: str) -> ModelInfo:
        family = family_of(model)
        return ModelInfo(family.probe.value, family.price, family.priced, family.reasoning,
                         family.gated)

    def probe_for(self, check: Check) -> str:
        override = ProbeKind(check.probe) if check.probe else None
        return probe_kind_for(check.model, check.capability, override).value

    def capability_refusal(self, model: str, capability: str,
                           probe: str | None) -> tuple[str, str] | None:
        kind = probe_kind_for(model, capability, ProbeKind(probe) if probe else None)
        if capability == STREAM and kind in (ProbeKind.IMAGES, ProbeKind.EMBEDDINGS):
            return (f"capability 'stream' does not apply to {kind.value} model '{model}'",
                    "drop 'stream' for this model, or set `probe: chat`")
        family = family_of(model)
        if capability == REASONING_SUMMARY and family.priced and not family.reasoning:
            return (f"capability 'reasoning_summary' does not apply to '{model}': it is not a "
                    "reasoning model", "drop 'reasoning_summary' for this model")
        return None

    def url(self, check: Check, kind: ProbeKind) -> str:
        return check.provider.base_url + PATHS[kind]

    def auth_headers(self, check: Check) -> list[tuple[str, HeaderValue]]:
        headers: list[tuple[str, HeaderValue]] = []
        if check.key is not None and check.key.value is not None:
            headers.append(("Authorization", check.key.value.bearer()))
        organization = check.provider.option("organization")
        project = check.provider.option("project")
        if organization:
            headers.append(("OpenAI-Organization", organization))
        if project:
            headers.append(("OpenAI-Project", project))
        return headers

    def build_probe(self, check: Check) -> ProbeRequest:
        kind = ProbeKind(self.probe_for(check))
        body = build_body(check, kind)
        stream = bool(body.get("stream"))
        headers = [*common_headers(stream), *self.auth_headers(check),
                   *check.provider.headers]
        return ProbeRequest(kind.value, "POST", self.url(check, kind), tuple(headers), body,
                            stream)

    def proves(self, check: Check, request: ProbeRequest) -> str:
        kind = ProbeKind(request.kind)
        answer = {ProbeKind.IMAGES: "one generated image at the lowest quality and size",
                  ProbeKind.EMBEDDINGS: "one embedding of one word",
                  ProbeKind.RESPONSES: "a response of at most 16 output tokens",
                  ProbeKind.CHAT: "a completion of the smallest budget the model takes"}[kind]
        what = f"the key (and organization) may use this model: {answer}"
        if check.capability == REASONING_SUMMARY:
            what += ", with a reasoning summary (organization verification)"
        return what + (", streamed: the first event of an event stream" if request.stream
                       else "")

    def estimate_cost(self, check: Check, request: ProbeRequest,
                      override: Price | None) -> CostEstimate:
        return estimate_cost(check.model, ProbeKind(request.kind), override)

    # -- the simulator

    def sim_route(self, method: str, path: str, headers: Mapping[str, str],
                  body: Mapping[str, Any]) -> SimRequest | None:
        if path.startswith("/openai/"):
            return None  # Azure's routes
        kind = route(path)
        if kind is None:
            return None
        return SimRequest(self.name, kind.value, bearer(headers.get("authorization", "")),
                          str(body.get("model") or ""), capability_of(body), path,
                          organization=headers.get("openai-organization"), body=body)

    def sim_refusal(self, refusal: str, request: SimRequest) -> Reply:
        return refusal_reply(refusal, request)

    def sim_reject(self, request: SimRequest) -> Reply | None:
        return reject(request, request.organization)

    def sim_success(self, request: SimRequest) -> Reply:
        return success_reply(request)

    def sim_headers(self, request: SimRequest, tier: str) -> dict[str, str]:
        return {"x-request-id": "req_" + random_hex(12), **rate_limit_headers(tier)}
