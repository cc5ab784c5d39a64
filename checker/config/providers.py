"""The ``providers:`` section: common fields here, each kind's own fields read from the
provider registry and validated by the kind's module."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from yaml.nodes import MappingNode, Node

from ..fields import HEADER_NAME_PATTERN, PROVIDER_FIELDS, PROVIDER_NAME_PATTERN, Field
from ..model import Header, Provider
from ..providers import DEFAULT_KIND, KINDS, extras
from ..providers.base import MAX_SWEEP, ProviderKind, Sweep
from ..providers.keys import foreign_key_warning
from .environment import VARIABLE, Environment
from .source import Reader

_NAME = re.compile(PROVIDER_NAME_PATTERN)
_HEADER_NAME = re.compile(HEADER_NAME_PATTERN)


def kind_field() -> Field:
    return PROVIDER_FIELDS[0]._replace(choices=tuple(KINDS))


def fields_for(kind: str) -> tuple[Field, ...]:
    return (kind_field(), *PROVIDER_FIELDS[1:], *KINDS[kind].fields)


def foreign_fields(kind: str) -> dict[str, tuple[str, str]]:
    """Fields of other kinds, with the message for using one on this kind."""
    owners: dict[str, list[str]] = {}
    for other in KINDS.values():
        if other.name != kind:
            for field in other.fields:
                owners.setdefault(field.name, []).append(other.name)
    own = {f.name for f in KINDS[kind].fields}
    return {name: (f"'{name}' only applies to kind: {', '.join(kinds)}",
                   f"add `kind: {kinds[0]}` or remove '{name}'")
            for name, kinds in owners.items() if name not in own}


class ProvidersSection:
    def __init__(self, reader: Reader, environment: Environment) -> None:
        self.reader = reader
        self.environment = environment
        # Declared providers, valid or not: a check naming an invalid one is not reported
        # again as "unknown provider"; one whose key was refused is not reported per check.
        self.declared: set[str] = set()
        self.broken_keys: set[str] = set()
        # A provider that sweeps an option (`regions: [..]`) → the names it expanded to.
        self.swept: dict[str, list[str]] = {}

    def read(self, node: Node) -> dict[str, Provider]:
        entries = self.reader.entries(node, "providers")
        if entries is None:
            return {}
        if not entries:
            self.reader.error(node, "no providers declared",
                              "add at least one provider under providers:")
        result: dict[str, Provider] = {}
        self.declared.update(entries)
        for name, (key_node, value_node) in entries.items():
            if not _NAME.match(name):
                self.reader.error(key_node, f"provider name {name!r} has unsupported characters",
                                  "use letters, digits, '-', '_' and '.'")
                continue
            for provider in self.provider(name, value_node):
                result[provider.name] = provider
        return result

    def provider(self, name: str, node: Node) -> list[Provider]:
        """The provider declared at ``node``: one, or one per value of the option its
        kind sweeps (``regions: [us-east-1, eu-west-1]`` → ``name@us-east-1``, …)."""
        what = f"provider '{name}'"
        if isinstance(node, MappingNode) and not node.value:
            self.reader.error(node, f"{what} is empty", "add `base_url:` and `api_key: ${VAR}`")
            return []
        kind_name = self.kind_name(node, what)
        kind = KINDS[kind_name]
        fields = fields_for(kind_name)
        values, nodes = self.reader.fields(node, fields, what, foreign_fields(kind_name))
        self.numbers(values, nodes, fields, what)
        key = None
        key_field = self.key_field(kind_name, values, nodes, what)
        if key_field is not None:
            key = self.environment.key(nodes[key_field], values[key_field], what,
                                       optional=bool(values.get("optional", False)),
                                       field=key_field)
        headers = self.headers(nodes["headers"], what) if "headers" in nodes else ()
        ca_bundle = None
        if "ca_bundle" in values:
            ca_bundle = self.environment.optional(nodes["ca_bundle"], values["ca_bundle"],
                                                  what, header=False)
        providers: list[Provider] = []
        for variant, variant_values, variant_nodes in self.variants(name, values, nodes, what,
                                                                    kind.sweep):
            options = self.options(kind_name, variant_values, variant_nodes, what, node)
            url = self.base_url(nodes.get("base_url"), values.get("base_url"),
                                kind.default_url(options), what,
                                bool(values.get("allow_insecure_http", False)), node)
            refusal = kind.api_key_refusal(options) if key_field == "api_key" else None
            if refusal is not None:
                self.reader.error(nodes["api_key"], f"'api_key' does not apply to {what}: "
                                  f"{refusal[0]}", refusal[1])
                self.broken_keys.add(variant)
                continue
            if key_field is not None and key is None:
                self.broken_keys.add(variant)  # reported where it is written, not per check
            if url is None:
                continue
            warning = kind.url_warning(url) if "base_url" in nodes and not providers else None
            if warning is not None:
                self.reader.notice(nodes["base_url"], f"warning: {warning}")
            if not providers and key_field is None:
                self.ambient_extra(kind, options, nodes.get("kind") or node, what)
            if key_field == "api_key" and key is not None and key.value is not None \
                    and not providers:
                self.lint_key(key.value.reveal(), kind.expected_key_vendor(options, url),
                              nodes["api_key"], what)
            providers.append(Provider(
                name=variant,
                kind=kind.name,
                base_url=url,
                api_key=key,
                headers=headers,
                concurrency=int(values["concurrency"]) if "concurrency" in values else None,
                timeout=float(values["timeout"]) if "timeout" in values else None,
                allow_insecure_http=bool(values.get("allow_insecure_http", False)),
                ca_bundle=ca_bundle,
                options=options,
                location=self.reader.location(node),
            ))
        if kind.sweep is not None and kind.sweep.plural in nodes:
            self.swept[name] = [p.name for p in providers]
        return providers

    def variants(self, name: str, values: dict[str, Any], nodes: Mapping[str, Node],
                 what: str, sweep: Sweep | None,
                 ) -> list[tuple[str, dict[str, Any], Mapping[str, Node]]]:
        """(name, values, nodes) of each provider ``values`` declares: itself, or one per
        value of the swept option, each with the single option set to that value."""
        if sweep is None or sweep.plural not in nodes:
            return [(name, values, nodes)]
        plural_node = nodes[sweep.plural]
        items: list[tuple[str, Node]] = values.pop(sweep.plural, [])
        if sweep.single in nodes:
            self.reader.error(plural_node, f"{what} has both '{sweep.single}' and "
                              f"'{sweep.plural}'", f"keep one: '{sweep.plural}: [...]' checks "
                              f"each {sweep.single}")
            return []
        if len(items) > MAX_SWEEP:
            self.reader.error(plural_node, f"'{sweep.plural}' of {what} lists {len(items)} "
                              f"values, over the limit of {MAX_SWEEP}", "list fewer")
            return []
        variants: list[tuple[str, dict[str, Any], Mapping[str, Node]]] = []
        for value, item_node in items:
            if any(v[1][sweep.single] == value for v in variants):
                self.reader.error(item_node, f"'{value}' is listed twice in '{sweep.plural}' "
                                  f"of {what}", "remove one")
                continue
            variants.append((f"{name}@{value}", {**values, sweep.single: value},
                             {**nodes, sweep.single: item_node}))
        return variants

    def ambient_extra(self, kind: ProviderKind, options: Mapping[str, Any], node: Node,
                      what: str) -> None:
        """Credentials from a platform chain need the vendor's library: if it is not
        installed, say so here, with the install command, not at the first probe."""
        source = kind.ambient_credentials(options)
        extra = extras.missing(kind.ambient_extra) if kind.ambient_extra else None
        if source is not None and extra is not None:
            self.reader.error(node, f"{what} takes its credentials from {source}, which needs "
                              f"{extra.purpose}", f"{extra.install}, or give it an api_key:")

    def kind_name(self, node: Node, what: str) -> str:
        """The kind this provider declares (read first: it decides the other fields)."""
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                if getattr(key_node, "value", None) == "kind":
                    value = self.reader.choice(value_node, kind_field(), what)
                    return value or DEFAULT_KIND
        return DEFAULT_KIND

    def numbers(self, values: dict[str, Any], nodes: Mapping[str, Node],
                fields: tuple[Field, ...], what: str) -> None:
        for field in fields:
            if field.type in ("number", "integer") and field.name in values:
                text = self.environment.required(nodes[field.name], values[field.name], field,
                                                 what)
                number = None if text is None else self.reader.number(
                    nodes[field.name], text, field, what)
                if number is None:
                    del values[field.name]
                else:
                    values[field.name] = number

    def key_field(self, kind_name: str, values: Mapping[str, Any], nodes: Mapping[str, Node],
                  what: str) -> str | None:
        """The field that holds the provider's credential: ``api_key``, or a kind's own
        (``access_token:``); None when neither is given. Both given is an error."""
        kind = KINDS[kind_name]
        given = [name for name in ("api_key", *(f.name for f in kind.fields
                                                 if f.type == "credential"))
                 if name in values]
        if len(given) > 1:
            self.reader.error(nodes[given[1]], f"{what} has both '{given[0]}' and "
                              f"'{given[1]}'", "keep the one the provider authenticates with")
            return None
        return given[0] if given else None

    def options(self, kind_name: str, values: Mapping[str, Any], nodes: Mapping[str, Node],
                what: str, provider_node: Node | None = None) -> Mapping[str, Any]:
        kind = KINDS[kind_name]
        own: dict[str, Any] = {}
        for field in kind.fields:
            if field.name not in values:
                continue
            value = values[field.name]
            if field.type == "credential":
                own[field.name] = True  # given; its value is the provider's key, never here
                continue
            if field.type == "header":
                value = self.environment.optional(nodes[field.name], value,
                                                  f"'{field.name}' of {what}", header=True)
                if value is None:
                    continue  # an unset variable: not configured
            own[field.name] = value

        def error(field_name: str, message: str, fix: str) -> None:
            anchor = nodes.get(field_name, provider_node)  # a missing field: the provider
            if anchor is not None:
                self.reader.error(anchor, f"{message} ({what})", fix)

        return kind.options(own, error)

    def lint_key(self, key: str, vendor: str | None, node: Node, what: str) -> None:
        """A warning (not an error) when the key has the shape of another vendor's."""
        warning = foreign_key_warning(key, vendor)
        if warning is not None:
            self.reader.notice(node, f"warning: {warning}, but {what} takes {vendor} keys "
                                     "(is this the right variable?)")

    def base_url(self, node: Node | None, text: str | None, default: str | None, what: str,
                 insecure_ok: bool, provider_node: Node) -> str | None:
        if node is None or text is None:
            if default is None:
                if node is None:
                    self.reader.error(provider_node, f"{what} is missing required key "
                                      "'base_url'", "add `base_url:` (e.g. "
                                      "https://api.openai.com/v1), or `preset:` for a known "
                                      "OpenAI-compatible vendor")
                return None
            return default
        url = self.environment.required(node, text, PROVIDER_FIELDS[1], what)
        if url is None:
            return None
        # Quote what the file says, never what a variable held: a ${VAR} written here by
        # mistake may hold a key.
        expanded = VARIABLE.search(text) is not None
        shown = repr(text) + (" (after expanding its variables)" if expanded else "")
        try:
            if any(c.isspace() or ord(c) < 32 for c in url):
                raise ValueError("it contains whitespace or control characters")
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises ValueError for a port out of range
        except ValueError as exc:
            reason = "it cannot be parsed" if expanded else str(exc)
            self.reader.error(node, f"base_url of {what} is not a valid URL: {shown}: {reason}",
                              "write e.g. https://api.openai.com/v1")
            return None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            self.reader.error(node, f"base_url of {what} is not an http(s) URL: {shown}",
                              "write e.g. https://api.openai.com/v1")
            return None
        if parts.query or parts.fragment:
            self.reader.error(node, f"base_url of {what} must not have a query or fragment",
                              "put api-version under `api_version:`")
            return None
        if parts.username or parts.password:
            self.reader.error(node, f"base_url of {what} must not contain credentials",
                              "use api_key: ${VAR}")
            return None
        if parts.scheme == "http" and not is_loopback(parts.hostname) and not insecure_ok:
            self.reader.error(node, f"base_url of {what} uses plain http to a non-loopback "
                                    "host, which would send the key unencrypted",
                              "use https://, or set `allow_insecure_http: true` if you accept "
                              "that")
            return None
        return url.rstrip("/")

    def headers(self, node: Node, what: str) -> tuple[Header, ...]:
        entries = self.reader.entries(node, f"headers of {what}") or {}
        result: list[Header] = []
        for name, (key_node, value_node) in entries.items():
            if not _HEADER_NAME.fullmatch(name):
                self.reader.error(key_node, f"{name!r} is not a valid header name")
                continue
            value = self.environment.header(name, value_node, what)
            if value is not None:
                result.append((name, value))
        return tuple(result)


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    import ipaddress  # rarely needed: not loaded at start-up

    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
