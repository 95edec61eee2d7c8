"""What an operator scraping /metrics sees of a sync: messages accepted, the queue filling and
draining, the apply timed, and the outcome of every applied message and each sync error.

Counters are process-wide, so every check compares a scrape before with one after."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from tests.acceptance.support import V2, shop_mappings
from tests.support.factories import Portal
from tests.support.jobs import RunJobs

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(client: TestClient) -> Samples:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert re.match(r"text/plain", response.headers["content-type"])
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def delta(before: Samples, after: Samples, name: str, **labels: str) -> float:
    key = (name, tuple(sorted(labels.items())))
    return after.get(key, 0.0) - before.get(key, 0.0)


def total(samples: Samples, name: str) -> float:
    """The sum over every label set (a gauge by job kind)."""
    return sum(value for (sample, _), value in samples.items() if sample == name)


def sync_ten_contacts(client: TestClient, portal: Portal) -> None:
    """Five contacts with an e-mail, five without (MISSING_REQUIRED_PROPERTY)."""
    key = {"hapikey": portal.api_key}
    settings = {"enabled": True, "mappings": shop_mappings()}
    assert client.put(f"{V2}/settings", params=key, json=settings).status_code == 200
    messages = [
        {
            "action": "UPSERT",
            "externalObjectId": f"m-{i}",
            "changedAt": 1_700_000_000_000,
            "properties": {"email": f"m{i}@example.com"} if i % 2 else {"first_name": "M"},
        }
        for i in range(10)
    ]
    batch = {"storeId": "default", "objectType": "CONTACT", "messages": messages}
    assert client.put(f"{V2}/sync/messages", params=key, json=batch).status_code == 204


def test_accepted_messages_queue_depth_and_apply_time(
    client: TestClient, portal: Portal, run_jobs: RunJobs
) -> None:
    before = scrape(client)
    sync_ten_contacts(client, portal)
    queued = scrape(client)
    run_jobs()
    after = scrape(client)

    assert (
        delta(before, queued, "ecombridge_sync_messages_accepted_total", object_type="CONTACT")
        == 10
    )
    assert total(queued, "ecombridge_queue_depth") == 1
    assert total(after, "ecombridge_queue_depth") == 0
    assert delta(queued, after, "ecombridge_sync_apply_seconds_count", object_type="CONTACT") == 1


def test_applied_outcomes_and_sync_errors_are_counted(
    client: TestClient, portal: Portal, run_jobs: RunJobs
) -> None:
    sync_ten_contacts(client, portal)
    before = scrape(client)
    run_jobs()
    after = scrape(client)

    applied = "ecombridge_sync_messages_applied_total"
    assert delta(before, after, applied, object_type="CONTACT", outcome="success") == 5
    assert delta(before, after, applied, object_type="CONTACT", outcome="error") == 5
    errors = "ecombridge_sync_errors_total"
    assert delta(before, after, errors, type="MISSING_REQUIRED_PROPERTY") == 5
