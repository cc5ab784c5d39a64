"""The OpenAI API description (tests/specs/openai-openapi.yaml, openai/openai-openapi,
MIT) as a test oracle: JSON Schema validators for its request and response schemas."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC = Path(__file__).resolve().parent / "specs" / "openai-openapi.yaml"
URI = "urn:openai-openapi"


@functools.cache
def document() -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with SPEC.open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.load(handle, Loader=loader)
    return loaded


@functools.cache
def validator(schema_name: str) -> Draft202012Validator:
    """A validator for ``#/components/schemas/<schema_name>``, with every $ref resolvable."""
    registry: Registry[Any] = Registry().with_resource(
        URI, Resource(contents=document(), specification=DRAFT202012))
    return Draft202012Validator({"$ref": f"{URI}#/components/schemas/{schema_name}"},
                                registry=registry)


def errors(schema_name: str, instance: object) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
            for e in validator(schema_name).iter_errors(instance)]


def description(schema_name: str, property_name: str) -> str:
    schema = document()["components"]["schemas"][schema_name]
    for part in [schema, *schema.get("allOf", [])]:
        found = part.get("properties", {}).get(property_name)
        if found:
            return str(found.get("description", ""))
    return ""
