"""Workbooks (``.xlsx``): the sheet of offerings read directly (chapter XCH, XCH-18).

A municipality keeps its offerings in a spreadsheet; a workbook is read as it is, without
exporting it to CSV first: its first worksheet (or the one named, letter case ignored), with
the same columns as the CSV form (:mod:`digimaat.exchange.sheet`), in English or in Dutch.
A cell that holds a number is read as that number; a cell that holds text is read as text,
with the decimal convention the header's language implies (XCH-18.5): a sheet with Dutch
headers writes ``1.000,5``, one with English headers ``1000.5``. A formula is read as the
value the spreadsheet computed and saved; one without a saved value, and an error value
such as ``#DIV/0!``, is refused at its cell.

A workbook is a zip archive of XML documents, so it is read with care (XCH-18.6):

- the sizes the archive declares are checked against the size limit before anything is
  decompressed, and no member is decompressed beyond its declared size (a compression bomb
  is refused);
- the XML is parsed without DTDs, entities or network access (openpyxl with defusedxml,
  both installed by the ``xlsx`` extra; without defusedxml a workbook is refused);
- only the cells the sheet holds are read: a sheet that declares a huge range, or a row
  far down, costs no more than the cells it holds, and only the columns the header names
  are kept.

The sheet's rows are parsed by openpyxl's worksheet parser directly rather than through
``Worksheet.iter_rows``, which fills in every missing row and cell of the declared range.
"""

from __future__ import annotations

import datetime as dt
import io
import warnings
import zipfile
from collections.abc import Iterator
from typing import Any, Final

import numpy as np

from digimaat._boundary import guard
from digimaat.errors import N_, NO_VALUE, Problem
from digimaat.exchange.raw import IntArray, factorize
from digimaat.exchange.rules import CSV, CSV_NL, Dialect
from digimaat.exchange.sheet import RawSheet, column_letter, sheet, unread
from digimaat.exchange.sheet_columns import Header
from digimaat.exchange.source import Limits, Source

__all__ = ["MAX_ENTRIES", "tokenize"]

MAX_ENTRIES: Final = 10_000
"""The most files a workbook's archive may hold (XCH-18.6)."""

_EMPTY: Final[tuple[IntArray, list[str]]] = (np.zeros(0, dtype=np.intp), [])


def _refused(source: Source, message: str, clause: str = "XCH-18.6") -> RawSheet:
    problem = Problem("file", NO_VALUE, message, source=source.name, clause=clause)
    return unread(source, CSV, (problem,))


def tokenize(
    source: Source, limits: Limits | None = None, sheet_name: str | None = None
) -> RawSheet:
    """Cut a workbook's sheet into raw records, one record per row (XCH-11, XCH-18)."""
    limits = Limits() if limits is None else limits
    try:
        archive = zipfile.ZipFile(io.BytesIO(source.data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        return _refused(source, f"is not an .xlsx workbook ({exc})")
    if len(entries) > MAX_ENTRIES:
        return _refused(source, f"holds more than {MAX_ENTRIES:,} files", "XCH-4")
    if sum(entry.file_size for entry in entries) > limits.max_bytes:
        return _refused(
            source,
            f"is larger than the limit of {limits.max_bytes:,} bytes when unpacked",
            "XCH-4",
        )
    try:
        import openpyxl
        from openpyxl.worksheet._reader import WorkSheetParser  # noqa: F401
    except ImportError:
        return _refused(
            source,
            "is a workbook, and reading workbooks needs the xlsx extra: "
            "pip install 'digimaat[xlsx]' (or save the sheet as 'CSV UTF-8')",
        )
    if not getattr(openpyxl, "DEFUSEDXML", False):
        return _refused(
            source,
            "is a workbook, and workbooks are read only with defusedxml installed (the xlsx "
            "extra) and not turned off (OPENPYXL_DEFUSEDXML)",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns of what it does not read
            book = openpyxl.load_workbook(io.BytesIO(source.data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
        return _refused(source, f"is not a readable .xlsx workbook ({type(exc).__name__})")
    try:
        work = _sheet(book, sheet_name)
        if work is None:
            names = ", ".join(repr(name) for name in book.sheetnames) or "none"
            what = "worksheet" if sheet_name is None else f"sheet {sheet_name!r}"
            return _refused(source, f"has no {what}; its sheets are: {names}")
        return _read(source, book, work)
    except Exception as exc:  # a damaged sheet: refused, never a crash
        return _refused(source, f"has a sheet that cannot be read ({type(exc).__name__})")
    finally:
        book.close()


def _sheet(book: Any, name: str | None) -> Any:
    """The first worksheet, or the one named (letter case ignored, as spreadsheets do)."""
    if name is None:
        return book.worksheets[0] if book.worksheets else None
    if name in book.sheetnames:
        return book[name]
    for candidate in book.sheetnames:
        if candidate.casefold() == name.casefold():
            return book[candidate]
    return None


class _OrderError(Exception):
    """The sheet's rows are not in order: the workbook is refused."""


def _rows(book: Any, work: Any) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """The rows the sheet holds, each with the cells it holds, in order; nothing filled in.

    A formula's cell holds the value the spreadsheet saved; one without a saved value is
    marked ``"unsaved"``.
    """
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    class Parser(WorkSheetParser):  # type: ignore[misc]
        def parse_cell(self, element: Any) -> dict[str, Any]:
            cell: dict[str, Any] = super().parse_cell(element)
            if cell["value"] is None and element.find(FORMULA_TAG) is not None:
                cell["unsaved"] = True
            return cell

    last = 0
    with work._get_source() as xml:
        parser = Parser(
            xml,
            work._shared_strings,
            data_only=True,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a date out of range becomes an error cell
            for number, cells in parser.parse():
                if number <= last:
                    raise _OrderError(f"row {number} comes after row {last}")
                last = number
                yield number, cells


def _read(source: Source, book: Any, work: Any) -> RawSheet:
    rows = _rows(book, work)
    try:
        first = next(rows, None)
    except _OrderError as exc:
        return _refused(source, f"has rows out of order ({exc}); save it again")
    header_cells: list[str] = []
    if first is not None and first[0] == 1:
        named = {c["column"]: _text(c["value"], CSV) for c in first[1] if c["value"] is not None}
        named = {k: v for k, v in named.items() if v.strip()}
        header_cells = [named.get(k, "") for k in range(1, max(named, default=0) + 1)]
        first = None
    header = Header(header_cells, source.name)
    dialect = CSV_NL if header.dutch else CSV
    width = header.width
    if not header.position:  # no column to read: the header's problems say why
        first, rows = None, iter(())
    known = sorted(header.position.values())  # the 0-based positions of named columns
    slot = {position + 1: k for k, position in enumerate(known)}  # by 1-based column
    numbers: list[int] = []
    kept: list[list[str]] = []
    problems: list[Problem] = []
    try:
        for number, cells in _chain(first, rows):
            values = [""] * len(known)
            beyond = filled = False
            for cell in cells:
                value = cell["value"]
                column = cell["column"]
                if cell.get("unsaved") or cell["data_type"] == "e":
                    if column <= width:
                        problems.append(_cell_problem(source, number, column, cell))
                        filled = True
                    else:
                        beyond = True
                    continue
                if value is None:
                    continue
                text = _text(value, dialect)
                if not text.strip():
                    continue
                if column > width:
                    beyond = True
                    continue
                filled = True
                k = slot.get(column)
                if k is not None:
                    values[k] = text
            if beyond:
                problems.append(
                    Problem(
                        "row",
                        NO_VALUE,
                        f"has cells beyond the header's {width} columns",
                        source=source.name,
                        location=f"row {number}",
                        clause="XCH-12",
                        suggestion=N_("give those columns a header, or empty them"),
                    )
                )
                continue
            if filled:
                numbers.append(number)
                kept.append(values)
    except _OrderError as exc:
        return _refused(source, f"has rows out of order ({exc}); save it again")
    by_position: list[tuple[IntArray, list[str]]] = [_EMPTY] * width
    if kept:
        for k, column in enumerate(zip(*kept, strict=True)):
            by_position[known[k]] = factorize(column)
    return sheet(
        source, dialect, header, np.array(numbers, dtype=np.intp), by_position, problems, True
    )


def _chain(
    first: tuple[int, list[dict[str, Any]]] | None,
    rows: Iterator[tuple[int, list[dict[str, Any]]]],
) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    if first is not None:
        yield first
    yield from rows


def _cell_problem(source: Source, row: int, column: int, cell: dict[str, Any]) -> Problem:
    """A cell whose value the workbook does not hold (XCH-18.5)."""
    if cell.get("unsaved"):
        message = N_("holds a formula whose value the workbook has not saved")
        hint = N_("open the workbook in a spreadsheet program and save it, or type the value")
        value: Any = NO_VALUE
    else:
        message = N_("holds an error value")
        hint = N_("correct the formula, or type the value")
        value = cell["value"]
    return Problem(
        "cell",
        value,
        message,
        source=source.name,
        location=f"row {row}, column {column_letter(column - 1)}",
        clause="XCH-18.5",
        suggestion=hint,
    )


def _text(value: Any, dialect: Dialect) -> str:
    """A cell's value as the text the rules read, in the sheet's decimal convention.

    A number is written in the shortest form that reads back as the same number, so that
    nothing is lost: ``58.5`` becomes ``"58,5"`` in a Dutch sheet.

    >>> _text(58.5, CSV_NL), _text(74124.0, CSV_NL), _text(True, CSV)
    ('58,5', '74124', 'true')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
        return text.replace(".", ",") if dialect.decimal_comma else text
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


guard(__name__)
