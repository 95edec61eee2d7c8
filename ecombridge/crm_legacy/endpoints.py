"""``GET /crm-objects/v1/objects/{type}/paged`` and ``/{id}``: hubspot3's ``get_all_products``,
``get_all`` line items and ``get_product``, over the same objects as CRM v3."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from ecombridge.api.crm_access import ObjectsRead
from ecombridge.api.deps import ReadConn
from ecombridge.crm import catalog, service
from ecombridge.crm_legacy.schemas import legacy_object, legacy_page
from ecombridge.tenancy.principal import Principal

router = APIRouter(prefix="/crm-objects/v1/objects/{object_type}", tags=["legacy crm objects"])
DEFAULT_LIMIT = "20"


def _portal(caller: Principal) -> int:
    assert caller.portal_id is not None
    return caller.portal_id


@router.get("/paged")
def list_objects(
    caller: ObjectsRead,
    object_type: str,
    conn: ReadConn,
    properties: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI copies defaults
    limit: str | None = None,
    offset: str | None = None,
) -> dict[str, Any]:
    kind = catalog.object_type(object_type)
    cursor = service.parse_after(offset) or 0
    params = service.ReadParams(properties, [])
    page = service.list_objects(
        conn, _portal(caller), object_type, params, limit or DEFAULT_LIMIT, str(cursor or "")
    )
    return legacy_page(page, kind, _portal(caller), cursor)


@router.get("/{object_id}")
def get_object(
    caller: ObjectsRead,
    object_type: str,
    object_id: str,
    conn: ReadConn,
    properties: Annotated[list[str], Query()] = [],  # noqa: B006
) -> dict[str, Any]:
    kind = catalog.object_type(object_type)
    params = service.ReadParams(properties, [])
    found = service.get_object(conn, _portal(caller), object_type, object_id, params, None)
    return legacy_object(found, kind, _portal(caller))
