"""A shop that syncs over the bridge's HTTP API (v2 and v1) into a portal with workflows, and a
clock the workflows' jobs can be moved forward on."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ecombridge import clock
from ecombridge.db.engine import Database
from ecombridge.workflows.definitions import DEFAULTS
from ecombridge.workflows.wire import render_workflow
from tests.imports.conftest import STORE as IMPORT_STORE
from tests.imports.conftest import Importer
from tests.imports.integrator import Integrator, counts_reply
from tests.support.jobs import RunJobs

V2_SYNC = "/extensions/ecomm/v2/sync/messages"
WORKFLOWS = "/extensions/ecomm/v2/workflows"
MINUTE = 60_000
IMPORT_ORDER = ("PRODUCT", "CONTACT", "DEAL", "LINE_ITEM")
# An order of 2019 and its customer, as a store's history import sends them.
OLD_ORDER_HISTORY: dict[str, list[Any]] = {
    "CONTACT": [{"externalObjectId": "c1", "properties": {"email": "old@example.com"}}],
    "DEAL": [
        {
            "externalObjectId": "d1",
            "properties": {"title": "Order from 2019", "stage": "shipped", "total": 99},
            "associations": {"CONTACT": ["c1"]},
        }
    ],
}


def _mapping(ext: str, hub: str, data_type: str = "STRING") -> dict[str, str]:
    return {"externalPropertyName": ext, "hubspotPropertyName": hub, "dataType": data_type}


MAPPINGS = {
    "CONTACT": [
        _mapping("email", "email"),
        _mapping("first_name", "firstname"),
        _mapping("last_name", "lastname"),
        _mapping("unsubscribed", "hs_email_optout"),
    ],
    "PRODUCT": [
        _mapping("title", "name"),
        _mapping("price", "price", "NUMBER"),
        _mapping("image", "ip__ecomm_bridge__image_url", "AVATAR_IMAGE"),
    ],
    "DEAL": [
        _mapping("title", "dealname"),
        _mapping("stage", "dealstage"),
        _mapping("total", "amount", "NUMBER"),
        _mapping("cart_url", "ip__ecomm_bridge__abandoned_cart_url"),
        _mapping("purchased", "closedate", "DATETIME"),
        _mapping("customer", "hs_assoc__contact_ids"),
    ],
    "LINE_ITEM": [
        _mapping("title", "name"),
        _mapping("qty", "quantity", "NUMBER"),
        _mapping("price", "price", "NUMBER"),
        _mapping("order", "hs_assoc__deal_id"),
        _mapping("product", "hs_assoc__product_id"),
    ],
}
CUSTOMERS = {
    "ada": ("Ada", "Lovelace", "ada@example.com"),
    "grace": ("Grace", "Hopper", "grace@example.com"),
}
PRODUCTS = {
    "mug": ("Enamel mug", 12.5, "https://img.example.com/mug.png"),
    "cap": ("Cap", 15, ""),
}


class Clock:
    """The wall clock (``time.time_ns``, which ``ecombridge.clock.now_ms`` reads) moved forward
    on demand, for the whole process: scheduled emails fall due without waiting."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.offset_ns = 0
        real = time.time_ns
        monkeypatch.setattr(time, "time_ns", lambda: real() + self.offset_ns)

    def now(self) -> int:
        return clock.now_ms()

    def advance(self, minutes: float) -> None:
        self.offset_ns += round(minutes * MINUTE) * 1_000_000


def message(external_id: str, properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "action": "UPSERT",
        "externalObjectId": external_id,
        "changedAt": extra.pop("changed_at", None) or clock.now_ms(),
        "properties": properties,
        **extra,
    }


@dataclass
class Shop:
    client: TestClient
    db: Database
    portal_id: int
    api_key: str
    run_jobs: RunJobs
    clock: Clock
    store: str = "main"

    def url(self, path: str) -> str:
        return f"{path}{'&' if '?' in path else '?'}hapikey={self.api_key}"

    def set_up(self) -> Shop:
        store = {"id": self.store, "label": "Demo Outfitters"}
        assert (
            self.client.put(self.url("/extensions/ecomm/v2/stores"), json=store).status_code == 200
        )
        mappings = {t: {"properties": m} for t, m in MAPPINGS.items()}
        settings = {"enabled": True, "webhookUri": None, "mappings": mappings}
        response = self.client.put(self.url("/extensions/ecomm/v2/settings"), json=settings)
        assert response.status_code == 200, response.text
        return self

    # -- syncing -------------------------------------------------------------------------------

    def sync(self, object_type: str, *messages: dict[str, Any], store: str | None = None) -> None:
        body = {
            "storeId": store or self.store,
            "objectType": object_type,
            "messages": list(messages),
        }
        response = self.client.put(self.url(V2_SYNC), json=body)
        assert response.status_code == 204, response.text
        self.run_due()

    def import_history(
        self, importer: Importer, integrator: Integrator, history: dict[str, list[Any]]
    ) -> None:
        """Import ``history`` (type -> messages, one page each) with the importer's app: its
        settings point the import webhook at the integrator, which announces these counts; every
        type is ended, the jobs run, and the import must be COMPLETE."""
        app = importer.app
        query = f"appId={app.app_id}&hapikey={app.developer_api_key}"
        mappings = {t: {"properties": m} for t, m in MAPPINGS.items()}
        settings = {"enabled": True, "webhookUri": integrator.url, "mappings": mappings}
        response = self.client.put(f"/extensions/ecomm/v2/settings?{query}", json=settings)
        assert response.status_code == 200, response.text
        importer.create_store()
        sizes = {t: len(history.get(t, [])) for t in IMPORT_ORDER}
        integrator.replies = [
            counts_reply(sizes["PRODUCT"], sizes["CONTACT"], sizes["LINE_ITEM"], sizes["DEAL"])
        ]
        started_at = importer.started()
        for object_type in IMPORT_ORDER:
            messages = history.get(object_type, [])
            base = {
                "storeId": IMPORT_STORE,
                "importStartedAt": started_at,
                "objectType": object_type,
            }
            if messages:
                page = base | {"pageNumber": 0, "messages": messages}
                assert importer.page(page).status_code == 204
            end = base | {"pageCount": 1 if messages else 0, "itemCount": len(messages)}
            assert importer.end(end).status_code == 204
        self.run_due()
        assert importer.progress()["state"] == "COMPLETE"

    def sync_v1(self, object_type: str, *messages: dict[str, Any]) -> None:
        path = f"/extensions/ecomm/v1/sync-messages/{object_type}"
        response = self.client.put(self.url(path), json=list(messages))
        assert response.status_code == 204, response.text
        self.run_due()

    def run_due(self) -> int:
        """Run every job due by the clock, also those the jobs run queue for now."""
        total = 0
        while ran := self.run_jobs(now=self.clock.now()):
            total += ran
        return total

    def customer(self, key: str, **props: Any) -> dict[str, Any]:
        first, last, email = CUSTOMERS[key]
        base = {"email": email, "first_name": first, "last_name": last}
        return message(f"customer-{key}", base | props)

    def products(self) -> None:
        self.sync(
            "PRODUCT",
            *(
                message(f"product-{key}", {"title": name, "price": price, "image": image})
                for key, (name, price, image) in PRODUCTS.items()
            ),
        )

    def order(
        self, number: str, customer: str, stage: str, total: float, **props: Any
    ) -> dict[str, Any]:
        properties = {
            "title": f"Order {number}",
            "stage": stage,
            "total": total,
            "cart_url": f"https://shop.example.com/cart/{number}",
        }
        changed_at = props.pop("changed_at", None)
        return message(
            f"order-{number}",
            properties | props,
            associations={"CONTACT": [f"customer-{customer}"]},
            changed_at=changed_at,
        )

    def line(self, number: str, product: str, qty: int) -> dict[str, Any]:
        name, price, _ = PRODUCTS[product]
        return message(
            f"line-{number}-{product}",
            {"title": name, "qty": qty, "price": price},
            associations={"DEAL": [f"order-{number}"], "PRODUCT": [f"product-{product}"]},
        )

    def abandon_cart(self, number: str, customer: str = "ada") -> None:
        """A customer, and a checkout of 2 mugs and a cap (40.00) left at checkout."""
        self.products()
        self.sync("CONTACT", self.customer(customer))
        self.sync("DEAL", self.order(number, customer, "checkout_abandoned", 40))
        self.sync("LINE_ITEM", self.line(number, "mug", 2), self.line(number, "cap", 1))

    def hubspot_id(self, object_type: str, external_id: str) -> int:
        path = f"/extensions/ecomm/v2/sync/status/{self.store}/{object_type}/{external_id}"
        response = self.client.get(self.url(path))
        assert response.status_code == 200, response.text
        return int(response.json()["hubspotId"])

    # -- workflows -----------------------------------------------------------------------------

    def workflow(self, key: str, **changes: Any) -> dict[str, Any]:
        body = render_workflow(DEFAULTS[key]) | {"enabled": True} | changes
        response = self.client.put(self.url(f"{WORKFLOWS}/{key}"), json=body)
        assert response.status_code == 200, response.text
        self.run_due()  # re-engagement's scan is queued at once
        return dict(response.json())

    def enrollments(self, key: str) -> list[dict[str, Any]]:
        response = self.client.get(self.url(f"{WORKFLOWS}/{key}/enrollments"))
        assert response.status_code == 200, response.text
        return list(response.json()["results"])


def delays(*minutes: float, subject: str = "Email {n}") -> list[dict[str, Any]]:
    return [
        {"delayMinutes": m, "subject": subject.format(n=n + 1), "bodyTemplate": None}
        for n, m in enumerate(minutes)
    ]


ShopFactory = Callable[..., Shop]
