"""The ``checks:`` section: each block expands to provider × key × model × capability.

The size of the matrix is computed from the YAML nodes before any ``Check`` is built, so
a small file that expands (through aliases) to millions of checks is refused at once.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..fields import CHECK_FIELDS, Field, field_named
from ..model import (
    EXPECT_OK,
    EXPECTABLE,
    Check,
    Defaults,
    Expectation,
    KeyRef,
    Location,
    Provider,
    check_id,
)
from ..outcomes import DENIED_CLASSES, OutcomeClass
from ..providers import CAPABILITIES, KINDS
from .environment import Environment
from .providers import ProvidersSection
from .source import Reader, did_you_mean


def check_fields() -> tuple[Field, ...]:
    """The check table with the choices the registry decides."""
    probes = tuple(dict.fromkeys(p for kind in KINDS.values() for p in kind.probes))
    return tuple(
        f._replace(choices=CAPABILITIES) if f.name == "capabilities"
        else f._replace(choices=probes) if f.name == "probe" else f
        for f in CHECK_FIELDS)


def block_size(node: Node) -> int:
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


def close_model(model: str, known: tuple[str, ...]) -> str | None:
    """The published name ``model`` is probably a typo of: one or two letters swapped,
    missing or extra (``gpt-iamge-2``), never a different version number."""
    lowered = model.lower()
    if lowered in known:
        return None
    # A typo keeps the length within two letters and the digits: compare only those names
    # (a matrix of a thousand names must not cost a second).
    near = [name for name in _by_digits(known).get(_digits(lowered), ())
            if abs(len(name) - len(lowered)) <= 2]
    if not near:
        return None
    import difflib  # only when a name is close to a published one

    close = difflib.get_close_matches(lowered, near, n=1, cutoff=0.85)
    return close[0] if close else None


@functools.cache
def _by_digits(known: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for name in known:
        index.setdefault(_digits(name), []).append(name)
    return {digits: tuple(names) for digits, names in index.items()}


def _digits(name: str) -> str:
    return "".join(c for c in name if c.isdigit())


class ChecksSection:
    def __init__(self, reader: Reader, environment: Environment, providers: ProvidersSection,
                 max_checks: int) -> None:
        self.reader = reader
        self.environment = environment
        self.providers = providers
        self.max_checks = max_checks
        self.model_warnings: set[tuple[str, int, int]] = set()  # (kind, line, column) said

    def read(self, node: Node, providers: Mapping[str, Provider],
             defaults: Defaults) -> list[Check]:
        if not isinstance(node, SequenceNode):
            self.reader.error(node, "'checks' must be a list", "start each check with '- '")
            return []
        if not node.value:
            self.reader.error(node, "no checks declared (the matrix is empty)",
                              "add at least one check with `providers:` and `models:`")
            return []
        size = sum(block_size(item) for item in node.value)
        if size > self.max_checks:
            self.reader.error(node, f"the matrix expands to {size:,} checks, over the limit of "
                                    f"{self.max_checks:,}",
                              "split the config, narrow the lists, or raise the limit with "
                              "--max-checks")
            return []
        checks: list[Check] = []
        seen: dict[str, Location] = {}
        for index, item in enumerate(node.value):
            for check in self.block(item, index, providers, defaults):
                if check.id in seen:
                    self.reader.error_at(check.location, f"duplicate check '{check.id}' "
                                         f"(already declared at line {seen[check.id].line})",
                                         "remove one of them")
                    continue
                seen[check.id] = check.location
                checks.append(check)
        return checks

    def block(self, node: Node, index: int, providers: Mapping[str, Provider],
              defaults: Defaults) -> list[Check]:
        what = f"checks[{index}]"
        fields = check_fields()
        values, nodes = self.reader.fields(node, fields, what)
        if not nodes and not isinstance(node, MappingNode):
            return []
        self.numbers(values, nodes, fields, what)
        for single, plural in (("provider", "providers"), ("model", "models")):
            if single in nodes and plural in nodes:
                self.reader.error(nodes[single], f"{what} has both '{single}' and '{plural}'",
                                  f"keep one: '{plural}: [...]'")
        provider_refs: list[tuple[str, Node]] = values.get("providers") or (
            [(values["provider"], nodes["provider"])] if "provider" in values else [])
        model_refs: list[tuple[str, Node]] = values.get("models") or (
            [(values["model"], nodes["model"])] if "model" in values else [])
        if not provider_refs and "providers" not in nodes and "provider" not in nodes:
            self.reader.error(node, f"{what} names no provider", "add `providers: [name, ...]`")
        if not model_refs and "models" not in nodes and "model" not in nodes:
            self.reader.error(node, f"{what} names no model", "add `models: [name, ...]`")
        capabilities = self.capabilities(values.get("capabilities") or [])

        optional = bool(values.get("optional", False))
        keys: list[KeyRef | None] = [None]
        key_nodes: list[Node] = []
        if "api_key" in values:
            keys = [self.environment.key(key_node, text, what, optional=optional)
                    for text, key_node in values["api_key"]]
            key_nodes = [key_node for _, key_node in values["api_key"]]
            if any(k is None for k in keys):
                return []

        expect = self.expectation(nodes["expect"], what) if "expect" in nodes else EXPECT_OK
        params = self.reader.plain(nodes["params"]) if "params" in nodes else {}
        if "params" in nodes and not isinstance(params, dict):
            self.reader.error(nodes["params"], f"'params' in {what} must be a mapping")
            params = {}

        checks: list[Check] = []
        for provider in self.resolve(provider_refs, providers):
            kind = KINDS[provider.kind]
            probe = values.get("probe")
            if probe is not None and probe not in kind.probes:
                self.reader.error(nodes["probe"], f"probe '{probe}' does not apply to kind "
                                  f"{kind.name} (provider '{provider.name}')",
                                  "one of: " + ", ".join(kind.probes))
                continue
            refusal = kind.api_key_refusal(provider.options) if key_nodes else None
            if refusal is not None:
                self.reader.error(key_nodes[0], f"'api_key' in {what} does not apply to "
                                  f"provider '{provider.name}': {refusal[0]}", refusal[1])
                continue
            for key, key_node in zip(keys, key_nodes, strict=False):
                if key is not None and key.value is not None:  # the check's own key
                    self.providers.lint_key(key.value.reveal(), kind.expected_key_vendor(
                        provider.options, provider.base_url), key_node, f"provider "
                        f"'{provider.name}'")
            for key in keys:
                key_ref = key if key is not None else provider.api_key
                ambient = (kind.ambient_credentials(provider.options) is not None
                           and provider.name not in self.providers.broken_keys)
                if key_ref is None and not ambient:
                    if provider.name not in self.providers.broken_keys:
                        variable = kind.key_variable(provider.options)
                        self.reader.error(node, f"{what}: provider '{provider.name}' has no "
                                          "api_key", f"add `api_key: ${{{variable}}}` to the "
                                          "provider or the check")
                    continue
                if key_ref is not None and optional and not key_ref.optional:
                    key_ref = key_ref._replace(optional=True)
                for model, model_node in model_refs:
                    if not model.strip() or any(c.isspace() or ord(c) < 32 for c in model):
                        self.reader.error(model_node, f"model name {model!r} is not valid",
                                          "model names have no spaces")
                        continue
                    self.lint_model(kind.name, model, model_node)
                    for capability in capabilities:
                        refusal = kind.capability_refusal(model, capability, probe)
                        if refusal is not None:
                            self.reader.error(model_node, *refusal)
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
                            params=params,
                            prompt=values.get("prompt"),
                            timeout=float(values.get("timeout") or provider.timeout
                                          or defaults.timeout),
                            retries=int(values["retries"]) if "retries" in values
                            else defaults.retries,
                            min_rpm=int(values["min_rpm"]) if "min_rpm" in values else None,
                            min_tpm=int(values["min_tpm"]) if "min_tpm" in values else None,
                            location=self.reader.location(model_node),
                        ))
        return checks

    def numbers(self, values: dict[str, Any], nodes: Mapping[str, Node],
                fields: tuple[Field, ...], what: str) -> None:
        self.providers.numbers(values, nodes, fields, what)

    def lint_model(self, kind_name: str, model: str, node: Node) -> None:
        """A warning (not an error: vendors add models every month) for a name the vendor
        does not publish but that is close to one it does."""
        kind = KINDS[kind_name]
        said = (kind_name, node.start_mark.line, node.start_mark.column)
        if said in self.model_warnings:
            return
        self.model_warnings.add(said)
        close = close_model(model, kind.known_models())
        if close is not None:
            self.reader.notice(node, f"warning: model '{model}' is not one checker knows for "
                                     f"kind {kind_name}; did you mean '{close}'?")

    def capabilities(self, refs: list[tuple[str, Node]]) -> list[str]:
        capabilities: list[str] = []
        for capability, node in refs:
            if capability not in CAPABILITIES:
                self.reader.error(node, f"unknown capability '{capability}'",
                                  did_you_mean(capability, CAPABILITIES,
                                               "one of: " + ", ".join(CAPABILITIES)))
            elif capability not in capabilities:
                capabilities.append(capability)
        return capabilities if refs else ["access"]

    def resolve(self, refs: list[tuple[str, Node]],
                providers: Mapping[str, Provider]) -> list[Provider]:
        resolved: list[Provider] = []
        for name, ref_node in refs:
            swept = self.providers.swept.get(name)
            if swept is not None:  # `regions: [..]`: one provider per region
                resolved.extend(providers[n] for n in swept if n in providers)
                continue
            provider = providers.get(name)
            if provider is None and name in self.providers.declared:
                continue  # its own error was reported where it is declared
            if provider is None:
                otherwise = ("declared: " + ", ".join(providers) if providers
                             else "declare it under providers:")
                self.reader.error(ref_node, f"unknown provider '{name}'",
                                  did_you_mean(name, list(providers), otherwise))
                continue
            resolved.append(provider)
        return resolved

    def expectation(self, node: Node, what: str) -> Expectation:
        items = self.reader.strings(node, field_named(CHECK_FIELDS, "expect"), what)
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
                self.reader.error(item, f"'{text}' cannot be expected in {what}: it proves "
                                        "nothing about access, and a check passes only on proof",
                                  "expect ok, denied, or a definite class such as "
                                  "permission_denied")
            else:
                self.reader.error(item, f"unknown expectation '{text}' in {what}",
                                  did_you_mean(text, names, "ok, denied, or a class name"))
        if not classes:
            return EXPECT_OK
        return Expectation(",".join(labels), frozenset(classes))
