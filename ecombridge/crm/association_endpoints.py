"""CRM v4 association writes and batch reads over HTTP, as hubspot-api-client calls them
(associations.v4 basic_api create/create_default/archive, batch_api)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from ecombridge.api.deps import PortalCaller, ReadConn, WriteConn
from ecombridge.api.json_body import JsonBody
from ecombridge.crm import associations_v4 as v4
from ecombridge.crm import schemas as s
from ecombridge.tenancy.principal import Principal

router = APIRouter(tags=["crm associations"])
ONE = "/crm/v4/objects/{from_type}/{from_id}/associations"
BATCH = "/crm/v4/associations/{from_type}/{to_type}/batch"
NOT_FOUND = (404, s.Error, "One of the objects does not exist.")
MISSING = "Some inputs name objects that do not exist: they are listed in errors."


def _portal(principal: Principal) -> int:
    assert principal.portal_id is not None
    return principal.portal_id


@router.put(
    ONE + "/default/{to_type}/{to_id}",
    summary="Associate two objects with their default association type",
    responses=s.answers(
        (200, s.BatchResponsePublicDefaultAssociation, "The association made."), NOT_FOUND
    ),
)
def put_default(
    from_type: str,
    from_id: str,
    to_type: str,
    to_id: str,
    principal: PortalCaller,
    conn: WriteConn,
) -> dict[str, Any]:
    return v4.put_default(conn, _portal(principal), from_type, from_id, to_type, to_id)


@router.put(
    ONE + "/{to_type}/{to_id}",
    status_code=201,
    summary="Associate two objects with the association types given",
    openapi_extra=s.request_body(list[s.AssociationSpec]),
    responses=s.answers((201, s.LabelsBetweenObjectPair, "The association made."), NOT_FOUND),
)
def put_labelled(
    from_type: str,
    from_id: str,
    to_type: str,
    to_id: str,
    principal: PortalCaller,
    conn: WriteConn,
    body: JsonBody,
) -> JSONResponse:
    made = v4.put_labelled(conn, _portal(principal), from_type, from_id, to_type, to_id, body)
    return JSONResponse(made, status_code=201)


@router.delete(
    ONE + "/{to_type}/{to_id}",
    status_code=204,
    summary="Remove every association between two objects",
    responses=s.answers(NOT_FOUND),
)
def delete_association(
    from_type: str,
    from_id: str,
    to_type: str,
    to_id: str,
    principal: PortalCaller,
    conn: WriteConn,
) -> Response:
    v4.delete(conn, _portal(principal), from_type, from_id, to_type, to_id)
    return Response(status_code=204)


@router.post(
    BATCH + "/create",
    status_code=201,
    summary="Associate pairs of objects with the association types given",
    openapi_extra=s.request_body(s.BatchInputPublicAssociationMultiPost),
    responses=s.answers(
        (201, s.BatchResponseLabelsBetweenObjectPair, "Every pair was associated."),
        (207, s.BatchResponseLabelsBetweenObjectPairWithErrors, MISSING),
    ),
)
def batch_create(
    from_type: str, to_type: str, principal: PortalCaller, conn: WriteConn, body: JsonBody
) -> JSONResponse:
    status, answer = v4.batch_create(conn, _portal(principal), from_type, to_type, body)
    return JSONResponse(answer, status_code=status)


@router.post(
    BATCH + "/associate/default",
    summary="Associate pairs of objects with their default association type",
    openapi_extra=s.request_body(s.BatchInputPublicDefaultAssociationMultiPost),
    responses=s.answers(
        (200, s.BatchResponsePublicDefaultAssociation, "The pairs associated; " + MISSING)
    ),
)
def batch_default(
    from_type: str, to_type: str, principal: PortalCaller, conn: WriteConn, body: JsonBody
) -> dict[str, Any]:
    return v4.batch_default(conn, _portal(principal), from_type, to_type, body)


@router.post(
    BATCH + "/archive",
    status_code=204,
    summary="Remove the associations between pairs of objects",
    openapi_extra=s.request_body(s.BatchInputPublicAssociationMultiArchive),
    responses=s.answers(),
)
def batch_archive(
    from_type: str, to_type: str, principal: PortalCaller, conn: WriteConn, body: JsonBody
) -> Response:
    v4.batch_archive(conn, _portal(principal), from_type, to_type, body)
    return Response(status_code=204)


@router.post(
    BATCH + "/read",
    summary="Read the associations of a batch of objects",
    openapi_extra=s.request_body(s.BatchInputPublicFetchAssociationsBatchRequest),
    responses=s.answers(
        (200, s.BatchResponsePublicAssociationMultiWithLabel, "Every object's associations."),
        (
            207,
            s.BatchResponsePublicAssociationMultiWithLabelWithErrors,
            "Objects with none of these associations, or that do not exist, are in errors.",
        ),
    ),
)
def batch_read(
    from_type: str, to_type: str, principal: PortalCaller, conn: ReadConn, body: JsonBody
) -> JSONResponse:
    status, answer = v4.batch_read(conn, _portal(principal), from_type, to_type, body)
    return JSONResponse(answer, status_code=status)
