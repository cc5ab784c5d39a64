"""The classification tables: one row per kind of answer, each backed by a real body.

``RULES`` is read top to bottom and the first row whose conditions all hold decides.
Its groups run from the most specific evidence to the least:

1. rows that name one cause, grouped by the class they decide, definite classes first
   (verification, region, quota, account, permission, auth, moderation, missing model,
   refused probe), then the transient ones (rate limits and relay cooldowns, timeouts,
   server errors);
2. broad evidence that only says which family of refusal: Google's ``PERMISSION_DENIED``
   and ``UNAUTHENTICATED``, the phrase "permission denied" (Google answers so also for a
   suspended consumer or a leaked key, which rows above name);
3. "the request was invalid" with no more said: ``probe_rejected``;
4. pages (bot walls, login pages, HTML error pages);
5. status fallbacks, only reached when nothing in the body was recognised.

Evidence is structured (``codes``, ``types``, ``params``, Google ``rpc_statuses``,
ErrorInfo ``reasons`` and ``quota_limits``, AWS/SDK ``exceptions``) or a phrase (``text``,
a pattern over the lower-cased body with curly quotes straightened). A row that could
match on the status alone, or on a label a relay puts on every answer of a status
(``STATUS_LABELS``: LiteLLM's ``permission_error`` on every 403), decides only an
inconclusive class: ``tests/test_classify.py`` enforces it. LiteLLM's exception names that
are its own reading of the upstream body (``UnsupportedParamsError``,
``ContextWindowExceededError``, ``ContentPolicyViolationError``, ``BudgetExceededError``) are
no such label and decide like the upstream's words; ``RateLimitError``, ``NotFoundError`` and
the like only restate the status. Within a class, structured rows come before phrases; a broad
row comes after every narrower row it overlaps.

``CLIENT_RULES`` read text a client printed when no HTTP answer arrived (`checker
diagnose`): timeouts, connection, proxy and TLS failures, a page where JSON was expected,
decided by error names and codes (errno names, undici's and axios' codes, curl's exit codes,
Java's and .NET's exception names) or the stable part of one client's print.

A provider kind with an error format of its own adds its rows in front
(``classify.Dialect.rules``). To teach checker a new body: add a row (above any broader
row it overlaps) and the real body in ``tests/test_classify.py`` ``RULE_SAMPLES``.
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
    rpc_statuses: frozenset[str] = frozenset()  # any of these Google status names
    reasons: frozenset[str] = frozenset()  # any of these Google ErrorInfo reasons
    exceptions: frozenset[str] = frozenset()  # any of these error names (lower case)
    quota_limits: frozenset[str] = frozenset()  # any of these Google quota windows
    statuses: frozenset[int | None] = frozenset()  # any of these HTTP statuses (None: unknown)
    min_status: int | None = None
    shapes: frozenset[str] = frozenset()  # any of these body shapes

    def matches(self, status: int | None, facts: Facts) -> bool:
        # The cheap set checks first; the pattern only when they all hold.
        if self.statuses and status not in self.statuses:
            return False
        if self.min_status is not None and (status is None or status < self.min_status):
            return False
        for wanted, seen in ((self.codes, facts.codes), (self.types, facts.types),
                             (self.params, facts.params),
                             (self.rpc_statuses, facts.rpc_statuses),
                             (self.reasons, facts.reasons),
                             (self.exceptions, facts.exceptions),
                             (self.quota_limits, facts.quota_limits)):
            if wanted and not wanted & seen:
                return False
        if self.shapes and facts.shape not in self.shapes:
            return False
        return self.text is None or re.search(self.text, facts.text) is not None

    @property
    def phrase_only(self) -> bool:
        """True when only a phrase (no code, type, status name or other field) decides."""
        return self.text is not None and not (
            self.codes or self.types or self.params or self.rpc_statuses or self.reasons
            or self.exceptions or self.quota_limits)

    @property
    def needs_body_evidence(self) -> bool:
        """False when the row can match on the status, the shape or a relay's generic label
        alone: such a row may only decide an inconclusive class."""
        if (self.text is not None or self.params or self.rpc_statuses or self.reasons
                or self.exceptions or self.quota_limits):
            return True
        return any(wanted and not wanted & STATUS_LABELS for wanted in (self.codes, self.types))


def _set(*values: str) -> frozenset[str]:
    return frozenset(values)


# Labels that say no more than the status: what a relay writes on every answer of one
# status (LiteLLM's `permission_error` on every 403, `throttling_error` on every 429,
# `auth_error` on its own 401s and budget errors alike, the status itself as `code`), and
# the status's reason phrase used as a code or type.
STATUS_LABELS = _set(
    "permission_error", "throttling_error", "auth_error", "forbidden", "unauthorized",
    "not_found", "bad_request", "badrequest", "payment_required", "too_many_requests",
    "400", "401", "402", "403", "404", "408", "413", "422", "429", "500", "502", "503", "504",
)

C = OutcomeClass

# A JSON parser that met something else (an HTML page, a stray word): Go's encoding/json,
# V8's JSON.parse. A client prints it when no answer was usable; a relay answers with it when
# its upstream's answer was not JSON.
_PARSER_REFUSED_A_PAGE = (r"invalid character '.{1,4}' looking for beginning of value"
                          r"|unexpected token '?<|is not valid json"
                          r"|is an invalid start of a value")

# A part of a request (a named parameter, a field, a JSON path into the body, the API asked
# for) and a word that refuses it, within one clause, in either order.
_REQUEST_PART = (r"(?:\b(?:param(?:eter)?s?|arguments?|fields?|inputs?|values?|propert(?:y|ies)"
                 r"|schema|request body|format|headers?|endpoint|prompt|configuration"
                 r"|(?:max|maximum) (?:output )?tokens)\b"
                 r"|\b(?:max|min|top)_[a-z_]{1,30}|[`'\"][a-z]{1,30}_[a-z_]{1,40}[`'\"]"
                 r"|\b(?:temperature|tool_choice|stream_options"
                 r"|response_format|reasoning_effort)\b"
                 r"|\b[a-z_]{2,40}(?:\.\d{1,4}\.|\[\d{1,4}\]\.)[a-z_]{2,40}"
                 r"(?:\.[a-z_0-9]{1,40}){0,20}"
                 r"|\b[a-z_]{2,40}\[\d{1,4}\]"
                 r"|[`'\"\\][a-z_]{1,40}(?:\.[a-z_]{1,40}){1,6}(?<!\.com)(?<!\.net)(?<!\.org)"
                 r"(?<!\.ai)(?<!\.io)(?<!\.cn)\\{0,8}[`'\"]"
                 r"|\bcontent (?:elements?|blocks?|parts?)\b|\b(?:beta )?flags?\b|\bparts\b)")
_REFUSING = (r"(?:\b(?:invalid|unknown|unsupported|not supported|not permitted"
             r"|not allowed|required|missing|must|should|cannot(?! read)|can't|exceeds?|malformed"
             r"|not recogni[sz]ed|unrecogni[sz]ed|not valid|too (?:long|large|many|big)"
             r"|bad|illegal|deprecated|(?:greater|less|more|fewer|larger|smaller) than)\b"
             r"|[<>]=? ?\d)")
_CLAUSE = r"(?:[^.;\n]|\.(?=\S))"  # a full stop ends it, not the one in "llama-3.1"
_REQUEST_PART_REFUSED = (rf"{_REQUEST_PART}{_CLAUSE}{{0,60}}{_REFUSING}"
                         rf"|{_REFUSING}{_CLAUSE}{{0,60}}{_REQUEST_PART}"
                         r"|参数(?:有误|错误|不合法|无效|缺失)"
                         rf"|\bunexpected {_REQUEST_PART}")

RULES: tuple[Rule, ...] = (
    # === 1. One named cause =====================================================================
    # --- Organization Verification: 403 images, 404 text models (code model_not_found),
    # 400 param stream / reasoning.summary (code unsupported_value), also inside relays.
    # First: its bodies carry the codes of the allowlist and missing-model rows below.
    Rule("verification-gate", C.VERIFICATION_REQUIRED, text=r"organi[sz]ation must be verified"),
    # --- Region: the caller's location. Before permission and probe rows: Google says it
    # with FAILED_PRECONDITION, OpenAI with 403 request_forbidden.
    Rule("region-code", C.REGION_BLOCKED, codes=_set("unsupported_country_region_territory")),
    Rule("region-text", C.REGION_BLOCKED,
         text=r"country, region,? or territory not supported"),
    Rule("region-user-location", C.REGION_BLOCKED,
         text=r"user location is not supported|not available in your (country|region)"
              r"|unsupported (country|region)"),
    # --- Google quotas name their window (QuotaFailure quotaId, "Quota exceeded for … and
    # limit '…'"): a quota of zero or a daily one stays spent until it resets or is raised; a
    # per-minute one is a rate limit. Before the quota and rate rows: Google says "You
    # exceeded your current quota" and RESOURCE_EXHAUSTED for all of them.
    Rule("google-quota-spent", C.QUOTA_EXHAUSTED, quota_limits=_set("zero", "day")),
    Rule("google-quota-per-minute", C.RATE_LIMITED, quota_limits=_set("minute")),
    # --- Rate limit phrased with the word "quota": must win over the quota rows below.
    Rule("concurrency-limit", C.RATE_LIMITED,
         text=r"limit of concurrent requests|too many concurrent requests"),
    # --- Quota and billing (429 insufficient_quota is NOT a rate limit; a gateway budget
    # error carries type auth_error and status 400; a relay's exhausted budget says "No
    # deployments available", like its cooldown further down).
    Rule("quota-code", C.QUOTA_EXHAUSTED,
         codes=_set("insufficient_quota", "billing_hard_limit_reached", "insufficient_user_quota",
                    "credit_balance_exhausted", "quota_exceeded", "billing_not_active")),
    Rule("quota-type", C.QUOTA_EXHAUSTED,
         types=_set("insufficient_quota", "usage_limit_reached", "exceeded_current_quota_error")),
    Rule("quota-text", C.QUOTA_EXHAUSTED,
         text=r"exceeded (?:your )?current quota|billing hard limit|budget has been exceeded"
              r"|insufficient (account )?(balance|credits?|funds)|quota is not enough"
              r"|requires more credits|(requires|need) (a )?paid balance|balance is insufficient"
              r"|key limit exceeded|credit balance is too low|out of credits|额度已用尽"
              r"|account is not active.{0,40}billing|check your billing details"
              r"|exceeded (the |your )?(monthly )?budget|crossed budget|余额不足|额度不足"
              r"|used all available credits|spending limit|no credits remaining"
              r"|(?:don't|doesn't|do not|does not) have (?:any |enough )?credits"
              r"|reached your specified api usage limits|usage limit has been reached"
              r"|budgetexceedederror|账户已欠费|请充值"
              r"|(?:doesn't|does not) have a free quota tier"
              r"|(?:daily|per[- ]day|monthly) [\w ]{0,30}(?:limit|quota)"
              r" (?:has been |was |is )?(?:reached|exceeded|exhausted)"),
    # --- Account, organization, project or key suspended
    Rule("account-deactivated-code", C.ACCOUNT_DISABLED,
         codes=_set("account_deactivated", "organization_deactivated", "account_disabled")),
    Rule("access-terminated-type", C.ACCOUNT_DISABLED, types=_set("access_terminated")),
    Rule("account-suspended-reason", C.ACCOUNT_DISABLED,
         reasons=_set("CONSUMER_SUSPENDED", "GCP_SUSPENDED")),
    Rule("account-disabled-text", C.ACCOUNT_DISABLED,
         text=r"deactivated account|account (has been |was )?(deactivated|disabled|suspended)"
              r"|access was terminated|organization has been (disabled|deactivated|restricted)"
              r"|resource has been (temporarily )?blocked|account (is|has been) restricted"
              r"|consumer .{0,120}has been suspended|project has been denied access"
              r"|has been disabled in this account|violation of terms of service"
              r"|deleted or deactivated"),
    # --- Permission: an identity, project or key not allowed this model or operation.
    # Before auth: a gateway's model restriction carries code "401".
    Rule("project-allowlist", C.PERMISSION_DENIED,
         text=r"project [^\n]{1,80}? does not have access to model"),
    Rule("key-model-restriction-type", C.PERMISSION_DENIED, types=_set("key_model_access_denied")),
    Rule("key-model-restriction", C.PERMISSION_DENIED,
         text=r"key not allowed to access model"
              r"|not (?:allowed|authori[sz]ed|permitted) to (?:use|access|sample from"
              r"|generate [a-z]{1,20} from) (?:this |the |publisher )?model"),
    # Codes a service sets itself, not a relay's label: Azure's RBAC refusal, OpenAI's
    # restricted key.
    Rule("permission-code", C.PERMISSION_DENIED, codes=_set("permissiondenied", "missing_scope")),
    # AWS answers every identity, policy and model-access refusal with this name.
    Rule("permission-exception", C.PERMISSION_DENIED, exceptions=_set("accessdeniedexception")),
    Rule("permission-reason", C.PERMISSION_DENIED,
         reasons=_set("SERVICE_DISABLED", "API_KEY_SERVICE_BLOCKED",
                      "API_KEY_HTTP_REFERRER_BLOCKED", "API_KEY_IP_ADDRESS_BLOCKED",
                      "API_KEY_ANDROID_APP_BLOCKED", "API_KEY_IOS_APP_BLOCKED",
                      "ACCESS_TOKEN_SCOPE_INSUFFICIENT", "IAM_PERMISSION_DENIED",
                      "USER_PROJECT_DENIED")),
    Rule("azure-rbac-text", C.PERMISSION_DENIED,
         text=r"lacks the required data action|principal does not have access"),
    # Azure: the resource admits only some networks (firewall rules, a private endpoint).
    Rule("azure-network-acl", C.PERMISSION_DENIED,
         text=r"denied due to virtual network|virtual network is configured for this resource"
              r"|public (?:network )?access is disabled"),
    # A gateway that lets this key call some routes only (LiteLLM's "Only master key can be
    # used … Route=…", under its generic "Authentication Error" label: the key is valid).
    Rule("relay-route-not-allowed", C.PERMISSION_DENIED,
         text=r"only (?:the )?(?:proxy )?(?:master|admin) key can be used"
              r"|not allowed to (?:call|access) (?:this )?route"),
    Rule("iam-text", C.PERMISSION_DENIED,
         text=r"is not authori[sz]ed to perform|permission \\{0,2}'[^']{1,120}' denied"
              r"|organization has disabled [^\n]{1,80} access"
              r"|requires the [^\n]{1,80} api [^\n]{0,80}to be enabled"),
    # Bedrock's model access (not enabled, Marketplace, use-case form, legacy model),
    # as every relay passes it on.
    Rule("model-access-text", C.PERMISSION_DENIED,
         text=r"(?:don't|do not|doesn't|does not) have access to (?:this |the )?model\b"
              r"|model access is denied|use[- ]case (form|details have not been submitted)"
              r"|not authori[sz]ed to invoke this api operation|marked by provider as legacy"),
    Rule("missing-scopes", C.PERMISSION_DENIED, text=r"insufficient permissions|missing scopes"),
    # Bedrock's "Operation not allowed" for every model: AWS answers so for an account it has
    # not cleared (a new account, a pending verification: support lifts it) and readers take
    # it for an IAM refusal too. Both are a refusal of access; the text proves no more, so not
    # `account_disabled` (the Bedrock kind's advice names both causes).
    Rule("aws-operation-not-allowed", C.PERMISSION_DENIED,
         exceptions=_set("validationexception"), text=r"operation not allowed"),
    # The account may not use the model (Bedrock's OpenAI-compatible endpoint), or its own
    # settings exclude every provider of it (OpenRouter's guardrails and data policy).
    Rule("account-model-restriction", C.PERMISSION_DENIED,
         text=r"is not available (?:for|to) (?:this|your) account"
              r"|not available (?:in|on|for) your (?:subscription |current )?(?:tier|plan)"
              r"|matching your (?:guardrail restrictions|data policy)"),
    # --- Authentication (after quota: a gateway budget error carries type auth_error)
    Rule("auth-code", C.AUTH_FAILED,
         codes=_set("invalid_api_key", "mismatched_organization", "no_organization",
                    "invalid_organization", "missing_api_key", "authenticationtypedisabled",
                    "invalidapikey")),
    Rule("auth-type", C.AUTH_FAILED, types=_set("token_not_found_in_db", "authentication_error")),
    Rule("auth-reason", C.AUTH_FAILED,
         reasons=_set("API_KEY_INVALID", "ACCESS_TOKEN_EXPIRED", "ACCESS_TOKEN_TYPE_UNSUPPORTED")),
    Rule("auth-exception", C.AUTH_FAILED,
         exceptions=_set("unrecognizedclientexception", "expiredtokenexception",
                         "invalidsignatureexception", "incompletesignatureexception",
                         "missingauthenticationtokenexception")),
    Rule("auth-text", C.AUTH_FAILED,
         text=r"incorrect api key|invalid api[- ]key|invalid x-api-key"
              r"|no (cookie )?auth credentials|unauthenticated request"
              r"|missing bearer|didn't provide an api key|invalid proxy server token"
              r"|organization header should match|must be a member of an organization"
              r"|no such organization|invalid authentication|invalid subscription key"
              r"|api key (is )?(invalid|expired|revoked|not valid)|api key not valid"
              r"|token has been invalidated|do not have access to the organization"
              r"|user not found|invalid token|无效的令牌|令牌无效|未提供令牌"
              r"|(security|bearer) token included in the request is (invalid|expired)"
              r"|does not match resource tenant|access token is missing, invalid"
              r"|key based authentication is disabled|no api key found"
              r"|couldn't find a secret|unregistered callers|api key was reported as leaked"
              r"|api key expired|(authorization|x-api-key|api-key) header is (required|missing)"
              r"|missing (the )?(authorization|x-api-key|api-key) header"
              r"|invalid (\w+ )?api key|token is invalid|invalid '?authorization'? header"
              r"|authentication (error|fail)|api key not found"
              r"|令牌已过期|令牌已被禁用|令牌状态不可用|\binvalid_(?:grant|scope|client)\b"
              r"|\bunauthorized_client\b"
              r"|credential should be scoped to (?:a )?(?:valid|correct)"),
    # --- Moderation
    Rule("moderation-code", C.CONTENT_FILTERED, codes=_set("content_filter", "moderation_blocked",
                                                           "content_policy_violation",
                                                           "invalid_prompt")),
    Rule("moderation-text", C.CONTENT_FILTERED,
         text=r"rejected by the safety system|rejected as a result of our safety system"
              r"|content management policy|prompt was flagged|flagged as potentially violating"
              r"|flagged by (our|the) moderation|contentpolicyviolationerror"
              r"|(?:content|prompt|input|request|message) (?:was|has been|is) flagged\b"
              r"|may contain inappropriate content"),
    # --- Model or deployment missing (also relays with "no available channel")
    Rule("model-not-found-code", C.MODEL_NOT_FOUND,
         codes=_set("model_not_found", "deploymentnotfound", "model_not_available",
                    "model_decommissioned", "dedicated_endpoint_not_running")),
    Rule("model-not-found-type", C.MODEL_NOT_FOUND, types=_set("not_found_error"),
         text=r"model|is not available"),
    Rule("model-not-found-rpc", C.MODEL_NOT_FOUND, rpc_statuses=_set("NOT_FOUND"),
         text=r"model"),
    Rule("model-not-found-text", C.MODEL_NOT_FOUND,
         text=r"model:? `?[^`\s]*`? does not exist|requested model .{0,80} does not exist"
              r"|deployment for (?:this|the) resource does not exist|no such model|model not found"
              r"|unknown model|invalid model|is not a valid model id|has been decommissioned"
              r"|no endpoints found for\b|no allowed providers are available"
              r"|无可用渠道|no available (channel|distributor)"
              r"|model (does )?not exist|model `[^`\s]{1,200}` has been deprecated"
              r"|non-serverless model|start a new dedicated endpoint"
              r"|there are no healthy deployments for this model"
              r"|dedicated endpoint for .{1,200} is not running"),
    # Ollama and LM Studio: "model 'x' not found, try pulling it first", "No models loaded"
    Rule("model-not-found-local", C.MODEL_NOT_FOUND,
         text=r"not found, try pulling it|pull the model|no models loaded"
              r"|model ['\"][^'\"\s]{1,200}['\"] not found"),
    # Google: "models/x is not found for API version v1beta", Vertex "Publisher Model `x`
    # was not found or your project does not have access to it"
    Rule("model-not-found-google", C.MODEL_NOT_FOUND,
         text=r"is not found for api version|publisher model `[^`]{1,300}` (is |was )?not found"
              r"|is not servable in region"),
    Rule("model-not-found-bedrock", C.MODEL_NOT_FOUND,
         text=r"provided model identifier is invalid|could not resolve the foundation model"),
    # The words alone: a clause that names a model and says it is not there ('The model
    # "llama3.1:8b" was not found'), after every row that names one producer's wording.
    Rule("model-words-not-found", C.MODEL_NOT_FOUND,
         text=r"\bmodel\b" + _CLAUSE + r"{0,80}\b(?:(?:was|is) not found|does not exist)\b"),
    # --- The probe itself was refused (parameter, size or endpoint does not suit the model)
    Rule("probe-param-code", C.PROBE_REJECTED,
         codes=_set("unknown_parameter", "unsupported_parameter", "unsupported_value",
                    "invalid_value", "operationnotsupported", "invalid_request_body",
                    "context_length_exceeded")),
    Rule("probe-type", C.PROBE_REJECTED,
         types=_set("request_too_large", "exceed_context_size_error")),
    Rule("probe-param-text", C.PROBE_REJECTED,
         text=r"unknown parameter|unsupported parameter|unsupported value|invalid value:"
              r"|operation does not work with the specified model"
              r"|not supported (with|by) this model|only supported .{0,40}(v1/responses|endpoint)"
              r"|is not a chat model|maximum context length|is a chat model and not supported"
              r"|could not parse the json body|exceeds the available context size"
              r"|input validation error|field required|header is required"
              r"|on-demand throughput isn't supported|use the /completions api"
              r"|please use [\w/ .-]{1,40} (?:api|endpoint) instead|unknown provider="
              r"|must (?:have|contain|include) at least one|is no longer supported"
              r"|does not support (?:specifying|setting)\b|\bmodel is required\b"
              r"|deserialize the json body"
              r"|does not support parameters?\b|unsupportedparamserror"
              r"|contextwindowexceedederror"
              r"|param(?:eter)?[ \t\r\n]{1,12}incorrect|incorrect param(?:eter)?\b"
              r"|does not support (?:tools|tool[ _]?(?:use|calling)|function[ _]?calling"
              r"|images|vision|streaming|system (?:prompts?|messages?)|chat ?completions)\b"
              r"|cannot both be (?:specified|set)|malformed input request"
              r"|cannot be accessed through [\w /-]{1,60} api"
              r"|must be (?:less|greater) than or equal to|which is the maximum allowed"
              r"|validation errors? detected|failed to satisfy constraint|prompt is too long"
              r"|must be one of the following|exceeds? the model(?:'s)? limit|unknown field\b"
              r"|is not supported (?:in|by|for) the [\w -]{1,40} api\b"
              r"|must provide a model parameter|(?:should|must) alternate with"
              r"|unexpected value\(s\)|extra inputs are not permitted|must be defined when"
              r"|is not available for this model|endpoint:? [^\s]{1,100} is not supported"),
    Rule("azure-api-version", C.PROBE_REJECTED,
         text=r"api[- ]version.{0,40} not supported|unsupported (?:api|openai)[- ]version"
              r"|not supported (?:for|in|with|by) this api[- ]version|please use api[- ]version"
              r"|enabled only for api[- ]versions?\b"
              r"|unrecognized request arguments? supplied"),
    # OpenRouter has the model but no provider of it serves this request (tools, the
    # account's data policy).
    Rule("relay-no-matching-endpoint", C.PROBE_REJECTED,
         text=r"no endpoints (found|available) (that support|matching)"),
    # FastAPI/pydantic's validation error: a field of the request body was refused.
    Rule("request-validation", C.PROBE_REJECTED,
         text=r"""["']loc["'][ \t\r\n]{0,40}:[ \t\r\n]{0,40}[\[(][ \t\r\n]{0,40}"""
              r"""["'](body|query)["']"""),
    Rule("request-too-large", C.PROBE_REJECTED,
         text=r"request too large|request exceeds the maximum size"),
    # A router that has no such path: OpenAI's code for it, Go's and Starlette/FastAPI's
    # default 404 and 405.
    Rule("wrong-route-code", C.PROBE_REJECTED, codes=_set("unknown_url")),
    # OpenAI's and the relays' "Invalid URL (POST /v1/chat/completions/chat/completions)":
    # base_url's path is wrong.
    Rule("invalid-url", C.PROBE_REJECTED, text=r"\binvalid url ?\((get|post) "),
    # Anthropic names the model when one is missing ("model: x", the row above); a
    # not_found_error that names none is a path it does not serve.
    Rule("wrong-route-type", C.PROBE_REJECTED, types=_set("not_found_error"),
         text=r"""["']message["'][ \t\r\n]{0,8}:[ \t\r\n]{0,8}["']not found\.?["']"""),
    # Google's NOT_FOUND that names no model ("Requested entity was not found."): a wrong
    # project, region or path as much as a missing model.
    Rule("not-found-rpc", C.PROBE_REJECTED, rpc_statuses=_set("NOT_FOUND")),
    Rule("wrong-route", C.PROBE_REJECTED,
         text=r"no handler found on route|404 page not found|unknown request url|no route for\b"
              r"|\bendpoint not found\b"
              r"""|\{[ \t\r\n]{0,8}["']detail["'][ \t\r\n]{0,8}:[ \t\r\n]{0,8}"""
              r"""["'](not found|method not allowed)["'][ \t\r\n]{0,8}\}"""),
    # Azure's bare "Resource not found": a wrong deployment, api-version or route, and it
    # does not say which. Never model_not_found: `expect: denied` would pass on it.
    Rule("azure-resource-not-found", C.PROBE_REJECTED,
         text=r"\bresource not found|resource because it (?:doesn't|does not) exist"),
    # --- Rate limits and relay cooldowns (transient). A relay that saw an upstream 401 or
    # 404 cools the deployment down and answers 429 "No deployments available" meanwhile.
    Rule("relay-cooldown", C.RATE_LIMITED,
         text=r"no deployments available|no healthy deployments? available"
              r"|all_deployments_in_cooldown|负载已饱和"),
    Rule("rate-limit-code", C.RATE_LIMITED,
         codes=_set("rate_limit_exceeded", "ratelimitexceeded", "too_many_requests")),
    Rule("rate-limit-type", C.RATE_LIMITED,
         types=_set("rate_limit_error", "requests", "tokens", "throttling_error")),
    Rule("rate-limit-exception", C.RATE_LIMITED,
         exceptions=_set("throttlingexception", "toomanyrequestsexception")),
    Rule("rate-limit-rpc", C.RATE_LIMITED, rpc_statuses=_set("RESOURCE_EXHAUSTED")),
    Rule("rate-limit-text", C.RATE_LIMITED,
         text=r"rate limit|exceeded token rate limit|too many requests|please retry after"
              r"|too many connections"
              r"|slow down|parallel request limit|too many tokens|quota exceeded for"
              r"|resource (has been )?exhausted|please wait \d{1,9} ?s(?:ec(?:ond)?s?)?\b"),
    # --- Timeouts an HTTP answer reports (a relay's 408, a gateway that gave up)
    Rule("timeout-code", C.TIMEOUT, codes=_set("user_request_timeout")),
    Rule("timeout-text", C.TIMEOUT,
         text=r"request timed out|litellm\.timeout|timed out reading request"),
    # --- Provider, relay or edge failure
    Rule("server-type", C.SERVER_ERROR,
         types=_set("server_error", "service_unavailable_error", "service_unavailable",
                    "cf_bad_gateway",
                    "overloaded_error", "api_error", "network_error")),
    Rule("server-code", C.SERVER_ERROR, codes=_set("server_is_overloaded", "server_error",
                                                  "service_unavailable", "internal_error",
                                                  "internalservererror")),
    Rule("server-rpc", C.SERVER_ERROR, rpc_statuses=_set("UNAVAILABLE", "INTERNAL")),
    # An answer (JSON) whose error is a stream that ended early: the server's own backend
    # died under it (Ollama's runner: "unexpected EOF", "Post …/completion: EOF").
    Rule("server-backend-eof", C.SERVER_ERROR, shapes=_set("json"),
         text=r"(?:unexpected |: )eof\b"),
    Rule("server-text", C.SERVER_ERROR,
         text=r"server had an error|currently overloaded|servers are currently overloaded"
              r"|bad gateway|service (?:is )?(?:temporarily |currently )?unavailable"
              r"|gateway time-?out"
              r"|internal server error|upstream (connect )?error"
              r"|invalid response was received from the upstream"
              r"|(?:could not|failed to) load model|runner process has terminated"
              r"|requires more system memory|capacity exceeded|encountered an unexpected error"
              r"|server is busy|engine is not loaded|failed to execute http request to provider"
              r"|error was encountered while running the model|backend process exited"
              r"|error occurred while processing your request\. you can retry"),
    # An error name that says the service failed (LiteLLM's `ServiceUnavailableError` around
    # any upstream's words, .NET's and Java's exception names).
    Rule("server-exception-name", C.SERVER_ERROR,
         text=r"serviceunavailable(?:error|exception)|internalserver(?:error|exception)"
              r"|\boverloaded\b"),
    # === 2. Broad evidence: Google's canonical status names and "permission denied" only
    # say which family of refusal. After every narrower row above: Google answers
    # PERMISSION_DENIED, "Permission denied: …", also for a suspended consumer, a leaked key
    # and a request without a key.
    Rule("permission-rpc", C.PERMISSION_DENIED, rpc_statuses=_set("PERMISSION_DENIED")),
    Rule("auth-rpc", C.AUTH_FAILED, rpc_statuses=_set("UNAUTHENTICATED")),
    # A credential and a word refusing it, in one clause ("The API Key appears to be invalid
    # or may have expired", "requires a valid Service Account JSON as the API key"): after
    # every row that names a cause, since a refused model or route also mentions the key.
    Rule("credential-words", C.AUTH_FAILED,
         text=r"\b(?:api[ _-]?key|access token|bearer token|subscription key|credentials?)\b"
              + _CLAUSE + r"{0,40}\b(?:invalid|expired|revoked|incorrect|not valid)\b"
              r"|\b(?:invalid|expired|revoked|incorrect|missing|requires? a valid"
              r"|provide a valid)\b" + _CLAUSE
              + r"{0,40}\b(?:api[ _-]?key|access token|bearer token|subscription key"
              r"|credentials?)\b"),
    Rule("permission-text", C.PERMISSION_DENIED,
         text=r"permission denied|do(es)? not have permission"),
    # Money, with nothing above naming a rate limit or a refused request: the account has to
    # pay before it may call (DashScope's `Arrearage` "Access denied, please make sure your
    # account is in good standing", a balance, credits, billing). After the rate rows: a rate
    # limit's text can point at billing to raise it. Never "payment": 402's reason phrase.
    Rule("money-words", C.QUOTA_EXHAUSTED,
         text=r"\b(?:credits?|balance|billing|arrear(?:s|age)?|recharge|top[- ]?up|prepaid"
              r"|funds)\b|充值|欠费|余额|requires? a (?:paid )?subscription"),
    # === 3. "The request was invalid", no more said: the endpoint refused the probe.
    # Inconclusive, and never for a 401/403/429 (those refuse the caller, not the request).
    Rule("invalid-request-type", C.PROBE_REJECTED,
         types=_set("invalid_request_error", "badrequesterror"),
         statuses=frozenset({400, 413, 422, None})),
    Rule("invalid-argument-rpc", C.PROBE_REJECTED,
         rpc_statuses=_set("INVALID_ARGUMENT", "OUT_OF_RANGE")),
    # Google's message for INVALID_ARGUMENT, when an SDK printed the message alone.
    Rule("invalid-argument-text", C.PROBE_REJECTED,
         text=r"request contains an invalid argument"),
    Rule("validation-exception", C.PROBE_REJECTED, exceptions=_set("validationexception")),
    # === 4. Bot walls, login pages, HTML where an API answer belongs
    # openai-python 0.x: the answer was not an API error object ("Invalid response object
    # from API: '404 Not Found'"); what it quotes was read by the rows above.
    Rule("sdk-invalid-response", C.UNEXPECTED_RESPONSE,
         text=r"invalid response object from api|type validation failed: value:"),
    # A relay that could not parse what its upstream sent: Go's encoding/json, V8 on an HTML
    # page.
    Rule("relay-got-no-json", C.UNEXPECTED_RESPONSE, text=_PARSER_REFUSED_A_PAGE),
    # gRPC clients name what came instead of a gRPC answer.
    Rule("grpc-got-html", C.UNEXPECTED_RESPONSE, text=r"invalid content-type: text/html"),
    Rule("bot-wall", C.UNEXPECTED_RESPONSE,
         text=r"enable cookies|attention required|just a moment\.\.\.|cf-chl|captcha"),
    # The answer names a part of the request and refuses it ("Extra inputs are not permitted",
    # "The value at toolConfig.tools.26… must be one of", "max_tokens: 21333 > 4096"): the
    # shape of every request validator's message, whatever its wording. After the page and
    # parser rows (a parser's complaint names a "value" or "input" too); never on a 401, 403,
    # 404 or 429 and never on a page: those refuse the caller or the path, not the request.
    Rule("request-part-refused", C.PROBE_REJECTED, text=_REQUEST_PART_REFUSED,
         statuses=frozenset({400, 405, 409, 413, 415, 422, None}), shapes=_set("json", "text")),
    Rule("html-5xx", C.SERVER_ERROR, shapes=_set("html"), min_status=500),
    Rule("html-page", C.UNEXPECTED_RESPONSE, shapes=_set("html")),
    # === 5. Status fallbacks: only reached when nothing in the body was recognised, and
    # only for what a status proves by itself (a 401, 402 or 403 alone proves nothing:
    # relays and proxies answer them for reasons of their own).
    Rule("status-429", C.RATE_LIMITED, statuses=frozenset({429})),
    # 407 is a proxy's own answer (it wants the proxy's credentials): the endpoint was not
    # reached.
    Rule("status-407", C.NETWORK_ERROR, statuses=frozenset({407})),
    Rule("status-5xx", C.SERVER_ERROR, min_status=500),
)

# Text a client printed when no HTTP answer arrived (`checker diagnose`). Error names and
# codes (`ETIMEDOUT`, undici's `UND_ERR_SOCKET`, `ConnectTimeout`, Java's
# `UnknownHostException`, curl's exit codes) are the structured evidence; phrases are the stable
# part of what one client always prints. Timeouts first: a connect timeout is both a timeout and
# a connection failure.
CLIENT_RULES: tuple[Rule, ...] = (
    # axios names the answer it got (`ERR_BAD_REQUEST` for a 4xx, `ERR_BAD_RESPONSE` for a 5xx):
    # whatever else the print says, an HTTP answer came, so it is no transport failure.
    # `classify_client_text` gives no client reading for it.
    Rule("client-saw-an-answer", C.UNKNOWN, text=r"\berr_bad_(?:request|response)\b"),
    Rule("client-timeout", C.TIMEOUT,
         text=r"timed out|timeout ?error|readtimeout|connecttimeout|etimedout"
              r"|deadline exceeded|litellm\.timeout|timeoutexception|httpclient\.timeout"
              r"|und_err_(?:connect|headers|body)_timeout|timeout of \d{1,9} ?ms exceeded"
              r"|dioexception \[(?:connection|send|receive) timeout\]|socket timeout"
              r"|took longer than [\d:.]{1,20}|i/o timeout|err_connection_timed_out"
              r"|\bcurl(?::[ \t]{0,2}\(| error[ \t]{0,2})28\b|client\.timeout exceeded"
              r"|exceeded the configured timeout|interruptedioexception: timeout"
              r"|source: timedout\b|exceeded the [\w-]{1,20} deadline"),
    # curl's exit codes for a failed transfer: resolve (5, 6), connect (7), TLS (35, 51, 58, 60,
    # 77), empty reply or broken receive (52, 55, 56), HTTP/2 or 3 stream (92, 95), and libcurl's
    # "cURL error N" as PHP's Guzzle prints it.
    Rule("client-curl-exit", C.NETWORK_ERROR,
         text=r"\bcurl(?::[ \t]{0,2}\(| error[ \t]{0,2})"
              r"(?:5|6|7|35|51|52|55|56|58|60|77|92|95)\b"),
    Rule("client-tls", C.NETWORK_ERROR,
         text=r"certificate_verify_failed|certificate verify failed|sslerror|\[ssl[:\]]"
              r"|self[- ]signed certificate|unable to get local issuer|tls handshake"
              r"|unable_to_verify_leaf_signature|ssl connection|secure channel"
              r"|\bx509: |\btls: |ssl_error_|ssl_connect|sslhandshakeexception"
              r"|certificate verification error"),
    Rule("client-dns", C.NETWORK_ERROR,
         text=r"enotfound|getaddrinfo|name or service not known|nodename nor servname"
              r"|temporary failure in name resolution|eai_again|no such host"
              r"|could not resolve(?: host)?:|could not resolve host|could not contact dns"
              r"|failed host lookup"
              r"|unknownhostexception|unable to resolve host"
              r"|dns error|failed to lookup address"),
    # A proxy between the client and the endpoint refused the tunnel (407 wants the proxy's
    # own credentials) or could not open it: no answer of the endpoint was seen.
    Rule("client-proxy", C.NETWORK_ERROR,
         text=r"tunneling socket could not be established|tunnel connection failed"
              r"|connect tunnel failed|from proxy after connect|unable to tunnel through proxy"
              r"|proxyerror|cannot connect to proxy|authenticate with proxy"),
    Rule("client-refused", C.NETWORK_ERROR,
         text=r"econnrefused|connection refused|connectionrefused|actively refused"
              r"|failed to establish a new connection|failed to connect|cannot connect to"
              r"|could not connect to|unable to connect to|connectexception"
              r"|all connection attempts failed"),
    # The connection broke: a reset, the peer closing it (undici's `TypeError: terminated`
    # with its cause `UND_ERR_SOCKET` "other side closed", Bun's "closed unexpectedly"), or a
    # stream cut short.
    Rule("client-reset", C.NETWORK_ERROR,
         text=r"econnreset|connection reset|socket hang up|connection aborted|remotedisconnected"
              r"|server disconnected|broken pipe|peer closed connection|premature close"
              r"|other side closed|und_err_socket|typeerror: terminated|\bepipe\b"
              r"|connection was closed unexpectedly|forcibly closed|remoteprotocolerror"
              r"|incomplete ?read|incomplete chunked|stream disconnected before completion"),
    # Generic connection failures: the SDK's "Connection error.", undici's "fetch failed",
    # the browsers' "Failed to fetch" (Chrome), "NetworkError when attempting to fetch"
    # (Firefox), "Load failed" (Safari) and `net::ERR_…` codes, axios' `ERR_NETWORK`, Dart
    # dio's "[connection error]", reqwest's "error sending request", unreachable networks.
    Rule("client-connection", C.NETWORK_ERROR,
         text=r"connection error\.|network is unreachable|no route to host|fetch failed"
              r"|connection failed|connect error|failed to fetch(?![ \t]{0,2}[a-z0-9])"
              r"|dioexception \[connection error\]|the connection errored"
              r"|ehostunreach|enetunreach|\berr_network\b|net::err_[a-z_]{1,40}"
              r"|networkerror when attempting to fetch|typeerror: load failed"
              r"|error sending request for url|max retries exceeded with url"),
    # A parser refused what came back: V8's JSON.parse messages ("Unexpected token '<'",
    # "… is not valid JSON", "… in JSON at position 12", "after JSON at position 124"),
    # Python's json module, Go's encoding/json.
    Rule("client-not-json", C.UNEXPECTED_RESPONSE,
         text=_PARSER_REFUSED_A_PAGE + r"|unexpected end of json input"
              r"|did not match any variant of untagged enum"
              r"|\b(?:in|after) json at position \d|unterminated string in json"
              r"|jsondecodeerror|expecting value: line \d{1,9} column \d"
              r"|error decoding response body"),
    # Last, the words alone: a print no row above names, read by what it says failed ("Timeout
    # was reached", "certificate has expired", "DNS lookup … failed", "Connection closed
    # mid-response"). After every named print: one that names its cause ("x509: certificate
    # signed by unknown authority") beside a retry's timeout is read by that cause.
    Rule("client-timeout-word", C.TIMEOUT, text=r"\btime-?outs?\b|\btimedout\b"),
    Rule("client-tls-word", C.NETWORK_ERROR, text=r"\bcertificates?\b|\bssl\b|\btls\b"),
    Rule("client-dns-word", C.NETWORK_ERROR,
         text=r"\bdns\b|\bhost ?lookup|\bresolv(?:e|ing) (?:the )?host"),
    Rule("client-connection-word", C.NETWORK_ERROR,
         text=r"\bconnection\b[^\n]{0,30}\b(?:refused|reset|closed|aborted|failed|lost"
              r"|dropped|interrupted)\b|\bconnection ?error\b|\bconnecterror\b"
              r"|\bnetwork ?error\b|网络错误"),
)
