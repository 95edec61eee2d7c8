"""Re-engagement: the daily scan enrols customers whose last order is older than the inactivity
period, once per period; a new order ends it."""

from __future__ import annotations

from tests.support.smtp import SmtpServer
from tests.workflows.shop import Shop, delays

DAY_MINUTES = 24 * 60
DAY_MS = DAY_MINUTES * 60_000


def test_lapsed_customers_are_enrolled_once_and_a_new_order_ends_it(
    shop: Shop, smtp_server: SmtpServer
) -> None:
    now = shop.clock.now()
    shop.sync("CONTACT", shop.customer("ada"), shop.customer("grace"))
    shop.sync(
        "DEAL",
        shop.order("1", "ada", "shipped", 30, purchased=now - 100 * DAY_MS),
        shop.order("2", "grace", "shipped", 30, purchased=now - 120 * DAY_MS),
        shop.order("3", "grace", "processed", 30, purchased=now - 10 * DAY_MS),
    )
    shop.workflow("re-engagement", inactivityDays=90, emails=delays(0, 3 * DAY_MINUTES))
    [enrolment] = shop.enrollments("re-engagement")  # grace ordered 10 days ago
    assert enrolment["dealId"] == str(shop.hubspot_id("DEAL", "order-1"))
    [mail] = smtp_server.messages
    assert mail["To"] == "Ada Lovelace <ada@example.com>"

    shop.clock.advance(DAY_MINUTES + 1)  # the next daily scan
    shop.run_due()
    assert len(shop.enrollments("re-engagement")) == 1

    shop.sync("DEAL", shop.order("4", "ada", "checkout_completed", 45))
    [enrolment] = shop.enrollments("re-engagement")
    assert (enrolment["state"], enrolment["exitReason"]) == ("EXITED", "converted")
    shop.clock.advance(3 * DAY_MINUTES)
    shop.run_due()
    assert len(smtp_server.messages) == 1


def test_turning_it_off_ends_the_daily_scan_and_active_enrolments(
    shop: Shop, smtp_server: SmtpServer
) -> None:
    shop.sync("CONTACT", shop.customer("ada"))
    shop.sync(
        "DEAL", shop.order("1", "ada", "shipped", 30, purchased=shop.clock.now() - 200 * DAY_MS)
    )
    shop.workflow("re-engagement", emails=delays(60))
    shop.workflow("re-engagement", enabled=False, emails=delays(60))
    [enrolment] = shop.enrollments("re-engagement")
    assert (enrolment["state"], enrolment["exitReason"]) == ("EXITED", "workflow_disabled")
    shop.clock.advance(2 * DAY_MINUTES)
    shop.run_due()  # the scan runs once more, finds it off and queues no next run
    shop.clock.advance(2 * DAY_MINUTES)
    assert shop.run_due() == 0
    assert smtp_server.messages == []
