"""Tables as data frames, for users who continue in a notebook: pandas or polars.

One thin adapter: :func:`to_pandas` and :func:`to_polars` turn a
:class:`~digimaat.analysis.tables.Table` into a data frame whose columns are typed by
the kind of the table's columns, and are named by their keys (as in JSON and CSV):

========  ============================  ===============
kind      pandas                        polars
========  ============================  ===============
text      ``string``                    ``String``
code      ``category``                  ``Categorical``
integer   ``Int64`` (nullable)          ``Int64``
number    ``float64``                   ``Float64``
share     ``float64``, 0 to 1           ``Float64``, 0 to 1
========  ============================  ===============

A share stays the fraction it is (0.5, not 50): multiply by 100 to show a percentage. A
value that is not defined (``None``, NaN) is missing: ``<NA>`` or NaN in pandas, ``null``
in polars. So is a text in a column of numbers, a marker that a terminal table shows
(``-``: not in that year's data). Values are kept at full precision; round for display
only (AGG-9).

pandas and polars are optional (``pip install 'digimaat[frames]'``) and imported only
when a frame is made; without them, an :class:`ImportError` names the extra.
:meth:`Table.to_pandas <digimaat.analysis.tables.Table.to_pandas>` and
:meth:`Table.to_polars <digimaat.analysis.tables.Table.to_polars>` call the functions here,
and :func:`~digimaat.analysis.tables.scores_table` makes the table of a profile's score
cards:

>>> from digimaat.analysis.tables import scores_table
>>> from digimaat.exchange import load_dataset
>>> from digimaat.measurement.profiles import standard_profile
>>> from importlib import resources
>>> ds = load_dataset(str(resources.files("digimaat.data").joinpath("example.json")))
>>> board = standard_profile().score(ds)
>>> frame = scores_table(board.cards()).to_pandas()
>>> frame[["municipality", "size_class", "digimaat-score"]].round(4)
  municipality  size_class  digimaat-score
0       GM0556           4          0.3202
1       GM0606           5          0.7465
2       GM0622           5          0.6821
>>> str(frame["municipality"].dtype), str(frame["size_class"].dtype)
('category', 'Int64')
>>> scores_table(board.cards()).to_polars().select("name", "fully-online").sort("name")
shape: (3, 2)
┌─────────────┬──────────────┐
│ name        ┆ fully-online │
│ ---         ┆ ---          │
│ str         ┆ f64          │
╞═════════════╪══════════════╡
│ Maassluis   ┆ 0.285714     │
│ Schiedam    ┆ 0.666667     │
│ Vlaardingen ┆ 0.571429     │
└─────────────┴──────────────┘
"""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING, Any, Final

from digimaat._boundary import guard
from digimaat.analysis.tables import Table
from digimaat.errors import InvalidValueError

if TYPE_CHECKING:  # pragma: no cover
    import pandas
    import polars

__all__ = ["EXTRA", "to_pandas", "to_polars"]

EXTRA: Final = "frames"
"""The optional extra that installs pandas and polars."""


def _missing(library: str) -> ImportError:
    return ImportError(
        f"a {library} data frame needs {library}, which is not installed: "
        f"pip install 'digimaat[{EXTRA}]'"
    )


def _number(value: Any) -> float | None:
    """A number, or ``None`` for a value that is not defined or not a number (a marker)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _integer(value: Any) -> int | None:
    number = _number(value)
    return None if number is None else int(number)


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


def _columns(table: Table) -> list[tuple[str, str, list[Any]]]:
    """Each column's key, kind and values, converted by its kind."""
    keys = [column.key for column in table.columns]
    if len(set(keys)) != len(keys):
        raise InvalidValueError("columns", keys, "a data frame needs columns with distinct keys")
    convert = {"integer": _integer, "number": _number, "share": _number}
    out = []
    for k, column in enumerate(table.columns):
        change = convert.get(column.kind, _text)
        out.append((column.key, column.kind, [change(row[k]) for row in table.rows]))
    return out


def to_pandas(table: Table) -> pandas.DataFrame:
    """The table as a pandas data frame, its columns typed by their kind."""
    try:
        import pandas as pd
    except ImportError:
        raise _missing("pandas") from None
    data: dict[str, Any] = {}
    for key, kind, values in _columns(table):
        if kind == "code":
            data[key] = pd.Categorical(values)
        elif kind == "text":
            data[key] = pd.array(values, dtype="string")
        elif kind == "integer":
            data[key] = pd.array(values, dtype="Int64")
        else:
            data[key] = pd.array([math.nan if v is None else v for v in values], dtype="float64")
    return pd.DataFrame(data, index=pd.RangeIndex(len(table.rows)))


def to_polars(table: Table) -> polars.DataFrame:
    """The table as a polars data frame, its columns typed by their kind."""
    try:
        import polars as pl
    except ImportError:
        raise _missing("polars") from None
    types = {
        "text": pl.String,
        "code": pl.Categorical,
        "integer": pl.Int64,
        "number": pl.Float64,
        "share": pl.Float64,
    }
    return pl.DataFrame(
        [pl.Series(key, values, dtype=types[kind]) for key, kind, values in _columns(table)]
    )


guard(__name__)
