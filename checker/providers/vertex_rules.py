"""Vertex AI's own classification rows, each backed by a real body in tests/test_vertex.py
(tried before the shared table; Google's and Anthropic's rows follow them in the Vertex
dialect). Loaded only when a body is classified."""

from __future__ import annotations

from ..outcomes import OutcomeClass as C
from ..rules import Rule

VERTEX_RULES: tuple[Rule, ...] = (
    # Billing off is no rate limit and no missing permission: nothing answers until the
    # project has a billing account again (Google's front end says it for every API).
    Rule("vertex-billing-disabled", C.QUOTA_EXHAUSTED,
         text=r"this api method requires billing to be enabled"
              r"|has billing disabled\. please enable it"),
    # A partner model (Claude, Llama, …) not enabled for the project in Model Garden.
    Rule("vertex-publisher-model-not-allowed", C.PERMISSION_DENIED,
         text=r"is not allowed to use publisher model"),
    # The identity lacks an IAM permission; the message names it. Google says "(or it may
    # not exist)": it answers the same for a model the location does not serve.
    Rule("vertex-iam-permission-denied", C.PERMISSION_DENIED,
         text=r"permission '[a-z0-9_.]{1,100}' denied on resource "
              r"'//aiplatform\.googleapis\.com/"),
    # "… was not found or your project does not have access to it": the body cannot tell
    # a wrong id or location from a model the project may not use.
    Rule("vertex-publisher-model-not-found", C.MODEL_NOT_FOUND,
         text=r"publisher model `[^`\n]{1,300}` (was not found|not found|is not found)"),
    Rule("vertex-invalid-credentials", C.AUTH_FAILED,
         text=r"request had invalid authentication credentials\. expected oauth 2 access token"
              r"|api keys are not supported by this api\. expected oauth2 access token"),
    # A per-minute quota of the base model: a rate limit (retried). A quota of 0 reads the
    # same and stays rate_limited after the retries.
    Rule("vertex-base-model-quota", C.RATE_LIMITED,
         text=r"quota exceeded for aiplatform\.googleapis\.com/[a-z_]{1,120} with base model"),
    Rule("vertex-resource-exhausted", C.RATE_LIMITED,
         text=r"resource exhausted\. please try again later"
              r"|service is temporarily out of capacity"),
)
