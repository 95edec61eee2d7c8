"""Wire shapes of the legacy properties API (``/properties/v1|v2/{objectType}/...``), which
integrations such as mitxpro and Drupal commerce_hubspot use to create their own properties.
Timestamps are epoch milliseconds, as that API sent them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Row

from ecombridge.crm_schema.schemas import parse_options, text_field
from ecombridge.crm_schema.service import PropertyChanges
from ecombridge.errors import ValidationFailed
from ecombridge.limits import MAX_INT32


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


def parse_property_changes(body: Any, name: str) -> PropertyChanges:
    if not isinstance(body, dict):
        raise ValidationFailed("body: must be a JSON object with the attributes to change.")
    if body.get("name") not in (None, "", name):
        raise ValidationFailed(f"name: a property cannot be renamed (it is {name!r}).")
    options = body.get("options")
    return PropertyChanges(
        label=text_field(body, "label", required=False, limit=200) or None,
        type=text_field(body, "type", required=False, limit=20) or None,
        field_type=text_field(body, "fieldType", required=False, limit=20) or None,
        group_name=text_field(body, "groupName", required=False, limit=100) or None,
        description=text_field(body, "description", required=False, limit=1000),
        options=None if options is None else parse_options(options),
    )


def parse_group(body: Any, *, creating: bool) -> tuple[str | None, str | None, int | None]:
    """(name, displayName, displayOrder) of a group body."""
    if not isinstance(body, dict):
        raise ValidationFailed('body: must be a JSON object {"name", "displayName"}.')
    name = text_field(body, "name", required=creating, limit=100)
    label = text_field(body, "displayName", required=creating, limit=200)
    order = body.get("displayOrder")
    if order is not None and (not isinstance(order, int) or isinstance(order, bool)):
        raise ValidationFailed("displayOrder: must be an integer.")
    if order is not None and not -MAX_INT32 - 1 <= order <= MAX_INT32:
        raise ValidationFailed(f"displayOrder: must be between {-MAX_INT32 - 1} and {MAX_INT32}.")
    return name, label, order
