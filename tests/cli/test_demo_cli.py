"""``ecombridge demo``: a deterministic shop, synced through the SDK into a working bridge."""

from __future__ import annotations

import json
from pathlib import Path

from ecombridge.client import Client
from ecombridge.demo.generator import generate
from tests.cli.bridge import run
from tests.support.factories import Portal
from tests.support.live import LiveServer

END = 1_760_000_000_000


def test_same_seed_same_shop_and_a_different_seed_differs() -> None:
    first, again = generate(7, "small", end_ms=END), generate(7, "small", end_ms=END)
    assert [m.to_wire() for m in first.deals] == [m.to_wire() for m in again.deals]
    assert [m.to_wire() for m in generate(8, "small", end_ms=END).deals] != [
        m.to_wire() for m in first.deals
    ]


def test_shop_has_what_the_ui_and_reports_need() -> None:
    shop = generate(1, "small", end_ms=END)
    stages = {d.properties.get("status") for d in shop.deals}
    assert {"checkout_abandoned", "cancelled", "shipped"} <= stages
    assert "awaiting_fraud_review" in stages  # the unknown stage, on purpose
    placed = [d.properties["placed_at"] for d in shop.deals if "placed_at" in d.properties]
    assert min(placed) >= END - 90 * 86_400_000 and max(placed) < END
    per_order: dict[str, int] = {}
    for line in shop.line_items:
        per_order[line.associations["DEAL"][0]] = per_order.get(line.associations["DEAL"][0], 0) + 1
    assert set(per_order.values()) <= {1, 2, 3, 4, 5}
    assert all(p.properties["image"].startswith("https://") for p in shop.products)
    emails = [c.properties.get("email") for c in shop.contacts]
    assert "jamie.at.example.com" in emails and None in emails


def test_out_writes_ndjson_files(tmp_path: Path) -> None:
    result = run(
        "demo", "--size", "tiny", "--seed", "3", "--end-date", "2026-01-31", "--out", str(tmp_path)
    )
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "deal.ndjson").read_text().splitlines()
    assert json.loads(lines[0])["externalObjectId"].startswith("order-")
    assert json.loads((tmp_path / "settings.json").read_text())["enabled"] is True


def test_demo_fills_a_working_bridge(working_bridge: LiveServer, portal: Portal) -> None:
    result = run(
        "demo", "--size", "tiny", "--seed", "5", "--end-date", "2026-01-31",
        "--base-url", working_bridge.url, "--api-key", portal.api_key,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Demo store 'demo-outfitters' (Demo Outfitters): sent 6 PRODUCT" in result.stdout
    assert "still applying" not in result.stdout
    shop = generate(5, "tiny", end_ms=1_769_817_600_000, store_id="demo-outfitters")
    with Client(working_bridge.url, api_key=portal.api_key) as bridge:
        assert [s.id for s in bridge.list_stores()] == ["demo-outfitters"]  # no v1 install needed
        line = shop.line_items[0]
        assert bridge.sync_status(
            "LINE_ITEM", line.external_object_id, store_id="demo-outfitters"
        ).hubspot_id
        types = {e.type for e in bridge.iter_sync_errors("portal")}
    assert {"INVALID_EMAIL_ADDRESS", "MISSING_REQUIRED_PROPERTY", "INVALID_DEAL_STAGE"} <= types


def test_demo_needs_a_portal_key() -> None:
    result = run("demo", "--size", "tiny", env={"ECOMBRIDGE_API_KEY": ""})
    assert (result.exit_code, result.stderr.strip()) == (
        1,
        "error: the demo writes portal settings: pass the portal's --api-key.",
    )
