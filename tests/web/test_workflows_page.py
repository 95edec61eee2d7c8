"""The Workflows page: each workflow turned on in one click, its emails edited with the API's
validation, previewed with a real contact's data and sent as a test; results on the reports."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.support.factories import Portal
from tests.support.smtp import SmtpServer
from tests.web.conftest import csrf_of
from tests.web.factories import Shop

WORKFLOWS = "/extensions/ecomm/v2/workflows"


def form_of(page: str, **changes: str) -> dict[str, str]:
    """The editor's fields as the page shows them, with some changed."""
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    for n in range(int(fields["rows"])):
        fields[f"delay_{n}"] = re.search(rf'name="delay_{n}" value="([^"]*)"', page).group(1)  # type: ignore[union-attr]
        fields[f"unit_{n}"] = re.search(  # type: ignore[union-attr]
            rf'name="unit_{n}">.*?<option value="(\w+)" selected', page, re.S
        ).group(1)
        fields[f"subject_{n}"] = re.search(rf'name="subject_{n}" value="([^"]*)"', page).group(1)  # type: ignore[union-attr]
        fields[f"template_{n}"] = ""
    return fields | changes


def test_a_workflow_is_turned_on_in_one_click(user_client: TestClient) -> None:
    page = user_client.get("/app/workflows")
    assert page.status_code == 200
    assert page.text.count("Turn on") == 3
    toggled = user_client.post(
        "/app/workflows/abandoned-cart/toggle",
        data={"csrf_token": csrf_of(page.text), "back": "list"},
        follow_redirects=True,
    )
    assert toggled.status_code == 200
    assert toggled.text.count("Turn on") == 2 and "Turn off" in toggled.text
    refused = user_client.post("/app/workflows/welcome/toggle", data={"csrf_token": "forged"})
    assert refused.status_code == 403


def test_editing_shows_the_problem_at_its_field_and_saves_good_edits(
    user_client: TestClient,
) -> None:
    page = user_client.get("/app/workflows/abandoned-cart").text
    assert 'value="1"' in page and "hours" in page  # 60 minutes shown as 1 hour
    sneaky = form_of(page, template_1="{{ contact.__class__ }}", enabled="on")
    shown = user_client.post("/app/workflows/abandoned-cart", data=sneaky)
    assert shown.status_code == 200
    assert "emails[1].bodyTemplate" in shown.text and "field-error" in shown.text
    assert "{{ contact.__class__ }}" in shown.text  # the edit is kept for fixing

    good = form_of(
        page, subject_0="{{ contact.firstname }}, your cart", delay_0="30", unit_0="minutes"
    )
    saved = user_client.post("/app/workflows/abandoned-cart", data=good, follow_redirects=True)
    assert "Saved." in saved.text
    with_key = user_client.get("/app/workflows/abandoned-cart")
    assert with_key.status_code == 200
    assert 'value="{{ contact.firstname }}, your cart"' in with_key.text


def test_the_preview_renders_a_real_contacts_cart(user_client: TestClient, shop: Shop) -> None:
    page = user_client.get("/app/workflows/abandoned-cart").text
    linus = f"{shop.contacts['linus']}:{shop.deals['1004']}"
    assert f'value="{linus}"' in page  # the abandoned checkout is offered
    preview = user_client.get(f"/app/workflows/abandoned-cart/preview?email=0&preview_for={linus}")
    assert preview.status_code == 200
    assert "default-src 'none'" in preview.headers["content-security-policy"]
    assert "Linus, you left something in your cart" in preview.text
    assert "Cap" in preview.text and "$60.00" in preview.text

    edited = form_of(
        page, template_0="<p>Dear {{ contact.name }}</p>", preview_for=linus, email="0"
    )
    posted = user_client.post("/app/workflows/abandoned-cart/preview", data=edited)
    assert "Dear Linus Torvalds" in posted.text
    broken = form_of(page, template_0="{{ contact.nope }}", email="0")
    assert (
        "is not a field"
        in user_client.post("/app/workflows/abandoned-cart/preview", data=broken).text
    )


def test_a_test_email_is_sent_to_the_address_given(
    user_client: TestClient, shop: Shop, smtp_server: SmtpServer
) -> None:
    page = user_client.get("/app/workflows/welcome").text
    data = form_of(page, test_to="owner@example.com", email="0")
    sent = user_client.post("/app/workflows/welcome/test-send", data=data)
    assert "Test email 1 sent to owner@example.com." in sent.text
    [mail] = smtp_server.messages
    assert mail["To"] == "owner@example.com"
    assert mail["Subject"].startswith("[Test] ")
    smtp_server.stop()
    failed = user_client.post("/app/workflows/welcome/test-send", data=data)
    assert "The test email was not sent: could not reach the SMTP server" in failed.text


def test_the_api_answers_what_the_page_saved(user_client: TestClient, portal: Portal) -> None:
    page = user_client.get("/app/workflows/re-engagement").text
    data = form_of(page, enabled="on", inactivity_days="45", store="outlet")
    saving = user_client.post("/app/workflows/re-engagement", data=data, follow_redirects=False)
    assert saving.status_code == 303
    saved = user_client.get(f"{WORKFLOWS}/re-engagement?hapikey={portal.api_key}").json()
    assert (saved["enabled"], saved["inactivityDays"], saved["storeIds"]) == (True, 45, ["outlet"])


def test_reports_show_recovered_revenue(user_client: TestClient) -> None:
    page = user_client.get("/app/reports")
    assert page.status_code == 200
    assert 'id="recovered-revenue"' in page.text
