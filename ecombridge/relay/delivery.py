"""Delivering outbox pages: ``batch/upsert`` keyed by the external id (contacts by email), then
the v4 default associations between what both sides now know.

HubSpot's answers are read per input: results are matched to inputs by the value of their
``idProperty``, errors by ``context.ids``; a 207's good inputs land and each bad one becomes a
delivery failure of its object with the target's message. A 400 for the whole batch (HubSpot
refuses a batch for one bad value) is split in halves until the bad inputs are alone, so one bad
object never holds back the others; when both halves are refused alike the cause is common to
all of them and they fail together (three requests, not two hundred).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from ecombridge.relay.client import TargetClient, error_message
from ecombridge.relay.definitions import CRM_NAMES
from ecombridge.relay.payloads import Item, upsert_input

BATCH_SIZE = 100  # HubSpot's limit of inputs per batch/upsert
ASSOCIATION_BATCH = 1000

# The pairs associated with their default type, from the side our associations are kept on.
ASSOCIATED_PAIRS = (("DEAL", "CONTACT"), ("LINE_ITEM", "DEAL"))


@dataclass
class Outcome:
    delivered: dict[int, str] = field(default_factory=dict)  # object id -> target id
    failed: dict[int, str] = field(default_factory=dict)  # object id -> target's message


def upsert(client: TargetClient, object_type: str, items: list[Item]) -> Outcome:
    outcome = Outcome()
    by_key: dict[str, list[Item]] = {}
    for item in items:
        by_key.setdefault(item.id_property, []).append(item)
    for group in by_key.values():
        for start in range(0, len(group), BATCH_SIZE):
            _send(client, object_type, group[start : start + BATCH_SIZE], outcome)
    return outcome


def _post(client: TargetClient, object_type: str, items: list[Item]) -> httpx.Response:
    path = f"/crm/v3/objects/{CRM_NAMES[object_type]}/batch/upsert"
    return client.call("POST", path, {"inputs": [upsert_input(i) for i in items]})


def _send(client: TargetClient, object_type: str, items: list[Item], outcome: Outcome) -> None:
    _handle(client, object_type, items, _post(client, object_type, items), outcome)


def _handle(
    client: TargetClient,
    object_type: str,
    items: list[Item],
    response: httpx.Response,
    outcome: Outcome,
) -> None:
    """Read an answer to ``items``; a 400 for several inputs is split in halves. When both
    halves are refused with the batch's own message the cause is common to the inputs (a
    property the target lacks, say), not one bad input: all fail without splitting further."""
    if response.status_code in (200, 201, 207):
        _read(response, items, outcome)
        return
    message = error_message(response)
    if response.status_code != 400 or len(items) == 1:
        _fail(items, message, outcome)
        return
    half = len(items) // 2
    halves = [items[:half], items[half:]]
    answers = [_post(client, object_type, part) for part in halves]
    if all(a.status_code == 400 and error_message(a) == message for a in answers):
        _fail(items, message, outcome)
        return
    for part, answer in zip(halves, answers, strict=True):
        _handle(client, object_type, part, answer, outcome)


def _read(response: httpx.Response, items: list[Item], outcome: Outcome) -> None:
    body = response.json()
    by_value = {item.key.lower(): item for item in items}
    for result in body.get("results", []):
        matched = _matching(result, items, by_value)
        if matched is not None:
            outcome.delivered[matched.object_id] = str(result["id"])
    for error in body.get("errors", []):
        for raw in (error.get("context") or {}).get("ids", []):
            bad = by_value.get(str(raw).lower())
            if bad is not None and bad.object_id not in outcome.delivered:
                outcome.failed[bad.object_id] = str(error.get("message") or "failed")
    for item in items:
        if item.object_id not in outcome.delivered and item.object_id not in outcome.failed:
            outcome.failed[item.object_id] = "The destination's answer did not mention it."


def _fail(items: list[Item], message: str, outcome: Outcome) -> None:
    for item in items:
        outcome.failed[item.object_id] = message


def _matching(result: dict[str, Any], items: list[Item], by_value: dict[str, Item]) -> Item | None:
    properties = result.get("properties") or {}
    for id_property in {item.id_property for item in items}:
        value = properties.get(id_property)
        if value is not None and str(value).lower() in by_value:
            return by_value[str(value).lower()]
    return None


def associate(
    client: TargetClient, from_type: str, to_type: str, pairs: list[tuple[str, str]]
) -> int:
    """Default-type associations between target ids; returns how many the target refused."""
    refused = 0
    path = (
        f"/crm/v4/associations/{CRM_NAMES[from_type]}/{CRM_NAMES[to_type]}/batch/associate/default"
    )
    for start in range(0, len(pairs), ASSOCIATION_BATCH):
        chunk = pairs[start : start + ASSOCIATION_BATCH]
        body = {"inputs": [{"from": {"id": f}, "to": {"id": t}} for f, t in chunk]}
        response = client.call("POST", path, body)
        if response.status_code >= 400:
            refused += len(chunk)
        else:
            refused += len(response.json().get("errors", []))
    return refused
