"""Ecommerce settings: the portal's stores per source, a store's page, starting an import."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from sqlalchemy.engine import Connection
from starlette.responses import Response

from ecombridge.api.deps import Db, ReadConn
from ecombridge.errors import BridgeError
from ecombridge.imports import service as imports_service
from ecombridge.limits import MAX_BIGINT
from ecombridge.queue.notify import wake
from ecombridge.web.render import not_found, redirect, render
from ecombridge.web.repository import stores as repo
from ecombridge.web.session import CsrfChecked, CurrentUser

router = APIRouter()

CUSTOM_INTEGRATION_NAME = "Custom integration"
OBJECT_TYPES = ("CONTACT", "PRODUCT", "DEAL", "LINE_ITEM")
ACTIVE_IMPORT_STATES = ("AWAITING_COUNTS", "RECEIVING", "PROCESSING")


def source_name(names: dict[int, str], app_id: int) -> str:
    if app_id == 0:
        return CUSTOM_INTEGRATION_NAME
    return names.get(app_id, f"App {app_id}")


@dataclass(frozen=True)
class StoreItem:
    app_id: int
    id: str
    visible_id: str
    label: str
    listed: bool


@router.get("/stores")
def stores_page(request: Request, user: CurrentUser, conn: ReadConn) -> Response:
    names = repo.app_names(conn, user.portal_id)
    items: dict[tuple[int, str], StoreItem] = {}
    for row in repo.list_stores(conn, user.portal_id):
        key = (int(row.source_app_id), row.id)
        items[key] = StoreItem(key[0], row.id, row.alias_id or row.id, row.label, True)
    for row in repo.stores_with_data(conn, user.portal_id):
        key = (int(row.source_app_id), row.store_id)
        if key not in items:
            label = "Default store" if row.store_id == "default" else row.store_id
            items[key] = StoreItem(key[0], row.store_id, row.store_id, label, False)
    sources: dict[int, list[StoreItem]] = {0: []}
    for app_id in sorted(names):
        sources.setdefault(app_id, [])
    for item in items.values():
        sources.setdefault(item.app_id, []).append(item)
    groups = [
        {"app_id": app_id, "name": source_name(names, app_id), "stores": sources[app_id]}
        for app_id in sorted(sources)
    ]
    objects, errors = repo.portal_summary(conn, user.portal_id)
    context = {"section": "stores", "groups": groups, "objects": objects, "errors": errors}
    return render(request, "stores.html", context)


def _import_view(conn: Connection, portal_id: int, app_id: int, store_id: str) -> dict[str, Any]:
    found = repo.latest_import(conn, portal_id, app_id, store_id)
    if found is None:
        return {"import": None}
    row, types = found
    announced = sum(int(t.announced or 0) for t in types)
    received = sum(int(t.received_items or 0) for t in types)
    applied = sum(int(t.applied or 0) for t in types)
    done = row.state == "COMPLETE"
    current = applied if row.state in ("PROCESSING", "COMPLETE") else received
    percent = 100 if done else (min(100, round(100 * current / announced)) if announced else 0)
    return {
        "import": row,
        "types": types,
        "announced": announced,
        "received": received,
        "applied": applied,
        "percent": percent,
        "active": row.state in ACTIVE_IMPORT_STATES,
    }


def _store_context(conn: Connection, portal_id: int, app_id: int, store_id: str) -> dict[str, Any]:
    if not 0 <= app_id <= MAX_BIGINT:
        return {}
    row = repo.get_store(conn, portal_id, app_id, store_id)
    counts, last_sync = repo.object_counts(conn, portal_id, app_id, store_id)
    if row is None and not counts and store_id != "default":
        return {}
    name = CUSTOM_INTEGRATION_NAME if app_id == 0 else repo.app_name(conn, app_id)
    return {
        "section": "stores",
        "app_id": app_id,
        "store_id": store_id,
        "visible_id": (row.alias_id or row.id) if row is not None else store_id,
        "label": row.label if row is not None else "Default store",
        "admin_uri": row.admin_uri if row is not None else None,
        "source": name or f"App {app_id}",
        "counts": [(t, counts.get(t, 0)) for t in OBJECT_TYPES],
        "last_sync": last_sync,
        "open_errors": repo.open_error_count(conn, portal_id, app_id, store_id),
        "can_import": app_id != 0 and repo.is_installed(conn, portal_id, app_id),
        **_import_view(conn, portal_id, app_id, store_id),
    }


@router.get("/stores/{app_id}/{store_id}")
def store_page(
    request: Request, user: CurrentUser, conn: ReadConn, app_id: int, store_id: str
) -> Response:
    context = _store_context(conn, user.portal_id, app_id, store_id)
    if not context:
        return not_found(request, "This store")
    context["error"] = request.query_params.get("error")
    return render(request, "store.html", context)


@router.get("/stores/{app_id}/{store_id}/import-progress")
def import_progress(
    request: Request, user: CurrentUser, conn: ReadConn, app_id: int, store_id: str
) -> Response:
    """The progress fragment the store page polls while an import runs."""
    context = _store_context(conn, user.portal_id, app_id, store_id)
    if not context:
        return not_found(request, "This store")
    return render(request, "_import_progress.html", context)


@router.post("/stores/{app_id}/{store_id}/import", dependencies=[CsrfChecked])
def continue_importing(
    request: Request, user: CurrentUser, database: Db, app_id: int, store_id: str
) -> Response:
    with database.read() as conn:
        if not _store_context(conn, user.portal_id, app_id, store_id):
            return not_found(request, "This store")
    page = request.url_for("store_page", app_id=app_id, store_id=store_id).path
    try:
        with database.write() as conn:
            # Queues the import webhook to the app; the worker sends it.
            imports_service.start_import(conn, user.portal_id, app_id, store_id)
    except BridgeError as exc:
        return redirect(request, f"{page}?{urlencode({'error': exc.message})}")
    wake(database)
    return redirect(request, page)
