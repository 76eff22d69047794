"""One renderer per output format, for every report of the command line.

- ``table``: text for a terminal, 80 columns wide, every character a terminal could act
  on escaped;
- ``json``: the report as a ``digimaat-output`` document;
- ``csv``: the report's first table, numbers at full precision, every text cell that a
  spreadsheet would run as a formula neutralised;
- ``csv-nl``: the same for a Dutch spreadsheet: ``;``, decimal comma, shares as
  percentages, a byte order mark;
- ``xlsx``: a workbook, one sheet per table and a sheet about the report
  (:mod:`digimaat.cli.workbook`; the optional extra ``xlsx``).

:func:`output` renders a command's reports, as text or, for a workbook, as bytes, and
:func:`deliver` writes them to a file (``-o``) or to standard output; a workbook goes to
standard output only when that is not a terminal (:func:`check_destination`).
"""

from __future__ import annotations

import io
import json
import math
import textwrap
from collections.abc import Callable, Sequence
from typing import Any, Final, TextIO

from digimaat._boundary import guard
from digimaat._version import SPEC_VERSION, __version__
from digimaat.analysis.tables import Column, Report, Table
from digimaat.errors import UsageError, safe_text

__all__ = [
    "BINARY_FORMATS",
    "FORMATS",
    "OUTPUT_FORMAT",
    "WIDTH",
    "check_destination",
    "deliver",
    "output",
    "render",
    "spreadsheet_safe",
]

OUTPUT_FORMAT: Final = "digimaat-output"
"""The ``format`` member of every JSON output document."""
WIDTH: Final = 80
FORMATS: Final = ("table", "json", "csv", "csv-nl", "xlsx")
BINARY_FORMATS: Final = ("xlsx",)
"""Formats written as bytes, not text: to a file, or to standard output that is not a
terminal."""
_FORMULA: Final = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """A text cell a spreadsheet shows as text, never runs: a leading ``'`` where needed.

    >>> spreadsheet_safe("=HYPERLINK(1)"), spreadsheet_safe("Vlaardingen")
    ("'=HYPERLINK(1)", 'Vlaardingen')
    """
    return "'" + text if text.startswith(_FORMULA) else text


def render(report: Report, form: str, out: TextIO) -> None:
    """Write a report in a text format of :data:`FORMATS` (all but ``xlsx``)."""
    if form in BINARY_FORMATS:
        raise UsageError(f"--format {form} is written as bytes: use output()")
    _RENDERERS[form](report, out)


def output(reports: Sequence[Report], form: str) -> str | bytes:
    """A command's reports in a format: text, or the bytes of a workbook (one report)."""
    if form in BINARY_FORMATS:
        from digimaat.cli.workbook import workbook

        if len(reports) != 1:
            raise UsageError(f"--format {form} writes one report, not {len(reports)}")
        return workbook(reports[0])
    out = io.StringIO()
    for n, report in enumerate(reports):
        if n:
            out.write("\n")
        render(report, form, out)
    return out.getvalue()


def check_destination(form: str, path: str | None, out: TextIO, option: str = "-o FILE") -> None:
    """Refuse, before any work is done, an output that cannot be written as asked.

    A workbook needs the optional extra ``xlsx`` and a file: ``path``, or standard output
    when it is not a terminal (a pipe or a redirection); a file named ``.xlsx`` needs
    ``--format xlsx``. ``option`` names how the command takes a file.
    """
    if path is not None and path.lower().endswith(".xlsx") and form not in BINARY_FORMATS:
        raise UsageError(f"{path} is named as a workbook: give --format xlsx to write one")
    if form not in BINARY_FORMATS:
        return
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        raise UsageError(
            f"--format {form} needs the optional extra 'xlsx': pip install 'digimaat[xlsx]'"
        ) from None
    if path is None and (getattr(out, "buffer", None) is None or _terminal(out)):
        raise UsageError(
            f"--format {form} writes a workbook, which a terminal cannot show: give {option}, "
            "or redirect standard output to a file"
        )


def _terminal(out: TextIO) -> bool:
    try:
        return out.isatty()
    except (OSError, ValueError):  # a closed or detached stream
        return False


def deliver(payload: str | bytes, path: str | None, out: TextIO) -> None:
    """Write a rendered output to the file ``path``, or else to ``out`` (bytes to its buffer)."""
    if path is not None:
        if isinstance(payload, bytes):
            with open(path, "wb") as handle:
                handle.write(payload)
        else:
            with open(path, "w", encoding="utf-8", newline="") as file:
                file.write(payload)
        return
    if isinstance(payload, bytes):
        out.flush()
        out.buffer.write(payload)
        out.buffer.flush()
        return
    out.write(payload)


# -- table --------------------------------------------------------------------------------


def _say(out: TextIO, text: str) -> None:
    for paragraph in text.split("\n"):
        out.write(textwrap.fill(safe_text(paragraph), WIDTH) + "\n" if paragraph else "\n")


def _cell(column: Column, value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, str) and column.kind in ("share", "number", "integer"):
        return safe_text(value)  # a marker in a column of numbers ("-": not in the data)
    if column.kind == "share":
        from digimaat.measurement.aggregation import display

        return display(float(value) * 100, 1)
    if column.kind == "integer":
        return f"{int(value):,}"
    if column.kind == "number":
        from digimaat.measurement.aggregation import display

        number = float(value)
        return f"{number:,.0f}" if abs(number) >= 100 else display(number, 2)
    text = safe_text(str(value))
    if column.width is not None and len(text) > column.width:
        text = text[: column.width - 1] + "…"
    return text


def _text_table(out: TextIO, table: Table) -> None:
    if table.title:
        _say(out, table.title)
    if not table.columns:
        return
    cells = [[_cell(c, v) for c, v in zip(table.columns, row, strict=True)] for row in table.rows]
    headings = [safe_text(c.heading) for c in table.columns]
    right = [c.kind in ("integer", "number", "share") for c in table.columns]
    widths = [max(len(x) for x in col) for col in zip(headings, *cells, strict=True)]
    gap = "  " if sum(widths) + 2 * (len(widths) - 1) <= WIDTH else " "

    def line(values: list[str]) -> str:
        parts = [
            v.rjust(w) if r else v.ljust(w) for v, w, r in zip(values, widths, right, strict=True)
        ]
        return gap.join(parts).rstrip()

    out.write(line(headings) + "\n")
    out.write(line(["-" * w for w in widths]) + "\n")
    for row in cells:
        out.write(line(row) + "\n")
    if table.note:
        out.write("\n")
        _say(out, table.note)


def _render_table(report: Report, out: TextIO) -> None:
    if report.title:
        _say(out, report.title)
    for paragraph in report.text:
        _say(out, paragraph)
    for n, table in enumerate(report.tables):
        if report.title or report.text or n:
            out.write("\n")
        _text_table(out, table)
    if report.after:
        out.write("\n")
        for paragraph in report.after:
            _say(out, paragraph)


# -- json ---------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _render_json(report: Report, out: TextIO) -> None:
    document: dict[str, Any] = {
        "format": OUTPUT_FORMAT,
        "kind": report.kind,
        "package_version": __version__,
        "spec_version": SPEC_VERSION,
        **report.meta,
        **report.data,
    }
    for table in report.tables:
        if table.name not in document:
            document[table.name] = table.records()
    json.dump(_plain(document), out, indent=2, ensure_ascii=False, allow_nan=False)
    out.write("\n")


# -- csv ----------------------------------------------------------------------------------


def _csv_value(column: Column, value: Any, dutch: bool) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if column.kind in ("share", "number") and isinstance(value, int | float):
        number = float(value) * (100 if dutch and column.kind == "share" else 1)
        text = repr(number)
        return text.replace(".", ",") if dutch else text
    if column.kind == "integer" and isinstance(value, int | float):
        return str(int(value))
    return spreadsheet_safe(str(value))


def _csv(report: Report, out: TextIO, dutch: bool) -> None:
    import csv  # only for the CSV formats

    if not report.tables:
        return
    table = report.tables[0]
    if dutch:
        out.write("\ufeff")
    # Rows are cut with CRLF, so that the csv module quotes every cell holding a carriage
    # return or a line feed (one it does not quote would split the row), and then end as
    # the form ends its lines.
    line = io.StringIO()
    writer = csv.writer(line, delimiter=";" if dutch else ",", lineterminator="\r\n")
    end = "\r\n" if dutch else "\n"

    def write(cells: list[str]) -> None:
        writer.writerow(cells)
        out.write(line.getvalue()[:-2] + end)
        line.seek(0)
        line.truncate()

    write(
        [
            spreadsheet_safe(c.key + (" (%)" if dutch and c.kind == "share" else ""))
            for c in table.columns
        ]
    )
    for row in table.rows:
        write([_csv_value(c, v, dutch) for c, v in zip(table.columns, row, strict=True)])


_RENDERERS: dict[str, Callable[[Report, TextIO], None]] = {
    "table": _render_table,
    "json": _render_json,
    "csv": lambda report, out: _csv(report, out, False),
    "csv-nl": lambda report, out: _csv(report, out, True),
}

guard(__name__)
