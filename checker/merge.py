"""`checker merge`: combine the JSON reports of shards into one report (JSON, JUnit, …).

Reports are rebuilt from the JSON records and rendered by the normal report formats, so a
merged JUnit file is written by the same writer as any other, not glued together."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from . import safejson
from .model import (
    Check,
    KeyRef,
    Location,
    Provider,
    expectation_from_label,
)
from .outcomes import OutcomeClass, Verdict
from .results import LastSeen, Result, RunReport
from .sanitize import clean


def _text(value: object, limit: int = 600) -> str:
    """A string field of a report on disk: provider text, so sanitised like any other."""
    return clean(str(value), limit)


def _optional_text(value: object, limit: int = 600) -> str | None:
    return None if value is None else _text(value, limit)


class MergeError(Exception):
    """A report cannot be merged (one line, for the user)."""


MAX_REPORT_BYTES = 256 * 1024 * 1024


def load_report(path: str) -> dict[str, Any]:
    """A ``--json`` report, read as untrusted input: bounded in size and nesting."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_REPORT_BYTES + 1)
    except OSError as exc:
        raise MergeError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(raw) > MAX_REPORT_BYTES:
        raise MergeError(f"{path} is larger than {MAX_REPORT_BYTES // 2**20} MiB")
    try:
        data = safejson.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise MergeError(f"{path} is not JSON ({clean(str(exc), 200)})") from None
    if not isinstance(data, dict) or data.get("version") != 1 or not isinstance(
            data.get("results"), list):
        raise MergeError(f"{path} is not a checker JSON report (version 1)")
    return data


def _provider(record: Mapping[str, Any], providers: dict[str, Provider]) -> Provider:
    name = _text(record["provider"], 200)
    if name not in providers:
        providers[name] = Provider(
            name=name, kind=_text(record.get("provider_kind") or "openai", 40),
            base_url=_text(record.get("base_url") or ""), api_key=None,
            location=Location(_text(record.get("file") or ""), 1, 1))
    return providers[name]


def _last_seen(value: object) -> LastSeen | None:
    if not isinstance(value, dict):
        return None
    status = value.get("status")
    return LastSeen(OutcomeClass(value["class"]), None if status is None else int(status),
                    _text(value.get("doing") or "", 200))


def result_from_record(record: Mapping[str, Any], providers: dict[str, Provider]) -> Result:
    try:
        key_label = _text(record.get("key") or "", 200)
        check = Check(
            id=_text(record["id"]),
            provider=_provider(record, providers),
            model=_text(record["model"], 200),
            capability=_text(record["capability"], 60),
            key=KeyRef("", tuple(key_label.split(",")), None, ()) if key_label else None,
            expect=expectation_from_label(_text(record.get("expect") or "ok", 300)),
            location=Location(_text(record.get("file") or ""), int(record.get("line") or 1), 1),
        )
        latency = record.get("latency_ms")
        status = record.get("status")
        limits = record.get("limits") or {}
        return Result(
            check=check,
            cls=OutcomeClass(record["class"]),
            verdict=Verdict(record["verdict"]),
            status=None if status is None else int(status),
            message=_text(record.get("message") or ""),
            rule=_text(record.get("rule") or "", 100),
            code=_optional_text(record.get("code"), 100),
            request_id=_optional_text(record.get("request_id"), 128),
            attempts=int(record.get("attempts") or 0),
            latency_ms=None if latency is None else float(latency),
            duration_s=float(record.get("duration_ms") or 0.0) / 1000,
            endpoint=_text(record.get("endpoint") or ""),
            limits={_text(k, 100): _text(v, 100) for k, v in dict(limits).items()},
            notes=tuple(_text(n) for n in record.get("notes") or ()),
            last_seen=_last_seen(record.get("last_seen")),
            identity=_optional_text(record.get("identity"), 300),
        )
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        raise MergeError("a result record is incomplete or from another version: "
                         + _text(exc, 200)) from None


def merge_reports(paths: Sequence[str], version: str) -> RunReport:
    if not paths:
        raise MergeError("nothing to merge: pass the JSON reports of the shards")
    providers: dict[str, Provider] = {}
    results: list[Result] = []
    origin: dict[str, str] = {}
    configs: set[str] = set()
    started: list[datetime] = []
    duration = 0.0
    interrupted = None
    for path in paths:
        data = load_report(path)
        errors = data.get("config_errors")
        if errors:
            first = errors[0] if isinstance(errors, list) and isinstance(errors[0], dict) else {}
            raise MergeError(f"{path} reports a configuration error, nothing was probed: "
                             + _text(f"{first.get('file')}:{first.get('line')}: "
                                     f"{first.get('message')}"))
        configs.add(_text(data.get("config")))
        with contextlib.suppress(ValueError):
            started.append(datetime.strptime(str(data.get("started_at")), "%Y-%m-%dT%H:%M:%SZ")
                           .replace(tzinfo=UTC))
        duration = max(duration, float(data.get("duration_s") or 0.0))
        interrupted = interrupted or _optional_text(data.get("interrupted_by"), 40)
        for record in data["results"]:
            result = result_from_record(record, providers)
            if result.check.id in origin:
                raise MergeError(f"'{result.check.id}' is in both {origin[result.check.id]} and "
                                 f"{path}: do the shards overlap, or is a file given twice?")
            origin[result.check.id] = path
            results.append(result)
    if len(configs) > 1:
        raise MergeError("the reports come from different configs: " + ", ".join(sorted(configs)))
    return RunReport(
        config_path=configs.pop(),
        results=tuple(results),
        started_at=min(started) if started else datetime.now(UTC).replace(microsecond=0),
        duration_s=duration,
        tool_version=version,
        interrupted_by=interrupted,
        note=f"merged from {len(paths)} reports",
    )
