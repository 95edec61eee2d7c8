"""Store rules. A store is identified per (portal, source); ``source_app_id`` is the app whose
token wrote it, or 0 for the portal's custom integration. Takes a connection, never commits.

The default store ("default") always exists implicitly for filing data; it is *listed* once the
portal ran the v1 install or a client defined it. Replacing the default store gives it a new
visible id (``alias_id``) while its data stays filed under "default".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Row

from ecombridge.clock import now_ms
from ecombridge.crm_schema.service import ensure_portal_schema
from ecombridge.errors import Conflict, NotFound, ValidationFailed
from ecombridge.stores import repository as repo
from ecombridge.tenancy import repository as tenancy_repo
from ecombridge.tenancy.principal import CUSTOM_INTEGRATION

DEFAULT_STORE_ID = "default"
CUSTOM_LABEL = "Custom"
DEFAULT_ADMIN_URI = "string"  # what HubSpot's implicit default store carried
MAX_ID_LENGTH = 100
MAX_LABEL_LENGTH = 500
MAX_URI_LENGTH = 2000


@dataclass(frozen=True)
class Store:
    id: str
    label: str
    admin_uri: str | None = None


def validate_store_id(store_id: str, field: str = "id") -> None:
    if not 1 <= len(store_id) <= MAX_ID_LENGTH:
        raise ValidationFailed(
            f"{field}: a store id must be 1 to {MAX_ID_LENGTH} characters, got {len(store_id)}."
        )
    bad = [ch for ch in store_id if not ("!" <= ch <= "~") or ch == "/"]
    if bad:
        raise ValidationFailed(
            f"{field}: a store id must be printable ASCII without '/' or whitespace; "
            f"{bad[0]!r} is not allowed."
        )


def validate_store(store: Store) -> None:
    validate_store_id(store.id)
    if not store.label.strip():
        raise ValidationFailed("label: must be a non-empty string.")
    if len(store.label) > MAX_LABEL_LENGTH:
        raise ValidationFailed(f"label: at most {MAX_LABEL_LENGTH} characters.")
    if store.admin_uri is not None and len(store.admin_uri) > MAX_URI_LENGTH:
        raise ValidationFailed(f"adminUri: at most {MAX_URI_LENGTH} characters.")


def _unknown(store_id: str) -> NotFound:
    return NotFound(
        f"Store {store_id!r} does not exist for this portal and integration; "
        "create it with PUT /extensions/ecomm/v2/stores."
    )


def resolve_store(conn: Connection, portal_id: int, source_app_id: int, store_id: str) -> str:
    """The store id data sent to ``store_id`` is filed under."""
    if store_id == DEFAULT_STORE_ID:
        return DEFAULT_STORE_ID
    if not is_valid_store_id(store_id):
        raise _unknown(store_id)
    aliased = repo.find_alias(conn, portal_id, source_app_id, store_id)
    if aliased is not None and aliased.deleted_at is None:
        return str(aliased.id)
    row = repo.get_row(conn, portal_id, source_app_id, store_id)
    if row is not None and row.deleted_at is None:
        return str(row.id)
    if row is not None or aliased is not None:
        raise NotFound(
            f"Store {store_id!r} was deleted; define it again with PUT /extensions/ecomm/v2/stores "
            "to sync to it."
        )
    raise _unknown(store_id)


def _implicit_default(conn: Connection, portal_id: int, source_app_id: int) -> Store | None:
    """The default store of a v1-installed portal that no client defined (or deleted)."""
    portal = tenancy_repo.get_portal(conn, portal_id)
    if portal is None or not portal.ecomm_installed:
        return None
    if repo.get_row(conn, portal_id, source_app_id, DEFAULT_STORE_ID) is not None:
        return None
    label = CUSTOM_LABEL
    if source_app_id != CUSTOM_INTEGRATION:
        app = tenancy_repo.get_app(conn, source_app_id)
        label = app.name if app is not None else CUSTOM_LABEL
    return Store(DEFAULT_STORE_ID, label, DEFAULT_ADMIN_URI)


def _view(row: Row[Any]) -> Store:
    return Store(row.alias_id or row.id, row.label, row.admin_uri)


def list_stores(conn: Connection, portal_id: int, source_app_id: int) -> list[Store]:
    found = [_view(row) for row in repo.list_live(conn, portal_id, source_app_id)]
    implicit = _implicit_default(conn, portal_id, source_app_id)
    return ([implicit] if implicit else []) + found


def is_valid_store_id(store_id: str) -> bool:
    try:
        validate_store_id(store_id)
    except ValidationFailed:
        return False
    return True


def get_store(conn: Connection, portal_id: int, source_app_id: int, store_id: str) -> Store:
    if not is_valid_store_id(store_id):
        raise _unknown(store_id)
    aliased = repo.find_alias(conn, portal_id, source_app_id, store_id)
    if aliased is not None and aliased.deleted_at is None:
        return _view(aliased)
    row = repo.get_row(conn, portal_id, source_app_id, store_id)
    if row is not None and row.deleted_at is None:
        return _view(row)
    if store_id == DEFAULT_STORE_ID:
        implicit = _implicit_default(conn, portal_id, source_app_id)
        if implicit is not None:
            return implicit
    raise _unknown(store_id)


def put_store(conn: Connection, portal_id: int, source_app_id: int, store: Store) -> Store:
    """Create or redefine (full replace) a store; the portal's first store installs its schema."""
    validate_store(store)
    now = now_ms()
    aliased = repo.find_alias(conn, portal_id, source_app_id, store.id)
    if aliased is not None:  # the replaced default, addressed by its new id
        repo.upsert(
            conn,
            portal_id,
            source_app_id,
            aliased.id,
            alias_id=store.id,
            label=store.label,
            admin_uri=store.admin_uri,
            now=now,
        )
        return store
    existed = repo.get_row(conn, portal_id, source_app_id, store.id) is not None
    repo.upsert(
        conn,
        portal_id,
        source_app_id,
        store.id,
        alias_id=None,
        label=store.label,
        admin_uri=store.admin_uri,
        now=now,
    )
    if not existed:
        ensure_portal_schema(conn, portal_id)
    return store


def replace_default(conn: Connection, portal_id: int, source_app_id: int, store: Store) -> Store:
    """Redefine the default store under a new id; both ids resolve to it afterwards."""
    validate_store(store)
    if store.id == DEFAULT_STORE_ID:
        return put_store(conn, portal_id, source_app_id, store)
    if repo.get_row(conn, portal_id, source_app_id, store.id) is not None:
        raise Conflict(
            f"id: store {store.id!r} already exists (its data is filed under it), so it cannot "
            "become the new id of the default store."
        )
    existed = repo.get_row(conn, portal_id, source_app_id, DEFAULT_STORE_ID) is not None
    repo.upsert(
        conn,
        portal_id,
        source_app_id,
        DEFAULT_STORE_ID,
        alias_id=store.id,
        label=store.label,
        admin_uri=store.admin_uri,
        now=now_ms(),
    )
    if not existed:
        ensure_portal_schema(conn, portal_id)
    return store


def delete_store(conn: Connection, portal_id: int, source_app_id: int, store_id: str) -> None:
    """Forget a store's definition; its data stays, and re-defining the id finds it again."""
    if not is_valid_store_id(store_id):
        raise _unknown(store_id)
    now = now_ms()
    aliased = repo.find_alias(conn, portal_id, source_app_id, store_id)
    if aliased is not None and aliased.deleted_at is None:
        repo.mark_deleted(conn, portal_id, source_app_id, aliased.id, now)
        return
    row = repo.get_row(conn, portal_id, source_app_id, store_id)
    if row is not None and row.deleted_at is None:
        repo.mark_deleted(conn, portal_id, source_app_id, store_id, now)
        return
    if store_id == DEFAULT_STORE_ID and _implicit_default(conn, portal_id, source_app_id):
        repo.insert_if_missing(
            conn,
            portal_id,
            source_app_id,
            DEFAULT_STORE_ID,
            label=CUSTOM_LABEL,
            admin_uri=DEFAULT_ADMIN_URI,
            now=now,
            deleted_at=now,
        )
        return
    raise _unknown(store_id)


def ensure_default_store(conn: Connection, portal_id: int) -> None:
    """The v1 install's default store of the portal's custom integration."""
    repo.insert_if_missing(
        conn,
        portal_id,
        CUSTOM_INTEGRATION,
        DEFAULT_STORE_ID,
        label=CUSTOM_LABEL,
        admin_uri=DEFAULT_ADMIN_URI,
        now=now_ms(),
    )
