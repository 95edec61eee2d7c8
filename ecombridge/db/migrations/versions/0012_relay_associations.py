"""relay: the associations delivered from each object, so those removed in the bridge are
archived in the target

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("relay_objects") as batch:
        batch.add_column(sa.Column("associated", Json, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("relay_objects") as batch:
        batch.drop_column("associated")
