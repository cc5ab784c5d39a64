"""Outcome classes: the stable vocabulary of every report, exit code and doc.

The identifiers are a public contract (JUnit ``type``, JSON ``class``, ``expect:``
lists, dashboards built on them). Add classes; never rename one.
"""

from __future__ import annotations

import enum
from typing import NamedTuple


class OutcomeClass(str, enum.Enum):
    OK = "ok"
    VERIFICATION_REQUIRED = "verification_required"
    AUTH_FAILED = "auth_failed"
    PERMISSION_DENIED = "permission_denied"
    ACCOUNT_DISABLED = "account_disabled"
    REGION_BLOCKED = "region_blocked"
    QUOTA_EXHAUSTED = "quota_exhausted"
    MODEL_NOT_FOUND = "model_not_found"
    PROBE_REJECTED = "probe_rejected"
    CONTENT_FILTERED = "content_filtered"
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"
    TIMEOUT = "timeout"
    NETWORK_ERROR = "network_error"
    UNEXPECTED_RESPONSE = "unexpected_response"
    UNKNOWN = "unknown"
    CONFIG_ERROR = "config_error"
    INTERRUPTED = "interrupted"
    TIER_TOO_LOW = "tier_too_low"

    def __str__(self) -> str:
        return self.value


class Kind(str, enum.Enum):
    """How an outcome counts, independent of what the check expected."""

    GRANTED = "granted"  # the model answered
    DENIED = "denied"  # a definite answer: this key cannot use this model here
    INCONCLUSIVE = "inconclusive"  # we could not find out


class ClassInfo(NamedTuple):
    kind: Kind
    retryable: bool
    # Waiting can change the answer (verification propagates, limits reset).
    waitable: bool
    summary: str
    hint: str


_VERIFY_URL = "https://platform.openai.com/settings/organization/general"

CLASS_INFO: dict[OutcomeClass, ClassInfo] = {
    OutcomeClass.OK: ClassInfo(
        Kind.GRANTED, False, False, "access granted", "Nothing to do."
    ),
    OutcomeClass.VERIFICATION_REQUIRED: ClassInfo(
        Kind.DENIED,
        False,
        True,
        "the organization must be verified for this model or capability",
        f"Verify the organization at {_VERIFY_URL} (Verify Organization). Verification is per "
        "organization: the OpenAI-Organization header (provider `organization:`) selects which "
        "one a request bills to. Access takes up to 15 minutes to propagate; "
        "`checker wait` re-probes until it does.",
    ),
    OutcomeClass.AUTH_FAILED: ClassInfo(
        Kind.DENIED,
        False,
        False,
        "the key was not accepted",
        "The key is invalid, revoked or missing, or the organization header does not match it. "
        "Create a new key, check the environment variable it comes from, and that "
        "`organization:` is an org the key belongs to.",
    ),
    OutcomeClass.PERMISSION_DENIED: ClassInfo(
        Kind.DENIED,
        False,
        False,
        "the key or project may not use this model",
        "The project's model allowlist, a restricted key's scopes or a gateway key restriction "
        "excludes this model. Allow it in the project's limits (platform.openai.com → Project "
        "→ Limits) or the gateway's key settings, or use a key that has it.",
    ),
    OutcomeClass.ACCOUNT_DISABLED: ClassInfo(
        Kind.DENIED,
        False,
        False,
        "the account, organization or resource is deactivated or blocked",
        "The provider has deactivated or blocked the account or resource. Check the owner's "
        "email and the provider's help center; a new key will not help.",
    ),
    OutcomeClass.REGION_BLOCKED: ClassInfo(
        Kind.DENIED,
        False,
        False,
        "the provider does not serve the region the request came from",
        "Requests from this country, region or territory are refused. Run the check (and the "
        "deployment) from a supported region.",
    ),
    OutcomeClass.QUOTA_EXHAUSTED: ClassInfo(
        Kind.DENIED,
        False,
        False,
        "no credit or quota left",
        "Add credit or raise the billing or budget limit (OpenAI: Settings → Billing; gateways: "
        "the key's budget). Retrying does not help.",
    ),
    OutcomeClass.MODEL_NOT_FOUND: ClassInfo(
        Kind.DENIED,
        False,
        False,
        "the model or deployment does not exist at this endpoint",
        "Check the model name, the Azure deployment name, or that the relay routes this model. "
        "A new Azure deployment can take about 5 minutes to appear.",
    ),
    OutcomeClass.PROBE_REJECTED: ClassInfo(
        Kind.INCONCLUSIVE,
        False,
        False,
        "the endpoint rejected the probe request itself",
        "The probe's parameters or endpoint do not suit this model. Set `probe:` or `params:` "
        "on the check, and report it so the catalog can learn the model.",
    ),
    OutcomeClass.CONTENT_FILTERED: ClassInfo(
        Kind.INCONCLUSIVE,
        False,
        False,
        "the probe prompt was blocked by moderation",
        "A content filter blocked the probe prompt. Set a different `prompt:` on the check.",
    ),
    OutcomeClass.RATE_LIMITED: ClassInfo(
        Kind.INCONCLUSIVE,
        True,
        True,
        "rate limited",
        "The key hit a rate limit (not a quota). Lower --concurrency, raise --retries, or run "
        "the check when traffic is lower.",
    ),
    OutcomeClass.SERVER_ERROR: ClassInfo(
        Kind.INCONCLUSIVE,
        True,
        True,
        "the provider or relay failed",
        "The provider, relay or an edge proxy failed. Retry later; check the provider's status "
        "page.",
    ),
    OutcomeClass.TIMEOUT: ClassInfo(
        Kind.INCONCLUSIVE,
        True,
        True,
        "no answer in time",
        "No answer within the timeout. Raise `timeout:` or --timeout, or check the network path "
        "to the endpoint.",
    ),
    OutcomeClass.NETWORK_ERROR: ClassInfo(
        Kind.INCONCLUSIVE,
        True,
        True,
        "could not connect",
        "DNS, connection or TLS failure. Check base_url, proxies, firewall and `ca_bundle:`.",
    ),
    OutcomeClass.UNEXPECTED_RESPONSE: ClassInfo(
        Kind.INCONCLUSIVE,
        False,
        False,
        "the answer is not an API response",
        "A redirect, an HTML page or a body of no known shape came back: base_url probably "
        "points at a web page, a login or bot wall, or the wrong path (does it end in /v1?).",
    ),
    OutcomeClass.UNKNOWN: ClassInfo(
        Kind.INCONCLUSIVE,
        False,
        False,
        "an error checker cannot name",
        "Read the status and excerpt below; `checker diagnose` explains a body. Please report "
        "it so a classification rule can be added.",
    ),
    OutcomeClass.CONFIG_ERROR: ClassInfo(
        Kind.INCONCLUSIVE,
        False,
        False,
        "the check could not be set up",
        "Fix the configuration named in the message (for example, export the key's "
        "environment variable).",
    ),
    OutcomeClass.TIER_TOO_LOW: ClassInfo(
        Kind.DENIED,
        False,
        False,
        "the key's rate limits are below the check's minimum",
        "The key's usage tier allows fewer requests or tokens per minute than `min_rpm`/"
        "`min_tpm` require. Raise the tier (OpenAI tiers grow with spend), ask for a limit "
        "increase, or use another key.",
    ),
    OutcomeClass.INTERRUPTED: ClassInfo(
        Kind.INCONCLUSIVE,
        False,
        True,
        "not finished: the run was stopped",
        "The run was cancelled or hit --deadline before this check finished. Run it again.",
    ),
}


def info(cls: OutcomeClass) -> ClassInfo:
    return CLASS_INFO[cls]


# `expect: denied` accepts any of these: a least-privilege audit.
DENIED_CLASSES: frozenset[OutcomeClass] = frozenset(
    {
        OutcomeClass.PERMISSION_DENIED,
        OutcomeClass.MODEL_NOT_FOUND,
        OutcomeClass.VERIFICATION_REQUIRED,
    }
)
