"""Who may call the CRM APIs: a portal API key, or an installed app's OAuth token or a
private-app token that holds one of the scopes HubSpot requires for the object type and the kind
of access (``ecombridge.tenancy.scopes``).

Route modules declare the requirement with one of the annotated callers below; the object type
comes from the route's ``object_type`` path parameter (an unknown type is left to the route,
which answers 400 naming the types it serves).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request

from ecombridge.api.deps import Caller, require_kinds, require_scopes
from ecombridge.crm_schema.object_types import find_object_type
from ecombridge.tenancy.principal import CredentialKind, Principal
from ecombridge.tenancy.scopes import Access, object_scopes, pipeline_scopes, schema_scopes

K = CredentialKind
ScopesOf = Callable[[str, Access], frozenset[str]]
Dependency = Callable[[Request, Principal], Awaitable[Principal]]


def crm_caller(
    scopes_of: ScopesOf,
    access: Access,
    object_type: str | None = None,
    params: tuple[str, ...] = ("object_type",),
) -> Dependency:
    """A dependency admitting portal-scoped callers with the scopes ``scopes_of`` names for the
    object types of the route's path parameters ``params`` (or the fixed ``object_type``)."""

    async def dependency(request: Request, principal: Caller) -> Principal:
        require_kinds(principal, K.ACCESS_TOKEN, K.PORTAL_API_KEY, K.PRIVATE_APP_TOKEN, scopes=None)
        if object_type is not None:
            kinds: list[str | None] = [object_type]
        else:
            kinds = [find_object_type(str(request.path_params.get(p, ""))) for p in params]
        for kind in kinds:
            if kind is not None:
                require_scopes(principal, scopes_of(kind, access))
        return principal

    return dependency


def _pipelines(_object_type: str, access: Access) -> frozenset[str]:
    return pipeline_scopes(access)


ObjectsRead = Annotated[Principal, Depends(crm_caller(object_scopes, Access.READ))]
ObjectsWrite = Annotated[Principal, Depends(crm_caller(object_scopes, Access.WRITE))]
# v4 association writes and batch reads name both object types in their path.
_PAIR = ("from_type", "to_type")
AssociationsRead = Annotated[
    Principal, Depends(crm_caller(object_scopes, Access.READ, params=_PAIR))
]
AssociationsWrite = Annotated[
    Principal, Depends(crm_caller(object_scopes, Access.WRITE, params=_PAIR))
]
SchemaRead = Annotated[Principal, Depends(crm_caller(schema_scopes, Access.READ))]
SchemaWrite = Annotated[Principal, Depends(crm_caller(schema_scopes, Access.WRITE))]
DealSchemaRead = Annotated[Principal, Depends(crm_caller(schema_scopes, Access.READ, "DEAL"))]
DealSchemaWrite = Annotated[Principal, Depends(crm_caller(schema_scopes, Access.WRITE, "DEAL"))]
PipelinesRead = Annotated[Principal, Depends(crm_caller(_pipelines, Access.READ, "DEAL"))]
PipelinesWrite = Annotated[Principal, Depends(crm_caller(_pipelines, Access.WRITE, "DEAL"))]
