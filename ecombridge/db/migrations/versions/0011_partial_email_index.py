"""the email index holds contacts only

Revision ID: 0011
Revises: 0007
Create Date: 2026-12-07

Only contacts have an ``email_key``; every other CRM object wrote a NULL entry into the
(portal, email) index that no query reads (lookups by email name the address, which implies it
is not NULL, so the partial index serves them). Uniqueness is unchanged: NULLs never collided.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

CONTACTS_ONLY = sa.text("email_key IS NOT NULL")


def upgrade() -> None:
    op.drop_index("ix_crm_objects_email", table_name="crm_objects")
    op.create_index(
        "ix_crm_objects_email",
        "crm_objects",
        ["portal_id", "email_key"],
        unique=True,
        sqlite_where=CONTACTS_ONLY,
        postgresql_where=CONTACTS_ONLY,
    )


def downgrade() -> None:
    op.drop_index("ix_crm_objects_email", table_name="crm_objects")
    op.create_index("ix_crm_objects_email", "crm_objects", ["portal_id", "email_key"], unique=True)
