"""The API's rate limits at the HTTP edge: every answer to an authenticated API request carries
HubSpot's ``X-HubSpot-RateLimit-*`` headers, and a request over a limit is answered 429 with
``Retry-After`` and HubSpot's body, before any endpoint runs.

Outside the limits, as on HubSpot: the sync-message and import-page endpoints ("not subject to
our per-second or per-day API rate limits"), OAuth, the probes and metrics, the web UI and the
API docs. Requests without a valid credential are not counted (they are answered 401).
"""

from __future__ import annotations

import json
import re

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ecombridge.api.deps import current_principal, presented_secret
from ecombridge.errors import BridgeError
from ecombridge.ratelimit.policy import headers, rejection_body
from ecombridge.ratelimit.service import RateLimiter
from ecombridge.tenancy.secrets import digest

UNLIMITED = re.compile(
    r"^/(?:"
    r"extensions/ecomm/v2/sync/messages"
    r"|extensions/ecomm/v1/sync-messages/[^/]+"
    r"|extensions/ecomm/v2/imports/(?:page|end)"
    r"|(?:extensions/ecomm/v1/)?import-pages/.*"
    r"|oauth/.*"
    r"|healthz|readyz|metrics"
    r"|app(?:/.*)?"
    r"|docs(?:/.*)?|openapi\.json"
    r")?$"
)


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.limiter.enabled or UNLIMITED.match(scope["path"]):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        presented = presented_secret(request)
        if presented is None:
            await self.app(scope, receive, send)
            return
        try:
            principal = await current_principal(request)
        except BridgeError:
            await self.app(scope, receive, send)  # the endpoint answers 401
            return
        subject = self.limiter.subject(principal, digest(presented[0]))
        if self.limiter.counts_in_loop(subject):
            verdict = self.limiter.count(subject)
        else:
            verdict = await run_in_threadpool(self.limiter.count, subject)
        extra = headers(self.limiter.limits, verdict)
        if not verdict.allowed:
            correlation = str(scope["state"]["correlation_id"])
            body = json.dumps(rejection_body(verdict, correlation, subject.group)).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 429,
                    "headers": [
                        (b"content-type", b"application/json;charset=utf-8"),
                        (b"content-length", str(len(body)).encode()),
                        *extra,
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
