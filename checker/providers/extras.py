"""Vendor libraries as optional extras: imported on demand, never at start-up.

Cloud identities need their vendor's own library (AWS signing and the credential chain
from botocore, Google's Application Default Credentials from google-auth, Entra ID from
azure-identity): checker never writes a signer or a token exchange by hand. The base
install stays small, so these are extras (``pip install 'model-access-checker[bedrock]'``).
A missing one is a config error that names the install command: ``missing()`` lets a kind's
``options()`` say so at load time (without importing anything), ``require()`` imports the
module when a probe needs it and raises ``MissingExtra`` (a ``ValueError``: the runner
reports it as the check's ``config_error``) if it is absent.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType
from typing import NamedTuple

PACKAGE = "model-access-checker"


class Extra(NamedTuple):
    name: str  # the extra, as in pyproject.toml
    module: str  # the top-level module that proves it is installed
    purpose: str  # what it is needed for, in a few words

    @property
    def install(self) -> str:
        return f"pip install '{PACKAGE}[{self.name}]'"


EXTRAS: dict[str, Extra] = {
    extra.name: extra
    for extra in (
        Extra("bedrock", "botocore", "AWS credentials and SigV4 signing (botocore)"),
        Extra("vertex", "google.auth", "Google Application Default Credentials (google-auth)"),
        Extra("azure", "azure.identity", "Entra ID tokens (azure-identity)"),
    )
}


class MissingExtra(ValueError):
    """A vendor library a provider needs is not installed."""

    def __init__(self, extra: Extra) -> None:
        self.extra = extra
        super().__init__(message(extra))


def message(extra: Extra) -> str:
    return (f"{extra.purpose} is not installed: install it with {extra.install}")


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a parent package is missing, or a broken install
        return False


def missing(name: str) -> Extra | None:
    """The extra ``name`` if it is not installed (nothing is imported), else None."""
    extra = EXTRAS[name]
    return None if _installed(extra.module) else extra


def require(name: str, module: str | None = None) -> ModuleType:
    """Import ``module`` (default: the extra's own module) of extra ``name``, or raise
    ``MissingExtra`` naming the install command."""
    extra = EXTRAS[name]
    try:
        return importlib.import_module(module or extra.module)
    except ImportError:
        raise MissingExtra(extra) from None
