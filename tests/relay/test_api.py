"""``/relay/v1/destinations``: a portal's key or private-app token, HubSpot's error shape, a
clear 400 for each bad field, another portal's destination not found."""

from __future__ import annotations

from fastapi.testclient import TestClient

from ecombridge.db.engine import Database
from tests.support.factories import Portal, make_portal, make_private_app_token

PATH = "/relay/v1/destinations"
GOOD = {"baseUrl": "https://api.hubapi.com", "accessToken": "pat-na1-x"}


def test_add_read_change_and_remove_with_a_private_app_token(
    client: TestClient, db: Database, portal: Portal
) -> None:
    auth = {"Authorization": f"Bearer {make_private_app_token(db, portal.id)}"}
    created = client.post(PATH, json=GOOD | {"storeIds": ["main"]}, headers=auth)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["state"] == "SETTING_UP" and body["storeIds"] == ["main"]
    assert "accessToken" not in body and "pat-na1-x" not in created.text
    one = f"{PATH}/{body['destinationId']}"
    assert client.get(PATH, headers=auth).json()["results"] == [body]
    assert client.patch(one, json={"paused": True}, headers=auth).json()["state"] == "PAUSED"
    assert client.delete(one, headers=auth).status_code == 204
    assert client.get(one, headers=auth).status_code == 404


def test_bad_input_is_a_400_naming_the_field(client: TestClient, portal: Portal) -> None:
    key = {"hapikey": portal.api_key}
    cases = {
        "accessToken": {"baseUrl": "https://api.hubapi.com"},
        "baseUrl": GOOD | {"baseUrl": "ftp://api.hubapi.com"},
        "storeIds": GOOD | {"storeIds": []},
        "colour": GOOD | {"colour": "red"},
    }
    for field, body in cases.items():
        answer = client.post(PATH, json=body, params=key)
        assert answer.status_code == 400, (field, answer.text)
        error = answer.json()
        assert error["status"] == "error" and error["category"] == "VALIDATION_ERROR"
        assert field in error["message"]
    created = client.post(PATH, json=GOOD, params=key).json()
    bad = client.patch(f"{PATH}/{created['destinationId']}", json={"paused": "yes"}, params=key)
    assert bad.status_code == 400 and "paused" in bad.json()["message"]


def test_credentials_are_required_and_portals_see_only_their_own(
    client: TestClient, db: Database, portal: Portal
) -> None:
    assert client.get(PATH).status_code == 401
    created = client.post(PATH, json=GOOD, params={"hapikey": portal.api_key}).json()
    other = make_portal(db, "Other")
    answer = client.get(f"{PATH}/{created['destinationId']}", params={"hapikey": other.api_key})
    assert answer.status_code == 404
    assert answer.json()["category"] == "OBJECT_NOT_FOUND"
    assert client.get(PATH, params={"hapikey": other.api_key}).json() == {"results": []}


def test_ids_no_destination_can_have_are_not_found(client: TestClient, portal: Portal) -> None:
    key = {"hapikey": portal.api_key}
    for dest_id in ("0", "-1", "99999999999999999999"):
        one = f"{PATH}/{dest_id}"
        for answer in (
            client.get(one, params=key),
            client.patch(one, json={"paused": True}, params=key),
            client.delete(one, params=key),
        ):
            assert answer.status_code == 404, (dest_id, answer.text)
            assert answer.json()["category"] == "OBJECT_NOT_FOUND"
