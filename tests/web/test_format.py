"""Values as people read them: money with its currency, dates in the portal's zone with relative
time, Yes/No, lists, labels from the schema, chart ticks."""

from __future__ import annotations

from ecombridge.web.charts import nice_ticks
from ecombridge.web.format import Formatter
from ecombridge.web.properties import PropertySchema, show_value

NOW = 1_790_000_000_000  # 2026-09-21 14:13:20 UTC
DAY = 86_400_000
berlin = Formatter("Europe/Berlin", "EUR", NOW)


def test_money_uses_the_records_currency_else_the_portals() -> None:
    assert berlin.money("1234.5") == "€1,234.50"
    assert berlin.money(1234.5, "usd") == "$1,234.50"
    assert berlin.money(1234.5, "not a code") == "€1,234.50"
    assert berlin.money(None) == "—" and berlin.money("abc") == "—"
    assert Formatter(currency="JPY").money(1500) == "¥1,500"


def test_axis_money_is_compact_and_rounded() -> None:
    usd = Formatter()
    assert usd.money_short(123_461_030) == "$123.5M"
    assert usd.money_short(2_000) == "$2K"
    assert usd.money_short(250) == "$250"


def test_ticks_are_round_and_cover_the_peak() -> None:
    assert nice_ticks(123_461_030) == [0, 50_000_000, 100_000_000, 150_000_000]
    assert nice_ticks(7_875) == [0, 2_000, 4_000, 6_000, 8_000]
    assert nice_ticks(0) == [0.0, 1.0]


def test_dates_are_in_the_portals_zone_with_relative_time() -> None:
    assert berlin.exact(NOW) == "Sep 21, 2026, 4:13 PM (Central European Summer Time)"
    assert berlin.day(NOW - 3 * DAY) == "Sep 18, 2026"
    assert berlin.relative(NOW - 3 * DAY) == "3 days ago"
    assert berlin.relative(NOW + 2 * 3_600_000) == "in 2 hours"
    assert berlin.relative(NOW - 1000) == "just now"
    when = berlin.when(str(NOW - 3 * DAY))
    assert when == (
        '<time datetime="2026-09-18T14:13:20+00:00" '
        'title="Sep 18, 2026, 4:13 PM (Central European Summer Time)">3 days ago</time>'
    )
    # Not an epoch: shown as it is, never a crash
    assert berlin.day("soon") == "soon" and berlin.day(10**17) == str(10**17)


def test_changes_are_signed_percentages() -> None:
    assert berlin.change(120, 100) == "+20.0%"
    assert berlin.change(75, 100) == "\u221225.0%"
    assert berlin.change(5, 0) is None and berlin.change(5, None) is None


def test_property_values_by_type() -> None:
    schema = PropertySchema(
        "DEAL",
        labels={"dealstage": "Deal Stage", "closedate": "Close Date"},
        types={"dealstage": "enumeration", "closedate": "datetime", "flag": "bool"},
        options={"dealstage": {"shipped": "Shipped"}, "pipeline": {"uuid-1": "Ecommerce Pipeline"}},
    )
    record = {"deal_currency_code": "GBP"}
    show = lambda name, value: str(show_value(schema, name, value, record, berlin))  # noqa: E731
    assert show("amount", 10) == "£10.00"
    assert show("dealstage", "shipped") == "Shipped"
    assert show("pipeline", "uuid-1") == "Ecommerce Pipeline"
    assert show("ip__ecomm_bridge__ecomm_synced", True) == "Yes"
    assert show("flag", "false") == "No"
    assert (
        show("ip__ecomm_bridge__source_store_id", ["demo-outfitters", "b"]) == "demo-outfitters, b"
    )
    assert show("closedate", NOW).startswith('<time datetime="2026-09-21T14:13:20+00:00"')
    assert show("lastmodifieddate", NOW).endswith("Sep 21, 2026 (just now)</time>")
    assert show("notes", "") == "—"
    assert schema.label("lastmodifieddate") == "Last Modified Date"
    assert schema.label("my_custom_field") == "My custom field"
