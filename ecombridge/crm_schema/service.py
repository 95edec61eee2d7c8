"""Rules of the portal's CRM schema. Takes a connection, never commits."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Row

from ecombridge.clock import now_ms
from ecombridge.crm_schema import repository as repo
from ecombridge.crm_schema.object_types import OBJECT_TYPES
from ecombridge.crm_schema.standard import (
    ECOMMERCE_STAGES,
    FIELD_TYPES,
    INFORMATION_GROUPS,
    MANAGED_PREFIX,
    PIPELINE_LABEL,
    PropertyDef,
    portal_groups,
    portal_properties,
)
from ecombridge.errors import Conflict, NotFound, ValidationFailed

# The pipeline id is a UUID of its own per portal; deriving it from the portal id makes
# concurrent installs agree on it, so a plain insert-if-missing is race free.
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,99}$")
_PIPELINE_NAMESPACE = uuid.UUID("6f1c2a3e-0b7d-4c59-9a43-3c1e0d6f8b21")


def ecommerce_pipeline_id(portal_id: int) -> str:
    return str(uuid.uuid5(_PIPELINE_NAMESPACE, f"ecommerce-pipeline:{portal_id}"))


def _property_row(portal_id: int, object_type: str, prop: PropertyDef, now: int) -> dict[str, Any]:
    return {
        "portal_id": portal_id,
        "object_type": object_type,
        "name": prop.name,
        "label": prop.label,
        "type": prop.type,
        "field_type": prop.field_type,
        "group_name": prop.group_name or INFORMATION_GROUPS[object_type],
        "description": prop.description,
        "options": prop.options_json(),
        "hubspot_defined": prop.hubspot_defined,
        "created_at": now,
        "updated_at": now,
    }


def ensure_portal_schema(conn: Connection, portal_id: int) -> None:
    """Put the standard and managed properties and the ecommerce pipeline in place.

    Idempotent and safe to run concurrently: only what is missing is inserted, and nothing a
    portal changed since is touched.
    """
    now = now_ms()
    rows = [
        _property_row(portal_id, object_type, prop, now)
        for object_type in OBJECT_TYPES
        for prop in portal_properties(object_type)
    ]
    repo.insert_properties_if_missing(conn, rows)
    repo.insert_groups_if_missing(
        conn,
        [
            {
                "portal_id": portal_id,
                "object_type": object_type,
                "name": name,
                "label": label,
                "display_order": order,
                "hubspot_defined": True,
                "created_at": now,
                "updated_at": now,
            }
            for object_type in OBJECT_TYPES
            for order, (name, label) in enumerate(portal_groups(object_type))
        ],
    )
    pipeline_id = ecommerce_pipeline_id(portal_id)
    repo.insert_pipeline_if_missing(
        conn,
        {
            "portal_id": portal_id,
            "id": pipeline_id,
            "object_type": "DEAL",
            "label": PIPELINE_LABEL,
            "display_order": 0,
            "created_at": now,
            "updated_at": now,
        },
    )
    repo.insert_stages_if_missing(
        conn,
        [
            {
                "portal_id": portal_id,
                "pipeline_id": pipeline_id,
                "id": stage.id,
                "label": stage.label,
                "display_order": order,
                "probability": stage.probability,
                "is_closed": stage.is_closed,
                "created_at": now,
                "updated_at": now,
            }
            for order, stage in enumerate(ECOMMERCE_STAGES)
        ],
    )


# ---------------------------------------------------------------------------------------------
# Properties


def list_properties(conn: Connection, portal_id: int, object_type: str) -> list[Row[Any]]:
    return repo.list_properties(conn, portal_id, object_type)


def get_property(conn: Connection, portal_id: int, object_type: str, name: str) -> Row[Any]:
    row = repo.get_property(conn, portal_id, object_type, name) if _NAME.match(name) else None
    if row is None:
        raise NotFound(f"Property {name!r} does not exist on {object_type} in this portal.")
    return row


@dataclass(frozen=True)
class NewProperty:
    name: str
    label: str
    type: str
    field_type: str | None
    group_name: str | None
    description: str
    options: list[dict[str, Any]]
    has_unique_value: bool = False


def create_property(
    conn: Connection, portal_id: int, object_type: str, new: NewProperty
) -> Row[Any]:
    if not _NAME.match(new.name):
        raise ValidationFailed(
            f"name: {new.name!r} is not a valid property name; use lower-case letters, digits "
            "and underscores, starting with a letter (at most 100 characters)."
        )
    if new.type not in FIELD_TYPES:
        raise ValidationFailed(f"type: must be one of {', '.join(FIELD_TYPES)}; got {new.type!r}.")
    if new.type == "enumeration" and not new.options:
        raise ValidationFailed("options: an enumeration property needs at least one option.")
    # Imported here: the crm package builds on this module.
    from ecombridge.crm import unique_values

    if new.has_unique_value:
        unique_values.check_can_add(conn, portal_id, object_type, new.type)
    now = now_ms()
    row = {
        "portal_id": portal_id,
        "object_type": object_type,
        "name": new.name,
        "label": new.label,
        "type": new.type,
        "field_type": new.field_type or FIELD_TYPES[new.type],
        "group_name": new.group_name or INFORMATION_GROUPS[object_type],
        "description": new.description,
        "options": new.options if new.type == "enumeration" else [],
        "hubspot_defined": False,
        "has_unique_value": new.has_unique_value,
        "created_at": now,
        "updated_at": now,
    }
    if not repo.insert_property(conn, row):
        raise Conflict(f"Property {new.name!r} already exists on {object_type} in this portal.")
    if new.has_unique_value:
        unique_values.index_property(conn, portal_id, object_type, new.name)
    return get_property(conn, portal_id, object_type, new.name)


@dataclass(frozen=True)
class PropertyChanges:
    """A partial update; None leaves the attribute as it is."""

    label: str | None = None
    type: str | None = None
    field_type: str | None = None
    group_name: str | None = None
    description: str | None = None
    options: list[dict[str, Any]] | None = None


def _require_editable(row: Row[Any]) -> None:
    if row.hubspot_defined or str(row.name).startswith(MANAGED_PREFIX):
        raise ValidationFailed(
            f"Property {row.name!r} is defined by HubSpot or the bridge and cannot be changed "
            "or deleted."
        )


def update_property(
    conn: Connection, portal_id: int, object_type: str, name: str, changes: PropertyChanges
) -> Row[Any]:
    row = get_property(conn, portal_id, object_type, name)
    _require_editable(row)
    new_type = changes.type or row.type
    if new_type not in FIELD_TYPES:
        raise ValidationFailed(f"type: must be one of {', '.join(FIELD_TYPES)}; got {new_type!r}.")
    values: dict[str, Any] = {
        key: value
        for key, value in (
            ("label", changes.label),
            ("type", changes.type),
            ("field_type", changes.field_type),
            ("group_name", changes.group_name),
            ("description", changes.description),
            ("options", changes.options),
        )
        if value is not None
    }
    if changes.type and not changes.field_type and changes.type != row.type:
        values["field_type"] = FIELD_TYPES[changes.type]
    values["updated_at"] = now_ms()
    repo.update_property(conn, portal_id, object_type, name, values)
    return get_property(conn, portal_id, object_type, name)


def delete_property(conn: Connection, portal_id: int, object_type: str, name: str) -> None:
    _require_editable(get_property(conn, portal_id, object_type, name))
    repo.delete_property(conn, portal_id, object_type, name)


def property_types(conn: Connection, portal_id: int, object_type: str) -> dict[str, str]:
    """name -> type of every property of ``object_type`` (for validating synced values)."""
    return {row.name: row.type for row in repo.list_properties(conn, portal_id, object_type)}


# ---------------------------------------------------------------------------------------------
# Pipelines


@dataclass(frozen=True)
class Pipeline:
    row: Row[Any]
    stages: list[Row[Any]]


def list_pipelines(
    conn: Connection, portal_id: int, pipeline_id: str | None = None
) -> list[Pipeline]:
    rows = repo.list_pipelines(conn, portal_id, "DEAL", pipeline_id)
    if not rows:
        return []
    stages = repo.list_stages(conn, portal_id, [r.id for r in rows])
    return [Pipeline(r, [s for s in stages if s.pipeline_id == r.id]) for r in rows]


def get_pipeline(conn: Connection, portal_id: int, pipeline_id: str) -> Pipeline:
    valid = 0 < len(pipeline_id) <= 64 and "\x00" not in pipeline_id
    found = list_pipelines(conn, portal_id, pipeline_id) if valid else []
    if not found:
        raise NotFound(f"Pipeline {pipeline_id!r} does not exist in this portal.")
    return found[0]


def deal_stage_ids(conn: Connection, portal_id: int) -> set[str]:
    """Every valid ``dealstage`` value of the portal."""
    pipelines = list_pipelines(conn, portal_id)
    return {stage.id for p in pipelines for stage in p.stages}
