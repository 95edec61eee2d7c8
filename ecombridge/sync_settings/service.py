"""Settings rules. Settings belong to an app (portal_id 0, used for data its tokens write) or to a
portal's custom integration (app_id 0, used for data written with a portal key or private-app
token). v1 and v2 address the same stored settings; each replaces what its shape can express.
Takes a connection, never commits.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection, Row

from ecombridge.clock import now_ms
from ecombridge.crm_schema.object_types import OBJECT_TYPES
from ecombridge.crm_schema.service import ensure_portal_schema
from ecombridge.errors import NotFound
from ecombridge.sync_settings import repository as repo
from ecombridge.sync_settings.schemas import PropertyMapping, Settings
from ecombridge.tenancy import repository as tenancy_repo
from ecombridge.tenancy.principal import CUSTOM_INTEGRATION


def _from_row(row: Row[Any]) -> Settings:
    stored: dict[str, list[dict[str, Any]]] = row.mappings or {}
    return Settings(
        enabled=bool(row.enabled),
        mappings={
            t: [PropertyMapping.from_json(m) for m in stored.get(t, [])] for t in OBJECT_TYPES
        },
        webhook_uri=row.webhook_uri,
        import_on_install=row.import_on_install,
        updated_at=int(row.updated_at),
    )


def find_settings(conn: Connection, portal_id: int, app_id: int) -> Settings | None:
    row = repo.get(conn, portal_id, app_id)
    return _from_row(row) if row is not None else None


def get_settings(conn: Connection, portal_id: int, app_id: int) -> Settings:
    found = find_settings(conn, portal_id, app_id)
    if found is None:
        whose = f"app {app_id}" if app_id else f"portal {portal_id}"
        raise NotFound(f"No ecommerce settings are stored for {whose}; create them with PUT.")
    return found


def _save(conn: Connection, portal_id: int, app_id: int, settings: Settings) -> Settings:
    if portal_id:  # a portal configuring its own integration gets the ecommerce CRM schema
        ensure_portal_schema(conn, portal_id)
    repo.upsert(
        conn,
        portal_id,
        app_id,
        enabled=settings.enabled,
        webhook_uri=settings.webhook_uri,
        import_on_install=settings.import_on_install,
        mappings=settings.mappings_json(),
        updated_at=now_ms(),
    )
    return get_settings(conn, portal_id, app_id)


def put_settings_v2(conn: Connection, portal_id: int, app_id: int, new: Settings) -> Settings:
    """Full replace of what v2 expresses; v1's ``importOnInstall`` is kept."""
    old = find_settings(conn, portal_id, app_id)
    keep = old.import_on_install if old is not None else None
    return _save(
        conn,
        portal_id,
        app_id,
        Settings(new.enabled, new.mappings, new.webhook_uri, import_on_install=keep),
    )


def put_settings_v1(conn: Connection, portal_id: int, app_id: int, new: Settings) -> Settings:
    """Full replace of what v1 expresses; v2's ``webhookUri`` is kept."""
    old = find_settings(conn, portal_id, app_id)
    webhook = old.webhook_uri if old is not None else None
    return _save(
        conn,
        portal_id,
        app_id,
        Settings(new.enabled, new.mappings, webhook, import_on_install=new.import_on_install),
    )


def delete_settings(conn: Connection, portal_id: int, app_id: int) -> None:
    """Idempotent: deleting settings that do not exist succeeds too."""
    repo.delete(conn, portal_id, app_id)


def settings_for_source(conn: Connection, portal_id: int, source_app_id: int) -> Settings | None:
    """The settings that apply to data written by ``source_app_id`` into ``portal_id``."""
    if source_app_id == CUSTOM_INTEGRATION:
        return find_settings(conn, portal_id, 0)
    return find_settings(conn, 0, source_app_id)


def portal_settings_enabled(conn: Connection, portal_id: int) -> bool:
    settings = find_settings(conn, portal_id, 0)
    return settings is not None and settings.enabled


# ---------------------------------------------------------------------------------------------
# v1 import settings (the app's import trigger URI)


def get_import_trigger_uri(conn: Connection, app_id: int) -> str | None:
    app = tenancy_repo.get_app(conn, app_id)
    if app is None:
        raise NotFound(f"App {app_id} does not exist.")
    uri: str | None = app.import_trigger_uri
    return uri


def set_import_trigger_uri(conn: Connection, app_id: int, uri: str | None) -> str | None:
    """``uri`` as ``parse_import_settings`` and ``check_webhook_uri`` let it through."""
    if tenancy_repo.get_app(conn, app_id) is None:
        raise NotFound(f"App {app_id} does not exist.")
    tenancy_repo.update_app(conn, app_id, import_trigger_uri=uri)
    return uri
