"""Previews and test sends of a workflow email with a real contact's data (or the sample data).

A preview's unsubscribe link is a dead one (``.../unsubscribe/preview``): whoever reads a
preview or a test email must not be able to unsubscribe the contact whose data it shows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from ecombridge.clock import now_ms
from ecombridge.mail import smtp
from ecombridge.mail.message import Envelope, build_message, new_message_id
from ecombridge.mail.settings import mail_settings, public_base_url
from ecombridge.mail.unsubscribe import unsubscribe_url
from ecombridge.outbound.addresses import AddressPolicy
from ecombridge.workflows import shop_repository as shop
from ecombridge.workflows.definitions import ABANDONED_CART, ABANDONED_STAGE, ORDER_STAGES
from ecombridge.workflows.email_data import email_data
from ecombridge.workflows.enrolment import email_address
from ecombridge.workflows.rendering import SAMPLE, RenderedEmail

CANDIDATES = 30
SAMPLE_CHOICE = "sample"


def candidates(conn: Connection, portal_id: int, key: str) -> list[tuple[str, str]]:
    """(value, label) of recent deals whose contact a preview can show: abandoned carts for the
    abandoned-cart workflow, orders for the others; then the sample data."""
    stages = [ABANDONED_STAGE] if key == ABANDONED_CART else sorted(ORDER_STAGES)
    found: list[tuple[str, str]] = []
    for stage in stages:
        deals = shop.recent_objects(conn, portal_id, "DEAL", CANDIDATES, stage)
        contacts_of = shop.targets(conn, portal_id, "DEAL", [int(d.id) for d in deals], "CONTACT")
        contact_ids = {ids[0] for ids in contacts_of.values() if ids}
        contacts = shop.objects(conn, portal_id, "CONTACT", contact_ids)
        for deal in deals:
            ids = contacts_of.get(int(deal.id))
            contact = contacts.get(ids[0]) if ids else None
            email = email_address(dict(contact.properties or {})) if contact is not None else None
            if contact is None or email is None:
                continue
            name = (deal.properties or {}).get("dealname") or f"Deal {deal.id}"
            found.append((f"{contact.id}:{deal.id}", f"{email} — {name}"))
    return [*found[:CANDIDATES], (SAMPLE_CHOICE, "Sample data")]


def preview_data(conn: Connection, portal_id: int, choice: str | None) -> dict[str, Any]:
    """The variables for ``choice`` (a value of ``candidates``), or the sample data."""
    dead_link = unsubscribe_url(public_base_url(), "preview")
    contact_id, _, deal_id = (choice or "").partition(":")
    if contact_id.isdigit() and (deal_id.isdigit() or not deal_id):
        data = email_data(
            conn, portal_id, int(contact_id), int(deal_id) if deal_id else None, dead_link
        )
        if data is not None:
            return data
    return {**SAMPLE, "unsubscribe_url": dead_link}


def send_test(rendered: RenderedEmail, to: str) -> None:
    """Send a rendered email to ``to`` now; MailNotConfigured or smtp.DeliveryFailure say why
    not."""
    settings = mail_settings()
    now = now_ms()
    envelope = Envelope(
        settings.sender,
        to,
        "",
        f"[Test] {rendered.subject}",
        new_message_id(settings.sender),
        now,
        unsubscribe_url(public_base_url(), "preview"),
    )
    smtp.send(
        settings, build_message(envelope, rendered.html, rendered.text), AddressPolicy.from_env()
    )
