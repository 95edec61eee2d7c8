"""Sending one workflow email: the job's steps around ``delivery``'s transactions."""

from __future__ import annotations

from ecombridge.clock import now_ms
from ecombridge.db.engine import Database
from ecombridge.mail import smtp
from ecombridge.mail.message import Envelope, build_message, new_message_id
from ecombridge.mail.settings import MailNotConfigured, MailSettings, mail_settings
from ecombridge.outbound.addresses import AddressPolicy
from ecombridge.queue.service import Job
from ecombridge.queue.write_turn import turn_write
from ecombridge.workflows import delivery
from ecombridge.workflows.definitions import INVALID_EMAIL, SMTP_REJECTED, TEMPLATE_ERROR
from ecombridge.workflows.rendering import render_email
from ecombridge.workflows.sandbox import TemplateProblem


def send_email(db: Database, job: Job) -> None:
    """Send the email of a WORKFLOW_EMAIL job if it is due (see ``delivery``)."""
    settings: MailSettings | None = None
    problem: str | None = None
    try:
        settings = mail_settings()
    except MailNotConfigured as exc:
        problem = str(exc)
    with turn_write(db) as conn:
        planned = delivery.prepare(conn, job.ref_id, now_ms(), problem)
    if planned is None or settings is None:
        return
    try:
        rendered = render_email(planned.workflow.key, planned.email, planned.step + 1, planned.data)
    except TemplateProblem as exc:
        with turn_write(db) as conn:
            delivery.record_failure(conn, planned, f"the template {exc}", TEMPLATE_ERROR, now_ms())
        return
    message_id, now = new_message_id(settings.sender), now_ms()
    envelope = Envelope(
        settings.sender,
        planned.recipient,
        planned.recipient_name,
        rendered.subject,
        message_id,
        now,
        planned.data["unsubscribe_url"],
    )
    try:
        message = build_message(envelope, rendered.html, rendered.text)
    except (ValueError, TypeError) as exc:  # an address the email library cannot write
        with turn_write(db) as conn:
            delivery.record_failure(conn, planned, f"not sent: {exc}", INVALID_EMAIL, now_ms())
        return
    # Only the SMTP conversation lies between this commit and the next (the double-send window).
    with turn_write(db) as conn:
        if not delivery.reserve(conn, planned, message_id, now, job):
            return
    try:
        smtp.send(settings, message, AddressPolicy.from_env())
    except smtp.PermanentFailure as exc:
        with turn_write(db) as conn:
            delivery.record_failure(conn, planned, str(exc), SMTP_REJECTED, now_ms())
        return
    except smtp.TemporaryFailure as exc:
        with turn_write(db) as conn:
            delivery.record_temporary(conn, planned, str(exc), now_ms())
        return
    with turn_write(db) as conn:
        delivery.record_sent(conn, planned, rendered.subject, now_ms())
