"""inbox cursors: how far batches were moved from a SQLite inbox file into the queue

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox_cursors",
        sa.Column("inbox_id", sa.String(length=36), nullable=False),
        sa.Column("moved_through", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("inbox_id", name=op.f("pk_inbox_cursors")),
    )


def downgrade() -> None:
    op.drop_table("inbox_cursors")
