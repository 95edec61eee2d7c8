"""What the workflows achieved: emails sent, enrolments by state, orders they brought and the
revenue of those orders.

Recovered revenue (abandoned cart) is the amount of every deal that converted an abandoned-cart
enrolment at most 7 days after one of its emails was sent: the cart's own deal reaching an
order stage, or a newer order of the same contact. Each deal counts once, with its current
amount. The same measure for re-engagement counts orders after a re-engagement email.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Connection

from ecombridge.web.format import to_number
from ecombridge.workflows import repository as repo
from ecombridge.workflows import shop_repository as shop
from ecombridge.workflows.definitions import ATTRIBUTION_WINDOW_MS


@dataclass(frozen=True)
class Results:
    key: str
    emails_sent: int
    states: dict[str, int]
    conversions: int
    revenue: float

    @property
    def enrolled(self) -> int:
        return sum(self.states.values())


def results(conn: Connection, portal_id: int, key: str, since: int | None = None) -> Results:
    deals = repo.attributed_conversions(conn, portal_id, key, ATTRIBUTION_WINDOW_MS, since)
    amounts = shop.objects(conn, portal_id, "DEAL", deals)
    revenue = sum(
        to_number((row.properties or {}).get("amount")) or 0.0 for row in amounts.values()
    )
    return Results(
        key,
        repo.sent_count(conn, portal_id, key, since),
        repo.state_counts(conn, portal_id, key),
        len(deals),
        revenue,
    )
