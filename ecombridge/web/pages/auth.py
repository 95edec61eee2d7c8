"""Sign-in and sign-out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from ecombridge.api.deps import Db
from ecombridge.web import service
from ecombridge.web.render import redirect, render
from ecombridge.web.session import CsrfChecked, Session

router = APIRouter()
HOME = "/app/stores"


def _safe_next(target: str | None) -> str:
    """Only paths inside the UI; never another host (``//evil``) or a scheme."""
    if target and target.startswith("/app") and not target.startswith("//") and "\\" not in target:
        return target
    return HOME


@router.get("/login")
def login_page(request: Request, session: Session, next: str | None = None) -> Response:
    if session.user_id is not None:
        return redirect(request, _safe_next(next))
    return render(request, "login.html", {"next": _safe_next(next), "email": "", "error": None})


@router.post("/login", dependencies=[CsrfChecked])
def login(
    request: Request,
    session: Session,
    database: Db,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = HOME,
) -> Response:
    with database.read() as conn:
        user_id = service.authenticate(conn, email, password)
    if user_id is None:
        context = {"next": _safe_next(next), "email": email, "error": "Wrong email or password."}
        # 200: a form shown again with its message (browsers log 4xx documents as errors).
        return render(request, "login.html", context)
    session.sign_in(user_id)
    return redirect(request, _safe_next(next))


@router.post("/logout", dependencies=[CsrfChecked])
def logout(request: Request, session: Session) -> Response:
    session.sign_out()
    return redirect(request, "/app/login")
