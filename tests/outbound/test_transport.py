"""Requests through the guarded transports reach permitted hosts only, at the address checked."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI, Request

from ecombridge.outbound.addresses import AddressPolicy, BlockedAddress
from ecombridge.outbound.transport import AsyncGuardedTransport, GuardedTransport, pin
from tests.support.live import LiveServer


@pytest.fixture(scope="module")
def echo() -> Iterator[LiveServer]:
    app = FastAPI()

    @app.get("/echo")
    async def show(request: Request) -> dict[str, str]:
        return {"host": request.headers["host"]}

    server = LiveServer(app)
    server.start()
    yield server
    server.stop()


def test_a_private_target_is_refused_before_any_connection(echo: LiveServer) -> None:
    with (
        httpx.Client(transport=GuardedTransport(AddressPolicy())) as client,
        pytest.raises(BlockedAddress),
    ):
        client.get(f"{echo.url}/echo")


def test_an_allowed_target_is_reached_with_its_own_host_header(echo: LiveServer) -> None:
    policy = AddressPolicy.from_setting("127.0.0.0/8")
    with httpx.Client(transport=GuardedTransport(policy)) as client:
        reply = client.get(f"http://localhost:{echo.port}/echo")
    assert reply.json() == {"host": f"localhost:{echo.port}"}


def test_the_async_transport_guards_the_same_way(echo: LiveServer) -> None:
    async def fetch(policy: AddressPolicy) -> httpx.Response:
        async with httpx.AsyncClient(transport=AsyncGuardedTransport(policy)) as client:
            return await client.get(f"{echo.url}/echo")

    with pytest.raises(BlockedAddress):
        asyncio.run(fetch(AddressPolicy()))
    assert asyncio.run(fetch(AddressPolicy(allow_all=True))).status_code == 200


def test_https_keeps_the_name_for_tls() -> None:
    request = httpx.Request("GET", "https://localhost:8443/x")
    pin(request, AddressPolicy(allow_all=True))
    assert request.url.host in ("127.0.0.1", "::1")
    assert request.extensions["sni_hostname"] == "localhost"
    assert request.headers["host"] == "localhost:8443"


def test_only_http_schemes_are_called() -> None:
    with pytest.raises(BlockedAddress, match="scheme"):
        pin(httpx.Request("GET", "ftp://example.com/x"), AddressPolicy(allow_all=True))
