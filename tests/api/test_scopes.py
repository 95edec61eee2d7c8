"""OAuth scopes as HubSpot had them: an app's token (or a private-app token) reads and writes
CRM objects, properties and pipelines only with the CRM scopes; integration-sync alone keeps the
Ecommerce Bridge endpoints; portal API keys have full access; the OAuth flow grants the scopes
an app asks for once they are scopes HubSpot defines; the admin commands grant every scope
unless told otherwise."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ecombridge.cli.main import app as cli
from ecombridge.db.engine import Database
from ecombridge.tenancy import service as tenancy
from tests.support.factories import Portal, make_installed_app
from tests.support.wire import assert_hubspot_error, bearer

HUBWOO_SCOPES = (
    "oauth crm.objects.owners.read crm.objects.contacts.write crm.objects.companies.write "
    "crm.lists.write crm.objects.companies.read crm.lists.read crm.objects.deals.read "
    "crm.objects.deals.write crm.objects.contacts.read crm.schemas.companies.write "
    "crm.schemas.contacts.write crm.schemas.deals.read crm.schemas.deals.write "
    "crm.schemas.contacts.read crm.schemas.companies.read"
)
HUBWOO_OPTIONAL = (
    "automation files timeline content forms integration-sync e-commerce "
    "crm.objects.custom.read crm.objects.custom.write"
)


@pytest.fixture
def installed(client: TestClient, portal: Portal) -> Portal:
    assert client.post(f"/extensions/ecomm/v1/installs?hapikey={portal.api_key}").status_code == 204
    return portal


def token_with(db: Database, portal: Portal, scopes: str) -> dict[str, str]:
    return bearer(make_installed_app(db, portal.id, scopes=scopes).access_token)


def assert_missing(response: object, *scopes: str) -> None:
    assert response.status_code == 403  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert_hubspot_error(body, "MISSING_SCOPES")
    assert body["errors"][0]["context"]["requiredScopes"] == sorted(scopes)


def test_integration_sync_alone_keeps_the_bridge_endpoints_only(
    client: TestClient, db: Database, installed: Portal
) -> None:
    auth = token_with(db, installed, "integration-sync")
    assert client.get("/extensions/ecomm/v2/stores", headers=auth).status_code == 200
    assert_missing(
        client.get("/crm/v3/objects/contacts", headers=auth), "crm.objects.contacts.read"
    )
    assert_missing(
        client.get("/crm/v3/objects/products", headers=auth),
        "crm.objects.products.read",
        "e-commerce",
    )
    assert_missing(
        client.get("/crm/v3/pipelines/deals", headers=auth),
        "crm.objects.deals.read",
        "crm.schemas.deals.read",
    )
    assert_missing(client.get("/crm-objects/v1/objects/line_items/paged", headers=auth),
                   "crm.objects.line_items.read", "e-commerce")  # fmt: skip
    # Account details need no scope.
    assert client.get("/integrations/v1/me", headers=auth).status_code == 200


def test_crm_scopes_grant_what_they_name(
    client: TestClient, db: Database, installed: Portal
) -> None:
    auth = token_with(db, installed, "crm.objects.contacts.read e-commerce")
    assert client.get("/crm/v3/objects/contacts", headers=auth).status_code == 200
    assert client.post("/crm/v3/objects/contacts/search", json={}, headers=auth).status_code == 200
    assert client.get("/crm/v3/properties/contacts", headers=auth).status_code == 200
    assert client.get("/crm/v3/objects/products", headers=auth).status_code == 200
    assert client.get("/crm/v3/properties/line_items/groups", headers=auth).status_code == 200
    assert_missing(client.get("/crm/v3/objects/deals", headers=auth), "crm.objects.deals.read")
    created = client.post(
        "/crm/v3/properties/contacts",
        json={"name": "x_y", "label": "X", "type": "string"},
        headers=auth,
    )
    assert_missing(created, "crm.schemas.contacts.write")
    # The bridge endpoints need integration-sync (or e-commerce, which this token has).
    assert client.get("/extensions/ecomm/v2/stores", headers=auth).status_code == 200


def test_object_writes_and_associations_need_the_write_scopes_of_every_type_they_touch(
    client: TestClient, db: Database, installed: Portal
) -> None:
    reader = token_with(db, installed, "crm.objects.deals.read crm.objects.contacts.read")
    deal = {"properties": {"dealname": "Phone order"}}
    assert_missing(
        client.post("/crm/v3/objects/deals", json=deal, headers=reader), "crm.objects.deals.write"
    )
    writer = token_with(db, installed, "crm.objects.deals.write crm.objects.contacts.read")
    created = client.post("/crm/v3/objects/deals", json=deal, headers=writer)
    assert created.status_code == 201
    contact = {"properties": {"email": "scoped@example.com"}}
    assert_missing(
        client.post("/crm/v3/objects/contacts", json=contact, headers=writer),
        "crm.objects.contacts.write",
    )
    pair = f"/crm/v4/objects/deals/{created.json()['id']}/associations/default/contacts/1"
    assert_missing(client.put(pair, headers=writer), "crm.objects.contacts.write")
    read = {"inputs": [{"id": created.json()["id"]}]}
    batch_read = "/crm/v4/associations/deals/contacts/batch/read"
    assert_missing(client.post(batch_read, json=read, headers=writer), "crm.objects.deals.read")
    # The deal has no contact: HubSpot lists it among the errors.
    assert client.post(batch_read, json=read, headers=reader).status_code == 207


def test_the_same_rules_hold_for_private_app_tokens(
    client: TestClient, db: Database, installed: Portal
) -> None:
    with db.write() as conn:
        token = tenancy.create_private_app_token(conn, installed.id, "crm.schemas.deals.write")
    auth = bearer(token)
    pipeline = {"label": "B2B", "displayOrder": 1, "stages": [
        {"label": "Open", "metadata": {"probability": "0.5"}},
    ]}  # fmt: skip
    assert client.post("/crm/v3/pipelines/deals", json=pipeline, headers=auth).status_code == 201
    assert_missing(client.get("/crm/v3/objects/deals", headers=auth), "crm.objects.deals.read")


def test_portal_keys_have_full_access(client: TestClient, installed: Portal) -> None:
    key = {"hapikey": installed.api_key}
    for path in ("/crm/v3/objects/deals", "/crm/v3/pipelines/deals", "/deals/v1/properties"):
        assert client.get(path, params=key).status_code == 200


def authorize(client: TestClient, db: Database, scope: str, optional: str = "") -> object:
    with db.write() as conn:
        app = tenancy.create_app(conn, "Shop app", redirect_uris=["https://shop.example/cb"])
    params = {"client_id": app.client_id, "redirect_uri": "https://shop.example/cb", "scope": scope}
    if optional:
        params["optional_scope"] = optional
    return client.get("/oauth/authorize", params=params)


def test_the_oauth_flow_grants_the_crm_scopes_real_apps_ask_for(
    client: TestClient, db: Database
) -> None:
    page = authorize(client, db, HUBWOO_SCOPES, HUBWOO_OPTIONAL + " not.a.scope")
    assert page.status_code == 200  # type: ignore[attr-defined]
    granted = page.text.split('name="scope" value="')[1].split('"')[0]  # type: ignore[attr-defined]
    assert granted.split() == [*HUBWOO_SCOPES.split(), *HUBWOO_OPTIONAL.split()]


@pytest.mark.parametrize(
    ("scope", "fragment"),
    [("crm.objects.contacts.read contacts", "contacts"), ("oauth", "scope is required")],
)
def test_the_oauth_flow_refuses_scopes_hubspot_never_had(
    client: TestClient, db: Database, scope: str, fragment: str
) -> None:
    refused = authorize(client, db, scope)
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert fragment in refused.json()["message"]  # type: ignore[attr-defined]


def test_admin_grants_every_scope_unless_told(database_url: str, client: TestClient) -> None:
    def admin(*args: str) -> dict[str, str]:
        result = CliRunner().invoke(cli, ["admin", *args, "--json", "--database-url", database_url])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)  # type: ignore[no-any-return]

    portal = admin("create-portal", "--name", "Shop")
    pid = str(portal["portalId"])
    assert (
        client.post(f"/extensions/ecomm/v1/installs?hapikey={portal['apiKey']}").status_code == 204
    )
    every = admin("create-private-app-token", "--portal-id", pid)["token"]
    some = admin("create-private-app-token", "--portal-id", pid, "--scopes", "integration-sync")
    assert client.get("/crm/v3/objects/deals", headers=bearer(every)).status_code == 200
    assert client.get("/crm/v3/objects/deals", headers=bearer(some["token"])).status_code == 403
    app = admin("create-app", "--name", "App")
    tokens = admin("install-app", "--app-id", str(app["appId"]), "--portal-id", pid,
                   "--scopes", "crm.objects.deals.read,integration-sync")  # fmt: skip
    info = client.get(f"/oauth/v1/access-tokens/{tokens['accessToken']}").json()
    assert info["scopes"] == ["crm.objects.deals.read", "integration-sync"]
    bad = CliRunner().invoke(
        cli, ["admin", "create-private-app-token", "--portal-id", pid, "--scopes", "nope",
              "--database-url", database_url],
    )  # fmt: skip
    assert bad.exit_code == 1 and "nope" in bad.output
