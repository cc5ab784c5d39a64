"""Real error bodies for the Vertex AI and Azure Entra ID tests: DEV rows of the collected
corpus (tests/data/errors-collected-dev.jsonl) and the rows collected for issue 14
(tests/data/errors-vertex-azure.jsonl), each found by the start of its public source."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"
DEV = DATA / "errors-collected-dev.jsonl"
CLOUD = DATA / "errors-vertex-azure.jsonl"


def rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


ALL = rows(DEV) + rows(CLOUD)


def body_from(source: str, contains: str = "") -> dict[str, Any]:
    """The one row whose source starts with ``source`` (and whose body has ``contains``)."""
    found = [r for r in ALL if str(r["source"]).startswith(source + " ")
             and contains in str(r["body"])]
    assert len(found) == 1, (source, len(found))
    return found[0]


def family(name: str) -> list[dict[str, Any]]:
    return [r for r in ALL if r.get("vendor_family") == name and r.get("origin") == "http"]
