"""A full disk under the database: recognised in any error (SQLite's ``database or disk is full``,
PostgreSQL's ``DiskFull``, SQLSTATE 53100, or ENOSPC), answered 503 with ``Retry-After`` at the
edge, and remembered for a while so that ``/readyz`` reports it."""

from __future__ import annotations

import errno
import time

SQLITE_FULL = 13
PG_DISK_FULL = "53100"
REMEMBERED_S = 60.0  # /readyz reports a full disk this long after it was last seen

_last_seen: float | None = None


def is_disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it, or the driver's error it wraps) says the disk is
    full."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        error = pending.pop()
        if error is None or id(error) in seen:
            continue
        seen.add(id(error))
        if getattr(error, "sqlite_errorcode", None) == SQLITE_FULL:
            return True
        if "database or disk is full" in str(error):
            return True
        if getattr(error, "sqlstate", None) == PG_DISK_FULL:
            return True
        if isinstance(error, OSError) and error.errno == errno.ENOSPC:
            return True
        orig = getattr(error, "orig", None)  # SQLAlchemy's DBAPIError wraps the driver's
        pending += [error.__cause__, error.__context__]
        if isinstance(orig, BaseException):
            pending.append(orig)
    return False


def note_full() -> None:
    global _last_seen
    _last_seen = time.monotonic()


def full_recently() -> float | None:
    """Seconds since a full disk was last seen, when within REMEMBERED_S; None otherwise."""
    if _last_seen is None:
        return None
    ago = time.monotonic() - _last_seen
    return ago if ago <= REMEMBERED_S else None
