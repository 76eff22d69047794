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
"""

from __future__ import annotations

import os
from pathlib import Path

from digimaat.errors import InputError, Problem
from digimaat.exchange._common import MAX_BYTES, MAX_DEPTH, NO_VALUE, ExchangeError
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
    "load_json",
]


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
    raise InputError(
        [
            Problem(
                "file",
                file.suffix or NO_VALUE,
                "has an unknown extension; expected .json or .csv",
                source=str(path),
            )
        ]
    )
