"""Contract: AsyncClient over httpx's ASGI transport, straight into the app (no network)."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI

from ecombridge.client import AsyncClient, NotFound, Store, SyncMessage
from tests.client.contract import settings
from tests.support.factories import Portal
from tests.support.jobs import RunJobs


def test_async_client_in_process(app: FastAPI, portal: Portal, run_jobs: RunJobs) -> None:
    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        async with AsyncClient(
            "http://bridge", api_key=portal.api_key, transport=transport
        ) as bridge:
            assert await bridge.put_settings(settings()) == settings()
            await bridge.put_store(Store("async-shop", "Async shop"))
            assert [s.id for s in await bridge.list_stores()] == ["async-shop"]
            sent = await bridge.send_sync_messages(
                "CONTACT",
                [SyncMessage(f"a{i}", {"email": f"a{i}@shop.test"}) for i in range(201)]
                + [SyncMessage("bad", {"email": "bad"})],
                store_id="async-shop",
            )
            assert sent == 202
            await asyncio.to_thread(run_jobs)
            status = await bridge.sync_status("CONTACT", "a200", store_id="async-shop")
            assert status.hubspot_id is not None
            errors = [e async for e in bridge.iter_sync_errors("portal", page_size=1)]
            assert [e.external_object_id for e in errors] == ["bad"]
            with pytest.raises(NotFound):
                await bridge.get_store("missing")

    asyncio.run(scenario())
