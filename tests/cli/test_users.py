"""``ecombridge admin create-user``: a user who can then sign in to the web UI."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ecombridge.cli.main import app
from ecombridge.db.engine import Database
from tests.support.factories import Portal
from tests.web.conftest import sign_in
from tests.web.factories import make_user

runner = CliRunner()


def create_user(database_url: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["admin", "create-user", *args, "--database-url", database_url])
    return result.exit_code, result.stdout, result.stderr


def test_created_user_signs_in(database_url: str, portal: Portal, client: TestClient) -> None:
    code, out, _ = create_user(
        database_url,
        "--portal-id",
        str(portal.id),
        "--email",
        "Shop.Owner@Example.com",
        "--password",
        "long enough secret",
        "--json",
    )
    assert code == 0
    assert json.loads(out) == {
        "userId": json.loads(out)["userId"],
        "email": "shop.owner@example.com",
        "portalId": portal.id,
    }
    sign_in(client, "shop.owner@example.com", "long enough secret")
    assert client.get("/app/stores").status_code == 200


def test_bad_input_is_a_one_line_error(database_url: str, portal: Portal) -> None:
    args = ["--portal-id", str(portal.id), "--email", "a@example.com", "--password"]
    code, _, err = create_user(database_url, *args, "short")
    assert code == 1 and err == "error: password: must be at least 8 characters.\n"
    assert create_user(database_url, *args, "long enough secret")[0] == 0
    code, _, err = create_user(database_url, *args, "long enough secret")
    assert code == 1 and err == "error: A user with email a@example.com already exists.\n"
    code, _, err = create_user(
        database_url, "--portal-id", "999", "--email", "b@example.com", "--password", "12345678"
    )
    assert code == 1 and "Portal 999 does not exist." in err
    code, _, err = create_user(
        database_url, "--portal-id", str(portal.id), "--email", "nope", "--password", "12345678"
    )
    assert code == 1 and "is not a valid email address" in err


def test_setting_a_password_signs_the_user_out_everywhere(
    database_url: str, db: Database, portal: Portal, client: TestClient
) -> None:
    make_user(db, portal.id, "owner@example.com")
    sign_in(client, "owner@example.com")
    args = ["admin", "set-user-password", "--email", "Owner@example.com"]
    result = runner.invoke(app, [*args, "--database-url", database_url], input="new secret 1\n" * 2)
    assert result.exit_code == 0, result.output
    assert client.get("/app/stores", follow_redirects=False).status_code == 303
    sign_in(client, "owner@example.com", "new secret 1")

    unknown = ["admin", "set-user-password", "--email", "nobody@example.com", "--password", "x" * 9]
    result = runner.invoke(app, [*unknown, "--database-url", database_url])
    assert (
        result.exit_code == 1
        and result.stderr == "error: No user has the email nobody@example.com.\n"
    )
