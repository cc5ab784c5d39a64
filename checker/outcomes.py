"""Outcome classes: the stable vocabulary of every report, exit code and doc.

The identifiers are a public contract (JUnit ``type``, JSON ``class``, ``expect:``
lists, dashboards built on them). Add classes; never rename one.
"""

from __future__ import annotations

import enum
from typing import NamedTuple


class OutcomeClass(enum.StrEnum):
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
    ACCESS_PENDING = "access_pending"

    def __str__(self) -> str:
        return self.value


class Kind(enum.StrEnum):
    """How an outcome counts, independent of what the check expected."""

    GRANTED = "granted"  # the model answered
    DENIED = "denied"  # a definite answer: this key cannot use this model here
    BROKEN = "broken"  # the check could not be set up: nothing was sent, nothing proven
    INCONCLUSIVE = "inconclusive"  # we could not find out


class Verdict(enum.StrEnum):
    """How a result counts for the gate (``policy.verdict_for`` decides)."""

    PASSED = "passed"
    FAILED = "failed"  # a definite answer that is not what the check expects, or a broken check
    INCONCLUSIVE = "inconclusive"  # we could not find out
    SKIPPED = "skipped"  # an `optional: true` check whose key is not set here

    def __str__(self) -> str:
        return self.value


class ClassInfo(NamedTuple):
    kind: Kind
    retryable: bool
    # Waiting can change the answer (verification propagates, limits reset).
    waitable: bool
    # `--allow-inconclusive` may excuse it: only what time alone can change.
    excusable: bool
    summary: str
    hint: str
    # The one line a reporter shows first: what happened ({model}, {capability}, {key},
    # {expect}, {provider} and {message}, the first clause of the result's message, filled
    # in) and what to do, short enough for a JUnit message or an annotation title.
    headline: str = ""
    action: str = ""


_VERIFY_URL = "https://platform.openai.com/settings/organization/general"

CLASS_INFO: dict[OutcomeClass, ClassInfo] = {
    OutcomeClass.OK: ClassInfo(
        Kind.GRANTED, retryable=False, waitable=False, excusable=False,
        summary="access granted", hint="Nothing to do.",
        headline="expected {expect}, but the key can use {model}",
        action="restrict the key or project (least privilege), or change expect:",
    ),
    OutcomeClass.VERIFICATION_REQUIRED: ClassInfo(
        Kind.DENIED, retryable=False, waitable=True, excusable=False,
        summary="the organization must be verified for this model or capability",
        hint=(
            f"Verify the organization at {_VERIFY_URL} (Verify Organization). Verification is per "
            f"organization: the OpenAI-Organization header (provider `organization:`) selects "
            f"which one a request bills to. Access takes up to 15 minutes to propagate; `checker "
            f"wait` re-probes until it does."
        ),
        headline="organization not verified for {model} [{capability}]",
        action="verify at platform.openai.com/settings/organization/general, allow 15 min",
    ),
    OutcomeClass.AUTH_FAILED: ClassInfo(
        Kind.DENIED, retryable=False, waitable=False, excusable=False,
        summary="the key was not accepted",
        hint=(
            "The key or token is invalid, revoked, expired or missing, or the organization header "
            "does not match it. Create a new one, check the environment variable or sign-in step "
            "it comes from, and that `organization:` is an org the key belongs to."
        ),
        headline="key {key} rejected",
        action="replace the key, or check organization:",
    ),
    OutcomeClass.PERMISSION_DENIED: ClassInfo(
        Kind.DENIED, retryable=False, waitable=False, excusable=False,
        summary="the key or project may not use this model",
        hint=(
            "The credential may not use this model: a project's model allowlist, a restricted "
            "key's scopes, an IAM policy or role, or a gateway's key settings exclude it. Allow "
            "it there (for a known vendor, a note under the check says where), or use a credential "
            "that has it."
        ),
        headline="key {key} may not use {model}",
        action="allow it in the project's model limits, or use another key",
    ),
    OutcomeClass.ACCESS_PENDING: ClassInfo(
        Kind.DENIED, retryable=False, waitable=True, excusable=False,
        summary="access to the model is being set up and not complete yet",
        hint=(
            "The account's access to this model is being set up (Bedrock: the AWS Marketplace "
            "subscription the first call starts, which takes minutes). Until it completes, calls"
            " fail: `checker wait` re-probes until it does. If it never completes, the identity "
            "needs aws-marketplace:ViewSubscriptions and aws-marketplace:Subscribe once (or an "
            "administrator subscribes the account), then allow a few minutes."
        ),
        headline="access to {model} is still being set up",
        action="wait (checker wait), or grant the Marketplace subscribe permissions once",
    ),
    OutcomeClass.ACCOUNT_DISABLED: ClassInfo(
        Kind.DENIED, retryable=False, waitable=False, excusable=False,
        summary="the account, organization or resource is deactivated or blocked",
        hint=(
            "The provider has deactivated or blocked the account or resource. Check the owner's "
            "email and the provider's help center; a new key will not help."
        ),
        headline="account, organization or resource disabled",
        action="contact the provider; a new key will not help",
    ),
    OutcomeClass.REGION_BLOCKED: ClassInfo(
        Kind.DENIED, retryable=False, waitable=False, excusable=False,
        summary="the provider does not serve the region the request came from",
        hint=(
            "Requests from this country, region or territory are refused. Run the check (and the "
            "deployment) from a supported region."
        ),
        headline="this region is not served",
        action="run from a supported region",
    ),
    OutcomeClass.QUOTA_EXHAUSTED: ClassInfo(
        Kind.DENIED, retryable=False, waitable=False, excusable=False,
        summary="no credit or quota left",
        hint=(
            "The account, project or key has no credit or quota left (billing, a budget, or a "
            "quota of zero). Add credit or raise the limit where the provider bills (for a known "
            "vendor, a note under the check says where); gateways: the key's budget. Retrying "
            "does not help."
        ),
        headline="no credit or quota left for key {key}",
        action="add credit or raise the budget",
    ),
    OutcomeClass.MODEL_NOT_FOUND: ClassInfo(
        Kind.DENIED, retryable=False, waitable=False, excusable=False,
        summary="the model or deployment does not exist at this endpoint",
        hint=(
            "Check the model name, the Azure deployment name, or that the relay routes this "
            "model. A new Azure deployment can take about 5 minutes to appear."
        ),
        headline="{model} not found at this endpoint",
        action="check the model or deployment name",
    ),
    OutcomeClass.PROBE_REJECTED: ClassInfo(
        Kind.INCONCLUSIVE, retryable=False, waitable=False, excusable=False,
        summary="the endpoint rejected the probe request itself",
        hint=(
            "The probe's parameters or endpoint do not suit this model, or the endpoint has no"
            " such path (\"Invalid URL\", \"Not Found\": check base_url's path). Set `probe:`"
            " or `params:` on the check, and report it so the catalog can learn the model."
        ),
        headline="the endpoint refused the probe for {model} (inconclusive)",
        action="set probe: or params: on the check",
    ),
    OutcomeClass.CONTENT_FILTERED: ClassInfo(
        Kind.INCONCLUSIVE, retryable=False, waitable=False, excusable=False,
        summary="the probe prompt was blocked by moderation",
        hint=(
            "A content filter blocked the probe prompt. Set a different `prompt:` on the check."
        ),
        headline="the probe prompt was blocked by moderation (inconclusive)",
        action="set another prompt: on the check",
    ),
    OutcomeClass.RATE_LIMITED: ClassInfo(
        Kind.INCONCLUSIVE, retryable=True, waitable=True, excusable=True,
        summary="rate limited",
        hint=(
            "The key hit a rate limit (not a quota). Lower --concurrency, raise --retries, or run"
            " the check when traffic is lower."
        ),
        headline="rate limited (inconclusive)",
        action="rerun later, or lower --concurrency",
    ),
    OutcomeClass.SERVER_ERROR: ClassInfo(
        Kind.INCONCLUSIVE, retryable=True, waitable=True, excusable=True,
        summary="the provider or relay failed",
        hint=(
            "The provider, relay or an edge proxy failed. Retry later; check the provider's "
            "status page."
        ),
        headline="the provider or relay failed (inconclusive)",
        action="rerun later; check its status page",
    ),
    OutcomeClass.TIMEOUT: ClassInfo(
        Kind.INCONCLUSIVE, retryable=True, waitable=True, excusable=True,
        summary="no answer in time",
        hint=(
            "No answer within the timeout. Raise `timeout:` or --timeout, or check the network "
            "path to the endpoint."
        ),
        headline="no answer in time (inconclusive)",
        action="raise timeout:, or check the network path",
    ),
    OutcomeClass.NETWORK_ERROR: ClassInfo(
        Kind.INCONCLUSIVE, retryable=True, waitable=True, excusable=True,
        summary="could not connect",
        hint=(
            "DNS, connection or TLS failure. Check base_url, proxies, firewall and `ca_bundle:`."
        ),
        headline="could not connect (inconclusive)",
        action="check base_url, proxy, firewall and CA",
    ),
    OutcomeClass.UNEXPECTED_RESPONSE: ClassInfo(
        Kind.INCONCLUSIVE, retryable=False, waitable=False, excusable=False,
        summary="the answer is not an API response",
        hint=(
            "A redirect, an HTML page or a body of no known shape came back: base_url probably "
            "points at a web page, a login or bot wall, or the wrong path (does it end in /v1?)."
        ),
        headline="the answer is not an API answer (inconclusive)",
        action="check base_url (a login page? /v1 missing?)",
    ),
    OutcomeClass.UNKNOWN: ClassInfo(
        Kind.INCONCLUSIVE, retryable=False, waitable=False, excusable=False,
        summary="an error checker cannot name",
        hint=(
            "Read the status and the provider's message below. checker cannot name this "
            "answer yet: please report the body (with the key removed) so a classification "
            "rule can be added."
        ),
        headline="an answer checker cannot name (inconclusive)",
        action="read the message; report the body to checker",
    ),
    OutcomeClass.CONFIG_ERROR: ClassInfo(
        Kind.BROKEN, retryable=False, waitable=False, excusable=False,
        summary="the check could not be set up",
        hint=(
            "Fix the configuration named in the message (for example, export the key's "
            "environment variable)."
        ),
        headline="key {key} is not set",
        action="export it or map the CI secret, or mark the check optional",
    ),
    OutcomeClass.TIER_TOO_LOW: ClassInfo(
        Kind.DENIED, retryable=False, waitable=False, excusable=False,
        summary="the key's rate limits are below the check's minimum",
        hint=(
            "The key's usage tier allows fewer requests or tokens per minute than "
            "`min_rpm`/`min_tpm` require. Raise the tier (OpenAI tiers grow with spend), ask for "
            "a limit increase, or use another key."
        ),
        headline="the rate limits of key {key} are below the minimum",
        action="raise the tier, or use another key",
    ),
    OutcomeClass.INTERRUPTED: ClassInfo(
        Kind.INCONCLUSIVE, retryable=False, waitable=True, excusable=True,
        summary="not finished: the run was stopped",
        hint=(
            "The run was cancelled or hit --deadline before this check finished. Run it again."
        ),
        headline="{message} (inconclusive)",
        action="rerun; raise --deadline if it ran out",
    ),
}


def unverified_note(model: str) -> str:
    """Said beside a ``model_not_found`` for a model OpenAI gates: an organization that is
    not verified, or whose verification has not propagated, is told the model does not
    exist (pal-mcp-server#144, continuedev/continue#5251)."""
    return (f"OpenAI also answers this for {model} to an organization that is not verified, "
            f"or whose verification has not propagated yet: if the name is right, "
            f"{CLASS_INFO[OutcomeClass.VERIFICATION_REQUIRED].action}")


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
