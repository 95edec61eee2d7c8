"""A store's import from the web UI: start it, follow it (the panel polls a fragment), cancel it.
Outcomes come back to the store page as codes it maps to sentences (post/redirect/get)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from ecombridge.api.deps import Db, ReadConn
from ecombridge.db.engine import Database
from ecombridge.errors import BridgeError
from ecombridge.imports import service as imports_service
from ecombridge.queue.notify import wake
from ecombridge.web.import_view import problem_code
from ecombridge.web.pages.stores import store_context
from ecombridge.web.render import not_found, redirect, render
from ecombridge.web.session import CsrfChecked, CurrentUser

router = APIRouter()


def _page(request: Request, app_id: int, store_id: str, **outcome: str) -> str:
    path = request.url_for("store_page", app_id=app_id, store_id=store_id).path
    key, value = next(iter(outcome.items()))
    return f"{path}?{key}={value}#import"


def _store_exists(database: Database, portal_id: int, app_id: int, store_id: str) -> bool:
    with database.read() as conn:
        return bool(store_context(conn, portal_id, app_id, store_id))


@router.get("/stores/{app_id}/{store_id}/import-progress")
def import_progress(
    request: Request, user: CurrentUser, conn: ReadConn, app_id: int, store_id: str
) -> Response:
    """The panel's fragment, polled while an import runs (with the store's counts, swapped in
    out of band so they are fresh when it completes)."""
    context = store_context(conn, user.portal_id, app_id, store_id)
    if not context:
        return not_found(request, "This store")
    return render(request, "_import_progress.html", {**context, "polled": True})


@router.post("/stores/{app_id}/{store_id}/import", dependencies=[CsrfChecked])
def continue_importing(
    request: Request, user: CurrentUser, database: Db, app_id: int, store_id: str
) -> Response:
    if not _store_exists(database, user.portal_id, app_id, store_id):
        return not_found(request, "This store")
    try:
        with database.write() as conn:
            # Queues the import webhook to the app; the worker sends it.
            imports_service.start_import(conn, user.portal_id, app_id, store_id)
    except BridgeError as exc:
        return redirect(request, _page(request, app_id, store_id, problem=problem_code(exc)))
    wake(database)
    return redirect(request, _page(request, app_id, store_id, notice="started"))


@router.post("/stores/{app_id}/{store_id}/import/cancel", dependencies=[CsrfChecked])
def cancel_import(
    request: Request,
    user: CurrentUser,
    database: Db,
    app_id: int,
    store_id: str,
    started_at: Annotated[int, Form()],
) -> Response:
    if not _store_exists(database, user.portal_id, app_id, store_id):
        return not_found(request, "This store")
    try:
        with database.write() as conn:
            imports_service.cancel_import(
                conn, user.portal_id, app_id, store_id, started_at, f"{user.email} (web UI)"
            )
    except BridgeError as exc:
        code = problem_code(exc, cancelling=True)
        return redirect(request, _page(request, app_id, store_id, problem=code))
    return redirect(request, _page(request, app_id, store_id, notice="cancelled"))
