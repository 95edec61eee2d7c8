"""A real HTTP server playing the integrator's import webhook endpoint.

It checks every request's v3 and v1 signatures with HubSpot's own validator (the official
``hubspot-api-client`` package) and answers from a script of replies, repeating the last one.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from hubspot.utils.signature import Signature


@dataclass
class Reply:
    status: int = 200
    body: str = ""
    delay_s: float = 0.0  # answer late (to exercise the bridge's timeout)


def counts_reply(product: int, contact: int, line_item: int, deal: int) -> Reply:
    counts = [
        {"settingsId": 1, "count": product},
        {"settingsId": 2, "count": contact},
        {"settingsId": 3, "count": line_item},
        {"settingsId": 4, "count": deal},
    ]
    return Reply(200, json.dumps({"importCounts": counts}))


@dataclass
class Received:
    path: str
    body: dict[str, Any]
    headers: dict[str, str]
    v3_valid: bool
    v1_valid: bool


@dataclass
class Integrator:
    client_secret: str
    replies: list[Reply] = field(default_factory=lambda: [counts_reply(2, 2, 3, 2)])
    received: list[Received] = field(default_factory=list)
    url: str = ""

    def next_reply(self) -> Reply:
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]


def _handler(integrator: Integrator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length", "0"))).decode()
            host, port = self.server.server_address[:2]
            uri = f"http://{host!s}:{port}{self.path}"
            v3 = Signature.is_valid(
                signature=self.headers.get("X-HubSpot-Signature-v3", ""),
                client_secret=integrator.client_secret,
                request_body=raw,
                http_uri=uri,
                http_method="POST",
                signature_version="v3",
                timestamp=self.headers.get("X-HubSpot-Request-Timestamp"),
            )
            v1 = Signature.is_valid(
                signature=self.headers.get("X-HubSpot-Signature", ""),
                client_secret=integrator.client_secret,
                request_body=raw,
                signature_version="v1",
            )
            integrator.received.append(
                Received(self.path, json.loads(raw), dict(self.headers.items()), v3, v1)
            )
            reply = integrator.next_reply() if v3 and v1 else Reply(401, "bad signature")
            time.sleep(reply.delay_s)
            payload = reply.body.encode()
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the bridge gave up waiting (timeout tests)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def serve(integrator: Integrator) -> Iterator[Integrator]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(integrator))
    integrator.url = f"http://127.0.0.1:{server.server_address[1]}/hubspot/import"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield integrator
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
