"""All SQL of the shared rate-limit counters."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ecombridge.db.dialect import insert_for
from ecombridge.db.tables import rate_limit_counters

c = rate_limit_counters.c


def relax_durability(conn: Connection) -> None:
    """A counter lost in a crash costs nothing: PostgreSQL need not wait for the WAL flush."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")


def increment(conn: Connection, key: str, expires_at: int) -> int:
    """Count one hit on ``key``; its new count."""
    statement = (
        insert_for(conn, rate_limit_counters)
        .values(key=key, hits=1, expires_at=expires_at)
        .on_conflict_do_update(index_elements=[c.key], set_={"hits": c.hits + 1})
        .returning(c.hits)
    )
    return int(conn.execute(statement).scalar_one())


def hits(conn: Connection, key: str, now_ms: int) -> int:
    query = sa.select(c.hits).where(c.key == key, c.expires_at > now_ms)
    return int(conn.execute(query).scalar() or 0)


def delete_expired(conn: Connection, now_ms: int) -> None:
    conn.execute(sa.delete(rate_limit_counters).where(c.expires_at <= now_ms))
