"""The daily re-engagement scan: contacts whose last order is older than the inactivity period.

A contact is enrolled once per inactivity period: the period is named by the last order it
follows (dedupe key ``contact:ID:after:DEAL``), so a contact who orders again and lapses again is
enrolled again, and one who stays away is enrolled once. An order's time is its close date, else
its create date, else when the bridge first saw it. With ``storeIds``, only orders of those
stores count.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

from ecombridge.web.format import to_number
from ecombridge.workflows import shop_repository as shop
from ecombridge.workflows.definitions import ORDER_STAGES, RE_ENGAGEMENT
from ecombridge.workflows.enrolment import Candidate, enrol
from ecombridge.workflows.service import enabled_workflows

CHUNK = 500


def scan_portal(conn: Connection, portal_id: int, now: int) -> bool:
    """Enrol the portal's lapsed customers; False when re-engagement is off (the daily chain
    ends, until it is turned on again)."""
    workflow = enabled_workflows(conn, portal_id).get(RE_ENGAGEMENT)
    if workflow is None:
        return False
    orders = shop.orders_of_portal(conn, portal_id, ORDER_STAGES)
    contact_of = shop.all_links(conn, portal_id, "DEAL", "CONTACT")
    store_of = shop.all_deal_stores(conn, portal_id) if workflow.store_ids is not None else {}
    last: dict[int, tuple[int, int]] = {}  # contact -> (order time, deal id)
    for order in orders:
        contact = contact_of.get(int(order.id))
        if contact is None:
            continue
        if workflow.store_ids is not None and not workflow.covers_store(
            store_of.get(int(order.id))
        ):
            continue
        at = next(
            (
                int(n)
                for n in (to_number(order.closedate), to_number(order.createdate))
                if n is not None
            ),
            int(order.created_at),
        )
        if (at, int(order.id)) > last.get(contact, (-1, -1)):
            last[contact] = (at, int(order.id))
    cutoff = now - workflow.inactivity_ms
    candidates = [
        Candidate(contact, deal_id, f"contact:{contact}:after:{deal_id}")
        for contact, (at, deal_id) in sorted(last.items())
        if at < cutoff
    ]
    for start in range(0, len(candidates), CHUNK):
        enrol(conn, portal_id, workflow, candidates[start : start + CHUNK], now)
    return True
