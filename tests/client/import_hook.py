"""The integrator's import webhook for tests: the SDK's ``ImportWebhook`` on a live server."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from ecombridge.client import ImportRequest, ImportWebhook
from tests.support.factories import InstalledApp
from tests.support.live import LiveServer


class Hook:
    def __init__(self, secret: str) -> None:
        self.requests: list[ImportRequest] = []
        self.counts: Mapping[str, int] = {}
        self.webhook = ImportWebhook(secret, self._counts)
        self.url = ""

    def _counts(self, request: ImportRequest) -> Mapping[str, int]:
        self.requests.append(request)
        return self.counts


@pytest.fixture
def import_hook(installed_app: InstalledApp, allow_private_webhooks: None) -> Iterator[Hook]:
    hook = Hook(installed_app.client_secret)
    server = LiveServer(hook.webhook)  # type: ignore[arg-type]
    server.start()
    hook.url = f"{server.url}/hubspot/import"
    yield hook
    server.stop()


Counts = Callable[[ImportRequest], Mapping[str, int]]


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def wsgi_import_hook(installed_app: InstalledApp, allow_private_webhooks: None) -> Iterator[Hook]:
    """The same webhook served by the standard library's WSGI server."""
    hook = Hook(installed_app.client_secret)
    server = make_server("127.0.0.1", 0, hook.webhook.wsgi, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    hook.url = f"http://127.0.0.1:{server.server_port}/wsgi/import"
    yield hook
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)
