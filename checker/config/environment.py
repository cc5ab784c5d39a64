"""``${VAR}`` interpolation and credentials from the environment.

An empty variable is an unset one: in CI a secret that does not exist arrives as an empty
string. Credentials are checked as they will be sent: surrounding whitespace is stripped
with a notice, anything else that cannot travel in an HTTP header is an error that names
the variable and the position, never the value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from yaml.nodes import Node, ScalarNode

from ..fields import VARIABLE_PATTERN, Field
from ..model import KeyRef
from ..secrets import Secret, looks_like_secret
from .source import Reader

VARIABLE = re.compile(VARIABLE_PATTERN)


class Environment:
    def __init__(self, environ: Mapping[str, str], reader: Reader) -> None:
        self.environ = environ
        self.reader = reader
        # Every value read from the environment: masked in every config error.
        self.values: set[str] = set()

    def interpolate(self, node: Node, text: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
        """Expand ${VAR} and ${VAR:-default}; returns (value, variables, unset variables)."""
        variables: list[str] = []
        missing: list[str] = []

        def substitute(match: re.Match[str]) -> str:
            name, operator, default = match.group(1), match.group(2), match.group(3)
            variables.append(name)
            value = self.environ.get(name) or None
            if value is not None:
                self.values.add(value)
            if operator and value is None:
                return default or ""
            if value is None:
                missing.append(name)
                return ""
            return value

        result = VARIABLE.sub(substitute, text)
        if "${" in VARIABLE.sub("", text):
            self.reader.error(node, f"malformed variable reference in {text!r}",
                              "write ${NAME} or ${NAME:-default}")
        return result, tuple(variables), tuple(missing)

    def required(self, node: Node, text: str, field: Field, what: str) -> str | None:
        """``text`` interpolated, where every variable must be set."""
        value, _, missing = self.interpolate(node, text)
        if missing:
            self.reader.error(node, f"environment variable {missing[0]} (for '{field.name}' in "
                                    f"{what}) is not set or empty",
                              f"export {missing[0]} or write ${{{missing[0]}:-...}}")
            return None
        return value

    def optional(self, node: Node, text: str, what: str, header: bool) -> str | None:
        """A string where an unset variable means "not configured". ``header``: the value
        is sent as a header, so it is checked like a credential."""
        value, variables, _ = self.interpolate(node, text)
        if value and header:
            return self.credential(node, value, variables, what)
        return value or None

    def credential(self, node: Node, value: str, variables: Sequence[str], what: str,
                   spaces: bool = False) -> str | None:
        """A credential (or any header value) from the environment, as it will be sent."""
        source = " or ".join(variables) or "the value"
        stripped = value.strip()
        if stripped != value:
            self.reader.notice(node, f"note: whitespace around {source} ({what}) was removed")
        for position, char in enumerate(stripped, 1):
            if " " < char < "\x7f" or (spaces and char == " "):
                continue
            kind = ("whitespace" if char.isspace() else "a control character"
                    if ord(char) < 32 or ord(char) == 127 else "a non-ASCII character")
            self.reader.error(node, f"{source} ({what}) contains {kind} at position {position}",
                              f"set {source} again to the key alone (copy it without spaces "
                              "or line breaks)")
            return None
        return stripped

    def key(self, node: Node, text: str, what: str, optional: bool = False,
            field: str = "api_key") -> KeyRef | None:
        """An ``api_key:`` value (or a kind's own credential field, e.g. ``access_token:``):
        ${VAR} references only, never a literal key."""
        references = VARIABLE.findall(text)
        literal = VARIABLE.sub("", text)
        if not references:
            if looks_like_secret(text):
                self.reader.error(node, f"{field} in {what} is a literal secret",
                                  f"never commit keys: write {field}: "
                                  f"${{{'OPENAI_API_KEY' if field == 'api_key' else 'VAR'}}} and "
                                  "set the variable in the environment (then rotate the key you "
                                  "committed)")
            else:
                self.reader.error(node, f"{field} in {what} must come from the environment",
                                  f"write {field}: ${{VARIABLE_NAME}}")
            return None
        defaults = [default for _, _, default in references]
        if looks_like_secret(literal) or any(looks_like_secret(d) for d in defaults):
            self.reader.error(node, f"{field} in {what} contains a literal secret",
                              f"keep only ${{VAR}} in {field}; never commit keys (rotate this "
                              "one)")
            return None
        value, variables, missing = self.interpolate(node, text)
        secret = None
        if value and not missing:
            checked = self.credential(node, value, variables, f"{field} of {what}")
            if checked is None:
                return None
            secret = Secret(checked)
        return KeyRef(text, variables, secret, missing, self.reader.location(node), optional)

    def header(self, name: str, node: Node, what: str) -> str | Secret | None:
        """One ``headers:`` value. Literal secrets are refused; a value from the
        environment is treated as a secret; an unset variable means "not sent"."""
        if not isinstance(node, ScalarNode):
            self.reader.error(node, f"header {name!r} of {what} must be a string")
            return None
        text = str(node.value)
        literal = VARIABLE.sub("", text)
        defaults = "".join(d for _, _, d in VARIABLE.findall(text))
        suspicious = looks_like_secret(literal) or looks_like_secret(defaults) or (
            _SECRET_HEADER.search(name) is not None
            and len(literal.strip()) >= 8
            and literal.strip().lower() not in ("bearer", "basic")
        )
        if suspicious:
            self.reader.error(node, f"header {name!r} of {what} holds a literal secret",
                              f"write {name}: ${{VAR}} and set VAR in the environment")
            return None
        value, variables, missing = self.interpolate(node, text)
        if missing:
            return None  # an optional header whose variable is unset is not sent
        checked = self.credential(node, value, variables, f"header {name!r} of {what}",
                                  spaces=True)
        if checked is None:
            return None
        return Secret(checked) if variables else checked


_SECRET_HEADER = re.compile(r"authorization|api[-_]?key|token|secret|password|cookie", re.I)
