"""Choices the filters offer: the portal's stores, named by their source."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from ecombridge.web.repository.stores import app_names, list_stores

CUSTOM_INTEGRATION_NAME = "Custom integration"


def source_names(conn: Connection, portal_id: int) -> dict[int, str]:
    return {0: CUSTOM_INTEGRATION_NAME, **app_names(conn, portal_id)}


def store_choices(conn: Connection, portal_id: int) -> list[tuple[str, str]]:
    """(``appId:storeId``, "label (source)") of every listed store."""
    names = source_names(conn, portal_id)
    return [
        (f"{row.source_app_id}:{row.id}", f"{row.label} ({names.get(row.source_app_id, 'App')})")
        for row in list_stores(conn, portal_id)
    ]
