"""A scripted bridge for unit tests: records requests, answers from a queue or a handler."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from ecombridge.client import AsyncClient, Client, Retry

Handler = Callable[[httpx.Request], httpx.Response]


class MockBridge:
    def __init__(self, handler: Handler | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self.answers: list[httpx.Response | Exception] = []
        self.handler = handler
        self.sleeps: list[float] = []

    def answer(self, status: int = 200, body: Any = None, **headers: str) -> MockBridge:
        content = b"" if body is None else json.dumps(body).encode()
        hdrs = {k.replace("_", "-"): v for k, v in headers.items()}
        if body is not None:
            hdrs["content-type"] = "application/json"
        self.answers.append(httpx.Response(status, content=content, headers=hdrs))
        return self

    def fail(self, exc: Exception) -> MockBridge:
        self.answers.append(exc)
        return self

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.answers:
            answer = self.answers.pop(0)
            if isinstance(answer, Exception):
                raise answer
            return answer
        if self.handler is not None:
            return self.handler(request)
        return httpx.Response(204)

    def client(self, **kwargs: Any) -> Client:
        kwargs.setdefault("api_key", "portal-key")
        kwargs.setdefault("retry", Retry(max_retries=3, jitter=0.0))
        return Client(
            "http://bridge.test",
            transport=httpx.MockTransport(self),
            sleep=self.sleeps.append,
            **kwargs,
        )

    def async_client(self, **kwargs: Any) -> AsyncClient:
        kwargs.setdefault("api_key", "portal-key")
        kwargs.setdefault("retry", Retry(max_retries=3, jitter=0.0))

        async def sleep(seconds: float) -> None:
            self.sleeps.append(seconds)

        return AsyncClient(
            "http://bridge.test", transport=httpx.MockTransport(self), sleep=sleep, **kwargs
        )

    def bodies(self) -> list[Any]:
        return [json.loads(r.content) if r.content else None for r in self.requests]
