"""Import pages on SQLite: a database file of their own beside the main one (``<file>-imports``).

SQLite lets one transaction at a time write a database file. With the pages in the main file,
every group of received pages waited for the import's apply transaction in progress (and the
apply for them), so an import was received first and applied after: receiving and applying one
after the other. In a file of their own, pages are committed (fsynced) without waiting for the
apply, and the apply reads them without waiting for the page writer, so an import is applied
while its pages arrive (``ecombridge.imports.apply``).

The file holds the ``import_pages`` rows (the same table as the main database's, which keeps
the pages of imports received before the file existed); the counts of received pages are
counted from it. The main database keeps everything else about an import, and the apply's
cursor (the last applied page of each type) is committed with the applied rows, so a page is
applied exactly once whatever process stops when. PostgreSQL has no single writer: there, and
for in-memory SQLite databases, pages stay in the main database (``Database.page_store`` is the
database itself).
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

metadata = sa.MetaData()

# The columns of ``ecombridge.db.tables.import_pages`` (whose statements run on this file too),
# without the foreign key to an ``imports`` table this file does not have.
sa.Table(
    "import_pages",
    metadata,
    sa.Column("import_id", sa.BigInteger, primary_key=True),
    sa.Column("object_type", sa.String(16), primary_key=True),
    sa.Column("page_number", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("item_count", sa.Integer, nullable=False),
    sa.Column("payload", sa.LargeBinary, nullable=False),
    sa.Column("received_at", sa.BigInteger, nullable=False),
    # Received pages are counted from this index alone: a page's row holds its payload (tens of
    # kilobytes, a b-tree page of its own), which counting through the table would read.
    sa.Index("ix_import_pages_counts", "import_id", "object_type", "item_count", "received_at"),
)


def store_path(main_database: str | None) -> Path | None:
    """Where the page file of a SQLite database file lives; None for in-memory databases."""
    if not main_database or main_database == ":memory:" or main_database.startswith("file:"):
        return None
    return Path(f"{main_database}-imports")


def create_schema(conn: Connection) -> None:
    """In a write transaction of a new or existing page file."""
    metadata.create_all(conn)
