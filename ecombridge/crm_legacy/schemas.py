"""CRM v3 objects in the legacy CRM objects shape: ``objectId``, ``objectType``, ``portalId``,
``isDeleted``, and each property as ``{"value", "timestamp", "source", "sourceId"}``."""

from __future__ import annotations

from typing import Any

from ecombridge.clock import parse_iso_ms


def legacy_object(v3: dict[str, Any], object_type: str, portal_id: int) -> dict[str, Any]:
    updated = parse_iso_ms(v3["updatedAt"])
    return {
        "objectType": object_type,
        "portalId": portal_id,
        "objectId": int(v3["id"]),
        "properties": {
            name: {"value": value, "timestamp": updated, "source": "API", "sourceId": None}
            for name, value in v3["properties"].items()
            if value is not None
        },
        "version": 1,
        "isDeleted": bool(v3["archived"]),
    }


def legacy_page(
    v3_page: dict[str, Any], object_type: str, portal_id: int, offset: int
) -> dict[str, Any]:
    """``{"objects", "hasMore", "offset"}``: ``offset`` is the cursor of the next page (the last
    object's id), or the one given when the page is the last."""
    objects = [legacy_object(o, object_type, portal_id) for o in v3_page["results"]]
    paging = v3_page.get("paging")
    next_offset = int(paging["next"]["after"]) if paging else offset
    return {"objects": objects, "hasMore": paging is not None, "offset": next_offset}
