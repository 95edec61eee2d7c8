"""The relay's job of the durable queue.

- ``RELAY_DELIVER`` (ref_id = destination id): set-up, backfill and delivery of a destination
  (see ``runner``). It talks to the target, so it manages its own transactions; it is safe to
  run again (upserts by external id), and its failures against the target are retried by the
  destination's own backoff, not the queue's attempts.
"""

from __future__ import annotations

from ecombridge.db.engine import Database
from ecombridge.queue.handlers import register
from ecombridge.queue.service import Job
from ecombridge.relay.definitions import RELAY_JOB


@register(RELAY_JOB, in_transaction=False)
def relay(db: Database, job: Job) -> None:
    # Imported at the first run: workers import every handler at start.
    from ecombridge.relay.runner import run

    run(db, job)
