"""The importer pages records (<=200 v2, <=500 v1) and ends every object type with true counts."""

from __future__ import annotations

import pytest

from ecombridge.client import ImportEnd, Importer, ImportMessage, ImportPage
from tests.client.mock_bridge import MockBridge


def records(n: int) -> list[ImportMessage]:
    return [ImportMessage(str(i), {"name": f"p{i}"}) for i in range(n)]


def test_plan_pages_each_type_in_processing_order_and_ends_all_four() -> None:
    plan = list(Importer(1000, "shop").plan({"DEAL": records(3), "PRODUCT": records(401)}))
    pages = [
        (s.object_type, s.page_number, len(s.messages)) for s in plan if isinstance(s, ImportPage)
    ]
    ends = [s for s in plan if isinstance(s, ImportEnd)]
    assert pages == [("PRODUCT", 0, 200), ("PRODUCT", 1, 200), ("PRODUCT", 2, 1), ("DEAL", 0, 3)]
    assert ends == [
        ImportEnd("PRODUCT", 3, 401),
        ImportEnd("CONTACT", 0, 0),
        ImportEnd("DEAL", 1, 3),
        ImportEnd("LINE_ITEM", 0, 0),
    ]


def test_page_size_is_capped_by_version() -> None:
    assert Importer(1, page_size=1000).page_size == 200
    assert Importer(1, page_size=1000, version=1).page_size == 500
    assert Importer(1, page_size=10).page_size == 10


def test_unknown_object_type_is_refused() -> None:
    with pytest.raises(ValueError, match="COMPANY"):
        list(Importer(1).plan({"COMPANY": []}))


def test_run_sends_v2_pages_and_ends() -> None:
    bridge = MockBridge()
    seen: list[tuple[str, int]] = []
    with bridge.client(access_token="tok") as client:
        ends = Importer(77, "shop", page_size=2).run(
            client,
            {
                "CONTACT": [
                    {"externalObjectId": "c1", "properties": {"email": "a@b.test"}},
                    {"externalObjectId": "c2", "properties": {}},
                    {"externalObjectId": "c3", "properties": {}},
                ]
            },
            on_page=lambda t, n: seen.append((t, n)),
        )
    assert seen == [("CONTACT", 2), ("CONTACT", 1)]
    assert ends["CONTACT"] == ImportEnd("CONTACT", 2, 3)
    paths = [r.url.path for r in bridge.requests]
    assert paths.count("/extensions/ecomm/v2/imports/page") == 2
    assert paths.count("/extensions/ecomm/v2/imports/end") == 4
    first = bridge.bodies()[1]  # PRODUCT ends first (no records), then CONTACT pages
    assert first == {
        "storeId": "shop",
        "importStartedAt": 77,
        "objectType": "CONTACT",
        "messages": [
            {"externalObjectId": "c1", "properties": {"email": "a@b.test"}},
            {"externalObjectId": "c2", "properties": {}},
        ],
        "pageNumber": 0,
    }


def test_run_v1_uses_import_pages_paths() -> None:
    bridge = MockBridge()
    with bridge.client(access_token="tok") as client:
        Importer(77, version=1).run(client, {"PRODUCT": records(1)})
    assert [(r.method, r.url.path) for r in bridge.requests][:2] == [
        ("PUT", "/extensions/ecomm/v1/import-pages/77/PRODUCT/0"),
        ("PUT", "/extensions/ecomm/v1/import-pages/77/PRODUCT/end"),
    ]
    assert bridge.bodies()[:2] == [
        [{"integratorObjectId": "0", "propertyNameToValues": {"name": "p0"}}],
        {"pageCount": 1, "itemCount": 1},
    ]


async def _arun(bridge: MockBridge) -> dict[str, ImportEnd]:
    async with bridge.async_client(access_token="tok") as client:
        return await Importer(5, page_size=1).arun(client, {"LINE_ITEM": records(2)})


def test_arun_sends_the_same_calls() -> None:
    import asyncio

    bridge = MockBridge()
    ends = asyncio.run(_arun(bridge))
    assert ends["LINE_ITEM"] == ImportEnd("LINE_ITEM", 2, 2)
    assert len(bridge.requests) == 6
