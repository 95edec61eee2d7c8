"""The oldest deal properties API, ``/deals/v1/properties``, which clients of that era
(hubspot-php's ``DealProperties``) still call: the deal properties, in the legacy properties
API's shape."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from ecombridge.api.crm_access import DealSchemaRead, DealSchemaWrite
from ecombridge.api.deps import ReadConn, WriteConn
from ecombridge.api.json_body import JsonBody
from ecombridge.crm_schema import service
from ecombridge.crm_schema.endpoints import portal_of
from ecombridge.crm_schema.legacy_schemas import render_property_v1
from ecombridge.crm_schema.schemas import parse_new_property, parse_property_changes

router = APIRouter(prefix="/deals/v1/properties", tags=["legacy properties"])


@router.get("")
def list_properties(caller: DealSchemaRead, conn: ReadConn) -> list[dict[str, Any]]:
    rows = service.list_properties(conn, portal_of(caller), "DEAL")
    return [render_property_v1(row) for row in rows]


@router.get("/named/{name}")
def get_property(caller: DealSchemaRead, name: str, conn: ReadConn) -> dict[str, Any]:
    return render_property_v1(service.get_property(conn, portal_of(caller), "DEAL", name))


@router.post("")
def create_property(caller: DealSchemaWrite, body: JsonBody, conn: WriteConn) -> dict[str, Any]:
    row = service.create_property(conn, portal_of(caller), "DEAL", parse_new_property(body))
    return render_property_v1(row)


@router.put("/named/{name}")
def update_property(
    caller: DealSchemaWrite, name: str, body: JsonBody, conn: WriteConn
) -> dict[str, Any]:
    changes = parse_property_changes(body, name)
    return render_property_v1(
        service.update_property(conn, portal_of(caller), "DEAL", name, changes)
    )


@router.delete("/named/{name}", status_code=204)
def delete_property(caller: DealSchemaWrite, name: str, conn: WriteConn) -> Response:
    service.delete_property(conn, portal_of(caller), "DEAL", name)
    return Response(status_code=204)
