"""All SQL on ``mail_senders``: a portal's unsubscribe key, and the row locked to keep its
hourly cap under concurrent senders."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ecombridge.db.dialect import insert_for
from ecombridge.db.tables import mail_senders


def unsubscribe_key(conn: Connection, portal_id: int) -> str | None:
    query = sa.select(mail_senders.c.unsubscribe_key).where(mail_senders.c.portal_id == portal_id)
    key = conn.execute(query).scalar_one_or_none()
    return None if key is None else str(key)


def ensure_sender(conn: Connection, portal_id: int, key: str, now: int) -> str:
    """The portal's key, made from ``key`` when it has none; the row is locked until the
    caller's transaction ends (PostgreSQL; SQLite has one writer anyway)."""
    conn.execute(
        insert_for(conn, mail_senders)
        .values(portal_id=portal_id, unsubscribe_key=key, created_at=now)
        .on_conflict_do_nothing()
    )
    query = (
        sa.select(mail_senders.c.unsubscribe_key)
        .where(mail_senders.c.portal_id == portal_id)
        .with_for_update()
    )
    return str(conn.execute(query).scalar_one())
