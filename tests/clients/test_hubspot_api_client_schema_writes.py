"""The official hubspot-api-client writes the portal's schema: properties (PrestaShop's
create-then-update), property groups, deal pipelines and stages; its model classes parse every
answer, and HubSpot's refusals arrive as its ApiException with the status HubSpot used."""

from __future__ import annotations

import pytest
from hubspot import HubSpot
from hubspot.crm.pipelines import (
    ApiException as PipelinesApiException,
)
from hubspot.crm.pipelines import (
    Pipeline,
    PipelineInput,
    PipelinePatchInput,
    PipelineStage,
    PipelineStageInput,
    PipelineStagePatchInput,
)
from hubspot.crm.properties import (
    ApiException as PropertiesApiException,
)
from hubspot.crm.properties import (
    ModelProperty,
    PropertyCreate,
    PropertyGroup,
    PropertyGroupCreate,
    PropertyGroupUpdate,
    PropertyUpdate,
)

FIXED = [
    "checkout_abandoned",
    "checkout_pending",
    "checkout_completed",
    "processed",
    "shipped",
    "cancelled",
]


def stage(label: str, order: int, probability: str = "0.5") -> PipelineStageInput:
    return PipelineStageInput(
        label=label, display_order=order, metadata={"probability": probability}
    )


def test_prestashop_creates_a_property_then_updates_it(api: HubSpot) -> None:
    core = api.crm.properties.core_api
    body = PropertyCreate(name="ps_customer_group", label="Group", type="string", field_type="text")
    assert isinstance(core.create("contacts", body), ModelProperty)
    with pytest.raises(PropertiesApiException) as exists:
        core.create("contacts", body)
    assert exists.value.status == 409
    # Already there: PrestaShop updates it instead.
    updated = core.update(
        "contacts", "ps_customer_group", PropertyUpdate(label="Customer group", description="PS")
    )
    assert (updated.label, updated.description, updated.type) == ("Customer group", "PS", "string")
    assert core.get_by_name("contacts", "ps_customer_group").label == "Customer group"
    core.archive("contacts", "ps_customer_group")
    with pytest.raises(PropertiesApiException) as gone:
        core.get_by_name("contacts", "ps_customer_group")
    assert gone.value.status == 404


@pytest.mark.parametrize("name", ["email", "dealstage", "ip__ecomm_bridge__order_number"])
def test_standard_and_managed_properties_cannot_be_archived(api: HubSpot, name: str) -> None:
    object_type = "contacts" if name == "email" else "deals"
    with pytest.raises(PropertiesApiException) as refused:
        api.crm.properties.core_api.archive(object_type, name)
    assert refused.value.status == 400
    assert name in refused.value.body
    assert api.crm.properties.core_api.get_by_name(object_type, name).name == name


def test_property_groups(api: HubSpot) -> None:
    groups = api.crm.properties.groups_api
    names = [g.name for g in groups.get_all("deals").results]
    assert names == ["dealinformation", "ip__ecomm_bridge__ecomm_bridge"]
    made = groups.create("deals", PropertyGroupCreate(name="shop_data", label="Shop data"))
    assert isinstance(made, PropertyGroup) and made.display_order == 2
    changed = groups.update(
        "deals", "shop_data", PropertyGroupUpdate(label="Shop", display_order=9)
    )
    assert (changed.label, changed.display_order) == ("Shop", 9)
    assert groups.get_by_name("deals", "shop_data").label == "Shop"
    api.crm.properties.core_api.create(
        "deals", PropertyCreate(name="in_group", label="X", type="string", group_name="shop_data")
    )
    with pytest.raises(PropertiesApiException) as holding:
        groups.archive("deals", "shop_data")
    assert holding.value.status == 409
    api.crm.properties.core_api.archive("deals", "in_group")
    groups.archive("deals", "shop_data")
    with pytest.raises(PropertiesApiException) as standard:
        groups.archive("deals", "dealinformation")
    assert standard.value.status == 400


def test_a_pipeline_of_the_portals_own(api: HubSpot) -> None:
    pipelines, stages = api.crm.pipelines.pipelines_api, api.crm.pipelines.pipeline_stages_api
    made = pipelines.create(
        "deals",
        PipelineInput(
            label="Wholesale", display_order=1, stages=[stage("Quote", 0), stage("Won", 1, "1.0")]
        ),
    )
    assert isinstance(made, Pipeline) and [s.label for s in made.stages] == ["Quote", "Won"]
    assert {p.label for p in pipelines.get_all("deals").results} == {
        "Ecommerce Pipeline",
        "Wholesale",
    }
    renamed = pipelines.update("deals", made.id, PipelinePatchInput(label="B2B"))
    assert renamed.label == "B2B"
    added = stages.create("deals", made.id, stage("Lost", 2, "0.0"))
    assert isinstance(added, PipelineStage) and added.metadata["probability"] == "0.0"
    closed = stages.update(
        "deals",
        made.id,
        added.id,
        PipelineStagePatchInput(metadata={"probability": "0", "isClosed": "true"}),
    )
    assert closed.metadata == {"probability": "0.0", "isClosed": "true"}
    assert [s.label for s in stages.get_all("deals", made.id).results] == ["Quote", "Won", "Lost"]
    stages.archive("deals", made.id, added.id)
    with pytest.raises(PipelinesApiException) as gone:
        stages.get_by_id("deals", made.id, added.id)
    assert gone.value.status == 404
    # Its stages are deal stages too.
    options = api.crm.properties.core_api.get_by_name("deals", "dealstage").options
    assert {o.label for o in options} >= {"Quote", "Won", "Checkout Abandoned"}
    pipelines.archive("deals", made.id)
    assert [p.label for p in pipelines.get_all("deals").results] == ["Ecommerce Pipeline"]


def test_the_ecommerce_pipeline_keeps_its_stages(api: HubSpot) -> None:
    pipelines, stages = api.crm.pipelines.pipelines_api, api.crm.pipelines.pipeline_stages_api
    (ecommerce,) = pipelines.get_all("deals").results
    with pytest.raises(PipelinesApiException) as whole:
        pipelines.archive("deals", ecommerce.id)
    assert whole.value.status == 400
    with pytest.raises(PipelinesApiException) as one:
        stages.archive("deals", ecommerce.id, "shipped")
    assert one.value.status == 400 and "shipped" in one.value.body
    # A replacement without the fixed stage ids would delete them: refused, nothing changed.
    with pytest.raises(PipelinesApiException) as replaced:
        pipelines.replace(
            "deals",
            ecommerce.id,
            PipelineInput(label="Shop", display_order=0, stages=[stage("A", 0)]),
        )
    assert replaced.value.status == 400
    assert [s.id for s in pipelines.get_by_id("deals", ecommerce.id).stages] == FIXED
    # Relabelling a stage keeps its id.
    relabelled = stages.update(
        "deals", ecommerce.id, "processed", PipelineStagePatchInput(label="Processing")
    )
    assert (relabelled.id, relabelled.label) == ("processed", "Processing")
