"""All SQL on the ``jobs`` table.

Statements are written once for both databases: ``FOR UPDATE SKIP LOCKED`` is rendered on
PostgreSQL and dropped by the SQLite compiler, where the write transaction itself (``BEGIN
IMMEDIATE``) already keeps claimers apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from ecombridge.db.tables import jobs
from ecombridge.queue.parking import Parked

QUEUED = "QUEUED"
RUNNING = "RUNNING"
DONE = "DONE"
FAILED = "FAILED"

_JOB_COLUMNS = (
    jobs.c.id,
    jobs.c.portal_id,
    jobs.c.kind,
    jobs.c.ref_id,
    jobs.c.status,
    jobs.c.attempts,
    jobs.c.max_attempts,
    jobs.c.run_after,
    jobs.c.lease_token,
    jobs.c.lease_expires_at,
    jobs.c.last_error,
    jobs.c.created_at,
    jobs.c.finished_at,
)


def insert_job(
    conn: Connection,
    kind: str,
    ref_id: int,
    portal_id: int,
    now: int,
    max_attempts: int,
    run_after: int | None = None,
) -> int:
    job_id = conn.execute(
        jobs.insert()
        .values(
            portal_id=portal_id,
            kind=kind,
            ref_id=ref_id,
            status=QUEUED,
            attempts=0,
            max_attempts=max_attempts,
            run_after=now if run_after is None else run_after,
            created_at=now,
        )
        .returning(jobs.c.id)
    ).scalar_one()
    return int(job_id)


def insert_jobs(
    conn: Connection, kind: str, refs: Sequence[tuple[int, ...]], max_attempts: int
) -> None:
    """Queue one job of ``kind`` per (ref_id, portal_id, now[, run_after]), in one statement."""
    if not refs:
        return
    conn.execute(
        jobs.insert(),
        [
            {
                "portal_id": ref[1],
                "kind": kind,
                "ref_id": ref[0],
                "status": QUEUED,
                "attempts": 0,
                "max_attempts": max_attempts,
                "run_after": ref[3] if len(ref) > 3 else ref[2],
                "created_at": ref[2],
            }
            for ref in refs
        ],
    )


def lock_queued(conn: Connection, kind: str, ref_id: int) -> int | None:
    """Lock (until the caller's transaction ends) one QUEUED job of ``kind`` and ``ref_id`` that
    no other transaction holds; its id, or None. Claims skip locked jobs, so a job locked here
    is claimed only after the caller commits (PostgreSQL; SQLite has one writer anyway)."""
    statement = (
        sa.select(jobs.c.id)
        .where(jobs.c.status == QUEUED, jobs.c.kind == kind, jobs.c.ref_id == ref_id)
        .order_by(jobs.c.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    job_id = conn.execute(statement).scalar_one_or_none()
    return None if job_id is None else int(job_id)


def run_no_later_than(conn: Connection, job_id: int, run_after: int) -> None:
    conn.execute(
        jobs.update()
        .where(jobs.c.id == job_id, jobs.c.status == QUEUED, jobs.c.run_after > run_after)
        .values(run_after=run_after)
    )


def claim_jobs(
    conn: Connection, now: int, limit: int, token: str, lease_expires_at: int
) -> Sequence[Row[Any]]:
    """Mark up to ``limit`` runnable jobs RUNNING under ``token``, oldest first."""
    runnable = (
        sa.select(jobs.c.id)
        .where(jobs.c.status == QUEUED, jobs.c.run_after <= now)
        .order_by(jobs.c.run_after, jobs.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    rows = conn.execute(
        jobs.update()
        .where(jobs.c.id.in_(runnable))
        .values(
            status=RUNNING,
            attempts=jobs.c.attempts + 1,
            lease_token=token,
            lease_expires_at=lease_expires_at,
        )
        .returning(*_JOB_COLUMNS)
    ).all()
    # RETURNING gives no order guarantee; callers rely on FIFO order.
    return sorted(rows, key=lambda r: (r.run_after, r.id))


def mark_done(conn: Connection, job_ids: Sequence[int], token: str, now: int) -> list[int]:
    """DONE for the given jobs still leased under ``token``; returns the ids that were."""
    if not job_ids:
        return []
    ids = conn.execute(
        jobs.update()
        .where(jobs.c.id.in_(job_ids), jobs.c.lease_token == token, jobs.c.status == RUNNING)
        .values(status=DONE, finished_at=now, lease_token=None, lease_expires_at=None)
        .returning(jobs.c.id)
    ).scalars()
    return [int(i) for i in ids]


def holds_lease(conn: Connection, job_id: int, token: str) -> bool:
    found = conn.execute(
        sa.select(jobs.c.id).where(
            jobs.c.id == job_id, jobs.c.lease_token == token, jobs.c.status == RUNNING
        )
    ).first()
    return found is not None


def requeue(
    conn: Connection, job_id: int, token: str, run_after: int, error: str | None, *, undo: bool
) -> bool:
    """Back to QUEUED (a retry, or a release with ``undo`` giving the attempt back)."""
    values: dict[str, object] = {
        "status": QUEUED,
        "run_after": run_after,
        "lease_token": None,
        "lease_expires_at": None,
    }
    if error is not None:
        values["last_error"] = error
    if undo:
        values["attempts"] = jobs.c.attempts - 1
    result = conn.execute(
        jobs.update()
        .where(jobs.c.id == job_id, jobs.c.lease_token == token, jobs.c.status == RUNNING)
        .values(**values)
    )
    return result.rowcount == 1


def mark_failed(conn: Connection, job_id: int, token: str, error: str, now: int) -> bool:
    result = conn.execute(
        jobs.update()
        .where(jobs.c.id == job_id, jobs.c.lease_token == token, jobs.c.status == RUNNING)
        .values(
            status=FAILED,
            last_error=error,
            finished_at=now,
            lease_token=None,
            lease_expires_at=None,
        )
    )
    return result.rowcount == 1


def extend_lease(conn: Connection, job_id: int, token: str, lease_expires_at: int) -> bool:
    result = conn.execute(
        jobs.update()
        .where(jobs.c.id == job_id, jobs.c.lease_token == token, jobs.c.status == RUNNING)
        .values(lease_expires_at=lease_expires_at)
    )
    return result.rowcount == 1


def reap_expired(conn: Connection, now: int) -> tuple[int, list[Parked]]:
    """Expired leases: back to QUEUED, or FAILED when no attempt is left. Returns both counts."""
    message = "lease expired: the worker holding the job stopped before finishing it"
    return _give_back(conn, jobs.c.lease_expires_at < now, message, now)


def give_back_leased_by(conn: Connection, token_prefix: str, now: int) -> tuple[int, list[Parked]]:
    """The leases of a worker process known to be dead (its tokens start with
    ``token_prefix``): given back at once, as the reaper would after their expiry."""
    message = "the worker process holding the job died before finishing it"
    return _give_back(conn, jobs.c.lease_token.startswith(token_prefix), message, now)


def _give_back(
    conn: Connection, condition: sa.ColumnElement[bool], message: str, now: int
) -> tuple[int, list[Parked]]:
    """Leased jobs matching ``condition`` back to QUEUED (the attempt counts: a job that kills
    its worker every time is parked in the end), or FAILED when no attempt is left."""
    leased = (jobs.c.status == RUNNING, condition)
    failed = conn.execute(
        jobs.update()
        .where(*leased, jobs.c.attempts >= jobs.c.max_attempts)
        .values(
            status=FAILED,
            last_error=message,
            finished_at=now,
            lease_token=None,
            lease_expires_at=None,
        )
        .returning(jobs.c.id, jobs.c.kind, jobs.c.ref_id)
    ).all()
    requeued = conn.execute(
        jobs.update()
        .where(*leased)
        .values(
            status=QUEUED,
            run_after=now,
            last_error=message,
            lease_token=None,
            lease_expires_at=None,
        )
    ).rowcount
    return requeued, [Parked(row.id, row.kind, row.ref_id, message) for row in failed]


def retry_failed(conn: Connection, job_id: int, now: int) -> bool:
    """A parked job gets a fresh set of attempts."""
    result = conn.execute(
        jobs.update()
        .where(jobs.c.id == job_id, jobs.c.status == FAILED)
        .values(status=QUEUED, attempts=0, run_after=now, finished_at=None)
    )
    return result.rowcount == 1


def get_job(conn: Connection, job_id: int) -> Any:
    return conn.execute(sa.select(*_JOB_COLUMNS).where(jobs.c.id == job_id)).first()


def list_jobs(conn: Connection, status: str, limit: int) -> Sequence[Any]:
    return conn.execute(
        sa.select(*_JOB_COLUMNS)
        .where(jobs.c.status == status)
        .order_by(jobs.c.id.desc())
        .limit(limit)
    ).all()


def has_runnable(conn: Connection, now: int) -> bool:
    found = conn.execute(
        sa.select(jobs.c.id).where(jobs.c.status == QUEUED, jobs.c.run_after <= now).limit(1)
    ).first()
    return found is not None


def oldest_runnable_since(conn: Connection, now: int) -> int | None:
    """Since when the longest-waiting runnable job has been runnable (index ``ix_jobs_claim``)."""
    found = conn.execute(
        sa.select(sa.func.min(jobs.c.run_after)).where(
            jobs.c.status == QUEUED, jobs.c.run_after <= now
        )
    ).scalar()
    return None if found is None else int(found)


def prune_done(conn: Connection, finished_before: int, limit: int) -> int:
    """Forget up to ``limit`` DONE jobs finished before the given time; returns how many."""
    old = (
        sa.select(jobs.c.id)
        .where(jobs.c.status == DONE, jobs.c.finished_at < finished_before)
        .order_by(jobs.c.id)
        .limit(limit)
        .scalar_subquery()
    )
    return int(conn.execute(jobs.delete().where(jobs.c.id.in_(old))).rowcount)
