"""Entra ID (formerly Azure AD) tokens for Azure OpenAI, through azure-identity (the
``[azure]`` extra): ``DefaultAzureCredential().get_token(SCOPE)`` (environment, workload
identity, managed identity, the Azure CLI that azure/login signed in, …). checker never
exchanges a token itself. Loaded once per provider and run, fetched again five minutes
before it expires (``blocking.PerRun``).

Who a token belongs to is read from its claims (``oid``, ``appid``, ``tid``, ``aud``,
``exp``): the middle part of the JWT, decoded for display only (never verified, never
printed whole).
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Mapping
from typing import Any, NamedTuple

from .. import safejson
from ..secrets import Secret
from . import extras
from .blocking import PerRun

SCOPE = "https://cognitiveservices.azure.com/.default"
AUDIENCES = frozenset({"https://cognitiveservices.azure.com",
                       "https://cognitiveservices.azure.com/"})
HINT = ("run azure/login (OIDC) before this step, set AZURE_CLIENT_ID / AZURE_TENANT_ID / "
        "AZURE_FEDERATED_TOKEN_FILE, or write access_token: ${VAR}")
EARLY_REFRESH = 300  # seconds before expiry a token is fetched again
MAX_TOKEN_CHARS = 16 * 1024
_CREDENTIALS: PerRun[tuple[Any, Any]] = PerRun("Entra ID (DefaultAzureCredential)")


class EntraToken(NamedTuple):
    token: Secret
    claims: Mapping[str, Any]


async def access_token(provider: str, timeout: float) -> EntraToken:
    """A current Entra ID token for Azure OpenAI, for ``provider``."""
    _, token = await _CREDENTIALS.get(
        provider, _fresh, lambda pair: pair[1].expires_on - time.time() > EARLY_REFRESH,
        timeout, HINT)
    return EntraToken(Secret(str(token.token)), claims(str(token.token)) or {})


def known_claims(provider: str) -> Mapping[str, Any] | None:
    """The claims of the provider's token, if this run fetched one."""
    pair = _CREDENTIALS.known(provider)
    return None if pair is None else claims(str(pair[1].token))


def _fresh(previous: tuple[Any, Any] | None) -> tuple[Any, Any]:
    """(credential, AccessToken): blocking, in a thread. The credential is kept: it caches
    and refreshes its own tokens."""
    identity = extras.require("azure")
    credential = previous[0] if previous is not None else identity.DefaultAzureCredential()
    return credential, credential.get_token(SCOPE)


def claims(token: str) -> Mapping[str, Any] | None:
    """The claims of a JWT (its payload), or None when ``token`` is not one."""
    parts = token.split(".")
    if len(token) > MAX_TOKEN_CHARS or len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        decoded = safejson.loads(base64.urlsafe_b64decode(payload).decode("utf-8"))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    return decoded if isinstance(decoded, dict) else None


def describe(token_claims: Mapping[str, Any], now: float) -> str:
    """Who the token is, as a report shows it: the object id (and the application of a
    service principal, the tenant), and what is wrong with it that can be seen without
    asking Azure (an audience that is not Azure OpenAI's, an expiry in the past)."""
    oid = _text(token_claims.get("oid")) or "unknown"
    parts = [f"object id {oid}"]
    app = _text(token_claims.get("appid") or token_claims.get("azp"))
    if app:
        parts.append(f"application {app}")
    tenant = _text(token_claims.get("tid"))
    if tenant:
        parts.append(f"tenant {tenant}")
    text = f"Entra ID {parts[0]}" + (f" ({', '.join(parts[1:])})" if parts[1:] else "")
    audience = _text(token_claims.get("aud"))
    if audience and audience not in AUDIENCES:
        text += (f"; its token is for {audience}, not Azure OpenAI "
                 "(https://cognitiveservices.azure.com)")
    expires = token_claims.get("exp")
    if isinstance(expires, int | float) and expires < now:
        text += "; its token expired " + time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                       time.gmtime(expires))
    return text


def _text(value: Any) -> str:
    return value[:100] if isinstance(value, str) else ""


def unsigned_token(token_claims: Mapping[str, Any]) -> str:
    """A JWT with these claims and no valid signature: the simulator's and the tests'
    stand-in for an Entra ID token."""
    def part(value: Mapping[str, Any]) -> str:
        raw = json.dumps(dict(value), separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(token_claims)}.c2lt"
