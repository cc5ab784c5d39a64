"""What checker knows about OpenAI's models (also served by Azure OpenAI and relays):
which endpoint proves access, the cheapest request it accepts, and what it costs.

This is data. To teach checker a model family, add a ``Family`` row above any broader
pattern it overlaps (the first match wins). Prices are USD list prices on
``PRICES_AS_OF``; a config can override any model's price under ``prices:``.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from ..model import Price
from .base import ACCESS, REASONING_SUMMARY, STREAM, CostEstimate

PRICES_AS_OF = "2026-11-01"


class ProbeKind(enum.StrEnum):
    CHAT = "chat"
    RESPONSES = "responses"
    IMAGES = "images"
    EMBEDDINGS = "embeddings"

    def __str__(self) -> str:
        return self.value


def _frozen(values: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    return MappingProxyType(dict(values or {}))


_EMPTY: Mapping[str, Any] = _frozen()


class Family(NamedTuple):
    pattern: str  # regex, matched against the whole lower-cased model name
    probe: ProbeKind
    price: Price
    reasoning: bool = False
    # Extra body fields of the cheapest request the family accepts.
    params: Mapping[str, Any] = _EMPTY
    # Capabilities OpenAI gates behind Organization Verification (shown by `checker plan`).
    gated: frozenset[str] = frozenset()
    priced: bool = True  # False: the default price is a guess

    def matches(self, model: str) -> bool:
        return re.fullmatch(self.pattern, model.lower()) is not None


_IMAGE_LOW = _frozen({"size": "1024x1024", "quality": "low", "n": 1})
_LOW_EFFORT = _frozen({"reasoning_effort": "low"})
_GATED_REASONING = frozenset({STREAM, REASONING_SUMMARY})

FAMILIES: tuple[Family, ...] = (
    # Images: one image at the smallest size and lowest quality each model accepts.
    Family(r"gpt-image-1-mini.*", ProbeKind.IMAGES, Price(per_image=0.005), params=_IMAGE_LOW),
    Family(r"gpt-image-.*|chatgpt-image-.*", ProbeKind.IMAGES, Price(per_image=0.011),
           params=_IMAGE_LOW, gated=frozenset({ACCESS})),
    Family(r"dall-e-3.*", ProbeKind.IMAGES, Price(per_image=0.04),
           params=_frozen({"size": "1024x1024", "quality": "standard", "n": 1,
                           "response_format": "url"})),
    Family(r"dall-e-2.*", ProbeKind.IMAGES, Price(per_image=0.016),
           params=_frozen({"size": "256x256", "n": 1, "response_format": "url"})),
    # Embeddings
    Family(r"text-embedding-3-small.*", ProbeKind.EMBEDDINGS, Price(0.02)),
    Family(r"text-embedding-3-large.*", ProbeKind.EMBEDDINGS, Price(0.13)),
    Family(r"text-embedding-.*|.*embed.*", ProbeKind.EMBEDDINGS, Price(0.10), priced=False),
    # Reasoning models only served by /responses (the OpenAI API description's
    # `ResponsesOnlyModel` list; a test keeps this row in step with it)
    Family(r"(o1-pro|o3-pro|gpt-5(\.\d+)?-pro|o3-deep-research|o4-mini-deep-research"
           r"|computer-use-preview|codex-mini|gpt-5(\.\d+)?-codex|gpt-daybreak-[a-z]+"
           r"|gpt-5(\.\d+)?-cyber)(-.*)?",
           ProbeKind.RESPONSES, Price(15.0, 120.0), reasoning=True, gated=_GATED_REASONING),
    # Reasoning chat models: max_completion_tokens, lowest effort
    Family(r"gpt-5(\.\d+)?-chat.*", ProbeKind.CHAT, Price(1.25, 10.0)),
    Family(r"gpt-5(\.\d+)?-nano.*", ProbeKind.CHAT, Price(0.05, 0.40), reasoning=True,
           params=_LOW_EFFORT),
    Family(r"gpt-5(\.\d+)?-mini.*", ProbeKind.CHAT, Price(0.25, 2.0), reasoning=True,
           params=_LOW_EFFORT, gated=_GATED_REASONING),
    Family(r"gpt-5.*", ProbeKind.CHAT, Price(1.25, 10.0), reasoning=True, params=_LOW_EFFORT,
           gated=frozenset({ACCESS, STREAM, REASONING_SUMMARY})),
    Family(r"o4-mini.*", ProbeKind.CHAT, Price(1.10, 4.40), reasoning=True, params=_LOW_EFFORT,
           gated=_GATED_REASONING),
    Family(r"o3-mini.*", ProbeKind.CHAT, Price(1.10, 4.40), reasoning=True, params=_LOW_EFFORT),
    Family(r"o3.*", ProbeKind.CHAT, Price(2.0, 8.0), reasoning=True, params=_LOW_EFFORT,
           gated=frozenset({ACCESS, STREAM, REASONING_SUMMARY})),
    Family(r"o1-mini.*", ProbeKind.CHAT, Price(1.10, 4.40), reasoning=True),
    Family(r"o1.*", ProbeKind.CHAT, Price(15.0, 60.0), reasoning=True, params=_LOW_EFFORT),
    # Chat models
    Family(r"gpt-4\.1-nano.*", ProbeKind.CHAT, Price(0.10, 0.40)),
    Family(r"gpt-4\.1-mini.*", ProbeKind.CHAT, Price(0.40, 1.60)),
    Family(r"gpt-4\.1.*", ProbeKind.CHAT, Price(2.0, 8.0)),
    Family(r"gpt-4o-mini.*", ProbeKind.CHAT, Price(0.15, 0.60)),
    Family(r"gpt-4o.*|chatgpt-4o.*", ProbeKind.CHAT, Price(2.50, 10.0)),
    Family(r"gpt-4.*", ProbeKind.CHAT, Price(30.0, 60.0)),
    Family(r"gpt-3\.5.*", ProbeKind.CHAT, Price(0.50, 1.50)),
    # Anything else is probed as chat, priced pessimistically.
    Family(r".*", ProbeKind.CHAT, Price(5.0, 20.0), priced=False),
)

# Token budgets: the smallest each endpoint accepts.
CHAT_MAX_TOKENS = 1
REASONING_MAX_COMPLETION_TOKENS = 16
RESPONSES_MIN_OUTPUT_TOKENS = 16  # /responses refuses max_output_tokens below 16
PROBE_INPUT_TOKENS = 12  # the probe prompt plus message framing
DEFAULT_PROMPT = "Reply with OK."
DEFAULT_IMAGE_PROMPT = "A plain white square."


@functools.lru_cache(maxsize=4096)  # asked several times per check while a run is built
def family_of(model: str) -> Family:
    """The family of ``model``; relays that route by vendor (OpenRouter's
    ``openai/gpt-4o``) name OpenAI's models with an ``openai/`` prefix."""
    name = model[7:] if model.lower().startswith("openai/") else model
    for family in FAMILIES:
        if family.matches(name):
            return family
    raise AssertionError("the catch-all family matches every model")


def probe_kind_for(model: str, capability: str, override: ProbeKind | None = None) -> ProbeKind:
    """The endpoint that proves ``capability`` of ``model`` (``override``: the check's
    ``probe:``; reasoning summaries exist only on /responses)."""
    if capability == REASONING_SUMMARY:
        return ProbeKind.RESPONSES
    return override or family_of(model).probe


def estimate_cost(
    model: str,
    kind: ProbeKind,
    override: Price | None = None,
) -> CostEstimate:
    """Upper bound of what one probe of ``model`` through ``kind`` costs."""
    family = family_of(model)
    price = override or family.price
    priced = override is not None or family.priced
    if kind is ProbeKind.IMAGES:
        return CostEstimate(price.per_image, priced)
    if kind is ProbeKind.EMBEDDINGS:
        return CostEstimate(price.input_per_mtok * 2 / 1e6, priced)
    if kind is ProbeKind.RESPONSES:
        output = RESPONSES_MIN_OUTPUT_TOKENS
    elif family.reasoning:
        output = REASONING_MAX_COMPLETION_TOKENS
    else:
        output = CHAT_MAX_TOKENS
    usd = (PROBE_INPUT_TOKENS * price.input_per_mtok + output * price.output_per_mtok) / 1e6
    return CostEstimate(usd, priced)
