"""The ecommerce pipeline as a board: a column per stage with its count and amount; each column
scrolls on its own and links to the full, filtered list of its deals."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from sqlalchemy.engine import Connection
from starlette.responses import Response

from ecombridge.api.deps import ReadConn
from ecombridge.crm_schema.service import ecommerce_pipeline_id
from ecombridge.crm_schema.standard import ECOMMERCE_STAGES
from ecombridge.web.choices import store_choices
from ecombridge.web.display import object_url
from ecombridge.web.format import to_number
from ecombridge.web.lists import parse_store
from ecombridge.web.render import formatter, render
from ecombridge.web.repository import deals as repo
from ecombridge.web.session import CurrentUser

router = APIRouter()
CARDS_PER_STAGE = 30


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
    store_value = f"{chosen[0]}:{chosen[1]}" if chosen else ""
    fmt = formatter(user)
    columns: dict[str, dict[str, Any]] = {}
    for stage_id, label in pipeline_stages(conn, user.portal_id):
        query = {"stage": stage_id, **({"store": store_value} if chosen else {})}
        columns[stage_id] = {
            "id": stage_id,
            "label": label,
            "count": 0,
            "amount": 0.0,
            "cards": [],
            "list_url": "/app/objects/deals?" + urlencode(query),
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
                    "amount": fmt.money(amount, deal.currency),
                    "when": deal.closedate or deal.createdate,
                }
            )
    context = {
        "section": "pipeline",
        "columns": list(columns.values()),
        "outside": outside,
        "stores": store_choices(conn, user.portal_id),
        "store": store_value,
        "cards_per_stage": CARDS_PER_STAGE,
    }
    return render(request, "pipeline.html", context)
