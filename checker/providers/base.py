"""The interface every provider kind implements, and the values it shares with the rest.

A kind (``kind:`` in the config: ``openai``, ``azure``, …) is one module that says:

* its own config fields (``fields``) and how their values are validated (``options``);
* which model each probe proves and what it costs (``model_info``, ``estimate_cost``),
  and which capabilities cannot apply to a model (``capability_refusal``);
* the request a probe sends, authentication included (``build_probe``, ``authorize``);
* how it answers (``dialect``: what success looks like, its own error rules);
* how the simulator acts it out (``sim_route``, ``sim_refusal``, ``sim_success``).

``providers.KINDS`` registers every kind; the loader, the schema, ``plan``, the simulator
and the README's table all read it.
"""

from __future__ import annotations

import abc
import math
import os
from collections.abc import Awaitable, Callable, Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from ..fields import Field
from ..model import ACCESS, CAPABILITIES, REASONING_SUMMARY, STREAM, Check, Price, Provider
from ..outcomes import OutcomeClass

__all__ = ["ACCESS", "CAPABILITIES", "REASONING_SUMMARY", "STREAM"]
from ..secrets import MASK, Secret
from ..shapes import Expected

if TYPE_CHECKING:
    from ..classify import Dialect


HeaderValue = str | Secret


class ProbeRequest(NamedTuple):
    """One HTTP request that proves (or disproves) access. Holds the key only as a Secret."""

    kind: str  # the endpoint it addresses: "chat", "responses", "messages", …
    method: str
    url: str
    headers: tuple[tuple[str, HeaderValue], ...]
    body: Mapping[str, Any]
    stream: bool  # read the first server-sent event, then close
    # The exact bytes to send instead of ``body`` as JSON (a signed request: the signature
    # covers these bytes, so they must be the ones sent).
    content: bytes | None = None
    # How a stream is framed: "sse" (server-sent events) or "aws-eventstream" (AWS's
    # binary event stream: the first message is read, its length from its prelude).
    stream_format: str = "sse"
    # Credentials the run must redact besides the Secret headers (e.g. a signing key that
    # never leaves the process, fetched by ``authorize``).
    secrets: tuple[Secret, ...] = ()

    @property
    def expected(self) -> Expected:
        return Expected(self.kind, self.stream)

    def wire_headers(self) -> dict[str, str]:
        """Headers as sent. The only place a key value leaves its Secret."""
        return {
            name: value.reveal() if isinstance(value, Secret) else value
            for name, value in self.headers
        }

    def shown_headers(self) -> dict[str, str]:
        """Headers as displayed: secrets masked."""
        return {name: _masked(name, value) for name, value in self.headers}


def _masked(name: str, value: HeaderValue) -> str:
    if not isinstance(value, Secret):
        return value
    return f"Bearer {MASK}" if name.lower() == "authorization" else MASK


class ModelInfo(NamedTuple):
    """What a kind knows about a model."""

    probe: str  # the endpoint that proves access
    price: Price
    known: bool  # False: not in the catalog (probed by default, priced pessimistically)
    reasoning: bool = False
    # Capabilities the vendor gates behind Organization Verification (OpenAI).
    gated: frozenset[str] = frozenset()


class Fetched(NamedTuple):
    """An answer to a request a kind sends besides its probe (``identity``)."""

    status: int | None  # None: no HTTP answer (timeout, network error)
    headers: Mapping[str, str]  # names lower-cased
    body: bytes  # capped


Fetch = Callable[[ProbeRequest], Awaitable[Fetched]]


class Sweep(NamedTuple):
    """A provider option that may take one value or a list (``region:`` or ``regions:``):
    a list expands the provider into one per value, named ``<provider>@<value>``."""

    single: str  # the field a provider sets once, e.g. "region"
    plural: str  # the field that sweeps, e.g. "regions"


MAX_SWEEP = 64  # values one sweep may list (AWS has about 35 regions)


class CostEstimate(NamedTuple):
    usd: float
    priced: bool  # False when a default (guessed) price was used


def format_usd(value: float) -> str:
    """Dollars to three significant digits: $0.011, $0.0000123, $12.50."""
    if value <= 0:
        return "$0"
    if value >= 1:
        return f"${value:,.2f}"
    decimals = max(2, -math.floor(math.log10(value)) + 2)
    return "$" + f"{value:.{decimals}f}".rstrip("0")


# --- the simulator's side ---------------------------------------------------------------------


class SimSettings(NamedTuple):
    """How the simulator was asked to behave (shared by every kind)."""

    retry_after_ms: int = 300  # rate-limit answers carry retry-after-ms …
    retry_after_seconds: int | None = None  # … or Retry-After in seconds
    image_bytes: int = 64 * 1024
    honour_stream: bool = True  # False: answer `stream: true` with one JSON body


class SimRequest(NamedTuple):
    """A request as the simulator understood it, once a kind recognised its route."""

    kind: str  # the provider kind that recognised it
    probe: str  # endpoint
    key: str  # the credential it carried ("" if none)
    model: str
    capability: str
    path: str
    deployment: str | None = None
    organization: str | None = None
    body: Mapping[str, Any] = MappingProxyType({})
    settings: SimSettings = SimSettings()
    query: str = ""  # the URL's query string (Gemini's `alt=sse`)
    headers: Mapping[str, str] = MappingProxyType({})  # as received, names lower-cased
    raw: bytes = b""  # the body as received (a signature covers these bytes; a form body)
    auth_error: str = ""  # why ``sim_authenticate`` refused the credential (e.g. "signature")


class Reply(NamedTuple):
    """An answer the simulator sends (``headers`` may be added to before it is sent)."""

    status: int
    body: bytes | Iterator[bytes] = b""
    headers: Mapping[str, str] = MappingProxyType({})
    content_type: str = "application/json"
    # Fault injection: close after this many body bytes (`reset`), or stall (seconds).
    reset_after: int | None = None
    stall: float = 0.0


def random_hex(size: int) -> str:
    """Random hex for the simulator's ids (os.urandom: no need to load ``secrets``)."""
    return os.urandom(size).hex()


# --- the interface ----------------------------------------------------------------------------


OptionError = Callable[[str, str, str], None]  # (field name, message, fix)


def reasoning_summary_refusal(model: str, capability: str,
                              vendor: str) -> tuple[str, str] | None:
    """(message, fix) for ``reasoning_summary`` on another vendor than OpenAI: it is OpenAI's
    verification gate, which no other vendor has."""
    if capability != REASONING_SUMMARY:
        return None
    return (f"capability 'reasoning_summary' does not apply to '{model}': it is OpenAI's "
            f"(gated by organization verification); {vendor} has no such gate",
            "drop 'reasoning_summary' for this provider")


class ProviderKind(abc.ABC):
    name: ClassVar[str]
    summary: ClassVar[str]  # one line for docs and the schema
    fields: ClassVar[tuple[Field, ...]] = ()  # config fields only this kind takes
    default_base_url: ClassVar[str | None] = None  # None: `base_url` is required
    probes: ClassVar[tuple[str, ...]]  # what `probe:` may name
    prices_as_of: ClassVar[str]  # the date of the list prices in its catalog
    # Whose keys it takes (a vendor of ``providers.keys.KEY_SHAPES``); None: any shape.
    key_vendor: ClassVar[str | None] = None
    key_env: ClassVar[str] = "VAR"  # the variable its docs name for the key
    # An option the provider may sweep: `regions: [..]` is one provider per region.
    sweep: ClassVar[Sweep | None] = None
    # The optional extra (``providers.extras``) its credential chain needs, if any: without
    # it, a provider with no ``api_key:`` is a config error naming the install command.
    ambient_extra: ClassVar[str | None] = None

    @abc.abstractmethod
    def dialect(self) -> Dialect:
        """How this kind answers: its success shapes and its own error rules. (A method,
        so that loading a config does not load the classifier.)"""

    # -- config

    def options(self, values: Mapping[str, Any], error: OptionError) -> Mapping[str, Any]:
        """This kind's fields, validated beyond their type (``values`` holds only the
        fields present; report problems with ``error``). Returns ``Provider.options``."""
        return dict(values)

    def default_url(self, options: Mapping[str, Any]) -> str | None:
        """The base URL when the config gives none (None: `base_url` is required)."""
        return self.default_base_url

    def ambient_credentials(self, options: Mapping[str, Any]) -> str | None:
        """Where credentials come from when the provider has no ``api_key:`` (e.g. "the
        AWS credential chain"), fetched by ``authorize``; None: an ``api_key`` is required."""
        return None

    def api_key_refusal(self, options: Mapping[str, Any]) -> tuple[str, str] | None:
        """(why, fix) when ``api_key:`` cannot be these options' credential (the kind takes
        OAuth tokens only, or ``auth:`` chose another way); None: it can."""
        return None

    def key_variable(self, options: Mapping[str, Any]) -> str:
        """The variable the vendor's docs keep the key in (for messages)."""
        return self.key_env

    def expected_key_vendor(self, options: Mapping[str, Any], base_url: str) -> str | None:
        """The vendor whose key shape this provider takes, for the key-shape lint."""
        return self.key_vendor

    def capability_refusal(self, model: str, capability: str,
                           probe: str | None) -> tuple[str, str] | None:
        """(message, fix) when ``capability`` cannot apply to ``model``."""
        return None

    def known_models(self) -> tuple[str, ...]:
        """Model names the vendor publishes, for "did you mean" on a name the catalog does
        not know (empty: no suggestions)."""
        return ()

    def url_warning(self, base_url: str) -> str | None:
        """A warning for a base URL that is probably wrong (e.g. a vendor's host without
        its API path); None when it looks right or nothing is known."""
        return None

    # -- probes and prices

    @abc.abstractmethod
    def model_info(self, model: str) -> ModelInfo:
        """The catalog row of ``model`` (a default row for models it does not know)."""

    def probe_for(self, check: Check) -> str:
        """The endpoint that proves ``check.capability`` of ``check.model``."""
        return check.probe or self.model_info(check.model).probe

    @abc.abstractmethod
    def build_probe(self, check: Check) -> ProbeRequest:
        """The cheapest request that proves the check, with its credentials."""

    async def authorize(self, request: ProbeRequest, provider: Provider) -> ProbeRequest:
        """Last step before sending: credentials that must be fetched or signed (cloud
        identities). Header keys are already in ``build_probe``'s request."""
        return request

    def readable(self, request: ProbeRequest, status: int | None, headers: Mapping[str, str],
                 body: bytes) -> bytes:
        """The answer as the classifier reads it. A kind whose answers are binary (AWS's
        event stream) decodes them here with its vendor's library."""
        return body

    def advice(self, check: Check, cls: OutcomeClass, rule: str) -> str | None:
        """A note for this kind's own cause of ``cls`` (decided by ``rule``): what to do
        in the vendor's terms (Bedrock: the inference profile id to call). None: the
        class's hint says it all."""
        return None

    async def identity(self, provider: Provider, fetch: Fetch) -> str | None:
        """Who the provider's credentials are (an AWS caller ARN, a Google principal's
        email, an Azure object id), never a secret; None when unknown. Called at most once
        per provider and run, after a probe of it was authorized; ``fetch`` sends a request
        through the provider's client (bounded like a probe)."""
        return None

    def proves(self, check: Check, request: ProbeRequest) -> str:
        """What a granted answer to ``request`` proves, in a few words (shown by `plan`)."""
        if request.stream:
            return ("the key may use this model and it streams: the first event of an event "
                    "stream")
        return "the key may use this model: one real answer of the cheapest size"

    @abc.abstractmethod
    def estimate_cost(self, check: Check, request: ProbeRequest,
                      override: Price | None) -> CostEstimate:
        """An upper bound of what one probe costs when access is granted."""

    def gated(self, check: Check) -> bool:
        """The vendor may refuse this check until the organization is verified."""
        return check.capability in self.model_info(check.model).gated

    # -- the simulator

    @abc.abstractmethod
    def sim_route(self, method: str, path: str, headers: Mapping[str, str],
                  body: Mapping[str, Any]) -> SimRequest | None:
        """The request, if its path is one of this kind's endpoints."""

    @abc.abstractmethod
    def sim_refusal(self, refusal: str, request: SimRequest) -> Reply:
        """The real answer this kind sends for ``refusal`` (a name from the simulator's
        scenario table: ``invalid_key``, ``insufficient_quota``, …)."""

    @abc.abstractmethod
    def sim_success(self, request: SimRequest) -> Reply:
        """A successful answer to ``request``, as the real API sends it."""

    def sim_authenticate(self, request: SimRequest, secrets: Mapping[str, str]) -> SimRequest:
        """For a kind whose requests are signed (AWS SigV4): ``request`` with ``key`` set
        to the credential that signed it if the signature verifies against ``secrets`` (the
        simulator's test credentials, by key id), else to "" with ``auth_error`` set."""
        return request

    def sim_reject(self, request: SimRequest) -> Reply | None:
        """The real refusal of a request this API does not accept (a parameter it refuses,
        an organization the key is not in), or None."""
        return None

    def sim_headers(self, request: SimRequest, tier: str) -> dict[str, str]:
        """Headers every answer carries (request id, rate limits of the ``tier``)."""
        return {}

    def sim_known(self, request: SimRequest) -> Reply | None:
        """A refusal for a model or deployment this endpoint does not have (or, for a kind
        that validates requests, for a malformed request), or None."""
        if self.model_info(request.model).known:
            return None
        return self.sim_refusal("model_not_found", request)
