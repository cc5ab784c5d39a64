"""Google Vertex AI: Gemini through ``…/publishers/google/models/{model}:generateContent``
(``:streamGenerateContent?alt=sse`` for ``stream``), Claude through
``…/publishers/anthropic/models/{model}:rawPredict`` (``:streamRawPredict``), at
``https://{location}-aiplatform.googleapis.com/v1/projects/{project}/locations/{location}``.
Authenticated with an OAuth 2 access token (``Authorization: Bearer``): the Application
Default Credentials through google-auth (``google_adc``), or ``access_token: ${VAR}``.

The request bodies are the Gemini API's (``gemini.generate_body``) and Anthropic's Messages
with Vertex's two differences (``model`` in the path, ``anthropic_version`` in the body);
the answers are theirs too; the refusals are Google's (``vertex_refusals``).

Why not the free token counters: Gemini's ``:countTokens`` is documented as having "no
charge or quota restriction", so a project without quota for a model (Claude's default
quota can be 0) passes it; Claude's ``count-tokens:rawPredict`` is a model of its own,
offered in a few regions only. Neither can prove what a check asks for: never used.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from ..fields import ACCESS_TOKEN, Field
from ..model import Check, Price
from ..outcomes import OutcomeClass
from ..shapes import SuccessShape
from . import anthropic, gemini, google_adc
from .base import (
    ACCESS,
    STREAM,
    CostEstimate,
    HeaderValue,
    ModelInfo,
    OptionError,
    ProbeRequest,
    ProviderKind,
    Reply,
    SimRequest,
    reasoning_summary_refusal,
)
from .openai import common_headers
from .openai_wire import json_reply
from .vertex_refusals import REFUSALS, api_key_refused, not_found

if TYPE_CHECKING:
    from ..classify import Dialect
    from ..model import Provider
    from .base import Fetch

GENERATE = gemini.GENERATE
MESSAGES = anthropic.MESSAGES
ANTHROPIC_VERSION = "vertex-2023-10-16"  # "must be set to" this (Anthropic's Vertex guide)
PRICES_AS_OF = min(gemini.PRICES_AS_OF, anthropic.PRICES_AS_OF)
# Claude Sonnet 4.5 and later cost 10 % more at a regional endpoint than at `global`.
REGIONAL_UPLIFT = 1.10
_UPLIFTED = re.compile(r"claude-(sonnet|opus|haiku)-4-[5-9].*|claude-[a-z]+-[5-9].*")
_PROJECT = re.compile(r"^[a-z0-9][a-z0-9.:-]{0,62}$")  # an id (domain:id) or a number
_LOCATION = re.compile(r"^[a-z][a-z0-9-]{1,39}$")
_MULTI_REGIONS = frozenset({"us", "eu"})  # served at aiplatform.{location}.rep.googleapis.com


def publisher_of(model: str) -> str:
    """Whose model it is on Vertex: Anthropic's (rawPredict) or Google's."""
    return "anthropic" if model.lower().startswith("claude-") else "google"


def base_url_for(location: str) -> str:
    if location == "global":
        return "https://aiplatform.googleapis.com"
    if location in _MULTI_REGIONS:
        return f"https://aiplatform.{location}.rep.googleapis.com"
    return f"https://{location}-aiplatform.googleapis.com"


def model_url(base_url: str, project: str, location: str, model: str, method: str) -> str:
    base = base_url.rstrip("/")
    if not base.endswith(("/v1", "/v1beta1")):
        base += "/v1"
    publisher = publisher_of(model)
    return (f"{base}/projects/{quote(project, safe='')}/locations/{quote(location, safe='')}"
            f"/publishers/{publisher}/models/{quote(gemini.model_id(model), safe='-._@')}"
            f":{method}")


# Where Google Cloud fixes a refusal of Vertex AI.
VERTEX_ADVICE: Mapping[OutcomeClass, str] = {
    OutcomeClass.PERMISSION_DENIED: (
        "Vertex AI: grant this principal roles/aiplatform.user (it holds "
        "aiplatform.endpoints.predict) on the project, and enable the Vertex AI API "
        "(aiplatform.googleapis.com)"),
    OutcomeClass.MODEL_NOT_FOUND: (
        "Vertex AI: check the model id and that it is offered in this location; a partner "
        "model (Claude) must be enabled in Model Garden for the project first"),
    OutcomeClass.QUOTA_EXHAUSTED: (
        "Vertex AI: check the project's billing, and its quota for this model in the Google "
        "Cloud console → IAM & Admin → Quotas"),
}


class VertexKind(ProviderKind):
    name = "vertex"
    summary = ("Google Vertex AI (OAuth: Application Default Credentials or access_token; "
               "Gemini :generateContent, Claude :rawPredict)")
    fields = (
        Field("project", "string", "Vertex AI: the Google Cloud project id (required)."),
        Field("location", "string", "Vertex AI: the region (us-central1, europe-west4, …), "
              "or global, us, eu (required)."),
        ACCESS_TOKEN,
    )
    probes = (GENERATE, MESSAGES)
    prices_as_of = PRICES_AS_OF
    key_vendor = None
    key_env = "VERTEX_TOKEN"
    ambient_extra = "vertex"

    def dialect(self) -> Dialect:
        return vertex_dialect()

    # -- config

    def options(self, values: Mapping[str, Any], error: OptionError) -> Mapping[str, Any]:
        project, location = values.get("project"), values.get("location")
        if project is None:
            error("project", "Vertex AI needs the Google Cloud project", "add `project: "
                  "my-project` (the id, as in the console)")
        elif not _PROJECT.match(project):
            error("project", f"project {project!r} is not a Google Cloud project id",
                  "write the id, e.g. my-project-123")
        if location is None:
            error("location", "Vertex AI needs a location", "add `location: us-central1` "
                  "(or global)")
        elif not _LOCATION.match(location):
            error("location", f"location {location!r} is not a Google Cloud region",
                  "write e.g. us-central1, europe-west4 or global")
        return dict(values)

    def default_url(self, options: Mapping[str, Any]) -> str | None:
        location = options.get("location")
        if not isinstance(location, str) or not _LOCATION.match(location):
            return None
        return base_url_for(location)

    def ambient_credentials(self, options: Mapping[str, Any]) -> str | None:
        if options.get("access_token"):
            return None
        return "Google's Application Default Credentials"

    def api_key_refusal(self, options: Mapping[str, Any]) -> tuple[str, str] | None:
        return ("Vertex AI takes OAuth 2 access tokens, not API keys",
                "write access_token: ${VERTEX_TOKEN}, or leave it out to use Google's "
                "Application Default Credentials")

    def capability_refusal(self, model: str, capability: str,
                           probe: str | None) -> tuple[str, str] | None:
        refusal = reasoning_summary_refusal(model, capability, "Vertex AI")
        if refusal is not None:
            return refusal
        wanted = MESSAGES if publisher_of(model) == "anthropic" else GENERATE
        if probe is not None and probe != wanted:
            return (f"probe '{probe}' does not apply to '{model}' on Vertex AI: "
                    f"{publisher_of(model)}'s models answer '{wanted}'",
                    f"write probe: {wanted}, or leave probe out")
        return None

    def advice(self, check: Check, cls: OutcomeClass, rule: str) -> str | None:
        return VERTEX_ADVICE.get(cls)

    # -- probes and prices

    def model_info(self, model: str) -> ModelInfo:
        if publisher_of(model) == "anthropic":
            claude = anthropic.model_row(_claude_id(model))
            return ModelInfo(MESSAGES, claude.price, claude.priced)
        row = gemini.model_row(gemini.model_id(model))
        return ModelInfo(GENERATE, row.price, row.priced)

    def build_probe(self, check: Check) -> ProbeRequest:
        project = str(check.provider.option("project"))
        location = str(check.provider.option("location"))
        stream = check.capability == STREAM
        if publisher_of(check.model) == "anthropic":
            body = anthropic.message_body(check)
            body.pop("model", None)  # in the path on Vertex
            body = {"anthropic_version": ANTHROPIC_VERSION, **body}
            stream = bool(body.get("stream"))
            method = "streamRawPredict" if stream else "rawPredict"
            kind = MESSAGES
        else:
            body = gemini.generate_body(check)
            method = "streamGenerateContent?alt=sse" if stream else "generateContent"
            kind = GENERATE
        headers: list[tuple[str, HeaderValue]] = list(common_headers(stream))
        if check.key is not None and check.key.value is not None:
            headers.append(("Authorization", check.key.value.bearer()))
        url = model_url(check.provider.base_url, project, location, check.model, method)
        return ProbeRequest(kind, "POST", url,
                            tuple(anthropic.with_overrides(headers, check.provider.headers)),
                            body, stream)

    async def authorize(self, request: ProbeRequest, provider: Provider) -> ProbeRequest:
        """The Application Default Credentials' token, unless the probe carries one
        (``access_token:``, or an ``Authorization`` header the config sets)."""
        if any(name.lower() == "authorization" for name, _ in request.headers):
            return request
        token = await google_adc.access_token(provider.name, provider.timeout or 30.0)
        return request._replace(
            headers=(*request.headers, ("Authorization", token.token.bearer())),
            secrets=(*request.secrets, token.token))

    async def identity(self, provider: Provider, fetch: Fetch) -> str | None:
        if provider.api_key is not None:
            variables = ", ".join(provider.api_key.variables) or "access_token"
            return (f"the access token in {variables} (whose principal Google tells only "
                    "to a caller that sends it the token)")
        return google_adc.known_principal(provider.name)

    def proves(self, check: Check, request: ProbeRequest) -> str:
        who = ("the identity may call this model here (IAM aiplatform.endpoints.predict, "
               "the API enabled, billing on, the model enabled and served in this location, "
               "quota left)")
        if request.kind == MESSAGES:
            answer = "a 1-token message" + (", streamed: its first event is message_start"
                                            if request.stream else "")
        else:
            answer = gemini.generated(check.model) + (
                ", streamed: the first server-sent event" if request.stream else "")
        return f"{who}: {answer}"

    def estimate_cost(self, check: Check, request: ProbeRequest,
                      override: Price | None) -> CostEstimate:
        if request.kind == MESSAGES:
            cost = anthropic.message_cost(_claude_id(check.model), request, override)
            regional = check.provider.option("location") != "global"
            if override is None and regional and _UPLIFTED.fullmatch(check.model.lower()):
                return cost._replace(usd=cost.usd * REGIONAL_UPLIFT)
            return cost
        return gemini.generate_cost(check.model, request, override)

    # -- the simulator

    def sim_route(self, method: str, path: str, headers: Mapping[str, str],
                  body: Mapping[str, Any]) -> SimRequest | None:
        match = _ROUTE.search(path)
        if match is None:
            return None
        model, verb = unquote(match.group(4)), match.group(5)
        stream = verb in ("streamGenerateContent", "streamRawPredict")
        authorization = headers.get("authorization", "")
        token = authorization[7:].strip() if authorization.lower().startswith("bearer ") else ""
        raw = verb in ("rawPredict", "streamRawPredict")
        return SimRequest(self.name, MESSAGES if raw else GENERATE,
                          token, model, STREAM if stream else ACCESS, path, body=body,
                          headers=headers)

    def sim_known(self, request: SimRequest) -> Reply | None:
        """Claude addressed as Google's model, or Gemini as Anthropic's, or a model this
        endpoint does not know: Vertex's 404 for a publisher model."""
        if f"/publishers/{publisher_of(request.model)}/" not in request.path:
            return not_found(request, wrong_publisher=True)
        if self.model_info(request.model).known:
            return None
        return not_found(request, wrong_publisher=False)

    def sim_refusal(self, refusal: str, request: SimRequest) -> Reply:
        if refusal == "no_key" and "x-goog-api-key" in request.headers:
            return api_key_refused()
        status, payload = REFUSALS[refusal.partition(":")[0]](request)
        if payload is None:  # no real refusal collected: the capability stays ungated
            return self.sim_success(request)
        return json_reply(status, payload)

    def sim_success(self, request: SimRequest) -> Reply:
        if request.probe == MESSAGES:
            return anthropic.message_reply(request)
        return gemini.generate_reply(request, gemini.generate_answer(request.model))


_ROUTE = re.compile(r"/v1(beta1)?/projects/([^/]{1,100})/locations/[^/]{1,40}/publishers/"
                    r"(google|anthropic)/models/([^/:]{1,200}):(generateContent|"
                    r"streamGenerateContent|rawPredict|streamRawPredict)$")


def _claude_id(model: str) -> str:
    """``claude-sonnet-4-5@20250929`` as Anthropic's catalog names it."""
    return model.partition("@")[0]


# --- how Vertex AI answers -------------------------------------------------------------------


def success_shape(text: str) -> SuccessShape | None:
    """A GenerateContentResponse (Gemini) or a Message / ``message_start`` event (Claude)."""
    return gemini.success_shape(text) or anthropic.success_shape(text)


@functools.cache
def vertex_dialect() -> Dialect:
    """Vertex AI's own rules (each backed by a real body in tests/test_vertex.py), then
    Google's (the platform's error format) and Anthropic's (Claude's own errors pass
    through rawPredict)."""
    from ..classify import Dialect
    from .vertex_rules import VERTEX_RULES

    return Dialect("vertex", success_shape, (*VERTEX_RULES, *gemini.gemini_dialect().rules,
                                             *anthropic.anthropic_dialect().rules))
