"""One record's page: its commerce view (order, orders, sales), properties by label, sync
status per source link, associations and recent errors."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from ecombridge.api.deps import ReadConn
from ecombridge.limits import MAX_BIGINT
from ecombridge.web import records, sync_status
from ecombridge.web.choices import source_names
from ecombridge.web.display import CURRENCY_PROPERTY, SLUGS, TYPE_LABELS, object_url, title_of
from ecombridge.web.error_titles import error_title
from ecombridge.web.properties import load_schema, shown_properties
from ecombridge.web.render import formatter, not_found, render
from ecombridge.web.repository import labels
from ecombridge.web.repository import objects as repo
from ecombridge.web.session import CurrentUser

router = APIRouter()
SINGULAR = {"CONTACT": "Customer", "DEAL": "Order", "PRODUCT": "Product", "LINE_ITEM": "Line item"}
# Associations the page shows in its own section (an order's lines, a customer's orders...).
SHOWN_ELSEWHERE = {"DEAL": {"LINE_ITEM"}, "CONTACT": {"DEAL"}, "PRODUCT": {"LINE_ITEM"}}


def _linked(conn: Any, portal_id: int, object_type: str, object_id: int) -> list[dict[str, Any]]:
    hidden = SHOWN_ELSEWHERE.get(object_type, set())
    keys = [
        k for k in repo.associated(conn, portal_id, object_type, object_id) if k[0] not in hidden
    ]
    props = repo.objects_by_ids(conn, portal_id, keys)
    return [
        {"type": SINGULAR[t], "url": object_url(t, i), "title": title_of(t, props.get((t, i)), i)}
        for t, i in sorted(keys)
        if (t, i) in props
    ]


@router.get("/objects/{slug}/{object_id}")
def object_page(
    request: Request, user: CurrentUser, conn: ReadConn, slug: str, object_id: int
) -> Response:
    object_type = SLUGS.get(slug)
    row = None
    if object_type is not None and 0 < object_id <= MAX_BIGINT:
        row = repo.get_object(conn, user.portal_id, object_type, object_id)
    if row is None or object_type is None:
        return not_found(request, "This record")
    portal = user.portal_id
    fmt = formatter(user)
    props: dict[str, Any] = row.properties or {}
    schema = load_schema(conn, portal, object_type)
    everyday, system = shown_properties(schema, props, fmt)
    links = repo.sync_links(conn, portal, object_type, object_id)
    errors = repo.errors_of_links(conn, portal, object_type, links)
    found = sync_status.statuses(
        links, errors, repo.pending_targets(conn, portal, object_type, links)
    )
    if found:
        found[0].destinations.extend(sync_status.deliveries(conn, portal, object_type, object_id))
    stages = labels.stage_labels(conn, portal)
    context: dict[str, Any] = {
        "section": slug,
        "slug": slug,
        "object_type": object_type,
        "type_label": TYPE_LABELS[object_type],
        "singular": SINGULAR[object_type],
        "object": row,
        "title": title_of(object_type, props, object_id),
        "everyday": everyday,
        "system": system,
        "linked": _linked(conn, portal, object_type, object_id),
        "statuses": found,
        "overall": sync_status.overall(found),
        "source_names": source_names(conn, portal),
        "errors": [{"row": e, "title": error_title(e.type)} for e in errors],
    }
    if object_type == "DEAL":
        stage = str(props.get("dealstage") or "")
        context["stage"] = stages.get(stage, stage) if stage else None
        context["amount"] = fmt.money(props.get("amount"), props.get(CURRENCY_PROPERTY["DEAL"]))
        context["order"] = records.deal_order(conn, portal, object_id, props, fmt)
    elif object_type == "CONTACT":
        context["customer"] = records.contact_orders(conn, portal, object_id, stages, fmt)
    elif object_type == "PRODUCT":
        context["sales"] = records.product_sales(conn, portal, object_id, stages, fmt)
        context["image_url"] = records.product_image_url(object_id, props)
    return render(request, "object.html", context)
