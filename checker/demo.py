"""`checker demo`: the whole product against the built-in simulator, no key needed."""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib import resources

from .simulator import Simulator

# The demo writes its config here, in the working directory, next to its report: the
# report's file= and the annotations point at a file that exists.
DEMO_CONFIG = "checker-demo.yml"

DEMO_KEYS: Mapping[str, str] = {
    "DEMO_VERIFIED_KEY": "verified",
    "DEMO_UNVERIFIED_KEY": "unverified",
    "DEMO_RELAY_KEY": "relay-openrouter",
    "DEMO_REVOKED_KEY": "revoked",
    "DEMO_NO_CREDIT_KEY": "no-credit",
    "DEMO_RESTRICTED_KEY": "project-restricted",
    "DEMO_RATE_LIMITED_KEY": "rate-limited",
    "DEMO_FLAKY_KEY": "flaky",
    "DEMO_STAGING_KEY": "project-restricted",
    "DEMO_ANTHROPIC_KEY": "verified",
    "DEMO_ANTHROPIC_NO_CREDIT_KEY": "no-credit",
    "DEMO_GEMINI_KEY": "verified",
    "DEMO_GEMINI_REGION_KEY": "region",
    "DEMO_OPENROUTER_KEY": "verified",
}


def demo_config_text() -> str:
    return resources.files("checker").joinpath("data/demo.yml").read_text(encoding="utf-8")


def demo_environment(simulator: Simulator) -> dict[str, str]:
    """The process environment plus the demo's URL and freshly made keys."""
    environ = dict(os.environ)
    environ["CHECKER_DEMO_URL"] = simulator.url
    environ["CHECKER_DEMO_ORIGIN"] = simulator.origin  # native APIs add their own paths
    for variable, scenario in DEMO_KEYS.items():
        environ[variable] = simulator.new_key(scenario)
    return environ
