"""PostgreSQL's planner statistics: gathered (``ANALYZE``) after migrations change the schema and
after a bulk import, so the first queries after either do not run on plans made for empty
tables while autovacuum has not caught up; tables never analysed are reported by ``/readyz``
as a warning. SQLite keeps no such statistics here: every function is a no-op there."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

log = logging.getLogger(__name__)

# What applying an import fills.
IMPORTED_TABLES = (
    "crm_objects",
    "sync_objects",
    "associations",
    "pending_associations",
    "sync_errors",
)


def analyze(engine: Engine, tables: Sequence[str] = ()) -> None:
    """``ANALYZE`` the given tables (all of the database's when empty), outside a transaction;
    a failure is logged, never raised (statistics are an optimisation)."""
    if engine.dialect.name != "postgresql":
        return
    preparer = engine.dialect.identifier_preparer
    statement = "ANALYZE " + ", ".join(preparer.quote(t) for t in tables)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text(statement.strip()))
    except Exception:
        log.exception("%s failed", statement.strip())


def never_analysed(conn: Connection) -> list[str]:
    """The tables PostgreSQL has never gathered statistics for (neither ANALYZE nor autovacuum)."""
    if conn.dialect.name != "postgresql":
        return []
    rows = conn.execute(
        sa.text(
            "SELECT relname FROM pg_stat_user_tables "
            "WHERE last_analyze IS NULL AND last_autoanalyze IS NULL ORDER BY relname"
        )
    )
    return [str(name) for (name,) in rows]
