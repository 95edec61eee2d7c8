"""A record's sync status per source link, from its latest attempt: Synced, Failed, Pending
association, Waiting, Deleted; and where each relay destination stands with the record
(``LinkStatus.destinations``, on the first link)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ecombridge.relay.service import deliveries_of
from ecombridge.web.error_titles import error_hint, error_title

ASSOCIATION_ERROR = "INVALID_ASSOCIATION_PROPERTY"


@dataclass(frozen=True)
class Delivery:
    """Where a relay destination stands with this record (filled in by the relay)."""

    destination: str
    label: str
    tone: str
    detail: str = ""


@dataclass(frozen=True)
class LinkStatus:
    link: Any  # the sync_objects row
    key: str  # synced | failed | pending_association | waiting | deleted
    label: str
    tone: str
    error: Any = None  # the open error of the latest attempt, if any
    title: str = ""
    hint: str = ""
    waiting_for: list[tuple[str, str]] = field(default_factory=list)  # (type, external id)
    destinations: list[Delivery] = field(default_factory=list)


def link_key(row: Any) -> tuple[int, str, str]:
    return (int(row.source_app_id), row.store_id, row.external_id)


def link_status(link: Any, open_error: Any, waiting_for: list[tuple[str, str]]) -> LinkStatus:
    """The status of one link from its row, its open error and its pending associations."""
    if link.deleted_at is not None:
        return LinkStatus(link, "deleted", "Deleted", "", title="Deleted in the store")
    if link.last_processed_at is None:
        return LinkStatus(link, "waiting", "Waiting", "info", title="Not processed yet")
    if open_error is not None:
        if open_error.type == ASSOCIATION_ERROR and waiting_for:
            return LinkStatus(
                link,
                "pending_association",
                "Pending association",
                "warn",
                error=open_error,
                title="Waiting for a linked record",
                hint=error_hint(ASSOCIATION_ERROR),
                waiting_for=waiting_for,
            )
        return LinkStatus(
            link,
            "failed",
            "Failed",
            "bad",
            error=open_error,
            title=error_title(open_error.type),
            hint=error_hint(open_error.type),
        )
    return LinkStatus(link, "synced", "Synced", "ok", title="Synced")


def statuses(
    links: list[Any], errors: list[Any], pending: dict[tuple[int, str, str], list[tuple[str, str]]]
) -> list[LinkStatus]:
    open_errors = {link_key(e): e for e in errors if e.status == "OPEN"}
    return [
        link_status(link, open_errors.get(link_key(link)), pending.get(link_key(link), []))
        for link in links
    ]


def overall(found: list[LinkStatus]) -> LinkStatus | None:
    """The status the record's header shows: the worst of its links."""
    order = ("failed", "pending_association", "waiting", "synced", "deleted")
    return min(found, key=lambda s: order.index(s.key), default=None)


_DELIVERY = {
    "DELIVERED": ("Delivered", "ok"),
    "FAILED": ("Delivery failed", "bad"),
    "PENDING": ("Delivery pending", "info"),
    "STOPPED": ("Not delivered (deleted)", "warn"),
}


def deliveries(conn: Any, portal_id: int, object_type: str, object_id: int) -> list[Delivery]:
    """Where each relay destination stands with this record."""
    found = deliveries_of(conn, portal_id, object_type, object_id)
    shown = []
    for d in found:
        label, tone = _DELIVERY[d["state"]]
        detail = d["error"] or (f"id {d['targetId']}" if d["targetId"] else "")
        shown.append(Delivery(f"destination #{d['destinationId']}", label, tone, detail))
    return shown
