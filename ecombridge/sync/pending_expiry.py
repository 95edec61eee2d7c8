"""Pending associations do not wait forever: one whose target has not been synced within
``pending_association_ttl_days`` (30 by default, 0: forever) is forgotten by the workers'
housekeeping, so the table cannot grow without bound with targets that will never come. The
association error of its object is kept, OPEN: what is missing stays visible in sync status."""

from __future__ import annotations

import logging

from sqlalchemy.engine import Connection

from ecombridge.clock import now_ms
from ecombridge.config import get_config
from ecombridge.queue.handlers import register_maintenance
from ecombridge.sync.apply import association_repository as arepo

log = logging.getLogger(__name__)

EXPIRE_BATCH = 5_000  # pending associations forgotten per housekeeping round


@register_maintenance
def expire_pending(conn: Connection, *, now: int | None = None) -> int:
    """Pending associations whose target has not arrived within
    ``pending_association_ttl_days`` are forgotten (a target arriving later is not associated);
    the association error of their object is kept, OPEN, so what is missing stays visible.
    Returns how many were forgotten."""
    ttl_ms = get_config().pending_association_ttl_days * 86_400_000
    if ttl_ms <= 0:
        return 0
    now = now_ms() if now is None else now
    expired = arepo.delete_pending_created_before(conn, now - ttl_ms, EXPIRE_BATCH)
    if expired:
        log.info("%d pending associations expired (their target never arrived)", expired)
    return expired
