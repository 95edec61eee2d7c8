"""A request's JSON body, parsed leniently (empty -> None) with a 400 when it is not JSON.

Endpoints validate the parsed value themselves so that every error names the offending field;
clients send bodies with and without a JSON content type, and empty bodies on bodiless calls.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Depends, Request

from ecombridge.errors import ValidationFailed


async def read_json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed(f"body: the request body is not valid JSON ({exc}).") from None


JsonBody = Annotated[Any, Depends(read_json_body)]
