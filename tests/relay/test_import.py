"""An import's history reaches the target like synced messages, keyed by the importing app's
external ids."""

from __future__ import annotations

from tests.imports.conftest import STORE, Importer
from tests.imports.integrator import Integrator
from tests.relay.conftest import add_destination, destination, sdk
from tests.relay.target import Recorder, TargetPortal
from tests.workflows.shop import OLD_ORDER_HISTORY, Shop


def test_an_imported_history_is_delivered(
    shop: Shop,
    importer: Importer,
    integrator: Integrator,
    target: TargetPortal,
    recorder: Recorder,
) -> None:
    dest_id = add_destination(shop, target)
    shop.import_history(importer, integrator, OLD_ORDER_HISTORY)

    hub = sdk(target)
    [contact] = hub.crm.contacts.basic_api.get_page(
        properties=["email", "ecombridge_external_id"]
    ).results
    assert contact.properties["ecombridge_external_id"] == f"{importer.app.app_id}:{STORE}:c1"
    [deal] = hub.crm.deals.basic_api.get_page(
        properties=["dealname"], associations=["contacts"]
    ).results
    assert deal.properties["dealname"] == "Order from 2019"
    assert [a.id for a in deal.associations["contacts"].results] == [contact.id]
    assert destination(shop, dest_id)["delivered"] == 2
