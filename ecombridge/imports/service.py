"""Import rules: starting an import, its states and events, and its progress view.

An import is identified by (portal, app, store, importStartedAt); importStartedAt (epoch ms) is
also the id clients send back with every page. States:
AWAITING_COUNTS (webhook queued) -> RECEIVING (counts announced) -> PROCESSING (all four types
ended, apply queued) -> COMPLETE; any of the first three may end in FAILED.
Takes a connection, never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Row

from ecombridge.clock import now_ms
from ecombridge.crm_schema.service import ensure_portal_schema
from ecombridge.errors import Conflict, NotFound, ValidationFailed
from ecombridge.imports import repository as repo
from ecombridge.imports.pages import types_with_received
from ecombridge.queue.service import IMPORT_WEBHOOK, enqueue
from ecombridge.stores.service import is_valid_store_id, resolve_store
from ecombridge.tenancy import service as tenancy

AWAITING_COUNTS = "AWAITING_COUNTS"
RECEIVING = "RECEIVING"
PROCESSING = "PROCESSING"
COMPLETE = "COMPLETE"
FAILED = "FAILED"

DEFAULT_STORE_ID = "default"
# settingsId of each type in the webhook's settingsToImport, in HubSpot's order (reference §8).
SETTINGS_IDS = {"PRODUCT": 1, "CONTACT": 2, "LINE_ITEM": 3, "DEAL": 4}
TYPES_BY_SETTINGS_ID = {v: k for k, v in SETTINGS_IDS.items()}
# The order the import is applied in, so associations find their targets.
APPLY_ORDER = ("PRODUCT", "CONTACT", "DEAL", "LINE_ITEM")


@dataclass(frozen=True)
class WebhookTarget:
    uri: str
    api_version: int  # 2: settings webhookUri (body has storeId); 1: v1 importTriggerUri
    client_secret: str


def webhook_target(conn: Connection, app_id: int) -> WebhookTarget | None:
    """Where an app's import webhook goes: v2 settings' webhookUri, else v1 importTriggerUri."""
    found = repo.webhook_target(conn, app_id)
    if found is None or not (found.webhook_uri or found.import_trigger_uri):
        return None
    secret = tenancy.client_secret(conn, found)
    if found.webhook_uri:
        return WebhookTarget(found.webhook_uri, 2, secret)
    return WebhookTarget(found.import_trigger_uri, 1, secret)


def start_import(conn: Connection, portal_id: int, app_id: int, store_id: str) -> Row[Any]:
    """Start an import of a store's history and queue the import webhook; returns the import."""
    if not repo.lock_installation(conn, portal_id, app_id):
        raise NotFound(f"App {app_id} is not installed in portal {portal_id}.")
    target = webhook_target(conn, app_id)
    if target is None:
        raise ValidationFailed(
            f"App {app_id} has no import webhook: set webhookUri in the app's settings "
            f"(PUT /extensions/ecomm/v2/settings?appId={app_id}) or importTriggerUri "
            f"(PUT /extensions/ecomm/v1/import-settings?appId={app_id}) with the developer API "
            "key, then start the import again."
        )
    if target.api_version == 1 and store_id != DEFAULT_STORE_ID:
        raise ValidationFailed(
            f"storeId: app {app_id} only has a v1 importTriggerUri, and v1 imports fill the "
            f"'default' store; set webhookUri in the app's v2 settings to import store "
            f"{store_id!r}."
        )
    resolve_store(conn, portal_id, app_id, store_id)  # NotFound for an unknown store
    active = repo.find_active(conn, portal_id, app_id, store_id)
    if active is not None:
        raise Conflict(
            f"An import of store {store_id!r} is already in progress (importStartedAt "
            f"{active.started_at}, state {active.state}); wait for it to complete or fail."
        )
    now = now_ms()
    latest = repo.latest_started_at(conn, portal_id, app_id)
    # importStartedAt identifies the import for v1 pages (which carry no storeId): keep it unique.
    started_at = now if latest is None or latest < now else latest + 1
    import_id = repo.insert_import(
        conn,
        portal_id=portal_id,
        app_id=app_id,
        store_id=store_id,
        started_at=started_at,
        api_version=target.api_version,
        state=AWAITING_COUNTS,
        events=[_event(now, f"Import started; sending the import webhook to {target.uri}.")],
        created_at=now,
        updated_at=now,
    )
    repo.insert_types(conn, import_id, SETTINGS_IDS)
    # A v1 app may import into a portal that never defined a store: give it the ecommerce schema.
    ensure_portal_schema(conn, portal_id)
    enqueue(conn, IMPORT_WEBHOOK, import_id, portal_id)
    row = repo.get_import(conn, import_id)
    assert row is not None
    return row


# --- events and state changes ------------------------------------------------------------------


def _event(at: int, message: str) -> dict[str, Any]:
    return {"at": at, "message": message}


def add_event(conn: Connection, import_id: int, message: str, **changes: Any) -> None:
    """Append an event (and apply other column changes) to an import, under its row lock."""
    row = repo.get_import(conn, import_id, for_update=True)
    if row is None:
        return
    now = now_ms()
    events = [*list(row.events or []), _event(now, message)]
    repo.update_import(conn, import_id, events=events, updated_at=now, **changes)


def fail_import(conn: Connection, import_id: int, reason: str) -> None:
    add_event(conn, import_id, f"Import failed: {reason}", state=FAILED, failure_reason=reason)


def cancel_import(
    conn: Connection, portal_id: int, app_id: int, store_id: str, started_at: int, who: str
) -> Row[Any]:
    """Give up an import still in progress (an integrator that died half way would otherwise
    block the store's next import). Data already applied stays; the apply stops at its next
    chunk."""
    row = _find(conn, portal_id, app_id, store_id, started_at)
    locked = repo.get_import(conn, row.id, for_update=True)
    assert locked is not None
    if locked.state not in repo.ACTIVE_STATES:
        raise Conflict(
            f"The import started at {started_at} is already {locked.state}; only an import in "
            "progress can be cancelled."
        )
    fail_import(conn, row.id, f"cancelled by {who}.")
    cancelled = repo.get_import(conn, row.id)
    assert cancelled is not None
    return cancelled


def _find(
    conn: Connection, portal_id: int, app_id: int, store_id: str, started_at: int | None
) -> Row[Any]:
    if not is_valid_store_id(store_id):
        row = None  # no store has this id (and it could not be sent to the database as it is)
    elif started_at is None:
        row = repo.latest_of_store(conn, portal_id, app_id, store_id)
    else:
        found = repo.find_by_started_at(conn, portal_id, app_id, started_at)
        row = next((r for r in found if r.store_id == store_id), None)
    if row is None:
        at = "" if started_at is None else f" started at {started_at}"
        raise NotFound(f"No import{at} of store {store_id!r} for this app in this portal.")
    return row


# --- progress ----------------------------------------------------------------------------------


def get_progress(
    conn: Connection, portal_id: int, app_id: int, store_id: str, started_at: int | None = None
) -> dict[str, Any]:
    """The progress of an import of a store (the latest one when no importStartedAt is given)."""
    return describe(conn, _find(conn, portal_id, app_id, store_id, started_at))


def describe(conn: Connection, row: Row[Any]) -> dict[str, Any]:
    """An import as the progress endpoint shows it (docs/imports.md)."""
    types, last_received = types_with_received(conn, row.id)
    by_type = {t.object_type: t for t in types}
    object_types: dict[str, Any] = {}
    totals = {"announced": 0, "received": 0, "applied": 0}
    for object_type in APPLY_ORDER:
        t = by_type.get(object_type)
        if t is None:
            continue
        object_types[object_type] = {
            "announced": t.announced,
            "receivedPages": t.received_pages,
            "receivedItems": t.received_items,
            "applied": t.applied,
            "ended": t.ended_at is not None,
            "endPageCount": t.end_page_count,
            "endItemCount": t.end_item_count,
        }
        totals["announced"] += t.announced or 0
        totals["received"] += t.received_items
        totals["applied"] += t.applied
    body: dict[str, Any] = {
        "storeId": row.store_id,
        "importStartedAt": row.started_at,
        "state": row.state,
    }
    if row.failure_reason:
        body["failureReason"] = row.failure_reason
    body["createdAt"] = row.created_at
    # Pages are stored apart from the import row (``ecombridge.db.page_store``): the last page
    # received is one of its changes.
    body["updatedAt"] = max(row.updated_at, last_received or 0)
    if row.completed_at is not None:
        body["completedAt"] = row.completed_at
    body["objectTypes"] = object_types
    body["totals"] = totals
    body["events"] = [{"at": e["at"], "message": e["message"]} for e in row.events or []]
    return body
