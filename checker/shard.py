"""Split the expanded matrix across N CI jobs. Deterministic, balanced, and stable when the
config is reordered: a check's shard depends only on the set of check names."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from .model import Check

_SPEC = re.compile(r"^(\d+)/(\d+)$")


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/4"`` → (2, 4). Raises ValueError with a message for the user."""
    match = _SPEC.match(text.strip())
    if not match:
        raise ValueError(f"--shard {text!r}: write K/N, e.g. 2/4")
    index, total = int(match.group(1)), int(match.group(2))
    if total < 1 or not 1 <= index <= total:
        raise ValueError(f"--shard {text!r}: K must be between 1 and N")
    return index, total


def _spread(check_id: str) -> bytes:
    # Hashing first spreads one provider's checks over all shards instead of one.
    return hashlib.sha256(check_id.encode()).digest()


def select_shard(checks: Sequence[Check], index: int, total: int) -> list[Check]:
    """The checks of shard ``index`` (1-based) of ``total``, in config order."""
    ordered = sorted(checks, key=lambda c: (_spread(c.id), c.id))
    chosen = {c.id for position, c in enumerate(ordered) if position % total == index - 1}
    return [c for c in checks if c.id in chosen]
