"""CRM objects as HubSpot's v3 API shows them: every property value a string, ISO-8601 times."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.engine import Row

from ecombridge.clock import iso_ms, now_ms
from ecombridge.crm import catalog


def wire_value(value: Any, prop_type: str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        if prop_type in ("datetime", "date"):
            try:
                text = iso_ms(int(value))
            except (ValueError, OverflowError):
                pass  # beyond years 1-9999: no ISO form, shown as the number it is
            else:
                return text if prop_type == "datetime" else text[:10]
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        # HubSpot shows a property with several values (the provided source_app_id and
        # source_store_id of a contact synced by several sources) as "a;b".
        return ";".join(str(wire_value(item, None)) for item in value if item is not None)
    return json.dumps(value)


def crm_object(
    row: Row[Any],
    names: list[str] | None,
    registry: dict[str, str],
    associations: dict[str, list[dict[str, str]]] | None = None,
) -> dict[str, Any]:
    """The v3 object; ``names`` are the requested properties (None: the type's defaults).
    Requested properties the portal defines but the object lacks are null; unknown ones are
    left out, as HubSpot does."""
    object_type = row.object_type
    stored: dict[str, Any] = row.properties or {}
    properties: dict[str, str | None] = {}
    for name in names if names is not None else catalog.DEFAULT_PROPERTIES[object_type]:
        if name in stored:
            properties[name] = wire_value(stored[name], registry.get(name))
        elif name in registry:
            properties[name] = None
    created = stored.get("createdate")
    properties["createdate"] = wire_value(created, "datetime") or iso_ms(row.created_at)
    properties[catalog.last_modified_name(object_type)] = iso_ms(row.updated_at)
    properties["hs_object_id"] = str(row.id)
    body: dict[str, Any] = {
        "id": str(row.id),
        "properties": properties,
        "createdAt": iso_ms(row.created_at),
        "updatedAt": iso_ms(row.updated_at),
        "archived": bool(row.archived),
    }
    if row.archived:
        body["archivedAt"] = iso_ms(row.updated_at)
    if associations:
        body["associations"] = {
            plural: {"results": results} for plural, results in associations.items() if results
        }
        if not body["associations"]:
            del body["associations"]
    return body


def standard_error(
    category: str,
    message: str,
    context: dict[str, list[str]] | None = None,
    errors: list[dict[str, Any]] | None = None,
    sub_category: str | None = None,
) -> dict[str, Any]:
    """One entry of a batch answer's ``errors`` (HubSpot's StandardError)."""
    body: dict[str, Any] = {
        "status": "error",
        "category": category,
        "message": message,
        "context": context or {},
        "errors": errors or [],
        "links": {},
    }
    if sub_category is not None:
        body["subCategory"] = sub_category
    return body


def not_found_error(object_type: str, ids: list[str]) -> dict[str, Any]:
    """The batch error listing the ids of ``object_type`` that name no object."""
    message = (
        f"Could not get some {object_type} objects, they may be deleted or not exist. "
        "Check that ids are valid."
    )
    return standard_error("OBJECT_NOT_FOUND", message, {"ids": ids})


def batch_answer(
    ok_status: int, started_at: int, results: list[Any], errors: list[dict[str, Any]]
) -> tuple[int, dict[str, Any]]:
    """(status code, body) of a batch: ``ok_status`` when every input succeeded, else 207
    Multi-Status with ``errors`` and ``numErrors`` (HubSpot's BatchResponse...WithErrors)."""
    body: dict[str, Any] = {
        "status": "COMPLETE",
        "results": results,
        "startedAt": iso_ms(started_at),
        "completedAt": iso_ms(now_ms()),
    }
    if not errors:
        return ok_status, body
    body["numErrors"] = len(errors)
    body["errors"] = errors
    return 207, body
