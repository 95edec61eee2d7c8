"""RESOLVE_PENDING: make pending associations whose target was created by a concurrent
transaction (PostgreSQL only).

Two transactions applied at once on PostgreSQL do not see each other's rows: a batch naming a
target that another in-flight batch is creating stores the association as pending, and the
creating batch does not see that pending row, so it does not make it. Both commit. To close the
gap, each of them asks (in its own transaction) for a RESOLVE_PENDING job of the portal, locked
or queued so that it is claimed only after that transaction commits. The later of the two
transactions to commit thus has a job that runs in a snapshot seeing both, and the job makes
every pending association whose target now exists, exactly as a batch syncing the target does.

SQLite runs one writer at a time, so there a batch always sees what earlier batches committed and
no job is queued.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.engine import Connection

from ecombridge.clock import now_ms
from ecombridge.queue import service as queue
from ecombridge.queue.handlers import register
from ecombridge.queue.service import Job
from ecombridge.sync.apply import association_repository as arepo
from ecombridge.sync.apply import associations as assoc
from ecombridge.sync.apply.repository import Scope

RESOLVE_PENDING = "RESOLVE_PENDING"


def needs_recheck(conn: Connection) -> bool:
    """Whether concurrent applies can miss each other's rows (PostgreSQL)."""
    return conn.dialect.name == "postgresql"


def request_recheck(conn: Connection, portal_id: int) -> None:
    """In the caller's transaction: a RESOLVE_PENDING job of the portal runs after it commits
    (at most one queued per portal and concurrently running transaction)."""
    queue.enqueue_after_commit(conn, RESOLVE_PENDING, portal_id, portal_id)


@register(RESOLVE_PENDING)
def resolve_pending(conn: Connection, job: Job) -> None:
    """Make the portal's pending associations whose target exists; idempotent."""
    now = now_ms()
    for (source_app_id, store_id, to_type), arrived in sorted(
        arrived_targets(conn, job.ref_id).items()
    ):
        scope = Scope(job.ref_id, source_app_id, store_id)
        assoc.resolve_pending_to(conn, scope, to_type, arrived, now)


def arrived_targets(conn: Connection, portal_id: int) -> dict[tuple[int, str, str], dict[str, int]]:
    """(source, store, to type) -> {external id: hubspotId} of the targets of the portal's
    pending associations that exist."""
    found: dict[tuple[int, str, str], dict[str, int]] = defaultdict(dict)
    for row in arepo.existing_pending_targets(conn, portal_id):
        found[(int(row.source_app_id), row.store_id, row.to_type)][row.to_external_id] = int(
            row.hubspot_id
        )
    return dict(found)
