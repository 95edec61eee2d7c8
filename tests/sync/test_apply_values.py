"""Coercion of external values by the mapping's dataType and the target property's type."""

from __future__ import annotations

from typing import Any

import pytest

from ecombridge.sync.apply.values import (
    Field,
    InvalidValue,
    check_upsert,
    coerce,
    compile_fields,
)
from ecombridge.sync.messages import Message

REGISTRY = {
    "amount": ("number", frozenset()),
    "closedate": ("datetime", frozenset()),
    "dealname": ("string", frozenset()),
    "dealtype": ("enumeration", frozenset({"newbusiness", "existingbusiness"})),
    "dealstage": ("enumeration", frozenset({"processed"})),
    "flag": ("bool", frozenset()),
}


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("NUMBER", "12", 12),
        ("NUMBER", " 12.50 ", 12.5),
        ("NUMBER", 3.0, 3),
        ("NUMBER", "1e3", 1000),
        ("DATETIME", 0, 0),
        ("DATETIME", -86_400_000, -86_400_000),
        ("DATETIME", "2019-05-24T20:38:07+02:00", 1_558_723_087_000),
        ("DATETIME", "2019-05-24T18:38:07", 1_558_723_087_000),
        ("BOOL", "TRUE", True),
        ("BOOL", 0, False),
        ("STRING", 12.0, "12"),
        ("STRING", True, "true"),
        ("STRING", {"a": 1}, '{"a":1}'),
    ],
)
def test_values_are_coerced_to_the_target_type(kind: str, value: Any, expected: Any) -> None:
    assert coerce(Field("p", kind), value) == expected


@pytest.mark.parametrize(
    ("kind", "value", "error_type"),
    [
        ("NUMBER", "twelve", "UNKNOWN_ERROR"),
        ("NUMBER", True, "UNKNOWN_ERROR"),
        ("NUMBER", "nan", "UNKNOWN_ERROR"),
        ("DATETIME", "2019-13-45", "ERROR_INVALID_DATE_PROPERTY"),
        ("DATETIME", [1], "ERROR_INVALID_DATE_PROPERTY"),
        ("BOOL", "maybe", "UNKNOWN_ERROR"),
    ],
)
def test_invalid_values_name_the_value_and_property(kind: str, value: Any, error_type: str) -> None:
    with pytest.raises(InvalidValue) as raised:
        coerce(Field("prop", kind), value)
    assert raised.value.error[0] == error_type
    assert raised.value.error[1].endswith("for prop")


def test_a_string_mapping_to_a_number_property_is_still_validated_as_a_number() -> None:
    mappings = [{"externalPropertyName": "total", "hubspotPropertyName": "amount"}]
    fields = compile_fields("DEAL", mappings, REGISTRY)
    checked = check_upsert(
        Message("d", "UPSERT", 1, {"total": "7"}, {}), "DEAL", fields, frozenset()
    )
    assert checked.error is None and checked.properties == {"amount": 7}


MISSING_AND_STAGE = [
    {"externalPropertyName": "x", "hubspotPropertyName": "nope"},
    {"externalPropertyName": "y", "hubspotPropertyName": "nope"},
    {"externalPropertyName": "stage", "hubspotPropertyName": "dealstage"},
]


@pytest.mark.parametrize("stage", ["processed", 7])  # the fast path, then the full check
def test_a_property_the_portal_lacks_is_skipped_the_others_applied(stage: object) -> None:
    fields = compile_fields("DEAL", MISSING_AND_STAGE, REGISTRY)
    message = Message("d", "UPSERT", 1, {"x": 1, "y": 2, "stage": stage}, {})
    checked = check_upsert(message, "DEAL", fields, frozenset({"processed", "7"}))
    assert checked.error is None and checked.properties == {"dealstage": str(stage)}
    assert checked.skipped == ("nope",)


def test_a_skipped_property_does_not_hide_a_bad_value() -> None:
    fields = compile_fields("DEAL", MISSING_AND_STAGE, REGISTRY)
    message = Message("d", "UPSERT", 1, {"x": 1, "stage": "bogus"}, {})
    checked = check_upsert(message, "DEAL", fields, frozenset({"processed"}))
    assert checked.error is not None and checked.error[0] == "INVALID_DEAL_STAGE"


def test_v1_association_values_split_on_semicolons() -> None:
    mappings = [{"externalPropertyName": "c", "hubspotPropertyName": "hs_assoc__contact_ids"}]
    fields = compile_fields("DEAL", mappings, REGISTRY)
    message = Message("d", "UPSERT", 1, {"c": " b ; a;;"}, {"CONTACT": ["c"]})
    checked = check_upsert(message, "DEAL", fields, frozenset())
    assert checked.properties == {}
    assert checked.associations == {"CONTACT": ["a", "b", "c"]}
