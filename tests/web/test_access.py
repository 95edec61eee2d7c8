"""Every page needs a signed-in user and shows only that user's portal."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from ecombridge.db.engine import Database
from tests.support.factories import Portal
from tests.web.conftest import sign_in
from tests.web.factories import Shop, insert_object, make_user, seed_shop

PAGES = [
    "/app/stores",
    "/app/stores/0/main",
    "/app/stores/0/main/import-progress",
    "/app/mappings",
    "/app/errors",
    "/app/errors?status=OPEN&type=INVALID_DEAL_STAGE",
    "/app/objects/contacts",
    "/app/objects/deals?q=order",
    "/app/pipeline",
    "/app/reports",
]
FORMS = ["/app/stores/0/main/import", "/app/mappings", "/app/logout"]


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/app/login?next=/app/")


def test_htmx_polls_of_an_expired_session_redirect_the_whole_page(client: TestClient) -> None:
    response = client.get(
        "/app/stores/0/main/import-progress", headers={"HX-Request": "true"}, follow_redirects=False
    )
    assert response.status_code == 401
    assert response.headers["hx-redirect"] == "/app/login"


@pytest.mark.parametrize("path", PAGES)
def test_signed_in_users_see_every_page(user_client: TestClient, path: str) -> None:
    response = user_client.get(path)
    assert response.status_code == 200, response.text
    assert "text/html" in response.headers["content-type"]


@pytest.mark.parametrize("path", FORMS)
def test_forms_without_the_csrf_token_are_forbidden(user_client: TestClient, path: str) -> None:
    response = user_client.post(path, data={"object_type": "CONTACT"}, follow_redirects=False)
    assert response.status_code == 403
    wrong = user_client.post(path, data={"csrf_token": "forged"}, follow_redirects=False)
    assert wrong.status_code == 403


def test_another_portals_objects_and_stores_are_not_found(
    user_client: TestClient, db: Database, other_portal: Portal
) -> None:
    theirs = seed_shop(db, other_portal.id)
    deal = user_client.get(f"/app/objects/deals/{theirs.deals['1001']}")
    assert deal.status_code == 404
    assert "does not exist in this portal" in deal.text
    contact = user_client.get(f"/app/objects/contacts/{theirs.contacts['ada']}")
    assert contact.status_code == 404


def test_another_portals_data_never_shows_in_lists(
    client: TestClient, db: Database, portal: Portal, other_portal: Portal, shop: Shop
) -> None:
    with db.write() as conn:
        insert_object(conn, other_portal.id, "CONTACT", {"email": "stranger@elsewhere.com"})
    make_user(db, portal.id, "owner@example.com")
    sign_in(client, "owner@example.com")
    assert "stranger@elsewhere.com" not in client.get("/app/objects/contacts").text
    searched = client.get("/app/objects/contacts?q=stranger").text
    assert "No results" in searched and "elsewhere.com" not in searched


def test_unknown_object_kinds_and_ids_are_not_found(user_client: TestClient) -> None:
    assert user_client.get("/app/objects/companies").status_code == 404
    assert user_client.get("/app/objects/deals/999999999").status_code == 404
    assert user_client.get("/app/stores/0/nope").status_code == 404


def test_static_files_are_served_locally_and_safely(client: TestClient) -> None:
    css = client.get("/app/static/app.css")
    assert css.status_code == 200 and "text/css" in css.headers["content-type"]
    assert client.get("/app/static/htmx.min.js").status_code == 200
    assert client.get("/app/static/..%2Fsession.py").status_code == 404


def test_synced_text_is_escaped_in_pages(
    user_client: TestClient, db: Database, portal: Portal
) -> None:
    with db.write() as conn:
        object_id = insert_object(
            conn, portal.id, "PRODUCT", {"name": "<script>alert(1)</script>", "price": "1"}
        )
    for path in ("/app/objects/products", f"/app/objects/products/{object_id}"):
        page = user_client.get(path).text
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize(
    "path",
    [
        "/app/objects/contacts/99999999999999999999",
        "/app/stores/99999999999999999999/main",
        "/app/stores/99999999999999999999/main/import-progress",
        "/app/static/" + "x" * 300,
    ],
)
def test_ids_and_names_no_row_can_have_are_404(user_client: TestClient, path: str) -> None:
    response = user_client.get(path)
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]


@pytest.mark.parametrize(
    "path",
    [
        "/app/objects/contacts?page=99999999999999999999",
        "/app/errors?page=99999999999999999999",
        "/app/errors?store=99999999999999999999:main",
        "/app/pipeline?store=99999999999999999999:main",
        "/app/reports?store=99999999999999999999:main",
    ],
)
def test_out_of_range_pages_and_store_filters_show_the_page(
    user_client: TestClient, path: str
) -> None:
    assert user_client.get(path).status_code == 200
