"""Sync-message intake, v2 and v1: validate, file the batch durably, answer 204.

The hot path: the raw body is decoded with msgspec before any transaction starts; the batch is
then handed to the intake writer, which files it (store resolved, batch and job inserted) in a
transaction shared with concurrent requests. The 204 is sent after that commit, so an accepted
batch survives a crash.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request, Response

from ecombridge.api.deps import AsyncDb, PortalCaller
from ecombridge.clock import now_ms
from ecombridge.db.engine import Database
from ecombridge.observability import metrics
from ecombridge.sync import backpressure, intake_writer, service
from ecombridge.sync.messages import BatchContext, Message
from ecombridge.tenancy.principal import Principal

router = APIRouter(tags=["sync messages"])


@router.put("/extensions/ecomm/v2/sync/messages", status_code=204, response_class=Response)
async def put_sync_messages(request: Request, caller: PortalCaller, db: AsyncDb) -> Response:
    """Accept up to 200 messages of one object type for one store (asynchronous processing)."""
    received_at = now_ms()
    store_id, object_type, messages = service.parse_v2(await request.body(), received_at)
    await _file_batch(
        request, db, caller, store_id, object_type, messages, received_at, resolve=True
    )
    return Response(status_code=204)


@router.put(
    "/extensions/ecomm/v1/sync-messages/{objectType}", status_code=204, response_class=Response
)
async def put_sync_messages_v1(
    objectType: str, request: Request, caller: PortalCaller, db: AsyncDb
) -> Response:
    """v1: a bare JSON array of messages, filed under the default store."""
    received_at = now_ms()
    object_type, messages = service.parse_v1(await request.body(), objectType, received_at)
    await _file_batch(
        request,
        db,
        caller,
        service.DEFAULT_STORE_ID,
        object_type,
        messages,
        received_at,
        resolve=False,
    )
    return Response(status_code=204)


async def _file_batch(
    request: Request,
    db: Database,
    caller: Principal,
    store_id: str,
    object_type: str,
    messages: list[Message],
    received_at: int,
    *,
    resolve: bool,
) -> None:
    if not messages:
        return
    assert caller.portal_id is not None
    backpressure.admit(db, request.app.state.config, caller.portal_id)
    ctx = BatchContext(caller.portal_id, caller.source_app_id, store_id, object_type)
    submission = intake_writer.Submission(
        ctx, messages, received_at, resolve and store_id != service.DEFAULT_STORE_ID
    )
    await asyncio.wrap_future(intake_writer.submit(db, submission))
    backpressure.depth_of(db).accepted(caller.portal_id)
    metrics.record_accepted(object_type, len(messages))
