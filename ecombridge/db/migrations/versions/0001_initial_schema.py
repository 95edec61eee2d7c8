"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "associations",
        sa.Column("portal_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("from_type", sa.String(length=16), nullable=False),
        sa.Column("from_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("to_type", sa.String(length=16), nullable=False),
        sa.Column("to_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "portal_id", "from_type", "from_id", "to_type", "to_id", name=op.f("pk_associations")
        ),
    )
    with op.batch_alter_table("associations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_associations_reverse", ["portal_id", "to_type", "to_id", "from_type"], unique=False
        )

    op.create_table(
        "crm_objects",
        sa.Column("portal_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("object_type", sa.String(length=16), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column(
            "properties",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("email_key", sa.String(length=320), nullable=True),
        sa.Column(
            "versions",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("archived", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("portal_id", "object_type", "id", name=op.f("pk_crm_objects")),
    )
    with op.batch_alter_table("crm_objects", schema=None) as batch_op:
        batch_op.create_index("ix_crm_objects_email", ["portal_id", "email_key"], unique=True)
        batch_op.create_index(
            "ix_crm_objects_updated", ["portal_id", "object_type", "updated_at"], unique=False
        )

    op.create_table(
        "crm_properties",
        sa.Column("portal_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("object_type", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("field_type", sa.String(length=20), nullable=False),
        sa.Column("group_name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=1000), server_default="", nullable=False),
        sa.Column(
            "options",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("hubspot_defined", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("portal_id", "object_type", "name", name=op.f("pk_crm_properties")),
    )
    op.create_table(
        "crm_property_groups",
        sa.Column("portal_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("object_type", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("display_order", sa.Integer(), nullable=False),
        sa.Column("hubspot_defined", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "portal_id", "object_type", "name", name=op.f("pk_crm_property_groups")
        ),
    )
    op.create_table(
        "developers",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_developers")),
    )
    op.create_table(
        "id_sequences",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("next_value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_id_sequences")),
    )
    op.create_table(
        "imports",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("portal_id", sa.BigInteger(), nullable=False),
        sa.Column("app_id", sa.BigInteger(), nullable=False),
        sa.Column("store_id", sa.String(length=100), nullable=False),
        sa.Column("started_at", sa.BigInteger(), nullable=False),
        sa.Column("api_version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column(
            "events",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("completed_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
        sa.UniqueConstraint(
            "portal_id",
            "app_id",
            "store_id",
            "started_at",
            name=op.f("uq_imports_portal_id_app_id_store_id_started_at"),
        ),
    )
    op.create_table(
        "jobs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("portal_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("ref_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("max_attempts", sa.Integer(), server_default="5", nullable=False),
        sa.Column("run_after", sa.BigInteger(), nullable=False),
        sa.Column("lease_token", sa.String(length=32), nullable=True),
        sa.Column("lease_expires_at", sa.BigInteger(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("finished_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_claim", ["status", "run_after", "id"], unique=False)

    op.create_table(
        "pending_associations",
        sa.Column("portal_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("source_app_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("store_id", sa.String(length=100), nullable=False),
        sa.Column("from_type", sa.String(length=16), nullable=False),
        sa.Column("from_external_id", sa.String(length=100), nullable=False),
        sa.Column("to_type", sa.String(length=16), nullable=False),
        sa.Column("to_external_id", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "portal_id",
            "source_app_id",
            "store_id",
            "from_type",
            "from_external_id",
            "to_type",
            "to_external_id",
            name=op.f("pk_pending_associations"),
        ),
    )
    with op.batch_alter_table("pending_associations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_pending_associations_target",
            ["portal_id", "source_app_id", "store_id", "to_type", "to_external_id"],
            unique=False,
        )

    op.create_table(
        "pipeline_stages",
        sa.Column("portal_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("pipeline_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("display_order", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("is_closed", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("portal_id", "pipeline_id", "id", name=op.f("pk_pipeline_stages")),
    )
    op.create_table(
        "pipelines",
        sa.Column("portal_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("object_type", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("display_order", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("portal_id", "id", name=op.f("pk_pipelines")),
    )
    op.create_table(
        "portals",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("ecomm_installed", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portals")),
    )
    op.create_table(
        "stores",
        sa.Column("portal_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("source_app_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("alias_id", sa.String(length=100), nullable=True),
        sa.Column("label", sa.String(length=500), nullable=False),
        sa.Column("admin_uri", sa.String(length=2000), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("deleted_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("portal_id", "source_app_id", "id", name=op.f("pk_stores")),
    )
    op.create_table(
        "sync_batches",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("portal_id", sa.BigInteger(), nullable=False),
        sa.Column("source_app_id", sa.BigInteger(), nullable=False),
        sa.Column("store_id", sa.String(length=100), nullable=False),
        sa.Column("object_type", sa.String(length=16), nullable=False),
        sa.Column("message_count", sa.Integer(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("received_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_batches")),
    )
    op.create_table(
        "sync_errors",
        sa.Column("portal_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("source_app_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("store_id", sa.String(length=100), nullable=False),
        sa.Column("object_type", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("changed_at", sa.BigInteger(), nullable=False),
        sa.Column("errored_at", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint(
            "portal_id",
            "source_app_id",
            "store_id",
            "object_type",
            "external_id",
            name=op.f("pk_sync_errors"),
        ),
    )
    with op.batch_alter_table("sync_errors", schema=None) as batch_op:
        batch_op.create_index("ix_sync_errors_recent", ["portal_id", "errored_at"], unique=False)
        batch_op.create_index(
            "ix_sync_errors_app_recent", ["source_app_id", "errored_at"], unique=False
        )

    op.create_table(
        "sync_objects",
        sa.Column("portal_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("source_app_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("store_id", sa.String(length=100), nullable=False),
        sa.Column("object_type", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=False),
        sa.Column("hubspot_id", sa.BigInteger(), nullable=True),
        sa.Column("last_changed_at", sa.BigInteger(), nullable=True),
        sa.Column("last_processed_at", sa.BigInteger(), nullable=True),
        sa.Column("deleted_at", sa.BigInteger(), nullable=True),
        sa.Column(
            "parked",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "portal_id",
            "source_app_id",
            "store_id",
            "object_type",
            "external_id",
            name=op.f("pk_sync_objects"),
        ),
    )
    with op.batch_alter_table("sync_objects", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sync_objects_hubspot", ["portal_id", "object_type", "hubspot_id"], unique=False
        )

    op.create_table(
        "sync_settings",
        sa.Column("portal_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("app_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("webhook_uri", sa.String(length=2000), nullable=True),
        sa.Column("import_on_install", sa.Boolean(), nullable=True),
        sa.Column(
            "mappings",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("portal_id", "app_id", name=op.f("pk_sync_settings")),
    )
    op.create_table(
        "apps",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("developer_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("client_secret", sa.String(length=64), nullable=False),
        sa.Column("import_trigger_uri", sa.String(length=2000), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["developer_id"], ["developers.id"], name=op.f("fk_apps_developer_id_developers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_apps")),
        sa.UniqueConstraint("client_id", name=op.f("uq_apps_client_id")),
    )
    op.create_table(
        "import_pages",
        sa.Column("import_id", sa.BigInteger(), nullable=False),
        sa.Column("object_type", sa.String(length=16), nullable=False),
        sa.Column("page_number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("received_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_import_pages_import_id_imports")
        ),
        sa.PrimaryKeyConstraint(
            "import_id", "object_type", "page_number", name=op.f("pk_import_pages")
        ),
    )
    op.create_table(
        "import_types",
        sa.Column("import_id", sa.BigInteger(), nullable=False),
        sa.Column("object_type", sa.String(length=16), nullable=False),
        sa.Column("settings_id", sa.Integer(), nullable=False),
        sa.Column("announced", sa.BigInteger(), nullable=True),
        sa.Column("received_pages", sa.Integer(), server_default="0", nullable=False),
        sa.Column("received_items", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("applied", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("applied_through_page", sa.Integer(), nullable=True),
        sa.Column("end_page_count", sa.Integer(), nullable=True),
        sa.Column("end_item_count", sa.BigInteger(), nullable=True),
        sa.Column("ended_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_import_types_import_id_imports")
        ),
        sa.PrimaryKeyConstraint("import_id", "object_type", name=op.f("pk_import_types")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("portal_id", sa.BigInteger(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["portal_id"], ["portals.id"], name=op.f("fk_users_portal_id_portals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "installations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("portal_id", sa.BigInteger(), nullable=False),
        sa.Column("app_id", sa.BigInteger(), nullable=False),
        sa.Column("scopes", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("uninstalled_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["app_id"], ["apps.id"], name=op.f("fk_installations_app_id_apps")),
        sa.ForeignKeyConstraint(
            ["portal_id"], ["portals.id"], name=op.f("fk_installations_portal_id_portals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_installations")),
        sa.UniqueConstraint("portal_id", "app_id", name=op.f("uq_installations_portal_id_app_id")),
    )
    op.create_table(
        "credentials",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("portal_id", sa.BigInteger(), nullable=True),
        sa.Column("developer_id", sa.BigInteger(), nullable=True),
        sa.Column("app_id", sa.BigInteger(), nullable=True),
        sa.Column("installation_id", sa.BigInteger(), nullable=True),
        sa.Column("scopes", sa.String(length=500), server_default="", nullable=False),
        sa.Column("redirect_uri", sa.String(length=2000), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=True),
        sa.Column("revoked_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["app_id"], ["apps.id"], name=op.f("fk_credentials_app_id_apps")),
        sa.ForeignKeyConstraint(
            ["developer_id"], ["developers.id"], name=op.f("fk_credentials_developer_id_developers")
        ),
        sa.ForeignKeyConstraint(
            ["installation_id"],
            ["installations.id"],
            name=op.f("fk_credentials_installation_id_installations"),
        ),
        sa.ForeignKeyConstraint(
            ["portal_id"], ["portals.id"], name=op.f("fk_credentials_portal_id_portals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credentials")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_credentials_token_hash")),
    )

    if op.get_bind().dialect.name == "postgresql":
        # CRM object ids come from a native sequence on PostgreSQL: no row lock held until
        # commit, so concurrent workers creating objects never queue behind each other.
        op.execute("CREATE SEQUENCE crm_object_id_seq START WITH 100001")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP SEQUENCE IF EXISTS crm_object_id_seq")
    op.drop_table("credentials")
    op.drop_table("installations")
    op.drop_table("users")
    op.drop_table("import_types")
    op.drop_table("import_pages")
    op.drop_table("apps")
    op.drop_table("sync_settings")
    with op.batch_alter_table("sync_objects", schema=None) as batch_op:
        batch_op.drop_index("ix_sync_objects_hubspot")

    op.drop_table("sync_objects")
    with op.batch_alter_table("sync_errors", schema=None) as batch_op:
        batch_op.drop_index("ix_sync_errors_app_recent")
        batch_op.drop_index("ix_sync_errors_recent")

    op.drop_table("sync_errors")
    op.drop_table("sync_batches")
    op.drop_table("stores")
    op.drop_table("portals")
    op.drop_table("pipelines")
    op.drop_table("pipeline_stages")
    with op.batch_alter_table("pending_associations", schema=None) as batch_op:
        batch_op.drop_index("ix_pending_associations_target")

    op.drop_table("pending_associations")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_claim")

    op.drop_table("jobs")
    op.drop_table("imports")
    op.drop_table("id_sequences")
    op.drop_table("developers")
    op.drop_table("crm_property_groups")
    op.drop_table("crm_properties")
    with op.batch_alter_table("crm_objects", schema=None) as batch_op:
        batch_op.drop_index("ix_crm_objects_updated")
        batch_op.drop_index("ix_crm_objects_email")

    op.drop_table("crm_objects")
    with op.batch_alter_table("associations", schema=None) as batch_op:
        batch_op.drop_index("ix_associations_reverse")

    op.drop_table("associations")
