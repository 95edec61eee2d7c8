"""All SQL on the workflow tables: ``workflows``, ``workflow_enrollments``, ``workflow_emails``."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from ecombridge.db.dialect import insert_for
from ecombridge.db.tables import workflow_emails, workflow_enrollments, workflows
from ecombridge.workflows.definitions import ACTIVE, COMPLETED

w = workflows.c
e = workflow_enrollments.c
m = workflow_emails.c

SCHEDULED, SENDING, SENT = "SCHEDULED", "SENDING", "SENT"
FAILED, CANCELLED, UNCONFIRMED = "FAILED", "CANCELLED", "UNCONFIRMED"
# Sends the hourly cap counts: every one that reached the server, or may have.
ATTEMPTED = (SENDING, SENT, UNCONFIRMED)

# -- workflows ---------------------------------------------------------------------------------


_SAVED = sa.select(workflows).where(w.portal_id == sa.bindparam("portal_id"))
# Built once: the change-feed listener runs it for every applied batch of contacts or deals,
# and building a statement costs several times what running this one does.
_ENABLED = _SAVED.where(w.enabled.is_(True))


def workflow_rows(conn: Connection, portal_id: int, *, enabled_only: bool = False) -> list[Any]:
    """The portal's saved workflows (all, or the enabled ones: the listener's one read)."""
    return list(conn.execute(_ENABLED if enabled_only else _SAVED, {"portal_id": portal_id}))


def upsert_workflow(conn: Connection, portal_id: int, key: str, **values: Any) -> None:
    statement = insert_for(conn, workflows).values(portal_id=portal_id, key=key, **values)
    conn.execute(statement.on_conflict_do_update(index_elements=[w.portal_id, w.key], set_=values))


# -- enrolments --------------------------------------------------------------------------------


def insert_enrollments(conn: Connection, rows: list[dict[str, Any]]) -> list[Row[Any]]:
    """Insert the rows whose (portal, workflow, dedupe key) is new; returns those inserted."""
    if not rows:
        return []
    statement = (
        insert_for(conn, workflow_enrollments)
        .on_conflict_do_nothing()
        .returning(e.id, e.contact_id, e.deal_id, e.enrolled_at, sort_by_parameter_order=True)
    )
    return list(conn.execute(statement, rows))


def existing_dedupe_keys(
    conn: Connection, portal_id: int, key: str, dedupe_keys: Collection[str]
) -> set[str]:
    if not dedupe_keys:
        return set()
    query = sa.select(e.dedupe_key).where(
        e.portal_id == portal_id, e.workflow_key == key, e.dedupe_key.in_(sorted(dedupe_keys))
    )
    return {str(k) for k in conn.execute(query).scalars()}


def open_enrollments(
    conn: Connection, portal_id: int, contact_ids: Collection[int]
) -> list[Row[Any]]:
    """Enrolments of these contacts that are ACTIVE, or COMPLETED and not converted yet."""
    if not contact_ids:
        return []
    query = sa.select(workflow_enrollments).where(
        e.portal_id == portal_id,
        e.contact_id.in_(sorted(contact_ids)),
        e.state.in_((ACTIVE, COMPLETED)),
    )
    return [row for row in conn.execute(query) if row.state == ACTIVE or row.converted_at is None]


def active_ids(conn: Connection, portal_id: int, key: str) -> list[int]:
    query = sa.select(e.id).where(
        e.portal_id == portal_id, e.workflow_key == key, e.state == ACTIVE
    )
    return [int(i) for i in conn.execute(query).scalars()]


def get_enrollment(conn: Connection, enrollment_id: int) -> Row[Any] | None:
    return conn.execute(sa.select(workflow_enrollments).where(e.id == enrollment_id)).first()


def finish_enrollments(
    conn: Connection, ids: Collection[int], state: str, reason: str | None, now: int
) -> list[int]:
    """ACTIVE -> ``state`` for these enrolments, their SCHEDULED emails cancelled; returns the
    ids that were still ACTIVE."""
    if not ids:
        return []
    done = conn.execute(
        workflow_enrollments.update()
        .where(e.id.in_(sorted(ids)), e.state == ACTIVE)
        .values(state=state, exit_reason=reason, finished_at=now)
        .returning(e.id)
    ).scalars()
    finished = sorted(int(i) for i in done)
    if finished:
        conn.execute(
            workflow_emails.update()
            .where(m.enrollment_id.in_(finished), m.state == SCHEDULED)
            .values(state=CANCELLED)
        )
    return finished


_SET_CONVERTED = (
    workflow_enrollments.update()
    .where(e.id == sa.bindparam("enrollment"), e.converted_at.is_(None))
    .values(converted_deal_id=sa.bindparam("deal"), converted_at=sa.bindparam("now"))
)


def set_converted(conn: Connection, conversions: Collection[tuple[int, int]], now: int) -> None:
    """Record the deal that converted each (enrolment, deal), unless one already did."""
    if conversions:
        params = [{"enrollment": i, "deal": d, "now": now} for i, d in sorted(conversions)]
        conn.execute(_SET_CONVERTED, params)


def list_enrollments(
    conn: Connection, portal_id: int, key: str, limit: int, before_id: int | None
) -> list[Row[Any]]:
    """Newest first; ``before_id``: the paging cursor (the last id of the previous page)."""
    query = sa.select(workflow_enrollments).where(e.portal_id == portal_id, e.workflow_key == key)
    if before_id is not None:
        query = query.where(e.id < before_id)
    return list(conn.execute(query.order_by(e.id.desc()).limit(limit)))


# -- emails ------------------------------------------------------------------------------------


def insert_emails(conn: Connection, rows: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """Insert scheduled emails (an email already scheduled for its step is left alone);
    returns (id, due_at) of those inserted."""
    if not rows:
        return []
    statement = (
        insert_for(conn, workflow_emails)
        .on_conflict_do_nothing()
        .returning(m.id, m.due_at, sort_by_parameter_order=True)
    )
    return [(int(r.id), int(r.due_at)) for r in conn.execute(statement, rows)]


def get_email(conn: Connection, email_id: int, *, lock: bool = False) -> Row[Any] | None:
    query = sa.select(workflow_emails).where(m.id == email_id)
    if lock:
        query = query.with_for_update()
    return conn.execute(query).first()


def update_email(conn: Connection, email_id: int, **values: Any) -> None:
    conn.execute(workflow_emails.update().where(m.id == email_id).values(**values))


def emails_of(conn: Connection, enrollment_ids: Sequence[int]) -> list[Row[Any]]:
    if not enrollment_ids:
        return []
    query = (
        sa.select(workflow_emails)
        .where(m.enrollment_id.in_(sorted(enrollment_ids)))
        .order_by(m.enrollment_id, m.step)
    )
    return list(conn.execute(query))


def attempts_since(conn: Connection, portal_id: int, since: int) -> list[int]:
    """When each send attempted since ``since`` started, oldest first (the hourly cap)."""
    query = (
        sa.select(m.attempted_at)
        .where(m.portal_id == portal_id, m.attempted_at >= since, m.state.in_(ATTEMPTED))
        .order_by(m.attempted_at)
    )
    return [int(t) for t in conn.execute(query).scalars()]


def last_sent_before(conn: Connection, enrollment_id: int, moment: int) -> int | None:
    query = sa.select(sa.func.max(m.sent_at)).where(
        m.enrollment_id == enrollment_id, m.state == SENT, m.sent_at <= moment
    )
    value = conn.execute(query).scalar_one_or_none()
    return None if value is None else int(value)


# -- results -----------------------------------------------------------------------------------


def sent_count(conn: Connection, portal_id: int, key: str, since: int | None) -> int:
    query = (
        sa.select(sa.func.count())
        .select_from(workflow_emails.join(workflow_enrollments, e.id == m.enrollment_id))
        .where(m.portal_id == portal_id, e.workflow_key == key, m.state == SENT)
    )
    if since is not None:
        query = query.where(m.sent_at >= since)
    return int(conn.execute(query).scalar_one())


def state_counts(conn: Connection, portal_id: int, key: str) -> dict[str, int]:
    query = (
        sa.select(e.state, sa.func.count())
        .where(e.portal_id == portal_id, e.workflow_key == key)
        .group_by(e.state)
    )
    return {str(state): int(count) for state, count in conn.execute(query)}


def attributed_conversions(
    conn: Connection, portal_id: int, key: str, window_ms: int, since: int | None
) -> list[int]:
    """The deals that converted enrolments of ``key`` at most ``window_ms`` after one of their
    emails was sent (``since``: converted then or later)."""
    sent_before = (
        sa.select(m.id)
        .where(
            m.enrollment_id == e.id,
            m.state == SENT,
            m.sent_at <= e.converted_at,
            m.sent_at >= e.converted_at - window_ms,
        )
        .exists()
    )
    query = sa.select(e.converted_deal_id).where(
        e.portal_id == portal_id,
        e.workflow_key == key,
        e.converted_deal_id.is_not(None),
        sent_before,
    )
    if since is not None:
        query = query.where(e.converted_at >= since)
    return sorted({int(d) for d in conn.execute(query).scalars()})
