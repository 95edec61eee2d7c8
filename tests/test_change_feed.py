"""The change feed: every write of the apply tells its listeners which objects it changed, in
the writer's transaction, and says nothing of what it did not change."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ecombridge import change_feed
from ecombridge.change_feed import Changes
from ecombridge.db.engine import Database
from ecombridge.sync.apply import apply_batch
from ecombridge.sync.messages import BatchContext
from tests.support.factories import make_portal
from tests.sync.apply_support import Bridge, msg


@pytest.fixture
def seen() -> Iterator[list[Changes]]:
    got: list[Changes] = []

    def record(conn: object, changes: Changes) -> None:
        got.append(changes)

    change_feed.listener(record)
    yield got
    change_feed._listeners.remove(record)


@pytest.fixture
def bridge(db: Database) -> Bridge:
    return Bridge(db, make_portal(db).id, store_id="eu").setup()


def test_new_and_changed_objects_are_published_with_their_changed_at(
    bridge: Bridge, seen: list[Changes]
) -> None:
    bridge.sync("PRODUCT", msg("p1", {"name": "Cup"}, at=100), msg("p2", {"name": "Mug"}, at=200))
    assert len(seen) == 1
    first = seen[0]
    ids = {bridge.hubspot_id("PRODUCT", "p1"): 100, bridge.hubspot_id("PRODUCT", "p2"): 200}
    assert first == Changes(bridge.portal_id, "PRODUCT", "sync", ids, 0, "eu")

    seen.clear()
    bridge.sync("PRODUCT", msg("p1", {"name": "Big cup"}, at=300), msg("p2", {"name": "Old"}, at=1))
    # p2's message is older than what was applied: nothing changed for it.
    assert [c.changed for c in seen] == [{bridge.hubspot_id("PRODUCT", "p1"): 300}]


def test_a_batch_that_changes_nothing_publishes_nothing(
    bridge: Bridge, seen: list[Changes]
) -> None:
    bridge.sync("CONTACT", msg("c1", {"email": "a@example.com"}, at=100))
    seen.clear()
    bridge.sync("CONTACT", msg("c1", {"email": "a@example.com"}, at=50))
    bridge.sync("CONTACT", msg("c2", {"first_name": "No email"}, at=60))  # an error, no object
    assert seen == []


def test_a_pending_association_made_later_publishes_its_owner(
    bridge: Bridge, seen: list[Changes]
) -> None:
    bridge.sync("DEAL", msg("d1", {"name": "Order"}, at=100, associations={"CONTACT": ["c1"]}))
    seen.clear()
    bridge.sync("CONTACT", msg("c1", {"email": "late@example.com"}, at=200), at=7_000)
    by_type = {c.object_type: c.changed for c in seen}
    assert by_type == {
        "CONTACT": {bridge.hubspot_id("CONTACT", "c1"): 200},
        "DEAL": {bridge.hubspot_id("DEAL", "d1"): 7_000},
    }


def test_imported_messages_say_so(db: Database, bridge: Bridge, seen: list[Changes]) -> None:
    ctx = BatchContext(bridge.portal_id, 0, "eu", "PRODUCT", origin="import")
    with db.write() as conn:
        apply_batch(conn, ctx, [msg("p1", {"name": "Cup"}, at=100)], 5_000)
    assert [c.origin for c in seen] == ["import"]


def test_a_listener_that_fails_fails_the_write(db: Database, bridge: Bridge) -> None:
    def broken(conn: object, changes: Changes) -> None:
        raise RuntimeError("listener failed")

    change_feed.listener(broken)
    try:
        with pytest.raises(RuntimeError):
            bridge.sync("PRODUCT", msg("p1", {"name": "Cup"}, at=100))
    finally:
        change_feed._listeners.remove(broken)
    assert bridge.link("PRODUCT", "p1") is None  # rolled back with the listener's work
