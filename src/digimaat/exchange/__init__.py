"""The exchange layer: the standard's file formats (specification chapter XCH).

Exchange turns files into vocabulary objects and back; it never computes a score. A file
holds a :class:`Submission`: municipalities, their offerings and the local products those
use. Two forms hold it:

- the JSON document (:func:`load_json`, :func:`dump_json`), which holds everything;
- the CSV form (:func:`load_csv`, :func:`dump_csv`), one row per offering, for
  spreadsheets, including Dutch exports (``;`` separated, decimal comma, byte order mark).

:func:`load` picks the form from a file's extension. Every problem of a file is reported
together in one :class:`~digimaat.errors.InputError`, each naming the file, the row or
JSON pointer, the field and the value.

For the measurement core, :func:`load_dataset` (one or more files, by extension),
:func:`load_csv_dataset` and :func:`load_json_dataset` read files straight into a
:class:`~digimaat.measurement.dataset.Dataset`, column by column, without a record per
offering (:mod:`digimaat.exchange.columnar`). They give what reading the records and
``Dataset.from_offerings`` give, problems included, at a fraction of the cost. They are
imported on first use, so that ``import digimaat.exchange`` does not import numpy.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digimaat.exchange._common import MAX_BYTES, MAX_DEPTH, ExchangeError, unknown_extension
from digimaat.exchange.csvform import COLUMNS, dump_csv, load_csv
from digimaat.exchange.documents import FORMAT, Submission, dump_json, load_json
from digimaat.vocabulary.products import Catalogue

__all__ = [
    "COLUMNS",
    "FORMAT",
    "MAX_BYTES",
    "MAX_DEPTH",
    "ExchangeError",
    "Submission",
    "dump_csv",
    "dump_json",
    "load",
    "load_csv",
    "load_csv_dataset",
    "load_dataset",
    "load_json",
    "load_json_dataset",
]

_COLUMNAR = frozenset({"load_csv_dataset", "load_dataset", "load_json_dataset"})

if TYPE_CHECKING:  # pragma: no cover
    from digimaat.exchange.columnar import load_csv_dataset, load_dataset, load_json_dataset


def __getattr__(name: str) -> Any:
    if name not in _COLUMNAR:
        raise AttributeError(f"module 'digimaat.exchange' has no attribute {name!r}")
    value = getattr(importlib.import_module("digimaat.exchange.columnar"), name)
    globals()[name] = value
    return value


def load(
    path: str | os.PathLike[str], catalogue: Catalogue | None = None, *, max_bytes: int = MAX_BYTES
) -> Submission:
    """Read a file in the form its extension names: ``.json`` or ``.csv`` (any letter case).

    >>> load("offerings.xlsx")
    Traceback (most recent call last):
    ...
    digimaat.errors.InputError: 1 problem found:
      offerings.xlsx: file: has an unknown extension; expected .json or .csv (got '.xlsx')
    """
    file = Path(path)
    suffix = file.suffix.lower()
    if suffix == ".json":
        return load_json(file, catalogue, max_bytes=max_bytes)
    if suffix == ".csv":
        return load_csv(file, catalogue, max_bytes=max_bytes)
    raise unknown_extension(path)
