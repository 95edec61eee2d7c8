"""Associations of a batch: replace the lists that changed, keep unresolved targets pending,
make pending associations whose target just arrived, and derive the association error status.

The INVALID_ASSOCIATION_PROPERTY error of an object is derived, not historical: it is OPEN exactly
while the object's newest message succeeded and some of its associations are pending, with details
naming every pending target. That makes it the same whatever order the messages arrived in.
``association_outcome`` is that rule; it is applied in memory to the batch's own links (whose
rows the batch writes anyway) and through SQL to the links of other types a batch touches.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection

from ecombridge.change_feed import Changes, Origin, publish
from ecombridge.sync.apply import association_repository as arepo
from ecombridge.sync.apply import repository as repo
from ecombridge.sync.apply.repository import Scope, encode_json
from ecombridge.sync.apply.state import Link
from ecombridge.sync.apply.values import ASSOC_PROPERTY_NAMES

ASSOCIATION_ERROR = "INVALID_ASSOCIATION_PROPERTY"
OPEN, RESOLVE = "OPEN", "RESOLVE"
# (type, details, status, changedAt) of a link's sync_errors row.
ErrorState = tuple[str, str, str, int]
Pending = dict[str, list[str]]  # to type -> external ids waiting


def association_details(from_type: str, pending: Iterable[tuple[str, str]]) -> str:
    """HubSpot's text: ``Invalid associations [hs_assoc__deal_id: 42]. Do those objects exist?``"""
    entries = sorted((ASSOC_PROPERTY_NAMES[(from_type, to_type)], ext) for to_type, ext in pending)
    listed = ", ".join(f"{name}: {ext}" for name, ext in entries)
    return f"Invalid associations [{listed}]. Do those objects exist?"


def association_outcome(
    from_type: str,
    deleted_at: int | None,
    last_changed_at: int | None,
    error: ErrorState | None,
    waiting: list[tuple[str, str]],
) -> tuple[str, str] | None:
    """What a link's derived association error becomes: (OPEN, details), (RESOLVE, "") or None
    (unchanged). ``waiting``: its pending (to type, external id) pairs."""
    if deleted_at is not None or last_changed_at is None:
        return None
    is_open = error is not None and error[2] == "OPEN"
    is_association = error is not None and error[0] == ASSOCIATION_ERROR
    if is_open and not is_association and error is not None and error[3] == last_changed_at:
        return None  # the newest message failed on its own: that is the status
    if waiting:
        details = association_details(from_type, waiting)
        if is_open and is_association and error is not None and error[1] == details:
            return None
        return OPEN, details
    if is_open and is_association:
        return RESOLVE, ""
    return None


def resolve_targets(
    conn: Connection, scope: Scope, batch_links: list[Link], also: dict[str, set[str]]
) -> dict[str, dict[str, int]]:
    """to type -> {external id: hubspotId} for every target named by a changed list, and by
    ``also`` (to type -> external ids)."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for to_type, ids in also.items():
        wanted[to_type].update(ids)
    for link in batch_links:
        obj = link.obj
        if obj is None:
            continue
        for to_type in obj.assoc_changed:
            wanted[to_type].update(obj.versions["a"][to_type][1])
    return {
        to_type: arepo.hubspot_ids(conn, scope, to_type, ids) for to_type, ids in wanted.items()
    }


def set_product_ids(batch_links: list[Link], resolved: dict[str, dict[str, int]]) -> None:
    """A line item's hs_product_id is the hubspotId of the product its PRODUCT list names."""
    products = resolved.get("PRODUCT", {})
    for link in batch_links:
        obj = link.obj
        if obj is None or "PRODUCT" not in obj.assoc_changed:
            continue
        ids = [products[e] for e in obj.versions["a"]["PRODUCT"][1] if e in products]
        if ids:
            obj.set_provided("hs_product_id", str(ids[0]))
        elif obj.properties.pop("hs_product_id", None) is not None:
            obj.changed = True  # set again when the pending product arrives


def left_pending(batch_links: list[Link], resolved: dict[str, dict[str, int]]) -> bool:
    """Whether a changed list names a target that does not exist (it is kept pending)."""
    for link in batch_links:
        obj = link.obj
        if obj is None or obj.id is None:
            continue
        for to_type, targets in resolved.items():
            if to_type in obj.assoc_changed and any(
                ext not in targets for ext in obj.versions["a"][to_type][1]
            ):
                return True
    return False


def pending_before(
    conn: Connection, scope: Scope, from_type: str, batch_links: list[Link]
) -> dict[str, Pending]:
    """The pending associations of the batch's links before the batch. Only links that had an
    object can have any (pending rows are written with the object), so new links are not read."""
    had_object = [link.external_id for link in batch_links if link.hubspot_id is not None]
    found: dict[str, Pending] = defaultdict(dict)
    for row in arepo.pending_from(conn, scope, from_type, had_object):
        found[row.from_external_id].setdefault(row.to_type, []).append(row.to_external_id)
    return found


@dataclass
class ChangedLists:
    """What ``write_changed_lists`` did: the links whose lists were replaced, and the pending
    associations of each replaced list (to type -> external ids, empty when all were made)."""

    owners: set[str] = field(default_factory=set)
    pending: dict[str, Pending] = field(default_factory=lambda: defaultdict(dict))


def write_changed_lists(
    conn: Connection,
    scope: Scope,
    from_type: str,
    batch_links: list[Link],
    resolved: dict[str, dict[str, int]],
    now: int,
) -> ChangedLists:
    """Replace changed association lists. An object created by this batch has no associations
    to delete, and a link that had no object no pending ones: neither is looked for."""
    changed = ChangedLists()
    portal_id = scope.portal_id
    for to_type, targets in resolved.items():
        owners = [
            link
            for link in batch_links
            if link.obj is not None and to_type in link.obj.assoc_changed
        ]
        had_links = [link.external_id for link in owners if link.hubspot_id is not None]
        old_ids = [link.obj.id for link in owners if link.obj is not None and not link.obj.is_new]
        arepo.delete_associations(conn, portal_id, from_type, to_type, [i for i in old_ids if i])
        arepo.delete_pending_from(conn, scope, from_type, to_type, had_links)
        made: list[tuple[Any, ...]] = []
        pending: list[tuple[Any, ...]] = []
        for link in owners:
            obj = link.obj
            if obj is None or obj.id is None:
                continue
            ext = link.external_id
            changed.owners.add(ext)
            waiting = changed.pending[ext][to_type] = []
            for target in obj.versions["a"][to_type][1]:
                to_id = targets.get(target)
                if to_id is not None:
                    made.append((portal_id, from_type, obj.id, to_type, to_id, now))
                else:
                    waiting.append(target)
                    pending.append(
                        (*scope, from_type, ext, to_type, target, now)  # PENDING_COLUMNS
                    )
        arepo.insert_associations(conn, made)
        arepo.insert_pending(conn, pending)
    return changed


def derive_batch_status(
    scope: Scope,
    from_type: str,
    links: dict[str, Link],
    external_ids: set[str],
    before: dict[str, Pending],
    changed: ChangedLists,
    now: int,
) -> dict[str, tuple[Any, ...]]:
    """The derived association error of the batch's links whose status or lists the batch
    changed, decided in memory from the rows the batch is about to write: external id -> the
    sync_errors row (ERROR_COLUMNS) it ends with, for those whose error changes. Links whose
    error changes are ``touched`` (their lastProcessedAt becomes now)."""
    decided: dict[str, tuple[Any, ...]] = {}
    for ext in external_ids:
        link = links[ext]
        error = error_after_status(scope, from_type, link, now)
        pending = {**before.get(ext, {}), **changed.pending.get(ext, {})}
        waiting = [(to_type, target) for to_type, ids in pending.items() for target in ids]
        state = None if error is None else (error[5], error[6], error[9], error[7])
        outcome = association_outcome(
            from_type, link.deleted_at, link.last_changed_at, state, waiting
        )
        if outcome is None:
            continue
        link.touched = True
        if outcome[0] == OPEN:
            decided[ext] = (
                *scope,
                from_type,
                ext,
                ASSOCIATION_ERROR,
                outcome[1],
                link.last_changed_at,
                now,
                "OPEN",
            )
        elif error is not None:
            decided[ext] = (*error[:9], "RESOLVED")
    return decided


def error_after_status(
    scope: Scope, object_type: str, link: Link, now: int
) -> tuple[Any, ...] | None:
    """The link's sync_errors row (ERROR_COLUMNS) once its own status is recorded: its newest
    message's error, or the earlier error RESOLVED by a success, or the earlier error as is."""
    key = (*scope, object_type, link.external_id)
    status = link.status
    if isinstance(status, tuple):
        return (*key, *status, link.last_changed_at, now, "OPEN")
    error = link.error
    if error is None:
        return None
    row = (
        *key,
        error.type,
        error.details,
        error.changed_at,
        error.errored_at,
        error.status,
    )
    if status is None and error.status == "OPEN":
        return (*row[:9], "RESOLVED")
    return row


def resolve_pending_to(
    conn: Connection,
    scope: Scope,
    to_type: str,
    arrived: dict[str, int],
    now: int,
    origin: Origin = "sync",
) -> dict[str, set[str]]:
    """Make the pending associations whose target is in ``arrived`` (external id -> hubspotId),
    publish their owners as changed, refresh the owners' derived status; returns from type ->
    external ids whose pending set shrank."""
    if not arepo.any_pending_to(conn, scope, to_type):
        return {}
    rows = arepo.pending_to(conn, scope, to_type, arrived)
    if not rows:
        return {}
    by_from: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        by_from[row.from_type].append(row)
    touched: dict[str, set[str]] = {}
    for from_type, group in by_from.items():
        owners = arepo.hubspot_ids(conn, scope, from_type, {r.from_external_id for r in group})
        made: list[tuple[Any, ...]] = []
        done = []
        for r in group:
            if r.from_external_id not in owners:
                continue
            from_id, to_id = owners[r.from_external_id], arrived[r.to_external_id]
            made.append((scope.portal_id, from_type, from_id, to_type, to_id, now))
            done.append(
                {
                    "b_from_type": from_type,
                    "b_from_ext": r.from_external_id,
                    "b_to_type": to_type,
                    "b_to_ext": r.to_external_id,
                }
            )
        arepo.insert_associations(conn, made)
        arepo.delete_pending_rows(conn, scope, done)
        touched[from_type] = {d["b_from_ext"] for d in done}
        if from_type == "LINE_ITEM" and to_type == "PRODUCT":
            _set_product_ids_of(conn, scope, made, now)
        owner_ids = dict.fromkeys(sorted({row[2] for row in made}), now)
        publish(
            conn,
            Changes(scope.portal_id, from_type, origin, owner_ids, *_whose(scope)),
        )
    for from_type, external_ids in sorted(touched.items()):
        refresh_status(conn, scope, from_type, external_ids, now)
    return touched


def _whose(scope: Scope) -> tuple[int, str]:
    return scope.source_app_id, scope.store_id


def _set_product_ids_of(
    conn: Connection, scope: Scope, made: list[tuple[Any, ...]], now: int
) -> None:
    """made: ASSOCIATION_COLUMNS rows (line item -> product)."""
    product_of = {row[2]: row[4] for row in sorted(made, key=lambda row: -row[4])}
    objects = repo.objects_by_id(conn, scope.portal_id, "LINE_ITEM", product_of)
    updates = []
    for object_id, row in sorted(objects.items()):
        properties = dict(row.properties)
        properties["hs_product_id"] = str(product_of[object_id])
        properties["lastmodifieddate"] = now
        updates.append(
            (
                encode_json(properties),
                row.email_key,
                encode_json(row.versions),
                now,
                scope.portal_id,
                "LINE_ITEM",
                object_id,
            )  # OBJECT_UPDATE_COLUMNS
        )
    repo.update_objects(conn, updates)


def refresh_status(
    conn: Connection, scope: Scope, from_type: str, external_ids: set[str], now: int
) -> None:
    """Derive the association error of links (read from the database) whose pending
    associations changed outside their own batch."""
    if not external_ids or from_type not in ("DEAL", "LINE_ITEM"):
        return
    pending: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in arepo.pending_from(conn, scope, from_type, external_ids):
        pending[row.from_external_id].append((row.to_type, row.to_external_id))
    # A link with nothing pending changes only if its association error is open: the others
    # are not read (in most batches every association was made).
    candidates = pending.keys() | repo.open_errors_of_type(
        conn, scope, from_type, external_ids, ASSOCIATION_ERROR
    )
    opened: list[tuple[Any, ...]] = []
    resolved: list[str] = []
    for s in repo.link_states(conn, scope, from_type, sorted(candidates)):
        error = None if s.status is None else (s.type, s.details, s.status, s.changed_at)
        outcome = association_outcome(
            from_type, s.deleted_at, s.last_changed_at, error, pending.get(s.external_id, [])
        )
        if outcome is None:
            continue
        if outcome[0] == OPEN:
            opened.append(
                (
                    *scope,
                    from_type,
                    s.external_id,
                    ASSOCIATION_ERROR,
                    outcome[1],
                    s.last_changed_at,
                    now,
                    "OPEN",
                )
            )
        else:
            resolved.append(s.external_id)
    repo.upsert_errors(conn, opened)
    repo.resolve_errors(conn, scope, from_type, resolved)
    repo.touch_links(conn, scope, from_type, [r[4] for r in opened] + resolved, now)
