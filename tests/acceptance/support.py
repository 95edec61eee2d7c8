"""Small helpers shared by the acceptance scenarios: wire constants, HubSpot's error shape, the
query strings real clients build, and a deterministic shop."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.support.wire import error_category

V1 = "/extensions/ecomm/v1"
V2 = "/extensions/ecomm/v2"
JSON = {"Content-Type": "application/json"}
ERROR_CATEGORIES = {
    "VALIDATION_ERROR",
    "INVALID_AUTHENTICATION",
    "MISSING_SCOPES",
    "OBJECT_NOT_FOUND",
    "RATE_LIMITS",
    "CONFLICT",
}


def php_query(hapikey: str, **params: object) -> str:
    """hubspot-php's query string: a leading empty component, the key last (``?&a=1&hapikey=K``)."""
    pairs = [f"{name}={value}" for name, value in params.items()]
    return "?&" + "&".join([*pairs, f"hapikey={hapikey}"])


def assert_error_shape(body: Any, status: int) -> None:
    """Every 4xx body: HubSpot's error object, with one of the categories the bridge uses."""
    assert error_category(body) in ERROR_CATEGORIES, (status, body)


def v2_mapping(*pairs: tuple[str, str] | tuple[str, str, str]) -> dict[str, Any]:
    properties = []
    for pair in pairs:
        entry = {"externalPropertyName": pair[0], "hubspotPropertyName": pair[1]}
        if len(pair) == 3:
            entry["dataType"] = pair[2]
        properties.append(entry)
    return {"properties": properties}


def shop_mappings() -> dict[str, Any]:
    """The v2 mappings of the acceptance shop (datatypes as hubwoo-style integrations send)."""
    return {
        "CONTACT": v2_mapping(
            ("email", "email", "STRING"),
            ("first_name", "firstname", "STRING"),
            ("last_name", "lastname", "STRING"),
        ),
        "PRODUCT": v2_mapping(
            ("title", "name", "STRING"),
            ("price", "price", "NUMBER"),
            ("sku", "hs_sku", "STRING"),
            ("image", "ip__ecomm_bridge__image_url", "AVATAR_IMAGE"),
        ),
        "DEAL": v2_mapping(
            ("name", "dealname", "STRING"),
            ("stage", "dealstage", "STRING"),
            ("total", "amount", "NUMBER"),
            ("closed_at", "closedate", "DATETIME"),
            ("kind", "dealtype", "STRING"),
        ),
        "LINE_ITEM": v2_mapping(
            ("name", "name", "STRING"),
            ("quantity", "quantity", "NUMBER"),
            ("price", "price", "NUMBER"),
        ),
    }


def v1_shop_settings() -> dict[str, Any]:
    """mitxpro/edX v1 settings: associations as ``hs_assoc__*`` mapped properties."""

    def props(*rows: tuple[str, str, str]) -> dict[str, Any]:
        return {
            "properties": [
                {"propertyName": name, "dataType": data_type, "targetHubspotProperty": target}
                for name, target, data_type in rows
            ]
        }

    return {
        "enabled": True,
        "productSyncSettings": props(
            ("title", "name", "STRING"), ("price", "price", "NUMBER"), ("sku", "hs_sku", "STRING")
        ),
        "dealSyncSettings": props(
            ("name", "dealname", "STRING"),
            ("stage", "dealstage", "STRING"),
            ("total", "amount", "NUMBER"),
            ("kind", "dealtype", "STRING"),
            ("customer", "hs_assoc__contact_ids", "STRING"),
        ),
        "lineItemSyncSettings": props(
            ("name", "name", "STRING"),
            ("quantity", "quantity", "NUMBER"),
            ("price", "price", "NUMBER"),
            ("order", "hs_assoc__deal_id", "STRING"),
            ("product", "hs_assoc__product_id", "STRING"),
        ),
        "contactSyncSettings": props(
            ("email", "email", "STRING"),
            ("first_name", "firstname", "STRING"),
            ("last_name", "lastname", "STRING"),
        ),
    }


# --- A deterministic shop -------------------------------------------------------------------

T0 = 1_700_000_000_000  # changedAt of every record's first version


@dataclass(frozen=True)
class Record:
    """One object as the shop holds it: external property names, associations by external id."""

    object_type: str
    external_id: str
    properties: dict[str, Any]
    associations: dict[str, list[str]] = field(default_factory=dict)

    def v2(self, changed_at: int = T0, action: str = "UPSERT") -> dict[str, Any]:
        message: dict[str, Any] = {
            "action": action,
            "changedAt": changed_at,
            "externalObjectId": self.external_id,
            "properties": self.properties,
        }
        if self.associations:
            message["associations"] = self.associations
        return message

    def v1(self, changed_at: int = T0, action: str = "UPSERT") -> dict[str, Any]:
        """The v1 form: associations as the ``hs_assoc__*``-mapped properties."""
        values = dict(self.properties)
        for target_type, ids in self.associations.items():
            values[V1_ASSOCIATION_PROPERTY[target_type]] = ";".join(ids)
        return {
            "integratorObjectId": self.external_id,
            "action": action,
            "changeOccurredTimestamp": changed_at,
            "propertyNameToValues": values,
        }

    def import_message(self) -> dict[str, Any]:
        message: dict[str, Any] = {"externalObjectId": self.external_id}
        if self.properties:
            message["properties"] = self.properties
        if self.associations:
            message["associations"] = self.associations
        return message


# External names v1_shop_settings maps to hs_assoc__contact_ids, __deal_id and __product_id.
V1_ASSOCIATION_PROPERTY = {"CONTACT": "customer", "DEAL": "order", "PRODUCT": "product"}

# external property -> HubSpot property, per type (the same in shop_mappings and v1_shop_settings)
HUBSPOT_NAMES = {
    "CONTACT": {"email": "email", "first_name": "firstname", "last_name": "lastname"},
    "PRODUCT": {"title": "name", "price": "price", "sku": "hs_sku"},
    "DEAL": {"name": "dealname", "stage": "dealstage", "total": "amount", "kind": "dealtype"},
    "LINE_ITEM": {"name": "name", "quantity": "quantity", "price": "price"},
}

STAGES = ("checkout_abandoned", "checkout_pending", "checkout_completed", "processed", "shipped")


@dataclass
class Shop:
    products: list[Record]
    contacts: list[Record]
    deals: list[Record]
    line_items: list[Record]

    def of(self, object_type: str) -> list[Record]:
        return {
            "PRODUCT": self.products,
            "CONTACT": self.contacts,
            "DEAL": self.deals,
            "LINE_ITEM": self.line_items,
        }[object_type]


def make_shop(products: int, contacts: int, deals: int, line_items: int, *, invalid: bool) -> Shop:
    """A shop whose records depend only on the sizes. With ``invalid``, every 97th contact has no
    email, every 89th a malformed one, every 83rd deal an unknown stage, every 79th an unknown
    dealtype and every 73rd line item names a deal that does not exist."""
    shop = Shop([], [], [], [])
    for i in range(products):
        shop.products.append(
            Record(
                "PRODUCT",
                f"p-{i}",
                {"title": f"Product {i}", "price": f"{5 + i % 50}.{i % 100:02d}", "sku": f"SKU{i}"},
            )
        )
    for i in range(contacts):
        email: str | None = f"customer{i}@example.com"
        if invalid and i % 97 == 13:
            email = None
        elif invalid and i % 89 == 7:
            email = f"customer{i}-at-example.com"
        props: dict[str, Any] = {"first_name": f"First{i}", "last_name": f"Läst{i}"}
        if email is not None:
            props["email"] = email
        shop.contacts.append(Record("CONTACT", f"c-{i}", props))
    for i in range(deals):
        stage = STAGES[i % len(STAGES)]
        kind = "newbusiness" if i % 2 else "existingbusiness"
        if invalid and i % 83 == 5:
            stage = "lost-in-space"
        if invalid and i % 79 == 11:
            kind = "barter"
        shop.deals.append(
            Record(
                "DEAL",
                f"d-{i}",
                {"name": f"Order #{i}", "stage": stage, "total": 10 + i, "kind": kind},
                {"CONTACT": [f"c-{(i * 7) % max(contacts, 1)}"]},
            )
        )
    for i in range(line_items):
        deal = f"d-{i % max(deals, 1)}"
        if invalid and i % 73 == 3:
            deal = "d-missing"
        shop.line_items.append(
            Record(
                "LINE_ITEM",
                f"l-{i}",
                {"name": f"Line {i}", "quantity": 1 + i % 4, "price": 5 + i % 50},
                {"DEAL": [deal], "PRODUCT": [f"p-{(i * 3) % max(products, 1)}"]},
            )
        )
    return shop
