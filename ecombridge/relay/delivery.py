"""Delivering outbox pages: objects the target already holds by ``batch/update`` with the
target's id (so a contact whose email changed stays the same contact), the others by
``batch/upsert`` keyed by the external id (contacts by email); then the v4 default associations
between what both sides now know, and the archiving of those removed in our CRM.

An update whose target object is gone (deleted there meanwhile: OBJECT_NOT_FOUND, or a 404)
falls back to an upsert by key.

HubSpot's answers are read per input: results are matched to inputs by the value of their
``idProperty``, errors by ``context.ids``; a 207's good inputs land and each bad one becomes a
delivery failure of its object with the target's message. A 400 for the whole batch (HubSpot
refuses a batch for one bad value) is split in halves until the bad inputs are alone, so one bad
object never holds back the others; when both halves are refused alike the cause is common to
all of them and they fail together (three requests, not two hundred).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import httpx

from ecombridge.relay.client import TargetClient, error_message
from ecombridge.relay.definitions import CRM_NAMES
from ecombridge.relay.payloads import Item, update_input, upsert_input

BATCH_SIZE = 100  # HubSpot's limit of inputs per batch/update and batch/upsert
NOT_FOUND = "OBJECT_NOT_FOUND"
UPDATE, UPSERT = "update", "upsert"
ASSOCIATION_BATCH = 1000


@dataclass
class Outcome:
    delivered: dict[int, str] = field(default_factory=dict)  # object id -> target id
    failed: dict[int, str] = field(default_factory=dict)  # object id -> target's message
    # Updates whose target object is gone: sent again as upserts.
    gone: list[Item] = field(default_factory=list)


def upsert(client: TargetClient, object_type: str, items: list[Item]) -> Outcome:
    """Deliver ``items``: by the target's id when known, else by key."""
    outcome = Outcome()
    known = [item for item in items if item.target_id is not None]
    for start in range(0, len(known), BATCH_SIZE):
        _send(client, object_type, known[start : start + BATCH_SIZE], UPDATE, outcome)
    fresh = [item for item in items if item.target_id is None]
    fresh += [replace(item, target_id=None) for item in outcome.gone]
    by_key: dict[str, list[Item]] = {}
    for item in fresh:
        by_key.setdefault(item.id_property, []).append(item)
    for group in by_key.values():
        for start in range(0, len(group), BATCH_SIZE):
            _send(client, object_type, group[start : start + BATCH_SIZE], UPSERT, outcome)
    return outcome


def _post(client: TargetClient, object_type: str, items: list[Item], mode: str) -> httpx.Response:
    path = f"/crm/v3/objects/{CRM_NAMES[object_type]}/batch/{mode}"
    inputs = [update_input(i) if mode == UPDATE else upsert_input(i) for i in items]
    return client.call("POST", path, {"inputs": inputs})


def _send(
    client: TargetClient, object_type: str, items: list[Item], mode: str, outcome: Outcome
) -> None:
    _handle(client, object_type, items, mode, _post(client, object_type, items, mode), outcome)


def _handle(
    client: TargetClient,
    object_type: str,
    items: list[Item],
    mode: str,
    response: httpx.Response,
    outcome: Outcome,
) -> None:
    """Read an answer to ``items``; a 400 for several inputs is split in halves. When both
    halves are refused with the batch's own message the cause is common to the inputs (a
    property the target lacks, say), not one bad input: all fail without splitting further."""
    if response.status_code in (200, 201, 207):
        _read(response, items, mode, outcome)
        return
    if mode == UPDATE and response.status_code == 404:
        outcome.gone += items
        return
    message = error_message(response)
    if response.status_code != 400 or len(items) == 1:
        _fail(items, message, outcome)
        return
    half = len(items) // 2
    halves = [items[:half], items[half:]]
    answers = [_post(client, object_type, part, mode) for part in halves]
    if all(a.status_code == 400 and error_message(a) == message for a in answers):
        _fail(items, message, outcome)
        return
    for part, answer in zip(halves, answers, strict=True):
        _handle(client, object_type, part, mode, answer, outcome)


def _read(response: httpx.Response, items: list[Item], mode: str, outcome: Outcome) -> None:
    body = response.json()
    if mode == UPDATE:
        by_value = {str(item.target_id): item for item in items}
    else:
        by_value = {item.key.lower(): item for item in items}
    for result in body.get("results", []):
        if mode == UPDATE:
            matched = by_value.get(str(result.get("id")))
        else:
            matched = _matching(result, items, by_value)
        if matched is not None:
            outcome.delivered[matched.object_id] = str(result["id"])
    gone: set[int] = set()
    for error in body.get("errors", []):
        for raw in (error.get("context") or {}).get("ids", []):
            key = str(raw) if mode == UPDATE else str(raw).lower()
            bad = by_value.get(key)
            if bad is None or bad.object_id in outcome.delivered:
                continue
            if mode == UPDATE and error.get("category") == NOT_FOUND:
                gone.add(bad.object_id)
            else:
                outcome.failed[bad.object_id] = str(error.get("message") or "failed")
    outcome.gone += [item for item in items if item.object_id in gone]
    for item in items:
        seen = item.object_id in outcome.delivered or item.object_id in outcome.failed
        if not seen and item.object_id not in gone:
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


def archive(
    client: TargetClient, from_type: str, to_type: str, pairs: list[tuple[str, str]]
) -> None:
    """Remove associations between target ids (every type of them, as the default ones were
    made); pairs naming nothing are ignored by the target."""
    path = f"/crm/v4/associations/{CRM_NAMES[from_type]}/{CRM_NAMES[to_type]}/batch/archive"
    by_from: dict[str, list[str]] = {}
    for from_id, to_id in pairs:
        by_from.setdefault(from_id, []).append(to_id)
    listed = sorted(by_from.items())
    for start in range(0, len(listed), ASSOCIATION_BATCH):
        chunk = listed[start : start + ASSOCIATION_BATCH]
        body = {"inputs": [{"from": {"id": f}, "to": [{"id": t} for t in tos]} for f, tos in chunk]}
        client.call("POST", path, body)
