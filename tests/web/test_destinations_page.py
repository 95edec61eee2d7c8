"""The Destinations page: each destination's state and figures, paused and resumed in one
click, and added from a form checked as the API checks it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.conftest import csrf_of


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
