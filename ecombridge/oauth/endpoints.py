"""OAuth 2.0 endpoints (HubSpot's OAuth v1 API)."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from ecombridge.api.deps import Cfg, Db, ReadConn, forget_principals
from ecombridge.api.errors import correlation_id, error_body
from ecombridge.errors import AuthenticationFailed, ValidationFailed
from ecombridge.oauth import service
from ecombridge.oauth.schemas import AccessTokenInfo, RefreshTokenInfo, TokenResponse
from ecombridge.tenancy.principal import CredentialKind
from ecombridge.tenancy.service import IssuedTokens

router = APIRouter(tags=["oauth"])
templates = Environment(
    loader=PackageLoader("ecombridge.oauth", "templates"), autoescape=select_autoescape()
)
OptionalForm = Annotated[str | None, Form()]


def _style_hash() -> str:
    """The CSP source of the pages' one inline style element (by its SHA-256)."""
    source = templates.loader.get_source(templates, "_base.html")[0]  # type: ignore[union-attr]
    found = re.search(r"<style>(.*?)</style>", source, flags=re.S)
    assert found, "_base.html has its style element"
    digest = hashlib.sha256(found.group(1).encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


# The pages load nothing from anywhere and run nothing but their own hashed style, may not be
# framed (no clickjacking of the consent) and are not cached. No form-action: the consent
# form's answer redirects to the app, which form-action would have to list.
PAGE_HEADERS = {
    "Content-Security-Policy": f"default-src 'none'; style-src {_style_hash()}; "
    "base-uri 'none'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def _bad_authorize_request(request: Request, exc: ValidationFailed) -> Response:
    """Nothing is redirected to an unchecked redirect_uri: the error is shown here instead."""
    if _wants_html(request):
        page = templates.get_template("error.html").render(message=exc.message)
        return HTMLResponse(page, status_code=400, headers=PAGE_HEADERS)
    return JSONResponse(
        error_body(exc.message, exc.category, correlation_id(request)), status_code=400
    )


def _consent_page(consent: service.ConsentRequest, error: str | None, status: int) -> Response:
    page = templates.get_template("consent.html").render(consent=consent, error=error)
    return HTMLResponse(page, status_code=status, headers=PAGE_HEADERS)


def _redirect(uri: str, params: dict[str, str | None]) -> RedirectResponse:
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [(k, v) for k, v in params.items() if v is not None]
    return RedirectResponse(urlunsplit(parts._replace(query=urlencode(query))), status_code=302)


@router.get("/oauth/authorize", response_class=HTMLResponse)
def authorize_page(
    request: Request,
    conn: ReadConn,
    client_id: str | None = None,
    redirect_uri: str | None = None,
    scope: str | None = None,
    state: str | None = None,
    optional_scope: str | None = None,
) -> Response:
    """The consent page: names the app and scopes; the portal is chosen by its API key."""
    try:
        consent = service.consent_request(
            conn, client_id, redirect_uri, scope, state, optional_scope
        )
    except ValidationFailed as exc:
        return _bad_authorize_request(request, exc)
    return _consent_page(consent, None, 200)


@router.post("/oauth/authorize", response_class=HTMLResponse)
def authorize_decision(
    request: Request,
    db: Db,
    client_id: OptionalForm = None,
    redirect_uri: OptionalForm = None,
    scope: OptionalForm = None,
    state: OptionalForm = None,
    portal_key: OptionalForm = None,
    decision: OptionalForm = None,
) -> Response:
    """The consent form: "allow" redirects with a code, "deny" with error=access_denied.
    No CSRF token is needed: the portal's API key in the form is what authorises."""
    with db.read() as conn:
        try:
            consent = service.consent_request(conn, client_id, redirect_uri, scope, state)
        except ValidationFailed as exc:
            return _bad_authorize_request(request, exc)
    if decision == "deny":
        return _redirect(
            consent.redirect_uri,
            {
                "error": "access_denied",
                "error_description": "The user denied the installation.",
                "state": consent.state,
            },
        )
    try:
        with db.write() as conn:
            code = service.grant_consent(conn, consent, portal_key or "")
    except AuthenticationFailed as exc:
        return _consent_page(consent, exc.message, 401)
    return _redirect(consent.redirect_uri, {"code": code, "state": consent.state})


def _oauth_error(request: Request, exc: service.OAuthError) -> JSONResponse:
    body = {"status": exc.code, "message": exc.message, "correlationId": correlation_id(request)}
    return JSONResponse(body, status_code=400)


def _tokens(tokens: IssuedTokens) -> TokenResponse:
    return TokenResponse(
        refresh_token=tokens.refresh_token,
        access_token=tokens.access_token,
        expires_in=tokens.expires_in,
    )


@router.post("/oauth/v1/token", response_model=TokenResponse)
def token(
    request: Request,
    db: Db,
    config: Cfg,
    grant_type: OptionalForm = None,
    client_id: OptionalForm = None,
    client_secret: OptionalForm = None,
    redirect_uri: OptionalForm = None,
    code: OptionalForm = None,
    refresh_token: OptionalForm = None,
) -> Any:
    """Exchange an authorization code, or refresh an access token (form-encoded body)."""
    ttl = config.access_token_ttl_seconds
    # A refused grant commits too: a replayed code revokes the tokens it had issued.
    with db.write() as conn:
        try:
            if grant_type == "authorization_code":
                issued = service.exchange_code(
                    conn, client_id, client_secret, redirect_uri, code, ttl_s=ttl
                )
            elif grant_type == "refresh_token":
                issued = service.refresh(conn, client_id, client_secret, refresh_token, ttl_s=ttl)
            else:
                raise service.OAuthError(
                    "BAD_GRANT_TYPE",
                    f"grant_type must be authorization_code or refresh_token, got {grant_type!r}",
                )
        except service.OAuthError as exc:
            refused = exc
        else:
            return _tokens(issued)
    if isinstance(refused, service.CodeReplayed):
        forget_principals(request)  # after the commit, as for every revocation
    return _oauth_error(request, refused)


@router.get("/oauth/v1/access-tokens/{token}", response_model=AccessTokenInfo)
def access_token_info(token: str, conn: ReadConn) -> AccessTokenInfo:
    """Token metadata; unknown, expired and revoked tokens are 404 (HubSpot answered 404 for
    tokens it did not know)."""
    info = service.token_info(conn, token, CredentialKind.ACCESS_TOKEN)
    return AccessTokenInfo(
        token=info.token,
        scopes=info.scopes,
        hub_id=info.portal_id,
        app_id=info.app_id,
        expires_in=info.expires_in or 0,
    )


@router.get("/oauth/v1/refresh-tokens/{token}", response_model=RefreshTokenInfo)
def refresh_token_info(token: str, conn: ReadConn) -> RefreshTokenInfo:
    info = service.token_info(conn, token, CredentialKind.REFRESH_TOKEN)
    return RefreshTokenInfo(
        token=info.token, scopes=info.scopes, hub_id=info.portal_id, client_id=info.client_id
    )


@router.delete("/oauth/v1/refresh-tokens/{token}", status_code=204)
def revoke_refresh_token(token: str, db: Db) -> Response:
    """Revoke the refresh token (only it: access tokens made with it keep working)."""
    with db.write() as conn:
        service.revoke_refresh_token(conn, token)
    # Refresh tokens authenticate no request, so no cached caller needs forgetting.
    return Response(status_code=204)
