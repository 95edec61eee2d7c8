"""Blocks of numeric ids (portal ids, app ids, CRM object ids) from the id_sequences table."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ecombridge.db.dialect import insert_for
from ecombridge.db.tables import id_sequences

# First value of each sequence, so ids look like HubSpot's and kinds are easy to tell apart.
STARTS = {"portal": 1_000_001, "developer": 5_000_001, "app": 2_000_001, "crm_object": 100_001}


def allocate_ids(conn: Connection, name: str, count: int = 1) -> list[int]:
    """Reserve ``count`` consecutive ids of sequence ``name`` inside the caller's transaction."""
    if count <= 0:
        return []
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
