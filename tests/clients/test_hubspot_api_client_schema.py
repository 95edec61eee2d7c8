"""The official hubspot-api-client against a live server: the portal's properties and the
Ecommerce Pipeline, as integrations look up stage ids and create their own properties."""

from __future__ import annotations

import pytest
from hubspot import HubSpot
from hubspot.crm.pipelines import ApiException as PipelinesApiException
from hubspot.crm.properties import ApiException as PropertiesApiException
from hubspot.crm.properties import PropertyCreate


def test_properties(api: HubSpot) -> None:
    listed = api.crm.properties.core_api.get_all("deals")
    by_name = {p.name: p for p in listed.results}
    assert by_name["dealstage"].type == "enumeration"
    assert [o.value for o in by_name["dealstage"].options][-1] == "cancelled"
    assert by_name["ip__ecomm_bridge__discount_amount"].type == "number"
    email = api.crm.properties.core_api.get_by_name("contacts", "email")
    assert email.group_name == "contactinformation"
    with pytest.raises(PropertiesApiException) as missing:
        api.crm.properties.core_api.get_by_name("contacts", "nope")
    assert missing.value.status == 404


def test_create_property(api: HubSpot) -> None:
    created = api.crm.properties.core_api.create(
        "products",
        PropertyCreate(name="colour", label="Colour", type="string", field_type="text"),
    )
    assert created.name == "colour"
    assert created.hubspot_defined is False
    with pytest.raises(PropertiesApiException) as again:
        api.crm.properties.core_api.create(
            "products",
            PropertyCreate(name="colour", label="Colour", type="string", field_type="text"),
        )
    assert again.value.status == 409


def test_ecommerce_pipeline(api: HubSpot) -> None:
    (pipeline,) = api.crm.pipelines.pipelines_api.get_all("deals").results
    assert pipeline.label == "Ecommerce Pipeline"
    assert [s.id for s in pipeline.stages][:3] == [
        "checkout_abandoned",
        "checkout_pending",
        "checkout_completed",
    ]
    assert pipeline.stages[3].metadata == {"probability": "1.0", "isClosed": "true"}
    same = api.crm.pipelines.pipelines_api.get_by_id("deals", pipeline.id)
    assert same.id == pipeline.id
    with pytest.raises(PipelinesApiException) as missing:
        api.crm.pipelines.pipelines_api.get_by_id("deals", "no-such-pipeline")
    assert missing.value.status == 404
