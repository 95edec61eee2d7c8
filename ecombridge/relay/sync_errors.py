"""Delivery failures in the sync error listings, as errors of the object.

A failure is filed under the object's sync links (every store it came from) as an OPEN
``UNKNOWN_ERROR`` (a type every client's enum knows) whose details start with
``Delivery to destination N failed:`` followed by the target's message. It never overwrites an
OPEN error of the sync itself, and a later successful delivery resolves it. Objects written
through the CRM API have no sync link: their failures show in the relay's status only.
"""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ecombridge.db.dialect import insert_for
from ecombridge.db.tables import sync_errors
from ecombridge.relay import source_repository as source

ERROR_TYPE = "UNKNOWN_ERROR"
PREFIX = "Delivery to destination "
e = sync_errors.c


def _prefix(destination_id: int) -> str:
    return f"{PREFIX}{destination_id} failed: "


def record(
    conn: Connection,
    portal_id: int,
    destination_id: int,
    object_type: str,
    failed: dict[int, tuple[str, int]],
    now: int,
) -> None:
    """``failed``: object id -> (the target's message, changedAt delivered)."""
    if not failed:
        return
    rows = [
        {
            "portal_id": portal_id,
            "source_app_id": link.source_app_id,
            "store_id": link.store_id,
            "object_type": object_type,
            "external_id": link.external_id,
            "type": ERROR_TYPE,
            "details": _prefix(destination_id) + failed[int(link.hubspot_id)][0],
            "changed_at": failed[int(link.hubspot_id)][1],
            "errored_at": now,
            "status": "OPEN",
        }
        for link in source.sync_links(conn, portal_id, object_type, failed)
        if link.deleted_at is None
    ]
    if not rows:
        return
    statement = insert_for(conn, sync_errors)
    ours_or_resolved = sa.or_(e.status != "OPEN", e.details.startswith(PREFIX))
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[e.portal_id, e.source_app_id, e.store_id, e.object_type, e.external_id],
            set_={
                "type": statement.excluded.type,
                "details": statement.excluded.details,
                "changed_at": statement.excluded.changed_at,
                "errored_at": statement.excluded.errored_at,
                "status": statement.excluded.status,
            },
            where=ours_or_resolved,
        ),
        rows,
    )


def resolve(
    conn: Connection,
    portal_id: int,
    destination_id: int,
    object_type: str,
    delivered: Collection[int],
) -> None:
    """Resolve this destination's open delivery errors of objects now delivered."""
    if not delivered:
        return
    keys = [
        (link.source_app_id, link.store_id, link.external_id)
        for link in source.sync_links(conn, portal_id, object_type, delivered)
    ]
    if not keys:
        return
    conn.execute(
        sync_errors.update()
        .where(
            e.portal_id == portal_id,
            e.object_type == object_type,
            sa.tuple_(e.source_app_id, e.store_id, e.external_id).in_(keys),
            e.status == "OPEN",
            e.details.startswith(_prefix(destination_id)),
        )
        .values(status="RESOLVED")
    )
