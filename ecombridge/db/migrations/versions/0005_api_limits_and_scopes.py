"""API limits and scopes: shared rate-limit counters; scopes wide enough for the CRM scopes real
apps request; private-app tokens made with the old fixed scope get every scope the bridge serves

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# ecombridge.tenancy.scopes.ALL_SCOPES when this migration was written.
ALL_SCOPES = (
    "oauth integration-sync e-commerce crm.objects.contacts.read crm.schemas.contacts.read "
    "crm.objects.contacts.write crm.schemas.contacts.write crm.objects.deals.read "
    "crm.schemas.deals.read crm.objects.deals.write crm.schemas.deals.write "
    "crm.objects.products.read crm.objects.products.write crm.objects.line_items.read "
    "crm.objects.line_items.write"
)


def upgrade() -> None:
    op.create_table(
        "rate_limit_counters",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("hits", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_limit_counters")),
    )
    op.create_index(
        "ix_rate_limit_counters_expires_at", "rate_limit_counters", ["expires_at"], unique=False
    )
    for table in ("installations", "credentials"):
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                "scopes", existing_type=sa.String(length=500), type_=sa.String(length=2000)
            )
    # Private-app tokens were all made with "e-commerce" alone, a default nobody chose; they keep
    # the access they had to the CRM API, which now needs the CRM scopes.
    op.execute(
        sa.text(
            "UPDATE credentials SET scopes = :all "
            "WHERE kind = 'PRIVATE_APP_TOKEN' AND scopes = 'e-commerce'"
        ).bindparams(all=ALL_SCOPES)
    )


def downgrade() -> None:
    for table in ("installations", "credentials"):
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                "scopes", existing_type=sa.String(length=2000), type_=sa.String(length=500)
            )
    op.drop_index("ix_rate_limit_counters_expires_at", table_name="rate_limit_counters")
    op.drop_table("rate_limit_counters")
