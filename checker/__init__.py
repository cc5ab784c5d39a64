"""model-access-checker: prove, before you deploy, that your keys can use the models you call."""

from __future__ import annotations

import sys
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# The public names load on first use, so `checker --version` and `checker validate`
# (pre-commit hooks) do not pay for the classifier and the rest at start-up.
_EXPORTS = {
    "Check": "config",
    "Config": "config",
    "ConfigError": "config",
    "load_config": "config",
    "Outcome": "classify",
    "classify": "classify",
    "OutcomeClass": "outcomes",
}

if TYPE_CHECKING:
    from .classify import Outcome, classify
    from .config import Check, Config, ConfigError, load_config
    from .outcomes import OutcomeClass


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'checker' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


class _Package(ModuleType):
    """Keeps ``checker.classify`` the function, as an eager import made it: importing the
    submodule ``checker.classify`` would otherwise rebind the package attribute to it."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "classify" and isinstance(value, ModuleType):
            value = value.classify
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

__all__ = [
    "Check",
    "Config",
    "ConfigError",
    "Outcome",
    "OutcomeClass",
    "__version__",
    "classify",
    "load_config",
]
