"""The import webhook, integrator side: verify HubSpot's signature, answer ``importCounts``.

``ImportWebhook`` is an ASGI callable (mount it in any ASGI app) and offers ``wsgi`` (a WSGI
callable). Signatures checked: v3 (``X-HubSpot-Signature-v3``: base64 HMAC-SHA256 of method +
URI + body + timestamp, keyed with the client secret, timestamp at most 5 minutes old) and v1
(``X-HubSpot-Signature``: hex SHA-256 of client secret + body).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import inspect
import json
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

MAX_AGE_SECONDS = 300

Counts = Mapping[str, int]
CountsFunction = Callable[["ImportRequest"], Counts | Awaitable[Counts]]


@dataclass(frozen=True)
class ImportRequest:
    """The webhook body: which import, and the settings id of each object type."""

    portal_id: int | None
    store_id: str | None
    import_started_at: int
    settings_to_import: list[tuple[int, str]]

    @classmethod
    def from_wire(cls, wire: dict[str, Any]) -> ImportRequest:
        settings = [(int(s["settingsId"]), str(s["objectType"])) for s in wire["settingsToImport"]]
        portal = wire.get("portalId")
        return cls(
            None if portal is None else int(portal),
            wire.get("storeId"),
            int(wire["importStartedAt"]),
            settings,
        )


def signature_v3(client_secret: str, method: str, uri: str, body: bytes, timestamp: str) -> str:
    message = method.upper().encode() + uri.encode() + body + timestamp.encode()
    digest = hmac.new(client_secret.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signature_v1(client_secret: str, body: bytes) -> str:
    return hashlib.sha256(client_secret.encode() + body).hexdigest()


def verify_signature_v3(
    client_secret: str,
    method: str,
    uri: str,
    body: bytes,
    timestamp: str,
    signature: str,
    *,
    now_ms: int | None = None,
    max_age_seconds: int = MAX_AGE_SECONDS,
) -> bool:
    """True when the signature matches and the timestamp is recent (and not in the future)."""
    try:
        sent_ms = int(timestamp)
    except ValueError:
        return False
    now = now_ms if now_ms is not None else int(time.time() * 1000)
    if abs(now - sent_ms) > max_age_seconds * 1000:
        return False
    expected = signature_v3(client_secret, method, uri, body, timestamp)
    return hmac.compare_digest(expected, signature)


def verify_signature_v1(client_secret: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(signature_v1(client_secret, body), signature.lower())


class ImportWebhook:
    """Answer the bridge's import webhook with counts from ``counts(request)``.

    ``counts`` returns a mapping object type -> number of records the integrator will send
    (missing types count 0); with ASGI it may be a coroutine function.
    ``public_base_url`` (e.g. ``https://shop.example.com``) replaces scheme and host when the
    app sits behind a proxy, so the URI checked is the one the bridge signed.
    """

    def __init__(
        self,
        client_secret: str,
        counts: CountsFunction,
        *,
        public_base_url: str | None = None,
        max_age_seconds: int = MAX_AGE_SECONDS,
        clock_ms: Callable[[], int] | None = None,
    ) -> None:
        self.client_secret = client_secret
        self.counts = counts
        self.public_base_url = public_base_url.rstrip("/") if public_base_url else None
        self.max_age_seconds = max_age_seconds
        self.clock_ms = clock_ms or (lambda: int(time.time() * 1000))

    # -- the protocol-independent part ---------------------------------------------------

    def verify(self, method: str, uri: str, headers: Mapping[str, str], body: bytes) -> bool:
        v3 = headers.get("x-hubspot-signature-v3")
        if v3 is not None:
            return verify_signature_v3(
                self.client_secret,
                method,
                uri,
                body,
                headers.get("x-hubspot-request-timestamp", ""),
                v3,
                now_ms=self.clock_ms(),
                max_age_seconds=self.max_age_seconds,
            )
        v1 = headers.get("x-hubspot-signature")
        version = headers.get("x-hubspot-signature-version", "v1").lower()
        return (
            v1 is not None and version == "v1" and verify_signature_v1(self.client_secret, body, v1)
        )

    def _parse(
        self, method: str, uri: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, Any]] | ImportRequest:
        if method.upper() != "POST":
            return 405, _error("The import webhook accepts POST only.")
        if not self.verify(method, uri, headers, body):
            return 401, _error("Invalid or expired HubSpot signature.")
        try:
            return ImportRequest.from_wire(json.loads(body))
        except (ValueError, KeyError, TypeError) as exc:
            return 400, _error(f"Not an import webhook body: {exc}")

    @staticmethod
    def _answer(request: ImportRequest, counts: Counts) -> tuple[int, dict[str, Any]]:
        return 200, {
            "importCounts": [
                {"settingsId": settings_id, "count": int(counts.get(object_type, 0))}
                for settings_id, object_type in request.settings_to_import
            ]
        }

    def _uri(self, scheme: str, host: str, path: str, query: str) -> str:
        base = self.public_base_url or f"{scheme}://{host}"
        return f"{base}{path}" + (f"?{query}" if query else "")

    # -- ASGI ----------------------------------------------------------------------------

    async def __call__(
        self,
        scope: dict[str, Any],
        receive: Callable[[], Awaitable[dict[str, Any]]],
        send: Callable[[dict[str, Any]], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http":
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        raw_path = scope.get("raw_path")
        path = raw_path.decode("latin-1") if raw_path else scope["path"]
        uri = self._uri(
            scope.get("scheme", "http"),
            headers.get("host", ""),
            path,
            scope.get("query_string", b"").decode("latin-1"),
        )
        parsed = self._parse(scope["method"], uri, headers, body)
        if isinstance(parsed, ImportRequest):
            counts = self.counts(parsed)
            if inspect.isawaitable(counts):
                counts = await counts
            status, payload = self._answer(parsed, counts)
        else:
            status, payload = parsed
        data = json.dumps(payload).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(data)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": data})

    # -- WSGI ----------------------------------------------------------------------------

    def wsgi(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        headers = {
            key[5:].replace("_", "-").lower(): str(value)
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        host = headers.get("host") or environ.get("SERVER_NAME", "")
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        uri = self._uri(
            environ.get("wsgi.url_scheme", "http"), host, path, environ.get("QUERY_STRING", "")
        )
        parsed = self._parse(environ.get("REQUEST_METHOD", "GET"), uri, headers, body)
        if isinstance(parsed, ImportRequest):
            counts = self.counts(parsed)
            if inspect.isawaitable(counts):
                if inspect.iscoroutine(counts):
                    counts.close()
                raise TypeError("With WSGI, counts must be a plain function, not a coroutine.")
            status, payload = self._answer(parsed, counts)
        else:
            status, payload = parsed
        data = json.dumps(payload).encode()
        reason = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 405: "Method Not Allowed"}
        start_response(
            f"{status} {reason.get(status, '')}".strip(),
            [("Content-Type", "application/json"), ("Content-Length", str(len(data)))],
        )
        return [data]


def _error(message: str) -> dict[str, Any]:
    return {"status": "error", "message": message}
