"""The OAuth 2.0 authorization-code flow, end to end through the consent page."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from fastapi.testclient import TestClient

from ecombridge.db.engine import Database
from ecombridge.errors import ValidationFailed
from ecombridge.tenancy import repository as tenancy_repo
from ecombridge.tenancy import service as tenancy
from ecombridge.tenancy.secrets import digest
from tests.support.factories import Portal, make_installed_app, make_private_app_token
from tests.support.wire import assert_hubspot_error

REDIRECT = "https://shop.example/oauth/callback?shop=1"


@dataclass(frozen=True)
class App:
    app_id: int
    client_id: str
    client_secret: str


@pytest.fixture
def oauth_app(db: Database) -> App:
    with db.write() as conn:
        created = tenancy.create_app(conn, "Shop <Sync> app", [REDIRECT])
    return App(created.app_id, created.client_id, created.client_secret)


def authorize_url(app: App, scope: str = "integration-sync oauth", state: str = "xyz") -> str:
    return (
        f"/oauth/authorize?client_id={app.client_id}&redirect_uri={REDIRECT}"
        f"&scope={scope}&state={state}"
    )


def consent_form(app: App, portal_key: str, decision: str = "allow") -> dict[str, str]:
    return {
        "client_id": app.client_id,
        "redirect_uri": REDIRECT,
        "scope": "integration-sync oauth",
        "state": "xyz",
        "portal_key": portal_key,
        "decision": decision,
    }


def obtain_code(client: TestClient, app: App, portal: Portal) -> str:
    response = client.post(
        "/oauth/authorize", data=consent_form(app, portal.api_key), follow_redirects=False
    )
    assert response.status_code == 302
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT.split("?")[0]
    query = parse_qs(location.query)
    assert query["shop"] == ["1"] and query["state"] == ["xyz"]
    return query["code"][0]


def exchange(client: TestClient, app: App, code: str, **overrides: str) -> dict[str, object]:
    form = {
        "grant_type": "authorization_code",
        "client_id": app.client_id,
        "client_secret": app.client_secret,
        "redirect_uri": REDIRECT,
        "code": code,
        **overrides,
    }
    response = client.post("/oauth/v1/token", data=form)
    return {"status_code": response.status_code, **response.json()}


def assert_oauth_error(result: dict[str, object], status: str) -> None:
    assert result["status_code"] == 400
    assert result["status"] == status
    assert isinstance(result["message"], str) and result["message"]
    assert isinstance(result["correlationId"], str) and len(result["correlationId"]) == 36
    assert set(result) == {"status_code", "status", "message", "correlationId"}


def test_consent_page_names_the_app_and_scopes(client: TestClient, oauth_app: App) -> None:
    response = client.get(authorize_url(oauth_app))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "Shop &lt;Sync&gt; app" in page  # escaped
    assert "integration-sync" in page and "<code>oauth</code>" in page
    assert 'name="portal_key"' in page and 'action="/oauth/authorize"' in page
    assert "http://" not in page.replace(REDIRECT, "").replace("https://", "")  # no assets
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"


def test_full_flow_code_tokens_refresh_metadata_revoke(
    client: TestClient, oauth_app: App, portal: Portal
) -> None:
    assert client.get(authorize_url(oauth_app)).status_code == 200
    code = obtain_code(client, oauth_app, portal)

    tokens = exchange(client, oauth_app, code)
    assert tokens["status_code"] == 200
    assert set(tokens) == {
        "status_code",
        "token_type",
        "refresh_token",
        "access_token",
        "expires_in",
    }
    assert tokens["token_type"] == "bearer" and tokens["expires_in"] == 1800
    access, refresh = str(tokens["access_token"]), str(tokens["refresh_token"])

    info = client.get(f"/oauth/v1/access-tokens/{access}")
    assert info.status_code == 200
    body = info.json()
    assert 1790 <= body.pop("expires_in") <= 1800
    assert body == {
        "token": access,
        "user": None,
        "hub_domain": None,
        "scopes": ["integration-sync", "oauth"],
        "hub_id": portal.id,
        "app_id": oauth_app.app_id,
        "user_id": None,
        "token_type": "access",
    }

    refreshed = client.post(
        "/oauth/v1/token",
        data={
            "grant_type": "refresh_token",
            "client_id": oauth_app.client_id,
            "client_secret": oauth_app.client_secret,
            "refresh_token": refresh,
        },
    )
    assert refreshed.status_code == 200
    new = refreshed.json()
    assert new["refresh_token"] == refresh  # HubSpot kept the refresh token
    assert new["access_token"] != access and new["expires_in"] == 1800

    meta = client.get(f"/oauth/v1/refresh-tokens/{refresh}")
    assert meta.status_code == 200
    assert meta.json() == {
        "token": refresh,
        "user": None,
        "hub_domain": None,
        "scopes": ["integration-sync", "oauth"],
        "hub_id": portal.id,
        "client_id": oauth_app.client_id,
        "user_id": None,
        "token_type": "refresh",
    }

    revoked = client.delete(f"/oauth/v1/refresh-tokens/{refresh}")
    assert revoked.status_code == 204 and revoked.content == b""
    # "Access tokens generated with the refresh token will not be affected."
    for token in (access, new["access_token"]):
        assert client.get(f"/oauth/v1/access-tokens/{token}").status_code == 200
    gone = client.get(f"/oauth/v1/refresh-tokens/{refresh}")
    assert gone.status_code == 404
    assert_hubspot_error(gone.json(), "OBJECT_NOT_FOUND")
    again = client.post(
        "/oauth/v1/token",
        data={
            "grant_type": "refresh_token",
            "client_id": oauth_app.client_id,
            "client_secret": oauth_app.client_secret,
            "refresh_token": refresh,
        },
    )
    assert_oauth_error({"status_code": again.status_code, **again.json()}, "BAD_REFRESH_TOKEN")


def refresh_with(client: TestClient, app: App, refresh_token: str) -> dict[str, object]:
    form = {
        "grant_type": "refresh_token",
        "client_id": app.client_id,
        "client_secret": app.client_secret,
        "refresh_token": refresh_token,
    }
    response = client.post("/oauth/v1/token", data=form)
    return {"status_code": response.status_code, **response.json()}


def stores_with(client: TestClient, access_token: str) -> int:
    headers = {"authorization": f"Bearer {access_token}"}
    return client.get("/extensions/ecomm/v2/stores", headers=headers).status_code


def test_a_replayed_code_revokes_the_tokens_it_issued(
    client: TestClient, db: Database, oauth_app: App, portal: Portal
) -> None:
    """RFC 6749 §4.1.2: a code used twice may have been stolen; what it issued is revoked."""
    code = obtain_code(client, oauth_app, portal)
    first = exchange(client, oauth_app, code)
    access, refresh = str(first["access_token"]), str(first["refresh_token"])
    refreshed = str(refresh_with(client, oauth_app, refresh)["access_token"])
    unrelated = make_installed_app(db, portal.id, "Unrelated app")
    assert stores_with(client, access) == 200  # cached as a valid caller

    replay = exchange(client, oauth_app, code)
    assert_oauth_error(replay, "BAD_AUTH_CODE")
    assert "revoked" in str(replay["message"])
    for token in (access, refreshed):
        assert client.get(f"/oauth/v1/access-tokens/{token}").status_code == 404
        assert stores_with(client, token) == 401
    assert client.get(f"/oauth/v1/refresh-tokens/{refresh}").status_code == 404
    assert_oauth_error(refresh_with(client, oauth_app, refresh), "BAD_REFRESH_TOKEN")
    assert stores_with(client, unrelated.access_token) == 200


def test_an_unused_code_refused_for_another_reason_revokes_nothing(
    client: TestClient, oauth_app: App, portal: Portal
) -> None:
    code = obtain_code(client, oauth_app, portal)
    with_other_redirect = exchange(client, oauth_app, code, redirect_uri="https://x.example/cb")
    assert_oauth_error(with_other_redirect, "BAD_REDIRECT_URI")
    assert exchange(client, oauth_app, code)["status_code"] == 200


def test_deleting_an_old_refresh_token_keeps_a_new_installations_access_token(
    client: TestClient, oauth_app: App, portal: Portal
) -> None:
    """An app installs again, then cleans up the refresh token of its first installation."""
    old = exchange(client, oauth_app, obtain_code(client, oauth_app, portal))
    new = exchange(client, oauth_app, obtain_code(client, oauth_app, portal))
    deleted = client.delete(f"/oauth/v1/refresh-tokens/{old['refresh_token']}")
    assert deleted.status_code == 204
    assert stores_with(client, str(new["access_token"])) == 200
    assert refresh_with(client, oauth_app, str(new["refresh_token"]))["status_code"] == 200
    assert_oauth_error(
        refresh_with(client, oauth_app, str(old["refresh_token"])), "BAD_REFRESH_TOKEN"
    )


def test_wrong_secret_client_redirect_and_grant_are_refused(
    client: TestClient, oauth_app: App, portal: Portal
) -> None:
    code = obtain_code(client, oauth_app, portal)
    assert_oauth_error(exchange(client, oauth_app, code, client_secret="nope"), "BAD_CLIENT_SECRET")
    assert_oauth_error(exchange(client, oauth_app, code, client_id="nope"), "BAD_CLIENT_ID")
    assert_oauth_error(
        exchange(client, oauth_app, code, redirect_uri="https://evil.example/cb"),
        "BAD_REDIRECT_URI",
    )
    assert_oauth_error(exchange(client, oauth_app, code, grant_type="password"), "BAD_GRANT_TYPE")
    assert_oauth_error(exchange(client, oauth_app, "eb-code-unknown"), "BAD_AUTH_CODE")
    # The refused attempts did not use the code up.
    assert exchange(client, oauth_app, code)["status_code"] == 200


def test_a_client_id_with_a_nul_character_is_unknown(
    client: TestClient, oauth_app: App, portal: Portal
) -> None:
    code = obtain_code(client, oauth_app, portal)
    nul_id = oauth_app.client_id + "\x00"
    assert_oauth_error(exchange(client, oauth_app, code, client_id=nul_id), "BAD_CLIENT_ID")
    refresh = {"grant_type": "refresh_token", "refresh_token": "eb-refresh-x"}
    assert_oauth_error(
        exchange(client, oauth_app, "", client_id=nul_id, **refresh), "BAD_CLIENT_ID"
    )
    form = consent_form(oauth_app, portal.api_key) | {"client_id": nul_id}
    consent = client.post("/oauth/authorize", data=form, follow_redirects=False)
    assert consent.status_code == 400
    assert "client_id" in consent.text


@pytest.mark.parametrize("control", ["\x00", "\n", "\x7f"])
def test_a_redirect_uri_with_a_control_character_is_refused(
    client: TestClient, oauth_app: App, portal: Portal, control: str
) -> None:
    form = consent_form(oauth_app, portal.api_key) | {"redirect_uri": REDIRECT + control}
    consent = client.post("/oauth/authorize", data=form, follow_redirects=False)
    assert consent.status_code == 400
    assert "redirect_uri" in consent.text


def test_code_of_another_app_is_refused(
    client: TestClient, db: Database, oauth_app: App, portal: Portal
) -> None:
    with db.write() as conn:
        other = tenancy.create_app(conn, "Other app", [REDIRECT])
    code = obtain_code(client, oauth_app, portal)
    result = exchange(
        client,
        App(other.app_id, other.client_id, other.client_secret),
        code,
    )
    assert_oauth_error(result, "BAD_AUTH_CODE")


def test_deny_redirects_with_access_denied(
    client: TestClient, oauth_app: App, portal: Portal
) -> None:
    response = client.post(
        "/oauth/authorize", data=consent_form(oauth_app, "", "deny"), follow_redirects=False
    )
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["error"] == ["access_denied"] and query["state"] == ["xyz"]
    assert "code" not in query


def test_wrong_portal_key_shows_the_page_again(client: TestClient, oauth_app: App) -> None:
    response = client.post(
        "/oauth/authorize", data=consent_form(oauth_app, "not-a-key"), follow_redirects=False
    )
    assert response.status_code == 401
    assert "does not belong to any portal" in response.text
    assert 'name="portal_key"' in response.text


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("client_id=unknown&redirect_uri={redirect}&scope=integration-sync", "client_id"),
        ("redirect_uri={redirect}&scope=integration-sync", "client_id"),
        ("client_id={client_id}&scope=integration-sync", "redirect_uri"),
        ("client_id={client_id}&redirect_uri=/relative&scope=integration-sync", "redirect_uri"),
        ("client_id={client_id}&redirect_uri={redirect}&scope=oauth", "scope"),
        (
            "client_id={client_id}&redirect_uri=https://a.example/" + "x" * 2000 + "&scope=oauth",
            "redirect_uri",
        ),
        ("client_id={client_id}&redirect_uri={redirect}&scope=contacts", "contacts"),
        ("client_id={client_id}&redirect_uri={redirect}", "scope"),
    ],
)
def test_bad_authorize_requests_are_400(
    client: TestClient, oauth_app: App, query: str, fragment: str
) -> None:
    url = "/oauth/authorize?" + query.format(
        client_id=oauth_app.client_id, redirect=quote(REDIRECT, safe="")
    )
    as_json = client.get(url)
    assert as_json.status_code == 400
    assert_hubspot_error(as_json.json(), "VALIDATION_ERROR")
    assert fragment in as_json.json()["message"]
    as_page = client.get(url, headers={"accept": "text/html"})
    assert as_page.status_code == 400
    assert as_page.headers["content-type"].startswith("text/html")
    assert fragment in as_page.text


def test_optional_scopes_are_granted_when_known(client: TestClient, oauth_app: App) -> None:
    url = authorize_url(oauth_app, scope="integration-sync") + "&optional_scope=oauth%20contacts"
    page = client.get(url).text
    assert '<input type="hidden" name="scope" value="integration-sync oauth">' in page
    assert "contacts" not in page


def test_e_commerce_scope_is_accepted(client: TestClient, oauth_app: App) -> None:
    assert client.get(authorize_url(oauth_app, scope="e-commerce")).status_code == 200
    assert client.get(authorize_url(oauth_app, scope="oauth+integration-sync")).status_code == 200


def test_expired_code_is_refused(
    client: TestClient, db: Database, oauth_app: App, portal: Portal
) -> None:

    code = obtain_code(client, oauth_app, portal)
    with db.write() as conn:
        tenancy_repo.set_credential_expiry(conn, digest(code), 1)
    assert_oauth_error(exchange(client, oauth_app, code), "BAD_AUTH_CODE")


def test_refresh_is_refused_for_other_apps_and_bad_secrets(
    client: TestClient, db: Database, portal: Portal
) -> None:

    first = make_installed_app(db, portal.id, "First")
    second = make_installed_app(db, portal.id, "Second")

    def refresh(client_id: str, secret: str, token: str) -> dict[str, object]:
        form = {
            "grant_type": "refresh_token",
            "client_id": client_id,
            "client_secret": secret,
            "refresh_token": token,
        }
        response = client.post("/oauth/v1/token", data=form)
        return {"status_code": response.status_code, **response.json()}

    other = refresh(second.client_id, second.client_secret, first.refresh_token)
    assert_oauth_error(other, "BAD_REFRESH_TOKEN")
    assert_oauth_error(refresh(first.client_id, "x", first.refresh_token), "BAD_CLIENT_SECRET")
    assert_oauth_error(refresh(first.client_id, first.client_secret, ""), "BAD_REFRESH_TOKEN")
    # An access token is not a refresh token.
    wrong_kind = refresh(first.client_id, first.client_secret, first.access_token)
    assert_oauth_error(wrong_kind, "BAD_REFRESH_TOKEN")
    assert refresh(first.client_id, first.client_secret, first.refresh_token)["status_code"] == 200


def test_token_metadata_is_404_for_expired_and_other_kinds(
    client: TestClient, db: Database, portal: Portal
) -> None:

    installed = make_installed_app(db, portal.id)
    with db.write() as conn:
        tenancy_repo.set_credential_expiry(conn, digest(installed.access_token), 1)
    expired = client.get(f"/oauth/v1/access-tokens/{installed.access_token}")
    assert expired.status_code == 404
    assert_hubspot_error(expired.json(), "OBJECT_NOT_FOUND")
    private = make_private_app_token(db, portal.id)
    assert client.get(f"/oauth/v1/access-tokens/{private}").status_code == 404
    assert client.get(f"/oauth/v1/refresh-tokens/{installed.access_token}").status_code == 404
    assert client.get(f"/oauth/v1/access-tokens/{portal.api_key}").status_code == 404
    assert client.delete(f"/oauth/v1/refresh-tokens/{installed.access_token}").status_code == 404


EVIL = "https://evil.example/steal"


def test_an_unregistered_redirect_uri_gets_a_page_that_sends_nowhere(
    client: TestClient, oauth_app: App, portal: Portal
) -> None:
    url = authorize_url(oauth_app).replace(REDIRECT, quote(EVIL, safe=""))
    page = client.get(url, headers={"accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 400
    assert page.headers["content-type"].startswith("text/html")
    assert "location" not in page.headers
    assert "not one of the redirect URIs" in page.text
    assert "evil.example" not in page.text and "<form" not in page.text

    for decision in ("deny", "allow"):
        form = consent_form(oauth_app, portal.api_key, decision) | {"redirect_uri": EVIL}
        posted = client.post(
            "/oauth/authorize", data=form, headers={"accept": "text/html"}, follow_redirects=False
        )
        assert posted.status_code == 400, decision
        assert "location" not in posted.headers and "evil.example" not in posted.text


def test_a_registered_uri_must_match_exactly(client: TestClient, oauth_app: App) -> None:
    for near_miss in (REDIRECT + "&x=1", REDIRECT.replace("https", "http"), REDIRECT + "/"):
        url = authorize_url(oauth_app).replace(REDIRECT, quote(near_miss, safe=""))
        assert client.get(url).status_code == 400, near_miss


def test_an_app_without_redirect_uris_cannot_be_installed_and_says_why(
    client: TestClient, db: Database
) -> None:
    with db.write() as conn:
        created = tenancy.create_app(conn, "Bare app")
    app = App(created.app_id, created.client_id, created.client_secret)
    page = client.get(authorize_url(app), headers={"accept": "text/html"})
    assert page.status_code == 400
    assert "registered no redirect URI" in page.text
    assert f"set-app-redirect-uris --app-id {app.app_id}" in page.text

    with db.write() as conn:
        tenancy.set_app_redirect_uris(conn, app.app_id, [REDIRECT])
    assert client.get(authorize_url(app)).status_code == 200


@pytest.mark.parametrize(
    "uri", ["/relative", "ftp://a.example/cb", "https://a.example/cb#frag", "https://[::1/cb", ""]
)
def test_bad_redirect_uris_are_not_registered(db: Database, uri: str) -> None:
    with db.write() as conn, pytest.raises(ValidationFailed, match="redirect-uri"):
        tenancy.create_app(conn, "App", [uri])
