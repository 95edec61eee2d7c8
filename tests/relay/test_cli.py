"""``ecombridge relay``: the exact interface operators and scripts use."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from ecombridge.cli.main import app as cli
from ecombridge.db.engine import Database
from ecombridge.relay.repository import destination
from ecombridge.relay.tokens import open_token
from tests.support.factories import Portal

runner = CliRunner()


def _relay(database_url: str, *args: str) -> object:
    result = runner.invoke(cli, ["relay", *args, "--database-url", database_url, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_add_then_status_pause_resume_and_remove(
    database_url: str, db: Database, portal: Portal
) -> None:
    added = _relay(
        database_url,
        "add",
        "--portal-id", str(portal.id),
        "--base-url", "https://api.hubapi.com",
        "--access-token", "pat-na1-secret",
        "--store-id", "b",
        "--store-id", "a",
    )  # fmt: skip
    assert isinstance(added, dict) and list(added) == ["destinationId"]
    dest_id = added["destinationId"]
    with db.read() as conn:
        row = destination(conn, dest_id)
        assert row is not None
        assert "pat-na1-secret" not in row.token_sealed  # sealed at rest
        assert open_token(conn, row.token_sealed) == "pat-na1-secret"
        assert row.store_ids == ["a", "b"]

    [status] = _relay(database_url, "status", "--portal-id", str(portal.id))  # type: ignore[misc]
    assert status["destinationId"] == dest_id
    assert status["state"] == "SETTING_UP"
    assert (status["pending"], status["delivered"], status["failed"]) == (0, 0, 0)
    assert status["lagSeconds"] == 0
    assert status["baseUrl"] == "https://api.hubapi.com"

    paused = _relay(database_url, "pause", "--destination-id", str(dest_id))
    assert isinstance(paused, dict) and paused["state"] == "PAUSED"
    resumed = _relay(database_url, "resume", "--destination-id", str(dest_id))
    assert isinstance(resumed, dict) and resumed["state"] == "SETTING_UP"
    _relay(database_url, "remove", "--destination-id", str(dest_id))
    assert _relay(database_url, "status", "--portal-id", str(portal.id)) == []


def test_bad_input_is_one_line_and_exit_status_1(database_url: str, portal: Portal) -> None:
    result = runner.invoke(
        cli,
        ["relay", "add", "--portal-id", str(portal.id), "--base-url", "ftp://x",
         "--access-token", "t", "--database-url", database_url],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "baseUrl" in result.output
    missing = runner.invoke(
        cli, ["relay", "pause", "--destination-id", "999", "--database-url", database_url]
    )
    assert missing.exit_code == 1
    assert "No destination 999" in missing.output
    gone = runner.invoke(
        cli, ["relay", "remove", "--destination-id", "99999999999999999999",
              "--database-url", database_url],
    )  # fmt: skip
    assert gone.exit_code == 1
    assert "No destination 99999999999999999999" in gone.output
