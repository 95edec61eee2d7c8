"""Wire models of the account information API, keyed as HubSpot spelled them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class AccountDetails(BaseModel):
    portalId: int
    timeZone: str
    currency: str
    utcOffsetMilliseconds: int
    utcOffset: str


class DailyLimit(BaseModel):
    name: Literal["api-calls-daily"] = "api-calls-daily"
    usageLimit: int
    currentUsage: int
    collectedAt: int
    fetchStatus: Literal["SUCCESS"] = "SUCCESS"
    resetsAt: int
