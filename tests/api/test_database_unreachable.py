"""A database that refuses connections for now is a 503 with Retry-After, never a 500."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ecombridge.api.errors import install_error_handlers
from ecombridge.db import storage
from tests.support.live import free_port


def _connection_failure() -> Exception:
    """What SQLAlchemy raises for a PostgreSQL server that is not there."""
    engine = sa.create_engine(
        f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nothing",
        connect_args={"connect_timeout": 2},
    )
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as exc:
        return exc
    finally:
        engine.dispose()
    raise AssertionError("a closed port accepted a connection")


def test_a_connection_failure_is_recognised_and_other_errors_are_not() -> None:
    failure = _connection_failure()

    assert storage.is_unreachable(failure)
    assert not storage.is_disk_full(failure)
    assert not storage.is_unreachable(ValueError("connection failed"))
    assert not storage.is_unreachable(sa.exc.OperationalError("SELECT 1", {}, Exception("x")))


@pytest.mark.parametrize("raised", ["unreachable", "bug"])
def test_the_edge_answers_503_for_an_unreachable_database_and_500_for_a_bug(raised: str) -> None:
    app = FastAPI()
    install_error_handlers(app)
    failure = _connection_failure() if raised == "unreachable" else RuntimeError("a bug")

    @app.get("/thing")
    def thing() -> None:
        raise failure

    answer = TestClient(app, raise_server_exceptions=False).get("/thing")

    if raised == "bug":
        assert answer.status_code == 500
        return
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "5"
    body = answer.json()
    assert body["status"] == "error"
    assert body["category"] == "SERVICE_UNAVAILABLE"
    assert "cannot reach its database" in body["message"]
    assert "127.0.0.1" not in body["message"]
