"""The variables of a workflow email, read from the CRM: the contact, the deal (the cart, the first
order, or the last one), its line items with their products, the store and the portal. Money is
formatted in the portal's currency with babel; every value is a plain string, list or dict, so
templates see the data given and nothing else."""

from __future__ import annotations

from typing import Any

from babel.numbers import UnknownCurrencyError, format_currency, format_decimal
from sqlalchemy.engine import Connection

from ecombridge.web.format import to_number
from ecombridge.workflows import shop_repository as shop

LOCALE = "en_US"
IMAGE_PROPERTY = "ip__ecomm_bridge__image_url"
CART_URL_PROPERTY = "ip__ecomm_bridge__abandoned_cart_url"
MAX_LINE_ITEMS = 50


def money(amount: float | None, currency: str) -> str:
    if amount is None:
        return ""
    try:
        return str(format_currency(amount, currency, locale=LOCALE))
    except (UnknownCurrencyError, ValueError):
        return f"{format_decimal(amount, locale=LOCALE)} {currency}"


def _quantity(value: Any) -> str:
    number = to_number(value)
    if number is None:
        return "1"
    return str(int(number)) if number.is_integer() else f"{number:g}"


def _url(value: Any) -> str:
    text = str(value or "").strip()
    return text if text.startswith(("https://", "http://")) else ""


def email_data(
    conn: Connection,
    portal_id: int,
    contact_id: int,
    deal_id: int | None,
    unsubscribe_url: str,
) -> dict[str, Any] | None:
    """The variables for an email to ``contact_id`` about ``deal_id``; None when the contact
    is gone."""
    contacts = shop.objects(conn, portal_id, "CONTACT", [contact_id])
    if contact_id not in contacts:
        return None
    contact = dict(contacts[contact_id].properties or {})
    portal = shop.portal(conn, portal_id)
    currency = portal.currency if portal is not None else "USD"
    portal_name = portal.name if portal is not None else ""
    deal: dict[str, Any] = {}
    store_name = None
    if deal_id is not None:
        found = shop.objects(conn, portal_id, "DEAL", [deal_id])
        deal = dict(found[deal_id].properties or {}) if deal_id in found else {}
        store_id = shop.deal_stores(conn, portal_id, [deal_id]).get(deal_id)
        if store_id is not None:
            store_name = shop.store_label(conn, portal_id, store_id) or store_id
    items = _line_items(conn, portal_id, deal_id, currency) if deal else []
    total = to_number(deal.get("amount"))
    if total is None and items:
        total = sum(amount for _, amount in items)
    first, last = str(contact.get("firstname") or ""), str(contact.get("lastname") or "")
    return {
        "contact": {
            "firstname": first,
            "lastname": last,
            "name": " ".join(p for p in (first, last) if p) or str(contact.get("email") or ""),
            "email": str(contact.get("email") or ""),
        },
        "deal": {
            "name": str(deal.get("dealname") or ""),
            "amount": money(to_number(deal.get("amount")), currency),
            "order_number": str(deal.get("ip__ecomm_bridge__order_number") or ""),
        },
        "cart": {
            "line_items": [item for item, _ in items],
            "total": money(total, currency),
            "url": _url(deal.get(CART_URL_PROPERTY)),
        },
        "store": {"name": store_name or portal_name},
        "portal": {"name": portal_name},
        "unsubscribe_url": unsubscribe_url,
    }


def _line_items(
    conn: Connection, portal_id: int, deal_id: int | None, currency: str
) -> list[tuple[dict[str, str], float]]:
    """The deal's line items as template data, each with its amount (for a missing total)."""
    if deal_id is None:
        return []
    item_ids = sorted(
        shop.sources(conn, portal_id, "LINE_ITEM", "DEAL", [deal_id]).get(deal_id, [])
    )
    items = shop.objects(conn, portal_id, "LINE_ITEM", item_ids[:MAX_LINE_ITEMS])
    product_of = shop.targets(conn, portal_id, "LINE_ITEM", items.keys(), "PRODUCT")
    products = shop.objects(
        conn, portal_id, "PRODUCT", {ids[0] for ids in product_of.values() if ids}
    )
    result = []
    for item_id in sorted(items):
        props = dict(items[item_id].properties or {})
        product_ids = product_of.get(item_id) or []
        product = products.get(product_ids[0]) if product_ids else None
        product_props = dict(product.properties or {}) if product is not None else {}
        quantity = to_number(props.get("quantity")) or 1.0
        price = to_number(props.get("price"))
        if price is None:
            price = to_number(product_props.get("price"))
        amount = to_number(props.get("amount"))
        if amount is None:
            amount = (price or 0.0) * quantity
        name = props.get("name") or product_props.get("name") or "Item"
        data = {
            "name": str(name),
            "quantity": _quantity(props.get("quantity")),
            "price": money(price, currency),
            "amount": money(amount, currency),
            "image_url": _url(product_props.get(IMAGE_PROPERTY)),
        }
        result.append((data, amount))
    return result
