"""Session cookies and CSRF tokens for the web UI.

The cookie holds a per-session CSRF token and, once signed in, the session's random token, signed
with itsdangerous (tamper-proof) and stamped so old cookies expire. The session itself lives in
the database (``web_sessions``, by the token's digest), looked up on every request: signing out
deletes it, a password change deletes every session of the user, so a copied cookie stops
working at once. Every visitor gets a session, so the sign-in form itself is CSRF-protected too.
"""

from __future__ import annotations

import hmac
import secrets
import threading
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.responses import Response

from ecombridge.config import Config
from ecombridge.db.engine import Database
from ecombridge.web.service import SESSION_TTL_MS, WebUser, user_of_session

COOKIE_NAME = "ecombridge_session"
MAX_AGE_S = SESSION_TTL_MS // 1000
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
LOGIN_PATH = "/app/login"

_secret_lock = threading.Lock()


@dataclass
class WebSession:
    csrf: str
    token: str | None = field(default=None, repr=False)  # set while signed in
    dirty: bool = False
    user: WebUser | None = field(default=None, repr=False)

    def sign_in(self, token: str) -> None:
        """``token``: a session started with ``service.start_session``."""
        # A fresh CSRF token on sign-in, so a token seen before it is useless after.
        self.token, self.csrf, self.dirty = token, secrets.token_urlsafe(32), True

    def sign_out(self) -> None:
        """Forget the session (end it in the database first: ``service.end_session``)."""
        self.token, self.user, self.csrf, self.dirty = None, None, secrets.token_urlsafe(32), True


def _secret(request: Request) -> str:
    config: Config = request.app.state.config
    if config.session_secret:
        return config.session_secret
    with _secret_lock:
        generated: str | None = getattr(request.app.state, "web_session_secret", None)
        if generated is None:
            generated = secrets.token_urlsafe(32)
            request.app.state.web_session_secret = generated
    return generated


def _serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(_secret(request), salt="ecombridge.web.session")


def get_session(request: Request) -> WebSession:
    cached: WebSession | None = getattr(request.state, "web_session", None)
    if cached is not None:
        return cached
    session: WebSession | None = None
    raw = request.cookies.get(COOKIE_NAME)
    if raw:
        try:
            data: Any = _serializer(request).loads(raw, max_age=MAX_AGE_S)
            token = data.get("s")
            session = WebSession(csrf=str(data["c"]), token=str(token) if token else None)
        except (BadSignature, KeyError, TypeError, ValueError, AttributeError):
            session = None
    if session is None:
        session = WebSession(csrf=secrets.token_urlsafe(32), dirty=True)
    request.state.web_session = session
    return session


def save_session(request: Request, response: Response) -> Response:
    """Write the session cookie onto a response when the session is new or changed."""
    session = get_session(request)
    if session.dirty:
        config: Config = request.app.state.config
        value = _serializer(request).dumps({"s": session.token, "c": session.csrf})
        response.set_cookie(
            COOKIE_NAME,
            value,
            max_age=MAX_AGE_S,
            path="/",
            httponly=True,
            samesite="lax",
            secure=config.base_url().startswith("https://"),
        )
    return response


Session = Annotated[WebSession, Depends(get_session)]


def _sign_in_redirect(request: Request) -> HTTPException:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    location = f"{LOGIN_PATH}?next={target}" if target.startswith("/app") else LOGIN_PATH
    if request.headers.get("hx-request"):
        # htmx swaps the fragment otherwise; HX-Redirect makes it load the sign-in page.
        return HTTPException(401, "Sign in required.", headers={"HX-Redirect": LOGIN_PATH})
    return HTTPException(303, "Sign in required.", headers={"Location": location})


def current_user(request: Request, session: WebSession) -> WebUser | None:
    """The signed-in user, if the session's token names a live session."""
    if session.user is None and session.token is not None:
        database: Database = request.app.state.database
        with database.read() as conn:
            session.user = user_of_session(conn, session.token)
    return session.user


def signed_in_user(request: Request, session: Session) -> WebUser:
    user = current_user(request, session)
    if user is None:
        raise _sign_in_redirect(request)
    return user


CurrentUser = Annotated[WebUser, Depends(signed_in_user)]


async def check_csrf(request: Request, session: Session) -> None:
    """Every unsafe request carries the session's CSRF token (form field or header)."""
    presented = request.headers.get(CSRF_HEADER)
    if not presented:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        presented = value if isinstance(value, str) else None
    if not presented or not hmac.compare_digest(presented, session.csrf):
        raise HTTPException(403, "The form's CSRF token is missing or invalid; reload the page.")


CsrfChecked = Depends(check_csrf)
