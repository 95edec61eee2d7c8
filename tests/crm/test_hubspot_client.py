"""The official hubspot-api-client against a live server: list, read, search, v4 associations."""

from __future__ import annotations

import pytest
from hubspot import HubSpot
from hubspot.crm.associations.v4 import ApiException as AssociationsApiException
from hubspot.crm.objects import ApiException, Filter, FilterGroup, PublicObjectSearchRequest

from ecombridge.db.engine import Database
from tests.crm.shop import Shop, build_shop
from tests.support.live import LiveServer
from tests.support.sync_rows import insert_crm_object


@pytest.fixture
def shop(db: Database) -> Shop:
    return build_shop(db)


@pytest.fixture
def api(live_server: LiveServer, shop: Shop) -> HubSpot:
    return HubSpot(access_token=shop.token, host=live_server.url)


def test_get_page_and_get_all(api: HubSpot, shop: Shop) -> None:
    page = api.crm.objects.basic_api.get_page("contacts", limit=2, properties=["email"])

    assert [o.id for o in page.results] == [str(shop.jane), str(shop.john)]
    assert page.results[0].properties["email"] == "Jane@Example.com"
    assert page.paging.next.after == str(shop.john)
    rest = api.crm.objects.basic_api.get_page("contacts", limit=2, after=page.paging.next.after)
    assert [o.id for o in rest.results] == [str(shop.ana)]
    assert rest.paging is None


def test_get_all_follows_paging_over_pages_of_100(api: HubSpot, db: Database, shop: Shop) -> None:
    extra = [
        insert_crm_object(db, shop.portal.id, "PRODUCT", {"name": f"p{i}"}) for i in range(110)
    ]

    every = api.crm.objects.get_all("products", properties=["name"])

    assert [int(o.id) for o in every] == [shop.mug, shop.tee, *extra]


def test_get_by_id_with_associations_and_id_property(api: HubSpot, shop: Shop) -> None:
    deal = api.crm.objects.basic_api.get_by_id(
        "deals", str(shop.order1), properties=["amount"], associations=["contacts"]
    )
    by_email = api.crm.objects.basic_api.get_by_id(
        "contacts", "john@example.org", id_property="email"
    )

    assert deal.properties["amount"] == "45"
    assert deal.created_at.year == 2023
    assert [a.id for a in deal.associations["contacts"].results] == [str(shop.jane)]
    assert by_email.id == str(shop.john)


def test_get_by_id_unknown_raises_404(api: HubSpot) -> None:
    with pytest.raises(ApiException) as raised:
        api.crm.objects.basic_api.get_by_id("contacts", "424242")

    assert raised.value.status == 404


def test_do_search(api: HubSpot, shop: Shop) -> None:
    request = PublicObjectSearchRequest(
        filter_groups=[
            FilterGroup(filters=[Filter(property_name="amount", operator="GTE", value="20")]),
        ],
        sorts=[{"propertyName": "amount", "direction": "ASCENDING"}],
        properties=["dealname", "amount"],
        limit=1,
    )

    first = api.crm.objects.search_api.do_search("deals", public_object_search_request=request)

    assert first.total == 2
    assert [o.properties["dealname"] for o in first.results] == ["Order #2"]
    request.after = first.paging.next.after
    second = api.crm.objects.search_api.do_search("deals", public_object_search_request=request)
    assert [o.properties["dealname"] for o in second.results] == ["Order #1"]
    assert second.paging is None


def test_v4_associations(api: HubSpot, shop: Shop) -> None:
    page = api.crm.associations.v4.basic_api.get_page("deals", str(shop.order1), "line_items")

    assert [int(r.to_object_id) for r in page.results] == [shop.line1, shop.line2]
    assert page.results[0].association_types[0].type_id == 19
    assert page.results[0].association_types[0].category == "HUBSPOT_DEFINED"
    with pytest.raises(AssociationsApiException) as raised:
        api.crm.associations.v4.basic_api.get_page("deals", "1", "contacts")
    assert raised.value.status == 404
