"""Object lists: contacts, deals, products, line items; search, filters, sorting, paging."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from ecombridge.api.deps import ReadConn
from ecombridge.web.choices import store_choices
from ecombridge.web.display import CURRENCY_PROPERTY, SLUGS, TYPE_LABELS, object_url, title_of
from ecombridge.web.format import DASH, Formatter
from ecombridge.web.lists import (
    COLUMNS,
    PAGE_SIZES,
    PAID,
    ListColumn,
    aria_sort,
    list_state,
    range_text,
)
from ecombridge.web.render import formatter, not_found, render
from ecombridge.web.repository import labels
from ecombridge.web.repository.listing import list_objects
from ecombridge.web.repository.sql import DEAL_TIME_PROPS
from ecombridge.web.session import CurrentUser

router = APIRouter()


def cell(column: ListColumn, row: Any, fmt: Formatter, stages: dict[str, str]) -> Any:
    props: dict[str, Any] = row.properties or {}
    value = props.get(column.prop) if column.prop else None
    if column.kind == "money":
        return fmt.money(value, props.get(CURRENCY_PROPERTY.get(row.object_type, "")))
    if column.kind == "number":
        return fmt.number(value)
    if column.kind == "stage":
        return stages.get(str(value), str(value)) if value not in (None, "") else DASH
    if column.kind == "time":
        moment = next((props[p] for p in DEAL_TIME_PROPS if props.get(p) not in (None, "")), None)
        return fmt.when(moment, style="day")
    if column.kind == "updated":
        return fmt.when(row.updated_at)
    return DASH if value in (None, "") else str(value)


@router.get("/objects/{slug}")
def object_list(request: Request, user: CurrentUser, conn: ReadConn, slug: str) -> Response:
    object_type = SLUGS.get(slug)
    if object_type is None:
        return not_found(request, "This kind of object")
    fmt = formatter(user)
    stages = labels.stage_labels(conn, user.portal_id) if object_type == "DEAL" else {}
    state = list_state(object_type, request.query_params, fmt, set(stages))
    rows, total = list_objects(conn, user.portal_id, state.query)
    columns = COLUMNS[object_type]
    items = [
        {
            "url": object_url(object_type, int(row.id)),
            "title": title_of(object_type, row.properties, int(row.id)),
            "cells": [cell(c, row, fmt, stages) for c in columns[1:]],
        }
        for row in rows
    ]
    context = {
        "section": "objects",
        "slug": slug,
        "slugs": [(s, TYPE_LABELS[t]) for s, t in SLUGS.items()],
        "type_label": TYPE_LABELS[object_type],
        "object_type": object_type,
        "columns": columns,
        "sorts": {c.key: aria_sort(state, c) for c in columns},
        "items": items,
        "state": state,
        "total": total,
        "range_text": range_text(state, total, fmt),
        "has_next": state.query.offset + state.page_size < total,
        "page_sizes": PAGE_SIZES,
        "stores": store_choices(conn, user.portal_id),
        "stage_choices": [(PAID, "Paid orders (completed, processed, shipped)"), *stages.items()],
    }
    return render(request, "objects.html", context)
