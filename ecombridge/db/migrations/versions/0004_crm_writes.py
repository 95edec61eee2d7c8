"""crm writes: properties with unique values and the index of their values

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("crm_properties") as batch:
        batch.add_column(
            sa.Column("has_unique_value", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        "crm_unique_values",
        sa.Column("portal_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("object_type", sa.String(length=16), nullable=False),
        sa.Column("property", sa.String(length=100), nullable=False),
        sa.Column("value", sa.String(length=255), nullable=False),
        sa.Column("object_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["portal_id", "object_type", "property"],
            ["crm_properties.portal_id", "crm_properties.object_type", "crm_properties.name"],
            name=op.f("fk_crm_unique_values_portal_id_crm_properties"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "portal_id", "object_type", "property", "value", name=op.f("pk_crm_unique_values")
        ),
    )
    with op.batch_alter_table("crm_unique_values") as batch:
        batch.create_index(
            "ix_crm_unique_values_object", ["portal_id", "object_type", "object_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("crm_unique_values") as batch:
        batch.drop_index("ix_crm_unique_values_object")
    op.drop_table("crm_unique_values")
    with op.batch_alter_table("crm_properties") as batch:
        batch.drop_column("has_unique_value")
