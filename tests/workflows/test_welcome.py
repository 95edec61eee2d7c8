"""Welcome: a contact's first order enrols it, once; an import of history welcomes nobody."""

from __future__ import annotations

from ecombridge.workflows.shop_repository import recent_objects
from tests.imports.conftest import Importer
from tests.imports.integrator import Integrator
from tests.support.smtp import SmtpServer
from tests.workflows.shop import OLD_ORDER_HISTORY, Shop, delays, message
from tests.workflows.test_abandoned_cart import html_of, v1


def test_a_first_order_is_welcomed_once(shop: Shop, smtp_server: SmtpServer) -> None:
    shop.workflow("welcome")
    shop.store = "default"
    shop.sync_v1("CONTACT", v1(shop.customer("grace")))
    first = {"title": "Order 1", "stage": "processed", "total": 80, "customer": "customer-grace"}
    shop.sync_v1("DEAL", v1(message("order-1", first)))
    [mail] = smtp_server.messages
    assert mail["Subject"] == "Welcome, and thank you for your order"
    assert mail["To"] == "Grace Hopper <grace@example.com>"
    assert "Welcome, Grace!" in html_of(mail) and "$80.00" in html_of(mail)

    second = first | {"title": "Order 2", "stage": "checkout_completed"}
    shop.sync_v1("DEAL", v1(message("order-2", second)))
    shop.sync_v1("DEAL", v1(message("order-1", first | {"stage": "shipped"})))
    assert len(smtp_server.messages) == 1
    [enrolment] = shop.enrollments("welcome")
    assert enrolment["state"] == "COMPLETED"


def test_a_customer_with_an_earlier_order_is_not_welcomed(
    shop: Shop, smtp_server: SmtpServer
) -> None:
    shop.sync("CONTACT", shop.customer("ada"))
    shop.sync("DEAL", shop.order("1", "ada", "shipped", 10))
    shop.workflow("welcome")
    shop.sync("DEAL", shop.order("2", "ada", "processed", 20))
    assert shop.enrollments("welcome") == []


def test_an_import_of_old_orders_welcomes_nobody(
    shop: Shop, importer: Importer, integrator: Integrator, smtp_server: SmtpServer
) -> None:
    shop.workflow("welcome", emails=delays(0))
    shop.import_history(importer, integrator, OLD_ORDER_HISTORY)
    with shop.db.read() as conn:  # the first order of its contact, and after the enabling
        [deal] = recent_objects(conn, shop.portal_id, "DEAL", 10, "shipped")
    assert deal.properties["dealname"] == "Order from 2019"
    assert shop.enrollments("welcome") == []
    assert smtp_server.messages == []
