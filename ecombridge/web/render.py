"""Rendering pages: one Jinja2 environment, the formatter of the portal, the session cookie
written back."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import RedirectResponse, Response

from ecombridge.clock import now_ms
from ecombridge.web.error_titles import error_message
from ecombridge.web.format import Formatter
from ecombridge.web.service import WebUser
from ecombridge.web.session import CSRF_FIELD, get_session, save_session

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def with_query(request: Request, **changes: Any) -> str:
    """The current URL with some query parameters changed (None removes one)."""
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = str(value)
    return request.url.path + ("?" + urlencode(params) if params else "")


templates.env.globals["with_query"] = with_query
templates.env.globals["CSRF_FIELD"] = CSRF_FIELD
templates.env.globals["error_message"] = error_message


def formatter(user: WebUser | None) -> Formatter:
    """Formatting in the signed-in portal's time zone and currency, as of now."""
    if user is None:
        return Formatter(now_ms=now_ms())
    return Formatter(user.time_zone, user.currency, now_ms())


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    session = get_session(request)
    full = {
        "csrf_token": session.csrf,
        "user": session.user,
        "fmt": formatter(session.user),
        **(context or {}),
    }
    response = templates.TemplateResponse(request, name, full, status_code=status_code)
    return save_session(request, response)


def redirect(request: Request, location: str) -> Response:
    return save_session(request, RedirectResponse(location, status_code=303))


def not_found(request: Request, what: str) -> Response:
    return render(request, "not_found.html", {"what": what}, status_code=404)
