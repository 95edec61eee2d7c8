"""Sync errors, triage first: open ones by default, grouped by type with counts, each with its
message and a link to the record; filterable by object type and store; paged."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from ecombridge.api.deps import ReadConn
from ecombridge.web.choices import source_names
from ecombridge.web.display import TYPE_LABELS, object_url
from ecombridge.web.error_titles import TITLES, error_hint, error_title
from ecombridge.web.format import EN_DASH
from ecombridge.web.lists import parse_int, parse_store
from ecombridge.web.render import formatter, render
from ecombridge.web.repository import sync_errors as repo
from ecombridge.web.repository.sync_errors import ErrorFilters
from ecombridge.web.session import CurrentUser

router = APIRouter()
PAGE_SIZE = 25
STATUSES = {"OPEN": "Open", "RESOLVED": "Resolved", "all": "All"}


@router.get("/errors")
def errors_page(request: Request, user: CurrentUser, conn: ReadConn) -> Response:
    params = request.query_params
    store = parse_store(params.get("store"))
    status = params.get("status") or "OPEN"
    status = status if status in STATUSES else "OPEN"
    error_type = params.get("type") if params.get("type") in TITLES else None
    object_type = params.get("object_type")
    filters = ErrorFilters(
        error_type=error_type,
        object_type=object_type if object_type in TYPE_LABELS else None,
        app_id=store[0] if store else None,
        store_id=store[1] if store else None,
        status=None if status == "all" else status,
    )
    page = max(1, parse_int(params.get("page"), 1))
    page = min(page, 10**9)
    rows, total = repo.list_errors(conn, user.portal_id, filters, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    names = source_names(conn, user.portal_id)
    fmt = formatter(user)
    stores = [
        (f"{app}:{store_id}", f"{store_id} ({names.get(app, f'App {app}')})")
        for app, store_id in repo.error_stores(conn, user.portal_id)
    ]
    counts = repo.type_counts(conn, user.portal_id, filters)
    groups = [{"type": t, "title": error_title(t), "count": n} for t, n in counts]
    items = [
        {
            "row": row,
            "title": error_title(row.type),
            "hint": error_hint(row.type),
            "object": TYPE_LABELS[row.object_type][:-1],
            "url": object_url(row.object_type, int(row.hubspot_id)) if row.hubspot_id else None,
            "source": names.get(row.source_app_id, f"App {row.source_app_id}"),
        }
        for row in rows
    ]
    kind = "" if status == "all" else f"{STATUSES[status].lower()} "
    last = min(page * PAGE_SIZE, total)
    summary = f"No {kind}errors"
    if total:
        shown = f"{fmt.count((page - 1) * PAGE_SIZE + 1)}{EN_DASH}{fmt.count(last)}"
        summary = f"{shown} of {fmt.count(total)} {kind}error{'' if total == 1 else 's'}"
    context = {
        "section": "errors",
        "summary": summary,
        "items": items,
        "groups": groups,
        "group_total": sum(n for _, n in counts),
        "total": total,
        "page": page,
        "has_next": page * PAGE_SIZE < total,
        "object_types": list(TYPE_LABELS.items()),
        "statuses": STATUSES,
        "stores": stores,
        "selected": {
            "type": filters.error_type or "",
            "object_type": filters.object_type or "",
            "store": f"{store[0]}:{store[1]}" if store else "",
            "status": status,
        },
    }
    return render(request, "sync_errors.html", context)
