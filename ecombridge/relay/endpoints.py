"""Destinations over HTTP (a portal key or a private-app token of the portal): list and add,
read, pause/resume or a new token (PATCH), remove."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from ecombridge.api.deps import PortalKeyCaller, ReadConn, WriteConn
from ecombridge.api.json_body import JsonBody
from ecombridge.relay import service
from ecombridge.relay.schemas import parse_changes, parse_new
from ecombridge.tenancy.principal import Principal

router = APIRouter(tags=["relay"])
PREFIX = "/relay/v1/destinations"


def _portal(caller: Principal) -> int:
    assert caller.portal_id is not None  # portal keys and private-app tokens belong to one
    return caller.portal_id


@router.get(PREFIX)
def list_destinations(caller: PortalKeyCaller, conn: ReadConn) -> dict[str, Any]:
    return {"results": service.list_status(conn, _portal(caller))}


@router.post(PREFIX, status_code=201)
def add_destination(caller: PortalKeyCaller, body: JsonBody, conn: WriteConn) -> dict[str, Any]:
    dest_id = service.add_destination(conn, _portal(caller), parse_new(body))
    return service.get_status(conn, _portal(caller), dest_id)


@router.get(PREFIX + "/{destination_id}")
def get_destination(caller: PortalKeyCaller, destination_id: int, conn: ReadConn) -> dict[str, Any]:
    return service.get_status(conn, _portal(caller), destination_id)


@router.patch(PREFIX + "/{destination_id}")
def change_destination(
    caller: PortalKeyCaller, destination_id: int, body: JsonBody, conn: WriteConn
) -> dict[str, Any]:
    service.change_destination(conn, _portal(caller), destination_id, parse_changes(body))
    return service.get_status(conn, _portal(caller), destination_id)


@router.delete(PREFIX + "/{destination_id}", status_code=204)
def remove_destination(caller: PortalKeyCaller, destination_id: int, conn: WriteConn) -> Response:
    service.remove_destination(conn, _portal(caller), destination_id)
    return Response(status_code=204)
