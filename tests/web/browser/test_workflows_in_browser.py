"""The Workflows page in a real browser: turn a workflow on, edit an email, preview it with a
real contact's cart in the sandboxed frame, save."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from ecombridge.db.engine import Database
from tests.support.factories import Portal
from tests.support.live import LiveServer
from tests.web.browser.conftest import PHONE, Watched, sign_in_browser
from tests.web.factories import PASSWORD, make_user, seed_shop

EMAIL = "owner@example.com"


def test_turning_on_editing_and_previewing_the_abandoned_cart_email(
    watched: Watched, bridge: LiveServer, db: Database, portal: Portal
) -> None:
    seed_shop(db, portal.id)
    make_user(db, portal.id, EMAIL)
    sign_in_browser(watched, bridge.url, EMAIL, PASSWORD)
    page = watched.page
    page.click("nav >> text=Workflows")
    expect(page.locator("h1")).to_have_text("Workflows")
    card = page.locator("#workflow-abandoned-cart")
    card.get_by_role("button", name="Turn on").click()
    expect(card.locator(".badge")).to_have_text("On")
    watched.screenshot("workflows")

    card.get_by_role("link", name="Emails and enrolments").click()
    expect(page.locator("h1")).to_have_text("Abandoned cart")
    frame = page.frame_locator("#preview-frame")
    expect(frame.locator("h1")).to_have_text("Linus, you left something in your cart")
    expect(frame.locator("table.cart")).to_contain_text("Cap")

    page.fill("#template_0", "<h1>Hello {{ contact.firstname }}</h1>{{ cart_table }}")
    page.locator("#email-0").get_by_role("button", name="Preview").click()
    expect(frame.locator("h1")).to_have_text("Hello Linus")
    watched.screenshot("workflow-editor")
    page.click("#save")
    expect(page.locator("#notice")).to_have_text("Saved.")
    expect(page.locator("#template_0")).to_have_value(
        "<h1>Hello {{ contact.firstname }}</h1>{{ cart_table }}"
    )
    page.set_viewport_size(PHONE)
    watched.screenshot("workflow-phone")
    expect(page).to_have_url(re.compile(r"/app/workflows/abandoned-cart\?saved=1$"))
