"""Signing in and out of the web UI; sessions and CSRF."""

from __future__ import annotations

import re
import time

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ecombridge.db.engine import Database
from ecombridge.errors import ValidationFailed
from ecombridge.web.passwords import hash_password, verify_password
from ecombridge.web.service import create_user
from ecombridge.web.throttle import SignInThrottle, address_key
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


def test_sign_out_revokes_the_session_server_side(
    client: TestClient, db: Database, portal: Portal
) -> None:
    """A copy of the cookie taken before signing out is worth nothing after it."""
    make_user(db, portal.id, "owner@example.com")
    sign_in(client, "owner@example.com")
    copied = client.cookies.get("ecombridge_session")
    page = client.get("/app/stores")
    client.post("/app/logout", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)

    client.cookies.clear()
    client.cookies.set("ecombridge_session", str(copied))
    assert client.get("/app/stores", follow_redirects=False).status_code == 303


def test_signing_out_one_browser_keeps_the_others(
    app: FastAPI, client: TestClient, db: Database, portal: Portal
) -> None:
    make_user(db, portal.id, "owner@example.com")
    with TestClient(app) as phone:
        sign_in(phone, "owner@example.com")
        sign_in(client, "owner@example.com")
        page = client.get("/app/stores")
        client.post("/app/logout", data={"csrf_token": csrf_of(page.text)})
        assert phone.get("/app/stores", follow_redirects=False).status_code == 200


def change_password(client: TestClient, current: str, new: str) -> str:
    page = client.get("/app/account/password")
    assert page.status_code == 200
    data = {"current_password": current, "new_password": new, "csrf_token": csrf_of(page.text)}
    return client.post("/app/account/password", data=data).text


def test_a_password_change_ends_every_other_session(
    app: FastAPI, client: TestClient, db: Database, portal: Portal
) -> None:
    make_user(db, portal.id, "owner@example.com")
    with TestClient(app) as other:
        sign_in(other, "owner@example.com")
        sign_in(client, "owner@example.com")

        assert "not your current password" in change_password(client, "wrong-guess", "new pass 1")
        assert "at least 8 characters" in change_password(client, PASSWORD, "short")
        assert other.get("/app/stores", follow_redirects=False).status_code == 200

        assert "Password changed" in change_password(client, PASSWORD, "new pass 123")
        assert client.get("/app/stores", follow_redirects=False).status_code == 200
        assert other.get("/app/stores", follow_redirects=False).status_code == 303
        sign_in(other, "owner@example.com", "new pass 123")


def test_ui_responses_carry_the_security_headers(user_client: TestClient) -> None:
    for path in ("/app/login", "/app/stores", "/app/static/app.css", "/app/nope", "/"):
        headers = user_client.get(path, follow_redirects=False).headers
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
        assert "unsafe-inline" not in csp and "style-src 'self'" in csp
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
    api = user_client.get("/healthz").headers
    assert "content-security-policy" not in api


def test_pages_have_no_inline_script_or_style(user_client: TestClient) -> None:
    for path in ("/app/login", "/app/stores", "/app/mappings", "/app/reports", "/app/pipeline"):
        page = user_client.get(path).text
        assert " style=" not in page and "<style" not in page, path
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), path
        assert not re.search(r"\son[a-z]+=", page), path


def attempt(client: TestClient, email: str, password: str) -> str:
    token = csrf_of(client.get("/app/login").text)
    data = {"email": email, "password": password, "csrf_token": token}
    return client.post("/app/login", data=data, follow_redirects=False).text


def test_guessing_slows_the_guesser_and_locks_nobody_out(
    app: FastAPI, db: Database, portal: Portal
) -> None:
    make_user(db, portal.id, "owner@example.com")
    make_user(db, portal.id, "other@example.com")
    with (
        TestClient(app, client=("203.0.113.9", 4000)) as guesser,
        TestClient(app, client=("198.51.100.7", 4000)) as owner,
    ):
        for _ in range(6):  # 5 failures free, then waits
            assert "Wrong email or password." in attempt(guesser, "owner@example.com", "guess-1")
        # The guesser now waits, even with the right password...
        slowed = attempt(guesser, "Owner@example.com", PASSWORD)
        assert "Too many failed sign-ins; try again in 1 s." in slowed
        # ...while the owner, elsewhere, signs in at once.
        assert attempt(owner, "owner@example.com", PASSWORD) == ""  # a redirect
        # The guesser's other emails are not slowed by one pair's failures.
        assert attempt(guesser, "other@example.com", PASSWORD) == ""


def test_waits_double_and_are_capped() -> None:
    throttle = SignInThrottle(pair_free=2, address_free=100, first_delay_s=10, max_delay_s=35)
    waits = []
    for _ in range(5):
        throttle.failed("a@x", "1.2.3.4")
        waits.append(throttle.wait_seconds("a@x", "1.2.3.4"))
    assert waits == [0, 0, 10, 20, 35]  # whole seconds, rounded up
    assert throttle.wait_seconds("a@x", "5.6.7.8") == 0
    assert throttle.wait_seconds("b@x", "1.2.3.4") == 0
    throttle.succeeded("a@x", "1.2.3.4")
    assert throttle.wait_seconds("a@x", "1.2.3.4") == 0


def test_an_address_guessing_many_emails_is_slowed_too() -> None:
    throttle = SignInThrottle(pair_free=100, address_free=3)
    for n in range(4):
        throttle.failed(f"user{n}@x", "1.2.3.4")
    assert throttle.wait_seconds("new@x", "1.2.3.4") == 1
    assert throttle.wait_seconds("new@x", "1.2.3.5") == 0


def test_the_throttle_forgets_failures_after_a_quiet_while() -> None:
    throttle = SignInThrottle(pair_free=0, forget_after_s=0.05)
    throttle.failed("a@x", "1.2.3.4")
    assert throttle.wait_seconds("a@x", "1.2.3.4") == 1
    time.sleep(0.06)
    assert throttle.wait_seconds("a@x", "1.2.3.4") == 0


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("testclient", "testclient"),
        (None, "unknown"),
    ],
)
def test_client_addresses_are_counted_ipv6_by_its_64(host: str | None, key: str) -> None:
    assert address_key(host) == key


def test_an_email_with_a_nul_character_cannot_be_a_users(db: Database, portal: Portal) -> None:
    with db.write() as conn, pytest.raises(ValidationFailed, match=r"^email:"):
        create_user(conn, portal.id, "a\x00b@example.com", PASSWORD)
