"""Prometheus gauges of the relay, computed at scrape time from the database (right whichever
process delivers): per destination, objects pending, delivered, failed, and the lag (age of the
oldest pending change)."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from ecombridge.clock import now_ms
from ecombridge.db.engine import Database
from ecombridge.db.tables import relay_destinations, relay_objects, relay_outbox
from ecombridge.relay.definitions import state_of

LABELS = ["destination", "portal", "state"]


class RelayCollector(Collector):
    def __init__(self, database: Database) -> None:
        self.database = database

    def collect(self) -> Iterable[Metric]:
        d, o, r = relay_destinations.c, relay_outbox.c, relay_objects.c
        pending = GaugeMetricFamily(
            "ecombridge_relay_pending", "Objects waiting to be delivered.", labels=LABELS
        )
        delivered = GaugeMetricFamily(
            "ecombridge_relay_delivered", "Objects delivered (latest change).", labels=LABELS
        )
        failed = GaugeMetricFamily(
            "ecombridge_relay_failed", "Objects whose latest delivery failed.", labels=LABELS
        )
        lag = GaugeMetricFamily(
            "ecombridge_relay_lag_seconds",
            "Age of the oldest change waiting to be delivered (0 when none).",
            labels=LABELS,
        )
        now = now_ms()
        with self.database.read() as conn:
            dests = conn.execute(
                sa.select(d.id, d.portal_id, d.phase, d.paused, d.failing_reason).order_by(d.id)
            ).all()
            waiting = {
                int(i): (int(n), oldest)
                for i, n, oldest in conn.execute(
                    sa.select(o.destination_id, sa.func.count(), sa.func.min(o.queued_at)).group_by(
                        o.destination_id
                    )
                )
            }
            states = {
                (int(i), str(s)): int(n)
                for i, s, n in conn.execute(
                    sa.select(r.destination_id, r.state, sa.func.count()).group_by(
                        r.destination_id, r.state
                    )
                )
            }
        for dest in dests:
            labels = [
                str(dest.id),
                str(dest.portal_id),
                state_of(dest.phase, dest.paused, dest.failing_reason),
            ]
            count, oldest = waiting.get(int(dest.id), (0, None))
            pending.add_metric(labels, float(count))
            delivered.add_metric(labels, float(states.get((int(dest.id), "DELIVERED"), 0)))
            failed.add_metric(labels, float(states.get((int(dest.id), "FAILED"), 0)))
            lag.add_metric(labels, 0.0 if oldest is None else max(0.0, (now - oldest) / 1000))
        return [pending, delivered, failed, lag]
