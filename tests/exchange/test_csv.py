"""Tests of the CSV form (specification chapter XCH, XCH-11 to XCH-13).

Cells are named as a spreadsheet names them: the header is row 1, the first column is A.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from digimaat.errors import InputError
from digimaat.exchange import COLUMNS, ExchangeError, Submission, load
from digimaat.exchange.writers import dumps_csv, dumps_json
from digimaat.vocabulary.assurance import Authentication
from digimaat.vocabulary.channels import Channel
from digimaat.vocabulary.maturity import Capability, MaturityLevel
from digimaat.vocabulary.municipalities import Municipality
from digimaat.vocabulary.offerings import FormFunnel, Offering, Status, VolumeRecord
from digimaat.vocabulary.products import Product
from tests.exchange.support import (
    BASE,
    CATALOGUE,
    HEADER,
    PARKING,
    PASSPORT,
    assert_reports,
    csv_text,
    problems_of,
    read_csv,
    read_json,
    text,
)

SRC = "offerings.csv"


def read(data: str | bytes, **kwargs: Any) -> Submission:
    return read_csv(data, CATALOGUE, name=SRC, **kwargs)


def failure(data: str | bytes, **kwargs: Any) -> InputError:
    with pytest.raises(InputError) as info:
        read(data, **kwargs)
    return info.value


def row(separator: str = ",", **cells: str) -> str:
    """A data row of :data:`HEADER` for GM0622 with the given cells filled."""
    names = HEADER.split(",")
    values = dict.fromkeys(names, "")
    values.update(
        reference_year="2024",
        cbs_code="GM0622",
        municipality_name="Vlaardingen",
        population="74124",
        population_year="2021",
        product="parkeervergunning",
    )
    values.update(cells)
    return separator.join(values[name] for name in names)


def at(number: int, column: str, header: str = HEADER) -> str:
    """The location of a cell: its row and the letter of its column in ``header``."""
    return f"row {number}, column {'ABCDEFGHIJKLMNOPQRSTUVWXYZ'[header.split(',').index(column)]}"


def only(submission: Submission) -> Offering:
    (offering,) = submission.offerings
    return offering


# --- Reading -------------------------------------------------------------------------------


def test_the_csv_form_holds_the_same_submission_as_the_document() -> None:
    """XCH-11: rows of offerings with their municipality read into the same objects as JSON."""
    assert read(csv_text()) == read_json(text(BASE), CATALOGUE)


def test_every_column_is_read() -> None:
    """XCH-11: each column fills its field of the offering."""
    offering = only(
        read(
            csv_text(
                row(
                    status="offered",
                    capabilities="information-online | downloadable-form online-submission",
                    authentication="DigiD Midden",
                    local_target="prefilled",
                    local_target_reason="a reason, with a comma",
                    fee_applies="FALSE",
                    volume_unit="per month",
                    volume_balie="10",
                    volume_web="120/year",
                    forms_started="12",
                    forms_completed="10",
                ).replace("a reason, with a comma", '"a reason, with a comma"')
            )
        )
    )
    assert offering.capabilities == {
        Capability.INFORMATION_ONLINE,
        Capability.DOWNLOADABLE_FORM,
        Capability.ONLINE_SUBMISSION,
    }
    assert offering.authentication == Authentication.from_name("digid low")
    assert offering.local_target is MaturityLevel.PREFILLED
    assert offering.local_target_reason == "a reason, with a comma"
    assert offering.fee_applies is False
    # 10 a month at the counter is 120 a year; the web cell carries its own unit.
    assert offering.volumes == VolumeRecord((Channel.BALIE, Channel.WEB), (120.0, 120.0))
    assert offering.forms == FormFunnel(12, 10)


def test_the_empty_volume_rule() -> None:
    """XCH-11, OFF-5: all volume cells empty is an unknown volume; else an empty cell is no
    requests (the channel is not listed) and a 0 is a listed zero."""
    assert only(read(csv_text(row()))).volumes is None
    volumes = only(read(csv_text(row(volume_web="5/year")))).volumes
    assert volumes == VolumeRecord((Channel.WEB,), (5.0,))
    volumes = only(read(csv_text(row(volume_web="5/year", volume_post="0/year")))).volumes
    assert volumes == VolumeRecord((Channel.POST, Channel.WEB), (0.0, 5.0))
    # A unit alone is no volume: the offering's volume stays unknown.
    assert only(read(csv_text(row(volume_unit="per year")))).volumes is None


def test_a_row_with_an_empty_product_lists_a_municipality_without_offerings() -> None:
    """XCH-11: a row whose product cell is empty lists its municipality only."""
    submission = read(
        csv_text(row(), row(cbs_code="GM0556", municipality_name="Maassluis", product=""))
    )
    assert [m.cbs_code for m in submission.municipalities] == ["GM0556", "GM0622"]
    assert [o.municipality for o in submission.offerings] == ["GM0622"]


def test_header_names_are_matched_loosely_and_columns_may_be_left_out() -> None:
    """XCH-11: header names ignore case and surrounding space; a channel alias names its
    column; optional columns may be left out and columns may come in any order."""
    header = " Product ,CBS_Code,municipality_name,population,population_year,"
    header += "reference_year,volume_EMAIL"
    submission = read(csv_text("paspoort,GM0622,Vlaardingen,74124,2021,2024,3/day", header=header))
    assert only(submission).volumes == VolumeRecord((Channel.EMAIL,), (3 * 365.25,))


def test_a_dutch_spreadsheet_export_is_read() -> None:
    """XCH-12: ';' separated, decimal comma, '.' grouping thousands, a byte order mark, CRLF
    line ends, Dutch booleans, and the empty rows a spreadsheet leaves behind."""
    header = HEADER.replace(",", ";")
    line = row(
        ";",
        population="74.124",
        fee_applies="WAAR",
        volume_unit="per year",
        volume_balie="1.000,5",
        volume_web="0,25/month",
        forms_started="1.200",
        forms_completed="1.199",
    )
    data = ("\ufeff" + "\r\n".join([header, line, ";" * header.count(";"), ""])).encode("utf-8")
    submission = read(data)
    offering = only(submission)
    assert submission.municipalities[0].population == 74124
    assert offering.fee_applies is True
    # 1.000,5 is one thousand and a half; 0,25 a month is 3 a year.
    assert offering.volumes == VolumeRecord((Channel.BALIE, Channel.WEB), (1000.5, 3.0))
    assert offering.forms == FormFunnel(1200, 1199)


def test_with_semicolons_a_dot_groups_thousands_only() -> None:
    """XCH-12: in a ';' file, '1.5' is neither one and a half nor fifteen: it is an error."""
    line = row(";", volume_web="1.5/year")
    exc = failure(csv_text(line, header=HEADER.replace(",", ";")))
    assert_reports(exc, SRC, at(2, "volume_web"), "volume_web", "1.5/year")
    exc = failure(csv_text(row(volume_web='"1,5/year"')))
    assert_reports(exc, SRC, at(2, "volume_web"), "volume_web", "1,5/year")


def test_cells_left_out_at_the_end_of_a_row_are_empty() -> None:
    """XCH-12: a row shorter than the header reads as if its last cells were empty."""
    assert read(csv_text("2024,GM0556,Maassluis,34148,2022,paspoort")) == read(
        csv_text(
            row(
                cbs_code="GM0556",
                municipality_name="Maassluis",
                population="34148",
                population_year="2022",
                product="paspoort",
            )
        )
    )


def test_reading_by_file_name_and_path(tmp_path: Path) -> None:
    """XCH-1: ``load`` reads ``.csv`` as the CSV form; problems name the file."""
    file = tmp_path / "form.CSV"
    file.write_text(csv_text(), encoding="utf-8")
    assert load(file, catalogue=CATALOGUE) == load(str(file), catalogue=CATALOGUE)
    assert load(file, catalogue=CATALOGUE) == read(csv_text())
    file.write_text(csv_text(row(status="maybe")), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load(file, catalogue=CATALOGUE)
    assert_reports(info.value, str(file), at(2, "status"), "status", "maybe")


# --- Problems -------------------------------------------------------------------------------


def test_all_problems_of_a_file_are_reported_together() -> None:
    """XCH-2: every problem of a file, each with the file, the cell, the field and the value,
    in the order of the file; a problem in one cell hides none in another."""
    exc = failure(csv_text(row(status="maybe", volume_web="-1/year"), row(population="many")))
    assert [p.location for p in problems_of(exc)] == [
        at(2, "status"),
        at(2, "volume_web"),
        at(3, "population"),
    ]
    assert_reports(exc, SRC, at(2, "status"), "status", "maybe")
    assert_reports(exc, SRC, at(2, "volume_web"), "volume_web", "-1/year")
    assert_reports(exc, SRC, at(3, "population"), "population", "many")


def test_malformed_csv_is_reported() -> None:
    """XCH-2: a quote that is never closed is reported with the row it starts in."""
    exc = failure(csv_text(row(), row(local_target_reason='"never closed')))
    assert_reports(exc, SRC, "row 3", "row")


@pytest.mark.parametrize(
    ("cells", "field", "value"),
    [
        ({"population": '"74,124"'}, "population", "74,124"),  # no thousands separator with ','
        ({"population": "seventy"}, "population", "seventy"),
        ({"population_year": "2021.5"}, "population_year", "2021.5"),
        ({"reference_year": "1066"}, "reference_year", "1066"),
        ({"forms_started": "12", "forms_completed": "x"}, "forms_completed", "x"),
        ({"forms_started": "12"}, "forms_completed", ""),
        ({"forms_started": "-1", "forms_completed": "0"}, "forms_started", "-1"),
        ({"fee_applies": "perhaps"}, "fee_applies", "perhaps"),
        ({"status": "open"}, "status", "open"),
    ],
)
def test_a_cell_of_the_wrong_kind_is_reported(
    cells: dict[str, str], field: str, value: str
) -> None:
    """XCH-11: a cell that cannot be read as its column's kind names row, column and cell."""
    assert_reports(failure(csv_text(row(**cells))), SRC, at(2, field), field, value)


@pytest.mark.parametrize(
    "column", ["reference_year", "cbs_code", "municipality_name", "population"]
)
def test_an_empty_required_cell_is_reported(column: str) -> None:
    """XCH-11: the municipality and reference year cells are required in every row; an empty
    cell is reported once."""
    exc = failure(csv_text(row(**{column: ""})))
    problem = assert_reports(exc, SRC, at(2, column), column)
    assert problem.message == "is required"
    assert len(problems_of(exc)) == 1


def test_a_missing_unknown_or_repeated_column_is_reported() -> None:
    """XCH-11: the header must name every required column, and only known columns, once. A
    missing column is reported once, in the header; the cells that can be read still are."""
    header = HEADER.replace("population_year", "inhabitants_year") + ",volume_fax,Volume_Web"
    exc = failure(
        csv_text(row() + ",,", row(product="paspoort", status="maybe") + ",,", header=header)
    )
    assert_reports(exc, SRC, at(1, "inhabitants_year", header), "header", "inhabitants_year")
    assert_reports(exc, SRC, at(1, "volume_fax", header), "header", "volume_fax")
    problem = assert_reports(exc, SRC, at(1, "Volume_Web", header), "header", "Volume_Web")
    assert "also column P" in problem.message
    missing = assert_reports(exc, SRC, "row 1", "header")
    assert "population_year" in missing.message
    assert_reports(exc, SRC, at(3, "status"), "status", "maybe")
    assert len(problems_of(exc)) == 5
    assert all(p.clause == "XCH-11" for p in problems_of(exc)[:4])


def test_an_unknown_product_is_reported_with_close_matches() -> None:
    """XCH-7: an unknown product names the cell and suggests close matches."""
    problem = assert_reports(
        failure(csv_text(row(product="parkeervergunnig"))),
        SRC,
        at(2, "product"),
        "product",
        "parkeervergunnig",
    )
    assert problem.suggestion is not None
    assert PARKING in problem.suggestion


@pytest.mark.parametrize(
    ("cells", "field", "value"),
    [
        ({"authentication": "DigiD Ultra"}, "authentication", "DigiD Ultra"),
        ({"capabilities": "information-online|chatbot"}, "capabilities", "chatbot"),
        ({"capabilities": "online submissions"}, "capabilities", "online submissions"),
        ({"local_target": "excellent", "local_target_reason": "r"}, "local_target", "excellent"),
    ],
)
def test_an_unknown_name_is_reported(cells: dict[str, str], field: str, value: str) -> None:
    """XCH-11: an unknown assurance, capability or level is never ignored."""
    assert_reports(failure(csv_text(row(**cells))), SRC, at(2, field), field, value)


@pytest.mark.parametrize(
    ("cells", "field", "value", "message"),
    [
        ({"volume_web": "-5/year"}, "volume_web", "-5/year", "must not be negative"),
        ({"volume_web": "nan/year"}, "volume_web", "nan/year", "must be a number"),
        ({"volume_web": "inf/year"}, "volume_web", "inf/year", "must be a number"),
        ({"volume_web": "1e999/year"}, "volume_web", "1e999/year", "at most 1e12"),
        ({"volume_web": "2e12/year"}, "volume_web", "2e12/year", "at most 1e12"),
        ({"volume_web": "1e-7/year"}, "volume_web", "1e-7/year", "at least 1e-06"),
        ({"volume_web": "20"}, "volume_web", "20", "bare number"),
        ({"volume_web": "5 m"}, "volume_web", "5 m", "unknown rate unit"),
        ({"volume_web": "5 per decade"}, "volume_web", "5 per decade", "unknown rate unit"),
        ({"volume_web": "2000 / (2 years)"}, "volume_web", "2000 / (2 years)", "unknown rate"),
        # A unit cell that is not a rate unit is reported at the unit, once for the row.
        ({"volume_web": "5", "volume_unit": "metres"}, "volume_unit", "metres", "not a rate"),
        (
            {"volume_web": "5", "volume_unit": "per fortnightly"},
            "volume_unit",
            "per fortnightly",
            "is not a rate unit",
        ),
    ],
)
def test_a_bad_volume_is_reported(
    cells: dict[str, str], field: str, value: str, message: str
) -> None:
    """XCH-9, XCH-11, OFF-13, OFF-14: negative, non-finite, bare, out of range and non-rate
    volumes are rejected; the rate grammar is closed (no arithmetic, no other time units)."""
    exc = failure(csv_text(row(**cells)))
    problem = assert_reports(exc, SRC, at(2, field), field, value)
    assert message in problem.message
    assert len(problems_of(exc)) == 1


def test_a_duplicate_offering_is_reported() -> None:
    """XCH-7: the repeated offering names the row of the first."""
    exc = failure(csv_text(row(), row(product=PARKING)))
    problem = assert_reports(exc, SRC, at(3, "product"), "product", PARKING)
    assert "row 2" in problem.message


@pytest.mark.parametrize("code", ["0622", "gm0622", "GM622", "GM06 22"])
def test_a_malformed_cbs_code_is_reported(code: str) -> None:
    """XCH-11, MUN-2: a CBS code is exactly 'GM' and four digits."""
    assert_reports(failure(csv_text(row(cbs_code=code))), SRC, at(2, "cbs_code"), "cbs_code", code)


def test_municipality_cells_that_disagree_are_reported_naming_the_rows() -> None:
    """XCH-11: the municipality cells repeated per row must agree; the problem names both rows."""
    exc = failure(
        csv_text(
            row(),
            row(product="paspoort", municipality_name="Vlaardinge", population="74125"),
            row(product="verhuismelding", reference_year="2025"),
        )
    )
    name = assert_reports(exc, SRC, at(3, "municipality_name"), "municipality_name", "Vlaardinge")
    assert "row 2" in name.message
    assert "GM0622" in name.message
    assert_reports(exc, SRC, at(3, "population"), "population", 74125)
    # A row of another year is a file of that year (XCH-11.1), refused by a reader of one
    # submission as files of several years are (XCH-7).
    year = assert_reports(exc, SRC, None, "reference_year", 2025)
    assert year.clause == "XCH-7"


def test_a_local_target_without_a_reason_is_reported() -> None:
    """XCH-11, OFF-4: a local target needs a reason."""
    exc = failure(csv_text(row(local_target="prefilled")))
    problem = assert_reports(exc, SRC, at(2, "local_target_reason"), "local_target_reason")
    assert problem.clause == "OFF-4"
    assert "(got" not in str(problem)  # an empty cell has no value to show


def test_cells_of_an_offering_without_a_product_are_reported() -> None:
    """XCH-11: a row without a product lists a municipality only; other cells are errors."""
    exc = failure(csv_text(row(product="", status="offered")))
    assert_reports(exc, SRC, at(2, "product"), "product", "")


@pytest.mark.parametrize("data", ["", "\n\n", b"\xef\xbb\xbf"])
def test_an_empty_file_is_reported(data: str | bytes) -> None:
    """XCH-3: an empty file is rejected."""
    assert_reports(failure(data), SRC, None, "file")


def test_a_header_without_rows_is_reported() -> None:
    """XCH-11: a file needs at least one row (it carries the reference year)."""
    assert_reports(failure(HEADER + "\n;;;\n".replace(";", ",")), SRC, None, "file")


def test_a_file_over_the_size_limit_is_refused() -> None:
    """XCH-4: the size limit is checked before parsing; it is a parameter."""
    data = csv_text()
    assert_reports(failure(data, max_bytes=len(data) - 1), SRC, None, "file")
    assert read(data, max_bytes=len(data)) == read(data)


def test_a_wrong_encoding_is_reported() -> None:
    """XCH-3: a file that is not UTF-8 is refused, naming the line."""
    data = csv_text(
        row(), row(product="paspoort", local_target_reason="caf\xe9", local_target="prefilled")
    )
    problem = assert_reports(failure(data.encode("cp1252")), SRC, "line 3", "encoding")
    assert "UTF-8" in problem.message
    assert_reports(failure(data.encode("utf-16")), SRC, None, "encoding", "UTF-16")


def test_a_header_mixing_separators_is_reported() -> None:
    """XCH-12: the separator is decided by the header, which must not mix ';' and ','."""
    exc = failure("reference_year;cbs_code,product\n2024;GM0622,x\n")
    assert_reports(exc, SRC, "row 1", "header")


def test_a_row_with_too_many_cells_is_reported() -> None:
    """XCH-12: cells beyond the header are errors unless empty."""
    assert_reports(failure(csv_text(row() + ",x")), SRC, "row 2", "row")
    assert read(csv_text(row() + ",,")) == read(csv_text(row()))


# --- Writing and round trips ---------------------------------------------------------------


def test_the_written_csv_is_canonical() -> None:
    """XCH-13: all columns in order, CRLF line ends, full URIs, rates as numbers per year."""
    written = dumps_csv(read(csv_text()))
    lines = written.split("\r\n")
    assert lines[0] == ",".join(c for c in COLUMNS if c not in ("notes", "source"))
    assert lines[1].startswith("2024,GM0556,Maassluis,34148,2022," + PASSPORT + ",unknown,")
    assert lines[2] == (
        "2024,GM0622,Vlaardingen,74124,2021," + PARKING + ",offered,"
        # then e-mail, web, app, chat, forms started and completed are empty: 6 commas
        "information-online|downloadable-form,,,,,per year,700,,300" + "," * 6
    )
    assert lines[3] == ""


def test_the_dutch_form_is_written_and_read_back() -> None:
    """XCH-12, XCH-13: ``dutch=True`` writes ';', a decimal comma and a byte order mark."""
    submission = Submission.build(
        [Municipality("GM0622", "Vlaardingen", 74124, 2021)],
        [Offering("GM0622", PARKING, volumes=VolumeRecord.from_per_year({Channel.WEB: 2.5}))],
        reference_year=2024,
        catalogue=CATALOGUE,
    )
    written = dumps_csv(submission, dutch=True)
    assert written.startswith("\ufeffreference_year;cbs_code;")
    assert ";per year;;;;;2,5;;;;\r\n" in written
    assert read_csv(written, CATALOGUE) == submission


def test_csv_json_csv_round_trip_of_the_examples() -> None:
    """XCH-14: CSV -> objects -> JSON -> objects -> CSV gives the same objects and text."""
    first = read(
        csv_text(row(volume_web="83 per month", authentication="EH3"), row(product="paspoort"))
    )
    again = read_json(dumps_json(first), CATALOGUE)
    assert again == first
    assert dumps_csv(again) == dumps_csv(first)
    assert read(dumps_csv(again)) == first


def test_a_volume_record_without_channels_cannot_be_written_in_csv() -> None:
    """XCH-13: what the CSV form cannot hold is refused, not dropped."""
    submission = Submission.build(
        [Municipality("GM0622", "Vlaardingen", 74124, 2021)],
        [Offering("GM0622", PARKING, volumes=VolumeRecord.from_per_year({}))],
        reference_year=2024,
        catalogue=CATALOGUE,
    )
    with pytest.raises(ExchangeError, match="without any channel"):
        dumps_csv(submission)


def test_local_products_are_read_from_the_catalogue_given() -> None:
    """XCH-11, XCH-13: a CSV row may name a local product that the catalogue given holds; it
    is then the submission's, which the CSV form writes in the row that names it (XCH-18.4)
    and a document in its local products."""
    local = Product.local("urn:gm0622:product:x", "x")
    catalogue = CATALOGUE.with_local(local)
    submission = read_csv(csv_text(row(product="urn:gm0622:product:x")), catalogue)
    assert submission.local_products == (local,)
    assert read_csv(dumps_csv(submission), CATALOGUE) == submission
    assert read_json(dumps_json(submission), CATALOGUE) == submission
    exc = failure(csv_text(row(product="urn:gm0622:product:x")))
    assert_reports(exc, SRC, at(2, "product"), "product", "urn:gm0622:product:x")


def test_a_source_column_must_agree_across_rows() -> None:
    """XCH-11: the source cell, like the reference year, is the same in every row."""
    header = HEADER + ",source"
    submission = read(
        csv_text(row() + ",survey 2024", row(product="paspoort") + ",survey 2024", header=header)
    )
    assert submission.source == "survey 2024"
    exc = failure(
        csv_text(row() + ",survey 2024", row(product="paspoort") + ",survey", header=header)
    )
    assert_reports(exc, SRC, at(3, "source", header), "source", "survey")
    assert dumps_csv(submission).splitlines()[0].endswith(",source")


def test_notes_are_read_and_written_only_when_there_are_any() -> None:
    """XCH-11, XCH-13, OFF-17: the notes column holds free text about an offering, taken as
    written; a writer writes the column only when an offering has notes."""
    header = HEADER + ",notes"
    submission = read(
        csv_text(
            row() + ',"seen on the site, 3 May "', row(product="paspoort") + ",", header=header
        )
    )
    assert {o.product: o.notes for o in submission.offerings} == {
        PARKING: "seen on the site, 3 May ",
        PASSPORT: None,
    }
    written = dumps_csv(submission)
    assert written.split("\r\n", 1)[0].endswith(",forms_completed,notes")
    assert read(written) == submission
    assert "notes" not in dumps_csv(read(csv_text())).split("\r\n", 1)[0]


@pytest.mark.parametrize("column", ["municipality_name", "local_target_reason", "notes"])
@pytest.mark.parametrize("text", ["a\u202eb", "red \x1b[31m", "nul \x00", "\ud800"])
def test_a_text_with_control_characters_is_refused(column: str, text: str) -> None:
    """XCH-4: a text field holds no control, bidirectional-override or surrogate character."""
    header = HEADER + ",notes"
    cells = {"local_target": "prefilled", "local_target_reason": "why"}
    if column != "notes":
        cells[column] = text
    line = row(**cells) + "," + (text if column == "notes" else "")
    exc = failure(csv_text(line, header=header).encode("utf-8", "surrogatepass"))
    if text == "\ud800":  # not UTF-8 at all: refused with the encoding
        assert_reports(exc, SRC, "line 2", "encoding")
        return
    problem = assert_reports(exc, SRC, at(2, column, header), column, text)
    assert problem.clause == "XCH-4"


def test_status_rules_are_checked() -> None:
    """XCH-11, OFF-3: a not-offered offering has no capabilities, volumes or forms."""
    exc = failure(csv_text(row(status="not-offered", volume_web="3/year")))
    problem = assert_reports(exc, SRC, "row 2", "volumes")
    assert problem.clause == "OFF-3"
    assert "(got" not in str(problem)  # the volume cells are not one value


def test_dump_csv_needs_a_submission() -> None:
    """XCH-13: writing anything else raises a DigimaatError."""
    with pytest.raises(ExchangeError):
        dumps_csv([])  # type: ignore[arg-type]


def test_fee_and_forms_and_status_survive_a_round_trip() -> None:
    """XCH-14: every field written in CSV reads back to the same object."""
    offerings = [
        Offering(
            "GM0622",
            PARKING,
            Status.OFFERED,
            ["information-online"],
            Authentication.none(),
            "downloadable-form",
            'r;"q"\nnew line',
            None,
            FormFunnel(0, 0),
            False,
        ),
        Offering("GM0622", PASSPORT, Status.NOT_APPLICABLE, fee_applies=True),
    ]
    submission = Submission.build(
        [Municipality("GM0622", 'Vlaardingen, "Vl"', 74124, 2021)],
        offerings,
        reference_year=2024,
        catalogue=CATALOGUE,
    )
    for dutch in (False, True):
        assert read_csv(dumps_csv(submission, dutch=dutch), CATALOGUE) == submission
