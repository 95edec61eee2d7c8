"""Applying a batch of sync messages to CRM objects, associations, sync status and errors.

Set-wise: the batch's rules are resolved once, its links, errors and objects are read with one
``IN`` query each, merged in memory (``state``) and written back with ``executemany``. The
first message of a link never seen, the usual case, skips the merge (``fresh``). Runs
inside the caller's transaction and never commits. The semantics are in docs/sync-semantics.md.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from sqlalchemy.engine import Connection

from ecombridge.change_feed import Changes, publish
from ecombridge.db.sequences import allocate_ids
from ecombridge.sync.apply import association_repository as arepo
from ecombridge.sync.apply import associations as assoc
from ecombridge.sync.apply import repository as repo
from ecombridge.sync.apply.fresh import FreshBatch, take_fresh
from ecombridge.sync.apply.repository import Scope, encode_json
from ecombridge.sync.apply.rules import BatchRules, load_rules
from ecombridge.sync.apply.state import (
    RANK_DELETE,
    RANK_ERROR,
    RANK_OK,
    UNSET,
    BatchState,
    Link,
    Obj,
)
from ecombridge.sync.apply.summary import ApplySummary
from ecombridge.sync.apply.values import Checked, check_upsert
from ecombridge.sync.messages import BatchContext, Message
from ecombridge.sync.pending_recheck import needs_recheck, request_recheck

FROM_TYPES = ("DEAL", "LINE_ITEM")
TARGET_TYPES = ("CONTACT", "DEAL", "PRODUCT")


def apply_batch(
    conn: Connection, ctx: BatchContext, messages: list[Message], processed_at: int
) -> ApplySummary:
    """Apply the messages; returns their outcomes (for the metrics)."""
    if not messages:
        return ApplySummary()
    scope = Scope(ctx.portal_id, ctx.source_app_id, ctx.store_id)
    object_type = ctx.object_type
    rules = load_rules(conn, ctx)
    groups: dict[str, list[Checked]] = {}
    for checked in _check_all(object_type, rules, messages):
        groups.setdefault(checked.message.external_id, []).append(checked)

    known = repo.links(conn, scope, object_type, groups)
    contacts = _contacts_of_new_links(conn, ctx, groups, known)
    taken = take_fresh(object_type, groups, known, contacts.keys())
    fresh = FreshBatch(scope, object_type, rules.pipeline_id, taken)
    state = _load_state(conn, scope, ctx, rules, groups, known, contacts, processed_at)
    for group in groups.values():
        state.apply(group)
    _allocate_ids(conn, state, fresh)
    links = list(state.links.values())
    error_rows = _status_error_rows(scope, object_type, links, processed_at)

    from_type = object_type in FROM_TYPES
    resolved: dict[str, dict[str, int]] = {}
    if from_type:
        resolved = assoc.resolve_targets(conn, scope, links, fresh.targets())
    if object_type == "LINE_ITEM":
        assoc.set_product_ids(links, resolved)
    inserts, updates = _object_rows(ctx, state, processed_at)
    inserts += fresh.object_rows(resolved, processed_at)
    # Rows in key order, so concurrent transactions lock them in the same order.
    repo.insert_new_objects(conn, sorted(inserts, key=itemgetter(2)))
    repo.update_objects(conn, sorted(updates, key=itemgetter(6)))
    if from_type:
        error_rows.update(_write_lists(conn, scope, state, fresh, resolved, processed_at))
    link_rows = [_link_row(ctx, link, processed_at) for link in links]
    repo.upsert_links(conn, sorted(link_rows, key=itemgetter(4)))
    repo.insert_new_links(conn, sorted(fresh.link_rows(processed_at), key=itemgetter(4)))
    repo.upsert_errors(conn, [error_rows[ext] for ext in sorted(error_rows)])
    summary = _summary(links, len(messages), len(fresh.items))
    changed = _changed_objects(links, fresh)
    whose = ctx.source_app_id, ctx.store_id
    publish(conn, Changes(ctx.portal_id, object_type, ctx.origin, changed, *whose))

    if object_type in TARGET_TYPES:
        # Every synced target, not only new ones: a pending association left behind by a
        # concurrent transaction is made the next time its target is synced.
        arrived = {
            link.external_id: link.obj.id for link in links if link.obj is not None and link.obj.id
        }
        arrived.update(fresh.arrived())
        if arrived:
            assoc.resolve_pending_to(conn, scope, object_type, arrived, processed_at, ctx.origin)
    if needs_recheck(conn) and _may_miss_concurrent(ctx, links, resolved, fresh):
        request_recheck(conn, ctx.portal_id)
    return summary


def _write_lists(
    conn: Connection,
    scope: Scope,
    state: BatchState,
    fresh: FreshBatch,
    resolved: dict[str, dict[str, int]],
    now: int,
) -> dict[str, tuple[Any, ...]]:
    """Write the association lists of a batch of deals or line items: the changed lists of the
    merged links and those of the new ones; returns the derived association errors (ERROR_COLUMNS
    rows by external id) of the links whose error changes."""
    object_type, links = state.object_type, list(state.links.values())
    before = assoc.pending_before(conn, scope, object_type, links)
    changed = assoc.write_changed_lists(conn, scope, object_type, links, resolved, now)
    made, pending = fresh.association_rows(resolved, now)
    arepo.insert_associations_of_new(conn, made)
    arepo.insert_pending(conn, pending)
    succeeded = {link.external_id for link in links if link.status is None}
    rows = assoc.derive_batch_status(
        scope, object_type, state.links, succeeded | changed.owners, before, changed, now
    )
    rows.update(fresh.error_rows(now))
    return rows


def _contacts_of_new_links(
    conn: Connection, ctx: BatchContext, groups: dict[str, list[Checked]], known: dict[str, Any]
) -> dict[str, Any]:
    """Existing contacts (email key -> row) whose email a message for a new contact link
    carries: that link joins the contact."""
    if ctx.object_type != "CONTACT":
        return {}
    emails = {
        c.email.lower()
        for ext, group in groups.items()
        if ext not in known
        for c in group
        if c.email
    }
    return repo.contacts_by_email(conn, ctx.portal_id, emails) if emails else {}


def _may_miss_concurrent(
    ctx: BatchContext, links: list[Link], resolved: dict[str, dict[str, int]], fresh: FreshBatch
) -> bool:
    """Whether a transaction running at the same time could have missed this one: it left
    associations pending (their target may be in flight elsewhere), or it gave targets their
    first object (a pending association naming them may be in flight elsewhere)."""
    if fresh.pending or (resolved and assoc.left_pending(links, resolved)):
        return True
    return ctx.object_type in TARGET_TYPES and (
        bool(fresh.items)
        or any(link.hubspot_id is None and link.obj is not None and link.obj.id for link in links)
    )


def _changed_objects(links: list[Link], fresh: FreshBatch) -> dict[int, int]:
    """Object id -> changedAt of the newest message applied to it, for the objects the batch
    created or changed."""
    changed = {
        object_id: checked.message.changed_at
        for checked, object_id in zip(fresh.items, fresh.ids, strict=True)
    }
    for link in links:
        obj = link.obj
        if obj is None or not obj.changed or obj.id is None or link.last_changed_at is None:
            continue
        changed[obj.id] = max(changed.get(obj.id, 0), link.last_changed_at)
    return changed


def _summary(links: list[Link], message_count: int, fresh: int) -> ApplySummary:
    summary = ApplySummary(success=fresh)
    for link in links:
        if link.status is UNSET:
            continue
        if link.status is None:
            summary.success += 1
        else:
            summary.error += 1
            summary.error_types[link.status[0]] += 1
    summary.skipped = message_count - summary.success - summary.error
    return summary


def _check_all(object_type: str, rules: BatchRules, messages: list[Message]) -> list[Checked]:
    if rules.batch_error is not None:
        return [Checked(m, error=rules.batch_error) for m in messages]
    fields, stages = rules.fields, rules.stage_ids
    return [
        Checked(m) if m.action == "DELETE" else check_upsert(m, object_type, fields, stages)
        for m in messages
    ]


def _load_state(
    conn: Connection,
    scope: Scope,
    ctx: BatchContext,
    rules: BatchRules,
    groups: dict[str, list[Checked]],
    known: dict[str, repo.LinkRow],
    contacts: dict[str, Any],
    processed_at: int,
) -> BatchState:
    """The links of ``groups`` (``known``: those that exist), their errors and objects; for
    contacts also the contacts their emails name (``contacts``: those found by
    ``_contacts_of_new_links``)."""
    rows = {ext: known[ext] for ext in groups if ext in known}
    error_rows = repo.errors(conn, scope, ctx.object_type, rows) if rows else {}
    ids = {row.hubspot_id for row in rows.values() if row.hubspot_id is not None}
    objects = {
        object_id: _obj(row)
        for object_id, row in repo.objects_by_id(conn, ctx.portal_id, ctx.object_type, ids).items()
    }
    by_email = {obj.email_key: obj for obj in objects.values() if obj.email_key}
    if ctx.object_type == "CONTACT":
        wanted = {
            c.email.lower()
            for ext, group in groups.items()
            if rows.get(ext) is None or rows[ext].hubspot_id not in objects
            for c in group
            if c.email
        } - by_email.keys()
        found = {key: contacts[key] for key in wanted if key in contacts}
        found.update(repo.contacts_by_email(conn, ctx.portal_id, wanted - contacts.keys()))
        for email_key, row in found.items():
            by_email[email_key] = objects.setdefault(row.id, _obj(row))

    links: dict[str, Link] = {}
    for ext in groups:
        row = rows.get(ext)
        if row is None:
            links[ext] = Link(ext, None, None, None, None, None, processed_at, None)
            continue
        links[ext] = Link(
            ext,
            objects.get(row.hubspot_id) if row.hubspot_id is not None else None,
            row.hubspot_id,
            row.last_changed_at,
            row.last_processed_at,
            row.deleted_at,
            row.created_at,
            _stored_key(row, error_rows.get(ext)),
            error=error_rows.get(ext),
            parked=list(row.parked or ()),
            skipped=tuple(row.skipped_properties or ()),
        )
    return BatchState(
        ctx.object_type,
        ctx.source_app_id,
        ctx.store_id,
        links,
        by_email,
        rules.pipeline_id,
    )


def _obj(row: Any) -> Obj:
    return Obj(row.id, dict(row.properties or {}), dict(row.versions or {}), row.email_key)


def _stored_key(row: Any, error: Any) -> tuple[int, int, str] | None:
    """The key of the message the stored status describes (see state.message_key)."""
    changed_at = row.last_changed_at
    if changed_at is None:
        return None
    if row.deleted_at == changed_at:
        return (changed_at, RANK_DELETE, "")
    if (
        error is not None
        and error.status == "OPEN"
        and error.changed_at == changed_at
        and error.type != assoc.ASSOCIATION_ERROR
    ):
        return (changed_at, RANK_ERROR, f"{error.type}\0{error.details}")
    return (changed_at, RANK_OK, "")


def _allocate_ids(conn: Connection, state: BatchState, fresh: FreshBatch) -> None:
    created = [obj for obj in state.new_objects if obj.id is None]
    ids = allocate_ids(conn, "crm_object", len(created) + len(fresh.items))
    for obj, object_id in zip(created, ids[: len(created)], strict=True):
        obj.id = object_id
    fresh.ids = ids[len(created) :]


def _object_rows(
    ctx: BatchContext, state: BatchState, now: int
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """OBJECT_COLUMNS rows of the objects the merge created, OBJECT_UPDATE_COLUMNS rows of
    those it changed."""
    inserts: list[tuple[Any, ...]] = []
    updates: list[tuple[Any, ...]] = []
    seen: set[int] = set()
    portal_id, object_type = ctx.portal_id, ctx.object_type
    for link in state.links.values():
        obj = link.obj
        if obj is None or not obj.changed or obj.id is None or obj.id in seen:
            continue
        seen.add(obj.id)
        props = obj.properties
        props["lastmodifieddate"] = now
        if obj.is_new:
            props.setdefault("createdate", now)
            props["hs_object_id"] = obj.id
            inserts.append(
                (
                    portal_id,
                    object_type,
                    obj.id,
                    encode_json(props),
                    obj.email_key,
                    encode_json(obj.versions),
                    now,
                    now,
                    False,
                )
            )
        else:
            updates.append(
                (
                    encode_json(props),
                    obj.email_key,
                    encode_json(obj.versions),
                    now,
                    portal_id,
                    object_type,
                    obj.id,
                )
            )
    return inserts, updates


def _link_row(ctx: BatchContext, link: Link, now: int) -> tuple[Any, ...]:
    """LINK_COLUMNS."""
    won = link.status is not UNSET or link.touched
    return (
        ctx.portal_id,
        ctx.source_app_id,
        ctx.store_id,
        ctx.object_type,
        link.external_id,
        link.obj.id if link.obj is not None else link.hubspot_id,
        link.last_changed_at,
        now if won else link.last_processed_at,
        link.deleted_at,
        encode_json(link.parked) if link.parked else None,
        link.created_at,
        encode_json(link.skipped) if link.skipped else None,
    )


def _status_error_rows(
    scope: Scope, object_type: str, links: list[Link], now: int
) -> dict[str, tuple[Any, ...]]:
    """The sync_errors rows (ERROR_COLUMNS) of links whose newest message is in this batch, as
    their status leaves them: its error, or the earlier open error RESOLVED by a success."""
    rows: dict[str, tuple[Any, ...]] = {}
    for link in links:
        status = link.status
        if status is UNSET or (
            status is None and (link.error is None or link.error.status != "OPEN")
        ):
            continue
        row = assoc.error_after_status(scope, object_type, link, now)
        if row is not None:
            rows[link.external_id] = row
    return rows
