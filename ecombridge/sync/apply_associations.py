"""Associations of a batch: replace the lists that changed, keep unresolved targets pending,
make pending associations whose target just arrived, and derive the association error status.

The INVALID_ASSOCIATION_PROPERTY error of an object is derived, not historical: it is OPEN exactly
while the object's newest message succeeded and some of its associations are pending, with details
naming every pending target. That makes it the same whatever order the messages arrived in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy.engine import Connection

from ecombridge.sync import apply_association_repository as arepo
from ecombridge.sync import apply_repository as repo
from ecombridge.sync.apply_repository import Scope
from ecombridge.sync.apply_state import Link
from ecombridge.sync.apply_values import ASSOC_PROPERTY_NAMES

ASSOCIATION_ERROR = "INVALID_ASSOCIATION_PROPERTY"


def association_details(from_type: str, pending: Iterable[tuple[str, str]]) -> str:
    """HubSpot's text: ``Invalid associations [hs_assoc__deal_id: 42]. Do those objects exist?``"""
    entries = sorted((ASSOC_PROPERTY_NAMES[(from_type, to_type)], ext) for to_type, ext in pending)
    listed = ", ".join(f"{name}: {ext}" for name, ext in entries)
    return f"Invalid associations [{listed}]. Do those objects exist?"


def resolve_targets(
    conn: Connection, scope: Scope, from_type: str, batch_links: list[Link]
) -> dict[str, dict[str, int]]:
    """to type -> {external id: hubspotId} for every target named by a changed list."""
    wanted: dict[str, set[str]] = defaultdict(set)
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


def write_changed_lists(
    conn: Connection,
    scope: Scope,
    from_type: str,
    batch_links: list[Link],
    resolved: dict[str, dict[str, int]],
    now: int,
) -> set[str]:
    """Replace changed association lists; returns the external ids whose pending set changed."""
    touched: set[str] = set()
    for to_type, targets in resolved.items():
        owners = [
            link
            for link in batch_links
            if link.obj is not None and to_type in link.obj.assoc_changed
        ]
        from_ids = [link.obj.id for link in owners if link.obj is not None and link.obj.id]
        arepo.delete_associations(conn, scope.portal_id, from_type, to_type, from_ids)
        arepo.delete_pending_from(
            conn, scope, from_type, to_type, [link.external_id for link in owners]
        )
        made: list[dict[str, Any]] = []
        pending: list[dict[str, Any]] = []
        for link in owners:
            obj = link.obj
            if obj is None or obj.id is None:
                continue
            touched.add(link.external_id)
            for ext in obj.versions["a"][to_type][1]:
                if ext in targets:
                    made.append(_association(scope, from_type, obj.id, to_type, targets[ext], now))
                else:
                    pending.append(_pending(scope, from_type, link.external_id, to_type, ext, now))
        arepo.insert_associations(conn, made)
        arepo.insert_pending(conn, pending)
    return touched


def _association(
    scope: Scope, from_type: str, from_id: int, to_type: str, to_id: int, now: int
) -> dict[str, Any]:
    return {
        "portal_id": scope.portal_id,
        "from_type": from_type,
        "from_id": from_id,
        "to_type": to_type,
        "to_id": to_id,
        "created_at": now,
    }


def _pending(
    scope: Scope, from_type: str, from_ext: str, to_type: str, to_ext: str, now: int
) -> dict[str, Any]:
    return {
        "portal_id": scope.portal_id,
        "source_app_id": scope.source_app_id,
        "store_id": scope.store_id,
        "from_type": from_type,
        "from_external_id": from_ext,
        "to_type": to_type,
        "to_external_id": to_ext,
        "created_at": now,
    }


def resolve_pending_to(
    conn: Connection, scope: Scope, to_type: str, arrived: dict[str, int], now: int
) -> dict[str, set[str]]:
    """Make the pending associations whose target is in ``arrived`` (external id -> hubspotId);
    returns from type -> external ids whose pending set shrank."""
    rows = arepo.pending_to(conn, scope, to_type, arrived)
    if not rows:
        return {}
    by_from: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        by_from[row.from_type].append(row)
    touched: dict[str, set[str]] = {}
    for from_type, group in by_from.items():
        owners = arepo.hubspot_ids(conn, scope, from_type, {r.from_external_id for r in group})
        made = []
        done = []
        for r in group:
            if r.from_external_id not in owners:
                continue
            from_id, to_id = owners[r.from_external_id], arrived[r.to_external_id]
            made.append(_association(scope, from_type, from_id, to_type, to_id, now))
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
    return touched


def _set_product_ids_of(
    conn: Connection, scope: Scope, made: list[dict[str, Any]], now: int
) -> None:
    product_of = {a["from_id"]: a["to_id"] for a in sorted(made, key=lambda a: -a["to_id"])}
    objects = repo.objects_by_id(conn, scope.portal_id, "LINE_ITEM", product_of)
    updates = []
    for object_id, row in objects.items():
        properties = dict(row.properties)
        properties["hs_product_id"] = str(product_of[object_id])
        properties["lastmodifieddate"] = now
        updates.append(
            {
                "b_portal": scope.portal_id,
                "b_type": "LINE_ITEM",
                "b_id": object_id,
                "properties": properties,
                "versions": row.versions,
                "email_key": row.email_key,
                "updated_at": now,
            }
        )
    repo.update_objects(conn, updates)


def refresh_status(
    conn: Connection, scope: Scope, from_type: str, external_ids: set[str], now: int
) -> None:
    """Derive the association error of links whose newest message succeeded."""
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
    opened: list[dict[str, Any]] = []
    resolved: list[str] = []
    for s in repo.link_states(conn, scope, from_type, sorted(candidates)):
        if s.deleted_at is not None or s.last_changed_at is None:
            continue
        own_error = s.status == "OPEN" and s.type != ASSOCIATION_ERROR
        if own_error and s.changed_at == s.last_changed_at:
            continue  # the newest message failed on its own: that is the status
        waiting = pending.get(s.external_id)
        if waiting:
            details = association_details(from_type, waiting)
            if s.status == "OPEN" and s.type == ASSOCIATION_ERROR and s.details == details:
                continue
            opened.append(
                {
                    "portal_id": scope.portal_id,
                    "source_app_id": scope.source_app_id,
                    "store_id": scope.store_id,
                    "object_type": from_type,
                    "external_id": s.external_id,
                    "type": ASSOCIATION_ERROR,
                    "details": details,
                    "changed_at": s.last_changed_at,
                    "errored_at": now,
                    "status": "OPEN",
                }
            )
        elif s.status == "OPEN" and s.type == ASSOCIATION_ERROR:
            resolved.append(s.external_id)
    repo.upsert_errors(conn, opened)
    repo.resolve_errors(conn, scope, from_type, resolved)
    repo.touch_links(conn, scope, from_type, [r["external_id"] for r in opened] + resolved, now)
