"""Machine-readable report. ``version`` changes only when a field changes meaning."""

from __future__ import annotations

import json
from typing import Any

from ..limits import parse_limits
from ..outcomes import info
from ..results import Result, RunReport
from .base import ReportFormat

SCHEMA_VERSION = 1


def result_record(result: Result) -> dict[str, Any]:
    check = result.check
    return {
        "id": check.id,
        "provider": check.provider.name,
        "provider_kind": check.provider.kind,
        "base_url": check.provider.base_url,
        "model": check.model,
        "capability": check.capability,
        "key": check.key_label,
        "identity": result.identity,
        "expect": check.expect.label,
        "class": result.cls.value,
        "kind": info(result.cls).kind.value,
        "verdict": result.verdict.value,
        "passed": result.passed,
        "status": result.status,
        "code": result.code,
        "rule": result.rule,
        "message": result.message,
        "hint": result.hint,
        "request_id": result.request_id,
        "attempts": result.attempts,
        "latency_ms": None if result.latency_ms is None else round(result.latency_ms, 1),
        "duration_ms": round(result.duration_s * 1000, 1),
        "endpoint": result.endpoint,
        "file": check.location.file,
        "line": check.location.line,
        "limits": dict(sorted(result.limits.items())),
        "rate_limits": parse_limits(result.limits).as_dict(),
        "notes": list(result.notes),
        "last_seen": None if result.last_seen is None else {
            "class": result.last_seen.cls.value, "status": result.last_seen.status,
            "doing": result.last_seen.doing},
    }


def report_record(report: RunReport, exit_code: int | None = None) -> dict[str, Any]:
    counts = report.counts
    return {
        "version": SCHEMA_VERSION,
        "tool": {"name": "model-access-checker", "version": report.tool_version},
        "config": report.config_path,
        "started_at": report.started_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "duration_s": round(report.duration_s, 3),
        "interrupted_by": report.interrupted_by,
        "shard": report.shard,
        "note": report.note,
        "summary": {
            "total": counts.total,
            "passed": counts.passed,
            "failed": counts.failed,
            "inconclusive": counts.inconclusive,
            "skipped": counts.skipped,
            "exit_code": exit_code,
        },
        "results": [result_record(result) for result in report.results],
        "baseline": None if report.baseline is None else {
            "path": report.baseline,
            "changes": [change.as_dict() for change in report.changes],
            "regressions": sum(change.regression for change in report.changes),
        },
        "config_errors": [
            {"file": i.location.file, "line": i.location.line, "column": i.location.column,
             "message": i.message, "fix": i.fix}
            for i in report.config_issues
        ],
    }


class JSONFormat(ReportFormat):
    name = "json"
    help = "write a JSON report (every result, summary and exit code)"
    to_file = True

    def render(self, report: RunReport) -> str:
        return json.dumps(report_record(report, self.options.exit_code), indent=2,
                          ensure_ascii=False) + "\n"
