"""Real ``ecombridge`` processes for the CLI's tests: started, probed, their worker processes
found, stopped."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx


def start_serve(
    database_url: str,
    port: int,
    log: Path,
    workers: int = 0,
    log_level: str = "warning",
    extra_env: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "ECOMBRIDGE_LOG_LEVEL": log_level}
    env |= extra_env or {}
    command = [sys.executable, "-m", "ecombridge", "serve", "--port", str(port)]
    command += ["--database-url", database_url, "--workers", str(workers)]
    with log.open("wb") as out:
        return subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )


def wait_healthy(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
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


def stop_process(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def worker_processes(pid: int) -> list[int]:
    """The worker processes ``serve`` started (not multiprocessing's resource tracker)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        for child in (task / "children").read_text().split():
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.append(int(child))
    return found


def wait_gone(pid: int, timeout_s: float = 20) -> None:
    deadline = time.monotonic() + timeout_s
    while Path(f"/proc/{pid}").exists():
        status = Path(f"/proc/{pid}/status").read_text() if Path(f"/proc/{pid}").exists() else ""
        if "State:\tZ" in status:  # exited, not yet reaped
            return
        assert time.monotonic() < deadline, f"process {pid} is still running"
        time.sleep(0.05)


def sync_and_wait_applied(base: str, api_key: str) -> None:
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


def wait_ready(base: str, status_code: int) -> dict[str, object]:
    deadline = time.monotonic() + 60
    while True:
        answer = httpx.get(f"{base}/readyz", timeout=10)
        if answer.status_code == status_code:
            return dict(answer.json())
        assert time.monotonic() < deadline, f"/readyz stayed {answer.status_code}: {answer.text}"
        time.sleep(0.05)
