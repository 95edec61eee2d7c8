"""Running the remote commands in process against a live bridge."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from typer.testing import CliRunner, Result

from ecombridge.cli.main import app as cli
from tests.support.live import LiveServer

runner = CliRunner()


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return runner.invoke(cli, list(args), env=env)


@pytest.fixture
def working_bridge(app: FastAPI) -> Iterator[LiveServer]:
    """A live server with an in-process worker, as ``ecombridge serve`` runs it."""
    app.state.worker_count = 1
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()
