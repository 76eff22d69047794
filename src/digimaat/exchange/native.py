"""Optional native tokenizers, behind the same raw records (specification chapter XCH).

With the ``fast`` extra installed (``pip install digimaat[fast]``), a large CSV file is cut
by pyarrow's CSV reader, and a JSON document is parsed by orjson
(:mod:`digimaat.exchange.jsonform` asks for it). Neither decides anything: a native
tokenizer gives the same raw records as the pure one, or declines, and then the pure one
reads the file. The property tests check that both give the same records, problems
included, on generated files.

pyarrow cuts the file when it is large enough to be worth importing pyarrow for, and its
rows are lines: no blank line, no carriage return except before a line feed, and no
quoted cell spread over lines (pyarrow refuses those, and the file is declined). Every
row that holds a quote is cut again by the ``csv`` module and compared, so that a quote
is read as RFC 4180 reads it; a difference declines the file.
"""

from __future__ import annotations

import array
import collections
import csv
import itertools
import os
from typing import Any, Final

import numpy as np

from digimaat._boundary import guard
from digimaat.exchange.raw import IntArray
from digimaat.exchange.source import Source

__all__ = ["NATIVE_CSV_MIN_BYTES", "csv_columns"]

NATIVE_CSV_MIN_BYTES = 1 << 20
"""Smaller CSV files are cut by the pure tokenizer (importing pyarrow costs more)."""

_CODE: Final = "q" if np.dtype(np.intp).itemsize == 8 else "i"
"""The ``array`` type code of ``numpy.intp``."""

_DISABLED = "DIGIMAAT_PURE"
"""An environment variable that, when set, turns the native tokenizers off (for tests)."""


def enabled() -> bool:
    """Whether native tokenizers may be used (not when ``DIGIMAAT_PURE`` is set)."""
    return not os.environ.get(_DISABLED)


def _lines(data: bytes) -> IntArray | None:
    """The offsets of the line feeds, or ``None`` when rows might not be lines.

    Rows are lines when no line is blank and every carriage return ends a line (before
    its line feed).
    """
    buffer = np.frombuffer(data, dtype=np.uint8)
    newlines = _offsets(buffer, 0x0A)
    if newlines.size and newlines[0] == 0:
        return None
    gaps = np.diff(newlines)
    if (gaps == 1).any():
        return None
    returns = data.count(b"\r")
    if returns:
        before = buffer[newlines[newlines > 0] - 1] == 0x0D
        if returns != int(np.count_nonzero(before)):
            return None  # a carriage return that does not end a line
        if ((gaps == 2) & before[1:]).any() if before.size > 1 else False:
            return None  # a line holding nothing but its carriage return
    return newlines


def csv_columns(
    source: Source, separator: str
) -> tuple[list[str], IntArray, list[tuple[IntArray, list[str]]]] | None:
    """The header cells, row numbers and coded columns of a CSV file, or ``None`` to decline."""
    data = source.data
    if len(data) < NATIVE_CSV_MIN_BYTES or not enabled():
        return None
    lines = _lines(data)
    if lines is None:
        return None  # blank lines, or lines not ended by LF: rows are not lines
    quoted = b'"' in data
    newlines = lines if quoted else None  # kept only where quotes are checked line by line
    del lines
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv
    except ImportError:
        return None
    first_end = data.find(b"\n")
    header_line = (data[:first_end] if first_end >= 0 else data).decode("utf-8").rstrip("\r")
    try:
        header = next(csv.reader([header_line], delimiter=separator, strict=True))
    except (csv.Error, StopIteration):
        return None  # the pure tokenizer reports it
    width = len(header)
    if width == 0:
        return None
    names = [f"c{k}" for k in range(width)]
    kind = pa.dictionary(pa.int32(), pa.string())
    # Read a block at a time: each block's cells are coded against the distinct values of the
    # column so far, into one buffer per column, so memory holds one number per cell and
    # never a whole table of pyarrow's beside it (SEC-5).
    index: list[dict[str, int]] = [
        collections.defaultdict(itertools.count().__next__) for _ in range(width)
    ]
    coded = [array.array(_CODE) for _ in range(width)]
    size = 0
    try:
        reader = pacsv.open_csv(
            pa.py_buffer(data),
            read_options=pacsv.ReadOptions(
                use_threads=False, column_names=names, skip_rows=1, block_size=1 << 22
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=separator,
                quote_char='"',
                double_quote=True,
                escape_char=False,
                newlines_in_values=False,
                ignore_empty_lines=False,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, kind),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=True,
            ),
        )
        for batch in reader:
            size += batch.num_rows
            for k, codes in enumerate(coded):
                cells = batch.column(k)
                dictionary = cells.dictionary.to_pylist()
                remap = np.fromiter(
                    map(index[k].__getitem__, dictionary), dtype=np.intp, count=len(dictionary)
                )
                indices = cells.indices.to_numpy(zero_copy_only=False)
                part = remap[indices] if len(dictionary) else indices.astype(np.intp)
                codes.frombytes(memoryview(part).cast("B"))
    except (pa.ArrowException, ValueError):
        return None
    columns = [
        (np.frombuffer(codes, dtype=np.intp), list(values))
        for codes, values in zip(coded, index, strict=True)
    ]
    rows = np.arange(2, size + 2, dtype=np.intp)
    if newlines is not None and not _quotes_agree(data, newlines, separator, width, columns):
        return None
    blank = _blank_rows(columns, size)
    if blank.any():
        keep = ~blank
        rows = rows[keep]
        columns = [(codes[keep], values) for codes, values in columns]
    return header, rows, columns


def _offsets(buffer: np.ndarray[Any, Any], byte: int) -> IntArray:
    """The offsets of a byte in a buffer, found a piece at a time (no mask of the whole file)."""
    piece = 1 << 24
    parts = [
        np.flatnonzero(buffer[start : start + piece] == byte) + start
        for start in range(0, len(buffer), piece)
    ]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.intp)


def _quotes_agree(
    data: bytes,
    newlines: IntArray,
    separator: str,
    width: int,
    columns: list[tuple[IntArray, list[str]]],
) -> bool:
    """Whether every line with a quote has the cells the csv module reads from it."""
    buffer = np.frombuffer(data, dtype=np.uint8)
    quoted = np.unique(np.searchsorted(newlines, _offsets(buffer, 0x22)))
    starts = np.concatenate(([0], newlines + 1))
    ends = np.concatenate((newlines, [len(data)]))
    for line in quoted.tolist():
        if line == 0:
            continue  # the header, read by the csv module already
        text = data[starts[line] : ends[line]].decode("utf-8").rstrip("\r")
        try:
            cells = next(csv.reader([text], delimiter=separator, strict=True))
        except (csv.Error, StopIteration):
            return False
        row = line - 1
        if len(cells) != width:
            return False
        for (codes, values), cell in zip(columns, cells, strict=True):
            if row >= len(codes) or values[int(codes[row])] != cell:
                return False
    return True


def _blank_rows(columns: list[tuple[IntArray, list[str]]], size: int) -> np.ndarray[Any, Any]:
    """Rows of empty (or white-space) cells only, which a reader skips (XCH-12)."""
    blank = np.ones(size, dtype=np.bool_)
    for codes, values in columns:
        empty = np.array([not v.strip() for v in values] or [True], dtype=np.bool_)
        blank &= empty[codes]  # a native tokenizer's cells are never absent
    return blank


guard(__name__)
