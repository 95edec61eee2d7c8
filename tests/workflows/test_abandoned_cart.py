"""Abandoned cart: a checkout left in checkout_abandoned gets its cart by email, until the order
comes; the order counts as recovered revenue."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from ecombridge.workflows.results import results
from tests.support.smtp import SmtpServer
from tests.workflows.shop import Shop, delays, message


def v1(message: dict[str, Any]) -> dict[str, Any]:
    """The v1 spelling of a sync message."""
    return {
        "action": message["action"],
        "integratorObjectId": message["externalObjectId"],
        "changeOccurredTimestamp": message["changedAt"],
        "propertyNameToValues": message["properties"],
    }


def html_of(mail: EmailMessage) -> str:
    part = mail.get_body(("html",))
    assert part is not None
    return str(part.get_content())


def text_of(mail: EmailMessage) -> str:
    part = mail.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def test_an_abandoned_checkout_is_emailed_its_cart_and_the_order_converts_it(
    shop: Shop, smtp_server: SmtpServer
) -> None:
    shop.workflow("abandoned-cart", emails=delays(60, 24 * 60))
    shop.abandon_cart("1001")
    [enrolment] = shop.enrollments("abandoned-cart")
    deal_id = shop.hubspot_id("DEAL", "order-1001")
    assert enrolment["dealId"] == str(deal_id)
    assert enrolment["contactId"] == str(shop.hubspot_id("CONTACT", "customer-ada"))
    assert (enrolment["state"], enrolment["exitReason"], enrolment["sent"]) == ("ACTIVE", None, [])
    assert smtp_server.messages == []  # due in an hour

    shop.clock.advance(61)
    shop.run_due()
    [mail] = smtp_server.messages
    assert mail["To"] == "Ada Lovelace <ada@example.com>"
    assert mail["From"] == "Demo Outfitters <shop@shop.example.com>"
    assert mail["Subject"] == "Email 1"
    assert mail.get_content_type() == "multipart/alternative"
    assert mail["Date"] and mail["Message-ID"]
    html, text = html_of(mail), text_of(mail)
    for shown in ("Enamel mug", "Cap", "$12.50", "$25.00", "$15.00", "$40.00", "Demo Outfitters"):
        assert shown in html and shown in text
    assert 'src="https://img.example.com/mug.png"' in html
    assert 'href="https://shop.example.com/cart/1001"' in html
    assert "https://shop.example.com/cart/1001" in text
    assert "style=" in html and "<style>" in html  # inlined, media queries kept
    unsubscribe = mail["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith("http://testserver/email/unsubscribe/")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f'href="{unsubscribe}"' in html and unsubscribe in text
    [enrolment] = shop.enrollments("abandoned-cart")
    assert [(s["subject"], s["messageId"]) for s in enrolment["sent"]] == [
        ("Email 1", mail["Message-ID"])
    ]

    # The customer comes back and orders before the second email.
    shop.sync("DEAL", shop.order("1001", "ada", "checkout_completed", 40))
    [enrolment] = shop.enrollments("abandoned-cart")
    assert (enrolment["state"], enrolment["exitReason"]) == ("EXITED", "converted")
    shop.clock.advance(2 * 24 * 60)
    shop.run_due()
    assert len(smtp_server.messages) == 1
    with shop.db.read() as conn:
        achieved = results(conn, shop.portal_id, "abandoned-cart")
    assert (achieved.emails_sent, achieved.conversions, achieved.revenue) == (1, 1, 40.0)


def test_a_newer_order_of_the_contact_converts_the_cart_too(
    shop: Shop, smtp_server: SmtpServer
) -> None:
    shop.workflow("abandoned-cart", emails=delays(0, 60))
    shop.abandon_cart("1001")
    assert len(smtp_server.messages) == 1
    # The shop made a new order (another deal) instead of completing the cart's.
    shop.sync("DEAL", shop.order("1002", "ada", "processed", 55))
    [enrolment] = shop.enrollments("abandoned-cart")
    assert (enrolment["state"], enrolment["exitReason"]) == ("EXITED", "converted")
    with shop.db.read() as conn:
        assert results(conn, shop.portal_id, "abandoned-cart").revenue == 55.0


def test_an_older_order_updated_later_converts_nothing(shop: Shop, smtp_server: SmtpServer) -> None:
    shop.sync("CONTACT", shop.customer("ada"))
    shop.sync("DEAL", shop.order("0900", "ada", "processed", 10))
    shop.workflow("abandoned-cart", emails=delays(0, 60))
    shop.abandon_cart("1001")
    shop.sync("DEAL", shop.order("0900", "ada", "shipped", 10))  # the old order ships
    [enrolment] = shop.enrollments("abandoned-cart")
    assert (enrolment["state"], enrolment["exitReason"]) == ("ACTIVE", None)


def test_each_deal_is_enrolled_once_and_only_changes_after_enabling_count(
    shop: Shop, smtp_server: SmtpServer
) -> None:
    shop.products()
    shop.sync("CONTACT", shop.customer("ada"), shop.customer("grace"))
    # Abandoned before the workflow was turned on (its changedAt says so): never enrolled.
    shop.sync("DEAL", shop.order("0999", "grace", "checkout_abandoned", 9, changed_at=1_000))
    shop.workflow("abandoned-cart", emails=delays(60))
    shop.sync("DEAL", shop.order("1001", "ada", "checkout_abandoned", 40))
    shop.sync("DEAL", shop.order("1001", "ada", "checkout_abandoned", 45))  # the cart changes
    shop.sync("DEAL", shop.order("0999", "grace", "checkout_abandoned", 9, changed_at=2_000))
    assert [e["dealId"] for e in shop.enrollments("abandoned-cart")] == [
        str(shop.hubspot_id("DEAL", "order-1001"))
    ]


def test_v1_sync_messages_trigger_it_too(shop: Shop, smtp_server: SmtpServer) -> None:
    shop.workflow("abandoned-cart", emails=delays(0))
    shop.store = "default"
    shop.sync_v1("CONTACT", v1(shop.customer("ada")))
    deal = message(
        "order-7",
        {
            "title": "Order 7",
            "stage": "checkout_abandoned",
            "total": 25,
            "customer": "customer-ada",
        },
    )
    shop.sync_v1("DEAL", v1(deal))
    [mail] = smtp_server.messages
    assert mail["To"] == "Ada Lovelace <ada@example.com>"
    assert "$25.00" in html_of(mail)


def test_a_deal_whose_contact_arrives_later_is_enrolled_when_it_does(
    shop: Shop, smtp_server: SmtpServer
) -> None:
    shop.workflow("abandoned-cart", emails=delays(0))
    shop.sync("DEAL", shop.order("1001", "ada", "checkout_abandoned", 40))
    assert shop.enrollments("abandoned-cart") == []
    shop.sync("CONTACT", shop.customer("ada"))
    assert [e["state"] for e in shop.enrollments("abandoned-cart")] == ["COMPLETED"]
    assert len(smtp_server.messages) == 1


def test_only_the_chosen_stores_and_reachable_contacts_are_enrolled(
    shop: Shop, smtp_server: SmtpServer
) -> None:
    assert (
        shop.client.put(
            shop.url("/extensions/ecomm/v2/stores"), json={"id": "outlet", "label": "Outlet"}
        ).status_code
        == 200
    )
    shop.workflow("abandoned-cart", emails=delays(0), storeIds=["outlet"])
    shop.sync("CONTACT", shop.customer("ada"), shop.customer("grace", unsubscribed=True))
    shop.sync("CONTACT", shop.customer("ada"), store="outlet")
    shop.sync("DEAL", shop.order("1", "ada", "checkout_abandoned", 10))  # store main
    shop.sync("DEAL", shop.order("2", "grace", "checkout_abandoned", 10), store="outlet")
    assert shop.enrollments("abandoned-cart") == []  # main is not chosen; grace opted out
    shop.sync("DEAL", shop.order("3", "ada", "checkout_abandoned", 10), store="outlet")
    assert len(shop.enrollments("abandoned-cart")) == 1
    assert len(smtp_server.messages) == 1
