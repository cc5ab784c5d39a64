"""Google Application Default Credentials for Vertex AI, through google-auth (the
``[vertex]`` extra): ``google.auth.default()`` finds them (``GOOGLE_APPLICATION_CREDENTIALS``,
the file google-github-actions/auth writes for workload identity federation, gcloud's
user credentials, the metadata server on Google Cloud), ``credentials.refresh()`` gets an
access token. checker never exchanges a token itself.

Credentials are loaded once per provider and run (a run is one event loop) and refreshed
only when google-auth says they expired; a failure is remembered too, so that twenty
checks of one provider do not wait twenty times for a metadata server that is not there.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any, NamedTuple

from ..secrets import Secret
from . import extras
from .blocking import in_thread

SCOPE = "https://www.googleapis.com/auth/cloud-platform"
SETUP_HINT = ("set GOOGLE_APPLICATION_CREDENTIALS, run google-github-actions/auth before this "
              "step, or write access_token: ${VAR}")


class GoogleToken(NamedTuple):
    token: Secret
    principal: str  # who the credentials are (an email, a pool provider); never a secret


class CredentialsError(ValueError):
    """google-auth could not find or refresh the credentials (a ValueError: the runner
    reports it as the check's config_error)."""


class _Slot:
    """One provider's credentials in one run."""

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.credentials: Any = None
        self.error: CredentialsError | None = None


_RUNS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, _Slot]] = (
    weakref.WeakKeyDictionary())


def _slot(provider: str) -> _Slot:
    slots = _RUNS.setdefault(asyncio.get_running_loop(), {})
    return slots.setdefault(provider, _Slot())


async def access_token(provider: str, timeout: float) -> GoogleToken:
    """A current access token of the Application Default Credentials, for ``provider``."""
    slot = _slot(provider)
    async with slot.lock:
        if slot.error is not None:
            raise slot.error
        if slot.credentials is None or not slot.credentials.valid:
            previous = slot.credentials
            try:
                slot.credentials = await in_thread(lambda: _fresh(previous), timeout,
                                                   "google-credentials")
            except extras.MissingExtra:
                raise
            except TimeoutError as exc:
                slot.error = CredentialsError(f"Application Default Credentials: {exc}")
                raise slot.error from None
            except Exception as exc:  # google-auth's own errors, whatever their type
                slot.error = CredentialsError(
                    f"Application Default Credentials: {type(exc).__name__}: {exc} "
                    f"({SETUP_HINT})")
                raise slot.error from None
        credentials = slot.credentials
    return GoogleToken(Secret(str(credentials.token)), principal_of(credentials))


def known_principal(provider: str) -> str | None:
    """Who the provider's credentials are, if this run loaded them."""
    try:
        slots = _RUNS.get(asyncio.get_running_loop(), {})
    except RuntimeError:
        return None
    slot = slots.get(provider)
    if slot is None or slot.credentials is None:
        return None
    return principal_of(slot.credentials)


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
