"""Imports over HTTP: v2 ``/imports/*`` (with our start and progress extensions) and v1
``/import-pages/*``, also without the ``/extensions/ecomm/v1`` prefix (hubspot-php's v1 paths).

Only an installed app's OAuth token may import (reference §2.2). Pages are decoded on a fast
path (``page_body``) and stored by the page writer's group commit (``page_writer``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Path, Response
from fastapi.responses import JSONResponse

from ecombridge.api.deps import AppInstallationCaller, AsyncDb, Db, ReadConn, WriteConn
from ecombridge.api.json_body import JsonBody
from ecombridge.errors import ValidationFailed
from ecombridge.imports import page_writer, receiving, service
from ecombridge.imports.page_body import V1PageBody, V2PageBody
from ecombridge.imports.receiving import IncomingPage
from ecombridge.imports.schemas import (
    ImportEnd,
    StartImport,
    V1ImportEnd,
    parse,
    v1_page_as_sent,
)
from ecombridge.limits import MAX_BIGINT, MAX_INT32
from ecombridge.queue.notify import wake
from ecombridge.tenancy.principal import Principal

router = APIRouter(tags=["imports"])

V2 = "/extensions/ecomm/v2/imports"
V1_PREFIXES = ("/extensions/ecomm/v1", "")
NO_CONTENT = 204
StartedAt = Annotated[int, Path(alias="importStartedAt", ge=0, le=MAX_BIGINT)]
ObjectType = Annotated[str, Path(alias="objectType")]
PageNumber = Annotated[int, Path(alias="pageNumber", le=MAX_INT32)]


def _installation(caller: Principal) -> tuple[int, int]:
    assert caller.portal_id is not None and caller.app_id is not None
    return caller.portal_id, caller.app_id


def _check_portal(caller: Principal, portal_id: int | None) -> None:
    if portal_id is not None and portal_id != caller.portal_id:
        raise ValidationFailed(
            f"portalId: {portal_id} is not the portal of this access token ({caller.portal_id})."
        )


@router.post(V2 + "/start", status_code=202)
def start_import(
    caller: AppInstallationCaller, body: JsonBody, conn: WriteConn, db: Db, tasks: BackgroundTasks
) -> dict[str, Any]:
    """Start an import of a store (our extension): the bridge sends the app's import webhook."""
    request = parse(StartImport, body)
    portal_id, app_id = _installation(caller)
    row = service.start_import(conn, portal_id, app_id, request.store_id)
    tasks.add_task(wake, db)
    return service.describe(conn, row)


@router.post(V2 + "/page", status_code=NO_CONTENT)
async def receive_page(caller: AppInstallationCaller, body: V2PageBody, db: AsyncDb) -> Response:
    """Store a page; answered once it is committed (with the pages of concurrent requests)."""
    page = body.page()
    _check_portal(caller, page.portal_id)
    portal_id, app_id = _installation(caller)
    submission = IncomingPage.of(
        portal_id,
        app_id,
        page.import_started_at,
        page.store_id,
        page.object_type,
        page.page_number,
        page.messages,
    )
    await page_writer.receive(db, submission)
    return Response(status_code=NO_CONTENT)


@router.post(V2 + "/end", status_code=NO_CONTENT)
def end_type(
    caller: AppInstallationCaller, body: JsonBody, db: Db, tasks: BackgroundTasks
) -> Response:
    end = parse(ImportEnd, body)
    _check_portal(caller, end.portal_id)
    portal_id, app_id = _installation(caller)
    with page_writer.ending(db) as conn:
        receiving.end_type(
            conn,
            portal_id,
            app_id,
            end.import_started_at,
            end.store_id,
            end.object_type,
            end.page_count,
            end.item_count,
        )
    tasks.add_task(wake, db)
    return Response(status_code=NO_CONTENT)


@router.get(V2 + "/{storeId}")
def latest_import(
    caller: AppInstallationCaller, store_id: Annotated[str, Path(alias="storeId")], conn: ReadConn
) -> dict[str, Any]:
    portal_id, app_id = _installation(caller)
    return service.get_progress(conn, portal_id, app_id, store_id)


@router.get(V2 + "/{storeId}/{importStartedAt}")
def one_import(
    caller: AppInstallationCaller,
    store_id: Annotated[str, Path(alias="storeId")],
    started_at: StartedAt,
    conn: ReadConn,
) -> dict[str, Any]:
    portal_id, app_id = _installation(caller)
    return service.get_progress(conn, portal_id, app_id, store_id, started_at)


@router.post(V2 + "/{storeId}/{importStartedAt}/cancel")
def cancel_import(
    caller: AppInstallationCaller,
    store_id: Annotated[str, Path(alias="storeId")],
    started_at: StartedAt,
    conn: WriteConn,
) -> dict[str, Any]:
    """Give up an import in progress (our extension), so the store can be imported again."""
    portal_id, app_id = _installation(caller)
    row = service.cancel_import(conn, portal_id, app_id, store_id, started_at, "the app")
    return service.describe(conn, row)


# --- v1 ----------------------------------------------------------------------------------------
# "end" is routed before "{pageNumber}" so it is never read as a page number.


def v1_end(
    caller: AppInstallationCaller,
    started_at: StartedAt,
    object_type: ObjectType,
    body: JsonBody,
    db: Db,
    tasks: BackgroundTasks,
) -> Response:
    end = parse(V1ImportEnd, body)
    portal_id, app_id = _installation(caller)
    object_type = receiving.require_object_type(object_type)
    with page_writer.ending(db) as conn:
        receiving.end_type(
            conn, portal_id, app_id, started_at, None, object_type, end.page_count, end.item_count
        )
    tasks.add_task(wake, db)
    return Response(status_code=NO_CONTENT)


async def v1_put_page(
    caller: AppInstallationCaller,
    started_at: StartedAt,
    object_type: ObjectType,
    page_number: PageNumber,
    body: V1PageBody,
    db: AsyncDb,
) -> Response:
    receiving.require_object_type(object_type)
    if page_number < 0:
        raise ValidationFailed(f"pageNumber: must be 0 or more, got {page_number}.")
    messages = body.messages(started_at)
    portal_id, app_id = _installation(caller)
    submission = IncomingPage.of(
        portal_id, app_id, started_at, None, object_type, page_number, messages
    )
    await page_writer.receive(db, submission)
    return Response(status_code=NO_CONTENT)


def v1_get_page(
    caller: AppInstallationCaller,
    started_at: StartedAt,
    object_type: ObjectType,
    page_number: PageNumber,
    conn: ReadConn,
) -> JSONResponse:
    portal_id, app_id = _installation(caller)
    messages = receiving.get_page(
        conn, portal_id, app_id, started_at, receiving.require_object_type(object_type), page_number
    )
    return JSONResponse(v1_page_as_sent(messages))


for _prefix in V1_PREFIXES:
    _pages = _prefix + "/import-pages/{importStartedAt}/{objectType}"
    router.put(_pages + "/end", status_code=NO_CONTENT)(v1_end)
    router.put(_pages + "/{pageNumber}", status_code=NO_CONTENT)(v1_put_page)
    router.get(_pages + "/{pageNumber}")(v1_get_page)
