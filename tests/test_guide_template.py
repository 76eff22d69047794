"""The empty CSV template offered for download in the user guide (docs/guide/template.csv).

The template is the header row of the CSV form (XCH-11) in the form a Dutch spreadsheet
saves it (XCH-12): UTF-8 with a byte order mark, separated by ``;``. These tests keep it
in step with the reader, so that the template cannot drift from the columns digimaat
reads and writes.
"""

from __future__ import annotations

from pathlib import Path

from digimaat.exchange import COLUMNS, dumps, loads

TEMPLATE = Path(__file__).resolve().parents[1] / "docs" / "guide" / "template.csv"
BOM = b"\xef\xbb\xbf"


def _header() -> list[str]:
    text = TEMPLATE.read_bytes().removeprefix(BOM).decode("utf-8")
    return text.rstrip("\r\n").split(";")


def test_template_is_utf8_with_a_byte_order_mark_and_one_crlf_header_row() -> None:
    data = TEMPLATE.read_bytes()
    assert data.startswith(BOM)
    assert data.endswith(b"\r\n")
    assert data.count(b"\n") == 1, "the template holds the header row and nothing else"


def test_template_header_is_the_exchange_columns_in_order() -> None:
    assert _header() == list(COLUMNS)


def test_template_header_is_what_the_dutch_writer_writes() -> None:
    # The Dutch writer leaves out `notes` and `source` for a submission without them; with
    # both it writes every column, and its header row must then be the template's.
    filled = "\ufeff" + ";".join(COLUMNS) + "\r\n"
    row = "2024;GM0556;Maassluis;34.148;2022;paspoort" + ";" * (len(COLUMNS) - 8)
    submission = loads(filled + row + ";a note;a source\r\n", form="csv")
    header_row = dumps(submission, form="csv", dutch=True).split("\r\n", 1)[0]
    assert header_row.removeprefix("\ufeff").split(";") == _header()


def test_template_with_one_row_filled_in_is_read() -> None:
    text = TEMPLATE.read_bytes().decode("utf-8")
    cells = dict.fromkeys(COLUMNS, "")
    cells.update(
        reference_year="2024",
        cbs_code="GM0556",
        municipality_name="Maassluis",
        population="34.148",
        population_year="2022",
        product="parkeervergunning",
        capabilities="information-online downloadable-form",
        volume_unit="per month",
        volume_balie="25",
    )
    row = ";".join(cells[column] for column in COLUMNS)
    submission = loads(text + row + "\r\n", form="csv")
    (municipality,) = submission.municipalities
    assert municipality.population == 34148
    (offering,) = submission.offerings
    assert offering.product.endswith("/parkeervergunning")
    assert offering.volumes is not None
    assert offering.volumes.per_year() == {"balie": 300.0}
