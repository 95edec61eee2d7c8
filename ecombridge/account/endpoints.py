"""``/integrations/v1/me`` (hubspot3's ``me``, set-up steps of plugins) and
``/integrations/v1/limit/daily`` (the npm ``hubspot`` client asks it before requests made with an
API key; hubspot3's ``usage_limits``)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request

from ecombridge.account.schemas import AccountDetails, DailyLimit
from ecombridge.api.deps import PortalAnyCaller, PortalKeyCaller, ReadConn, presented_secret
from ecombridge.clock import now_ms
from ecombridge.errors import NotFound
from ecombridge.ratelimit.service import RateLimiter
from ecombridge.tenancy import repository as tenancy_repo
from ecombridge.tenancy.secrets import digest

router = APIRouter(tags=["account"])


def utc_offset(zone: str, at: datetime) -> tuple[int, str]:
    """(milliseconds, "+HH:MM") of the zone's offset from UTC at ``at``."""
    offset = at.astimezone(ZoneInfo(zone)).utcoffset()
    millis = int(offset.total_seconds() * 1000) if offset is not None else 0
    sign, rest = ("-" if millis < 0 else "+"), abs(millis) // 60_000
    return millis, f"{sign}{rest // 60:02d}:{rest % 60:02d}"


@router.get("/integrations/v1/me", response_model=AccountDetails)
def account_details(caller: PortalAnyCaller, conn: ReadConn) -> AccountDetails:
    assert caller.portal_id is not None
    portal = tenancy_repo.get_portal(conn, caller.portal_id)
    if portal is None:  # a credential outliving its portal
        raise NotFound(f"Portal {caller.portal_id} does not exist.")
    millis, text = utc_offset(portal.time_zone, datetime.now(UTC))
    return AccountDetails(
        portalId=portal.id,
        timeZone=portal.time_zone,
        currency=portal.currency,
        utcOffsetMilliseconds=millis,
        utcOffset=text,
    )


@router.get("/integrations/v1/limit/daily", response_model=list[DailyLimit])
def daily_limit(request: Request, caller: PortalKeyCaller) -> list[DailyLimit]:
    """Today's usage of the calling key (this request included) against its daily limit."""
    limiter: RateLimiter = request.app.state.rate_limiter
    presented = presented_secret(request)
    assert presented is not None  # the caller was authenticated with it
    status = limiter.daily_status(limiter.subject(caller, digest(presented[0])))
    return [
        DailyLimit(
            usageLimit=status.limit,
            currentUsage=status.usage,
            collectedAt=now_ms(),
            resetsAt=status.resets_at,
        )
    ]
