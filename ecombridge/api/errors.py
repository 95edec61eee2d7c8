"""HubSpot's error body, for every error the HTTP edge answers."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ecombridge.db import storage
from ecombridge.errors import BridgeError, StorageFull

log = logging.getLogger(__name__)

DISK_FULL_RETRY_AFTER_S = 60

_HTTP_CATEGORIES = {
    401: "INVALID_AUTHENTICATION",
    403: "MISSING_SCOPES",
    404: "OBJECT_NOT_FOUND",
    405: "VALIDATION_ERROR",
    409: "CONFLICT",
    413: "VALIDATION_ERROR",
    429: "RATE_LIMITS",
}


def correlation_id(request: Request) -> str:
    value = getattr(request.state, "correlation_id", None)
    if value is None:
        value = str(uuid.uuid4())
        request.state.correlation_id = value
    return str(value)


def error_body(
    message: str,
    category: str,
    correlation: str,
    errors: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "status": "error",
        "message": message,
        "correlationId": correlation,
        "requestId": correlation.replace("-", ""),
        "category": category,
    }
    if errors:
        body["errors"] = errors
    return body


def error_response(
    request: Request,
    status_code: int,
    message: str,
    category: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = error_body(message, category, correlation_id(request), errors)
    return JSONResponse(body, status_code=status_code, headers=headers)


def _describe_location(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts) or "body"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(BridgeError)
    async def _bridge_error(request: Request, exc: BridgeError) -> JSONResponse:
        return error_response(
            request, exc.http_status, exc.message, exc.category, exc.errors, exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for err in exc.errors():
            where = _describe_location(tuple(err.get("loc", ())))
            errors.append({"message": f"{where}: {err.get('msg', 'invalid')}", "in": where})
        message = "Invalid input: " + "; ".join(e["message"] for e in errors)
        return error_response(request, 400, message, "VALIDATION_ERROR", errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            message = f"No endpoint {request.method} {request.url.path}."
        elif exc.status_code == 405:
            message = f"Method {request.method} is not allowed on {request.url.path}."
        else:
            message = str(exc.detail)
        category = _HTTP_CATEGORIES.get(exc.status_code, "VALIDATION_ERROR")
        headers = dict(exc.headers) if exc.headers else None
        return error_response(request, exc.status_code, message, category, headers=headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        if storage.is_disk_full(exc):
            storage.note_full()
            log.error(
                "the database's disk is full: %s %s refused", request.method, request.url.path
            )
            return error_response(
                request,
                503,
                "The bridge cannot store anything: the disk of its database is full. "
                f"Retry after {DISK_FULL_RETRY_AFTER_S} seconds.",
                StorageFull.category,
                headers={"Retry-After": str(DISK_FULL_RETRY_AFTER_S)},
            )
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(
            request,
            500,
            "Internal error; it has been logged with this correlationId.",
            "INTERNAL_ERROR",
        )
