"""A small world of errors across two portals, two apps and the portals' own integrations."""

from __future__ import annotations

from dataclasses import dataclass

from ecombridge.db.engine import Database
from ecombridge.tenancy import service as tenancy
from tests.support.factories import InstalledApp, Portal, make_installed_app, make_portal
from tests.support.sync_rows import T0, ErrorRow, insert_errors


@dataclass(frozen=True)
class World:
    portal: Portal
    other: Portal
    app: InstalledApp  # installed in both portals
    other_token: str  # the app's token in the other portal
    second_app: InstalledApp  # installed in ``portal`` only


def build_world(db: Database) -> World:
    portal = make_portal(db, "Shop")
    other = make_portal(db, "Other shop")
    app = make_installed_app(db, portal.id, "Connector")
    second = make_installed_app(db, portal.id, "Second connector")
    with db.write() as conn:
        other_tokens = tenancy.install_app(
            conn, app.app_id, other.id, "integration-sync", ttl_s=600
        )
    a, b = app.app_id, second.app_id
    missing_deal = "Invalid associations [hs_assoc__deal_id: d-9]. Do those objects exist?"
    insert_errors(
        db,
        [
            ErrorRow(portal.id, "own-1", T0 + 10),
            ErrorRow(portal.id, "own-2", T0 + 60, object_type="DEAL", type="INVALID_DEAL_STAGE"),
            ErrorRow(portal.id, "app-1", T0 + 30, source_app_id=a),
            ErrorRow(portal.id, "app-2", T0 + 50, source_app_id=a, object_type="LINE_ITEM",
                     type="INVALID_ASSOCIATION_PROPERTY",
                     details=missing_deal),
            ErrorRow(portal.id, "app-old", T0 + 70, source_app_id=a, status="RESOLVED"),
            ErrorRow(portal.id, "second-1", T0 + 40, source_app_id=b, store_id="shop-2"),
            ErrorRow(other.id, "other-app-1", T0 + 20, source_app_id=a),
            ErrorRow(other.id, "other-own-1", T0 + 80),
        ],
    )  # fmt: skip
    return World(portal, other, app, other_tokens.access_token, second)
