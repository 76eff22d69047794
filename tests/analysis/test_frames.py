"""Tables as data frames (``digimaat.analysis.frames``): typed by the kind of each column.

pandas and polars are optional (the ``frames`` extra, installed by ``dev``); the tests of
a library skip when it is not installed.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from importlib import resources

import pytest

from digimaat.analysis.frames import to_pandas, to_polars
from digimaat.analysis.tables import Column, Table, scores_table
from digimaat.errors import InvalidValueError
from digimaat.exchange import load_dataset
from digimaat.measurement.profiles import ScoreBoard, builtin_profile

TABLE = Table(
    "mixed",
    (
        Column("municipality", "code", "code"),
        Column("name", "name", "text"),
        Column("count", "count", "integer"),
        Column("requests", "requests", "number"),
        Column("share", "share", "share"),
    ),
    (
        ("GM0622", "Vlaardingen", 3, 1250.5, 0.25),
        ("GM0606", None, None, float("nan"), None),
        ("GM0622", "=1+1", 7, "-", 1.0),  # "-": a marker of a terminal table
    ),
)


def board() -> ScoreBoard:
    path = resources.files("digimaat.data").joinpath("example.json")
    return builtin_profile("digimaat-volume").score(load_dataset(str(path)))


def test_pandas_columns_are_typed_by_kind() -> None:
    pd = pytest.importorskip("pandas")
    frame = TABLE.to_pandas()
    assert list(frame.columns) == ["municipality", "name", "count", "requests", "share"]
    assert isinstance(frame["municipality"].dtype, pd.CategoricalDtype)
    assert sorted(frame["municipality"].cat.categories) == ["GM0606", "GM0622"]
    assert isinstance(frame["name"].dtype, pd.StringDtype)
    assert str(frame["count"].dtype) == "Int64"
    assert str(frame["requests"].dtype) == str(frame["share"].dtype) == "float64"
    assert frame["name"].tolist()[0] == "Vlaardingen"
    assert frame["name"].isna().tolist() == [False, True, False]
    assert frame["name"].tolist()[2] == "=1+1"  # a frame is data, not a spreadsheet
    assert frame["count"].isna().tolist() == [False, True, False]
    assert frame["count"].sum() == 10
    assert frame["requests"].tolist()[0] == 1250.5
    assert frame["requests"].isna().tolist() == [False, True, True]  # NaN and a marker
    assert frame["share"].tolist()[0] == 0.25  # a fraction, not a percentage
    assert math.isnan(frame["share"].tolist()[1])


def test_polars_columns_are_typed_by_kind() -> None:
    pl = pytest.importorskip("polars")
    frame = to_polars(TABLE)
    assert frame.columns == ["municipality", "name", "count", "requests", "share"]
    assert frame.schema["municipality"] == pl.Categorical
    assert frame.schema["name"] == pl.String
    assert frame.schema["count"] == pl.Int64
    assert frame.schema["requests"] == frame.schema["share"] == pl.Float64
    assert frame["count"].null_count() == 1
    assert frame["requests"].to_list() == [1250.5, None, None]  # NaN and a marker: null
    assert frame["share"].to_list() == [0.25, None, 1.0]
    assert frame["name"].to_list() == ["Vlaardingen", None, "=1+1"]


def test_a_scores_table_gives_the_cards_at_full_precision() -> None:
    """The frame of a profile's score cards holds the cards' values as they are (PRF-6)."""
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    cards = board().cards()
    table = scores_table(cards)
    panda, polar = to_pandas(table), table.to_polars()
    assert panda.shape == polar.shape == (len(cards), len(table.columns))
    for n, card in enumerate(cards):
        assert panda["municipality"][n] == polar["municipality"][n] == card.municipality
        assert panda["fingerprint"][n] == card.fingerprint
        assert panda["score"][n] == polar["score"][n] == card.score
        for metric, value in card.values.items():
            if value is None:
                assert pd.isna(panda[metric][n])
                assert polar[metric][n] is None
            else:
                assert panda[metric][n] == polar[metric][n] == value
            assert panda[f"coverage:{metric}"][n] == pytest.approx(card.coverage[metric] or 0)
    assert polar.schema["size_class"] == pl.Int64


def test_cards_of_different_profiles_do_not_share_a_table() -> None:
    path = resources.files("digimaat.data").joinpath("example.json")
    ds = load_dataset(str(path))
    mixed = [
        builtin_profile("digimaat-standard").score(ds).cards()[0],
        builtin_profile("mdd-product").score(ds).cards()[1],
    ]
    with pytest.raises(InvalidValueError, match="another profile"):
        scores_table(mixed)


def test_columns_with_the_same_key_are_refused() -> None:
    table = Table("t", (Column("a", "a", "integer"), Column("a", "b", "integer")), ((1, 2),))
    with pytest.raises(InvalidValueError, match="distinct keys"):
        to_pandas(table)


@pytest.mark.parametrize(("library", "make"), [("pandas", to_pandas), ("polars", to_polars)])
def test_without_the_library_the_error_names_the_extra(
    library: str, make: Callable[[Table], object], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, library, None)  # import raises ImportError
    with pytest.raises(ImportError, match=r"pip install 'digimaat\[frames\]'"):
        make(TABLE)


def test_the_analysis_layer_imports_neither_library() -> None:
    """pandas and polars are imported when a frame is made, not before."""
    import subprocess

    code = (
        "import sys, digimaat.analysis.tables, digimaat.analysis.frames; "
        "print('pandas' in sys.modules, 'polars' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False False"
