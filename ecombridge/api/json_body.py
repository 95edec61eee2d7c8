"""A request's JSON body, parsed leniently (empty -> None) with a 400 when it is not JSON.

Endpoints validate the parsed value themselves so that every error names the offending field;
clients send bodies with and without a JSON content type, and empty bodies on bodiless calls.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Depends, Request

from ecombridge.errors import ValidationFailed


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


async def read_json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        return None
    try:
        parsed = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ValidationFailed(f"body: the request body is not valid JSON ({exc}).") from None
    # Text columns and JSONB cannot hold NUL characters; say so instead of failing in the database.
    try:
        has_nul = _has_nul(parsed)
    except RecursionError:
        raise ValidationFailed("body: the JSON document is nested too deeply.") from None
    if has_nul:
        raise ValidationFailed("body: text must not contain NUL characters (\\u0000).")
    return parsed


JsonBody = Annotated[Any, Depends(read_json_body)]
