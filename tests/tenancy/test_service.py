"""Tenancy rules: what each created credential is, and what stops it working."""

from __future__ import annotations

import pytest

from ecombridge.db.engine import Database
from ecombridge.db.tables import developers
from ecombridge.errors import AuthenticationFailed, NotFound, ValidationFailed
from ecombridge.tenancy import repository as repo
from ecombridge.tenancy import service as tenancy
from ecombridge.tenancy.principal import CredentialKind
from ecombridge.tenancy.scopes import ALL_SCOPES
from ecombridge.tenancy.secrets import digest


def test_created_credentials_resolve_to_their_owner(db: Database) -> None:
    with db.write() as conn:
        portal = tenancy.create_portal(conn, "Shop")
        app = tenancy.create_app(conn, "App")
        tokens = tenancy.install_app(conn, app.app_id, portal.portal_id, ttl_s=60)
        private = tenancy.create_private_app_token(conn, portal.portal_id)
    with db.read() as conn:
        key = tenancy.authenticate(conn, portal.api_key, as_api_key=True)
        dev = tenancy.authenticate(conn, app.developer_api_key, as_api_key=True)
        access = tenancy.authenticate(conn, tokens.access_token, as_api_key=False)
        pat = tenancy.authenticate(conn, private, as_api_key=False)
    assert (key.kind, key.portal_id) == (CredentialKind.PORTAL_API_KEY, portal.portal_id)
    assert (dev.kind, dev.developer_id) == (CredentialKind.DEVELOPER_API_KEY, app.developer_id)
    assert access.kind is CredentialKind.ACCESS_TOKEN
    assert (access.portal_id, access.app_id) == (portal.portal_id, app.app_id)
    # Made without naming scopes (as the admin commands do): every scope the bridge serves.
    assert access.scopes == set(ALL_SCOPES) and access.expires_at is not None
    assert (pat.kind, pat.scopes) == (CredentialKind.PRIVATE_APP_TOKEN, set(ALL_SCOPES))


def test_only_digests_are_stored(db: Database) -> None:
    with db.write() as conn:
        portal = tenancy.create_portal(conn, "Shop")
        row = repo.find_credential(conn, digest(portal.api_key))
    assert row is not None and row.token_hash == digest(portal.api_key)
    assert portal.api_key not in tuple(str(v) for v in row)


def test_authorization_codes_expire_in_ten_minutes_and_remember_the_redirect(
    db: Database,
) -> None:
    with db.write() as conn:
        portal = tenancy.create_portal(conn, "Shop")
        app = tenancy.create_app(conn, "App")
        code = tenancy.issue_authorization_code(
            conn, app.app_id, portal.portal_id, "integration-sync", "https://a.example/cb"
        )
        row = repo.find_credential(conn, digest(code))
    assert row is not None and row.kind == "AUTHORIZATION_CODE"
    assert row.expires_at - row.created_at == 10 * 60 * 1000
    assert row.redirect_uri == "https://a.example/cb"
    with db.read() as conn, pytest.raises(AuthenticationFailed):
        tenancy.authenticate(conn, code, as_api_key=False)  # codes are only exchanged


def test_unknown_portal_or_app_is_not_found(db: Database) -> None:
    with db.write() as conn:
        app = tenancy.create_app(conn, "App")
        with pytest.raises(NotFound, match="Portal 424242"):
            tenancy.install_app(conn, app.app_id, 424242, ttl_s=60)
        with pytest.raises(NotFound, match="App 424242"):
            tenancy.install_app(conn, 424242, 1, ttl_s=60)
        with pytest.raises(NotFound):
            tenancy.create_private_app_token(conn, 424242)


@pytest.mark.parametrize("name", ["x" * 201, "bad\x00name"])
def test_names_the_name_columns_cannot_hold_are_refused(db: Database, name: str) -> None:
    with db.write() as conn:
        with pytest.raises(ValidationFailed, match=r"^name:"):
            tenancy.create_portal(conn, name)
        with pytest.raises(ValidationFailed, match=r"^name:"):
            tenancy.create_app(conn, name)


def test_an_app_name_of_the_full_length_fits_its_developer_name_too(db: Database) -> None:
    with db.write() as conn:
        created = tenancy.create_app(conn, "a" * 200)
        app = repo.get_app(conn, created.app_id)
        assert app is not None and app.name == "a" * 200
        developer = conn.execute(
            developers.select().where(developers.c.id == app.developer_id)
        ).one()
    assert len(developer.name) == 200 and developer.name.endswith(" developer")
