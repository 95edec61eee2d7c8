"""Rules of the workflows: reading and replacing a portal's three workflows, listing enrolments,
ending enrolments. Takes a connection, never commits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from ecombridge.crm.service import parse_after, parse_limit
from ecombridge.queue import service as queue
from ecombridge.workflows import repository as repo
from ecombridge.workflows import shop_repository as shop
from ecombridge.workflows.definitions import (
    DEFAULTS,
    EXITED,
    KEYS,
    RE_ENGAGEMENT,
    WORKFLOW_DISABLED,
    EmailStep,
    Workflow,
)
from ecombridge.workflows.wire import emails_json, render_enrollment, require_key

ENROLLMENT_LIMITS = (20, 100)  # default and largest page
WORKFLOW_SCAN = "WORKFLOW_SCAN"


def from_row(row: Any) -> Workflow:
    return Workflow(
        row.key,
        bool(row.enabled),
        tuple(
            EmailStep(e["delayMinutes"], e["subject"], e.get("bodyTemplate")) for e in row.emails
        ),
        tuple(row.store_ids) if row.store_ids is not None else None,
        row.inactivity_days,
        row.enabled_at,
    )


def list_workflows(conn: Connection, portal_id: int) -> list[Workflow]:
    saved = {row.key: from_row(row) for row in repo.workflow_rows(conn, portal_id)}
    return [saved.get(key, DEFAULTS[key]) for key in KEYS]


def enabled_workflows(conn: Connection, portal_id: int) -> dict[str, Workflow]:
    rows = repo.workflow_rows(conn, portal_id, enabled_only=True)
    return {row.key: from_row(row) for row in rows}


def get_workflow(conn: Connection, portal_id: int, key: str) -> Workflow:
    require_key(key)
    return next(w for w in list_workflows(conn, portal_id) if w.key == key)


def put_workflow(conn: Connection, portal_id: int, workflow: Workflow, now: int) -> Workflow:
    """Replace a workflow. Turning it on starts its clock: only changes from then on enrol
    (and re-engagement's daily scan is queued now). Turning it off ends its active enrolments
    and cancels their scheduled emails."""
    current = get_workflow(conn, portal_id, workflow.key)
    if workflow.enabled:
        enabled_at = current.enabled_at if current.enabled and current.enabled_at else now
    else:
        enabled_at = None
        active = repo.active_ids(conn, portal_id, workflow.key)
        repo.finish_enrollments(conn, active, EXITED, WORKFLOW_DISABLED, now)
    repo.upsert_workflow(
        conn,
        portal_id,
        workflow.key,
        enabled=workflow.enabled,
        enabled_at=enabled_at,
        store_ids=list(workflow.store_ids) if workflow.store_ids is not None else None,
        inactivity_days=workflow.inactivity_days,
        emails=emails_json(workflow.emails),
        updated_at=now,
    )
    if workflow.enabled and workflow.key == RE_ENGAGEMENT:
        queue.schedule(conn, WORKFLOW_SCAN, portal_id, portal_id, now)
    return get_workflow(conn, portal_id, workflow.key)


def list_enrollments(
    conn: Connection, portal_id: int, key: str, limit: str | None, after: str | None
) -> dict[str, Any]:
    """{"results", "paging"?}: newest first; ``after`` is the cursor of the previous page."""
    require_key(key)
    size = parse_limit(limit, ENROLLMENT_LIMITS)
    rows = repo.list_enrollments(conn, portal_id, key, size + 1, parse_after(after))
    page = rows[:size]
    sent: dict[int, list[Any]] = {}
    for email in repo.emails_of(conn, [int(r.id) for r in page]):
        if email.state == repo.SENT:
            sent.setdefault(int(email.enrollment_id), []).append(email)
    body: dict[str, Any] = {
        "results": [render_enrollment(row, sent.get(int(row.id), [])) for row in page]
    }
    if len(rows) > size:
        body["paging"] = {"next": {"after": str(page[-1].id)}}
    return body


@dataclass(frozen=True)
class EnrollmentView:
    """An enrolment as the web UI lists it: who, which deal, where it stands, its emails."""

    row: Any
    contact_email: str
    deal_name: str
    emails: list[Any]


def enrollment_views(
    conn: Connection, portal_id: int, key: str, limit: int, before: int | None
) -> tuple[list[EnrollmentView], int | None]:
    """A page of enrolments, newest first, and the cursor of the next page (or None)."""
    rows = repo.list_enrollments(conn, portal_id, key, limit + 1, before)
    page = rows[:limit]
    emails: dict[int, list[Any]] = {}
    for email in repo.emails_of(conn, [int(r.id) for r in page]):
        emails.setdefault(int(email.enrollment_id), []).append(email)
    contacts = shop.objects(conn, portal_id, "CONTACT", {int(r.contact_id) for r in page})
    deals = shop.objects(conn, portal_id, "DEAL", {int(r.deal_id) for r in page if r.deal_id})
    views = [
        EnrollmentView(
            row,
            str((contacts[row.contact_id].properties or {}).get("email") or "")
            if row.contact_id in contacts
            else "",
            str((deals[row.deal_id].properties or {}).get("dealname") or "")
            if row.deal_id in deals
            else "",
            emails.get(int(row.id), []),
        )
        for row in page
    ]
    return views, int(page[-1].id) if len(rows) > limit else None
