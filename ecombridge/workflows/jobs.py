"""The workflows' jobs of the durable queue.

- ``WORKFLOW_EMAIL`` (ref_id = workflow_emails.id): sends one email when it is due. It talks
  SMTP, so it manages its own transactions (see ``delivery``); its retries after a temporary
  SMTP failure are new jobs scheduled with backoff, so the queue's own retries only cover
  unexpected errors.
- ``WORKFLOW_SCAN`` (ref_id = portal id): the daily re-engagement scan of a portal, which
  queues its next run a day later for as long as re-engagement is on.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

from ecombridge.clock import now_ms
from ecombridge.db.engine import Database
from ecombridge.queue import service as queue
from ecombridge.queue.handlers import register
from ecombridge.queue.service import Job
from ecombridge.workflows.enrolment import WORKFLOW_EMAIL
from ecombridge.workflows.reengagement import scan_portal
from ecombridge.workflows.service import WORKFLOW_SCAN

DAY_MS = 86_400_000


@register(WORKFLOW_EMAIL, in_transaction=False)
def send_workflow_email(db: Database, job: Job) -> None:
    # Imported at the first send, not when a worker starts (workers import every handler):
    # the template engine, the CSS inliner, babel and smtplib take a while to load.
    from ecombridge.workflows.sending import send_email

    send_email(db, job)


@register(WORKFLOW_SCAN)
def scan_for_reengagement(conn: Connection, job: Job) -> None:
    now = now_ms()
    if scan_portal(conn, job.ref_id, now):
        queue.schedule(conn, WORKFLOW_SCAN, job.ref_id, job.portal_id, now + DAY_MS)
