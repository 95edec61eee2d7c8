"""One object per database object, made on first use: the intake's and the import pages'
writer threads, each owning the group commit of its database."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

from ecombridge.db.engine import Database

T = TypeVar("T")


class PerDatabase(Generic[T]):
    def __init__(self, make: Callable[[Database], T]) -> None:
        self._make = make
        self._made: weakref.WeakKeyDictionary[Database, T] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def get(self, db: Database) -> T:
        with self._lock:
            found = self._made.get(db)
            if found is None:
                found = self._made[db] = self._make(db)
            return found
