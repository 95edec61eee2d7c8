"""All SQL for portals, developers, apps, installations and credentials."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from ecombridge.db.tables import apps, credentials, developers, installations, portals


def insert_portal(conn: Connection, portal_id: int, name: str, now: int) -> None:
    conn.execute(sa.insert(portals).values(id=portal_id, name=name, created_at=now))


def get_portal(conn: Connection, portal_id: int) -> Row[Any] | None:
    return conn.execute(sa.select(portals).where(portals.c.id == portal_id)).first()


def update_portal(conn: Connection, portal_id: int, **values: Any) -> None:
    conn.execute(sa.update(portals).where(portals.c.id == portal_id).values(**values))


def lock_portal_creation(conn: Connection) -> None:
    """Serialise "create a portal if there is none" across processes for this transaction.
    (SQLite write transactions are already serialised by BEGIN IMMEDIATE.)"""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(7305521)"))


def count_portals(conn: Connection) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(portals)).scalar_one())


def set_portal_installed(conn: Connection, portal_id: int, installed: bool) -> None:
    conn.execute(
        sa.update(portals).where(portals.c.id == portal_id).values(ecomm_installed=installed)
    )


def insert_developer(conn: Connection, developer_id: int, name: str, now: int) -> None:
    conn.execute(sa.insert(developers).values(id=developer_id, name=name, created_at=now))


def insert_app(conn: Connection, **values: Any) -> None:
    conn.execute(sa.insert(apps).values(**values))


def get_app(conn: Connection, app_id: int) -> Row[Any] | None:
    return conn.execute(sa.select(apps).where(apps.c.id == app_id)).first()


def get_app_by_client_id(conn: Connection, client_id: str) -> Row[Any] | None:
    return conn.execute(sa.select(apps).where(apps.c.client_id == client_id)).first()


def update_app(conn: Connection, app_id: int, **values: Any) -> None:
    conn.execute(sa.update(apps).where(apps.c.id == app_id).values(**values))


def sealed_client_secrets(conn: Connection, limit: int | None = None) -> list[tuple[int, str]]:
    """(id, client_secret_sealed) of every app (of the first ``limit``)."""
    rows = conn.execute(
        sa.select(apps.c.id, apps.c.client_secret_sealed).order_by(apps.c.id).limit(limit)
    )
    return [(int(app_id), str(sealed)) for app_id, sealed in rows]


def upsert_installation(
    conn: Connection, portal_id: int, app_id: int, scopes: str, now: int
) -> int:
    existing = conn.execute(
        sa.select(installations.c.id).where(
            installations.c.portal_id == portal_id, installations.c.app_id == app_id
        )
    ).scalar()
    if existing is not None:
        conn.execute(
            sa.update(installations)
            .where(installations.c.id == existing)
            .values(scopes=scopes, uninstalled_at=None)
        )
        return int(existing)
    return int(
        conn.execute(
            sa.insert(installations)
            .values(portal_id=portal_id, app_id=app_id, scopes=scopes, created_at=now)
            .returning(installations.c.id)
        ).scalar_one()
    )


def find_installation(conn: Connection, portal_id: int, app_id: int) -> Row[Any] | None:
    return conn.execute(
        sa.select(installations).where(
            installations.c.portal_id == portal_id, installations.c.app_id == app_id
        )
    ).first()


def insert_credential(conn: Connection, **values: Any) -> int:
    return int(
        conn.execute(
            sa.insert(credentials).values(**values).returning(credentials.c.id)
        ).scalar_one()
    )


def find_credential(conn: Connection, token_hash: str) -> Row[Any] | None:
    """The credential with this digest, with its installation's ``uninstalled_at`` (None when
    it has no installation or the installation is active)."""
    return conn.execute(
        sa.select(credentials, installations.c.uninstalled_at)
        .select_from(
            credentials.outerjoin(
                installations, installations.c.id == credentials.c.installation_id
            )
        )
        .where(credentials.c.token_hash == token_hash)
    ).first()


def consume_credential(conn: Connection, credential_id: int, now: int) -> bool:
    """Revoke a single-use credential; False when another request used it first."""
    result = conn.execute(
        sa.update(credentials)
        .where(credentials.c.id == credential_id, credentials.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return result.rowcount == 1


def set_credential_expiry(conn: Connection, token_hash: str, expires_at: int | None) -> None:
    conn.execute(
        sa.update(credentials)
        .where(credentials.c.token_hash == token_hash)
        .values(expires_at=expires_at)
    )


def set_installation_uninstalled(conn: Connection, installation_id: int, now: int | None) -> None:
    conn.execute(
        sa.update(installations)
        .where(installations.c.id == installation_id)
        .values(uninstalled_at=now)
    )


def revoke_credential(conn: Connection, credential_id: int, now: int) -> None:
    conn.execute(
        sa.update(credentials).where(credentials.c.id == credential_id).values(revoked_at=now)
    )


def revoke_issued_from(conn: Connection, code_id: int, now: int) -> int:
    """Revoke what an authorization code issued: its tokens, and the access tokens refreshed
    with its refresh token. Returns how many credentials the code had issued."""
    c = credentials.c
    children = sa.select(c.id).where(c.issued_from == code_id)
    issued = conn.execute(sa.select(sa.func.count()).where(c.issued_from == code_id)).scalar_one()
    conn.execute(
        sa.update(credentials)
        .where(
            c.revoked_at.is_(None),
            sa.or_(c.issued_from == code_id, c.issued_from.in_(children)),
        )
        .values(revoked_at=now)
    )
    return int(issued)


def revoke_installation_credentials(conn: Connection, installation_id: int, now: int) -> None:
    """Revoke every live credential of the installation."""
    conn.execute(
        sa.update(credentials)
        .where(credentials.c.installation_id == installation_id, credentials.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
