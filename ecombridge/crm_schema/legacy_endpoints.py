"""The legacy properties API (``/properties/v1`` and ``/v2``) over HTTP: properties and groups
of contacts, deals, products and line items."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from ecombridge.api.crm_access import SchemaRead, SchemaWrite
from ecombridge.api.deps import ReadConn, WriteConn
from ecombridge.api.json_body import JsonBody
from ecombridge.crm_schema import groups, service
from ecombridge.crm_schema.endpoints import portal_of
from ecombridge.crm_schema.legacy_schemas import render_group_v1, render_property_v1
from ecombridge.crm_schema.schemas import (
    object_type_of,
    parse_group,
    parse_new_property,
    parse_property_changes,
)
from ecombridge.errors import NotFound
from ecombridge.tenancy.principal import Principal

router = APIRouter(prefix="/properties/{version}/{object_type}", tags=["legacy properties"])


def _scope(caller: Principal, version: str, object_type: str) -> tuple[int, str]:
    if version not in ("v1", "v2"):
        raise NotFound(f"No properties API version {version!r}; use v1 or v2.")
    return portal_of(caller), object_type_of(object_type)


@router.get("/properties")
def list_properties(
    caller: SchemaRead, version: str, object_type: str, conn: ReadConn
) -> list[dict[str, Any]]:
    portal_id, kind = _scope(caller, version, object_type)
    return [render_property_v1(row) for row in service.list_properties(conn, portal_id, kind)]


@router.get("/properties/named/{name}")
def get_property(
    caller: SchemaRead, version: str, object_type: str, name: str, conn: ReadConn
) -> dict[str, Any]:
    portal_id, kind = _scope(caller, version, object_type)
    return render_property_v1(service.get_property(conn, portal_id, kind, name))


@router.post("/properties")
def create_property(
    caller: SchemaWrite, version: str, object_type: str, body: JsonBody, conn: WriteConn
) -> dict[str, Any]:
    portal_id, kind = _scope(caller, version, object_type)
    row = service.create_property(conn, portal_id, kind, parse_new_property(body))
    return render_property_v1(row)


@router.put("/properties/named/{name}")
def update_property(
    caller: SchemaWrite,
    version: str,
    object_type: str,
    name: str,
    body: JsonBody,
    conn: WriteConn,
) -> dict[str, Any]:
    portal_id, kind = _scope(caller, version, object_type)
    changes = parse_property_changes(body, name)
    return render_property_v1(service.update_property(conn, portal_id, kind, name, changes))


@router.delete("/properties/named/{name}", status_code=204)
def delete_property(
    caller: SchemaWrite, version: str, object_type: str, name: str, conn: WriteConn
) -> Response:
    portal_id, kind = _scope(caller, version, object_type)
    service.delete_property(conn, portal_id, kind, name)
    return Response(status_code=204)


@router.get("/groups")
def list_groups(
    caller: SchemaRead,
    version: str,
    object_type: str,
    conn: ReadConn,
    include_properties: Annotated[bool, Query(alias="includeProperties")] = False,
) -> list[dict[str, Any]]:
    portal_id, kind = _scope(caller, version, object_type)
    rows = groups.list_groups(conn, portal_id, kind)
    if not include_properties:
        return [render_group_v1(row) for row in rows]
    props = service.list_properties(conn, portal_id, kind)
    return [render_group_v1(row, [p for p in props if p.group_name == row.name]) for row in rows]


@router.get("/groups/named/{name}")
def get_group(
    caller: SchemaRead, version: str, object_type: str, name: str, conn: ReadConn
) -> dict[str, Any]:
    portal_id, kind = _scope(caller, version, object_type)
    return render_group_v1(groups.get_group(conn, portal_id, kind, name))


@router.post("/groups")
def create_group(
    caller: SchemaWrite, version: str, object_type: str, body: JsonBody, conn: WriteConn
) -> dict[str, Any]:
    portal_id, kind = _scope(caller, version, object_type)
    name, label, order = parse_group(body, creating=True, label_key="displayName")
    assert name is not None and label is not None  # required when creating
    return render_group_v1(groups.create_group(conn, portal_id, kind, name, label, order))


@router.put("/groups/named/{name}")
def update_group(
    caller: SchemaWrite,
    version: str,
    object_type: str,
    name: str,
    body: JsonBody,
    conn: WriteConn,
) -> dict[str, Any]:
    portal_id, kind = _scope(caller, version, object_type)
    _, label, order = parse_group(body, creating=False, label_key="displayName")
    return render_group_v1(groups.update_group(conn, portal_id, kind, name, label, order))


@router.delete("/groups/named/{name}", status_code=204)
def delete_group(
    caller: SchemaWrite, version: str, object_type: str, name: str, conn: WriteConn
) -> Response:
    portal_id, kind = _scope(caller, version, object_type)
    groups.delete_group(conn, portal_id, kind, name)
    return Response(status_code=204)
