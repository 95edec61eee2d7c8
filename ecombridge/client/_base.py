"""What ``Client`` and ``AsyncClient`` share: configuration, credentials, retry decisions."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from typing import Any, TypeVar

import httpx

from ecombridge import __version__
from ecombridge.client._exceptions import (
    BridgeError,
    TransportError,
    error_from_response,
    parse_retry_after,
)
from ecombridge.client._models import ImportMessage, SyncMessage
from ecombridge.client._operations import Operation
from ecombridge.client._request import RETRY_STATUSES, Call, Credentials, Retry
from ecombridge.client._v1_models import V1SyncMessage

DEFAULT_BASE_URL = "http://127.0.0.1:8080"
DEFAULT_TIMEOUT = 30.0
USER_AGENT = f"ecombridge-python/{__version__}"

T = TypeVar("T")


class BaseClient:
    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None,
        developer_api_key: str | None,
        app_id: int | None,
        access_token: str | None,
        private_app_token: str | None,
        max_retries: int,
        retry: Retry | None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.credentials = Credentials(
            api_key, developer_api_key, app_id, access_token, private_app_token
        )
        self.retry = retry if retry is not None else Retry(max_retries=max_retries)

    @property
    def app_id(self) -> int | None:
        return self.credentials.app_id

    def _app_id(self, app_id: int | None) -> int | None:
        return app_id if app_id is not None else self.credentials.app_id

    def _required_app_id(self, app_id: int | None) -> int:
        resolved = self._app_id(app_id)
        if resolved is None:
            raise ValueError("app_id is required (pass it, or build the client with app_id=)")
        return resolved

    def _build_request(self, http: httpx.Client | httpx.AsyncClient, call: Call) -> httpx.Request:
        auth_params, headers = self.credentials.apply(call.auth)
        return http.build_request(
            call.method, call.path, params=call.query(auth_params), json=call.json, headers=headers
        )

    def _retry_delay(
        self, call: Call, attempt: int, outcome: httpx.Response | Exception
    ) -> float | None:
        """Seconds to wait before retrying, or None when the outcome is final."""
        if not call.may_retry or attempt >= self.retry.max_retries:
            return None
        if isinstance(outcome, Exception):
            return self.retry.delay(attempt)
        if outcome.status_code not in RETRY_STATUSES:
            return None
        retry_after = parse_retry_after(outcome.headers.get("retry-after"))
        return self.retry.delay(attempt, retry_after)


def parse(operation: Operation[T], response: httpx.Response) -> T:
    """Read a success answer; one the SDK cannot read is a ``BridgeError``, not a KeyError."""
    try:
        return operation.parse(response)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BridgeError(
            f"Unexpected answer from the bridge ({response.status_code}): {exc!r}",
            status_code=response.status_code,
            body=response.text,
        ) from exc


def final_error(outcome: httpx.Response | Exception) -> BridgeError:
    if isinstance(outcome, Exception):
        detail = str(outcome) or outcome.__class__.__name__
        return TransportError(f"Could not reach the bridge: {detail}")
    return error_from_response(outcome)


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def as_sync_message(item: SyncMessage | Mapping[str, Any]) -> SyncMessage:
    return item if isinstance(item, SyncMessage) else SyncMessage.from_wire(dict(item))


def as_v1_sync_message(item: V1SyncMessage | Mapping[str, Any]) -> V1SyncMessage:
    if isinstance(item, V1SyncMessage):
        return item
    changed = item.get("changeOccurredTimestamp")
    return V1SyncMessage(
        str(item["integratorObjectId"]),
        dict(item.get("propertyNameToValues") or {}),
        str(item.get("action", "UPSERT")),
        None if changed is None else int(float(changed)),
    )


def as_import_message(item: ImportMessage | Mapping[str, Any]) -> ImportMessage:
    return item if isinstance(item, ImportMessage) else ImportMessage.from_wire(dict(item))
