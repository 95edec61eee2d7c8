"""The Destinations page: each destination's state and figures, paused and resumed in one
click, and added from a form checked as the API checks it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from ecombridge.db.engine import Database
from ecombridge.relay import repository as repo
from ecombridge.relay import service
from ecombridge.relay.schemas import NewDestination
from tests.support.factories import Portal
from tests.web.conftest import csrf_of
from tests.web.factories import Shop


def test_a_destination_is_added_listed_paused_and_resumed(user_client: TestClient) -> None:
    page = user_client.get("/app/destinations")
    assert page.status_code == 200
    assert 'id="no-destinations"' in page.text
    assert 'href="/app/destinations"' in page.text  # in the sidebar
    token = csrf_of(page.text)

    added = user_client.post(
        "/app/destinations",
        data={
            "csrf_token": token,
            "base_url": "https://api.hubapi.com",
            "access_token": "pat-na1-secret",
            "store_ids": "main, outlet",
        },
        follow_redirects=True,
    )
    assert added.status_code == 200
    assert "Destination added" in added.text
    assert "Setting up" in added.text and "stores main, outlet" in added.text
    assert "pat-na1-secret" not in added.text

    paused = user_client.post(
        "/app/destinations/1/pause", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Paused" in paused.text and ">Resume<" in paused.text
    resumed = user_client.post(
        "/app/destinations/1/resume", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Setting up" in resumed.text and ">Pause<" in resumed.text


def test_bad_input_is_shown_and_kept_and_forged_posts_are_refused(
    user_client: TestClient,
) -> None:
    token = csrf_of(user_client.get("/app/destinations").text)
    shown = user_client.post(
        "/app/destinations",
        data={"csrf_token": token, "base_url": "ftp://x", "access_token": "t", "store_ids": "a"},
    )
    assert shown.status_code == 400
    assert 'role="alert"' in shown.text and "baseUrl" in shown.text
    assert 'value="a"' in shown.text
    forged = user_client.post(
        "/app/destinations", data={"csrf_token": "forged", "access_token": "t"}
    )
    assert forged.status_code == 403
    missing = user_client.post("/app/destinations/99/pause", data={"csrf_token": token})
    assert missing.status_code == 404


def test_an_order_page_tells_where_each_destination_stands(
    user_client: TestClient, db: Database, portal: Portal, shop: Shop
) -> None:
    deal = shop.deals["1001"]
    with db.write() as conn:
        dest = service.add_destination(
            conn, portal.id, NewDestination("https://api.hubapi.com", "pat", None)
        )
        repo.save_states(
            conn,
            [
                {
                    "destination_id": dest,
                    "object_type": "DEAL",
                    "object_id": deal,
                    "target_id": None,
                    "state": "FAILED",
                    "changed_at": 1,
                    "error": "Property values were not valid: amount",
                    "updated_at": 1,
                }
            ],
        )
    page = user_client.get(f"/app/objects/deals/{deal}").text
    assert "Delivery failed" in page
    assert f"destination #{dest}" in page
    assert "Property values were not valid: amount" in page
