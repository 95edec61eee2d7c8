"""The official hubspot-api-client, pointed at a live bridge with an installed app's token."""

from __future__ import annotations

import pytest
from hubspot import HubSpot

from ecombridge.db.engine import Database
from ecombridge.installs.service import install
from tests.support.factories import InstalledApp
from tests.support.live import LiveServer


@pytest.fixture
def api(live_server: LiveServer, db: Database, installed_app: InstalledApp) -> HubSpot:
    with db.write() as conn:
        install(conn, installed_app.portal_id)
    return HubSpot(access_token=installed_app.access_token, host=live_server.url)
