"""Starting the bridge's server and worker processes for a benchmark, and reading their peak
memory from /proc (VmHWM: the peak resident set size)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx

from ecombridge.outbound.addresses import ALLOW_PRIVATE_ENV


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["ECOMBRIDGE_LOG_LEVEL"] = "warning"
    # The import benchmark's integrator answers the import webhook on this machine.
    env.setdefault(ALLOW_PRIVATE_ENV, "127.0.0.0/8")
    return env


def cli(*args: str) -> Any:
    """Run an ``ecombridge`` command and return its JSON output."""
    out = subprocess.run(
        [sys.executable, "-m", "ecombridge", *args],
        check=True,
        capture_output=True,
        text=True,
        env=_env(),
    )
    return json.loads(out.stdout)


def peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def descendants(pid: int) -> list[int]:
    found: list[int] = []
    pending = [pid]
    while pending:
        current = pending.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in children:
                found.append(int(child))
                pending.append(int(child))
    return found


def _role(pid: int) -> str:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "child"
    if b"resource_tracker" in command:
        return "resource-tracker"
    return "worker" if b"spawn_main" in command else "child"


@dataclass
class BridgeProcesses:
    """An API server (optionally with in-process workers) and extra worker processes."""

    database_url: str
    worker_processes: int = 1
    serve_workers: int = 0
    log_dir: Path | None = None
    port: int = field(default_factory=free_port)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    logs: list[IO[bytes]] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _spawn(self, name: str, *args: str) -> None:
        log: IO[bytes] | int = subprocess.DEVNULL
        if self.log_dir is not None:
            log = (self.log_dir / f"{name}.log").open("wb")
            self.logs.append(log)
        self.procs[name] = subprocess.Popen(
            [sys.executable, "-m", "ecombridge", *args],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=_env(),
        )

    def start(self) -> None:
        self._spawn(
            "api",
            "serve",
            "--port",
            str(self.port),
            "--database-url",
            self.database_url,
            "--workers",
            str(self.serve_workers),
        )
        self._wait_healthy()
        for i in range(self.worker_processes):
            self._spawn(f"worker-{i + 1}", "worker", "--database-url", self.database_url)

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.procs["api"].poll() is not None:
                raise RuntimeError("the bridge's API process exited during start-up")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the bridge did not become healthy within 60 s")

    def named_pids(self) -> dict[str, int]:
        """Each process by name; a process's own children after it, named by what they are:
        the worker processes ``serve`` starts, multiprocessing's resource tracker."""
        result: dict[str, int] = {}
        for name, proc in self.procs.items():
            result[name] = proc.pid
            roles: list[str] = []
            for child in descendants(proc.pid):
                role = _role(child)
                roles.append(role)
                result[f"{name}/{role}-{roles.count(role)}"] = child
        return result

    def peak_rss(self) -> dict[str, float | None]:
        """Peak RSS in MB of each process (``named_pids``)."""
        return {name: peak_rss_mb(pid) for name, pid in self.named_pids().items()}

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        for log in self.logs:
            log.close()
