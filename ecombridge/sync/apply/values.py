"""Turning one message's external properties into CRM values, or into the error HubSpot reported.

Everything here is pure: ``compile_fields`` runs once per batch, ``check_upsert`` once per message
and only looks at the properties the message carries.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field, replace
from typing import Any

from ecombridge.clock import parse_iso_ms
from ecombridge.sync.messages import Message

# v1 associations travel as mapped pseudo-properties; they become associations, never properties.
ASSOC_PROPERTIES = {
    "DEAL": {"hs_assoc__contact_ids": "CONTACT"},
    "LINE_ITEM": {"hs_assoc__deal_id": "DEAL", "hs_assoc__product_id": "PRODUCT"},
}
# The v1 property name each association pair is reported under (also for v2 associations).
ASSOC_PROPERTY_NAMES = {
    (from_type, to_type): name
    for from_type, names in ASSOC_PROPERTIES.items()
    for name, to_type in names.items()
}
ALLOWED_ASSOCIATIONS = {"DEAL": ("CONTACT",), "LINE_ITEM": ("DEAL", "PRODUCT")}

# Epoch values below this are taken as seconds (10^11 ms is March 1973; 10^11 s is year 5138).
SECONDS_CUTOFF = 100_000_000_000
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

Error = tuple[str, str]  # (type, details)
# The registry type ``repository.property_registry`` gives a property with unique values
# (hasUniqueValue): only the CRM objects API writes those, as it keeps their values unique, so a
# message setting one fails.
UNIQUE_TYPE = "unique"
VALUES_NOT_VALID = "Property values were not valid: "


class InvalidValue(Exception):
    def __init__(self, error_type: str, details: str):
        super().__init__(details)
        self.error = (error_type, details)


@dataclass(frozen=True, slots=True)
class Field:
    """How one mapped external property is applied."""

    hubspot_name: str
    kind: str  # NUMBER, DATETIME, STRING, BOOL, ENUM, ASSOC, MISSING, UNIQUE, BAD_ASSOC
    options: frozenset[str] = frozenset()
    assoc_type: str = ""
    # How check_upsert's fast path takes the usual values (FAST_*), or None: always in full.
    fast: str | None = None


# The common cases, checked without the general coercion: a non-empty string for a text
# property, an int or finite float for a number property, an int of epoch milliseconds for a
# date property, a stage id for a deal's stage; and a mapping to a property the portal does not
# define, whose value is skipped.
FAST_TEXT, FAST_NUMBER, FAST_DATETIME, FAST_STAGE = "text", "number", "datetime", "stage"
FAST_SKIP = "skip"


@dataclass(slots=True)
class Checked:
    """A message after validation: either an error or the values it sets."""

    message: Message
    error: Error | None = None
    properties: dict[str, Any] = field(default_factory=dict)  # hubspot name -> value (None clears)
    associations: dict[str, list[str]] = field(default_factory=dict)  # to type -> external ids
    email: str | None = None
    # The mapped properties the portal does not define, whose values were skipped (sorted).
    skipped: tuple[str, ...] = ()


def compile_fields(
    object_type: str,
    mappings: list[dict[str, Any]],
    registry: dict[str, tuple[str, frozenset[str]]],
) -> dict[str, Field]:
    """External property name -> Field, from the settings' mappings and the property registry."""
    fields: dict[str, Field] = {}
    for mapping in mappings:
        external = mapping.get("externalPropertyName")
        hubspot = mapping.get("hubspotPropertyName")
        if not isinstance(external, str) or not isinstance(hubspot, str):
            continue
        found = _field(object_type, hubspot, mapping.get("dataType"), registry)
        fields[external] = replace(found, fast=_fast_kind(object_type, found))
    return fields


def _fast_kind(object_type: str, f: Field) -> str | None:
    if f.kind == "MISSING":
        return FAST_SKIP
    if object_type == "DEAL" and f.hubspot_name == "dealstage":
        return FAST_STAGE if f.kind in ("STRING", "ENUM") else None
    return {"STRING": FAST_TEXT, "NUMBER": FAST_NUMBER, "DATETIME": FAST_DATETIME}.get(f.kind)


def _field(
    object_type: str,
    hubspot: str,
    data_type: Any,
    registry: dict[str, tuple[str, frozenset[str]]],
) -> Field:
    if hubspot.startswith("hs_assoc__"):
        target = ASSOC_PROPERTIES.get(object_type, {}).get(hubspot)
        return Field(hubspot, "ASSOC", assoc_type=target) if target else Field(hubspot, "BAD_ASSOC")
    known = registry.get(hubspot)
    if known is None:
        return Field(hubspot, "MISSING")
    prop_type, options = known
    if prop_type == UNIQUE_TYPE:
        return Field(hubspot, "UNIQUE")
    if data_type in ("NUMBER", "DATETIME"):
        return Field(hubspot, str(data_type))
    # STRING / AVATAR_IMAGE / no dataType: the target property's type still validates the value.
    kind = {
        "number": "NUMBER",
        "datetime": "DATETIME",
        "date": "DATETIME",
        "bool": "BOOL",
        "enumeration": "ENUM",
    }.get(prop_type, "STRING")
    return Field(hubspot, kind, options if kind == "ENUM" else frozenset())


def check_upsert(
    message: Message,
    object_type: str,
    fields: dict[str, Field],
    stage_ids: frozenset[str],
) -> Checked:
    """The message's values and associations, or its error. A fast path takes messages whose
    every mapped value is of the usual kind (``Field.fast``) and whose associations are all
    allowed; any other message is checked in full, with the same result for the usual ones."""
    properties: dict[str, Any] = {}
    skipped: list[str] | None = None
    if message.properties:
        lookup = fields.get
        defined = False  # a mapped property the portal defines
        for name, value in message.properties.items():
            f = lookup(name)
            if f is None:
                continue
            fast, kind_of_value = f.fast, type(value)
            if fast is FAST_SKIP:
                if skipped is None:
                    skipped = []
                skipped.append(f.hubspot_name)
                continue
            defined = True
            if fast is FAST_TEXT:
                if kind_of_value is str and value:
                    properties[f.hubspot_name] = value
                    continue
            elif fast is FAST_NUMBER:
                if kind_of_value is int:
                    properties[f.hubspot_name] = value
                    continue
                if kind_of_value is float and math.isfinite(value):
                    properties[f.hubspot_name] = int(value) if value.is_integer() else value
                    continue
            elif fast is FAST_DATETIME:
                if kind_of_value is int and value >= SECONDS_CUTOFF:
                    properties[f.hubspot_name] = value
                    continue
            elif fast is FAST_STAGE and kind_of_value is str and value in stage_ids:
                properties[f.hubspot_name] = value
                continue
            return check_in_full(message, object_type, fields, stage_ids)
        if not defined:  # nothing mapped, or only properties the portal does not define
            return check_in_full(message, object_type, fields, stage_ids)
    associations: dict[str, list[str]] = {}
    if message.associations:
        allowed = ALLOWED_ASSOCIATIONS.get(object_type, ())
        for to_type, ids in message.associations.items():
            if to_type not in allowed:
                return check_in_full(message, object_type, fields, stage_ids)
            associations[to_type] = (
                [ids[0]] if len(ids) == 1 and ids[0] else sorted(set(ids) - {""})
            )
    email = None
    skipped_names = tuple(sorted(set(skipped))) if skipped else ()
    if object_type == "CONTACT":
        email = properties.pop("email", None)
        if email is not None and not _EMAIL.match(email):
            error = ("INVALID_EMAIL_ADDRESS", f"Email address {email} is invalid")
            return Checked(message, error, properties, associations, email, skipped_names)
    return Checked(message, None, properties, associations, email, skipped_names)


def check_in_full(
    message: Message,
    object_type: str,
    fields: dict[str, Field],
    stage_ids: frozenset[str],
) -> Checked:
    """Every rule, for any message (``check_upsert`` takes the usual ones faster)."""
    checked = Checked(message)
    lookup = fields.get
    mapped = [(f, v) for name, v in message.properties.items() if (f := lookup(name)) is not None]
    if message.properties and not mapped:
        checked.error = (
            "NO_MAPPINGS_DEFINED",
            f"None of the properties {sorted(message.properties)} are mapped for {object_type} "
            "in the sync settings.",
        )
        return checked
    if any(f.kind == "MISSING" for f, _ in mapped):
        missing = sorted({f.hubspot_name for f, _ in mapped if f.kind == "MISSING"})
        mapped = [(f, v) for f, v in mapped if f.kind != "MISSING"]
        if not mapped:
            checked.error = (
                "NO_PROPERTIES_DEFINED",
                f"None of the mapped properties exist for {object_type}: {', '.join(missing)}",
            )
            return checked
        checked.skipped = tuple(missing)  # the others are applied
    if any(f.kind == "UNIQUE" for f, _ in mapped):
        unique = sorted({f.hubspot_name for f, _ in mapped if f.kind == "UNIQUE"})
        checked.error = (
            "UNKNOWN_ERROR",
            f"{VALUES_NOT_VALID}{', '.join(unique)} must hold unique values (hasUniqueValue); "
            "only the CRM objects API writes such properties, not sync messages",
        )
        return checked
    try:
        for f, value in mapped:
            _apply_value(checked, object_type, f, value, stage_ids)
        checked.associations = _merge_associations(object_type, message, checked.associations)
    except InvalidValue as invalid:
        checked.error = invalid.error
        return checked
    if object_type == "CONTACT":
        email = checked.properties.pop("email", None)
        if email is not None and not _EMAIL.match(email):
            checked.error = ("INVALID_EMAIL_ADDRESS", f"Email address {email} is invalid")
        checked.email = email
    return checked


def _apply_value(
    checked: Checked, object_type: str, f: Field, value: Any, stage_ids: frozenset[str]
) -> None:
    if f.kind == "BAD_ASSOC":
        raise InvalidValue(
            "INVALID_ASSOCIATION_PROPERTY",
            f"{f.hubspot_name} is not a valid association property for {object_type}",
        )
    if f.kind == "ASSOC":
        ids = [] if value is None else [p.strip() for p in _text(value).split(";")]
        checked.associations[f.assoc_type] = [i for i in ids if i]
        return
    if value is None or value == "":
        checked.properties[f.hubspot_name] = None
        return
    checked.properties[f.hubspot_name] = checked_value(object_type, f, value, stage_ids)


def property_field(object_type: str, name: str, known: tuple[str, frozenset[str]]) -> Field:
    """How values of the property ``name`` are checked; ``known``: its registry entry (type,
    enumeration options)."""
    return _field(object_type, name, None, {name: known})


def checked_value(object_type: str, f: Field, value: Any, stage_ids: frozenset[str]) -> Any:
    """``value`` coerced to the property's type; InvalidValue when it is not of that type, not
    one of an enumeration's options or, for a deal's stage, not in ``stage_ids``."""
    coerced = coerce(f, value)
    if object_type == "DEAL" and f.hubspot_name == "dealstage":
        if coerced not in stage_ids:
            raise InvalidValue(
                "INVALID_DEAL_STAGE",
                f"'{coerced}' is not a stage of the Ecommerce Pipeline; "
                f"valid stages: {', '.join(sorted(stage_ids))}",
            )
    elif f.kind == "ENUM" and coerced not in f.options:
        raise InvalidValue(
            "INVALID_ENUM_PROPERTY",
            f"{VALUES_NOT_VALID}'{coerced}' is not a valid option for "
            f"{f.hubspot_name}; valid options: {', '.join(sorted(f.options))}",
        )
    return coerced


def _merge_associations(
    object_type: str, message: Message, from_properties: dict[str, list[str]]
) -> dict[str, list[str]]:
    """v2 ``associations`` (and v1 hs_assoc__* values): to type -> sorted distinct external ids."""
    if not message.associations and not from_properties:
        return from_properties
    allowed = ALLOWED_ASSOCIATIONS.get(object_type, ())
    if not from_properties and all(t in allowed for t in message.associations):
        return {  # v2 associations alone, all allowed (the usual case)
            to_type: sorted({i for i in map(str, ids) if i})
            for to_type, ids in message.associations.items()
        }
    merged = {to_type: set(ids) for to_type, ids in from_properties.items()}
    for to_type, ids in message.associations.items():
        if to_type not in allowed:
            if not ids:
                continue
            raise InvalidValue(
                "INVALID_ASSOCIATION_PROPERTY",
                f"Invalid association {object_type} -> {to_type}; supported associations are "
                "DEAL -> CONTACT, LINE_ITEM -> DEAL and LINE_ITEM -> PRODUCT",
            )
        merged.setdefault(to_type, set()).update(str(i) for i in ids if str(i))
    return {to_type: sorted(ids) for to_type, ids in merged.items()}


def is_email(text: str) -> bool:
    """Whether ``text`` is shaped like an email address (the check contacts' emails pass)."""
    return _EMAIL.match(text) is not None


def coerce(f: Field, value: Any) -> Any:
    if f.kind == "NUMBER":
        return to_number(value, f.hubspot_name)
    if f.kind == "DATETIME":
        return to_epoch_ms(value, f.hubspot_name)
    if f.kind == "BOOL":
        return to_bool(value, f.hubspot_name)
    return _text(value)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _invalid(value: Any, what: str, name: str, error_type: str = "UNKNOWN_ERROR") -> InvalidValue:
    details = f"{VALUES_NOT_VALID}'{value}' was not a valid {what} for {name}"
    return InvalidValue(error_type, details)


def to_number(value: Any, name: str) -> int | float:
    number: float
    if isinstance(value, bool):
        raise _invalid(value, "number", name)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            pass
        try:
            number = float(text)
        except ValueError:
            raise _invalid(value, "number", name) from None
    else:
        raise _invalid(value, "number", name)
    if not math.isfinite(number):
        raise _invalid(value, "number", name)
    return int(number) if number.is_integer() else number


def to_epoch_ms(value: Any, name: str) -> int:
    """Epoch ms from ms (int, float, numeric string), seconds (values below 10^11) or ISO-8601."""
    try:
        number = to_number(value, name)
    except InvalidValue:
        if not isinstance(value, str):
            raise _invalid(value, "date", name, "ERROR_INVALID_DATE_PROPERTY") from None
        return _iso_ms(value, name)
    ms = int(number)
    return ms * 1000 if 0 <= ms < SECONDS_CUTOFF else ms


def _iso_ms(value: str, name: str) -> int:
    try:
        return parse_iso_ms(value)
    except ValueError:
        raise _invalid(value, "date", name, "ERROR_INVALID_DATE_PROPERTY") from None


def to_bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise _invalid(value, "boolean", name)
