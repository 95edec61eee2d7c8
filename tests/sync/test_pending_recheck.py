"""The re-check of pending associations after concurrent applies (PostgreSQL): a batch naming a
target and the batch creating it, in transactions open at the same time, miss each other's rows;
the RESOLVE_PENDING job they queue makes the association once both have committed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa

from ecombridge.db.engine import Database
from ecombridge.db.tables import jobs
from ecombridge.queue.worker import drain
from ecombridge.sync.messages import Message
from ecombridge.sync.pending_recheck import RESOLVE_PENDING
from tests.support.factories import Portal
from tests.sync.apply_support import Bridge, OpenApply, msg, open_error


@pytest.fixture
def bridge(db: Database, portal: Portal) -> Bridge:
    return Bridge(db, portal.id).setup()


def _queued_rechecks(db: Database) -> int:
    with db.read() as conn:
        query = sa.select(sa.func.count()).where(
            jobs.c.kind == RESOLVE_PENDING, jobs.c.status == "QUEUED"
        )
        return int(conn.execute(query).scalar_one())


TARGETS: dict[str, tuple[str, Message, Callable[[Bridge], None]]] = {
    "DEAL": ("DEAL", msg("t1", {"stage": "processed"}, at=6_000), lambda b: None),
    "PRODUCT": (
        "PRODUCT",
        msg("t1", {"name": "Mug"}, at=6_000),
        lambda b: _assert_product_id(b),
    ),
}


def _assert_product_id(bridge: Bridge) -> None:
    product_id = str(bridge.hubspot_id("PRODUCT", "t1"))
    assert bridge.properties("LINE_ITEM", "l1")["hs_product_id"] == product_id


@pytest.mark.usefixtures("postgresql_only")
@pytest.mark.parametrize("target", TARGETS)
def test_the_target_committing_last_still_gets_the_association_made(
    bridge: Bridge, target: str
) -> None:
    to_type, target_message, check = TARGETS[target]
    line = OpenApply(
        bridge, "LINE_ITEM", msg("l1", {"qty": 1}, at=6_000, associations={to_type: ["t1"]})
    )
    creating = OpenApply(bridge, to_type, target_message)
    line.commit()

    # The line item's re-check runs while the target is still in flight: it cannot see it.
    drain(bridge.db)
    assert bridge.pending() == {("LINE_ITEM", "l1", to_type, "t1")}
    assert open_error(bridge, "LINE_ITEM", "l1")[0] == "INVALID_ASSOCIATION_PROPERTY"

    creating.commit()  # ... and the creating batch queued its own, which runs after this
    drain(bridge.db)

    assert bridge.associated("LINE_ITEM", "l1", to_type) == {bridge.hubspot_id(to_type, "t1")}
    assert bridge.pending() == set()
    error = bridge.error("LINE_ITEM", "l1")
    assert (error.type, error.status) == ("INVALID_ASSOCIATION_PROPERTY", "RESOLVED")
    check(bridge)
    assert _queued_rechecks(bridge.db) == 0


@pytest.mark.usefixtures("postgresql_only")
def test_batches_one_after_the_other_share_one_queued_recheck(bridge: Bridge) -> None:
    bridge.sync("LINE_ITEM", msg("l1", {"qty": 1}, associations={"DEAL": ["d1"]}))
    bridge.sync("LINE_ITEM", msg("l2", {"qty": 1}, associations={"DEAL": ["d2"]}))
    bridge.sync("DEAL", msg("d1", {"stage": "processed"}))

    assert _queued_rechecks(bridge.db) == 1
    drain(bridge.db)  # nothing was missed: the re-check changes nothing
    assert bridge.associated("LINE_ITEM", "l1", "DEAL") == {bridge.hubspot_id("DEAL", "d1")}
    assert bridge.pending() == {("LINE_ITEM", "l2", "DEAL", "d2")}
    assert open_error(bridge, "LINE_ITEM", "l2")[0] == "INVALID_ASSOCIATION_PROPERTY"


def test_batches_that_leave_or_meet_nothing_pending_queue_no_recheck(bridge: Bridge) -> None:
    bridge.sync("DEAL", msg("d1", {"stage": "processed"}))  # created here: PostgreSQL re-checks
    drain(bridge.db)
    bridge.sync("DEAL", msg("d1", {"stage": "checkout_pending"}, at=2_000))  # an update
    bridge.sync("LINE_ITEM", msg("l1", {"qty": 1}, associations={"DEAL": ["d1"]}))

    assert _queued_rechecks(bridge.db) == 0


def test_sqlite_never_queues_a_recheck(request: pytest.FixtureRequest, bridge: Bridge) -> None:
    if request.node.callspec.params["database_url"] != "sqlite":
        pytest.skip("PostgreSQL re-checks")
    bridge.sync("LINE_ITEM", msg("l1", {"qty": 1}, associations={"DEAL": ["d1"]}))
    bridge.sync("DEAL", msg("d2", {"stage": "processed"}))

    assert _queued_rechecks(bridge.db) == 0
