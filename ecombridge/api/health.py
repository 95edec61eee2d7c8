"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ecombridge.api import readiness
from ecombridge.api.deps import Db

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, Any]:
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
def readyz(db: Db, request: Request) -> dict[str, Any] | JSONResponse:
    """200 when the bridge can take and apply work; 503 with the failed checks otherwise."""
    state = request.app.state
    problems = readiness.problems(db, state.config, state)
    warnings = readiness.warnings(db) if "database" not in problems else []
    if problems:
        reason = "; ".join(problems.values())
        body = {"status": "unavailable", "reason": reason, "checks": problems}
        if warnings:
            body["warnings"] = warnings
        return JSONResponse(body, status_code=503)
    ready: dict[str, Any] = {"status": "ok", "database": db.engine.dialect.name}
    if warnings:
        ready["warnings"] = warnings
    return ready
