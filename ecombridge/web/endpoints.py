"""The web UI's routes under /app (API paths stay untouched), its static files, and / -> /app."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from fastapi import APIRouter, Request
from starlette.responses import FileResponse, RedirectResponse, Response

from ecombridge.web.pages import (
    auth,
    destinations,
    imports,
    mappings,
    object_list,
    pipeline,
    product_image,
    records,
    reports,
    stores,
    sync_errors,
    workflows,
)
from ecombridge.web.render import not_found

STATIC_DIR = (Path(__file__).parent / "static").resolve()
PAGE_MODULES = [
    auth,
    stores,
    imports,
    mappings,
    sync_errors,
    object_list,
    records,
    product_image,
    pipeline,
    reports,
    workflows,
    destinations,
]

router = APIRouter(include_in_schema=False)


@router.get("/")
def root() -> Response:
    return RedirectResponse("/app", status_code=307)


@router.get("/app")
def app_home() -> Response:
    return RedirectResponse("/app/stores", status_code=303)


@router.get("/app/static/{name}")
def static_file(request: Request, name: str) -> Response:
    try:
        path = (STATIC_DIR / name).resolve()
        found = path.parent == STATIC_DIR and path.is_file()
    except OSError:  # e.g. a name longer than the file system allows
        found = False
    if not found:
        return not_found(request, "This file")
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    headers = {"Cache-Control": "public, max-age=3600"}
    return FileResponse(path, media_type=media_type, headers=headers)


for _module in PAGE_MODULES:
    router.include_router(_module.router, prefix="/app")


@router.get("/app/{rest:path}")
def unknown_page(request: Request, rest: str) -> Response:
    """Any other address under /app: a page, not the API's JSON 404 (routes above win)."""
    return not_found(request, "This page")
