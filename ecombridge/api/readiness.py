"""What ``/readyz`` checks: the database answers, a worker process is alive (when this process
started some), the intake can write, no full disk was seen lately, and the queue moves (its
longest-waiting batch or job is younger than ``ready_max_queue_age_seconds``). Each check gives
a problem or None."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from starlette.datastructures import State

from ecombridge.clock import now_ms
from ecombridge.config import Config
from ecombridge.db import inbox as inbox_db
from ecombridge.db import storage
from ecombridge.db.analyze import never_analysed
from ecombridge.db.engine import Database
from ecombridge.queue import service as queue
from ecombridge.sync.intake_writer import writer_for


def database_problem(db: Database) -> str | None:
    try:
        with db.read() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as exc:  # the database being unreachable is what this probe reports
        return f"the database does not answer: {exc}"
    return None


def workers_problem(state: State) -> str | None:
    """Only for the worker processes this process started (``ecombridge serve``); workers run
    apart (``ecombridge worker``) are seen through the queue's age."""
    processes: Any = getattr(state, "worker_processes", None)
    if processes is None or processes.count == 0 or processes.alive() > 0:
        return None
    return f"no worker process is alive (0 of {processes.count}); restarting"


def intake_problem(db: Database) -> str | None:
    failure = writer_for(db).last_failure
    return None if failure is None else f"the intake cannot write: {failure}"


def storage_problem() -> str | None:
    ago = storage.full_recently()
    if ago is None:
        return None
    return f"the disk of the database is full (seen {ago:.0f} s ago)"


def queue_problem(db: Database, config: Config, now: int | None = None) -> str | None:
    now = now_ms() if now is None else now
    with db.read() as conn:
        oldest = queue.oldest_runnable_since(conn, now=now)
    _count, oldest_inbox = inbox_db.waiting(db)
    waited = [now - t for t in (oldest, oldest_inbox) if t is not None]
    limit_ms = config.ready_max_queue_age_seconds * 1000
    if waited and max(waited) > limit_ms:
        return (
            f"the oldest queued work has waited {max(waited) // 1000} s "
            f"(more than {config.ready_max_queue_age_seconds} s)"
        )
    return None


def problems(db: Database, config: Config, state: State) -> dict[str, str]:
    """Failed checks by name; empty when ready."""
    database = database_problem(db)
    if database is not None:
        return {"database": database}
    checks = {
        "workers": workers_problem(state),
        "intake": intake_problem(db),
        "storage": storage_problem(),
        "queue": queue_problem(db, config),
    }
    return {name: problem for name, problem in checks.items() if problem is not None}


def warnings(db: Database) -> list[str]:
    """What deserves attention without making the bridge unready."""
    try:
        with db.read() as conn:
            tables = never_analysed(conn)
    except Exception as exc:  # a warning must never fail the probe
        return [f"could not read table statistics: {exc}"]
    if not tables:
        return []
    return ["tables never analysed (no planner statistics; run ANALYZE): " + ", ".join(tables)]
