"""Objects: contacts, deals, products, line items; search and one object's page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from ecombridge.api.deps import ReadConn
from ecombridge.crm_schema.service import property_types
from ecombridge.limits import MAX_BIGINT
from ecombridge.web.display import COLUMNS, SLUGS, TYPE_LABELS, object_url, title_of
from ecombridge.web.render import not_found, render
from ecombridge.web.repository import objects as repo
from ecombridge.web.repository.stores import app_names
from ecombridge.web.session import CurrentUser

router = APIRouter()
PAGE_SIZE = 25


def page_number(raw: str | None) -> int:
    """A 1-based page number; nonsense is page 1, and no page starts beyond a BIGINT offset."""
    try:
        return min(max(1, int(raw or 1)), MAX_BIGINT // PAGE_SIZE)
    except ValueError:
        return 1


@router.get("/objects/{slug}")
def object_list(
    request: Request, user: CurrentUser, conn: ReadConn, slug: str, q: str = ""
) -> Response:
    object_type = SLUGS.get(slug)
    if object_type is None:
        return not_found(request, "This kind of object")
    page = page_number(request.query_params.get("page"))
    text = q.strip()[:200]
    rows, total = repo.search_objects(
        conn, user.portal_id, object_type, text, PAGE_SIZE, (page - 1) * PAGE_SIZE
    )
    items = [
        {
            "url": object_url(object_type, int(row.id)),
            "title": title_of(object_type, row.properties, int(row.id)),
            "properties": row.properties or {},
            "updated_at": row.updated_at,
        }
        for row in rows
    ]
    context = {
        "section": "objects",
        "slug": slug,
        "slugs": [(s, TYPE_LABELS[t]) for s, t in SLUGS.items()],
        "type_label": TYPE_LABELS[object_type],
        "columns": COLUMNS[object_type],
        "items": items,
        "q": text,
        "page": page,
        "total": total,
        "has_next": page * PAGE_SIZE < total,
    }
    return render(request, "objects.html", context)


@router.get("/objects/{slug}/{object_id}")
def object_page(
    request: Request, user: CurrentUser, conn: ReadConn, slug: str, object_id: int
) -> Response:
    object_type = SLUGS.get(slug)
    row = None
    if object_type is not None and 0 < object_id <= MAX_BIGINT:
        row = repo.get_object(conn, user.portal_id, object_type, object_id)
    if row is None or object_type is None:
        return not_found(request, "This object")
    linked_keys = repo.associated(conn, user.portal_id, object_type, object_id)
    linked_props = repo.objects_by_ids(conn, user.portal_id, linked_keys)
    linked: list[dict[str, Any]] = [
        {
            "type": TYPE_LABELS[t][:-1],
            "url": object_url(t, i),
            "title": title_of(t, linked_props.get((t, i)), i),
        }
        for t, i in sorted(linked_keys)
        if (t, i) in linked_props
    ]
    links = repo.sync_links(conn, user.portal_id, object_type, object_id)
    names = app_names(conn, user.portal_id)
    context = {
        "section": "objects",
        "slug": slug,
        "type_label": TYPE_LABELS[object_type],
        "object": row,
        "title": title_of(object_type, row.properties, object_id),
        "properties": sorted((row.properties or {}).items()),
        "property_types": property_types(conn, user.portal_id, object_type),
        "linked": linked,
        "links": links,
        "source_names": {0: "Custom integration", **names},
        "errors": repo.errors_of_links(conn, user.portal_id, object_type, links),
    }
    return render(request, "object.html", context)
