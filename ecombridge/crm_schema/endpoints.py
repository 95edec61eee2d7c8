"""The portal's CRM schema over HTTP: CRM v3 properties and deal pipelines, and the legacy
``/crm-pipelines/v1`` pipelines (which integrations read the ecommerce stage ids from)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ecombridge.api.deps import PortalCaller, ReadConn, WriteConn
from ecombridge.api.json_body import JsonBody
from ecombridge.crm_schema import service
from ecombridge.crm_schema.schemas import (
    object_type_of,
    parse_new_property,
    render_pipeline_v1,
    render_pipeline_v3,
    render_property,
)
from ecombridge.errors import ValidationFailed
from ecombridge.tenancy.principal import Principal

router = APIRouter(tags=["crm schema"])


def _portal(caller: Principal) -> int:
    assert caller.portal_id is not None  # every kind PortalCaller admits is portal-scoped
    return caller.portal_id


@router.get("/crm/v3/properties/{object_type}")
def list_properties(caller: PortalCaller, object_type: str, conn: ReadConn) -> dict[str, Any]:
    rows = service.list_properties(conn, _portal(caller), object_type_of(object_type))
    return {"results": [render_property(row) for row in rows]}


@router.get("/crm/v3/properties/{object_type}/{name}")
def get_property(
    caller: PortalCaller, object_type: str, name: str, conn: ReadConn
) -> dict[str, Any]:
    row = service.get_property(conn, _portal(caller), object_type_of(object_type), name)
    return render_property(row)


@router.post("/crm/v3/properties/{object_type}", status_code=201)
def create_property(
    caller: PortalCaller, object_type: str, body: JsonBody, conn: WriteConn
) -> JSONResponse:
    kind = object_type_of(object_type)
    row = service.create_property(conn, _portal(caller), kind, parse_new_property(body))
    return JSONResponse(render_property(row), status_code=201)


def _deals(object_type: str) -> None:
    if object_type_of(object_type) != "DEAL":
        raise ValidationFailed(f"objectType: only deal pipelines exist, not {object_type!r}.")


@router.get("/crm/v3/pipelines/{object_type}")
def list_pipelines_v3(caller: PortalCaller, object_type: str, conn: ReadConn) -> dict[str, Any]:
    _deals(object_type)
    return {
        "results": [render_pipeline_v3(p) for p in service.list_pipelines(conn, _portal(caller))]
    }


@router.get("/crm/v3/pipelines/{object_type}/{pipeline_id}")
def get_pipeline_v3(
    caller: PortalCaller, object_type: str, pipeline_id: str, conn: ReadConn
) -> dict[str, Any]:
    _deals(object_type)
    return render_pipeline_v3(service.get_pipeline(conn, _portal(caller), pipeline_id))


@router.get("/crm-pipelines/v1/pipelines/{object_type}")
def list_pipelines_v1(caller: PortalCaller, object_type: str, conn: ReadConn) -> dict[str, Any]:
    _deals(object_type)
    return {
        "results": [render_pipeline_v1(p) for p in service.list_pipelines(conn, _portal(caller))]
    }
