"""Delivery: every email reaches the SMTP server once or is recorded as not sent with its reason;
temporary failures are retried, permanent ones fail visibly, a crash never sends twice, and the
hourly cap defers instead of dropping."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from ecombridge.db.tables import workflow_emails
from ecombridge.queue import service as queue
from ecombridge.workflows import delivery
from ecombridge.workflows.shop_repository import objects, set_properties
from tests.support.smtp import SmtpServer
from tests.workflows.shop import Shop, delays


def emails(shop: Shop) -> list[Any]:
    with shop.db.read() as conn:
        query = sa.select(workflow_emails).order_by(workflow_emails.c.id)
        return list(conn.execute(query))


def states(shop: Shop) -> list[tuple[str, str | None]]:
    return [(e["state"], e["exitReason"]) for e in shop.enrollments("abandoned-cart")]


def test_without_an_smtp_server_emails_are_recorded_as_not_sent(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ECOMBRIDGE_SMTP_URL", raising=False)
    shop.workflow("abandoned-cart", emails=delays(0, 60))
    shop.abandon_cart("1")
    assert states(shop) == [("FAILED", "smtp_not_configured")]
    [email] = emails(shop)
    assert email.state == "FAILED"
    assert email.error == "not sent: no SMTP server is configured: set ECOMBRIDGE_SMTP_URL."


def test_an_smtp_server_that_is_down_is_tried_again_until_it_is_up(
    shop: Shop, smtp_server: SmtpServer
) -> None:
    shop.workflow("abandoned-cart", emails=delays(0))
    smtp_server.stop()
    shop.abandon_cart("1")
    [email] = emails(shop)
    assert (email.state, email.attempts) == ("SCHEDULED", 1)
    assert email.error.startswith("could not reach the SMTP server")
    assert states(shop) == [("ACTIVE", None)]

    smtp_server.start()
    shop.run_due()
    assert smtp_server.messages == []  # the retry waits for its backoff
    shop.clock.advance(2)
    shop.run_due()
    assert len(smtp_server.messages) == 1
    assert states(shop) == [("COMPLETED", None)]


def test_a_temporary_refusal_is_retried_with_backoff(shop: Shop, smtp_server: SmtpServer) -> None:
    shop.workflow("abandoned-cart", emails=delays(0))
    smtp_server.mailbox.reply = "451 4.3.0 Mailbox busy, try again later"
    shop.abandon_cart("1")
    shop.clock.advance(1.5)
    shop.run_due()
    [email] = emails(shop)
    assert (email.state, email.attempts) == ("SCHEDULED", 2)
    assert "451 4.3.0 Mailbox busy" in email.error
    smtp_server.mailbox.reply = None
    shop.clock.advance(3)
    shop.run_due()
    assert len(smtp_server.messages) == 1


def test_a_permanent_refusal_fails_the_enrolment_visibly(
    shop: Shop, smtp_server: SmtpServer
) -> None:
    shop.workflow("abandoned-cart", emails=delays(0, 60))
    smtp_server.mailbox.reply = "550 5.1.1 No such user here"
    shop.abandon_cart("1")
    assert states(shop) == [("FAILED", "smtp_rejected")]
    [email] = emails(shop)
    assert email.state == "FAILED"
    assert "550 5.1.1 No such user here" in email.error
    shop.clock.advance(120)
    shop.run_due()
    assert smtp_server.mailbox.refused == 1  # never retried, no second email


class Crash(BaseException):
    """The worker process dying (not an error a handler could catch)."""


def test_a_crash_after_the_server_accepted_never_sends_the_email_again(
    shop: Shop, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop.workflow("abandoned-cart", emails=delays(0, 60))

    def crash(*args: object) -> None:
        raise Crash

    with monkeypatch.context() as patched, pytest.raises(Crash):
        patched.setattr(delivery, "record_sent", crash)
        shop.abandon_cart("1")
    assert len(smtp_server.messages) == 1
    [email] = emails(shop)
    assert email.state == "SENDING"

    # The worker is gone; its lease expires and the job is run again.
    shop.clock.advance(15)
    with shop.db.write() as conn:
        requeued, parked = queue.reap(conn, now=shop.clock.now())
    assert requeued >= 1 and parked == 0
    shop.run_due()
    assert len(smtp_server.messages) == 1
    first, second = emails(shop)
    assert first.state == "UNCONFIRMED" and "not sent again" in first.error
    assert second.state == "SCHEDULED"  # the sequence goes on
    shop.clock.advance(60)
    shop.run_due()
    assert [m["Subject"] for m in smtp_server.messages] == ["Email 1", "Email 2"]


def test_the_hourly_cap_defers_sends_to_the_next_hour(
    shop: Shop, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ECOMBRIDGE_MAIL_HOURLY_CAP", "2")
    shop.workflow("abandoned-cart", emails=delays(0))
    shop.products()
    shop.sync("CONTACT", shop.customer("ada"), shop.customer("grace"))
    shop.sync(
        "DEAL",
        shop.order("1", "ada", "checkout_abandoned", 10),
        shop.order("2", "grace", "checkout_abandoned", 20),
    )
    shop.sync("DEAL", shop.order("3", "ada", "checkout_abandoned", 30))
    assert len(smtp_server.messages) == 2
    deferred = [e for e in emails(shop) if e.state == "SCHEDULED"]
    assert len(deferred) == 1 and deferred[0].error.startswith("deferred: the portal sent 2")
    shop.clock.advance(30)
    shop.run_due()
    assert len(smtp_server.messages) == 2
    shop.clock.advance(31)
    shop.run_due()
    assert len(smtp_server.messages) == 3


def test_a_contact_whose_address_became_invalid_is_not_emailed(
    shop: Shop, smtp_server: SmtpServer
) -> None:
    shop.workflow("abandoned-cart", emails=delays(30))
    shop.abandon_cart("1")
    contact_id = shop.hubspot_id("CONTACT", "customer-ada")
    with shop.db.write() as conn:  # as a CRM write could leave it; sync refuses such emails
        contact = objects(conn, shop.portal_id, "CONTACT", [contact_id])[contact_id]
        properties = {**contact.properties, "email": "ada at example"}
        set_properties(conn, shop.portal_id, "CONTACT", contact_id, properties, {}, 0)
    shop.clock.advance(31)
    shop.run_due()
    assert smtp_server.messages == []
    assert states(shop) == [("EXITED", "invalid_email")]
