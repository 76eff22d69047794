"""The CSV form: its tokenizer and its writer (specification chapter XCH, XCH-11 to XCH-13).

The CSV form is meant to be filled in with a spreadsheet: one row per offering, the
municipality repeated in every row, a header naming the columns. :func:`tokenize` cuts a
file into the same raw records as the JSON document's tokenizer (three tables: the
document's cells, the municipalities and the offerings, one record per row), each cell
located by its row and column as a spreadsheet numbers them (the header is row 1, the
first column is A). It checks what only the CSV form has: the separator (XCH-12), the
header (XCH-11), and the width of the rows.

A file without quotes is cut with ``str.split``; a file with quotes with the ``csv``
module (RFC 4180). Where the ``fast`` extra is installed, a large file may be cut by
pyarrow's CSV reader instead (:mod:`digimaat.exchange.native`), which gives the same raw
records or declines.

>>> from digimaat.exchange.csvform import tokenize
>>> from digimaat.exchange.source import text_source
>>> raw = tokenize(text_source("reference_year;cbs_code;municipality_name;population;"
...                            "population_year;product\\n2024;GM0622;Vlaardingen;74.124;2021;"
...                            "paspoort\\n", form="csv"))
>>> raw.offerings.column("product").values, raw.offerings.locate(0, "product", "")
(['paspoort'], 'row 2, column F')
"""

from __future__ import annotations

import array
import collections
import csv
import io
import itertools
from collections.abc import Iterator
from typing import Any, Final

import numpy as np

from digimaat._boundary import guard
from digimaat.errors import NO_VALUE, Problem
from digimaat.exchange.raw import IntArray
from digimaat.exchange.rules import CSV, CSV_NL, Dialect
from digimaat.exchange.sheet import COLUMNS, REQUIRED_COLUMNS, RawSheet, sheet, unread
from digimaat.exchange.sheet_columns import Header
from digimaat.exchange.source import Limits, Source

__all__ = ["COLUMNS", "REQUIRED_COLUMNS", "RawSheet", "tokenize"]


def _first_line(data: bytes) -> str:
    """The header row's line: up to the first line end (UTF-8: it raises where it is not)."""
    line_end = min((k for k in (data.find(b"\n"), data.find(b"\r")) if k >= 0), default=len(data))
    return data[:line_end].decode("utf-8")


def _separator(header: str) -> str | None:
    """``;`` or ``,``, decided by the header row alone (XCH-12); ``None`` when it holds both."""
    semicolon, comma = ";" in header, "," in header
    if semicolon and comma:
        return None
    return ";" if semicolon else ","


def tokenize(source: Source, limits: Limits | None = None) -> RawSheet:
    """Cut a CSV file into raw records (XCH-11, XCH-12), with the problems of its structure."""
    limits = Limits() if limits is None else limits
    first_line = _first_line(source.data)
    separator = _separator(first_line)
    if separator is None:
        problem = Problem(
            "header",
            first_line.strip(),
            "mixes ';' and ','; the separator must be one of them",
            source=source.name,
            location="row 1",
            clause="XCH-12",
        )
        return unread(source, CSV, (problem,))
    dialect = CSV_NL if separator == ";" else CSV
    from digimaat.exchange.native import csv_columns

    native = csv_columns(source, separator)
    if native is not None:
        header_cells, rows_of, cells = native
        header = Header(header_cells, source.name)
        return sheet(source, dialect, header, rows_of, cells, [], True)
    return _pure(source, separator, dialect)


def tokenize_file(path: str, limits: Limits) -> RawSheet | None:
    """Cut a large CSV file read from its path a block at a time (never held whole), as
    :func:`tokenize` cuts it; ``None`` where the file is to be read whole (its problems are
    reported then), as when the ``fast`` extra is not installed."""
    from digimaat.exchange.native import csv_file_columns

    found = csv_file_columns(path, limits.max_bytes, lambda data: _separator(_first_line(data)))
    if found is None:
        return None
    separator, (header_cells, rows_of, cells) = found
    dialect = CSV_NL if separator == ";" else CSV
    source = Source(path, b"", "csv")
    return sheet(source, dialect, Header(header_cells, path), rows_of, cells, [], True)


def _pure(source: Source, separator: str, dialect: Dialect) -> RawSheet:
    """Cut the rows with ``str.split`` where there are no quotes, else with the csv module.

    Rows are cut and coded a batch at a time: memory holds the codes of the cells and their
    distinct values, never the rows of the whole file (SEC-5).
    """
    data = source.data
    problems: list[Problem] = []
    state = {"rows": 0, "complete": True}
    if b'"' not in data and data.count(b"\r") == data.count(b"\r\n"):
        batches = _split(data, separator)
    else:
        batches = _quoted(source, separator, problems, state)
    header: Header | None = None
    columns: _Columns | None = None
    numbers = array.array(_CODE)
    number = 1
    for batch in batches:
        if header is None:
            header = Header(batch[0], source.name)
            columns = _Columns(header.width)
            batch = batch[1:]
        assert columns is not None
        width = header.width
        kept: list[list[str]] = []
        for row in batch:
            number += 1
            if len(row) != width:
                if len(row) > width:
                    if any(cell.strip() for cell in row[width:]):
                        problems.append(
                            Problem(
                                "row",
                                NO_VALUE,
                                f"has {len(row)} cells; the header has {width}",
                                source=source.name,
                                location=f"row {number}",
                                clause="XCH-12",
                            )
                        )
                        continue
                    row = row[:width]
                else:
                    row = row + [""] * (width - len(row))
            if not any(cell.strip() for cell in row):
                continue  # a blank line, or a row of empty cells as a spreadsheet leaves behind
            numbers.append(number)
            kept.append(row)
        columns.add(kept)
    if header is None or columns is None:
        return unread(source, dialect, tuple(problems))
    complete = bool(state["complete"])
    rows = np.frombuffer(numbers, dtype=np.intp)
    return sheet(source, dialect, header, rows, columns.coded(), problems, complete)


_LINES: Final = 1 << 22
"""Bytes of a file cut into rows at a time (at the end of a line)."""


def _split(data: bytes, separator: str) -> Iterator[list[list[str]]]:
    """The rows of a file without quotes or lone carriage returns, a block of lines at a time."""
    start = 0
    while start < len(data):
        stop = data.find(b"\n", start + _LINES)
        stop = len(data) if stop < 0 else stop + 1  # after a line feed: never inside a character
        lines = data[start:stop].decode("utf-8").replace("\r\n", "\n").split("\n")
        if lines and lines[-1] == "":
            lines.pop()  # the text after the block's last line feed
        start = stop
        if lines:
            yield [line.split(separator) for line in lines]


def _quoted(
    source: Source, separator: str, problems: list[Problem], state: dict[str, Any]
) -> Iterator[list[list[str]]]:
    """The rows of any file, by the csv module (RFC 4180), a batch at a time."""
    text = io.TextIOWrapper(io.BytesIO(source.data), encoding="utf-8", newline="")
    reader = csv.reader(text, delimiter=separator, strict=True)
    batch: list[list[str]] = []
    try:
        for row in reader:
            batch.append(row)
            state["rows"] += 1
            if len(batch) >= _BATCH:
                yield batch
                batch = []
    except csv.Error as exc:
        problems.append(
            Problem(
                "row",
                NO_VALUE,
                f"is not valid CSV ({exc})",
                source=source.name,
                location=f"row {state['rows'] + 1}",
                clause="XCH-11",
            )
        )
        state["complete"] = False
    if batch:
        yield batch


_BATCH: Final = 1 << 16


class _Columns:
    """The cells of every column, coded batch by batch against the distinct values so far.

    The codes of a column grow in one buffer (an ``array.array``, reallocated in place), so
    memory holds one number per cell and no pieces to be joined (SEC-5).
    """

    def __init__(self, width: int) -> None:
        self.index: list[dict[str, int]] = [
            collections.defaultdict(itertools.count().__next__) for _ in range(width)
        ]
        self.codes = [array.array(_CODE) for _ in range(width)]
        self.size = 0

    def add(self, rows: list[list[str]]) -> None:
        """Code the cells of the next rows (all of the header's width)."""
        if not rows:
            return
        self.size += len(rows)
        transposed = zip(*rows, strict=True)  # every row has the header's width
        for index, codes, cells in zip(self.index, self.codes, transposed, strict=True):
            codes.extend(map(index.__getitem__, cells))

    def coded(self) -> list[tuple[IntArray, list[str]]]:
        """Per column, the code of every cell and the distinct values, in order of occurrence."""
        return [
            (np.frombuffer(codes, dtype=np.intp), list(index))
            for index, codes in zip(self.index, self.codes, strict=True)
        ]


_CODE: Final = "q" if np.dtype(np.intp).itemsize == 8 else "i"
"""The ``array`` type code of ``numpy.intp``."""


guard(__name__)
