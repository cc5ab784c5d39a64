"""Accuracy on real error bodies (tests/data/README.md says where they come from).

* ``errors-dev.jsonl``, the shared corpus: every body classifies right.
* ``errors-collected-dev.jsonl`` (DEV): the rules were written looking at these.
* ``errors-collected-heldout.jsonl`` (HELD-OUT): never looked at while writing rules; it
  measures how well the rules generalise.
* ``errors-collected-dev2.jsonl`` (DEV-2): wordings and producers DEV lacked, collected after
  HELD-OUT was measured; the rules may be written looking at these.
* ``errors-collected-dev3.jsonl`` (DEV-3): round 3, weighted to client-side text, gateways and
  Azure; the rules may be written looking at these.

A row counts as right when the class is one its ``expect`` lists. HTTP answers are read with
``classify(..., dialect=any_dialect())`` (a body of unknown origin, as a relay may pass any
vendor's on); what a client printed (``origin: client``) with ``diagnose``. Run with ``-s``
to see the figures per vendor family.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from checker.classify import classify
from checker.diagnose import diagnose
from checker.outcomes import Kind, OutcomeClass, info
from checker.providers import any_dialect

DATA = Path(__file__).parent / "data"
DEV = DATA / "errors-collected-dev.jsonl"
HELDOUT = DATA / "errors-collected-heldout.jsonl"
HELDOUT2 = DATA / "errors-collected-heldout2.jsonl"
HELDOUT3 = DATA / "errors-collected-heldout3.jsonl"
HELDOUT4 = DATA / "errors-collected-heldout4.jsonl"
HELDOUT5 = DATA / "errors-collected-heldout5.jsonl"
HELDOUT6 = DATA / "errors-collected-heldout6.jsonl"
DEV2 = DATA / "errors-collected-dev2.jsonl"
DEV3 = DATA / "errors-collected-dev3.jsonl"

# Families this table answers for. The native vendor families get their own dialects
# (issue 13 and later); until then the shared table reads them as relays pass them on.
OWNED = ("OpenAI", "Azure", "OpenAI-compatible vendors", "gateways/relays", "local servers",
         "client-side text")
NATIVE = ("Anthropic", "Gemini", "Bedrock", "Vertex")
# What the rules reached on HELD-OUT the first time it was measured, after they were
# committed (82/89 and 43/47; tests/data/README.md lists the misses and why). The issue's
# target is 0.95: HELD-OUT may not be tuned on, so reaching it needs new evidence, not edits
# made while looking at these misses.
HELDOUT_OWNED_FLOOR = 0.92
HELDOUT_NATIVE_FLOOR = 0.91
DEV_FLOOR = 0.99
# DEV-2: 90/108 before any rule was written for it, 108/108 after (tests/data/README.md).
DEV2_FLOOR = 1.0
# DEV-3: 49/82 before any rule was written for it, 82/82 after (tests/data/README.md).
DEV3_FLOOR = 1.0

Row = dict[str, Any]


def _rows(path: Path) -> list[Row]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _class_of(row: Row) -> OutcomeClass:
    if row["origin"] == "client":
        return diagnose(row["body"], row["status"]).outcome.cls
    return classify(row["status"], row.get("headers") or {}, row["body"],
                    dialect=any_dialect()).cls


def _right(row: Row) -> bool:
    return _class_of(row).value in row["expect"]


def _share(rows: Iterable[Row]) -> tuple[int, int]:
    marks = [_right(row) for row in rows]
    return sum(marks), len(marks)


def _report(name: str, rows: list[Row]) -> str:
    owned = [r for r in rows if r["vendor_family"] in OWNED]
    native = [r for r in rows if r["vendor_family"] in NATIVE]
    lines = [f"{name}: {_figure(rows)}",
             f"  families this table answers for: {_figure(owned)}",
             f"  native vendor formats: {_figure(native)}"]
    for family in sorted({row["vendor_family"] for row in rows}):
        lines.append(f"  {family:26} {_figure([r for r in rows if r['vendor_family'] == family])}")
    for origin in ("http", "client"):
        lines.append(f"  origin {origin:19} {_figure([r for r in rows if r['origin'] == origin])}")
    return "\n".join(lines)


def _figure(rows: list[Row]) -> str:
    right, total = _share(rows)
    return f"{right}/{total} ({100 * right / total:.1f}%)" if total else "-"


ALL = [DEV, HELDOUT, DEV2, DEV3, HELDOUT2, HELDOUT3, HELDOUT4, HELDOUT5, HELDOUT6]
ALL_IDS = ["dev", "heldout", "dev2", "dev3", "heldout2", "heldout3", "heldout4", "heldout5",
           "heldout6"]
# HELD-OUT-2, a fresh sample sealed until the rules of issues 12-14 were final, then measured
# once: 129/140 (92.1 %). Its misses were looked at only after that (tests/data/README.md).
HELDOUT2_FLOOR = 0.92
# HELD-OUT-3, a third fresh sample collected after round 4, measured once before its bodies
# were read: 136/151 (90.1 %), the same with and without round 4 (tests/data/README.md).
HELDOUT3_FLOOR = 0.90
# HELD-OUT-4, a fourth fresh sample collected after round 5, measured once before its bodies
# were read: 145/158 (91.8 %); with the rules before round 4, 142/158 (89.9 %).
HELDOUT4_FLOOR = 0.91
# HELD-OUT-5, a fifth fresh sample (less-known projects) collected after round 6, measured once
# before its bodies were read: 133/152 (87.5 %); with the rules before round 4, 131/152.
HELDOUT5_FLOOR = 0.875
# HELD-OUT-6, the last fresh sample, collected after round 7, measured once before its bodies
# were read: 130/151 (86.1 %); with the rules before round 4, 123/151 (81.5 %).
HELDOUT6_FLOOR = 0.86


@pytest.mark.parametrize("path", ALL, ids=ALL_IDS)
def test_every_row_is_well_formed(path: Path) -> None:
    known = {cls.value for cls in OutcomeClass}
    for row in _rows(path):
        assert row["expect"] and set(row["expect"]) <= known, row
        assert row["origin"] in ("http", "client") and row["body"].strip()
        assert row["status"] is None or type(row["status"]) is int
        assert row["vendor_family"] in OWNED + NATIVE
        assert "http" in row["source"]


def test_heldout2_accuracy() -> None:
    rows = _rows(HELDOUT2)
    print("\n" + _report("HELD-OUT-2", rows))
    right, total = _share(rows)
    assert right / total >= HELDOUT2_FLOOR, _report("HELD-OUT-2", rows)


def test_heldout3_accuracy() -> None:
    rows = _rows(HELDOUT3)
    print("\n" + _report("HELD-OUT-3", rows))
    right, total = _share(rows)
    assert right / total >= HELDOUT3_FLOOR, _report("HELD-OUT-3", rows)


def test_heldout4_accuracy() -> None:
    rows = _rows(HELDOUT4)
    print("\n" + _report("HELD-OUT-4", rows))
    right, total = _share(rows)
    assert right / total >= HELDOUT4_FLOOR, _report("HELD-OUT-4", rows)


def test_heldout5_accuracy() -> None:
    rows = _rows(HELDOUT5)
    print("\n" + _report("HELD-OUT-5", rows))
    right, total = _share(rows)
    assert right / total >= HELDOUT5_FLOOR, _report("HELD-OUT-5", rows)


def test_heldout6_accuracy() -> None:
    rows = _rows(HELDOUT6)
    print("\n" + _report("HELD-OUT-6", rows))
    right, total = _share(rows)
    assert right / total >= HELDOUT6_FLOOR, _report("HELD-OUT-6", rows)


@pytest.mark.parametrize("path", ALL, ids=ALL_IDS)
def test_no_body_is_given_a_definite_class_it_does_not_prove(path: Path) -> None:
    """Where the rules miss, they miss towards a class that proves nothing (exit 3), never
    towards another definite failure (which sends people to fix the wrong thing) or ok."""
    wrong = []
    for row in _rows(path):
        cls = _class_of(row)
        if cls.value not in row["expect"] and info(cls).kind is not Kind.INCONCLUSIVE:
            wrong.append((cls.value, row["expect"], row["source"]))
    assert wrong == []


def test_heldout_accuracy_for_the_families_this_table_answers_for() -> None:
    rows = _rows(HELDOUT)
    print("\n" + _report("HELD-OUT", rows))
    right, total = _share(r for r in rows if r["vendor_family"] in OWNED)
    assert right / total >= HELDOUT_OWNED_FLOOR, _report("HELD-OUT", rows)


def test_heldout_accuracy_for_native_vendor_formats() -> None:
    rows = [r for r in _rows(HELDOUT) if r["vendor_family"] in NATIVE]
    right, total = _share(rows)
    assert right / total >= HELDOUT_NATIVE_FLOOR, _report("HELD-OUT native", rows)


def test_dev_accuracy() -> None:
    rows = _rows(DEV)
    print("\n" + _report("DEV", rows))
    right, total = _share(rows)
    assert right / total >= DEV_FLOOR, _report("DEV", rows)


def test_dev2_accuracy() -> None:
    rows = _rows(DEV2)
    print("\n" + _report("DEV-2", rows))
    right, total = _share(rows)
    assert right / total >= DEV2_FLOOR, _report("DEV-2", rows)


def test_dev3_accuracy() -> None:
    rows = _rows(DEV3)
    print("\n" + _report("DEV-3", rows))
    right, total = _share(rows)
    assert right / total >= DEV3_FLOOR, _report("DEV-3", rows)
