"""Every table of the bridge, in SQLAlchemy Core.

One module so the whole state is visible at a glance. Times are epoch milliseconds (BigInteger).
Tenant tables lead with ``portal_id`` so they can be sharded by portal. ``source_app_id`` is the app
whose token wrote the data, or 0 for the portal's own "custom integration" (portal API key or
private-app token). Object types are the bridge's names: CONTACT, PRODUCT, DEAL, LINE_ITEM.

Any change here needs a migration in ``ecombridge/db/migrations/versions``; a test compares them.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# JSON documents: JSONB on PostgreSQL (indexable, compact), JSON text on SQLite.
Json = sa.JSON().with_variant(JSONB(), "postgresql")
Millis = sa.BigInteger
# Auto-incrementing keys: BIGINT on PostgreSQL, INTEGER (the rowid alias) on SQLite.
AutoId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
ObjectType = sa.String(16)
StoreId = sa.String(100)
ExternalId = sa.String(100)

# ---------------------------------------------------------------------------------------------
# Identifiers handed out in blocks (portal ids, app ids, CRM object ids).

id_sequences = sa.Table(
    "id_sequences",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("next_value", sa.BigInteger, nullable=False),
)

# ---------------------------------------------------------------------------------------------
# Tenancy and credentials

portals = sa.Table(
    "portals",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    # v1 POST /installs ran (or the first v2 store was made): CRM schema is in place.
    sa.Column("ecomm_installed", sa.Boolean, nullable=False, server_default=sa.false()),
    # IANA time zone and ISO 4217 currency the portal's dates and money are shown in.
    sa.Column("time_zone", sa.String(64), nullable=False, server_default="UTC"),
    sa.Column("currency", sa.String(3), nullable=False, server_default="USD"),
    sa.Column("created_at", Millis, nullable=False),
)

developers = sa.Table(
    "developers",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("created_at", Millis, nullable=False),
)

apps = sa.Table(
    "apps",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("developer_id", sa.BigInteger, sa.ForeignKey("developers.id"), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("client_id", sa.String(64), nullable=False, unique=True),
    # The client secret, encrypted (ecombridge.tenancy.secret_box): it is the HMAC key that signs
    # the requests the bridge sends to the app, so it must be readable, but not in clear.
    sa.Column("client_secret_sealed", sa.String(255), nullable=False),
    # ["https://...", ...]: where GET /oauth/authorize may send the browser (exact match).
    sa.Column("redirect_uris", Json, nullable=True),
    # v1 import-settings: the URI the import webhook is sent to (v2 uses settings.webhookUri).
    sa.Column("import_trigger_uri", sa.String(2000), nullable=True),
    sa.Column("created_at", Millis, nullable=False),
)

installations = sa.Table(
    "installations",
    metadata,
    sa.Column("id", AutoId, primary_key=True),
    sa.Column("portal_id", sa.BigInteger, sa.ForeignKey("portals.id"), nullable=False),
    sa.Column("app_id", sa.BigInteger, sa.ForeignKey("apps.id"), nullable=False),
    sa.Column("scopes", sa.String(2000), nullable=False),
    sa.Column("created_at", Millis, nullable=False),
    sa.Column("uninstalled_at", Millis, nullable=True),
    sa.UniqueConstraint("portal_id", "app_id"),
)

# Every secret a client presents, stored as its SHA-256 (tokens are random, so a plain digest is
# enough); kind tells what it is.  Kinds: PORTAL_API_KEY, DEVELOPER_API_KEY, ACCESS_TOKEN,
# REFRESH_TOKEN, AUTHORIZATION_CODE, PRIVATE_APP_TOKEN.
credentials = sa.Table(
    "credentials",
    metadata,
    sa.Column("id", AutoId, primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("portal_id", sa.BigInteger, sa.ForeignKey("portals.id"), nullable=True),
    sa.Column("developer_id", sa.BigInteger, sa.ForeignKey("developers.id"), nullable=True),
    sa.Column("app_id", sa.BigInteger, sa.ForeignKey("apps.id"), nullable=True),
    sa.Column("installation_id", sa.BigInteger, sa.ForeignKey("installations.id"), nullable=True),
    sa.Column("scopes", sa.String(2000), nullable=False, server_default=""),
    # Authorization codes remember where they were sent; the token exchange must match it.
    sa.Column("redirect_uri", sa.String(2000), nullable=True),
    # The credential this one was issued for: the code of an installation's first tokens, the
    # refresh token of a refreshed access token. A replayed code revokes what it issued.
    sa.Column("issued_from", sa.BigInteger, nullable=True),
    sa.Column("created_at", Millis, nullable=False),
    sa.Column("expires_at", Millis, nullable=True),
    sa.Column("revoked_at", Millis, nullable=True),
)

# ---------------------------------------------------------------------------------------------
# Ecommerce settings and stores

# Settings belong either to an app (portal_id = 0) or to a portal's custom integration (app_id = 0).
sync_settings = sa.Table(
    "sync_settings",
    metadata,
    sa.Column("portal_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("app_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("enabled", sa.Boolean, nullable=False),
    sa.Column("webhook_uri", sa.String(2000), nullable=True),
    sa.Column("import_on_install", sa.Boolean, nullable=True),
    # {"CONTACT": [{"externalPropertyName", "hubspotPropertyName", "dataType"?}, ...], ...}
    sa.Column("mappings", Json, nullable=False),
    sa.Column("updated_at", Millis, nullable=False),
)

stores = sa.Table(
    "stores",
    metadata,
    sa.Column("portal_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("source_app_id", sa.BigInteger, primary_key=True, autoincrement=False),
    # The id synced data is filed under; never changes once data exists.
    sa.Column("id", StoreId, primary_key=True),
    # Set when the default store was replaced: the id clients now see and may use for it.
    sa.Column("alias_id", StoreId, nullable=True),
    sa.Column("label", sa.String(500), nullable=False),
    sa.Column("admin_uri", sa.String(2000), nullable=True),
    sa.Column("created_at", Millis, nullable=False),
    sa.Column("updated_at", Millis, nullable=False),
    # A deleted store keeps its row (and its data) so re-creating the id finds it again.
    sa.Column("deleted_at", Millis, nullable=True),
)

# ---------------------------------------------------------------------------------------------
# The portal's CRM schema: properties and the ecommerce pipeline

crm_properties = sa.Table(
    "crm_properties",
    metadata,
    sa.Column("portal_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("object_type", ObjectType, primary_key=True),
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("label", sa.String(200), nullable=False),
    # string | number | datetime | date | bool | enumeration
    sa.Column("type", sa.String(20), nullable=False),
    sa.Column("field_type", sa.String(20), nullable=False),
    sa.Column("group_name", sa.String(100), nullable=False),
    sa.Column("description", sa.String(1000), nullable=False, server_default=""),
    # [{"label", "value", "displayOrder", "hidden"}] for enumerations
    sa.Column("options", Json, nullable=False),
    sa.Column("hubspot_defined", sa.Boolean, nullable=False, server_default=sa.false()),
    # hasUniqueValue: no two objects of the type hold the same value (crm_unique_values).
    sa.Column("has_unique_value", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", Millis, nullable=False),
    sa.Column("updated_at", Millis, nullable=False),
)

# Property groups (legacy properties API); a property's group_name refers to one by name.
crm_property_groups = sa.Table(
    "crm_property_groups",
    metadata,
    sa.Column("portal_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("object_type", ObjectType, primary_key=True),
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("label", sa.String(200), nullable=False),
    sa.Column("display_order", sa.Integer, nullable=False),
    sa.Column("hubspot_defined", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", Millis, nullable=False),
    sa.Column("updated_at", Millis, nullable=False),
)

pipelines = sa.Table(
    "pipelines",
    metadata,
    sa.Column("portal_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("object_type", ObjectType, nullable=False),
    sa.Column("label", sa.String(200), nullable=False),
    sa.Column("display_order", sa.Integer, nullable=False),
    sa.Column("created_at", Millis, nullable=False),
    sa.Column("updated_at", Millis, nullable=False),
)

pipeline_stages = sa.Table(
    "pipeline_stages",
    metadata,
    sa.Column("portal_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("pipeline_id", sa.String(64), primary_key=True),
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("label", sa.String(200), nullable=False),
    sa.Column("display_order", sa.Integer, nullable=False),
    sa.Column("probability", sa.Float, nullable=False),
    sa.Column("is_closed", sa.Boolean, nullable=False),
    sa.Column("created_at", Millis, nullable=False),
    sa.Column("updated_at", Millis, nullable=False),
)

# ---------------------------------------------------------------------------------------------
# CRM objects and their associations

crm_objects = sa.Table(
    "crm_objects",
    metadata,
    sa.Column("portal_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("object_type", ObjectType, primary_key=True),
    # The hubspotId; unique across the installation (taken from id_sequences "crm_object").
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("properties", Json, nullable=False),
    # Lower-cased email of a contact: the key contacts are deduplicated on.
    sa.Column("email_key", sa.String(320), nullable=True),
    # Sync bookkeeping, not a property: the changedAt that last set each property and each
    # association type, so out-of-order partial updates converge (see docs/sync-semantics.md).
    sa.Column("versions", Json, nullable=True),
    sa.Column("created_at", Millis, nullable=False),
    sa.Column("updated_at", Millis, nullable=False),
    sa.Column("archived", sa.Boolean, nullable=False, server_default=sa.false()),
    # Contacts only: other objects have no email, and lookups name the address (not NULL).
    sa.Index(
        "ix_crm_objects_email",
        "portal_id",
        "email_key",
        unique=True,
        sqlite_where=sa.text("email_key IS NOT NULL"),
        postgresql_where=sa.text("email_key IS NOT NULL"),
    ),
    sa.Index("ix_crm_objects_updated", "portal_id", "object_type", "updated_at"),
)

# Stored once per pair, from the child side: DEAL->CONTACT, LINE_ITEM->DEAL, LINE_ITEM->PRODUCT.
associations = sa.Table(
    "associations",
    metadata,
    sa.Column("portal_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("from_type", ObjectType, primary_key=True),
    sa.Column("from_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("to_type", ObjectType, primary_key=True),
    sa.Column("to_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("created_at", Millis, nullable=False),
    sa.Index("ix_associations_reverse", "portal_id", "to_type", "to_id", "from_type"),
    sqlite_with_rowid=False,  # rows in the primary key's b-tree (migration 0013)
)

# The values of properties with unique values (hasUniqueValue), one row per value held: what the
# CRM objects API checks uniqueness against and finds objects by (``idProperty``). ``value`` is
# the lower-cased text of a string, the canonical text of a number. Contacts' emails are kept
# unique by crm_objects.email_key instead. Deleting the property deletes its values.
crm_unique_values = sa.Table(
    "crm_unique_values",
    metadata,
    sa.Column("portal_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("object_type", ObjectType, primary_key=True),
    sa.Column("property", sa.String(100), primary_key=True),
    sa.Column("value", sa.String(255), primary_key=True),
    sa.Column("object_id", sa.BigInteger, nullable=False),
    sa.ForeignKeyConstraint(
        ["portal_id", "object_type", "property"],
        ["crm_properties.portal_id", "crm_properties.object_type", "crm_properties.name"],
        ondelete="CASCADE",
    ),
    sa.Index("ix_crm_unique_values_object", "portal_id", "object_type", "object_id"),
)

# ---------------------------------------------------------------------------------------------
# Sync state: links from external ids to CRM objects, errors, pending associations

sync_objects = sa.Table(
    "sync_objects",
    metadata,
    sa.Column("portal_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("source_app_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("store_id", StoreId, primary_key=True),
    sa.Column("object_type", ObjectType, primary_key=True),
    sa.Column("external_id", ExternalId, primary_key=True),
    sa.Column("hubspot_id", sa.BigInteger, nullable=True),
    # changedAt of the newest message applied; older messages change nothing.
    sa.Column("last_changed_at", Millis, nullable=True),
    sa.Column("last_processed_at", Millis, nullable=True),
    # Tombstone: a DELETE was applied; later upserts are ignored.
    sa.Column("deleted_at", Millis, nullable=True),
    # Values of contact messages that came before any email: [[changedAt, {property: value}]],
    # applied when the contact is created.
    sa.Column("parked", Json, nullable=True),
    sa.Column("created_at", Millis, nullable=False),
    # ["name", ...]: mapped properties the portal does not define, skipped in the newest
    # messages (those of the greatest changedAt); shown as a warning in sync status.
    sa.Column("skipped_properties", Json, nullable=True),
    sa.Index("ix_sync_objects_hubspot", "portal_id", "object_type", "hubspot_id"),
    sqlite_with_rowid=False,  # rows in the primary key's b-tree (migration 0013)
)

# Only the latest error per object is kept; a later success marks it RESOLVED.
sync_errors = sa.Table(
    "sync_errors",
    metadata,
    sa.Column("portal_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("source_app_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("store_id", StoreId, primary_key=True),
    sa.Column("object_type", ObjectType, primary_key=True),
    sa.Column("external_id", ExternalId, primary_key=True),
    sa.Column("type", sa.String(40), nullable=False),
    sa.Column("details", sa.Text, nullable=False),
    sa.Column("changed_at", Millis, nullable=False),
    sa.Column("errored_at", Millis, nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Index("ix_sync_errors_recent", "portal_id", "errored_at"),
    # The app-wide listing (an app's errors across every portal), newest first.
    sa.Index("ix_sync_errors_app_recent", "source_app_id", "errored_at"),
)

# An association whose target has not arrived yet; made (and the error resolved) when it does.
pending_associations = sa.Table(
    "pending_associations",
    metadata,
    sa.Column("portal_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("source_app_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("store_id", StoreId, primary_key=True),
    sa.Column("from_type", ObjectType, primary_key=True),
    sa.Column("from_external_id", ExternalId, primary_key=True),
    sa.Column("to_type", ObjectType, primary_key=True),
    sa.Column("to_external_id", ExternalId, primary_key=True),
    sa.Column("created_at", Millis, nullable=False),
    sa.Index(
        "ix_pending_associations_target",
        "portal_id",
        "source_app_id",
        "store_id",
        "to_type",
        "to_external_id",
    ),
)

# ---------------------------------------------------------------------------------------------
# The accepted-batch inbox and the job queue

sync_batches = sa.Table(
    "sync_batches",
    metadata,
    sa.Column("id", AutoId, primary_key=True),
    sa.Column("portal_id", sa.BigInteger, nullable=False),
    sa.Column("source_app_id", sa.BigInteger, nullable=False),
    sa.Column("store_id", StoreId, nullable=False),
    sa.Column("object_type", ObjectType, nullable=False),
    sa.Column("message_count", sa.Integer, nullable=False),
    # The normalised messages (msgspec JSON), exactly what will be applied.
    sa.Column("payload", sa.LargeBinary, nullable=False),
    sa.Column("received_at", Millis, nullable=False),
)

# How far batches were moved from a SQLite inbox file into sync_batches and jobs (see
# ecombridge/db/inbox.py): every inbox batch with an id up to moved_through is queued here.
inbox_cursors = sa.Table(
    "inbox_cursors",
    metadata,
    sa.Column("inbox_id", sa.String(36), primary_key=True),
    sa.Column("moved_through", sa.BigInteger, nullable=False),
)

# kind: SYNC_BATCH (ref = sync_batches.id), IMPORT_WEBHOOK / IMPORT_APPLY (ref = imports.id).
# status: QUEUED -> RUNNING -> DONE | FAILED (retries go back to QUEUED with a later run_after).
jobs = sa.Table(
    "jobs",
    metadata,
    sa.Column("id", AutoId, primary_key=True),
    sa.Column("portal_id", sa.BigInteger, nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("ref_id", sa.BigInteger, nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("max_attempts", sa.Integer, nullable=False, server_default="5"),
    sa.Column("run_after", Millis, nullable=False),
    sa.Column("lease_token", sa.String(32), nullable=True),
    sa.Column("lease_expires_at", Millis, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("created_at", Millis, nullable=False),
    sa.Column("finished_at", Millis, nullable=True),
    # Claims scan QUEUED jobs in (run_after, id) order: FIFO without a sort, even when deep.
    sa.Index("ix_jobs_claim", "status", "run_after", "id"),
)

# ---------------------------------------------------------------------------------------------
# Historical imports

# state: AWAITING_COUNTS, RECEIVING, PROCESSING, COMPLETE, FAILED
imports = sa.Table(
    "imports",
    metadata,
    sa.Column("id", AutoId, primary_key=True),
    sa.Column("portal_id", sa.BigInteger, nullable=False),
    sa.Column("app_id", sa.BigInteger, nullable=False),
    sa.Column("store_id", StoreId, nullable=False),
    sa.Column("started_at", Millis, nullable=False),
    sa.Column("api_version", sa.Integer, nullable=False),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("failure_reason", sa.Text, nullable=True),
    # [{"at": ms, "message": str}]: webhook attempts, end mismatches, apply problems
    sa.Column("events", Json, nullable=False),
    sa.Column("created_at", Millis, nullable=False),
    sa.Column("updated_at", Millis, nullable=False),
    sa.Column("completed_at", Millis, nullable=True),
    sa.UniqueConstraint("portal_id", "app_id", "store_id", "started_at"),
)

# One row per (import, object type): announced, received and applied counts and the end signal.
import_types = sa.Table(
    "import_types",
    metadata,
    sa.Column("import_id", sa.BigInteger, sa.ForeignKey("imports.id"), primary_key=True),
    sa.Column("object_type", ObjectType, primary_key=True),
    sa.Column("settings_id", sa.Integer, nullable=False),
    sa.Column("announced", sa.BigInteger, nullable=True),
    sa.Column("received_pages", sa.Integer, nullable=False, server_default="0"),
    sa.Column("received_items", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("applied", sa.BigInteger, nullable=False, server_default="0"),
    # Apply cursor: pages up to this number are applied (committed together with ``applied``).
    sa.Column("applied_through_page", sa.Integer, nullable=True),
    sa.Column("end_page_count", sa.Integer, nullable=True),
    sa.Column("end_item_count", sa.BigInteger, nullable=True),
    sa.Column("ended_at", Millis, nullable=True),
)

import_pages = sa.Table(
    "import_pages",
    metadata,
    sa.Column("import_id", sa.BigInteger, sa.ForeignKey("imports.id"), primary_key=True),
    sa.Column("object_type", ObjectType, primary_key=True),
    sa.Column("page_number", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("item_count", sa.Integer, nullable=False),
    # The page as sent (JSON), for GET of a v1 page and for the apply job.
    sa.Column("payload", sa.LargeBinary, nullable=False),
    sa.Column("received_at", Millis, nullable=False),
)

# ---------------------------------------------------------------------------------------------
# Web UI users

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", AutoId, primary_key=True),
    sa.Column("portal_id", sa.BigInteger, sa.ForeignKey("portals.id"), nullable=False),
    sa.Column("email", sa.String(320), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("created_at", Millis, nullable=False),
)

# A signed-in browser: the cookie carries the session's random token, this table its digest.
# Signing out deletes the row; changing the password deletes the user's rows.
web_sessions = sa.Table(
    "web_sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column(
        "user_id", sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("created_at", Millis, nullable=False),
    sa.Index("ix_web_sessions_user_id", "user_id"),
)

# ---------------------------------------------------------------------------------------------
# API rate limits shared by every API process (ecombridge.ratelimit): one row per credential and
# window ("<policy>:<credential>:<window>"), counted with one upsert per request.

rate_limit_counters = sa.Table(
    "rate_limit_counters",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("hits", sa.BigInteger, nullable=False),
    sa.Column("expires_at", Millis, nullable=False),
    sa.Index("ix_rate_limit_counters_expires_at", "expires_at"),
)

# ---------------------------------------------------------------------------------------------
# Ecommerce workflows and their emails (docs/workflows.md)

# A portal's built-in workflow once it was saved; without a row it is off with its defaults.
# key: abandoned-cart | welcome | re-engagement.
workflows = sa.Table(
    "workflows",
    metadata,
    sa.Column("portal_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("key", sa.String(20), primary_key=True),
    sa.Column("enabled", sa.Boolean, nullable=False),
    # When it was last turned on: changes older than this never enrol anyone.
    sa.Column("enabled_at", Millis, nullable=True),
    # [store id, ...] or null for every store.
    sa.Column("store_ids", Json, nullable=True),
    sa.Column("inactivity_days", sa.Integer, nullable=True),
    # [{"delayMinutes", "subject", "bodyTemplate"}, ...]
    sa.Column("emails", Json, nullable=False),
    sa.Column("updated_at", Millis, nullable=False),
)

# state: ACTIVE -> COMPLETED (every email sent) | EXITED (exit_reason) | FAILED (exit_reason).
workflow_enrollments = sa.Table(
    "workflow_enrollments",
    metadata,
    sa.Column("id", AutoId, primary_key=True),
    sa.Column("portal_id", sa.BigInteger, nullable=False),
    sa.Column("workflow_key", sa.String(20), nullable=False),
    # What may be enrolled once: "deal:ID" (abandoned cart), "contact:ID" (welcome),
    # "contact:ID:after:DEAL" (re-engagement: once per inactivity period, after that last order).
    sa.Column("dedupe_key", sa.String(80), nullable=False),
    sa.Column("contact_id", sa.BigInteger, nullable=False),
    sa.Column("deal_id", sa.BigInteger, nullable=True),
    sa.Column("state", sa.String(10), nullable=False),
    sa.Column("exit_reason", sa.String(40), nullable=True),
    sa.Column("enrolled_at", Millis, nullable=False),
    sa.Column("finished_at", Millis, nullable=True),
    # The order that converted it (recovered revenue), and when the bridge saw it.
    sa.Column("converted_deal_id", sa.BigInteger, nullable=True),
    sa.Column("converted_at", Millis, nullable=True),
    sa.UniqueConstraint("portal_id", "workflow_key", "dedupe_key"),
    sa.Index("ix_workflow_enrollments_contact", "portal_id", "contact_id", "state"),
    sa.Index("ix_workflow_enrollments_list", "portal_id", "workflow_key", "id"),
)

# One row per email of an enrolment, made when it is scheduled. state: SCHEDULED -> SENDING ->
# SENT | FAILED; SENDING left behind by a crash becomes UNCONFIRMED (never sent again);
# CANCELLED when the enrolment ended first.
workflow_emails = sa.Table(
    "workflow_emails",
    metadata,
    sa.Column("id", AutoId, primary_key=True),
    sa.Column("portal_id", sa.BigInteger, nullable=False),
    sa.Column(
        "enrollment_id", sa.BigInteger, sa.ForeignKey("workflow_enrollments.id"), nullable=False
    ),
    sa.Column("step", sa.Integer, nullable=False),
    sa.Column("state", sa.String(12), nullable=False),
    sa.Column("due_at", Millis, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("subject", sa.String(1000), nullable=True),
    sa.Column("recipient", sa.String(320), nullable=True),
    sa.Column("message_id", sa.String(200), nullable=True),
    # Set when a send starts (before talking to the server): the hourly cap counts these.
    sa.Column("attempted_at", Millis, nullable=True),
    sa.Column("sent_at", Millis, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.UniqueConstraint("enrollment_id", "step"),
    sa.Index("ix_workflow_emails_attempted", "portal_id", "attempted_at"),
)

# A portal as a sender of email: the key its unsubscribe links are signed with. Its row is also
# locked while a send is reserved under the portal's hourly cap.
mail_senders = sa.Table(
    "mail_senders",
    metadata,
    sa.Column("portal_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("unsubscribe_key", sa.String(64), nullable=False),
    sa.Column("created_at", Millis, nullable=False),
)

# ---------------------------------------------------------------------------------------------
# The relay into HubSpot portals (docs/relay.md)

# A CRM v3 base URL and a private-app token (sealed by tenancy.secret_box) a portal's data is
# delivered to. phase: SETTING_UP -> BACKFILLING -> LIVE; paused and failing_reason are shown
# over it (PAUSED, FAILING).
relay_destinations = sa.Table(
    "relay_destinations",
    metadata,
    sa.Column("id", AutoId, primary_key=True),
    sa.Column("portal_id", sa.BigInteger, nullable=False),
    sa.Column("base_url", sa.String(2000), nullable=False),
    sa.Column("token_sealed", sa.String(2000), nullable=False),
    # [store id, ...] or null for the whole portal (CRM-API writes included).
    sa.Column("store_ids", Json, nullable=True),
    sa.Column("phase", sa.String(12), nullable=False),
    sa.Column("paused", sa.Boolean, nullable=False, server_default=sa.false()),
    # Why deliveries stop (revoked token, target unreachable); cleared by the next success.
    sa.Column("failing_reason", sa.Text, nullable=True),
    sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
    # The target's ecommerce pipeline id and {our stage id: its stage id}, from the set-up.
    sa.Column("target", Json, nullable=True),
    # Backfill: [object type index, last object id filed] and how many objects it files.
    sa.Column("backfill_cursor", Json, nullable=True),
    sa.Column("backfill_total", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("backfill_filed", sa.BigInteger, nullable=False, server_default="0"),
    # What the target's X-HubSpot-RateLimit-Daily-Remaining said last.
    sa.Column("daily_remaining", sa.BigInteger, nullable=True),
    # One relay job works a destination at a time: it holds this lease while it runs.
    sa.Column("lease_token", sa.String(32), nullable=True),
    sa.Column("lease_until", Millis, nullable=True),
    sa.Column("created_at", Millis, nullable=False),
    sa.Column("updated_at", Millis, nullable=False),
    sa.Index("ix_relay_destinations_portal", "portal_id"),
)

# What waits to be delivered: one row per (destination, object), the newest changedAt kept.
relay_outbox = sa.Table(
    "relay_outbox",
    metadata,
    sa.Column("destination_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("object_type", ObjectType, primary_key=True),
    sa.Column("object_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("changed_at", Millis, nullable=False),
    # When the change was filed: the lag is measured from the oldest.
    sa.Column("queued_at", Millis, nullable=False),
)

# Delivery state per (destination, object). state: DELIVERED | FAILED | STOPPED (a DELETE
# tombstone ended its delivery). target_id: the object's id in the target portal.
relay_objects = sa.Table(
    "relay_objects",
    metadata,
    sa.Column("destination_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("object_type", ObjectType, primary_key=True),
    sa.Column("object_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("target_id", sa.String(40), nullable=True),
    sa.Column("state", sa.String(10), nullable=False),
    sa.Column("changed_at", Millis, nullable=False),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("updated_at", Millis, nullable=False),
    # The associations delivered from this object (a deal's contacts, a line item's deal):
    # {to type: [[our id, target id], ...]}; those no longer in our CRM are archived there.
    sa.Column("associated", Json, nullable=True),
    sa.Index("ix_relay_objects_state", "destination_id", "state"),
)
