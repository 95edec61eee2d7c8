"""A full disk under the database: recognised in any error (SQLite's ``database or disk is full``,
PostgreSQL's ``DiskFull``, SQLSTATE 53100, or ENOSPC), answered 503 with ``Retry-After`` at the
edge, and remembered for a while so that ``/readyz`` reports it.

Also a database that cannot be reached for now (PostgreSQL refusing connections: down, starting,
shutting down, or at its ``max_connections``): the edge answers 503 with ``Retry-After`` too, as
the request may well succeed a moment later; it is not a bug of the bridge."""

from __future__ import annotations

import errno
import time

SQLITE_FULL = 13
PG_DISK_FULL = "53100"
# too_many_connections, admin_shutdown, crash_shutdown, cannot_connect_now (and class 08).
PG_UNAVAILABLE = frozenset({"53300", "57P01", "57P02", "57P03"})
REMEMBERED_S = 60.0  # /readyz reports a full disk this long after it was last seen

_last_seen: float | None = None


def is_disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it, or the driver's error it wraps) says the disk is
    full."""
    return any(_says_disk_full(error) for error in _chain(exc))


def is_unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database server could not be reached or refused a connection."""
    for error in _chain(exc):
        sqlstate = getattr(error, "sqlstate", None)
        if isinstance(sqlstate, str) and (sqlstate in PG_UNAVAILABLE or sqlstate[:2] == "08"):
            return True
        # psycopg raises a connection failure before any SQLSTATE exists.
        if type(error).__name__ == "OperationalError" and "connection failed" in str(error):
            return True
    return False


def _says_disk_full(error: BaseException) -> bool:
    if getattr(error, "sqlite_errorcode", None) == SQLITE_FULL:
        return True
    if "database or disk is full" in str(error):
        return True
    if getattr(error, "sqlstate", None) == PG_DISK_FULL:
        return True
    return isinstance(error, OSError) and error.errno == errno.ENOSPC


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc``, what caused it and the driver's errors SQLAlchemy wraps."""
    found: list[BaseException] = []
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        error = pending.pop()
        if error is None or id(error) in seen:
            continue
        seen.add(id(error))
        found.append(error)
        orig = getattr(error, "orig", None)  # SQLAlchemy's DBAPIError wraps the driver's
        pending += [error.__cause__, error.__context__]
        if isinstance(orig, BaseException):
            pending.append(orig)
    return found


def note_full() -> None:
    global _last_seen
    _last_seen = time.monotonic()


def full_recently() -> float | None:
    """Seconds since a full disk was last seen, when within REMEMBERED_S; None otherwise."""
    if _last_seen is None:
        return None
    ago = time.monotonic() - _last_seen
    return ago if ago <= REMEMBERED_S else None
