"""A portal ready to receive sync messages, and readers of the state applying them leaves."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ecombridge.crm_schema.service import ensure_portal_schema
from ecombridge.db.engine import Database
from ecombridge.db.tables import (
    associations,
    crm_objects,
    pending_associations,
    portals,
    sync_errors,
    sync_objects,
)
from ecombridge.sync.apply import apply_batch
from ecombridge.sync.messages import BatchContext, Message
from ecombridge.sync_settings.schemas import PropertyMapping, Settings
from ecombridge.sync_settings.service import put_settings_v2

MAPPINGS: dict[str, list[tuple[str, str, str | None]]] = {
    "CONTACT": [
        ("email", "email", "STRING"),
        ("first_name", "firstname", "STRING"),
        ("last_name", "lastname", "STRING"),
        ("city", "city", None),
        ("favourite_colour", "favourite_colour", "STRING"),  # not a property of the portal
        ("nickname", "nickname", None),  # nor this one
    ],
    "DEAL": [
        ("name", "dealname", "STRING"),
        ("stage", "dealstage", "STRING"),
        ("total", "amount", "NUMBER"),
        ("purchased", "closedate", "DATETIME"),
        ("kind", "dealtype", "STRING"),
        ("customer_id", "hs_assoc__contact_ids", "STRING"),
    ],
    "PRODUCT": [
        ("name", "name", "STRING"),
        ("price", "price", "NUMBER"),
        ("sku", "hs_sku", "STRING"),
        ("image", "ip__ecomm_bridge__image_url", "AVATAR_IMAGE"),
    ],
    "LINE_ITEM": [
        ("qty", "quantity", "NUMBER"),
        ("price", "price", "NUMBER"),
        ("order_id", "hs_assoc__deal_id", "STRING"),
        ("product_id", "hs_assoc__product_id", "STRING"),
        ("contact_id", "hs_assoc__contact_ids", "STRING"),  # not an association of line items
    ],
}


def settings(enabled: bool = True) -> Settings:
    return Settings(
        enabled=enabled,
        mappings={t: [PropertyMapping(*m) for m in ms] for t, ms in MAPPINGS.items()},
    )


def msg(
    external_id: str,
    properties: dict[str, Any] | None = None,
    at: int = 1_000,
    action: str = "UPSERT",
    associations: dict[str, list[str]] | None = None,
) -> Message:
    return Message(external_id, action, at, properties or {}, associations or {})  # type: ignore[arg-type]


@dataclass
class Bridge:
    """One source (app or the portal's own integration) writing into one store of a portal."""

    db: Database
    portal_id: int
    source_app_id: int = 0
    store_id: str = "default"

    def setup(self, with_settings: bool = True, enabled: bool = True) -> Bridge:
        with self.db.write() as conn:
            ensure_portal_schema(conn, self.portal_id)
            if with_settings:
                owner = (0, self.source_app_id) if self.source_app_id else (self.portal_id, 0)
                put_settings_v2(conn, owner[0], owner[1], settings(enabled))
        return self

    def sync(self, object_type: str, *messages: Message, at: int = 5_000) -> None:
        ctx = BatchContext(self.portal_id, self.source_app_id, self.store_id, object_type)
        with self.db.write() as conn:
            apply_batch(conn, ctx, list(messages), at)

    def deactivate_portal(self) -> None:
        with self.db.write() as conn:
            conn.execute(sa.update(portals).where(portals.c.id == self.portal_id).values(active=0))

    # --- reading the state back ----------------------------------------------------------------

    def _where(self, table: sa.Table, object_type: str, external_id: str) -> Any:
        c = table.c
        return sa.and_(
            c.portal_id == self.portal_id,
            c.source_app_id == self.source_app_id,
            c.store_id == self.store_id,
            c.object_type == object_type,
            c.external_id == external_id,
        )

    def link(self, object_type: str, external_id: str) -> Any:
        with self.db.read() as conn:
            query = sa.select(sync_objects).where(
                self._where(sync_objects, object_type, external_id)
            )
            return conn.execute(query).first()

    def error(self, object_type: str, external_id: str) -> Any:
        with self.db.read() as conn:
            query = sa.select(sync_errors).where(self._where(sync_errors, object_type, external_id))
            return conn.execute(query).first()

    def hubspot_id(self, object_type: str, external_id: str) -> int:
        link = self.link(object_type, external_id)
        assert link is not None and link.hubspot_id is not None, (object_type, external_id)
        return int(link.hubspot_id)

    def properties(self, object_type: str, external_id: str) -> dict[str, Any]:
        object_id = self.hubspot_id(object_type, external_id)
        with self.db.read() as conn:
            query = sa.select(crm_objects.c.properties).where(
                crm_objects.c.portal_id == self.portal_id,
                crm_objects.c.object_type == object_type,
                crm_objects.c.id == object_id,
            )
            return dict(conn.execute(query).scalar_one())

    def associated(self, from_type: str, external_id: str, to_type: str) -> set[int]:
        object_id = self.hubspot_id(from_type, external_id)
        a = associations.c
        with self.db.read() as conn:
            query = sa.select(a.to_id).where(
                a.portal_id == self.portal_id,
                a.from_type == from_type,
                a.from_id == object_id,
                a.to_type == to_type,
            )
            return set(conn.execute(query).scalars())

    def pending(self) -> set[tuple[str, str, str, str]]:
        p = pending_associations.c
        with self.db.read() as conn:
            query = sa.select(p.from_type, p.from_external_id, p.to_type, p.to_external_id).where(
                p.portal_id == self.portal_id
            )
            return {tuple(row) for row in conn.execute(query)}

    def count(self, object_type: str) -> int:
        with self.db.read() as conn:
            query = sa.select(sa.func.count()).where(
                crm_objects.c.portal_id == self.portal_id, crm_objects.c.object_type == object_type
            )
            return int(conn.execute(query).scalar_one())


def open_error(bridge: Bridge, object_type: str, external_id: str) -> tuple[str, str]:
    error = bridge.error(object_type, external_id)
    assert error is not None and error.status == "OPEN", error
    link = bridge.link(object_type, external_id)
    assert error.errored_at == link.last_processed_at  # "the latest processing failed"
    return error.type, error.details


class OpenApply:
    """An apply in its own thread whose transaction stays open until ``commit()`` (PostgreSQL:
    other transactions do not see its rows until then)."""

    def __init__(self, bridge: Bridge, object_type: str, message: Message) -> None:
        self.applied = threading.Event()
        self.release = threading.Event()
        self.failures: list[BaseException] = []
        ctx = BatchContext(bridge.portal_id, 0, "default", object_type)
        self.thread = threading.Thread(target=self._run, args=(bridge.db, ctx, message))
        self.thread.start()
        assert self.applied.wait(20)

    def _run(self, db: Database, ctx: BatchContext, message: Message) -> None:
        try:
            with db.write() as conn:
                apply_batch(conn, ctx, [message], 6_000)
                self.applied.set()
                self.release.wait(20)
        except BaseException as error:
            self.failures.append(error)
            self.applied.set()

    def commit(self) -> None:
        self.release.set()
        self.thread.join(20)
        assert self.failures == []
