"""Import page bodies over HTTP: a bad body gets the 400 it got before the fast path (the same
message and ``errors[]``, in HubSpot's error shape), and an accepted body stores the same
messages, whichever path decoded it."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import sqlalchemy as sa
from starlette.requests import Request

from ecombridge.api.json_body import read_json_body
from ecombridge.db.tables import import_pages
from ecombridge.errors import ValidationFailed
from ecombridge.imports.page_schemas import from_model, from_v1_models, v1_messages
from ecombridge.imports.schemas import V1_PAGE, ImportPage, parse
from ecombridge.sync.messages import encode_messages
from tests.imports.conftest import STORE, V1, V2, Importer
from tests.imports.integrator import Integrator
from tests.support.wire import assert_hubspot_error

STARTED_AT = b"1700000000000"  # replaced by the import's own start where there is one


def before(raw: bytes, model: Any) -> ValidationFailed | Any:
    """What the endpoint made of a body before the fast path: the JSON body dependency, then
    pydantic."""

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": raw, "more_body": False}

    try:
        body = asyncio.run(read_json_body(Request({"type": "http"}, receive)))
        return parse(model, body)
    except ValidationFailed as exc:
        return exc


def page(**fields: Any) -> dict[str, Any]:
    message = {"externalObjectId": "p1", "properties": {"name": "Hat"}}
    return {
        "storeId": STORE,
        "importStartedAt": int(STARTED_AT),
        "objectType": "PRODUCT",
        "pageNumber": 0,
        "messages": [message],
    } | fields


def encoded(value: Any) -> bytes:
    return json.dumps(value).encode()


BAD_V2 = [
    pytest.param(b"", id="empty"),
    pytest.param(b"{", id="not-json"),
    pytest.param(b"\xff\xfe{}", id="not-utf8"),
    pytest.param(b"[]", id="array"),
    pytest.param(b"null", id="null"),
    pytest.param(encoded(page(storeId=None)), id="store-null"),
    pytest.param(encoded(page(storeId="")), id="store-empty"),
    pytest.param(encoded(page(storeId="s" * 101)), id="store-long"),
    pytest.param(encoded(page(storeId=True)), id="store-bool"),
    pytest.param(encoded(page(importStartedAt=-1)), id="start-negative"),
    pytest.param(encoded(page(importStartedAt=2**63)), id="start-huge"),
    pytest.param(encoded(page(importStartedAt="soon")), id="start-text"),
    pytest.param(encoded(page(objectType="product")), id="type-lower"),
    pytest.param(encoded(page(objectType=None)), id="type-null"),
    pytest.param(encoded(page(pageNumber=-1)), id="page-negative"),
    pytest.param(encoded(page(pageNumber=2**31)), id="page-huge"),
    pytest.param(encoded(page(pageNumber=1.5)), id="page-fraction"),
    pytest.param(encoded(page(messages=None)), id="messages-null"),
    pytest.param(encoded(page(messages={"a": 1})), id="messages-object"),
    pytest.param(
        encoded(page(messages=[{"externalObjectId": str(i)} for i in range(201)])), id="201"
    ),
    pytest.param(encoded(page(messages=[{"externalObjectId": "a"}, 7])), id="message-int"),
    pytest.param(encoded(page(messages=[{"properties": {}}])), id="id-missing"),
    pytest.param(encoded(page(messages=[{"externalObjectId": ""}])), id="id-empty"),
    pytest.param(encoded(page(messages=[{"externalObjectId": "é"}])), id="id-non-ascii"),
    pytest.param(encoded(page(messages=[{"externalObjectId": "x" * 101}])), id="id-long"),
    pytest.param(encoded(page(messages=[{"externalObjectId": 10**101}])), id="id-huge-int"),
    pytest.param(encoded(page(messages=[{"externalObjectId": True}])), id="id-bool"),
    pytest.param(encoded(page(messages=[{"externalObjectId": 1.5}])), id="id-float"),
    pytest.param(
        encoded(page(messages=[{"externalObjectId": "a", "properties": []}])), id="props-list"
    ),
    pytest.param(
        encoded(page(messages=[{"externalObjectId": "a", "associations": {"DEAL": "d"}}])),
        id="assoc-not-list",
    ),
    pytest.param(
        encoded(page(messages=[{"externalObjectId": "a", "associations": {"DEAL": [None]}}])),
        id="assoc-id-null",
    ),
    pytest.param(
        encoded(page(messages=[{"externalObjectId": "a", "associations": []}])), id="assoc-list"
    ),
    pytest.param(
        encoded(page(messages=[{"externalObjectId": "é"}, {"externalObjectId": ""}])),
        id="two-bad-messages",
    ),
    pytest.param(encoded(page(messages=[{"externalObjectId": "a\u0000"}])), id="nul"),
    pytest.param(
        encoded(page(deep=[])).replace(b"[]", b"[" * 600 + b"]" * 600), id="nested-too-deeply"
    ),
]


@pytest.mark.parametrize("raw", BAD_V2)
def test_a_bad_v2_page_gets_the_400_it_always_got(importer: Importer, raw: bytes) -> None:
    expected = before(raw, ImportPage)
    assert isinstance(expected, ValidationFailed)
    headers = importer.auth | {"Content-Type": "application/json"}
    response = importer.client.post(f"{V2}/imports/page", content=raw, headers=headers)
    assert response.status_code == 400, response.text
    assert_hubspot_error(response.json(), "VALIDATION_ERROR")
    assert response.json()["message"] == expected.message
    assert response.json().get("errors") == expected.errors


BAD_V1 = [
    pytest.param(b"", id="empty"),
    pytest.param(b"[", id="not-json"),
    pytest.param(b"{}", id="object"),
    pytest.param(encoded([{"integratorObjectId": str(i)} for i in range(501)]), id="501"),
    pytest.param(encoded([{"propertyNameToValues": {}}]), id="id-missing"),
    pytest.param(encoded([{"integratorObjectId": "ü"}]), id="id-non-ascii"),
    pytest.param(encoded([{"integratorObjectId": "a", "propertyNameToValues": [1]}]), id="props"),
    pytest.param(encoded([{"integratorObjectId": False}, 3]), id="two-bad"),
    pytest.param(encoded([{"integratorObjectId": "\u0000"}]), id="nul"),
]


@pytest.fixture
def v1(importer: Importer, integrator: Integrator) -> Importer:
    importer.configure(webhook_uri=None, trigger_uri=integrator.url)
    return importer


@pytest.mark.parametrize("raw", BAD_V1)
def test_a_bad_v1_page_gets_the_400_it_always_got(importer: Importer, raw: bytes) -> None:
    expected = before(raw, V1_PAGE)
    assert isinstance(expected, ValidationFailed)
    path = f"{V1}/import-pages/{STARTED_AT.decode()}/CONTACT/0"
    response = importer.client.put(path, content=raw, headers=importer.auth)
    assert response.status_code == 400, response.text
    assert_hubspot_error(response.json(), "VALIDATION_ERROR")
    assert response.json()["message"] == expected.message
    assert response.json().get("errors") == expected.errors


def test_path_errors_still_come_after_a_bad_body_and_before_bad_messages(
    importer: Importer,
) -> None:
    v1, started_at = importer, STARTED_AT.decode()
    not_json = v1.client.put(f"{V1}/import-pages/x/CONTACT/0", content=b"[", headers=v1.auth)
    assert not_json.json()["message"].startswith("body: the request body is not valid JSON")
    bad_type = v1.client.put(
        f"{V1}/import-pages/{started_at}/COMPANY/0", json=[{"x": 1}], headers=v1.auth
    )
    assert bad_type.json()["message"].startswith("objectType:")
    negative = v1.client.put(
        f"{V1}/import-pages/{started_at}/CONTACT/-1", json=[{"x": 1}], headers=v1.auth
    )
    assert negative.json()["message"] == "pageNumber: must be 0 or more, got -1."


ACCEPTED_V2 = [
    pytest.param(page(), id="plain"),
    pytest.param(
        page(
            messages=[
                {"externalObjectId": 7, "associations": {"CONTACT": ["c", 8]}},
                {"externalObjectId": "b", "properties": {"name": "Zoë", "price": 1e3}},
                {"externalObjectId": "c", "properties": None, "associations": None},
            ]
        ),
        id="numbers-and-unicode",
    ),
    pytest.param(page(storeId=None, accountId=STORE), id="account-id"),
    pytest.param(page(pageNumber=None, portalId=None, extra={"x": [1]}), id="extra-field"),
    pytest.param(
        page(messages=[{"externalObjectId": "n", "properties": {"v": {"nested": [1]}}}]),
        id="nested-value",
    ),
]


@pytest.mark.parametrize("body", ACCEPTED_V2)
def test_an_accepted_v2_page_stores_what_it_always_stored(
    ready: Importer, body: dict[str, Any]
) -> None:
    started_at = ready.started()
    if body.get("storeId", STORE) is None:
        del body["storeId"]
    raw = json.dumps(body).encode().replace(STARTED_AT, str(started_at).encode())
    expected = before(raw, ImportPage)
    assert isinstance(expected, ImportPage)
    response = ready.client.post(f"{V2}/imports/page", content=raw, headers=ready.auth)
    assert response.status_code == 204, response.text
    with ready.db.page_store.read() as conn:
        payload = conn.execute(sa.select(import_pages.c.payload)).scalar_one()
    assert bytes(payload) == encode_messages(from_model(expected).messages)


@pytest.mark.parametrize(
    "body",
    [
        [{"integratorObjectId": 5, "propertyNamesToValues": {"email": "a@shop.example"}}],
        [{"integratorObjectId": "a", "propertyNameToValues": None, "action": "UPSERT"}],
        [{"integratorObjectId": "b", "propertyNameToValues": {"x": 1}, "other": {"y": 2}}],
    ],
)
def test_an_accepted_v1_page_stores_what_it_always_stored(v1: Importer, body: Any) -> None:
    started_at = v1.started("default")
    raw = json.dumps(body).encode()
    expected = before(raw, V1_PAGE)
    assert isinstance(expected, list)
    path = f"{V1}/import-pages/{started_at}/CONTACT/0"
    assert v1.client.put(path, content=raw, headers=v1.auth).status_code == 204
    with v1.db.page_store.read() as conn:
        payload = conn.execute(sa.select(import_pages.c.payload)).scalar_one()
    assert bytes(payload) == encode_messages(v1_messages(from_v1_models(expected), started_at))
