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
    return int(conn.execute(_upsert(conn, key, expires_at)).scalar_one())


def hits(conn: Connection, key: str, now_ms: int) -> int:
    query = sa.select(c.hits).where(c.key == key, c.expires_at > now_ms)
    return int(conn.execute(query).scalar() or 0)


def delete_expired(conn: Connection, now_ms: int) -> None:
    conn.execute(sa.delete(rate_limit_counters).where(c.expires_at <= now_ms))


# One round trip on PostgreSQL: the data-modifying CTEs count the hit on the current window and
# the day, the select reads the previous window. Plain text, so nothing is compiled per request.
_COUNT_HIT = sa.text(
    """
    WITH window_hits AS (
        INSERT INTO rate_limit_counters (key, hits, expires_at)
        VALUES (:current, 1, :current_expires)
        ON CONFLICT (key) DO UPDATE SET hits = rate_limit_counters.hits + 1
        RETURNING hits
    ), day_hits AS (
        INSERT INTO rate_limit_counters (key, hits, expires_at)
        SELECT :daily, 1, :daily_expires WHERE CAST(:counts_daily AS BOOLEAN)
        ON CONFLICT (key) DO UPDATE SET hits = rate_limit_counters.hits + 1
        RETURNING hits
    )
    SELECT
        (SELECT hits FROM rate_limit_counters WHERE key = :previous AND expires_at > :now),
        (SELECT hits FROM window_hits),
        (SELECT hits FROM day_hits)
    """
)


def count_hit(
    conn: Connection,
    current: str,
    current_expires_at: int,
    daily: str | None,
    daily_expires_at: int,
    previous: str,
    now_ms: int,
) -> tuple[int, int, int]:
    """Count one hit on the current window (and the day, when given) and read the previous
    window: (previous, current, daily)."""
    if conn.dialect.name == "postgresql":
        params = {
            "current": current,
            "current_expires": current_expires_at,
            "daily": daily or "",
            "counts_daily": daily is not None,
            "daily_expires": daily_expires_at,
            "previous": previous,
            "now": now_ms,
        }
        before, counted, day = conn.execute(_COUNT_HIT, params).one()
        return int(before or 0), int(counted), int(day or 0)
    counted = increment(conn, current, current_expires_at)
    day = increment(conn, daily, daily_expires_at) if daily else 0
    return hits(conn, previous, now_ms), counted, day


def _upsert(conn: Connection, key: str, expires_at: int) -> sa.Insert:
    insert: sa.Insert = (
        insert_for(conn, rate_limit_counters)
        .values(key=key, hits=1, expires_at=expires_at)
        .on_conflict_do_update(index_elements=[c.key], set_={"hits": c.hits + 1})
        .returning(c.hits)
    )
    return insert
