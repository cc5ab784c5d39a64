"""The simulator's scenarios, as data. A key is bound to one scenario; the scenario says
when the simulator refuses and with what (a refusal name each provider kind renders in
its own wire format, or a ``fault:`` the simulator sends whatever the kind).

Triggers, tried in this order: ``always`` (before the model is looked at); then the model
must exist at the endpoint (``not_in_channel`` comes first: a relay with no channel for a
model says so even for models it does not know); then, in the order the scenario lists
them: ``not_allowed`` (a project allowlist), ``first`` (the first request per key, model and
capability), ``images`` (image probes), ``gated`` (capabilities the vendor gates behind
verification), ``gated_until`` (the same, until ``propagation_requests`` were answered) and
``pending`` (every request, until ``propagation_requests`` per key and model were answered: the
kind decides which models a refusal applies to, e.g. Bedrock's Marketplace models).
"""

from __future__ import annotations

from typing import NamedTuple


class Step(NamedTuple):
    when: str
    refusal: str


class Scenario(NamedTuple):
    name: str
    description: str
    steps: tuple[Step, ...] = ()
    delay: bool = False  # answer only after `slow_seconds`
    tier: str = "default"  # which rate-limit headers to send
    honour_stream: bool = True


PROJECT_ALLOWLIST = frozenset({"gpt-4o-mini", "text-embedding-3-small"})
ONEAPI_CHANNELS = frozenset({"gpt-4o-mini", "gpt-4o", "gpt-5", "o3", "gpt-image-1"})


def _always(refusal: str) -> tuple[Step, ...]:
    return (Step("always", refusal),)


TABLE: tuple[Scenario, ...] = (
    Scenario("verified", "a verified organization: every known model and capability answers"),
    Scenario("unverified", "an unverified organization: gated models and capabilities are "
             "refused", (Step("gated", "verification"),)),
    Scenario("revoked", "a revoked key: 401 invalid_api_key", _always("invalid_key")),
    Scenario("no-credit", "no credit: 429 insufficient_quota (must not be retried)",
             _always("insufficient_quota")),
    Scenario("billing-limit", "billing hard limit reached: 400", _always("billing_limit")),
    Scenario("project-restricted", "a project allowlist with only gpt-4o-mini and "
             "text-embedding-3-small", (Step("not_allowed", "project_denied"),)),
    Scenario("rate-limited", "429 with retry-after-ms (or Retry-After in seconds, with "
             "`retry_after_seconds`) on the first request per model, then fine",
             (Step("first", "rate_limit"),)),
    Scenario("rate-limited-long", "429 with Retry-After: 120 every time",
             _always("rate_limit_long")),
    Scenario("flaky", "500 server_error on the first request per model, then fine",
             (Step("first", "server_error"),)),
    Scenario("relay-openrouter", "a relay wrapping an unverified upstream in "
             "error.metadata.raw", (Step("gated", "verification:openrouter"),)),
    Scenario("relay-oneapi", "a one-api relay: no channel for unknown models, "
             "'(request id: …)' appended",
             (Step("not_in_channel", "no_channel"), Step("gated", "verification:oneapi"))),
    Scenario("deactivated", "a deactivated account: 401 account_deactivated",
             _always("deactivated")),
    Scenario("region", "403 unsupported_country_region_territory", _always("region")),
    Scenario("identity-denied", "a cloud identity without the role or IAM permission to call "
             "models: every request refused (Azure: PermissionDenied; Vertex AI: "
             "aiplatform.endpoints.predict denied)", _always("project_denied")),
    Scenario("moderated", "images refused by the safety system",
             (Step("images", "moderation"),)),
    Scenario("slow", "answers only after `slow_seconds`", delay=True),
    Scenario("html", "a 502 Bad Gateway page from an edge proxy", _always("fault:html")),
    Scenario("html-200", "a 200 HTML login page (base_url points at a website)",
             _always("fault:html-200")),
    Scenario("empty-200", "a 200 with an empty body", _always("fault:empty-200")),
    Scenario("truncated", "a 200 whose JSON stops half way", _always("fault:truncated")),
    Scenario("reset", "the connection is reset in the middle of the body",
             _always("fault:reset")),
    Scenario("stall-body", "headers, a few bytes, then nothing", _always("fault:stall-body")),
    Scenario("stall-stream", "an event stream that never sends an event",
             _always("fault:stall-stream")),
    Scenario("endless", "a 200 whose body never ends", _always("fault:endless")),
    Scenario("echo-key", "a 401 whose body and headers echo the key (in several encodings)",
             _always("fault:echo-key")),
    Scenario("redirect", "a 307 redirect to another host", _always("fault:redirect")),
    Scenario("propagating", "unverified until `propagation_requests` requests were answered, "
             "then verified", (Step("gated_until", "verification"),)),
    Scenario("tier1", "verified, with tier-1 rate limits in the x-ratelimit-* headers",
             tier="tier1"),
    # Cloud gates (Bedrock renders them; the other kinds answer their closest refusal).
    Scenario("subscribing", "an AWS Marketplace subscription in progress: Bedrock's "
             "Marketplace models (Anthropic, …) refused until `propagation_requests` requests "
             "per model were answered, then answering", (Step("pending", "subscription_pending"),)),
    Scenario("no-use-case", "an AWS account without Anthropic's use-case form: Anthropic "
             "models on Bedrock answer 404 ResourceNotFoundException",
             _always("use_case")),
    Scenario("expired-token", "expired AWS session credentials: 403 ExpiredTokenException",
             _always("expired_token")),
    # Hostile answers (fault injection): none may hang, crash or blind checker.
    Scenario("no-stream", "verified, but ignores `stream: true`: answers one JSON completion",
             honour_stream=False),
    Scenario("gzip-bomb", "a 200 of about 2 KB with `Content-Encoding: gzip, gzip` that "
             "inflates to 1 GiB", _always("fault:gzip-bomb")),
    Scenario("escapes", "a 401 whose message and request id carry terminal escapes, bidi "
             "overrides and workflow commands", _always("fault:escapes")),
    Scenario("deep-json", "a 400 whose JSON body nests 50,000 levels deep",
             _always("fault:deep-json")),
    Scenario("backtrack", "a 400 of 256 KiB built to make regular expressions backtrack",
             _always("fault:backtrack")),
)

BY_NAME: dict[str, Scenario] = {scenario.name: scenario for scenario in TABLE}
