"""The rules of destinations: adding (its token sealed, its first job queued), pausing,
resuming, a new token, removal, and the status that tells what was delivered.

Takes a connection, never commits; raises the bridge's errors."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from ecombridge.clock import now_ms
from ecombridge.errors import NotFound, ValidationFailed
from ecombridge.limits import MAX_BIGINT
from ecombridge.outbound.addresses import AddressPolicy, BlockedAddress, check_url
from ecombridge.queue import service as queue
from ecombridge.relay import repository as repo
from ecombridge.relay.definitions import BACKFILLING, RELAY_JOB, SETTING_UP, state_of
from ecombridge.relay.outbox import forget_destinations
from ecombridge.relay.schemas import DestinationChanges, NewDestination
from ecombridge.relay.tokens import seal_token


def add_destination(conn: Connection, portal_id: int, new: NewDestination) -> int:
    try:
        check_url(new.base_url, AddressPolicy.from_env())
    except BlockedAddress as exc:
        raise ValidationFailed(f"baseUrl: the bridge may not call this address: {exc}") from None
    now = now_ms()
    dest_id = repo.insert_destination(
        conn,
        portal_id=portal_id,
        base_url=new.base_url,
        token_sealed=seal_token(conn, new.access_token),
        store_ids=new.store_ids,
        phase=SETTING_UP,
        created_at=now,
        updated_at=now,
    )
    forget_destinations(conn)
    queue.enqueue(conn, RELAY_JOB, dest_id, portal_id, now=now)
    return dest_id


def _own(conn: Connection, portal_id: int | None, dest_id: int) -> Any:
    dest = repo.destination(conn, dest_id) if 0 < dest_id <= MAX_BIGINT else None
    if dest is None or (portal_id is not None and dest.portal_id != portal_id):
        raise NotFound(f"No destination {dest_id} in this portal.")
    return dest


def change_destination(
    conn: Connection, portal_id: int | None, dest_id: int, changes: DestinationChanges
) -> None:
    """Pause, resume or give a new token; resuming or a new token retries at once."""
    dest = _own(conn, portal_id, dest_id)
    values: dict[str, Any] = {"updated_at": now_ms()}
    if changes.paused is not None:
        values["paused"] = changes.paused
    if changes.access_token is not None:
        values["token_sealed"] = seal_token(conn, changes.access_token)
    wake = changes.paused is False or changes.access_token is not None
    if wake:
        values.update(failures=0)
        if dest.lease_token == "BACKOFF":
            values.update(lease_token=None, lease_until=None)
    repo.update_destination(conn, dest_id, **values)
    if wake and not values.get("paused"):
        # Sooner than a retry waiting on backoff.
        queue.schedule(conn, RELAY_JOB, dest_id, dest.portal_id, values["updated_at"])


def remove_destination(conn: Connection, portal_id: int | None, dest_id: int) -> None:
    _own(conn, portal_id, dest_id)
    repo.delete_destination(conn, dest_id)
    forget_destinations(conn)


def destination_status(conn: Connection, dest: Any, now: int | None = None) -> dict[str, Any]:
    now = now_ms() if now is None else now
    pending, oldest = repo.outbox_summary(conn, dest.id)
    counts = repo.state_counts(conn, dest.id)
    delivered = counts.get("DELIVERED", 0)
    status: dict[str, Any] = {
        "destinationId": int(dest.id),
        "portalId": int(dest.portal_id),
        "baseUrl": dest.base_url,
        "storeIds": dest.store_ids,
        "state": state_of(dest.phase, dest.paused, dest.failing_reason),
        "reason": dest.failing_reason,
        "pending": pending,
        "delivered": delivered,
        "failed": counts.get("FAILED", 0),
        "stopped": counts.get("STOPPED", 0),
        "lagSeconds": 0.0 if oldest is None else round(max(0, now - oldest) / 1000, 3),
        "dailyRemaining": dest.daily_remaining,
    }
    if dest.phase in (SETTING_UP, BACKFILLING) or dest.backfill_total:
        total = int(dest.backfill_total)
        status["backfill"] = {
            "total": total,
            "filed": int(dest.backfill_filed),
            "delivered": min(total, delivered + counts.get("FAILED", 0)),
            "done": dest.phase not in (SETTING_UP, BACKFILLING),
        }
    refused = (dest.target or {}).get("refusedProperties") or []
    if refused:
        status["refusedProperties"] = refused
    return status


def list_status(conn: Connection, portal_id: int) -> list[dict[str, Any]]:
    now = now_ms()
    return [destination_status(conn, d, now) for d in repo.destinations(conn, portal_id)]


def get_status(conn: Connection, portal_id: int | None, dest_id: int) -> dict[str, Any]:
    return destination_status(conn, _own(conn, portal_id, dest_id))


def object_deliveries(
    conn: Connection, portal_id: int, object_type: str, object_ids: list[int]
) -> dict[int, list[dict[str, Any]]]:
    """Per object: its delivery at each of the portal's destinations (sync status, object
    pages): PENDING while a change waits, else DELIVERED, FAILED (with the target's message) or
    STOPPED (a DELETE ended its delivery)."""
    ours = {int(d.id) for d in repo.destinations(conn, portal_id)}
    found: dict[tuple[int, int], dict[str, Any]] = {}
    for row in repo.object_states(conn, ours, object_type, object_ids):
        found[(int(row.object_id), int(row.destination_id))] = {
            "destinationId": int(row.destination_id),
            "state": row.state,
            "targetId": row.target_id,
            "changedAt": int(row.changed_at),
            "error": row.error,
        }
    for dest_id, object_id, changed_at in repo.pending_of(conn, ours, object_type, object_ids):
        known = found.get((object_id, dest_id), {})
        found[(object_id, dest_id)] = {
            "destinationId": dest_id,
            "state": "PENDING",
            "targetId": known.get("targetId"),
            "changedAt": changed_at,
            "error": None,
        }
    by_object: dict[int, list[dict[str, Any]]] = {}
    for (object_id, _), delivery in sorted(found.items()):
        by_object.setdefault(object_id, []).append(delivery)
    return by_object


def deliveries_of(
    conn: Connection, portal_id: int, object_type: str, object_id: int | None
) -> list[dict[str, Any]]:
    """``object_deliveries`` of one object (none while it has no CRM object)."""
    if not object_id:
        return []
    return object_deliveries(conn, portal_id, object_type, [object_id]).get(object_id, [])
