"""The commerce side of a record's page: a deal's order (line items and totals), a contact's
orders and lifetime value, a product's sales. Amounts follow the reports' definitions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection

from ecombridge.web.display import CURRENCY_PROPERTY, object_url, title_of
from ecombridge.web.format import Formatter, to_number
from ecombridge.web.lists import PAID_STAGES
from ecombridge.web.product_images import IMAGE_PROPERTY
from ecombridge.web.repository import orders as repo
from ecombridge.web.repository.sql import DEAL_TIME_PROPS


def initials(name: str) -> str:
    words = [w for w in name.replace("(", " ").split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:2]).upper() or "?"


def product_image_url(product_id: Any, product: dict[str, Any]) -> str | None:
    """Where a page shows the product's image from, if the product names one."""
    if not product_id or not str(product.get(IMAGE_PROPERTY) or "").strip():
        return None
    return f"{object_url('PRODUCT', int(product_id))}/image"


def deal_moment(props: dict[str, Any], created_at: Any = None) -> Any:
    return next((props[p] for p in DEAL_TIME_PROPS if props.get(p) not in (None, "")), created_at)


def line_total(props: dict[str, Any]) -> float | None:
    """A line's amount, else unit price times quantity (less unit discounts)."""
    amount = to_number(props.get("amount"))
    if amount is not None:
        return amount
    price = to_number(props.get("price"))
    if price is None:
        return None
    quantity = to_number(props.get("quantity"))
    quantity = 1.0 if quantity is None else quantity
    return (price - (to_number(props.get("discount")) or 0.0)) * quantity


@dataclass
class OrderLine:
    url: str
    name: str
    initials: str
    image_url: str | None  # the product's image through the bridge, when it has one
    product_url: str | None
    sku: str | None
    quantity: str
    unit_price: str
    discount: str
    tax: str
    total: str


@dataclass
class Order:
    lines: list[OrderLine] = field(default_factory=list)
    subtotal: str = ""
    discount: str | None = None
    tax: str | None = None
    total: str = ""
    lines_differ: bool = False  # the deal's amount is not the sum of its lines


def deal_order(
    conn: Connection, portal_id: int, deal_id: int, deal: dict[str, Any], fmt: Formatter
) -> Order:
    currency = deal.get(CURRENCY_PROPERTY["DEAL"])
    order = Order()
    subtotal = 0.0
    for row in repo.deal_line_items(conn, portal_id, deal_id):
        props: dict[str, Any] = row.properties or {}
        product: dict[str, Any] = row.product or {}
        code = props.get(CURRENCY_PROPERTY["LINE_ITEM"]) or currency
        name = str(props.get("name") or product.get("name") or f"Line item {row.id}")
        total = line_total(props)
        subtotal += total or 0.0
        order.lines.append(
            OrderLine(
                url=object_url("LINE_ITEM", int(row.id)),
                name=name,
                initials=initials(name),
                image_url=product_image_url(row.product_id, product),
                product_url=object_url("PRODUCT", int(row.product_id)) if row.product_id else None,
                sku=product.get("hs_sku"),
                quantity=fmt.number(props.get("quantity")),
                unit_price=fmt.money(props.get("price"), code),
                discount=fmt.money(props.get("discount"), code),
                tax=fmt.money(props.get("tax"), code),
                total=fmt.money(total, code),
            )
        )
    amount = to_number(deal.get("amount"))
    discount = to_number(deal.get("ip__ecomm_bridge__discount_amount"))
    tax = to_number(deal.get("ip__ecomm_bridge__tax_amount"))
    order.subtotal = fmt.money(subtotal, currency)
    order.discount = fmt.money(discount, currency) if discount else None
    order.tax = fmt.money(tax, currency) if tax else None
    order.total = fmt.money(amount, currency)
    order.lines_differ = bool(order.lines) and amount is not None and abs(amount - subtotal) > 0.005
    return order


@dataclass
class CustomerOrders:
    timeline: list[dict[str, Any]] = field(default_factory=list)
    lifetime_value: str = ""
    paid_orders: int = 0
    average: str = ""
    first_order: Any = None
    last_order: Any = None


def contact_orders(
    conn: Connection, portal_id: int, contact_id: int, stages: dict[str, str], fmt: Formatter
) -> CustomerOrders:
    found = CustomerOrders()
    value = 0.0
    for row in repo.contact_deals(conn, portal_id, contact_id):
        props: dict[str, Any] = row.properties or {}
        stage = str(props.get("dealstage") or "")
        paid = stage in PAID_STAGES
        amount = to_number(props.get("amount"))
        moment = deal_moment(props, row.created_at)
        if paid:
            found.paid_orders += 1
            value += amount or 0.0
            found.first_order = moment
            found.last_order = found.last_order or moment
        found.timeline.append(
            {
                "url": object_url("DEAL", int(row.id)),
                "title": title_of("DEAL", props, int(row.id)),
                "stage": stages.get(stage, stage) if stage else "No stage",
                "tone": "ok" if paid else ("bad" if stage == "cancelled" else ""),
                "amount": fmt.money(amount, props.get(CURRENCY_PROPERTY["DEAL"])),
                "when": fmt.when(moment, style="day"),
            }
        )
    found.lifetime_value = fmt.money(value)
    found.average = fmt.money(value / found.paid_orders) if found.paid_orders else "—"
    return found


@dataclass
class ProductSales:
    orders: int
    units: str
    revenue: str
    recent: list[dict[str, Any]]


def product_sales(
    conn: Connection, portal_id: int, product_id: int, stages: dict[str, str], fmt: Formatter
) -> ProductSales:
    totals, recent = repo.product_sales(conn, portal_id, product_id, PAID_STAGES)
    rows = []
    for row in recent:
        props: dict[str, Any] = row.properties or {}
        deal: dict[str, Any] = row.deal or {}
        stage = str(deal.get("dealstage") or "")
        rows.append(
            {
                "deal_url": object_url("DEAL", int(row.deal_id)) if row.deal_id else None,
                "deal": title_of("DEAL", deal, int(row.deal_id)) if row.deal_id else "No order",
                "stage": stages.get(stage, stage) if stage else "—",
                "quantity": fmt.number(props.get("quantity")),
                "total": fmt.money(line_total(props), props.get(CURRENCY_PROPERTY["LINE_ITEM"])),
                "when": fmt.when(deal_moment(deal), style="day") if deal else "—",
            }
        )
    return ProductSales(
        orders=int(totals.orders or 0),
        units=fmt.number(totals.units or 0),
        revenue=fmt.money(totals.revenue or 0),
        recent=rows,
    )
