"""model-access-checker: prove, before you deploy, that your keys can use the models you call."""

__version__ = "0.1.0"

from .classify import Outcome, classify  # noqa: E402
from .config import Check, Config, ConfigError, load_config  # noqa: E402
from .outcomes import OutcomeClass  # noqa: E402

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
