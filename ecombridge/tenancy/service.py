"""Tenancy rules: portals, developer accounts, apps, installations and the credentials that
identify callers. Takes a connection, never commits."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import Connection, Row

from ecombridge.clock import now_ms
from ecombridge.crm_schema.service import ensure_portal_schema
from ecombridge.db.sequences import allocate_ids
from ecombridge.errors import (
    AuthenticationFailed,
    NotFound,
    ValidationFailed,
    WrongCredentialKind,
)
from ecombridge.tenancy import repository as repo
from ecombridge.tenancy.principal import CredentialKind, Principal
from ecombridge.tenancy.redirect_uris import check_redirect_uris
from ecombridge.tenancy.scopes import ALL_SCOPES
from ecombridge.tenancy.secret_box import KEY_ENV, reseal, seal, unseal
from ecombridge.tenancy.secrets import (
    digest,
    digests_match,
    new_client_id,
    new_client_secret,
    new_secret,
)

# Granted when no scopes are named: every scope the bridge serves.
DEFAULT_SCOPES = " ".join(ALL_SCOPES)
REFRESH_TOKEN_TTL_MS: int | None = None  # refresh tokens live until revoked, as HubSpot's did
AUTHORIZATION_CODE_TTL_MS = 10 * 60 * 1000
MAX_NAME_LENGTH = 200  # portals.name, developers.name, apps.name
DEVELOPER_SUFFIX = " developer"

INVALID_KEY_MESSAGE = "The API key provided is invalid. Check the hapikey you sent."
INVALID_TOKEN_MESSAGE = (
    "Authentication credentials not found. This API supports OAuth 2.0 authentication, "
    "API keys and private-app tokens."
)

CURRENCY_CODE = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True)
class CreatedPortal:
    portal_id: int
    api_key: str


@dataclass(frozen=True)
class CreatedApp:
    app_id: int
    developer_id: int
    developer_api_key: str
    client_id: str
    client_secret: str


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int  # seconds


def _store_secret(
    conn: Connection, kind: CredentialKind, now: int, **owner: int | str | None
) -> str:
    secret = new_secret(kind)
    repo.insert_credential(
        conn, token_hash=digest(secret), kind=kind.value, created_at=now, **owner
    )
    return secret


def _check_name(name: str) -> None:
    if len(name) > MAX_NAME_LENGTH or "\x00" in name:
        raise ValidationFailed(
            f"name: at most {MAX_NAME_LENGTH} characters and no NUL characters; "
            f"got {len(name)} characters."
        )


def create_portal(conn: Connection, name: str) -> CreatedPortal:
    _check_name(name)
    now = now_ms()
    (portal_id,) = allocate_ids(conn, "portal")
    repo.insert_portal(conn, portal_id, name, now)
    api_key = _store_secret(conn, CredentialKind.PORTAL_API_KEY, now, portal_id=portal_id)
    return CreatedPortal(portal_id, api_key)


def create_app(conn: Connection, name: str, redirect_uris: Sequence[str] = ()) -> CreatedApp:
    """An app, with a developer account of its own holding the developer API key, and the
    redirect URIs its OAuth flow may send browsers to."""
    _check_name(name)
    uris = check_redirect_uris(redirect_uris)
    now = now_ms()
    (developer_id,) = allocate_ids(conn, "developer")
    developer_name = name[: MAX_NAME_LENGTH - len(DEVELOPER_SUFFIX)] + DEVELOPER_SUFFIX
    repo.insert_developer(conn, developer_id, developer_name, now)
    (app_id,) = allocate_ids(conn, "app")
    client_id, client_secret = new_client_id(), new_client_secret()
    repo.insert_app(
        conn,
        id=app_id,
        developer_id=developer_id,
        name=name,
        client_id=client_id,
        client_secret_sealed=seal(conn.engine.url, client_secret),
        redirect_uris=uris,
        created_at=now,
    )
    key = _store_secret(conn, CredentialKind.DEVELOPER_API_KEY, now, developer_id=developer_id)
    return CreatedApp(app_id, developer_id, key, client_id, client_secret)


def set_app_redirect_uris(conn: Connection, app_id: int, redirect_uris: Sequence[str]) -> list[str]:
    """Replace the app's redirect URIs (none: the app cannot be installed through OAuth)."""
    if repo.get_app(conn, app_id) is None:
        raise NotFound(f"App {app_id} does not exist.")
    uris = check_redirect_uris(redirect_uris)
    repo.update_app(conn, app_id, redirect_uris=uris)
    return uris


def client_secret(conn: Connection, app: Row[Any]) -> str:
    """The clear client secret of an app row (it signs requests to the app)."""
    return unseal(conn.engine.url, str(app.client_secret_sealed))


def check_secret_key(conn: Connection) -> None:
    """SecretKeyUnavailable when apps exist whose secrets the key cannot open, or when
    ECOMBRIDGE_SECRET_KEY is set but unusable. (Without apps and without the setting nothing
    is needed yet: creating an app asks for the key then.)"""
    rows = repo.sealed_client_secrets(conn, limit=1)
    if rows:
        unseal(conn.engine.url, rows[0][1])
    elif os.environ.get(KEY_ENV, "").strip():
        seal(conn.engine.url, "check")


def reseal_client_secrets(conn: Connection) -> int:
    """Encrypt every client secret again with the first key of ECOMBRIDGE_SECRET_KEY (after
    a new key was put first); returns how many there were."""
    rows = repo.sealed_client_secrets(conn)
    for app_id, sealed in rows:
        repo.update_app(conn, app_id, client_secret_sealed=reseal(conn.engine.url, sealed))
    return len(rows)


def require_portal(conn: Connection, portal_id: int) -> None:
    if repo.get_portal(conn, portal_id) is None:
        raise NotFound(f"Portal {portal_id} does not exist.")


def set_portal_locale(
    conn: Connection, portal_id: int, *, time_zone: str | None, currency: str | None
) -> tuple[str, str]:
    """Set what is given of the portal's time zone (IANA name) and currency (ISO 4217 code);
    returns both as stored."""
    portal = repo.get_portal(conn, portal_id)
    if portal is None:
        raise NotFound(f"Portal {portal_id} does not exist.")
    values: dict[str, str] = {}
    if time_zone is not None:
        try:
            ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationFailed(
                f"time zone {time_zone!r} is not an IANA time zone such as Europe/Berlin"
            ) from None
        values["time_zone"] = time_zone
    if currency is not None:
        if not CURRENCY_CODE.fullmatch(currency):
            raise ValidationFailed(
                f"currency {currency!r} is not an ISO 4217 code of three capital letters, "
                "such as EUR"
            )
        values["currency"] = currency
    if values:
        repo.update_portal(conn, portal_id, **values)
    return values.get("time_zone", portal.time_zone), values.get("currency", portal.currency)


def require_app_of_developer(conn: Connection, app_id: int, developer_id: int | None) -> None:
    app = repo.get_app(conn, app_id)
    if app is None:
        raise NotFound(f"App {app_id} does not exist.")
    if app.developer_id != developer_id:
        raise WrongCredentialKind(
            f"The developer API key does not belong to the developer account of app {app_id}."
        )


def install_app(
    conn: Connection, app_id: int, portal_id: int, scopes: str = DEFAULT_SCOPES, *, ttl_s: int
) -> IssuedTokens:
    """Install an app in a portal (what the OAuth flow does) and issue its first tokens."""
    if repo.get_app(conn, app_id) is None:
        raise NotFound(f"App {app_id} does not exist.")
    require_portal(conn, portal_id)
    # HubSpot portals always had the standard properties an app's data maps to; an app may sync
    # to the "default" store at once, without defining a store first.
    ensure_portal_schema(conn, portal_id)
    installation_id = repo.upsert_installation(conn, portal_id, app_id, scopes, now_ms())
    return issue_tokens(conn, Grant(installation_id, portal_id, app_id, scopes), ttl_s=ttl_s)


def uninstall_app(conn: Connection, app_id: int, portal_id: int) -> None:
    """Uninstall an app from a portal: its tokens stop working (401) until it is installed
    again through the OAuth flow."""
    installation = repo.find_installation(conn, portal_id, app_id)
    if installation is None or installation.uninstalled_at is not None:
        raise NotFound(f"App {app_id} is not installed in portal {portal_id}.")
    now = now_ms()
    repo.set_installation_uninstalled(conn, installation.id, now)
    repo.revoke_installation_credentials(conn, installation.id, now)


@dataclass(frozen=True)
class Grant:
    """What tokens are issued for: an installation with its scopes, and the credential they
    come from (the code of the first tokens, the refresh token of a refreshed access token)."""

    installation_id: int
    portal_id: int
    app_id: int
    scopes: str
    issued_from: int | None = None

    @classmethod
    def of(cls, credential: Row[Any]) -> Grant:
        """Tokens issued for a credential of an installation (a code, a refresh token)."""
        return cls(
            credential.installation_id,
            credential.portal_id,
            credential.app_id,
            credential.scopes,
            int(credential.id),
        )

    def columns(self) -> dict[str, Any]:
        """The credentials columns of tokens issued for it (the fields are named after them)."""
        return asdict(self)


def issue_tokens(conn: Connection, grant: Grant, *, ttl_s: int) -> IssuedTokens:
    access = issue_access_token(conn, grant, ttl_s=ttl_s)
    refresh = _store_secret(conn, CredentialKind.REFRESH_TOKEN, now_ms(), **grant.columns())
    return IssuedTokens(access, refresh, ttl_s)


def issue_access_token(conn: Connection, grant: Grant, *, ttl_s: int) -> str:
    now = now_ms()
    return _store_secret(
        conn, CredentialKind.ACCESS_TOKEN, now, expires_at=now + ttl_s * 1000, **grant.columns()
    )


def issue_authorization_code(
    conn: Connection, app_id: int, portal_id: int, scopes: str, redirect_uri: str
) -> str:
    """The consent step: install (or re-install) the app and hand out a short-lived code."""
    now = now_ms()
    installation_id = repo.upsert_installation(conn, portal_id, app_id, scopes, now)
    secret = new_secret(CredentialKind.AUTHORIZATION_CODE)
    repo.insert_credential(
        conn,
        token_hash=digest(secret),
        kind=CredentialKind.AUTHORIZATION_CODE.value,
        created_at=now,
        expires_at=now + AUTHORIZATION_CODE_TTL_MS,
        redirect_uri=redirect_uri,
        **Grant(installation_id, portal_id, app_id, scopes).columns(),
    )
    return secret


def create_private_app_token(conn: Connection, portal_id: int, scopes: str = DEFAULT_SCOPES) -> str:
    require_portal(conn, portal_id)
    return _store_secret(
        conn, CredentialKind.PRIVATE_APP_TOKEN, now_ms(), portal_id=portal_id, scopes=scopes
    )


# Kinds a request may present; the others (refresh tokens, codes) are only exchanged for tokens.
_PRESENTABLE = frozenset(
    {
        CredentialKind.PORTAL_API_KEY,
        CredentialKind.DEVELOPER_API_KEY,
        CredentialKind.ACCESS_TOKEN,
        CredentialKind.PRIVATE_APP_TOKEN,
    }
)


_API_KEYS = frozenset({CredentialKind.PORTAL_API_KEY, CredentialKind.DEVELOPER_API_KEY})
# HubSpot only took API keys as ``hapikey`` and tokens as Bearer / ``access_token``.
_WRONG_TRANSPORT = {
    True: "A token was sent as hapikey. Send OAuth access tokens and private-app tokens in an "
    "'Authorization: Bearer' header (or the access_token query parameter).",
    False: "An API key was sent as a token. Send portal and developer API keys as the hapikey "
    "query parameter.",
}
_NOUNS = {
    CredentialKind.PORTAL_API_KEY: "API key",
    CredentialKind.DEVELOPER_API_KEY: "developer API key",
    CredentialKind.ACCESS_TOKEN: "OAuth access token",
    CredentialKind.PRIVATE_APP_TOKEN: "private-app token",
}


def authenticate(conn: Connection, secret: str, *, as_api_key: bool) -> Principal:
    """Resolve a presented secret. ``as_api_key``: it came as ``hapikey`` rather than a token."""
    failure = INVALID_KEY_MESSAGE if as_api_key else INVALID_TOKEN_MESSAGE
    token_hash = digest(secret)
    row = repo.find_credential(conn, token_hash)
    if row is None or not digests_match(row.token_hash, token_hash):
        raise AuthenticationFailed(failure)
    kind = CredentialKind(row.kind)
    if kind not in _PRESENTABLE:
        raise AuthenticationFailed(failure)
    if as_api_key != (kind in _API_KEYS):
        raise AuthenticationFailed(_WRONG_TRANSPORT[as_api_key])
    if row.revoked_at is not None:
        raise AuthenticationFailed(f"The {_NOUNS[kind]} provided has been revoked.")
    if row.uninstalled_at is not None:
        raise AuthenticationFailed(
            f"The app {row.app_id} has been uninstalled from portal {row.portal_id}; "
            "its OAuth tokens are no longer valid."
        )
    now = now_ms()
    if row.expires_at is not None and row.expires_at <= now:
        seconds = (now - row.expires_at) // 1000
        raise AuthenticationFailed(
            f"The OAuth token used to make this call expired {seconds} second(s) ago. "
            "Refresh it with POST /oauth/v1/token."
        )
    return Principal(
        kind=kind,
        portal_id=row.portal_id,
        developer_id=row.developer_id,
        app_id=row.app_id,
        scopes=frozenset(row.scopes.split()),
        expires_at=row.expires_at,
    )
