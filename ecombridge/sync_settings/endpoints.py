"""Settings over HTTP: v2 ``/settings``, v1 ``/settings`` and v1 ``/import-settings``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from ecombridge.api.deps import (
    Db,
    DeveloperCaller,
    ReadConn,
    SettingsOwner,
    WriteConn,
    developer_app,
    settings_owner,
)
from ecombridge.api.json_body import JsonBody
from ecombridge.errors import ValidationFailed
from ecombridge.sync_settings import service
from ecombridge.sync_settings.schemas import render_v1, render_v2
from ecombridge.sync_settings.validation import (
    check_webhook_uri,
    parse_import_settings,
    parse_v1,
    parse_v2,
)

router = APIRouter(tags=["settings"])

V2 = "/extensions/ecomm/v2/settings"
V1 = "/extensions/ecomm/v1/settings"
Owner = Annotated[SettingsOwner, Depends(settings_owner)]
ShowMappings = Annotated[bool, Query(alias="showProvidedMappings")]
ShowProperties = Annotated[bool, Query(alias="showProvidedProperties")]


@router.put(V2)
def put_settings_v2(
    owner: Owner, body: JsonBody, db: Db, show_provided: ShowMappings = False
) -> dict[str, Any]:
    settings = parse_v2(body)
    check_webhook_uri("webhookUri", settings.webhook_uri)  # before the write transaction
    with db.write() as conn:
        stored = service.put_settings_v2(conn, owner.portal_id, owner.app_id, settings)
    return render_v2(stored, show_provided=show_provided)


@router.get(V2)
def get_settings_v2(
    owner: Owner, conn: ReadConn, show_provided: ShowMappings = False
) -> dict[str, Any]:
    stored = service.get_settings(conn, owner.portal_id, owner.app_id)
    return render_v2(stored, show_provided=show_provided)


@router.delete(V2, status_code=204)
@router.delete(V1, status_code=204)
def delete_settings(owner: Owner, conn: WriteConn) -> Response:
    service.delete_settings(conn, owner.portal_id, owner.app_id)
    return Response(status_code=204)


@router.put(V1)
def put_settings_v1(
    owner: Owner, body: JsonBody, conn: WriteConn, show_provided: ShowProperties = False
) -> dict[str, Any]:
    stored = service.put_settings_v1(conn, owner.portal_id, owner.app_id, parse_v1(body))
    return render_v1(stored, show_provided=show_provided)


@router.get(V1)
def get_settings_v1(
    owner: Owner, conn: ReadConn, show_provided: ShowProperties = False
) -> dict[str, Any]:
    stored = service.get_settings(conn, owner.portal_id, owner.app_id)
    return render_v1(stored, show_provided=show_provided)


IMPORT_SETTINGS = "/extensions/ecomm/v1/import-settings"


def _import_app(request: Request, caller: DeveloperCaller, app_id: str | None) -> int:
    if not app_id:
        raise ValidationFailed("appId: required with the developer API key.")
    return developer_app(request, caller, app_id)


@router.get(IMPORT_SETTINGS)
def get_import_settings(
    request: Request,
    caller: DeveloperCaller,
    conn: ReadConn,
    app_id: Annotated[str | None, Query(alias="appId")] = None,
) -> dict[str, Any]:
    uri = service.get_import_trigger_uri(conn, _import_app(request, caller, app_id))
    return {"importTriggerUri": uri}


@router.put(IMPORT_SETTINGS)
def put_import_settings(
    request: Request,
    caller: DeveloperCaller,
    body: JsonBody,
    db: Db,
    app_id: Annotated[str | None, Query(alias="appId")] = None,
) -> dict[str, Any]:
    app = _import_app(request, caller, app_id)
    uri = parse_import_settings(body)
    check_webhook_uri("importTriggerUri", uri)  # before the write transaction
    with db.write() as conn:
        stored = service.set_import_trigger_uri(conn, app, uri)
    return {"importTriggerUri": stored}
