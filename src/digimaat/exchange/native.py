"""Optional native tokenizers, behind the same raw records (specification chapter XCH).

With the ``fast`` extra installed (``pip install digimaat[fast]``), a large CSV file is cut
by pyarrow's CSV reader, and a JSON document is parsed by orjson
(:mod:`digimaat.exchange.jsonfast` asks for it). Neither decides anything: a native
tokenizer gives the same raw records as the pure one, or declines, and then the pure one
reads the file. The property tests check that both give the same records, problems
included, on generated files (``tests/exchange/test_fast_ways.py``).

pyarrow cuts the file when it is large enough to be worth importing pyarrow for, and its
rows are lines: every carriage return is followed by a line feed (else pyarrow would
count more rows than there are lines), and no quoted cell is spread over lines (pyarrow
refuses those, and the file is declined). A blank line is a row of empty cells to both
tokenizers, which a reader skips. Every line that holds a quote is cut again by the
``csv`` module and compared, so that a quote is read as RFC 4180 reads it; a difference
declines the file. The codes are taken from pyarrow's buffers as they are (``to_numpy``
would import pandas where it is installed), and the parser's memory is given back as soon
as the columns are taken.
"""

from __future__ import annotations

import csv
import functools
import os
import re

import numpy as np
from numpy.typing import NDArray

from digimaat._boundary import guard
from digimaat.exchange.raw import ABSENT, IntArray
from digimaat.exchange.source import Source

__all__ = ["NATIVE_CSV_MIN_BYTES", "csv_columns"]

NATIVE_CSV_MIN_BYTES = 1 << 20
"""Smaller CSV files are cut by the pure tokenizer (importing pyarrow costs more)."""

_DISABLED = "DIGIMAAT_PURE"
"""An environment variable that, when set, turns the native tokenizers off (for tests)."""


def enabled() -> bool:
    """Whether native tokenizers may be used (not when ``DIGIMAAT_PURE`` is set)."""
    return not os.environ.get(_DISABLED)


def _read(data: bytes, separator: str, width: int) -> list[tuple[IntArray, list[str]]] | None:
    """The columns pyarrow reads (after the header), each as the codes of its cells into
    its distinct cells that are not blank (a blank cell coded absent), or ``None`` when it
    refuses."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = [f"c{k}" for k in range(width)]
    kind = pa.dictionary(pa.int32(), pa.string())
    try:
        table = pacsv.read_csv(
            pa.py_buffer(data),
            read_options=pacsv.ReadOptions(
                use_threads=False, column_names=names, skip_rows=1, block_size=_BLOCK
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
                check_utf8=False,  # the source is UTF-8 (checked when it was read)
            ),
        )
    except (pa.ArrowException, ValueError):
        return None
    pa.default_memory_pool().release_unused()  # the parser's own buffers, before the codes
    columns: list[tuple[IntArray, list[str]]] = []
    # The codes of every column in one block of memory, each column a row of it: one large
    # allocation is paged in many times faster than one per column.
    block = np.empty((width, table.num_rows), dtype=np.intp)
    for n, name in enumerate(names):
        column = table.column(name)
        if column.num_chunks != 1:
            column = column.unify_dictionaries()  # one dictionary shared by the chunks
        if column.null_count:
            return None
        chunks = column.chunks
        lookup, values = _without_blanks(chunks[0].dictionary.to_pylist() if chunks else [])
        if (lookup is None and len(values) == 1) or (lookup is not None and not values):
            # One cell throughout, or only blank cells: one code seen through every record
            # (read-only, no memory per record).
            constant = np.intp(0 if values else ABSENT)
            columns.append((np.broadcast_to(constant, (len(column),)), values))
            continue
        codes = block[n]
        at = 0
        for chunk in chunks:
            # The indices' buffer as it is: no nulls (strings_can_be_null=False, checked
            # above), and without to_numpy, which imports pandas where it is installed.
            indices = chunk.indices
            count = len(indices)
            read = np.frombuffer(
                indices.buffers()[1], dtype=np.int32, count=count, offset=indices.offset * 4
            )
            # A piece at a time, into the column's row of the block.
            codes[at : at + count] = read if lookup is None else lookup[read.astype(np.intp)]
            at += count
        columns.append((codes, values))
    del table, column, chunks
    pa.default_memory_pool().release_unused()  # give the parser's memory back at once
    return columns


_BLOCK = 1 << 22
"""Bytes pyarrow parses at a time."""


def _without_blanks(values: list[str]) -> tuple[IntArray | None, list[str]]:
    """A column's distinct cells that are not empty (or white space), and the new code of
    each of its distinct cells (:data:`ABSENT` for a blank one); ``None`` when none is blank.

    (The sheet reads such cells as absent; taking them out here spares it a pass.)
    """
    blank = [not v.strip() for v in values]
    if not any(blank):
        return None, values
    lookup = np.cumsum([not b for b in blank], dtype=np.intp) - 1
    lookup[np.array(blank, dtype=np.bool_)] = ABSENT
    return lookup, [v for v, b in zip(values, blank, strict=True) if not b]


def _line_feeds(buffer: NDArray[np.uint8], start: int, end: int) -> int:
    """How many line feeds the bytes ``start:end`` hold, counted a megabyte at a time
    (bounded memory)."""
    return sum(
        int(np.count_nonzero(buffer[at : min(at + _MEGABYTE, end)] == 0x0A))
        for at in range(start, end, _MEGABYTE)
    )


_MEGABYTE = 1 << 20


def csv_columns(
    source: Source, separator: str
) -> tuple[list[str], IntArray, list[tuple[IntArray, list[str]]]] | None:
    """The header cells, row numbers and coded columns of a CSV file, or ``None`` to decline."""
    data = source.data
    if len(data) < NATIVE_CSV_MIN_BYTES or not enabled():
        return None
    if data.startswith((b"\n", b"\r")):
        return None  # a blank header
    try:
        import pyarrow.csv  # noqa: F401
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
    columns = _read(data, separator, width)
    if columns is None:
        return None
    size = len(columns[0][0])
    buffer = np.frombuffer(data, dtype=np.uint8)
    if b"\r" in data and size != _line_feeds(buffer, 0, len(data)) - data.endswith(b"\n"):
        # A carriage return ends a row to pyarrow: unless each is followed by a line feed
        # there are more rows than lines.
        return None
    if first_end >= 0 and not _quotes_agree(data, buffer, first_end, separator, columns):
        return None
    rows = np.arange(2, size + 2, dtype=np.intp)
    blank = _blank_rows(columns, size)
    if blank is not None:
        keep = ~blank
        rows = rows[keep]
        columns = [(codes[keep], values) for codes, values in columns]
    return header, rows, columns


def _quotes_agree(
    data: bytes,
    buffer: NDArray[np.uint8],
    header_end: int,
    separator: str,
    columns: list[tuple[IntArray, list[str]]],
) -> bool:
    """Whether every line with a quote has the cells the csv module reads from it (a blank
    cell, empty or white space, as absent)."""
    lines: list[str] = []
    rows: list[int] = []
    row = -1  # the header's line feed ends row -1: the line after it is row 0
    counted = header_end
    plain = _plain_quoting(separator)
    at = data.find(b'"', header_end + 1)  # the header was read by the csv module already
    while at > 0:
        start = data.rfind(b"\n", 0, at) + 1
        end = data.find(b"\n", at)
        end = len(data) if end < 0 else end
        line = data[start:end]
        if plain.fullmatch(line) is None:
            row += _line_feeds(buffer, counted, start)
            counted = start
            rows.append(row)
            lines.append(line.decode("utf-8").rstrip("\r"))
        at = data.find(b'"', end)
    if not lines:
        return True
    try:
        cells = list(csv.reader(lines, delimiter=separator, strict=True))
    except csv.Error:
        return False
    width = len(columns)
    if len(cells) != len(rows) or any(len(line) != width for line in cells):
        return False
    for n, (codes, values) in enumerate(columns):
        if len(codes) <= rows[-1]:
            return False
        written = [None if c < 0 else values[c] for c in codes[rows].tolist()]
        if written != [cell if cell.strip() else None for cell in (line[n] for line in cells)]:
            return False
    return True


@functools.cache
def _plain_quoting(separator: str) -> re.Pattern[bytes]:
    """A line whose every quote belongs to a quoted cell as RFC 4180 writes one: a cell that
    opens with a quote and closes with one before the separator or the line's end, with a
    quote inside written twice. Both tokenizers cut such a line alike (pyarrow is asked for
    exactly these rules: a doubled quote, no escape character, no line end in a cell), so
    it is not cut again; any other line with a quote is."""
    sep = re.escape(separator.encode())
    cell = rb'(?:"(?:[^"\r\n]|"")*"|[^"' + sep + rb"\r\n]*)"
    return re.compile(cell + rb"(?:" + sep + cell + rb")*\r?")


def _blank_rows(columns: list[tuple[IntArray, list[str]]], size: int) -> NDArray[np.bool_] | None:
    """Rows whose every cell is absent (empty or white space), which a reader skips
    (XCH-12); ``None`` when there are none."""
    blank: NDArray[np.bool_] | None = None
    for codes, _ in columns:
        absent = codes == ABSENT
        if not absent.any():
            return None  # a column without an empty cell: no row is blank
        blank = absent if blank is None else blank & absent
    if blank is None or not blank.any():
        return None
    return blank


guard(__name__)
