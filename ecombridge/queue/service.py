"""The job queue: enqueue, claim under a lease, finish, retry with backoff, park, reap.

A job is claimed with a random lease token and a lease expiry. Every later change of the job
(finish, retry, release) names the token and is a no-op when it no longer matches: a worker that
lost its lease (it stalled past the expiry and the reaper gave the job to another worker) cannot
overwrite the new owner's outcome. Nothing here commits; the worker owns the transactions.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from ecombridge.clock import now_ms
from ecombridge.queue import parking
from ecombridge.queue import repository as repo
from ecombridge.queue.parking import Parked
from ecombridge.queue.repository import DONE, FAILED, QUEUED, RUNNING

__all__ = [
    "DONE",
    "FAILED",
    "IMPORT_APPLY",
    "IMPORT_WEBHOOK",
    "QUEUED",
    "RUNNING",
    "SYNC_BATCH",
    "Job",
    "RetryPolicy",
    "claim",
    "enqueue",
    "enqueue_after_commit",
    "enqueue_many",
    "extend_lease",
    "fail",
    "failed_jobs",
    "finish",
    "reap",
    "release",
    "schedule",
]

SYNC_BATCH = "SYNC_BATCH"
IMPORT_WEBHOOK = "IMPORT_WEBHOOK"
IMPORT_APPLY = "IMPORT_APPLY"

DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_LEASE_MS = 60_000


@dataclass(frozen=True)
class Job:
    id: int
    portal_id: int
    kind: str
    ref_id: int
    status: str
    attempts: int
    max_attempts: int
    run_after: int
    lease_token: str | None
    lease_expires_at: int | None
    last_error: str | None
    created_at: int
    finished_at: int | None

    @classmethod
    def from_row(cls, row: Any) -> Job:
        return cls(**row._mapping)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff: base, 2 x base, 4 x base ... capped."""

    base_ms: int = 1_000
    cap_ms: int = 10 * 60_000

    def delay_ms(self, attempts: int) -> int:
        return int(min(self.cap_ms, self.base_ms * 2 ** max(0, attempts - 1)))


def enqueue(
    conn: Connection,
    kind: str,
    ref_id: int,
    portal_id: int,
    *,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    now: int | None = None,
    run_after: int | None = None,
) -> int:
    """Queue a job in the caller's transaction; it becomes visible when that commits, and
    runnable at ``run_after`` (default: now).

    After the commit, call ``ecombridge.queue.notify.wake(db)`` so in-process workers start at
    once instead of at their next poll.
    """
    now = now_ms() if now is None else now
    return repo.insert_job(
        conn, kind, ref_id, portal_id, now, max_attempts, now if run_after is None else run_after
    )


def schedule(conn: Connection, kind: str, ref_id: int, portal_id: int, run_after: int) -> int:
    """Make sure a job of ``kind`` and ``ref_id`` runs at ``run_after`` at the latest: a QUEUED
    one due later is moved forward, one due earlier is left alone; only when none is queued is
    one inserted (recurring work keeps a single chain this way)."""
    job_id = repo.lock_queued(conn, kind, ref_id)
    if job_id is None:
        return enqueue(conn, kind, ref_id, portal_id, run_after=run_after)
    repo.run_no_later_than(conn, job_id, run_after)
    return job_id


def enqueue_many(
    conn: Connection,
    kind: str,
    refs: list[tuple[int, ...]],
    *,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> None:
    """``enqueue`` for many jobs of one kind at once: (ref_id, portal_id, now) each, or
    (ref_id, portal_id, now, run_after) for jobs scheduled for later."""
    repo.insert_jobs(conn, kind, refs, max_attempts)


def enqueue_after_commit(
    conn: Connection,
    kind: str,
    ref_id: int,
    portal_id: int,
    *,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    now: int | None = None,
) -> int:
    """Make sure a job of ``kind`` and ``ref_id`` runs after the caller's transaction commits,
    without queueing one per caller: a QUEUED one that no other transaction holds is locked
    until the caller's transaction ends (claims skip locked jobs, so it is claimed after the
    commit); only when there is none is a job inserted. Concurrent callers never wait for each
    other, so there are at most about as many such jobs queued as transactions running at once.
    For idempotent work only (a job may run more than once)."""
    job_id = repo.lock_queued(conn, kind, ref_id)
    if job_id is not None:
        return job_id
    return enqueue(conn, kind, ref_id, portal_id, max_attempts=max_attempts, now=now)


TOKEN_LENGTH = 32
TOKEN_PREFIX_LENGTH = 8


def new_token(prefix: str = "") -> str:
    """A lease token; ``prefix`` names the worker process holding it (``give_back_leased_by``)."""
    return prefix + secrets.token_hex(TOKEN_LENGTH)[: TOKEN_LENGTH - len(prefix)]


def new_token_prefix() -> str:
    return secrets.token_hex(TOKEN_PREFIX_LENGTH // 2)


def claim(
    conn: Connection,
    *,
    limit: int = 1,
    lease_ms: int = DEFAULT_LEASE_MS,
    now: int | None = None,
    token_prefix: str = "",
) -> list[Job]:
    """Lease up to ``limit`` runnable jobs, oldest first. They share one fresh token, starting
    with ``token_prefix`` (the claiming worker process's)."""
    now = now_ms() if now is None else now
    rows = repo.claim_jobs(conn, now, limit, new_token(token_prefix), now + lease_ms)
    return [Job.from_row(r) for r in rows]


def finish(conn: Connection, job: Job, *, now: int | None = None) -> bool:
    """Mark the job DONE; False (and nothing changed) when its lease was lost."""
    return bool(finish_many(conn, [job], now=now))


def finish_many(conn: Connection, claimed: list[Job], *, now: int | None = None) -> set[int]:
    """Mark DONE those of the jobs whose lease is still held; returns their ids."""
    now = now_ms() if now is None else now
    done: set[int] = set()
    by_token: dict[str, list[int]] = {}
    for job in claimed:
        if job.lease_token is not None:
            by_token.setdefault(job.lease_token, []).append(job.id)
    for token, ids in by_token.items():
        done.update(repo.mark_done(conn, ids, token, now))
    return done


def holds_lease(conn: Connection, job: Job) -> bool:
    return job.lease_token is not None and repo.holds_lease(conn, job.id, job.lease_token)


def fail(
    conn: Connection,
    job: Job,
    error: str,
    *,
    policy: RetryPolicy | None = None,
    now: int | None = None,
) -> str | None:
    """A handler raised: retry later with backoff, or park the job as FAILED when it has used
    all its attempts (its kind's ``parking`` hook records why where its client looks). Returns
    the new status, or None when the lease was lost."""
    if job.lease_token is None:
        return None
    now = now_ms() if now is None else now
    error = error[:4000]
    if job.attempts >= job.max_attempts:
        if not repo.mark_failed(conn, job.id, job.lease_token, error, now):
            return None
        parking.parked(conn, [Parked(job.id, job.kind, job.ref_id, error)])
        return FAILED
    run_after = now + (policy or RetryPolicy()).delay_ms(job.attempts)
    requeued = repo.requeue(conn, job.id, job.lease_token, run_after, error, undo=False)
    return QUEUED if requeued else None


def release(conn: Connection, job: Job, *, now: int | None = None) -> bool:
    """Give a claimed job back untouched (shutdown before starting it): the attempt is undone."""
    if job.lease_token is None:
        return False
    now = now_ms() if now is None else now
    return repo.requeue(conn, job.id, job.lease_token, now, None, undo=True)


def extend_lease(conn: Connection, job: Job, lease_ms: int = DEFAULT_LEASE_MS) -> bool:
    """For long handlers: push the lease expiry forward; False when the lease was lost."""
    if job.lease_token is None:
        return False
    return repo.extend_lease(conn, job.id, job.lease_token, now_ms() + lease_ms)


def reap(conn: Connection, *, now: int | None = None) -> tuple[int, int]:
    """Jobs whose lease expired go back to QUEUED (or FAILED when out of attempts).
    Returns (requeued, failed)."""
    requeued, parked = repo.reap_expired(conn, now_ms() if now is None else now)
    parking.parked(conn, parked)
    return requeued, len(parked)


def give_back_leased_by(
    conn: Connection, token_prefix: str, *, now: int | None = None
) -> tuple[int, int]:
    """A worker process died: the jobs it held (leased under ``token_prefix``) go back to the
    queue now rather than when their lease expires. Returns (requeued, failed)."""
    if len(token_prefix) != TOKEN_PREFIX_LENGTH:
        raise ValueError("a worker's token prefix has TOKEN_PREFIX_LENGTH characters")
    requeued, parked = repo.give_back_leased_by(
        conn, token_prefix, now_ms() if now is None else now
    )
    parking.parked(conn, parked)
    return requeued, len(parked)


def prune_done(
    conn: Connection, *, keep_ms: int, limit: int = 5_000, now: int | None = None
) -> int:
    """Forget DONE jobs older than ``keep_ms`` (a bounded number per call)."""
    return repo.prune_done(conn, (now_ms() if now is None else now) - keep_ms, limit)


def has_runnable(conn: Connection, *, now: int | None = None) -> bool:
    """Whether any job could be claimed now (a cheap read before claiming)."""
    return repo.has_runnable(conn, now_ms() if now is None else now)


def oldest_runnable_since(conn: Connection, *, now: int | None = None) -> int | None:
    """When the job waiting longest to be claimed became runnable (None: nothing waits)."""
    return repo.oldest_runnable_since(conn, now_ms() if now is None else now)


def failed_jobs(conn: Connection, *, limit: int = 100) -> list[Job]:
    """Parked jobs, newest first, with the error that parked them."""
    return [Job.from_row(r) for r in repo.list_jobs(conn, FAILED, limit)]


def retry_failed(conn: Connection, job_id: int) -> bool:
    """Put a parked job back in the queue with fresh attempts (its kind's ``parking`` hook
    withdraws what parking it recorded; parked again, it records it again)."""
    job = get_job(conn, job_id)
    if job is None or not repo.retry_failed(conn, job_id, now_ms()):
        return False
    parking.retried(conn, Parked(job.id, job.kind, job.ref_id, job.last_error or ""))
    return True


def get_job(conn: Connection, job_id: int) -> Job | None:
    row = repo.get_job(conn, job_id)
    return None if row is None else Job.from_row(row)
