"""CRM v3 object writes and batches over HTTP, as hubspot-api-client calls them (basic_api
create/update/archive, batch_api read/create/update/upsert/archive)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from ecombridge.api.deps import PortalCaller, ReadConn, WriteConn
from ecombridge.api.json_body import JsonBody
from ecombridge.crm import object_writes
from ecombridge.crm import schemas as s
from ecombridge.crm.endpoints import V3
from ecombridge.tenancy.principal import Principal

router = APIRouter(tags=["crm"])
IdProperty = Annotated[str | None, Query(alias="idProperty")]
NOT_FOUND = (404, s.Error, "No object has this id (or idProperty value).")
CONFLICT = (409, s.Error, "A unique value or a contact's email is held by another object.")
PARTIAL = "Some inputs failed: they are listed in errors; the others were written."


def _portal(principal: Principal) -> int:
    assert principal.portal_id is not None
    return principal.portal_id


@router.post(
    V3,
    status_code=201,
    summary="Create an object",
    openapi_extra=s.request_body(s.SimplePublicObjectInputForCreate),
    responses=s.answers((201, s.SimplePublicObject, "The object created."), CONFLICT),
)
def create_object(
    object_type: str, principal: PortalCaller, conn: WriteConn, body: JsonBody
) -> JSONResponse:
    created = object_writes.create(conn, _portal(principal), object_type, body)
    return JSONResponse(created, status_code=201)


@router.patch(
    V3 + "/{object_id}",
    summary="Update an object (by id, or by idProperty)",
    openapi_extra=s.request_body(s.SimplePublicObjectInput),
    responses=s.answers((200, s.SimplePublicObject, "The object updated."), NOT_FOUND, CONFLICT),
)
def update_object(
    object_type: str,
    object_id: str,
    principal: PortalCaller,
    conn: WriteConn,
    body: JsonBody,
    id_property: IdProperty = None,
) -> JSONResponse:
    updated = object_writes.update(
        conn, _portal(principal), object_type, object_id, id_property, body
    )
    return JSONResponse(updated)


@router.delete(
    V3 + "/{object_id}",
    status_code=204,
    summary="Archive an object",
    responses=s.answers(NOT_FOUND),
)
def archive_object(
    object_type: str,
    object_id: str,
    principal: PortalCaller,
    conn: WriteConn,
    id_property: IdProperty = None,
) -> Response:
    object_writes.archive(conn, _portal(principal), object_type, object_id, id_property)
    return Response(status_code=204)


@router.post(
    V3 + "/batch/read",
    summary="Read a batch of objects by id or by idProperty",
    openapi_extra=s.request_body(s.BatchReadInputSimplePublicObjectId),
    responses=s.answers(
        (200, s.BatchResponseSimplePublicObject, "Every object asked for."),
        (207, s.BatchResponseSimplePublicObjectWithErrors, "Some ids match no object."),
    ),
)
def batch_read(
    object_type: str,
    principal: PortalCaller,
    conn: ReadConn,
    body: JsonBody,
    archived: str | None = None,
) -> JSONResponse:
    status, answer = object_writes.batch_read(conn, _portal(principal), object_type, body, archived)
    return JSONResponse(answer, status_code=status)


@router.post(
    V3 + "/batch/create",
    status_code=201,
    summary="Create a batch of objects (at most 100)",
    openapi_extra=s.request_body(s.BatchInputSimplePublicObjectBatchInputForCreate),
    responses=s.answers(
        (201, s.BatchResponseSimplePublicObject, "Every object was created."),
        (207, s.BatchResponseSimplePublicObjectWithErrors, PARTIAL),
    ),
)
def batch_create(
    object_type: str, principal: PortalCaller, conn: WriteConn, body: JsonBody
) -> JSONResponse:
    status, answer = object_writes.batch_create(conn, _portal(principal), object_type, body)
    return JSONResponse(answer, status_code=status)


@router.post(
    V3 + "/batch/update",
    summary="Update a batch of objects (at most 100)",
    openapi_extra=s.request_body(s.BatchInputSimplePublicObjectBatchInput),
    responses=s.answers(
        (200, s.BatchResponseSimplePublicObject, "Every object was updated."),
        (207, s.BatchResponseSimplePublicObjectWithErrors, PARTIAL),
    ),
)
def batch_update(
    object_type: str, principal: PortalCaller, conn: WriteConn, body: JsonBody
) -> JSONResponse:
    status, answer = object_writes.batch_update(conn, _portal(principal), object_type, body)
    return JSONResponse(answer, status_code=status)


@router.post(
    V3 + "/batch/upsert",
    summary="Create or update a batch of objects by a unique property (at most 100)",
    openapi_extra=s.request_body(s.BatchInputSimplePublicObjectBatchInputUpsert),
    responses=s.answers(
        (200, s.BatchResponseSimplePublicUpsertObject, "Every object was written."),
        (207, s.BatchResponseSimplePublicUpsertObjectWithErrors, PARTIAL),
    ),
)
def batch_upsert(
    object_type: str,
    principal: PortalCaller,
    conn: WriteConn,
    body: JsonBody,
    id_property: IdProperty = None,
) -> JSONResponse:
    status, answer = object_writes.batch_upsert(
        conn, _portal(principal), object_type, body, id_property
    )
    return JSONResponse(answer, status_code=status)


@router.post(
    V3 + "/batch/archive",
    status_code=204,
    summary="Archive a batch of objects (at most 100)",
    openapi_extra=s.request_body(s.BatchInputSimplePublicObjectId),
    responses=s.answers(),
)
def batch_archive(
    object_type: str, principal: PortalCaller, conn: WriteConn, body: JsonBody
) -> Response:
    object_writes.batch_archive(conn, _portal(principal), object_type, body)
    return Response(status_code=204)
