"""The vendors' own published descriptions of their requests and answers, as validators
for tests (test-only dependencies: the `anthropic` SDK, `google-ai-generativelanguage` and
`google-genai`; none is needed to run checker).

* Anthropic: the SDK's request TypedDicts, turned into JSON Schema by pydantic and closed
  (no unknown key anywhere), then checked with jsonschema. Validating the TypedDict with
  pydantic directly would coerce "1" to 1, ignore unknown keys and check iterables lazily.
* Gemini: the published v1beta protos (exact wire names, unknown fields refused) for
  bodies the proto release knows; google-genai's pydantic types (camelCase on the wire,
  extra fields forbidden) for every body, including Gemini 3's ``thinkingLevel``, which
  the newest proto release does not have yet.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any


def _closed(schema: Any) -> Any:
    if isinstance(schema, dict):
        if schema.get("type") == "object" and "properties" in schema:
            schema.setdefault("additionalProperties", False)
        for value in schema.values():
            _closed(value)
    elif isinstance(schema, list):
        for value in schema:
            _closed(value)
    return schema


@functools.cache
def _anthropic_validator(stream: bool) -> Any:
    import jsonschema
    from anthropic.types.message_create_params import (
        MessageCreateParamsNonStreaming,
        MessageCreateParamsStreaming,
    )
    from pydantic import TypeAdapter

    params = MessageCreateParamsStreaming if stream else MessageCreateParamsNonStreaming
    return jsonschema.Draft202012Validator(_closed(TypeAdapter(params).json_schema()))


def anthropic_request_errors(body: Mapping[str, Any]) -> list[str]:
    """Where ``body`` breaks the SDK's description of POST /v1/messages ([] if nowhere)."""
    validator = _anthropic_validator(bool(body.get("stream")))
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
            for e in validator.iter_errors(dict(body))]


def anthropic_answer_errors(payload: Mapping[str, Any], event: bool = False) -> list[str]:
    """Where a Message (or a ``message_start`` event) breaks the SDK's answer types."""
    from anthropic.types import Message, RawMessageStartEvent
    from pydantic import ValidationError

    model = RawMessageStartEvent if event else Message
    try:
        model.model_validate(dict(payload), strict=False)
    except ValidationError as exc:
        return [str(exc)]
    return []


def gemini_proto_errors(body: Mapping[str, Any], model: str) -> list[str]:
    """Where ``body`` breaks the published v1beta GenerateContentRequest proto."""
    from google.ai.generativelanguage_v1beta.types import GenerateContentRequest
    from google.protobuf import json_format

    message = GenerateContentRequest.pb()()
    try:
        json_format.ParseDict({"model": f"models/{model}", **body}, message)
    except json_format.ParseError as exc:
        return [str(exc)]
    return [] if message.contents else ["missing 'contents'"]


_GENAI_FIELDS = ("contents", "systemInstruction", "generationConfig", "safetySettings",
                 "tools", "toolConfig", "cachedContent")


def gemini_genai_errors(body: Mapping[str, Any]) -> list[str]:
    """Where ``body`` breaks google-genai's types of the generateContent body."""
    from google.genai import types
    from pydantic import TypeAdapter, ValidationError

    adapters: dict[str, Any] = {
        "contents": TypeAdapter(list[types.Content]),
        "systemInstruction": TypeAdapter(types.Content),
        "generationConfig": TypeAdapter(types.GenerationConfig),
        "safetySettings": TypeAdapter(list[types.SafetySetting]),
        "tools": TypeAdapter(list[types.Tool]),
        "toolConfig": TypeAdapter(types.ToolConfig),
        "cachedContent": TypeAdapter(str),
    }
    errors = [f"unknown field {name!r}" for name in body if name not in _GENAI_FIELDS]
    if "contents" not in body:
        errors.append("missing 'contents'")
    for name, adapter in adapters.items():
        if name in body:
            try:
                adapter.validate_python(body[name], by_alias=True, by_name=False)
            except ValidationError as exc:
                errors += [f"{name}.{'.'.join(map(str, e['loc']))}: {e['msg']}"
                           for e in exc.errors()]
    return errors


def gemini_answer_errors(payload: Mapping[str, Any]) -> list[str]:
    """Where an answer breaks the published v1beta GenerateContentResponse proto."""
    from google.ai.generativelanguage_v1beta.types import GenerateContentResponse
    from google.protobuf import json_format

    try:
        json_format.ParseDict(dict(payload), GenerateContentResponse.pb()())
    except json_format.ParseError as exc:
        return [str(exc)]
    return []
