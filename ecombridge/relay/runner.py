"""One relay job's work for a destination: set-up, backfill filing, then delivery of outbox
pages in dependency order, for a bounded time; the job hands over to a new one while rows wait.

Only one job works a destination at a time (``relay_destinations.lease_*``); another job that
finds it held comes back when the lease ends. Nothing is held open while the target is called:
each page is read in one transaction, sent, and its outcome written in another, where outbox rows
are deleted only up to the changedAt delivered (a change filed meanwhile stays).

A target that refuses the token or cannot be reached makes the destination FAILING with the
reason; it is tried again with backoff (the lease is held for the wait, so new changes do not
wake it sooner) and catches up from its outbox once it answers.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from datetime import time as dt_time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ecombridge.clock import now_ms
from ecombridge.db.engine import Database
from ecombridge.queue import service as queue
from ecombridge.queue.service import Job
from ecombridge.relay import associations, backfill, setup, sync_errors
from ecombridge.relay import repository as repo
from ecombridge.relay import source_repository as source
from ecombridge.relay.client import DailyCapReached, TargetClient, TargetError
from ecombridge.relay.definitions import BACKFILLING, DELIVERY_ORDER, LIVE, RELAY_JOB, SETTING_UP
from ecombridge.relay.delivery import archive, associate, upsert
from ecombridge.relay.payloads import build_page
from ecombridge.relay.tokens import open_token

RUN_BUDGET_S = 20.0
PAGE = 500  # outbox rows read at once (five upsert requests)
BACKOFF_CAP_MS = 15 * 60_000
BACKOFF_HOLD = "BACKOFF"


def backoff_ms(failures: int) -> int:
    base = min(BACKOFF_CAP_MS, 2_000 * 2 ** min(failures, 12))
    return int(base * random.uniform(0.75, 1.25))


def until_next_day(now: int, time_zone: str | None) -> int:
    """Milliseconds until the next day begins where the portal's daily allowance is counted:
    midnight in its time zone when known, else in UTC."""
    try:
        zone = ZoneInfo(time_zone) if time_zone else UTC
    except (ZoneInfoNotFoundError, ValueError):
        zone = UTC
    today = datetime.fromtimestamp(now / 1000, zone)
    midnight = datetime.combine(today.date() + timedelta(days=1), dt_time(), zone)
    return max(1_000, int(midnight.timestamp() * 1000) - now)


def _lease_ms(job: Job, now: int) -> int:
    """As long as the worker leased the job for: a killed worker's destination is free again
    when its job is given to another worker."""
    if job.lease_expires_at is None:
        return queue.DEFAULT_LEASE_MS
    return max(1_000, int(job.lease_expires_at) - now)


def run(db: Database, job: Job, *, budget_s: float = RUN_BUDGET_S) -> None:
    token = job.lease_token or queue.new_token()
    now = now_ms()
    lease_ms = _lease_ms(job, now)
    with db.write() as conn:
        dest = repo.destination(conn, job.ref_id)
        if dest is None or dest.paused:
            return
        if not repo.take_lease(conn, dest.id, token, now, now + lease_ms):
            queue.schedule(
                conn, RELAY_JOB, dest.id, dest.portal_id, max(now, dest.lease_until or now) + 1
            )
            return
        access_token = open_token(conn, dest.token_sealed)
    more = False
    try:
        with TargetClient(dest.base_url, access_token) as client:
            more = _work(db, job, dest.id, (token, lease_ms), client, time.monotonic() + budget_s)
            with db.write() as conn:
                repo.update_destination(
                    conn,
                    dest.id,
                    failing_reason=None,
                    failures=0,
                    daily_remaining=client.bucket.daily_remaining,
                )
    except TargetError as exc:
        _failing(db, dest.id, dest.portal_id, token, exc)
        return
    with db.write() as conn:
        repo.drop_lease(conn, dest.id, token)
        if more or repo.has_outbox(conn, dest.id):
            queue.enqueue_after_commit(conn, RELAY_JOB, dest.id, dest.portal_id)


def _failing(db: Database, dest_id: int, portal_id: int, token: str, exc: TargetError) -> None:
    now = now_ms()
    with db.write() as conn:
        dest = repo.destination(conn, dest_id)
        if dest is None or dest.lease_token != token:
            return
        failures = int(dest.failures) + 1
        wait = backoff_ms(failures)
        if isinstance(exc, DailyCapReached):
            wait = max(wait, until_next_day(now, (dest.target or {}).get("timeZone")))
        if exc.retry_after_s:
            wait = max(wait, int(exc.retry_after_s * 1000))
        retry_at = now + wait
        repo.update_destination(
            conn,
            dest_id,
            failing_reason=exc.message,
            failures=failures,
            lease_token=BACKOFF_HOLD,
            lease_until=retry_at,
            updated_at=now,
        )
        queue.schedule(conn, RELAY_JOB, dest_id, portal_id, retry_at + 1)


def _work(
    db: Database,
    job: Job,
    dest_id: int,
    lease: tuple[str, int],
    client: TargetClient,
    deadline: float,
) -> bool:
    """Returns True when work remains (the budget ran out)."""
    with db.read() as conn:
        dest = repo.destination(conn, dest_id)
        assert dest is not None
        the_plan = setup.plan(conn, dest.portal_id) if dest.phase == SETTING_UP else None
    if the_plan is not None:
        made = setup.apply(client, the_plan)
        with db.write() as conn:
            total = backfill.start(conn, dest)
            repo.update_destination(
                conn,
                dest_id,
                target=made,
                phase=BACKFILLING,
                backfill_total=total,
                updated_at=now_ms(),
            )
    while True:
        with db.write() as conn:
            dest = _still_ours(conn, job, dest_id, lease)
            if dest is None:
                return False
            filed = backfill.file_chunk(conn, dest) if dest.backfill_cursor is not None else 0
        if time.monotonic() > deadline:
            return True
        if filed == 0:
            break
    target: dict[str, Any] = dict(dest.target or {})
    for object_type in DELIVERY_ORDER:
        while True:
            if time.monotonic() > deadline:
                return True
            with db.write() as conn:
                if _still_ours(conn, job, dest_id, lease) is None:
                    return False
            if not _deliver_page(db, dest, target, object_type, client):
                break
    with db.write() as conn:
        if dest.phase == BACKFILLING and not repo.has_outbox(conn, dest_id):
            repo.update_destination(conn, dest_id, phase=LIVE, updated_at=now_ms())
    return False


def _still_ours(conn: Any, job: Job, dest_id: int, lease: tuple[str, int]) -> Any:
    """The destination, its lease and the job's extended; None when paused, removed or taken
    over by another job (this one stops)."""
    token, lease_ms = lease
    now = now_ms()
    if job.lease_token is not None and not queue.extend_lease(conn, job, lease_ms):
        return None
    if not repo.take_lease(conn, dest_id, token, now, now + lease_ms):
        return None
    dest = repo.destination(conn, dest_id)
    return None if dest is None or dest.paused else dest


def _deliver_page(
    db: Database, dest: Any, target: dict[str, Any], object_type: str, client: TargetClient
) -> bool:
    """Deliver one outbox page of a type; False when none waits."""
    with db.read() as conn:
        waiting = repo.outbox_page(conn, dest.id, object_type, PAGE)
        if not waiting:
            return False
        page = build_page(conn, dest.portal_id, dest.id, target, object_type, waiting)
        the_plan = setup.plan(conn, dest.portal_id) if page.unknown else None
    if the_plan is not None:
        target.update(setup.extend(client, the_plan, object_type, page.unknown, target))
        with db.write() as conn:
            repo.update_destination(conn, dest.id, target=dict(target))
            page = build_page(conn, dest.portal_id, dest.id, target, object_type, waiting)
    outcome = upsert(client, object_type, page.items)
    now = now_ms()
    changed = {item.object_id: item.changed_at for item in page.items}
    rows = [
        _state(dest.id, object_type, i, target_id, "DELIVERED", changed[i], None, now)
        for i, target_id in outcome.delivered.items()
    ]
    rows += [
        _state(dest.id, object_type, i, None, "FAILED", changed[i], message, now)
        for i, message in outcome.failed.items()
    ]
    rows += [
        _state(dest.id, object_type, i, None, "STOPPED", c, None, now) for i, c in page.stopped
    ]
    # The associations are sent before the page leaves the outbox: when a call fails, the page
    # (objects and associations) is delivered again, where sending them after would have lost
    # them until the object changed again. Upserts and association calls are idempotent.
    with db.read() as conn:
        associating = associations.plan(conn, dest, object_type, outcome.delivered)
    for (from_type, to_type), listed in associating.archive.items():
        archive(client, from_type, to_type, listed)
    for (from_type, to_type), listed in associating.make.items():
        associate(client, from_type, to_type, listed)
    with db.write() as conn:
        first_time = _first_deliveries(conn, dest.id, object_type, outcome.delivered)
        repo.save_states(conn, sorted(rows, key=lambda r: r["object_id"]))
        for from_type, records in associating.records.items():
            repo.save_associated(conn, dest.id, from_type, records)
        repo.delete_outbox(conn, dest.id, object_type, [*changed.items(), *page.stopped])
        sync_errors.record(
            conn,
            dest.portal_id,
            dest.id,
            object_type,
            {i: (m, changed[i]) for i, m in outcome.failed.items()},
            now,
        )
        sync_errors.resolve(conn, dest.portal_id, dest.id, object_type, outcome.delivered)
        if object_type == "PRODUCT" and first_time:
            _refile_line_items(conn, dest, first_time, now)
    return True


def _first_deliveries(
    conn: Any, dest_id: int, object_type: str, delivered: dict[int, str]
) -> set[int]:
    """The objects delivered now under a target id they did not have before (new there, or
    made again after being deleted there)."""
    before = repo.target_ids(conn, dest_id, object_type, set(delivered))
    return {i for i, theirs in delivered.items() if before.get(i) != theirs}


def _refile_line_items(conn: Any, dest: Any, products: set[int], now: int) -> None:
    """Line items of products delivered for the first time, already delivered without their
    product (it had failed): filed again, to get ``hs_product_id``."""
    links = source.associations_to(conn, dest.portal_id, "LINE_ITEM", "PRODUCT", products)
    lines = repo.delivered_without_product(conn, dest.id, {line for line, _ in links})
    repo.file_outbox(
        conn,
        [
            {
                "destination_id": dest.id,
                "object_type": "LINE_ITEM",
                "object_id": line,
                "changed_at": changed_at,
                "queued_at": now,
            }
            for line, changed_at in sorted(lines.items())
        ],
    )


def _state(
    dest_id: int,
    object_type: str,
    object_id: int,
    target_id: str | None,
    state: str,
    changed_at: int,
    error: str | None,
    now: int,
) -> dict[str, Any]:
    return {
        "destination_id": dest_id,
        "object_type": object_type,
        "object_id": object_id,
        "target_id": target_id,
        "state": state,
        "changed_at": changed_at,
        "error": error,
        "updated_at": now,
    }
