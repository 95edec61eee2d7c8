"""Stores: the portal's stores per source (or how to send the first data), and a store's page
with its counts, linked to the filtered lists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.engine import Connection
from starlette.responses import Response

from ecombridge.api.deps import ReadConn
from ecombridge.limits import MAX_BIGINT
from ecombridge.web.choices import CUSTOM_INTEGRATION_NAME, source_names
from ecombridge.web.display import TYPE_LABELS, TYPE_SLUGS
from ecombridge.web.import_view import NOTICES, PROBLEMS, import_view
from ecombridge.web.render import not_found, render
from ecombridge.web.repository import stores as repo
from ecombridge.web.session import CurrentUser

router = APIRouter()

OBJECT_TYPES = ("DEAL", "CONTACT", "PRODUCT", "LINE_ITEM")


@dataclass(frozen=True)
class StoreItem:
    app_id: int
    id: str
    visible_id: str
    label: str
    listed: bool

    @property
    def filter(self) -> str:
        return f"{self.app_id}:{self.id}"


@router.get("/stores")
def stores_page(request: Request, user: CurrentUser, conn: ReadConn) -> Response:
    names = source_names(conn, user.portal_id)
    items: dict[tuple[int, str], StoreItem] = {}
    for row in repo.list_stores(conn, user.portal_id):
        key = (int(row.source_app_id), row.id)
        items[key] = StoreItem(key[0], row.id, row.alias_id or row.id, row.label, True)
    for row in repo.stores_with_data(conn, user.portal_id):
        key = (int(row.source_app_id), row.store_id)
        if key not in items:
            label = "Default store" if row.store_id == "default" else row.store_id
            items[key] = StoreItem(key[0], row.store_id, row.store_id, label, False)
    sources: dict[int, list[StoreItem]] = {app_id: [] for app_id in names if app_id}
    for item in items.values():
        sources.setdefault(item.app_id, []).append(item)
    groups = [
        {"app_id": app_id, "name": names.get(app_id, f"App {app_id}"), "stores": stores}
        for app_id, stores in sorted(sources.items())
        if stores or app_id
    ]
    objects, errors = repo.portal_summary(conn, user.portal_id)
    context = {
        "section": "stores",
        "groups": groups,
        "objects": objects,
        "errors": errors,
        "first_run": not items,
        "base_url": str(request.base_url).rstrip("/"),
    }
    return render(request, "stores.html", context)


def store_context(conn: Connection, portal_id: int, app_id: int, store_id: str) -> dict[str, Any]:
    """What the store page and its import panel show; empty when there is no such store."""
    if not 0 <= app_id <= MAX_BIGINT:
        return {}
    row = repo.get_store(conn, portal_id, app_id, store_id)
    counts, last_sync = repo.object_counts(conn, portal_id, app_id, store_id)
    if row is None and not counts and store_id != "default":
        return {}
    name = CUSTOM_INTEGRATION_NAME if app_id == 0 else repo.app_name(conn, app_id)
    store_filter = f"{app_id}:{store_id}"
    latest = repo.latest_import(conn, portal_id, app_id, store_id)
    return {
        "section": "stores",
        "app_id": app_id,
        "store_id": store_id,
        "store_filter": store_filter,
        "visible_id": (row.alias_id or row.id) if row is not None else store_id,
        "label": row.label if row is not None else "Default store",
        "admin_uri": row.admin_uri if row is not None else None,
        "source": name or f"App {app_id}",
        "counts": [(TYPE_LABELS[t], TYPE_SLUGS[t], t, counts.get(t, 0)) for t in OBJECT_TYPES],
        "last_sync": last_sync,
        "open_errors": repo.open_error_count(conn, portal_id, app_id, store_id),
        "can_import": app_id != 0 and repo.is_installed(conn, portal_id, app_id),
        **import_view(*(latest or (None, []))),
    }


@router.get("/stores/{app_id}/{store_id}")
def store_page(
    request: Request, user: CurrentUser, conn: ReadConn, app_id: int, store_id: str
) -> Response:
    context = store_context(conn, user.portal_id, app_id, store_id)
    if not context:
        return not_found(request, "This store")
    # Codes, not texts, travel in the URL: a link cannot make the page say anything else.
    context["problem"] = PROBLEMS.get(request.query_params.get("problem", ""))
    context["notice"] = NOTICES.get(request.query_params.get("notice", ""))
    return render(request, "store.html", context)
