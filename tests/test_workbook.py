"""``--format xlsx``: every tabular command as a workbook, read back with openpyxl.

One sheet per table, numbers as numbers, shares as fractions with a percentage format, a
sheet about the report; text cells are text, never formulas (SEC-6, XCH-17); the same
report gives the same bytes; a workbook goes to a file, or to standard output that is not
a terminal.
"""

from __future__ import annotations

import io
import json
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

openpyxl = pytest.importorskip("openpyxl")

from digimaat._version import SPEC_VERSION, __version__  # noqa: E402
from digimaat.analysis.tables import Column, Report, Table  # noqa: E402
from digimaat.cli import main  # noqa: E402
from digimaat.cli.workbook import ABOUT, MAX_TEXT, workbook  # noqa: E402
from digimaat.errors import InvalidValueError  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "src" / "digimaat" / "data"
EXAMPLE = DATA / "example.json"
EXAMPLE_2023 = DATA / "example-2023.json"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def book_of(path: Path) -> Any:
    return openpyxl.load_workbook(path)


def rows_of(sheet: Any) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def about_of(book: Any) -> dict[str, Any]:
    return {k: v for k, v in rows_of(book[ABOUT]) if k}


COMMANDS = {
    "score": ("score", str(EXAMPLE)),
    "explain": ("explain", str(EXAMPLE), "--municipality", "GM0622"),
    "next": ("next", str(EXAMPLE), "--municipality", "GM0556"),
    "compare": ("compare", str(EXAMPLE)),
    "trend": ("trend", str(EXAMPLE_2023), str(EXAMPLE), "--explain"),
    "validate": ("validate", str(EXAMPLE)),
    "catalogue": ("catalogue", "paspoort"),
    "profiles": ("profiles",),
    "profile": ("profiles", "digimaat-volume"),
    "conformance": ("conformance",),
}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_tabular_command_writes_its_tables_as_sheets(name: str, tmp_path: Path) -> None:
    """Each table of the report is a sheet under its name, with the column keys of the JSON
    output as its header row (bold, frozen, filtered), its rows as the JSON's records, and a
    last sheet about the report."""
    argv = COMMANDS[name]
    path = tmp_path / "out.xlsx"
    code, out, err = run(*argv, "--format", "xlsx", "-o", str(path))
    assert (code, out, err) == (0, "", "")
    code, text, _ = run(*argv, "--format", "json")
    document = json.loads(text)
    book = book_of(path)
    assert book.sheetnames[-1] == ABOUT
    assert len(book.sheetnames) >= 2
    checked = 0
    for sheet in book.worksheets[:-1]:
        rows = rows_of(sheet)
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == sheet.dimensions
        assert all(cell.font.b for cell in sheet[1])
        records = document.get(sheet.title)
        if isinstance(records, list) and records and list(records[0]) == list(rows[0]):
            checked += 1  # the table's records in JSON: the same rows
            assert len(rows) == len(records) + 1
            for row, record in zip(rows[1:], records, strict=True):
                for value, expected in zip(row, record.values(), strict=True):
                    if isinstance(expected, float):
                        assert value == pytest.approx(expected, rel=1e-15, abs=1e-16)
                    elif isinstance(expected, str):
                        assert value in (expected, "'" + expected)
                    elif isinstance(expected, list):
                        assert value == ", ".join(expected)
                    else:
                        assert value == expected
    assert checked or name in ("next", "conformance"), "no sheet checked"
    about = about_of(book)
    assert about["report"] == document["kind"]
    assert about["package"] == f"digimaat {__version__}"
    assert about["specification"] == SPEC_VERSION


def test_numbers_are_numbers_and_shares_percentages(tmp_path: Path) -> None:
    """Shares are the full-precision fractions of the JSON output with a percentage number
    format; whole numbers are integers; codes and names are text."""
    path = tmp_path / "scores.xlsx"
    assert run("score", str(EXAMPLE), "--format", "xlsx", "-o", str(path))[0] == 0
    cards = {
        c["municipality"]: c
        for c in json.loads(run("score", str(EXAMPLE), "--format", "json")[1])["cards"]
    }
    sheet = book_of(path)["scores"]
    header = [cell.value for cell in sheet[1]]
    assert header[:6] == ["municipality", "name", "size_class", "profile", "fingerprint", "score"]
    for row in sheet.iter_rows(min_row=2):
        by_key = dict(zip(header, row, strict=True))
        card = cards[by_key["municipality"].value]
        assert by_key["municipality"].data_type == "s"
        assert by_key["name"].value == card["name"]
        assert by_key["size_class"].value == card["size_class"]
        assert isinstance(by_key["size_class"].value, int)
        assert by_key["size_class"].number_format == "#,##0"
        assert by_key["score"].number_format == "0.0%"
        for metric, value in card["values"].items():
            cell = by_key[metric]
            assert cell.number_format == "0.0%"
            if value is None:
                assert cell.value is None  # not defined: an empty cell
            else:  # not rounded: 16 significant digits, more than a spreadsheet keeps (15)
                assert cell.value == pytest.approx(value, rel=1e-15, abs=1e-16)


def test_the_about_sheet_has_profile_fingerprint_sources_and_text(tmp_path: Path) -> None:
    path = tmp_path / "compare.xlsx"
    assert run("compare", str(EXAMPLE), "--format", "xlsx", "-o", str(path))[0] == 0
    document = json.loads(run("compare", str(EXAMPLE), "--format", "json")[1])
    about = about_of(book_of(path))
    assert about["profile name"] == document["profile"]["name"] == "digimaat-standard"
    assert about["profile version"] == document["profile"]["version"]
    assert about["profile fingerprint"] == document["profile"]["fingerprint"]
    assert about["sources 1 file"] == str(EXAMPLE) == document["sources"][0]["file"]
    assert about["sources 1 source"].startswith("Illustrative data")
    assert about["sheet"] == "places"
    assert about["text"].startswith("Profile digimaat-standard 1.0, specification")


def test_text_cells_are_never_formulas(tmp_path: Path) -> None:
    """SEC-6, XCH-17: A workbook of results MUST hold every text as a text cell, never as a
    formula, and numbers as numbers; it SHOULD write a text that starts with one of those
    characters with the same ``'`` before it, so that the workbook saved as CSV is as
    safe."""
    document = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    names = ['=HYPERLINK("http://x","y")', "+1+cmd", "@SUM(A1)"]
    for municipality, name in zip(document["municipalities"], names, strict=True):
        municipality["name"] = name
    source = tmp_path / "evil.json"
    source.write_text(json.dumps(document), encoding="utf-8")
    path = tmp_path / "evil.xlsx"
    assert run("score", str(source), "--format", "xlsx", "-o", str(path))[0] == 0
    book = book_of(path)
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [c for c in cells if c.data_type == "f"]
    shown = {c.value for c in cells if isinstance(c.value, str)}
    for name in names:
        assert "'" + name in shown
        assert name not in shown
    assert b"<f>" not in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    scores = [c.value for c in book["scores"]["F"][1:]]
    assert all(isinstance(v, float) for v in scores)


def test_the_same_report_gives_the_same_bytes(tmp_path: Path) -> None:
    """No time of writing in the workbook: fixed dates in its properties and its archive."""
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    for path in (first, second):
        assert (
            run("trend", str(EXAMPLE_2023), str(EXAMPLE), "--format", "xlsx", "-o", str(path))[0]
            == 0
        )
    assert first.read_bytes() == second.read_bytes()
    book = book_of(first)
    assert book.properties.created == book.properties.modified
    assert book.properties.created.year == 1980
    assert {info.date_time for info in zipfile.ZipFile(first).infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_a_workbook_goes_to_standard_output_only_when_it_is_not_a_terminal(tmp_path: Path) -> None:
    path = tmp_path / "scores.xlsx"
    assert run("score", str(EXAMPLE), "--format", "xlsx", "-o", str(path))[0] == 0
    piped = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    assert main(["score", str(EXAMPLE), "--format", "xlsx"], piped, io.StringIO()) == 0
    piped.flush()
    assert piped.buffer.getvalue() == path.read_bytes()  # type: ignore[attr-defined]

    class Terminal(io.TextIOWrapper):
        def isatty(self) -> bool:
            return True

    err = io.StringIO()
    terminal = Terminal(io.BytesIO(), encoding="utf-8")
    assert main(["score", str(EXAMPLE), "--format", "xlsx"], terminal, err) == 2
    assert "give -o FILE" in err.getvalue()
    terminal.flush()
    assert terminal.buffer.getvalue() == b""  # type: ignore[attr-defined]
    code, out, err_text = run("score", str(EXAMPLE), "--format", "xlsx")  # no byte stream
    assert (code, out) == (2, "")
    assert "redirect standard output" in err_text


def test_a_file_named_xlsx_needs_the_xlsx_format(tmp_path: Path) -> None:
    code, _, err = run("score", str(EXAMPLE), "-o", str(tmp_path / "scores.xlsx"))
    assert code == 2
    assert "--format xlsx" in err
    assert not (tmp_path / "scores.xlsx").exists()


def test_without_openpyxl_the_usage_error_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import openpyxl raises ImportError
    code, out, err = run("score", str(EXAMPLE), "--format", "xlsx", "-o", str(tmp_path / "s.xlsx"))
    assert (code, out) == (2, "")
    assert "digimaat[xlsx]" in err
    assert "Traceback" not in err
    assert not (tmp_path / "s.xlsx").exists()


@pytest.mark.parametrize("form", ["table", "json", "csv", "csv-nl"])
def test_output_option_writes_what_standard_output_gets(form: str, tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    _, printed, _ = run("catalogue", "paspoort", "--format", form)
    assert run("catalogue", "paspoort", "--format", form, "-o", str(path)) == (0, "", "")
    assert path.read_bytes() == printed.encode("utf-8")  # also the \r\n and BOM of csv-nl


def test_validation_problems_are_rows(tmp_path: Path) -> None:
    document = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    document["offerings"][0]["product"] = "paspoorrt"
    document["municipalities"][1]["population"] = -1
    source = tmp_path / "bad.json"
    source.write_text(json.dumps(document), encoding="utf-8")
    path = tmp_path / "problems.xlsx"
    code, _, _ = run("validate", str(source), "--format", "xlsx", "-o", str(path))
    assert code == 1  # findings
    book = book_of(path)
    rows = rows_of(book["problems"])
    assert rows[0] == ("source", "location", "field", "value", "message", "clause", "suggestion")
    assert len(rows) == 3
    assert {r[2] for r in rows[1:]} == {"product", "population"}
    assert rows_of(book["files"])[1][1:] == ("problems", None, None, 2)


# -- the renderer on its own ---------------------------------------------------------------


def test_sheet_names_are_valid_and_unique() -> None:
    """A sheet name has at most 31 characters, none of []:*?/\\, and no two are equal
    ignoring case; ``about`` is the report's own."""
    one = (Column("x", "x", "integer"),)
    names = ["a/b", "A/B", "about", "x" * 40, "x" * 40, "History", "'q'", ""]
    report = Report("t", tables=tuple(Table(n, one, ((1,),)) for n in names))
    book = openpyxl.load_workbook(io.BytesIO(workbook(report)))
    titles = book.sheetnames
    assert titles[-1] == ABOUT
    assert len({t.casefold() for t in titles}) == len(titles) == len(names) + 1
    assert all(0 < len(t) <= 31 and not set(t) & set("[]:*?/\\") for t in titles)
    assert titles[:3] == ["a_b", "A_B (2)", "about (2)"]
    assert "History" not in titles


def test_texts_are_escaped_and_cut_to_what_a_cell_holds() -> None:
    columns = (Column("text", "text", "text"), Column("n", "n", "number"))
    rows = (("a\x1b[31mb\x00", 1.5), ("x" * 40_000, float("nan")), ("-2", float("inf")))
    book = openpyxl.load_workbook(
        io.BytesIO(workbook(Report("t", tables=(Table("t", columns, rows),))))
    )
    values = rows_of(book["t"])
    assert values[1] == ("a\\x1b[31mb\\x00", 1.5)
    assert len(values[2][0]) == MAX_TEXT
    assert values[2][0].endswith("…")
    assert values[2][1] is None  # not defined: an empty cell
    assert values[3] == ("'-2", None)  # a text that looks like a formula; inf is not a value


def test_a_table_longer_than_a_sheet_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import digimaat.cli.workbook as module

    monkeypatch.setattr(module, "MAX_ROWS", 3)
    table = Table("big", (Column("n", "n", "integer"),), ((1,), (2,), (3,)))
    with pytest.raises(InvalidValueError, match="more rows than a worksheet holds"):
        workbook(Report("t", tables=(table,)))
