"""CRM v3 objects (list, read, search) and v4 associations, as hubspot-api-client calls them."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request

from ecombridge.api.crm_access import ObjectsRead
from ecombridge.api.deps import ReadConn
from ecombridge.api.json_body import JsonBody
from ecombridge.crm import search, service
from ecombridge.tenancy.principal import Principal

router = APIRouter(tags=["crm"])
V3 = "/crm/v3/objects/{object_type}"
_SECRET_PARAMS = {"hapikey", "access_token"}

Names = Annotated[list[str], Query()]


def _portal(principal: Principal) -> int:
    assert principal.portal_id is not None
    return principal.portal_id


def _next_link(request: Request, body: dict[str, Any]) -> dict[str, Any]:
    """HubSpot's paging.next.link: this request's URL with the next ``after``."""
    paging = body.get("paging")
    if paging is not None:
        params = [
            (k, v)
            for k, v in request.query_params.multi_items()
            if k not in _SECRET_PARAMS and k != "after"
        ]
        params.append(("after", paging["next"]["after"]))
        paging["next"]["link"] = f"{request.url.path}?{urlencode(params)}"
    return body


@router.get(V3)
def list_objects(
    request: Request,
    object_type: str,
    principal: ObjectsRead,
    conn: ReadConn,
    limit: str | None = None,
    after: str | None = None,
    properties: Names = [],  # noqa: B006 - FastAPI copies defaults
    associations: Names = [],  # noqa: B006
    archived: str | None = None,
) -> dict[str, Any]:
    params = service.ReadParams(properties, associations, archived)
    body = service.list_objects(conn, _portal(principal), object_type, params, limit, after)
    return _next_link(request, body)


@router.get(V3 + "/{object_id}")
def get_object(
    object_type: str,
    object_id: str,
    principal: ObjectsRead,
    conn: ReadConn,
    properties: Names = [],  # noqa: B006
    associations: Names = [],  # noqa: B006
    archived: str | None = None,
    id_property: Annotated[str | None, Query(alias="idProperty")] = None,
) -> dict[str, Any]:
    params = service.ReadParams(properties, associations, archived)
    return service.get_object(conn, _portal(principal), object_type, object_id, params, id_property)


@router.post(V3 + "/search")
def search_objects(
    object_type: str, principal: ObjectsRead, conn: ReadConn, body: JsonBody
) -> dict[str, Any]:
    return search.search_objects(conn, _portal(principal), object_type, body)


@router.get("/crm/v4/objects/{object_type}/{object_id}/associations/{to_object_type}")
def get_associations(
    request: Request,
    object_type: str,
    object_id: str,
    to_object_type: str,
    principal: ObjectsRead,
    conn: ReadConn,
    limit: str | None = None,
    after: str | None = None,
) -> dict[str, Any]:
    body = service.v4_associations(
        conn, _portal(principal), object_type, object_id, to_object_type, limit, after
    )
    return _next_link(request, body)
