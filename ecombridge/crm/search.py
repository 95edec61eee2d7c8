"""POST /crm/v3/objects/{type}/search: the request body checked field by field, then run in SQL.

Body: {"filterGroups": [{"filters": [{"propertyName", "operator", "value"?, "values"?,
"highValue"?}]}], "sorts": [{"propertyName", "direction"} | "name" | "-name"], "query"?,
"properties"?, "limit"? (default 10, at most 200), "after"? (an offset, as HubSpot's search uses)}.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from ecombridge.crm import catalog, query
from ecombridge.crm import repository as repo
from ecombridge.crm.service import (
    MAX_FILTERS,
    MAX_FILTERS_PER_GROUP,
    MAX_GROUPS,
    SEARCH_LIMIT,
    ReadParams,
    parse_after,
    parse_limit,
    render,
)
from ecombridge.crm_schema.service import property_types
from ecombridge.errors import ValidationFailed


def _list(body: dict[str, Any], key: str) -> list[Any]:
    value = body.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValidationFailed(f"{key} must be a list.")
    return value


def _groups(
    body: dict[str, Any], object_type: str, registry: dict[str, str]
) -> tuple[tuple[query.Condition, ...], ...]:
    groups = _list(body, "filterGroups")
    if len(groups) > MAX_GROUPS:
        raise ValidationFailed(f"filterGroups: at most {MAX_GROUPS} groups are allowed.")
    parsed: list[tuple[query.Condition, ...]] = []
    for g, group in enumerate(groups):
        if not isinstance(group, dict):
            raise ValidationFailed(f"filterGroups[{g}] must be an object with filters.")
        filters = _list(group, "filters")
        if len(filters) > MAX_FILTERS_PER_GROUP:
            raise ValidationFailed(
                f"filterGroups[{g}].filters: at most {MAX_FILTERS_PER_GROUP} filters per group."
            )
        conditions = []
        for f, raw in enumerate(filters):
            where = f"filterGroups[{g}].filters[{f}]"
            if not isinstance(raw, dict) or not isinstance(raw.get("propertyName"), str):
                raise ValidationFailed(f"{where}.propertyName is required.")
            prop = query.resolve_property(raw["propertyName"], object_type, registry, where)
            operator = str(raw.get("operator") or "EQ")
            conditions.append(query.condition(prop, operator, raw, where))
        if conditions:
            parsed.append(tuple(conditions))
    if sum(len(group) for group in parsed) > MAX_FILTERS:
        raise ValidationFailed(f"filterGroups: at most {MAX_FILTERS} filters in total.")
    return tuple(parsed)


def _sorts(
    body: dict[str, Any], object_type: str, registry: dict[str, str]
) -> tuple[query.Sort, ...]:
    sorts = []
    for i, raw in enumerate(_list(body, "sorts")):
        where = f"sorts[{i}]"
        if isinstance(raw, str):
            name, descending = raw.removeprefix("-"), raw.startswith("-")
        elif isinstance(raw, dict) and isinstance(raw.get("propertyName"), str):
            direction = str(raw.get("direction") or "ASCENDING").upper()
            if direction not in ("ASCENDING", "DESCENDING"):
                raise ValidationFailed(f"{where}.direction must be ASCENDING or DESCENDING.")
            name, descending = raw["propertyName"], direction == "DESCENDING"
        else:
            raise ValidationFailed(f"{where} must be {{propertyName, direction}} or a name.")
        prop = query.resolve_property(name, object_type, registry, where)
        if prop.source == "association":
            raise ValidationFailed(f"{where}: results cannot be sorted by {name}.")
        sorts.append(query.Sort(prop, descending))
    return tuple(sorts)


def search_objects(conn: Connection, portal_id: int, type_name: str, body: Any) -> dict[str, Any]:
    """{"total", "results", "paging"?: {"next": {"after"}}}."""
    object_type = catalog.object_type(type_name)
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise ValidationFailed("body must be a JSON object.")
    registry = property_types(conn, portal_id, object_type)
    text = body.get("query")
    if text is not None and not isinstance(text, str):
        raise ValidationFailed("query must be a string.")
    properties = [p for p in _list(body, "properties") if isinstance(p, str)]
    limit = parse_limit(body.get("limit"), SEARCH_LIMIT)
    offset = parse_after(body.get("after")) or 0
    search = query.Search(
        portal_id=portal_id,
        object_type=object_type,
        groups=_groups(body, object_type, registry),
        text_query=text.strip() or None if text else None,
        searchable=tuple(
            query.PropertyRef(name, "text") for name in catalog.SEARCHABLE_PROPERTIES[object_type]
        ),
        sorts=_sorts(body, object_type, registry),
        offset=offset,
        limit=limit,
    )
    total, rows = repo.search(conn, search)
    params = ReadParams(properties=properties, associations=[])
    result: dict[str, Any] = {
        "total": total,
        "results": render(conn, portal_id, object_type, rows[:limit], params),
    }
    if len(rows) > limit:
        result["paging"] = {"next": {"after": str(offset + limit)}}
    return result
