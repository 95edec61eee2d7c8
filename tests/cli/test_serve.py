"""``ecombridge serve``: the local portal made on an empty database, and a real process."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
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


def _start(
    database_url: str, port: int, log: Path, workers: int = 0, log_level: str = "warning"
) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "ECOMBRIDGE_LOG_LEVEL": log_level}
    command = [sys.executable, "-m", "ecombridge", "serve", "--port", str(port)]
    command += ["--database-url", database_url, "--workers", str(workers)]
    with log.open("wb") as out:
        return subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )


def _wait_healthy(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited early:\n{log.read_text()}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"serve did not become healthy:\n{log.read_text()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_serve_prints_a_working_key_once(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'bridge.db'}"
    port = free_port()
    base = f"http://127.0.0.1:{port}"

    first_log = tmp_path / "first.log"
    process = _start(database_url, port, first_log)
    try:
        _wait_healthy(base, process, first_log)
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
        _stop(process)

    second_log = tmp_path / "second.log"
    process = _start(database_url, port, second_log)
    try:
        _wait_healthy(base, process, second_log)
        assert "apiKey" not in second_log.read_text()
        limit = httpx.get(f"{base}/integrations/v1/limit/daily", params={"hapikey": api_key})
        assert limit.status_code == 200
    finally:
        _stop(process)


def _worker_processes(pid: int) -> list[int]:
    """The worker processes ``serve`` started (not multiprocessing's resource tracker)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        for child in (task / "children").read_text().split():
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.append(int(child))
    return found


def _wait_gone(pid: int, timeout_s: float = 20) -> None:
    deadline = time.monotonic() + timeout_s
    while Path(f"/proc/{pid}").exists():
        status = Path(f"/proc/{pid}/status").read_text() if Path(f"/proc/{pid}").exists() else ""
        if "State:\tZ" in status:  # exited, not yet reaped
            return
        assert time.monotonic() < deadline, f"process {pid} is still running"
        time.sleep(0.05)


def _sync_and_wait_applied(base: str, api_key: str) -> None:
    key = {"hapikey": api_key}
    settings = {
        "enabled": True,
        "mappings": {
            "PRODUCT": {
                "properties": [{"externalPropertyName": "n", "hubspotPropertyName": "name"}]
            }
        },
    }
    assert httpx.put(f"{base}/extensions/ecomm/v2/settings", params=key, json=settings).is_success
    message = {
        "action": "UPSERT",
        "externalObjectId": "p1",
        "changedAt": 1,
        "properties": {"n": "Mug"},
    }
    body = {"storeId": "default", "objectType": "PRODUCT", "messages": [message]}
    sent = httpx.put(f"{base}/extensions/ecomm/v2/sync/messages", params=key, json=body)
    assert sent.status_code == 204
    deadline = time.monotonic() + 30
    status = f"{base}/extensions/ecomm/v2/sync/status/default/PRODUCT/p1"
    while httpx.get(status, params=key).status_code != 200:
        assert time.monotonic() < deadline, "the batch was not applied"
        time.sleep(0.05)
    assert httpx.get(status, params=key).json()["hubspotId"] is not None


def test_serve_applies_batches_in_its_worker_process_which_stops_with_it(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'bridge.db'}"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    process = _start(database_url, port, log, workers=1)
    try:
        _wait_healthy(base, process, log)
        found = re.search(r"apiKey:\s+(\S+)", log.read_text())
        assert found
        [worker] = _worker_processes(process.pid)  # the worker process beside the API
        _sync_and_wait_applied(base, found.group(1))
        assert os.getpriority(os.PRIO_PROCESS, worker) == 10  # the API answers first
    finally:
        _stop(process)
    _wait_gone(worker)


def test_the_worker_process_of_a_killed_serve_stops_too(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'bridge.db'}"
    port = free_port()
    log = tmp_path / "serve.log"
    process = _start(database_url, port, log, workers=1)
    try:
        _wait_healthy(f"http://127.0.0.1:{port}", process, log)
        [worker] = _worker_processes(process.pid)
        process.kill()  # no chance to stop its worker
        process.wait()
        _wait_gone(worker)
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


def _wait_ready(base: str, status_code: int) -> dict[str, object]:
    deadline = time.monotonic() + 60
    while True:
        answer = httpx.get(f"{base}/readyz", timeout=10)
        if answer.status_code == status_code:
            return dict(answer.json())
        assert time.monotonic() < deadline, f"/readyz stayed {answer.status_code}: {answer.text}"
        time.sleep(0.05)


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
    process = _start(database_url, port, log, workers=1)
    try:
        _wait_healthy(base, process, log)
        found = re.search(r"apiKey:\s+(\S+)", log.read_text())
        assert found
        api_key = found.group(1)
        _sync_and_wait_applied(base, api_key)
        [worker] = _worker_processes(process.pid)
        os.kill(worker, signal.SIGKILL)
        _wait_gone(worker)

        key = {"hapikey": api_key}
        message = {"action": "UPSERT", "externalObjectId": "p2", "changedAt": 2}
        message["properties"] = {"n": "Bowl"}
        body = {"storeId": "default", "objectType": "PRODUCT", "messages": [message]}
        for _ in range(3):  # a hung intake raises ReadTimeout
            sent = httpx.put(
                f"{base}/extensions/ecomm/v2/sync/messages", params=key, json=body, timeout=10
            )
            assert sent.status_code == 204
        unready = _wait_ready(base, 503)
        assert "no worker process is alive" in str(unready["checks"])

        _wait_ready(base, 200)
        [restarted] = _worker_processes(process.pid)
        assert restarted != worker
        status = f"{base}/extensions/ecomm/v2/sync/status/default/PRODUCT/p2"
        deadline = time.monotonic() + 30
        while httpx.get(status, params=key).status_code != 200:
            assert time.monotonic() < deadline, "the batch was not applied after the restart"
            time.sleep(0.05)
        assert "died (exit code -9)" in log.read_text()
    finally:
        _stop(process)
