"""Sheets in English and Dutch, and workbooks (XCH-18 and its sub-clauses).

A sheet is the CSV form or a workbook's worksheet. The tests write sheets as a municipality
would (Dutch headers and words, a yes/no column per capability, local products in their
rows, remarks) and check that they read to the submission the English CSV form gives, and
that every rejection names the cell and, where there is one, the fix.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digimaat.errors import InputError, Problem
from digimaat.exchange import Limits, Submission, dumps, load, loads, xlsxform
from digimaat.exchange.sheet import (
    CAPABILITY_COLUMNS,
    COLUMNS,
    DUTCH,
    LOCAL_COLUMNS,
    REQUIRED_COLUMNS,
    VOLUME_COLUMNS,
    column_of,
    header_key,
    header_names,
)
from digimaat.exchange.template import TEMPLATE_COLUMNS, template
from digimaat.exchange.writers import ExchangeError, dumps_csv
from digimaat.vocabulary.channels import Channel
from digimaat.vocabulary.maturity import (
    CAPABILITY_DUTCH,
    LEVEL_DUTCH,
    Capability,
    MaturityLevel,
    level_of,
)
from digimaat.vocabulary.municipalities import Municipality
from digimaat.vocabulary.offerings import STATUS_DUTCH, Offering, Status
from digimaat.vocabulary.products import Additions, Product
from tests.exchange.strategies import free_text, submissions
from tests.exchange.support import CATALOGUE, PARKING, PASSPORT

pytestmark = pytest.mark.property

NAME = "sheet.csv"
BOOK = "sheet.xlsx"
HEAD_NL = ["peiljaar", "gemeentecode", "gemeente", "inwoners", "jaar inwoners", "product"]
MUNI_NL = ["2024", "GM0622", "Vlaardingen", "76.409", "2024"]


def dutch_csv(header: Sequence[str], *rows: Sequence[str]) -> str:
    return "\n".join(";".join(cells) for cells in (header, *rows)) + "\n"


def failure(data: str | bytes, form: str = "csv", **options: Any) -> tuple[Problem, ...]:
    name = NAME if form == "csv" else BOOK
    with pytest.raises(InputError) as info:
        loads(data, form=form, name=name, catalogue=CATALOGUE, **options)
    return info.value.problems


def only(problems: Sequence[Problem]) -> Problem:
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def workbook(*rows: Sequence[Any], title: str = "Aanbod", more: Sequence[str] = ()) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for name in more:
        book.create_sheet(name).append(["not", "this", "one"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# -- XCH-18.1: the names of the columns -------------------------------------------------------


def test_no_header_names_two_columns() -> None:
    """XCH-18.1: a header cell names a column when its key is the key of one of the
    column's names ... No name names two columns."""
    seen: dict[str, str] = {}
    for column in (*COLUMNS, *CAPABILITY_COLUMNS, *LOCAL_COLUMNS):
        assert header_names(column)[0] == column.removeprefix("capability:")
        assert DUTCH[column] in header_names(column)
        for name in header_names(column):
            assert seen.setdefault(header_key(name), column) == column, name
            assert column_of(name) == column


@given(
    st.sampled_from([*COLUMNS, *CAPABILITY_COLUMNS, *LOCAL_COLUMNS]).flatmap(
        lambda c: st.tuples(st.just(c), st.sampled_from(header_names(c)))
    ),
    st.lists(st.sampled_from([" ", "_", "-", "  "]), min_size=1, max_size=3),
    st.booleans(),
)
def test_a_header_is_matched_by_its_key(
    named: tuple[str, str], gaps: list[str], upper: bool
) -> None:
    """XCH-18.1: accents removed, letter case ignored, and every run of white space, `_` and
    `-` read as one space."""
    column, name = named
    spaced = re.sub(r"[ _-]", lambda _: gaps[0], name)
    written = f" {spaced.upper() if upper else spaced} "
    assert column_of(written) == column
    assert column_of(written.replace("e", "é").replace("E", "É")) == column


def test_the_volume_columns_take_the_aliases_of_the_channels() -> None:
    """XCH-18.1: `volume <alias>` for each alias of CHN-3; `aantal` with the exchange names
    only, so that `aantal mail` (Dutch for e-mail) names no column; and the digital volume
    not split by channel, which is the web channel's."""
    digital = {"aantal digitaal", "volume digital"}
    for column in VOLUME_COLUMNS:
        channel = column.removeprefix("volume_")
        for name in header_names(column):
            if name in digital:
                assert channel == "web", name
                continue
            word = name.split(" ", 1)[-1] if " " in name else channel
            assert Channel.parse(word).value == channel, name
    assert column_of("volume mail") == "volume_post"
    assert column_of("aantal mail") is None
    assert column_of("aantal email") == column_of("Aantal E-mail") == "volume_e-mail"


def test_a_dutch_sheet_reads_as_the_english_one() -> None:
    """XCH-18.1, XCH-18.2: Dutch headers and words read to the records of the English form."""
    english = (
        "reference_year,cbs_code,municipality_name,population,population_year,product,status,"
        "capabilities,authentication,local_target,local_target_reason,fee_applies,volume_unit,"
        "volume_balie,volume_e-mail,notes\n"
        "2024,GM0622,Vlaardingen,76409,2024,parkeervergunning,offered,information-online|"
        "online-payment,none,online-submission,no parking online,true,per month,1000,2.5,"
        "a note\n"
        "2024,GM0622,Vlaardingen,76409,2024,paspoort,not-applicable,,,,,,,,,\n"
    )
    dutch = dutch_csv(
        [
            *HEAD_NL,
            "status",
            "kenmerken",
            "inloggen",
            "lokaal doel",
            "reden lokaal doel",
            "leges",
            "eenheid",
            "aantal balie",
            "aantal e-mail",
            "opmerkingen",
        ],
        [
            *MUNI_NL,
            "Parkeervergunning",
            "Aangeboden",
            "informatie online | online betalen",
            "geen",
            "Online indienen",
            "no parking online",
            "ja",
            "per maand",
            "1.000",
            "2,5",
            "a note",
        ],
        [*MUNI_NL, "paspoort", "niet van toepassing", *[""] * 9],
    )
    read = loads(dutch, form="csv", catalogue=CATALOGUE)
    assert read == loads(english, form="csv", catalogue=CATALOGUE)
    assert read.offerings[0].volumes is not None
    assert read.offerings[0].volumes.per_year() == {"balie": 12000.0, "e-mail": 30.0}


def test_a_first_row_that_names_no_column_is_not_a_header() -> None:
    """XCH-18.1: a first row that names no column is not a header, and a reader MUST say so,
    rather than list every required column as missing."""
    problem = only(
        failure(dutch_csv(["Aanbod van de gemeente Vlaardingen"], HEAD_NL, [*MUNI_NL, "x"]))
    )
    assert (problem.location, problem.field, problem.clause) == ("row 1", "header", "XCH-11")
    assert "not a header" in problem.message
    assert problem.suggestion is not None
    assert "delete the rows above it" in problem.suggestion
    assert "peiljaar" in problem.suggestion


@pytest.mark.parametrize(
    ("header", "location", "suggestion"),
    [
        ("aantal balei", "row 1, column G", "did you mean 'aantal balie'?"),
        ("opmerkingn", "row 1, column G", "did you mean 'opmerkingen'?"),
        ("afdeling", "row 1, column G", "keep remarks in the column 'notes'"),
        ("", "row 1, column G", "give the column a name"),
        ("gemeente", "row 1, column G", "keep one of columns C and G"),
    ],
)
def test_a_header_that_names_no_column_is_refused_with_the_fix(
    header: str, location: str, suggestion: str
) -> None:
    """XCH-18.1, XCH-18.7: a column that is not a column of the sheet MUST still be refused
    ... and the problem SHOULD say that remarks belong in `notes`."""
    text = dutch_csv([*HEAD_NL, header], [*MUNI_NL, "paspoort", "x"])
    problems = failure(text)
    problem = next(p for p in problems if p.location == location)
    assert problem.field == "header"
    assert problem.suggestion is not None
    assert suggestion in problem.suggestion


def test_a_missing_required_column_is_named_in_both_languages() -> None:
    """XCH-11, XCH-18.1: a missing REQUIRED column MUST be refused; the fix names it."""
    problem = only(failure(dutch_csv(HEAD_NL[:5], MUNI_NL)))
    assert problem.message == "lacks the required column product"
    assert problem.suggestion == "add a column 'product' (in Dutch 'product')"


# -- XCH-18.2: words in Dutch ------------------------------------------------------------------

_DUTCH_WORDS = {
    **{s.value: STATUS_DUTCH[s] for s in Status},
    **{m.label: LEVEL_DUTCH[m] for m in MaturityLevel},
    "true": "ja",
    "false": "nee",
    "none": "geen",
    "per year": "per jaar",
}


def translated(written: str, capability_columns: Sequence[Capability] = ()) -> str:
    """A CSV text written by the Dutch writer, as a Dutch municipality would write it: Dutch
    headers and words, Dutch capability names, and some capabilities as yes/no columns."""
    rows = list(csv.reader(io.StringIO(written.lstrip("\ufeff")), delimiter=";"))
    header = rows[0]
    out = [[DUTCH[c] for c in header] + [CAPABILITY_DUTCH[c] for c in capability_columns]]
    at = {c: k for k, c in enumerate(header)}
    for row in rows[1:]:
        cells = list(row)
        for column in ("status", "local_target", "fee_applies", "authentication", "volume_unit"):
            cells[at[column]] = _DUTCH_WORDS.get(cells[at[column]], cells[at[column]])
        names = [Capability(n) for n in cells[at["capabilities"]].split("|") if n]
        listed = [c for c in names if c not in capability_columns]
        cells[at["capabilities"]] = " | ".join(CAPABILITY_DUTCH[c] for c in listed)
        if not row[at["product"]]:  # a row that lists a municipality: nothing else
            out.append(cells + [""] * len(capability_columns))
            continue
        out.append(cells + ["ja" if c in names else "nee" for c in capability_columns])
    text = io.StringIO()
    csv.writer(text, delimiter=";", lineterminator="\r\n").writerows(out)
    return text.getvalue()


@given(submissions(csv=True), st.lists(st.sampled_from(list(Capability)), unique=True))
def test_dutch_words_read_as_the_english_ones(
    submission: Submission, columns: list[Capability]
) -> None:
    """XCH-18.2: In a sheet form, the words of the vocabulary MAY be written in Dutch;
    XCH-18.3: A row's capabilities are those its yes cells and its `capabilities` cell name
    together."""
    dutch = translated(dumps_csv(submission, dutch=True), columns)
    assert loads(dutch, form="csv", catalogue=CATALOGUE) == submission


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        ("informatie online | online betalen", {"information-online", "online-payment"}),
        ("information-online downloadable-form", {"information-online", "downloadable-form"}),
        ("Online Indienen;bewijsstukken online", {"online-submission", "electronic-evidence"}),
        ("online submission", {"online-submission"}),
        ("vooringevuld proactief", {"prefilled", "proactive"}),
    ],
)
def test_a_capabilities_cell_is_cut_at_separators_then_at_white_space(
    cell: str, names: set[str]
) -> None:
    """XCH-18.2: The `capabilities` cell is cut at `|`, `,` and `;`; a part that is not one
    name is cut at white space."""
    text = dutch_csv([*HEAD_NL, "kenmerken"], [*MUNI_NL, "paspoort", cell.replace(";", ",")])
    (offering,) = loads(text, form="csv", catalogue=CATALOGUE).offerings
    assert {c.value for c in offering.capabilities} == names


@pytest.mark.parametrize(
    ("column", "cell", "shown", "suggestion"),
    [
        (
            "kenmerken",
            "informatie onlien",
            "informatie onlien",
            "'informatie online' (information-online)",
        ),
        ("kenmerken", "online betaling", "online betaling", "'online betalen' (online-payment)"),
        ("kenmerken", "information-online pdf", "pdf", None),
        ("status", "niet aangebode", "niet aangebode", "'niet aangeboden' (not-offered)"),
        ("lokaal doel", "volledig onine", "volledig onine", "'volledig online' (fully-online)"),
    ],
)
def test_an_unknown_dutch_word_is_refused_with_the_word_meant(
    column: str, cell: str, shown: str, suggestion: str | None
) -> None:
    """XCH-18.2: A name the vocabulary does not have MUST be refused; the problem SHOULD
    suggest the closest name, English or Dutch."""
    header = [*HEAD_NL, column] + (["reden lokaal doel"] if column == "lokaal doel" else [])
    row = [*MUNI_NL, "paspoort", cell] + (["eigen doel"] if column == "lokaal doel" else [])
    problem = only(failure(dutch_csv(header, row)))
    assert problem.location == "row 2, column G"
    assert problem.value == shown
    if suggestion is None:
        assert problem.suggestion is None
    else:
        assert problem.suggestion == f"did you mean {suggestion}?"


# -- XCH-18.3: a yes/no column per capability ----------------------------------------------------


def test_capability_columns_take_three_names() -> None:
    """XCH-18.3: named by the capability's exchange name, its Dutch name or
    `capability:<name>`; an empty cell says nothing."""
    header = [*HEAD_NL, "online-payment", "online indienen", "capability:prefilled"]
    text = dutch_csv(
        header, [*MUNI_NL, "paspoort", "ja", "", "Y"], [*MUNI_NL, "rijbewijs", "", "", ""]
    )
    first, second = loads(text, form="csv").offerings
    assert {c.value for c in first.capabilities} == {"online-payment", "prefilled"}
    assert second.capabilities == frozenset()


def test_a_no_that_contradicts_the_list_is_refused() -> None:
    """XCH-18.3: A cell that says no while the `capabilities` cell of its row names the same
    capability MUST be refused."""
    header = [*HEAD_NL, "kenmerken", "online betalen"]
    problem = only(
        failure(
            dutch_csv(header, [*MUNI_NL, "paspoort", "online betalen|informatie online", "nee"])
        )
    )
    assert (problem.location, problem.field, problem.clause) == (
        "row 2, column H",
        "capability:online-payment",
        "XCH-18.3",
    )
    assert problem.value == "nee"
    bad = only(failure(dutch_csv(header, [*MUNI_NL, "paspoort", "", "misschien"])))
    assert (bad.location, bad.value) == ("row 2, column H", "misschien")


def test_a_no_does_not_undo_an_implication() -> None:
    """XCH-18.3: A no does not undo an implication of MAT-2: online submission with
    `formulier downloaden` at `nee` is still a form online."""
    header = [*HEAD_NL, "informatie online", "formulier downloaden", "online indienen"]
    text = dutch_csv(header, [*MUNI_NL, "paspoort", "ja", "nee", "ja"])
    (offering,) = loads(text, form="csv").offerings
    assert level_of(offering.capabilities) >= MaturityLevel.ONLINE_SUBMISSION


# -- XCH-18.4: local products -----------------------------------------------------------------

LOCAL_HEAD = [
    *HEAD_NL,
    "naam lokaal product",
    "doelgroepen lokaal product",
    "vereist niveau lokaal product",
    "referentiedoel lokaal product",
    "reden lokaal product",
    "kenmerken",
]


MAASSLUIS = ["2024", "GM0556", "Maassluis", "34.148", "2022"]


def local_rows(*rows: Sequence[str], municipality: Sequence[str] = MUNI_NL) -> str:
    return dutch_csv(LOCAL_HEAD, *([*municipality, *row] for row in rows))


def test_a_local_product_is_defined_in_the_rows_that_name_it() -> None:
    """XCH-18.4: A row whose `local_name` is filled defines the product its `product` cell
    names ... the rows that only name it need no local cells, and it does not matter which
    row comes first."""
    names = ["afvalpas-vlaardingen", "", "", "", "", "", "informatie online"]
    defines = ["afvalpas-vlaardingen", "Afvalpas V", "burger bedrijf", "laag", "", "eigen", ""]
    text = dutch_csv(LOCAL_HEAD, [*MAASSLUIS, *names], [*MUNI_NL, *defines])
    submission = loads(text, form="csv")
    (product,) = submission.local_products
    assert (product.uri, product.name) == ("afvalpas-vlaardingen", "Afvalpas V")
    assert {a.value for a in product.audiences} == {"burger", "bedrijf"}
    assert product.additions.required_assurance is not None
    assert product.additions.required_assurance.label == "low"
    assert product.additions.reason == "eigen"
    assert [o.product for o in submission.offerings] == ["afvalpas-vlaardingen"] * 2
    # Written back, it is defined in the first row that names it, and reads back the same.
    written = dumps(submission, form="csv")
    assert written.count("Afvalpas V") == 1
    assert loads(written, form="csv") == submission


def test_a_local_product_defined_twice_must_agree() -> None:
    """XCH-18.4: Several rows MAY define the same product, and then MUST define it the same
    way."""
    row = ["x-pas", "X-pas Vlaardingen", "", "", "", "", ""]
    same = dutch_csv(LOCAL_HEAD, [*MAASSLUIS, *row], [*MUNI_NL, *row])
    assert len(loads(same, form="csv").local_products) == 1
    other = ["x-pas", "Een andere pas", "", "", "", "", ""]
    problems = failure(dutch_csv(LOCAL_HEAD, [*MAASSLUIS, *row], [*MUNI_NL, *other]))
    problem = next(p for p in problems if "otherwise than" in p.message)
    assert (problem.location, problem.field, problem.clause) == (
        "row 3, column G",
        "local_name",
        "XCH-18.4",
    )


@pytest.mark.parametrize(
    ("row", "location", "field", "message"),
    [
        (
            ["paspoort", "", "", "", "", "eigen reden", ""],
            "row 2, column K",
            "local_reason",
            "defines no local product",
        ),
        (
            ["paspoort", "", "bedrijf", "", "", "", ""],
            "row 2, column H",
            "local_audiences",
            "defines no local product",
        ),
        (
            ["", "Afvalpas", "", "", "", "", ""],
            "row 2, column G",
            "local_name",
            "product cell is empty",
        ),
    ],
)
def test_a_local_cell_outside_a_definition_is_refused(
    row: list[str], location: str, field: str, message: str
) -> None:
    """XCH-18.4: A local cell filled in a row whose `local_name` is empty, and a `local_name`
    in a row whose `product` is empty, MUST be refused: a definition is never dropped nor
    guessed."""
    problems = failure(local_rows(row))
    problem = next(p for p in problems if p.field == field)
    assert (problem.location, problem.clause) == (location, "XCH-18.4")
    assert message in problem.message
    assert problem.suggestion


def test_a_local_product_obeys_the_rules_of_xch_6_and_prd_6_1() -> None:
    """XCH-18.4: ... by every rule of XCH-6 and PRD-6.1."""
    shadow = only(failure(local_rows(["parkeervergunning", "Parkeren", "", "", "", "", ""])))
    assert (shadow.location, shadow.clause) == ("row 2, column F", "PRD-6.1")
    reasonless = only(failure(local_rows(["x-pas", "X-pas", "", "hoog", "", "", ""])))
    assert reasonless.clause == "XCH-6"
    assert "reason" in reasonless.message


def test_an_unknown_product_suggests_a_local_product_in_a_sheet() -> None:
    """XCH-18.4: in a sheet, where the catalogue has no close match, its suggestion says
    that a product the UPL does not name can be defined here."""
    problem = only(failure(dutch_csv(HEAD_NL, [*MUNI_NL, "afvalpas-vlaardingen-xyz"])))
    assert (problem.location, problem.clause) == ("row 2, column F", "XCH-8")
    assert problem.suggestion is not None
    assert "fill local_name" in problem.suggestion


def test_the_csv_writer_refuses_what_the_sheet_cannot_hold() -> None:
    """XCH-13: a writer MUST refuse a local product that no offering names, or one with
    interaction kinds, which no column holds."""
    local = Product.local("x-pas", "X-pas")
    vlaardingen = Municipality("GM0622", "Vlaardingen", 76409, 2024)
    unused = Submission.build(
        [vlaardingen], [Offering("GM0622", PARKING)], reference_year=2024, local_products=[local]
    )
    with pytest.raises(ExchangeError, match="named by no offering"):
        dumps_csv(unused)
    kinds = Product.local("x-pas", "X-pas", interaction_kinds=("aanvraag",))
    with pytest.raises(ExchangeError, match="interaction_kinds"):
        dumps_csv(
            Submission.build(
                [vlaardingen],
                [Offering("GM0622", "x-pas")],
                reference_year=2024,
                local_products=[kinds],
            )
        )


@st.composite
def with_local(draw: st.DrawFn) -> Submission:
    submission = draw(submissions(csv=True))
    additions = draw(
        st.none()
        | st.builds(
            Additions,
            required_assurance=st.none() | st.sampled_from(["none", "low", "high"]),
            physical_presence=st.booleans(),
            fee_applies=st.none() | st.booleans(),
            reference_target=st.sampled_from(list(MaturityLevel)),
            reason=free_text,
        )
    )
    local = Product.local("urn:test:local", draw(free_text), additions=additions)
    code = submission.municipalities[0].cbs_code
    return Submission.build(
        submission.municipalities,
        [*submission.offerings, Offering(code, local.uri, capabilities=["information-online"])],
        reference_year=submission.reference_year,
        source=submission.source,
        local_products=[local],
        catalogue=CATALOGUE,
    )


@given(with_local(), st.booleans())
def test_local_products_round_trip_in_the_csv_form(submission: Submission, dutch: bool) -> None:
    """XCH-14 with XCH-18.4: CSV → records → JSON → records → CSV gives the same records and
    the same text, with local products too."""
    written = dumps_csv(submission, dutch=dutch)
    again = loads(written, form="csv", catalogue=CATALOGUE)
    assert again == submission
    through_json = loads(dumps(again, form="json"), form="json", catalogue=CATALOGUE)
    assert dumps_csv(through_json, dutch=dutch) == written


# -- XCH-18.5: numbers and values of a workbook -----------------------------------------------


def test_a_workbook_cell_that_holds_a_number_is_that_number() -> None:
    """XCH-18.5: In a workbook a cell that holds a number is that number, whatever its display
    format, and the convention applies to numbers written as text."""
    header = [*HEAD_NL, "eenheid", "aantal balie", "aantal web"]
    dutch = workbook(
        header,
        [2024, "GM0622", "Vlaardingen", 76409, 2024, "paspoort", "per maand", 58.5, "1.000,5"],
    )
    (offering,) = loads(dutch, form="xlsx").offerings
    assert offering.volumes is not None
    assert offering.volumes.per_year() == {"balie": 702.0, "web": 12006.0}
    english = workbook(
        [*REQUIRED_COLUMNS, "volume_unit", "volume_balie", "volume_web"],
        [2024, "GM0622", "Vlaardingen", 76409, 2024, "paspoort", "per month", 58.5, "1000.5"],
    )
    assert loads(english, form="xlsx") == loads(dutch, form="xlsx")
    # A Dutch sheet reads "1000.5" as it reads it in a ;-separated CSV file: refused.
    bad = workbook(
        header, [2024, "GM0622", "Vlaardingen", 76409, 2024, "paspoort", "", "", "1000.5 per jaar"]
    )
    problem = only(failure(bad, "xlsx"))
    assert (problem.location, problem.field) == ("row 2, column I", "volume_web")


def test_booleans_and_dates_of_a_workbook() -> None:
    """XCH-18.5: A cell that holds true or false is the yes or no of XCH-11; one that holds a
    date or a time is its ISO 8601 text."""
    import datetime as dt

    header = [*HEAD_NL, "leges", "online betalen", "opmerkingen"]
    book = workbook(
        header,
        [2024, "GM0622", "Vlaardingen", 76409, 2024, "paspoort", False, True, dt.date(2024, 3, 1)],
    )
    (offering,) = loads(book, form="xlsx").offerings
    assert offering.fee_applies is False
    assert Capability.ONLINE_PAYMENT in offering.capabilities
    assert offering.notes == "2024-03-01T00:00:00"


def _rewritten(book: bytes, member: str, change: Any) -> bytes:
    archive = zipfile.ZipFile(io.BytesIO(book))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in archive.infolist():
            data = archive.read(info.filename)
            if info.filename == member:
                data = change(data.decode("utf-8")).encode("utf-8")
            target.writestr(info.filename, data)
    return out.getvalue()


SHEET_XML = "xl/worksheets/sheet1.xml"


def test_a_formula_without_a_saved_value_and_an_error_value_are_refused() -> None:
    """XCH-18.5: a formula without a saved value, and a cell that holds an error value
    (`#DIV/0!`, `#N/A`), MUST be refused at its cell."""
    header = [*HEAD_NL, "eenheid", "aantal balie", "aantal web"]
    book = workbook(
        header,
        [2024, "GM0622", "Vlaardingen", 76409, 2024, "paspoort", "per jaar", "=2*500", 7],
    )
    problem = only(failure(book, "xlsx"))
    assert (problem.location, problem.field, problem.clause) == (
        "row 2, column H",
        "cell",
        "XCH-18.5",
    )
    assert "formula" in problem.message
    assert problem.suggestion is not None
    # The same formula with the value a spreadsheet saves with it is read as that value.
    saved = _rewritten(
        book, SHEET_XML, lambda x: x.replace("<f>2*500</f>", "<f>2*500</f><v>1000</v>")
    )
    (offering,) = loads(saved, form="xlsx").offerings
    assert offering.volumes is not None
    assert offering.volumes.per_year() == {"balie": 1000.0, "web": 7.0}
    error = _rewritten(
        saved,
        SHEET_XML,
        lambda x: x.replace("<f>2*500</f><v>1000</v>", "<f>2/0</f><v>#DIV/0!</v>").replace(
            '<c r="H2"', '<c r="H2" t="e"'
        ),
    )
    problem = only(failure(error, "xlsx"))
    assert (problem.location, problem.value, problem.message) == (
        "row 2, column H",
        "#DIV/0!",
        "holds an error value",
    )


# -- XCH-18.6: workbooks ----------------------------------------------------------------------

ROW = [2024, "GM0622", "Vlaardingen", 76409, 2024, "paspoort"]


def test_the_first_worksheet_or_the_one_named() -> None:
    """XCH-18.6: the first in the workbook's order, or the one its caller names, the name
    compared without regard to letter case; a workbook without it MUST be refused with the
    names of its sheets."""
    book = workbook(HEAD_NL, ROW, more=["Toelichting"])
    assert len(loads(book, form="xlsx").offerings) == 1
    assert len(loads(book, form="xlsx", sheet="aanbod").offerings) == 1
    problem = only(failure(book, "xlsx", sheet="Toelichting"))
    assert problem.clause == "XCH-11"  # that sheet is read, and it has no header
    missing = only(failure(book, "xlsx", sheet="Offerings"))
    assert (missing.field, missing.clause) == ("file", "XCH-18.6")
    assert "'Aanbod', 'Toelichting'" in missing.message


def test_cells_beyond_the_header_and_empty_rows() -> None:
    """XCH-18.6: XCH-11 and XCH-12 apply to its cells (empty rows are skipped; cells beyond
    the header MUST be empty)."""
    book = workbook(HEAD_NL, [], ROW, [None] * 9, [*ROW[:5], "rijbewijs", None, None, "x"])
    problem = only(failure(book, "xlsx"))
    assert (problem.location, problem.clause) == ("row 5", "XCH-12")
    fine = workbook(HEAD_NL, [], ROW, [None] * 9)
    assert len(loads(fine, form="xlsx").offerings) == 1


def test_an_archive_over_the_limits_is_refused_before_it_is_decompressed() -> None:
    """XCH-18.6: the archive MUST NOT hold more than 10,000 files, and the sum of the sizes it
    declares for them, after decompression, MUST NOT exceed the size limit of XCH-4."""
    book = workbook(HEAD_NL, ROW)
    small = Limits(max_bytes=len(book) + 100)  # the file fits; unpacked, it does not
    problem = only(failure(book, "xlsx", limits=small))
    assert (problem.clause, problem.field) == ("XCH-4", "file")
    assert "when unpacked" in problem.message
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as archive:
        for k in range(xlsxform.MAX_ENTRIES + 1):
            archive.writestr(f"x/{k}", b"")
    problem = only(failure(many.getvalue(), "xlsx"))
    assert "more than 10,000 files" in problem.message
    assert only(failure(b"PK\x03\x04 not a zip at all", "xlsx")).clause == "XCH-18.6"


def test_a_workbook_costs_the_cells_it_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    """XCH-18.6: a reader MUST NOT spend time or memory on cells the sheet does not hold: a
    sheet that declares a range of millions of cells, or a row far below the last, costs
    what the cells it holds cost."""
    book = workbook(HEAD_NL, ROW)

    def huge(xml: str) -> str:
        xml = re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', xml)
        far = '<row r="999999999"><c r="XFD999999999" t="n"><v>1</v></c></row>'
        return xml.replace("</sheetData>", far + "</sheetData>")

    crafted = _rewritten(book, SHEET_XML, huge)
    converted: list[Any] = []
    text = xlsxform._text
    monkeypatch.setattr(
        xlsxform, "_text", lambda value, dialect: converted.append(value) or text(value, dialect)
    )
    problem = only(failure(crafted, "xlsx"))
    assert (problem.location, problem.clause) == ("row 999999999", "XCH-12")
    assert len(converted) <= 2 * 7  # the cells the file holds, not the range it declares


def test_rows_out_of_order_are_refused() -> None:
    """XCH-18.6: rows MUST be in increasing order."""
    book = workbook(HEAD_NL, ROW, [*ROW[:5], "rijbewijs"])
    swapped = _rewritten(book, SHEET_XML, lambda x: x.replace('r="3"', 'r="1"', 1))
    problem = only(failure(swapped, "xlsx"))
    assert "out of order" in problem.message


def test_entities_are_never_expanded() -> None:
    """XCH-18.6: its XML is parsed without document type declarations, entities or access to
    anything outside the archive."""
    book = workbook(HEAD_NL, ROW)
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    )
    crafted = _rewritten(
        book,
        SHEET_XML,
        lambda x: bomb + x[x.index("<worksheet") :].replace("<v>2024</v>", "<v>&b;</v>", 1),
    )
    problem = only(failure(crafted, "xlsx"))
    assert (problem.field, problem.clause) == ("file", "XCH-18.6")


@settings(max_examples=25)
@given(submissions(csv=True), st.booleans())
def test_a_workbook_holds_what_the_csv_form_holds(submission: Submission, dutch: bool) -> None:
    """XCH-18.6: The worksheet holds a sheet as a CSV file does; XCH-18.5: a cell that holds a
    number is that number, and the convention of the sheet's language applies to numbers
    written as text."""
    rows = list(csv.reader(io.StringIO(dumps_csv(submission, dutch=False)), delimiter=","))
    header = [DUTCH[c] if dutch else c for c in rows[0]]
    numeric = {"reference_year", "population", "population_year", *VOLUME_COLUMNS}
    numeric |= {"forms_started", "forms_completed"}
    book = [header]
    for row in rows[1:]:
        cells: list[Any] = []
        for column, cell in zip(rows[0], row, strict=True):
            if column in numeric and cell.isdigit():
                cells.append(int(cell))  # a number; openpyxl writes floats to 16 digits
            elif column in numeric and cell and dutch:
                cells.append(cell.replace(".", ","))  # a number written as text
            else:
                cells.append(cell or None)
        book.append(cells)
    assert loads(workbook(*book), form="xlsx", catalogue=CATALOGUE) == submission


# -- XCH-18.7: free text is kept -------------------------------------------------------------


def test_notes_are_kept_as_written_and_written_back() -> None:
    """XCH-18.7: The `notes` column, under any of its names, is the offering's `notes`
    (OFF-17): taken as written, written back by every writer (XCH-10, XCH-13) and never
    scored."""
    from digimaat.measurement.profiles import builtin_profile

    note = "  eerst bellen;\nniet op vrijdag  "
    for name in header_names("notes"):
        text = dutch_csv([*HEAD_NL, name], [*MUNI_NL, "paspoort", f'"{note}"'])
        (offering,) = loads(text, form="csv").offerings
        assert offering.notes == note
    submission = loads(text, form="csv")
    assert note in loads(dumps(submission, form="csv"), form="csv").offerings[0].notes  # type: ignore[operator]
    assert loads(dumps(submission), form="json") == submission
    book = workbook([*HEAD_NL, "opmerkingen"], [*ROW, note])
    assert loads(book, form="xlsx").offerings[0].notes == note
    without = loads(dutch_csv(HEAD_NL, [*MUNI_NL, "paspoort"]), form="csv")
    profile = builtin_profile("digimaat-standard")
    assert (
        profile.score(submission.dataset()).card("GM0622").values
        == profile.score(without.dataset()).card("GM0622").values
    )


# -- The template --------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("form", ["csv", "xlsx"])
def test_the_template_reads_back_as_it_is(lang: str, form: str) -> None:
    """XCH-18: what the template holds is read back by the readers as it is: its headers name
    the columns of the sheet in its language, and its example row is a valid offering."""
    data = template(lang=lang, form=form)
    submission = loads(data, form=form)
    (offering,) = submission.offerings
    assert offering.product == PASSPORT
    if form == "csv":
        text = data.decode("utf-8")
        assert text.startswith("\ufeff") == (lang == "nl")
        header = text.lstrip("\ufeff").splitlines()[0].split(";" if lang == "nl" else ",")
        names = [
            DUTCH[c] if lang == "nl" else c.removeprefix("capability:") for c in TEMPLATE_COLUMNS
        ]
        assert header == names
        assert [column_of(h) for h in header] == list(TEMPLATE_COLUMNS)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_choice_of_the_template_is_read(lang: str) -> None:
    """XCH-18.2: every value a drop-down list of the template offers is a word the reader
    accepts in its column."""
    from digimaat.exchange.template import _example, _lists

    lists = _lists(lang)
    for column, values in lists.items():
        for value in values:
            row = dict(_example(lang))
            if column == "status":  # a product not offered has nothing else (OFF-3)
                row = {c: row[c] for c in REQUIRED_COLUMNS}
            row[column] = value
            if column in ("local_target",):
                row["local_target_reason"] = "reden"
            if column.startswith("local_") and column not in ("local_target",):
                row.update(product="eigen-product-x", local_name="Eigen product", local_reason="r")
            cells = [str(row.get(c, "")) for c in TEMPLATE_COLUMNS]
            header = [
                DUTCH[c] if lang == "nl" else c.removeprefix("capability:")
                for c in TEMPLATE_COLUMNS
            ]
            separator = ";" if lang == "nl" else ","
            text = separator.join(header) + "\n" + separator.join(cells) + "\n"
            try:
                loads(text, form="csv")
            except InputError as exc:  # pragma: no cover (the assertion says which)
                raise AssertionError(f"{column} = {value!r}: {exc}") from None


def test_the_template_workbook_has_lists_and_instructions() -> None:
    """XCH-18: the Dutch workbook has the data sheet first, with drop-down lists on the
    columns that take a value from a list, and a sheet that explains every column."""
    book = openpyxl.load_workbook(io.BytesIO(template(lang="nl", form="xlsx")))
    assert book.sheetnames == ["Aanbod", "Lijsten", "Toelichting"]
    data = book["Aanbod"]
    validated = {str(rule.sqref).split(":")[0] for rule in data.data_validations.dataValidation}
    status_at = TEMPLATE_COLUMNS.index("status")
    assert f"{openpyxl.utils.get_column_letter(status_at + 1)}2" in validated
    explained = [row[0] for row in book["Toelichting"].iter_rows(min_row=2, values_only=True)]
    assert explained == [DUTCH[c] for c in TEMPLATE_COLUMNS]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_template_is_the_same_bytes_whenever_it_is_written(lang: str) -> None:
    """Determinism: a workbook states a fixed time, so the same template is the same file."""
    first = template(lang=lang, form="xlsx")
    archive = zipfile.ZipFile(io.BytesIO(first))
    assert {info.date_time for info in archive.infolist()} == {(2024, 1, 1, 0, 0, 0)}
    assert b"2024-01-01T00:00:00Z" in archive.read("docProps/core.xml")
    assert template(lang=lang, form="xlsx") == first


HAND_WRITTEN = Path(__file__).parent / "data" / "vlaardingen-nl.csv"
"""A sheet written by hand as Dutch Excel saves it ('CSV UTF-8': a byte order mark, `;`)."""


def test_a_hand_written_dutch_sheet_scores_without_edits() -> None:
    """XCH-18 (issue 12, done when): a Dutch sheet written by hand the way a municipality
    would (product names as on its website, Dutch headers and words, "1.000 per jaar", a
    notes column, two authentication means, one local product) reads and scores as it is."""
    from digimaat.measurement.profiles import standard_profile

    submission = load(HAND_WRITTEN)
    keys = [o.product.rsplit("/", 1)[-1] for o in submission.offerings]
    assert sorted(keys) == [
        "evenementenvergunning",
        "gevelsubsidie-binnenstad",
        "hondenbelasting",
        "parkeervergunning",
        "paspoort",
        "verhuismelding",
    ]
    by_key = dict(zip(keys, submission.offerings, strict=True))
    assert by_key["paspoort"].volumes is not None
    assert by_key["paspoort"].volumes.per_year() == {"balie": 1000.0}
    assert by_key["parkeervergunning"].volumes is not None
    assert by_key["parkeervergunning"].volumes.per_year() == {"balie": 840.0}
    assert by_key["evenementenvergunning"].authentication is not None
    assert by_key["evenementenvergunning"].authentication.name == (
        "digid low / eherkenning substantial"
    )
    assert by_key["hondenbelasting"].notes == "Afgeschaft in 2020"
    (local,) = submission.local_products
    assert (local.uri, local.name) == (
        "gevelsubsidie-binnenstad",
        "Subsidie gevelverbetering binnenstad",
    )
    card = standard_profile().score(submission.dataset()).card("GM0622")
    assert card.score is not None
    assert 0 < card.score < 1


@pytest.mark.parametrize("cell", ["n.v.t.", "N.V.T", "nvt", "Niet van toepassing", "n/a"])
def test_not_applicable_in_a_tick_column_records_the_capability(cell: str) -> None:
    """XCH-18.3: A cell that says the step does not apply records the capability, since
    MAT-2 records a capability that concerns a step the procedure does not have as
    present; any other word is still refused."""
    from digimaat.exchange.rules import CSV, Fault
    from digimaat.exchange.rules_names import read_tick

    assert read_tick(cell, CSV) is True
    assert read_tick("nee", CSV) is False
    assert isinstance(read_tick("misschien", CSV), Fault)
