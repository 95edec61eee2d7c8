"""A worker process killed (SIGKILL) in the middle of a delivery: the next worker carries on
from the outbox; nothing is lost and nothing is created twice in the target (upserts by
external id make a redelivery an update)."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from ecombridge.db.engine import Database
from ecombridge.db.tables import relay_objects, relay_outbox
from ecombridge.outbound.addresses import ALLOW_PRIVATE_ENV
from tests.queue.test_worker_process import start_worker, wait_for
from tests.relay.conftest import add_destination
from tests.relay.target import TargetServer
from tests.workflows.shop import Shop, message

CONTACTS = 1_600  # 8 batches of 200


@pytest.fixture(scope="module")
def slow_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TargetServer]:
    server = TargetServer(tmp_path_factory.mktemp("slow-target"), rate_limit="10/1s")
    yield server
    server.stop()


def _count(db: Database, table: sa.Table) -> int:
    with db.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


@pytest.mark.slow
def test_a_worker_killed_mid_delivery_loses_nothing_and_duplicates_nothing(
    shop: Shop, db: Database, database_url: str, slow_target: TargetServer, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "127.0.0.0/8")
    target = slow_target.new_portal()
    for start in range(0, CONTACTS, 200):
        shop.sync(
            "CONTACT",
            *(
                message(f"c-{i}", {"email": f"c{i}@example.com", "first_name": f"C{i}"})
                for i in range(start, start + 200)
            ),
        )
    add_destination(shop, target)  # its job is left to the worker processes

    first = start_worker(database_url, tmp_path / "first.log", "--lease-seconds", "2")
    try:
        wait_for(lambda: _count(db, relay_objects) > 0, timeout_s=120)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    assert _count(db, relay_outbox) > 0  # killed with deliveries outstanding

    second = start_worker(database_url, tmp_path / "second.log", "--lease-seconds", "2")
    try:
        wait_for(lambda: _count(db, relay_outbox) == 0, timeout_s=180)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(30)

    assert _count(db, relay_objects) == CONTACTS
    found = target.post("/crm/v3/objects/contacts/search", {"limit": 1})
    assert found["total"] == CONTACTS
