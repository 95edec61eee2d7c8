"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ecombridge.api.deps import Db

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, Any]:
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
def readyz(db: Db) -> dict[str, Any] | JSONResponse:
    try:
        with db.read() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as exc:  # the database being unreachable is what this probe reports
        return JSONResponse({"status": "unavailable", "reason": str(exc)}, status_code=503)
    return {"status": "ok", "database": db.engine.dialect.name}
