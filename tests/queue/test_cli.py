"""``ecombridge jobs failed`` lists parked jobs and their error; ``jobs retry`` requeues one."""

from __future__ import annotations

from typer.testing import CliRunner

from ecombridge.cli.main import app
from ecombridge.db.engine import Database
from ecombridge.queue import service as queue


def _park(db: Database) -> int:
    with db.write() as conn:
        job_id = queue.enqueue(conn, "SYNC_BATCH", 41, 7, max_attempts=1)
        [job] = queue.claim(conn)
        queue.fail(conn, job, "Traceback (most recent call last):\nValueError: bad batch")
    return job_id


def test_failed_jobs_are_listed_with_their_last_error(db: Database, database_url: str) -> None:
    runner = CliRunner()
    empty = runner.invoke(app, ["jobs", "failed", "--database-url", database_url])
    assert empty.exit_code == 0 and "No failed jobs." in empty.output
    job_id = _park(db)
    listed = runner.invoke(app, ["jobs", "failed", "--database-url", database_url])
    assert listed.exit_code == 0, listed.output
    assert str(job_id) in listed.output
    assert "SYNC_BATCH" in listed.output
    assert "ValueError: bad batch" in listed.output


def test_a_failed_job_can_be_queued_again(db: Database, database_url: str) -> None:
    job_id = _park(db)
    runner = CliRunner()
    retried = runner.invoke(app, ["jobs", "retry", str(job_id), "--database-url", database_url])
    assert retried.exit_code == 0, retried.output
    with db.read() as conn:
        job = queue.get_job(conn, job_id)
    assert job is not None and (job.status, job.attempts) == ("QUEUED", 0)
    again = runner.invoke(app, ["jobs", "retry", str(job_id), "--database-url", database_url])
    assert again.exit_code == 1
    assert f"Job {job_id} is not a FAILED job." in again.output
