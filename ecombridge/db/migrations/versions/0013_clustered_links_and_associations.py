"""links and associations stored in their primary key's order (SQLite: WITHOUT ROWID)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07

A SQLite table with a composite primary key keeps each row twice: in the table's rowid b-tree
and in the primary key's index. ``sync_objects`` and ``associations`` are only ever found by
their keys (and their one secondary index), and their rows are small, so they are rebuilt as
WITHOUT ROWID tables, whose rows live in the primary key's b-tree: one b-tree entry less per
link and per association written (a line item: 12 entries to 9; docs/performance.md).
PostgreSQL has no such choice (its tables are heaps): nothing changes there.

The upgrade copies both tables once, while ``serve`` starts: about 3 s for 200,000 links and
180,000 associations on the machine of docs/performance.md.
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

TABLES = ("sync_objects", "associations")


def _rebuild(with_rowid: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in TABLES:
        # Batch mode copies the table into a new one made with these options, then its indexes.
        with op.batch_alter_table(
            name, recreate="always", table_kwargs={"sqlite_with_rowid": with_rowid}
        ):
            pass


def upgrade() -> None:
    _rebuild(with_rowid=False)


def downgrade() -> None:
    _rebuild(with_rowid=True)
