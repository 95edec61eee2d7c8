"""v2 stores over HTTP. Stores belong to the caller's portal and source: an app token sees its
app's stores, a portal key or private-app token the portal's custom integration's."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from ecombridge.api.deps import PortalCaller, ReadConn, WriteConn
from ecombridge.api.json_body import JsonBody
from ecombridge.stores import service
from ecombridge.stores.schemas import parse_store, render_store
from ecombridge.tenancy.principal import Principal

router = APIRouter(prefix="/extensions/ecomm/v2/stores", tags=["stores"])


def _owner(caller: Principal) -> tuple[int, int]:
    assert caller.portal_id is not None  # every kind PortalCaller admits is portal-scoped
    return caller.portal_id, caller.source_app_id


@router.put("")
def put_store(caller: PortalCaller, body: JsonBody, conn: WriteConn) -> dict[str, Any]:
    return render_store(service.put_store(conn, *_owner(caller), parse_store(body)))


@router.get("")
def list_stores(caller: PortalCaller, conn: ReadConn) -> dict[str, Any]:
    return {"results": [render_store(s) for s in service.list_stores(conn, *_owner(caller))]}


# Registered before "/{store_id}" routes; also reachable as "/default/replace/" (slash-tolerant).
@router.post("/default/replace")
@router.post("/replace-default")
def replace_default(caller: PortalCaller, body: JsonBody, conn: WriteConn) -> dict[str, Any]:
    return render_store(service.replace_default(conn, *_owner(caller), parse_store(body)))


@router.get("/{store_id}")
def get_store(caller: PortalCaller, store_id: str, conn: ReadConn) -> dict[str, Any]:
    return render_store(service.get_store(conn, *_owner(caller), store_id))


@router.delete("/{store_id}", status_code=204)
def delete_store(caller: PortalCaller, store_id: str, conn: WriteConn) -> Response:
    service.delete_store(conn, *_owner(caller), store_id)
    return Response(status_code=204)
