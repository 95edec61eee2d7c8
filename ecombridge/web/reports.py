"""The figures of the reports page, for a period and the period just before it.

Definitions (also stated on the page):
- an order is a deal in a paid stage (checkout_completed, processed, shipped); its moment is its
  close date, else its create date, else when the bridge created it; days are the portal's;
- revenue is the sum of the orders' amounts; a negative amount (a refund sent as an order)
  lowers it; orders without an amount count as orders but add nothing;
- the average order value is over orders with a positive amount only, so refunds and orders
  without an amount do not drag it down;
- abandoned checkouts: deals in checkout_abandoned among the deals with a stage;
- a customer is new when their first order falls in the period.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ecombridge.web.format import Formatter, to_number
from ecombridge.web.lists import PAID_STAGES

ABANDONED_STAGE = "checkout_abandoned"


@dataclass
class Figures:
    revenue: float = 0.0
    orders: int = 0
    priced_orders: int = 0  # with a positive amount: the average's orders
    priced_revenue: float = 0.0
    unpriced_orders: int = 0
    refunds: int = 0
    checkouts: int = 0
    abandoned: int = 0
    new_customers: int = 0
    returning_customers: int = 0

    @property
    def average_order_value(self) -> float | None:
        return self.priced_revenue / self.priced_orders if self.priced_orders else None

    @property
    def abandoned_rate(self) -> float | None:
        return self.abandoned / self.checkouts if self.checkouts else None


@dataclass
class Report:
    days: int
    start: date
    end: date  # the last day shown
    current: Figures = field(default_factory=Figures)
    previous: Figures = field(default_factory=Figures)
    revenue_by_day: list[tuple[date, float, float]] = field(
        default_factory=list
    )  # day, now, before
    revenue_by_store: list[tuple[Any, float, int]] = field(default_factory=list)
    top_products: list[tuple[str, float, float]] = field(default_factory=list)


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


@dataclass(frozen=True)
class Window:
    start_ms: int
    end_ms: int

    def holds(self, at: int) -> bool:
        return self.start_ms <= at < self.end_ms


def _count(figures: Figures, deal: Any, stage: str) -> None:
    figures.checkouts += 1
    figures.abandoned += stage == ABANDONED_STAGE
    if stage not in PAID_STAGES:
        return
    amount = to_number(deal.amount)
    figures.orders += 1
    if amount is None:
        figures.unpriced_orders += 1
        return
    figures.revenue += amount
    if amount > 0:
        figures.priced_orders += 1
        figures.priced_revenue += amount
    elif amount < 0:
        figures.refunds += 1


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
    fmt: Formatter,
) -> Report:
    today = fmt.local_date(fmt.now_ms)
    start = today - timedelta(days=days - 1)
    report = Report(days=days, start=start, end=today)
    now = Window(fmt.start_of_day_ms(start), fmt.start_of_day_ms(today + timedelta(days=1)))
    before = Window(fmt.start_of_day_ms(start - timedelta(days=days)), now.start_ms)

    by_day: dict[date, list[float]] = {start + timedelta(days=n): [0.0, 0.0] for n in range(days)}
    by_store: dict[Any, list[float]] = defaultdict(lambda: [0.0, 0])
    in_period: dict[int, Window] = {}
    first_order: dict[int, int] = {}
    contacts_of: dict[int, list[int]] = defaultdict(list)
    for deal_id, contact_id in deal_contacts:
        contacts_of[deal_id].append(contact_id)

    for deal in deals:
        at = deal_time(deal)
        stage = deal.dealstage or ""
        paid = stage in PAID_STAGES
        if paid:
            for contact in contacts_of.get(int(deal.id), []):
                first_order[contact] = min(first_order.get(contact, at), at)
        if not stage or at < before.start_ms:
            continue
        window = before if before.holds(at) else now
        _count(report.current if window is now else report.previous, deal, stage)
        if not paid:
            continue
        in_period[int(deal.id)] = window
        amount = to_number(deal.amount) or 0.0
        if window is now:
            by_store[deal_stores.get(int(deal.id))][0] += amount
            by_store[deal_stores.get(int(deal.id))][1] += 1
        if at < now.end_ms:  # later dates (even past year 9999) are no day of the chart
            day = fmt.local_date(at) + (timedelta(days=days) if window is before else timedelta())
            if day in by_day:
                by_day[day][0 if window is now else 1] += amount

    report.revenue_by_day = [(day, v[0], v[1]) for day, v in by_day.items()]
    report.revenue_by_store = sorted(
        ((key, v[0], int(v[1])) for key, v in by_store.items()), key=lambda kv: -kv[1]
    )
    for figures, window in ((report.current, now), (report.previous, before)):
        customers = {
            c
            for deal_id, w in in_period.items()
            if w is window
            for c in contacts_of.get(deal_id, [])
        }
        figures.new_customers = sum(
            1 for c in customers if first_order.get(c, 0) >= window.start_ms
        )
        figures.returning_customers = len(customers) - figures.new_customers

    deal_of_line = dict(line_deals)
    product_of_line = dict(line_products)
    revenue_by_product: dict[str, float] = defaultdict(float)
    quantity_by_product: dict[str, float] = defaultdict(float)
    for item in line_items:
        line_deal = deal_of_line.get(int(item.id))
        if line_deal is None or in_period.get(line_deal) is not now:
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
