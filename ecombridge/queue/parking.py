"""What happens when a job is parked (FAILED after its last attempt): the job kind's hook, run in
the transaction that parks it, makes the failure visible where its client looks (a sync batch's
objects get a sync error). A failing hook is logged and leaves the parking itself alone."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.engine import Connection

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Parked:
    job_id: int
    kind: str
    ref_id: int
    reason: str  # the error that parked it


ParkedHook = Callable[[Connection, list[Parked]], None]
HOOKS: dict[str, ParkedHook] = {}
RETRY_HOOKS: dict[str, ParkedHook] = {}


def on_parked(kind: str) -> Callable[[ParkedHook], ParkedHook]:
    def decorate(fn: ParkedHook) -> ParkedHook:
        HOOKS[kind] = fn
        return fn

    return decorate


def on_retried(kind: str) -> Callable[[ParkedHook], ParkedHook]:
    """``fn(conn, [job])`` when a parked job of ``kind`` is queued again."""

    def decorate(fn: ParkedHook) -> ParkedHook:
        RETRY_HOOKS[kind] = fn
        return fn

    return decorate


def retried(conn: Connection, job: Parked) -> None:
    _run(conn, RETRY_HOOKS, job.kind, [job])


def parked(conn: Connection, jobs: list[Parked]) -> None:
    """Run the hooks of freshly parked jobs, each kind in a savepoint of its own."""
    if not jobs:
        return
    by_kind: dict[str, list[Parked]] = {}
    for job in jobs:
        by_kind.setdefault(job.kind, []).append(job)
    for kind, of_kind in by_kind.items():
        _run(conn, HOOKS, kind, of_kind)


def _run(conn: Connection, hooks: dict[str, ParkedHook], kind: str, jobs: list[Parked]) -> None:
    from ecombridge.queue.handlers import load_handlers  # the hooks live beside the handlers

    load_handlers()
    hook = hooks.get(kind)
    if hook is None:
        return
    try:
        with conn.begin_nested():
            hook(conn, jobs)
    except Exception:
        ids = [job.job_id for job in jobs]
        log.exception("the parking hook of %s jobs %s failed", kind, ids)
