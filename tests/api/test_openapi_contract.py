"""The OpenAPI document is a contract the bridge keeps: schemathesis generates requests for every
operation from it (valid and invalid ones, bounded) and checks that nothing answers 5xx, that
every status code, content type and JSON body is the one documented; the document itself names
request bodies, credentials and no phantom 422; /docs works without internet."""

from __future__ import annotations

import re
from typing import Any

import requests
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ecombridge.api.openapi_bodies import BODILESS, REQUEST_BODIES
from tests.support.factories import Portal
from tests.support.live import LiveServer

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
MAX_EXAMPLES = 2  # per operation and mode: about half a minute per database


def check_operation(
    operation: Any, mode: GenerationMode, key: str, server: LiveServer, session: requests.Session
) -> list[str]:
    """Bounded generated requests of one operation; the failures, described."""
    failures: list[str] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        case.query = {**(case.query or {}), "hapikey": key}
        try:
            case.call_and_validate(base_url=server.url, session=session, checks=CHECKS)
        except AssertionError as failure:
            failures.append(f"{operation.method.upper()} {operation.path} ({mode}): {failure}")

    try:
        run()
    except Unsatisfiable:  # nothing to make invalid (an operation without inputs)
        assert mode is GenerationMode.NEGATIVE
    return failures[:1]


def test_every_answer_is_documented(
    app: FastAPI, client: TestClient, portal: Portal, live_server: LiveServer
) -> None:
    # The portal has its schema (properties, the ecommerce pipeline), so reads find something.
    assert client.post(f"/extensions/ecomm/v1/installs?hapikey={portal.api_key}").status_code == 204
    schema = schemathesis.openapi.from_dict(app.openapi())
    failures: list[str] = []
    count = 0
    with requests.Session() as session:
        for result in schema.get_all_operations():
            operation = result.ok()
            count += 1
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                failures += check_operation(operation, mode, portal.api_key, live_server, session)
    assert count == len(operations(app))
    assert failures == [], "\n\n".join(failures[:10])


def operations(app: FastAPI) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, ops in app.openapi()["paths"].items()
        for method, operation in ops.items()
    ]


def test_no_phantom_422_and_every_body_documented(app: FastAPI) -> None:
    for method, path, operation in operations(app):
        assert "422" not in operation["responses"], (method, path)
        takes_body = method in ("post", "put", "patch") and not path.startswith("/oauth/")
        if takes_body and (method, path) not in BODILESS:
            assert "requestBody" in operation, f"{method} {path} documents no request body"
    assert set(REQUEST_BODIES) <= {(m, p) for m, p, _ in operations(app)}
    schemas = app.openapi()["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "Error" in schemas


def test_credentials_are_security_schemes(app: FastAPI) -> None:
    schemes = app.openapi()["components"]["securitySchemes"]
    assert schemes["hapikey"] == {**schemes["hapikey"], "type": "apiKey", "in": "query"}
    assert schemes["bearerAuth"]["scheme"] == "bearer"
    assert schemes["accessToken"]["name"] == "access_token"
    by_route = {(m, p): o for m, p, o in operations(app)}
    assert len(by_route[("get", "/crm/v3/objects/{object_type}")]["security"]) == 3
    assert by_route[("post", "/oauth/v1/token")]["security"] == []
    limited = by_route[("get", "/crm/v3/pipelines/{object_type}")]["responses"]
    assert "X-HubSpot-RateLimit-Remaining" in limited["200"]["headers"]
    assert limited["429"]["headers"]["Retry-After"]["required"] is True


def test_docs_load_nothing_from_elsewhere(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/") for s in sources), sources
    for source in sources:
        assert client.get(source).status_code == 200, source
    assert "https://" not in page.text.replace("https://swagger.io", "")
