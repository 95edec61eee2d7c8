"""Every bridge endpoint as an operation: the call to make and how to read its answer.

``Client`` and ``AsyncClient`` run the same operations, so both speak exactly the same wire.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx

from ecombridge.client import _paths as paths
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
from ecombridge.client._request import Auth, Call
from ecombridge.client._v1_models import (
    InstallStatus,
    V1Settings,
    V1SyncError,
    V1SyncMessage,
    V1SyncStatus,
)

T = TypeVar("T")

MAX_SYNC_MESSAGES = 200
MAX_V2_IMPORT_PAGE = 200
MAX_V1_IMPORT_PAGE = 500
MAX_ERRORS_LIMIT = 200


@dataclass(frozen=True)
class Operation(Generic[T]):
    call: Call
    parse: Callable[[httpx.Response], T]


def _none(_: httpx.Response) -> None:
    return None


def _json(response: httpx.Response) -> Any:
    return response.json()


def _settings_call(method: str, app_id: int | None, **params: Any) -> Call:
    """App settings take the developer key + appId; portal settings the portal's key."""
    if app_id is not None:
        return Call(method, paths.v2("settings"), Auth.DEVELOPER, {"appId": app_id, **params})
    return Call(method, paths.v2("settings"), Auth.PORTAL, params)


# -- settings (v2) ---------------------------------------------------------------------------


def get_settings(app_id: int | None, show_provided: bool) -> Operation[Settings]:
    call = _settings_call("GET", app_id, showProvidedMappings=show_provided or None)
    return Operation(call, lambda r: Settings.from_wire(r.json()))


def put_settings(
    settings: Settings, app_id: int | None, show_provided: bool
) -> Operation[Settings]:
    base = _settings_call("PUT", app_id, showProvidedMappings=show_provided or None)
    call = Call(base.method, base.path, base.auth, base.params, settings.to_wire())
    return Operation(call, lambda r: Settings.from_wire(r.json()))


def delete_settings(app_id: int | None) -> Operation[None]:
    return Operation(_settings_call("DELETE", app_id), _none)


# -- settings, import settings, installs (v1) ------------------------------------------------


def _v1_owner(path: str, method: str, app_id: int | None, body: Any = None) -> Call:
    if app_id is not None:
        return Call(method, path, Auth.DEVELOPER, {"appId": app_id}, body)
    return Call(method, path, Auth.PORTAL, {}, body)


def v1_get_settings(app_id: int | None) -> Operation[V1Settings]:
    call = _v1_owner(paths.v1("settings"), "GET", app_id)
    return Operation(call, lambda r: V1Settings.from_wire(r.json()))


def v1_put_settings(settings: V1Settings, app_id: int | None) -> Operation[V1Settings]:
    call = _v1_owner(paths.v1("settings"), "PUT", app_id, settings.to_wire())
    return Operation(call, lambda r: V1Settings.from_wire(r.json()))


def v1_delete_settings(app_id: int | None) -> Operation[None]:
    return Operation(_v1_owner(paths.v1("settings"), "DELETE", app_id), _none)


def v1_get_import_settings(app_id: int) -> Operation[str | None]:
    call = Call("GET", paths.v1("import-settings"), Auth.DEVELOPER, {"appId": app_id})
    return Operation(call, lambda r: r.json().get("importTriggerUri"))


def v1_put_import_settings(app_id: int, import_trigger_uri: str) -> Operation[str | None]:
    body = {"importTriggerUri": import_trigger_uri}
    call = Call("PUT", paths.v1("import-settings"), Auth.DEVELOPER, {"appId": app_id}, body)
    return Operation(call, lambda r: r.json().get("importTriggerUri"))


def v1_install() -> Operation[None]:
    # Installing twice is harmless (edX installs on every run), so it may be retried.
    return Operation(Call("POST", paths.v1("installs"), Auth.PORTAL, retryable=True), _none)


def v1_install_status() -> Operation[InstallStatus]:
    call = Call("GET", paths.v1("installs", "status"), Auth.PORTAL)
    return Operation(call, lambda r: InstallStatus.from_wire(r.json()))


def v1_uninstall() -> Operation[None]:
    call = Call("POST", paths.v1("installs", "uninstall"), Auth.PORTAL, retryable=True)
    return Operation(call, _none)


# -- stores ----------------------------------------------------------------------------------


def put_store(store: Store) -> Operation[Store]:
    call = Call("PUT", paths.v2("stores"), json=store.to_wire())
    return Operation(call, lambda r: Store.from_wire(r.json()))


def get_store(store_id: str) -> Operation[Store]:
    return Operation(Call("GET", paths.v2("stores", store_id)), lambda r: Store.from_wire(r.json()))


def list_stores() -> Operation[list[Store]]:
    return Operation(
        Call("GET", paths.v2("stores")),
        lambda r: [Store.from_wire(s) for s in r.json().get("results", [])],
    )


def delete_store(store_id: str) -> Operation[None]:
    return Operation(Call("DELETE", paths.v2("stores", store_id)), _none)


def replace_default_store(store: Store) -> Operation[Store]:
    call = Call("POST", paths.v2("stores", "default", "replace"), json=store.to_wire())
    return Operation(call, lambda r: Store.from_wire(r.json()))


# -- sync messages and status ----------------------------------------------------------------


def send_sync_batch(
    store_id: str, object_type: str, messages: Sequence[SyncMessage]
) -> Operation[None]:
    body = {
        "storeId": store_id,
        "objectType": object_type,
        "messages": [m.to_wire() for m in messages],
    }
    return Operation(Call("PUT", paths.v2("sync", "messages"), json=body), _none)


def v1_send_sync_batch(object_type: str, messages: Sequence[V1SyncMessage]) -> Operation[None]:
    body = [m.to_wire() for m in messages]
    return Operation(Call("PUT", paths.v1("sync-messages", object_type), json=body), _none)


def sync_status(store_id: str, object_type: str, external_id: str) -> Operation[SyncStatus]:
    call = Call("GET", paths.v2("sync", "status", store_id, object_type, external_id))
    return Operation(call, lambda r: SyncStatus.from_wire(r.json()))


def v1_sync_status(object_type: str, integrator_id: str) -> Operation[V1SyncStatus]:
    call = Call("GET", paths.v1("sync-status", object_type, integrator_id))
    return Operation(call, lambda r: V1SyncStatus.from_wire(r.json()))


# -- sync errors -----------------------------------------------------------------------------


def _error_page(response: httpx.Response) -> SyncErrorPage:
    body = response.json()
    results = [SyncError.from_wire(e) for e in body.get("results", [])]
    nxt = ((body.get("paging") or {}).get("next") or {}).get("page")
    return SyncErrorPage(results, int(nxt) if nxt is not None and results else None)


def sync_errors_page(
    scope: str,
    app_id: int | None,
    *,
    page: int,
    limit: int,
    include_resolved: bool,
    error_type: str | None,
    object_type: str | None,
) -> Operation[SyncErrorPage]:
    """One page of v2 errors; scope is ``portal``, ``app`` (needs app_id) or ``app_in_portal``."""
    params = {
        "includeResolved": include_resolved,
        "limit": min(limit, MAX_ERRORS_LIMIT),
        "errorType": error_type,
        "objectType": object_type,
        "page": page,
    }
    if scope == "portal":
        call = Call("GET", paths.v2("sync", "errors", "portal"), Auth.PORTAL, params)
    elif scope == "app":
        if app_id is None:
            raise ValueError("app_id is required for the app's error listing")
        call = Call("GET", paths.v2("sync", "errors", "app", app_id), Auth.DEVELOPER, params)
    elif scope == "app_in_portal":
        call = Call("GET", paths.v2("sync", "errors"), Auth.TOKEN, params)
    else:
        raise ValueError(f"unknown error scope {scope!r}: portal, app or app_in_portal")
    return Operation(call, _error_page)


def v1_sync_errors_page(
    scope: str,
    owner_id: int | None,
    *,
    offset: int,
    limit: int,
    include_resolved: bool,
    error_type: str | None,
    object_type: str | None,
) -> Operation[list[V1SyncError]]:
    """One page of v1 errors; scope is ``default``, ``app`` or ``portal`` (owner_id = its id)."""
    params = {
        "showResolvedErrors": include_resolved,
        "limit": min(limit, MAX_ERRORS_LIMIT),
        "offset": offset,
        "errorType": error_type,
        "objectType": object_type,
    }
    if scope == "default":
        call = Call("GET", paths.v1("sync-errors"), Auth.DEFAULT, params)
    elif scope == "app":
        call = Call("GET", paths.v1("sync-errors", "app", owner_id), Auth.DEVELOPER, params)
    elif scope == "portal":
        call = Call("GET", paths.v1("sync-errors", "portal", owner_id), Auth.PORTAL, params)
    else:
        raise ValueError(f"unknown error scope {scope!r}: default, app or portal")
    return Operation(call, lambda r: [V1SyncError.from_wire(e) for e in r.json()["results"]])


def v1_object_sync_error(
    object_type: str, integrator_id: str, include_resolved: bool
) -> Operation[V1SyncError]:
    path = paths.v1("sync-errors", "object", object_type, integrator_id)
    call = Call("GET", path, params={"showResolvedErrors": include_resolved})
    return Operation(call, lambda r: V1SyncError.from_wire(r.json()))


# -- imports ---------------------------------------------------------------------------------


def start_import(store_id: str) -> Operation[ImportProgress]:
    # Starting twice would start two imports: not retried.
    call = Call("POST", paths.v2("imports", "start"), Auth.TOKEN, json={"storeId": store_id})
    return Operation(call, lambda r: ImportProgress.from_wire(r.json()))


def import_progress(store_id: str, import_started_at: int | None) -> Operation[ImportProgress]:
    """One import's progress, or the store's latest import when no start time is given."""
    parts: tuple[object, ...] = ("imports", store_id)
    if import_started_at is not None:
        parts = (*parts, import_started_at)
    call = Call("GET", paths.v2(*parts), Auth.TOKEN)
    return Operation(call, lambda r: ImportProgress.from_wire(r.json()))


def import_page(
    store_id: str,
    import_started_at: int,
    object_type: str,
    page_number: int | None,
    messages: Sequence[ImportMessage],
) -> Operation[None]:
    body: dict[str, Any] = {
        "storeId": store_id,
        "importStartedAt": import_started_at,
        "objectType": object_type,
        "messages": [m.to_wire() for m in messages],
    }
    if page_number is not None:
        body["pageNumber"] = page_number
    # A page has a number, so sending it twice replaces it: safe to retry.
    call = Call("POST", paths.v2("imports", "page"), Auth.TOKEN, json=body, retryable=True)
    return Operation(call, _none)


def import_end(
    store_id: str, import_started_at: int, object_type: str, page_count: int, item_count: int
) -> Operation[None]:
    body = {
        "storeId": store_id,
        "importStartedAt": import_started_at,
        "objectType": object_type,
        "pageCount": page_count,
        "itemCount": item_count,
    }
    return Operation(Call("POST", paths.v2("imports", "end"), Auth.TOKEN, json=body), _none)


def v1_import_page(
    import_started_at: int, object_type: str, page_number: int, messages: Sequence[ImportMessage]
) -> Operation[None]:
    path = paths.v1("import-pages", import_started_at, object_type, page_number)
    body = [m.to_v1_wire() for m in messages]
    return Operation(Call("PUT", path, Auth.TOKEN, json=body), _none)


def v1_get_import_page(
    import_started_at: int, object_type: str, page_number: int
) -> Operation[list[ImportMessage]]:
    path = paths.v1("import-pages", import_started_at, object_type, page_number)
    return Operation(
        Call("GET", path, Auth.TOKEN),
        lambda r: [ImportMessage.from_wire(m) for m in r.json()],
    )


def v1_import_end(
    import_started_at: int, object_type: str, page_count: int, item_count: int
) -> Operation[None]:
    path = paths.v1("import-pages", import_started_at, object_type, "end")
    body = {"pageCount": page_count, "itemCount": item_count}
    return Operation(Call("PUT", path, Auth.TOKEN, json=body), _none)
