"""The UI in a real browser: sign-in, stores, errors to object, pipeline, reports, mappings."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from ecombridge.db.engine import Database
from tests.support.factories import Portal
from tests.support.live import LiveServer
from tests.web.browser.conftest import PHONE, Watched, sign_in_browser
from tests.web.factories import PASSWORD, Shop, make_user, seed_shop

EMAIL = "owner@example.com"


def _signed_in(watched: Watched, bridge: LiveServer, db: Database, portal: Portal) -> Shop:
    shop = seed_shop(db, portal.id)
    make_user(db, portal.id, EMAIL)
    sign_in_browser(watched, bridge.url, EMAIL, PASSWORD)
    return shop


def test_sign_in_then_the_stores_page(
    watched: Watched, bridge: LiveServer, db: Database, portal: Portal
) -> None:
    seed_shop(db, portal.id)
    make_user(db, portal.id, EMAIL)
    page = watched.page
    page.goto(f"{bridge.url}/app/reports")
    expect(page).to_have_url(re.compile(r"/app/login\?next=/app/reports"))
    watched.screenshot("login")
    page.fill("#email", EMAIL)
    page.fill("#password", "not the password")
    page.click("button[type=submit]")
    expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/app/reports$"))
    page.click("nav >> text=Stores")
    expect(page.locator("h1")).to_have_text("Stores")
    expect(page.get_by_role("link", name="Main shop")).to_be_visible()
    watched.screenshot("stores")
    page.get_by_role("link", name="Main shop").click()
    expect(page.locator('[data-type="DEAL"]')).to_have_text("6")
    watched.screenshot("store")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/app/login$"))


def test_finding_an_errored_object_from_the_errors_page(
    watched: Watched, bridge: LiveServer, db: Database, portal: Portal
) -> None:
    shop = _signed_in(watched, bridge, db, portal)
    page = watched.page
    page.click("nav >> text=Sync errors")
    page.locator('[data-type="INVALID_DEAL_STAGE"]').click()
    expect(page.locator("#errors tbody tr")).to_have_count(1)
    expect(page.locator("#errors")).to_contain_text("empty is not a stage")
    watched.screenshot("errors")
    page.get_by_role("link", name=shop.errored_external_id).click()
    expect(page).to_have_url(re.compile(rf"/app/objects/deals/{shop.errored_deal_id}$"))
    expect(page.locator("h1")).to_have_text("Order #1099")
    expect(page.locator('[data-status="failed"]')).to_contain_text("Unknown deal stage")
    watched.screenshot("object")


def test_the_pipeline_board_by_stage_and_store(
    watched: Watched, bridge: LiveServer, db: Database, portal: Portal
) -> None:
    _signed_in(watched, bridge, db, portal)
    page = watched.page
    page.click("nav >> text=Pipeline")
    columns = page.locator(".column h2")
    expect(columns).to_have_text(
        [
            "Checkout Abandoned",
            "Checkout Pending",
            "Checkout Completed",
            "Processed",
            "Shipped",
            "Cancelled",
        ]
    )
    shipped = page.locator('[data-stage="shipped"]')
    expect(shipped.locator(".stage-count")).to_have_text("3")
    expect(shipped.locator(".stage-amount")).to_have_text("$429.99")
    watched.screenshot("pipeline")
    page.select_option("#store", "0:outlet")  # applies on change
    expect(shipped.locator(".stage-count")).to_have_text("1")
    expect(shipped.locator(".card")).to_have_count(1)


def test_the_reports_page_draws_its_charts(
    watched: Watched, bridge: LiveServer, db: Database, portal: Portal
) -> None:
    _signed_in(watched, bridge, db, portal)
    page = watched.page
    page.click("nav >> text=Reports")
    expect(page.locator("#revenue")).to_have_text("$345.49")
    expect(page.locator("#aov")).to_have_text("$86.37")
    expect(page.locator("#abandoned-rate")).to_have_text("14.3%")
    expect(page.locator(".chart-wide svg rect.bar")).to_have_count(30)
    # Each bar is reachable by keyboard and named with its value
    page.locator(".chart-wide rect.bar").last.focus()
    expect(page.locator(".chart-wide rect.bar:focus")).to_have_attribute(
        "aria-label", re.compile(r"^\w{3} \d+, \d{4}: \$[\d,.]+$")
    )
    expect(page.locator("#top-products tbody tr")).to_have_count(3)
    watched.screenshot("reports")
    page.set_viewport_size(PHONE)
    watched.screenshot("reports-phone")


def test_objects_search_and_mappings_edit(
    watched: Watched, bridge: LiveServer, db: Database, portal: Portal
) -> None:
    _signed_in(watched, bridge, db, portal)
    page = watched.page
    page.click("nav >> text=Customers")
    page.fill("#q", "hopper")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Grace Hopper").click()
    expect(page.get_by_role("link", name="Order #1003")).to_be_visible()
    watched.screenshot("contact")
    page.click("nav >> text=Mappings")
    page.fill('[name="ext_0"]', "photo")
    page.select_option('[name="type_0"]', "AVATAR_IMAGE")
    page.click("#mappings-form button[type=submit]")
    expect(page.locator(".row-error .field-error")).to_contain_text("is required")
    page.fill('[name="hub_0"]', "photo_url")
    page.select_option('[name="type_0"]', "STRING")
    page.click("#mappings-form button[type=submit]")
    expect(page.get_by_role("status")).to_have_text("Mappings saved.")
    expect(page.locator('[name="hub_0"]')).to_have_value("photo_url")
    watched.screenshot("mappings")
    page.set_viewport_size(PHONE)
    # On a phone the navigation sits behind the menu button, every section in it
    page.get_by_role("button", name="Menu").click()
    page.click("nav >> text=Stores")
    watched.screenshot("stores-phone")
