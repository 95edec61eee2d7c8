"""``Importer``: records per object type -> numbered pages and one end signal per type."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ecombridge.client import _operations as ops
from ecombridge.client._base import as_import_message, chunked
from ecombridge.client._models import IMPORT_ORDER, ImportMessage

if TYPE_CHECKING:
    from ecombridge.client._async_client import AsyncClient
    from ecombridge.client._client import Client

Records = Mapping[str, Iterable[ImportMessage | Mapping[str, Any]]]
PageCallback = Callable[[str, int], None]


@dataclass(frozen=True)
class ImportPage:
    object_type: str
    page_number: int
    messages: list[ImportMessage]


@dataclass(frozen=True)
class ImportEnd:
    object_type: str
    page_count: int
    item_count: int


class Importer:
    """Turns records into the page and end calls of one import (v2 by default, or v1).

    Pages are numbered from 0 and hold at most 200 records (v2) or 500 (v1). Every one of the
    four object types gets an end signal, with zero counts when it has no records, because an
    import completes only when all four have ended. Types go in the order the bridge processes
    them (PRODUCT, CONTACT, DEAL, LINE_ITEM).
    """

    def __init__(
        self,
        import_started_at: int,
        store_id: str = "default",
        *,
        page_size: int | None = None,
        version: int = 2,
    ) -> None:
        if version not in (1, 2):
            raise ValueError("version must be 1 or 2")
        limit = ops.MAX_V2_IMPORT_PAGE if version == 2 else ops.MAX_V1_IMPORT_PAGE
        self.import_started_at = import_started_at
        self.store_id = store_id
        self.version = version
        self.page_size = max(1, min(page_size or limit, limit))

    def plan(self, records: Records) -> Iterator[ImportPage | ImportEnd]:
        unknown = set(records) - set(IMPORT_ORDER)
        if unknown:
            raise ValueError(f"unknown object types: {', '.join(sorted(unknown))}")
        for object_type in IMPORT_ORDER:
            items = (as_import_message(r) for r in records.get(object_type, ()))
            pages = items_count = 0
            for chunk in chunked(items, self.page_size):
                yield ImportPage(object_type, pages, chunk)
                pages += 1
                items_count += len(chunk)
            yield ImportEnd(object_type, pages, items_count)

    def _operation(self, step: ImportPage | ImportEnd) -> ops.Operation[None]:
        ts = self.import_started_at
        if isinstance(step, ImportPage):
            if self.version == 1:
                return ops.v1_import_page(ts, step.object_type, step.page_number, step.messages)
            return ops.import_page(
                self.store_id, ts, step.object_type, step.page_number, step.messages
            )
        if self.version == 1:
            return ops.v1_import_end(ts, step.object_type, step.page_count, step.item_count)
        return ops.import_end(self.store_id, ts, step.object_type, step.page_count, step.item_count)

    def run(
        self, client: Client, records: Records, on_page: PageCallback | None = None
    ) -> dict[str, ImportEnd]:
        """Send every page and end signal; ``on_page(object_type, n_records)`` after each page."""
        ends: dict[str, ImportEnd] = {}
        for step in self.plan(records):
            client._run(self._operation(step))
            if isinstance(step, ImportEnd):
                ends[step.object_type] = step
            elif on_page is not None:
                on_page(step.object_type, len(step.messages))
        return ends

    async def arun(
        self, client: AsyncClient, records: Records, on_page: PageCallback | None = None
    ) -> dict[str, ImportEnd]:
        ends: dict[str, ImportEnd] = {}
        for step in self.plan(records):
            await client._run(self._operation(step))
            if isinstance(step, ImportEnd):
                ends[step.object_type] = step
            elif on_page is not None:
                on_page(step.object_type, len(step.messages))
        return ends
