"""security hardening: client secrets encrypted, redirect URIs, code lineage, web sessions,
skipped properties in sync status

Revision ID: 0007
Revises: 0008
Create Date: 2026-12-07

Existing client secrets are encrypted here with the key of ``ecombridge.tenancy.secret_box``
(``ECOMBRIDGE_SECRET_KEY``, or the key file beside a SQLite database, created if missing);
downgrading decrypts them again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from ecombridge.tenancy import secret_box

revision = "0007"
down_revision = "0008"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
apps = sa.table(
    "apps",
    sa.column("id", sa.BigInteger),
    sa.column("client_secret", sa.String),
    sa.column("client_secret_sealed", sa.String),
)


def _convert(source: str, target: str, convert: object) -> None:
    """Fill ``apps.<target>`` from ``apps.<source>`` through ``convert(url, value)``."""
    bind = op.get_bind()
    rows = bind.execute(sa.select(apps.c.id, apps.c[source])).all()
    for app_id, value in rows:
        converted = convert(bind.engine.url, value)  # type: ignore[operator]
        bind.execute(sa.update(apps).where(apps.c.id == app_id).values({target: converted}))


def upgrade() -> None:
    with op.batch_alter_table("apps") as batch:
        batch.add_column(sa.Column("client_secret_sealed", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("redirect_uris", JSON, nullable=True))
    _convert("client_secret", "client_secret_sealed", secret_box.seal)
    with op.batch_alter_table("apps") as batch:
        batch.alter_column(
            "client_secret_sealed", existing_type=sa.String(length=255), nullable=False
        )
        batch.drop_column("client_secret")

    with op.batch_alter_table("credentials") as batch:
        batch.add_column(sa.Column("issued_from", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("sync_objects") as batch:
        batch.add_column(sa.Column("skipped_properties", JSON, nullable=True))

    op.create_table(
        "web_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_web_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_web_sessions")),
    )
    op.create_index("ix_web_sessions_user_id", "web_sessions", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_web_sessions_user_id", table_name="web_sessions")
    op.drop_table("web_sessions")
    with op.batch_alter_table("sync_objects") as batch:
        batch.drop_column("skipped_properties")
    with op.batch_alter_table("credentials") as batch:
        batch.drop_column("issued_from")

    with op.batch_alter_table("apps") as batch:
        batch.add_column(sa.Column("client_secret", sa.String(length=64), nullable=True))
    _convert("client_secret_sealed", "client_secret", secret_box.unseal)
    with op.batch_alter_table("apps") as batch:
        batch.alter_column("client_secret", existing_type=sa.String(length=64), nullable=False)
        batch.drop_column("redirect_uris")
        batch.drop_column("client_secret_sealed")
