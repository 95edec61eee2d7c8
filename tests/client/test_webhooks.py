"""The import webhook handler: v3 and v1 signatures, stale timestamps refused, importCounts
answered, as an ASGI app and as a WSGI app."""

from __future__ import annotations

import asyncio
import io
import json
import time
from typing import Any

import httpx

from ecombridge.client import (
    ImportRequest,
    ImportWebhook,
    signature_v1,
    signature_v3,
    verify_signature_v1,
    verify_signature_v3,
)

SECRET = "client-secret"
NOW = 1_700_000_000_000
URL = "http://shop.test/hubspot/import?x=1"
BODY = json.dumps(
    {
        "portalId": 12,
        "storeId": "shop",
        "importStartedAt": 1552678940201,
        "settingsToImport": [
            {"settingsId": 1, "objectType": "PRODUCT"},
            {"settingsId": 2, "objectType": "CONTACT"},
            {"settingsId": 3, "objectType": "LINE_ITEM"},
            {"settingsId": 4, "objectType": "DEAL"},
        ],
    }
).encode()
EXPECTED = {
    "importCounts": [
        {"settingsId": 1, "count": 24},
        {"settingsId": 2, "count": 792},
        {"settingsId": 3, "count": 0},
        {"settingsId": 4, "count": 901},
    ]
}

seen: list[ImportRequest] = []


def counts(request: ImportRequest) -> dict[str, int]:
    seen.append(request)
    return {"PRODUCT": 24, "CONTACT": 792, "DEAL": 901}


def webhook() -> ImportWebhook:
    return ImportWebhook(SECRET, counts, clock_ms=lambda: NOW)


def v3_headers(timestamp: int = NOW, secret: str = SECRET) -> dict[str, str]:
    ts = str(timestamp)
    return {
        "X-HubSpot-Signature-v3": signature_v3(secret, "POST", URL, BODY, ts),
        "X-HubSpot-Request-Timestamp": ts,
    }


def post(headers: dict[str, str], method: str = "POST") -> httpx.Response:
    async def go() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=webhook())) as client:
            return await client.request(method, URL, content=BODY, headers=headers)

    return asyncio.run(go())


def test_signature_v3_matches_hubspot_definition() -> None:
    import base64
    import hashlib
    import hmac

    expected = base64.b64encode(
        hmac.new(b"s", b"POSThttps://a.test/p{}123", hashlib.sha256).digest()
    ).decode()
    assert signature_v3("s", "POST", "https://a.test/p", b"{}", "123") == expected
    assert signature_v1("s", b"{}") == hashlib.sha256(b"s{}").hexdigest()


def test_verify_v3_refuses_old_future_and_forged() -> None:
    sig = signature_v3(SECRET, "POST", URL, BODY, str(NOW))
    assert verify_signature_v3(SECRET, "POST", URL, BODY, str(NOW), sig, now_ms=NOW + 299_000)
    assert not verify_signature_v3(SECRET, "POST", URL, BODY, str(NOW), sig, now_ms=NOW + 301_000)
    assert not verify_signature_v3(SECRET, "POST", URL, BODY, str(NOW), sig, now_ms=NOW - 301_000)
    assert not verify_signature_v3(SECRET, "POST", URL, BODY + b" ", str(NOW), sig, now_ms=NOW)
    assert not verify_signature_v3(SECRET, "POST", URL, BODY, "soon", sig, now_ms=NOW)
    assert verify_signature_v1(SECRET, BODY, signature_v1(SECRET, BODY))
    assert not verify_signature_v1("other", BODY, signature_v1(SECRET, BODY))


def test_asgi_answers_import_counts_for_a_valid_v3_signature() -> None:
    response = post(v3_headers())
    assert response.status_code == 200
    assert response.json() == EXPECTED
    assert seen[-1] == ImportRequest(
        12, "shop", 1552678940201, [(1, "PRODUCT"), (2, "CONTACT"), (3, "LINE_ITEM"), (4, "DEAL")]
    )


def test_asgi_refuses_a_timestamp_older_than_five_minutes() -> None:
    response = post(v3_headers(timestamp=NOW - 5 * 60_000 - 1))
    assert response.status_code == 401
    assert response.json() == {
        "status": "error",
        "message": "Invalid or expired HubSpot signature.",
    }


def test_asgi_refuses_a_wrong_secret_and_a_missing_signature() -> None:
    assert post(v3_headers(secret="nope")).status_code == 401
    assert post({}).status_code == 401


def test_asgi_accepts_a_v1_signature() -> None:
    response = post(
        {"X-HubSpot-Signature": signature_v1(SECRET, BODY), "X-HubSpot-Signature-Version": "v1"}
    )
    assert response.status_code == 200
    assert response.json() == EXPECTED


def test_asgi_refuses_get() -> None:
    assert post(v3_headers(), method="GET").status_code == 405


def test_async_counts_function_is_awaited() -> None:
    async def async_counts(request: ImportRequest) -> dict[str, int]:
        return {"DEAL": 1}

    hook = ImportWebhook(SECRET, async_counts, clock_ms=lambda: NOW)

    async def go() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=hook)) as client:
            return await client.post(URL, content=BODY, headers=v3_headers())

    response = asyncio.run(go())
    assert [c["count"] for c in response.json()["importCounts"]] == [0, 0, 0, 1]


def call_wsgi(headers: dict[str, str], body: bytes = BODY) -> tuple[str, dict[str, Any]]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "SCRIPT_NAME": "",
        "PATH_INFO": "/hubspot/import",
        "QUERY_STRING": "x=1",
        "wsgi.url_scheme": "http",
        "SERVER_NAME": "shop.test",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "HTTP_HOST": "shop.test",
    }
    for key, value in headers.items():
        environ["HTTP_" + key.upper().replace("-", "_")] = value
    status: list[str] = []
    chunks = webhook().wsgi(environ, lambda s, h: status.append(s))
    return status[0], json.loads(b"".join(chunks))


def test_wsgi_answers_import_counts_and_refuses_bad_signatures() -> None:
    status, body = call_wsgi(v3_headers())
    assert (status, body) == ("200 OK", EXPECTED)
    status, body = call_wsgi({"X-HubSpot-Signature": "0" * 64})
    assert status == "401 Unauthorized"


def test_wsgi_with_valid_signature_but_bad_body_is_400() -> None:
    body = b"{}"
    ts = str(NOW)
    headers = {
        "X-HubSpot-Signature-v3": signature_v3(SECRET, "POST", URL, body, ts),
        "X-HubSpot-Request-Timestamp": ts,
    }
    status, answer = call_wsgi(headers, body)
    assert status == "400 Bad Request"
    assert "settingsToImport" in answer["message"]


def test_signatures_agree_with_hubspots_own_validator() -> None:
    from hubspot.utils.signature import Signature

    body = BODY.decode()
    ts = str(int(time.time() * 1000))
    assert Signature.get_signature(SECRET, body, "v3", URL, "POST", ts) == signature_v3(
        SECRET, "POST", URL, BODY, ts
    )
    assert Signature.get_signature(SECRET, body, "v1") == signature_v1(SECRET, BODY)
    assert Signature.is_valid(
        signature_v3(SECRET, "POST", URL, BODY, ts), SECRET, body, URL, "POST", "v3", ts
    )
