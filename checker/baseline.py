"""What changed since the last run: compare results with a previous JSON report.

A nightly audit keeps yesterday's ``--json`` report and passes it as ``--baseline``.
``compare`` is pure; ``load_baseline`` is the only I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from . import safejson
from .outcomes import Kind, OutcomeClass, Verdict, info
from .results import Change, Result
from .sanitize import clean

MAX_BASELINE_BYTES = 256 * 1024 * 1024


class BaselineError(Exception):
    """The baseline file cannot be used (one line, for the user)."""


def load_baseline(path: str) -> dict[str, str] | None:
    """Check id → outcome class from a previous ``--json`` report. None when the file does
    not exist yet (the first nightly run has nothing to compare with)."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BASELINE_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc.strerror or exc}") from None
    if len(raw) > MAX_BASELINE_BYTES:
        raise BaselineError(f"baseline {path} is larger than {MAX_BASELINE_BYTES // 2**20} MiB")
    try:
        data = safejson.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BaselineError(f"baseline {path} is not JSON ({clean(str(exc), 200)})") from None
    if not isinstance(data, dict) or data.get("version") != 1 or not isinstance(
            data.get("results"), list):
        raise BaselineError(f"baseline {path} is not a checker JSON report (version 1); "
                            "pass a file written by `checker run --json`")
    classes: dict[str, str] = {}
    for record in data["results"]:
        if isinstance(record, dict) and isinstance(record.get("id"), str) and isinstance(
                record.get("class"), str):
            classes[clean(record["id"], 600)] = clean(record["class"], 60)
    return classes


def _kind_of(name: str) -> Kind:
    try:
        return info(OutcomeClass(name)).kind
    except ValueError:  # a class from a newer checker version
        return Kind.INCONCLUSIVE


def compare(baseline: Mapping[str, str], results: Iterable[Result],
            complete: bool = True) -> list[Change]:
    """Changes per check id. ``complete``: the run covered the whole config (no --shard or
    --only), so a check missing from it was really removed."""
    changes: list[Change] = []
    seen: set[str] = set()
    for result in results:
        check_id, after = result.check.id, result.cls.value
        seen.add(check_id)
        before = baseline.get(check_id)
        if before is None:
            changes.append(Change(check_id, "new_check", None, after, False))
            continue
        if before == after:
            continue
        before_kind, after_kind = _kind_of(before), _kind_of(after)
        if after_kind is Kind.INCONCLUSIVE:
            changes.append(Change(check_id, "inconclusive", before, after, False))
        elif after_kind is Kind.GRANTED:
            kind = "recovered" if before_kind is Kind.INCONCLUSIVE else "gained_access"
            # Good news, unless the check says this key must not have access.
            changes.append(Change(check_id, kind, before, after,
                                  result.verdict is Verdict.FAILED))
        elif before_kind is Kind.GRANTED:
            changes.append(Change(check_id, "lost_access", before, after, True))
        else:  # a definite denial, different from before (or after an inconclusive run)
            changes.append(Change(check_id, "new_failure_class", before, after, True))
    if complete:
        for check_id, before in baseline.items():
            if check_id not in seen:
                changes.append(Change(check_id, "removed_check", before, None, False))
    return changes
