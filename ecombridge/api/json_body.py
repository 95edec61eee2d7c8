"""A request's JSON body, parsed leniently (empty -> None) with a 400 when it is not JSON.

Endpoints validate the parsed value themselves so that every error names the offending field;
clients send bodies with and without a JSON content type, and empty bodies on bodiless calls.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Depends, Request

from ecombridge.errors import ValidationFailed

MAX_DEPTH = 500  # levels of nesting a JSON body may have


def _depth_exceeds(value: Any, limit: int) -> bool:
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth >= limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def nul_path(value: Any) -> str | None:
    """Where the first NUL character of a parsed JSON value is (``messages[3].properties.name``,
    "body" for the value itself), or None; without recursion, whatever the depth."""
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return path or "body"
        elif isinstance(item, dict):
            for key, child in reversed(item.items()):
                if "\x00" in key:
                    return path or "body"
                stack.append((child, f"{path}.{key}" if path else key))
        elif isinstance(item, list):
            stack.extend((child, f"{path}[{i}]") for i, child in reversed(list(enumerate(item))))
    return None


async def read_json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        return None
    try:
        parsed = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ValidationFailed(f"body: the request body is not valid JSON ({exc}).") from None
    if _depth_exceeds(parsed, MAX_DEPTH):
        raise ValidationFailed("body: the JSON document is nested too deeply.")
    # Text columns and JSONB cannot hold NUL characters; say so instead of failing in the database.
    where = nul_path(parsed) if b"\\u0000" in raw else None
    if where is not None:
        message = f"{where}: text must not contain NUL characters (\\u0000)."
        raise ValidationFailed(message, errors=[{"message": message, "in": where}])
    return parsed


JsonBody = Annotated[Any, Depends(read_json_body)]
