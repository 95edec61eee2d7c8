"""CRM v3 reads and search, v4 associations, over the portal's objects (every source).
Takes a connection, never commits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Row

from ecombridge.crm import catalog, unique_values
from ecombridge.crm import repository as repo
from ecombridge.crm.ids import digits, parse_object_id
from ecombridge.crm.property_checks import Registry
from ecombridge.crm.wire import crm_object
from ecombridge.crm_schema.object_types import PLURAL, SINGULAR
from ecombridge.crm_schema.service import property_types
from ecombridge.errors import NotFound, ValidationFailed

LIST_LIMIT = (10, 100)  # default, maximum
SEARCH_LIMIT = (10, 200)
V4_LIMIT = (500, 500)
MAX_GROUPS, MAX_FILTERS_PER_GROUP, MAX_FILTERS = 5, 6, 18


@dataclass(frozen=True)
class ReadParams:
    """Query parameters of list and get, as sent (lists may hold comma-joined names)."""

    properties: list[str]
    associations: list[str]
    archived: str | None = None


def names(values: list[str]) -> list[str]:
    return [n.strip() for v in values for n in v.split(",") if n.strip()]


def parse_limit(raw: str | int | None, bounds: tuple[int, int]) -> int:
    """Default when absent; larger than the maximum is clamped, as HubSpot does."""
    if raw is None or raw == "":
        return bounds[0]
    if isinstance(raw, bool) or not re.fullmatch(r"-?[0-9]{1,20}", str(raw).strip()):
        raise ValidationFailed(f"limit must be an integer, got {raw!r}.")
    limit = int(str(raw).strip())
    if limit < 1:
        raise ValidationFailed(f"limit must be at least 1, got {limit}.")
    return min(limit, bounds[1])


def parse_after(raw: str | int | None) -> int | None:
    if raw is None or raw == "":
        return None
    after = None if isinstance(raw, bool) else digits(raw)
    if after is None:
        raise ValidationFailed(
            f"after must be a paging cursor from paging.next.after, got {raw!r}."
        )
    return after


def parse_archived(raw: str | None) -> bool:
    if raw is None or raw == "" or raw.lower() == "false":
        return False
    if raw.lower() == "true":
        return True
    raise ValidationFailed(f"archived must be true or false, got {raw!r}.")


def _associations(
    conn: Connection, portal_id: int, object_type: str, rows: list[Row[Any]], wanted: list[str]
) -> dict[int, dict[str, list[dict[str, str]]]]:
    by_object: dict[int, dict[str, list[dict[str, str]]]] = {row.id: {} for row in rows}
    ids = [row.id for row in rows]
    for to_name in wanted:
        to_type = catalog.object_type(to_name)
        plural, label = PLURAL[to_type], catalog.association_label(object_type, to_type)
        for row in rows:
            by_object[row.id].setdefault(plural, [])
        if not ids:
            continue
        for source, target in repo.associated_ids(conn, portal_id, object_type, ids, to_type):
            by_object[source][plural].append({"id": str(target), "type": label})
    return by_object


def render(
    conn: Connection,
    portal_id: int,
    object_type: str,
    rows: list[Row[Any]],
    params: ReadParams,
) -> list[dict[str, Any]]:
    registry = property_types(conn, portal_id, object_type)
    requested = names(params.properties) or None
    assoc = _associations(conn, portal_id, object_type, rows, names(params.associations))
    return [crm_object(row, requested, registry, assoc[row.id]) for row in rows]


def list_objects(
    conn: Connection,
    portal_id: int,
    type_name: str,
    params: ReadParams,
    limit: str | None,
    after: str | None,
) -> dict[str, Any]:
    """{"results", "paging"?}: objects in id order; ``after`` is the last id seen."""
    object_type = catalog.object_type(type_name)
    size = parse_limit(limit, LIST_LIMIT)
    rows = repo.list_page(
        conn, portal_id, object_type, parse_archived(params.archived), parse_after(after), size
    )
    body: dict[str, Any] = {"results": render(conn, portal_id, object_type, rows[:size], params)}
    if len(rows) > size:
        body["paging"] = {"next": {"after": str(rows[size - 1].id)}}
    return body


def get_object(
    conn: Connection,
    portal_id: int,
    type_name: str,
    object_id: str,
    params: ReadParams,
    id_property: str | None,
) -> dict[str, Any]:
    object_type = catalog.object_type(type_name)
    archived = parse_archived(params.archived)
    row: Row[Any] | None = None
    numeric_id = parse_object_id(object_id)
    if id_property and id_property != "hs_object_id":
        registry = Registry.load(conn, portal_id, object_type)
        name = registry.key_property(id_property)
        numeric_id = unique_values.find(conn, portal_id, registry, name, [object_id]).get(object_id)
    if numeric_id is not None:
        row = repo.get_object(conn, portal_id, object_type, numeric_id, archived)
    if row is None:
        raise NotFound(f"Object not found. {SINGULAR[object_type]} {object_id!r} does not exist.")
    return render(conn, portal_id, object_type, [row], params)[0]


def v4_associations(
    conn: Connection,
    portal_id: int,
    type_name: str,
    object_id: str,
    to_type_name: str,
    limit: str | None,
    after: str | None,
) -> dict[str, Any]:
    object_type = catalog.object_type(type_name)
    to_type = catalog.object_type(to_type_name)
    size = parse_limit(limit, V4_LIMIT)
    after_id = parse_after(after)
    numeric_id = parse_object_id(object_id)
    if (
        numeric_id is None
        or repo.get_object(conn, portal_id, object_type, numeric_id, False) is None
    ):
        raise NotFound(f"Object not found. {SINGULAR[object_type]} {object_id!r} does not exist.")
    type_id = catalog.ASSOCIATION_TYPE_IDS.get((object_type, to_type))
    if type_id is None:
        return {"results": []}
    pairs = repo.associated_ids(
        conn, portal_id, object_type, [numeric_id], to_type, after_id, size + 1
    )
    spec = {"category": "HUBSPOT_DEFINED", "typeId": type_id, "label": None}
    body: dict[str, Any] = {
        "results": [
            {"toObjectId": target, "associationTypes": [spec]} for _, target in pairs[:size]
        ]
    }
    if len(pairs) > size:
        body["paging"] = {"next": {"after": str(pairs[size - 1][1])}}
    return body
