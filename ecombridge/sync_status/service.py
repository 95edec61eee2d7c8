"""Sync status of one object and the sync-error listings. Takes a connection, never commits.

An object is "seen" once it has a sync_objects row or an error; sync status of an object never
seen is a 400 (clients treat it as "not synced yet"), not a 404. Errors keep only the latest per
object; a listing shows OPEN ones unless resolved ones are asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Row

from ecombridge.errors import NotFound, ValidationFailed
from ecombridge.stores.service import resolve_store
from ecombridge.sync_status import repository as repo
from ecombridge.sync_status.filters import OBJECT_TYPES, V1_OBJECT_TYPES, Filters
from ecombridge.sync_status.schemas import (
    SyncError,
    SyncStatus,
    SyncStatusWithWarnings,
    SyncWarning,
    V1SyncError,
)

DEFAULT_STORE_ID = "default"


@dataclass(frozen=True)
class Caller:
    """Whose data a status request reads: the portal and the source that wrote it."""

    portal_id: int
    source_app_id: int


@dataclass(frozen=True)
class ErrorScope:
    """Whose errors a listing shows; ``None`` means any portal / any source."""

    portal_id: int | None
    source_app_id: int | None


@dataclass(frozen=True)
class ErrorListing:
    rows: list[Row[Any]]
    # The 1-based record offset of the next page, or None when nothing more remains.
    next_page: int | None


def split_status_path(first: str, second: str) -> tuple[str, str]:
    """(storeId, objectType) from the two segments: documented order storeId/objectType, or the
    order of HubSpot's overview page, objectType/storeId."""
    if second in OBJECT_TYPES:
        return first, second
    if first in OBJECT_TYPES:
        return second, first
    raise ValidationFailed(
        f"objectType must be one of {', '.join(OBJECT_TYPES)}; got {second!r} "
        f"(path /sync/status/{{storeId}}/{{objectType}}/{{externalObjectId}})."
    )


def sync_status(
    conn: Connection,
    caller: Caller,
    first: str,
    second: str,
    external_id: str,
    *,
    include_warnings: bool = False,
) -> SyncStatus:
    """The documented status; ``include_warnings`` adds ``warnings`` (always, maybe empty)."""
    store_hint, object_type = split_status_path(first, second)
    try:
        store_id = resolve_store(conn, caller.portal_id, caller.source_app_id, store_hint)
    except NotFound:
        raise ValidationFailed(
            f"No sync status for {object_type} {external_id!r}: store {store_hint!r} is unknown."
        ) from None
    key = repo.ObjectKey(caller.portal_id, caller.source_app_id, store_id, object_type, external_id)
    synced, error = _seen(conn, key)
    status = SyncStatus(
        # The id the client asked with: an alias of the default store stays the alias.
        storeId=store_hint,
        objectType=object_type,
        externalObjectId=external_id,
        hubspotId=synced.hubspot_id if synced is not None else None,
        lastProcessedAt=_last_processed(synced, error),
        errors=[to_sync_error(error)] if error is not None else [],
    )
    if not include_warnings:
        return status
    return SyncStatusWithWarnings(**status.model_dump(), warnings=warnings(synced, object_type))


def warnings(synced: Row[Any] | None, object_type: str) -> list[SyncWarning]:
    """The object's warnings: mapped properties the portal does not define, whose values its
    newest messages carried and the bridge skipped."""
    skipped = list(synced.skipped_properties or ()) if synced is not None else []
    if not skipped:
        return []
    details = (
        f"The portal does not define the mapped {object_type} properties {', '.join(skipped)}; "
        "their values were skipped and the other properties applied. Create the properties "
        "(properties API) or change the mappings in the sync settings."
    )
    return [SyncWarning(type="PROPERTIES_NOT_DEFINED", details=details, properties=skipped)]


def v1_sync_status(
    conn: Connection, caller: Caller, object_type: str, external_id: str
) -> dict[str, object]:
    """{"externalObjectId","lastProcessedAt","numErrors","hubspotId","objectType"}, and
    "warnings" when there are some; numErrors counts the object's OPEN errors (0 or 1: only the
    latest is kept). hubspotId is null while no CRM object exists (mitxpro reads
    ``sync_status["hubspotId"]``)."""
    _require_v1_type(object_type)
    key = repo.ObjectKey(
        caller.portal_id, caller.source_app_id, DEFAULT_STORE_ID, object_type, external_id
    )
    synced, error = _seen(conn, key)
    body: dict[str, object] = {
        "externalObjectId": external_id,
        "lastProcessedAt": _last_processed(synced, error),
        "numErrors": 1 if error is not None and error.status == "OPEN" else 0,
        "hubspotId": synced.hubspot_id if synced is not None else None,
        "objectType": object_type,
    }
    found = warnings(synced, object_type)
    if found:
        body["warnings"] = [w.model_dump() for w in found]
    return body


def v1_object_error(
    conn: Connection, caller: Caller, object_type: str, external_id: str, include_resolved: bool
) -> V1SyncError:
    _require_v1_type(object_type)
    key = repo.ObjectKey(
        caller.portal_id, caller.source_app_id, DEFAULT_STORE_ID, object_type, external_id
    )
    error = repo.get_error(conn, key)
    if error is None or (error.status != "OPEN" and not include_resolved):
        raise NotFound(f"No sync error for {object_type} {external_id!r}.")
    return to_v1_sync_error(error)


def list_errors(conn: Connection, scope: ErrorScope, filters: Filters) -> ErrorListing:
    query = repo.ErrorQuery(
        portal_id=scope.portal_id,
        source_app_id=scope.source_app_id,
        object_type=filters.object_type,
        error_type=filters.error_type,
        include_resolved=filters.include_resolved,
        offset=filters.start,
        limit=filters.limit,
    )
    rows = repo.list_errors(conn, query)
    if len(rows) > filters.limit:
        return ErrorListing(rows[: filters.limit], filters.start + filters.limit + 1)
    return ErrorListing(rows, None)


def to_sync_error(row: Row[Any]) -> SyncError:
    return SyncError(
        portalId=row.portal_id,
        storeId=row.store_id,
        objectType=row.object_type,
        externalObjectId=row.external_id,
        changedAt=row.changed_at,
        erroredAt=row.errored_at,
        type=row.type,
        details=row.details,
        status=row.status,
    )


def to_v1_sync_error(row: Row[Any]) -> V1SyncError:
    return V1SyncError(
        portalId=row.portal_id,
        objectType=row.object_type,
        integratorObjectId=row.external_id,
        changeOccurredTimestamp=row.changed_at,
        errorTimestamp=row.errored_at,
        type=row.type,
        details=row.details,
        status=row.status,
    )


def _seen(conn: Connection, key: repo.ObjectKey) -> tuple[Row[Any] | None, Row[Any] | None]:
    synced = repo.get_sync_object(conn, key)
    error = repo.get_error(conn, key)
    if synced is None and error is None:
        raise ValidationFailed(
            f"No sync status for {key.object_type} {key.external_id!r} in store "
            f"{key.store_id!r}: it has not been processed yet."
        )
    return synced, error


def _last_processed(synced: Row[Any] | None, error: Row[Any] | None) -> int | None:
    if synced is not None and synced.last_processed_at is not None:
        return int(synced.last_processed_at)
    return int(error.errored_at) if error is not None else None


def _require_v1_type(object_type: str) -> None:
    if object_type not in V1_OBJECT_TYPES:
        raise ValidationFailed(
            f"objectType must be one of {', '.join(OBJECT_TYPES)}; got {object_type!r}."
        )
