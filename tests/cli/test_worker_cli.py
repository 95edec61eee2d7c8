"""``ecombridge worker -c N``: its worker processes are supervised as serve's are."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli.serving import (
    start_serve,
    stop_process,
    sync_and_wait_applied,
    wait_gone,
    wait_healthy,
    worker_processes,
)
from tests.support.live import free_port


def _start_workers(database_url: str, count: int, log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "ecombridge", "worker", "-c", str(count)]
    command += ["--database-url", database_url]
    with log.open("wb") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=os.environ)


def _wait_for_workers(pid: int, count: int, not_among: set[int]) -> list[int]:
    deadline = time.monotonic() + 60
    while True:
        found = worker_processes(pid)
        if len(found) == count and not set(found) & not_among:
            return found
        assert time.monotonic() < deadline, f"worker processes: {found}"
        time.sleep(0.05)


def test_a_killed_worker_process_is_restarted_and_the_rest_keep_applying(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ECOMBRIDGE_WORKER_RESTART_BACKOFF_SECONDS", "0.2")
    database_url = f"sqlite:///{tmp_path / 'bridge.db'}"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    api_log, worker_log = tmp_path / "serve.log", tmp_path / "worker.log"
    api = start_serve(database_url, port, api_log, workers=0)
    workers = None
    try:
        wait_healthy(base, api, api_log)
        found = re.search(r"apiKey:\s+(\S+)", api_log.read_text())
        assert found
        workers = _start_workers(database_url, 2, worker_log)
        first, second = _wait_for_workers(workers.pid, 2, set())

        os.kill(first, signal.SIGKILL)
        wait_gone(first)
        _wait_for_workers(workers.pid, 2, {first})

        sync_and_wait_applied(base, found.group(1))
        assert "died (exit code -9)" in worker_log.read_text()
        assert second in worker_processes(workers.pid)
    finally:
        if workers is not None:
            stop_process(workers)
        stop_process(api)
    assert workers.returncode == 0, worker_log.read_text()
