"""The import webhook: the bridge asks the app how much it will import (reference §8).

The request is signed the way HubSpot signs requests to apps, with the app's client secret:
v1 ``X-HubSpot-Signature`` = sha256hex(secret + body), and v3 ``X-HubSpot-Signature-v3`` =
base64(HMAC-SHA256(secret, method + uri + body + timestamp)) with ``X-HubSpot-Request-Timestamp``.
Connection failures, timeouts, 429 and 5xx are retried by the job queue with backoff; each attempt
is recorded in the import's events, and the last failed attempt fails the import.

The URI is the app's, so the call goes through the outbound guard (``ecombridge.outbound``), and
what the app is told (events, failure reason) never describes what lies behind the URI: the
status code of an HTTP answer, or "no HTTP answer" alike for a refused address, a refused
connection, a timeout or a TLS failure, and never the reply's body. The operator's log has the
details.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from typing import Any

import httpx
from sqlalchemy.engine import Connection

from ecombridge.clock import now_ms
from ecombridge.db.engine import Database
from ecombridge.imports import repository as repo
from ecombridge.imports.receiving import finish_receiving
from ecombridge.imports.service import (
    APPLY_ORDER,
    AWAITING_COUNTS,
    RECEIVING,
    SETTINGS_IDS,
    TYPES_BY_SETTINGS_ID,
    WebhookTarget,
    add_event,
    fail_import,
    webhook_target,
)
from ecombridge.outbound.addresses import BlockedAddress
from ecombridge.outbound.transport import guarded_client
from ecombridge.queue.service import IMPORT_APPLY, schedule

TIMEOUT = httpx.Timeout(30.0, connect=5.0)
MAX_REPLY_BYTES = 1_000_000  # an importCounts reply is a few hundred bytes
NO_ANSWER = "no HTTP answer"
EXPECTED = 'expected {"importCounts":[{"settingsId":1,"count":24},...]}'
log = logging.getLogger(__name__)


class WebhookUnavailable(Exception):
    """The app could not be reached or answered 429/5xx: the job is retried."""


class MalformedReply(Exception):
    pass


def webhook_body(portal_id: int, store_id: str, started_at: int, api_version: int) -> bytes:
    body: dict[str, Any] = {"portalId": portal_id}
    if api_version >= 2:
        body["storeId"] = store_id
    body["importStartedAt"] = started_at
    body["settingsToImport"] = [
        {"settingsId": settings_id, "objectType": object_type}
        for object_type, settings_id in SETTINGS_IDS.items()
    ]
    return json.dumps(body, separators=(",", ":")).encode()


def signature_headers(
    client_secret: str, method: str, uri: str, body: bytes, timestamp_ms: int
) -> dict[str, str]:
    text = body.decode()
    v1 = hashlib.sha256(f"{client_secret}{text}".encode()).hexdigest()
    source = f"{method}{uri}{text}{timestamp_ms}".encode()
    v3 = base64.b64encode(hmac.new(client_secret.encode(), source, hashlib.sha256).digest())
    return {
        "X-HubSpot-Signature-Version": "v1",
        "X-HubSpot-Signature": v1,
        "X-HubSpot-Signature-v3": v3.decode(),
        "X-HubSpot-Request-Timestamp": str(timestamp_ms),
    }


def _count(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    return None


def parse_counts(text: str | None) -> dict[str, int]:
    """The announced totals per object type from the webhook's reply (None: too large), or
    MalformedReply. The problem names where in the reply it is, never what the reply holds."""
    if text is None:
        raise MalformedReply(f"the reply is larger than {MAX_REPLY_BYTES} bytes")
    try:
        reply = json.loads(text)
    except ValueError:
        reply = None
    if not isinstance(reply, dict) or not isinstance(reply.get("importCounts"), list):
        raise MalformedReply(
            f"the reply is not a JSON object with an importCounts list; {EXPECTED}"
        )
    counts: dict[str, int] = {}
    for index, item in enumerate(reply["importCounts"]):
        where = f"importCounts[{index}]"
        if not isinstance(item, dict):
            raise MalformedReply(f"{where} is not an object")
        settings_id = item.get("settingsId")
        count = _count(item.get("count"))
        if isinstance(settings_id, bool) or not isinstance(settings_id, int):
            raise MalformedReply(f"{where}.settingsId must be an integer")
        object_type = TYPES_BY_SETTINGS_ID.get(settings_id)
        if object_type is None:
            raise MalformedReply(
                f"{where}.settingsId is unknown (1 PRODUCT, 2 CONTACT, 3 LINE_ITEM, 4 DEAL)"
            )
        if count is None:
            raise MalformedReply(f"{where}.count must be a non-negative integer")
        if object_type in counts:
            raise MalformedReply(f"{where}: settingsId {settings_id} is listed twice")
        counts[object_type] = count
    return counts


def accept_counts(conn: Connection, import_id: int, counts: dict[str, int]) -> None:
    """The webhook answered: record the announced totals and receive pages."""
    row = repo.get_import(conn, import_id, for_update=True)
    if row is None or row.state != AWAITING_COUNTS:
        return
    repo.set_announced(conn, import_id, counts)
    described = ", ".join(f"{t} {counts.get(t, 'not announced')}" for t in APPLY_ORDER)
    add_event(conn, import_id, f"Webhook answered; announced counts: {described}.", state=RECEIVING)
    # The apply runs while pages arrive (``ecombridge.imports.apply``).
    schedule(conn, IMPORT_APPLY, import_id, row.portal_id, now_ms())
    finish_receiving(conn, import_id)  # every type may already have ended


def _post(target: WebhookTarget, body: bytes) -> tuple[int, str | None]:
    """The reply's status, and its text when it is a success (other bodies are not read; None
    when it is larger than MAX_REPLY_BYTES)."""
    headers = {"Content-Type": "application/json"}
    headers.update(signature_headers(target.client_secret, "POST", target.uri, body, now_ms()))
    with (
        guarded_client(TIMEOUT) as client,
        client.stream("POST", target.uri, content=body, headers=headers) as response,
    ):
        if not 200 <= response.status_code < 300:
            return response.status_code, ""
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > MAX_REPLY_BYTES:
                return response.status_code, None
            chunks.append(chunk)
        return response.status_code, b"".join(chunks).decode("utf-8", errors="replace")


def run_import_webhook(
    db: Database, import_id: int, *, attempt: int = 1, final: bool = True
) -> None:
    """Send the import webhook of an import waiting for its counts.

    Raises WebhookUnavailable (to be retried) unless ``final``, when the import fails instead.
    """
    with db.read() as conn:
        row = repo.get_import(conn, import_id)
        if row is None or row.state != AWAITING_COUNTS:
            return  # already answered (a repeated job) or gone
        target = webhook_target(conn, row.app_id)
    if target is None:
        with db.write() as conn:
            fail_import(conn, import_id, "the app no longer has an import webhook URI.")
        return
    if not _is_http_url(target.uri):  # only URIs stored before they were checked on save
        with db.write() as conn:
            fail_import(conn, import_id, "the import webhook URI is not an absolute http(s) URL.")
        return
    body = webhook_body(row.portal_id, row.store_id, row.started_at, target.api_version)
    try:
        status, reply = _post(target, body)
    except (httpx.HTTPError, BlockedAddress) as exc:
        log.warning(
            "import %d: webhook attempt %d got no HTTP answer: %s: %s",
            import_id,
            attempt,
            type(exc).__name__,
            exc,
        )
        _retry_or_fail(db, import_id, attempt, final, NO_ANSWER)
        return
    if status == 429 or status >= 500:
        _retry_or_fail(db, import_id, attempt, final, f"HTTP {status}")
        return
    with db.write() as conn:
        if not 200 <= status < 300:
            fail_import(conn, import_id, f"the import webhook answered HTTP {status}.")
            return
        try:
            counts = parse_counts(reply)
        except MalformedReply as exc:
            fail_import(conn, import_id, f"the import webhook answered HTTP {status} but {exc}.")
            return
        add_event(conn, import_id, f"Webhook attempt {attempt}: HTTP {status}.")
        accept_counts(conn, import_id, counts)


def _is_http_url(uri: str) -> bool:
    try:
        url = httpx.URL(uri)
    except httpx.InvalidURL:
        return False
    return url.scheme in ("http", "https") and bool(url.host)


def _retry_or_fail(db: Database, import_id: int, attempt: int, final: bool, problem: str) -> None:
    with db.write() as conn:
        if final:
            fail_import(
                conn, import_id, f"the import webhook failed after {attempt} attempts: {problem}."
            )
            return
        add_event(conn, import_id, f"Webhook attempt {attempt} failed ({problem}); will retry.")
    raise WebhookUnavailable(problem)
