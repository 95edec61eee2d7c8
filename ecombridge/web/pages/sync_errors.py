"""Sync errors: filterable by error type, object type, store and status; paged."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from ecombridge.api.deps import ReadConn
from ecombridge.limits import MAX_BIGINT
from ecombridge.web.display import TYPE_LABELS, object_url
from ecombridge.web.pages.objects import page_number
from ecombridge.web.render import render
from ecombridge.web.repository import sync_errors as repo
from ecombridge.web.repository.stores import app_names
from ecombridge.web.repository.sync_errors import ErrorFilters
from ecombridge.web.session import CurrentUser

router = APIRouter()
PAGE_SIZE = 25

# The full server enumeration, so any recorded type can be filtered on.
ERROR_TYPES = (
    "UNKNOWN_ERROR", "INACTIVE_PORTAL", "NO_SYNC_SETTINGS", "SETTINGS_NOT_ENABLED", "BAD_SETTINGS",
    "EMPTY_MESSAGE", "NO_MAPPINGS_DEFINED", "MISSING_REQUIRED_PROPERTY", "NO_PROPERTIES_DEFINED",
    "NO_DEFINED_PROPERTIES", "INVALID_ASSOCIATION_PROPERTY", "MISSING_ASSOCIATED_OBJECT",
    "INVALID_DEAL_STAGE", "INVALID_EMAIL_ADDRESS", "PORTAL_NOT_SYNC_ENABLED",
    "CREATE_FAIL_NO_INFO", "UPDATE_FAIL_NO_INFO", "DELETE_FAIL_NO_INFO", "INVALID_ENUM_PROPERTY",
    "ERROR_INVALID_DATE_PROPERTY",
)  # fmt: skip
STATUSES = ("OPEN", "RESOLVED")


def parse_store(value: str | None) -> tuple[int, str] | None:
    """A store filter value ``<appId>:<storeId>``."""
    if not value or ":" not in value:
        return None
    app, _, store = value.partition(":")
    try:
        app_id = int(app)
    except ValueError:
        return None
    return (app_id, store) if 0 <= app_id <= MAX_BIGINT else None


@router.get("/errors")
def errors_page(request: Request, user: CurrentUser, conn: ReadConn) -> Response:
    params = request.query_params
    store = parse_store(params.get("store"))
    filters = ErrorFilters(
        error_type=params.get("type") if params.get("type") in ERROR_TYPES else None,
        object_type=params.get("object_type") if params.get("object_type") in TYPE_LABELS else None,
        app_id=store[0] if store else None,
        store_id=store[1] if store else None,
        status=params.get("status") if params.get("status") in STATUSES else None,
    )
    page = page_number(params.get("page"))
    rows, total = repo.list_errors(conn, user.portal_id, filters, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    names = {0: "Custom integration", **app_names(conn, user.portal_id)}
    stores = [
        (f"{app}:{store_id}", f"{names.get(app, f'App {app}')} · {store_id}")
        for app, store_id in repo.error_stores(conn, user.portal_id)
    ]
    items = [
        {
            "row": row,
            "url": object_url(row.object_type, int(row.hubspot_id)) if row.hubspot_id else None,
            "source": names.get(row.source_app_id, f"App {row.source_app_id}"),
        }
        for row in rows
    ]
    context = {
        "section": "errors",
        "items": items,
        "total": total,
        "page": page,
        "has_next": page * PAGE_SIZE < total,
        "error_types": ERROR_TYPES,
        "object_types": list(TYPE_LABELS.items()),
        "statuses": STATUSES,
        "stores": stores,
        "selected": {
            "type": filters.error_type or "",
            "object_type": filters.object_type or "",
            "store": f"{store[0]}:{store[1]}" if store else "",
            "status": filters.status or "",
        },
    }
    return render(request, "sync_errors.html", context)
