"""Property group rules (legacy properties API). Takes a connection, never commits."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.engine import Connection, Row

from ecombridge.clock import now_ms
from ecombridge.crm_schema import repository as repo
from ecombridge.errors import Conflict, NotFound, ValidationFailed

_GROUP_NAME = re.compile(r"^[a-z][a-z0-9_]{0,99}$")


def list_groups(conn: Connection, portal_id: int, object_type: str) -> list[Row[Any]]:
    return repo.list_groups(conn, portal_id, object_type)


def get_group(conn: Connection, portal_id: int, object_type: str, name: str) -> Row[Any]:
    row = repo.get_group(conn, portal_id, object_type, name) if _GROUP_NAME.match(name) else None
    if row is None:
        raise NotFound(f"Property group {name!r} does not exist on {object_type} in this portal.")
    return row


def create_group(
    conn: Connection, portal_id: int, object_type: str, name: str, label: str, order: int | None
) -> Row[Any]:
    if not _GROUP_NAME.match(name):
        raise ValidationFailed(
            f"name: {name!r} is not a valid group name; use lower-case letters, digits and "
            "underscores, starting with a letter (at most 100 characters)."
        )
    now = now_ms()
    row = {
        "portal_id": portal_id,
        "object_type": object_type,
        "name": name,
        "label": label,
        "display_order": order
        if order is not None
        else len(list_groups(conn, portal_id, object_type)),
        "hubspot_defined": False,
        "created_at": now,
        "updated_at": now,
    }
    if not repo.insert_group(conn, row):
        raise Conflict(f"Property group {name!r} already exists on {object_type} in this portal.")
    return get_group(conn, portal_id, object_type, name)


def update_group(
    conn: Connection,
    portal_id: int,
    object_type: str,
    name: str,
    label: str | None,
    order: int | None,
) -> Row[Any]:
    get_group(conn, portal_id, object_type, name)
    changes: dict[str, Any] = {"updated_at": now_ms()}
    if label is not None:
        changes["label"] = label
    if order is not None:
        changes["display_order"] = order
    repo.update_group(conn, portal_id, object_type, name, changes)
    return get_group(conn, portal_id, object_type, name)


def delete_group(conn: Connection, portal_id: int, object_type: str, name: str) -> None:
    row = get_group(conn, portal_id, object_type, name)
    if row.hubspot_defined:
        raise ValidationFailed(f"Property group {name!r} is defined by HubSpot; it stays.")
    if repo.count_properties_in_group(conn, portal_id, object_type, name):
        raise Conflict(
            f"Property group {name!r} still holds properties; delete or move them first."
        )
    repo.delete_group(conn, portal_id, object_type, name)
