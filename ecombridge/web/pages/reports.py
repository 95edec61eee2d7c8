"""Reports: revenue by day and by store, top products, average order value, abandoned-checkout
rate, new versus returning customers; charts are inline SVG."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from ecombridge.api.deps import ReadConn
from ecombridge.clock import now_ms
from ecombridge.web.charts import bar_chart, column_chart
from ecombridge.web.pages.pipeline import store_choices
from ecombridge.web.pages.sync_errors import parse_store
from ecombridge.web.render import render
from ecombridge.web.reports import build_report
from ecombridge.web.repository import deals as repo
from ecombridge.web.repository.stores import app_names
from ecombridge.web.session import CurrentUser
from ecombridge.workflows.definitions import ABANDONED_CART
from ecombridge.workflows.results import results

router = APIRouter()
PERIODS = (7, 30, 90, 365)


@router.get("/reports")
def reports_page(
    request: Request,
    user: CurrentUser,
    conn: ReadConn,
    store: str | None = None,
    days: int = 30,
) -> Response:
    days = days if days in PERIODS else 30
    chosen = parse_store(store)
    portal = user.portal_id
    report = build_report(
        deals=repo.deals(conn, portal, chosen),
        deal_stores=repo.deal_stores(conn, portal),
        deal_contacts=repo.links(conn, portal, "DEAL", "CONTACT"),
        line_items=repo.line_items(conn, portal),
        line_deals=repo.links(conn, portal, "LINE_ITEM", "DEAL"),
        line_products=repo.links(conn, portal, "LINE_ITEM", "PRODUCT"),
        product_names=repo.product_names(conn, portal),
        days=days,
        now_ms=now_ms(),
    )
    recovered = results(conn, portal, ABANDONED_CART, since=now_ms() - days * 86_400_000)
    names = {0: "Custom integration", **app_names(conn, portal)}
    by_store = [
        (f"{key[1]} ({names.get(key[0], f'App {key[0]}')})" if key else "No store", value)
        for key, value in report.revenue_by_store
    ]
    context = {
        "section": "reports",
        "report": report,
        "recovered": recovered,
        "periods": PERIODS,
        "stores": store_choices(conn, portal),
        "store": f"{chosen[0]}:{chosen[1]}" if chosen else "",
        "by_store": by_store,
        "day_chart": column_chart(report.revenue_by_day, title="Revenue by day"),
        "store_chart": bar_chart(by_store, title="Revenue by store", width=420),
        "product_chart": bar_chart(
            [(name, value) for name, value, _ in report.top_products],
            title="Top products",
            width=480,
        ),
        "customer_chart": bar_chart(
            [("New", report.new_customers), ("Returning", report.returning_customers)],
            title="New versus returning customers",
            width=420,
        ),
    }
    return render(request, "reports.html", context)
