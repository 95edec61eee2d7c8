"""The outbox the change feed fills in the writer's transaction: one row per (destination,
object) keeping the newest changedAt, only for destinations that want the store, one read when
the portal has none; delivered rows go, a change filed meanwhile stays."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from ecombridge.change_feed import Changes
from ecombridge.db.engine import Database
from ecombridge.db.tables import relay_outbox
from ecombridge.relay import repository as repo
from ecombridge.relay import service
from ecombridge.relay.outbox import on_change
from ecombridge.relay.schemas import NewDestination
from tests.support.factories import Portal

URL = "https://api.hubapi.com"


def _add(db: Database, portal: Portal, stores: list[str] | None = None) -> int:
    with db.write() as conn:
        return service.add_destination(conn, portal.id, NewDestination(URL, "pat", stores))


def _rows(db: Database) -> list[tuple[int, str, int, int]]:
    o = relay_outbox.c
    query = sa.select(o.destination_id, o.object_type, o.object_id, o.changed_at).order_by(
        o.destination_id, o.object_id
    )
    with db.read() as conn:
        return [tuple(r) for r in conn.execute(query)]  # type: ignore[misc]


@pytest.fixture
def statements(db: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: object) -> None:
        seen.append(str(args[2]))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    sa.event.remove(db.engine, "before_cursor_execute", record)


def test_a_portal_without_destinations_costs_one_read_per_transaction(
    db: Database, portal: Portal, statements: list[str]
) -> None:
    with db.write() as conn:
        statements.clear()
        on_change(conn, Changes(portal.id, "CONTACT", "sync", {1: 10}, 0, "main"))
        on_change(conn, Changes(portal.id, "DEAL", "sync", {2: 10}, 0, "main"))
    assert len(statements) == 1
    assert "relay_destinations" in statements[0]
    assert _rows(db) == []


def test_rows_coalesce_to_the_newest_change_for_the_stores_wanted(
    db: Database, portal: Portal
) -> None:
    everything = _add(db, portal)
    main_only = _add(db, portal, ["main"])
    _add(db, portal, ["other"])
    with db.write() as conn:
        on_change(conn, Changes(portal.id, "CONTACT", "sync", {7: 20}, 0, "main"))
        on_change(conn, Changes(portal.id, "CONTACT", "sync", {7: 10}, 0, "main"))  # older
        on_change(conn, Changes(portal.id, "CONTACT", "crm", {8: 30}))  # no store: portal-wide
    assert _rows(db) == [
        (everything, "CONTACT", 7, 20),
        (everything, "CONTACT", 8, 30),
        (main_only, "CONTACT", 7, 20),
    ]


def test_a_change_filed_during_delivery_stays_in_the_outbox(db: Database, portal: Portal) -> None:
    dest = _add(db, portal)
    with db.write() as conn:
        on_change(conn, Changes(portal.id, "DEAL", "sync", {1: 10, 2: 10}, 0, "main"))
        on_change(conn, Changes(portal.id, "DEAL", "sync", {2: 15}, 0, "main"))  # meanwhile
        repo.delete_outbox(conn, dest, "DEAL", [(1, 10), (2, 10)])  # delivered at 10
    assert _rows(db) == [(dest, "DEAL", 2, 15)]


def test_removing_a_destination_drops_its_outbox(db: Database, portal: Portal) -> None:
    dest = _add(db, portal)
    with db.write() as conn:
        on_change(conn, Changes(portal.id, "PRODUCT", "import", {3: 5}, 0, "main"))
        service.remove_destination(conn, portal.id, dest)
        on_change(conn, Changes(portal.id, "PRODUCT", "import", {4: 5}, 0, "main"))
    assert _rows(db) == []
