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
import io

import numpy as np

from digimaat.errors import N_, NO_VALUE, Problem
from digimaat.exchange.raw import IntArray, RawTable, factorize
from digimaat.exchange.rules import CSV, CSV_NL, Dialect
from digimaat.exchange.sheet import COLUMNS, REQUIRED_COLUMNS, Header, RawSheet, sheet
from digimaat.exchange.source import Limits, Source

__all__ = ["COLUMNS", "REQUIRED_COLUMNS", "RawSheet", "tokenize"]


def _separator(header: str) -> str | None:
    """``;`` or ``,``, decided by the header row alone (XCH-12); ``None`` when it holds both."""
    semicolon, comma = ";" in header, "," in header
    if semicolon and comma:
        return None
    return ";" if semicolon else ","


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
        header = Header(header_cells, source.name)
        return sheet(source, dialect, header, rows_of, cells, [], True)
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
    header = Header(rows[0], source.name)
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
    if not kept and not problems and complete and not header.problems:  # not a bad row
        problems.append(
            Problem(
                "file",
                NO_VALUE,
                N_("has a header but no rows"),
                source=source.name,
                clause="XCH-11",
            )
        )
    return sheet(
        source, dialect, header, np.array(numbers, dtype=np.intp), columns, problems, complete
    )


def _empty(source: Source, dialect: Dialect, problems: tuple[Problem, ...]) -> RawSheet:
    def nowhere(k: int, field: str, sub: str) -> str:
        return ""

    table = RawTable("document", 0, {}, nowhere)
    return RawSheet(source, dialect, table, table, (), table, problems, False)
