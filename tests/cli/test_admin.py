"""``ecombridge admin``: the JSON each command prints, and that what it prints authenticates."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ecombridge.cli.main import app
from tests.support.wire import bearer

runner = CliRunner()


def admin(database_url: str, *args: str) -> Any:
    result = runner.invoke(app, ["admin", *args, "--json", "--database-url", database_url])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_created_credentials_authenticate(database_url: str, client: TestClient) -> None:
    portal = admin(database_url, "create-portal", "--name", "My shop")
    assert set(portal) == {"portalId", "apiKey"} and isinstance(portal["portalId"], int)

    created = admin(database_url, "create-app", "--name", "My app")
    assert set(created) == {"appId", "developerApiKey", "clientId", "clientSecret", "redirectUris"}
    assert created["redirectUris"] == []

    tokens = admin(
        database_url,
        "install-app",
        "--app-id",
        str(created["appId"]),
        "--portal-id",
        str(portal["portalId"]),
    )
    assert set(tokens) == {"accessToken", "refreshToken", "expiresIn"}
    assert tokens["expiresIn"] == 1800

    private = admin(
        database_url, "create-private-app-token", "--portal-id", str(portal["portalId"])
    )
    assert set(private) == {"token"}

    limit = client.get(f"/integrations/v1/limit/daily?hapikey={portal['apiKey']}")
    assert limit.status_code == 200
    authorization = bearer(private["token"])
    assert client.get("/integrations/v1/limit/daily", headers=authorization).status_code == 200

    info = client.get(f"/oauth/v1/access-tokens/{tokens['accessToken']}").json()
    assert (info["hub_id"], info["app_id"]) == (portal["portalId"], created["appId"])
    refreshed = client.post(
        "/oauth/v1/token",
        data={
            "grant_type": "refresh_token",
            "client_id": created["clientId"],
            "client_secret": created["clientSecret"],
            "refresh_token": tokens["refreshToken"],
        },
    )
    assert refreshed.status_code == 200
    # The developer key is a developer key: a portal endpoint names the kind it needs.
    dev = client.get(f"/integrations/v1/limit/daily?hapikey={created['developerApiKey']}")
    assert dev.status_code == 403
    assert "developer API key" in dev.json()["message"]


def test_without_json_prints_readable_lines(database_url: str) -> None:
    result = runner.invoke(
        app, ["admin", "create-portal", "--name", "Shop", "--database-url", database_url]
    )
    assert result.exit_code == 0
    assert "portalId" in result.stdout and "apiKey" in result.stdout


def test_unknown_portal_is_one_line_and_exit_1(database_url: str) -> None:
    args = ["create-private-app-token", "--portal-id", "424242", "--json"]
    result = runner.invoke(app, ["admin", *args, "--database-url", database_url])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "error: Portal 424242 does not exist.\n"


def test_unknown_app_is_one_line_and_exit_1(database_url: str) -> None:
    portal = admin(database_url, "create-portal", "--name", "Shop")
    args = ["install-app", "--app-id", "777", "--portal-id", str(portal["portalId"])]
    result = runner.invoke(app, ["admin", *args, "--database-url", database_url])
    assert result.exit_code == 1
    assert result.stderr == "error: App 777 does not exist.\n"


def test_unreachable_database_is_one_line_and_exit_1() -> None:
    result = runner.invoke(
        app, ["admin", "create-portal", "--name", "x", "--database-url", "nosuchdb://x"]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot open the database")
    assert result.stderr.count("\n") == 1


def test_uninstall_app_stops_its_tokens(database_url: str, client: TestClient) -> None:
    portal = admin(database_url, "create-portal", "--name", "Shop")
    created = admin(database_url, "create-app", "--name", "App")
    ids = ["--app-id", str(created["appId"]), "--portal-id", str(portal["portalId"])]
    tokens = admin(database_url, "install-app", *ids)
    assert admin(database_url, "uninstall-app", *ids) == {
        "appId": created["appId"],
        "portalId": portal["portalId"],
        "uninstalled": True,
    }
    info = client.get(f"/oauth/v1/access-tokens/{tokens['accessToken']}")
    assert info.status_code == 404

    again = runner.invoke(app, ["admin", "uninstall-app", *ids, "--database-url", database_url])
    assert again.exit_code == 1
    assert "is not installed" in again.stderr

    # Installing again (as the OAuth flow would) brings the app back.
    fresh = admin(database_url, "install-app", *ids)
    authorization = bearer(fresh["accessToken"])
    assert client.get("/extensions/ecomm/v2/stores", headers=authorization).status_code == 200


def test_a_name_too_long_for_the_database_is_one_line(database_url: str) -> None:
    result = runner.invoke(
        app, ["admin", "create-portal", "--name", "x" * 201, "--database-url", database_url]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("error: name: at most 200 characters")


def test_set_portal_changes_time_zone_and_currency_and_keeps_what_is_not_given(
    database_url: str,
) -> None:
    portal_id = str(admin(database_url, "create-portal", "--name", "Shop")["portalId"])
    assert admin(database_url, "set-portal", "--portal-id", portal_id) == {
        "portalId": int(portal_id),
        "timeZone": "UTC",
        "currency": "USD",
    }
    changed = admin(
        database_url, "set-portal", "--portal-id", portal_id, "--time-zone", "Europe/Berlin"
    )
    assert changed["timeZone"] == "Europe/Berlin" and changed["currency"] == "USD"
    changed = admin(database_url, "set-portal", "--portal-id", portal_id, "--currency", "EUR")
    assert changed == {"portalId": int(portal_id), "timeZone": "Europe/Berlin", "currency": "EUR"}


def test_set_portal_refuses_unknown_time_zones_and_currencies(database_url: str) -> None:
    portal_id = str(admin(database_url, "create-portal", "--name", "Shop")["portalId"])
    for option, value, problem in [
        ("--time-zone", "Mars/Olympus", "not an IANA time zone"),
        ("--time-zone", "../../etc/passwd", "not an IANA time zone"),
        ("--currency", "euro", "not an ISO 4217 code"),
    ]:
        args = ["admin", "set-portal", "--portal-id", portal_id, option, value]
        result = runner.invoke(app, [*args, "--database-url", database_url])
        assert result.exit_code == 1, value
        assert problem in result.stderr


def test_redirect_uris_are_registered_at_creation_and_replaced(
    database_url: str, client: TestClient
) -> None:
    first, second = "https://shop.example/cb", "http://localhost:3000/cb"
    created = admin(
        database_url,
        "create-app",
        "--name",
        "App",
        "--redirect-uri",
        first,
        "--redirect-uri",
        second,
    )
    assert created["redirectUris"] == [first, second]

    def authorize(uri: str) -> int:
        query = f"client_id={created['clientId']}&redirect_uri={uri}&scope=integration-sync"
        return client.get(f"/oauth/authorize?{query}").status_code

    assert (authorize(first), authorize(second)) == (200, 200)
    app_id = str(created["appId"])
    replaced = admin(
        database_url, "set-app-redirect-uris", "--app-id", app_id, "--redirect-uri", second
    )
    assert replaced == {"appId": created["appId"], "redirectUris": [second]}
    assert (authorize(first), authorize(second)) == (400, 200)
    assert admin(database_url, "set-app-redirect-uris", "--app-id", app_id)["redirectUris"] == []
    assert authorize(second) == 400


def test_a_bad_redirect_uri_is_one_line_and_exit_1(database_url: str) -> None:
    args = ["create-app", "--name", "App", "--redirect-uri", "shop.example/cb"]
    result = runner.invoke(app, ["admin", *args, "--database-url", database_url])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: --redirect-uri must be an absolute http(s) URL")


def test_reseal_secrets_counts_the_apps(database_url: str) -> None:
    admin(database_url, "create-app", "--name", "One")
    admin(database_url, "create-app", "--name", "Two")
    assert admin(database_url, "reseal-secrets") == {"resealed": 2}
