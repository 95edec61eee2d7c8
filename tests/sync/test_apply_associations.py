"""Associations DEAL->CONTACT, LINE_ITEM->DEAL and LINE_ITEM->PRODUCT, in the v2 map and the v1
hs_assoc__* properties; a missing target is an error until it arrives, then it is made."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from ecombridge.clock import now_ms
from ecombridge.db.engine import Database
from ecombridge.db.tables import pending_associations
from ecombridge.sync.pending_expiry import expire_pending
from tests.support.factories import Portal
from tests.sync.apply_support import Bridge, msg, open_error


@pytest.fixture
def bridge(db: Database, portal: Portal) -> Bridge:
    return Bridge(db, portal.id).setup()


def test_v2_associations_link_to_objects_of_the_same_store(bridge: Bridge) -> None:
    bridge.sync("CONTACT", msg("c1", {"email": "ada@example.com"}))
    bridge.sync("DEAL", msg("d1", {"stage": "processed"}, associations={"CONTACT": ["c1"]}))
    bridge.sync("PRODUCT", msg("p1", {"name": "Mug"}))
    bridge.sync(
        "LINE_ITEM",
        msg("l1", {"qty": 2}, associations={"DEAL": ["d1"], "PRODUCT": ["p1"]}),
    )

    assert bridge.associated("DEAL", "d1", "CONTACT") == {bridge.hubspot_id("CONTACT", "c1")}
    assert bridge.associated("LINE_ITEM", "l1", "DEAL") == {bridge.hubspot_id("DEAL", "d1")}
    product_id = bridge.hubspot_id("PRODUCT", "p1")
    assert bridge.associated("LINE_ITEM", "l1", "PRODUCT") == {product_id}
    assert bridge.properties("LINE_ITEM", "l1")["hs_product_id"] == str(product_id)
    assert bridge.error("LINE_ITEM", "l1") is None
    assert bridge.pending() == set()


def test_v1_hs_assoc_properties_become_associations_not_properties(bridge: Bridge) -> None:
    bridge.sync(
        "CONTACT", msg("c1", {"email": "a@example.com"}), msg("c2", {"email": "b@example.com"})
    )
    bridge.sync("DEAL", msg("d1", {"stage": "processed", "customer_id": "c1;c2"}))
    bridge.sync("LINE_ITEM", msg("l1", {"qty": 1, "order_id": "d1"}))

    assert bridge.associated("DEAL", "d1", "CONTACT") == {
        bridge.hubspot_id("CONTACT", "c1"),
        bridge.hubspot_id("CONTACT", "c2"),
    }
    assert bridge.associated("LINE_ITEM", "l1", "DEAL") == {bridge.hubspot_id("DEAL", "d1")}
    assert not any(k.startswith("hs_assoc__") for k in bridge.properties("DEAL", "d1"))


def test_a_missing_target_is_reported_in_hubspots_words_and_kept_pending(bridge: Bridge) -> None:
    bridge.sync("LINE_ITEM", msg("l1", {"qty": 1, "order_id": "mitxpro-1234"}))

    error_type, details = open_error(bridge, "LINE_ITEM", "l1")
    assert error_type == "INVALID_ASSOCIATION_PROPERTY"
    assert (
        details == "Invalid associations [hs_assoc__deal_id: mitxpro-1234]. Do those objects exist?"
    )
    match = re.search(r"\[hs_assoc__deal_id: (.+)\]", details)  # what mitxpro parses
    assert match is not None and match.group(1) == "mitxpro-1234"
    assert bridge.properties("LINE_ITEM", "l1")["quantity"] == 1  # the line item exists anyway
    assert bridge.pending() == {("LINE_ITEM", "l1", "DEAL", "mitxpro-1234")}


def test_a_pending_association_is_made_when_its_target_arrives(bridge: Bridge) -> None:
    bridge.sync("LINE_ITEM", msg("l1", {"qty": 1}, associations={"DEAL": ["d1"]}), at=5_000)
    bridge.sync("DEAL", msg("d1", {"stage": "processed"}), at=6_000)

    assert bridge.associated("LINE_ITEM", "l1", "DEAL") == {bridge.hubspot_id("DEAL", "d1")}
    error = bridge.error("LINE_ITEM", "l1")
    assert (error.type, error.status) == ("INVALID_ASSOCIATION_PROPERTY", "RESOLVED")
    assert bridge.link("LINE_ITEM", "l1").last_processed_at == 6_000
    assert bridge.pending() == set()


def test_only_the_targets_still_missing_are_named_until_all_arrive(bridge: Bridge) -> None:
    bridge.sync(
        "LINE_ITEM", msg("l1", {"qty": 1}, associations={"DEAL": ["d1"], "PRODUCT": ["p1"]})
    )
    assert (
        "hs_assoc__deal_id: d1, hs_assoc__product_id: p1"
        in open_error(bridge, "LINE_ITEM", "l1")[1]
    )

    bridge.sync("PRODUCT", msg("p1", {"name": "Mug"}))
    assert open_error(bridge, "LINE_ITEM", "l1") == (
        "INVALID_ASSOCIATION_PROPERTY",
        "Invalid associations [hs_assoc__deal_id: d1]. Do those objects exist?",
    )
    assert bridge.properties("LINE_ITEM", "l1")["hs_product_id"] == str(
        bridge.hubspot_id("PRODUCT", "p1")
    )

    bridge.sync("DEAL", msg("d1", {"stage": "shipped"}))
    assert bridge.error("LINE_ITEM", "l1").status == "RESOLVED"


def test_a_deal_waits_for_its_contact_too(bridge: Bridge) -> None:
    bridge.sync("DEAL", msg("d1", {"stage": "processed"}, associations={"CONTACT": ["c9"]}))
    assert open_error(bridge, "DEAL", "d1")[1] == (
        "Invalid associations [hs_assoc__contact_ids: c9]. Do those objects exist?"
    )
    bridge.sync("CONTACT", msg("c9", {"email": "c9@example.com"}))
    assert bridge.associated("DEAL", "d1", "CONTACT") == {bridge.hubspot_id("CONTACT", "c9")}
    assert bridge.error("DEAL", "d1").status == "RESOLVED"


def test_a_new_list_replaces_the_associations_of_that_type(bridge: Bridge) -> None:
    bridge.sync(
        "CONTACT", msg("c1", {"email": "a@example.com"}), msg("c2", {"email": "b@example.com"})
    )
    bridge.sync("DEAL", msg("d1", {"stage": "processed"}, associations={"CONTACT": ["c1"]}, at=1))
    bridge.sync("DEAL", msg("d1", {"name": "Renamed"}, at=2))  # no list: associations stay
    assert bridge.associated("DEAL", "d1", "CONTACT") == {bridge.hubspot_id("CONTACT", "c1")}

    bridge.sync("DEAL", msg("d1", {}, associations={"CONTACT": ["c2", "gone"]}, at=3))
    assert bridge.associated("DEAL", "d1", "CONTACT") == {bridge.hubspot_id("CONTACT", "c2")}
    assert bridge.pending() == {("DEAL", "d1", "CONTACT", "gone")}

    bridge.sync("DEAL", msg("d1", {"customer_id": ""}, at=4))  # v1: "" clears the list
    assert bridge.associated("DEAL", "d1", "CONTACT") == set()
    assert bridge.pending() == set()
    assert bridge.error("DEAL", "d1").status == "RESOLVED"


def test_unsupported_association_pairs_are_invalid(bridge: Bridge) -> None:
    bridge.sync("CONTACT", msg("c1", {"email": "a@example.com"}, associations={"DEAL": ["d1"]}))
    assert open_error(bridge, "CONTACT", "c1")[0] == "INVALID_ASSOCIATION_PROPERTY"
    bridge.sync("LINE_ITEM", msg("l1", {"qty": 1, "contact_id": "c1"}))
    assert open_error(bridge, "LINE_ITEM", "l1") == (
        "INVALID_ASSOCIATION_PROPERTY",
        "hs_assoc__contact_ids is not a valid association property for LINE_ITEM",
    )


def test_associations_do_not_cross_stores(db: Database, portal: Portal) -> None:
    shop = Bridge(db, portal.id).setup()
    other = Bridge(db, portal.id, store_id="other")
    other.sync("DEAL", msg("d1", {"stage": "processed"}))
    shop.sync("LINE_ITEM", msg("l1", {"qty": 1, "order_id": "d1"}))
    assert open_error(shop, "LINE_ITEM", "l1")[0] == "INVALID_ASSOCIATION_PROPERTY"
    assert shop.associated("LINE_ITEM", "l1", "DEAL") == set()


def test_a_pending_association_whose_target_already_exists_is_made_when_it_syncs_again(
    db: Database, bridge: Bridge
) -> None:
    # What two concurrent transactions can leave behind: pending, though the target exists.
    bridge.sync("DEAL", msg("d1", {"stage": "processed"}))
    bridge.sync("LINE_ITEM", msg("l1", {"qty": 1}))
    with db.write() as conn:
        conn.execute(
            sa.insert(pending_associations).values(
                portal_id=bridge.portal_id,
                source_app_id=0,
                store_id="default",
                from_type="LINE_ITEM",
                from_external_id="l1",
                to_type="DEAL",
                to_external_id="d1",
                created_at=1,
            )
        )

    bridge.sync("DEAL", msg("d1", {"name": "Order 1"}, at=2_000))

    assert bridge.associated("LINE_ITEM", "l1", "DEAL") == {bridge.hubspot_id("DEAL", "d1")}
    assert bridge.pending() == set()


def test_a_pending_association_expires_after_its_time_with_its_error_kept(
    bridge: Bridge,
) -> None:
    """``pending_association_ttl_days`` (30 by default): after that the bridge stops waiting for
    the target; the object still says which association is missing."""
    bridge.sync("LINE_ITEM", msg("l1", {"qty": 1}, associations={"DEAL": ["d1"]}), at=5_000)
    bridge.sync("LINE_ITEM", msg("l2", {"qty": 1}, associations={"DEAL": ["d2"]}), at=5_000)
    pending = pending_associations.c
    with bridge.db.write() as conn:  # waiting for 31 days and for a day
        for external_id, days in (("l1", 31), ("l2", 1)):
            conn.execute(
                sa.update(pending_associations)
                .where(pending.from_external_id == external_id)
                .values(created_at=now_ms() - days * 86_400_000)
            )
    with bridge.db.write() as conn:
        assert expire_pending(conn) == 1
    assert bridge.pending() == {("LINE_ITEM", "l2", "DEAL", "d2")}
    error = bridge.error("LINE_ITEM", "l1")
    assert (error.type, error.status) == ("INVALID_ASSOCIATION_PROPERTY", "OPEN")

    bridge.sync("DEAL", msg("d1", {"stage": "processed"}), at=6_000)
    assert bridge.associated("LINE_ITEM", "l1", "DEAL") == set()  # no longer waited for
