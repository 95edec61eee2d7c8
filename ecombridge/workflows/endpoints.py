"""Workflows over HTTP: the portal's three workflows and their enrolments (a portal key or a
private-app token), and the unsubscribe page every email links to (no credential: the signed
token in the path is the authority)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.responses import HTMLResponse

from ecombridge.api.deps import PortalKeyCaller, ReadConn, WriteConn
from ecombridge.api.json_body import JsonBody
from ecombridge.clock import now_ms
from ecombridge.mail.unsubscribe import PATH as UNSUBSCRIBE_PATH
from ecombridge.tenancy.principal import Principal
from ecombridge.workflows import service
from ecombridge.workflows import shop_repository as shop
from ecombridge.workflows.optout import opt_out, token_owner
from ecombridge.workflows.schemas import parse_workflow
from ecombridge.workflows.wire import render_workflow

router = APIRouter(tags=["workflows"])
PREFIX = "/extensions/ecomm/v2/workflows"
pages = Environment(
    loader=PackageLoader("ecombridge.workflows", "page_templates"), autoescape=select_autoescape()
)


def _portal(caller: Principal) -> int:
    assert caller.portal_id is not None  # portal keys and private-app tokens belong to one
    return caller.portal_id


@router.get(PREFIX)
def list_workflows(caller: PortalKeyCaller, conn: ReadConn) -> dict[str, Any]:
    workflows = service.list_workflows(conn, _portal(caller))
    return {"results": [render_workflow(w) for w in workflows]}


@router.get(PREFIX + "/{key}")
def get_workflow(caller: PortalKeyCaller, key: str, conn: ReadConn) -> dict[str, Any]:
    return render_workflow(service.get_workflow(conn, _portal(caller), key))


@router.put(PREFIX + "/{key}")
def put_workflow(
    caller: PortalKeyCaller, key: str, body: JsonBody, conn: WriteConn
) -> dict[str, Any]:
    workflow = parse_workflow(key, body)
    return render_workflow(service.put_workflow(conn, _portal(caller), workflow, now_ms()))


@router.get(PREFIX + "/{key}/enrollments")
def list_enrollments(
    caller: PortalKeyCaller,
    key: str,
    conn: ReadConn,
    limit: Annotated[str | None, Query()] = None,
    after: Annotated[str | None, Query()] = None,
) -> dict[str, Any]:
    return service.list_enrollments(conn, _portal(caller), key, limit, after)


def _page(valid: bool, done: bool, email: str = "", status: int = 200) -> HTMLResponse:
    html = pages.get_template("unsubscribe.html").render(valid=valid, done=done, email=email)
    headers = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
    return HTMLResponse(html, status_code=status, headers=headers)


@router.get(UNSUBSCRIBE_PATH + "/{token}", include_in_schema=False)
def unsubscribe_page(token: str, conn: ReadConn) -> HTMLResponse:
    """Confirmation first: mail scanners that follow links must not unsubscribe anyone."""
    owner = token_owner(conn, token)
    if owner is None:
        return _page(False, False, status=404)
    return _page(True, False, _email_of(conn, *owner))


@router.post(UNSUBSCRIBE_PATH + "/{token}", include_in_schema=False)
def unsubscribe(token: str, conn: WriteConn) -> HTMLResponse:
    """The confirmation's button, and RFC 8058's one-click POST (body
    ``List-Unsubscribe=One-Click``): either opts the contact out."""
    owner = token_owner(conn, token)
    if owner is None:
        return _page(False, False, status=404)
    opt_out(conn, owner[0], owner[1], now_ms())
    return _page(True, True, _email_of(conn, *owner))


def _email_of(conn: Any, portal_id: int, contact_id: int) -> str:
    found = shop.objects(conn, portal_id, "CONTACT", [contact_id])
    return str((found[contact_id].properties or {}).get("email") or "") if found else ""
