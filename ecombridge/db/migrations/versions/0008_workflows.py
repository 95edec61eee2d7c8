"""workflows: the built-in ecommerce workflows, their enrolments and emails, and mail senders

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008"
down_revision = "0005"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
AutoId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "workflows",
        sa.Column("portal_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("key", sa.String(length=20), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("enabled_at", sa.BigInteger(), nullable=True),
        sa.Column("store_ids", Json, nullable=True),
        sa.Column("inactivity_days", sa.Integer(), nullable=True),
        sa.Column("emails", Json, nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("portal_id", "key", name=op.f("pk_workflows")),
    )
    op.create_table(
        "workflow_enrollments",
        sa.Column("id", AutoId, nullable=False),
        sa.Column("portal_id", sa.BigInteger(), nullable=False),
        sa.Column("workflow_key", sa.String(length=20), nullable=False),
        sa.Column("dedupe_key", sa.String(length=80), nullable=False),
        sa.Column("contact_id", sa.BigInteger(), nullable=False),
        sa.Column("deal_id", sa.BigInteger(), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("exit_reason", sa.String(length=40), nullable=True),
        sa.Column("enrolled_at", sa.BigInteger(), nullable=False),
        sa.Column("finished_at", sa.BigInteger(), nullable=True),
        sa.Column("converted_deal_id", sa.BigInteger(), nullable=True),
        sa.Column("converted_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_enrollments")),
        sa.UniqueConstraint(
            "portal_id",
            "workflow_key",
            "dedupe_key",
            name=op.f("uq_workflow_enrollments_portal_id_workflow_key_dedupe_key"),
        ),
    )
    op.create_index(
        "ix_workflow_enrollments_contact",
        "workflow_enrollments",
        ["portal_id", "contact_id", "state"],
    )
    op.create_index(
        "ix_workflow_enrollments_list", "workflow_enrollments", ["portal_id", "workflow_key", "id"]
    )
    op.create_table(
        "workflow_emails",
        sa.Column("id", AutoId, nullable=False),
        sa.Column("portal_id", sa.BigInteger(), nullable=False),
        sa.Column("enrollment_id", sa.BigInteger(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("due_at", sa.BigInteger(), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("subject", sa.String(length=1000), nullable=True),
        sa.Column("recipient", sa.String(length=320), nullable=True),
        sa.Column("message_id", sa.String(length=200), nullable=True),
        sa.Column("attempted_at", sa.BigInteger(), nullable=True),
        sa.Column("sent_at", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["workflow_enrollments.id"],
            name=op.f("fk_workflow_emails_enrollment_id_workflow_enrollments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_emails")),
        sa.UniqueConstraint(
            "enrollment_id", "step", name=op.f("uq_workflow_emails_enrollment_id_step")
        ),
    )
    op.create_index(
        "ix_workflow_emails_attempted", "workflow_emails", ["portal_id", "attempted_at"]
    )
    op.create_table(
        "mail_senders",
        sa.Column("portal_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("unsubscribe_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("portal_id", name=op.f("pk_mail_senders")),
    )


def downgrade() -> None:
    op.drop_table("mail_senders")
    op.drop_index("ix_workflow_emails_attempted", table_name="workflow_emails")
    op.drop_table("workflow_emails")
    op.drop_index("ix_workflow_enrollments_list", table_name="workflow_enrollments")
    op.drop_index("ix_workflow_enrollments_contact", table_name="workflow_enrollments")
    op.drop_table("workflow_enrollments")
    op.drop_table("workflows")
