"""JSON from places checker does not control (response bodies, pasted text, baselines,
merged reports), decoded with a bound on nesting.

``json.loads`` recurses once per nesting level: a body nested tens of thousands of
levels deep raises RecursionError, and a few hundred levels are enough to make any code
that walks the result recursive. ``loads`` measures the depth first, in one linear pass,
and refuses anything deeper than ``MAX_DEPTH`` with a ValueError like any other bad JSON.
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 64


def nesting_depth(text: str) -> int:
    """The deepest ``[``/``{`` nesting in ``text``, ignoring brackets inside strings.
    Linear; stops counting once past ``MAX_DEPTH``."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_DEPTH:
                    return deepest
        elif char in "]}":
            depth = max(0, depth - 1)
    return deepest


class TooDeep(ValueError):
    """The document nests deeper than ``MAX_DEPTH``."""


def check_depth(text: str) -> None:
    if nesting_depth(text) > MAX_DEPTH:
        raise TooDeep(f"nests deeper than {MAX_DEPTH} levels")


def loads(text: str | bytes) -> Any:
    """``json.loads`` that raises ValueError (never RecursionError) on deep nesting."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    check_depth(text)
    return json.loads(text)


def raw_decode(text: str) -> tuple[Any, int]:
    """``JSONDecoder().raw_decode`` with the same bound."""
    check_depth(text)
    return json.JSONDecoder().raw_decode(text)
