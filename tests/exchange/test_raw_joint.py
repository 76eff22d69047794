"""Combinations of raw columns are found as a plain look-up finds them (XCH-2).

The rules that span fields read each distinct combination of values once
(:func:`digimaat.exchange.raw.joint`); the codes and combinations must be those of a
dictionary of tuples, whatever the columns hold: absent values, one value throughout,
few values or many.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from digimaat.exchange.raw import joint

pytestmark = pytest.mark.property


@st.composite
def code_columns(draw: st.DrawFn) -> list[np.ndarray]:
    size = draw(st.integers(0, 60))
    count = draw(st.integers(1, 5))
    columns = []
    for _ in range(count):
        high = draw(st.sampled_from([-1, 0, 2, 40, 5000]))  # -1: absent throughout
        column = draw(st.lists(st.integers(-1, high), min_size=size, max_size=size))
        columns.append(np.array(column, dtype=np.intp))
    return columns


@given(code_columns())
def test_joint_codes_the_combinations_as_a_dictionary_of_tuples(columns: list[np.ndarray]) -> None:
    """XCH-2: A reader MUST check the whole file and report every problem it finds together,
    in one error, in the order of the file."""
    rows = list(zip(*(c.tolist() for c in columns), strict=True))
    expected = sorted(set(rows))
    index = {member: k for k, member in enumerate(expected)}
    codes, members = joint(columns)
    assert members == expected
    assert codes.tolist() == [index[row] for row in rows]
    assert codes.dtype == np.intp
