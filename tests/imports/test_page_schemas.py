"""The msgspec fast path of import pages (``page_schemas``) answers every body exactly as the
pydantic models alone: a body it takes gives the same page and messages, and it leaves every
other body (an error, or something it is too strict for) to the pydantic path.

The pydantic path is run here as the endpoints ran it before the fast path existed: the body
read as any JSON body (``json.loads``, NUL characters refused), then ``schemas.parse``."""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import pytest

from ecombridge.api.json_body import nul_path
from ecombridge.errors import ValidationFailed
from ecombridge.imports.page_schemas import (
    ReceivedPage,
    V1Item,
    fast_v1_page,
    fast_v2_page,
    from_model,
    from_v1_models,
)
from ecombridge.imports.schemas import V1_PAGE, ImportPage, parse
from ecombridge.sync.messages import encode_messages

SEED = 20261201
STARTED_AT = 1_700_000_000_000

V2_PAGE: dict[str, Any] = {
    "storeId": "shop-1",
    "importStartedAt": STARTED_AT,
    "objectType": "DEAL",
    "pageNumber": 3,
    "messages": [
        {
            "externalObjectId": "order-1",
            "properties": {"name": "Order 1", "total": 10.5, "count": 2, "paid": True, "x": None},
            "associations": {"CONTACT": ["cust-1", 7]},
        },
        {"externalObjectId": 42, "properties": {"name": "Zoë ✓"}},
        {"externalObjectId": "order-3"},
    ],
}
V1_PAGE_BODY: list[Any] = [
    {"integratorObjectId": "c-1", "propertyNameToValues": {"email": "a@example.com"}},
    {"integratorObjectId": 2, "propertyNamesToValues": {"firstname": "Zoë"}},
    {"integratorObjectId": "c-3"},
]
WEIRD: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    1.0,
    1.5,
    2**31,
    2**63,
    2**64,
    10**40,
    -(10**40),
    "",
    "x",
    "x" * 100,
    "x" * 101,
    "é",
    "😀",
    "\u0000",
    "DEAL",
    "deal",
    "12",
    [],
    [1],
    ["a", 2],
    [None],
    {},
    {"a": 1},
    {"a": [1]},
    {"CONTACT": ["c-1"]},
    {"CONTACT": "c-1"},
]
RAW_V2 = [
    b"",
    b"  ",
    b"null",
    b"[]",
    b"{}",
    b"{",
    b'"text"',
    b"\xff\xfe",
    b"\xef\xbb\xbf" + json.dumps(V2_PAGE).encode(),  # a UTF-8 BOM: json.loads takes it
    json.dumps(V2_PAGE).encode() + b" x",
    json.dumps(V2_PAGE).encode().replace(b"10.5", b"NaN"),
    json.dumps(V2_PAGE).encode().replace(b"10.5", b"1e400"),
    json.dumps(V2_PAGE).encode().replace(b"Order 1", b"\\ud800"),
    json.dumps(V2_PAGE).encode().replace(b"Order 1", b"\\u0000"),
    json.dumps(V2_PAGE).encode().replace(b"order-3", b"\\u00e9"),
    json.dumps(V2_PAGE).encode().replace(b"order-3", b"\\u0041"),
    json.dumps(V2_PAGE).encode().replace(b'"pageNumber"', b'"page_number"'),
    json.dumps(V2_PAGE).encode().replace(b'"storeId"', b'"store_id"'),
    json.dumps(V2_PAGE).encode().replace(b'"externalObjectId": 42', b'"external_object_id": 42'),
    json.dumps(V2_PAGE).encode().replace(b'"storeId"', b'"accountId"'),
    json.dumps(V2_PAGE).encode().replace(b'{"storeId"', b'{"accountId": 5, "storeId"'),
    json.dumps(V2_PAGE).encode().replace(b'"pageNumber": 3', b'"pageNumber": 3, "pageNumber": 4'),
    json.dumps(V2_PAGE).encode().replace(b'"total": 10.5', b'"total": 1, "total": 2'),
    json.dumps(V2_PAGE).encode().replace(b'"pageNumber": 3', b'"deep": ' + b"[" * 400 + b"]" * 400),
]


def pydantic_v2(raw: bytes) -> ReceivedPage | str:
    """The page as the endpoint read it with pydantic alone, or the 400's message."""
    outcome = _json(raw)
    if isinstance(outcome, str):
        return outcome
    try:
        return from_model(parse(ImportPage, outcome[0]))
    except ValidationFailed as exc:
        return exc.message


def pydantic_v1(raw: bytes) -> list[V1Item] | str:
    outcome = _json(raw)
    if isinstance(outcome, str):
        return outcome
    try:
        return from_v1_models(parse(V1_PAGE, outcome[0]))
    except ValidationFailed as exc:
        return exc.message


def _json(raw: bytes) -> tuple[Any] | str:
    if not raw.strip():
        return (None,)
    try:
        body = json.loads(raw)
        return "NUL" if nul_path(body) is not None else (body,)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return "not JSON"


def assert_same_v2(raw: bytes) -> ReceivedPage | None:
    fast = fast_v2_page(raw)
    if fast is not None:
        slow = pydantic_v2(raw)
        assert fast == slow, raw
        assert isinstance(slow, ReceivedPage)
        assert encode_messages(fast.messages) == encode_messages(slow.messages), raw
    return fast


def assert_same_v1(raw: bytes) -> list[V1Item] | None:
    fast = fast_v1_page(raw)
    if fast is not None:
        slow = pydantic_v1(raw)
        assert fast == slow, raw
        assert [type(i) for item in fast for i in item] == [type(i) for item in slow for i in item]
    return fast


def leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += leaves(item, (*path, index))
    return found


def mutate(template: Any, rng: random.Random) -> Any:
    """Replace, drop or add one node of a valid body (a few times)."""
    value = copy.deepcopy(template)
    for _ in range(rng.choice((1, 1, 2, 3))):
        target = rng.choice(leaves(value))
        if not target:
            return rng.choice(WEIRD)
        parent = value
        for key in target[:-1]:
            parent = parent[key]
        roll = rng.random()
        if isinstance(parent, dict) and roll < 0.2:
            del parent[target[-1]]
        elif isinstance(parent, dict) and roll < 0.3:
            parent[rng.choice(["extra", "action", "changedAt", "assocations", "portalId"])] = (
                rng.choice(WEIRD)
            )
        else:
            parent[target[-1]] = copy.deepcopy(rng.choice(WEIRD))
    return value


def test_valid_pages_take_the_fast_path_with_the_same_result() -> None:
    accepted = assert_same_v2(json.dumps(V2_PAGE).encode())
    assert accepted is not None
    assert accepted.messages[0].associations == {"CONTACT": ["cust-1", "7"]}
    assert accepted.messages[1].external_id == "42"
    assert accepted.messages[2].properties == {}
    ascii_only = json.dumps(V2_PAGE, ensure_ascii=True).encode()
    assert assert_same_v2(ascii_only) is not None
    text_ids = copy.deepcopy(V2_PAGE)
    text_ids["messages"][1]["externalObjectId"] = "42"
    text_ids["messages"][0]["associations"] = {"CONTACT": ["cust-1"], "PRODUCT": []}
    for ensure_ascii in (True, False):
        assert assert_same_v2(json.dumps(text_ids, ensure_ascii=ensure_ascii).encode())
    assert assert_same_v1(json.dumps(V1_PAGE_BODY).encode()) == [
        ("c-1", {"email": "a@example.com"}),
        ("2", {"firstname": "Zoë"}),
        ("c-3", {}),
    ]


@pytest.mark.parametrize(
    "body",
    [
        V2_PAGE | {"pageNumber": None, "portalId": 123},
        {k: v for k, v in V2_PAGE.items() if k != "pageNumber"},
        V2_PAGE | {"storeId": 12345},
        V2_PAGE | {"messages": []},
        V2_PAGE | {"messages": [{"externalObjectId": "a", "properties": None}]},
        V2_PAGE | {"messages": [{"externalObjectId": "a", "action": "UPSERT", "changedAt": 5}]},
        V2_PAGE | {"messages": [{"externalObjectId": "a", "assocations": {"DEAL": ["d"]}}]},
    ],
)
def test_what_clients_send_takes_the_fast_path(body: dict[str, Any]) -> None:
    assert assert_same_v2(json.dumps(body).encode()) is not None


@pytest.mark.parametrize("raw", RAW_V2)
def test_odd_bodies_are_answered_as_by_pydantic(raw: bytes) -> None:
    assert_same_v2(raw)


def test_what_only_pydantic_can_judge_leaves_the_fast_path() -> None:
    base = json.dumps(V2_PAGE).encode()
    for raw in (
        base.replace(b"10.5", b"NaN"),  # json.loads takes NaN
        base.replace(b"Order 1", b"\\u0000"),  # NUL: refused by the JSON body check
        base.replace(b'"pageNumber"', b'"page_number"'),  # pydantic takes field names too
        base.replace(b'"pageNumber": 3', b'"deep": ' + b"[" * 400 + b"]" * 400),
        base.replace(b'"paid": true', b'"paid": {"nested": 1}'),
        base.replace(b'"importStartedAt": 1700000000000', b'"importStartedAt": "1700000000000"'),
    ):
        assert fast_v2_page(raw) is None, raw
    assert fast_v1_page(b'[{"integratorObjectId": "a", "property_name_to_values": {}}]') is None


def test_mutated_v2_pages_are_answered_as_by_pydantic() -> None:
    rng = random.Random(SEED)
    fast = 0
    for _ in range(3000):
        body = mutate(V2_PAGE, rng)
        raw = json.dumps(body, ensure_ascii=rng.random() < 0.5).encode()
        fast += assert_same_v2(raw) is not None
    assert fast > 300  # mutations that stay valid still take the fast path


def test_mutated_v1_pages_are_answered_as_by_pydantic() -> None:
    rng = random.Random(SEED)
    fast = 0
    for _ in range(2000):
        body = mutate(V1_PAGE_BODY, rng)
        raw = json.dumps(body, ensure_ascii=rng.random() < 0.5).encode()
        fast += assert_same_v1(raw) is not None
    assert fast > 200


def test_page_limits_are_pydantic_s() -> None:
    many = V2_PAGE | {"messages": [{"externalObjectId": str(i)} for i in range(201)]}
    assert fast_v2_page(json.dumps(many).encode()) is None
    assert assert_same_v2(json.dumps(many | {"messages": many["messages"][:200]}).encode())
    v1_many = [{"integratorObjectId": str(i)} for i in range(501)]
    assert fast_v1_page(json.dumps(v1_many).encode()) is None
    assert assert_same_v1(json.dumps(v1_many[:500]).encode())
