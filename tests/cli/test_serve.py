"""``ecombridge serve``: the local portal made on an empty database, and a real process."""

from __future__ import annotations

import os
import re
import signal
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from ecombridge.cli.main import app as cli
from ecombridge.cli.serve import ensure_local_portal
from ecombridge.db.engine import Database
from ecombridge.tenancy import service as tenancy
from ecombridge.tenancy.principal import CredentialKind
from tests.cli.serving import (
    start_serve,
    stop_process,
    sync_and_wait_applied,
    wait_gone,
    wait_healthy,
    wait_ready,
    worker_processes,
)
from tests.support.live import free_port


def test_an_empty_database_gets_a_local_portal_once(
    db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    created = ensure_local_portal(db)
    assert created is not None
    out = capsys.readouterr().out
    assert f"portalId: {created.portal_id}" in out
    assert f"apiKey:   {created.api_key}" in out
    with db.read() as conn:
        caller = tenancy.authenticate(conn, created.api_key, as_api_key=True)
    assert (caller.kind, caller.portal_id) == (CredentialKind.PORTAL_API_KEY, created.portal_id)

    assert ensure_local_portal(db) is None
    assert capsys.readouterr().out == ""


def test_a_database_with_portals_gets_none(
    db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    with db.write() as conn:
        tenancy.create_portal(conn, "Existing")
    assert ensure_local_portal(db) is None
    assert capsys.readouterr().out == ""


def test_serve_prints_a_working_key_once(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'bridge.db'}"
    port = free_port()
    base = f"http://127.0.0.1:{port}"

    first_log = tmp_path / "first.log"
    process = start_serve(database_url, port, first_log)
    try:
        wait_healthy(base, process, first_log)
        output = first_log.read_text()
        found = re.search(r"apiKey:\s+(\S+)", output)
        assert found, output
        api_key = found.group(1)
        assert re.search(r"portalId:\s+\d+", output)
        assert httpx.get(f"{base}/readyz").status_code == 200
        limit = httpx.get(f"{base}/integrations/v1/limit/daily", params={"hapikey": api_key})
        assert limit.status_code == 200, limit.text
        wrong = httpx.get(f"{base}/integrations/v1/limit/daily", params={"hapikey": "nope"})
        assert wrong.status_code == 401
    finally:
        stop_process(process)

    second_log = tmp_path / "second.log"
    process = start_serve(database_url, port, second_log)
    try:
        wait_healthy(base, process, second_log)
        assert "apiKey" not in second_log.read_text()
        limit = httpx.get(f"{base}/integrations/v1/limit/daily", params={"hapikey": api_key})
        assert limit.status_code == 200
    finally:
        stop_process(process)


def test_serve_applies_batches_in_its_worker_process_which_stops_with_it(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'bridge.db'}"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    process = start_serve(database_url, port, log, workers=1)
    try:
        wait_healthy(base, process, log)
        found = re.search(r"apiKey:\s+(\S+)", log.read_text())
        assert found
        [worker] = worker_processes(process.pid)  # the worker process beside the API
        sync_and_wait_applied(base, found.group(1))
        assert os.getpriority(os.PRIO_PROCESS, worker) == 10  # the API answers first
    finally:
        stop_process(process)
    wait_gone(worker)


def test_the_worker_process_of_a_killed_serve_stops_too(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'bridge.db'}"
    port = free_port()
    log = tmp_path / "serve.log"
    process = start_serve(database_url, port, log, workers=1)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", process, log)
        [worker] = worker_processes(process.pid)
        process.kill()  # no chance to stop its worker
        process.wait()
        wait_gone(worker)
    finally:
        if process.poll() is None:
            process.kill()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ECOMBRIDGE_WEBHOOK_ALLOW_PRIVATE": "intranet"}, "is neither true nor a network"),
        ({"ECOMBRIDGE_SECRET_KEY": "short"}, "at least 32 characters"),
    ],
)
@pytest.mark.parametrize("command", ["serve", "worker"])
def test_a_configuration_it_cannot_work_with_stops_it_at_start(
    tmp_path: Path, env: dict[str, str], message: str, command: str
) -> None:
    url = f"sqlite:///{tmp_path / 'bridge.db'}"
    result = CliRunner().invoke(cli, [command, "--database-url", url], env=env)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_killed_worker_process_blocks_nothing_and_is_restarted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """kill -9 of the idle worker: the intake still answers at once, /readyz says 503 until the
    worker is back, and what was accepted meanwhile is applied by the new one."""
    monkeypatch.setenv("ECOMBRIDGE_WORKER_RESTART_BACKOFF_SECONDS", "3")
    database_url = f"sqlite:///{tmp_path / 'bridge.db'}"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    process = start_serve(database_url, port, log, workers=1)
    try:
        wait_healthy(base, process, log)
        found = re.search(r"apiKey:\s+(\S+)", log.read_text())
        assert found
        api_key = found.group(1)
        sync_and_wait_applied(base, api_key)
        [worker] = worker_processes(process.pid)
        os.kill(worker, signal.SIGKILL)
        wait_gone(worker)

        key = {"hapikey": api_key}
        message = {"action": "UPSERT", "externalObjectId": "p2", "changedAt": 2}
        message["properties"] = {"n": "Bowl"}
        body = {"storeId": "default", "objectType": "PRODUCT", "messages": [message]}
        for _ in range(3):  # a hung intake raises ReadTimeout
            sent = httpx.put(
                f"{base}/extensions/ecomm/v2/sync/messages", params=key, json=body, timeout=10
            )
            assert sent.status_code == 204
        unready = wait_ready(base, 503)
        assert "no worker process is alive" in str(unready["checks"])

        wait_ready(base, 200)
        [restarted] = worker_processes(process.pid)
        assert restarted != worker
        status = f"{base}/extensions/ecomm/v2/sync/status/default/PRODUCT/p2"
        deadline = time.monotonic() + 30
        while httpx.get(status, params=key).status_code != 200:
            assert time.monotonic() < deadline, "the batch was not applied after the restart"
            time.sleep(0.05)
        assert "died (exit code -9)" in log.read_text()
    finally:
        stop_process(process)
