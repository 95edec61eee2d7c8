"""Rendering pages: one Jinja2 environment, formatting filters, the session cookie written back."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import RedirectResponse, Response

from ecombridge.web.session import CSRF_FIELD, get_session, save_session

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def format_ms(value: Any) -> str:
    """Epoch milliseconds as a UTC date and time."""
    try:
        moment = datetime.fromtimestamp(int(value) / 1000, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return "—" if value in (None, "") else str(value)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def format_money(value: Any) -> str:
    try:
        return f"{float(value):,.2f}"
    except (TypeError, ValueError):
        return "—"


def format_count(value: Any) -> str:
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return "—"


def with_query(request: Request, **changes: Any) -> str:
    """The current URL with some query parameters changed (None removes one)."""
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = str(value)
    return request.url.path + ("?" + urlencode(params) if params else "")


templates.env.filters["ms"] = format_ms
templates.env.filters["money"] = format_money
templates.env.filters["count"] = format_count
templates.env.globals["with_query"] = with_query
templates.env.globals["CSRF_FIELD"] = CSRF_FIELD


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    session = get_session(request)
    full = {"csrf_token": session.csrf, "user": session.user, **(context or {})}
    response = templates.TemplateResponse(request, name, full, status_code=status_code)
    return save_session(request, response)


def redirect(request: Request, location: str) -> Response:
    return save_session(request, RedirectResponse(location, status_code=303))


def not_found(request: Request, what: str) -> Response:
    return render(request, "not_found.html", {"what": what}, status_code=404)
