"""Load ``checks.yml``: YAML with line numbers, ``${ENV}`` interpolation, precise errors.

Everything here is pure except reading the file and the environment mapping passed in.
Every problem becomes a ``ConfigIssue`` with file:line:column and a fix; the loader
collects them all and raises one ``ConfigError``. The field tables (``PROVIDER_FIELDS``,
``CHECK_FIELDS``, …) are also the source of ``checker schema``.
"""

import math
import os
import re
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .catalog import (
    CAPABILITIES,
    REASONING_SUMMARY,
    STREAM,
    Price,
    ProbeKind,
    family_of,
    probe_kind_for,
)
from .outcomes import DENIED_CLASSES, Kind, OutcomeClass, info
from .probes import FLAVOURS
from .secrets import Redactor, Secret, looks_like_secret

DEFAULT_CONFIG_NAMES: tuple[str, ...] = (
    "checks.yml",
    "checks.yaml",
    ".checker.yml",
    ".checker.yaml",
    ".github/checks.yml",
    ".github/checks.yaml",
)


# --- errors -----------------------------------------------------------------------------------


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


# --- the model of a loaded config --------------------------------------------------------------


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


class Provider(NamedTuple):
    name: str
    kind: str  # "openai" (OpenAI and OpenAI-compatible relays) | "azure"
    base_url: str
    api_key: KeyRef | None
    organization: str | None
    project: str | None
    api_version: str | None
    deployments: Mapping[str, str]
    headers: tuple[tuple[str, str | Secret], ...]  # values from ${VAR} are Secrets
    concurrency: int | None
    timeout: float | None
    allow_insecure_http: bool
    ca_bundle: str | None
    location: Location


DEFAULT_DEADLINE = 300.0  # seconds: long enough for retries, short enough for a deploy step


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
# What `expect:` may name besides ok and denied: definite answers of a probe. An outcome
# that proves nothing (a timeout, a broken check) can never be what a check expects.
EXPECTABLE: tuple[OutcomeClass, ...] = tuple(
    c for c in OutcomeClass if info(c).kind in (Kind.GRANTED, Kind.DENIED))
EXPECT_DENIED = Expectation("denied", DENIED_CLASSES)


class Check(NamedTuple):
    """One probe to run: provider × model × capability × key. Immutable."""

    id: str  # unique, stable across runs: "provider / model [capability]" (+ key label)
    provider: Provider
    model: str
    capability: str
    key: KeyRef | None
    expect: Expectation
    probe: ProbeKind | None  # explicit override; None = from the catalog
    params: Mapping[str, Any]
    prompt: str | None
    timeout: float
    retries: int
    min_rpm: int | None
    min_tpm: int | None
    location: Location  # the YAML line of the model entry

    @property
    def key_label(self) -> str:
        return self.key.label if self.key else "no key"


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

    def missing_keys(self) -> tuple[KeyRef, ...]:
        """Each key (once) whose variable is unset or empty, optional ones included."""
        seen: dict[tuple[str, Location | None], KeyRef] = {}
        for check in self.checks:
            if check.key and check.key.missing:
                seen.setdefault((check.key.expression, check.key.location), check.key)
        return tuple(seen.values())

    def missing_key_variables(self) -> tuple[str, ...]:
        names: list[str] = []
        for key in self.missing_keys():
            names.extend(v for v in key.missing if v not in names)
        return tuple(names)


# --- field tables (also the source of the JSON Schema) -----------------------------------------


class Field(NamedTuple):
    name: str
    type: str  # string | number | integer | boolean | string_list | mapping | enum | expect
    description: str
    required: bool = False
    choices: tuple[str, ...] = ()
    minimum: float | None = None


TOP_FIELDS: tuple[Field, ...] = (
    Field("version", "integer", "Config format version; only 1 exists.", choices=("1",)),
    Field("defaults", "mapping", "Settings every check inherits."),
    Field("providers", "mapping", "Named endpoints with their keys.", required=True),
    Field("checks", "list", "What must (or must not) be reachable.", required=True),
    Field("prices", "mapping", "Per-model USD price overrides for cost estimates."),
)

DEFAULTS_FIELDS: tuple[Field, ...] = (
    Field("timeout", "number", "Seconds per attempt.", minimum=0.001),
    Field("retries", "integer", "Retries for transient outcomes.", minimum=0),
    Field("concurrency", "integer", "Probes in flight at once, in all.", minimum=1),
    Field("provider_concurrency", "integer", "Probes in flight per provider.", minimum=1),
    Field("deadline", "number", "Seconds for the whole run (default 300; 0 = no limit).",
          minimum=0),
)

PROVIDER_FIELDS: tuple[Field, ...] = (
    Field("kind", "enum", "openai covers OpenAI and OpenAI-compatible relays.",
          choices=tuple(FLAVOURS)),
    Field("base_url", "string", "e.g. https://api.openai.com/v1", required=True),
    Field("api_key", "string", "From the environment only: ${VAR}."),
    Field("organization", "string", "Sent as OpenAI-Organization; selects the verified org."),
    Field("project", "string", "Sent as OpenAI-Project."),
    Field("api_version", "string", "Azure api-version query parameter."),
    Field("deployments", "mapping", "Azure: model name -> deployment name."),
    Field("headers", "mapping", "Extra request headers (no literal secrets)."),
    Field("concurrency", "integer", "Probes in flight for this provider.", minimum=1),
    Field("timeout", "number", "Seconds per attempt for this provider.", minimum=0.001),
    Field("allow_insecure_http", "boolean", "Allow http:// to a non-loopback host."),
    Field("ca_bundle", "string", "PEM file of CAs to trust (TLS is always verified)."),
    Field("optional", "boolean", "A missing key skips this provider's checks instead of "
          "failing them."),
)

CHECK_FIELDS: tuple[Field, ...] = (
    Field("name", "string", "A label for this block of checks."),
    Field("providers", "string_list", "Provider names (or `provider:` for one)."),
    Field("provider", "string", "One provider name."),
    Field("models", "string_list", "Model names (or `model:` for one)."),
    Field("model", "string", "One model name."),
    Field("capabilities", "string_list", "What to prove; default [access].",
          choices=CAPABILITIES),
    Field("api_key", "string_list", "Key(s) to use instead of the provider's: ${VAR}."),
    Field("expect", "expect", "ok (default), denied, or outcome class(es)."),
    Field("probe", "enum", "Override the endpoint the catalog picks.",
          choices=tuple(kind.value for kind in ProbeKind)),
    Field("params", "mapping", "Extra fields merged into the probe request body."),
    Field("prompt", "string", "Probe prompt (if a content filter blocks the default)."),
    Field("timeout", "number", "Seconds per attempt.", minimum=0.001),
    Field("retries", "integer", "Retries for transient outcomes.", minimum=0),
    Field("min_rpm", "integer", "Fail unless the key's requests-per-minute limit is this.",
          minimum=0),
    Field("min_tpm", "integer", "Fail unless the key's tokens-per-minute limit is this.",
          minimum=0),
    Field("optional", "boolean", "A missing key skips these checks instead of failing them."),
)

PRICE_FIELDS: tuple[Field, ...] = (
    Field("input", "number", "USD per million input tokens.", minimum=0),
    Field("output", "number", "USD per million output tokens.", minimum=0),
    Field("image", "number", "USD per image.", minimum=0),
)

DEFAULT_MAX_CHECKS = 10_000
PARAMS_MAX_NODES = 1000
PARAMS_MAX_DEPTH = 20
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}")
_SECRET_HEADER = re.compile(r"authorization|api[-_]?key|token|secret|password|cookie", re.I)


# --- entry points ------------------------------------------------------------------------------


def find_config(start: str = ".") -> str | None:
    for name in DEFAULT_CONFIG_NAMES:
        candidate = os.path.join(start, name)
        if os.path.isfile(candidate):
            return candidate
    return None


def display_path(path: str) -> str:
    """Repo-relative when the file is under the working directory."""
    relative = os.path.relpath(os.path.abspath(path))
    if relative.startswith(".."):
        return os.path.abspath(path)
    return relative.replace(os.sep, "/")


def load_config(path: str, environ: Mapping[str, str] | None = None,
                max_checks: int = DEFAULT_MAX_CHECKS) -> Config:
    shown = display_path(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(4 * 1024 * 1024 + 1)
    except FileNotFoundError:
        raise ConfigError([_issue(shown, 0, 0, "file not found",
                                  "pass -c PATH or create checks.yml")]) from None
    except IsADirectoryError:
        raise ConfigError([_issue(shown, 0, 0, "is a directory, not a file",
                                  "pass the YAML file with -c")]) from None
    except OSError as exc:
        raise ConfigError([_issue(shown, 0, 0, f"cannot read: {exc.strerror}",
                                  "check the path and its permissions")]) from None
    if len(raw) > 4 * 1024 * 1024:
        raise ConfigError([_issue(shown, 0, 0, "file is larger than 4 MiB",
                                  "is this the right file?")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n")
        raise ConfigError([_issue(shown, line, 0, "not UTF-8 text",
                                  "save the file as UTF-8")]) from None
    return parse_config(text, shown, os.environ if environ is None else environ, max_checks)


def parse_config(text: str, path: str, environ: Mapping[str, str],
                 max_checks: int = DEFAULT_MAX_CHECKS) -> Config:
    root = _compose(text, path)
    loader = _Loader(path, environ, max_checks)
    try:
        config = loader.config(root)
    except RecursionError:
        raise ConfigError([_issue(path, 0, 0, "the document nests too deeply",
                                  "flatten the configuration")]) from None
    if loader.issues or config is None:
        issues = loader.issues or [_issue(path, 0, 0, "invalid configuration")]
        raise ConfigError(_masked_issues(issues, loader.secrets))
    return config


def _masked_issues(issues: Sequence[ConfigIssue], values: set[str]) -> list[ConfigIssue]:
    """No value from the environment reaches a config error, whatever the message says:
    the messages name variables, and this catches anything that slipped through."""
    redact = Redactor(v for v in values if len(v) >= 8)
    return [ConfigIssue(i.location, redact(i.message), redact(i.fix)) for i in issues]


def _issue(path: str, line: int, column: int, message: str, fix: str = "") -> ConfigIssue:
    return ConfigIssue(Location(path, line + 1, column + 1), message, fix)


def _compose(text: str, path: str) -> Node:
    try:
        documents = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line, mark.column) if mark else (0, 0)
        problem = exc.problem or exc.context or "invalid YAML"
        fix = "fix the YAML syntax (indentation, quotes, colons)"
        lines = text.splitlines()
        if line < len(lines) and "${" in lines[line] and ("[" in lines[line] or "{" in
                                                          lines[line].replace("${", "")):
            fix = 'quote ${VAR} inside [ ] or { }: ["${A}", "${B}"]'
        raise ConfigError([_issue(path, line, column, f"YAML syntax error: {problem}",
                                  fix)]) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position)
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1)
        raise ConfigError([_issue(path, line, column,
                                  f"character {exc.character!r} is not allowed in YAML",
                                  "remove it (control characters are not allowed)")]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([_issue(path, 0, 0, f"not valid YAML: {exc}",
                                  "fix the YAML syntax")]) from None
    except RecursionError:
        raise ConfigError([_issue(path, 0, 0, "YAML nests too deeply",
                                  "flatten the document")]) from None
    documents = [d for d in documents if d is not None]
    if not documents:
        raise ConfigError([_issue(path, 0, 0, "the file is empty",
                                  "declare `providers:` and `checks:`; see `checker schema`")])
    if len(documents) > 1:
        mark = documents[1].start_mark
        raise ConfigError([_issue(path, mark.line, mark.column, "more than one YAML document",
                                  "remove the second `---` document")])
    return documents[0]


# --- the loader -----------------------------------------------------------------------------


_TYPE_NAMES = {
    "string": "a string",
    "number": "a number",
    "integer": "an integer",
    "boolean": "true or false",
    "string_list": "a string or a list of strings",
    "mapping": "a mapping",
    "list": "a list",
    "enum": "one of the listed values",
    "expect": "ok, denied, or outcome class(es)",
}


class _Loader:
    def __init__(self, path: str, environ: Mapping[str, str],
                 max_checks: int = DEFAULT_MAX_CHECKS) -> None:
        self.path = path
        self.environ = environ
        self.max_checks = max_checks
        # Values of variables that may be credentials: masked in every config error.
        self.secrets: set[str] = set()
        self.broken_keys: set[str] = set()  # providers whose api_key was refused
        self.issues: list[ConfigIssue] = []
        self.notices: list[ConfigIssue] = []
        # Declared providers, valid or not: a check naming an invalid one is not reported
        # again as "unknown provider".
        self.declared: set[str] = set()

    # -- reporting

    def error(self, node: Node, message: str, fix: str = "") -> None:
        mark = node.start_mark
        self.issues.append(_issue(self.path, mark.line, mark.column, message, fix))

    def location(self, node: Node) -> Location:
        return Location(self.path, node.start_mark.line + 1, node.start_mark.column + 1)

    # -- shapes

    def entries(self, node: Node, what: str) -> dict[str, tuple[Node, Node]] | None:
        if not isinstance(node, MappingNode):
            self.error(node, f"{what} must be a mapping", f"write `key: value` pairs under {what}")
            return None
        result: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag.endswith(":null"):
                self.error(key_node, f"keys in {what} must be strings")
                continue
            key = str(key_node.value)
            if key == "<<":
                self.error(key_node, "YAML merge keys (<<) are not supported",
                           "write the keys out")
                continue
            if key in result:
                first = result[key][0].start_mark.line + 1
                self.error(key_node, f"duplicate key '{key}' in {what} (first at line {first})",
                           "remove one of them")
                continue
            result[key] = (key_node, value_node)
        return result

    def known_keys(
        self, entries: Mapping[str, tuple[Node, Node]], fields: Sequence[Field], what: str
    ) -> None:
        names = [f.name for f in fields]
        for key, (key_node, _) in entries.items():
            if key not in names:
                close = _closest(key, names)
                fix = f"did you mean '{close[0]}'?" if close else "allowed: " + ", ".join(names)
                self.error(key_node, f"unknown key '{key}' in {what}", fix)
        for field in fields:
            if field.required and field.name not in entries:
                anchor = next(iter(entries.values()))[0] if entries else None
                if anchor is not None:
                    self.error(anchor, f"{what} is missing required key '{field.name}'",
                               f"add `{field.name}:` ({field.description})")

    def scalar(self, node: Node, field: Field, what: str) -> Any:
        """A scalar of the field's type, interpolated; None (with an issue) when wrong."""
        if not isinstance(node, ScalarNode):
            self.error(node, f"'{field.name}' in {what} must be {_TYPE_NAMES[field.type]}",
                       field.description)
            return None
        tag = node.tag.rsplit(":", 1)[-1]
        value = node.value
        if field.type == "string":
            if tag == "null":
                self.error(node, f"'{field.name}' in {what} is empty", field.description)
                return None
            return str(value)
        if field.type == "boolean":
            if tag != "bool":
                self.error(node, f"'{field.name}' in {what} must be true or false")
                return None
            return value.lower() in ("true", "yes", "on")
        if field.type in ("number", "integer"):
            text = self.interpolate_plain(node, str(value), field, what)
            if text is None:
                return None
            try:
                number: float = int(text) if field.type == "integer" else float(text)
            except ValueError:
                # Quote the file, not the variable's value (it may be a secret).
                written = str(value)
                shown = (f"{written!r} (after expanding its variables)"
                         if _VARIABLE.search(written) else repr(written))
                self.error(node, f"'{field.name}' in {what} must be {_TYPE_NAMES[field.type]}, "
                                 f"not {shown}", field.description)
                return None
            if tag == "bool" or not math.isfinite(number):
                self.error(node, f"'{field.name}' in {what} must be {_TYPE_NAMES[field.type]}")
                return None
            if field.minimum is not None and number < field.minimum:
                self.error(node, f"'{field.name}' in {what} must be at least {field.minimum:g}",
                           field.description)
                return None
            return number
        raise AssertionError(field.type)

    def strings(self, node: Node, field: Field, what: str) -> list[tuple[str, Node]]:
        items = node.value if isinstance(node, SequenceNode) else [node]
        if isinstance(node, SequenceNode) and not items:
            self.error(node, f"'{field.name}' in {what} is an empty list",
                       f"list at least one, or remove '{field.name}'")
        result: list[tuple[str, Node]] = []
        for item in items:
            if not isinstance(item, ScalarNode) or item.tag.endswith(":null"):
                self.error(item, f"'{field.name}' in {what} must be {_TYPE_NAMES[field.type]}",
                           field.description)
                continue
            result.append((str(item.value), item))
        return result

    def plain(self, node: Node, budget: list[int] | None = None, depth: int = 0) -> Any:
        """A YAML subtree as plain Python data (for `params:`). Aliases are expanded, so
        the size is bounded: an alias bomb or a cycle is an error, not a hang."""
        budget = [PARAMS_MAX_NODES] if budget is None else budget
        budget[0] -= 1
        if budget[0] < 0 or depth > PARAMS_MAX_DEPTH:
            if budget[0] == -1 or depth == PARAMS_MAX_DEPTH + 1:
                self.error(node, "'params' is too large or nests too deeply (or loops through "
                                 "an alias)", "keep params to a few plain fields")
            return None
        if isinstance(node, MappingNode):
            entries = self.entries(node, "params") or {}
            return {k: self.plain(v, budget, depth + 1) for k, (_, v) in entries.items()}
        if isinstance(node, SequenceNode):
            return [self.plain(item, budget, depth + 1) for item in node.value]
        constructor = yaml.constructor.SafeConstructor()
        try:
            return constructor.construct_object(node, deep=True)
        except yaml.YAMLError:
            self.error(node, "cannot read this value")
            return None

    # -- interpolation

    def interpolate(self, node: Node, text: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
        """Expand ${VAR} and ${VAR:-default}; returns (value, variables, unset variables)."""
        variables: list[str] = []
        missing: list[str] = []

        def substitute(match: re.Match[str]) -> str:
            name, operator, default = match.group(1), match.group(2), match.group(3)
            variables.append(name)
            # An empty variable is an unset one: in CI a secret that does not exist
            # arrives as an empty string.
            value = self.environ.get(name) or None
            if value is not None:
                self.secrets.add(value)
            if operator and value is None:
                return default or ""
            if value is None:
                missing.append(name)
                return ""
            return value

        result = _VARIABLE.sub(substitute, text)
        if "${" in _VARIABLE.sub("", text):
            self.error(node, f"malformed variable reference in {text!r}",
                       "write ${NAME} or ${NAME:-default}")
        return result, tuple(variables), tuple(missing)

    def interpolate_plain(self, node: Node, text: str, field: Field, what: str) -> str | None:
        value, _, missing = self.interpolate(node, text)
        if missing:
            self.error(node, f"environment variable {missing[0]} (for '{field.name}' in {what}) "
                             "is not set or empty",
                       f"export {missing[0]} or write ${{{missing[0]}:-...}}")
            return None
        return value

    def optional_string(self, node: Node, field: Field, what: str,
                        header: bool = False) -> str | None:
        """A string field where an unset variable means "not configured". ``header``:
        the value is sent as a header, so it is checked like a credential."""
        text = self.scalar(node, field, what)
        if text is None:
            return None
        value, variables, _ = self.interpolate(node, text)
        if value and header:
            return self.credential(node, value, variables, f"'{field.name}' of {what}")
        return value or None

    def key(self, node: Node, text: str, what: str, optional: bool = False) -> KeyRef | None:
        references = _VARIABLE.findall(text)
        literal = _VARIABLE.sub("", text)
        if not references:
            if looks_like_secret(text):
                self.error(node, f"api_key in {what} is a literal secret",
                           "never commit keys: write api_key: ${OPENAI_API_KEY} and set the "
                           "variable in the environment (then rotate the key you committed)")
            else:
                self.error(node, f"api_key in {what} must come from the environment",
                           "write api_key: ${VARIABLE_NAME}")
            return None
        defaults = [default for _, _, default in references]
        if looks_like_secret(literal) or any(looks_like_secret(d) for d in defaults):
            self.error(node, f"api_key in {what} contains a literal secret",
                       "keep only ${VAR} in api_key; never commit keys (rotate this one)")
            return None
        value, variables, missing = self.interpolate(node, text)
        secret = None
        if value and not missing:
            checked = self.credential(node, value, variables, f"api_key of {what}")
            if checked is None:
                return None
            secret = Secret(checked)
        return KeyRef(text, variables, secret, missing, self.location(node), optional)

    def credential(self, node: Node, value: str, variables: Sequence[str],
                   what: str, spaces: bool = False) -> str | None:
        """A credential (or any header value) from the environment, as it will be sent.
        Surrounding whitespace (a pasted trailing newline) is stripped with a notice;
        anything inside it that cannot travel in an HTTP header is a config error. The
        value itself is never shown: the message names the variable and the position."""
        source = " or ".join(variables) or "the value"
        stripped = value.strip()
        if stripped != value:
            self.notices.append(_issue(self.path, node.start_mark.line, node.start_mark.column,
                                       f"note: whitespace around {source} ({what}) was removed"))
        for position, char in enumerate(stripped, 1):
            if " " < char < "\x7f" or (spaces and char == " "):
                continue
            kind = ("whitespace" if char.isspace() else "a control character"
                    if ord(char) < 32 or ord(char) == 127 else "a non-ASCII character")
            self.error(node, f"{source} ({what}) contains {kind} at position {position}",
                       f"set {source} again to the key alone (copy it without spaces or "
                       "line breaks)")
            return None
        return stripped

    # -- sections

    def config(self, root: Node) -> Config | None:
        top = self.entries(root, "the top level")
        if top is None:
            return None
        self.known_keys(top, TOP_FIELDS, "the top level")
        if "version" in top:
            node = top["version"][1]
            if not (isinstance(node, ScalarNode) and node.value == "1"):
                self.error(node, "unsupported version", "write `version: 1`")
        defaults = self.defaults(top["defaults"][1]) if "defaults" in top else Defaults()
        prices = self.prices(top["prices"][1]) if "prices" in top else {}
        providers = self.providers(top["providers"][1]) if "providers" in top else {}
        if "providers" not in top or "checks" not in top:
            if not top:  # known_keys anchors its message on a key; an empty mapping has none
                self.error(root, "missing 'providers' and 'checks'",
                           "a config declares `providers:` and `checks:`; see `checker schema`")
            return None
        checks = self.checks(top["checks"][1], providers, defaults)
        return Config(self.path, defaults, providers, tuple(checks), prices,
                      tuple(self.notices))

    def fields(
        self, node: Node, fields: Sequence[Field], what: str
    ) -> tuple[dict[str, Any], dict[str, Node]]:
        entries = self.entries(node, what)
        if entries is None:
            return {}, {}
        self.known_keys(entries, fields, what)
        by_name = {f.name: f for f in fields}
        values: dict[str, Any] = {}
        nodes: dict[str, Node] = {}
        for key, (_, value_node) in entries.items():
            field = by_name.get(key)
            if field is None:
                continue
            nodes[key] = value_node
            if field.type in ("string", "number", "integer", "boolean"):
                value = self.scalar(value_node, field, what)
                if value is not None:
                    values[key] = value
            elif field.type == "enum":
                values[key] = self.choice(value_node, field, what)
            elif field.type == "string_list":
                values[key] = self.strings(value_node, field, what)
            elif field.type == "mapping" and not isinstance(value_node, MappingNode):
                self.error(value_node, f"'{key}' in {what} must be a mapping",
                           field.description)
            elif field.type == "list" and not isinstance(value_node, SequenceNode):
                self.error(value_node, f"'{key}' in {what} must be a list", field.description)
        return values, nodes

    def choice(self, node: Node, field: Field, what: str) -> str | None:
        if not isinstance(node, ScalarNode) or node.value not in field.choices:
            shown = node.value if isinstance(node, ScalarNode) else "this"
            close = _closest(str(shown), field.choices)
            fix = f"did you mean '{close[0]}'?" if close else "one of: " + ", ".join(field.choices)
            self.error(node, f"'{field.name}' in {what} cannot be {shown!r}", fix)
            return None
        return str(node.value)

    def defaults(self, node: Node) -> Defaults:
        values, _ = self.fields(node, DEFAULTS_FIELDS, "defaults")
        base = Defaults()
        return Defaults(
            timeout=float(values.get("timeout", base.timeout)),
            retries=int(values.get("retries", base.retries)),
            concurrency=int(values.get("concurrency", base.concurrency)),
            provider_concurrency=int(values.get("provider_concurrency",
                                                base.provider_concurrency)),
            deadline=(float(values["deadline"]) or None) if "deadline" in values
            else base.deadline,
        )

    def prices(self, node: Node) -> dict[str, Price]:
        entries = self.entries(node, "prices") or {}
        result: dict[str, Price] = {}
        for model, (_, value_node) in entries.items():
            values, _ = self.fields(value_node, PRICE_FIELDS, f"prices.{model}")
            result[model] = Price(
                float(values.get("input", 0.0)),
                float(values.get("output", 0.0)),
                float(values.get("image", 0.0)),
            )
        return result

    def providers(self, node: Node) -> dict[str, Provider]:
        entries = self.entries(node, "providers")
        if entries is None:
            return {}
        if not entries:
            self.error(node, "no providers declared", "add at least one provider under providers:")
        result: dict[str, Provider] = {}
        self.declared.update(entries)
        for name, (key_node, value_node) in entries.items():
            if not _NAME.match(name):
                self.error(key_node, f"provider name {name!r} has unsupported characters",
                           "use letters, digits, '-', '_' and '.'")
                continue
            provider = self.provider(name, value_node)
            if provider is not None:
                result[name] = provider
        return result

    def provider(self, name: str, node: Node) -> Provider | None:
        what = f"provider '{name}'"
        if isinstance(node, MappingNode) and not node.value:
            self.error(node, f"{what} is empty", "add `base_url:` and `api_key: ${VAR}`")
            return None
        values, nodes = self.fields(node, PROVIDER_FIELDS, what)
        if "base_url" not in nodes:
            return None
        kind = values.get("kind") or "openai"
        url = self.base_url(nodes["base_url"], values.get("base_url"), what,
                            bool(values.get("allow_insecure_http", False)))
        key = None
        if "api_key" in values:
            key = self.key(nodes["api_key"], values["api_key"], what,
                           optional=bool(values.get("optional", False)))
            if key is None:
                self.broken_keys.add(name)  # reported where it is written, not per check
        headers = self.headers(nodes["headers"], what) if "headers" in nodes else ()
        deployments = self.deployments(nodes["deployments"], what) if "deployments" in nodes else {}
        if kind != "azure":
            for option in ("api_version", "deployments"):
                if option in nodes:
                    self.error(nodes[option], f"'{option}' only applies to kind: azure",
                               f"add `kind: azure` to {what} or remove '{option}'")
        api_version = values.get("api_version")
        if kind == "azure" and api_version is None:
            api_version = "2025-04-01-preview"
        ca_bundle = None
        if "ca_bundle" in nodes:
            ca_bundle = self.optional_string(
                nodes["ca_bundle"], _field(PROVIDER_FIELDS, "ca_bundle"), what)
        if url is None:
            return None
        return Provider(
            name=name,
            kind=kind,
            base_url=url,
            api_key=key,
            organization=self.optional_string(
                nodes["organization"], _field(PROVIDER_FIELDS, "organization"), what, header=True)
            if "organization" in nodes else None,
            project=self.optional_string(nodes["project"], _field(PROVIDER_FIELDS, "project"),
                                         what, header=True)
            if "project" in nodes else None,
            api_version=api_version,
            deployments=deployments,
            headers=headers,
            concurrency=int(values["concurrency"]) if "concurrency" in values else None,
            timeout=float(values["timeout"]) if "timeout" in values else None,
            allow_insecure_http=bool(values.get("allow_insecure_http", False)),
            ca_bundle=ca_bundle,
            location=self.location(node),
        )

    def base_url(self, node: Node, text: str | None, what: str, insecure_ok: bool) -> str | None:
        if text is None:
            return None
        field = _field(PROVIDER_FIELDS, "base_url")
        url = self.interpolate_plain(node, text, field, what)
        if url is None:
            return None
        # Quote what the file says, never what a variable held: a ${VAR} written here by
        # mistake may hold a key.
        shown = repr(text) + (" (after expanding its variables)" if _VARIABLE.search(text)
                              else "")
        try:
            if any(c.isspace() or ord(c) < 32 for c in url):
                raise ValueError("it contains whitespace or control characters")
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises ValueError for a port out of range
        except ValueError as exc:
            reason = str(exc) if not _VARIABLE.search(text) else "it cannot be parsed"
            self.error(node, f"base_url of {what} is not a valid URL: {shown}: {reason}",
                       "write e.g. https://api.openai.com/v1")
            return None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            self.error(node, f"base_url of {what} is not an http(s) URL: {shown}",
                       "write e.g. https://api.openai.com/v1")
            return None
        if parts.query or parts.fragment:
            self.error(node, f"base_url of {what} must not have a query or fragment",
                       "put api-version under `api_version:`")
            return None
        if parts.username or parts.password:
            self.error(node, f"base_url of {what} must not contain credentials",
                       "use api_key: ${VAR}")
            return None
        if parts.scheme == "http" and not is_loopback(parts.hostname) and not insecure_ok:
            self.error(node, f"base_url of {what} uses plain http to a non-loopback host, "
                             "which would send the key unencrypted",
                       "use https://, or set `allow_insecure_http: true` if you accept that")
            return None
        return url.rstrip("/")

    def headers(self, node: Node, what: str) -> tuple[tuple[str, str | Secret], ...]:
        entries = self.entries(node, f"headers of {what}") or {}
        result: list[tuple[str, str | Secret]] = []
        for name, (key_node, value_node) in entries.items():
            if not re.fullmatch(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+", name):
                self.error(key_node, f"{name!r} is not a valid header name")
                continue
            if not isinstance(value_node, ScalarNode):
                self.error(value_node, f"header {name!r} of {what} must be a string")
                continue
            text = str(value_node.value)
            literal = _VARIABLE.sub("", text)
            defaults = "".join(d for _, _, d in _VARIABLE.findall(text))
            suspicious = looks_like_secret(literal) or looks_like_secret(defaults) or (
                _SECRET_HEADER.search(name) is not None
                and len(literal.strip()) >= 8
                and literal.strip().lower() not in ("bearer", "basic")
            )
            if suspicious:
                self.error(value_node, f"header {name!r} of {what} holds a literal secret",
                           f"write {name}: ${{VAR}} and set VAR in the environment")
                continue
            value, variables, missing = self.interpolate(value_node, text)
            if missing:
                continue  # an optional header whose variable is unset is not sent
            checked = self.credential(value_node, value, variables,
                                      f"header {name!r} of {what}", spaces=True)
            if checked is None:
                continue
            # A value from the environment may be a credential: treat it as one.
            result.append((name, Secret(checked) if variables else checked))
        return tuple(result)

    def deployments(self, node: Node, what: str) -> dict[str, str]:
        entries = self.entries(node, f"deployments of {what}") or {}
        result: dict[str, str] = {}
        for model, (_, value_node) in entries.items():
            if not isinstance(value_node, ScalarNode) or not str(value_node.value):
                self.error(value_node, f"deployment for {model!r} in {what} must be a name")
                continue
            result[model] = str(value_node.value)
        return result

    def checks(
        self, node: Node, providers: Mapping[str, Provider], defaults: Defaults
    ) -> list[Check]:
        if not isinstance(node, SequenceNode):
            self.error(node, "'checks' must be a list", "start each check with '- '")
            return []
        if not node.value:
            self.error(node, "no checks declared (the matrix is empty)",
                       "add at least one check with `providers:` and `models:`")
            return []
        size = sum(_block_size(item) for item in node.value)
        if size > self.max_checks:
            self.error(node, f"the matrix expands to {size:,} checks, over the limit of "
                             f"{self.max_checks:,}",
                       "split the config, narrow the lists, or raise the limit with "
                       "--max-checks")
            return []
        checks: list[Check] = []
        seen: dict[str, Location] = {}
        for index, item in enumerate(node.value):
            for check in self.check_block(item, index, providers, defaults):
                if check.id in seen:
                    self.error_at(check.location, f"duplicate check '{check.id}' "
                                  f"(already declared at line {seen[check.id].line})",
                                  "remove one of them")
                    continue
                seen[check.id] = check.location
                checks.append(check)
        return checks

    def error_at(self, location: Location, message: str, fix: str = "") -> None:
        self.issues.append(ConfigIssue(location, message, fix))

    def check_block(
        self, node: Node, index: int, providers: Mapping[str, Provider], defaults: Defaults
    ) -> list[Check]:
        what = f"checks[{index}]"
        values, nodes = self.fields(node, CHECK_FIELDS, what)
        if not nodes and not isinstance(node, MappingNode):
            return []
        for single, plural in (("provider", "providers"), ("model", "models")):
            if single in nodes and plural in nodes:
                self.error(nodes[single], f"{what} has both '{single}' and '{plural}'",
                           f"keep one: '{plural}: [...]'")
        provider_refs: list[tuple[str, Node]] = values.get("providers") or (
            [(values["provider"], nodes["provider"])] if "provider" in values else []
        )
        model_refs: list[tuple[str, Node]] = values.get("models") or (
            [(values["model"], nodes["model"])] if "model" in values else []
        )
        if not provider_refs and "providers" not in nodes and "provider" not in nodes:
            self.error(node, f"{what} names no provider", "add `providers: [name, ...]`")
        if not model_refs and "models" not in nodes and "model" not in nodes:
            self.error(node, f"{what} names no model", "add `models: [name, ...]`")

        capability_refs = values.get("capabilities") or []
        capabilities: list[str] = []
        for capability, cap_node in capability_refs:
            if capability not in CAPABILITIES:
                close = _closest(capability, CAPABILITIES)
                fix = f"did you mean '{close[0]}'?" if close else "one of: " + ", ".join(
                    CAPABILITIES)
                self.error(cap_node, f"unknown capability '{capability}'", fix)
            elif capability not in capabilities:
                capabilities.append(capability)
        if not capability_refs:
            capabilities = ["access"]

        optional = bool(values.get("optional", False))
        keys: list[KeyRef | None] = [None]
        if "api_key" in values:
            keys = []
            for text, key_node in values["api_key"]:
                keys.append(self.key(key_node, text, what, optional=optional))
            if any(k is None for k in keys):
                return []

        expect = self.expect(nodes["expect"], what) if "expect" in nodes else EXPECT_OK
        params = self.plain(nodes["params"]) if "params" in nodes else {}
        probe = ProbeKind(values["probe"]) if values.get("probe") else None

        resolved: list[Provider] = []
        for name, ref_node in provider_refs:
            provider = providers.get(name)
            if provider is None and name in self.declared:
                continue  # its own error was reported where it is declared
            if provider is None:
                close = _closest(name, list(providers))
                fix = f"did you mean '{close[0]}'?" if close else (
                    "declared: " + ", ".join(providers) if providers else "declare it under "
                    "providers:")
                self.error(ref_node, f"unknown provider '{name}'", fix)
                continue
            resolved.append(provider)

        checks: list[Check] = []
        for provider in resolved:
            for key in keys:
                key_ref = key if key is not None else provider.api_key
                if key_ref is None:
                    if provider.name not in self.broken_keys:
                        self.error(node, f"{what}: provider '{provider.name}' has no api_key",
                                   "add `api_key: ${VAR}` to the provider or the check")
                    continue
                if optional and not key_ref.optional:
                    key_ref = key_ref._replace(optional=True)
                for model, model_node in model_refs:
                    if not model.strip() or any(c.isspace() or ord(c) < 32 for c in model):
                        self.error(model_node, f"model name {model!r} is not valid",
                                   "model names have no spaces")
                        continue
                    for capability in capabilities:
                        kind = probe_kind_for(model, capability, probe)
                        refusal = capability_refusal(model, capability, kind)
                        if refusal is not None:
                            self.error(model_node, *refusal)
                            continue
                        checks.append(Check(
                            id=check_id(provider.name, model, capability,
                                        key.label if key is not None else None),
                            provider=provider,
                            model=model,
                            capability=capability,
                            key=key_ref,
                            expect=expect,
                            probe=probe,
                            params=params if isinstance(params, dict) else {},
                            prompt=values.get("prompt"),
                            timeout=float(values.get("timeout") or provider.timeout
                                          or defaults.timeout),
                            retries=int(values["retries"]) if "retries" in values
                            else defaults.retries,
                            min_rpm=int(values["min_rpm"]) if "min_rpm" in values else None,
                            min_tpm=int(values["min_tpm"]) if "min_tpm" in values else None,
                            location=self.location(model_node),
                        ))
        if "params" in nodes and not isinstance(params, dict):
            self.error(nodes["params"], f"'params' in {what} must be a mapping")
        return checks

    def expect(self, node: Node, what: str) -> Expectation:
        field = _field(CHECK_FIELDS, "expect")
        items = self.strings(node, field, what)
        classes: set[OutcomeClass] = set()
        labels: list[str] = []
        names = ["ok", "denied", *(c.value for c in EXPECTABLE)]
        for text, item in items:
            labels.append(text)
            if text == "denied":
                classes |= DENIED_CLASSES
            elif text in names:
                classes.add(OutcomeClass(text))
            elif text in OutcomeClass._value2member_map_:
                self.error(item, f"'{text}' cannot be expected in {what}: it proves nothing "
                                 "about access, and a check passes only on proof",
                           "expect ok, denied, or a definite class such as permission_denied")
            else:
                close = _closest(text, names)
                fix = f"did you mean '{close[0]}'?" if close else "ok, denied, or a class name"
                self.error(item, f"unknown expectation '{text}' in {what}", fix)
        if not classes:
            return EXPECT_OK
        return Expectation(",".join(labels), frozenset(classes))


def _block_size(node: Node) -> int:
    """How many checks a `checks:` item expands to, from the YAML nodes alone (before any
    Check is built): providers × keys × models × capabilities."""
    if not isinstance(node, MappingNode):
        return 0
    lengths: dict[str, int] = {}
    for key_node, value_node in node.value:
        if isinstance(key_node, ScalarNode):
            lengths[str(key_node.value)] = (len(value_node.value)
                                            if isinstance(value_node, SequenceNode) else 1)
    size = 1
    for plural, single in (("providers", "provider"), ("models", "model"),
                           ("capabilities", ""), ("api_key", "")):
        size *= max(1, lengths.get(plural, lengths.get(single, 1)))
    return size


def _closest(word: str, choices: Sequence[str]) -> list[str]:
    """The best "did you mean" candidate, if any (difflib only loads on an error)."""
    import difflib

    return difflib.get_close_matches(word, choices, n=1, cutoff=0.6)


def _field(fields: Sequence[Field], name: str) -> Field:
    return next(f for f in fields if f.name == name)


def capability_refusal(model: str, capability: str, kind: ProbeKind) -> tuple[str, str] | None:
    """(message, fix) when ``capability`` cannot apply to ``model``: a check that asks
    for it could never pass, so it is a config error, found by `checker validate`."""
    if capability == STREAM and kind in (ProbeKind.IMAGES, ProbeKind.EMBEDDINGS):
        return (f"capability 'stream' does not apply to {kind.value} model '{model}'",
                "drop 'stream' for this model, or set `probe: chat`")
    family = family_of(model)
    if capability == REASONING_SUMMARY and family.priced and not family.reasoning:
        return (f"capability 'reasoning_summary' does not apply to '{model}': it is not a "
                "reasoning model", "drop 'reasoning_summary' for this model")
    return None


def check_id(provider: str, model: str, capability: str, key_label: str | None) -> str:
    name = f"{provider} / {model} [{capability}]"
    return f"{name} (key {key_label})" if key_label else name


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    import ipaddress

    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
