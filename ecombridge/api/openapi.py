"""The OpenAPI document as the bridge answers: every operation's request body, the status codes
it really returns (HubSpot's error shape; validation problems are 400, never FastAPI's 422), the
credentials it takes (``hapikey`` query, ``Authorization: Bearer``, ``access_token`` query) and
the rate-limit headers, so that generated clients and schemathesis can rely on it."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

from ecombridge.api.deps import current_principal
from ecombridge.api.openapi_bodies import REQUEST_BODIES
from ecombridge.ratelimit.middleware import UNLIMITED

Operation = dict[str, Any]

SECURITY_SCHEMES = {
    "hapikey": {
        "type": "apiKey",
        "in": "query",
        "name": "hapikey",
        "description": "A portal API key, or a developer API key (with appId).",
    },
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "description": "An installed app's OAuth access token, or a private-app token.",
    },
    "accessToken": {
        "type": "apiKey",
        "in": "query",
        "name": "access_token",
        "description": "An OAuth access token or private-app token as a query parameter.",
    },
}
ANY_CREDENTIAL: list[dict[str, list[str]]] = [{name: []} for name in SECURITY_SCHEMES]

ERROR_SCHEMA = {
    "type": "object",
    "required": ["status", "message", "correlationId"],
    "properties": {
        "status": {"type": "string"},
        "message": {"type": "string"},
        "correlationId": {"type": "string"},
        "requestId": {"type": "string"},
        "category": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
        "errorType": {"type": "string", "description": "RATE_LIMIT on a 429."},
        "policyName": {"type": "string", "description": "The limit hit, on a 429."},
        "groupName": {"type": "string"},
    },
}
_ERROR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
DESCRIPTIONS = {
    "302": "Redirected to the app's redirect_uri.",
    "400": "Bad input: the message names the field and what to fix.",
    "401": "No credential, or an unknown, expired or revoked one.",
    "403": "A credential of another kind, or without the scopes the endpoint requires.",
    "404": "No such object, or nothing stored yet.",
    "409": "In conflict with what exists (already exists, still in use).",
    "413": "The request body is larger than the bridge accepts.",
    "429": "Over a rate limit; retry after Retry-After seconds.",
}
RATE_LIMIT_HEADERS = (
    "X-HubSpot-RateLimit-Interval-Milliseconds",
    "X-HubSpot-RateLimit-Max",
    "X-HubSpot-RateLimit-Remaining",
    "X-HubSpot-RateLimit-Secondly",
    "X-HubSpot-RateLimit-Secondly-Remaining",
    "X-HubSpot-RateLimit-Daily",
    "X-HubSpot-RateLimit-Daily-Remaining",
)
# Writes whose rules can refuse with 409.
CONFLICTING = (
    "/crm/v3/properties",
    "/crm/v3/pipelines",
    "/crm-pipelines/",
    "/properties/",
    "/deals/v1/properties",
    "/extensions/ecomm/v2/stores",
    "/extensions/ecomm/v2/imports",
    "/extensions/ecomm/v1/import-pages",
    "/import-pages",
)
# Status codes particular to the OAuth pages, besides 400.
OWN_STATUSES = {
    ("post", "/oauth/authorize"): ("302", "401"),
    ("get", "/oauth/v1/access-tokens/{token}"): ("404",),
    ("get", "/oauth/v1/refresh-tokens/{token}"): ("404",),
    ("delete", "/oauth/v1/refresh-tokens/{token}"): ("404",),
}
PROBES = ("/healthz", "/readyz")


def _authenticated(dependant: Dependant) -> bool:
    return any(
        sub.call is current_principal or _authenticated(sub) for sub in dependant.dependencies
    )


def _rate_limited(path: str) -> bool:
    return not UNLIMITED.match(path.replace("{", "").replace("}", ""))


def _error_statuses(method: str, path: str, authenticated: bool, has_body: bool) -> list[str]:
    if path in PROBES:
        return []
    statuses = ["400", *OWN_STATUSES.get((method, path), ())]
    if authenticated:
        statuses += ["401", "403", "404", "429"]
    elif "{" in path:
        statuses.append("404")
    if method != "get" and path.startswith(CONFLICTING):
        statuses.append("409")
    if has_body:
        statuses.append("413")
    return sorted(set(statuses))


def _complete(operation: Operation, route: RouteContext, method: str) -> None:
    path = str(route.path_format)
    responses: dict[str, Any] = operation.setdefault("responses", {})
    responses.pop("422", None)
    body = REQUEST_BODIES.get((method, path))
    if body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": body}},
        }
    authenticated = _authenticated(route.dependant)
    has_body = "requestBody" in operation
    for status in _error_statuses(method, path, authenticated, has_body):
        if status == "302":
            responses[status] = {"description": DESCRIPTIONS[status]}
        else:
            responses.setdefault(status, {"description": DESCRIPTIONS[status], **_ERROR})
    operation["security"] = ANY_CREDENTIAL if authenticated else []
    if authenticated and _rate_limited(path):
        limit_headers = {
            name: {"schema": {"type": "integer"}, "required": False} for name in RATE_LIMIT_HEADERS
        }
        for status, response in responses.items():
            if status.startswith("2"):
                response.setdefault("headers", {}).update(limit_headers)
        responses["429"]["headers"] = {
            **limit_headers,
            "Retry-After": {"schema": {"type": "integer"}, "required": True},
        }


def build_openapi(app: FastAPI) -> dict[str, Any]:
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    routes = {
        (route.path_format, method.lower()): route
        for route in iter_route_contexts(app.routes)
        if isinstance(route.original_route, APIRoute)
        for method in route.methods or ()
    }
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            _complete(operation, routes[(path, method)], method)
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Error"] = ERROR_SCHEMA
    components["securitySchemes"] = SECURITY_SCHEMES
    return schema


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
