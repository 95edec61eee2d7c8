"""Enrolling contacts and scheduling workflow emails as jobs of the durable queue.

An enrolment is unique per (portal, workflow, dedupe key): a deal is enrolled in the abandoned-
cart workflow once, a contact welcomed once, re-engaged once per inactivity period. Contacts
without a valid email address or who opted out (``hs_email_optout``) are never enrolled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from ecombridge.queue import service as queue
from ecombridge.workflows import repository as repo
from ecombridge.workflows import shop_repository as shop
from ecombridge.workflows.definitions import ACTIVE, COMPLETED, Workflow

WORKFLOW_EMAIL = "WORKFLOW_EMAIL"
# Attempts of one email job: its own retries are new jobs (see jobs.py), so a job that keeps
# failing in an unexpected way is parked after these.
EMAIL_JOB_ATTEMPTS = 3
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Candidate:
    contact_id: int
    deal_id: int | None
    dedupe_key: str


def opted_out(properties: dict[str, Any]) -> bool:
    value = properties.get("hs_email_optout")
    return value is True or str(value).strip().lower() in ("true", "1", "yes")


def email_address(properties: dict[str, Any]) -> str | None:
    """The contact's email address when it is one an email can be sent to."""
    email = str(properties.get("email") or "").strip()
    return email if _EMAIL.match(email) and len(email) <= 320 else None


def reachable(properties: dict[str, Any]) -> bool:
    return email_address(properties) is not None and not opted_out(properties)


def enrol(
    conn: Connection, portal_id: int, workflow: Workflow, candidates: list[Candidate], now: int
) -> int:
    """Enrol the candidates that are new and reachable and schedule their first email; returns
    how many were enrolled."""
    fresh = {c.dedupe_key: c for c in candidates}
    for taken in repo.existing_dedupe_keys(conn, portal_id, workflow.key, fresh):
        del fresh[taken]
    if not fresh:
        return 0
    contacts = shop.objects(conn, portal_id, "CONTACT", {c.contact_id for c in fresh.values()})
    rows = [
        {
            "portal_id": portal_id,
            "workflow_key": workflow.key,
            "dedupe_key": c.dedupe_key,
            "contact_id": c.contact_id,
            "deal_id": c.deal_id,
            "state": ACTIVE,
            "enrolled_at": now,
        }
        for c in fresh.values()
        if c.contact_id in contacts and reachable(dict(contacts[c.contact_id].properties or {}))
    ]
    inserted = repo.insert_enrollments(conn, rows)
    steps = [(int(row.id), 0, int(row.enrolled_at)) for row in inserted]
    schedule_emails(conn, portal_id, workflow, steps, now)
    return len(inserted)


def schedule_emails(
    conn: Connection,
    portal_id: int,
    workflow: Workflow,
    steps: list[tuple[int, int, int]],
    now: int,
) -> None:
    """Schedule email ``step`` (0-based) of each (enrolment, step, enrolled at): due its delay
    after enrolment but never closer to the previous email than the delays set them apart (an
    email held back by the cap or an SMTP outage does not bring the next one with it). An
    enrolment whose workflow has no such email is completed instead."""
    emails = workflow.emails
    rows = []
    for enrollment_id, step, enrolled_at in steps:
        if step >= len(emails):
            repo.finish_enrollments(conn, [enrollment_id], COMPLETED, None, now)
            continue
        gap = emails[step].delay_ms - (emails[step - 1].delay_ms if step else 0)
        due = max(enrolled_at + emails[step].delay_ms, now + max(gap, 0) if step else 0)
        rows.append(
            {
                "portal_id": portal_id,
                "enrollment_id": enrollment_id,
                "step": step,
                "state": repo.SCHEDULED,
                "due_at": due,
                "attempts": 0,
            }
        )
    jobs: list[tuple[int, ...]] = [
        (email_id, portal_id, now, due) for email_id, due in repo.insert_emails(conn, rows)
    ]
    queue.enqueue_many(conn, WORKFLOW_EMAIL, jobs, max_attempts=EMAIL_JOB_ATTEMPTS)
