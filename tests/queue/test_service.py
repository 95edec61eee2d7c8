"""The job queue: enqueue, claim under a lease, finish, stale workers, retries, parking, reaping."""

from __future__ import annotations

import threading

from ecombridge.db.engine import Database
from ecombridge.queue import service as queue
from ecombridge.queue.service import Job, RetryPolicy

T0 = 1_700_000_000_000


def _enqueue(db: Database, count: int = 1, *, max_attempts: int = 5, now: int = T0) -> list[int]:
    with db.write() as conn:
        return [
            queue.enqueue(conn, "TEST", ref, 7, max_attempts=max_attempts, now=now)
            for ref in range(count)
        ]


def _claim(db: Database, limit: int = 1, now: int = T0, lease_ms: int = 1000) -> list[Job]:
    with db.write() as conn:
        return queue.claim(conn, limit=limit, lease_ms=lease_ms, now=now)


def _job(db: Database, job_id: int) -> Job:
    with db.read() as conn:
        job = queue.get_job(conn, job_id)
    assert job is not None
    return job


def test_an_enqueued_job_is_queued_and_runnable_at_once(db: Database) -> None:
    [job_id] = _enqueue(db)
    job = _job(db, job_id)
    assert (job.kind, job.ref_id, job.portal_id) == ("TEST", 0, 7)
    assert (job.status, job.attempts, job.run_after) == ("QUEUED", 0, T0)
    assert job.lease_token is None


def test_claim_leases_the_oldest_jobs_with_one_token_and_an_expiry(db: Database) -> None:
    ids = _enqueue(db, 3)
    claimed = _claim(db, limit=2, now=T0 + 5)
    assert [j.id for j in claimed] == ids[:2]
    assert all(j.status == "RUNNING" and j.attempts == 1 for j in claimed)
    assert claimed[0].lease_token and claimed[0].lease_token == claimed[1].lease_token
    assert claimed[0].lease_expires_at == T0 + 5 + 1000
    assert [j.id for j in _claim(db, limit=5, now=T0 + 5)] == ids[2:]
    assert _claim(db, limit=5, now=T0 + 5) == []


def test_jobs_scheduled_later_are_not_claimed_before_their_time(db: Database) -> None:
    _enqueue(db, now=T0 + 10_000)
    assert _claim(db, now=T0) == []
    assert len(_claim(db, now=T0 + 10_000)) == 1


def test_finish_marks_done_and_a_stale_token_is_a_no_op(db: Database) -> None:
    [job_id] = _enqueue(db)
    [job] = _claim(db)
    with db.write() as conn:
        assert queue.finish(conn, job, now=T0 + 1) is True
        assert queue.finish(conn, job, now=T0 + 2) is False  # already done: token cleared
    done = _job(db, job_id)
    assert (done.status, done.finished_at, done.lease_token) == ("DONE", T0 + 1, None)


def test_a_worker_that_lost_its_lease_cannot_finish_or_fail_the_job(db: Database) -> None:
    [job_id] = _enqueue(db)
    [stale] = _claim(db, lease_ms=100)
    with db.write() as conn:
        assert queue.reap(conn, now=T0 + 101) == (1, 0)
    [current] = _claim(db, now=T0 + 200)
    assert current.id == job_id and current.lease_token != stale.lease_token
    with db.write() as conn:
        assert queue.finish(conn, stale) is False
        assert queue.fail(conn, stale, "boom") is None
        assert queue.release(conn, stale) is False
    assert _job(db, job_id).status == "RUNNING"
    with db.write() as conn:
        assert queue.finish(conn, current) is True
    assert _job(db, job_id).status == "DONE"


def test_a_failed_attempt_is_retried_with_exponential_backoff(db: Database) -> None:
    [job_id] = _enqueue(db)
    policy = RetryPolicy(base_ms=1000, cap_ms=3000)
    now = T0
    delays = []
    for _attempt in range(4):
        [job] = _claim(db, now=now)
        with db.write() as conn:
            assert queue.fail(conn, job, f"boom {job.attempts}", policy=policy, now=now) == "QUEUED"
        retried = _job(db, job_id)
        delays.append(retried.run_after - now)
        assert _claim(db, now=retried.run_after - 1) == []
        now = retried.run_after
    assert delays == [1000, 2000, 3000, 3000]
    assert _job(db, job_id).last_error == "boom 4"


def test_a_job_out_of_attempts_is_parked_as_failed_and_listed(db: Database) -> None:
    [job_id] = _enqueue(db, max_attempts=2)
    now = T0
    statuses = []
    for _ in range(2):
        [job] = _claim(db, now=now)
        with db.write() as conn:
            statuses.append(queue.fail(conn, job, "Traceback ...\nValueError: bad", now=now))
        now += 10 * 60_000
    assert statuses == ["QUEUED", "FAILED"]
    assert _claim(db, now=now + 10**9) == []
    with db.read() as conn:
        [parked] = queue.failed_jobs(conn)
    assert (parked.id, parked.status, parked.attempts) == (job_id, "FAILED", 2)
    assert parked.last_error == "Traceback ...\nValueError: bad"
    with db.write() as conn:
        assert queue.retry_failed(conn, job_id) is True
    assert (_job(db, job_id).status, _job(db, job_id).attempts) == ("QUEUED", 0)


def test_the_reaper_requeues_expired_leases_and_parks_exhausted_ones(db: Database) -> None:
    first, second, third = _enqueue(db, 3, max_attempts=1)
    with db.write() as conn:
        conn.exec_driver_sql(f"UPDATE jobs SET max_attempts = 5 WHERE id IN ({first}, {second})")
    _claim(db, limit=2, lease_ms=100)  # first, second
    _claim(db, limit=1, lease_ms=10_000)  # third: attempts 1 of 1
    with db.write() as conn:
        assert queue.reap(conn, now=T0 + 50) == (0, 0)
        assert queue.reap(conn, now=T0 + 101) == (2, 0)
        assert queue.reap(conn, now=T0 + 20_000) == (0, 1)
    assert _job(db, first).status == "QUEUED"
    assert "lease expired" in (_job(db, first).last_error or "")
    assert _job(db, third).status == "FAILED"


def test_release_gives_the_job_back_without_using_an_attempt(db: Database) -> None:
    [job_id] = _enqueue(db)
    [job] = _claim(db)
    with db.write() as conn:
        assert queue.release(conn, job, now=T0) is True
    released = _job(db, job_id)
    assert (released.status, released.attempts, released.lease_token) == ("QUEUED", 0, None)


def test_extend_lease_pushes_the_expiry_only_for_the_holder(db: Database) -> None:
    _enqueue(db)
    [job] = _claim(db, lease_ms=100)
    with db.write() as conn:
        assert queue.extend_lease(conn, job, lease_ms=60_000) is True
        assert queue.reap(conn, now=T0 + 1000) == (0, 0)


def test_concurrent_claimers_never_get_the_same_job(db: Database) -> None:
    total = 300
    _enqueue(db, total)
    claimed: list[list[int]] = [[] for _ in range(4)]
    errors: list[BaseException] = []

    def claimer(index: int) -> None:
        try:
            while True:
                jobs = _claim(db, limit=3, now=T0 + 1)
                if not jobs:
                    return
                claimed[index].extend(j.id for j in jobs)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=claimer, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    every = [job_id for ids in claimed for job_id in ids]
    assert len(every) == total
    assert len(set(every)) == total


def test_done_jobs_are_pruned_after_the_retention(db: Database) -> None:
    old, recent = _enqueue(db, 2)
    for job, finished_at in zip(_claim(db, limit=2), (T0 + 10, T0 + 5_000), strict=True):
        with db.write() as conn:
            queue.finish(conn, job, now=finished_at)
    with db.write() as conn:
        assert queue.prune_done(conn, keep_ms=1_000, now=T0 + 2_000) == 1
    with db.read() as conn:
        assert queue.get_job(conn, old) is None
        assert queue.get_job(conn, recent) is not None
