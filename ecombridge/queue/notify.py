"""In-process wake-ups: an enqueue in the API process starts its in-process workers at once.

Workers in other processes find the job at their next poll (a few tens of milliseconds).
"""

from __future__ import annotations

import threading
import weakref

from ecombridge.db.engine import Database

_events: weakref.WeakKeyDictionary[Database, threading.Event] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def wakeup_event(db: Database) -> threading.Event:
    with _lock:
        event = _events.get(db)
        if event is None:
            event = _events[db] = threading.Event()
        return event


def wake(db: Database) -> None:
    """Call after committing an enqueue."""
    event = _events.get(db)
    if event is not None:
        event.set()
