"""Applying sync messages: objects, partial updates, coercion, provided properties, and the
processing errors HubSpot reported through sync status."""

from __future__ import annotations

import pytest

from ecombridge.crm_schema.pipelines import ecommerce_pipeline_id
from ecombridge.db.engine import Database
from tests.support.factories import Portal, make_installed_app
from tests.sync.apply_support import Bridge, msg, open_error


@pytest.fixture
def bridge(db: Database, portal: Portal) -> Bridge:
    return Bridge(db, portal.id).setup()


def test_an_upsert_creates_an_object_with_mapped_coerced_and_provided_properties(
    bridge: Bridge,
) -> None:
    bridge.sync(
        "DEAL",
        msg(
            "1000",
            {
                "name": "Order 1000",
                "stage": "processed",
                "total": "24.50",
                "purchased": "1542092841947",
                "unmapped": "ignored",
            },
            at=1_542_092_841_947,
        ),
        at=7_000,
    )

    deal_id = bridge.hubspot_id("DEAL", "1000")
    assert bridge.properties("DEAL", "1000") == {
        "dealname": "Order 1000",
        "dealstage": "processed",
        "amount": 24.5,
        "closedate": 1_542_092_841_947,
        "pipeline": ecommerce_pipeline_id(bridge.portal_id),
        "ip__ecomm_bridge__ecomm_synced": True,
        "ip__ecomm_bridge__source_app_id": [0],
        "ip__ecomm_bridge__source_store_id": ["default"],
        "hs_object_id": deal_id,
        "createdate": 7_000,
        "lastmodifieddate": 7_000,
    }
    link = bridge.link("DEAL", "1000")
    assert (link.last_changed_at, link.last_processed_at, link.deleted_at) == (
        1_542_092_841_947,
        7_000,
        None,
    )
    assert bridge.error("DEAL", "1000") is None


def test_an_upsert_changes_only_the_properties_it_carries_and_empty_string_clears(
    bridge: Bridge,
) -> None:
    bridge.sync("PRODUCT", msg("p1", {"name": "Mug", "price": 12, "sku": "M-1"}, at=1_000))
    bridge.sync("PRODUCT", msg("p1", {"price": "13", "sku": ""}, at=2_000), at=9_000)

    props = bridge.properties("PRODUCT", "p1")
    assert (props["name"], props["price"], props["lastmodifieddate"]) == ("Mug", 13, 9_000)
    assert "hs_sku" not in props
    assert bridge.count("PRODUCT") == 1


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        (1_542_092_841_947, 1_542_092_841_947),
        (1_542_092_841_947.0, 1_542_092_841_947),
        ("1542092841947", 1_542_092_841_947),
        (1_542_092_841, 1_542_092_841_000),  # seconds
        ("2018-11-13T07:07:21.947Z", 1_542_092_841_947),
        ("2018-11-13", 1_542_067_200_000),
    ],
)
def test_datetime_values_become_epoch_milliseconds(
    bridge: Bridge, value: object, stored: int
) -> None:
    bridge.sync("DEAL", msg("d", {"stage": "shipped", "purchased": value}))
    assert bridge.properties("DEAL", "d")["closedate"] == stored


def test_numbers_are_ints_when_integral_and_strings_are_text(bridge: Bridge) -> None:
    bridge.sync("PRODUCT", msg("p", {"price": "10.0", "sku": 1234, "image": "https://x/y.png"}))
    props = bridge.properties("PRODUCT", "p")
    assert (props["price"], props["hs_sku"]) == (10, "1234")
    assert props["ip__ecomm_bridge__image_url"] == "https://x/y.png"


def test_a_value_that_is_not_a_number_fails_the_message_like_hubspot(bridge: Bridge) -> None:
    bridge.sync("PRODUCT", msg("p", {"name": "Mug", "price": "abc"}))

    assert open_error(bridge, "PRODUCT", "p") == (
        "UNKNOWN_ERROR",
        "Property values were not valid: 'abc' was not a valid number for price",
    )
    link = bridge.link("PRODUCT", "p")
    assert link.hubspot_id is None  # nothing was created, but status can show the error
    assert bridge.count("PRODUCT") == 0


def test_a_value_that_is_not_a_date_fails_with_the_date_error(bridge: Bridge) -> None:
    bridge.sync("DEAL", msg("d", {"stage": "shipped", "purchased": "yesterday"}))
    error_type, details = open_error(bridge, "DEAL", "d")
    assert error_type == "ERROR_INVALID_DATE_PROPERTY"
    assert "'yesterday' was not a valid date for closedate" in details


def test_a_deal_stage_outside_the_ecommerce_pipeline_is_invalid(bridge: Bridge) -> None:
    bridge.sync("DEAL", msg("d", {"stage": "empty"}))
    error_type, details = open_error(bridge, "DEAL", "d")
    assert error_type == "INVALID_DEAL_STAGE"
    assert details.startswith("'empty' is not a stage of the Ecommerce Pipeline")


def test_an_enumeration_value_must_be_one_of_its_options(bridge: Bridge) -> None:
    bridge.sync("DEAL", msg("d", {"stage": "processed", "kind": "oldbusiness"}))
    error_type, details = open_error(bridge, "DEAL", "d")
    assert error_type == "INVALID_ENUM_PROPERTY"
    assert "'oldbusiness' is not a valid option for dealtype" in details


def test_properties_none_of_which_are_mapped_fail_with_no_mappings(bridge: Bridge) -> None:
    bridge.sync("PRODUCT", msg("p", {"colour": "red"}))
    assert open_error(bridge, "PRODUCT", "p")[0] == "NO_MAPPINGS_DEFINED"


def test_a_mapping_to_a_property_the_portal_lacks_is_skipped_and_named(bridge: Bridge) -> None:
    values = {"email": "a@example.com", "first_name": "Ada", "favourite_colour": "red"}
    bridge.sync("CONTACT", msg("c", values, at=1_000))
    assert bridge.error("CONTACT", "c") is None
    properties = bridge.properties("CONTACT", "c")
    assert properties["firstname"] == "Ada" and "favourite_colour" not in properties
    assert bridge.link("CONTACT", "c").skipped_properties == ["favourite_colour"]

    # The newest messages say what was skipped: an update without it clears the warning.
    bridge.sync("CONTACT", msg("c", {"first_name": "Bo"}, at=2_000))
    assert bridge.link("CONTACT", "c").skipped_properties is None


@pytest.mark.parametrize("order", ["forward", "backward"])
def test_skipped_properties_of_messages_of_one_changed_at_add_up_in_any_order(
    db: Database, portal: Portal, order: str
) -> None:
    bridge = Bridge(db, portal.id).setup()
    first = msg("c", {"email": "a@example.com", "favourite_colour": "red"}, at=1_000)
    second = msg("c", {"nickname": "Al", "first_name": "Al"}, at=1_000)
    for message in [first, second] if order == "forward" else [second, first]:
        bridge.sync("CONTACT", message)
    assert bridge.link("CONTACT", "c").skipped_properties == ["favourite_colour", "nickname"]


def test_only_properties_the_portal_lacks_fail_with_no_properties_defined(bridge: Bridge) -> None:
    """The seed: NO_PROPERTIES_DEFINED is the portal having none of the mapped properties."""
    bridge.sync("CONTACT", msg("c", {"favourite_colour": "red", "unmapped": "x"}))
    assert open_error(bridge, "CONTACT", "c") == (
        "NO_PROPERTIES_DEFINED",
        "None of the mapped properties exist for CONTACT: favourite_colour",
    )
    assert bridge.count("CONTACT") == 0


def test_without_settings_every_message_fails(db: Database, portal: Portal) -> None:
    bridge = Bridge(db, portal.id).setup(with_settings=False)
    bridge.sync("PRODUCT", msg("p1", {"name": "Mug"}), msg("p2", {"name": "Cup"}))
    assert open_error(bridge, "PRODUCT", "p1")[0] == "NO_SYNC_SETTINGS"
    assert open_error(bridge, "PRODUCT", "p2")[0] == "NO_SYNC_SETTINGS"


def test_disabled_settings_fail_every_message(db: Database, portal: Portal) -> None:
    bridge = Bridge(db, portal.id).setup(enabled=False)
    bridge.sync("PRODUCT", msg("p1", {"name": "Mug"}))
    assert open_error(bridge, "PRODUCT", "p1")[0] == "SETTINGS_NOT_ENABLED"


def test_an_inactive_portal_processes_nothing(bridge: Bridge) -> None:
    bridge.deactivate_portal()
    bridge.sync("PRODUCT", msg("p1", {"name": "Mug"}))
    assert open_error(bridge, "PRODUCT", "p1")[0] == "INACTIVE_PORTAL"
    assert bridge.count("PRODUCT") == 0


def test_an_app_uses_its_own_settings_and_the_portal_key_the_portals(
    db: Database, portal: Portal
) -> None:
    app = make_installed_app(db, portal.id)
    as_app = Bridge(db, portal.id, source_app_id=app.app_id).setup()
    as_portal = Bridge(db, portal.id).setup(with_settings=False)

    as_app.sync("PRODUCT", msg("p", {"name": "Mug"}))
    as_portal.sync("PRODUCT", msg("p", {"name": "Mug"}))

    assert as_app.properties("PRODUCT", "p")["ip__ecomm_bridge__source_app_id"] == [app.app_id]
    assert open_error(as_portal, "PRODUCT", "p")[0] == "NO_SYNC_SETTINGS"
    assert as_portal.link("PRODUCT", "p").hubspot_id is None  # a link of its own, not the app's


def test_portals_do_not_see_each_others_objects(
    db: Database, portal: Portal, other_portal: Portal
) -> None:
    mine = Bridge(db, portal.id).setup()
    theirs = Bridge(db, other_portal.id).setup()
    mine.sync("PRODUCT", msg("p", {"name": "Mine"}))
    theirs.sync("PRODUCT", msg("p", {"name": "Theirs"}))

    assert mine.properties("PRODUCT", "p")["name"] == "Mine"
    assert theirs.properties("PRODUCT", "p")["name"] == "Theirs"
    assert mine.hubspot_id("PRODUCT", "p") != theirs.hubspot_id("PRODUCT", "p")


def test_a_later_success_resolves_the_error_and_keeps_it_listed(bridge: Bridge) -> None:
    bridge.sync("PRODUCT", msg("p", {"price": "abc"}, at=1_000), at=5_000)
    bridge.sync("PRODUCT", msg("p", {"price": "3"}, at=2_000), at=6_000)

    error = bridge.error("PRODUCT", "p")
    assert (error.status, error.changed_at, error.errored_at) == ("RESOLVED", 1_000, 5_000)
    assert bridge.link("PRODUCT", "p").last_processed_at == 6_000
    assert bridge.properties("PRODUCT", "p")["price"] == 3
