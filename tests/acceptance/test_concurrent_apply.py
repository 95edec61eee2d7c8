"""Two workers on PostgreSQL apply, at the same moment, a batch of line items and the batch
creating the deal they name (as `ecombridge worker --concurrency 2` does when an integration
sends both back to back). The association must be made either way.

The two transactions are held open until both have applied, so the overlap is certain. SQLite
lets one writer at a time, so there the second simply waits: the case cannot arise."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient

from ecombridge.clock import now_ms
from ecombridge.db.engine import Database
from ecombridge.sync.apply import apply_batch
from ecombridge.sync.messages import BatchContext, Message
from tests.acceptance.support import T0, V2, shop_mappings
from tests.support.factories import Portal, make_private_app_token


def apply_together(db: Database, portal: Portal, batches: list[tuple[str, Message]]) -> None:
    barrier = threading.Barrier(len(batches), timeout=20)
    failures: list[BaseException] = []

    def apply(object_type: str, message: Message) -> None:
        try:
            with db.write() as conn:
                ctx = BatchContext(portal.id, 0, "default", object_type)
                apply_batch(conn, ctx, [message], now_ms())
                barrier.wait()  # both applied, neither committed
        except BaseException as error:  # reported in the test's thread
            failures.append(error)
            barrier.abort()

    threads = [threading.Thread(target=apply, args=batch) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []


@pytest.mark.xfail(
    strict=True,
    reason="PostgreSQL, concurrent workers: a LINE_ITEM batch applied while the batch creating "
    "its DEAL is in flight keeps the association pending forever (neither transaction sees the "
    "other's uncommitted rows): no LINE_ITEM->DEAL association, and an OPEN "
    "INVALID_ASSOCIATION_PROPERTY 'Invalid associations [hs_assoc__deal_id: d-1]' on the line "
    "item although the deal exists",
)
def test_a_line_item_and_its_deal_applied_at_once_are_associated(
    request: pytest.FixtureRequest, client: TestClient, db: Database, portal: Portal
) -> None:
    if request.node.callspec.params["database_url"] != "postgresql":
        pytest.skip("SQLite runs one writer at a time")
    key = {"hapikey": portal.api_key}
    settings = {"enabled": True, "mappings": shop_mappings()}
    assert client.put(f"{V2}/settings", params=key, json=settings).status_code == 200

    line = Message("l-1", "UPSERT", T0, {"name": "Mug", "quantity": 1}, {"DEAL": ["d-1"]})
    deal = Message("d-1", "UPSERT", T0, {"name": "#1", "stage": "processed"}, {})
    apply_together(db, portal, [("LINE_ITEM", line), ("DEAL", deal)])

    status = client.get(f"{V2}/sync/status/default/LINE_ITEM/l-1", params=key).json()
    deal_id = client.get(f"{V2}/sync/status/default/DEAL/d-1", params=key).json()["hubspotId"]
    associated = client.get(
        f"/crm/v4/objects/line_items/{status['hubspotId']}/associations/deals",
        headers={"Authorization": f"Bearer {make_private_app_token(db, portal.id)}"},
    ).json()
    assert [r["toObjectId"] for r in associated["results"]] == [deal_id]
    assert [e["status"] for e in status["errors"]] in ([], ["RESOLVED"])
