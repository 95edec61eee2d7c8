"""Wire tolerance applied before routing, as a plain ASGI middleware (cheap on the hot path).

- ``/x/`` is the same as ``/x`` (slumber and PrestaShop add trailing slashes);
- ``?&a=b`` and a bare ``?`` are ordinary query strings (hubspot-php, hubspot3);
- bodies larger than the configured limit are answered with 413 in HubSpot's error shape, and
  bodies not received within the read timeout with 408 (the connection is then closed);
- a NUL character in the path is a 404 (no id or name holds one), in the query a 400: PostgreSQL
  text cannot carry it, so it must not reach the database.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ecombridge.api.errors import error_body


class WireToleranceMiddleware:
    def __init__(self, app: ASGIApp, max_body_bytes: int, read_timeout_s: float = 0) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.read_timeout_s = read_timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope = dict(scope)
        path: str = scope["path"]
        raw = scope.get("raw_path")
        # Only literal trailing slashes: an encoded one (%2F) ends an id such as "b/".
        slashes = len(raw) - len(raw.rstrip(b"/")) if raw else len(path) - len(path.rstrip("/"))
        if len(path) > 1 and slashes:
            scope["path"] = path[:-slashes] or "/"
            if raw:
                scope["raw_path"] = raw[:-slashes] or b"/"
        query: bytes = scope.get("query_string", b"")
        if query.startswith(b"&"):
            scope["query_string"] = query.lstrip(b"&")
        correlation = str(uuid.uuid4())
        scope.setdefault("state", {})["correlation_id"] = correlation
        if "\x00" in scope["path"]:
            message = "Not found: no id or name contains a NUL character (%00)."
            await self._reject(send, correlation, 404, message, "OBJECT_NOT_FOUND")
            return
        if b"%00" in query or b"\x00" in query:
            message = "The query string must not contain NUL characters (%00)."
            await self._reject(send, correlation, 400, message)
            return

        limit = self.max_body_bytes
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > limit:
                    message = f"Request body too large: the limit is {limit} bytes."
                    await self._reject(send, correlation, 413, message)
                    return

        received = 0
        body_done = False
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.read_timeout_s if self.read_timeout_s > 0 else None

        async def limited_receive() -> Message:
            nonlocal received, body_done
            if body_done or deadline is None:
                message = await receive()
            else:
                try:
                    message = await asyncio.wait_for(receive(), max(0.0, deadline - loop.time()))
                except TimeoutError:
                    # A client trickling its body holds a connection and a worker slot.
                    raise HTTPException(
                        408,
                        f"The request body was not received within {self.read_timeout_s} s.",
                        headers={"Connection": "close"},
                    ) from None
            if message["type"] == "http.request":
                body_done = not message.get("more_body", False)
                received += len(message.get("body", b""))
                if received > limit:
                    # Rendered in HubSpot's shape by the HTTPException handler.
                    raise HTTPException(413, f"Request body too large: the limit is {limit} bytes.")
            return message

        await self.app(scope, limited_receive, send)

    @staticmethod
    async def _reject(
        send: Send, correlation: str, status: int, message: str, category: str = "VALIDATION_ERROR"
    ) -> None:
        body: dict[str, Any] = error_body(message, category, correlation)
        payload = json.dumps(body).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json;charset=utf-8"),
                    (b"content-length", str(len(payload)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})
