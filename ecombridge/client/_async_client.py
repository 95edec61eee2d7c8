"""``AsyncClient``: the asynchronous SDK, method for method the same as ``Client``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from types import TracebackType
from typing import Any, TypeVar

import httpx

from ecombridge.client import _operations as ops
from ecombridge.client._base import (
    DEFAULT_BASE_URL,
    DEFAULT_TIMEOUT,
    USER_AGENT,
    BaseClient,
    as_sync_message,
    as_v1_sync_message,
    chunked,
    final_error,
    parse,
)
from ecombridge.client._models import (
    ImportMessage,
    ImportProgress,
    Settings,
    Store,
    SyncError,
    SyncErrorPage,
    SyncMessage,
    SyncStatus,
)
from ecombridge.client._request import Retry
from ecombridge.client._v1_models import (
    InstallStatus,
    V1Settings,
    V1SyncError,
    V1SyncMessage,
    V1SyncStatus,
)

T = TypeVar("T")
BatchCallback = Callable[[int], None]


class AsyncClient(BaseClient):
    """An asynchronous client for every endpoint of the bridge (v2 and v1).

    Pass the credentials you have; each call presents the kind its endpoint takes (reference
    §2.2). ``transport`` swaps the network for any httpx transport (``httpx.MockTransport``,
    ``httpx.ASGITransport`` to call an ASGI app in process...).
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        api_key: str | None = None,
        developer_api_key: str | None = None,
        app_id: int | None = None,
        access_token: str | None = None,
        private_app_token: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = 3,
        retry: Retry | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(
            base_url,
            api_key=api_key,
            developer_api_key=developer_api_key,
            app_id=app_id,
            access_token=access_token,
            private_app_token=private_app_token,
            max_retries=max_retries,
            retry=retry,
        )
        self._sleep = sleep
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            transport=transport,
            timeout=timeout,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _run(self, operation: ops.Operation[T]) -> T:
        call = operation.call
        attempt = 0
        while True:
            outcome: httpx.Response | Exception
            try:
                outcome = await self._http.send(self._build_request(self._http, call))
            except httpx.TransportError as exc:
                outcome = exc
            except httpx.RequestError as exc:  # not a network failure: not worth retrying
                raise final_error(exc) from exc
            if isinstance(outcome, httpx.Response) and outcome.is_success:
                return parse(operation, outcome)
            delay = self._retry_delay(call, attempt, outcome)
            if delay is None:
                raise final_error(outcome) from (
                    outcome if isinstance(outcome, Exception) else None
                )
            await self._sleep(delay)
            attempt += 1

    # -- settings ------------------------------------------------------------------------

    async def get_settings(
        self, app_id: int | None = None, *, show_provided_mappings: bool = False
    ) -> Settings:
        """v2 settings of an app (``app_id``, developer key) or of the portal (portal key)."""
        return await self._run(ops.get_settings(self._app_id(app_id), show_provided_mappings))

    async def put_settings(
        self, settings: Settings, app_id: int | None = None, *, show_provided_mappings: bool = False
    ) -> Settings:
        """Replace the settings (mappings not included are removed); returns what is stored."""
        return await self._run(
            ops.put_settings(settings, self._app_id(app_id), show_provided_mappings)
        )

    async def delete_settings(self, app_id: int | None = None) -> None:
        await self._run(ops.delete_settings(self._app_id(app_id)))

    async def v1_get_settings(self, app_id: int | None = None) -> V1Settings:
        return await self._run(ops.v1_get_settings(self._app_id(app_id)))

    async def v1_put_settings(self, settings: V1Settings, app_id: int | None = None) -> V1Settings:
        return await self._run(ops.v1_put_settings(settings, self._app_id(app_id)))

    async def v1_delete_settings(self, app_id: int | None = None) -> None:
        await self._run(ops.v1_delete_settings(self._app_id(app_id)))

    async def v1_get_import_settings(self, app_id: int | None = None) -> str | None:
        """The app's import trigger URI (v1), or None."""
        return await self._run(ops.v1_get_import_settings(self._required_app_id(app_id)))

    async def v1_put_import_settings(
        self, import_trigger_uri: str, app_id: int | None = None
    ) -> str | None:
        return await self._run(
            ops.v1_put_import_settings(self._required_app_id(app_id), import_trigger_uri)
        )

    # -- installs (v1) -------------------------------------------------------------------

    async def v1_install(self) -> None:
        """Install the ecommerce schema in the portal (idempotent)."""
        await self._run(ops.v1_install())

    async def v1_install_status(self) -> InstallStatus:
        return await self._run(ops.v1_install_status())

    async def v1_uninstall(self) -> None:
        await self._run(ops.v1_uninstall())

    # -- stores --------------------------------------------------------------------------

    async def put_store(self, store: Store) -> Store:
        """Create or replace a store."""
        return await self._run(ops.put_store(store))

    async def get_store(self, store_id: str) -> Store:
        return await self._run(ops.get_store(store_id))

    async def list_stores(self) -> list[Store]:
        return await self._run(ops.list_stores())

    async def delete_store(self, store_id: str) -> None:
        await self._run(ops.delete_store(store_id))

    async def replace_default_store(self, store: Store) -> Store:
        """Make ``store`` the default store; its id becomes an alias of ``default``."""
        return await self._run(ops.replace_default_store(store))

    # -- sync ----------------------------------------------------------------------------

    async def send_sync_messages(
        self,
        object_type: str,
        messages: Iterable[SyncMessage | Mapping[str, Any]],
        *,
        store_id: str = "default",
        chunk_size: int = ops.MAX_SYNC_MESSAGES,
        on_batch: BatchCallback | None = None,
    ) -> int:
        """Send messages of one type in batches of at most 200; returns how many were sent.

        ``on_batch`` is called with the size of each batch once the bridge has accepted it.
        """
        size = max(1, min(chunk_size, ops.MAX_SYNC_MESSAGES))
        sent = 0
        for batch in chunked((as_sync_message(m) for m in messages), size):
            await self._run(ops.send_sync_batch(store_id, object_type, batch))
            sent += len(batch)
            if on_batch is not None:
                on_batch(len(batch))
        return sent

    async def v1_send_sync_messages(
        self,
        object_type: str,
        messages: Iterable[V1SyncMessage | Mapping[str, Any]],
        *,
        chunk_size: int = ops.MAX_SYNC_MESSAGES,
        on_batch: BatchCallback | None = None,
    ) -> int:
        size = max(1, min(chunk_size, ops.MAX_SYNC_MESSAGES))
        sent = 0
        for batch in chunked((as_v1_sync_message(m) for m in messages), size):
            await self._run(ops.v1_send_sync_batch(object_type, batch))
            sent += len(batch)
            if on_batch is not None:
                on_batch(len(batch))
        return sent

    async def sync_status(
        self, object_type: str, external_object_id: str, *, store_id: str = "default"
    ) -> SyncStatus:
        """Status of one object; raises ``BadRequest`` while the bridge does not know it."""
        return await self._run(ops.sync_status(store_id, object_type, str(external_object_id)))

    async def v1_sync_status(self, object_type: str, integrator_object_id: str) -> V1SyncStatus:
        return await self._run(ops.v1_sync_status(object_type, str(integrator_object_id)))

    # -- sync errors ---------------------------------------------------------------------

    async def sync_errors_page(
        self,
        scope: str = "portal",
        *,
        app_id: int | None = None,
        page: int = 1,
        limit: int = ops.MAX_ERRORS_LIMIT,
        include_resolved: bool = False,
        error_type: str | None = None,
        object_type: str | None = None,
    ) -> SyncErrorPage:
        """One page of errors. ``scope``: ``portal`` (portal key), ``app`` (developer key +
        app id) or ``app_in_portal`` (an app's access token)."""
        return await self._run(
            ops.sync_errors_page(
                scope,
                self._app_id(app_id),
                page=page,
                limit=limit,
                include_resolved=include_resolved,
                error_type=error_type,
                object_type=object_type,
            )
        )

    async def iter_sync_errors(
        self,
        scope: str = "portal",
        *,
        app_id: int | None = None,
        include_resolved: bool = False,
        error_type: str | None = None,
        object_type: str | None = None,
        page_size: int = ops.MAX_ERRORS_LIMIT,
    ) -> AsyncIterator[SyncError]:
        """Every matching error, newest first, following ``paging`` page after page."""
        page: int | None = 1
        while page is not None:
            result = await self.sync_errors_page(
                scope,
                app_id=app_id,
                page=page,
                limit=page_size,
                include_resolved=include_resolved,
                error_type=error_type,
                object_type=object_type,
            )
            for error in result.results:
                yield error
            page = result.next_page

    async def v1_iter_sync_errors(
        self,
        scope: str = "default",
        owner_id: int | None = None,
        *,
        include_resolved: bool = False,
        error_type: str | None = None,
        object_type: str | None = None,
        page_size: int = ops.MAX_ERRORS_LIMIT,
    ) -> AsyncIterator[V1SyncError]:
        """v1 errors (``default``, ``app`` + app id, ``portal`` + portal id), paged by
        ``offset`` until an empty page (as v1 clients did)."""
        offset = 0
        while True:
            results = await self._run(
                ops.v1_sync_errors_page(
                    scope,
                    owner_id,
                    offset=offset,
                    limit=page_size,
                    include_resolved=include_resolved,
                    error_type=error_type,
                    object_type=object_type,
                )
            )
            if not results:
                return
            for v1_error in results:
                yield v1_error
            offset += len(results)

    async def v1_object_sync_error(
        self, object_type: str, integrator_object_id: str, *, include_resolved: bool = False
    ) -> V1SyncError:
        return await self._run(
            ops.v1_object_sync_error(object_type, str(integrator_object_id), include_resolved)
        )

    # -- imports (an installed app's access token) ---------------------------------------

    async def start_import(self, store_id: str = "default") -> ImportProgress:
        """Ask the bridge to start an import: it calls the app's webhook for counts."""
        return await self._run(ops.start_import(store_id))

    async def import_progress(
        self, store_id: str = "default", import_started_at: int | None = None
    ) -> ImportProgress:
        """Progress of one import (or of the store's latest): counts per object type."""
        return await self._run(ops.import_progress(store_id, import_started_at))

    async def import_page(
        self,
        object_type: str,
        messages: Iterable[ImportMessage],
        *,
        store_id: str,
        import_started_at: int,
        page_number: int | None = None,
    ) -> None:
        await self._run(
            ops.import_page(store_id, import_started_at, object_type, page_number, list(messages))
        )

    async def import_end(
        self,
        object_type: str,
        *,
        store_id: str,
        import_started_at: int,
        page_count: int,
        item_count: int,
    ) -> None:
        await self._run(
            ops.import_end(store_id, import_started_at, object_type, page_count, item_count)
        )

    async def v1_import_page(
        self,
        import_started_at: int,
        object_type: str,
        page_number: int,
        messages: Iterable[ImportMessage],
    ) -> None:
        await self._run(
            ops.v1_import_page(import_started_at, object_type, page_number, list(messages))
        )

    async def v1_get_import_page(
        self, import_started_at: int, object_type: str, page_number: int
    ) -> list[ImportMessage]:
        return await self._run(ops.v1_get_import_page(import_started_at, object_type, page_number))

    async def v1_import_end(
        self, import_started_at: int, object_type: str, page_count: int, item_count: int
    ) -> None:
        await self._run(ops.v1_import_end(import_started_at, object_type, page_count, item_count))
