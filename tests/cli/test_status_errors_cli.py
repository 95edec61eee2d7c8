"""``ecombridge status`` and ``ecombridge errors`` against a live bridge."""

from __future__ import annotations

import json

from ecombridge.client import Client, Store, SyncMessage
from tests.cli.bridge import run
from tests.client.contract import settings
from tests.support.factories import InstalledApp, Portal
from tests.support.jobs import RunJobs
from tests.support.live import LiveServer


def synced_with_errors(url: str, portal: Portal, run_jobs: RunJobs) -> None:
    with Client(url, api_key=portal.api_key) as bridge:
        bridge.put_settings(settings())
        bridge.v1_install()
        messages = [SyncMessage("ok", {"email": "ok@shop.test"})]
        messages += [SyncMessage(f"bad{i}", {"email": f"nope{i}"}) for i in range(3)]
        bridge.send_sync_messages("CONTACT", messages)
        bridge.send_sync_messages("DEAL", [SyncMessage("d1", {"name": "D", "stage": "lost"})])
    run_jobs()


def test_status_of_a_synced_object(
    live_server: LiveServer, portal: Portal, run_jobs: RunJobs
) -> None:
    synced_with_errors(live_server.url, portal, run_jobs)
    args = ("--base-url", live_server.url, "--api-key", portal.api_key)
    result = run("status", "CONTACT", "ok", *args)
    assert result.exit_code == 0, result.output
    assert "CONTACT ok" in result.stdout and "synced" in result.stdout
    as_json = json.loads(run("status", "CONTACT", "bad1", "--json", *args).stdout)
    assert as_json["external_object_id"] == "bad1"
    assert as_json["errors"][0]["type"] == "INVALID_EMAIL_ADDRESS"
    failed = run("status", "CONTACT", "bad1", *args)
    assert "failed" in failed.stdout and "INVALID_EMAIL_ADDRESS" in failed.stdout


def test_status_of_an_unknown_object_is_one_line(live_server: LiveServer, portal: Portal) -> None:
    result = run(
        "status", "DEAL", "nope", "--base-url", live_server.url, "--api-key", portal.api_key
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("error: DEAL 'nope' is not known yet")
    assert len(result.stderr.strip().splitlines()) == 1


def test_errors_table_filters_and_pages(
    live_server: LiveServer, portal: Portal, run_jobs: RunJobs
) -> None:
    synced_with_errors(live_server.url, portal, run_jobs)
    args = ("--base-url", live_server.url, "--api-key", portal.api_key)
    table = run("errors", *args, env={"COLUMNS": "200"})
    assert table.exit_code == 0, table.output
    for expected in (
        "INVALID_EMAIL_ADDRESS",
        "INVALID_DEAL_STAGE",
        "bad0",
        "bad2",
        "d1",
        "4 error(s).",
    ):
        assert expected in table.stdout
    lines = run("errors", "--json", "--object-type", "CONTACT", *args).stdout.splitlines()
    assert sorted(json.loads(line)["external_object_id"] for line in lines) == [
        "bad0",
        "bad1",
        "bad2",
    ]
    limited = run("errors", "--limit", "2", "--type", "INVALID_EMAIL_ADDRESS", *args)
    assert "2 error(s) (limit reached)." in limited.stdout
    none = run("errors", "--type", "NO_SYNC_SETTINGS", *args)
    assert none.stdout.strip() == "No sync errors."


def test_errors_with_an_access_token_use_the_app_in_portal_listing(
    live_server: LiveServer, installed_app: InstalledApp, run_jobs: RunJobs
) -> None:
    with Client(
        live_server.url,
        developer_api_key=installed_app.developer_api_key,
        app_id=installed_app.app_id,
    ) as dev:
        dev.put_settings(settings())
    with Client(live_server.url, access_token=installed_app.access_token) as app:
        app.put_store(Store("s", "S"))
        app.send_sync_messages("CONTACT", [SyncMessage("x", {"email": "bad"})], store_id="s")
    run_jobs()
    result = run(
        "errors",
        "--json",
        "--base-url",
        live_server.url,
        "--access-token",
        installed_app.access_token,
    )
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["store_id"] for line in result.stdout.splitlines()] == ["s"]
    by_app = run(
        "errors", "--json", "--base-url", live_server.url, "--app-id", str(installed_app.app_id),
        "--developer-api-key", installed_app.developer_api_key,
    )  # fmt: skip
    assert by_app.exit_code == 0, by_app.output
    assert len(by_app.stdout.splitlines()) == 1


def test_details_with_brackets_are_printed_literally(
    live_server: LiveServer, portal: Portal, run_jobs: RunJobs
) -> None:
    with Client(live_server.url, api_key=portal.api_key) as bridge:
        bridge.put_settings(settings())
        bridge.v1_install()
        line = SyncMessage("[l1]", {"name": "Line", "quantity": 1}, {"DEAL": ["missing-order"]})
        bridge.send_sync_messages("LINE_ITEM", [line])
    run_jobs()
    args = ("--base-url", live_server.url, "--api-key", portal.api_key)
    wide = {"COLUMNS": "250"}
    table = run("errors", "--type", "INVALID_ASSOCIATION_PROPERTY", *args, env=wide)
    assert table.exit_code == 0, table.output
    assert "[l1]" in table.stdout
    assert "missing-order" in table.stdout
    status = run("status", "LINE_ITEM", "[l1]", *args, env=wide)
    assert status.exit_code == 0, status.output
    assert "LINE_ITEM [l1]" in status.stdout and "failed" in status.stdout
