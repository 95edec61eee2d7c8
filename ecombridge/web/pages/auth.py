"""Sign-in and sign-out."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from ecombridge.api.deps import Db
from ecombridge.web import service
from ecombridge.web.render import redirect, render
from ecombridge.web.session import CsrfChecked, Session
from ecombridge.web.throttle import SignInThrottle

router = APIRouter()
HOME = "/app/stores"
_throttle_lock = threading.Lock()


def _throttle(request: Request) -> SignInThrottle:
    """The app's sign-in throttle (one per application object)."""
    with _throttle_lock:
        throttle: SignInThrottle | None = getattr(request.app.state, "sign_in_throttle", None)
        if throttle is None:
            throttle = request.app.state.sign_in_throttle = SignInThrottle()
    return throttle


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
    key = service.normalise_email(email)
    throttle = _throttle(request)
    wait = throttle.wait_seconds(key)
    if wait:
        minutes = (wait + 59) // 60
        error = f"Too many failed sign-ins for this email; try again in {minutes} min."
        return render(
            request, "login.html", {"next": _safe_next(next), "email": email, "error": error}
        )
    with database.read() as conn:
        user_id = service.authenticate(conn, email, password)
    if user_id is None:
        throttle.failed(key)
        context = {"next": _safe_next(next), "email": email, "error": "Wrong email or password."}
        # 200: a form shown again with its message (browsers log 4xx documents as errors).
        return render(request, "login.html", context)
    throttle.succeeded(key)
    session.sign_in(user_id)
    return redirect(request, _safe_next(next))


@router.post("/logout", dependencies=[CsrfChecked])
def logout(request: Request, session: Session) -> Response:
    session.sign_out()
    return redirect(request, "/app/login")
