"""SQL expressions over CRM property documents shared by the web repositories: a property as
text, as a number (NULL when it is not numeric) and a record's time, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from ecombridge.db.tables import crm_objects

# The properties that date an order, in order of preference.
DEAL_TIME_PROPS = ("closedate", "createdate")
# A decimal number as JSON or a sync message may carry it (no exponent, no spaces).
_NUMERIC = r"^-?[0-9]+(\.[0-9]+)?$"


def prop_text(name: str, table: Any = crm_objects) -> ColumnElement[Any]:
    text: ColumnElement[Any] = table.c.properties[name].as_string()
    return text


def prop_number(dialect: str, name: str, table: Any = crm_objects) -> ColumnElement[Any]:
    """The property as a number, NULL when empty or not numeric (never a cast error)."""
    text = prop_text(name, table)
    if dialect == "postgresql":
        return sa.case((text.op("~")(_NUMERIC), sa.cast(text, sa.Numeric)), else_=sa.null())
    value = sa.func.json_extract(table.c.properties, f'$."{name}"')
    kind = sa.func.json_type(table.c.properties, f'$."{name}"')
    numeric_text = sa.and_(
        kind == "text", value.op("GLOB")("*[0-9]*"), ~value.op("GLOB")("*[^0-9.-]*")
    )
    return sa.case(
        (kind.in_(["integer", "real"]), value),
        (numeric_text, sa.cast(value, sa.Float)),
        else_=sa.null(),
    )


def deal_time(dialect: str, table: Any = crm_objects) -> ColumnElement[Any]:
    """An order's moment: its close date, else its create date, else when the bridge made it
    (the reports' definition)."""
    dates = [prop_number(dialect, name, table) for name in DEAL_TIME_PROPS]
    return sa.func.coalesce(*dates, table.c.created_at)
