"""Seed data for the web UI's tests, inserted directly so no test waits on the sync engine."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ecombridge.clock import now_ms
from ecombridge.crm_schema.service import ensure_portal_schema
from ecombridge.db.engine import Database
from ecombridge.db.sequences import allocate_ids
from ecombridge.db.tables import associations, crm_objects, stores, sync_errors, sync_objects
from ecombridge.web import service

DAY_MS = 24 * 3600 * 1000
PASSWORD = "correct horse battery"


def make_user(db: Database, portal_id: int, email: str, password: str = PASSWORD) -> int:
    with db.write() as conn:
        return service.create_user(conn, portal_id, email, password)


def insert_store(
    conn: Connection, portal_id: int, app_id: int, store_id: str, label: str, admin_uri: str
) -> None:
    now = now_ms()
    conn.execute(
        sa.insert(stores).values(
            portal_id=portal_id,
            source_app_id=app_id,
            id=store_id,
            label=label,
            admin_uri=admin_uri,
            created_at=now,
            updated_at=now,
        )
    )


def insert_object(
    conn: Connection,
    portal_id: int,
    object_type: str,
    properties: dict[str, Any],
    *,
    app_id: int = 0,
    store_id: str = "default",
    external_id: str | None = None,
    at: int | None = None,
) -> int:
    """A CRM object and the sync link that filed it under a store."""
    at = at or now_ms()
    (object_id,) = allocate_ids(conn, "crm_object")
    email = properties.get("email")
    conn.execute(
        sa.insert(crm_objects).values(
            portal_id=portal_id,
            object_type=object_type,
            id=object_id,
            properties={k: None if v is None else str(v) for k, v in properties.items()},
            email_key=email.lower() if object_type == "CONTACT" and email else None,
            created_at=at,
            updated_at=at,
        )
    )
    conn.execute(
        sa.insert(sync_objects).values(
            portal_id=portal_id,
            source_app_id=app_id,
            store_id=store_id,
            object_type=object_type,
            external_id=external_id or f"{object_type.lower()}-{object_id}",
            hubspot_id=object_id,
            last_changed_at=at,
            last_processed_at=at,
            created_at=at,
        )
    )
    return object_id


def associate(
    conn: Connection, portal_id: int, from_type: str, from_id: int, to_type: str, to_id: int
) -> None:
    conn.execute(
        sa.insert(associations).values(
            portal_id=portal_id,
            from_type=from_type,
            from_id=from_id,
            to_type=to_type,
            to_id=to_id,
            created_at=now_ms(),
        )
    )


def insert_error(
    conn: Connection,
    portal_id: int,
    object_type: str,
    external_id: str,
    error_type: str,
    details: str,
    *,
    app_id: int = 0,
    store_id: str = "default",
    status: str = "OPEN",
    at: int | None = None,
) -> None:
    at = at or now_ms()
    conn.execute(
        sa.insert(sync_errors).values(
            portal_id=portal_id,
            source_app_id=app_id,
            store_id=store_id,
            object_type=object_type,
            external_id=external_id,
            type=error_type,
            details=details,
            changed_at=at,
            errored_at=at,
            status=status,
        )
    )


@dataclass
class Shop:
    """What seed_shop made: ids the tests look for."""

    contacts: dict[str, int] = field(default_factory=dict)
    products: dict[str, int] = field(default_factory=dict)
    deals: dict[str, int] = field(default_factory=dict)
    line_items: list[int] = field(default_factory=list)
    errored_external_id: str = "deal-broken"
    errored_deal_id: int = 0


# (order, customer, stage, amount, days ago, store)
ORDERS = [
    ("1001", "ada", "shipped", "120.00", 1, "main"),
    ("1002", "ada", "processed", "80.50", 2, "main"),
    ("1003", "grace", "checkout_completed", "45.00", 2, "outlet"),
    ("1004", "linus", "checkout_abandoned", "60.00", 3, "main"),
    ("1005", "grace", "checkout_pending", "15.25", 4, "outlet"),
    ("1006", "linus", "cancelled", "30.00", 5, "main"),
    ("1007", "margaret", "shipped", "210.00", 40, "main"),
    ("1008", "margaret", "shipped", "99.99", 3, "outlet"),
]
CUSTOMERS = {
    "ada": ("Ada", "Lovelace", "ada@example.com"),
    "grace": ("Grace", "Hopper", "grace@example.com"),
    "linus": ("Linus", "Torvalds", "linus@example.com"),
    "margaret": ("Margaret", "Hamilton", "margaret@example.com"),
}
PRODUCTS = {"mug": ("Enamel mug", "12.50"), "tee": ("Logo tee", "25.00"), "cap": ("Cap", "15.00")}


def seed_shop(db: Database, portal_id: int, app_id: int = 0) -> Shop:
    """Two stores of a small shop: customers, products, orders in every stage, one sync error."""
    shop = Shop()
    now = now_ms()
    with db.write() as conn:
        ensure_portal_schema(conn, portal_id)
        insert_store(conn, portal_id, app_id, "main", "Main shop", "https://shop.example.com/admin")
        insert_store(
            conn, portal_id, app_id, "outlet", "Outlet", "https://outlet.example.com/admin"
        )
        for key, (first, last, email) in CUSTOMERS.items():
            props = {"firstname": first, "lastname": last, "email": email, "city": "London"}
            shop.contacts[key] = insert_object(
                conn,
                portal_id,
                "CONTACT",
                props,
                app_id=app_id,
                store_id="main",
                external_id=f"customer-{key}",
                at=now - 60 * DAY_MS,
            )
        for key, (name, price) in PRODUCTS.items():
            props = {"name": name, "price": price, "hs_sku": key.upper()}
            shop.products[key] = insert_object(
                conn,
                portal_id,
                "PRODUCT",
                props,
                app_id=app_id,
                store_id="main",
                external_id=f"product-{key}",
            )
        for number, customer, stage, amount, days_ago, store in ORDERS:
            at = now - days_ago * DAY_MS
            props = {
                "dealname": f"Order #{number}",
                "dealstage": stage,
                "amount": amount,
                "closedate": str(at),
                "createdate": str(at),
                "ip__ecomm_bridge__order_number": number,
            }
            deal_id = insert_object(
                conn,
                portal_id,
                "DEAL",
                props,
                app_id=app_id,
                store_id=store,
                external_id=f"order-{number}",
                at=at,
            )
            shop.deals[number] = deal_id
            associate(conn, portal_id, "DEAL", deal_id, "CONTACT", shop.contacts[customer])
            product = ("mug", "tee", "cap")[int(number) % 3]
            name, price = PRODUCTS[product]
            line = insert_object(
                conn,
                portal_id,
                "LINE_ITEM",
                {"name": name, "quantity": "2", "price": price, "amount": amount},
                app_id=app_id,
                store_id=store,
                external_id=f"line-{number}",
                at=at,
            )
            shop.line_items.append(line)
            associate(conn, portal_id, "LINE_ITEM", line, "DEAL", deal_id)
            associate(conn, portal_id, "LINE_ITEM", line, "PRODUCT", shop.products[product])
        shop.errored_deal_id = insert_object(
            conn,
            portal_id,
            "DEAL",
            {"dealname": "Order #1099", "amount": "5.00"},
            app_id=app_id,
            store_id="main",
            external_id=shop.errored_external_id,
        )
        insert_error(
            conn,
            portal_id,
            "DEAL",
            shop.errored_external_id,
            "INVALID_DEAL_STAGE",
            json.dumps({"dealstage": "empty", "message": "empty is not a stage of the pipeline"}),
            app_id=app_id,
            store_id="main",
        )
        insert_error(
            conn,
            portal_id,
            "CONTACT",
            "customer-nobody",
            "MISSING_REQUIRED_PROPERTY",
            "email is required",
            app_id=app_id,
            store_id="outlet",
            status="RESOLVED",
        )
    return shop
