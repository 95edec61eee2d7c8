"""A realistic store, generated deterministically from a seed, as v2 sync batches.

Customers, a catalogue, orders with 1-5 line items; about 5% of objects also get an update whose
messages arrive out of order (the newer version is sent first); a few invalid messages (contacts
with a malformed email, deals in a stage that does not exist) to exercise the error path.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

BATCH_SIZE = 200
BASE_TIME_MS = 1_700_000_000_000
STAGES = ["checkout_abandoned", "checkout_pending", "checkout_completed", "processed", "shipped"]
FIRST_NAMES = ["Ada", "Ben", "Chloe", "Dev", "Elif", "Femi", "Gia", "Hugo", "Ines", "Jon", "Kai"]
LAST_NAMES = ["Okafor", "Schmidt", "Tanaka", "Rossi", "Novak", "Silva", "Kowalski", "Dubois"]
PRODUCT_WORDS = ["Linen", "Oak", "Copper", "Wool", "Ceramic", "Canvas", "Walnut", "Cotton"]
PRODUCT_KINDS = ["Lamp", "Mug", "Scarf", "Chair", "Bowl", "Tote", "Blanket", "Shelf"]

# Mappings the benchmark store uses: external property name -> (CRM property, dataType).
MAPPINGS: dict[str, list[tuple[str, str, str]]] = {
    "CONTACT": [
        ("email", "email", "STRING"),
        ("first_name", "firstname", "STRING"),
        ("last_name", "lastname", "STRING"),
        ("phone", "phone", "STRING"),
        ("city", "city", "STRING"),
    ],
    "PRODUCT": [
        ("title", "name", "STRING"),
        ("price", "price", "NUMBER"),
        ("sku", "hs_sku", "STRING"),
        ("body", "description", "STRING"),
    ],
    "DEAL": [
        ("name", "dealname", "STRING"),
        ("stage", "dealstage", "STRING"),
        ("total", "amount", "NUMBER"),
        ("placed_at", "closedate", "DATETIME"),
        ("number", "ip__ecomm_bridge__order_number", "STRING"),
    ],
    "LINE_ITEM": [
        ("title", "name", "STRING"),
        ("qty", "quantity", "NUMBER"),
        ("unit_price", "price", "NUMBER"),
        ("line_total", "amount", "NUMBER"),
    ],
}

# Objects are sent parents first, as integrations do.
SEND_ORDER = ("PRODUCT", "CONTACT", "DEAL", "LINE_ITEM")


def settings_body() -> dict[str, Any]:
    return {
        "enabled": True,
        "webhookUri": None,
        "mappings": {
            object_type: {
                "properties": [
                    {"externalPropertyName": ext, "hubspotPropertyName": crm, "dataType": dt}
                    for ext, crm, dt in rows
                ]
            }
            for object_type, rows in MAPPINGS.items()
        },
    }


@dataclass
class Store:
    """Messages per object type, in the order they are sent."""

    messages: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {t: [] for t in SEND_ORDER}
    )

    @property
    def message_count(self) -> int:
        return sum(len(m) for m in self.messages.values())

    def batches(self) -> Iterator[tuple[str, list[dict[str, Any]]]]:
        for object_type in SEND_ORDER:
            messages = self.messages[object_type]
            for start in range(0, len(messages), BATCH_SIZE):
                yield object_type, messages[start : start + BATCH_SIZE]


def sizes_for(total_messages: int) -> tuple[int, int, int]:
    """Customers, products and orders giving about ``total_messages`` messages in all: an order
    averages 1 deal + 3 line items, plus half a customer and a tenth of a product, and 5% of
    messages come with an update (4.6 x 1.05 = 4.83 messages per order)."""
    orders = max(1, total_messages * 100 // 483)
    return max(1, orders // 2), max(1, orders // 10), orders


def generate(total_messages: int, seed: int = 1) -> Store:
    rng = random.Random(seed)
    customers, products, orders = sizes_for(total_messages)
    store = Store()
    clock = BASE_TIME_MS

    def emit(object_type: str, external_id: str, properties: dict[str, Any], **extra: Any) -> None:
        nonlocal clock
        clock += rng.randint(1, 50)
        message: dict[str, Any] = {
            "action": "UPSERT",
            "externalObjectId": external_id,
            "changedAt": clock,
            "properties": properties,
        }
        message.update(extra)
        if rng.random() < 0.05:  # an update, delivered before the original (out of order)
            newer = dict(message, changedAt=clock + 86_400_000, properties=_touched(properties))
            store.messages[object_type].append(newer)
        store.messages[object_type].append(message)

    for p in range(products):
        word, kind = rng.choice(PRODUCT_WORDS), rng.choice(PRODUCT_KINDS)
        emit(
            "PRODUCT",
            f"sku-{p}",
            {
                "title": f"{word} {kind}",
                "price": round(rng.uniform(5, 250), 2),
                "sku": f"SKU{p:07d}",
                "body": f"A {word.lower()} {kind.lower()} made to last.",
            },
        )
    for c in range(customers):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = f"{first}.{last}.{c}@example.com".lower()
        if rng.random() < 0.002:
            email = f"{first}.{last}.{c}-at-example.com"  # invalid: INVALID_EMAIL_ADDRESS
        emit(
            "CONTACT",
            f"cust-{c}",
            {
                "email": email,
                "first_name": first,
                "last_name": last,
                "phone": f"+44 20 7946 {c % 10000:04d}",
                "city": rng.choice(["Leeds", "Lyon", "Porto", "Graz", "Turin"]),
            },
        )
    line_number = 0
    for o in range(orders):
        lines = [
            (f"line-{line_number + i}", rng.randrange(products), rng.randint(1, 4))
            for i in range(rng.randint(1, 5))
        ]
        line_number += len(lines)
        stage = rng.choice(STAGES) if rng.random() > 0.002 else "teleported"  # invalid stage
        total = 0.0
        for external_id, product, qty in lines:
            unit = round(rng.uniform(5, 250), 2)
            total += unit * qty
            emit(
                "LINE_ITEM",
                external_id,
                {
                    "title": f"Item {product}",
                    "qty": qty,
                    "unit_price": unit,
                    "line_total": round(unit * qty, 2),
                },
                associations={"DEAL": [f"order-{o}"], "PRODUCT": [f"sku-{product}"]},
            )
        emit(
            "DEAL",
            f"order-{o}",
            {
                "name": f"Order #{o}",
                "stage": stage,
                "total": round(total, 2),
                "placed_at": clock,
                "number": str(o),
            },
            associations={"CONTACT": [f"cust-{rng.randrange(customers)}"]},
        )
    return store


def _touched(properties: dict[str, Any]) -> dict[str, Any]:
    changed = dict(properties)
    for key, value in properties.items():
        if isinstance(value, float):
            changed[key] = round(value * 1.1, 2)
            break
        if isinstance(value, str) and key not in ("email", "stage", "sku"):
            changed[key] = value + " (updated)"
            break
    return changed
