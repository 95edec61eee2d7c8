"""Blocks of numeric ids (portal ids, app ids, CRM object ids).

Ids come from the id_sequences table, whose row for a name stays locked until the transaction
commits. That is harmless on SQLite (one writer at a time) and for the rare portals and apps; on
PostgreSQL, CRM object ids come from the native sequence ``crm_object_id_seq`` instead, which
never blocks concurrent workers (ids are unique, not necessarily consecutive).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ecombridge.db.dialect import insert_for
from ecombridge.db.tables import id_sequences

# First value of each sequence, so ids look like HubSpot's and kinds are easy to tell apart.
STARTS = {"portal": 1_000_001, "developer": 5_000_001, "app": 2_000_001, "crm_object": 100_001}


# Names served by a native sequence on PostgreSQL.
NATIVE_SEQUENCES = {"crm_object": "crm_object_id_seq"}


def allocate_ids(conn: Connection, name: str, count: int = 1) -> list[int]:
    """Reserve ``count`` ids of sequence ``name``, in ascending order."""
    if count <= 0:
        return []
    native = NATIVE_SEQUENCES.get(name)
    if native is not None and conn.dialect.name == "postgresql":
        rows = conn.execute(
            sa.text(f"SELECT nextval('{native}') FROM generate_series(1, :n)"), {"n": count}
        )
        return sorted(int(value) for (value,) in rows)
    seq = id_sequences.c
    bump = (
        sa.update(id_sequences)
        .where(seq.name == name)
        .values(next_value=seq.next_value + count)
        .returning(seq.next_value)
    )
    row = conn.execute(bump).first()
    if row is None:  # first use of this sequence
        conn.execute(
            insert_for(conn, id_sequences)
            .values(name=name, next_value=STARTS.get(name, 1))
            .on_conflict_do_nothing()
        )
        row = conn.execute(bump).one()
    first = int(row[0]) - count
    return list(range(first, first + count))
