"""The config's field tables: what each section of ``checks.yml`` may hold.

Data, read by two consumers that must agree: the loader (``config/``) validates with
them, and ``checker schema`` generates the JSON Schema from them. A provider kind's own
fields are in its module (``ProviderKind.fields``); the choices of ``kind:`` and
``probe:`` come from the provider registry.
"""

from __future__ import annotations

from typing import NamedTuple

# Field types: string | header | number | integer | boolean | string_list | mapping |
# string_map | list | enum | expect | credential. A "header" is a string sent in a request
# header: an unset ${VAR} means "not configured", and its value is checked like a credential.
# A "credential" is a kind's own name for the provider's key (``access_token: ${VAR}``): read
# like ``api_key``, from the environment only, and exclusive with it.


class Field(NamedTuple):
    name: str
    type: str
    description: str
    required: bool = False
    choices: tuple[str, ...] = ()
    minimum: float | None = None


TYPE_NAMES = {
    "string": "a string",
    "header": "a string",
    "number": "a number",
    "integer": "an integer",
    "boolean": "true or false",
    "string_list": "a string or a list of strings",
    "mapping": "a mapping",
    "string_map": "a mapping of names to strings",
    "list": "a list",
    "enum": "one of the listed values",
    "expect": "ok, denied, or outcome class(es)",
    "credential": "a ${VAR} reference",
}

TOP_FIELDS: tuple[Field, ...] = (
    Field("version", "integer", "Config format version; only 1 exists.", choices=("1",)),
    Field("defaults", "mapping", "Settings every check inherits."),
    Field("providers", "mapping", "Named endpoints with their keys.", required=True),
    Field("checks", "list", "What must (or must not) be reachable.", required=True),
    Field("prices", "mapping", "Per-model USD price overrides for cost estimates."),
)

DEFAULTS_FIELDS: tuple[Field, ...] = (
    Field("timeout", "number", "Seconds per attempt.", minimum=0.001),
    Field("retries", "integer", "Retries for transient outcomes.", minimum=0),
    Field("concurrency", "integer", "Probes in flight at once, in all.", minimum=1),
    Field("provider_concurrency", "integer", "Probes in flight per provider.", minimum=1),
    Field("deadline", "number", "Seconds for the whole run (default 300; 0 = no limit).",
          minimum=0),
)

# Fields every provider kind takes; each kind adds its own (ProviderKind.fields).
PROVIDER_FIELDS: tuple[Field, ...] = (
    Field("kind", "enum", "Which API this provider speaks (default openai)."),
    Field("base_url", "string", "e.g. https://api.openai.com/v1"),
    Field("api_key", "string", "From the environment only: ${VAR}."),
    Field("headers", "mapping", "Extra request headers (no literal secrets)."),
    Field("concurrency", "integer", "Probes in flight for this provider.", minimum=1),
    Field("timeout", "number", "Seconds per attempt for this provider.", minimum=0.001),
    Field("allow_insecure_http", "boolean", "Allow http:// to a non-loopback host."),
    Field("ca_bundle", "string", "PEM file of CAs to trust (TLS is always verified)."),
    Field("optional", "boolean", "A missing key skips this provider's checks instead of "
          "failing them."),
)

CHECK_FIELDS: tuple[Field, ...] = (
    Field("name", "string", "A label for this block of checks."),
    Field("providers", "string_list", "Provider names (or `provider:` for one)."),
    Field("provider", "string", "One provider name."),
    Field("models", "string_list", "Model names (or `model:` for one)."),
    Field("model", "string", "One model name."),
    Field("capabilities", "string_list", "What to prove; default [access]."),
    Field("api_key", "string_list", "Key(s) to use instead of the provider's: ${VAR}."),
    Field("expect", "expect", "ok (default), denied, or outcome class(es)."),
    Field("probe", "enum", "Override the endpoint the catalog picks."),
    Field("params", "mapping", "Extra fields merged into the probe request body."),
    Field("prompt", "string", "Probe prompt (if a content filter blocks the default)."),
    Field("timeout", "number", "Seconds per attempt.", minimum=0.001),
    Field("retries", "integer", "Retries for transient outcomes.", minimum=0),
    Field("min_rpm", "integer", "Fail unless the key's requests-per-minute limit is this.",
          minimum=0),
    Field("min_tpm", "integer", "Fail unless the key's tokens-per-minute limit is this.",
          minimum=0),
    Field("optional", "boolean", "A missing key skips these checks instead of failing them."),
)

PRICE_FIELDS: tuple[Field, ...] = (
    Field("input", "number", "USD per million input tokens.", minimum=0),
    Field("output", "number", "USD per million output tokens.", minimum=0),
    Field("image", "number", "USD per image.", minimum=0),
)

# A provider's OAuth 2 access token (Vertex AI, Azure OpenAI with Entra ID), one row for both
# kinds that take it.
ACCESS_TOKEN = Field("access_token", "credential", "An OAuth 2 access token from the "
                     "environment (${VAR}), sent as Authorization: Bearer. Without it Vertex AI "
                     "uses Google's Application Default Credentials; Azure its api_key, or "
                     "Entra ID with auth: entra.")

# Patterns the loader checks with and the schema repeats (one source for both).
VARIABLE_PATTERN = r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}"
PROVIDER_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
HEADER_NAME_PATTERN = r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$"


def field_named(fields: tuple[Field, ...], name: str) -> Field:
    return next(f for f in fields if f.name == name)
