"""A second bridge process standing in for a HubSpot portal, and a transport recording what the
relay sends to it."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from ecombridge.db.engine import Database
from ecombridge.tenancy import service as tenancy
from tests.cli.serving import start_serve, stop_process, wait_healthy
from tests.support.live import free_port

RATE_LIMIT = "40/1s"


@dataclass
class TargetPortal:
    url: str
    portal_id: int
    token: str

    def get(self, path: str, **params: Any) -> Any:
        return self._call("GET", path, params=params)

    def post(self, path: str, body: Any) -> Any:
        return self._call("POST", path, json=body)

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        """The target's answer, waiting out its rate limit (the relay shares it)."""
        headers = {"Authorization": f"Bearer {self.token}"}
        for _ in range(50):
            response = httpx.request(method, self.url + path, headers=headers, timeout=10, **kwargs)
            if response.status_code != 429:
                break
            time.sleep(float(response.headers.get("retry-after", "1")))
        assert response.status_code == 200, response.text
        return response.json()


class TargetServer:
    """``ecombridge serve`` on a free port with its own SQLite file."""

    def __init__(self, directory: Path, rate_limit: str = RATE_LIMIT) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database_url = f"sqlite:///{directory / 'target.db'}"
        self.log = directory / "target.log"
        rate = {"ECOMBRIDGE_RATE_LIMIT": rate_limit}
        self.process = start_serve(self.database_url, self.port, self.log, extra_env=rate)
        wait_healthy(self.url, self.process, self.log)
        self.db = Database(self.database_url)

    def new_portal(self) -> TargetPortal:
        """A fresh portal (with HubSpot's standard properties and pipeline) and a private-app
        token of it."""
        with self.db.write() as conn:
            created = tenancy.create_portal(conn, "Target portal")
            tenancy.ensure_portal_schema(conn, created.portal_id)
            token = tenancy.create_private_app_token(conn, created.portal_id)
        return TargetPortal(self.url, created.portal_id, token)

    def stop(self) -> None:
        self.db.dispose()
        stop_process(self.process)


@dataclass
class Sent:
    method: str
    path: str
    body: Any
    status: int


@dataclass
class Recorder:
    sent: list[Sent] = field(default_factory=list)
    # path suffix -> how many more requests to it are answered 401 without reaching the target
    refusing: dict[str, int] = field(default_factory=dict)

    def transport(self) -> httpx.BaseTransport:
        return _Recording(self, httpx.HTTPTransport())

    def to(self, suffix: str) -> list[Sent]:
        return [s for s in self.sent if s.path.endswith(suffix)]

    def refuse(self, suffix: str, times: int = 1) -> None:
        """Answer the next ``times`` requests to paths ending in ``suffix`` with a 401 (a token
        revoked in the middle of a delivery)."""
        self.refusing[suffix] = times

    def _refused(self, path: str) -> bool:
        for suffix, left in self.refusing.items():
            if left > 0 and path.endswith(suffix):
                self.refusing[suffix] = left - 1
                return True
        return False


class _Recording(httpx.BaseTransport):
    def __init__(self, recorder: Recorder, inner: httpx.BaseTransport) -> None:
        self.recorder, self.inner = recorder, inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        if self.recorder._refused(request.url.path):
            refusal = {
                "status": "error",
                "message": "The token was revoked.",
                "category": "INVALID_AUTHENTICATION",
            }
            response = httpx.Response(401, json=refusal, request=request)
        else:
            response = self.inner.handle_request(request)
        self.recorder.sent.append(
            Sent(request.method, request.url.path, body, response.status_code)
        )
        return response

    def close(self) -> None:
        self.inner.close()
