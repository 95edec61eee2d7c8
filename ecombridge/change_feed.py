"""What a write changed in the CRM, handed to the domains that act on it, in the same transaction.

The sync apply (batches and imports) and the CRM v3 writes publish, per object type, the objects
whose properties or associations they changed. Listeners run inside the writer's transaction and
never commit: the relay files its outbox rows and the workflows their enrolments there, so nothing
that committed is missed and nothing is acted on that did not commit.

A listener runs for every applied batch, so it must cost next to nothing when it has nothing to
do (one indexed read at most). Listener modules are named in ``LISTENER_MODULES`` (add yours
there) and register themselves with ``@listener`` when imported; they are imported on the first
publish.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.engine import Connection

Origin = Literal["sync", "import", "crm"]

LISTENER_MODULES: list[str] = ["ecombridge.workflows.triggers", "ecombridge.relay.outbox"]


@dataclass(frozen=True, slots=True)
class Changes:
    """Objects of one type and portal changed by one write.

    ``changed`` maps each object's id to the changedAt (epoch ms) of the newest change applied to
    it: the message's for sync and imports (imports: the import's start), the time of the write
    for CRM writes and for associations completed when their target arrived. ``store_id`` and
    ``source_app_id`` say whose data it was (None for CRM writes, which belong to no store).
    """

    portal_id: int
    object_type: str
    origin: Origin
    changed: dict[int, int]
    source_app_id: int | None = None
    store_id: str | None = None


Listener = Callable[[Connection, Changes], None]
_listeners: list[Listener] = []
_loaded = False


def listener(fn: Listener) -> Listener:
    """Register ``fn(conn, changes)``, called for every publish."""
    if fn not in _listeners:
        _listeners.append(fn)
    return fn


def publish(conn: Connection, changes: Changes) -> None:
    """Hand ``changes`` to every listener, in the caller's transaction."""
    global _loaded
    if not changes.changed:
        return
    if not _loaded:
        for module in LISTENER_MODULES:
            importlib.import_module(module)
        _loaded = True
    for fn in _listeners:
        fn(conn, changes)
