"""Optional native tokenizers, behind the same raw records (specification chapter XCH).

With the ``fast`` extra installed (``pip install digimaat[fast]``), a large CSV file is cut
by pyarrow's CSV reader, and a JSON document is parsed by orjson
(:mod:`digimaat.exchange.jsonfast` asks for it). Neither decides anything: a native
tokenizer gives the same raw records as the pure one, or declines, and then the pure one
reads the file. The property tests check that both give the same records, problems
included, on generated files (``tests/exchange/test_fast_ways.py``).

pyarrow cuts the file when it is large enough to be worth importing pyarrow for. It reads
the file a block at a time through a :class:`_Reader`, which checks each block on its way
(hot in the cache, read once): for a file read from its path, what
:func:`~digimaat.exchange.source.read_source` checks of the whole (the size limit, UTF-8,
an empty file), so that the file is never held in memory whole; and for every file what
pyarrow reads otherwise than the pure tokenizer. Its rows are lines: every carriage return
is followed by a line feed (else pyarrow would count more rows than there are lines), and
no quoted cell is spread over lines (pyarrow refuses those, and the file is declined). A
blank line is a row of empty cells to both tokenizers, which a reader skips. Every line
that holds a quote other than in a plain quoted cell is cut again by the ``csv`` module
and compared, so that a quote is read as RFC 4180 reads it; a difference declines the
file, and so do more than :data:`_MAX_KEPT` bytes of such lines. Whatever fails a check
declines the file, and the pure tokenizer reads it and reports what it finds. The codes
are taken from pyarrow's buffers as they are (``to_numpy`` would import pandas where it is
installed), and the parser's memory is given back as soon as the columns are taken.
"""

from __future__ import annotations

import csv
import functools
import io
import os
import re
import stat
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from digimaat._boundary import guard
from digimaat.errors import InputError
from digimaat.exchange.raw import ABSENT, IntArray
from digimaat.exchange.source import Source, Utf8Check, without_bom

__all__ = ["NATIVE_CSV_MIN_BYTES", "csv_columns", "csv_file_columns"]

NATIVE_CSV_MIN_BYTES = 1 << 20
"""Smaller CSV files are cut by the pure tokenizer (importing pyarrow costs more)."""

_DISABLED = "DIGIMAAT_PURE"
"""An environment variable that, when set, turns the native tokenizers off (for tests)."""


def enabled() -> bool:
    """Whether native tokenizers may be used (not when ``DIGIMAAT_PURE`` is set)."""
    return not os.environ.get(_DISABLED)


Columns = list[tuple[IntArray, list[str]]]
"""Coded columns: per column, the code of each row's cell and the distinct cells coded."""
Cut = tuple[list[str], IntArray, Columns]
"""A file cut into rows: the header cells, the row number of each row, the coded columns."""


def _read(reader: _Reader, separator: str, width: int) -> Columns | None:
    """The columns pyarrow reads (after the header), each as the codes of its cells into
    its distinct cells that are not blank (a blank cell coded absent), or ``None`` when it
    refuses or a check of the reader's fails."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = [f"c{k}" for k in range(width)]
    kind = pa.dictionary(pa.int32(), pa.string())
    try:
        table = pacsv.read_csv(
            reader,
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
    except (pa.ArrowException, ValueError, OSError):
        return None
    if not reader.finish():
        # Before a cell is decoded: pyarrow may have read a file cut short by a failed
        # check, or ending in a character cut short, its last cell not UTF-8.
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
            # A piece at a time, into the column's row of the block. The indices are those
            # of the dictionary, which the lookup has one entry per: "clip" never clips.
            if lookup is None:
                codes[at : at + count] = read
            else:
                np.take(lookup, read, out=codes[at : at + count], mode="clip")
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


def csv_columns(source: Source, separator: str) -> Cut | None:
    """The header cells, row numbers and coded columns of a CSV file held in memory, or
    ``None`` to decline."""
    data = source.data
    if len(data) < NATIVE_CSV_MIN_BYTES or not enabled():
        return None
    return _cut(data, _first_then(data, _nothing), separator, None, None)


def _nothing(size: int) -> bytes:
    return b""


def csv_file_columns(
    path: str, max_bytes: int, separator_of: Callable[[bytes], str | None]
) -> tuple[str, Cut] | None:
    """The separator, and the header cells, row numbers and coded columns, of a CSV file
    read from its path a block at a time; ``None`` to decline (the file is then read whole).

    The checks :func:`~digimaat.exchange.source.read_source` makes of a whole file are
    made of each block on its way; any that fails declines the file, so that its problem
    is reported as when the file is read whole. ``separator_of`` decides the separator
    from the file's first bytes (XCH-12).
    """
    if not enabled() or not _regular(path, max_bytes):
        return None
    try:
        # Opened without waiting, should a pipe have taken the file's place since: a pipe
        # is declined unread, and read whole from its start.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with open(descriptor, "rb", buffering=0) as handle:
        try:
            if not _regular(descriptor, max_bytes):
                return None
            first = _whole(handle.read, _BLOCK)
        except OSError:
            return None
        try:  # a UTF-8 byte order mark removed, another refused, as in a file read whole
            text = without_bom(first, path)
        except InputError:
            return None
        max_bytes -= len(first) - len(text)
        first = text
        if b"\n" not in first and b"\r" not in first:
            return None  # no header line in the first block
        try:
            separator = separator_of(first)
        except UnicodeDecodeError:
            return None
        if separator is None:
            return None
        cut = _cut(first, _first_then(first, handle.read), separator, Utf8Check(), max_bytes)
        return None if cut is None else (separator, cut)


def _regular(file: str | int, max_bytes: int) -> bool:
    """Whether a path or an open file is a regular file of a size to read a block at a
    time (never a pipe or a device, whose bytes can be read only once)."""
    try:
        info = os.stat(file)
    except (OSError, ValueError):
        return False
    return stat.S_ISREG(info.st_mode) and NATIVE_CSV_MIN_BYTES <= info.st_size <= max_bytes


def _whole(read: Callable[[int], bytes | None], size: int) -> bytes:
    """``size`` bytes of a file, fewer only at its end (a read may give fewer)."""
    first = read(size) or b""
    if len(first) == size or not first:
        return first
    pieces = [first]
    wanted = size - len(first)
    while wanted:
        piece = read(wanted) or b""
        if not piece:
            break
        pieces.append(piece)
        wanted -= len(piece)
    return b"".join(pieces)


def _first_then(first: bytes, read: Callable[[int], bytes | None]) -> Callable[[int], bytes]:
    """The bytes ``first`` already read, then the rest of the file, ``size`` at a time."""
    at = 0

    def part(size: int) -> bytes:
        nonlocal at
        if at >= len(first):
            return _whole(read, size)
        piece = first[at : at + size]  # the whole of first, not copied, when it fits
        at += len(piece)
        return piece if len(piece) == size else piece + _whole(read, size - len(piece))

    return part


def _cut(
    first: bytes,
    part: Callable[[int], bytes],
    separator: str,
    utf8: Utf8Check | None,
    max_bytes: int | None,
) -> Cut | None:
    """Cut a file with pyarrow, its bytes given by ``part`` (``first`` holds the header
    line); ``utf8`` and ``max_bytes`` check a file read from its path."""
    if first.startswith((b"\n", b"\r")):
        return None  # a blank header
    try:
        import pyarrow.csv  # noqa: F401
    except ImportError:
        return None
    first_end = first.find(b"\n")
    try:  # (the bytes of a file read from its path are not checked yet)
        header_line = (first[:first_end] if first_end >= 0 else first).decode("utf-8")
        header = next(csv.reader([header_line.rstrip("\r")], delimiter=separator, strict=True))
    except (UnicodeDecodeError, csv.Error, StopIteration):
        return None  # the pure tokenizer reports it
    width = len(header)
    if width == 0 or width > _MAX_WIDTH:
        return None
    reader = _Reader(part, separator, utf8, max_bytes)
    columns = _read(reader, separator, width)
    if columns is None:
        return None
    size = len(columns[0][0])
    if reader.returns and size != reader.lines - (not reader.unfinished):
        # A carriage return ends a row to pyarrow: unless each is followed by a line feed
        # there are more rows than lines.
        return None
    if not _quotes_agree(reader.quoted_rows, reader.quoted_lines, separator, columns):
        return None
    rows = np.arange(2, size + 2, dtype=np.intp)
    blank = _blank_rows(columns, size)
    if blank is not None:
        keep = ~blank
        rows = rows[keep]
        columns = [(codes[keep], values) for codes, values in columns]
    return header, rows, columns


_MAX_WIDTH = 1 << 10
"""A wider header declines the file: pyarrow takes some 10 kB per column (a header of a
few megabytes of separators would take gigabytes), and a sheet has far fewer columns
(any other is a problem of the header, which the pure tokenizer reports)."""


class _DeclineError(Exception):
    """A check of a block failed: the file is declined."""


class _Reader(io.RawIOBase):
    """The bytes of a CSV file as pyarrow reads them, a block at a time, each block checked
    on its way: UTF-8 and the size limit (where ``utf8`` and ``max_bytes`` are given),
    whether the file is blank, its line feeds and carriage returns, and its lines with a
    quote that is not in a plain quoted cell (kept, with their rows, to be cut again). When
    a check fails the file ends there for pyarrow, and :meth:`finish` says so.
    """

    def __init__(
        self,
        part: Callable[[int], bytes],
        separator: str,
        utf8: Utf8Check | None,
        max_bytes: int | None,
    ) -> None:
        super().__init__()
        self._part = part
        self._plain = _plain_quoting(separator)
        self._utf8 = utf8
        self._max_bytes = max_bytes
        self._size = 0
        self._blank = True
        self._failed = False
        self._tail = b""  # the line begun in the blocks so far, not yet ended
        self._kept = 0  # the bytes of the lines kept to be cut again
        self.lines = 0
        """The line feeds read so far."""
        self.returns = False
        """Whether a carriage return was read."""
        self.quoted_rows: list[int] = []
        """The rows (0: the line after the header) of the lines kept to be cut again."""
        self.quoted_lines: list[str] = []
        """Those lines, without their line end."""

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if self._failed:
            return b""
        try:
            block = self._part(_BLOCK if size is None or size < 0 else size)
            if block:
                self._check(block)
        except (_DeclineError, UnicodeDecodeError, OSError):
            self._failed = True
            return b""
        return block

    @property
    def unfinished(self) -> bool:
        """Whether the file ends in a line without a line feed."""
        return bool(self._tail)

    def finish(self) -> bool:
        """Whether every check held to the end of the file (the last line included)."""
        if self._failed:
            return False
        try:
            if self._part(1):
                return False  # pyarrow stopped before the end
            if self._utf8 is not None:
                self._utf8.close()
            if self._tail:
                self._line(self._tail, self.lines)
        except (_DeclineError, UnicodeDecodeError, OSError):
            return False
        return not self._blank

    def _check(self, block: bytes) -> None:
        self._size += len(block)
        if self._max_bytes is not None and self._size > self._max_bytes:
            raise _DeclineError
        if self._utf8 is not None:
            self._utf8.feed(block)
        if self._blank:
            self._blank = block.isspace()
        if not self.returns:
            self.returns = b"\r" in block
        first = block.find(b"\n")
        if first < 0:
            if len(self._tail) + len(block) > _MAX_LINE:
                raise _DeclineError
            self._tail += block
            return
        if b'"' in self._tail or block.find(b'"', 0, first) >= 0:
            self._line(self._tail + block[:first], self.lines)  # the line begun before
        last = block.rfind(b"\n")
        buffer = np.frombuffer(block, dtype=np.uint8)
        lines = self.lines  # the line feeds before ``counted``
        counted = 0
        at = block.find(b'"', first + 1, last)
        while at >= 0:  # the lines with a quote (none is the header: it ends the first line)
            start = block.rfind(b"\n", 0, at) + 1
            end = block.find(b"\n", at)
            line = block[start:end]
            if self._plain.fullmatch(line) is None:  # its row is counted only if it is kept
                lines += int(np.count_nonzero(buffer[counted:start] == 0x0A))
                counted = start
                self._keep(line, lines)
            at = block.find(b'"', end + 1, last)
        self.lines = lines + int(np.count_nonzero(buffer[counted:] == 0x0A))
        self._tail = block[last + 1 :]
        if len(self._tail) > _MAX_LINE:
            raise _DeclineError

    def _line(self, line: bytes, number: int) -> None:
        """Keep a line with a quote to be cut again (``number``: 0 for the header)."""
        if number == 0 or b'"' not in line or self._plain.fullmatch(line) is not None:
            return
        self._keep(line, number)

    def _keep(self, line: bytes, number: int) -> None:
        self._kept += len(line)
        if self._kept > _MAX_KEPT:
            raise _DeclineError
        self.quoted_rows.append(number - 1)
        self.quoted_lines.append(line.decode("utf-8").rstrip("\r"))


_MAX_LINE = 1 << 20
"""A longer line declines the file (the pure tokenizer cuts lines of any length)."""

_MAX_KEPT = 1 << 20
"""More bytes of lines kept to be cut again decline the file: they are held, and cut again,
until pyarrow has read it all (the pure tokenizer cuts them a batch at a time)."""


def _quotes_agree(rows: list[int], lines: list[str], separator: str, columns: Columns) -> bool:
    """Whether every line kept has the cells the csv module reads from it (a blank cell,
    empty or white space, as absent)."""
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
