"""App client secrets are stored encrypted, with a key kept outside the database."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import sqlalchemy as sa

from ecombridge.db import migrate
from ecombridge.db.engine import Database, normalise_url
from ecombridge.db.tables import apps
from ecombridge.tenancy import secret_box
from ecombridge.tenancy import service as tenancy
from ecombridge.tenancy.secret_box import KEY_ENV, SecretKeyUnavailable

KEY_A = "first key that is long enough 0123456789"
KEY_B = "second key that is long enough 0123456789"


def stored_app(db: Database, app_id: int) -> dict[str, object]:
    with db.read() as conn:
        row = conn.execute(sa.select(apps).where(apps.c.id == app_id)).one()
    return dict(row._mapping)


def test_no_column_holds_the_client_secret_in_clear(db: Database) -> None:
    with db.write() as conn:
        created = tenancy.create_app(conn, "App")
    row = stored_app(db, created.app_id)
    assert not any(created.client_secret in str(value) for value in row.values())
    with db.read() as conn:
        app = conn.execute(sa.select(apps).where(apps.c.id == created.app_id)).one()
        assert tenancy.client_secret(conn, app) == created.client_secret


def test_a_sqlite_database_gets_a_key_file_beside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEY_ENV)
    url = f"sqlite:///{tmp_path}/bridge.db"
    migrate.upgrade(url)
    db = Database(url)
    try:
        with db.write() as conn:
            created = tenancy.create_app(conn, "App")
        key_file = tmp_path / "bridge.db-secret-key"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        with db.read() as conn:
            app = conn.execute(sa.select(apps)).one()
            assert tenancy.client_secret(conn, app) == created.client_secret
        # Without its key file, the secret cannot be read: the key is not in the database.
        key_file.unlink()
        with db.read() as conn, pytest.raises(SecretKeyUnavailable, match="not the key"):
            tenancy.client_secret(conn, app)
    finally:
        db.dispose()


def test_postgresql_needs_the_key_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV)
    with pytest.raises(SecretKeyUnavailable, match=KEY_ENV):
        secret_box.seal(sa.make_url("postgresql+psycopg://bridge@db/bridge"), "s")


def test_a_short_key_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, "short")
    with pytest.raises(SecretKeyUnavailable, match="at least 32 characters"):
        secret_box.seal(sa.make_url("sqlite://"), "s")


def test_a_new_key_is_put_first_and_the_secrets_resealed(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_ENV, KEY_A)
    with db.write() as conn:
        created = tenancy.create_app(conn, "App")
    monkeypatch.setenv(KEY_ENV, f"{KEY_B},{KEY_A}")
    with db.write() as conn:
        assert tenancy.reseal_client_secrets(conn) == 1
    monkeypatch.setenv(KEY_ENV, KEY_B)
    with db.read() as conn:
        app = conn.execute(sa.select(apps).where(apps.c.id == created.app_id)).one()
        assert tenancy.client_secret(conn, app) == created.client_secret


def test_the_migration_encrypts_existing_secrets_and_back(database_url: str) -> None:
    migrate.downgrade(database_url, "0003")
    engine = sa.create_engine(normalise_url(database_url))
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO developers VALUES (1, 'Dev', 0)"))
            conn.execute(
                sa.text(
                    "INSERT INTO apps (id, developer_id, name, client_id, client_secret, "
                    "created_at) VALUES (5, 1, 'Old app', 'cid', 'old-secret', 0)"
                )
            )
        migrate.upgrade(database_url)
        with engine.connect() as conn:
            sealed = conn.execute(sa.text("SELECT client_secret_sealed FROM apps")).scalar_one()
        assert "old-secret" not in sealed
        assert secret_box.unseal(engine.url, sealed) == "old-secret"

        migrate.downgrade(database_url, "0003")
        with engine.connect() as conn:
            clear = conn.execute(sa.text("SELECT client_secret FROM apps")).scalar_one()
        assert clear == "old-secret"
    finally:
        engine.dispose()
        migrate.upgrade(database_url)


def test_without_apps_no_key_is_needed_yet(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bridge used only with portal keys starts without ECOMBRIDGE_SECRET_KEY, even on
    PostgreSQL; with apps, the key must open their secrets."""
    monkeypatch.delenv(KEY_ENV)
    with db.read() as conn:
        tenancy.check_secret_key(conn)
    monkeypatch.setenv(KEY_ENV, KEY_A)
    with db.write() as conn:
        tenancy.create_app(conn, "App")
    monkeypatch.setenv(KEY_ENV, KEY_B)
    with db.read() as conn, pytest.raises(SecretKeyUnavailable):
        tenancy.check_secret_key(conn)
