"""Secrets: a wrapper that never prints its value, and the redactor every output goes through."""

from __future__ import annotations

import base64
import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from urllib.parse import quote

MASK = "***"
MIN_FRAGMENT = 8
BLOCK = MIN_FRAGMENT // 2


class Secret:
    """A key value. ``repr``/``str`` never show it; ``reveal()`` is the one way out."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def bearer(self) -> Secret:
        return Secret(f"Bearer {self._value}")

    def __repr__(self) -> str:
        return f"Secret({MASK})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


_KEY_PREFIXES = ("sk-", "sk_", "rk-", "rk_", "xai-", "gsk_", "aiza", "sess-", "ghp_", "glpat-")
_TOKEN_CHARS = re.compile(r"^[A-Za-z0-9_\-.+/=~]+$")


def looks_like_secret(text: str) -> bool:
    """Heuristic for a key written literally: known prefixes, or a long random token."""
    value = text.strip()
    if value.lower().startswith("bearer ") and len(value) > 15:
        return True
    if len(value) >= 12 and value.lower().startswith(_KEY_PREFIXES):
        return True
    if len(value) < 24 or not _TOKEN_CHARS.match(value):
        return False
    if not (re.search(r"[A-Za-z]", value) and re.search(r"\d", value)):
        return False
    return _entropy(value) >= 3.5


def _entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


# Key-shaped text a provider or relay may echo, whether or not it is one of ours. Each
# pattern runs only when the lower-cased text contains one of its trigger words: scanning
# a megabyte report with case-insensitive patterns costs more than the rest of a run.
_PATTERNS: tuple[tuple[tuple[str, ...], re.Pattern[str], str], ...] = (
    (("sk-", "rk-"),
     re.compile(r"\b(sk|rk)-(?:proj-|ant-(?:api\d\d-)?|or-v1-|svcacct-|admin-)?"
                r"[A-Za-z0-9_\-]{16,}"), r"\1-" + MASK),
    (("bearer", "basic"),
     re.compile(r"(?i)\b(bearer|basic)(\s+)[A-Za-z0-9._~+/=\-]{8,}"), r"\1\2" + MASK),
    (("apikey", "api-key", "api_key", "access-token", "access_token", "secret"),
     re.compile(r"""(?i)((?:api[-_]?key|x-api-key|api_key|access[-_]token|secret)["']?"""
                r"""\s*[:=]\s*["']?)[A-Za-z0-9._~+/\-]{12,}"""), r"\1" + MASK),
)


class Redactor:
    """Removes every known secret (and every 8+ character fragment of it) from text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._windows: set[str] = set()
        self._blocks: set[str] = set()  # every 4-character piece of every window
        self._forms: list[str] = []
        self._added: set[str] = set()  # learnt again per probe: only the first time costs
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str) -> None:
        if len(secret) < 4 or secret in self._added:
            return
        self._added.add(secret)
        forms = {
            secret,
            quote(secret, safe=""),
            json.dumps(secret)[1:-1],
            base64.b64encode(secret.encode()).decode(),
        }
        for form in forms:
            if form not in self._forms:
                self._forms.append(form)
            for start in range(0, max(1, len(form) - MIN_FRAGMENT + 1)):
                window = form[start : start + MIN_FRAGMENT]
                if len(window) == MIN_FRAGMENT:
                    self._windows.add(window)
                    self._blocks.update(window[i : i + BLOCK] for i in range(BLOCK + 1))
        # Longest first, so a whole secret is masked before any of its fragments.
        self._forms.sort(key=len, reverse=True)

    def __call__(self, text: str) -> str:
        if self._forms:
            for form in self._forms:
                text = text.replace(form, MASK)
            text = self._mask_fragments(text)
        lowered = text.lower()
        for triggers, pattern, replacement in _PATTERNS:
            if any(trigger in lowered for trigger in triggers):
                text = pattern.sub(replacement, text)
        return text

    def _mask_fragments(self, text: str) -> str:
        if len(text) < MIN_FRAGMENT:
            return text
        windows, blocks = self._windows, self._blocks
        last_start = len(text) - MIN_FRAGMENT
        # Any 8-character window holds a 4-character block that starts at a multiple of 4,
        # so only those blocks are looked up; a hit checks the windows around it. Reports
        # are megabytes: this is four times fewer steps than testing every window.
        starts: set[int] = set()
        for block in range(0, len(text) - BLOCK + 1, BLOCK):
            if text[block : block + BLOCK] in blocks:
                for start in range(max(0, block - BLOCK), min(block, last_start) + 1):
                    if text[start : start + MIN_FRAGMENT] in windows:
                        starts.add(start)
        covered_until = -1
        spans: list[list[int]] = []
        for start in sorted(starts):
            end = start + MIN_FRAGMENT
            if spans and start <= covered_until:
                spans[-1][1] = end
            else:
                spans.append([start, end])
            covered_until = end
        if not spans:
            return text
        pieces: list[str] = []
        previous = 0
        for start, end in spans:
            pieces.append(text[previous:start])
            pieces.append(MASK)
            previous = end
        pieces.append(text[previous:])
        return "".join(pieces)
