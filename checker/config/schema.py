"""`checker schema`: a JSON Schema (draft 2020-12) of the config file.

Generated from the field tables the loader itself validates with (``fields.TOP_FIELDS``,
``DEFAULTS_FIELDS``, ``PROVIDER_FIELDS``, ``CHECK_FIELDS``, ``PRICE_FIELDS``, and each
provider kind's own ``fields``), and from the same patterns, so a key the loader knows is a
key the schema knows. The loader stays the authority: the schema is for
editors (``# yaml-language-server: $schema=...``) and ``check-jsonschema``; it cannot see
everything the loader checks (an unknown provider name in a check, a duplicate check).
The shipped copy is ``schema/checks.schema.json``; a test keeps it equal to this output.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..fields import (
    DEFAULTS_FIELDS,
    HEADER_NAME_PATTERN,
    PRICE_FIELDS,
    PROVIDER_FIELDS,
    PROVIDER_NAME_PATTERN,
    TOP_FIELDS,
    VARIABLE_PATTERN,
    Field,
)
from ..model import EXPECTABLE
from ..outcomes import OutcomeClass
from ..providers import DEFAULT_KIND, KINDS
from .checks import check_fields
from .providers import kind_field

DRAFT = "https://json-schema.org/draft/2020-12/schema"
TITLE = "model-access-checker config (checks.yml)"

Schema = dict[str, Any]

# What `expect:` may name: the loader's own list (definite answers only).
EXPECTATIONS: tuple[str, ...] = ("ok", "denied", *(
    c.value for c in EXPECTABLE if c is not OutcomeClass.OK))


def variable_string(description: str = "") -> Schema:
    schema: Schema = {"type": "string", "pattern": VARIABLE_PATTERN}
    if description:
        schema["description"] = description
    return schema


def one_or_many(item: Schema) -> Schema:
    """A single value or a non-empty list of them (the loader accepts both)."""
    return {"anyOf": [item, {"type": "array", "items": item, "minItems": 1}]}


def scalar_schema(field: Field) -> Schema:
    """The schema of one field from its table entry alone."""
    if field.type in ("string", "header"):
        return {"type": "string", "minLength": 1}
    if field.type == "string_map":
        return {"type": "object", "minProperties": 1,
                "additionalProperties": {"type": "string", "minLength": 1}}
    if field.type == "boolean":
        return {"type": "boolean"}
    if field.type == "enum":
        return {"enum": list(field.choices)}
    if field.type in ("number", "integer"):
        if field.choices:
            return {"enum": [int(c) if field.type == "integer" else float(c)
                             for c in field.choices]}
        number: Schema = {"type": field.type}
        if field.minimum is not None:
            number["minimum"] = field.minimum
        # `timeout: ${CHECK_TIMEOUT}` is interpolated before it is read as a number.
        return {"anyOf": [number, variable_string()]}
    if field.type == "string_list":
        item: Schema = ({"enum": list(field.choices)} if field.choices
                        else {"type": "string", "minLength": 1})
        return one_or_many(item)
    if field.type == "expect":
        return one_or_many({"enum": list(EXPECTATIONS)})
    if field.type == "credential":
        return variable_string()
    if field.type == "mapping":
        return {"type": "object"}
    if field.type == "list":
        return {"type": "array"}
    raise ValueError(f"no schema for field type {field.type!r}")


def object_schema(
    fields: Sequence[Field], refined: Mapping[str, Schema] | None = None,
    description: str = "",
) -> Schema:
    """A closed object with one property per field; ``refined`` replaces the generic
    schema of fields whose shape the table does not spell out (nested sections, keys)."""
    refined = refined or {}
    properties: Schema = {}
    for field in fields:
        schema = dict(refined.get(field.name) or scalar_schema(field))
        properties[field.name] = {"description": field.description, **schema}
    result: Schema = {"type": "object", "properties": properties,
                      "additionalProperties": False}
    required = [f.name for f in fields if f.required]
    if required:
        result["required"] = required
    if description:
        result = {"description": description, **result}
    return result


def exactly_one_of(*names: str) -> Schema:
    return {"oneOf": [{"required": [name]} for name in names]}


def provider_schema() -> Schema:
    kind_fields: dict[str, Field] = {}
    for field in (f for kind in KINDS.values() for f in kind.fields):
        known = kind_fields.get(field.name)
        # Two kinds may name a field alike (OpenAI's and Vertex's `project`): both say so.
        kind_fields[field.name] = field if known is None or known.description == \
            field.description else known._replace(
                description=f"{known.description} {field.description}")
    fields = (kind_field(), *PROVIDER_FIELDS[1:], *kind_fields.values())
    schema = object_schema(fields, {
        "base_url": {"type": "string", "pattern": r"^(https?://|\$\{)"},
        "api_key": variable_string(),
        "headers": {"type": "object", "propertyNames": {"pattern": HEADER_NAME_PATTERN},
                    "additionalProperties": {"type": "string"}},
    }, "One endpoint and the key it is called with.")
    # A kind's own fields mean nothing to the other kinds; base_url is required where the
    # kind has no default.
    rules: list[Schema] = []
    for kind in KINDS.values():
        own = {f.name for f in kind.fields}
        then: Schema = {"properties": {name: False for name in kind_fields if name not in own}}
        if kind.default_base_url is None:
            # A kind with presets takes its base URL from `preset:` too.
            then["anyOf"] = [{"required": [name]} for name in ("base_url", "preset")
                             if name == "base_url" or name in own]
        if kind.sweep is not None:  # `region:` or `regions: [..]`, not both
            then["not"] = {"required": [kind.sweep.single, kind.sweep.plural]}
        is_kind: Schema = {"required": ["kind"],
                           "properties": {"kind": {"const": kind.name}}}
        if kind.name == DEFAULT_KIND:
            is_kind = {"anyOf": [{"not": {"required": ["kind"]}}, is_kind]}
        rules.append({"if": is_kind, "then": then})
    schema["allOf"] = rules
    return schema


def check_schema() -> Schema:
    schema = object_schema(check_fields(), {
        "api_key": one_or_many(variable_string()),
    }, "A block of checks: every provider × model × capability (× key) in it.")
    schema["allOf"] = [exactly_one_of("providers", "provider"),
                       exactly_one_of("models", "model")]
    return schema


def config_schema() -> Schema:
    top = object_schema(TOP_FIELDS, {
        "defaults": object_schema(DEFAULTS_FIELDS),
        "providers": {"type": "object", "minProperties": 1,
                      "propertyNames": {"pattern": PROVIDER_NAME_PATTERN},
                      "additionalProperties": {"$ref": "#/$defs/provider"}},
        "checks": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/check"}},
        "prices": {"type": "object",
                   "additionalProperties": object_schema(PRICE_FIELDS)},
    })
    return {
        "$schema": DRAFT,
        "title": TITLE,
        "description": "Which API keys, at which base URLs, must (or must not) be able to use "
                       "which models and capabilities. Generated by `checker schema`.",
        **top,
        "$defs": {"provider": provider_schema(), "check": check_schema()},
    }


def render_schema() -> str:
    return json.dumps(config_schema(), indent=2, ensure_ascii=False) + "\n"
