"""Strict JSON: every way Python's json is laxer than other readers is refused."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.jsonsafe import MAX_DEPTH, StrictJSONError, dumps, loads


@pytest.mark.parametrize(
    "text, reason",
    [
        ('{"a": NaN}', "NaN is not allowed"),
        ('{"a": Infinity}', "Infinity is not allowed"),
        ("[-Infinity]", "-Infinity is not allowed"),
        ('{"a": "\\ud800"}', "lone surrogate"),
        ('{"\\udfff": 1}', "lone surrogate"),
        ("[" * 1000 + "]" * 1000, "nested more than"),
        ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "nested more than"),
        ("1" * 5000, "too many digits"),
        ('{"a": 1', "invalid JSON"),
        (b'{"a": "\xff"}', "not UTF-8"),
    ],
)
def test_lax_json_is_refused_with_a_short_reason(text, reason):
    with pytest.raises(StrictJSONError, match=reason) as info:
        loads(text)
    assert "\n" not in str(info.value)


def test_deep_but_allowed_nesting_and_valid_surrogate_pairs_load():
    assert loads("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    assert loads('"\\ud83d\\ude00"') == "\U0001f600"
    assert loads('{"x": 1e308}') == {"x": 1e308}


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, {"a": [math.nan]}, "\ud800"])
def test_dumps_refuses_what_is_not_json(value):
    with pytest.raises(StrictJSONError):
        dumps(value)


@given(
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
        max_leaves=20,
    )
)
def test_round_trip_of_strict_values(value):
    text = dumps(value)
    assert loads(text) == json.loads(text)
    assert json.loads(text) == value or value != value


def test_a_value_in_a_message_is_spelled_as_json_and_cut_short():
    """A message about a value read from a JSON file names it as the file spells it
    (``got true``, not Python's ``got True``), cut after SHOWN_CHARS characters."""
    from annotator.jsonsafe import SHOWN_CHARS, shown

    assert [shown(v) for v in (True, None, "x", ["a", 1], {"k": 2.5})] == [
        "true",
        "null",
        '"x"',
        '["a", 1]',
        '{"k": 2.5}',
    ]
    assert shown("é😀") == '"é😀"'
    long = shown(10**400)
    assert len(long) == SHOWN_CHARS and long.endswith("…") and long.startswith("1000")
    assert shown({1, 2}) in ("{1, 2}", "{2, 1}")  # not JSON at all: as Python shows it
