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
    "DEMO_BEDROCK_API_KEY": "subscribing",
}
# Variables of the AWS credential chain that would otherwise choose other credentials.
AWS_CHAIN_VARIABLES = ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ROLE_ARN",
                       "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                       "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")


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


def use_demo_aws_credentials(simulator: Simulator) -> None:
    """The AWS credential chain reads the process environment: for the demo's Bedrock
    provider, this process (only) gets test credentials the simulator verifies signatures
    with, and nothing that would pick others (a profile, a role, a metadata endpoint)."""
    for variable in AWS_CHAIN_VARIABLES:
        os.environ.pop(variable, None)
    key_id, secret = simulator.new_aws_credentials("verified")
    os.environ.update({"AWS_ACCESS_KEY_ID": key_id, "AWS_SECRET_ACCESS_KEY": secret,
                       "AWS_EC2_METADATA_DISABLED": "true"})
