"""Destination tokens, kept sealed at rest with the bridge's secret box."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from ecombridge.tenancy.secret_box import seal, unseal


def seal_token(conn: Connection, token: str) -> str:
    return seal(conn.engine.url, token)


def open_token(conn: Connection, sealed: str) -> str:
    return unseal(conn.engine.url, sealed)
