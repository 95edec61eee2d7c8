"""``ecombridge import``: files per object type become an import the bridge applies."""

from __future__ import annotations

import json
from pathlib import Path

from ecombridge.client import Client, Store
from tests.cli.bridge import run
from tests.client.contract import settings
from tests.client.import_hook import Hook
from tests.support.factories import InstalledApp
from tests.support.live import LiveServer


def write(tmp_path: Path) -> dict[str, Path]:
    products = tmp_path / "products.csv"
    products.write_text("id,name,price\n" + "".join(f"p{i},Product {i},{i}.5\n" for i in range(3)))
    contacts = tmp_path / "contacts.ndjson"
    contacts.write_text(
        "".join(json.dumps({"id": f"c{i}", "email": f"c{i}@shop.test"}) + "\n" for i in range(5))
    )
    deals = tmp_path / "deals.json"
    deal = {
        "externalObjectId": "d1",
        "properties": {"name": "D1", "stage": "shipped"},
        "associations": {"CONTACT": ["c1"]},
    }
    deals.write_text(json.dumps([deal]))
    return {"products": products, "contacts": contacts, "deals": deals}


def test_import_starts_sends_pages_and_waits_until_complete(
    working_bridge: LiveServer, installed_app: InstalledApp, import_hook: Hook, tmp_path: Path
) -> None:
    import_hook.counts = {"PRODUCT": 3, "CONTACT": 5, "DEAL": 1}
    with Client(
        working_bridge.url,
        developer_api_key=installed_app.developer_api_key,
        app_id=installed_app.app_id,
    ) as dev:
        dev.put_settings(settings(webhook_uri=import_hook.url))
    with Client(working_bridge.url, access_token=installed_app.access_token) as app:
        app.put_store(Store("shop", "Shop"))
    files = write(tmp_path)
    result = run(
        "import", "--store-id", "shop",
        "--products", str(files["products"]), "--contacts", str(files["contacts"]),
        "--deals", str(files["deals"]), "--timeout", "60",
        "--base-url", working_bridge.url, "--access-token", installed_app.access_token,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Sent 9 records in pages; all four object types ended." in result.stdout
    assert "COMPLETE, 9 of 9 records applied." in result.stdout
    assert len(import_hook.requests) == 1
    with Client(working_bridge.url, access_token=installed_app.access_token) as app:
        assert app.sync_status("DEAL", "d1", store_id="shop").hubspot_id is not None


def test_import_needs_an_access_token(tmp_path: Path) -> None:
    result = run(
        "import",
        "--products",
        str(write(tmp_path)["products"]),
        env={"ECOMBRIDGE_ACCESS_TOKEN": ""},
    )
    assert (result.exit_code, result.stderr.strip()) == (
        1,
        "error: imports need an installed app's access token: pass --access-token.",
    )


def test_import_without_a_webhook_is_one_line(
    live_server: LiveServer, installed_app: InstalledApp, tmp_path: Path
) -> None:
    result = run(
        "import", "--products", str(write(tmp_path)["products"]),
        "--base-url", live_server.url, "--access-token", installed_app.access_token,
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr.startswith("error: 400 VALIDATION_ERROR: ")
    assert "webhook" in result.stderr
