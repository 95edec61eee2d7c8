"""Applied batches are counted in the metrics, once per batch and only once committed: messages
by outcome (success, error, skipped) and sync errors by type."""

from __future__ import annotations

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from ecombridge.db.engine import Database
from tests.support.jobs import RunJobs, jobs_done
from tests.sync.test_intake_end_to_end import KeyedPath, contact, send, set_up_portal

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def samples(client: TestClient) -> Samples:
    found: Samples = {}
    for family in text_string_to_metric_families(client.get("/metrics").text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_outcomes_and_error_types_are_counted(
    client: TestClient, db: Database, hapikey: KeyedPath, run_jobs: RunJobs
) -> None:
    set_up_portal(client, hapikey)
    before = samples(client)
    bad_email = dict(contact("c", 1, "C1"), properties={"email": "not-an-email"})
    # a: two versions, the older one is skipped; b succeeds; c fails.
    send(client, hapikey, contact("a", 2, "A2"), contact("a", 1, "A1"), contact("b", 1, "B1"))
    send(client, hapikey, bad_email)
    run_jobs()
    assert jobs_done(db, "SYNC_BATCH") == 2
    after = samples(client)

    def grew(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0.0) - before.get(key, 0.0)

    applied = "ecombridge_sync_messages_applied_total"
    assert grew(applied, object_type="CONTACT", outcome="success") == 2
    assert grew(applied, object_type="CONTACT", outcome="skipped") == 1
    assert grew(applied, object_type="CONTACT", outcome="error") == 1
    assert grew("ecombridge_sync_errors_total", type="INVALID_EMAIL_ADDRESS") == 1
