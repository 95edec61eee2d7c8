"""Contacts: one per email address across stores and apps; email is required and never changes."""

from __future__ import annotations

import pytest

from ecombridge.db.engine import Database
from tests.support.factories import Portal, make_installed_app
from tests.sync.apply_support import Bridge, msg, open_error


@pytest.fixture
def bridge(db: Database, portal: Portal) -> Bridge:
    return Bridge(db, portal.id).setup()


def test_a_contact_needs_an_email_to_be_created(bridge: Bridge) -> None:
    bridge.sync("CONTACT", msg("c1", {"first_name": "Ada"}))
    error_type, details = open_error(bridge, "CONTACT", "c1")
    assert error_type == "MISSING_REQUIRED_PROPERTY"
    assert "Email is a required property" in details
    assert bridge.count("CONTACT") == 0


def test_a_malformed_email_is_invalid(bridge: Bridge) -> None:
    bridge.sync("CONTACT", msg("c1", {"email": "not-an-address"}))
    assert open_error(bridge, "CONTACT", "c1") == (
        "INVALID_EMAIL_ADDRESS",
        "Email address not-an-address is invalid",
    )


def test_an_update_without_email_keeps_the_contact_and_its_email(bridge: Bridge) -> None:
    bridge.sync("CONTACT", msg("c1", {"email": "ada@example.com", "first_name": "Ada"}, at=1))
    bridge.sync("CONTACT", msg("c1", {"last_name": "Lovelace"}, at=2))
    props = bridge.properties("CONTACT", "c1")
    assert (props["email"], props["firstname"], props["lastname"]) == (
        "ada@example.com",
        "Ada",
        "Lovelace",
    )
    assert bridge.error("CONTACT", "c1") is None


def test_two_messages_with_one_new_email_in_a_batch_make_one_contact(bridge: Bridge) -> None:
    bridge.sync(
        "CONTACT",
        msg("c1", {"email": "Ada@Example.com", "first_name": "Ada"}, at=1),
        msg("c2", {"email": "ada@example.com", "last_name": "Lovelace"}, at=2),
    )
    assert bridge.count("CONTACT") == 1
    assert bridge.hubspot_id("CONTACT", "c1") == bridge.hubspot_id("CONTACT", "c2")
    props = bridge.properties("CONTACT", "c1")
    assert (props["email"], props["firstname"], props["lastname"]) == (
        "ada@example.com",
        "Ada",
        "Lovelace",
    )


def test_the_same_email_from_another_store_and_app_links_to_the_same_contact(
    db: Database, portal: Portal
) -> None:
    app = make_installed_app(db, portal.id)
    shop = Bridge(db, portal.id).setup()
    other_store = Bridge(db, portal.id, store_id="eu-store")
    as_app = Bridge(db, portal.id, source_app_id=app.app_id, store_id="app-store").setup()

    shop.sync("CONTACT", msg("1", {"email": "ada@example.com", "first_name": "Ada"}))
    other_store.sync("CONTACT", msg("A-7", {"email": "ADA@example.com", "city": "London"}))
    as_app.sync("CONTACT", msg("x", {"email": "ada@example.com", "last_name": "Lovelace"}))

    contact_id = shop.hubspot_id("CONTACT", "1")
    assert other_store.hubspot_id("CONTACT", "A-7") == contact_id
    assert as_app.hubspot_id("CONTACT", "x") == contact_id
    assert shop.count("CONTACT") == 1
    props = shop.properties("CONTACT", "1")
    assert props["ip__ecomm_bridge__source_app_id"] == [0, app.app_id]
    assert props["ip__ecomm_bridge__source_store_id"] == ["app-store", "default", "eu-store"]
    assert (props["firstname"], props["city"], props["lastname"]) == ("Ada", "London", "Lovelace")


def test_contacts_of_different_portals_are_never_merged(
    db: Database, portal: Portal, other_portal: Portal
) -> None:
    mine = Bridge(db, portal.id).setup()
    theirs = Bridge(db, other_portal.id).setup()
    mine.sync("CONTACT", msg("1", {"email": "ada@example.com"}))
    theirs.sync("CONTACT", msg("1", {"email": "ada@example.com"}))
    assert mine.hubspot_id("CONTACT", "1") != theirs.hubspot_id("CONTACT", "1")


def test_changing_a_contacts_email_is_refused_but_the_rest_is_applied(bridge: Bridge) -> None:
    bridge.sync("CONTACT", msg("c1", {"email": "ada@example.com", "first_name": "Ada"}, at=1))
    bridge.sync("CONTACT", msg("c1", {"email": "ada@new.example", "first_name": "Augusta"}, at=2))

    props = bridge.properties("CONTACT", "c1")
    assert (props["email"], props["firstname"]) == ("ada@example.com", "Augusta")
    error_type, details = open_error(bridge, "CONTACT", "c1")
    assert error_type == "INVALID_EMAIL_ADDRESS"
    assert "Changing a contact's email address is not supported" in details


def test_an_email_differing_only_in_case_is_not_a_change(bridge: Bridge) -> None:
    bridge.sync("CONTACT", msg("c1", {"email": "ada@example.com"}, at=1))
    bridge.sync("CONTACT", msg("c1", {"email": "Ada@Example.com"}, at=2))
    assert bridge.properties("CONTACT", "c1")["email"] == "Ada@Example.com"
    assert bridge.error("CONTACT", "c1") is None


def test_values_sent_before_the_email_are_applied_when_the_contact_is_created(
    bridge: Bridge,
) -> None:
    bridge.sync("CONTACT", msg("c1", {"first_name": "Ada", "city": "London"}, at=3), at=5_000)
    assert open_error(bridge, "CONTACT", "c1")[0] == "MISSING_REQUIRED_PROPERTY"

    # An older message with the email arrives late: the contact exists, as if in order.
    bridge.sync("CONTACT", msg("c1", {"email": "ada@example.com", "city": "Paris"}, at=2), at=6_000)

    props = bridge.properties("CONTACT", "c1")
    assert (props["email"], props["firstname"], props["city"]) == (
        "ada@example.com",
        "Ada",
        "London",  # the newer value
    )
    error = bridge.error("CONTACT", "c1")
    assert (error.type, error.status) == ("MISSING_REQUIRED_PROPERTY", "RESOLVED")
    link = bridge.link("CONTACT", "c1")
    assert (link.last_changed_at, link.last_processed_at, link.parked) == (3, 6_000, None)
