"""Security headers on every response of the web UI (``/`` and ``/app...``).

- ``Content-Security-Policy``: everything from the bridge itself, nothing inline (no inline
  script, style element or style attribute runs), no plugins, no ``<base>``, forms post only
  to the bridge, no framing;
- ``X-Frame-Options: DENY`` for browsers without ``frame-ancestors``;
- ``X-Content-Type-Options: nosniff``;
- ``Referrer-Policy: same-origin``: links out of the UI (a store's admin URL) carry no
  referrer.

A response that sets one of these headers itself keeps its own: the workflows' email preview
allows the inline styles of an email and being framed by the workflows page. A plain ASGI
middleware: the API's paths pass through untouched.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]


def is_ui_path(path: str) -> bool:
    return path in ("/", "/app") or path.startswith("/app/")


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_ui_path(scope["path"]):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                own = {name.lower() for name, _ in headers}
                added = [h for h in HEADERS if h[0] not in own]
                message = {**message, "headers": [*headers, *added]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
