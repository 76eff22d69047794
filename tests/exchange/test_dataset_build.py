"""A submission's dataset is built from checked offerings without checking them again (AGG-1).

:meth:`~digimaat.exchange.Submission.dataset` makes its arrays from offerings that the
exchange rules checked when the file was read, and the dataset takes them without the
checks :meth:`Dataset.from_arrays` gives arrays from elsewhere. These tests hold it to
that: every dataset so built passes those checks unchanged, and equals the dataset that
:meth:`Dataset.from_offerings`, which checks everything, builds of the same offerings.
(The property tests of both tokenizers compare the two datasets on every file they read,
through ``tests/exchange/support.py``.)
"""

from __future__ import annotations

from typing import Any

import attrs
from hypothesis import given
from hypothesis import strategies as st

from digimaat.exchange import Submission
from digimaat.exchange.writers import dumps_json
from tests.exchange.strategies import submissions
from tests.exchange.support import CATALOGUE, assert_same, from_records, read_json, rechecked

SCOPES: list[Any] = [None, "offerings", "reference"]


@given(submissions(), st.sampled_from(SCOPES))
def test_a_submissions_dataset_passes_every_check_of_from_arrays(
    submission: Submission, scope: Any
) -> None:
    """AGG-1: The dataset of a submission read from a file holds arrays that every check of
    ``Dataset.from_arrays`` accepts, unchanged, and equals the dataset built from its
    offering records with every check."""
    read = read_json(dumps_json(submission), CATALOGUE)
    built = read.dataset(products=scope)
    assert_same(rechecked(built), built)
    assert_same(built, from_records([read], products=scope))


@given(submissions())
def test_the_columns_a_dataset_is_built_from_are_read_only(submission: Submission) -> None:
    """AGG-1: The checked columns of a submission cannot be changed in place, so that the
    dataset built from them without a second round of checks holds what was checked."""
    import numpy as np
    import pytest

    columns = read_json(dumps_json(submission), CATALOGUE).columns
    arrays = [getattr(columns, field.name) for field in attrs.fields(type(columns))]
    for array in arrays:
        if isinstance(array, np.ndarray) and array.size:
            with pytest.raises(ValueError, match="read-only"):
                array.reshape(-1)[0] = 0
