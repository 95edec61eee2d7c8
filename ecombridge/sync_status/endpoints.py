"""Sync status and sync-error listings, v2 (reference §3 rows 10-13) and v1 (§4 rows 10-14)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from ecombridge.api.deps import (
    AppInstallationCaller,
    Caller,
    DeveloperCaller,
    PortalCaller,
    PortalKeyCaller,
    ReadConn,
    developer_app,
    require_kinds,
)
from ecombridge.errors import ValidationFailed, WrongCredentialKind
from ecombridge.relay import service as relay_service
from ecombridge.sync_status import service
from ecombridge.sync_status.filters import RawFilters, parse_filters, parse_int
from ecombridge.sync_status.schemas import (
    NextPage,
    Paging,
    SyncErrorPage,
    SyncStatus,
    SyncStatusWithWarnings,
    V1SyncError,
    V1SyncErrorPage,
)
from ecombridge.tenancy.principal import CredentialKind, Principal

router = APIRouter(tags=["sync status"])
V2 = "/extensions/ecomm/v2"
V1 = "/extensions/ecomm/v1"
# Never echoed into paging links.
_SECRET_PARAMS = {"hapikey", "access_token"}


def raw_filters(
    q_object_type: Annotated[str | None, Query(alias="objectType")] = None,
    q_error_type: Annotated[str | None, Query(alias="errorType")] = None,
    q_include_resolved: Annotated[str | None, Query(alias="includeResolved")] = None,
    q_show_resolved: Annotated[str | None, Query(alias="showResolvedErrors")] = None,
    q_limit: Annotated[str | None, Query(alias="limit")] = None,
    q_offset: Annotated[str | None, Query(alias="offset")] = None,
    q_page: Annotated[str | None, Query(alias="page")] = None,
) -> RawFilters:
    # Distinct Python names: a path of the same name ({object_type}) must not capture them.
    return RawFilters(
        q_object_type,
        q_error_type,
        q_include_resolved,
        q_show_resolved,
        q_limit,
        q_offset,
        q_page,
    )


Raw = Annotated[RawFilters, Depends(raw_filters)]


def _caller(principal: Principal) -> service.Caller:
    assert principal.portal_id is not None
    return service.Caller(principal.portal_id, principal.source_app_id)


def _developer_app(request: Request, principal: Principal, app_id: str) -> int:
    """The app named by ``appId``, which must belong to the calling developer."""
    return developer_app(request, principal, parse_int(app_id, "appId", 1))


def _paging(request: Request, next_page: int | None) -> Paging | None:
    if next_page is None:
        return None
    params = [
        (k, v)
        for k, v in request.query_params.multi_items()
        if k not in _SECRET_PARAMS and k not in ("page", "offset")
    ]
    params.append(("page", str(next_page)))
    link = f"{request.url.path}?{urlencode(params)}"
    return Paging(next=NextPage(page=str(next_page), link=link))


def _v2_page(request: Request, conn: ReadConn, scope: service.ErrorScope, raw: RawFilters) -> Any:
    listing = service.list_errors(conn, scope, parse_filters(raw))
    return SyncErrorPage(
        results=[service.to_sync_error(row) for row in listing.rows],
        paging=_paging(request, listing.next_page),
    )


def _v1_page(request: Request, conn: ReadConn, scope: service.ErrorScope, raw: RawFilters) -> Any:
    listing = service.list_errors(conn, scope, parse_filters(raw, v1=True))
    return V1SyncErrorPage(
        results=[service.to_v1_sync_error(row) for row in listing.rows],
        paging=_paging(request, listing.next_page),
    )


# ---------------------------------------------------------------------------------------------
# v2


@router.get(
    V2 + "/sync/status/{first}/{second}/{external_id:path}",
    response_model=SyncStatus | SyncStatusWithWarnings,
)
def get_sync_status(
    first: str,
    second: str,
    external_id: str,
    principal: PortalCaller,
    conn: ReadConn,
    include_warnings: Annotated[bool, Query(alias="includeWarnings")] = False,
    include_destinations: Annotated[bool, Query(alias="includeDestinations")] = False,
) -> Any:
    """``includeWarnings=true`` adds ``warnings`` and ``includeDestinations=true`` adds
    ``destinations`` (the bridge's own keys) to the six."""
    status = service.sync_status(
        conn,
        _caller(principal),
        first,
        second,
        external_id,
        include_warnings=include_warnings,
    )
    if not include_destinations:
        return status
    destinations = relay_service.deliveries_of(
        conn, _caller(principal).portal_id, status.objectType, status.hubspotId
    )
    return JSONResponse(status.model_dump() | {"destinations": destinations})


@router.get(V2 + "/sync/errors", response_model=SyncErrorPage, response_model_exclude_none=True)
def get_app_portal_errors(
    request: Request, principal: AppInstallationCaller, conn: ReadConn, raw: Raw
) -> Any:
    """Errors of the calling app in the calling portal."""
    scope = service.ErrorScope(principal.portal_id, principal.source_app_id)
    return _v2_page(request, conn, scope, raw)


@router.get(
    V2 + "/sync/errors/portal", response_model=SyncErrorPage, response_model_exclude_none=True
)
def get_portal_errors(
    request: Request, principal: PortalKeyCaller, conn: ReadConn, raw: Raw
) -> Any:
    """All errors of the portal, whichever app or custom integration sent the data."""
    return _v2_page(request, conn, service.ErrorScope(principal.portal_id, None), raw)


@router.get(
    V2 + "/sync/errors/app/{app_id}",
    response_model=SyncErrorPage,
    response_model_exclude_none=True,
)
def get_app_errors(
    request: Request, app_id: str, principal: DeveloperCaller, conn: ReadConn, raw: Raw
) -> Any:
    """Errors of one of the developer's apps, across every portal."""
    app = _developer_app(request, principal, app_id)
    return _v2_page(request, conn, service.ErrorScope(None, app), raw)


# ---------------------------------------------------------------------------------------------
# v1 (data of the "default" store)


@router.get(V1 + "/sync-status/{object_type}/{external_id:path}")
def get_v1_sync_status(
    object_type: str,
    external_id: str,
    principal: PortalCaller,
    conn: ReadConn,
    include_destinations: Annotated[bool, Query(alias="includeDestinations")] = False,
) -> dict[str, object]:
    """``includeDestinations=true`` adds ``destinations``, as on v2."""
    body = service.v1_sync_status(conn, _caller(principal), object_type, external_id)
    if include_destinations:
        hubspot_id = body["hubspotId"]
        body["destinations"] = relay_service.deliveries_of(
            conn,
            _caller(principal).portal_id,
            object_type,
            hubspot_id if isinstance(hubspot_id, int) else None,
        )
    return body


@router.get(V1 + "/sync-errors", response_model=V1SyncErrorPage, response_model_exclude_none=True)
def get_v1_errors(
    request: Request,
    principal: Caller,
    conn: ReadConn,
    raw: Raw,
    app_id: Annotated[str | None, Query(alias="appId")] = None,
) -> Any:
    """A portal key: the portal's errors; an app's token: the app's in that portal; a developer
    key with appId: the app's across portals."""
    K = CredentialKind
    require_kinds(
        principal, K.PORTAL_API_KEY, K.PRIVATE_APP_TOKEN, K.ACCESS_TOKEN, K.DEVELOPER_API_KEY
    )
    if principal.kind is K.DEVELOPER_API_KEY:
        if not app_id:
            raise ValidationFailed("appId is required with a developer API key.")
        scope = service.ErrorScope(None, _developer_app(request, principal, app_id))
    elif principal.kind is K.ACCESS_TOKEN:
        scope = service.ErrorScope(principal.portal_id, principal.source_app_id)
    else:
        scope = service.ErrorScope(principal.portal_id, None)
    return _v1_page(request, conn, scope, raw)


@router.get(
    V1 + "/sync-errors/app/{app_id}",
    response_model=V1SyncErrorPage,
    response_model_exclude_none=True,
)
def get_v1_app_errors(
    request: Request, app_id: str, principal: DeveloperCaller, conn: ReadConn, raw: Raw
) -> Any:
    app = _developer_app(request, principal, app_id)
    return _v1_page(request, conn, service.ErrorScope(None, app), raw)


@router.get(
    V1 + "/sync-errors/portal/{portal_id}",
    response_model=V1SyncErrorPage,
    response_model_exclude_none=True,
)
def get_v1_portal_errors(
    request: Request, portal_id: str, principal: PortalKeyCaller, conn: ReadConn, raw: Raw
) -> Any:
    wanted = parse_int(portal_id, "portalId", 1)
    if wanted != principal.portal_id:
        raise WrongCredentialKind(
            f"This API key belongs to portal {principal.portal_id}, not portal {wanted}."
        )
    return _v1_page(request, conn, service.ErrorScope(wanted, None), raw)


@router.get(V1 + "/sync-errors/object/{object_type}/{external_id:path}", response_model=V1SyncError)
def get_v1_object_error(
    object_type: str,
    external_id: str,
    principal: PortalCaller,
    conn: ReadConn,
    raw: Raw,
) -> V1SyncError:
    include_resolved = parse_filters(raw, v1=True).include_resolved
    return service.v1_object_error(
        conn, _caller(principal), object_type, external_id, include_resolved
    )
