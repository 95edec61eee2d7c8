"""Signing in and out, and changing one's password."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from ecombridge.api.deps import Db
from ecombridge.errors import ValidationFailed
from ecombridge.web import service
from ecombridge.web.render import redirect, render
from ecombridge.web.session import CsrfChecked, CurrentUser, Session, current_user
from ecombridge.web.throttle import SignInThrottle, address_key

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


def _address(request: Request) -> str:
    """The client's address (behind a proxy: as uvicorn's --proxy-headers make it)."""
    return address_key(request.client.host if request.client else None)


def _wait_text(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} s"
    return f"{(seconds + 59) // 60} min"


@router.get("/login")
def login_page(request: Request, session: Session, next: str | None = None) -> Response:
    if current_user(request, session) is not None:
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
    address = _address(request)
    throttle = _throttle(request)
    context = {"next": _safe_next(next), "email": email}
    wait = throttle.wait_seconds(key, address)
    if wait:
        error = f"Too many failed sign-ins; try again in {_wait_text(wait)}."
        return render(request, "login.html", {**context, "error": error})
    with database.read() as conn:
        user_id = service.authenticate(conn, email, password)
    if user_id is None:
        throttle.failed(key, address)
        # 200: a form shown again with its message (browsers log 4xx documents as errors).
        return render(request, "login.html", {**context, "error": "Wrong email or password."})
    throttle.succeeded(key, address)
    with database.write() as conn:
        token = service.start_session(conn, user_id)
    session.sign_in(token)
    return redirect(request, _safe_next(next))


@router.post("/logout", dependencies=[CsrfChecked])
def logout(request: Request, session: Session, database: Db) -> Response:
    if session.token is not None:
        with database.write() as conn:
            service.end_session(conn, session.token)
    session.sign_out()
    return redirect(request, "/app/login")


@router.get("/account/password")
def password_page(request: Request, user: CurrentUser) -> Response:
    return render(request, "password.html", {"error": None})


@router.post("/account/password", dependencies=[CsrfChecked])
def change_password(
    request: Request,
    user: CurrentUser,
    session: Session,
    database: Db,
    current_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
) -> Response:
    """Every other session of the user ends; this browser stays signed in. Wrong current
    passwords count as failed sign-ins (a stolen session must not be a way to guess it)."""
    address = _address(request)
    throttle = _throttle(request)
    wait = throttle.wait_seconds(user.email, address)
    if wait:
        error = f"Too many wrong passwords; try again in {_wait_text(wait)}."
        return render(request, "password.html", {"error": error})
    try:
        with database.read() as conn:
            service.check_current_password(conn, user, current_password)
        new_hash = service.password_hash(new_password)
    except ValidationFailed as exc:
        if isinstance(exc, service.WrongPassword):
            throttle.failed(user.email, address)
        return render(request, "password.html", {"error": exc.message})
    throttle.succeeded(user.email, address)
    with database.write() as conn:
        service.replace_password(conn, user.id, new_hash)
        token = service.start_session(conn, user.id)
    session.sign_in(token)
    return redirect(request, "/app/account/password?changed=1")
