"""Bad input never yields a 500: every operation of the OpenAPI schema gets malformed JSON, wrong
types, huge numbers, non-ASCII text, missing fields and odd path segments, with each kind of
credential. Every answer must be below 500, and every 4xx body must be HubSpot's error object.

The cases are drawn from a seeded generator, so a run is repeatable (a few hundred requests)."""

from __future__ import annotations

import copy
import json
import random
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ecombridge.db.engine import Database
from tests.acceptance.support import V1, V2, assert_error_shape, shop_mappings, v1_shop_settings
from tests.imports.integrator import Integrator, counts_reply, serve
from tests.support.factories import InstalledApp, Portal
from tests.support.jobs import RunJobs

SEED = 20261122
TEMPLATE_STARTED_AT = "1700000000000"
IMPORT_STARTED_AT = TEMPLATE_STARTED_AT  # set by the fixture that starts an import
CASES_PER_OPERATION = 5
# OAuth answers token errors in its own documented shape; the web UI and docs answer HTML.
OWN_ERROR_SHAPE = re.compile(r"^/(oauth/|app|docs|openapi|healthz|readyz|metrics)")

ODD_SEGMENTS = [
    "",
    "%2F",
    "b%2F",
    "ünïcødé",
    "a%2Fb",
    "%00",
    "-1",
    "0",
    "99999999999999999999999999",
    "1e400",
    "NaN",
    "%20",
    "..",
    "x" * 300,
    "CONTACT",
    "contact",
    "default",
    "1",
    "'; DROP TABLE stores; --",
]
WEIRD_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    1.5,
    10**40,
    -(10**40),
    1e308,
    "",
    "ünïcødé ✓ 😀",
    "x" * 5000,
    "\u0000",
    "NaN",
    "-9223372036854775809",
    [],
    {},
    [None],
    {"a": {"b": [1, "2", None]}},
]
RAW_BODIES = [
    b"{",
    b"[",
    b"null",
    b"[]",
    b"{}",
    b'"text"',
    b"12",
    b"\xff\xfe\x00",
    b'{"a":',
    b"1e99999",
]
ODD_QUERIES = [
    {},
    {"limit": "-1"},
    {"limit": "abc", "offset": "1e99"},
    {"offset": "99999999999999999999"},
    {"page": "0", "includeResolved": "maybe"},
    {"objectType": "NOPE", "errorType": "ünï"},
    {"appId": "abc"},
    {"appId": "99999999999999999999999"},
    {"after": "-5", "properties": "ünï", "associations": "nope"},
    {"showProvidedMappings": "2", "archived": "x"},
]

MESSAGE = {
    "action": "UPSERT",
    "externalObjectId": "c-1",
    "changedAt": 1_700_000_000_000,
    "properties": {"email": "a@example.com", "first_name": "A"},
    "associations": {"CONTACT": ["c-1"]},
}
V1_MESSAGE = {
    "integratorObjectId": "c-1",
    "action": "UPSERT",
    "changeOccurredTimestamp": 1_700_000_000_000,
    "propertyNameToValues": {"email": "a@example.com"},
}
PROPERTY = {
    "name": "fuzzed",
    "label": "Fuzzed",
    "type": "string",
    "fieldType": "text",
    "groupName": "contactinformation",
    "options": [{"label": "A", "value": "a"}],
}
TEMPLATES: dict[str, Any] = {
    f"{V2}/sync/messages": {"storeId": "default", "objectType": "CONTACT", "messages": [MESSAGE]},
    f"{V1}/sync-messages/{{objectType}}": [V1_MESSAGE],
    f"{V2}/settings": {"enabled": True, "webhookUri": None, "mappings": shop_mappings()},
    f"{V1}/settings": v1_shop_settings(),
    f"{V1}/import-settings": {"importTriggerUri": "https://shop.example/import"},
    f"{V2}/stores": {"id": "s-1", "label": "Shop", "adminUri": "https://shop.example"},
    f"{V2}/stores/default/replace": {"id": "s-2", "label": "New default"},
    f"{V2}/stores/replace-default": {"id": "s-2", "label": "New default"},
    f"{V2}/imports/start": {"storeId": "default"},
    f"{V2}/imports/page": {
        "storeId": "default",
        "importStartedAt": 1_700_000_000_000,
        "objectType": "CONTACT",
        "pageNumber": 0,
        "messages": [{"externalObjectId": "c-1", "properties": {"email": "a@example.com"}}],
    },
    f"{V2}/imports/end": {
        "storeId": "default",
        "importStartedAt": 1_700_000_000_000,
        "objectType": "CONTACT",
        "pageCount": 1,
        "itemCount": 1,
    },
    "import-pages/{importStartedAt}/{objectType}/end": {"pageCount": 1, "itemCount": 1},
    "import-pages/{importStartedAt}/{objectType}/{pageNumber}": [
        {"integratorObjectId": "c-1", "propertyNameToValues": {"email": "a@example.com"}}
    ],
    "/crm/v3/properties/{object_type}": PROPERTY,
    "/properties/{version}/{object_type}/properties": PROPERTY,
    "/properties/{version}/{object_type}/properties/named/{name}": PROPERTY,
    "/properties/{version}/{object_type}/groups": {"name": "fuzz_group", "displayName": "Fuzz"},
    "/properties/{version}/{object_type}/groups/named/{name}": {"displayName": "Fuzz"},
    "/crm/v3/objects/{object_type}/search": {
        "filterGroups": [
            {"filters": [{"propertyName": "email", "operator": "EQ", "value": "a@example.com"}]}
        ],
        "sorts": [{"propertyName": "createdate", "direction": "DESCENDING"}],
        "properties": ["email"],
        "limit": 10,
        "after": "0",
    },
}
PLAUSIBLE_SEGMENTS = {
    "objectType": ["CONTACT", "DEAL", "LINE_ITEM"],
    "object_type": ["contacts", "deals", "CONTACT", "line_items"],
    "to_object_type": ["contacts", "deals", "products"],
    "storeId": ["default", "s-1"],
    "store_id": ["default", "s-1"],
    "first": ["default", "CONTACT"],
    "second": ["CONTACT", "default"],
    "version": ["v1", "v2"],
    "importStartedAt": ["1700000000000"],
    "pageNumber": ["0", "1"],
}


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes | None

    def describe(self) -> str:
        return f"{self.method} {self.path} {self.query} {self.body[:80] if self.body else None!r}"


def template_for(route: str) -> Any:
    for suffix, template in TEMPLATES.items():
        if route == suffix or route.endswith("/" + suffix) or route == "/" + suffix:
            return copy.deepcopy(template)
    return {"unexpected": "body"}


def leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, (*path, index))


def mutate(template: Any, rng: random.Random) -> Any:
    """Replace (or, in an object, drop) one randomly chosen node of a valid body."""
    target = rng.choice(list(leaves(template)))
    if not target:
        return rng.choice(WEIRD_VALUES)
    parent = template
    for key in target[:-1]:
        parent = parent[key]
    if isinstance(parent, dict) and rng.random() < 0.3:
        del parent[target[-1]]
    else:
        parent[target[-1]] = rng.choice(WEIRD_VALUES)
    return template


def fill_path(route: str, rng: random.Random, *, odd: float = 0.5) -> str:
    def segment(match: re.Match[str]) -> str:
        name = match.group(1)
        if rng.random() >= odd and name in PLAUSIBLE_SEGMENTS:
            return rng.choice(PLAUSIBLE_SEGMENTS[name])
        return rng.choice(ODD_SEGMENTS)

    return re.sub(r"\{([^}]+)\}", segment, route)


Credential = tuple[dict[str, str], dict[str, str]]
JSON_TYPE = {"Content-Type": "application/json"}


def operations(app: FastAPI) -> list[tuple[str, str]]:
    return [
        (method.upper(), route)
        for route, methods in sorted(app.openapi()["paths"].items())
        for method in sorted(methods)
    ]


def probes(method: str, route: str, credentials: list[Credential]) -> list[Case]:
    """The operation called plausibly, once with each credential."""
    rng = random.Random(SEED)
    body = json.dumps(template_for(route)).encode() if method in ("POST", "PUT") else None
    path = fill_path(route, rng, odd=0.0)
    return [
        Case(method, path, query, {**headers, **JSON_TYPE}, body) for query, headers in credentials
    ]


def fuzzed(method: str, route: str, credential: Credential, rng: random.Random) -> Case:
    query, headers = credential
    body = None
    if method in ("POST", "PUT", "PATCH"):
        roll = rng.random()
        if roll < 0.25:
            body = rng.choice(RAW_BODIES)
        else:
            value = template_for(route)
            if roll < 0.9:
                value = mutate(value, rng)
            body = json.dumps(value, ensure_ascii=rng.random() < 0.5).encode()
    return Case(
        method,
        fill_path(route, rng),
        {**query, **rng.choice(ODD_QUERIES)},
        {**headers, **JSON_TYPE},
        body,
    )


@pytest.fixture
def integrator(installed_app: InstalledApp, allow_private_webhooks: None) -> Iterator[Integrator]:
    yield from serve(Integrator(installed_app.client_secret, [counts_reply(5, 5, 5, 5)]))


@pytest.fixture
def credentials(
    client: TestClient,
    portal: Portal,
    installed_app: InstalledApp,
    integrator: Integrator,
    run_jobs: RunJobs,
) -> list[Credential]:
    """A portal with settings, a store, synced data and an import receiving pages (its
    importStartedAt replaces the templates' timestamp); each kind of credential."""
    key = {"hapikey": portal.api_key}
    assert client.post(f"{V1}/installs", params=key).status_code == 204
    settings = {"enabled": True, "mappings": shop_mappings()}
    assert client.put(f"{V2}/settings", params=key, json=settings).status_code == 200
    store = {"id": "s-1", "label": "Shop"}
    assert client.put(f"{V2}/stores", params=key, json=store).status_code == 200
    batch = {"storeId": "s-1", "objectType": "CONTACT", "messages": [MESSAGE]}
    assert client.put(f"{V2}/sync/messages", params=key, json=batch).status_code == 204
    developer = {"hapikey": installed_app.developer_api_key, "appId": str(installed_app.app_id)}
    app_settings = {**settings, "webhookUri": integrator.url}
    assert client.put(f"{V2}/settings", params=developer, json=app_settings).status_code == 200
    bearer = {"Authorization": f"Bearer {installed_app.access_token}"}
    started = client.post(f"{V2}/imports/start", json={"storeId": "default"}, headers=bearer)
    assert started.status_code == 202, started.text
    run_jobs()
    global IMPORT_STARTED_AT
    IMPORT_STARTED_AT = str(started.json()["importStartedAt"])
    return [(key, {}), ({}, bearer), (developer, {}), ({}, {})]


def test_no_bad_input_gets_a_500(
    app: FastAPI, client: TestClient, db: Database, credentials: list[Credential]
) -> None:
    rng = random.Random(SEED)
    failures: list[str] = []
    statuses: Counter[int] = Counter()

    def check(case: Case) -> int:
        # Point import calls at the import in progress.
        path = case.path.replace(TEMPLATE_STARTED_AT, IMPORT_STARTED_AT)
        body = case.body and case.body.replace(
            TEMPLATE_STARTED_AT.encode(), IMPORT_STARTED_AT.encode()
        )
        case = replace(case, path=path, body=body)
        if sum(statuses.values()) % 2:  # every other request as hubspot-php builds queries
            url = f"{case.path}?&{urlencode(case.query)}" if case.query else case.path
            response = client.request(
                case.method, url, headers=case.headers, content=case.body, follow_redirects=False
            )
        else:
            response = client.request(
                case.method,
                case.path,
                params=case.query,
                headers=case.headers,
                content=case.body,
                follow_redirects=False,
            )
        statuses[response.status_code] += 1
        if 300 <= response.status_code < 400 and not OWN_ERROR_SHAPE.match(case.path):
            failures.append(f"redirect {response.status_code} {case.describe()}")
        if response.status_code >= 500:
            failures.append(f"{response.status_code} {case.describe()}: {response.text[:200]}")
        elif response.status_code >= 400 and not OWN_ERROR_SHAPE.match(case.path):
            try:
                assert_error_shape(response.json(), response.status_code)
            except (AssertionError, ValueError, KeyError) as shape:
                failures.append(f"shape {response.status_code} {case.describe()}: {shape!r}")
        return response.status_code

    for method, route in operations(app):
        # Mostly the credential the operation takes, so the bad input gets past authentication.
        answers = [check(case) for case in probes(method, route, credentials)]
        accepted = [c for c, a in zip(credentials, answers, strict=True) if a not in (401, 403)]
        for _ in range(CASES_PER_OPERATION):
            use_right = accepted and rng.random() < 0.8
            credential = rng.choice(accepted) if use_right else rng.choice(credentials)
            check(fuzzed(method, route, credential, rng))

    assert failures == [], "\n".join(failures[:20])
    assert sum(statuses.values()) >= 400


def test_an_empty_id_is_a_4xx_not_a_redirect_loop(client: TestClient, portal: Portal) -> None:
    for path in (
        f"{V2}/sync/status/default/CONTACT/",
        f"{V2}/sync/status/default/CONTACT",
        f"{V1}/sync-status/CONTACT/",
        f"{V1}/sync-errors/object/CONTACT/",
    ):
        response = client.get(path, params={"hapikey": portal.api_key}, follow_redirects=False)
        assert 400 <= response.status_code < 500, (path, response.status_code)
        assert_error_shape(response.json(), response.status_code)
