"""The figures of the reports page, computed from a few extracted deal and line-item fields.

Revenue counts orders that went through checkout (checkout_completed, processed, shipped); an
order's day is its close date, else its create date, else when the bridge created it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ecombridge.web.display import to_number

REVENUE_STAGES = frozenset({"checkout_completed", "processed", "shipped"})
ABANDONED_STAGE = "checkout_abandoned"
DAY_MS = 86_400_000


@dataclass
class Report:
    days: int
    revenue_by_day: list[tuple[str, float]] = field(default_factory=list)
    revenue_by_store: list[tuple[Any, float]] = field(default_factory=list)
    top_products: list[tuple[str, float, float]] = field(default_factory=list)
    revenue: float = 0.0
    orders: int = 0
    average_order_value: float | None = None
    checkouts: int = 0
    abandoned: int = 0
    abandoned_rate: float | None = None
    new_customers: int = 0
    returning_customers: int = 0


def deal_time(deal: Any) -> int:
    for value in (deal.closedate, deal.createdate):
        number = to_number(value)
        if number is not None:
            return int(number)
    return int(deal.created_at)


def line_amount(item: Any) -> float:
    amount = to_number(item.amount)
    if amount is not None:
        return amount
    return (to_number(item.price) or 0.0) * (to_number(item.quantity) or 1.0)


def build_report(
    *,
    deals: list[Any],
    deal_stores: dict[int, Any],
    deal_contacts: list[tuple[int, int]],
    line_items: list[Any],
    line_deals: list[tuple[int, int]],
    line_products: list[tuple[int, int]],
    product_names: dict[int, str],
    days: int,
    now_ms: int,
) -> Report:
    report = Report(days=days)
    today = datetime.fromtimestamp(now_ms / 1000, tz=UTC).date()
    first_day = today - timedelta(days=days - 1)
    start_ms = int(datetime(first_day.year, first_day.month, first_day.day, tzinfo=UTC).timestamp())
    start_ms *= 1000
    end_ms = start_ms + days * DAY_MS

    by_day: dict[str, float] = {
        (first_day + timedelta(days=n)).isoformat(): 0.0 for n in range(days)
    }
    by_store: dict[Any, float] = defaultdict(float)
    in_period: set[int] = set()
    first_order: dict[int, int] = {}
    contacts_of: dict[int, list[int]] = defaultdict(list)
    for deal_id, contact_id in deal_contacts:
        contacts_of[deal_id].append(contact_id)

    for deal in deals:
        at = deal_time(deal)
        stage = deal.dealstage or ""
        if stage in REVENUE_STAGES:
            for contact in contacts_of.get(int(deal.id), []):
                first_order[contact] = min(first_order.get(contact, at), at)
        if at < start_ms:
            continue
        if stage:
            report.checkouts += 1
            report.abandoned += stage == ABANDONED_STAGE
        if stage not in REVENUE_STAGES:
            continue
        amount = to_number(deal.amount) or 0.0
        in_period.add(int(deal.id))
        report.orders += 1
        report.revenue += amount
        if at < end_ms:  # later dates (even past year 9999) are no day of the chart
            day = datetime.fromtimestamp(at / 1000, tz=UTC).date().isoformat()
            by_day[day] += amount
        by_store[deal_stores.get(int(deal.id))] += amount

    report.revenue_by_day = [(day[5:], value) for day, value in by_day.items()]
    report.revenue_by_store = sorted(by_store.items(), key=lambda kv: -kv[1])
    if report.orders:
        report.average_order_value = report.revenue / report.orders
    if report.checkouts:
        report.abandoned_rate = report.abandoned / report.checkouts

    customers = {c for deal_id in in_period for c in contacts_of.get(deal_id, [])}
    report.new_customers = sum(1 for c in customers if first_order.get(c, 0) >= start_ms)
    report.returning_customers = len(customers) - report.new_customers

    deal_of_line = dict(line_deals)
    product_of_line = dict(line_products)
    revenue_by_product: dict[str, float] = defaultdict(float)
    quantity_by_product: dict[str, float] = defaultdict(float)
    for item in line_items:
        if deal_of_line.get(int(item.id)) not in in_period:
            continue
        product_id = product_of_line.get(int(item.id))
        name = product_names.get(product_id, "") if product_id else ""
        name = name or item.name or "Unnamed item"
        revenue_by_product[name] += line_amount(item)
        quantity_by_product[name] += to_number(item.quantity) or 1.0
    report.top_products = [
        (name, value, quantity_by_product[name])
        for name, value in sorted(revenue_by_product.items(), key=lambda kv: -kv[1])[:10]
    ]
    return report
