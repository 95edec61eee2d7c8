"""The relay's listener on the change feed: one outbox row per (destination, object) changed,
in the writer's transaction, so what commits is delivered and nothing else is.

Cost when the portal has no destination: one indexed read of ``relay_destinations`` per
transaction and portal (the answer is kept on the connection for the rest of the transaction).
Rows coalesce: an object changed again before delivery keeps one row with the newest changedAt.
A destination limited to some stores gets only their changes; CRM-API writes (no store) go to
the destinations of the whole portal. The first change filed for an idle destination wakes its
relay job.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from ecombridge.change_feed import Changes, listener
from ecombridge.clock import now_ms
from ecombridge.queue import service as queue
from ecombridge.relay import repository as repo
from ecombridge.relay.definitions import CRM_NAMES, RELAY_JOB

_CACHE_KEY = "ecombridge.relay.destinations"


def _destinations(conn: Connection, portal_id: int) -> list[tuple[int, list[str] | None]]:
    transaction = conn.get_transaction()
    cached: tuple[Any, dict[int, Any]] | None = conn.info.get(_CACHE_KEY)
    if cached is None or cached[0] is not transaction:
        cached = (transaction, {})
        conn.info[_CACHE_KEY] = cached
    found = cached[1].get(portal_id)
    if found is None:
        found = cached[1][portal_id] = repo.feed_targets(conn, portal_id)
    return list(found)


def forget_destinations(conn: Connection) -> None:
    """Drop the transaction's cached answer (a destination was added or removed in it)."""
    conn.info.pop(_CACHE_KEY, None)


def _wanted(store_ids: list[str] | None, store_id: str | None) -> bool:
    if store_ids is None:
        return True
    return store_id is not None and store_id in store_ids


@listener
def on_change(conn: Connection, changes: Changes) -> None:
    if changes.object_type not in CRM_NAMES:
        return
    targets = [
        dest
        for dest, stores in _destinations(conn, changes.portal_id)
        if _wanted(stores, changes.store_id)
    ]
    if not targets:
        return
    now = now_ms()
    rows = [
        {
            "destination_id": dest,
            "object_type": changes.object_type,
            "object_id": object_id,
            "changed_at": changed_at,
            "queued_at": now,
        }
        for dest in targets
        for object_id, changed_at in sorted(changes.changed.items())
    ]
    repo.file_outbox(conn, rows)
    for dest in targets:
        queue.enqueue_after_commit(conn, RELAY_JOB, dest, changes.portal_id)
