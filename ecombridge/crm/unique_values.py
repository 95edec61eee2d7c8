"""Properties with unique values (``hasUniqueValue``) and the keys objects are found by
(``idProperty``): the object id, a contact's email, a property with unique values.

A unique property's values are indexed in ``crm_unique_values``, one row per value held (the
lower-cased text of a string, the canonical text of a number, so ``ABC`` and ``abc`` are the
same value): CRM writes check it before writing and keep it current, lookups by ``idProperty``
read it. Contacts' emails are kept unique by ``crm_objects.email_key``, the key the sync apply
links contacts by. The sync apply does not write unique properties (a message mapping one
fails), so the index holds every value.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.engine import Connection

from ecombridge.crm import write_repository as repo
from ecombridge.crm.ids import parse_object_id
from ecombridge.crm.property_checks import UNIQUE_VALUE_LENGTH, Registry
from ecombridge.crm_schema import repository as schema_repo
from ecombridge.errors import ValidationFailed
from ecombridge.sync.apply.repository import contacts_by_email
from ecombridge.sync.apply.values import InvalidValue

MAX_UNIQUE_PROPERTIES = 10  # per object type, as HubSpot allows
UNIQUE_TYPES = ("string", "number")


def value_key(value: Any) -> str:
    """How a value of a unique property is indexed and compared."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return repr(value)
    return str(value).lower()


def find(
    conn: Connection, portal_id: int, registry: Registry, id_property: str, raw_ids: Iterable[str]
) -> dict[str, int]:
    """Each raw id -> the id of the object it names by ``id_property`` (archived ones too).
    Ids naming no object are left out; for ``hs_object_id`` every well-formed id is kept and
    the caller finds whether its object exists."""
    raws = list(dict.fromkeys(raw_ids))
    if id_property == "hs_object_id":
        return {raw: found for raw in raws if (found := parse_object_id(raw)) is not None}
    if registry.object_type == "CONTACT" and id_property == "email":
        keys = {raw: raw.strip().lower() for raw in raws}
        found_contacts = contacts_by_email(conn, portal_id, set(keys.values()))
        return {raw: found_contacts[k].id for raw, k in keys.items() if k in found_contacts}
    keys = {}
    for raw in raws:
        try:
            keys[raw] = value_key(registry.value(id_property, raw))
        except InvalidValue:
            continue  # not a value the property can hold: no object has it
    held = repo.unique_holders(
        conn, portal_id, registry.object_type, id_property, set(keys.values())
    )
    return {raw: held[k] for raw, k in keys.items() if k in held}


def check_can_add(conn: Connection, portal_id: int, object_type: str, prop_type: str) -> None:
    """A new property may have unique values: a string or number, within the type's limit."""
    if prop_type not in UNIQUE_TYPES:
        raise ValidationFailed(
            f"hasUniqueValue: only string and number properties can require unique values, "
            f"not {prop_type}."
        )
    rows = schema_repo.list_properties(conn, portal_id, object_type)
    if sum(1 for row in rows if row.has_unique_value) >= MAX_UNIQUE_PROPERTIES:
        raise ValidationFailed(
            f"hasUniqueValue: {object_type.lower()}s already have {MAX_UNIQUE_PROPERTIES} "
            "properties with unique values, the most allowed per object type."
        )


def index_property(conn: Connection, portal_id: int, object_type: str, prop: str) -> None:
    """Index the values objects already hold for a new unique property (values left behind by
    a deleted property of the same name); a 400 when they are not unique."""
    holders: dict[str, int] = {}
    for object_id, value in repo.objects_with_property(conn, portal_id, object_type, prop):
        key = value_key(value)
        if len(key) > UNIQUE_VALUE_LENGTH or key in holders:
            raise ValidationFailed(
                f"hasUniqueValue: objects already hold values of {prop!r} that are not unique "
                f"or longer than {UNIQUE_VALUE_LENGTH} characters (object {object_id})."
            )
        holders[key] = object_id
    repo.insert_unique_values(
        conn,
        [
            {
                "portal_id": portal_id,
                "object_type": object_type,
                "property": prop,
                "value": key,
                "object_id": object_id,
            }
            for key, object_id in holders.items()
        ],
    )
