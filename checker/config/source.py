"""Reading ``checks.yml``: bytes to YAML nodes that keep their line and column, and typed
values out of those nodes, every problem collected as a located ``ConfigIssue``."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..fields import TYPE_NAMES, Field
from ..model import ConfigError, ConfigIssue, Location

MAX_FILE_BYTES = 4 * 1024 * 1024
PARAMS_MAX_NODES = 1000
PARAMS_MAX_DEPTH = 20


def issue(path: str, line: int, column: int, message: str, fix: str = "") -> ConfigIssue:
    """An issue at a 0-based YAML mark."""
    return ConfigIssue(Location(path, line + 1, column + 1), message, fix)


def read_text(path: str, shown: str) -> str:
    """The file as text, or a ConfigError that says why not."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError([issue(shown, 0, 0, "file not found",
                                 "pass -c PATH or create checks.yml")]) from None
    except IsADirectoryError:
        raise ConfigError([issue(shown, 0, 0, "is a directory, not a file",
                                 "pass the YAML file with -c")]) from None
    except OSError as exc:
        raise ConfigError([issue(shown, 0, 0, f"cannot read: {exc.strerror}",
                                 "check the path and its permissions")]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ConfigError([issue(shown, 0, 0, "file is larger than 4 MiB",
                                 "is this the right file?")])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n")
        raise ConfigError([issue(shown, line, 0, "not UTF-8 text",
                                 "save the file as UTF-8")]) from None


def display_path(path: str) -> str:
    """Repo-relative when the file is under the working directory."""
    relative = os.path.relpath(os.path.abspath(path))
    if relative.startswith(".."):
        return os.path.abspath(path)
    return relative.replace(os.sep, "/")


def compose(text: str, path: str) -> Node:
    """The one YAML document in ``text``, as nodes with positions."""
    try:
        documents = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line, mark.column) if mark else (0, 0)
        problem = exc.problem or exc.context or "invalid YAML"
        sentence, fix = explain_yaml(problem)
        lines = text.splitlines()
        if line < len(lines) and "${" in lines[line] and ("[" in lines[line] or "{" in
                                                          lines[line].replace("${", "")):
            fix = 'quote ${VAR} inside [ ] or { }: ["${A}", "${B}"]'
        raise ConfigError([issue(path, line, column, f"{sentence} (YAML parser: {problem})",
                                 fix)]) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position)
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1)
        raise ConfigError([issue(path, line, column,
                                 f"character {exc.character!r} is not allowed in YAML",
                                 "remove it (control characters are not allowed)")]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([issue(path, 0, 0, f"not valid YAML: {exc}",
                                 "fix the YAML syntax")]) from None
    except RecursionError:
        raise ConfigError([issue(path, 0, 0, "YAML nests too deeply",
                                 "flatten the document")]) from None
    documents = [d for d in documents if d is not None]
    if not documents:
        raise ConfigError([issue(path, 0, 0, "the file is empty",
                                 "declare `providers:` and `checks:`; see `checker schema`")])
    if len(documents) > 1:
        mark = documents[1].start_mark
        raise ConfigError([issue(path, mark.line, mark.column, "more than one YAML document",
                                 "remove the second `---` document")])
    return documents[0]


# What the YAML parser's messages mean for a person editing checks.yml.
_YAML_PROBLEMS: tuple[tuple[str, str, str], ...] = (
    ("found character '\\t'", "a tab character: YAML indents with spaces only",
     "replace the tab with spaces"),
    ("mapping values are not allowed", "a `key: value` where it cannot be: usually a "
     "missing space after a colon, or a line indented as if it belonged to the value above",
     "check this line's indentation and that every colon is followed by a space"),
    ("expected <block end>", "this line is indented differently from the lines around it",
     "indent it like its siblings (the same number of spaces)"),
    ("did not find expected key", "this line is indented differently from the lines "
     "around it", "indent it like its siblings (the same number of spaces)"),
    ("could not find expected ':'", "a line that is neither `key: value` nor a `- item`",
     "add the colon, or quote the text"),
    ("did not find expected '-' indicator", "a list item that does not line up with the "
     "others", "start it with '- ' at the same indentation as the other items"),
    ("found undefined alias", "an alias (*name) with no anchor (&name) before it",
     "define the anchor first, or write the value out"),
)


def explain_yaml(problem: str) -> tuple[str, str]:
    """(a sentence a person understands, the fix) for a YAML parser message."""
    for needle, sentence, fix in _YAML_PROBLEMS:
        if needle in problem:
            return f"YAML syntax error: {sentence}", fix
    return "YAML syntax error", "fix the YAML syntax (indentation, quotes, colons)"


def closest(word: str, choices: Sequence[str]) -> list[str]:
    """The best "did you mean" candidate, if any (difflib only loads on an error)."""
    import difflib

    return difflib.get_close_matches(word, choices, n=1, cutoff=0.6)


def did_you_mean(word: str, choices: Sequence[str], otherwise: str) -> str:
    close = closest(word, choices)
    return f"did you mean '{close[0]}'?" if close else otherwise


class Reader:
    """Typed values out of YAML nodes; every problem becomes a located issue."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.issues: list[ConfigIssue] = []
        self.notices: list[ConfigIssue] = []

    # -- reporting

    def error(self, node: Node, message: str, fix: str = "") -> None:
        mark = node.start_mark
        self.issues.append(issue(self.path, mark.line, mark.column, message, fix))

    def error_at(self, location: Location, message: str, fix: str = "") -> None:
        self.issues.append(ConfigIssue(location, message, fix))

    def notice(self, node: Node, message: str) -> None:
        mark = node.start_mark
        self.notices.append(issue(self.path, mark.line, mark.column, message))

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

    def known_keys(self, entries: Mapping[str, tuple[Node, Node]], fields: Sequence[Field],
                   what: str, elsewhere: Mapping[str, tuple[str, str]] | None = None) -> None:
        """Unknown keys are errors (with a did-you-mean); ``elsewhere`` names keys that are
        valid in another context (e.g. another provider kind's field) and says where."""
        names = [f.name for f in fields]
        for key, (key_node, _) in entries.items():
            if key in names:
                continue
            if elsewhere and key in elsewhere:
                self.error(key_node, *elsewhere[key])
                continue
            self.error(key_node, f"unknown key '{key}' in {what}",
                       did_you_mean(key, names, "allowed: " + ", ".join(names)))
        for field in fields:
            if field.required and field.name not in entries:
                anchor = next(iter(entries.values()))[0] if entries else None
                if anchor is not None:
                    self.error(anchor, f"{what} is missing required key '{field.name}'",
                               f"add `{field.name}:` ({field.description})")

    def fields(self, node: Node, fields: Sequence[Field], what: str,
               elsewhere: Mapping[str, tuple[str, str]] | None = None,
               ) -> tuple[dict[str, Any], dict[str, Node]]:
        """Every known field of a mapping, read by its type: (values, nodes)."""
        entries = self.entries(node, what)
        if entries is None:
            return {}, {}
        self.known_keys(entries, fields, what, elsewhere)
        by_name = {f.name: f for f in fields}
        values: dict[str, Any] = {}
        nodes: dict[str, Node] = {}
        for key, (_, value_node) in entries.items():
            field = by_name.get(key)
            if field is None:
                continue
            nodes[key] = value_node
            value = self.value(value_node, field, what)
            if value is not None:
                values[key] = value
        return values, nodes

    def value(self, node: Node, field: Field, what: str) -> Any:
        if field.type in ("string", "header", "credential", "number", "integer", "boolean"):
            return self.scalar(node, field, what)
        if field.type == "enum":
            return self.choice(node, field, what)
        if field.type == "string_list":
            return self.strings(node, field, what)
        if field.type == "string_map":
            return self.string_map(node, field, what)
        if field.type == "mapping" and not isinstance(node, MappingNode):
            self.error(node, f"'{field.name}' in {what} must be a mapping", field.description)
        elif field.type == "list" and not isinstance(node, SequenceNode):
            self.error(node, f"'{field.name}' in {what} must be a list", field.description)
        return None

    def scalar(self, node: Node, field: Field, what: str) -> Any:
        """A scalar of the field's type, as written (numbers may still hold ${VAR}: the
        caller interpolates); None (with an issue) when wrong."""
        if not isinstance(node, ScalarNode):
            self.error(node, f"'{field.name}' in {what} must be {TYPE_NAMES[field.type]}",
                       field.description)
            return None
        tag = node.tag.rsplit(":", 1)[-1]
        if field.type in ("string", "header", "credential"):
            if tag == "null":
                self.error(node, f"'{field.name}' in {what} is empty", field.description)
                return None
            return str(node.value)
        if field.type == "boolean":
            if tag != "bool":
                self.error(node, f"'{field.name}' in {what} must be true or false")
                return None
            return str(node.value).lower() in ("true", "yes", "on")
        return str(node.value)  # number or integer: converted after interpolation

    def number(self, node: Node, text: str, field: Field, what: str) -> float | None:
        """``text`` (already interpolated) as the field's number type."""
        try:
            number: float = int(text) if field.type == "integer" else float(text)
        except ValueError:
            # Quote the file, never the variable's value (it may be a secret).
            written = str(node.value) if isinstance(node, ScalarNode) else text
            shown = (f"{written!r} (after expanding its variables)" if "${" in written
                     else repr(written))
            self.error(node, f"'{field.name}' in {what} must be {TYPE_NAMES[field.type]}, "
                             f"not {shown}", field.description)
            return None
        if node.tag.endswith(":bool") or not math.isfinite(number):
            self.error(node, f"'{field.name}' in {what} must be {TYPE_NAMES[field.type]}")
            return None
        if field.minimum is not None and number < field.minimum:
            self.error(node, f"'{field.name}' in {what} must be at least {field.minimum:g}",
                       field.description)
            return None
        return number

    def strings(self, node: Node, field: Field, what: str) -> list[tuple[str, Node]]:
        items = node.value if isinstance(node, SequenceNode) else [node]
        if isinstance(node, SequenceNode) and not items:
            self.error(node, f"'{field.name}' in {what} is an empty list",
                       f"list at least one, or remove '{field.name}'")
        result: list[tuple[str, Node]] = []
        for item in items:
            if not isinstance(item, ScalarNode) or item.tag.endswith(":null"):
                self.error(item, f"'{field.name}' in {what} must be {TYPE_NAMES[field.type]}",
                           field.description)
                continue
            result.append((str(item.value), item))
        return result

    def string_map(self, node: Node, field: Field, what: str) -> dict[str, str] | None:
        entries = self.entries(node, f"{field.name} of {what}")
        if entries is None:
            return None
        result: dict[str, str] = {}
        for name, (_, value_node) in entries.items():
            if not isinstance(value_node, ScalarNode) or not str(value_node.value) or (
                    value_node.tag.endswith(":null")):
                self.error(value_node, f"{field.name} entry {name!r} in {what} must be a name")
                continue
            result[name] = str(value_node.value)
        return result

    def choice(self, node: Node, field: Field, what: str) -> str | None:
        if not isinstance(node, ScalarNode) or node.value not in field.choices:
            shown = node.value if isinstance(node, ScalarNode) else "this"
            self.error(node, f"'{field.name}' in {what} cannot be {shown!r}",
                       did_you_mean(str(shown), field.choices,
                                    "one of: " + ", ".join(field.choices)))
            return None
        return str(node.value)

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
