"""The official hubspot-api-client writing through a live server: its models parse every answer
of the object writes, batches (partial failures included), unique properties and v4 associations."""

from __future__ import annotations

import pytest
from hubspot import HubSpot
from hubspot.crm import objects as o
from hubspot.crm.associations import v4
from hubspot.crm.properties import PropertyCreate

from tests.crm.shop import Shop
from tests.support.live import LiveServer


@pytest.fixture
def api(live_server: LiveServer, shop: Shop) -> HubSpot:
    return HubSpot(access_token=shop.token, host=live_server.url)


def test_create_update_archive(api: HubSpot, shop: Shop) -> None:
    basic = api.crm.objects.basic_api
    association = o.PublicAssociationsForObject(
        to=o.PublicObjectId(id=str(shop.jane)),
        types=[o.AssociationSpec(association_category="HUBSPOT_DEFINED", association_type_id=3)],
    )

    deal = basic.create(
        "deals",
        o.SimplePublicObjectInputForCreate(
            properties={"dealname": "Phone order", "amount": "10"}, associations=[association]
        ),
    )
    updated = basic.update("deals", deal.id, o.SimplePublicObjectInput(properties={"amount": "12"}))
    basic.archive("deals", deal.id)

    assert isinstance(deal, o.SimplePublicObject) and deal.properties["dealname"] == "Phone order"
    assert updated.properties["amount"] == "12" and updated.updated_at >= deal.created_at
    with pytest.raises(o.ApiException) as raised:
        basic.get_by_id("deals", deal.id)
    assert raised.value.status == 404
    with pytest.raises(o.ApiException) as conflict:
        basic.create(
            "contacts", o.SimplePublicObjectInputForCreate(properties={"email": "jane@example.com"})
        )
    assert conflict.value.status == 409


def test_batches_with_partial_failures(api: HubSpot, shop: Shop) -> None:
    batch = api.crm.objects.batch_api

    created = batch.create(
        "contacts",
        o.BatchInputSimplePublicObjectBatchInputForCreate(
            inputs=[
                o.SimplePublicObjectBatchInputForCreate(properties={"email": "a@example.com"}),
                o.SimplePublicObjectBatchInputForCreate(
                    properties={"email": "john@example.org"}, object_write_trace_id="t2"
                ),
            ]
        ),
    )
    updated = batch.update(
        "contacts",
        o.BatchInputSimplePublicObjectBatchInput(
            inputs=[
                o.SimplePublicObjectBatchInput(id=str(shop.ana), properties={"city": "Lima"}),
                o.SimplePublicObjectBatchInput(id="424242", properties={"city": "Nowhere"}),
            ]
        ),
    )
    read = batch.read(
        "contacts",
        o.BatchReadInputSimplePublicObjectId(
            inputs=[o.SimplePublicObjectId(id="a@example.com")],
            id_property="email",
            properties=["email", "city"],
            properties_with_history=[],
        ),
    )
    batch.archive(
        "contacts",
        o.BatchInputSimplePublicObjectId(inputs=[o.SimplePublicObjectId(id=str(shop.ana))]),
    )

    assert isinstance(created, o.BatchResponseSimplePublicObjectWithErrors)
    assert [r.properties["email"] for r in created.results] == ["a@example.com"]
    assert created.num_errors == 1 and created.errors[0].category == "CONFLICT"
    assert created.errors[0].context == {"objectWriteTraceId": ["t2"]}
    assert isinstance(updated, o.BatchResponseSimplePublicObjectWithErrors)
    assert updated.errors[0].context == {"ids": ["424242"]}
    assert isinstance(read, o.BatchResponseSimplePublicObject) and read.status == "COMPLETE"
    assert read.results[0].id == created.results[0].id


def test_upsert_by_a_unique_property(api: HubSpot) -> None:
    made = api.crm.properties.core_api.create(
        "products",
        PropertyCreate(
            name="external_id",
            label="External id",
            type="string",
            field_type="text",
            group_name="productinformation",
            has_unique_value=True,
        ),
    )

    def upsert(*ids: str) -> o.BatchResponseSimplePublicUpsertObject:
        inputs = [
            o.SimplePublicObjectBatchInputUpsert(
                id=i, id_property="external_id", properties={"name": f"Product {i}"}
            )
            for i in ids
        ]
        return api.crm.objects.batch_api.upsert(
            "products", o.BatchInputSimplePublicObjectBatchInputUpsert(inputs=inputs)
        )

    first = upsert("X-1")
    second = upsert("x-1", "X-2")

    assert made.has_unique_value is True
    assert [(r.new, r.properties["external_id"]) for r in first.results] == [(True, "X-1")]
    assert [r.new for r in second.results] == [False, True]
    assert second.results[0].id == first.results[0].id
    found = api.crm.objects.basic_api.get_by_id("products", "X-2", id_property="external_id")
    assert found.id == second.results[1].id


def test_v4_association_writes_and_batch_read(api: HubSpot, shop: Shop) -> None:
    basic, batch = api.crm.associations.v4.basic_api, api.crm.associations.v4.batch_api
    spec = v4.AssociationSpec(association_category="HUBSPOT_DEFINED", association_type_id=4)

    labelled = basic.create("contacts", str(shop.ana), "deals", str(shop.order2), [spec])
    default = basic.create_default("line_items", str(shop.line3), "deals", str(shop.order1))
    basic.archive("line_items", str(shop.line3), "deals", str(shop.order2))
    made = batch.create(
        "deals",
        "contacts",
        v4.BatchInputPublicAssociationMultiPost(
            inputs=[
                v4.PublicAssociationMultiPost(
                    _from=v4.PublicObjectId(id=str(shop.order1)),
                    to=v4.PublicObjectId(id=str(shop.john)),
                    types=[
                        v4.AssociationSpec(
                            association_category="HUBSPOT_DEFINED", association_type_id=3
                        )
                    ],
                )
            ]
        ),
    )
    batch.create_default(
        "deals",
        "line_items",
        v4.BatchInputPublicDefaultAssociationMultiPost(
            inputs=[
                v4.PublicDefaultAssociationMultiPost(
                    _from=v4.PublicObjectId(id=str(shop.order2)),
                    to=v4.PublicObjectId(id=str(shop.line3)),
                )
            ]
        ),
    )
    batch.archive(
        "deals",
        "contacts",
        v4.BatchInputPublicAssociationMultiArchive(
            inputs=[
                v4.PublicAssociationMultiArchive(
                    _from=v4.PublicObjectId(id=str(shop.order1)),
                    to=[v4.PublicObjectId(id=str(shop.jane))],
                )
            ]
        ),
    )
    read = batch.get_page(
        "deals",
        "contacts",
        v4.BatchInputPublicFetchAssociationsBatchRequest(
            inputs=[
                v4.PublicFetchAssociationsBatchRequest(id=str(shop.order1)),
                v4.PublicFetchAssociationsBatchRequest(id=str(shop.order2)),
            ]
        ),
    )

    assert (labelled.from_object_type_id, labelled.to_object_id, labelled.labels) == (
        "0-1",
        str(shop.order2),
        [],
    )
    assert default.results[0].association_spec.association_type_id == 20
    assert isinstance(made, v4.BatchResponseLabelsBetweenObjectPair)
    contacts = {r._from.id: sorted(int(t.to_object_id) for t in r.to) for r in read.results}
    assert contacts == {str(shop.order1): [shop.john], str(shop.order2): [shop.john, shop.ana]}
    assert read.results[0].to[0].association_types[0].type_id == 3
    page = api.crm.associations.v4.basic_api.get_page("deals", str(shop.order2), "line_items")
    assert [int(r.to_object_id) for r in page.results] == [shop.line3]


def test_search_by_association_pseudo_property(api: HubSpot, shop: Shop) -> None:
    request = o.PublicObjectSearchRequest(
        filter_groups=[
            o.FilterGroup(
                filters=[
                    o.Filter(
                        property_name="associations.contact", operator="EQ", value=str(shop.john)
                    )
                ]
            )
        ],
        properties=["dealname"],
    )

    found = api.crm.objects.search_api.do_search("deals", public_object_search_request=request)

    assert [r.properties["dealname"] for r in found.results] == ["Order #2"]
