"""The portal's CRM v3 properties and property groups over HTTP."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from ecombridge.api.crm_access import SchemaRead, SchemaWrite
from ecombridge.api.deps import ReadConn, WriteConn
from ecombridge.api.json_body import JsonBody
from ecombridge.crm_schema import groups, service
from ecombridge.crm_schema.schemas import (
    object_type_of,
    parse_group,
    parse_new_property,
    parse_property_changes,
    render_group,
    render_property,
)
from ecombridge.tenancy.principal import Principal

router = APIRouter(tags=["crm properties"])
PROPERTIES = "/crm/v3/properties/{object_type}"
GROUPS = PROPERTIES + "/groups"


def portal_of(caller: Principal) -> int:
    assert caller.portal_id is not None  # every kind the CRM callers admit is portal-scoped
    return caller.portal_id


# Groups first: "/groups" would otherwise be read as a property named "groups".


@router.get(GROUPS)
def list_groups(caller: SchemaRead, object_type: str, conn: ReadConn) -> dict[str, Any]:
    rows = groups.list_groups(conn, portal_of(caller), object_type_of(object_type))
    return {"results": [render_group(row) for row in rows]}


@router.post(GROUPS, status_code=201)
def create_group(
    caller: SchemaWrite, object_type: str, body: JsonBody, conn: WriteConn
) -> JSONResponse:
    name, label, order = parse_group(body, creating=True)
    assert name is not None and label is not None  # required when creating
    row = groups.create_group(
        conn, portal_of(caller), object_type_of(object_type), name, label, order
    )
    return JSONResponse(render_group(row), status_code=201)


@router.get(GROUPS + "/{name}")
def get_group(caller: SchemaRead, object_type: str, name: str, conn: ReadConn) -> dict[str, Any]:
    return render_group(
        groups.get_group(conn, portal_of(caller), object_type_of(object_type), name)
    )


@router.patch(GROUPS + "/{name}")
def update_group(
    caller: SchemaWrite, object_type: str, name: str, body: JsonBody, conn: WriteConn
) -> dict[str, Any]:
    _, label, order = parse_group(body, creating=False)
    kind = object_type_of(object_type)
    return render_group(groups.update_group(conn, portal_of(caller), kind, name, label, order))


@router.delete(GROUPS + "/{name}", status_code=204)
def delete_group(caller: SchemaWrite, object_type: str, name: str, conn: WriteConn) -> Response:
    groups.delete_group(conn, portal_of(caller), object_type_of(object_type), name)
    return Response(status_code=204)


@router.get(PROPERTIES)
def list_properties(caller: SchemaRead, object_type: str, conn: ReadConn) -> dict[str, Any]:
    rows = service.list_properties(conn, portal_of(caller), object_type_of(object_type))
    return {"results": [render_property(row) for row in rows]}


@router.post(PROPERTIES, status_code=201)
def create_property(
    caller: SchemaWrite, object_type: str, body: JsonBody, conn: WriteConn
) -> JSONResponse:
    kind = object_type_of(object_type)
    row = service.create_property(conn, portal_of(caller), kind, parse_new_property(body))
    return JSONResponse(render_property(row), status_code=201)


@router.get(PROPERTIES + "/{name}")
def get_property(caller: SchemaRead, object_type: str, name: str, conn: ReadConn) -> dict[str, Any]:
    row = service.get_property(conn, portal_of(caller), object_type_of(object_type), name)
    return render_property(row)


@router.patch(PROPERTIES + "/{name}")
def update_property(
    caller: SchemaWrite, object_type: str, name: str, body: JsonBody, conn: WriteConn
) -> dict[str, Any]:
    kind = object_type_of(object_type)
    changes = parse_property_changes(body, name)
    return render_property(service.update_property(conn, portal_of(caller), kind, name, changes))


@router.delete(PROPERTIES + "/{name}", status_code=204)
def delete_property(caller: SchemaWrite, object_type: str, name: str, conn: WriteConn) -> Response:
    service.delete_property(conn, portal_of(caller), object_type_of(object_type), name)
    return Response(status_code=204)
