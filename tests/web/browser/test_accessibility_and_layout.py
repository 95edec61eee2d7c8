"""Every page, at a laptop's and a phone's width: no axe-core violation, and long or unusual
values never push the key columns out of view. Screenshots go to test-artifacts/web/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from ecombridge.db.engine import Database
from ecombridge.relay.repository import insert_destination
from tests.support.factories import Portal, make_installed_app
from tests.support.live import LiveServer
from tests.web.browser.conftest import PHONE, Watched, sign_in_browser
from tests.web.factories import PASSWORD, associate, insert_object, make_user, seed_shop

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js"
WIDE = {"width": 1440, "height": 900}
SIZES = {"wide": WIDE, "phone": PHONE}
EMAIL = "owner@example.com"
LONG = "Order-" + "x" * 294  # 300 characters, no space to break at


def _violations(page: Any) -> list[str]:
    page.evaluate(AXE.read_text())
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']}: {json.dumps([n['target'] for n in v['nodes']][:3])} {v['help']}"
        for v in result["violations"]
    ]


def _seed(db: Database, portal: Portal) -> dict[str, int]:
    shop = seed_shop(db, portal.id)
    make_installed_app(db, portal.id, name="Shop connector")
    with db.write() as conn:
        long_deal = insert_object(
            conn,
            portal.id,
            "DEAL",
            {"dealname": LONG, "dealstage": "shipped", "amount": "123461030.55"},
            store_id="main",
        )
        product = insert_object(
            conn,
            portal.id,
            "PRODUCT",
            {"name": "P" * 300, "description": "d" * 3000, "hs_sku": "S" * 120, "price": 1},
            store_id="main",
        )
        line = insert_object(
            conn,
            portal.id,
            "LINE_ITEM",
            {"name": "L" * 300, "quantity": 2, "price": 1, "amount": 2},
        )
        associate(conn, portal.id, "LINE_ITEM", line, "DEAL", long_deal)
        associate(conn, portal.id, "LINE_ITEM", line, "PRODUCT", product)
        associate(conn, portal.id, "DEAL", long_deal, "CONTACT", shop.contacts["ada"])
        _destinations(conn, portal.id)
    return {
        "deal": shop.deals["1001"],
        "long_deal": long_deal,
        "product": product,
        "contact": shop.contacts["ada"],
        "errored": shop.errored_deal_id,
        "line": line,
    }


def _destinations(conn: Any, portal_id: int) -> None:
    """A live destination backfilling, and a failing one with a long reason (rows as the relay
    leaves them; no job runs)."""
    now = 1_700_000_000_000
    common = {"portal_id": portal_id, "token_sealed": "x", "created_at": now, "updated_at": now}
    insert_destination(
        conn, base_url="https://api.hubapi.com", phase="BACKFILLING", backfill_total=1200,
        backfill_filed=1200, store_ids=["main"], **common,
    )  # fmt: skip
    insert_destination(
        conn, base_url="https://crm.example.com/" + "p" * 200, phase="LIVE",
        failing_reason="Authentication credentials not found. " * 8, **common,
    )  # fmt: skip


def _pages(ids: dict[str, int]) -> dict[str, str]:
    return {
        "stores": "/app/stores",
        "store": "/app/stores/0/main",
        "orders": "/app/objects/deals",
        "customers": "/app/objects/contacts",
        "products": "/app/objects/products",
        "line-items": "/app/objects/line-items",
        "order": f"/app/objects/deals/{ids['deal']}",
        "long-order": f"/app/objects/deals/{ids['long_deal']}",
        "failed-order": f"/app/objects/deals/{ids['errored']}",
        "customer": f"/app/objects/contacts/{ids['contact']}",
        "product": f"/app/objects/products/{ids['product']}",
        "line-item": f"/app/objects/line-items/{ids['line']}",
        "pipeline": "/app/pipeline",
        "reports": "/app/reports",
        "errors": "/app/errors",
        "all-errors": "/app/errors?status=all",
        "mappings": "/app/mappings",
        "app-mappings": "/app/mappings?source=0&type=PRODUCT",
        "destinations": "/app/destinations",
        "not-found": "/app/no/such/page",
    }


@pytest.mark.parametrize("size", ["wide", "phone"])
def test_every_page_has_no_accessibility_violation(
    watched: Watched, bridge: LiveServer, db: Database, portal: Portal, size: str
) -> None:
    ids = _seed(db, portal)
    make_user(db, portal.id, EMAIL)
    page = watched.page
    page.set_viewport_size(SIZES[size])
    page.goto(f"{bridge.url}/app/login")
    found = {"login": _violations(page)}
    sign_in_browser(watched, bridge.url, EMAIL, PASSWORD)
    for name, path in _pages(ids).items():
        response = page.goto(f"{bridge.url}{path}")
        assert response is not None and response.headers["content-type"].startswith("text/html")
        found[name] = _violations(page)
        watched.screenshot(name)
        if name == "not-found":  # the browser logs the page's 404 status; nothing failed
            watched.console_errors = [e for e in watched.console_errors if "404" not in e]
    assert {name: v for name, v in found.items() if v} == {}


def test_a_fresh_portal_passes_too_and_says_how_to_start(
    watched: Watched, bridge: LiveServer, db: Database, portal: Portal
) -> None:
    make_user(db, portal.id, EMAIL)
    sign_in_browser(watched, bridge.url, EMAIL, PASSWORD)
    page = watched.page
    expect(page.locator("#first-run")).to_contain_text(str(portal.id))
    expect(page.locator("#first-run")).to_contain_text("ecombridge demo")
    assert _violations(page) == []
    watched.screenshot("first-run")


def _right_edge(page: Any, selector: str) -> float:
    return float(
        page.evaluate(f"document.querySelector('{selector}').getBoundingClientRect().right")
    )


@pytest.mark.parametrize("size", ["wide", "phone"])
def test_long_values_never_break_the_layout(
    watched: Watched, bridge: LiveServer, db: Database, portal: Portal, size: str
) -> None:
    ids = _seed(db, portal)
    make_user(db, portal.id, EMAIL)
    sign_in_browser(watched, bridge.url, EMAIL, PASSWORD)
    page = watched.page
    viewport = SIZES[size]
    page.set_viewport_size(viewport)
    width = viewport["width"]

    page.goto(f"{bridge.url}/app/objects/deals?sort=name&dir=desc")
    # Every row's amount stays in view, the 300-character name included
    amounts = page.locator("#object-list tbody tr td.num:not(.hide-sm)")
    assert amounts.count() >= 7
    for index in range(amounts.count()):
        box = amounts.nth(index).bounding_box()
        assert box is not None and box["x"] + box["width"] <= width, index
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    watched.screenshot("long-deals")

    for path in (
        f"/app/objects/products/{ids['product']}",
        f"/app/objects/deals/{ids['long_deal']}",
    ):
        page.goto(f"{bridge.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
        assert _right_edge(page, "h1") <= width
        # The 3,000-character description wraps; the page stays a reasonable height
        assert page.evaluate("document.documentElement.scrollHeight") < 4000, path
    watched.screenshot("long-order")

    page.goto(f"{bridge.url}/app/pipeline")
    card = page.locator('[data-stage="shipped"] .card').first
    box = card.bounding_box()
    column = page.locator('[data-stage="shipped"]').bounding_box()
    assert box is not None and column is not None
    assert box["width"] <= column["width"]
    # The column scrolls on its own rather than growing the page
    assert page.evaluate("document.documentElement.scrollHeight") < 2500
