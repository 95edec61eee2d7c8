"""``ecombridge serve``: the local portal made on an empty database, and a real process."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

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


def _start(database_url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "ECOMBRIDGE_LOG_LEVEL": "warning"}
    command = [sys.executable, "-m", "ecombridge", "serve", "--port", str(port)]
    command += ["--database-url", database_url, "--workers", "0"]
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
