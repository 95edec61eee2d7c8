"""The intake's strict decoding (the fast path) gives exactly what the lenient decoding gives for
every body it takes, and leaves every other body to the lenient one."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecombridge.errors import ValidationFailed
from ecombridge.sync.service import MAX_FUTURE_MS, parse_lenient_v2, parse_strict_v2, parse_v2

RECEIVED_AT = 1_700_000_000_000
TYPES = ["CONTACT", "PRODUCT", "DEAL", "LINE_ITEM"]
ids = st.text(st.characters(codec="ascii"), min_size=1, max_size=100)
values = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)
)
message = st.fixed_dictionaries(
    {"externalObjectId": ids, "action": st.sampled_from(["UPSERT", "DELETE"])},
    optional={
        "changedAt": st.integers(min_value=0, max_value=RECEIVED_AT + MAX_FUTURE_MS),
        "properties": st.dictionaries(st.text(max_size=10), values, max_size=4),
        "associations": st.dictionaries(
            st.sampled_from(TYPES), st.lists(ids, max_size=3), max_size=2
        ),
        "unknownField": values,
    },
)
body = st.fixed_dictionaries(
    {
        "storeId": st.text(min_size=1, max_size=20),
        "objectType": st.sampled_from(TYPES),
        "messages": st.lists(message, max_size=5),
    }
)


@settings(max_examples=300, deadline=None)
@given(body)
def test_well_formed_bodies_take_the_strict_path_with_the_same_result(sent: dict[str, Any]) -> None:
    raw = msgspec.json.encode(sent)

    strict = parse_strict_v2(raw, RECEIVED_AT)

    assert strict is not None
    assert strict == parse_lenient_v2(raw, RECEIVED_AT)


@pytest.mark.parametrize(
    "message",
    [
        pytest.param({"externalObjectId": 42, "action": "UPSERT"}, id="numeric-id"),
        pytest.param(
            {"externalObjectId": "a", "action": "UPSERT", "changedAt": "17"}, id="text-time"
        ),
        pytest.param(
            {"externalObjectId": "a", "action": "UPSERT", "changedAt": 1.5}, id="float-time"
        ),
        pytest.param(
            {"externalObjectId": "a", "action": "UPSERT", "properties": None}, id="null-map"
        ),
        pytest.param(
            {"externalObjectId": "a", "action": "UPSERT", "associations": {"DEAL": [7]}},
            id="numeric-association-id",
        ),
    ],
)
def test_bodies_the_strict_path_declines_are_still_accepted(message: dict[str, Any]) -> None:
    raw = msgspec.json.encode({"storeId": "s", "objectType": "DEAL", "messages": [message]})

    assert parse_strict_v2(raw, RECEIVED_AT) is None
    store_id, object_type, [parsed] = parse_v2(raw, RECEIVED_AT)
    assert (store_id, object_type) == ("s", "DEAL")
    assert parsed.external_id == str(message["externalObjectId"])


def test_a_non_ascii_id_is_left_to_the_lenient_path_which_refuses_it() -> None:
    raw = msgspec.json.encode(
        {
            "storeId": "s",
            "objectType": "DEAL",
            "messages": [{"externalObjectId": "é", "action": "UPSERT"}],
        }
    )

    assert parse_strict_v2(raw, RECEIVED_AT) is None
    with pytest.raises(ValidationFailed, match=r"messages\[0\]\.externalObjectId: must be ASCII"):
        parse_v2(raw, RECEIVED_AT)
