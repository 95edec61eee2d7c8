"""What each page shows for a seeded shop."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from ecombridge.db.engine import Database
from tests.support.factories import Portal, make_installed_app
from tests.web.factories import Shop, insert_object


def test_stores_are_listed_per_source(
    user_client: TestClient, db: Database, portal: Portal
) -> None:
    make_installed_app(db, portal.id, name="Magento connector")
    page = user_client.get("/app/stores").text
    assert "Custom integration" in page and "Magento connector" in page
    assert "Main shop" in page and "Outlet" in page
    main = page.split("Main shop")[1].split("</tr>")[0]
    # 4 contacts + 3 products + 6 deals + 5 line items; one open error
    assert '<td class="num">18</td>' in main and 'class="badge bad">1<' in main


def test_a_store_page_counts_its_objects_and_open_errors(user_client: TestClient) -> None:
    page = user_client.get("/app/stores/0/main").text
    assert "https://shop.example.com/admin" in page
    counts = dict(re.findall(r'data-type="(\w+)">([\d,]+)<', page))
    # 4 contacts, 3 products, 5 orders + the errored one, 5 line items in the main store
    assert counts == {"CONTACT": "4", "PRODUCT": "3", "DEAL": "6", "LINE_ITEM": "5"}
    assert 'class="badge bad">1 open<' in page
    assert "Continue importing" not in page  # the custom integration cannot import


def test_object_search_matches_any_property_text(user_client: TestClient) -> None:
    page = user_client.get("/app/objects/contacts?q=HOPPER").text
    assert "Grace Hopper" in page and "Ada Lovelace" not in page
    assert "1\u20131 of 1" in page
    by_email = user_client.get("/app/objects/contacts?q=linus@example").text
    assert "Linus Torvalds" in by_email
    literal = user_client.get("/app/objects/contacts?q=%25").text
    assert "No results" in literal


def test_an_object_page_shows_properties_associations_sync_and_errors(
    user_client: TestClient, shop: Shop
) -> None:
    page = user_client.get(f"/app/objects/deals/{shop.deals['1001']}").text
    assert "Order #1001" in page and 'id="deal-stage">Shipped<' in page
    assert f'href="/app/objects/contacts/{shop.contacts["ada"]}"' in page
    assert "order-1001" in page
    # Labels from the schema; dates in the portal's zone, relative with the exact time on hover
    assert re.search(
        r'<dt>Close Date</dt><dd><time datetime="[^"]+" title="\w{3} \d+, \d{4}, ', page
    )
    assert "closedate</dt>" not in page
    assert 'data-status="synced"' in page
    broken = user_client.get(f"/app/objects/deals/{shop.errored_deal_id}").text
    # The latest attempt failed: the record says so, not "synced"
    assert 'data-status="failed"' in broken and 'data-status="synced"' not in broken
    assert "Unknown deal stage" in broken and "INVALID_DEAL_STAGE" in broken


def test_errors_filter_and_link_to_their_object(user_client: TestClient, shop: Shop) -> None:
    everything = user_client.get("/app/errors?status=all").text
    assert "1\u20132 of 2 errors<" in everything
    # Open errors by default, grouped by type with counts
    default = user_client.get("/app/errors").text
    assert "1\u20131 of 1 open error<" in default
    assert re.search(
        r'data-type="INVALID_DEAL_STAGE">Unknown deal stage <span class="badge">1<', default
    )
    open_deals = user_client.get("/app/errors?status=OPEN&object_type=DEAL&store=0:main").text
    assert "1\u20131 of 1 open error<" in open_deals
    assert f'href="/app/objects/deals/{shop.errored_deal_id}"' in open_deals
    resolved = user_client.get("/app/errors?status=RESOLVED").text.split('id="errors"')[1]
    assert "Required value missing" in resolved and "Unknown deal stage" not in resolved
    assert "customer-nobody" in resolved  # no object: shown, not linked


def _column(page: str, stage: str) -> tuple[str, str]:
    block = page.split(f'data-stage="{stage}"')[1]
    count = re.search(r'stage-count">([\d,]+)<', block)
    amount = re.search(r'stage-amount">\$([\d,.]+)<', block)
    assert count and amount
    return count.group(1), amount.group(1)


def test_pipeline_board_has_the_six_stages_in_order_with_totals(user_client: TestClient) -> None:
    page = user_client.get("/app/pipeline").text
    stages = re.findall(r'data-stage="(\w+)"', page)
    assert stages == [
        "checkout_abandoned",
        "checkout_pending",
        "checkout_completed",
        "processed",
        "shipped",
        "cancelled",
    ]
    assert _column(page, "shipped") == ("3", "429.99")
    assert "1 order with a stage outside this pipeline" in page
    outlet = user_client.get("/app/pipeline?store=0:outlet").text
    assert _column(outlet, "shipped") == ("1", "99.99")
    assert _column(outlet, "processed") == ("0", "0.00")


def test_reports_compute_revenue_aov_abandonment_and_customers(user_client: TestClient) -> None:
    page = user_client.get("/app/reports?days=30").text
    # completed orders in 30 days: 1001 120.00, 1002 80.50, 1003 45.00, 1008 99.99
    assert 'id="revenue">$345.49<' in page
    assert 'id="orders">4<' in page
    assert 'id="aov">$86.37<' in page
    # 1 abandoned of 7 orders with a stage in the period
    assert 'id="abandoned-rate">14.3%<' in page
    # ada and grace are new; margaret ordered 40 days ago: returning
    assert "2 new, 1 returning." in page
    assert "<svg" in page and "Top products" in page
    year = user_client.get("/app/reports?days=365").text
    assert 'id="revenue">$555.49<' in year
    assert "3 new, 0 returning." in year


def test_search_looks_at_values_not_property_names(
    user_client: TestClient, db: Database, portal: Portal
) -> None:
    with db.write() as conn:
        insert_object(conn, portal.id, "CONTACT", {"firstname": "Zoë", "email": "zoe@example.com"})
    assert "No results" in user_client.get("/app/objects/contacts?q=firstname").text
    found = user_client.get("/app/objects/contacts?q=zoë").text
    assert "1\u20131 of 1" in found and "Zoë" in found


def test_lists_are_paged(user_client: TestClient, db: Database, portal: Portal) -> None:
    with db.write() as conn:
        for n in range(30):
            insert_object(conn, portal.id, "PRODUCT", {"name": f"Sticker {n:02d}"})
    first = user_client.get("/app/objects/products?q=sticker").text
    assert "1\u201325 of 30" in first and first.count('href="/app/objects/products/') == 25
    assert "page=2" in first and "Previous" not in first
    second = user_client.get("/app/objects/products?q=sticker&page=2").text
    assert second.count('href="/app/objects/products/') == 5
    assert "Sticker 00" in second and "Previous" in second and "page=3" not in second


def test_reports_count_deals_dated_beyond_the_calendar(
    user_client: TestClient, db: Database, portal: Portal
) -> None:
    # Sync accepts any epoch number for a date; one past year 9999 is counted, not charted.
    with db.write() as conn:
        insert_object(
            conn,
            portal.id,
            "DEAL",
            {"dealname": "Far", "dealstage": "shipped", "amount": 5, "closedate": 10**17},
            store_id="main",
        )

    response = user_client.get("/app/reports?days=30")

    assert response.status_code == 200
    assert 'id="orders">5<' in response.text
