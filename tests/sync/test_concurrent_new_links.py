"""Two transactions creating the same new link at once (PostgreSQL): the second waits on the
link's key, then fails, and its retry merges into the link the first one made. One object, the
values of both messages: never a second object with the link pointed away from the first."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest
import sqlalchemy as sa

from ecombridge.db.engine import Database
from ecombridge.sync.apply import apply_batch
from ecombridge.sync.messages import BatchContext, Message
from tests.support.factories import Portal
from tests.sync.apply_support import Bridge, OpenApply, msg


@pytest.fixture
def bridge(db: Database, portal: Portal) -> Bridge:
    return Bridge(db, portal.id).setup()


class BlockedApply:
    """An apply in its own thread that commits as soon as it can; its failure, if any."""

    def __init__(self, bridge: Bridge, object_type: str, message: Message) -> None:
        self.failure: BaseException | None = None
        ctx = BatchContext(bridge.portal_id, 0, "default", object_type)
        self.thread = threading.Thread(target=self._run, args=(bridge.db, ctx, message))
        self.thread.start()

    def _run(self, db: Database, ctx: BatchContext, message: Message) -> None:
        try:
            with db.write() as conn:
                apply_batch(conn, ctx, [message], 7_000)
        except BaseException as error:
            self.failure = error

    def join(self) -> BaseException | None:
        self.thread.join(20)
        assert not self.thread.is_alive()
        return self.failure


def wait_until_a_backend_waits_on_a_lock(db: Database) -> None:
    deadline = time.monotonic() + 20
    query = sa.text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE wait_event_type = 'Lock' AND datname = current_database()"
    )
    while time.monotonic() < deadline:
        with db.read() as conn:
            if conn.execute(query).scalar_one():
                return
        time.sleep(0.02)
    raise AssertionError("the second apply never waited for the first one's key")


@pytest.mark.usefixtures("postgresql_only")
@pytest.mark.parametrize(
    ("object_type", "first", "second", "expected"),
    [
        ("PRODUCT", {"name": "Mug"}, {"price": 5}, {"name": "Mug", "price": 5}),
        (
            "LINE_ITEM",
            {"qty": 1},
            {"price": 7},
            {"quantity": 1, "price": 7},
        ),
    ],
)
def test_one_new_link_made_by_two_transactions_at_once_is_one_object(
    bridge: Bridge,
    object_type: str,
    first: dict[str, object],
    second: dict[str, object],
    expected: dict[str, object],
) -> None:
    making = OpenApply(bridge, object_type, msg("x1", first, at=6_000))
    racing = BlockedApply(bridge, object_type, msg("x1", second, at=7_000))
    wait_until_a_backend_waits_on_a_lock(bridge.db)  # on the link's key
    making.commit()

    failure = racing.join()
    # The key the first transaction took fails the second one's link: the queue retries it.
    assert isinstance(failure, (sa.exc.IntegrityError, psycopg.errors.IntegrityError)), failure
    assert "pk_sync_objects" in str(failure)
    bridge.sync(object_type, msg("x1", second, at=7_000))

    assert bridge.count(object_type) == 1
    properties = bridge.properties(object_type, "x1")
    assert {name: properties.get(name) for name in expected} == expected
    assert bridge.link(object_type, "x1").hubspot_id == int(properties["hs_object_id"])


def test_a_new_link_made_twice_in_turn_is_one_object(bridge: Bridge) -> None:
    """The same two messages one after the other (SQLite, and PostgreSQL without overlap)."""
    bridge.sync("PRODUCT", msg("x1", {"name": "Mug"}, at=6_000))
    bridge.sync("PRODUCT", msg("x1", {"price": 5}, at=7_000))

    assert bridge.count("PRODUCT") == 1
    properties = bridge.properties("PRODUCT", "x1")
    assert (properties["name"], properties["price"]) == ("Mug", 5)


def test_a_new_deal_naming_two_customers_of_one_contact_has_one_association(
    bridge: Bridge,
) -> None:
    """Two customer ids with one email link to one contact: the new deal's list names it twice."""
    same = {"email": "ada@shop.example"}
    bridge.sync("CONTACT", msg("c1", same), msg("c2", same))
    assert bridge.hubspot_id("CONTACT", "c1") == bridge.hubspot_id("CONTACT", "c2")

    bridge.sync("DEAL", msg("d1", {"stage": "processed"}, associations={"CONTACT": ["c1", "c2"]}))

    assert bridge.associated("DEAL", "d1", "CONTACT") == {bridge.hubspot_id("CONTACT", "c1")}
    assert bridge.error("DEAL", "d1") is None
