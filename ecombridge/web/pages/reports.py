"""Reports: revenue over time and by store, top products, average order value, abandoned
checkouts, new versus returning customers; each against the previous period."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import Response

from ecombridge.api.deps import ReadConn
from ecombridge.clock import now_ms
from ecombridge.web.charts import BarRow, Column, bar_rows, column_chart
from ecombridge.web.choices import source_names, store_choices
from ecombridge.web.format import EN_DASH, Formatter
from ecombridge.web.lists import PAID, parse_int, parse_store
from ecombridge.web.render import formatter, render
from ecombridge.web.reports import Report, build_report
from ecombridge.web.repository import deals as repo
from ecombridge.web.session import CurrentUser
from ecombridge.workflows.definitions import ABANDONED_CART
from ecombridge.workflows.results import results

router = APIRouter()
PERIODS = (7, 30, 90, 365)


def _buckets(report: Report, fmt: Formatter) -> tuple[str, list[tuple[date, date, float, float]]]:
    """Days for a month or less, else weeks (a quarter) or months (a year): at most ~31 bars."""
    days = report.revenue_by_day
    size = 1 if report.days <= 31 else (7 if report.days <= 120 else 30)
    grouped = []
    for index in range(0, len(days), size):
        chunk = days[index : index + size]
        grouped.append(
            (chunk[0][0], chunk[-1][0], sum(d[1] for d in chunk), sum(d[2] for d in chunk))
        )
    return {1: "day", 7: "week", 30: "30 days"}[size], grouped


def _list_url(store: str, start: date, end: date) -> str:
    query = {"stage": PAID, "from": start.isoformat(), "to": end.isoformat()}
    return "/app/objects/deals?" + urlencode({**query, **({"store": store} if store else {})})


@router.get("/reports")
def reports_page(
    request: Request, user: CurrentUser, conn: ReadConn, store: str | None = None
) -> Response:
    days = parse_int(request.query_params.get("days"), 30, PERIODS)
    chosen = parse_store(store)
    portal = user.portal_id
    fmt = formatter(user)
    report = build_report(
        deals=repo.deals(conn, portal, chosen),
        deal_stores=repo.deal_stores(conn, portal),
        deal_contacts=repo.links(conn, portal, "DEAL", "CONTACT"),
        line_items=repo.line_items(conn, portal),
        line_deals=repo.links(conn, portal, "LINE_ITEM", "DEAL"),
        line_products=repo.links(conn, portal, "LINE_ITEM", "PRODUCT"),
        product_names=repo.product_names(conn, portal),
        days=days,
        fmt=fmt,
    )
    recovered = results(conn, portal, ABANDONED_CART, since=now_ms() - days * 86_400_000)
    names = source_names(conn, portal)
    store_value = f"{chosen[0]}:{chosen[1]}" if chosen else ""
    unit, buckets = _buckets(report, fmt)

    def span(first: date, last: date) -> str:
        if first == last:
            return fmt.calendar_day(first) + f", {first.year}"
        return f"{fmt.calendar_day(first)} {EN_DASH} {fmt.calendar_day(last)}, {last.year}"

    columns = [Column(fmt.calendar_day(a), span(a, b), now) for a, b, now, _ in buckets]
    by_store = [
        BarRow(
            f"{key[1]} ({names.get(key[0], f'App {key[0]}')})" if key else "No store",
            value,
            fmt.money(value),
            _list_url(f"{key[0]}:{key[1]}", report.start, report.end) if key else None,
        )
        for key, value, _ in report.revenue_by_store
    ]
    current, previous = report.current, report.previous
    title = f"Revenue by {unit}"
    context = {
        "section": "reports",
        "report": report,
        "current": current,
        "previous": previous,
        "recovered": recovered,
        "periods": PERIODS,
        "stores": store_choices(conn, portal),
        "store": store_value,
        "unit": unit,
        "buckets": [(span(a, b), now, before) for a, b, now, before in buckets],
        "orders_url": _list_url(store_value, report.start, report.end),
        "changes": {
            "revenue": fmt.change(current.revenue, previous.revenue),
            "orders": fmt.change(current.orders, previous.orders),
            "aov": fmt.change(current.average_order_value or 0, previous.average_order_value),
            "abandoned": fmt.change(current.abandoned_rate or 0, previous.abandoned_rate),
        },
        "previous_span": span(
            report.start - timedelta(days=days), report.start - timedelta(days=1)
        ),
        "day_chart": column_chart(columns, title=title, axis=fmt.money_short, value=fmt.money),
        "day_chart_small": column_chart(
            columns,
            title=title,
            axis=fmt.money_short,
            value=fmt.money,
            width=360,
            height=220,
            labels=4,
        ),
        "by_store": report.revenue_by_store,
        "store_chart": bar_rows(by_store, title="Revenue by store"),
        "product_chart": bar_rows(
            [BarRow(name, value, fmt.money(value)) for name, value, _ in report.top_products],
            title="Top products by revenue",
        ),
        "customer_chart": bar_rows(
            [
                BarRow("New", current.new_customers, fmt.count(current.new_customers)),
                BarRow(
                    "Returning", current.returning_customers, fmt.count(current.returning_customers)
                ),
            ],
            title="New versus returning customers",
        ),
        "store_names": {
            key: f"{key[1]} ({names.get(key[0], 'App')})"
            for key, _, _ in report.revenue_by_store
            if key
        },
    }
    return render(request, "reports.html", context)
