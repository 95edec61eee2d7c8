"""A portal's daily allowance used up pauses its destination until the next day begins there:
midnight in the portal's time zone when the set-up learnt it, else midnight UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from ecombridge.db.engine import Database
from ecombridge.relay import repository as repo
from ecombridge.relay import runner, service
from ecombridge.relay.client import DailyCapReached
from ecombridge.relay.schemas import NewDestination
from tests.support.factories import Portal


def _ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


def test_the_next_day_begins_at_midnight_in_the_portal_s_time_zone() -> None:
    now = _ms(datetime(2026, 12, 7, 2, 30, tzinfo=UTC))
    assert runner.until_next_day(now, None) == 21 * 3_600_000 + 30 * 60_000
    assert runner.until_next_day(now, "No/Such_Zone") == 21 * 3_600_000 + 30 * 60_000
    # 21:30 on the 6th in New York: two and a half hours to go.
    assert runner.until_next_day(now, "America/New_York") == 2 * 3_600_000 + 30 * 60_000


def test_a_destination_at_its_daily_cap_waits_for_the_portal_s_midnight(
    db: Database, portal: Portal
) -> None:
    with db.write() as conn:
        dest_id = service.add_destination(
            conn, portal.id, NewDestination("https://api.hubapi.com", "pat", None)
        )
        repo.update_destination(
            conn, dest_id, target={"timeZone": "Pacific/Auckland"}, lease_token="job"
        )
    runner._failing(db, dest_id, portal.id, "job", DailyCapReached("used up"))

    with db.read() as conn:
        dest = repo.destination(conn, dest_id)
    assert dest is not None and dest.lease_until is not None
    resumes = datetime.fromtimestamp(dest.lease_until / 1000, ZoneInfo("Pacific/Auckland"))
    assert (resumes.hour, resumes.minute, resumes.second) == (0, 0, 0)
    assert dest.failing_reason == "used up"
