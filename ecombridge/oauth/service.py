"""OAuth 2.0 authorization-code flow: consent, code exchange, refresh, token metadata, revocation.

Errors of the token endpoint follow HubSpot's OAuth v1 API rather than the rest of its API:
HTTP 400 with ``{"status": "<ERROR_CODE>", "message", "correlationId"}`` where ``status`` holds
the error code (BAD_AUTH_CODE, BAD_REFRESH_TOKEN, BAD_CLIENT_ID, BAD_CLIENT_SECRET,
BAD_REDIRECT_URI, BAD_GRANT_TYPE). Clients (hubspot3, hubwoo) only test for a non-2xx status and
show ``message``.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Row

from ecombridge.clock import now_ms
from ecombridge.errors import AuthenticationFailed, NotFound, ValidationFailed
from ecombridge.tenancy import repository as tenancy_repo
from ecombridge.tenancy import service as tenancy
from ecombridge.tenancy.principal import CredentialKind
from ecombridge.tenancy.redirect_uris import check_redirect_uri
from ecombridge.tenancy.scopes import parse_scopes
from ecombridge.tenancy.secrets import digest

K = CredentialKind
SET_REDIRECT_URIS = "ecombridge admin set-app-redirect-uris --app-id {} --redirect-uri URL"


class OAuthError(ValidationFailed):
    """A refused grant; ``code`` goes in the body's ``status`` as HubSpot's OAuth API did."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class CodeReplayed(OAuthError):
    """A used code came again: the tokens it issued were revoked (commit, then forget them)."""


@dataclass(frozen=True)
class ConsentRequest:
    app_id: int
    app_name: str
    client_id: str
    redirect_uri: str
    scopes: list[str]
    state: str | None


def _registered_redirect_uri(app: Row[Any], redirect_uri: str | None) -> str:
    """``redirect_uri`` if it is one the app registered (exact match)."""
    uri = check_redirect_uri(redirect_uri)
    registered = app.redirect_uris or []
    if not registered:
        raise ValidationFailed(
            f"The app {app.name!r} cannot be installed yet: it has registered no redirect URI. "
            f"Its developer registers them with: {SET_REDIRECT_URIS.format(app.id)}"
        )
    if uri not in registered:
        raise ValidationFailed(
            f"redirect_uri is not one of the redirect URIs the app {app.name!r} registered; "
            "the link must use a registered URI exactly as registered."
        )
    return uri


def consent_request(
    conn: Connection,
    client_id: str | None,
    redirect_uri: str | None,
    scope: str | None,
    state: str | None,
    optional_scope: str | None = None,
) -> ConsentRequest:
    """Check an authorize request before anything is shown or redirected anywhere.
    ``optional_scope`` (as HubSpot had it): granted when this bridge grants it, else dropped."""
    if not client_id:
        raise ValidationFailed("client_id is required.")
    app = _app_of_client(conn, client_id)
    if app is None:
        raise ValidationFailed(f"client_id {client_id!r} does not belong to any app.")
    uri = _registered_redirect_uri(app, redirect_uri)
    scopes = parse_scopes(scope, optional_scope)
    return ConsentRequest(int(app.id), str(app.name), client_id, uri, scopes, state)


def grant_consent(conn: Connection, request: ConsentRequest, portal_key: str) -> str:
    """The portal's key authorises the installation; returns the authorization code."""
    if not portal_key.strip():
        raise AuthenticationFailed("Enter the portal's API key to choose the portal.")
    try:
        principal = tenancy.authenticate(conn, portal_key.strip(), as_api_key=True)
    except AuthenticationFailed:
        raise AuthenticationFailed("That API key does not belong to any portal.") from None
    if principal.kind is not K.PORTAL_API_KEY or principal.portal_id is None:
        raise AuthenticationFailed("That is not a portal API key.")
    return tenancy.issue_authorization_code(
        conn, request.app_id, principal.portal_id, " ".join(request.scopes), request.redirect_uri
    )


def _app_of_client(conn: Connection, client_id: str) -> Row[Any] | None:
    if "\x00" in client_id:
        return None  # no client id has one, and PostgreSQL text cannot carry it
    return tenancy_repo.get_app_by_client_id(conn, client_id)


def _client_app(conn: Connection, client_id: str | None, client_secret: str | None) -> Row[Any]:
    app = _app_of_client(conn, client_id) if client_id else None
    if app is None:
        raise OAuthError("BAD_CLIENT_ID", "missing or unknown client_id")
    # Constant-time comparison: the secret must not leak through response timing.
    if not client_secret or not hmac.compare_digest(
        client_secret.encode("utf-8"), tenancy.client_secret(conn, app).encode("utf-8")
    ):
        raise OAuthError("BAD_CLIENT_SECRET", "missing or invalid client_secret")
    return app


def _live_credential(
    conn: Connection, secret: str | None, kind: CredentialKind, app_id: int | None
) -> Row[Any] | None:
    """The credential for a secret if it is of ``kind``, unrevoked, unexpired, of an installed
    app (and of ``app_id`` when given)."""
    if not secret:
        return None
    row = tenancy_repo.find_credential(conn, digest(secret))
    if row is None or row.kind != kind.value or row.revoked_at is not None:
        return None
    if row.uninstalled_at is not None:
        return None
    if row.expires_at is not None and row.expires_at <= now_ms():
        return None
    if app_id is not None and row.app_id != app_id:
        return None
    return row


def exchange_code(
    conn: Connection,
    client_id: str | None,
    client_secret: str | None,
    redirect_uri: str | None,
    code: str | None,
    *,
    ttl_s: int,
) -> tenancy.IssuedTokens:
    """Tokens for a code. A code used before revokes the tokens it issued (RFC 6749 §4.1.2:
    someone replaying it may have stolen it), so call this in a transaction that is committed
    even when it raises OAuthError."""
    app = _client_app(conn, client_id, client_secret)
    row = _live_credential(conn, code, K.AUTHORIZATION_CODE, int(app.id))
    if row is None:
        _revoke_if_replayed(conn, code, int(app.id))
        raise OAuthError("BAD_AUTH_CODE", "missing, unknown, expired or already used code")
    if not redirect_uri or redirect_uri != row.redirect_uri:
        raise OAuthError(
            "BAD_REDIRECT_URI", "redirect_uri does not match the one the code was sent to"
        )
    if not tenancy_repo.consume_credential(conn, int(row.id), now_ms()):
        raise OAuthError("BAD_AUTH_CODE", "missing, unknown, expired or already used code")
    return tenancy.issue_tokens(conn, tenancy.Grant.of(row), ttl_s=ttl_s)


def _revoke_if_replayed(conn: Connection, code: str | None, app_id: int) -> None:
    if not code:
        return
    row = tenancy_repo.find_credential(conn, digest(code))
    if row is None or row.kind != K.AUTHORIZATION_CODE.value or row.app_id != app_id:
        return
    if row.revoked_at is not None and tenancy_repo.revoke_issued_from(conn, row.id, now_ms()):
        raise CodeReplayed(
            "BAD_AUTH_CODE",
            "the code was already used; the tokens issued for it are revoked now",
        )


def refresh(
    conn: Connection,
    client_id: str | None,
    client_secret: str | None,
    refresh_token: str | None,
    *,
    ttl_s: int,
) -> tenancy.IssuedTokens:
    """A new access token; the refresh token stays the same, as HubSpot's did."""
    app = _client_app(conn, client_id, client_secret)
    row = _live_credential(conn, refresh_token, K.REFRESH_TOKEN, int(app.id))
    if row is None or refresh_token is None:
        raise OAuthError("BAD_REFRESH_TOKEN", "missing or unknown refresh token")
    access = tenancy.issue_access_token(conn, tenancy.Grant.of(row), ttl_s=ttl_s)
    return tenancy.IssuedTokens(access, refresh_token, ttl_s)


@dataclass(frozen=True)
class TokenInfo:
    token: str
    scopes: list[str]
    portal_id: int
    app_id: int
    client_id: str
    expires_in: int | None


def token_info(conn: Connection, token: str, kind: CredentialKind) -> TokenInfo:
    row = _live_credential(conn, token, kind, None)
    if row is None:
        noun = "access token" if kind is K.ACCESS_TOKEN else "refresh token"
        raise NotFound(f"The {noun} is unknown, expired or revoked.")
    app = tenancy_repo.get_app(conn, row.app_id)
    assert app is not None  # credentials reference their app
    expires_in = None
    if row.expires_at is not None:
        expires_in = max(0, (row.expires_at - now_ms()) // 1000)
    return TokenInfo(
        token, row.scopes.split(), row.portal_id, row.app_id, str(app.client_id), expires_in
    )


def revoke_refresh_token(conn: Connection, token: str) -> None:
    """Revoke a refresh token, only it: as HubSpot documented, access tokens made with it keep
    working until they expire (an app that installs again and deletes its old refresh token
    keeps its new access token)."""
    row = _live_credential(conn, token, K.REFRESH_TOKEN, None)
    if row is None:
        raise NotFound("The refresh token is unknown or already revoked.")
    tenancy_repo.revoke_credential(conn, int(row.id), now_ms())
