"""The one DynamoDB codec: values survive the trip, numbers follow one rule, bad input refused."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from hypothesis import given
from hypothesis import strategies as st

from linkcheck.awsrequest.dynamodb_codec import from_attr, from_item, to_attr, to_item, values
from linkcheck.notify.messages import plain

# DynamoDB numbers: up to 38 significant digits, magnitude from 1e-130 to below 1e126.
ints = st.integers(min_value=-(10**38) + 1, max_value=10**38 - 1)
floats = st.floats(allow_nan=False, allow_infinity=False)
in_range_floats = (
    st.just(0.0)
    | st.floats(min_value=1e-129, max_value=9.9e125)
    | st.floats(min_value=-9.9e125, max_value=-1e-129)
)
scalars = st.none() | st.booleans() | st.text() | ints | floats
names = st.text(max_size=8)


def nested(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(names, inner, max_size=4),
        max_leaves=12,
    )


values_ = nested(scalars | st.sets(st.text(), min_size=1) | st.sets(ints, min_size=1))


def same(back: Any, value: Any) -> bool:
    """``back`` is what the codec promises for ``value``: ints exact, floats equal in value
    (an integral one as an int), everything else equal with the container types it names."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return type(back) is type(value) and back == value
    if isinstance(value, int):
        return type(back) is int and back == value
    if isinstance(value, float):
        expected = int if value.is_integer() else float
        return type(back) is expected and float(back) == value
    if isinstance(value, list):
        return type(back) is list and len(back) == len(value) and all(map(same, back, value))
    if isinstance(value, dict):
        return (
            type(back) is dict
            and back.keys() == value.keys()
            and all(same(back[k], v) for k, v in value.items())
        )
    if isinstance(value, set | frozenset):
        return type(back) is set and back == set(value)
    raise AssertionError(f"unexpected {value!r}")


@given(values_)
def test_every_value_comes_back_as_promised(value: Any) -> None:
    assert same(from_attr(to_attr(value)), value)


@given(st.dictionaries(names, values_, max_size=6))
def test_items_round_trip_attribute_by_attribute(data: dict[str, Any]) -> None:
    item = to_item(data)
    assert item.keys() == data.keys()
    back = from_item(item)
    assert all(same(back[k], v) for k, v in data.items())
    # What came back is a fixed point: reading an item and writing it again changes nothing.
    assert from_item(to_item(back)) == back


@given(ints)
def test_ints_stay_ints_digit_for_digit(number: int) -> None:
    assert to_attr(number) == {"N": str(number)}
    assert from_attr(to_attr(number)) == number


@given(floats)
def test_a_float_comes_back_as_the_same_number(number: float) -> None:
    back = from_attr(to_attr(number))
    assert float(back) == number
    assert isinstance(back, int) is number.is_integer()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2", 2),
        ("2.0", 2),  # DynamoDB itself answers "2": integral numbers read as ints either way
        ("1E+3", 1000),
        ("-0", 0),
        ("2.50", 2.5),
        ("0.1", 0.1),
        ("12345678901234567890123456789012345678", 12345678901234567890123456789012345678),
    ],
)
def test_numbers_read_by_one_rule(text: str, expected: int | float) -> None:
    back = from_attr({"N": text})
    assert back == expected and type(back) is type(expected)


def test_decimals_are_written_as_they_are_and_read_by_the_same_rule() -> None:
    assert to_attr(Decimal("2.50")) == {"N": "2.50"}
    assert from_attr(to_attr(Decimal("2.50"))) == 2.5
    assert from_attr(to_attr(Decimal("10"))) == 10


def test_booleans_are_not_numbers() -> None:
    assert to_attr(True) == {"BOOL": True}
    assert from_attr({"BOOL": False}) is False


def test_sets_of_strings_and_of_numbers_keep_their_kind() -> None:
    assert to_attr({"b", "a"}) == {"SS": ["a", "b"]}
    assert to_attr({3600, 60}) == {"NS": ["60", "3600"]}
    assert from_attr({"NS": ["60", "1.5"]}) == {60, 1.5}


def test_expression_values_are_named_for_the_expression() -> None:
    assert values(pk="T#a", now=5) == {":pk": {"S": "T#a"}, ":now": {"N": "5"}}


@pytest.mark.parametrize(
    ("value", "error", "says"),
    [
        (math.nan, ValueError, "finite"),
        (-math.inf, ValueError, "finite"),
        (Decimal("NaN"), ValueError, "finite"),
        (set(), ValueError, "empty set"),
        ({"a", 1}, TypeError, "only strings or only numbers"),
        (b"raw", TypeError, "bytes"),
        (object(), TypeError, "object"),
    ],
)
def test_what_dynamodb_cannot_hold_is_refused_before_any_call(
    value: Any, error: type[Exception], says: str
) -> None:
    with pytest.raises(error, match=says):
        to_attr(value)


@pytest.mark.parametrize("attr", [{"N": "abc"}, {"N": "NaN"}, {"B": "AAEC"}, {"S": "a", "N": "1"}])
def test_malformed_or_unsupported_attribute_values_are_refused(attr: dict[str, Any]) -> None:
    with pytest.raises((TypeError, ValueError)):
        from_attr(attr)


@given(nested(st.none() | st.booleans() | st.text() | ints))
def test_writes_what_boto3_would_write(value: Any) -> None:
    assert to_attr(value) == TypeSerializer().serialize(value)


@given(nested(st.none() | st.booleans() | st.text() | ints | in_range_floats))
def test_reads_what_boto3_and_the_notifier_read(value: Any) -> None:
    # A stream record is deserialized by boto3 (numbers as Decimal), then made plain.
    attr = to_attr(value)
    assert from_attr(attr) == plain(TypeDeserializer().deserialize(attr))  # type: ignore[arg-type]
