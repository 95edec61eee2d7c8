"""v1 installs over HTTP: install, status, uninstall (portal key or private-app token)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from ecombridge.api.deps import PortalKeyCaller, ReadConn, WriteConn
from ecombridge.installs import service
from ecombridge.tenancy.principal import Principal

router = APIRouter(prefix="/extensions/ecomm/v1/installs", tags=["installs"])


def _portal(caller: Principal) -> int:
    assert caller.portal_id is not None  # portal keys and private-app tokens are portal-scoped
    return caller.portal_id


# Clients send no body, or an empty one with a JSON content type; either way it is not read.
@router.post("", status_code=204)
def install(caller: PortalKeyCaller, conn: WriteConn) -> Response:
    service.install(conn, _portal(caller))
    return Response(status_code=204)


@router.get("/status")
def install_status(caller: PortalKeyCaller, conn: ReadConn) -> dict[str, Any]:
    found = service.status(conn, _portal(caller))
    return {
        "installCompleted": found.install_completed,
        "ecommSettingsEnabled": found.settings_enabled,
    }


@router.post("/uninstall", status_code=204)
def uninstall(caller: PortalKeyCaller, conn: WriteConn) -> Response:
    service.uninstall(conn, _portal(caller))
    return Response(status_code=204)
