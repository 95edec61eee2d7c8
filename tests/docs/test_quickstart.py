"""docs/quickstart.md works as written: its Python and its curl, against a live bridge."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.factories import Portal
from tests.support.jobs import RunJobs
from tests.support.live import LiveServer

QUICKSTART = Path(__file__).resolve().parents[2] / "docs" / "quickstart.md"


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", QUICKSTART.read_text(), flags=re.S)


def test_python_blocks_send_a_batch_and_read_its_status(
    live_server: LiveServer, portal: Portal, run_jobs: RunJobs, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ECOMBRIDGE_BASE_URL", live_server.url)
    monkeypatch.setenv("ECOMBRIDGE_API_KEY", portal.api_key)
    send, check = blocks("python")
    namespace: dict[str, object] = {}
    exec(compile(send, "quickstart-send", "exec"), namespace)
    run_jobs()
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(check, "quickstart-check", "exec"), namespace)
    hubspot_id, processed_at, errors = printed.getvalue().split()
    assert int(hubspot_id) > 0 and int(processed_at) > 0 and errors == "[]"


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_block_sends_a_batch_and_reads_its_status(
    live_server: LiveServer, portal: Portal, run_jobs: RunJobs
) -> None:
    (script,) = [b for b in blocks("sh") if "curl" in b]
    commands = [c for c in script.split("\n\n") if c.strip()]
    env = {
        "ECOMBRIDGE_BASE_URL": live_server.url,
        "ECOMBRIDGE_API_KEY": portal.api_key,
        "PATH": "/usr/bin:/bin",
    }

    def sh(command: str) -> str:
        done = subprocess.run(
            ["bash", "-c", command], env=env, capture_output=True, text=True, check=True
        )
        return done.stdout

    outputs = [sh(c) for c in commands[:-1]]
    assert outputs[-1].strip() == "204"
    run_jobs()
    status = json.loads(sh(commands[-1]))
    assert status["externalObjectId"] == "cust-1" and status["errors"] == []
    assert isinstance(status["hubspotId"], int)
