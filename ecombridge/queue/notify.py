"""Wake-ups: an enqueue in the API process starts its workers at once, those in its own process
and the worker processes it started (``ecombridge serve``).

Other workers find the job at their next poll (a few tens of milliseconds). Worker processes are
woken through a pipe each (``PipeWakeUp``): writing to it never blocks the API, whatever became
of the reader (a ``multiprocessing`` event's ``set`` waits for the lock of its sleepers, forever
when one of them was killed while holding it).
"""

from __future__ import annotations

import contextlib
import os
import select
import threading
import weakref
from multiprocessing import reduction
from typing import Any, Protocol

from ecombridge.db.engine import Database


class WakeUp(Protocol):
    """An event a worker waits on: ``threading.Event`` or a ``PipeWakeUp``."""

    def set(self) -> None: ...
    def clear(self) -> None: ...
    def wait(self, timeout: float | None = None) -> bool: ...


class Settable(Protocol):
    def set(self) -> None: ...


class PipeWakeUp:
    """A wake-up over an OS pipe, both ends non-blocking: ``set`` writes a byte (a full pipe
    already holds a wake-up, a pipe whose reader is gone is ignored), ``wait`` selects on the
    read end. It holds no lock, so ``set`` is safe in a signal handler and cannot wait for a
    dead process. Handed to a spawned worker process as its ``wakeup`` argument."""

    signal_safe = True

    def __init__(self) -> None:
        self._read, self._write = os.pipe()
        os.set_blocking(self._read, False)
        os.set_blocking(self._write, False)

    def set(self) -> None:
        # Full (a wake-up is pending), or the reader is gone, or closed: nothing to do.
        with contextlib.suppress(OSError):
            os.write(self._write, b"\0")

    def clear(self) -> None:
        try:
            while os.read(self._read, 4096):
                pass
        except OSError:  # empty
            pass

    def wait(self, timeout: float | None = None) -> bool:
        try:
            ready, _, _ = select.select([self._read], [], [], timeout)
        except (OSError, ValueError):  # closed
            return False
        return bool(ready)

    def close_reader(self) -> None:
        """In the process that only writes (after starting the reader's process)."""
        self._read = _close(self._read)

    def close(self) -> None:
        self._read = _close(self._read)
        self._write = _close(self._write)

    # Pickled only while spawning a process: the descriptors are passed to the child.
    def __getstate__(self) -> dict[str, Any]:
        return {"read": reduction.DupFd(self._read), "write": reduction.DupFd(self._write)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._read = state["read"].detach()
        self._write = state["write"].detach()


def _close(fd: int) -> int:
    """Close ``fd`` once (the number may be reused at once: never close it twice); -1."""
    if fd >= 0:
        with contextlib.suppress(OSError):
            os.close(fd)
    return -1


_events: weakref.WeakKeyDictionary[Database, threading.Event] = weakref.WeakKeyDictionary()
_remote: weakref.WeakKeyDictionary[Database, list[Settable]] = weakref.WeakKeyDictionary()
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
    for remote in list(_remote.get(db, ())):
        remote.set()


def wake_also(db: Database, event: Settable) -> None:
    """Set ``event`` too on every ``wake(db)``: the wake-up of worker processes. It must never
    block (the intake calls ``wake`` before answering its requests)."""
    with _lock:
        _remote.setdefault(db, []).append(event)


def stop_waking(db: Database, event: Settable) -> None:
    with _lock:
        remotes = _remote.get(db, [])
        if event in remotes:
            remotes.remove(event)


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
