"""The ``xlsx`` renderer: a report as a workbook for a spreadsheet (optional extra ``xlsx``).

One sheet per table of the report, named after the table, and a last sheet, ``about``,
with what is needed to read and reproduce it: the kind of report, its title, the package
and specification versions, the profile with its fingerprint, the sources of the data,
each sheet's title and legend, and the report's text. In the sheets of tables:

- the header row holds the column keys (as in CSV and JSON), in bold, frozen, with a
  filter;
- numbers are numbers; a share is the fraction itself (0.5) with a percentage number
  format (``50.0%``), so a spreadsheet computes with it as it is; a number is shown with
  two decimals, a whole number with a thousands separator, and every cell keeps its full
  precision (round for display only, AGG-9); a value that is not defined is an empty cell;
- every text is a text cell, never a formula, and written by the rule of CSV output
  (XCH-17): a text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
  gets a ``'`` before it, so the workbook saved as CSV is as safe; characters a terminal
  could act on are escaped as on a terminal, and a text longer than a cell holds (32,767
  characters) is cut, ending in ``…``;
- columns are as wide as their contents, between 8 and 60 characters.

The same report gives the same bytes: the workbook's properties and the archive carry a
fixed date (1 January 1980, the earliest a zip archive can hold), never the time of
writing. A table longer than a sheet holds (1,048,575 rows under the header) is refused
rather than cut.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import numbers
import re
import zipfile
from collections.abc import Mapping, Sequence
from typing import Any, Final

from digimaat._boundary import guard
from digimaat._version import SPEC_VERSION, __version__
from digimaat.analysis.tables import Column, Report, Table
from digimaat.cli.render import spreadsheet_safe
from digimaat.errors import InvalidValueError, UsageError, safe_text

__all__ = ["ABOUT", "MAX_ROWS", "MAX_TEXT", "workbook"]

ABOUT: Final = "about"
"""The name of the sheet about the report (the last sheet)."""
MAX_ROWS: Final = 1_048_576
"""The rows of a worksheet, the header included."""
MAX_TEXT: Final = 32_767
"""The characters a cell holds."""
DATE: Final = dt.datetime(1980, 1, 1)
"""The date of every workbook: a fixed one, so the same report gives the same bytes."""

_FORMATS: Final = {"share": "0.0%", "number": "#,##0.00", "integer": "#,##0"}
_SHEET_NAME: Final = re.compile(r"[\[\]:*?/\\]")
_SHEET_LENGTH: Final = 31
_WIDTH: Final = (8, 60)


def workbook(report: Report) -> bytes:
    """The report as the bytes of an ``.xlsx`` workbook.

    >>> import io, openpyxl
    >>> from digimaat.analysis.tables import Column, Report, Table
    >>> table = Table("scores", (Column("municipality", "code", "code"),
    ...                          Column("score", "score", "share")),
    ...               (("GM0622", 0.5), ("=1+1", None)))
    >>> book = openpyxl.load_workbook(io.BytesIO(workbook(Report("scores", tables=(table,)))))
    >>> book.sheetnames
    ['scores', 'about']
    >>> sheet = book["scores"]
    >>> [[cell.value for cell in row] for row in sheet.iter_rows()]
    [['municipality', 'score'], ['GM0622', 0.5], ["'=1+1", None]]
    >>> sheet["B2"].number_format, sheet.freeze_panes
    ('0.0%', 'A2')
    """
    try:
        import openpyxl
        from openpyxl.writer.excel import ExcelWriter
    except ImportError:
        raise UsageError(
            "--format xlsx needs the optional extra 'xlsx': pip install 'digimaat[xlsx]'"
        ) from None
    book = openpyxl.Workbook()
    book.remove(book.active)
    taken = {ABOUT}
    names = []
    for table in report.tables:
        name = _sheet_name(table.name, taken)
        names.append(name)
        _table_sheet(book.create_sheet(name), table)
    _about_sheet(book.create_sheet(ABOUT), report, names)
    book.properties.creator = "digimaat"
    book.properties.title = safe_text(report.title or report.kind)[:255]
    book.properties.created = book.properties.modified = DATE
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as written:
        ExcelWriter(book, written).save()  # not book.save(), which dates the workbook now
    return _undated(archive.getvalue())


def _undated(data: bytes) -> bytes:
    """The archive again, every member dated :data:`DATE` (a zip records when it was written)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=DATE.timetuple()[:6])
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o600 << 16
            target.writestr(member, source.read(info))
    return out.getvalue()


def _sheet_name(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name: no ``[]:*?/\\``, at most 31 characters, not ``History``."""
    base = _SHEET_NAME.sub("_", safe_text(name)).strip().strip("'") or "table"
    base = base[:_SHEET_LENGTH]
    candidate, n = base, 2
    while candidate.casefold() in taken or candidate.casefold() == "history":
        suffix = f" ({n})"
        candidate = base[: _SHEET_LENGTH - len(suffix)] + suffix
        n += 1
    taken.add(candidate.casefold())
    return candidate


def _text(value: object) -> str:
    """A text cell's content: escaped, formula-safe (XCH-17), at most :data:`MAX_TEXT`."""
    text = spreadsheet_safe(safe_text(str(value)))
    if len(text) > MAX_TEXT:
        text = text[: MAX_TEXT - 1] + "…"
    return text


def _number(value: object) -> float | int | None:
    """A number for a cell; ``None`` for a value that is not one (a text, a truth value)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    return int(value) if isinstance(value, numbers.Integral) else float(value)


def _put(cell: Any, column: Column, value: Any) -> int:
    """Write one value; returns the width it shows in."""
    if value is None or (isinstance(value, str) and not value):
        return 0  # not defined: an empty cell
    if isinstance(value, numbers.Real) and not math.isfinite(value):
        return 0  # not defined: an empty cell
    number = _number(value)
    if number is None:
        text = _text(value)
        cell.value = text
        cell.data_type = "s"  # a text, never a formula
        return len(text)
    if column.kind == "integer":
        cell.value = int(number)
        cell.number_format = _FORMATS["integer"]
        return len(f"{int(number):,}")
    if column.kind in ("share", "number"):
        cell.value = float(number)
        cell.number_format = _FORMATS[column.kind]
        shown = number * 100 if column.kind == "share" else number
        return len(f"{shown:,.2f}") + 1
    cell.value = number  # a number in a column of codes (a year): a number
    return len(str(number))


def _table_sheet(sheet: Any, table: Table) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    if len(table.rows) >= MAX_ROWS:
        raise InvalidValueError(
            "rows",
            len(table.rows),
            f"table {table.name!r} has more rows than a worksheet holds ({MAX_ROWS - 1:,}); "
            "write it with --format csv",
        )
    widths = []
    bold = Font(bold=True)
    for k, column in enumerate(table.columns, start=1):
        cell = sheet.cell(row=1, column=k)
        cell.value = _text(column.key)
        cell.data_type = "s"
        cell.font = bold
        widths.append(len(column.key))
    for r, row in enumerate(table.rows, start=2):
        for k, (column, value) in enumerate(zip(table.columns, row, strict=True), start=1):
            shown = _put(sheet.cell(row=r, column=k), column, value)
            widths[k - 1] = max(widths[k - 1], shown)
    low, high = _WIDTH
    for k, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(k)].width = min(high, max(low, width + 2))
    if table.columns:
        sheet.freeze_panes = "A2"
        last = get_column_letter(len(table.columns))
        sheet.auto_filter.ref = f"A1:{last}{len(table.rows) + 1}"


def _flat(key: str, value: Any) -> list[tuple[str, Any]]:
    """Facts as rows of the about sheet: nested records as ``profile fingerprint``."""
    if isinstance(value, Mapping):
        return [row for k, v in value.items() for row in _flat(f"{key} {k}".strip(), v)]
    if isinstance(value, list | tuple):
        if all(not isinstance(v, Mapping | list | tuple) for v in value):
            return [(key, ", ".join("" if v is None else str(v) for v in value))]
        return [row for n, v in enumerate(value, 1) for row in _flat(f"{key} {n}", v)]
    return [(key, value)]


def _about_sheet(sheet: Any, report: Report, names: Sequence[str]) -> None:
    from openpyxl.styles import Alignment, Font

    rows: list[tuple[str, Any]] = [("report", report.kind)]
    if report.title:
        rows.append(("title", report.title))
    rows += [("package", f"digimaat {__version__}"), ("specification", SPEC_VERSION)]
    rows += [r for k, v in report.meta.items() if k != "spec_version" for r in _flat(k, v)]
    for name, table in zip(names, report.tables, strict=True):
        rows.append(("", None))
        rows.append(("sheet", name))
        if table.title:
            rows.append(("title", table.title))
        if table.note:
            rows.append(("note", table.note))
    for label, paragraphs in (("text", report.text), ("after", report.after)):
        lines = [line for paragraph in paragraphs for line in paragraph.split("\n")]
        if lines:
            rows.append(("", None))
            rows += [(label if n == 0 else "", line) for n, line in enumerate(lines)]
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    text = Column("value", "value", "text")
    for r, (label, value) in enumerate(rows, start=1):
        key = sheet.cell(row=r, column=1)
        key.value = _text(label)
        key.data_type = "s"
        key.font = bold
        key.alignment = wrap
        cell = sheet.cell(row=r, column=2)
        _put(cell, text, value)
        cell.alignment = wrap
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 100


guard(__name__)
