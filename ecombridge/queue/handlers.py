"""Job handlers, one per job kind.

Two shapes of handler:

- ``@register(KIND)``: ``fn(conn, job) -> None`` runs inside the job's write transaction, which
  also marks the job DONE (checking its lease) and commits. The work and the job's completion are
  atomic: a worker killed half way leaves nothing behind, and the job is run again after its
  lease expires. Consecutive jobs of such a kind may share one transaction.
- ``@register(KIND, in_transaction=False)``: ``fn(db, job) -> None`` manages its own transactions
  (for work that waits on the network, which must not hold SQLite's write lock). The job is
  marked DONE after it returns, so it must be safe to run again; call
  ``ecombridge.queue.service.extend_lease`` on long work and check ``holds_lease`` before
  committing results.

An in-transaction handler that wants something done only once its work is committed (counting
it in the metrics, say) registers it with ``ecombridge.queue.write_turn.after_commit``.

Either raises to fail the attempt: the job is retried with backoff, then parked as FAILED.
Modules defining handlers are listed in ``HANDLER_MODULES`` (add yours there) and imported by
``load_handlers``.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from ecombridge.queue.service import Job

F = TypeVar("F", bound=Callable[..., Any])

HANDLER_MODULES = [
    "ecombridge.sync.batch_job",
    "ecombridge.sync.inbox_mover",
    "ecombridge.sync.pending_recheck",
    "ecombridge.sync.pending_expiry",
    "ecombridge.imports.jobs",
    "ecombridge.workflows.jobs",
    "ecombridge.relay.jobs",
]


@dataclass(frozen=True)
class Handler:
    kind: str
    run: Callable[..., None]
    in_transaction: bool
    # fn(conn, jobs): runs a group of consecutive jobs of the kind at once (in-transaction only).
    run_group: Callable[..., None] | None = None


HANDLERS: dict[str, Handler] = {}


def register(kind: str, *, in_transaction: bool = True) -> Callable[[F], F]:
    def decorate(fn: F) -> F:
        HANDLERS[kind] = Handler(kind, fn, in_transaction)
        return fn

    return decorate


def register_group(kind: str) -> Callable[[F], F]:
    """``fn(conn, jobs)`` runs a group of claimed jobs of ``kind`` together in their
    transaction (e.g. one apply for consecutive batches of one store); the kind must already
    have its ``@register`` handler, used for single jobs."""

    def decorate(fn: F) -> F:
        single = HANDLERS[kind]
        HANDLERS[kind] = Handler(kind, single.run, single.in_transaction, fn)
        return fn

    return decorate


@dataclass(frozen=True)
class Feeder:
    """Work kept outside the jobs table until a worker queues it (the sync intake's SQLite
    inbox): ``queue(db, conn, limit)`` runs in every claim transaction, before the claim, and
    files up to ``limit`` (the claim's size) of what waits as jobs, returning how many;
    ``waiting(db)`` says cheaply whether anything might wait."""

    name: str
    waiting: Callable[[Any], bool]
    queue: Callable[[Any, Any, int], int]


FEEDERS: list[Feeder] = []

# fn(conn): housekeeping a worker runs in a write transaction every ``maintenance_interval_s``
# (expiring what waited too long); it must be cheap and bounded.
MAINTENANCE: list[Callable[[Any], None]] = []


def register_maintenance(fn: F) -> F:
    if fn not in MAINTENANCE:
        MAINTENANCE.append(fn)
    return fn


def register_feeder(feeder: Feeder) -> None:
    if all(f.name != feeder.name for f in FEEDERS):
        FEEDERS.append(feeder)


def load_handlers() -> dict[str, Handler]:
    """Import the modules defining handlers, and those named (comma-separated) in
    ECOMBRIDGE_JOB_HANDLER_MODULES: job kinds of plugins."""
    extra = os.environ.get("ECOMBRIDGE_JOB_HANDLER_MODULES", "")
    for module in [*HANDLER_MODULES, *(m.strip() for m in extra.split(",") if m.strip())]:
        importlib.import_module(module)
    return HANDLERS


def handler_for(job: Job) -> Handler:
    handler = HANDLERS.get(job.kind)
    if handler is None:
        load_handlers()
        handler = HANDLERS.get(job.kind)
    if handler is None:
        raise LookupError(f"no handler registered for job kind {job.kind!r}")
    return handler
