"""resolve_store: the canonical store id synced data is filed under."""

from __future__ import annotations

import pytest

from ecombridge.db.engine import Database
from ecombridge.errors import NotFound
from ecombridge.stores import service
from ecombridge.stores.service import Store
from tests.support.factories import Portal


def _resolve(db: Database, portal_id: int, source: int, store_id: str) -> str:
    with db.read() as conn:
        return service.resolve_store(conn, portal_id, source, store_id)


def test_default_always_resolves(db: Database, portal: Portal) -> None:
    assert _resolve(db, portal.id, 0, "default") == "default"
    assert _resolve(db, portal.id, 12345, "default") == "default"


def test_created_store_resolves_to_itself(db: Database, portal: Portal) -> None:
    with db.write() as conn:
        service.put_store(conn, portal.id, 0, Store("shop-1", "Shop"))
    assert _resolve(db, portal.id, 0, "shop-1") == "shop-1"


def test_unknown_store_is_not_found_with_a_clear_message(db: Database, portal: Portal) -> None:
    with pytest.raises(NotFound, match="'nope' does not exist"):
        _resolve(db, portal.id, 0, "nope")


def test_store_of_another_source_or_portal_does_not_resolve(
    db: Database, portal: Portal, other_portal: Portal
) -> None:
    with db.write() as conn:
        service.put_store(conn, portal.id, 0, Store("shop-1", "Shop"))
    with pytest.raises(NotFound):
        _resolve(db, portal.id, 777, "shop-1")
    with pytest.raises(NotFound):
        _resolve(db, other_portal.id, 0, "shop-1")


def test_alias_made_by_replacing_the_default_resolves_to_default(
    db: Database, portal: Portal
) -> None:
    with db.write() as conn:
        service.replace_default(conn, portal.id, 0, Store("main-shop", "Main shop"))
    assert _resolve(db, portal.id, 0, "main-shop") == "default"
    assert _resolve(db, portal.id, 0, "default") == "default"


def test_deleted_store_is_not_found_until_defined_again(db: Database, portal: Portal) -> None:
    with db.write() as conn:
        service.put_store(conn, portal.id, 0, Store("shop-1", "Shop"))
        service.delete_store(conn, portal.id, 0, "shop-1")
    with pytest.raises(NotFound, match="deleted"):
        _resolve(db, portal.id, 0, "shop-1")
    with db.write() as conn:
        service.put_store(conn, portal.id, 0, Store("shop-1", "Shop again"))
    assert _resolve(db, portal.id, 0, "shop-1") == "shop-1"


def test_first_store_installs_the_portal_schema(db: Database, portal: Portal) -> None:
    from ecombridge.crm_schema.pipelines import ecommerce_stages

    with db.write() as conn:
        service.put_store(conn, portal.id, 0, Store("shop-1", "Shop"))
        assert "processed" in ecommerce_stages(conn, portal.id)[1]
