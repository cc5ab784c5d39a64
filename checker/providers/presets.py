"""OpenAI-compatible vendors, as data: ``preset: groq`` is a provider of kind ``openai``
whose base URL (unless ``base_url:`` is given) and key hints come from one row here.

To add a vendor: one ``Preset`` row. Base URLs are the ones each vendor documents for
OpenAI SDKs (the path ``/chat/completions`` and friends is appended to them); ``vendor``
names the row of ``keys.KEY_SHAPES`` whose key shape the preset takes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple


class Preset(NamedTuple):
    name: str  # what `preset:` says
    title: str  # the vendor, for docs and messages
    base_url: str
    key_env: str  # the variable the vendor's docs use for the key
    vendor: str  # whose key shape it takes (keys.KEY_SHAPES)


PRESETS: Mapping[str, Preset] = {preset.name: preset for preset in (
    Preset("openrouter", "OpenRouter", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY",
           "openrouter"),
    Preset("groq", "Groq", "https://api.groq.com/openai/v1", "GROQ_API_KEY", "groq"),
    Preset("together", "Together AI", "https://api.together.xyz/v1", "TOGETHER_API_KEY",
           "together"),
    Preset("fireworks", "Fireworks AI", "https://api.fireworks.ai/inference/v1",
           "FIREWORKS_API_KEY", "fireworks"),
    Preset("deepseek", "DeepSeek", "https://api.deepseek.com", "DEEPSEEK_API_KEY", "deepseek"),
    Preset("mistral", "Mistral AI", "https://api.mistral.ai/v1", "MISTRAL_API_KEY", "mistral"),
    Preset("xai", "xAI", "https://api.x.ai/v1", "XAI_API_KEY", "xai"),
    Preset("perplexity", "Perplexity", "https://api.perplexity.ai", "PERPLEXITY_API_KEY",
           "perplexity"),
    Preset("cerebras", "Cerebras", "https://api.cerebras.ai/v1", "CEREBRAS_API_KEY",
           "cerebras"),
    # The vendors' own OpenAI-compatible endpoints (kinds `gemini` and `anthropic` speak
    # their native APIs; these presets prove what an OpenAI SDK pointed at them meets).
    Preset("gemini-openai", "Google Gemini (OpenAI-compatible endpoint)",
           "https://generativelanguage.googleapis.com/v1beta/openai", "GEMINI_API_KEY",
           "google"),
    Preset("anthropic-openai", "Anthropic (OpenAI-compatible endpoint)",
           "https://api.anthropic.com/v1", "ANTHROPIC_API_KEY", "anthropic"),
)}
