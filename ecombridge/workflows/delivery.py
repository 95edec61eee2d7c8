"""One workflow email from due to sent, in three short transactions around the slow parts.

1. ``prepare`` (due): the enrolment must still be ACTIVE, its workflow on, its contact reachable
   and, for a cart, the deal still abandoned; else the enrolment ends here with its reason.
   Reads the email's variables.
2. (rendering, outside any transaction)
3. ``reserve``: under the portal's hourly cap (else the email is deferred to when the oldest
   send of the hour is an hour old), the email is marked SENDING with its Message-ID and the
   time of the attempt, and committed **before** the SMTP conversation starts.
4. (the SMTP conversation, outside any transaction)
5. ``record``: SENT and the next email scheduled; a temporary failure reschedules it with
   backoff; a permanent one fails it and the enrolment.

A process that stops between 3 and 5 leaves the email SENDING; its job runs again once the
lease expires and ``prepare`` marks it UNCONFIRMED and moves on, never sending it again: the
server may have accepted it. That window (from the commit of 3 to the commit of 5: the SMTP
conversation) is the only place an email can be lost; nothing can be sent twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from ecombridge.mail import repository as mail_repo
from ecombridge.mail.settings import hourly_cap, public_base_url
from ecombridge.mail.unsubscribe import make_token, new_key, unsubscribe_url
from ecombridge.queue import service as queue
from ecombridge.workflows import repository as repo
from ecombridge.workflows import shop_repository as shop
from ecombridge.workflows.definitions import (
    ABANDONED_CART,
    ABANDONED_STAGE,
    ACTIVE,
    CART_CLOSED,
    CONVERTED,
    EXITED,
    FAILED,
    INVALID_EMAIL,
    ORDER_STAGES,
    SMTP_NOT_CONFIGURED,
    SMTP_UNAVAILABLE,
    UNSUBSCRIBED,
    WORKFLOW_DISABLED,
    EmailStep,
    Workflow,
)
from ecombridge.workflows.email_data import email_data
from ecombridge.workflows.enrolment import (
    EMAIL_JOB_ATTEMPTS,
    WORKFLOW_EMAIL,
    email_address,
    opted_out,
    schedule_emails,
)
from ecombridge.workflows.service import get_workflow

HOUR_MS = 3_600_000
MAX_SEND_ATTEMPTS = 8  # temporary failures: retried after 1, 2, 4 ... 64 minutes (about 2 h)
RETRY_BASE_MS = 60_000
RETRY_CAP_MS = 2 * HOUR_MS


@dataclass(frozen=True)
class Planned:
    """An email ready to render and send."""

    email_id: int
    portal_id: int
    enrollment_id: int
    workflow: Workflow
    step: int
    recipient: str
    recipient_name: str
    data: dict[str, Any]

    @property
    def email(self) -> EmailStep:
        return self.workflow.emails[self.step]


def prepare(
    conn: Connection, email_id: int, now: int, configuration_error: str | None
) -> Planned | None:
    """The email, if it is due and should go out; ends what should not go on."""
    email = repo.get_email(conn, email_id, lock=True)
    if email is None:
        return None
    enrollment = repo.get_enrollment(conn, int(email.enrollment_id))
    assert enrollment is not None
    portal_id, enrollment_id = int(email.portal_id), int(enrollment.id)
    workflow = get_workflow(conn, portal_id, enrollment.workflow_key)
    if email.state == repo.SENDING:
        note = "the worker stopped while sending; not sent again (the server may have accepted it)"
        repo.update_email(conn, email_id, state=repo.UNCONFIRMED, error=note)
        _next(conn, workflow, enrollment, int(email.step), now)
        return None
    if email.state != repo.SCHEDULED:
        return None  # done already
    if int(email.due_at) > now:  # claimed early (clocks apart): run again when it is due
        queue.schedule(conn, WORKFLOW_EMAIL, email_id, portal_id, int(email.due_at))
        return None
    if enrollment.state != ACTIVE:
        repo.update_email(conn, email_id, state=repo.CANCELLED)
        return None
    reason = _exit_reason(conn, portal_id, workflow, enrollment)
    if reason is not None:
        if reason == CONVERTED:
            repo.set_converted(conn, [(enrollment_id, int(enrollment.deal_id))], now)
        repo.finish_enrollments(conn, [enrollment_id], EXITED, reason, now)
        return None
    if int(email.step) >= len(workflow.emails):  # the workflow lost emails since
        _next(conn, workflow, enrollment, int(email.step) - 1, now)
        repo.update_email(conn, email_id, state=repo.CANCELLED)
        return None
    if configuration_error is not None:
        repo.update_email(
            conn, email_id, state=repo.FAILED, error=f"not sent: {configuration_error}"
        )
        repo.finish_enrollments(conn, [enrollment_id], FAILED, SMTP_NOT_CONFIGURED, now)
        return None
    key = mail_repo.ensure_sender(conn, portal_id, new_key(), now)
    url = unsubscribe_url(public_base_url(), make_token(key, portal_id, int(enrollment.contact_id)))
    data = email_data(conn, portal_id, int(enrollment.contact_id), enrollment.deal_id, url)
    assert data is not None  # _exit_reason checked the contact
    return Planned(
        email_id,
        portal_id,
        enrollment_id,
        workflow,
        int(email.step),
        data["contact"]["email"],
        " ".join(n for n in (data["contact"]["firstname"], data["contact"]["lastname"]) if n),
        data,
    )


def _exit_reason(
    conn: Connection, portal_id: int, workflow: Workflow, enrollment: Any
) -> str | None:
    if not workflow.enabled:
        return WORKFLOW_DISABLED
    contacts = shop.objects(conn, portal_id, "CONTACT", [int(enrollment.contact_id)])
    contact = contacts.get(int(enrollment.contact_id))
    properties = dict(contact.properties or {}) if contact is not None else {}
    if opted_out(properties):
        return UNSUBSCRIBED
    if email_address(properties) is None:
        return INVALID_EMAIL
    if workflow.key == ABANDONED_CART and enrollment.deal_id is not None:
        deals = shop.objects(conn, portal_id, "DEAL", [int(enrollment.deal_id)])
        deal = deals.get(int(enrollment.deal_id))
        stage = (deal.properties or {}).get("dealstage") if deal is not None else None
        if stage in ORDER_STAGES:
            return CONVERTED
        if stage != ABANDONED_STAGE:
            return CART_CLOSED
    return None


def reserve(conn: Connection, planned: Planned, message_id: str, now: int, job: Any) -> bool:
    """Mark the email SENDING (committed before the send starts); False when it must not be
    sent now: no longer due, or over the hourly cap (then deferred)."""
    mail_repo.ensure_sender(conn, planned.portal_id, new_key(), now)  # serialises the cap
    email = repo.get_email(conn, planned.email_id, lock=True)
    enrollment = repo.get_enrollment(conn, planned.enrollment_id)
    if email is None or email.state != repo.SCHEDULED or enrollment is None:
        return False
    if enrollment.state != ACTIVE:
        repo.update_email(conn, planned.email_id, state=repo.CANCELLED)
        return False
    attempts = repo.attempts_since(conn, planned.portal_id, now - HOUR_MS + 1)
    cap = hourly_cap()
    if len(attempts) >= cap:
        _reschedule(
            conn,
            planned,
            attempts[len(attempts) - cap] + HOUR_MS,
            f"deferred: the portal sent {cap} emails in the last hour (ECOMBRIDGE_MAIL_HOURLY_CAP)",
        )
        return False
    repo.update_email(
        conn,
        planned.email_id,
        state=repo.SENDING,
        attempts=int(email.attempts) + 1,
        attempted_at=now,
        message_id=message_id,
        recipient=planned.recipient,
        subject=None,
    )
    queue.extend_lease(conn, job, 10 * 60_000)  # the reaper must not take it mid-conversation
    return True


def record_sent(conn: Connection, planned: Planned, subject: str, now: int) -> None:
    repo.update_email(
        conn, planned.email_id, state=repo.SENT, sent_at=now, subject=subject, error=None
    )
    enrollment = repo.get_enrollment(conn, planned.enrollment_id)
    workflow = get_workflow(conn, planned.portal_id, planned.workflow.key)
    _next(conn, workflow, enrollment, planned.step, now)


def record_temporary(conn: Connection, planned: Planned, error: str, now: int) -> None:
    email = repo.get_email(conn, planned.email_id)
    attempts = int(email.attempts) if email is not None else MAX_SEND_ATTEMPTS
    if attempts >= MAX_SEND_ATTEMPTS:
        record_failure(
            conn, planned, f"gave up after {attempts} attempts: {error}", SMTP_UNAVAILABLE, now
        )
        return
    delay = min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** max(0, attempts - 1))
    _reschedule(conn, planned, now + delay, error)


def record_failure(conn: Connection, planned: Planned, error: str, reason: str, now: int) -> None:
    repo.update_email(conn, planned.email_id, state=repo.FAILED, error=error[:4000])
    repo.finish_enrollments(conn, [planned.enrollment_id], FAILED, reason, now)


def _reschedule(conn: Connection, planned: Planned, due: int, note: str) -> None:
    repo.update_email(
        conn,
        planned.email_id,
        state=repo.SCHEDULED,
        due_at=due,
        error=note[:4000],
        attempted_at=None,
        message_id=None,
    )
    queue.enqueue(
        conn,
        WORKFLOW_EMAIL,
        planned.email_id,
        planned.portal_id,
        run_after=due,
        max_attempts=EMAIL_JOB_ATTEMPTS,
    )


def _next(conn: Connection, workflow: Workflow, enrollment: Any, step: int, now: int) -> None:
    """After email ``step``: schedule the next, or complete the enrolment (if still active)."""
    if enrollment is None or enrollment.state != ACTIVE:
        return
    next_step = [(int(enrollment.id), step + 1, int(enrollment.enrolled_at))]
    schedule_emails(conn, int(enrollment.portal_id), workflow, next_step, now)
