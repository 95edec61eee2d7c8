"""Product images are fetched by the bridge and served from its own origin, never linked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.responses import Response

from ecombridge.db.engine import Database
from ecombridge.db.tables import crm_objects
from ecombridge.web.product_images import CACHE, MAX_IMAGE_BYTES, sniff
from tests.support.factories import Portal
from tests.support.live import LiveServer
from tests.web.factories import Shop

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 16


def _image_host() -> FastAPI:
    host = FastAPI()

    @host.get("/mug.png")
    def mug() -> Response:
        return Response(PNG, media_type="image/png")

    @host.get("/page.png")
    def html_called_png() -> Response:
        return Response(b"<html><script>alert(1)</script></html>", media_type="image/png")

    @host.get("/huge.png")
    def huge() -> Response:
        return Response(PNG + b"\x00" * MAX_IMAGE_BYTES, media_type="image/png")

    @host.get("/moved.png")
    def moved() -> Response:
        return Response(status_code=302, headers={"Location": "/mug.png"})

    return host


@pytest.fixture
def image_host() -> Iterator[LiveServer]:
    server = LiveServer(_image_host())
    server.start()
    CACHE._entries.clear()
    CACHE._bytes = 0
    yield server
    server.stop()


def _set_image(db: Database, product_id: int, url: str) -> None:
    with db.write() as conn:
        props = conn.execute(
            sa.select(crm_objects.c.properties).where(crm_objects.c.id == product_id)
        ).scalar_one()
        props = {**props, "ip__ecomm_bridge__image_url": url}
        conn.execute(
            sa.update(crm_objects).where(crm_objects.c.id == product_id).values(properties=props)
        )


def test_only_raster_images_are_recognised_by_their_first_bytes() -> None:
    assert sniff(PNG[:16]) == "image/png"
    assert sniff(b"\xff\xd8\xff\xe0" + b"\x00" * 12) == "image/jpeg"
    assert sniff(b"GIF89a" + b"\x00" * 10) == "image/gif"
    assert sniff(WEBP[:16]) == "image/webp"
    assert sniff(b'<svg xmlns="http://www.w3.org/2000/svg">') is None
    assert sniff(b"<html><body>") is None


def test_a_product_image_is_served_from_the_bridge(
    user_client: TestClient,
    db: Database,
    shop: Shop,
    image_host: LiveServer,
    allow_private_webhooks: None,
) -> None:
    mug = shop.products["mug"]
    _set_image(db, mug, f"{image_host.url}/mug.png")

    response = user_client.get(f"/app/objects/products/{mug}/image")

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content == PNG
    page = user_client.get(f"/app/objects/products/{mug}").text
    assert f'id="product-image" src="/app/objects/products/{mug}/image"' in page
    assert f'src="{image_host.url}' not in page  # the browser never fetches from the shop's host


def test_order_lines_show_their_product_image_and_initials_otherwise(
    user_client: TestClient, db: Database, shop: Shop
) -> None:
    mug = shop.products["mug"]
    _set_image(db, mug, "https://images.example.com/mug.png")
    order_with_mug = next(d for n, d in shop.deals.items() if int(n) % 3 == 0)
    order_with_tee = next(d for n, d in shop.deals.items() if int(n) % 3 == 1)

    with_mug = user_client.get(f"/app/objects/deals/{order_with_mug}").text
    with_tee = user_client.get(f"/app/objects/deals/{order_with_tee}").text

    assert f'<img class="thumb" src="/app/objects/products/{mug}/image"' in with_mug
    assert 'src="https://images.example.com' not in with_mug
    assert '<img class="thumb"' not in with_tee
    assert '<span class="thumb" aria-hidden="true">LT</span>' in with_tee


@pytest.mark.parametrize("path", ["page.png", "huge.png", "moved.png", "missing.png"])
def test_what_is_not_an_image_we_serve_becomes_the_initials_tile(
    user_client: TestClient,
    db: Database,
    shop: Shop,
    image_host: LiveServer,
    allow_private_webhooks: None,
    path: str,
) -> None:
    mug = shop.products["mug"]
    _set_image(db, mug, f"{image_host.url}/{path}")

    response = user_client.get(f"/app/objects/products/{mug}/image")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert b">EM</text>" in response.content  # Enamel mug
    assert b"script" not in response.content


def test_an_image_on_a_private_address_is_not_fetched_unless_allowed(
    user_client: TestClient, db: Database, shop: Shop, image_host: LiveServer
) -> None:
    mug = shop.products["mug"]
    _set_image(db, mug, f"{image_host.url}/mug.png")

    response = user_client.get(f"/app/objects/products/{mug}/image")

    assert response.headers["content-type"].startswith("image/svg+xml")


def test_images_are_per_portal_and_need_a_signed_in_user(
    client: TestClient, user_client: TestClient, db: Database, portal: Portal, shop: Shop
) -> None:
    assert user_client.get("/app/objects/products/999999999/image").status_code == 404
    user_client.cookies.clear()
    response = client.get(
        f"/app/objects/products/{shop.products['mug']}/image", follow_redirects=False
    )
    assert response.status_code in (303, 401)
