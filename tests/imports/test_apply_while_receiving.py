"""An import is applied while its pages arrive, with the result of applying it once received:
types in order (a type waits until the types before it have ended and are applied), the pages
of a type in page-number order (a page waits for the numbers below it)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from ecombridge.db import tables as t
from ecombridge.db.engine import Database
from ecombridge.imports.apply import Step, run_import_apply
from tests.imports.conftest import STORE, Importer
from tests.imports.test_apply import record


def product(n: int, price: int) -> dict[str, Any]:
    return {"externalObjectId": f"p{n}", "properties": {"name": f"P{n}", "price": str(price)}}


def contact(n: int) -> dict[str, Any]:
    email = f"c{n}@shop.example"
    return {"externalObjectId": f"c{n}", "properties": {"email": email, "first_name": "C"}}


def send(importer: Importer, started_at: int, object_type: str, number: int, message: Any) -> None:
    body = {
        "storeId": STORE,
        "importStartedAt": started_at,
        "objectType": object_type,
        "pageNumber": number,
        "messages": [message],
    }
    response = importer.page(body)
    assert response.status_code == 204, response.text


def end(importer: Importer, started_at: int, object_type: str, pages: int) -> None:
    body = {
        "storeId": STORE,
        "importStartedAt": started_at,
        "objectType": object_type,
        "pageCount": pages,
        "itemCount": pages,
    }
    assert importer.end(body).status_code == 204


def applied(importer: Importer) -> dict[str, int]:
    types = importer.progress()["objectTypes"]
    return {object_type: types[object_type]["applied"] for object_type in ("PRODUCT", "CONTACT")}


def import_id(db: Database) -> int:
    with db.read() as conn:
        return int(conn.execute(sa.select(t.imports.c.id)).scalar_one())


def test_pages_are_applied_while_they_arrive_in_order_of_types_and_numbers(
    ready: Importer,
) -> None:
    started_at = ready.started()
    db, portal_id = ready.db, ready.app.portal_id
    apply = lambda: run_import_apply(db, import_id(db), pages_per_chunk=2)  # noqa: E731

    send(ready, started_at, "PRODUCT", 0, product(0, 1))
    assert apply() is Step.WAITING  # one page: less than a chunk
    send(ready, started_at, "PRODUCT", 1, product(1, 1))
    assert apply() is Step.WAITING
    assert applied(ready) == {"PRODUCT": 2, "CONTACT": 0}
    assert ready.progress()["state"] == "RECEIVING"

    # Page 3 waits for page 2; contacts wait for the products to end.
    send(ready, started_at, "PRODUCT", 3, product(3, 3))
    send(ready, started_at, "CONTACT", 0, contact(0))
    send(ready, started_at, "CONTACT", 1, contact(1))
    assert apply() is Step.WAITING
    assert applied(ready) == {"PRODUCT": 2, "CONTACT": 0}

    send(ready, started_at, "PRODUCT", 2, product(2, 2))
    assert apply() is Step.WAITING
    assert applied(ready) == {"PRODUCT": 4, "CONTACT": 0}
    assert record(db, portal_id, "PRODUCT", "p3")[0] == started_at

    end(ready, started_at, "PRODUCT", 4)
    assert apply() is Step.WAITING
    assert applied(ready) == {"PRODUCT": 4, "CONTACT": 2}

    end(ready, started_at, "CONTACT", 2)
    end(ready, started_at, "DEAL", 0)
    end(ready, started_at, "LINE_ITEM", 0)
    assert apply() is Step.FINISHED
    progress = ready.progress()
    assert progress["state"] == "COMPLETE"
    assert progress["totals"]["applied"] == 6


def test_a_record_in_two_pages_ends_as_the_higher_page_number_has_it(ready: Importer) -> None:
    """Page 1 arrives first and waits for page 0, so page 1's values are applied last, as
    when the import was applied once received."""
    started_at = ready.started()
    db = ready.db
    send(ready, started_at, "PRODUCT", 1, product(7, 20))
    assert run_import_apply(db, import_id(db), pages_per_chunk=1) is Step.WAITING
    assert applied(ready)["PRODUCT"] == 0
    send(ready, started_at, "PRODUCT", 0, product(7, 10))
    assert run_import_apply(db, import_id(db), pages_per_chunk=1) is Step.WAITING
    assert applied(ready)["PRODUCT"] == 2
    _changed, properties = record(db, ready.app.portal_id, "PRODUCT", "p7")
    assert float(properties["price"]) == 20


def test_the_queued_apply_completes_the_import_once_every_type_has_ended(
    ready: Importer,
) -> None:
    started_at = ready.started()
    for number in range(3):
        send(ready, started_at, "PRODUCT", number, product(number, number))
    for object_type, pages in (("PRODUCT", 3), ("CONTACT", 0), ("DEAL", 0), ("LINE_ITEM", 0)):
        end(ready, started_at, object_type, pages)
    ready.run_jobs()
    progress = ready.progress()
    assert progress["state"] == "COMPLETE"
    assert (progress["totals"]["received"], progress["totals"]["applied"]) == (3, 3)


def test_pages_received_before_they_had_a_file_of_their_own_are_applied(ready: Importer) -> None:
    """A page stored in the main database (by a bridge before the page file) is applied too."""
    db = ready.db
    if not db.has_own_page_store:
        pytest.skip("PostgreSQL: pages have always been in the database")
    started_at = ready.started()
    send(ready, started_at, "PRODUCT", 0, product(0, 5))
    with db.page_store.write() as store:
        (page,) = store.execute(sa.select(t.import_pages)).mappings().all()
        store.execute(sa.delete(t.import_pages))
    with db.write() as conn:
        conn.execute(sa.insert(t.import_pages), [dict(page)])
    send(ready, started_at, "PRODUCT", 1, product(1, 5))
    end(ready, started_at, "PRODUCT", 2)
    assert run_import_apply(db, import_id(db), pages_per_chunk=10) is Step.WAITING
    assert applied(ready)["PRODUCT"] == 2
    assert record(db, ready.app.portal_id, "PRODUCT", "p0")[0] == started_at
