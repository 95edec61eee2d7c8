"""Users of the web UI."""

from __future__ import annotations

from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from ecombridge.db.tables import portals, users, web_sessions


def insert_user(conn: Connection, portal_id: int, email: str, password_hash: str, now: int) -> int:
    result = conn.execute(
        sa.insert(users)
        .values(portal_id=portal_id, email=email, password_hash=password_hash, created_at=now)
        .returning(users.c.id)
    )
    return int(result.scalar_one())


def get_user_by_email(conn: Connection, email: str) -> Row[Any] | None:
    return conn.execute(sa.select(users).where(users.c.email == email)).first()


def update_password(conn: Connection, user_id: int, password_hash: str) -> None:
    conn.execute(sa.update(users).where(users.c.id == user_id).values(password_hash=password_hash))


def insert_session(conn: Connection, token_hash: str, user_id: int, now: int) -> None:
    conn.execute(
        sa.insert(web_sessions).values(token_hash=token_hash, user_id=user_id, created_at=now)
    )


def delete_session(conn: Connection, token_hash: str) -> None:
    conn.execute(sa.delete(web_sessions).where(web_sessions.c.token_hash == token_hash))


def delete_sessions(
    conn: Connection, *, user_id: int | None = None, before: int | None = None
) -> None:
    """The sessions of a user, or those begun before a time (expired)."""
    query = sa.delete(web_sessions)
    if user_id is not None:
        query = query.where(web_sessions.c.user_id == user_id)
    if before is not None:
        query = query.where(web_sessions.c.created_at < before)
    conn.execute(query)


def get_user_of_session(conn: Connection, token_hash: str, since: int) -> Row[Any] | None:
    """The user a session begun at or after ``since`` belongs to."""
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
        .join(web_sessions, web_sessions.c.user_id == users.c.id)
        .where(web_sessions.c.token_hash == token_hash, web_sessions.c.created_at >= since)
    )
    return cast("Row[Any] | None", conn.execute(query).first())
