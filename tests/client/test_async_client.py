"""AsyncClient: the same wire, awaited; retries, errors and paging behave the same."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from ecombridge.client import AsyncClient, Client, NotFound, Store, SyncMessage
from tests.client.mock_bridge import MockBridge


def public_methods(cls: type) -> set[str]:
    return {n for n in dir(cls) if not n.startswith("_") and callable(getattr(cls, n))}


def test_async_client_has_the_same_methods_as_client() -> None:
    assert public_methods(AsyncClient) - {"aclose"} == public_methods(Client) - {"close"}


def test_async_send_chunks_and_retries() -> None:
    bridge = MockBridge().answer(503)

    async def go() -> int:
        async with bridge.async_client() as client:
            return await client.send_sync_messages(
                "PRODUCT", [SyncMessage(str(i)) for i in range(201)]
            )

    assert asyncio.run(go()) == 201
    assert [len(b["messages"]) for b in bridge.bodies()] == [200, 200, 1]
    assert bridge.sleeps == [0.5]


def test_async_errors_and_paging() -> None:
    bridge = MockBridge().answer(404, {"message": "no store", "category": "OBJECT_NOT_FOUND"})
    bridge.answer(200, {"results": [], "paging": {"next": {"page": "201"}}})

    async def go() -> None:
        async with bridge.async_client() as client:
            with pytest.raises(NotFound, match="no store"):
                await client.get_store("nope")
            assert [e async for e in client.iter_sync_errors()] == []

    asyncio.run(go())
    assert len(bridge.requests) == 2  # an empty page ends the listing even with paging


def test_async_store_round_trip() -> None:
    store = {"id": "s", "label": "S", "adminUri": None}
    bridge = MockBridge(lambda r: httpx.Response(200, json=store))

    async def go() -> Store:
        async with bridge.async_client(access_token="t") as client:
            return await client.put_store(Store("s", "S"))

    assert asyncio.run(go()) == Store("s", "S")
