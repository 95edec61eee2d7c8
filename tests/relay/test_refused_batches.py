"""A batch HubSpot refuses whole (400, as it does for one bad value) is split until the bad
inputs are alone; a cause common to every input fails them together in three requests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from ecombridge.outbound.addresses import ALLOW_PRIVATE_ENV
from ecombridge.relay.client import TargetClient
from ecombridge.relay.delivery import upsert
from ecombridge.relay.payloads import Item
from tests.support.live import LiveServer


def _strict_portal(seen: list[int]) -> FastAPI:
    """Refuses a whole batch when any input is bad, as HubSpot does."""
    app = FastAPI()

    @app.post("/crm/v3/objects/contacts/batch/upsert")
    async def batch_upsert(request: Request) -> JSONResponse:
        inputs = (await request.json())["inputs"]
        seen.append(len(inputs))
        if any(i["properties"].get("plan") == "unknown" for i in inputs):
            message = "Property values were not valid: plan is not a property"
            return JSONResponse({"status": "error", "message": message}, status_code=400)
        bad = [i for i in inputs if i["properties"].get("firstname") == "BAD"]
        if bad:
            message = f"Property values were not valid: firstname {len(bad)}"
            return JSONResponse({"status": "error", "message": message}, status_code=400)
        results = [
            {"id": str(1000 + n), "properties": i["properties"]} for n, i in enumerate(inputs)
        ]
        return JSONResponse({"status": "COMPLETE", "results": results})

    return app


@pytest.fixture
def strict(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, list[int]]]:
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "127.0.0.0/8")
    seen: list[int] = []
    server = LiveServer(_strict_portal(seen))
    server.start()
    yield server.url, seen
    server.stop()


def _items(count: int, **overrides: dict[str, str]) -> list[Item]:
    items = []
    for n in range(count):
        properties = {"email": f"c{n}@example.com", "firstname": f"C{n}"}
        properties |= overrides.get(str(n), {})
        items.append(Item(n, 1, "email", properties["email"], properties))
    return items


def test_one_bad_input_fails_alone(strict: tuple[str, list[int]]) -> None:
    url, seen = strict
    with TargetClient(url, "token") as client:
        outcome = upsert(client, "CONTACT", _items(16, **{"5": {"firstname": "BAD"}}))
    assert list(outcome.failed) == [5]
    assert outcome.failed[5].startswith("Property values were not valid")
    assert sorted(outcome.delivered) == [n for n in range(16) if n != 5]
    assert len(seen) < 16


def test_a_cause_common_to_every_input_fails_them_together(
    strict: tuple[str, list[int]],
) -> None:
    url, seen = strict
    every: dict[str, Any] = {str(n): {"plan": "unknown"} for n in range(100)}
    with TargetClient(url, "token") as client:
        outcome = upsert(client, "CONTACT", _items(100, **every))
    assert sorted(outcome.failed) == list(range(100))
    assert outcome.delivered == {}
    assert seen == [100, 50, 50]
