"""A portal with a small synced shop: contacts, products, deals, line items, associations."""

from __future__ import annotations

from dataclasses import dataclass

from ecombridge.crm_schema.service import ensure_portal_schema
from ecombridge.db.engine import Database
from tests.support.factories import Portal, make_portal, make_private_app_token
from tests.support.sync_rows import T0, associate, insert_crm_object

DAY = 86_400_000


@dataclass(frozen=True)
class Shop:
    portal: Portal
    token: str  # a private-app token of the portal
    jane: int
    john: int
    ana: int
    mug: int
    tee: int
    order1: int  # Jane's, two lines
    order2: int  # John's, one line
    line1: int
    line2: int
    line3: int


def build_shop(db: Database, name: str = "Shop") -> Shop:
    portal = make_portal(db, name)
    with db.write() as conn:
        ensure_portal_schema(conn, portal.id)
    p = portal.id

    def contact(email: str, first: str, last: str, day: int) -> int:
        props = {"email": email, "firstname": first, "lastname": last}
        return insert_crm_object(db, p, "CONTACT", props, created_at=T0 + day * DAY)

    jane = contact("Jane@Example.com", "Jane", "Doe", 0)
    john = contact("john@example.org", "John", "Smith", 1)
    ana = contact("ana@example.com", "Ana María", "López", 2)
    mug = insert_crm_object(
        db, p, "PRODUCT", {"name": "Coffee mug", "price": 12.5, "hs_sku": "MUG-1"}
    )
    tee = insert_crm_object(db, p, "PRODUCT", {"name": "T-shirt", "price": 20, "description": None})
    order1 = insert_crm_object(
        db, p, "DEAL",
        {"dealname": "Order #1", "amount": 45, "dealstage": "processed", "closedate": T0 + DAY},
        created_at=T0, updated_at=T0 + 5,
    )  # fmt: skip
    order2 = insert_crm_object(
        db, p, "DEAL",
        {"dealname": "Order #2", "amount": 20.25, "dealstage": "checkout_pending"},
        created_at=T0 + DAY,
    )  # fmt: skip
    line1 = insert_crm_object(
        db, p, "LINE_ITEM", {"name": "Coffee mug", "quantity": 2, "price": 12.5}
    )
    line2 = insert_crm_object(db, p, "LINE_ITEM", {"name": "T-shirt", "quantity": 1, "price": 20})
    line3 = insert_crm_object(
        db, p, "LINE_ITEM", {"name": "T-shirt", "quantity": 1, "price": 20.25}
    )
    associate(db, p, "DEAL", order1, "CONTACT", jane)
    associate(db, p, "DEAL", order2, "CONTACT", john)
    for line, deal, product in ((line1, order1, mug), (line2, order1, tee), (line3, order2, tee)):
        associate(db, p, "LINE_ITEM", line, "DEAL", deal)
        associate(db, p, "LINE_ITEM", line, "PRODUCT", product)
    token = make_private_app_token(db, p)
    return Shop(portal, token, jane, john, ana, mug, tee, order1, order2, line1, line2, line3)
