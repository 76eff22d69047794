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

import csv
import difflib
import io
import re
from collections.abc import Sequence
from typing import Any, Final

import attrs
import numpy as np

from digimaat.errors import NO_VALUE, Problem
from digimaat.exchange.raw import ABSENT, IntArray, RawColumn, RawTable, factorize
from digimaat.exchange.rules import CSV, CSV_NL, Dialect
from digimaat.exchange.source import Limits, Source
from digimaat.vocabulary.channels import CHANNELS, Channel

__all__ = [
    "COLUMNS",
    "REQUIRED_COLUMNS",
    "RawSheet",
    "column_letter",
    "tokenize",
]

VOLUME_COLUMNS: Final = tuple(f"volume_{channel.value}" for channel in CHANNELS)

COLUMNS: Final[tuple[str, ...]] = (
    "reference_year",
    "cbs_code",
    "municipality_name",
    "population",
    "population_year",
    "product",
    "status",
    "capabilities",
    "authentication",
    "local_target",
    "local_target_reason",
    "fee_applies",
    "volume_unit",
    *VOLUME_COLUMNS,
    "forms_started",
    "forms_completed",
    "notes",
    "source",
)
"""The columns of the CSV form, in the order a writer writes them (XCH-11)."""

REQUIRED_COLUMNS: Final[tuple[str, ...]] = (
    "reference_year",
    "cbs_code",
    "municipality_name",
    "population",
    "population_year",
    "product",
)
"""The columns every CSV file must have; the others may be left out (XCH-11)."""

# Where each column's cells go: (table, field). The CBS code is the municipality of both
# the municipality record and the offering of its row.
_DOCUMENT: Final = {"reference_year": "reference_year", "source": "source"}
_MUNICIPAL: Final = {
    "cbs_code": "cbs_code",
    "municipality_name": "name",
    "population": "population",
    "population_year": "year",
}
_OFFERING: Final = {
    "cbs_code": "municipality",
    **{c: c for c in COLUMNS[5:] if c != "source"},
}
TEXTS_AS_WRITTEN: Final = frozenset({"municipality_name", "local_target_reason", "notes", "source"})
"""Columns whose cells are taken as written; white space around other cells is ignored."""


@attrs.frozen(eq=False)
class RawSheet:
    """A CSV file (or a spreadsheet) cut into raw records, one record per row."""

    source: Source
    dialect: Dialect
    document: RawTable
    municipalities: RawTable
    local_products: tuple[tuple[str, Any], ...]
    offerings: RawTable
    problems: tuple[Problem, ...]
    complete: bool
    """``False`` when the rows could not be read (a separator or syntax problem)."""


def column_letter(position: int) -> str:
    """The spreadsheet name of a column by its 0-based position: A, B, ..., Z, AA, ...

    >>> column_letter(0), column_letter(25), column_letter(26), column_letter(701)
    ('A', 'Z', 'AA', 'ZZ')
    """
    letters = ""
    n = position + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _separator(header: str) -> str | None:
    """``;`` or ``,``, decided by the header row alone (XCH-12); ``None`` when it holds both."""
    semicolon, comma = ";" in header, "," in header
    if semicolon and comma:
        return None
    return ";" if semicolon else ","


class _Header:
    """The header row: which column holds which field, and its problems (XCH-11)."""

    def __init__(self, cells: Sequence[str], source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self.position: dict[str, int] = {}
        for position, cell in enumerate(cells):
            name = normalise_header(cell)
            where = f"row 1, column {column_letter(position)}"
            if name is None:
                if not cell.strip():
                    self._problem(where, cell, "is empty; every column needs a name", None)
                    continue
                close = difflib.get_close_matches(cell.strip().lower(), COLUMNS, n=1)
                self._problem(
                    where,
                    cell,
                    "is not a column of the CSV form",
                    f"did you mean {close[0]!r}?"
                    if close
                    else "see the list of columns in the specification (XCH-11)",
                )
            elif name in self.position:
                first = column_letter(self.position[name])
                self._problem(where, cell, f"repeats column {name} (also column {first})", None)
            else:
                self.position[name] = position
        for name in REQUIRED_COLUMNS:
            if name not in self.position:
                self._problem("row 1", NO_VALUE, f"lacks the required column {name}", None)
        self.width = len(cells)

    def _problem(self, where: str, value: Any, message: str, suggestion: str | None) -> None:
        self.problems.append(
            Problem(
                "header",
                value,
                message,
                source=self.source,
                location=where,
                clause="XCH-11",
                suggestion=suggestion,
            )
        )


_HEADER_SPACES = re.compile(r"[\s_]+")


def normalise_header(cell: str) -> str | None:
    """The column a header cell names, or ``None`` (XCH-11).

    Letter case and white space around a name are ignored, and a volume column may name its
    channel by an alias (``volume_email``).

    >>> normalise_header(" Volume_Email "), normalise_header("product"), normalise_header("x")
    ('volume_e-mail', 'product', None)
    """
    name = cell.strip().lower()
    if name.startswith("volume_") and name != "volume_unit":
        try:
            return "volume_" + Channel.parse(name.removeprefix("volume_"), "header").value
        except ValueError:
            return None
    return name if name in COLUMNS else None


def tokenize(source: Source, limits: Limits | None = None) -> RawSheet:
    """Cut a CSV file into raw records (XCH-11, XCH-12), with the problems of its structure."""
    limits = Limits() if limits is None else limits
    data = source.data
    line_end = min((k for k in (data.find(b"\n"), data.find(b"\r")) if k >= 0), default=len(data))
    first_line = data[:line_end].decode("utf-8")
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
        return _empty(source, CSV, (problem,))
    dialect = CSV_NL if separator == ";" else CSV
    from digimaat.exchange.native import csv_columns

    native = csv_columns(source, separator)
    if native is not None:
        header_cells, rows_of, cells = native
        header = _Header(header_cells, source.name)
        return _sheet(source, dialect, header, rows_of, cells, [], True)
    return _pure(source, data.decode("utf-8"), separator, dialect)


def _pure(source: Source, text: str, separator: str, dialect: Dialect) -> RawSheet:
    """Cut the rows with ``str.split`` where there are no quotes, else with the csv module."""
    problems: list[Problem] = []
    complete = True
    if '"' not in text and "\r" not in text.replace("\r\n", ""):
        lines = text.replace("\r\n", "\n").split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        rows = [line.split(separator) for line in lines]
    else:
        rows = []
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
        try:
            for row in reader:
                rows.append(row)
        except csv.Error as exc:
            problems.append(
                Problem(
                    "row",
                    NO_VALUE,
                    f"is not valid CSV ({exc})",
                    source=source.name,
                    location=f"row {len(rows) + 1}",
                    clause="XCH-11",
                )
            )
            complete = False
    if not rows:
        return _empty(source, dialect, tuple(problems))
    header = _Header(rows[0], source.name)
    width = header.width
    numbers: list[int] = []
    kept: list[list[str]] = []
    for number, row in enumerate(rows[1:], start=2):
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
    columns: list[tuple[IntArray, list[str]]] = []
    if kept:
        for cells in zip(*kept, strict=True):
            columns.append(factorize(cells))
    else:
        columns = [(np.zeros(0, dtype=np.intp), []) for _ in range(width)]
    if not kept and complete and not header.problems:
        problems.append(
            Problem(
                "file", NO_VALUE, "has a header but no rows", source=source.name, clause="XCH-11"
            )
        )
    return _sheet(
        source, dialect, header, np.array(numbers, dtype=np.intp), columns, problems, complete
    )


def _empty(source: Source, dialect: Dialect, problems: tuple[Problem, ...]) -> RawSheet:
    def nowhere(k: int, field: str, sub: str) -> str:
        return ""

    table = RawTable("document", 0, {}, nowhere)
    return RawSheet(source, dialect, table, table, (), table, problems, False)


def _sheet(
    source: Source,
    dialect: Dialect,
    header: _Header,
    rows: IntArray,
    columns: Sequence[tuple[IntArray, list[str]]],
    problems: list[Problem],
    complete: bool,
) -> RawSheet:
    """The three tables of a sheet's rows, every cell located by its row and column."""
    size = len(rows)
    position = header.position
    row_numbers = rows.tolist()

    def table(name: str, fields: dict[str, str], repeated: bool) -> RawTable:
        letters: dict[str, str] = {}
        out: dict[str, RawColumn] = {}
        for column, field in fields.items():
            if column not in position:
                continue
            at = position[column]
            letters[field] = column_letter(at)
            codes, values = columns[at]
            out[field] = _cells(codes, values, column in TEXTS_AS_WRITTEN)

        def locate(k: int, field: str, sub: str, letters: dict[str, str] = letters) -> str:
            letter = letters.get(field)
            row = row_numbers[k] if 0 <= k < size else "?"
            return f"row {row}, column {letter}" if letter else f"row {row}"

        names = {field: column for column, field in fields.items() if column in position}
        return RawTable(name, size, out, locate, repeated, names)

    return RawSheet(
        source,
        dialect,
        table("document", _DOCUMENT, True),
        table("municipalities", _MUNICIPAL, True),
        (),
        table("offerings", _OFFERING, False),
        (*header.problems, *problems),
        complete,
    )


def _cells(codes: IntArray, values: list[str], as_written: bool) -> RawColumn:
    """A column of cells: empty cells (or white space only) are absent; others trimmed."""
    if not values:
        return RawColumn(codes, values)
    blank = np.array([not v.strip() for v in values], dtype=np.bool_)
    kept = values if as_written else [v.strip() for v in values]
    if not blank.any():
        if as_written or kept == values:
            return RawColumn(codes, values)
        return _recoded(codes, kept)
    remap = np.where(blank, ABSENT, np.arange(len(values)))
    out = np.where(codes >= 0, remap[np.maximum(codes, 0)], ABSENT)
    return _recoded(out, kept) if not as_written else RawColumn(out, kept)


def _recoded(codes: IntArray, values: list[str]) -> RawColumn:
    """Merge values made equal by trimming (``" a"`` and ``"a"``)."""
    index: dict[str, int] = {}
    distinct: list[str] = []
    remap = np.empty(len(values), dtype=np.intp)
    for k, value in enumerate(values):
        code = index.get(value)
        if code is None:
            code = index[value] = len(distinct)
            distinct.append(value)
        remap[k] = code
    return RawColumn(np.where(codes >= 0, remap[np.maximum(codes, 0)], ABSENT), distinct)
