"""Generate the demo shop: customers, a catalogue with image URLs, 90 days of orders with 1-5
line items, abandoned checkouts, cancellations, and a few bad records that end up as sync
errors (invalid emails, a contact without email, an unknown deal stage).

Everything comes from ``random.Random(seed)`` and a fixed end time, so the same seed and size
give the same shop, message for message.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from ecombridge.client import PropertyMapping, Settings, Store, SyncMessage
from ecombridge.demo.vocabulary import (
    CATALOGUE,
    COLOURS,
    FIRST_NAMES,
    LAST_NAMES,
    MAIL_DOMAINS,
    PLACES,
)

DAY_MS = 86_400_000
SHOP_URL = "https://demo-outfitters.example.com"


@dataclass(frozen=True)
class Size:
    customers: int
    products: int
    orders: int


SIZES = {
    "tiny": Size(customers=8, products=6, orders=12),
    "small": Size(customers=40, products=20, orders=80),
    "medium": Size(customers=300, products=60, orders=700),
    "large": Size(customers=2000, products=150, orders=5000),
}


@dataclass
class DemoShop:
    store: Store
    settings: Settings
    products: list[SyncMessage] = field(default_factory=list)
    contacts: list[SyncMessage] = field(default_factory=list)
    deals: list[SyncMessage] = field(default_factory=list)
    line_items: list[SyncMessage] = field(default_factory=list)

    def by_type(self) -> dict[str, list[SyncMessage]]:
        """Messages per object type, in the order that lets associations resolve at once."""
        return {
            "PRODUCT": self.products,
            "CONTACT": self.contacts,
            "DEAL": self.deals,
            "LINE_ITEM": self.line_items,
        }

    @property
    def total(self) -> int:
        return sum(len(messages) for messages in self.by_type().values())


def _m(ext: str, hub: str, data_type: str = "STRING") -> PropertyMapping:
    return PropertyMapping(ext, hub, data_type)


def demo_settings() -> Settings:
    """Portal-level mappings from the shop's field names to CRM properties."""
    return Settings(
        enabled=True,
        mappings={
            "CONTACT": [
                _m("email", "email"),
                _m("first_name", "firstname"),
                _m("last_name", "lastname"),
                _m("phone", "phone"),
                _m("city", "city"),
                _m("country", "country"),
                _m("signed_up_at", "createdate", "DATETIME"),
            ],
            "PRODUCT": [
                _m("title", "name"),
                _m("sku", "hs_sku"),
                _m("price", "price", "NUMBER"),
                _m("body", "description"),
                _m("image", "ip__ecomm_bridge__image_url", "AVATAR_IMAGE"),
                _m("created_at", "createdate", "DATETIME"),
            ],
            "DEAL": [
                _m("title", "dealname"),
                _m("status", "dealstage"),
                _m("total", "amount", "NUMBER"),
                _m("placed_at", "createdate", "DATETIME"),
                _m("closed_at", "closedate", "DATETIME"),
                _m("number", "ip__ecomm_bridge__order_number"),
                _m("discount", "ip__ecomm_bridge__discount_amount", "NUMBER"),
                _m("tax", "ip__ecomm_bridge__tax_amount", "NUMBER"),
                _m("cart_url", "ip__ecomm_bridge__abandoned_cart_url"),
                _m("shipments", "ip__ecomm_bridge__shipment_ids"),
            ],
            "LINE_ITEM": [
                _m("title", "name"),
                _m("qty", "quantity", "NUMBER"),
                _m("unit_price", "price", "NUMBER"),
                _m("line_total", "amount", "NUMBER"),
                _m("sku", "description"),
                _m("currency", "hs_line_item_currency_code"),
            ],
        },
    )


class _Builder:
    def __init__(self, seed: int, size: Size, end_ms: int, store_id: str) -> None:
        self.rng = random.Random(seed)
        self.size = size
        self.end_ms = end_ms
        self.start_ms = end_ms - 90 * DAY_MS
        self.store_id = store_id
        self.prices: dict[str, float] = {}
        self.titles: dict[str, str] = {}

    def _when(self, start: int, end: int) -> int:
        return self.rng.randrange(start, end) // 1000 * 1000

    def products(self) -> list[SyncMessage]:
        out = []
        for i in range(self.size.products):
            category, names, (low, high) = CATALOGUE[i % len(CATALOGUE)]
            base = names[(i // len(CATALOGUE)) % len(names)]
            colour = self.rng.choice(COLOURS)
            sku = f"DO-{category[:3].upper()}-{1000 + i}"
            price = round(self.rng.uniform(low, high), 0) - 0.01
            self.prices[sku] = price
            self.titles[sku] = f"{base} ({colour})"
            created = self._when(self.start_ms - 300 * DAY_MS, self.start_ms)
            props = {
                "title": f"{base} ({colour})",
                "sku": sku,
                "price": price,
                "body": f"{category}: {base.lower()} in {colour.lower()}, built for long trails.",
                "image": f"https://picsum.photos/seed/{sku.lower()}/600/600",
                "created_at": created,
            }
            out.append(SyncMessage(sku, props, changed_at=created))
        return out

    def contacts(self) -> list[SyncMessage]:
        out = []
        for i in range(self.size.customers):
            first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
            city, country = self.rng.choice(PLACES)
            local = f"{first}.{last}".lower().encode("ascii", "ignore").decode()
            created = self._when(self.start_ms - 365 * DAY_MS, self.end_ms - DAY_MS)
            props = {
                "email": f"{local}{i}@{self.rng.choice(MAIL_DOMAINS)}",
                "first_name": first,
                "last_name": last,
                "phone": f"+1 555 {self.rng.randrange(1000000, 9999999)}",
                "city": city,
                "country": country,
                "signed_up_at": created,
            }
            out.append(SyncMessage(f"cust-{1000 + i}", props, changed_at=created))
        return out

    def orders(
        self, products: list[SyncMessage], contacts: list[SyncMessage]
    ) -> tuple[list[SyncMessage], list[SyncMessage]]:
        deals: list[SyncMessage] = []
        lines: list[SyncMessage] = []
        skus = [p.external_object_id for p in products]
        for i in range(self.size.orders):
            number = 10001 + i
            order_id = f"order-{number}"
            customer = self.rng.choice(contacts).external_object_id
            placed = self._when(self.start_ms, self.end_ms)
            subtotal = 0.0
            for n in range(self.rng.randint(1, 5)):
                sku = self.rng.choice(skus)
                qty = self.rng.choices((1, 2, 3, 4), weights=(70, 20, 7, 3))[0]
                unit = self.prices[sku]
                subtotal += qty * unit
                props = {
                    "title": self.titles[sku],
                    "qty": qty,
                    "unit_price": unit,
                    "line_total": round(qty * unit, 2),
                    "sku": sku,
                    "currency": "USD",
                }
                assoc = {"DEAL": [order_id], "PRODUCT": [sku]}
                lines.append(SyncMessage(f"{order_id}-{n + 1}", props, assoc, changed_at=placed))
            discount = round(subtotal * 0.1, 2) if self.rng.random() < 0.15 else 0.0
            tax = round((subtotal - discount) * 0.08, 2)
            status = self._status(placed)
            props = {
                "title": f"Order #{number}",
                "status": status,
                "total": round(subtotal - discount + tax, 2),
                "placed_at": placed,
                "number": str(number),
                "discount": discount,
                "tax": tax,
            }
            if status in ("processed", "shipped"):
                props["closed_at"] = placed + self.rng.randrange(1, 3) * DAY_MS // 2
            if status == "shipped":
                props["shipments"] = f"1Z{self.rng.randrange(10**9, 10**10)}"
            if status == "checkout_abandoned":
                props["cart_url"] = f"{SHOP_URL}/cart/recover/{order_id}"
                props["title"] = f"Abandoned cart #{number}"
            assoc = {"CONTACT": [customer]}
            deals.append(SyncMessage(order_id, props, assoc, changed_at=placed))
            if status == "processed" and self.rng.random() < 0.06:
                # Cancelled after being placed: a later message wins (last writer wins).
                cancelled_at = min(self.end_ms - 1000, placed + self.rng.randint(1, 3) * DAY_MS)
                deals.append(
                    SyncMessage(
                        order_id,
                        {"status": "cancelled", "closed_at": cancelled_at},
                        changed_at=cancelled_at,
                    )
                )
        return deals, lines

    def _status(self, placed: int) -> str:
        age_days = (self.end_ms - placed) / DAY_MS
        roll = self.rng.random()
        if roll < 0.12:
            return "checkout_abandoned"
        if roll < 0.16:
            return "cancelled"
        if age_days < 3:
            return self.rng.choice(("checkout_pending", "checkout_completed", "processed"))
        return "shipped" if roll < 0.85 else "processed"

    def bad_records(self, contacts: list[SyncMessage], deals: list[SyncMessage]) -> None:
        """A few records the bridge must refuse, so sync errors have something to show."""
        when = self.end_ms - DAY_MS
        contacts.append(
            SyncMessage(
                "cust-bad-1",
                {"email": "jamie.at.example.com", "first_name": "Jamie"},
                changed_at=when,
            )
        )
        contacts.append(
            SyncMessage(
                "cust-bad-2", {"email": "sam@@example", "first_name": "Sam"}, changed_at=when
            )
        )
        contacts.append(SyncMessage("cust-bad-3", {"first_name": "No Email"}, changed_at=when))
        customer = contacts[0].external_object_id
        deals.append(
            SyncMessage(
                "order-bad-1",
                {"title": "Order #BAD-1", "status": "awaiting_fraud_review", "total": 42.0},
                {"CONTACT": [customer]},
                changed_at=when,
            )
        )


def generate(
    seed: int = 42, size: str | Size = "medium", *, end_ms: int, store_id: str = "demo-outfitters"
) -> DemoShop:
    """The demo shop for ``seed`` and ``size``; orders fall in the 90 days before ``end_ms``."""
    dims = SIZES[size] if isinstance(size, str) else size
    builder = _Builder(seed, dims, end_ms, store_id)
    products = builder.products()
    contacts = builder.contacts()
    deals, lines = builder.orders(products, contacts)
    builder.bad_records(contacts, deals)
    store = Store(store_id, "Demo Outfitters", f"{SHOP_URL}/admin")
    return DemoShop(store, demo_settings(), products, contacts, deals, lines)
