"""Properties with unique values (hasUniqueValue): created through the properties API, enforced
on every CRM write, found by idProperty, never written by sync messages."""

from __future__ import annotations

import pytest

from ecombridge.db.engine import Database
from tests.crm.shop import Shop
from tests.crm.writes_support import V3, Crm
from tests.support.sync_rows import insert_crm_object
from tests.support.wire import assert_hubspot_error
from tests.sync.apply_support import Bridge, msg, open_error

PROPS = "/crm/v3/properties"


def test_has_unique_value_is_stored_and_read_back(crm: Crm) -> None:
    crm.unique_property("products", "external_id")

    one = crm.ok("GET", f"{PROPS}/products/external_id")
    listed = {p["name"]: p["hasUniqueValue"] for p in crm.ok("GET", f"{PROPS}/products")["results"]}

    assert one["hasUniqueValue"] is True
    assert listed["external_id"] is True and listed["name"] is False


def test_only_strings_and_numbers_and_ten_per_object_type(crm: Crm) -> None:
    body = {"name": "flag", "label": "Flag", "type": "bool", "hasUniqueValue": True}
    wrong_type = crm.call("POST", f"{PROPS}/deals", body)
    not_a_flag = crm.call("POST", f"{PROPS}/deals", {**body, "type": "string", "hasUniqueValue": 1})
    for i in range(10):
        crm.unique_property("deals", f"key_{i}", "number" if i % 2 else "string")
    eleventh = crm.call("POST", f"{PROPS}/deals", {**body, "name": "key_10", "type": "string"})

    assert wrong_type.status_code == 400 and "string and number" in wrong_type.json()["message"]
    assert not_a_flag.status_code == 400
    assert not_a_flag.json()["message"].startswith("hasUniqueValue:")
    assert eleventh.status_code == 400 and "10 properties" in eleventh.json()["message"]
    crm.unique_property("contacts", "key_10")  # the limit is per object type


def test_unique_values_are_enforced_case_insensitively(crm: Crm) -> None:
    crm.unique_property("deals", "order_ref")
    first = crm.create("deals", {"dealname": "A", "order_ref": "SO-1"})
    second = crm.create("deals", {"dealname": "B"})

    same = crm.call("POST", f"{V3}/deals", {"properties": {"order_ref": "so-1"}})
    taken = crm.call("PATCH", f"{V3}/deals/{second['id']}", {"properties": {"order_ref": "SO-1"}})
    crm.ok("PATCH", f"{V3}/deals/{first['id']}", {"properties": {"order_ref": "SO-1b"}})
    freed = crm.call("PATCH", f"{V3}/deals/{second['id']}", {"properties": {"order_ref": "so-1"}})
    too_long = crm.call("POST", f"{V3}/deals", {"properties": {"order_ref": "x" * 256}})

    for conflict in (same, taken):
        assert conflict.status_code == 409
        assert_hubspot_error(conflict.json(), "CONFLICT")
        assert conflict.json()["message"].endswith(f"Existing ID: {first['id']}")
    assert freed.status_code == 200
    assert too_long.status_code == 400


def test_numbers_are_one_value_however_they_are_written(crm: Crm) -> None:
    crm.unique_property("products", "catalog_no", "number")
    product = crm.create("products", {"name": "Lamp", "catalog_no": "42"})

    found = crm.ok("GET", f"{V3}/products/42.0", idProperty="catalog_no")
    clash = crm.call("POST", f"{V3}/products", {"properties": {"catalog_no": 42.0}})

    assert found["id"] == product["id"]
    assert clash.status_code == 409


def test_get_by_id_property_needs_a_key(crm: Crm, shop: Shop) -> None:
    crm.unique_property("products", "external_id")
    lamp = crm.create("products", {"name": "Lamp", "external_id": "Lamp-1"})

    by_key = crm.ok("GET", f"{V3}/products/lamp-1", idProperty="external_id")
    unknown = crm.call("GET", f"{V3}/products/nope", idProperty="external_id")
    not_a_key = crm.call("GET", f"{V3}/products/Lamp", idProperty="name")

    assert by_key["id"] == lamp["id"]
    assert unknown.status_code == 404
    assert not_a_key.status_code == 400
    assert not_a_key.json()["message"].startswith("idProperty:")


def test_values_already_held_are_indexed_when_the_property_is_created(
    crm: Crm, db: Database, shop: Shop
) -> None:
    # Objects can hold values of a property of that name that was deleted before.
    old = insert_crm_object(db, shop.portal.id, "PRODUCT", {"name": "Old", "legacy_id": "L-1"})
    insert_crm_object(db, shop.portal.id, "DEAL", {"legacy_id": "d"})
    insert_crm_object(db, shop.portal.id, "DEAL", {"legacy_id": "D"})

    crm.unique_property("products", "legacy_id")
    body = {"name": "legacy_id", "label": "L", "type": "string", "hasUniqueValue": True}
    duplicated = crm.call("POST", f"{PROPS}/deals", body)

    assert crm.ok("GET", f"{V3}/products/L-1", idProperty="legacy_id")["id"] == str(old)
    assert (
        crm.call("POST", f"{V3}/products", {"properties": {"legacy_id": "l-1"}}).status_code == 409
    )
    assert duplicated.status_code == 400
    assert crm.call("GET", f"{PROPS}/deals/legacy_id").status_code == 404


def test_sync_messages_do_not_write_unique_properties(db: Database, crm: Crm, shop: Shop) -> None:
    crm.unique_property("contacts", "favourite_colour")  # mapped by the test settings
    bridge = Bridge(db, shop.portal.id).setup()

    bridge.sync("CONTACT", msg("c1", {"email": "c1@example.com", "favourite_colour": "red"}))

    error_type, details = open_error(bridge, "CONTACT", "c1")
    assert error_type == "UNKNOWN_ERROR"
    assert "favourite_colour must hold unique values" in details


@pytest.mark.parametrize("type_name", ["contacts", "line_items"])
def test_a_new_property_is_not_unique_unless_asked(crm: Crm, type_name: str) -> None:
    body = {"name": "note", "label": "Note", "type": "string"}

    created = crm.ok("POST", f"{PROPS}/{type_name}", body, status=201)

    assert created["hasUniqueValue"] is False
