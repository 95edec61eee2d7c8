"""relay: destinations (HubSpot portals the data is delivered to), their outbox and the
delivery state of each object

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0007"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
AutoId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "relay_destinations",
        sa.Column("id", AutoId, nullable=False),
        sa.Column("portal_id", sa.BigInteger(), nullable=False),
        sa.Column("base_url", sa.String(length=2000), nullable=False),
        sa.Column("token_sealed", sa.String(length=2000), nullable=False),
        sa.Column("store_ids", Json, nullable=True),
        sa.Column("phase", sa.String(length=12), nullable=False),
        sa.Column("paused", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("failing_reason", sa.Text(), nullable=True),
        sa.Column("failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("target", Json, nullable=True),
        sa.Column("backfill_cursor", Json, nullable=True),
        sa.Column("backfill_total", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("backfill_filed", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("daily_remaining", sa.BigInteger(), nullable=True),
        sa.Column("lease_token", sa.String(length=32), nullable=True),
        sa.Column("lease_until", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relay_destinations")),
    )
    op.create_index("ix_relay_destinations_portal", "relay_destinations", ["portal_id"])
    op.create_table(
        "relay_outbox",
        sa.Column("destination_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("object_type", sa.String(length=16), nullable=False),
        sa.Column("object_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("changed_at", sa.BigInteger(), nullable=False),
        sa.Column("queued_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "destination_id", "object_type", "object_id", name=op.f("pk_relay_outbox")
        ),
    )
    op.create_table(
        "relay_objects",
        sa.Column("destination_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("object_type", sa.String(length=16), nullable=False),
        sa.Column("object_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("target_id", sa.String(length=40), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("changed_at", sa.BigInteger(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "destination_id", "object_type", "object_id", name=op.f("pk_relay_objects")
        ),
    )
    op.create_index("ix_relay_objects_state", "relay_objects", ["destination_id", "state"])


def downgrade() -> None:
    op.drop_index("ix_relay_objects_state", table_name="relay_objects")
    op.drop_table("relay_objects")
    op.drop_table("relay_outbox")
    op.drop_index("ix_relay_destinations_portal", table_name="relay_destinations")
    op.drop_table("relay_destinations")
