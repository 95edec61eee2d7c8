"""A product's image, served from the bridge (see ``web/product_images``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from ecombridge.api.deps import Db
from ecombridge.limits import MAX_BIGINT
from ecombridge.outbound.addresses import AddressPolicy
from ecombridge.web import product_images, records
from ecombridge.web.display import title_of
from ecombridge.web.render import not_found
from ecombridge.web.repository import objects as repo
from ecombridge.web.session import CurrentUser

router = APIRouter()


@router.get("/objects/products/{product_id}/image")
def product_image(request: Request, user: CurrentUser, db: Db, product_id: int) -> Response:
    """The product's image, or a tile with its initials when it has none that can be shown."""
    row = None
    if 0 < product_id <= MAX_BIGINT:
        # Read and let go of the connection before the download, which may take seconds.
        with db.read() as conn:
            row = repo.get_object(conn, user.portal_id, "PRODUCT", product_id)
    if row is None:
        return not_found(request, "This product")
    props = row.properties or {}
    url = props.get(product_images.IMAGE_PROPERTY)
    image = None
    if isinstance(url, str) and url.strip():
        image = product_images.CACHE.get(url.strip(), AddressPolicy.from_env())
    if image is None:
        tile = product_images.initials_tile(
            records.initials(title_of("PRODUCT", props, product_id))
        )
        return Response(
            tile, media_type="image/svg+xml", headers={"Cache-Control": "private, max-age=300"}
        )
    return Response(
        image.body, media_type=image.media_type, headers={"Cache-Control": "private, max-age=3600"}
    )
