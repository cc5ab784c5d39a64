"""The classification table: one row per kind of answer, each backed by a real body.

``RULES`` is read top to bottom and the first row whose conditions all hold decides.
Order matters where real bodies overlap: the text-model verification gate and the project
allowlist both use ``code: model_not_found``, quota arrives as a 429, a budget error has
``type: auth_error``. Status codes are consulted only together with text, or in the last
few "status fallback" rows when nothing in the body is recognisable. A provider kind with
an error format of its own adds its rows in front (``classify.Dialect.rules``).

To teach checker a new body: add a row (above any broader row it overlaps) and the real
body in ``tests/test_classify.py`` ``RULE_SAMPLES``.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .facts import Facts
from .outcomes import OutcomeClass


class Rule(NamedTuple):
    """One row of the classification table: every given condition must hold."""

    name: str
    cls: OutcomeClass
    text: str | None = None  # regex searched in the lower-cased haystack
    codes: frozenset[str] = frozenset()  # any of these `code` values
    types: frozenset[str] = frozenset()  # any of these `type` values
    params: frozenset[str] = frozenset()  # any of these `param` values
    statuses: frozenset[int] = frozenset()  # any of these HTTP statuses
    min_status: int | None = None
    shapes: frozenset[str] = frozenset()  # any of these body shapes

    def matches(self, status: int | None, facts: Facts) -> bool:
        if self.text is not None and not re.search(self.text, facts.text):
            return False
        if self.codes and not self.codes & facts.codes:
            return False
        if self.types and not self.types & facts.types:
            return False
        if self.params and not self.params & facts.params:
            return False
        if self.statuses and status not in self.statuses:
            return False
        if self.min_status is not None and (status is None or status < self.min_status):
            return False
        return not (self.shapes and facts.shape not in self.shapes)


def _set(*values: str) -> frozenset[str]:
    return frozenset(values)


C = OutcomeClass

RULES: tuple[Rule, ...] = (
    # --- Organization Verification: 403 images, 404 text models (code model_not_found),
    # 400 param stream / reasoning.summary (code unsupported_value), also inside relays.
    Rule("verification-gate", C.VERIFICATION_REQUIRED, text=r"organi[sz]ation must be verified"),
    # --- Region
    Rule("region-code", C.REGION_BLOCKED, codes=_set("unsupported_country_region_territory")),
    Rule("region-text", C.REGION_BLOCKED,
         text=r"country, region,? or territory not supported"),
    # --- Rate limit phrased with the word "quota": must win over the quota rows below.
    Rule("concurrency-limit", C.RATE_LIMITED,
         text=r"limit of concurrent requests|too many concurrent requests"),
    # --- Quota and billing (429 insufficient_quota is NOT a rate limit)
    Rule("quota-code", C.QUOTA_EXHAUSTED,
         codes=_set("insufficient_quota", "billing_hard_limit_reached", "insufficient_user_quota",
                    "credit_balance_exhausted", "quota_exceeded", "billing_not_active")),
    Rule("quota-type", C.QUOTA_EXHAUSTED, types=_set("insufficient_quota")),
    Rule("quota-text", C.QUOTA_EXHAUSTED,
         text=r"exceeded your current quota|billing hard limit|budget has been exceeded"
              r"|insufficient (balance|credits?|funds)|quota is not enough|requires more credits"
              r"|key limit exceeded|credit balance is too low|out of credits|额度已用尽"
              r"|account is not active.{0,40}billing|check your billing details"
              r"|exceeded (the|your) (monthly )?budget|余额不足|额度不足"),
    Rule("payment-required", C.QUOTA_EXHAUSTED, statuses=frozenset({402})),
    # --- Account, organization or resource disabled
    Rule("account-deactivated-code", C.ACCOUNT_DISABLED,
         codes=_set("account_deactivated", "organization_deactivated", "account_disabled")),
    Rule("access-terminated-type", C.ACCOUNT_DISABLED, types=_set("access_terminated")),
    Rule("account-disabled-text", C.ACCOUNT_DISABLED,
         text=r"deactivated account|account (has been |was )?(deactivated|disabled|suspended)"
              r"|access was terminated|organization has been (disabled|deactivated|restricted)"
              r"|resource has been (temporarily )?blocked|account (is|has been) restricted"),
    # --- Permission: project allowlist (code model_not_found + 403), gateway key
    # restrictions, restricted-key scopes. Must come before the
    # model_not_found rows, and before auth: a gateway denial carries code "401".
    Rule("project-allowlist", C.PERMISSION_DENIED,
         text=r"project `?[\w-]+`? does not have access to model"),
    Rule("key-model-restriction", C.PERMISSION_DENIED,
         text=r"key not allowed to access model|not allowed to (use|access) (this )?model"
              r"|not allowed to sample from this model"),
    Rule("key-model-restriction-type", C.PERMISSION_DENIED,
         types=_set("key_model_access_denied", "permission_error")),
    Rule("missing-scopes", C.PERMISSION_DENIED,
         text=r"insufficient permissions|missing scopes|permission[_ ]?denied"
              r"|do(es)? not have permission"),
    # --- Authentication (after quota: a gateway budget error carries type auth_error)
    Rule("auth-code", C.AUTH_FAILED,
         codes=_set("invalid_api_key", "mismatched_organization", "no_organization",
                    "invalid_organization", "missing_api_key", "unauthorized", "401")),
    Rule("auth-type", C.AUTH_FAILED,
         types=_set("token_not_found_in_db", "authentication_error", "auth_error")),
    Rule("auth-text", C.AUTH_FAILED,
         text=r"incorrect api key|invalid api key|invalid x-api-key|no (cookie )?auth credentials"
              r"|missing bearer|didn't provide an api key|invalid proxy server token"
              r"|organization header should match|must be a member of an organization"
              r"|no such organization|invalid authentication|invalid subscription key"
              r"|api key (is )?(invalid|expired|revoked|not valid)|api key not valid"
              r"|token has been invalidated|do not have access to the organization"
              r"|user not found|invalid token|无效的令牌|令牌无效|未提供令牌"),
    # --- Moderation
    Rule("moderation-code", C.CONTENT_FILTERED, codes=_set("content_filter", "moderation_blocked",
                                                           "content_policy_violation")),
    Rule("moderation-text", C.CONTENT_FILTERED,
         text=r"rejected by the safety system|rejected as a result of our safety system"
              r"|content management policy"
              r"|flagged by (our|the) moderation"),
    # --- Model or deployment missing (also relays with "no available channel")
    Rule("model-not-found-code", C.MODEL_NOT_FOUND,
         codes=_set("model_not_found", "deploymentnotfound", "model_not_available",
                    "model_decommissioned")),
    Rule("model-not-found-type", C.MODEL_NOT_FOUND, types=_set("not_found_error"),
         text=r"model"),
    Rule("model-not-found-text", C.MODEL_NOT_FOUND,
         text=r"model `?[^`\s]*`? does not exist|requested model .{0,80} does not exist"
              r"|deployment for this resource does not exist|no such model|model not found"
              r"|unknown model|invalid model|is not a valid model id|has been decommissioned"
              r"|no endpoints found|no allowed providers are available"
              r"|无可用渠道|no available (channel|distributor)"),
    # --- The probe itself was refused (parameter or endpoint does not suit the model)
    Rule("probe-param-code", C.PROBE_REJECTED,
         codes=_set("unknown_parameter", "unsupported_parameter", "unsupported_value",
                    "invalid_value", "operationnotsupported", "invalid_request_body")),
    Rule("probe-param-text", C.PROBE_REJECTED,
         text=r"unknown parameter|unsupported parameter|unsupported value|invalid value:"
              r"|operation does not work with the specified model"
              r"|not supported (with|by) this model|only supported .{0,40}(v1/responses|endpoint)"
              r"|is not a chat model|maximum context length"),
    Rule("request-too-large", C.PROBE_REJECTED, text=r"request too large"),
    # --- Rate limits
    Rule("rate-limit-code", C.RATE_LIMITED,
         codes=_set("rate_limit_exceeded", "ratelimitexceeded", "too_many_requests")),
    Rule("rate-limit-type", C.RATE_LIMITED, types=_set("rate_limit_error", "requests", "tokens")),
    Rule("rate-limit-text", C.RATE_LIMITED,
         text=r"rate limit|exceeded token rate limit|too many requests|please retry after"
              r"|slow down"),
    # --- Provider, relay or edge failure
    Rule("server-type", C.SERVER_ERROR,
         types=_set("server_error", "service_unavailable_error", "cf_bad_gateway",
                    "overloaded_error", "api_error")),
    Rule("server-code", C.SERVER_ERROR, codes=_set("server_is_overloaded", "server_error",
                                                  "service_unavailable", "internal_error",
                                                  "internalservererror")),
    Rule("server-text", C.SERVER_ERROR,
         text=r"server had an error|currently overloaded|servers are currently overloaded"
              r"|bad gateway|service (temporarily )?unavailable|gateway time-?out"
              r"|internal server error|upstream (connect )?error"),
    # --- Bot walls, login pages, HTML where an API answer belongs
    Rule("invalid-url", C.UNEXPECTED_RESPONSE, text=r"\binvalid url \((get|post) "),
    Rule("bot-wall", C.UNEXPECTED_RESPONSE,
         text=r"enable cookies|attention required|just a moment\.\.\.|cf-chl|captcha"),
    Rule("html-5xx", C.SERVER_ERROR, shapes=_set("html"), min_status=500),
    Rule("html-page", C.UNEXPECTED_RESPONSE, shapes=_set("html")),
    # --- Status fallbacks: only reached when nothing in the body was recognised.
    Rule("status-401", C.AUTH_FAILED, statuses=frozenset({401})),
    Rule("status-429", C.RATE_LIMITED, statuses=frozenset({429})),
    Rule("status-5xx", C.SERVER_ERROR, min_status=500),
)
