"""The JSON Canonicalization Scheme (RFC 8785) that defines the bytes of a fingerprint (PRF-4).

The examples are those published in RFC 8785: the number serialisations of its Appendix B,
the sample object of its section 3.2.2 with the UTF-8 bytes of section 3.2.4, and the
property order of section 3.2.3. The properties check what RFC 8785 requires of any
value: the text is JSON that reads back as the same value, has no whitespace outside
strings, and does not depend on the order of members.
"""

from __future__ import annotations

import json
import math
import struct
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digimaat.errors import InvalidValueError
from digimaat.jcs import canonical_json, number_text, string_text

# RFC 8785, Appendix B: IEEE 754 binary64 bit patterns and their canonical text.
APPENDIX_B = [
    (0x0000000000000000, "0"),
    (0x8000000000000000, "0"),
    (0x0000000000000001, "5e-324"),
    (0x8000000000000001, "-5e-324"),
    (0x7FEFFFFFFFFFFFFF, "1.7976931348623157e+308"),
    (0xFFEFFFFFFFFFFFFF, "-1.7976931348623157e+308"),
    (0x4340000000000000, "9007199254740992"),
    (0xC340000000000000, "-9007199254740992"),
    (0x4430000000000000, "295147905179352830000"),
    (0x44B52D02C7E14AF5, "9.999999999999997e+22"),
    (0x44B52D02C7E14AF6, "1e+23"),
    (0x44B52D02C7E14AF7, "1.0000000000000001e+23"),
    (0x444B1AE4D6E2EF4E, "999999999999999700000"),
    (0x444B1AE4D6E2EF4F, "999999999999999900000"),
    (0x444B1AE4D6E2EF50, "1e+21"),
    (0x3EB0C6F7A0B5ED8C, "9.999999999999997e-7"),
    (0x3EB0C6F7A0B5ED8D, "0.000001"),
    (0x41B3DE4355555553, "333333333.3333332"),
    (0x41B3DE4355555554, "333333333.33333325"),
    (0x41B3DE4355555555, "333333333.3333333"),
    (0x41B3DE4355555556, "333333333.3333334"),
    (0x41B3DE4355555557, "333333333.33333343"),
    (0xBECBF647612F3696, "-0.0000033333333333333333"),
    (0x43143FF3C1CB0959, "1424953923781206.2"),
]

# RFC 8785, section 3.2.2: the sample object as JSON text, and section 3.2.4: the UTF-8
# bytes of its canonical form.
SAMPLE = (
    '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], '
    '"string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", '
    '"literals": [null, true, false]}'
)
SAMPLE_BYTES = bytes.fromhex(
    "7b 22 6c 69 74 65 72 61 6c 73 22 3a 5b 6e 75 6c 6c 2c 74 72"
    "75 65 2c 66 61 6c 73 65 5d 2c 22 6e 75 6d 62 65 72 73 22 3a"
    "5b 33 33 33 33 33 33 33 33 33 2e 33 33 33 33 33 33 33 2c 31"
    "65 2b 33 30 2c 34 2e 35 2c 30 2e 30 30 32 2c 31 65 2d 32 37"
    "5d 2c 22 73 74 72 69 6e 67 22 3a 22 e2 82 ac 24 5c 75 30 30"
    "30 66 5c 6e 41 27 42 5c 22 5c 5c 5c 5c 5c 22 2f 22 7d"
)


@pytest.mark.parametrize(("bits", "text"), APPENDIX_B)
def test_numbers_are_written_as_rfc_8785_appendix_b_says(bits: int, text: str) -> None:
    """PRF-4: numbers are written as RFC 8785 writes them (its Appendix B)."""
    (value,) = struct.unpack(">d", bits.to_bytes(8, "big"))
    assert number_text(value) == text


def test_the_rfc_8785_sample_gives_its_published_bytes() -> None:
    """PRF-4: the canonical form is the UTF-8 of RFC 8785's serialisation (its 3.2.2, 3.2.4)."""
    assert canonical_json(json.loads(SAMPLE)) == SAMPLE_BYTES
    assert SAMPLE_BYTES.decode("utf-8") == (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    )


def test_members_are_sorted_by_utf16_code_units() -> None:
    """PRF-4: object members are sorted by their names as UTF-16 code units (RFC 8785,
    3.2.3), not by code points: U+1F600 (surrogates D83D DE00) comes before U+FB33."""
    names = ["\u20ac", "\r", "\ufb33", "1", "\U0001f600", "\u0080", "\u00f6"]
    text = canonical_json({name: k for k, name in enumerate(names)}).decode("utf-8")
    order = [name for name, _ in json.loads(text, object_pairs_hook=list)]
    assert order == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]
    assert sorted(names) != order  # code point order differs


def test_french_words_sort_by_code_units_not_by_locale() -> None:
    """RFC 8785, 3.2.3: sorting ignores locale (peach, péché, pêche, sin)."""
    data = {"péché": 1, "pêche": 2, "peach": 3, "sin": 4}
    assert canonical_json(data) == '{"peach":3,"péché":1,"pêche":2,"sin":4}'.encode()


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("\u007f", '"\u007f"'),
        ("\u001f", '"\\u001f"'),
        ("\b\t\n\f\r", '"\\b\\t\\n\\f\\r"'),
        ("/", '"/"'),
        ("\u2028", '"\u2028"'),
    ],
)
def test_strings_use_the_fewest_escapes(value: str, text: str) -> None:
    """PRF-4: strings are written with only the escapes RFC 8785 requires."""
    assert string_text(value) == text


@pytest.mark.parametrize(
    "value",
    [
        math.nan,
        math.inf,
        -math.inf,
        10**400,
        "\ud800",
        {1: "a"},
        {"a": {1, 2}},
        b"bytes",
    ],
)
def test_what_jcs_cannot_write_is_refused(value: Any) -> None:
    """PRF-4: a value without a canonical form is an error, never written some other way."""
    with pytest.raises(InvalidValueError):
        canonical_json(value)


def test_deep_nesting_is_refused() -> None:
    value: Any = 0
    for _ in range(100):
        value = [value]
    with pytest.raises(InvalidValueError, match="nested deeper"):
        canonical_json(value)


# ---------------------------------------------------------------------------- properties
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=6),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)


def _same(a: Any, b: Any) -> bool:
    """Equal as JSON values: numbers compared as binary64, -0 as 0."""
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return a is b or (a == b and type(a) is type(b))
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b)
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return False


@pytest.mark.property
@given(json_values)
def test_the_canonical_text_reads_back_as_the_same_value(value: Any) -> None:
    """PRF-4 (RFC 8785, 3.2): the canonical form is JSON text for the same value."""
    assert _same(json.loads(canonical_json(value)), value)


@pytest.mark.property
@given(json_values)
def test_the_canonical_text_is_a_fixed_point(value: Any) -> None:
    """PRF-4: canonicalising the parsed canonical text gives the same bytes again."""
    once = canonical_json(value)
    assert canonical_json(json.loads(once)) == once


@pytest.mark.property
@given(st.dictionaries(st.text(max_size=4), st.integers(-5, 5), max_size=6), st.randoms())
def test_the_order_of_members_changes_nothing(data: dict[str, int], random: Any) -> None:
    """PRF-4: the fingerprint MUST NOT depend on the order of keys."""
    data = {k: v for k, v in data.items() if not any(0xD800 <= ord(c) <= 0xDFFF for c in k)}
    items = list(data.items())
    random.shuffle(items)
    assert canonical_json(dict(items)) == canonical_json(data)


@pytest.mark.property
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_number_reads_back_exactly(value: float) -> None:
    """PRF-4: a number's text reads back as the same binary64 number, with the fewest
    digits (Python's repr finds the shortest digits too) and no needless characters."""
    text = number_text(value)
    assert float(text) == value
    digits = text.lstrip("-").split("e")[0].replace(".", "").strip("0")
    shortest = repr(abs(value)).split("e")[0].replace(".", "").strip("0")
    assert len(digits) == len(shortest)
    assert not text.endswith(".0")
    assert "e+0" not in text
    assert "e-0" not in text
