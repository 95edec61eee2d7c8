"""Done when: an integration syncing a realistic shop through hubspot3's Ecommerce Bridge
client — customers, products, orders with line items, updates out of order, an order changing
hands, a line item moving, deletes and bad records — into a bridge with a destination ends, once
the worker drains, with the target holding what the bridge's own CRM holds: the same contacts,
deals, products and line items property by property, in the same stages, with the same
associations (ids translated through ``ecombridge_external_id``), and every bad record's
failure in the bridge's sync errors."""

from __future__ import annotations

from typing import Any

import httpx
from hubspot3.ecommerce_bridge import EcommerceBridgeClient

from ecombridge.clock import now_ms
from ecombridge.relay.payloads import NOT_SENT
from tests.relay.conftest import add_destination, destination
from tests.relay.target import Recorder, TargetPortal
from tests.support.live import LiveServer
from tests.workflows.shop import Shop, message

STORE = "main"
TYPES = {"CONTACT": "contacts", "PRODUCT": "products", "DEAL": "deals", "LINE_ITEM": "line_items"}
# Kept by each side for itself: the provenance our properties record (the external id carries
# it in the target) and the object's own id.
OWN = {
    "ecombridge_external_id",
    "ip__ecomm_bridge__ecomm_synced",
    "ip__ecomm_bridge__source_app_id",
    "ip__ecomm_bridge__source_store_id",
}
# Translated: stage ids to labels, product ids to external ids.
TRANSLATED = {"pipeline", "dealstage", "hs_product_id"}


def _customer(key: str, first: str, email: str, **extra: Any) -> dict[str, Any]:
    props = {"email": email, "first_name": first, "last_name": "Shopper"}
    return message(f"customer-{key}", props, **extra)


def _order(number: str, customer: str, stage: str, total: Any, **extra: Any) -> dict[str, Any]:
    props = {"title": f"Order {number}", "stage": stage, "total": total}
    return message(
        f"order-{number}", props, associations={"CONTACT": [f"customer-{customer}"]}, **extra
    )


def _line(key: str, order: str, product: str, qty: int, price: float) -> dict[str, Any]:
    return message(
        f"line-{key}",
        {"title": product.title(), "qty": qty, "price": price},
        associations={"DEAL": [f"order-{order}"], "PRODUCT": [f"product-{product}"]},
    )


def _delete(external_id: str) -> dict[str, Any]:
    return {"action": "DELETE", "externalObjectId": external_id, "changedAt": now_ms()}


def _sync_the_shop(bridge: EcommerceBridgeClient, shop: Shop) -> None:
    def send(object_type: str, *messages: dict[str, Any]) -> None:
        bridge.send_sync_messages(object_type, list(messages), store_id=STORE)
        shop.run_due()

    send(
        "PRODUCT",
        *(
            message(f"product-{key}", {"title": key.title(), "price": price})
            for key, price in (("mug", 12.5), ("cap", 15), ("poster", 30), ("sticker", 2))
        ),
    )
    send(
        "CONTACT",
        _customer("ada", "Ada", "ada@example.com"),
        _customer("grace", "Grace", "grace@example.com"),
        _customer("lin", "Lin", "lin@example.com"),
        _customer("bad", "Bad", "not an email"),  # bad: refused by the sync
    )
    newest = _order("1001", "ada", "processed", 40)
    send(
        "DEAL",
        newest,
        _order("1002", "grace", "checkout_abandoned", 15),
        _order("1003", "lin", "shipped", 32),
        _order("1004", "ada", "processed", "forty"),  # bad: not a number
    )
    send(
        "LINE_ITEM",
        _line("1001-mug", "1001", "mug", 2, 12.5),
        _line("1001-cap", "1001", "cap", 1, 15),
        _line("1002-cap", "1002", "cap", 1, 15),
        _line("1003-poster", "1003", "poster", 1, 30),
        _line("1003-sticker", "1003", "sticker", 1, 2),
        _line("9999-mug", "9999", "mug", 1, 12.5),  # bad: its order does not exist
    )
    # Updates: a stage moves on, then an older message arrives late (ignored); order 1002 changes
    # hands; a line item moves to another order; a customer is renamed.
    send("DEAL", _order("1001", "ada", "shipped", 40))
    send("DEAL", _order("1001", "ada", "checkout_pending", 40, changed_at=newest["changedAt"] - 1))
    send("DEAL", _order("1002", "lin", "checkout_completed", 15))
    send("LINE_ITEM", _line("1003-sticker", "1002", "sticker", 3, 2))
    send("CONTACT", _customer("grace", "Amazing Grace", "grace@example.com"))
    # Deletes: they stop syncing the objects (the CRM and the target keep them).
    send("LINE_ITEM", _delete("line-1001-cap"))
    send("PRODUCT", _delete("product-poster"))


def _read_all(get: Any, object_type: str) -> list[dict[str, Any]]:
    name = TYPES[object_type]
    properties = [p["name"] for p in get(f"/crm/v3/properties/{name}")["results"]]
    found: list[dict[str, Any]] = []
    after = None
    while True:
        params: dict[str, Any] = {
            "limit": 100,
            "properties": ",".join(properties),
            "associations": "contacts,line_items" if object_type == "DEAL" else None,
        }
        if after:
            params["after"] = after
        page = get(f"/crm/v3/objects/{name}", **{k: v for k, v in params.items() if v})
        found += page["results"]
        after = (page.get("paging") or {}).get("next", {}).get("after")
        if not after:
            return found


def _stage_labels(get: Any) -> dict[str, str]:
    labels = {}
    for pipeline in get("/crm/v3/pipelines/deals")["results"]:
        labels[pipeline["id"]] = pipeline["label"]
        labels.update({s["id"]: f"{pipeline['label']}/{s['label']}" for s in pipeline["stages"]})
    return labels


def _state(get: Any, external: dict[str, dict[str, str]]) -> dict[str, dict[str, Any]]:
    """Every object of a side by type and external id: its properties (ids translated) and its
    associations."""
    labels = _stage_labels(get)
    state: dict[str, dict[str, Any]] = {}
    for object_type in TYPES:
        ours = external[object_type]
        by_ext: dict[str, Any] = {}
        for obj in _read_all(get, object_type):
            props = {
                k: v
                for k, v in obj["properties"].items()
                if v not in (None, "") and k not in NOT_SENT | OWN | {"hs_object_id"}
            }
            for key in ("pipeline", "dealstage"):
                if key in props:
                    props[key] = labels.get(props[key], props[key])
            if "hs_product_id" in props:
                props["hs_product_id"] = external["PRODUCT"][props["hs_product_id"]]
            assoc = {
                to: sorted(external[t][a["id"]] for a in listed["results"])
                for to, listed in (obj.get("associations") or {}).items()
                for t in [{"contacts": "CONTACT", "line_items": "LINE_ITEM"}[to]]
            }
            by_ext[ours[obj["id"]]] = {"properties": props, "associations": assoc}
        state[object_type] = by_ext
    return state


def test_a_synced_shop_ends_in_the_target_as_in_the_bridge_s_own_crm(
    live_server: LiveServer, shop: Shop, target: TargetPortal, recorder: Recorder
) -> None:
    dest_id = add_destination(shop, target)
    bridge = EcommerceBridgeClient(api_key=shop.api_key, api_base=live_server.url)
    _sync_the_shop(bridge, shop)
    shop.run_due()

    # External ids: ours through the sync status, the target's through its property.
    def ours_get(path: str, **params: Any) -> Any:
        response = httpx.get(live_server.url + path, params={**params, "hapikey": shop.api_key})
        assert response.status_code == 200, response.text
        return response.json()

    ours_ext: dict[str, dict[str, str]] = {t: {} for t in TYPES}
    theirs_ext: dict[str, dict[str, str]] = {t: {} for t in TYPES}
    for object_type, name in TYPES.items():
        for obj in target.get(
            f"/crm/v3/objects/{name}", limit=100, properties="ecombridge_external_id"
        )["results"]:
            ext = obj["properties"]["ecombridge_external_id"]
            theirs_ext[object_type][obj["id"]] = ext
            hubspot_id = bridge.check_sync_status_for_object(
                object_type, ext.split(":", 2)[2], store_id=STORE
            )["hubspotId"]
            ours_ext[object_type][str(hubspot_id)] = ext
    ours = _state(ours_get, ours_ext)
    theirs = _state(target.get, theirs_ext)

    assert sorted(ours["CONTACT"]) == [f"0:main:customer-{k}" for k in ("ada", "grace", "lin")]
    assert len(ours["LINE_ITEM"]) == 6 and len(ours["DEAL"]) == 3
    for object_type in TYPES:
        assert theirs[object_type] == ours[object_type], object_type
    order_1002 = theirs["DEAL"]["0:main:order-1002"]
    assert order_1002["associations"]["contacts"] == ["0:main:customer-lin"]
    assert order_1002["properties"]["dealstage"] == "Ecommerce Pipeline/Checkout Completed"

    errors = bridge.get_sync_errors_for_account()
    failed = sorted((e["objectType"], e["externalObjectId"]) for e in errors)
    assert failed == [
        ("CONTACT", "customer-bad"),
        ("DEAL", "order-1004"),
        ("LINE_ITEM", "line-9999-mug"),
    ]
    status = destination(shop, dest_id)
    assert (status["state"], status["pending"], status["failed"]) == ("LIVE", 0, 0)
