"""Request dependencies: the database transaction (the edge commits) and the caller's identity.

Each endpoint declares which kinds of credential it takes (reference §2.2); a valid credential of
another kind is answered with 403 naming the kinds needed, a missing or bad one with 401.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, FastAPI, Query, Request
from sqlalchemy.engine import Connection
from starlette.concurrency import run_in_threadpool

from ecombridge.config import Config
from ecombridge.db.engine import Database
from ecombridge.errors import (
    AuthenticationFailed,
    MissingScopes,
    ValidationFailed,
    WrongCredentialKind,
)
from ecombridge.limits import MAX_BIGINT
from ecombridge.tenancy import service as tenancy
from ecombridge.tenancy.principal import KIND_NAMES, CredentialKind, Principal
from ecombridge.tenancy.principal_cache import PrincipalCache
from ecombridge.tenancy.scopes import SYNC_SCOPES
from ecombridge.tenancy.secrets import digest

K = CredentialKind


def get_database(request: Request) -> Database:
    db: Database = request.app.state.database
    return db


def get_config(request: Request) -> Config:
    config: Config = request.app.state.config
    return config


def _write_connection(request: Request) -> Iterator[Connection]:
    with get_database(request).write() as conn:
        yield conn


def _read_connection(request: Request) -> Iterator[Connection]:
    with get_database(request).read() as conn:
        yield conn


async def get_database_in_loop(request: Request) -> Database:
    """``get_database`` for async endpoints: FastAPI runs a sync dependency in its thread pool,
    a trip that costs a hot endpoint more than the endpoint's own work."""
    return get_database(request)


# scope="function": the transaction commits before the response is sent, so a 2xx means committed.
WriteConn = Annotated[Connection, Depends(_write_connection, scope="function")]
ReadConn = Annotated[Connection, Depends(_read_connection, scope="function")]
Db = Annotated[Database, Depends(get_database)]
AsyncDb = Annotated[Database, Depends(get_database_in_loop)]
Cfg = Annotated[Config, Depends(get_config)]


def presented_secret(request: Request) -> tuple[str, bool] | None:
    """The secret a request carries and whether it came as an API key (hapikey)."""
    header = request.headers.get("authorization")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip(), False
    params = request.query_params
    if params.get("access_token"):
        return params["access_token"], False
    if params.get("hapikey"):
        return params["hapikey"], True
    return None


_cache_lock = threading.Lock()


def principal_cache(app: FastAPI) -> PrincipalCache:
    """The app's cache of resolved callers (one per application object)."""
    cache: PrincipalCache | None = getattr(app.state, "principal_cache", None)
    if cache is None:
        with _cache_lock:
            cache = getattr(app.state, "principal_cache", None)
            if cache is None:
                cache = PrincipalCache()
                app.state.principal_cache = cache
    return cache


def forget_principals(request: Request) -> None:
    """Call after committing a revocation or uninstall, so no cached caller outlives it."""
    principal_cache(request.app).clear()


async def current_principal(request: Request) -> Principal:
    """The caller. Async so that a cache hit (the common case on the sync endpoints) costs no
    thread hop; a miss resolves the credential in the thread pool."""
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    presented = presented_secret(request)
    if presented is None:
        raise AuthenticationFailed(
            "Authentication credentials not found. Send a hapikey query parameter, an "
            "access_token query parameter or an 'Authorization: Bearer' header."
        )
    secret, as_api_key = presented
    cache = principal_cache(request.app)
    # The transport is part of the key: a key sent as a token is rejected, never served cached.
    key = digest(secret) + ("k" if as_api_key else "t")
    principal = cache.get(key)
    if principal is None:
        generation = cache.generation
        principal = await run_in_threadpool(_resolve, request, secret, as_api_key)
        cache.put(key, principal, generation)
    request.state.principal = principal
    return principal


def _resolve(request: Request, secret: str, as_api_key: bool) -> Principal:
    with get_database(request).read() as conn:
        return tenancy.authenticate(conn, secret, as_api_key=as_api_key)


Caller = Annotated[Principal, Depends(current_principal)]


def require_kinds(
    principal: Principal, *kinds: CredentialKind, scopes: frozenset[str] | None = SYNC_SCOPES
) -> Principal:
    """The caller, when its kind is one of ``kinds`` and (an OAuth token) it carries one of
    ``scopes``; None: no scope needed at this step (the route checks its own)."""
    if principal.kind not in kinds:
        needed = " or ".join(KIND_NAMES[k] for k in kinds)
        raise WrongCredentialKind(
            f"This endpoint requires {needed}; the request used {KIND_NAMES[principal.kind]}."
        )
    if scopes is not None and principal.kind is K.ACCESS_TOKEN:
        require_scopes(principal, scopes)
    return principal


def require_scopes(principal: Principal, scopes: frozenset[str]) -> None:
    """HubSpot's 403 MISSING_SCOPES unless the caller holds one of ``scopes`` (API keys are not
    scoped)."""
    if principal.kind in (K.PORTAL_API_KEY, K.DEVELOPER_API_KEY) or principal.scopes & scopes:
        return
    message = "One or more of the following scopes are required."
    raise MissingScopes(
        message, errors=[{"message": message, "context": {"requiredScopes": sorted(scopes)}}]
    )


async def portal_caller(principal: Caller) -> Principal:
    """Sync messages, stores, sync status: an installed app's token, a portal key or a
    private-app token."""
    return require_kinds(principal, K.ACCESS_TOKEN, K.PORTAL_API_KEY, K.PRIVATE_APP_TOKEN)


async def portal_any_caller(principal: Caller) -> Principal:
    """Any portal-scoped credential, whatever its scopes (account details)."""
    return require_kinds(
        principal, K.ACCESS_TOKEN, K.PORTAL_API_KEY, K.PRIVATE_APP_TOKEN, scopes=None
    )


async def portal_key_caller(principal: Caller) -> Principal:
    """Portal-level endpoints (v1 installs, portal error listing): the portal's own key."""
    return require_kinds(principal, K.PORTAL_API_KEY, K.PRIVATE_APP_TOKEN)


async def app_installation_caller(principal: Caller) -> Principal:
    """Imports and the app-in-portal error listing: only an installed app's OAuth token."""
    return require_kinds(principal, K.ACCESS_TOKEN)


async def developer_caller(principal: Caller) -> Principal:
    return require_kinds(principal, K.DEVELOPER_API_KEY)


PortalCaller = Annotated[Principal, Depends(portal_caller)]
PortalAnyCaller = Annotated[Principal, Depends(portal_any_caller)]
PortalKeyCaller = Annotated[Principal, Depends(portal_key_caller)]
AppInstallationCaller = Annotated[Principal, Depends(app_installation_caller)]
DeveloperCaller = Annotated[Principal, Depends(developer_caller)]


@dataclass(frozen=True)
class SettingsOwner:
    """Whose settings a request addresses: an app's (portal_id 0) or a portal's (app_id 0)."""

    portal_id: int
    app_id: int


def settings_owner(
    request: Request,
    principal: Caller,
    app_id: Annotated[str | None, Query(alias="appId")] = None,
) -> SettingsOwner:
    """Settings endpoints: developer key + appId for an app, a portal key for a portal."""
    require_kinds(principal, K.DEVELOPER_API_KEY, K.PORTAL_API_KEY, K.PRIVATE_APP_TOKEN)
    if principal.kind is K.DEVELOPER_API_KEY:
        if not app_id:
            raise ValidationFailed("appId is required with a developer API key.")
        return SettingsOwner(portal_id=0, app_id=developer_app(request, principal, app_id))
    assert principal.portal_id is not None
    return SettingsOwner(portal_id=principal.portal_id, app_id=0)


def developer_app(request: Request, principal: Principal, app_id: str | int) -> int:
    """The app id a developer key addresses, checked to belong to that developer."""
    parsed = parse_app_id(str(app_id))
    with get_database(request).read() as conn:
        tenancy.require_app_of_developer(conn, parsed, principal.developer_id)
    return parsed


def parse_app_id(value: str) -> int:
    try:
        app_id = int(value)
    except ValueError:
        raise ValidationFailed(f"appId must be an integer, got {value!r}.") from None
    if not 0 < app_id <= MAX_BIGINT:
        raise ValidationFailed(f"appId must be a positive integer below 2^63, got {value!r}.")
    return app_id
