"""``receive_pages`` (the page writer's rule for a group of pages) answers and stores exactly
what ``receive_page`` does for the same pages received one after another."""

from __future__ import annotations

import random
from typing import Any

import sqlalchemy as sa

from ecombridge.db.engine import Database
from ecombridge.db.tables import import_pages, imports
from ecombridge.errors import BridgeError
from ecombridge.imports import receiving
from ecombridge.imports.page_writer import receiving_conns
from ecombridge.imports.pages import types_with_received
from ecombridge.imports.receiving import IncomingPage
from ecombridge.sync.messages import Message, decode_messages
from tests.imports.conftest import STORE, Importer

OTHER_STORE = "shop-2"
LATE = 10**9  # a page for a start no import has


def one_by_one(db: Database, pages: list[IncomingPage]) -> list[int | BridgeError]:
    """Each page in a savepoint of its own, as if each had its own transaction."""
    outcomes: list[int | BridgeError] = []
    with receiving_conns(db) as (conn, store_conn):
        for page in pages:
            try:
                with store_conn.begin_nested():
                    outcomes.append(receiving.receive_page(conn, store_conn, page))
            except BridgeError as exc:
                outcomes.append(exc)
    return outcomes


def together(db: Database, pages: list[IncomingPage]) -> list[int | BridgeError]:
    with receiving_conns(db) as (conn, store_conn):
        return receiving.receive_pages(conn, store_conn, pages)


def comparable(outcome: int | BridgeError, started_at: int, store: str) -> Any:
    """The outcome without what differs between the two imports."""
    if isinstance(outcome, int):
        return outcome
    message = outcome.message.replace(str(started_at + LATE), "L")
    message = message.replace(str(started_at), "T").replace(repr(store), "S")
    return type(outcome), message, outcome.errors


def contents(db: Database, import_id: int) -> Any:
    with db.page_store.read() as conn:
        pages = conn.execute(
            sa.select(import_pages)
            .where(import_pages.c.import_id == import_id)
            .order_by(import_pages.c.object_type, import_pages.c.page_number)
        )
        stored = [
            (p.object_type, p.page_number, [m.external_id for m in decode_messages(p.payload)])
            for p in pages
        ]
    with db.read() as conn:
        types, _last = types_with_received(conn, import_id)
    counters = sorted((t.object_type, t.received_pages, t.received_items) for t in types)
    return stored, counters


def import_id_of(db: Database, started_at: int) -> int:
    with db.read() as conn:
        query = sa.select(imports.c.id).where(imports.c.started_at == started_at)
        return int(conn.execute(query).scalar_one())


def test_a_group_is_received_as_its_pages_one_after_another(ready: Importer, db: Database) -> None:
    ready.create_store(OTHER_STORE)
    grouped_at = ready.started(STORE)
    single_at = ready.started(OTHER_STORE)
    for started_at, store in ((grouped_at, STORE), (single_at, OTHER_STORE)):
        end = {"storeId": store, "importStartedAt": started_at, "objectType": "CONTACT"}
        assert ready.end(end | {"pageCount": 0, "itemCount": 0}).status_code == 204
    app = ready.app
    rng = random.Random(20261201)

    def page(started_at: int, store: str, spec: dict[str, Any]) -> IncomingPage:
        ids = [f"{spec['type']}-{spec['n']}-{i}" for i in range(spec["items"])]
        return IncomingPage.of(
            app.portal_id,
            app.app_id,
            started_at + spec["late"],
            None if spec["v1"] else (store if not spec["wrong_store"] else "elsewhere"),
            spec["type"],
            spec["number"],
            [Message(i, "UPSERT", started_at, {}, {}) for i in ids],
        )

    for group in range(40):
        specs = [
            {
                "type": rng.choice(["PRODUCT", "PRODUCT", "DEAL", "CONTACT"]),
                "number": rng.choice([None, None, 0, 1, 2, 3, 4, 5, 6, 7, 8]),
                "items": rng.randint(0, 3),
                "n": f"{group}.{i}",
                "late": LATE if rng.random() < 0.05 else 0,
                "wrong_store": rng.random() < 0.05,
                "v1": rng.random() < 0.1,
            }
            for i in range(rng.randint(1, 8))
        ]
        grouped = together(db, [page(grouped_at, STORE, s) for s in specs])
        single = one_by_one(db, [page(single_at, OTHER_STORE, s) for s in specs])
        assert [comparable(o, grouped_at, STORE) for o in grouped] == [
            comparable(o, single_at, OTHER_STORE) for o in single
        ]
    grouped_contents = contents(db, import_id_of(db, grouped_at))
    assert grouped_contents == contents(db, import_id_of(db, single_at))
    assert len(grouped_contents[0]) > 10  # pages were stored, not only refused


def test_a_group_larger_than_one_query_of_page_numbers(ready: Importer, db: Database) -> None:
    started_at = ready.started()
    app = ready.app

    def page(number: int) -> IncomingPage:
        messages = [Message(f"p{number}", "UPSERT", started_at, {}, {})]
        return IncomingPage.of(
            app.portal_id, app.app_id, started_at, STORE, "PRODUCT", number, messages
        )

    assert together(db, [page(n) for n in range(70)]) == list(range(70))
    again = together(db, [page(n) for n in range(65, 75)])
    assert [isinstance(o, BridgeError) for o in again] == [True] * 5 + [False] * 5
    assert again[5:] == [70, 71, 72, 73, 74]
    stored, counters = contents(db, import_id_of(db, started_at))
    assert [number for _type, number, _ids in stored] == list(range(75))
    assert ("PRODUCT", 75, 75) in counters
