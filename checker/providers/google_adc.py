"""Google Application Default Credentials for Vertex AI, through google-auth (the
``[vertex]`` extra): ``google.auth.default()`` finds them (``GOOGLE_APPLICATION_CREDENTIALS``,
the file google-github-actions/auth writes for workload identity federation, gcloud's
user credentials, the metadata server on Google Cloud), ``credentials.refresh()`` gets an
access token. checker never exchanges a token itself. Loaded once per provider and run,
refreshed when google-auth says they expired (``blocking.PerRun``).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ..secrets import Secret
from . import extras
from .blocking import PerRun

SCOPE = "https://www.googleapis.com/auth/cloud-platform"
HINT = ("set GOOGLE_APPLICATION_CREDENTIALS, run google-github-actions/auth before this step, "
        "or write access_token: ${VAR}")
_CREDENTIALS: PerRun[Any] = PerRun("Application Default Credentials")


class GoogleToken(NamedTuple):
    token: Secret
    principal: str  # who the credentials are (an email, a pool provider); never a secret


async def access_token(provider: str, timeout: float) -> GoogleToken:
    """A current access token of the Application Default Credentials, for ``provider``."""
    credentials = await _CREDENTIALS.get(provider, _fresh, lambda c: bool(c.valid), timeout,
                                         HINT)
    return GoogleToken(Secret(str(credentials.token)), principal_of(credentials))


def known_principal(provider: str) -> str | None:
    """Who the provider's credentials are, if this run loaded them."""
    credentials = _CREDENTIALS.known(provider)
    return None if credentials is None else principal_of(credentials)


def _fresh(credentials: Any) -> Any:
    """Load (the first time) and refresh: blocking, in a thread."""
    google_auth = extras.require("vertex")
    transport = extras.require("vertex", "google.auth.transport.requests")
    if credentials is None:
        credentials, _ = google_auth.default(scopes=[SCOPE])
    credentials.refresh(transport.Request())
    return credentials


def principal_of(credentials: Any) -> str:
    """Who google-auth says the credentials are: a service account's email (a key file,
    impersonation, workload identity federation through a service account, the metadata
    server once refreshed), a user's email when gcloud recorded it, the workload identity
    pool provider for direct federation."""
    email = getattr(credentials, "service_account_email", None)
    if isinstance(email, str) and "@" in email:
        return email
    account = getattr(credentials, "account", None)
    if isinstance(account, str) and "@" in account:
        return account
    info = getattr(credentials, "info", None)
    audience = info.get("audience") if isinstance(info, dict) else None
    if isinstance(audience, str) and audience:
        return f"a principal of the workload identity pool provider {audience}"
    return f"Application Default Credentials ({type(credentials).__name__}, no email known)"
