"""Wake-ups: an enqueue in the API process starts its workers at once, those in its own process
and the worker processes it started (``ecombridge serve``).

Other workers find the job at their next poll (a few tens of milliseconds).
"""

from __future__ import annotations

import threading
import weakref
from typing import Protocol

from ecombridge.db.engine import Database


class WakeUp(Protocol):
    """An event a worker waits on: ``threading.Event`` or a ``multiprocessing`` one."""

    def set(self) -> None: ...
    def clear(self) -> None: ...
    def wait(self, timeout: float | None = None) -> bool: ...


_events: weakref.WeakKeyDictionary[Database, threading.Event] = weakref.WeakKeyDictionary()
_remote: weakref.WeakKeyDictionary[Database, list[WakeUp]] = weakref.WeakKeyDictionary()
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
    for remote in _remote.get(db, ()):
        remote.set()


def wake_also(db: Database, event: WakeUp) -> None:
    """Set ``event`` too on every ``wake(db)``: the wake-up of worker processes."""
    with _lock:
        _remote.setdefault(db, []).append(event)


class Foreground:
    """Writes that a client is waiting for (the intake's) in this process.

    Python's locks are not fair: a worker looping over groups could take the write lock again and
    again ahead of a request that waits for it. Before each write a worker calls ``wait_turn``:
    the requests already waiting go first, then the worker (later requests wait for it), so
    neither side can starve the other.
    """

    def __init__(self) -> None:
        self._entered = 0
        self._left = 0
        self._cond = threading.Condition()

    def enter(self) -> None:
        with self._cond:
            self._entered += 1

    def leave(self) -> None:
        with self._cond:
            self._left += 1
            self._cond.notify_all()

    def wait_turn(self, timeout_s: float) -> None:
        with self._cond:
            waiting_up_to = self._entered
            if self._left < waiting_up_to:
                self._cond.wait_for(lambda: self._left >= waiting_up_to, timeout_s)


_foreground: weakref.WeakKeyDictionary[Database, Foreground] = weakref.WeakKeyDictionary()


def foreground(db: Database) -> Foreground:
    with _lock:
        found = _foreground.get(db)
        if found is None:
            found = _foreground[db] = Foreground()
        return found
