"""What a run found: one Result per check, the verdict policy and the exit code. Pure."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from .model import Check, ConfigIssue
from .outcomes import OutcomeClass, Verdict, info

UNEXPECTED_ACCESS_HINT = (
    "The key can use this model, but the check expects it cannot (least privilege). Restrict "
    "the project's model allowlist or the key's scopes, or change `expect:`."
)


@dataclass(frozen=True)
class LastSeen:
    """What an interrupted check had seen when the run stopped: its last outcome, and
    what it was doing (e.g. waiting 120 s after a rate limit)."""

    cls: OutcomeClass
    status: int | None
    doing: str  # "probing", or "waiting 120s (Retry-After)"


@dataclass(frozen=True)
class Result:
    check: Check
    cls: OutcomeClass
    verdict: Verdict
    status: int | None = None
    message: str = ""  # redacted excerpt of the provider's message, or ours
    rule: str = ""  # classification rule that decided
    code: str | None = None
    request_id: str | None = None
    attempts: int = 0
    latency_ms: float | None = None  # of the last attempt
    duration_s: float = 0.0  # all attempts and waits
    endpoint: str = ""
    limits: Mapping[str, str] = field(default_factory=dict)  # x-ratelimit-* headers seen
    notes: tuple[str, ...] = ()
    last_seen: LastSeen | None = None  # interrupted checks: the last outcome seen
    # Who the credentials are (an AWS caller ARN, a Google principal, an Azure object id),
    # when the provider kind can tell; never a secret.
    identity: str | None = None

    @property
    def passed(self) -> bool:
        return self.verdict is Verdict.PASSED

    @property
    def hint(self) -> str:
        if self.cls is OutcomeClass.OK and self.verdict is Verdict.FAILED:
            return UNEXPECTED_ACCESS_HINT
        return info(self.cls).hint


@dataclass(frozen=True)
class Counts:
    total: int
    passed: int
    failed: int
    inconclusive: int
    skipped: int = 0


def count(results: Iterable[Result]) -> Counts:
    items = list(results)
    return Counts(
        total=len(items),
        passed=sum(r.verdict is Verdict.PASSED for r in items),
        failed=sum(r.verdict is Verdict.FAILED for r in items),
        inconclusive=sum(r.verdict is Verdict.INCONCLUSIVE for r in items),
        skipped=sum(r.verdict is Verdict.SKIPPED for r in items),
    )


@dataclass(frozen=True)
class Change:
    id: str
    kind: str  # lost_access | gained_access | new_failure_class | recovered | inconclusive
    #            | new_check | removed_check
    before: str | None  # outcome class in the baseline
    after: str | None  # outcome class now
    regression: bool

    @property
    def description(self) -> str:
        text = {
            "lost_access": "lost access",
            "gained_access": "gained access",
            "new_failure_class": "fails differently",
            "recovered": "recovered",
            "inconclusive": "now inconclusive",
            "new_check": "new check",
            "removed_check": "no longer checked",
        }[self.kind]
        return f"{text}: {self.before or '-'} → {self.after or '-'}"

    def as_dict(self) -> dict[str, object]:
        return {**dataclasses.asdict(self), "description": self.description}


@dataclass(frozen=True)
class RunReport:
    """Everything the report formats need."""

    config_path: str
    results: tuple[Result, ...]
    started_at: datetime  # UTC
    duration_s: float
    tool_version: str
    interrupted_by: str | None = None  # "SIGTERM", "deadline", …
    config_issues: tuple[ConfigIssue, ...] = ()
    shard: str | None = None  # "2/4"
    baseline: str | None = None  # path of the report compared with
    changes: tuple[Change, ...] = ()
    note: str | None = None  # e.g. why `checker wait` stopped

    @property
    def counts(self) -> Counts:
        return count(self.results)

    def by_provider(self) -> dict[str, list[Result]]:
        groups: dict[str, list[Result]] = {}
        for result in self.results:
            groups.setdefault(result.check.provider.name, []).append(result)
        return groups
