"""Two workers on PostgreSQL apply, at the same moment, a batch of line items and the batch
creating the deal they name (as `ecombridge worker --concurrency 2` does when an integration
sends both back to back). The association must be made either way: neither transaction sees
the other's rows, so the re-check job both queue makes it once they have committed.

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
from tests.support.jobs import RunJobs


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


PAIRS = {
    "line item and its deal": (
        ("LINE_ITEM", Message("l-1", "UPSERT", T0, {"name": "Mug"}, {"DEAL": ["d-1"]})),
        ("DEAL", Message("d-1", "UPSERT", T0, {"name": "#1", "stage": "processed"}, {})),
        "line_items/{}/associations/deals",
    ),
    "deal and its contact": (
        ("DEAL", Message("d-1", "UPSERT", T0, {"name": "#1"}, {"CONTACT": ["c-1"]})),
        ("CONTACT", Message("c-1", "UPSERT", T0, {"email": "ada@example.com"}, {})),
        "deals/{}/associations/contacts",
    ),
    "line item and its product": (
        ("LINE_ITEM", Message("l-1", "UPSERT", T0, {"name": "Mug"}, {"PRODUCT": ["p-1"]})),
        ("PRODUCT", Message("p-1", "UPSERT", T0, {"title": "Mug", "price": 3}, {})),
        "line_items/{}/associations/products",
    ),
}


@pytest.mark.parametrize("pair", PAIRS, ids=list(PAIRS))
def test_an_object_and_its_target_applied_at_once_are_associated(
    request: pytest.FixtureRequest,
    client: TestClient,
    db: Database,
    portal: Portal,
    run_jobs: RunJobs,
    pair: str,
) -> None:
    if request.node.callspec.params["database_url"] != "postgresql":
        pytest.skip("SQLite runs one writer at a time")
    key = {"hapikey": portal.api_key}
    settings = {"enabled": True, "mappings": shop_mappings()}
    assert client.put(f"{V2}/settings", params=key, json=settings).status_code == 200
    source, target, path = PAIRS[pair]

    apply_together(db, portal, [source, target])
    run_jobs()  # the re-check queued by the two transactions, now both committed

    (from_type, from_message), (to_type, to_message) = source, target
    status = client.get(
        f"{V2}/sync/status/default/{from_type}/{from_message.external_id}", params=key
    ).json()
    target_id = client.get(
        f"{V2}/sync/status/default/{to_type}/{to_message.external_id}", params=key
    ).json()["hubspotId"]
    associated = client.get(
        f"/crm/v4/objects/{path.format(status['hubspotId'])}",
        headers={"Authorization": f"Bearer {make_private_app_token(db, portal.id)}"},
    ).json()
    assert [r["toObjectId"] for r in associated["results"]] == [target_id]
    assert [e["status"] for e in status["errors"]] in ([], ["RESOLVED"])
