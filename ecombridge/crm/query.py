"""A CRM search, checked and typed: which properties, which operators, which values.

Property kinds decide how values compare: ``number`` and ``datetime`` (epoch ms) numerically,
``bool`` as booleans, ``text`` case-insensitively. The system properties map to columns.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from ecombridge.clock import parse_iso_ms
from ecombridge.crm.catalog import SUPPORTED_PAIRS, stored_pair
from ecombridge.crm.ids import digits
from ecombridge.crm_schema.object_types import find_object_type
from ecombridge.errors import ValidationFailed

OPERATORS = (
    "EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN",
    "HAS_PROPERTY", "NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN",
)  # fmt: skip
VALUELESS = ("HAS_PROPERTY", "NOT_HAS_PROPERTY")
LISTS = ("IN", "NOT_IN")
TEXT_ONLY = ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN")
ASSOCIATIONS = "associations."  # the pseudo-properties associations.{type}
ASSOCIATION_OPERATORS = ("EQ", "NEQ", "IN", "NOT_IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY")
# Registry types -> how values compare.
KINDS = {"number": "number", "datetime": "datetime", "date": "datetime", "bool": "bool"}
_NAME = re.compile(r"^[A-Za-z0-9_]{1,100}$")


@dataclass(frozen=True)
class PropertyRef:
    name: str
    kind: str  # text | number | datetime | bool | id
    # Where the value lives: "properties" (the JSON document), "id", "created", "updated", or
    # "association" (``associations.{type}``: the ids of the objects of ``pair[1]`` associated
    # with an object of ``pair[0]``).
    source: str = "properties"
    pair: tuple[str, str] = ("", "")


@dataclass(frozen=True)
class Condition:
    prop: PropertyRef
    operator: str
    values: tuple[Any, ...] = ()  # typed: float for number/datetime, bool, lower-cased str


@dataclass(frozen=True)
class Sort:
    prop: PropertyRef
    descending: bool


@dataclass(frozen=True)
class Search:
    portal_id: int
    object_type: str
    groups: tuple[tuple[Condition, ...], ...]  # OR of ANDs
    text_query: str | None
    searchable: tuple[PropertyRef, ...]
    sorts: tuple[Sort, ...]
    offset: int
    limit: int


def resolve_property(
    name: str, object_type: str, registry: dict[str, str], where: str
) -> PropertyRef:
    """A property a filter or sort names; unknown names are a 400 naming them."""
    if name == "hs_object_id":
        return PropertyRef(name, "number", "id")
    if name == "createdate":
        return PropertyRef(name, "datetime", "created")
    if name in ("lastmodifieddate", "hs_lastmodifieddate"):
        return PropertyRef(name, "datetime", "updated")
    if name.startswith(ASSOCIATIONS):
        return _association(name, object_type, where)
    if not _NAME.match(name) or name not in registry:
        raise ValidationFailed(
            f"{where}: property {name!r} does not exist on {object_type.lower()}s.",
            errors=[{"message": f"Unknown property {name!r}", "in": where}],
        )
    return PropertyRef(name, KINDS.get(registry[name], "text"))


def _association(name: str, object_type: str, where: str) -> PropertyRef:
    """``associations.contact``: the objects of that type associated with the one searched."""
    to_type = find_object_type(name.removeprefix(ASSOCIATIONS))
    if to_type is None or stored_pair(object_type, to_type) is None:
        raise ValidationFailed(
            f"{where}: {name!r} is not an association of {object_type.lower()}s; supported "
            f"pairs are {SUPPORTED_PAIRS} (e.g. associations.contact on deals)."
        )
    return PropertyRef(name, "id", "association", (object_type, to_type))


def typed_value(prop: PropertyRef, raw: Any, where: str) -> Any:
    """A filter value converted to how ``prop`` compares."""
    if raw is None:
        raise ValidationFailed(f"{where}: a value is required for {prop.name}.")
    if prop.kind == "id":
        object_id = None if isinstance(raw, bool) else digits(raw)
        if object_id is None:
            raise ValidationFailed(f"{where}: {prop.name} takes object ids; got {raw!r}.")
        return object_id
    if prop.kind == "number":
        return _number(raw, prop, where)
    if prop.kind == "datetime":
        return _epoch_ms(raw, prop, where)
    if prop.kind == "bool":
        text = str(raw).strip().lower()
        if text not in ("true", "false"):
            raise ValidationFailed(f"{where}: {prop.name} is a bool; use true or false.")
        return text == "true"
    if isinstance(raw, bool):
        return "true" if raw else "false"
    return str(raw).lower()


def condition(prop: PropertyRef, operator: str, raw: dict[str, Any], where: str) -> Condition:
    if operator not in OPERATORS:
        raise ValidationFailed(
            f"{where}.operator {operator!r} is not valid; allowed: {', '.join(OPERATORS)}."
        )
    if prop.source == "association" and operator not in ASSOCIATION_OPERATORS:
        raise ValidationFailed(
            f"{where}.operator {operator!r} does not apply to {prop.name}; allowed: "
            f"{', '.join(ASSOCIATION_OPERATORS)}."
        )
    if operator in VALUELESS:
        return Condition(prop, operator)
    if operator in TEXT_ONLY:
        if raw.get("value") is None:
            raise ValidationFailed(f"{where}: a value is required for {operator}.")
        return Condition(prop, operator, (str(raw["value"]).lower(),))
    if operator in LISTS:
        values = raw.get("values")
        if not isinstance(values, list) or not values:
            raise ValidationFailed(f"{where}.values: {operator} needs a non-empty list.")
        return Condition(prop, operator, tuple(typed_value(prop, v, where) for v in values))
    low = typed_value(prop, raw.get("value"), where)
    if operator == "BETWEEN":
        return Condition(prop, operator, (low, typed_value(prop, raw.get("highValue"), where)))
    return Condition(prop, operator, (low,))


def _number(raw: Any, prop: PropertyRef, where: str) -> float:
    try:
        if isinstance(raw, bool):
            raise ValueError
        number = float(raw)
        if not math.isfinite(number):
            raise ValueError
    except (TypeError, ValueError):
        raise ValidationFailed(f"{where}: {prop.name} is a number; got {raw!r}.") from None
    return number


def _epoch_ms(raw: Any, prop: PropertyRef, where: str) -> float:
    """Epoch milliseconds, or an ISO-8601 date or date-time (UTC when no offset is given)."""
    text = str(raw).strip()
    try:
        number = float(text)
    except ValueError:
        pass
    else:
        if math.isfinite(number):
            return number
    try:
        return float(parse_iso_ms(text))
    except ValueError:
        raise ValidationFailed(
            f"{where}: {prop.name} is a date-time; use epoch milliseconds or ISO-8601, got {raw!r}."
        ) from None
