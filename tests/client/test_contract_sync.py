"""Contract: sync messages (v2 chunked, v1), sync status and the error listings, against the real
app; batches are applied by the queue's workers (``run_jobs``)."""

from __future__ import annotations

import pytest

from ecombridge.client import BadRequest, Client, Store, SyncMessage, V1SyncMessage
from tests.client.contract import app_client, developer_client, settings
from tests.support.factories import InstalledApp, Portal
from tests.support.jobs import RunJobs
from tests.support.live import LiveServer


def contacts(n: int, bad: int = 0) -> list[SyncMessage]:
    good = [
        SyncMessage(f"c{i}", {"email": f"c{i}@shop.test", "first_name": f"C{i}"}) for i in range(n)
    ]
    broken = [SyncMessage(f"bad{i}", {"email": f"not-an-email-{i}"}) for i in range(bad)]
    return good + broken


def test_sync_250_contacts_in_two_batches_then_status(
    live_server: LiveServer, portal: Portal, run_jobs: RunJobs
) -> None:
    batches: list[int] = []
    with Client(live_server.url, api_key=portal.api_key) as bridge:
        bridge.put_settings(settings())
        bridge.v1_install()  # the portal's CRM schema: properties and the ecommerce pipeline
        assert bridge.send_sync_messages("CONTACT", contacts(250), on_batch=batches.append) == 250
        assert batches == [200, 50]
        run_jobs()
        status = bridge.sync_status("CONTACT", "c249")
        assert status.store_id == "default"
        assert status.external_object_id == "c249"
        assert status.hubspot_id is not None
        assert status.last_processed_at is not None
        assert status.errors == []
        assert not status.failed


def test_status_of_an_unknown_object_is_bad_request(
    live_server: LiveServer, portal: Portal
) -> None:
    with Client(live_server.url, api_key=portal.api_key) as bridge, pytest.raises(BadRequest):
        bridge.sync_status("DEAL", "never-sent")


def test_malformed_batch_is_a_bad_request_naming_the_field(
    live_server: LiveServer, portal: Portal
) -> None:
    with (
        Client(live_server.url, api_key=portal.api_key) as bridge,
        pytest.raises(BadRequest) as caught,
    ):
        bridge.send_sync_messages("contact", contacts(1))
    assert "objectType" in caught.value.message


def test_portal_errors_page_automatically(
    live_server: LiveServer, portal: Portal, run_jobs: RunJobs
) -> None:
    with Client(live_server.url, api_key=portal.api_key) as bridge:
        bridge.put_settings(settings())
        bridge.v1_install()  # the portal's CRM schema: properties and the ecommerce pipeline
        bridge.send_sync_messages("CONTACT", contacts(2, bad=3))
        run_jobs()
        errors = list(bridge.iter_sync_errors("portal", page_size=2))
        assert sorted(e.external_object_id for e in errors) == ["bad0", "bad1", "bad2"]
        assert {e.type for e in errors} == {"INVALID_EMAIL_ADDRESS"}
        assert {e.status for e in errors} == {"OPEN"}
        status = bridge.sync_status("CONTACT", "bad1")
        assert status.failed
        filtered = list(bridge.iter_sync_errors("portal", error_type="INVALID_DEAL_STAGE"))
        assert filtered == []


def test_app_and_app_in_portal_errors(
    live_server: LiveServer, installed_app: InstalledApp, run_jobs: RunJobs
) -> None:
    dev = developer_client(live_server, installed_app)
    app = app_client(live_server, installed_app)
    with dev, app:
        dev.put_settings(settings())
        app.put_store(Store("app-shop", "App shop"))  # the first store creates the CRM schema
        app.send_sync_messages("CONTACT", contacts(1, bad=1), store_id="app-shop")
        run_jobs()
        in_portal = list(app.iter_sync_errors("app_in_portal"))
        across_portals = list(dev.iter_sync_errors("app"))
    assert [e.external_object_id for e in in_portal] == ["bad0"]
    assert [(e.external_object_id, e.portal_id) for e in across_portals] == [
        ("bad0", installed_app.portal_id)
    ]


def test_v1_sync_status_and_errors(
    live_server: LiveServer, portal: Portal, run_jobs: RunJobs
) -> None:
    with Client(live_server.url, api_key=portal.api_key) as bridge:
        bridge.put_settings(settings())
        bridge.v1_install()  # the portal's CRM schema: properties and the ecommerce pipeline
        bridge.v1_send_sync_messages(
            "CONTACT",
            [
                V1SyncMessage(
                    "v1-ok", {"email": "ok@shop.test"}, change_occurred_timestamp=1700000000000
                ),
                V1SyncMessage("v1-bad", {"email": "nope"}, change_occurred_timestamp=1700000000000),
            ],
        )
        run_jobs()
        status = bridge.v1_sync_status("CONTACT", "v1-ok")
        assert status.hubspot_id is not None
        assert status.num_errors == 0
        errors = list(bridge.v1_iter_sync_errors(page_size=1))
        assert [e.integrator_object_id for e in errors] == ["v1-bad"]
        one = bridge.v1_object_sync_error("CONTACT", "v1-bad")
        assert one.type == "INVALID_EMAIL_ADDRESS"


def test_v1_portal_and_app_error_listings(
    live_server: LiveServer, installed_app: InstalledApp, run_jobs: RunJobs
) -> None:
    dev = developer_client(live_server, installed_app)
    app = app_client(live_server, installed_app)
    with dev, app:
        dev.put_settings(settings())
        app.put_store(Store("app-shop", "App shop"))
        app.send_sync_messages("CONTACT", contacts(0, bad=2), store_id="app-shop")
        run_jobs()
        by_app = list(dev.v1_iter_sync_errors("app", installed_app.app_id, page_size=1))
        by_token = list(app.v1_iter_sync_errors())
    assert sorted(e.integrator_object_id for e in by_app) == ["bad0", "bad1"]
    assert sorted(e.integrator_object_id for e in by_token) == ["bad0", "bad1"]
    assert {e.portal_id for e in by_app} == {installed_app.portal_id}


def test_v1_portal_listing_with_the_portal_key(
    live_server: LiveServer, portal: Portal, run_jobs: RunJobs
) -> None:
    with Client(live_server.url, api_key=portal.api_key) as bridge:
        bridge.put_settings(settings())
        bridge.v1_install()
        bridge.send_sync_messages("CONTACT", contacts(1, bad=1))
        run_jobs()
        errors = list(bridge.v1_iter_sync_errors("portal", portal.id))
    assert [e.integrator_object_id for e in errors] == ["bad0"]
