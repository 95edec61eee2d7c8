"""v1 install rules. Takes a connection, never commits."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Connection

from ecombridge.crm_schema.service import ensure_portal_schema
from ecombridge.stores.service import ensure_default_store
from ecombridge.sync_settings.service import portal_settings_enabled
from ecombridge.tenancy import repository as tenancy_repo
from ecombridge.tenancy.service import require_portal


@dataclass(frozen=True)
class InstallStatus:
    install_completed: bool
    settings_enabled: bool


def install(conn: Connection, portal_id: int) -> None:
    """Idempotent: CRM schema, the custom integration's default store, the installed flag."""
    require_portal(conn, portal_id)
    ensure_portal_schema(conn, portal_id)
    ensure_default_store(conn, portal_id)
    tenancy_repo.set_portal_installed(conn, portal_id, True)


def uninstall(conn: Connection, portal_id: int) -> None:
    """Turns the ecommerce features off; stores, settings and synced data are kept."""
    require_portal(conn, portal_id)
    tenancy_repo.set_portal_installed(conn, portal_id, False)


def status(conn: Connection, portal_id: int) -> InstallStatus:
    portal = tenancy_repo.get_portal(conn, portal_id)
    installed = bool(portal is not None and portal.ecomm_installed)
    return InstallStatus(installed, portal_settings_enabled(conn, portal_id))
