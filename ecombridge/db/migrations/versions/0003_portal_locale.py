"""portal locale: the time zone and currency a portal's dates and money are shown in

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("portals") as batch:
        batch.add_column(
            sa.Column("time_zone", sa.String(length=64), server_default="UTC", nullable=False)
        )
        batch.add_column(
            sa.Column("currency", sa.String(length=3), server_default="USD", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("portals") as batch:
        batch.drop_column("currency")
        batch.drop_column("time_zone")
