"""Whose key is this? The published shapes of vendors' API keys, and the lint that warns
when a provider is given a key of another vendor (a pasted secret in the wrong variable is
a common way for a deploy to meet 401 in production). Pure: no I/O, and the key itself
never appears in what it returns.

The shapes are the prefixes the vendors issue, as secret scanners (gitleaks, trufflehog)
recognise them. A bare ``sk-`` (OpenAI's older keys, DeepSeek, many relays) names no one
vendor and is never warned about.
"""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import urlsplit

from .presets import PRESETS


class KeyShape(NamedTuple):
    vendor: str
    prefix: str
    label: str  # "an Anthropic API key"


# Longer prefixes first: the first match wins (sk-ant- and sk-or- before any bare sk-).
KEY_SHAPES: tuple[KeyShape, ...] = (
    KeyShape("anthropic", "sk-ant-", "an Anthropic key"),
    KeyShape("openrouter", "sk-or-", "an OpenRouter key"),
    KeyShape("openai", "sk-proj-", "an OpenAI project key"),
    KeyShape("openai", "sk-svcacct-", "an OpenAI service-account key"),
    KeyShape("openai", "sk-admin-", "an OpenAI admin key"),
    KeyShape("google", "AIza", "a Google API key"),
    KeyShape("groq", "gsk_", "a Groq key"),
    KeyShape("xai", "xai-", "an xAI key"),
    KeyShape("perplexity", "pplx-", "a Perplexity key"),
    KeyShape("cerebras", "csk-", "a Cerebras key"),
    KeyShape("together", "tgp_v1_", "a Together AI key"),
    KeyShape("fireworks", "fw_", "a Fireworks AI key"),
)

# The hosts whose keys are known without a preset (a relay's host says nothing).
VENDOR_HOSTS: dict[str, str] = {
    "api.openai.com": "openai",
    **{urlsplit(p.base_url).hostname or "": p.vendor for p in PRESETS.values()},
}


def shape_of(key: str) -> KeyShape | None:
    for shape in KEY_SHAPES:
        if key.startswith(shape.prefix):
            return shape
    return None


def vendor_of_host(base_url: str) -> str | None:
    return VENDOR_HOSTS.get((urlsplit(base_url).hostname or "").lower())


def foreign_key_warning(key: str, expected_vendor: str | None) -> str | None:
    """Why ``key`` looks like another vendor's than ``expected_vendor``'s, or None (also
    when either is unknown). Names the shape, never the key."""
    if expected_vendor is None:
        return None
    shape = shape_of(key)
    if shape is None or shape.vendor == expected_vendor:
        return None
    return f"the key has the shape of {shape.label} ({shape.vendor})"
