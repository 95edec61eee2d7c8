"""GET /metrics: the Prometheus text exposition (unauthenticated, like a health check)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from ecombridge.api.deps import Db
from ecombridge.observability import metrics

router = APIRouter(tags=["observability"])


@router.get("/metrics", include_in_schema=False)
def get_metrics(database: Db) -> Response:
    return Response(content=metrics.render(database), media_type=metrics.CONTENT_TYPE)
