"""Wire shapes of the legacy properties API (``/properties/v1|v2/{objectType}/...``), which
integrations such as mitxpro and Drupal commerce_hubspot use to create their own properties.
Timestamps are epoch milliseconds, as that API sent them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Row


def render_property_v1(row: Row[Any]) -> dict[str, Any]:
    defined = bool(row.hubspot_defined)
    return {
        "name": row.name,
        "label": row.label,
        "description": row.description,
        "groupName": row.group_name,
        "type": row.type,
        "fieldType": row.field_type,
        "options": [dict(o, description=o.get("description", "")) for o in row.options or []],
        "displayOrder": -1,
        "formField": True,
        "hidden": False,
        "calculated": False,
        "externalOptions": False,
        "deleted": False,
        "hubspotDefined": defined,
        "readOnlyValue": False,
        "readOnlyDefinition": defined,
        "mutableDefinitionNotDeletable": defined,
        "createdAt": int(row.created_at),
        "updatedAt": int(row.updated_at),
    }


def render_group_v1(row: Row[Any], properties: list[Row[Any]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": row.name,
        "displayName": row.label,
        "displayOrder": row.display_order,
        "hubspotDefined": bool(row.hubspot_defined),
    }
    if properties is not None:
        body["properties"] = [render_property_v1(p) for p in properties]
    return body
