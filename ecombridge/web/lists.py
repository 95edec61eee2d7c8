"""What the object lists show and how their URLs read: columns and their sort keys, filters
(search, store, stage, date range), page and page size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from starlette.datastructures import QueryParams

from ecombridge.limits import MAX_BIGINT
from ecombridge.web.format import EN_DASH, Formatter
from ecombridge.web.repository.listing import ListQuery

PAGE_SIZES = (25, 50, 100)
# Orders that went through checkout: what revenue counts (reports' definition).
PAID_STAGES = ("checkout_completed", "processed", "shipped")
PAID = "paid"


@dataclass(frozen=True)
class ListColumn:
    key: str  # in the URL: ?sort=<key>
    heading: str
    prop: str | None  # the property shown; None: the record's title or update time
    kind: str  # title | text | money | number | stage | time | updated
    sort: str  # the repository's sort expression
    on_phone: bool = False  # kept on a narrow screen (the title always is)

    @property
    def numeric(self) -> bool:
        return self.kind in ("money", "number")


_UPDATED = ListColumn("updated", "Updated", None, "updated", "updated")
COLUMNS: dict[str, tuple[ListColumn, ...]] = {
    "CONTACT": (
        ListColumn("name", "Name", None, "title", "t:lastname"),
        ListColumn("email", "Email", "email", "text", "t:email", on_phone=True),
        ListColumn("city", "City", "city", "text", "t:city"),
        _UPDATED,
    ),
    "DEAL": (
        ListColumn("name", "Order", None, "title", "t:dealname"),
        ListColumn("stage", "Stage", "dealstage", "stage", "t:dealstage"),
        ListColumn("amount", "Amount", "amount", "money", "n:amount", on_phone=True),
        ListColumn("date", "Order date", None, "time", "time"),
        _UPDATED,
    ),
    "PRODUCT": (
        ListColumn("name", "Product", None, "title", "t:name"),
        ListColumn("sku", "SKU", "hs_sku", "text", "t:hs_sku"),
        ListColumn("price", "Price", "price", "money", "n:price", on_phone=True),
        _UPDATED,
    ),
    "LINE_ITEM": (
        ListColumn("name", "Line item", None, "title", "t:name"),
        ListColumn("quantity", "Quantity", "quantity", "number", "n:quantity"),
        ListColumn("price", "Unit price", "price", "money", "n:price"),
        ListColumn("amount", "Amount", "amount", "money", "n:amount", on_phone=True),
        _UPDATED,
    ),
}


def parse_store(value: str | None) -> tuple[int, str] | None:
    """A store filter value ``<appId>:<storeId>``."""
    if not value or ":" not in value:
        return None
    app, _, store = value.partition(":")
    try:
        app_id = int(app)
    except ValueError:
        return None
    return (app_id, store) if 0 <= app_id <= MAX_BIGINT and store else None


def parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def parse_int(value: str | None, default: int, allowed: tuple[int, ...] | None = None) -> int:
    try:
        number = int(value) if value else default
    except ValueError:
        return default
    return number if allowed is None or number in allowed else default


@dataclass(frozen=True)
class ListState:
    """A list's filters and order as the page shows them again."""

    query: ListQuery
    page: int
    page_size: int
    sort: str
    descending: bool
    store: str
    stage: str
    start: date | None
    end: date | None

    @property
    def filtered(self) -> bool:
        return bool(self.query.text or self.store or self.stage or self.start or self.end)


def list_state(
    object_type: str, params: QueryParams, fmt: Formatter, stage_ids: set[str]
) -> ListState:
    columns = {c.key: c for c in COLUMNS[object_type]}
    sort = params.get("sort", "updated")
    column = columns.get(sort, _UPDATED)
    descending = params.get("dir", "asc" if column.kind in ("title", "text") else "desc") != "asc"
    size = parse_int(params.get("size"), PAGE_SIZES[0], PAGE_SIZES)
    page = min(max(1, parse_int(params.get("page"), 1)), MAX_BIGINT // (size * 10))
    store = parse_store(params.get("store"))
    stage = params.get("stage", "") if object_type == "DEAL" else ""
    stages: tuple[str, ...] = ()
    if stage == PAID:
        stages = PAID_STAGES
    elif stage in stage_ids:
        stages = (stage,)
    else:
        stage = ""
    start, end = parse_day(params.get("from")), parse_day(params.get("to"))
    query = ListQuery(
        object_type=object_type,
        text=params.get("q", "").strip()[:200],
        store=store,
        stages=stages,
        start_ms=fmt.start_of_day_ms(start) if start else None,
        end_ms=fmt.start_of_day_ms(end + timedelta(days=1)) if end else None,
        sort=column.sort,
        descending=descending,
        limit=size,
        offset=(page - 1) * size,
    )
    return ListState(
        query=query,
        page=page,
        page_size=size,
        sort=column.key,
        descending=descending,
        store=f"{store[0]}:{store[1]}" if store else "",
        stage=stage,
        start=start,
        end=end,
    )


def aria_sort(state: ListState, column: ListColumn) -> str:
    if state.sort != column.key:
        return "none"
    return "descending" if state.descending else "ascending"


def range_text(state: ListState, total: int, fmt: Formatter) -> str:
    """ "1-25 of 700" with an en dash (or "No results")."""
    if total == 0:
        return "No results"
    first = state.query.offset + 1
    last = min(state.query.offset + state.page_size, total)
    if first > total:
        return f"Past the last of {fmt.count(total)}"
    return f"{fmt.count(first)}{EN_DASH}{fmt.count(last)} of {fmt.count(total)}"


def column_value(column: ListColumn, properties: dict[str, Any]) -> Any:
    return properties.get(column.prop) if column.prop else None
