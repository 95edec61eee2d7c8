"""Workflows: the three built-in workflows, each turned on or off in one click; a workflow's
emails (delay, subject, template) with a preview and a test send, its results and enrolments.

Edits go through the API's validation (``parse_workflow``), whose message is shown at the field
it names. The preview renders in a sandboxed frame (no scripts, its own origin) from the form as
it stands, so unsaved edits can be tried with a real contact's data.
"""

from __future__ import annotations

from html import escape
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.engine import Connection
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, Response

from ecombridge.api.deps import Db, ReadConn
from ecombridge.clock import now_ms
from ecombridge.errors import ValidationFailed
from ecombridge.mail.settings import MailNotConfigured
from ecombridge.mail.smtp import DeliveryFailure
from ecombridge.web.render import not_found, redirect, render
from ecombridge.web.session import CsrfChecked, CurrentUser
from ecombridge.workflows import preview, service
from ecombridge.workflows import shop_repository as shop
from ecombridge.workflows.definitions import (
    DESCRIPTIONS,
    KEYS,
    MAX_EMAILS,
    RE_ENGAGEMENT,
    TITLES,
    EmailStep,
    Workflow,
)
from ecombridge.workflows.rendering import RenderedEmail, builtin_body, render_email
from ecombridge.workflows.results import results
from ecombridge.workflows.sandbox import TemplateProblem
from ecombridge.workflows.schemas import parse_email, parse_workflow

router = APIRouter()
UNITS = {"minutes": 1, "hours": 60, "days": 1440}
PAGE_SIZE = 20
# The preview is an email, not a page of the UI: its inline styles are its own, nothing runs.
# An email's own markup: inline styles and remote images, no script; framed by the page only.
PREVIEW_CSP = (
    "default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'; "
    "frame-ancestors 'self'"
)


def _rows(workflow: Workflow) -> list[dict[str, Any]]:
    rows = []
    for step in workflow.emails:
        unit = next(u for u in ("days", "hours", "minutes") if step.delay_minutes % UNITS[u] == 0)
        rows.append(
            {
                "delay": f"{step.delay_minutes / UNITS[unit]:g}",
                "unit": unit,
                "subject": step.subject,
                "template": step.body_template or "",
            }
        )
    return rows


@router.get("/workflows")
def workflows_page(request: Request, user: CurrentUser, conn: ReadConn) -> Response:
    cards = [
        {
            "key": w.key,
            "title": TITLES[w.key],
            "description": DESCRIPTIONS[w.key],
            "enabled": w.enabled,
            "emails": len(w.emails),
            "results": results(conn, user.portal_id, w.key),
        }
        for w in service.list_workflows(conn, user.portal_id)
    ]
    context = {"section": "workflows", "cards": cards}
    return render(request, "workflows.html", context)


@router.post("/workflows/{key}/toggle", dependencies=[CsrfChecked])
async def toggle(request: Request, user: CurrentUser, database: Db, key: str) -> Response:
    if key not in KEYS:
        return not_found(request, "This workflow")
    with database.write() as conn:
        current = service.get_workflow(conn, user.portal_id, key)
        flipped = Workflow(
            key, not current.enabled, current.emails, current.store_ids, current.inactivity_days
        )
        service.put_workflow(conn, user.portal_id, flipped, now_ms())
    form = await request.form()
    back = "/app/workflows" if form.get("back") == "list" else f"/app/workflows/{key}"
    return redirect(request, back)


def _detail_context(
    request: Request, conn: Connection, portal_id: int, workflow: Workflow
) -> dict[str, Any]:
    before = request.query_params.get("before")
    cursor = int(before) if before and before.isdigit() and len(before) < 19 else None
    views, next_before = service.enrollment_views(conn, portal_id, workflow.key, PAGE_SIZE, cursor)
    stores = sorted(set(shop.store_ids(conn, portal_id)) | set(workflow.store_ids or ()))
    return {
        "section": "workflows",
        "key": workflow.key,
        "title": TITLES[workflow.key],
        "description": DESCRIPTIONS[workflow.key],
        "enabled": workflow.enabled,
        "store_ids": list(workflow.store_ids or ()),
        "stores": stores,
        "inactivity_days": workflow.inactivity_days or "",
        "has_inactivity": workflow.key == RE_ENGAGEMENT,
        "rows": _rows(workflow),
        "units": list(UNITS),
        "max_emails": MAX_EMAILS,
        "builtin": builtin_body(workflow.key),
        "candidates": preview.candidates(conn, portal_id, workflow.key),
        "results": results(conn, portal_id, workflow.key),
        "enrollments": views,
        "next_before": next_before,
        "error": None,
        "error_field": None,
        "notice": None,
    }


@router.get("/workflows/{key}")
def workflow_page(request: Request, user: CurrentUser, conn: ReadConn, key: str) -> Response:
    if key not in KEYS:
        return not_found(request, "This workflow")
    workflow = service.get_workflow(conn, user.portal_id, key)
    context = _detail_context(request, conn, user.portal_id, workflow)
    if request.query_params.get("saved") == "1":
        context["notice"] = "Saved."
    return render(request, "workflows_detail.html", context)


def _submitted_rows(form: Any) -> list[dict[str, Any]]:
    try:
        count = min(int(str(form.get("rows", "0"))), MAX_EMAILS + 1)
    except ValueError:
        count = 0
    rows = []
    for n in range(count):
        if form.get(f"remove_{n}") == "on":
            continue
        rows.append(
            {
                "delay": str(form.get(f"delay_{n}", "")).strip(),
                "unit": str(form.get(f"unit_{n}", "minutes")),
                "subject": str(form.get(f"subject_{n}", "")),
                "template": str(form.get(f"template_{n}", "")),
            }
        )
    return rows


def _email_body(row: dict[str, Any]) -> dict[str, Any]:
    try:
        delay: Any = float(row["delay"]) * UNITS.get(row["unit"], 1)
        delay = int(delay) if float(delay).is_integer() else delay
    except ValueError:
        delay = row["delay"]  # reported by the validation, which names the field
    return {
        "delayMinutes": delay,
        "subject": row["subject"],
        "bodyTemplate": row["template"] if row["template"].strip() else None,
    }


def _submitted_body(key: str, form: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    rows = _submitted_rows(form)
    days = str(form.get("inactivity_days", "")).strip()
    stores = [str(s) for s in form.getlist("store")]
    body = {
        "key": key,
        "enabled": form.get("enabled") == "on",
        "storeIds": stores or None,
        "inactivityDays": (int(days) if days.isdigit() else days) if days else None,
        "emails": [_email_body(row) for row in rows],
    }
    return body, rows


def _redisplay(
    request: Request,
    conn: Connection,
    user: CurrentUser,
    body: dict[str, Any],
    rows: list[dict[str, Any]],
    **messages: Any,
) -> Response:
    key = body["key"]
    context = _detail_context(
        request, conn, user.portal_id, service.get_workflow(conn, user.portal_id, key)
    )
    context.update(
        enabled=body["enabled"],
        store_ids=body["storeIds"] or [],
        inactivity_days=body["inactivityDays"] or "",
        rows=rows,
        **messages,
    )
    return render(request, "workflows_detail.html", context)


def _problem(exc: ValidationFailed) -> dict[str, Any]:
    return {"error": exc.message, "error_field": (exc.errors or [{}])[0].get("in")}


@router.post("/workflows/{key}", dependencies=[CsrfChecked])
async def save_workflow(request: Request, user: CurrentUser, database: Db, key: str) -> Response:
    if key not in KEYS:
        return not_found(request, "This workflow")
    form = await request.form()
    body, rows = _submitted_body(key, form)
    if form.get("action") == "add" and len(rows) < MAX_EMAILS:
        last = rows[-1] if rows else {"delay": "0", "unit": "hours"}
        rows.append({"delay": last["delay"], "unit": last["unit"], "subject": "", "template": ""})
        with database.read() as conn:
            return _redisplay(request, conn, user, body, rows)
    try:
        workflow = parse_workflow(key, body)
        with database.write() as conn:
            service.put_workflow(conn, user.portal_id, workflow, now_ms())
    except ValidationFailed as exc:
        with database.read() as conn:
            return _redisplay(request, conn, user, body, rows, **_problem(exc))
    return redirect(request, f"/app/workflows/{key}?saved=1")


def _step(form: Any, key: str, saved: Workflow) -> tuple[int, EmailStep]:
    """The email the preview or test send is for: the form's row, or the saved one."""
    try:
        index = int(str(form.get("email", "0")))
    except ValueError:
        index = 0
    if form.get("rows") is None:  # a plain GET: the saved workflow
        index = min(max(index, 0), len(saved.emails) - 1)
        return index, saved.emails[index]
    rows = _submitted_rows(form)
    index = min(max(index, 0), max(len(rows) - 1, 0))
    if not rows:
        raise ValidationFailed("emails: add an email first.")
    return index, parse_email(_email_body(rows[index]), f"emails[{index}]")


def _preview_page(html: str, status: int = 200) -> HTMLResponse:
    headers = {
        "Content-Security-Policy": PREVIEW_CSP,
        "X-Frame-Options": "SAMEORIGIN",
        "Cache-Control": "no-store",
    }
    return HTMLResponse(html, status_code=status, headers=headers)


def _message_page(text: str) -> HTMLResponse:
    return _preview_page(f"<!doctype html><p>{escape(text)}</p>")


def _render_chosen(database: Db, portal_id: int, key: str, form: Any) -> tuple[int, RenderedEmail]:
    """The email the form chose, rendered with the data it chose; ValidationFailed or
    TemplateProblem say what is wrong with it."""
    with database.read() as conn:
        saved = service.get_workflow(conn, portal_id, key)
        data = preview.preview_data(conn, portal_id, str(form.get("preview_for") or ""))
    index, step = _step(form, key, saved)
    return index, render_email(key, step, index + 1, data)


async def _preview(request: Request, user: CurrentUser, database: Db, key: str) -> Response:
    if key not in KEYS:
        return not_found(request, "This workflow")
    form = await request.form() if request.method == "POST" else request.query_params
    try:
        _, rendered = _render_chosen(database, user.portal_id, key, form)
    except ValidationFailed as exc:
        return _message_page(exc.message)
    except TemplateProblem as exc:
        return _message_page(f"The template {exc}")
    return _preview_page(rendered.html)


router.add_api_route("/workflows/{key}/preview", _preview, methods=["GET"])
router.add_api_route(
    "/workflows/{key}/preview", _preview, methods=["POST"], dependencies=[CsrfChecked]
)


@router.post("/workflows/{key}/test-send", dependencies=[CsrfChecked])
async def test_send(request: Request, user: CurrentUser, database: Db, key: str) -> Response:
    if key not in KEYS:
        return not_found(request, "This workflow")
    form = await request.form()
    body, rows = _submitted_body(key, form)
    to = str(form.get("test_to", "")).strip()
    messages: dict[str, Any]
    try:
        if "@" not in to or len(to) > 320:
            raise ValidationFailed("test_to: enter the address to send the test to.")
        index, rendered = _render_chosen(database, user.portal_id, key, form)
        await run_in_threadpool(preview.send_test, rendered, to)
        messages = {"notice": f"Test email {index + 1} sent to {to}."}
    except ValidationFailed as exc:
        messages = _problem(exc)
    except (TemplateProblem, MailNotConfigured, DeliveryFailure) as exc:
        messages = {"error": f"The test email was not sent: {exc}", "error_field": "test_to"}
    with database.read() as conn:
        return _redisplay(request, conn, user, body, rows, test_to=to, **messages)
