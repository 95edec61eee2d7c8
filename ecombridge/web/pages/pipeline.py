"""The ecommerce pipeline: deals as a board by stage, with counts and amount totals."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.engine import Connection
from starlette.responses import Response

from ecombridge.api.deps import ReadConn
from ecombridge.crm_schema.pipelines import ecommerce_pipeline_id
from ecombridge.crm_schema.standard import ECOMMERCE_STAGES
from ecombridge.web.display import object_url, to_number
from ecombridge.web.pages.sync_errors import parse_store
from ecombridge.web.render import render
from ecombridge.web.repository import deals as repo
from ecombridge.web.repository.stores import app_names, list_stores
from ecombridge.web.session import CurrentUser

router = APIRouter()
CARDS_PER_STAGE = 30


def store_choices(conn: Connection, portal_id: int) -> list[tuple[str, str]]:
    names = {0: "Custom integration", **app_names(conn, portal_id)}
    return [
        (f"{row.source_app_id}:{row.id}", f"{row.label} ({names.get(row.source_app_id, 'App')})")
        for row in list_stores(conn, portal_id)
    ]


def pipeline_stages(conn: Connection, portal_id: int) -> list[tuple[str, str]]:
    rows = repo.stages(conn, portal_id, ecommerce_pipeline_id(portal_id))
    if rows:
        return [(row.id, row.label) for row in rows]
    return [(stage.id, stage.label) for stage in ECOMMERCE_STAGES]


@router.get("/pipeline")
def pipeline_page(
    request: Request, user: CurrentUser, conn: ReadConn, store: str | None = None
) -> Response:
    chosen = parse_store(store)
    stages = pipeline_stages(conn, user.portal_id)
    columns: dict[str, dict[str, Any]] = {
        stage_id: {"id": stage_id, "label": label, "count": 0, "amount": 0.0, "cards": []}
        for stage_id, label in stages
    }
    outside = 0
    for deal in repo.deals(conn, user.portal_id, chosen):
        column = columns.get(deal.dealstage or "")
        if column is None:
            outside += 1
            continue
        amount = to_number(deal.amount)
        column["count"] += 1
        column["amount"] += amount or 0.0
        if len(column["cards"]) < CARDS_PER_STAGE:
            column["cards"].append(
                {
                    "url": object_url("DEAL", int(deal.id)),
                    "title": deal.dealname or f"Deal {deal.id}",
                    "amount": amount,
                    "closedate": deal.closedate,
                }
            )
    context = {
        "section": "pipeline",
        "columns": list(columns.values()),
        "outside": outside,
        "stores": store_choices(conn, user.portal_id),
        "store": f"{chosen[0]}:{chosen[1]}" if chosen else "",
        "cards_per_stage": CARDS_PER_STAGE,
    }
    return render(request, "pipeline.html", context)
