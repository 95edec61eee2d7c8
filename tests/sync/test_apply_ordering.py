"""Last writer wins by changedAt, per property; duplicates change nothing; DELETE tombstones."""

from __future__ import annotations

import pytest

from ecombridge.db.engine import Database
from tests.support.factories import Portal
from tests.sync.apply_support import Bridge, msg, open_error


@pytest.fixture
def bridge(db: Database, portal: Portal) -> Bridge:
    return Bridge(db, portal.id).setup()


def test_an_older_message_does_not_overwrite_a_newer_value(bridge: Bridge) -> None:
    bridge.sync("PRODUCT", msg("p", {"name": "New", "price": 2}, at=2_000), at=5_000)
    bridge.sync("PRODUCT", msg("p", {"name": "Old", "price": 1}, at=1_000), at=6_000)

    props = bridge.properties("PRODUCT", "p")
    assert (props["name"], props["price"]) == ("New", 2)
    link = bridge.link("PRODUCT", "p")
    # lastProcessedAt belongs to the newest message: the stale one changed nothing.
    assert (link.last_changed_at, link.last_processed_at) == (2_000, 5_000)


def test_out_of_order_partial_updates_keep_each_propertys_newest_value(bridge: Bridge) -> None:
    bridge.sync("PRODUCT", msg("p", {"price": 2}, at=2_000))
    bridge.sync("PRODUCT", msg("p", {"name": "Mug", "price": 1}, at=1_000))

    props = bridge.properties("PRODUCT", "p")
    assert (props["name"], props["price"]) == ("Mug", 2)


def test_within_a_batch_the_newest_message_wins_wherever_it_is(bridge: Bridge) -> None:
    bridge.sync(
        "PRODUCT",
        msg("p", {"name": "Third"}, at=3),
        msg("p", {"name": "First"}, at=1),
        msg("p", {"name": "Second"}, at=2),
    )
    assert bridge.properties("PRODUCT", "p")["name"] == "Third"
    assert bridge.count("PRODUCT") == 1


def test_equal_changed_at_is_broken_by_value_not_by_arrival(db: Database, portal: Portal) -> None:
    one = Bridge(db, portal.id, store_id="one").setup()
    two = Bridge(db, portal.id, store_id="two")
    one.sync("PRODUCT", msg("p", {"name": "Apple"}, at=1), msg("p", {"name": "Banana"}, at=1))
    two.sync("PRODUCT", msg("p", {"name": "Banana"}, at=1))
    two.sync("PRODUCT", msg("p", {"name": "Apple"}, at=1))
    assert one.properties("PRODUCT", "p")["name"] == two.properties("PRODUCT", "p")["name"]


def test_a_duplicate_delivery_changes_nothing(bridge: Bridge) -> None:
    message = msg("p", {"name": "Mug"}, at=1_000)
    bridge.sync("PRODUCT", message, message)
    bridge.sync("PRODUCT", message)
    assert bridge.count("PRODUCT") == 1
    assert bridge.properties("PRODUCT", "p")["name"] == "Mug"


def test_an_older_failing_message_does_not_reopen_a_newer_success(bridge: Bridge) -> None:
    bridge.sync("PRODUCT", msg("p", {"price": 3}, at=2_000))
    bridge.sync("PRODUCT", msg("p", {"price": "abc"}, at=1_000))
    assert bridge.error("PRODUCT", "p") is None
    assert bridge.properties("PRODUCT", "p")["price"] == 3


def test_an_older_success_does_not_resolve_a_newer_failure(bridge: Bridge) -> None:
    bridge.sync("PRODUCT", msg("p", {"price": "abc"}, at=2_000))
    bridge.sync("PRODUCT", msg("p", {"name": "Mug"}, at=1_000))
    assert open_error(bridge, "PRODUCT", "p")[0] == "UNKNOWN_ERROR"
    assert bridge.properties("PRODUCT", "p")["name"] == "Mug"


def test_delete_tombstones_the_link_and_keeps_the_object(bridge: Bridge) -> None:
    bridge.sync("PRODUCT", msg("p", {"name": "Mug"}, at=1_000))
    product_id = bridge.hubspot_id("PRODUCT", "p")
    bridge.sync("PRODUCT", msg("p", action="DELETE", at=2_000))

    link = bridge.link("PRODUCT", "p")
    assert (link.hubspot_id, link.deleted_at) == (product_id, 2_000)
    assert bridge.properties("PRODUCT", "p")["name"] == "Mug"
    assert bridge.error("PRODUCT", "p") is None


def test_upserts_after_a_delete_are_ignored_and_say_so(bridge: Bridge) -> None:
    bridge.sync("PRODUCT", msg("p", {"name": "Mug"}, at=1_000))
    bridge.sync("PRODUCT", msg("p", action="DELETE", at=2_000))
    bridge.sync("PRODUCT", msg("p", {"name": "Back again"}, at=3_000))

    assert bridge.properties("PRODUCT", "p")["name"] == "Mug"
    assert bridge.count("PRODUCT") == 1
    error_type, details = open_error(bridge, "PRODUCT", "p")
    assert error_type == "UNKNOWN_ERROR"
    assert "deleted" in details and "upserts for this externalObjectId are ignored" in details


def test_an_upsert_older_than_the_delete_still_applies(bridge: Bridge) -> None:
    bridge.sync("PRODUCT", msg("p", {"name": "Mug"}, at=1_000))
    bridge.sync("PRODUCT", msg("p", action="DELETE", at=3_000))
    bridge.sync("PRODUCT", msg("p", {"price": 4}, at=2_000))  # happened before the delete

    assert bridge.properties("PRODUCT", "p")["price"] == 4
    assert bridge.error("PRODUCT", "p") is None


def test_a_delete_of_an_unknown_object_is_remembered(bridge: Bridge) -> None:
    bridge.sync("PRODUCT", msg("p", action="DELETE", at=2_000))
    bridge.sync("PRODUCT", msg("p", {"name": "Mug"}, at=3_000))
    link = bridge.link("PRODUCT", "p")
    assert (link.hubspot_id, link.deleted_at) == (None, 2_000)
    assert bridge.count("PRODUCT") == 0


def test_a_delete_resolves_an_open_error(bridge: Bridge) -> None:
    bridge.sync("PRODUCT", msg("p", {"price": "abc"}, at=1_000))
    bridge.sync("PRODUCT", msg("p", action="DELETE", at=2_000))
    assert bridge.error("PRODUCT", "p").status == "RESOLVED"


def test_an_import_never_overwrites_newer_sync_data(bridge: Bridge) -> None:
    import_started_at = 1_000
    bridge.sync("PRODUCT", msg("p", {"price": 9}, at=2_000))  # synced after the import began
    bridge.sync("PRODUCT", msg("p", {"name": "Mug", "price": 5}, at=import_started_at))

    props = bridge.properties("PRODUCT", "p")
    assert (props["name"], props["price"]) == ("Mug", 9)


def test_a_message_without_properties_only_links_and_marks_the_object(bridge: Bridge) -> None:
    bridge.sync("PRODUCT", msg("p", {"name": "Mug"}, at=1))
    bridge.sync("PRODUCT", msg("p", {}, at=2))
    assert bridge.properties("PRODUCT", "p")["name"] == "Mug"
    assert bridge.link("PRODUCT", "p").last_changed_at == 2
    assert bridge.error("PRODUCT", "p") is None
