"""Destinations: the HubSpot portals the relay delivers this portal's data to — each one's
state, pending/delivered/failed objects, lag and backfill progress, paused or resumed in one
click — and a form to add one (checked as the API checks it; the message shown at the top)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from ecombridge.api.deps import Db, ReadConn
from ecombridge.errors import BridgeError
from ecombridge.relay import service
from ecombridge.relay.definitions import DEFAULT_BASE_URL
from ecombridge.relay.schemas import DestinationChanges, parse_new
from ecombridge.web.render import not_found, redirect, render
from ecombridge.web.session import CsrfChecked, CurrentUser

router = APIRouter()
BADGES = {"LIVE": "ok", "FAILING": "bad", "PAUSED": "warn", "BACKFILLING": "info"}
LABELS = {
    "SETTING_UP": "Setting up",
    "BACKFILLING": "Backfilling",
    "LIVE": "Live",
    "PAUSED": "Paused",
    "FAILING": "Failing",
}


def _view(status: dict[str, Any]) -> dict[str, Any]:
    backfill = status.get("backfill")
    share = None
    if backfill and backfill["total"]:
        share = round(100 * backfill["delivered"] / backfill["total"])
    return {
        **status,
        "badge": BADGES.get(status["state"], ""),
        "label": LABELS[status["state"]],
        "backfill_share": share,
        "paused": status["state"] == "PAUSED",
    }


def _page(
    request: Request, conn: Any, portal_id: int, error: str | None = None, form: Any = None
) -> Response:
    context = {
        "section": "destinations",
        "destinations": [_view(s) for s in service.list_status(conn, portal_id)],
        "default_base_url": DEFAULT_BASE_URL,
        "error": error,
        "form": form or {},
        "notice": {"added": "Destination added: a worker sets it up and delivers."}.get(
            request.query_params.get("notice", "")
        ),
    }
    return render(request, "destinations.html", context, status_code=400 if error else 200)


@router.get("/destinations")
def destinations_page(request: Request, user: CurrentUser, conn: ReadConn) -> Response:
    return _page(request, conn, user.portal_id)


@router.post("/destinations", dependencies=[CsrfChecked])
async def add_destination(request: Request, user: CurrentUser, database: Db) -> Response:
    form = await request.form()
    stores = [s.strip() for s in str(form.get("store_ids") or "").split(",") if s.strip()]
    body = {
        "baseUrl": str(form.get("base_url") or "").strip() or None,
        "accessToken": str(form.get("access_token") or ""),
        "storeIds": stores or None,
    }
    try:
        with database.write() as conn:
            service.add_destination(conn, user.portal_id, parse_new(body))
    except BridgeError as exc:
        kept = {"base_url": body["baseUrl"] or "", "store_ids": ", ".join(stores)}
        with database.read() as conn:
            return _page(request, conn, user.portal_id, exc.message, kept)
    return redirect(request, "/app/destinations?notice=added")


@router.post("/destinations/{dest_id}/{action}", dependencies=[CsrfChecked])
def change_destination(
    request: Request, user: CurrentUser, database: Db, dest_id: int, action: str
) -> Response:
    if action not in ("pause", "resume"):
        return not_found(request, "This page")
    try:
        with database.write() as conn:
            changes = DestinationChanges(paused=action == "pause")
            service.change_destination(conn, user.portal_id, dest_id, changes)
    except BridgeError:
        return not_found(request, "This destination")
    return redirect(request, "/app/destinations")
