"""Signing in and out of the web UI; sessions and CSRF."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from ecombridge.db.engine import Database
from ecombridge.errors import ValidationFailed
from ecombridge.web.passwords import hash_password, verify_password
from ecombridge.web.service import create_user
from ecombridge.web.throttle import SignInThrottle
from tests.support.factories import Portal
from tests.web.conftest import csrf_of, sign_in
from tests.web.factories import PASSWORD, make_user


def test_root_and_app_lead_to_the_sign_in_page_when_anonymous(client: TestClient) -> None:
    assert client.get("/", follow_redirects=False).headers["location"] == "/app"
    response = client.get("/app/stores", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/app/login?next=/app/stores"
    page = client.get("/app/login")
    assert page.status_code == 200
    assert "Sign in to ecombridge" in page.text


def test_session_cookie_is_httponly_and_lax(client: TestClient) -> None:
    cookie = client.get("/app/login").headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()
    assert "Secure" not in cookie  # public base URL is http in tests


def test_sign_in_with_the_right_password_opens_the_stores(
    client: TestClient, db: Database, portal: Portal
) -> None:
    make_user(db, portal.id, "Owner@Example.com")
    sign_in(client, "owner@example.com")
    page = client.get("/app/stores")
    assert page.status_code == 200
    assert "owner@example.com" in page.text
    # A fresh portal says how to send it data.
    assert "Send your first data" in page.text and "ecombridge demo" in page.text


def test_wrong_password_is_refused_with_a_message(
    client: TestClient, db: Database, portal: Portal
) -> None:
    make_user(db, portal.id, "owner@example.com")
    token = csrf_of(client.get("/app/login").text)
    response = client.post(
        "/app/login",
        data={"email": "owner@example.com", "password": "nope-nope", "csrf_token": token},
    )
    assert response.status_code == 200  # the form again, with its message
    assert "Wrong email or password." in response.text
    assert client.get("/app/stores", follow_redirects=False).status_code == 303


def test_an_email_no_user_can_have_is_a_wrong_email(client: TestClient, portal: Portal) -> None:
    token = csrf_of(client.get("/app/login").text)
    for email in ("owner\x00@example.com", "x" * 400 + "@example.com"):
        response = client.post(
            "/app/login", data={"email": email, "password": "nope-nope", "csrf_token": token}
        )
        assert response.status_code == 200
        assert "Wrong email or password." in response.text


def test_sign_in_without_csrf_token_is_forbidden(
    client: TestClient, db: Database, portal: Portal
) -> None:
    make_user(db, portal.id, "owner@example.com")
    client.get("/app/login")
    response = client.post("/app/login", data={"email": "owner@example.com", "password": PASSWORD})
    assert response.status_code == 403


def test_sign_out_ends_the_session(client: TestClient, db: Database, portal: Portal) -> None:
    make_user(db, portal.id, "owner@example.com")
    sign_in(client, "owner@example.com")
    page = client.get("/app/stores")
    assert client.post("/app/logout", data={}, follow_redirects=False).status_code == 403
    response = client.post(
        "/app/logout", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/app/login"
    assert client.get("/app/stores", follow_redirects=False).status_code == 303


def test_a_tampered_cookie_is_an_anonymous_session(
    client: TestClient, db: Database, portal: Portal
) -> None:
    make_user(db, portal.id, "owner@example.com")
    sign_in(client, "owner@example.com")
    value = client.cookies.get("ecombridge_session")
    assert value
    client.cookies.clear()
    client.cookies.set("ecombridge_session", value[:-4] + "AAAA")
    assert client.get("/app/stores", follow_redirects=False).status_code == 303


def test_sign_in_redirects_only_inside_the_ui(
    client: TestClient, db: Database, portal: Portal
) -> None:
    make_user(db, portal.id, "owner@example.com")
    token = csrf_of(client.get("/app/login").text)
    response = client.post(
        "/app/login",
        data={
            "email": "owner@example.com",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example.com/",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/app/stores"


def test_passwords_are_salted_scrypt_hashes() -> None:
    first, second = hash_password("s3cret-pass"), hash_password("s3cret-pass")
    assert first != second and first.startswith("scrypt$")
    assert verify_password("s3cret-pass", first)
    assert not verify_password("s3cret-pasS", first)
    assert not verify_password("s3cret-pass", "garbage")


def test_repeated_failures_lock_that_email_for_a_while(
    client: TestClient, db: Database, portal: Portal
) -> None:
    make_user(db, portal.id, "owner@example.com")
    make_user(db, portal.id, "other@example.com")
    token = csrf_of(client.get("/app/login").text)

    def attempt(email: str, password: str) -> str:
        data = {"email": email, "password": password, "csrf_token": token}
        return client.post("/app/login", data=data, follow_redirects=False).text

    for _ in range(10):
        assert "Wrong email or password." in attempt("owner@example.com", "guess-guess")
    locked = attempt("Owner@example.com", PASSWORD)
    assert "Too many failed sign-ins for this email; try again in 15 min." in locked
    assert client.get("/app/stores", follow_redirects=False).status_code == 303
    assert attempt("other@example.com", PASSWORD) == ""  # a redirect: others are not locked


def test_the_throttle_forgets_failures_after_its_window() -> None:
    throttle = SignInThrottle(max_failures=2, window_s=0.05)
    throttle.failed("a")
    assert throttle.wait_seconds("a") == 0
    throttle.failed("a")
    assert throttle.wait_seconds("a") == 1
    time.sleep(0.06)
    assert throttle.wait_seconds("a") == 0
    throttle.failed("a")
    throttle.succeeded("a")
    throttle.failed("a")
    assert throttle.wait_seconds("a") == 0


def test_an_email_with_a_nul_character_cannot_be_a_users(db: Database, portal: Portal) -> None:
    with db.write() as conn, pytest.raises(ValidationFailed, match=r"^email:"):
        create_user(conn, portal.id, "a\x00b@example.com", PASSWORD)
