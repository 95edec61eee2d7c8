"""The integrator's import webhook for tests: the SDK's ``ImportWebhook`` on a live server."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

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
def import_hook(installed_app: InstalledApp) -> Iterator[Hook]:
    hook = Hook(installed_app.client_secret)
    server = LiveServer(hook.webhook)  # type: ignore[arg-type]
    server.start()
    hook.url = f"{server.url}/hubspot/import"
    yield hook
    server.stop()


Counts = Callable[[ImportRequest], Mapping[str, int]]
