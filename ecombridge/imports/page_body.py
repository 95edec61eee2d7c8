"""The body of an import page request: decoded on the fast path, or read as any JSON body.

The dependency tries the msgspec shapes first (``page_schemas``). A body they do not take is
read by ``read_json_body`` exactly as before, in the same place of the request (so a body that
is not JSON is still refused before the path is validated); the endpoint then validates it with
the pydantic models, which name what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from ecombridge.api.json_body import read_json_body
from ecombridge.imports import page_schemas
from ecombridge.imports.page_schemas import ReceivedPage, V1Item
from ecombridge.imports.schemas import V1_PAGE, ImportPage, parse
from ecombridge.sync.messages import Message
from ecombridge.sync.storable import check_messages


@dataclass(frozen=True)
class V2Body:
    fast: ReceivedPage | None
    parsed: Any = None  # the JSON body, when not on the fast path

    def page(self) -> ReceivedPage:
        """The valid page; a 400 naming each bad field otherwise."""
        page = self.fast or page_schemas.from_model(parse(ImportPage, self.parsed))
        check_messages(page.messages, b"")  # NUL characters: refused when the body was read
        return page


@dataclass(frozen=True)
class V1Body:
    fast: list[V1Item] | None
    parsed: Any = None

    def messages(self, changed_at: int) -> list[Message]:
        """The valid page's messages; a 400 naming each bad field otherwise."""
        items = self.fast
        if items is None:
            items = page_schemas.from_v1_models(parse(V1_PAGE, self.parsed))
        messages = page_schemas.v1_messages(items, changed_at)
        check_messages(messages, b"", properties_field="propertyNameToValues")
        return messages


async def v2_page_body(request: Request) -> V2Body:
    fast = page_schemas.fast_v2_page(await request.body())
    if fast is not None:
        return V2Body(fast)
    return V2Body(None, await read_json_body(request))


async def v1_page_body(request: Request) -> V1Body:
    fast = page_schemas.fast_v1_page(await request.body())
    if fast is not None:
        return V1Body(fast)
    return V1Body(None, await read_json_body(request))


V2PageBody = Annotated[V2Body, Depends(v2_page_body)]
V1PageBody = Annotated[V1Body, Depends(v1_page_body)]
