"""What a sync message must be for the bridge to store and apply what it acknowledges: checked
at intake (sync messages v1 and v2, import pages) so that a 204 is never followed by a batch that
cannot be applied.

- No NUL character (``\\u0000``) in an id, a property name or value, or an association id:
  PostgreSQL's text and JSONB refuse it, so the batch would fail every attempt.
- Property values nested at most ``MAX_VALUE_DEPTH`` levels (decoding and applying deeper
  values exhausts the interpreter's recursion).
- At most ``MAX_ASSOCIATION_IDS`` ids per object type in one message's associations.
"""

from __future__ import annotations

from typing import Any

from ecombridge.errors import ValidationFailed
from ecombridge.sync.messages import Message

MAX_VALUE_DEPTH = 32
MAX_ASSOCIATION_IDS = 1_000
NUL_ESCAPE = b"\\u0000"  # the only way JSON can carry a NUL character


def invalid(where: str, problem: str) -> ValidationFailed:
    message = f"{where}: {problem}"
    return ValidationFailed(message, errors=[{"message": message, "in": where}])


def check_messages(
    messages: list[Message],
    body: bytes,
    *,
    id_field: str = "externalObjectId",
    properties_field: str = "properties",
) -> None:
    """Raise a 400 naming the first field the bridge could not store. ``body`` is the raw
    request: NUL characters are looked for only when it escapes one (cheap on the hot path)."""
    nul = NUL_ESCAPE in body
    for index, message in enumerate(messages):
        where = f"messages[{index}]"
        if nul and "\x00" in message.external_id:
            raise _nul(f"{where}.{id_field}")
        for name, value in message.properties.items():
            if nul and "\x00" in name:
                raise _nul(f"{where}.{properties_field}", f"the property name {name!r}")
            if isinstance(value, dict | list):
                _check_nested(value, f"{where}.{properties_field}.{name}", nul)
            elif nul and isinstance(value, str) and "\x00" in value:
                raise _nul(f"{where}.{properties_field}.{name}")
        for object_type, ids in message.associations.items():
            field = f"{where}.associations.{object_type}"
            if len(ids) > MAX_ASSOCIATION_IDS:
                raise invalid(
                    field, f"{len(ids)} ids; send at most {MAX_ASSOCIATION_IDS} per object type"
                )
            if nul and any("\x00" in i for i in ids):
                raise _nul(field)


def _check_nested(value: dict[str, Any] | list[Any], where: str, nul: bool) -> None:
    """Depth and NUL characters of a JSON value, without recursion."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > MAX_VALUE_DEPTH:
                raise invalid(where, f"nested deeper than {MAX_VALUE_DEPTH} levels")
            if isinstance(item, dict):
                if nul and any("\x00" in k for k in item):
                    raise _nul(where)
                stack.extend((child, depth + 1) for child in item.values())
            else:
                stack.extend((child, depth + 1) for child in item)
        elif nul and isinstance(item, str) and "\x00" in item:
            raise _nul(where)


def _nul(where: str, what: str = "the value") -> ValidationFailed:
    return invalid(where, f"{what} contains a NUL character (\\u0000), which cannot be stored")
