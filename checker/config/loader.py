"""Load ``checks.yml`` into a ``Config``: every problem a located one-line issue.

Everything here is pure except reading the file and the environment mapping passed in.
The loader collects every issue and raises one ``ConfigError``; a config error never
quotes a value that came from the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from yaml.nodes import Node, ScalarNode

from ..fields import DEFAULTS_FIELDS, PRICE_FIELDS, TOP_FIELDS
from ..model import (
    DEFAULT_MAX_CHECKS,
    Config,
    ConfigError,
    ConfigIssue,
    Defaults,
    Price,
)
from ..secrets import Redactor
from .checks import ChecksSection
from .environment import Environment
from .providers import ProvidersSection
from .source import Reader, compose, display_path, issue, read_text

DEFAULT_CONFIG_NAMES: tuple[str, ...] = (
    "checks.yml",
    "checks.yaml",
    ".checker.yml",
    ".checker.yaml",
    ".github/checks.yml",
    ".github/checks.yaml",
)


def find_config(start: str = ".") -> str | None:
    for name in DEFAULT_CONFIG_NAMES:
        candidate = os.path.join(start, name)
        if os.path.isfile(candidate):
            return candidate
    return None


def load_config(path: str, environ: Mapping[str, str] | None = None,
                max_checks: int = DEFAULT_MAX_CHECKS) -> Config:
    shown = display_path(path)
    text = read_text(path, shown)
    return parse_config(text, shown, os.environ if environ is None else environ, max_checks)


def parse_config(text: str, path: str, environ: Mapping[str, str],
                 max_checks: int = DEFAULT_MAX_CHECKS) -> Config:
    root = compose(text, path)
    loader = _Loader(path, environ, max_checks)
    try:
        config = loader.config(root)
    except RecursionError:
        raise ConfigError([issue(path, 0, 0, "the document nests too deeply",
                                 "flatten the configuration")]) from None
    if loader.reader.issues or config is None:
        issues = loader.reader.issues or [issue(path, 0, 0, "invalid configuration")]
        raise ConfigError(_masked(issues, loader.environment.values))
    return config


def _masked(issues: Sequence[ConfigIssue], values: set[str]) -> list[ConfigIssue]:
    """No value from the environment reaches a config error, whatever the message says:
    the messages name variables, and this catches anything that slipped through."""
    redact = Redactor(v for v in values if len(v) >= 8)
    return [ConfigIssue(i.location, redact(i.message), redact(i.fix)) for i in issues]


class _Loader:
    def __init__(self, path: str, environ: Mapping[str, str], max_checks: int) -> None:
        self.reader = Reader(path)
        self.environment = Environment(environ, self.reader)
        self.providers = ProvidersSection(self.reader, self.environment)
        self.checks = ChecksSection(self.reader, self.environment, self.providers, max_checks)

    def config(self, root: Node) -> Config | None:
        reader = self.reader
        top = reader.entries(root, "the top level")
        if top is None:
            return None
        reader.known_keys(top, TOP_FIELDS, "the top level")
        if "version" in top:
            node = top["version"][1]
            if not (isinstance(node, ScalarNode) and node.value == "1"):
                reader.error(node, "unsupported version", "write `version: 1`")
        defaults = self.defaults(top["defaults"][1]) if "defaults" in top else Defaults()
        prices = self.prices(top["prices"][1]) if "prices" in top else {}
        providers = self.providers.read(top["providers"][1]) if "providers" in top else {}
        if "providers" not in top or "checks" not in top:
            if not top:  # known_keys anchors its message on a key; an empty mapping has none
                reader.error(root, "missing 'providers' and 'checks'",
                             "a config declares `providers:` and `checks:`; see `checker schema`")
            return None
        checks = self.checks.read(top["checks"][1], providers, defaults)
        return Config(reader.path, defaults, providers, tuple(checks), prices,
                      tuple(reader.notices))

    def defaults(self, node: Node) -> Defaults:
        values, nodes = self.reader.fields(node, DEFAULTS_FIELDS, "defaults")
        self.providers.numbers(values, nodes, DEFAULTS_FIELDS, "defaults")
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
        entries = self.reader.entries(node, "prices") or {}
        result: dict[str, Price] = {}
        for model, (_, value_node) in entries.items():
            what = f"prices.{model}"
            values, nodes = self.reader.fields(value_node, PRICE_FIELDS, what)
            self.providers.numbers(values, nodes, PRICE_FIELDS, what)
            result[model] = Price(
                float(values.get("input", 0.0)),
                float(values.get("output", 0.0)),
                float(values.get("image", 0.0)),
            )
        return result
