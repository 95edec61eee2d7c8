"""Deal pipelines and their stages over HTTP: CRM v3, and the legacy ``/crm-pipelines/v1``
(hubspot3, the WooCommerce plugin) and ``/deals/v1/pipelines`` (hubspot-php) APIs over the same
data."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from ecombridge.api.crm_access import PipelinesRead, PipelinesWrite
from ecombridge.api.deps import ReadConn, WriteConn
from ecombridge.api.json_body import JsonBody
from ecombridge.crm_schema import pipelines as rules
from ecombridge.crm_schema.endpoints import portal_of
from ecombridge.crm_schema.pipeline_schemas import (
    legacy_pipeline_id,
    parse_pipeline,
    parse_pipeline_patch,
    parse_stage,
    parse_stage_patch,
    render_pipeline_v1,
    render_pipeline_v3,
    render_stage_v3,
)
from ecombridge.crm_schema.schemas import object_type_of
from ecombridge.errors import ValidationFailed

router = APIRouter(tags=["crm pipelines"])
V3 = "/crm/v3/pipelines/{object_type}"
ONE = V3 + "/{pipeline_id}"
STAGES = ONE + "/stages"
V1 = "/crm-pipelines/v1/pipelines/{object_type}"


def _deals(object_type: str) -> None:
    if object_type_of(object_type) != "DEAL":
        raise ValidationFailed(f"objectType: only deal pipelines exist, not {object_type!r}.")


@router.get(V3)
def list_pipelines(caller: PipelinesRead, object_type: str, conn: ReadConn) -> dict[str, Any]:
    _deals(object_type)
    found = rules.list_pipelines(conn, portal_of(caller))
    return {"results": [render_pipeline_v3(p) for p in found]}


@router.post(V3, status_code=201)
def create_pipeline(
    caller: PipelinesWrite, object_type: str, body: JsonBody, conn: WriteConn
) -> JSONResponse:
    _deals(object_type)
    created = rules.create_pipeline(conn, portal_of(caller), parse_pipeline(body))
    return JSONResponse(render_pipeline_v3(created), status_code=201)


@router.get(ONE)
def get_pipeline(
    caller: PipelinesRead, object_type: str, pipeline_id: str, conn: ReadConn
) -> dict[str, Any]:
    _deals(object_type)
    return render_pipeline_v3(rules.get_pipeline(conn, portal_of(caller), pipeline_id))


@router.put(ONE)
def replace_pipeline(
    caller: PipelinesWrite, object_type: str, pipeline_id: str, body: JsonBody, conn: WriteConn
) -> dict[str, Any]:
    _deals(object_type)
    new = parse_pipeline(body)
    return render_pipeline_v3(rules.replace_pipeline(conn, portal_of(caller), pipeline_id, new))


@router.patch(ONE)
def update_pipeline(
    caller: PipelinesWrite, object_type: str, pipeline_id: str, body: JsonBody, conn: WriteConn
) -> dict[str, Any]:
    _deals(object_type)
    label, order = parse_pipeline_patch(body)
    updated = rules.update_pipeline(conn, portal_of(caller), pipeline_id, label, order)
    return render_pipeline_v3(updated)


@router.delete(ONE, status_code=204)
def delete_pipeline(
    caller: PipelinesWrite, object_type: str, pipeline_id: str, conn: WriteConn
) -> Response:
    _deals(object_type)
    rules.delete_pipeline(conn, portal_of(caller), pipeline_id)
    return Response(status_code=204)


@router.get(STAGES)
def list_stages(
    caller: PipelinesRead, object_type: str, pipeline_id: str, conn: ReadConn
) -> dict[str, Any]:
    _deals(object_type)
    pipeline = rules.get_pipeline(conn, portal_of(caller), pipeline_id)
    return {"results": [render_stage_v3(stage) for stage in pipeline.stages]}


@router.post(STAGES, status_code=201)
def create_stage(
    caller: PipelinesWrite, object_type: str, pipeline_id: str, body: JsonBody, conn: WriteConn
) -> JSONResponse:
    _deals(object_type)
    stage = rules.create_stage(conn, portal_of(caller), pipeline_id, parse_stage(body))
    return JSONResponse(render_stage_v3(stage), status_code=201)


@router.get(STAGES + "/{stage_id}")
def get_stage(
    caller: PipelinesRead, object_type: str, pipeline_id: str, stage_id: str, conn: ReadConn
) -> dict[str, Any]:
    _deals(object_type)
    return render_stage_v3(rules.get_stage(conn, portal_of(caller), pipeline_id, stage_id))


@router.put(STAGES + "/{stage_id}")
def replace_stage(
    caller: PipelinesWrite,
    object_type: str,
    pipeline_id: str,
    stage_id: str,
    body: JsonBody,
    conn: WriteConn,
) -> dict[str, Any]:
    _deals(object_type)
    new = parse_stage(body)
    stage = rules.replace_stage(conn, portal_of(caller), pipeline_id, stage_id, new)
    return render_stage_v3(stage)


@router.patch(STAGES + "/{stage_id}")
def update_stage(
    caller: PipelinesWrite,
    object_type: str,
    pipeline_id: str,
    stage_id: str,
    body: JsonBody,
    conn: WriteConn,
) -> dict[str, Any]:
    _deals(object_type)
    changes = parse_stage_patch(body)
    stage = rules.update_stage(conn, portal_of(caller), pipeline_id, stage_id, changes)
    return render_stage_v3(stage)


@router.delete(STAGES + "/{stage_id}", status_code=204)
def delete_stage(
    caller: PipelinesWrite, object_type: str, pipeline_id: str, stage_id: str, conn: WriteConn
) -> Response:
    _deals(object_type)
    rules.delete_stage(conn, portal_of(caller), pipeline_id, stage_id)
    return Response(status_code=204)


# Legacy APIs


@router.get(V1)
def list_pipelines_v1(caller: PipelinesRead, object_type: str, conn: ReadConn) -> dict[str, Any]:
    _deals(object_type)
    found = rules.list_pipelines(conn, portal_of(caller))
    return {"results": [render_pipeline_v1(p) for p in found]}


@router.post(V1)
def create_pipeline_v1(
    caller: PipelinesWrite, object_type: str, body: JsonBody, conn: WriteConn
) -> dict[str, Any]:
    _deals(object_type)
    new = parse_pipeline(body, legacy=True)
    created = rules.create_pipeline(conn, portal_of(caller), new, legacy_pipeline_id(body))
    return render_pipeline_v1(created)


@router.put(V1 + "/{pipeline_id}")
def replace_pipeline_v1(
    caller: PipelinesWrite, object_type: str, pipeline_id: str, body: JsonBody, conn: WriteConn
) -> dict[str, Any]:
    _deals(object_type)
    new = parse_pipeline(body, legacy=True)
    return render_pipeline_v1(rules.replace_pipeline(conn, portal_of(caller), pipeline_id, new))


@router.delete(V1 + "/{pipeline_id}", status_code=204)
def delete_pipeline_v1(
    caller: PipelinesWrite, object_type: str, pipeline_id: str, conn: WriteConn
) -> Response:
    _deals(object_type)
    rules.delete_pipeline(conn, portal_of(caller), pipeline_id)
    return Response(status_code=204)


@router.get("/deals/v1/pipelines")
def list_deal_pipelines(caller: PipelinesRead, conn: ReadConn) -> list[dict[str, Any]]:
    found = rules.list_pipelines(conn, portal_of(caller))
    return [render_pipeline_v1(p, with_metadata=False) for p in found]


@router.get("/deals/v1/pipelines/{pipeline_id}")
def get_deal_pipeline(caller: PipelinesRead, pipeline_id: str, conn: ReadConn) -> dict[str, Any]:
    pipeline = rules.get_pipeline(conn, portal_of(caller), pipeline_id)
    return render_pipeline_v1(pipeline, with_metadata=False)
