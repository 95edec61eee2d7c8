"""CRM wire shapes: v3 properties and pipelines (ISO 8601 timestamps, as CRM v3 sends them) and
the legacy ``/crm-pipelines/v1`` pipelines that integrations read stage ids from."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Row

from ecombridge.clock import iso_ms
from ecombridge.crm_schema.object_types import find_object_type
from ecombridge.crm_schema.service import NewProperty, Pipeline
from ecombridge.errors import ValidationFailed


def object_type_of(name: str) -> str:
    found = find_object_type(name)
    if found is None:
        raise ValidationFailed(
            f"objectType: unknown object type {name!r}; use contacts, deals, products or "
            "line_items (or 0-1, 0-3, 0-7, 0-8)."
        )
    return found


def render_property(row: Row[Any]) -> dict[str, Any]:
    return {
        "name": row.name,
        "label": row.label,
        "type": row.type,
        "fieldType": row.field_type,
        "groupName": row.group_name,
        "description": row.description,
        "options": list(row.options or []),
        "displayOrder": -1,
        "calculated": False,
        "externalOptions": False,
        "hasUniqueValue": bool(row.has_unique_value),
        "hidden": False,
        "hubspotDefined": bool(row.hubspot_defined),
        "formField": True,
        "createdAt": iso_ms(row.created_at),
        "updatedAt": iso_ms(row.updated_at),
        "archived": False,
    }


def text_field(body: dict[str, Any], key: str, *, required: bool, limit: int) -> str | None:
    value = body.get(key)
    if value is None:
        if required:
            raise ValidationFailed(f"{key}: is required and must be a non-empty string.")
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise ValidationFailed(f"{key}: must be a non-empty string.")
    if len(value) > limit:
        raise ValidationFailed(f"{key}: must be at most {limit} characters.")
    return value


def parse_options(raw: Any) -> list[dict[str, Any]]:
    if raw is None or raw == "":  # some clients send "" for an absent attribute
        return []
    if not isinstance(raw, list):
        raise ValidationFailed("options: must be an array of {label, value}.")
    options = []
    for i, item in enumerate(raw):
        where = f"options[{i}]"
        if not isinstance(item, dict):
            raise ValidationFailed(f"{where}: must be an object {{label, value}}.")
        label, value = item.get("label"), item.get("value")
        if not isinstance(label, str) or not isinstance(value, str) or not value:
            raise ValidationFailed(f"{where}: label and value must be strings, value non-empty.")
        order = item.get("displayOrder", i)
        hidden = item.get("hidden", False)
        if not isinstance(order, int) or not isinstance(hidden, bool):
            raise ValidationFailed(f"{where}: displayOrder must be an integer, hidden a boolean.")
        options.append({"label": label, "value": value, "displayOrder": order, "hidden": hidden})
    return options


def parse_new_property(body: Any) -> NewProperty:
    if not isinstance(body, dict):
        raise ValidationFailed("body: must be a JSON object {name, label, type, ...}.")
    return NewProperty(
        name=text_field(body, "name", required=True, limit=100) or "",
        label=text_field(body, "label", required=True, limit=200) or "",
        type=text_field(body, "type", required=True, limit=20) or "",
        field_type=text_field(body, "fieldType", required=False, limit=20),
        group_name=text_field(body, "groupName", required=False, limit=100),
        description=text_field(body, "description", required=False, limit=1000) or "",
        options=parse_options(body.get("options")),
        has_unique_value=_flag(body, "hasUniqueValue"),
    )


def _flag(body: dict[str, Any], key: str) -> bool:
    value = body.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ValidationFailed(f"{key}: must be true or false.")
    return value


def render_pipeline_v3(pipeline: Pipeline) -> dict[str, Any]:
    row = pipeline.row
    return {
        "id": row.id,
        "label": row.label,
        "displayOrder": row.display_order,
        "archived": False,
        "createdAt": iso_ms(row.created_at),
        "updatedAt": iso_ms(row.updated_at),
        "stages": [
            {
                "id": stage.id,
                "label": stage.label,
                "displayOrder": stage.display_order,
                "metadata": _stage_metadata(stage),
                "archived": False,
                "createdAt": iso_ms(stage.created_at),
                "updatedAt": iso_ms(stage.updated_at),
            }
            for stage in pipeline.stages
        ],
    }


def _stage_metadata(stage: Row[Any]) -> dict[str, str]:
    return {
        "probability": str(float(stage.probability)),
        "isClosed": "true" if stage.is_closed else "false",
    }


def render_pipeline_v1(pipeline: Pipeline) -> dict[str, Any]:
    row = pipeline.row
    return {
        "pipelineId": row.id,
        "label": row.label,
        "displayOrder": row.display_order,
        "active": True,
        "stages": [
            {
                "stageId": stage.id,
                "label": stage.label,
                "displayOrder": stage.display_order,
                "probability": float(stage.probability),
                "closedWon": bool(stage.is_closed and stage.probability >= 1.0),
                "active": True,
                "metadata": _stage_metadata(stage),
            }
            for stage in pipeline.stages
        ],
    }
