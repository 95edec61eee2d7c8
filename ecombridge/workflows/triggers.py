"""The workflows' listener on the change feed: what a sync batch or a CRM write changed enrols
contacts and ends enrolments, in the writer's transaction.

Cost when there is nothing to do: nothing for products and line items, and for contacts and
deals one read of the portal's enabled workflows (primary key) — then nothing more when none is.

What enrols (only changes of origin ``sync`` or ``crm``; an import never enrols, and a deal's
stage counts only when it was set at or after the workflow was turned on, by the ``changedAt``
that set it, so historical orders synced or associated late never fire):

- abandoned-cart: a deal in ``checkout_abandoned`` with a contact;
- welcome: a deal in an order stage that is its contact's only order.

What ends enrolments (any origin but import):

- an order (``checkout_completed``, ``processed``, ``shipped``) of the cart's deal, or of a deal
  of its contact the bridge first saw after enrolling it (a newer order), converts its
  abandoned-cart enrolments (also those that sent every email already, within the attribution
  window: recovered revenue); a newer order converts re-engagement enrolments;
- a contact opting out (``hs_email_optout``) exits every active enrolment of theirs.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy.engine import Connection

from ecombridge.change_feed import Changes, listener
from ecombridge.clock import now_ms
from ecombridge.workflows import repository as repo
from ecombridge.workflows import shop_repository as shop
from ecombridge.workflows.definitions import (
    ABANDONED_CART,
    ABANDONED_STAGE,
    ACTIVE,
    ATTRIBUTION_WINDOW_MS,
    CONVERTED,
    EXITED,
    ORDER_STAGES,
    RE_ENGAGEMENT,
    UNSUBSCRIBED,
    WELCOME,
    Workflow,
)
from ecombridge.workflows.enrolment import Candidate, enrol, opted_out
from ecombridge.workflows.service import enabled_workflows


@listener
def on_change(conn: Connection, changes: Changes) -> None:
    if changes.origin == "import" or changes.object_type not in ("DEAL", "CONTACT"):
        return
    enabled = enabled_workflows(conn, changes.portal_id)
    if not enabled:
        return
    if changes.object_type == "CONTACT":
        _exit_opted_out(conn, changes.portal_id, changes.changed, now_ms())
    else:
        _deals_changed(conn, changes, enabled, now_ms())


def _exit_opted_out(
    conn: Connection, portal_id: int, contact_ids: Collection[int], now: int
) -> None:
    active = [r for r in repo.open_enrollments(conn, portal_id, contact_ids) if r.state == ACTIVE]
    if not active:
        return
    contacts = shop.objects(conn, portal_id, "CONTACT", {int(r.contact_id) for r in active})
    leaving = [
        int(r.id)
        for r in active
        if r.contact_id in contacts and opted_out(dict(contacts[r.contact_id].properties or {}))
    ]
    repo.finish_enrollments(conn, leaving, EXITED, UNSUBSCRIBED, now)


class _Deal:
    """What the triggers need of a changed deal."""

    def __init__(self, row: Any, changed_at: int, contact: int | None, store: str | None):
        properties = row.properties or {}
        self.id = int(row.id)
        self.stage = str(properties.get("dealstage") or "")
        # When its stage was set (by the changedAt of the message that set it); the change's
        # own time for objects written without per-property versions.
        versions = (row.versions or {}).get("p", {})
        self.stage_at = int(versions.get("dealstage", changed_at))
        self.created_at = int(row.created_at)
        self.contact = contact
        self.store = store


def _deals_changed(
    conn: Connection, changes: Changes, enabled: dict[str, Workflow], now: int
) -> None:
    portal_id = changes.portal_id
    rows = shop.objects(conn, portal_id, "DEAL", changes.changed.keys())
    relevant = {
        i: r
        for i, r in rows.items()
        if (r.properties or {}).get("dealstage") in ORDER_STAGES | {ABANDONED_STAGE}
    }
    if not relevant:
        return
    contacts = shop.targets(conn, portal_id, "DEAL", relevant.keys(), "CONTACT")
    if changes.store_id is None and any(w.store_ids is not None for w in enabled.values()):
        stores: dict[int, str] = shop.deal_stores(conn, portal_id, relevant.keys())
    else:
        stores = dict.fromkeys(relevant, changes.store_id) if changes.store_id else {}
    deals = [
        _Deal(row, changes.changed[i], next(iter(contacts.get(i, [])), None), stores.get(i))
        for i, row in relevant.items()
    ]
    orders = [d for d in deals if d.stage in ORDER_STAGES and d.contact is not None]
    if orders:
        _convert(conn, portal_id, orders, now)
    cart = enabled.get(ABANDONED_CART)
    if cart is not None:
        _enrol_carts(conn, portal_id, cart, deals, now)
    welcome = enabled.get(WELCOME)
    if welcome is not None and orders:
        _enrol_first_orders(conn, portal_id, welcome, orders, now)


def _is_new(workflow: Workflow, deal: _Deal) -> bool:
    return (
        deal.contact is not None
        and deal.stage_at >= (workflow.enabled_at or 0)
        and workflow.covers_store(deal.store)
    )


def _enrol_carts(
    conn: Connection, portal_id: int, workflow: Workflow, deals: list[_Deal], now: int
) -> None:
    candidates = [
        Candidate(d.contact, d.id, f"deal:{d.id}")
        for d in deals
        if d.stage == ABANDONED_STAGE and _is_new(workflow, d) and d.contact is not None
    ]
    enrol(conn, portal_id, workflow, candidates, now)


def _enrol_first_orders(
    conn: Connection, portal_id: int, workflow: Workflow, orders: list[_Deal], now: int
) -> None:
    new = [d for d in orders if _is_new(workflow, d)]
    if not new:
        return
    contacts = {d.contact for d in new if d.contact is not None}
    by_contact = shop.sources(conn, portal_id, "DEAL", "CONTACT", contacts)
    others = {i for ids in by_contact.values() for i in ids}
    stages = {
        i: (row.properties or {}).get("dealstage")
        for i, row in shop.objects(conn, portal_id, "DEAL", others).items()
    }
    candidates = []
    for deal in new:
        assert deal.contact is not None
        contact_orders = [
            i for i in by_contact.get(deal.contact, []) if stages.get(i) in ORDER_STAGES
        ]
        if contact_orders == [deal.id]:
            candidates.append(Candidate(deal.contact, deal.id, f"contact:{deal.contact}"))
    enrol(conn, portal_id, workflow, candidates, now)


def _convert(conn: Connection, portal_id: int, orders: list[_Deal], now: int) -> None:
    """Orders convert the abandoned-cart enrolments of their deal or (newer orders) of their
    contact, and the re-engagement enrolments of their contact."""
    by_contact: dict[int, list[_Deal]] = {}
    for deal in orders:
        assert deal.contact is not None
        by_contact.setdefault(deal.contact, []).append(deal)
    exits: list[int] = []
    converted: list[tuple[int, int]] = []
    for row in repo.open_enrollments(conn, portal_id, by_contact.keys()):
        if row.workflow_key not in (ABANDONED_CART, RE_ENGAGEMENT):
            continue
        order = next(
            (
                o
                for o in by_contact[int(row.contact_id)]
                if o.id == row.deal_id or o.created_at >= int(row.enrolled_at)
            ),
            None,
        )
        if order is None:
            continue
        if row.state == ACTIVE:
            exits.append(int(row.id))
            converted.append((int(row.id), order.id))
        elif row.workflow_key == ABANDONED_CART:
            # Every email went out already: the order still counts if it came soon enough.
            last = repo.last_sent_before(conn, int(row.id), now)
            if last is not None and now - last <= ATTRIBUTION_WINDOW_MS:
                converted.append((int(row.id), order.id))
    repo.finish_enrollments(conn, exits, EXITED, CONVERTED, now)
    repo.set_converted(conn, converted, now)
