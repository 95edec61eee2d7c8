"""Users of the web UI."""

from __future__ import annotations

from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from ecombridge.db.tables import portals, users


def insert_user(conn: Connection, portal_id: int, email: str, password_hash: str, now: int) -> int:
    result = conn.execute(
        sa.insert(users)
        .values(portal_id=portal_id, email=email, password_hash=password_hash, created_at=now)
        .returning(users.c.id)
    )
    return int(result.scalar_one())


def get_user_by_email(conn: Connection, email: str) -> Row[Any] | None:
    return conn.execute(sa.select(users).where(users.c.email == email)).first()


def get_user(conn: Connection, user_id: int) -> Row[Any] | None:
    query = (
        sa.select(
            users.c.id,
            users.c.email,
            users.c.portal_id,
            portals.c.name.label("portal_name"),
            portals.c.time_zone,
            portals.c.currency,
        )
        .join(portals, portals.c.id == users.c.portal_id)
        .where(users.c.id == user_id)
    )
    return cast("Row[Any] | None", conn.execute(query).first())
