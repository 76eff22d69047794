"""Workbooks (``.xlsx``): the sheet of offerings read directly (chapter XCH, XCH-18).

A municipality keeps its offerings in a spreadsheet; a workbook is read as it is, without
exporting it to CSV first: its first sheet (or the sheet named), with the same columns as
the CSV form (:mod:`digimaat.exchange.sheet`), in English or in Dutch. A cell that holds a
number is read as that number; a cell that holds text is read as text, with the decimal
convention the header's language implies (XCH-18): a sheet with Dutch headers writes
``1.000,5``, one with English headers ``1000.5``.

A workbook is a zip archive of XML documents, so it is read with care: the sizes the
archive declares are checked against the size limit before anything is decompressed (a
compression bomb is refused), and the XML is parsed without DTDs, entities or network
access (openpyxl uses defusedxml when it is installed; the ``xlsx`` extra installs both).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any, Final

import numpy as np

from digimaat._boundary import guard
from digimaat.errors import NO_VALUE, Problem
from digimaat.exchange.raw import factorize
from digimaat.exchange.rules import CSV, CSV_NL, Dialect
from digimaat.exchange.sheet import Header, RawSheet, sheet
from digimaat.exchange.source import Limits, Source

__all__ = ["MAX_ENTRIES", "tokenize"]

MAX_ENTRIES: Final = 10_000
"""The most files a workbook's archive may hold."""


def _refused(source: Source, message: str, clause: str = "XCH-18") -> RawSheet:
    from digimaat.exchange.raw import RawTable

    def nowhere(k: int, field: str, sub: str) -> str:
        return ""

    problem = Problem("file", NO_VALUE, message, source=source.name, clause=clause)
    table = RawTable("document", 0, {}, nowhere)
    return RawSheet(source, CSV, table, table, (), table, (problem,), False)


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
    except ImportError:
        return _refused(
            source,
            "is a workbook, and reading workbooks needs the xlsx extra: "
            "pip install 'digimaat[xlsx]' (or save the sheet as 'CSV UTF-8')",
        )
    try:
        book = openpyxl.load_workbook(io.BytesIO(source.data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
        return _refused(source, f"is not a readable .xlsx workbook ({type(exc).__name__})")
    try:
        if sheet_name is None:
            work = book.worksheets[0]
        elif sheet_name in book.sheetnames:
            work = book[sheet_name]
        else:
            names = ", ".join(book.sheetnames)
            return _refused(source, f"has no sheet {sheet_name!r}; its sheets are: {names}")
        return _read(source, work)
    except Exception as exc:  # a damaged sheet: refused, never a crash
        return _refused(source, f"has a sheet that cannot be read ({type(exc).__name__})")
    finally:
        book.close()


def _read(source: Source, work: Any) -> RawSheet:
    rows = work.iter_rows()
    header_row = next(rows, None)
    if header_row is None:
        return _refused(source, "has an empty sheet", "XCH-11")
    header_cells = [_text(cell.value, CSV) for cell in header_row]
    while header_cells and not header_cells[-1].strip():
        header_cells.pop()  # trailing empty header cells are not columns
    header = Header(header_cells, source.name)
    dialect = CSV_NL if header.dutch else CSV
    width = header.width
    numbers: list[int] = []
    kept: list[list[str]] = []
    problems: list[Problem] = []
    for row in rows:
        values = [_text(cell.value, dialect) for cell in row]
        if len(values) > width:
            if any(v.strip() for v in values[width:]):
                number = _row_of(row)
                problems.append(
                    Problem(
                        "row",
                        NO_VALUE,
                        f"has cells beyond the header's {width} columns",
                        source=source.name,
                        location=f"row {number}",
                        clause="XCH-12",
                    )
                )
                continue
            values = values[:width]
        elif len(values) < width:
            values += [""] * (width - len(values))
        if not any(v.strip() for v in values):
            continue
        numbers.append(_row_of(row))
        kept.append(values)
    if kept:
        columns = [factorize(cells) for cells in zip(*kept, strict=True)]
    else:
        columns = [(np.zeros(0, dtype=np.intp), []) for _ in range(width)]
        if not header.problems:
            problems.append(
                Problem(
                    "file",
                    NO_VALUE,
                    "has a header but no rows",
                    source=source.name,
                    clause="XCH-11",
                )
            )
    return sheet(source, dialect, header, np.array(numbers, dtype=np.intp), columns, problems, True)


def _row_of(row: Any) -> int:
    for cell in row:
        number = getattr(cell, "row", None)
        if isinstance(number, int):
            return number
    return 0


def _text(value: Any, dialect: Dialect) -> str:
    """A cell's value as the text the rules read, in the sheet's decimal convention.

    A number is written in the shortest form that reads back as the same number, so that
    nothing is lost: ``58.5`` becomes ``"58,5"`` in a Dutch sheet.
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
