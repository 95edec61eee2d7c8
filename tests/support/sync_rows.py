"""Rows the sync engine writes (links, errors, CRM objects, associations), inserted directly so
the read APIs can be tested on realistic data without running intake and workers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ecombridge.db import tables as t
from ecombridge.db.engine import Database
from ecombridge.db.sequences import allocate_ids

T0 = 1_700_000_000_000  # a fixed epoch-ms origin so expected bodies are exact


@dataclass(frozen=True)
class ErrorRow:
    portal_id: int
    external_id: str
    errored_at: int
    source_app_id: int = 0
    store_id: str = "default"
    object_type: str = "CONTACT"
    type: str = "MISSING_REQUIRED_PROPERTY"
    details: str = "Email is required for contacts."
    changed_at: int = T0
    status: str = "OPEN"

    def values(self) -> dict[str, Any]:
        return dict(self.__dict__)


def insert_crm_object(
    db: Database,
    portal_id: int,
    object_type: str,
    properties: dict[str, Any],
    *,
    created_at: int = T0,
    updated_at: int | None = None,
    archived: bool = False,
) -> int:
    """A CRM object as the apply step stores it (property values as strings); returns its id."""
    email = properties.get("email")
    with db.write() as conn:
        (object_id,) = allocate_ids(conn, "crm_object")
        conn.execute(
            sa.insert(t.crm_objects).values(
                portal_id=portal_id,
                object_type=object_type,
                id=object_id,
                properties=properties,
                email_key=email.lower() if object_type == "CONTACT" and email else None,
                created_at=created_at,
                updated_at=updated_at if updated_at is not None else created_at,
                archived=archived,
            )
        )
    return object_id


def associate(
    db: Database, portal_id: int, from_type: str, from_id: int, to_type: str, to_id: int
) -> None:
    """An association stored from the child side (DEAL->CONTACT, LINE_ITEM->DEAL|PRODUCT)."""
    with db.write() as conn:
        conn.execute(
            sa.insert(t.associations).values(
                portal_id=portal_id,
                from_type=from_type,
                from_id=from_id,
                to_type=to_type,
                to_id=to_id,
                created_at=T0,
            )
        )


def insert_synced(
    db: Database,
    portal_id: int,
    external_id: str,
    *,
    object_type: str = "CONTACT",
    source_app_id: int = 0,
    store_id: str = "default",
    hubspot_id: int | None = None,
    processed_at: int = T0,
    changed_at: int = T0,
    skipped_properties: list[str] | None = None,
) -> None:
    """The link from an external id to its CRM object after a processing attempt."""
    with db.write() as conn:
        conn.execute(
            sa.insert(t.sync_objects).values(
                portal_id=portal_id,
                source_app_id=source_app_id,
                store_id=store_id,
                object_type=object_type,
                external_id=external_id,
                hubspot_id=hubspot_id,
                last_changed_at=changed_at,
                last_processed_at=processed_at,
                created_at=processed_at,
                skipped_properties=skipped_properties,
            )
        )


def insert_errors(db: Database, rows: list[ErrorRow]) -> None:
    if rows:
        with db.write() as conn:
            conn.execute(sa.insert(t.sync_errors), [row.values() for row in rows])


def insert_failed(db: Database, row: ErrorRow, hubspot_id: int | None = None) -> None:
    """An object whose latest processing failed: lastProcessedAt == erroredAt."""
    insert_synced(
        db,
        row.portal_id,
        row.external_id,
        object_type=row.object_type,
        source_app_id=row.source_app_id,
        store_id=row.store_id,
        hubspot_id=hubspot_id,
        processed_at=row.errored_at,
        changed_at=row.changed_at,
    )
    insert_errors(db, [row])


def insert_store(
    db: Database,
    portal_id: int,
    store_id: str,
    *,
    source_app_id: int = 0,
    alias_id: str | None = None,
    deleted: bool = False,
) -> None:
    """A store definition row (``alias_id`` as left by replacing the default store)."""
    with db.write() as conn:
        conn.execute(
            sa.insert(t.stores).values(
                portal_id=portal_id,
                source_app_id=source_app_id,
                id=store_id,
                alias_id=alias_id,
                label=f"Store {store_id}",
                admin_uri=None,
                created_at=T0,
                updated_at=T0,
                deleted_at=T0 if deleted else None,
            )
        )
