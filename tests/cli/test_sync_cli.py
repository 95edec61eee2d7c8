"""``ecombridge sync``: CSV, NDJSON and JSON files in, batches of 200 out, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

from ecombridge.client import Client
from tests.cli.bridge import run
from tests.client.contract import settings
from tests.support.factories import Portal
from tests.support.jobs import RunJobs
from tests.support.live import LiveServer


def prepare(url: str, portal: Portal) -> Client:
    bridge = Client(url, api_key=portal.api_key)
    bridge.put_settings(settings())
    bridge.v1_install()
    return bridge


def test_sync_csv_columns_are_properties(
    live_server: LiveServer, portal: Portal, tmp_path: Path, run_jobs: RunJobs
) -> None:
    path = tmp_path / "customers.csv"
    rows = ["customer_id,email,first_name"] + [f"{i},c{i}@shop.test,C{i}" for i in range(205)]
    path.write_text("\n".join(rows) + "\n")
    with prepare(live_server.url, portal) as bridge:
        result = run(
            "sync", "CONTACT", str(path), "--id-column", "customer_id",
            "--base-url", live_server.url, "--api-key", portal.api_key,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert "Sent 205 CONTACT messages to store 'default'." in result.stdout
        run_jobs()
        status = bridge.sync_status("CONTACT", "204")
    assert status.hubspot_id is not None


def test_sync_ndjson_with_associations_and_env_credentials(
    live_server: LiveServer, portal: Portal, tmp_path: Path, run_jobs: RunJobs
) -> None:
    contacts = tmp_path / "c.json"
    contacts.write_text(json.dumps([{"id": "c1", "email": "c1@shop.test"}]))
    deals = tmp_path / "orders.ndjson"
    deals.write_text(
        json.dumps({"id": "o1", "name": "Order 1", "stage": "processed", "customer": "c1"}) + "\n"
    )
    env = {"ECOMBRIDGE_BASE_URL": live_server.url, "ECOMBRIDGE_API_KEY": portal.api_key}
    with prepare(live_server.url, portal) as bridge:
        assert run("sync", "CONTACT", str(contacts), env=env).exit_code == 0
        result = run("sync", "DEAL", str(deals), "--associate", "CONTACT=customer", env=env)
        assert result.exit_code == 0, result.output
        run_jobs()
        deal = bridge.sync_status("DEAL", "o1")
    assert deal.hubspot_id is not None and deal.errors == []


def test_wire_form_records_are_sent_as_they_are(
    live_server: LiveServer, portal: Portal, tmp_path: Path, run_jobs: RunJobs
) -> None:
    path = tmp_path / "products.json"
    record = {"externalObjectId": 7, "properties": {"name": "Tent"}, "changedAt": "1700000000000"}
    path.write_text(json.dumps({"messages": [record]}))
    with prepare(live_server.url, portal) as bridge:
        result = run(
            "sync", "PRODUCT", str(path), "--base-url", live_server.url, "--api-key", portal.api_key
        )
        assert result.exit_code == 0, result.output
        run_jobs()
        assert bridge.sync_status("PRODUCT", "7").hubspot_id is not None


def test_bad_api_key_is_one_line_and_exit_code_1(live_server: LiveServer, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("id,email\n1,a@b.test\n")
    result = run("sync", "CONTACT", str(path), "--base-url", live_server.url, "--api-key", "wrong")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: 401 INVALID_AUTHENTICATION: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_missing_id_column_names_the_record(
    live_server: LiveServer, portal: Portal, tmp_path: Path
) -> None:
    path = tmp_path / "c.csv"
    path.write_text("email\na@b.test\n")
    result = run(
        "sync", "CONTACT", str(path), "--base-url", live_server.url, "--api-key", portal.api_key
    )
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"error: {path} 1: no 'id' field (choose the id with --id-column)"
    )


def test_unknown_object_type_and_missing_credentials(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("id\n1\n")
    result = run("sync", "COMPANY", str(path), "--api-key", "k")
    assert (result.exit_code, result.stderr.strip()) == (
        1,
        "error: object type 'COMPANY': use one of CONTACT, PRODUCT, DEAL, LINE_ITEM",
    )
    result = run(
        "sync", "CONTACT", str(path), env={"ECOMBRIDGE_API_KEY": "", "ECOMBRIDGE_ACCESS_TOKEN": ""}
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("error: no credentials")


def test_unreadable_file_is_one_line(tmp_path: Path) -> None:
    result = run("sync", "CONTACT", str(tmp_path / "missing.csv"), "--api-key", "k")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: [Errno 2] No such file or directory")


def test_v1_and_delete(
    live_server: LiveServer, portal: Portal, tmp_path: Path, run_jobs: RunJobs
) -> None:
    path = tmp_path / "c.csv"
    path.write_text("id,email\nv1-a,a@shop.test\n")
    args = ("--base-url", live_server.url, "--api-key", portal.api_key)
    with prepare(live_server.url, portal) as bridge:
        assert run("sync", "CONTACT", str(path), "--v1", *args).exit_code == 0
        run_jobs()
        assert bridge.v1_sync_status("CONTACT", "v1-a").hubspot_id is not None
        assert run("sync", "CONTACT", str(path), "--delete", *args).exit_code == 0
        run_jobs()
        assert bridge.sync_status("CONTACT", "v1-a").last_processed_at is not None


def test_unreachable_bridge_is_one_line(tmp_path: Path) -> None:
    from tests.support.live import free_port

    path = tmp_path / "c.csv"
    path.write_text("id,email\n1,a@b.test\n")
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    result = run("sync", "CONTACT", str(path), "--base-url", url, "--api-key", "k")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: Could not reach the bridge: ")
    assert len(result.stderr.strip().splitlines()) == 1
