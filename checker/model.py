"""The domain: immutable values every other module shares. No I/O, no parsing.

A ``Config`` is what ``checks.yml`` declares once loaded: ``Provider`` endpoints (their
kind-specific settings in ``options``) and the expanded matrix of ``Check`` values, one per
provider × key × model × capability. Every value remembers where the file declared it
(``Location``), so every report can point at the line to fix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from .outcomes import DENIED_CLASSES, Kind, OutcomeClass, info
from .secrets import Secret

ACCESS = "access"  # the model answers at all
STREAM = "stream"  # it answers with an event stream
REASONING_SUMMARY = "reasoning_summary"  # it gives reasoning summaries
CAPABILITIES: tuple[str, ...] = (ACCESS, STREAM, REASONING_SUMMARY)


class Location(NamedTuple):
    file: str
    line: int  # 1-based
    column: int  # 1-based

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class ConfigIssue(NamedTuple):
    location: Location
    message: str
    fix: str = ""

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}"
        text = f"{text} ({self.fix})" if self.fix else text
        return " ".join(text.split())  # always one line, whatever the input held


class ConfigError(Exception):
    def __init__(self, issues: Sequence[ConfigIssue]) -> None:
        self.issues = tuple(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))


class KeyRef(NamedTuple):
    """An API key as the config names it. ``value`` is None when a variable is unset or
    empty (in CI a secret that does not exist arrives as an empty variable)."""

    expression: str  # as written, e.g. "${OPENAI_API_KEY}"; never the value
    variables: tuple[str, ...]
    value: Secret | None
    missing: tuple[str, ...]  # variables that are unset or empty
    location: Location | None = None  # the `api_key:` line
    optional: bool = False  # a missing key skips the check instead of failing it

    @property
    def label(self) -> str:
        return ",".join(self.variables) or "key"

    def missing_message(self) -> str:
        names = ", ".join(self.missing) or self.expression or "api_key"
        where = f" (api_key at {self.location})" if self.location else ""
        verb = "are" if len(self.missing) > 1 else "is"
        return f"environment variable {names} {verb} not set or empty{where}"


Header = tuple[str, "str | Secret"]  # values from ${VAR} are Secrets


class Provider(NamedTuple):
    """One endpoint and how to reach it. What only one kind needs (OpenAI's organization,
    Azure's deployments, …) is in ``options``, validated by that kind's module."""

    name: str
    kind: str  # a key of ``providers.KINDS``
    base_url: str
    api_key: KeyRef | None
    headers: tuple[Header, ...] = ()
    concurrency: int | None = None
    timeout: float | None = None
    allow_insecure_http: bool = False
    ca_bundle: str | None = None
    options: Mapping[str, Any] = {}
    location: Location = Location("", 1, 1)

    def option(self, name: str, default: Any = None) -> Any:
        return self.options.get(name, default)


DEFAULT_DEADLINE = 300.0  # seconds: long enough for retries, short enough for a deploy step
DEFAULT_MAX_CHECKS = 10_000


class Defaults(NamedTuple):
    timeout: float = 20.0
    retries: int = 2
    concurrency: int = 8
    provider_concurrency: int = 4
    deadline: float | None = DEFAULT_DEADLINE  # None: no budget for the whole run


class Expectation(NamedTuple):
    label: str  # "ok", "denied", or the class list as written
    classes: frozenset[OutcomeClass]

    def met_by(self, cls: OutcomeClass) -> bool:
        return cls in self.classes


EXPECT_OK = Expectation("ok", frozenset({OutcomeClass.OK}))
EXPECT_DENIED = Expectation("denied", DENIED_CLASSES)
# What `expect:` may name besides ok and denied: definite answers of a probe. An outcome
# that proves nothing (a timeout, a broken check) can never be what a check expects.
EXPECTABLE: tuple[OutcomeClass, ...] = tuple(
    c for c in OutcomeClass if info(c).kind in (Kind.GRANTED, Kind.DENIED))


def expectation_from_label(label: str) -> Expectation:
    """The expectation a report's ``expect`` label stands for (``merge``, baselines)."""
    if label == "ok":
        return EXPECT_OK
    if label == "denied":
        return EXPECT_DENIED
    classes: set[OutcomeClass] = set()
    for name in label.split(","):
        if name == "denied":
            classes |= DENIED_CLASSES
        elif name in OutcomeClass._value2member_map_:
            classes.add(OutcomeClass(name))
    return Expectation(label, frozenset(classes) or EXPECT_OK.classes)


class Price(NamedTuple):
    """USD list prices: per million input/output tokens, or per image."""

    input_per_mtok: float = 0.0
    output_per_mtok: float = 0.0
    per_image: float = 0.0


class Check(NamedTuple):
    """One probe to run: provider × model × capability × key. Immutable."""

    id: str  # unique, stable across runs: "provider / model [capability]" (+ key label)
    provider: Provider
    model: str
    capability: str
    key: KeyRef | None
    expect: Expectation = EXPECT_OK
    probe: str | None = None  # explicit endpoint override; None = from the kind's catalog
    params: Mapping[str, Any] = {}
    prompt: str | None = None
    timeout: float = 20.0
    retries: int = 2
    min_rpm: int | None = None
    min_tpm: int | None = None
    location: Location = Location("", 1, 1)  # the YAML line of the model entry

    @property
    def key_label(self) -> str:
        return self.key.label if self.key else "no key"


def check_id(provider: str, model: str, capability: str, key_label: str | None) -> str:
    name = f"{provider} / {model} [{capability}]"
    return f"{name} (key {key_label})" if key_label else name


class Config(NamedTuple):
    path: str  # as displayed in reports (repo-relative when possible)
    defaults: Defaults
    providers: Mapping[str, Provider]
    checks: tuple[Check, ...]
    prices: Mapping[str, Price]
    notices: tuple[ConfigIssue, ...] = ()  # not errors: e.g. whitespace stripped from a key

    def secret_values(self) -> list[str]:
        """Every credential the run may send, for the redactor."""
        values: list[str] = []
        for provider in self.providers.values():
            if provider.api_key and provider.api_key.value:
                values.append(provider.api_key.value.reveal())
            values.extend(v.reveal() for _, v in provider.headers if isinstance(v, Secret))
        for check in self.checks:
            if check.key and check.key.value:
                values.append(check.key.value.reveal())
        return sorted(set(values))

    def missing_key_variables(self) -> tuple[str, ...]:
        names: list[str] = []
        for key in self.missing_keys():
            names.extend(v for v in key.missing if v not in names)
        return tuple(names)

    def missing_keys(self) -> tuple[KeyRef, ...]:
        """Each key (once) whose variable is unset or empty, optional ones included."""
        seen: dict[tuple[str, Location | None], KeyRef] = {}
        for check in self.checks:
            if check.key and check.key.missing:
                seen.setdefault((check.key.expression, check.key.location), check.key)
        return tuple(seen.values())
