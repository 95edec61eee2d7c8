"""Object lists sort, filter and page in SQL, on both databases."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from ecombridge.clock import now_ms
from ecombridge.db.engine import Database
from tests.support.factories import Portal
from tests.web.factories import DAY_MS, insert_object

TITLE = re.compile(r'class="clamp" href="/app/objects/deals/\d+" title="([^"]+)"')


def _deals(db: Database, portal: Portal) -> None:
    now = now_ms()
    with db.write() as conn:
        for name, amount, stage, days in [
            ("Zed", "10.5", "shipped", 1),
            ("alpha", "200", "processed", 10),
            ("Mid", "99.99", "checkout_abandoned", 20),
            ("No amount", "", "shipped", 2),
            ("Text amount", "n/a", "shipped", 3),
            ("Big", 1e6, "cancelled", 40),
        ]:
            props = {"dealname": name, "dealstage": stage, "closedate": now - days * DAY_MS}
            if amount != "":
                props["amount"] = amount
            insert_object(conn, portal.id, "DEAL", props, store_id="s1" if days < 15 else "s2")


def _titles(client: TestClient, query: str) -> list[str]:
    page = client.get(f"/app/objects/deals?{query}").text
    return TITLE.findall(page)


def test_sorting_by_amount_is_numeric_with_empty_values_last(
    user_client: TestClient, db: Database, portal: Portal
) -> None:
    _deals(db, portal)
    up = _titles(user_client, "sort=amount&dir=asc&store=0:s1")
    assert up[:2] == ["Zed", "alpha"]  # 10.5 before 200: numbers, not text
    assert set(up[2:]) == {"No amount", "Text amount"}  # no number: last
    down = _titles(user_client, "sort=amount&dir=desc&store=0:s1")
    assert down[:2] == ["alpha", "Zed"] and set(down[2:]) == {"No amount", "Text amount"}
    page = user_client.get("/app/objects/deals?sort=amount&dir=desc").text
    assert re.search(r'aria-sort="descending" class="num">\s*<a class="sort"[^>]*>Amount<', page)
    assert page.count('aria-sort="none"') == 4


def test_sorting_by_name_ignores_case(
    user_client: TestClient, db: Database, portal: Portal
) -> None:
    _deals(db, portal)
    names = _titles(user_client, "sort=name&dir=asc&store=0:s1")
    assert names == ["alpha", "No amount", "Text amount", "Zed"]


def test_filters_by_stage_group_store_and_date(
    user_client: TestClient, db: Database, portal: Portal
) -> None:
    _deals(db, portal)
    paid = _titles(user_client, "stage=paid&store=0:s1&sort=name&dir=asc")
    assert paid == ["alpha", "No amount", "Text amount", "Zed"]
    abandoned = _titles(user_client, "stage=checkout_abandoned&store=0:s2")
    assert abandoned == ["Mid"]
    day = (datetime.now(UTC) - timedelta(days=5)).date().isoformat()
    recent = _titles(user_client, f"from={day}&store=0:s1&sort=name&dir=asc")
    assert recent == ["No amount", "Text amount", "Zed"]
    older = _titles(user_client, f"to={day}&store=0:s2")
    assert sorted(older) == ["Big", "Mid"]
    # Nonsense filters are ignored, not errors
    assert user_client.get("/app/objects/deals?stage=<b>&from=yesterday&size=7").status_code == 200


def test_paging_says_where_it_is_and_keeps_the_filters(
    user_client: TestClient, db: Database, portal: Portal
) -> None:
    with db.write() as conn:
        for n in range(60):
            insert_object(conn, portal.id, "PRODUCT", {"name": f"Pin {n:02d}", "price": n})
    first = user_client.get("/app/objects/products?q=pin&sort=price&dir=asc&size=50").text
    assert "1\u201350 of 60" in first and "Pin 00" in first and "Pin 50" not in first
    assert "page=2" in first and "sort=price" in first.split('rel="next"')[0].rsplit("href", 1)[1]
    second = user_client.get("/app/objects/products?q=pin&sort=price&dir=asc&size=50&page=2").text
    assert "51\u201360 of 60" in second and "Pin 59" in second
    beyond = user_client.get("/app/objects/products?q=pin&page=99").text
    assert "Past the last of 60" in beyond
