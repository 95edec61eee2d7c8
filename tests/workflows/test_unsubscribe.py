"""Unsubscribing: the link in every email shows a confirmation page; its POST, and the RFC 8058
one-click POST mail providers send, opt the contact out (a CRM write on the change feed) and
end every workflow for them."""

from __future__ import annotations

from urllib.parse import urlsplit

from ecombridge.change_feed import Changes
from tests.support.smtp import SmtpServer
from tests.workflows.shop import Shop, delays


def optout_of(shop: Shop, contact_id: int) -> object:
    path = f"/crm/v3/objects/contacts/{contact_id}?properties=hs_email_optout"
    response = shop.client.get(shop.url(path))
    assert response.status_code == 200, response.text
    return response.json()["properties"].get("hs_email_optout")


def test_one_click_unsubscribe_stops_every_workflow_for_the_contact(
    shop: Shop, smtp_server: SmtpServer, published: list[Changes]
) -> None:
    shop.workflow("welcome", emails=delays(0, 24 * 60))
    shop.workflow("abandoned-cart", emails=delays(0, 60))
    shop.products()
    shop.sync("CONTACT", shop.customer("ada"))
    shop.sync("DEAL", shop.order("1", "ada", "shipped", 10))  # welcomed
    shop.sync("DEAL", shop.order("2", "ada", "checkout_abandoned", 20))  # a cart
    assert len(smtp_server.messages) == 2
    link = urlsplit(smtp_server.messages[-1]["List-Unsubscribe"].strip("<>")).path
    contact_id = shop.hubspot_id("CONTACT", "customer-ada")

    page = shop.client.get(link)
    assert page.status_code == 200
    assert "ada@example.com" in page.text and '<form method="post"' in page.text
    assert optout_of(shop, contact_id) is None  # showing the page changes nothing

    published.clear()
    clicked = shop.client.post(
        link,
        content="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert clicked.status_code == 200
    assert "You are unsubscribed" in clicked.text
    assert optout_of(shop, contact_id) == "true"
    assert [(c.object_type, c.origin, list(c.changed)) for c in published] == [
        ("CONTACT", "crm", [contact_id])
    ]
    for key in ("welcome", "abandoned-cart"):
        [enrolment] = shop.enrollments(key)
        assert (enrolment["state"], enrolment["exitReason"]) == ("EXITED", "unsubscribed")
    shop.clock.advance(2 * 24 * 60)
    shop.run_due()
    assert len(smtp_server.messages) == 2
    # Clicking again is harmless; and the contact is never enrolled again.
    assert shop.client.post(link).status_code == 200
    shop.sync("DEAL", shop.order("3", "ada", "checkout_abandoned", 5))
    assert len(shop.enrollments("abandoned-cart")) == 1


def test_a_forged_or_altered_link_unsubscribes_nobody(shop: Shop, smtp_server: SmtpServer) -> None:
    shop.workflow("abandoned-cart", emails=delays(0, 60))
    shop.abandon_cart("1")
    link = urlsplit(smtp_server.messages[0]["List-Unsubscribe"].strip("<>")).path
    prefix, _, signature = link.rpartition(".")
    portal, contact = prefix.rsplit("/", 1)[1].split(".")
    forged = [
        f"{prefix}.{'A' * len(signature)}",
        link.replace(f"/{portal}.{contact}.", f"/{portal}.{int(contact) + 1}."),
        "/email/unsubscribe/preview",
        "/email/unsubscribe/1.2.x",
    ]
    for path in forged:
        assert shop.client.get(path).status_code == 404
        assert shop.client.post(path).status_code == 404
    [enrolment] = shop.enrollments("abandoned-cart")
    assert enrolment["state"] == "ACTIVE"


def test_opting_out_through_a_sync_message_exits_too(shop: Shop, smtp_server: SmtpServer) -> None:
    shop.workflow("abandoned-cart", emails=delays(0, 60))
    shop.abandon_cart("1")
    shop.sync("CONTACT", shop.customer("ada", unsubscribed=True))
    [enrolment] = shop.enrollments("abandoned-cart")
    assert (enrolment["state"], enrolment["exitReason"]) == ("EXITED", "unsubscribed")
