"""`checker merge`: combine the JSON reports of shards into one report (JSON, JUnit, …).

Reports are rebuilt from the JSON records and rendered by the normal report formats, so a
merged JUnit file is written by the same writer as any other, not glued together."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from .config import (
    EXPECT_DENIED,
    EXPECT_OK,
    Check,
    Expectation,
    KeyRef,
    Location,
    Provider,
)
from .outcomes import OutcomeClass
from .results import Result, RunReport, Verdict


class MergeError(Exception):
    """A report cannot be merged (one line, for the user)."""


def load_report(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as exc:
        raise MergeError(f"cannot read {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise MergeError(f"{path} is not JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("version") != 1 or not isinstance(
            data.get("results"), list):
        raise MergeError(f"{path} is not a checker JSON report (version 1)")
    return data


def _expectation(label: str) -> Expectation:
    if label == "ok":
        return EXPECT_OK
    if label == "denied":
        return EXPECT_DENIED
    classes: set[OutcomeClass] = set()
    for name in label.split(","):
        if name == "denied":
            classes |= EXPECT_DENIED.classes
        elif name in OutcomeClass._value2member_map_:
            classes.add(OutcomeClass(name))
    return Expectation(label, frozenset(classes) or EXPECT_OK.classes)


def _provider(record: Mapping[str, Any], providers: dict[str, Provider]) -> Provider:
    name = str(record["provider"])
    if name not in providers:
        providers[name] = Provider(
            name=name, kind=str(record.get("provider_kind") or "openai"),
            base_url=str(record.get("base_url") or ""), api_key=None, organization=None,
            project=None, api_version=None, deployments={}, headers=(), concurrency=None,
            timeout=None, allow_insecure_http=False, ca_bundle=None,
            location=Location(str(record.get("file") or ""), 1, 1))
    return providers[name]


def result_from_record(record: Mapping[str, Any], providers: dict[str, Provider]) -> Result:
    try:
        key_label = str(record.get("key") or "")
        check = Check(
            id=str(record["id"]),
            provider=_provider(record, providers),
            model=str(record["model"]),
            capability=str(record["capability"]),
            key=KeyRef("", tuple(key_label.split(",")), None, ()) if key_label else None,
            expect=_expectation(str(record.get("expect") or "ok")),
            probe=None, params={}, prompt=None, timeout=0.0, retries=0, min_rpm=None,
            min_tpm=None,
            location=Location(str(record.get("file") or ""), int(record.get("line") or 1), 1),
        )
        latency = record.get("latency_ms")
        return Result(
            check=check,
            cls=OutcomeClass(record["class"]),
            verdict=Verdict(record["verdict"]),
            status=record.get("status"),
            message=str(record.get("message") or ""),
            rule=str(record.get("rule") or ""),
            code=record.get("code"),
            request_id=record.get("request_id"),
            attempts=int(record.get("attempts") or 0),
            latency_ms=None if latency is None else float(latency),
            duration_s=float(record.get("duration_ms") or 0.0) / 1000,
            endpoint=str(record.get("endpoint") or ""),
            limits=dict(record.get("limits") or {}),
            notes=tuple(str(n) for n in record.get("notes") or ()),
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise MergeError(f"a result record is incomplete or from another version: {exc}") from None


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
        if data.get("config_errors"):
            first = data["config_errors"][0]
            raise MergeError(f"{path} reports a configuration error, nothing was probed: "
                             f"{first.get('file')}:{first.get('line')}: {first.get('message')}")
        configs.add(str(data.get("config")))
        with contextlib.suppress(ValueError):
            started.append(datetime.strptime(str(data.get("started_at")), "%Y-%m-%dT%H:%M:%SZ")
                           .replace(tzinfo=timezone.utc))
        duration = max(duration, float(data.get("duration_s") or 0.0))
        interrupted = interrupted or data.get("interrupted_by")
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
        started_at=min(started) if started else datetime.now(timezone.utc).replace(microsecond=0),
        duration_s=duration,
        tool_version=version,
        interrupted_by=interrupted,
        note=f"merged from {len(paths)} reports",
    )
