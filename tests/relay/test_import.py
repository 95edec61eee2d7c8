"""An import's history reaches the target like synced messages, keyed by the importing app's
external ids."""

from __future__ import annotations

from tests.imports.conftest import STORE, Importer
from tests.imports.integrator import Integrator, counts_reply
from tests.relay.conftest import add_destination, destination, sdk
from tests.relay.target import Recorder, TargetPortal
from tests.workflows.shop import MAPPINGS, Shop


def test_an_imported_history_is_delivered(
    shop: Shop,
    importer: Importer,
    integrator: Integrator,
    target: TargetPortal,
    recorder: Recorder,
) -> None:
    dest_id = add_destination(shop, target)
    query = f"appId={importer.app.app_id}&hapikey={importer.app.developer_api_key}"
    settings = {
        "enabled": True,
        "webhookUri": integrator.url,
        "mappings": {t: {"properties": m} for t, m in MAPPINGS.items()},
    }
    assert (
        shop.client.put(f"/extensions/ecomm/v2/settings?{query}", json=settings).status_code == 200
    )
    importer.create_store()
    integrator.replies = [counts_reply(0, 1, 0, 1)]
    started_at = importer.started()
    history = {
        "CONTACT": [{"externalObjectId": "c1", "properties": {"email": "old@example.com"}}],
        "DEAL": [
            {
                "externalObjectId": "d1",
                "properties": {"title": "Order from 2019", "stage": "shipped", "total": 99},
                "associations": {"CONTACT": ["c1"]},
            }
        ],
    }
    for object_type in ("PRODUCT", "CONTACT", "DEAL", "LINE_ITEM"):
        messages = history.get(object_type, [])
        base = {"storeId": STORE, "importStartedAt": started_at, "objectType": object_type}
        if messages:
            assert importer.page(base | {"pageNumber": 0, "messages": messages}).status_code == 204
        end = base | {"pageCount": 1 if messages else 0, "itemCount": len(messages)}
        assert importer.end(end).status_code == 204
    shop.run_due()
    assert importer.progress()["state"] == "COMPLETE"

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
