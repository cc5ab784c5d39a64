"""The model names the OpenAI API description lists (``ModelIdsShared``, ``ResponsesOnlyModel``
and the image and embedding requests' enums), for tests that keep checker's list in step."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import yaml

from tests.openai_spec import SPEC


def _enum_after(text: str, anchor: str) -> list[str]:
    names: list[str] = []
    started = False
    for line in text[text.index(anchor):].splitlines()[1:]:
        if "enum:" in line:
            started = True
            continue
        if started:
            match = re.match(r"\s+- (\S+)$", line)
            if match is None:
                break
            names.append(match.group(1).strip('"'))
    return names


def _enums(value: Any, found: list[list[str]]) -> None:
    if isinstance(value, dict):
        if isinstance(value.get("enum"), list):
            found.append([str(item) for item in value["enum"]])
        for item in value.values():
            _enums(item, found)
    elif isinstance(value, list):
        for item in value:
            _enums(item, found)


@cache
def spec_model_names() -> frozenset[str]:
    text = SPEC.read_text(encoding="utf-8")
    names = set(_enum_after(text, "    ModelIdsShared:"))
    names.update(_enum_after(text, "title: ResponsesOnlyModel"))
    schemas = yaml.safe_load(text)["components"]["schemas"]
    found: list[list[str]] = []
    for name in ("CreateImageRequest", "CreateImageEditRequest", "CreateEmbeddingRequest"):
        _enums(schemas[name], found)
    for enum in found:
        names.update(n for n in enum if re.match(r"(gpt|dall-e|text-embedding|chatgpt)-", n))
    return frozenset(names)
