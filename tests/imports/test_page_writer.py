"""The page writer's group commit: the pages of concurrent requests share one transaction, and
each request still gets its own answer (a refused or failing page takes nothing with it)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import httpx
import sqlalchemy as sa

from ecombridge.db.engine import Database
from ecombridge.db.tables import import_pages, imports
from ecombridge.errors import BridgeError, Conflict, ValidationFailed
from ecombridge.imports.page_writer import PageWriter, writer_for
from ecombridge.imports.pages import types_with_received
from ecombridge.imports.receiving import IncomingPage
from ecombridge.sync.messages import Message, decode_messages
from tests.imports.conftest import STORE, V2, Importer
from tests.support.live import LiveServer


def messages(started_at: int, *ids: str) -> list[Message]:
    return [Message(i, "UPSERT", started_at, {"name": i}, {}) for i in ids]


def incoming(
    ready: Importer,
    started_at: int,
    object_type: str,
    number: int | None,
    *ids: str,
    store_id: str | None = STORE,
) -> IncomingPage:
    app = ready.app
    return IncomingPage.of(
        app.portal_id,
        app.app_id,
        started_at,
        store_id,
        object_type,
        number,
        messages(started_at, *ids),
    )


def answer(future: Future[int]) -> int | tuple[type[BaseException], str]:
    error = future.exception(timeout=0)
    if error is None:
        return future.result(timeout=0)
    return type(error), error.message if isinstance(error, BridgeError) else str(error)


def stored(db: Database, object_type: str) -> dict[int, list[str]]:
    with db.page_store.read() as conn:
        rows = conn.execute(
            sa.select(import_pages.c.page_number, import_pages.c.payload).where(
                import_pages.c.object_type == object_type
            )
        )
        return {r.page_number: [m.external_id for m in decode_messages(r.payload)] for r in rows}


def counted(db: Database, object_type: str) -> tuple[int, int]:
    with db.read() as conn:
        import_id = conn.execute(sa.select(imports.c.id)).scalar_one()
        types, _last = types_with_received(conn, import_id)
    row = next(t for t in types if t.object_type == object_type)
    return row.received_pages, row.received_items


def test_each_page_of_a_group_gets_its_own_answer(ready: Importer, db: Database) -> None:
    started_at = ready.started()
    body = {"storeId": STORE, "importStartedAt": started_at, "objectType": "PRODUCT"}
    first = ready.page(body | {"pageNumber": 0, "messages": [{"externalObjectId": "p0"}]})
    assert first.status_code == 204
    ended = body | {"objectType": "CONTACT", "pageCount": 0, "itemCount": 0}
    assert ready.end(ended).status_code == 204

    pages = [
        incoming(ready, started_at, "PRODUCT", 1, "p1", "p1b"),
        incoming(ready, started_at, "PRODUCT", 0, "dup"),  # received before this group
        incoming(ready, started_at, "PRODUCT", 2, "p2"),
        incoming(ready, started_at, "PRODUCT", 2, "dup-in-group"),
        incoming(ready, started_at, "PRODUCT", None, "p-next"),
        incoming(ready, started_at, "CONTACT", 0, "c0"),  # the type has ended
        incoming(ready, started_at, "PRODUCT", 5, "x", store_id="other-store"),
        incoming(ready, started_at + 1, "PRODUCT", 6, "x"),
        incoming(ready, started_at, "DEAL", None, "d0"),
        incoming(ready, started_at, "PRODUCT", 4, "v1-page", store_id=None),
    ]
    group: list[tuple[IncomingPage, Future[int]]] = [(p, Future()) for p in pages]
    PageWriter(db).write_group(group)

    duplicate = "pageNumber: page {} of PRODUCT was already received for the import started at "
    answers = [answer(f) for _p, f in group]
    assert answers[0] == 1
    assert answers[1] == (
        Conflict,
        duplicate.format(0) + f"{started_at}; page numbers must be unique within an import.",
    )
    assert answers[2] == 2
    assert answers[3] == (
        Conflict,
        duplicate.format(2) + f"{started_at}; page numbers must be unique within an import.",
    )
    assert answers[4] == 3
    assert answers[5] == (
        Conflict,
        f"CONTACT of the import started at {started_at} has already ended; no more pages are "
        "accepted for it.",
    )
    assert answers[6][0] is ValidationFailed
    assert str(answers[6][1]).startswith("storeId: 'other-store' does not match")
    assert answers[7][0] is ValidationFailed
    assert str(answers[7][1]).startswith(f"importStartedAt: {started_at + 1} does not match")
    assert answers[8] == 0
    assert answers[9] == 4

    assert stored(db, "PRODUCT") == {
        0: ["p0"],
        1: ["p1", "p1b"],
        2: ["p2"],
        3: ["p-next"],
        4: ["v1-page"],
    }
    assert counted(db, "PRODUCT") == (5, 6)
    assert stored(db, "DEAL") == {0: ["d0"]}
    assert counted(db, "DEAL") == (1, 1)
    assert stored(db, "CONTACT") == {}
    assert counted(db, "CONTACT") == (0, 0)


def test_a_page_that_fails_takes_nothing_with_it(ready: Importer, db: Database) -> None:
    """An unexpected failure (here: a page number no INTEGER column holds, which the endpoints
    never let through) is that page's alone; the group is received again without it."""
    started_at = ready.started()
    group: list[tuple[IncomingPage, Future[int]]] = [
        (incoming(ready, started_at, "PRODUCT", 0, "a"), Future()),
        (incoming(ready, started_at, "PRODUCT", 2**70, "b"), Future()),
        (incoming(ready, started_at, "PRODUCT", None, "c"), Future()),
    ]
    PageWriter(db).write_group(group)
    assert answer(group[0][1]) == 0
    failure = group[1][1].exception(timeout=0)
    assert failure is not None and not isinstance(failure, BridgeError)
    assert answer(group[2][1]) == 1
    assert stored(db, "PRODUCT") == {0: ["a"], 1: ["c"]}
    assert counted(db, "PRODUCT") == (2, 2)


def test_nothing_is_answered_before_the_commit(ready: Importer, db: Database) -> None:
    started_at = ready.started()
    writer = writer_for(db)
    with db.page_store.write() as conn:  # holds the pages' write lock: the writer cannot commit
        if not db.is_sqlite:
            conn.execute(sa.select(imports.c.id).with_for_update())
        future = writer.submit(incoming(ready, started_at, "PRODUCT", 0, "a"))
        time.sleep(0.2)
        assert not future.done()
    assert future.result(timeout=10) == 0
    assert stored(db, "PRODUCT") == {0: ["a"]}


def test_concurrent_requests_share_a_commit_and_get_their_own_answers(
    ready: Importer, db: Database, live_server: LiveServer
) -> None:
    """Pages 0-6 arrive together while page 5 was already received: only that request gets
    409; the others are stored. The writer is held until all seven are submitted, so they are
    committed in at most two groups (the writer may have taken the first arrivals already)."""
    started_at = ready.started()
    body = {"storeId": STORE, "importStartedAt": started_at, "objectType": "DEAL"}
    assert ready.page(body | {"pageNumber": 5, "messages": []}).status_code == 204
    numbers = [0, 1, 2, 3, 4, 5, 6]
    writer = writer_for(db)
    barrier = threading.Barrier(len(numbers))

    def send(number: int) -> httpx.Response:
        page: dict[str, Any] = body | {
            "pageNumber": number,
            "messages": [{"externalObjectId": f"order-{number}", "properties": {"n": number}}],
        }
        with httpx.Client(base_url=live_server.url, headers=ready.auth, timeout=30) as http:
            barrier.wait()
            return http.post(f"{V2}/imports/page", json=page)

    with ThreadPoolExecutor(len(numbers)) as pool:
        with db.page_store.write() as conn:  # holds the pages' write lock (PostgreSQL: the rows)
            if not db.is_sqlite:
                conn.execute(sa.select(imports.c.id).with_for_update())
            responses = [pool.submit(send, n) for n in numbers]
            deadline = time.monotonic() + 20
            while writer.in_flight() < len(numbers) and time.monotonic() < deadline:
                time.sleep(0.01)
        answers = {n: r.result() for n, r in zip(numbers, responses, strict=True)}

    assert {n: r.status_code for n, r in answers.items()} == {
        0: 204,
        1: 204,
        2: 204,
        3: 204,
        4: 204,
        5: 409,
        6: 204,
    }
    assert "page 5 of DEAL was already received" in answers[5].json()["message"]
    assert answers[5].json()["category"] == "CONFLICT"
    assert stored(db, "DEAL") == {n: [] if n == 5 else [f"order-{n}"] for n in numbers}
    assert counted(db, "DEAL") == (7, 6)
    with db.page_store.read() as conn:
        received_at = conn.execute(
            sa.select(sa.func.count(sa.distinct(import_pages.c.received_at))).where(
                import_pages.c.object_type == "DEAL", import_pages.c.page_number != 5
            )
        ).scalar_one()
    assert received_at <= 2  # a group's pages are stored with one received_at
