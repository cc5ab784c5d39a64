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
from typing import Any, NamedTuple

import pytest

from checker.classify import classify
from checker.diagnose import diagnose
from checker.outcomes import Kind, OutcomeClass, info
from checker.providers import any_dialect

DATA = Path(__file__).parent / "data"
HELDOUT = DATA / "errors-collected-heldout.jsonl"

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


class Sample(NamedTuple):
    name: str
    path: Path
    floor: float  # the least share of rows a rule change may leave right


# Every set but HELD-OUT (measured per family, below), with the floor it is held to. The
# fresh samples' floors are their one measurement, taken before their bodies were read
# (tests/data/README.md); every set has been learnt from since.
SAMPLES = [
    Sample("DEV", DATA / "errors-collected-dev.jsonl", 0.99),
    # 90/108 before any rule was written for it, 108/108 after.
    Sample("DEV-2", DATA / "errors-collected-dev2.jsonl", 1.0),
    # 49/82 before any rule was written for it, 82/82 after.
    Sample("DEV-3", DATA / "errors-collected-dev3.jsonl", 1.0),
    # sealed until the rules of issues 12-14 were final: 129/140 (92.1 %).
    Sample("HELD-OUT-2", DATA / "errors-collected-heldout2.jsonl", 0.92),
    # collected after round 4: 136/151 (90.1 %), the same with and without round 4.
    Sample("HELD-OUT-3", DATA / "errors-collected-heldout3.jsonl", 0.90),
    # collected after round 5: 145/158 (91.8 %); with the rules before round 4, 142/158.
    Sample("HELD-OUT-4", DATA / "errors-collected-heldout4.jsonl", 0.91),
    # less-known projects, after round 6: 133/152 (87.5 %); before round 4, 131/152.
    Sample("HELD-OUT-5", DATA / "errors-collected-heldout5.jsonl", 0.875),
    # the last, after round 7: 130/151 (86.1 %); with the rules before round 4, 123/151.
    Sample("HELD-OUT-6", DATA / "errors-collected-heldout6.jsonl", 0.86),
    # after round 9 (rows that read a kind of answer by its words): 148/152 (97.4 %); with the
    # rules of round 8, 140/152; of round 3, 130/152.
    Sample("HELD-OUT-7", DATA / "errors-collected-heldout7.jsonl", 0.97),
    # after round 10: 133/148 (89.9 %), the same with round 9 alone; round 8's rules 125/148,
    # round 3's 118/148.
    Sample("HELD-OUT-8", DATA / "errors-collected-heldout8.jsonl", 0.895),
    # after round 11, queried by product and vendor, never by a wording: 123/148 (83.1 %), one
    # wrong definite class by the collectors' labels (round 8's rules 116/148, round 3's
    # 111/148). One label changed since (a bare "Unauthorized": tests/data/README.md).
    Sample("HELD-OUT-9", DATA / "errors-collected-heldout9.jsonl", 0.83),
    # after round 12, queried the same way: 125/151 (82.8 %), three wrong definite classes by
    # its collectors' labels (round 11's rules 124/151, round 8's 117/151, round 3's 113/151).
    Sample("HELD-OUT-10", DATA / "errors-collected-heldout10.jsonl", 0.825),
]

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


ALL = [HELDOUT, *(sample.path for sample in SAMPLES)]
ALL_IDS = ["HELD-OUT", *(sample.name for sample in SAMPLES)]


@pytest.mark.parametrize("path", ALL, ids=ALL_IDS)
def test_every_row_is_well_formed(path: Path) -> None:
    known = {cls.value for cls in OutcomeClass}
    for row in _rows(path):
        assert row["expect"] and set(row["expect"]) <= known, row
        assert row["origin"] in ("http", "client") and row["body"].strip()
        assert row["status"] is None or type(row["status"]) is int
        assert row["vendor_family"] in OWNED + NATIVE
        assert "http" in row["source"]


@pytest.mark.parametrize("sample", SAMPLES, ids=[sample.name for sample in SAMPLES])
def test_accuracy(sample: Sample) -> None:
    rows = _rows(sample.path)
    print("\n" + _report(sample.name, rows))
    right, total = _share(rows)
    assert right / total >= sample.floor, _report(sample.name, rows)


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
