"""Sheets as municipalities keep them: the words above their columns, a column that marks
their own products, and a population without its year (XCH-18.1, XCH-18.3, XCH-18.4,
XCH-18.8).

Each test writes a sheet the way a municipal analyst writes it and checks what the clause
says it reads to, or that it is refused at its cell with the fix.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digimaat.errors import InputError, Problem
from digimaat.exchange import dumps, loads
from digimaat.exchange.sheet import column_of, local_uri
from digimaat.vocabulary.municipalities import cbs_register
from digimaat.vocabulary.products import UPL_NAMESPACE, normalise_key, reference_catalogue
from tests.exchange.support import CATALOGUE, same_csv

pytestmark = pytest.mark.property

NAME = "sheet.csv"
HEAD = ["peiljaar", "gemeentecode", "gemeente", "inwoners", "jaar inwoners", "product"]
VLAARDINGEN = ["2024", "GM0622", "Vlaardingen", "76.409", "2024"]


def sheet(header: Sequence[str], *rows: Sequence[str]) -> str:
    return "\n".join(";".join(cells) for cells in (header, *rows)) + "\n"


def problems(text: str, **options: object) -> tuple[Problem, ...]:
    options.setdefault("catalogue", CATALOGUE)
    with pytest.raises(InputError) as info:
        loads(text, form="csv", name=NAME, **options)  # type: ignore[arg-type]
    return info.value.problems


# -- XCH-18.1: a digital volume, and the column meant ------------------------------------------


@pytest.mark.parametrize("header", ["Aantal digitaal", "aantal online", "Volume_Digital"])
def test_a_digital_volume_not_split_by_channel_is_the_web_channels(header: str) -> None:
    """XCH-18.1: A digital volume not split by channel (`aantal digitaal`, `aantal online`,
    `volume digital`) is the volume of the channel `web`."""
    text = sheet(
        [*HEAD, "aantal balie", header],
        [*VLAARDINGEN, "paspoort", "40 per maand", "1.000 per jaar"],
    )
    (offering,) = loads(text, form="csv", catalogue=CATALOGUE).offerings
    assert offering.volumes is not None
    assert offering.volumes.per_year() == {"balie": 480.0, "web": 1000.0}


def test_a_digital_volume_beside_the_web_channels_is_refused() -> None:
    """XCH-18.1: one that has `aantal digitaal` and `aantal web` names `volume_web` twice and
    MUST be refused (XCH-11)."""
    text = sheet(
        [*HEAD, "aantal web", "aantal digitaal"],
        [*VLAARDINGEN, "paspoort", "1 per jaar", "2 per jaar"],
    )
    (problem,) = problems(text)
    assert (problem.location, problem.clause) == ("row 1, column H", "XCH-11")
    assert problem.message == "repeats column volume_web (also column G)"
    assert problem.suggestion == "keep one of columns G and H"


@pytest.mark.parametrize(
    ("header", "suggestion"),
    [
        ("Besluit per post", "did you mean 'volume post' or 'besluit digitaal'? Else keep remarks"),
        ("Aantal klachten per jaar", "did you mean 'aantal chat', 'aantal app' or 'aantal"),
        ("Afdeling", "keep remarks in the column 'notes' ('opmerkingen'), or delete the column"),
    ],
)
def test_a_header_that_names_no_column_suggests_the_columns_meant(
    header: str, suggestion: str
) -> None:
    """XCH-18.1: the problem SHOULD suggest the column meant: the column whose name is
    closest, else those whose names share a word with the cell, else how to keep remarks
    (XCH-18.7) or that the column is to be deleted."""
    text = sheet([*HEAD, header], [*VLAARDINGEN, "paspoort", "x"])
    (problem,) = problems(text)
    assert (problem.location, problem.clause) == ("row 1, column G", "XCH-11")
    assert problem.suggestion is not None
    assert problem.suggestion.startswith(suggestion), problem.suggestion


# -- XCH-18.3: the words municipalities write above the capabilities they tick -----------------

OTHER_NAMES = {
    "Online aanvragen": "online-submission",
    "Digitaal identificeren": "remote-identification",
    "Bewijsstukken digitaal": "electronic-evidence",
    "Besluit digitaal": "electronic-outcome",
    "Afhandelbericht": "electronic-notification",
}


def test_capability_columns_take_the_words_municipalities_write() -> None:
    """XCH-18.3: a yes/no column per capability MAY be named by one of the other names of
    its table (`online aanvragen`, `digitaal identificeren`, `bewijsstukken digitaal`,
    `besluit digitaal`, `afhandelbericht`)."""
    for header, capability in OTHER_NAMES.items():
        assert column_of(header) == f"capability:{capability}"
    text = sheet(
        [*HEAD, *OTHER_NAMES],
        [*VLAARDINGEN, "paspoort", "ja", "ja", "ja", "ja", "ja"],
        [*VLAARDINGEN, "parkeervergunning", "ja", "nee", "", "nee", "ja"],
    )
    parking, passport = sorted(
        loads(text, form="csv", catalogue=CATALOGUE).offerings, key=lambda o: o.product
    )
    assert {c.value for c in passport.capabilities} == set(OTHER_NAMES.values())
    assert {c.value for c in parking.capabilities} == {
        "online-submission",
        "electronic-notification",
    }


def test_the_other_names_are_not_words_of_a_capabilities_cell() -> None:
    """XCH-18.3: These names name the column only; a `capabilities` cell names capabilities
    by the names of XCH-18.2."""
    text = sheet([*HEAD, "kenmerken"], [*VLAARDINGEN, "paspoort", "afhandelbericht"])
    (problem,) = problems(text)
    assert (problem.location, problem.clause) == ("row 2, column G", "MAT-2")


# -- XCH-18.4: a column that marks the municipality's own products ------------------------------

FLAGGED = [*HEAD, "lokaal product", "informatie online"]


def test_a_local_product_column_defines_the_product_its_row_names() -> None:
    """XCH-18.4: A row whose `local_product` says yes and whose `local_name` is empty defines
    a local product named by its `product` cell ... its `uri` is `urn:`, the row's CBS code in
    lower case, `:product:` and the normal form of the name; the rows that only name it name
    it by its name or by that URI."""
    text = sheet(
        FLAGGED,
        [*VLAARDINGEN, " Straatfeest melden ", "ja", "ja"],
        [*VLAARDINGEN, "paspoort", "nee", "ja"],
        ["2024", "GM0556", "Maassluis", "35.832", "2024", "straatfeest MELDEN", "", "nee"],
    )
    submission = loads(text, form="csv", catalogue=CATALOGUE)
    (product,) = submission.local_products
    assert (product.uri, product.name) == (
        "urn:gm0622:product:straatfeest-melden",
        "Straatfeest melden",
    )
    assert not product.reference
    assert product.additions.required_assurance is None  # the defaults of PRD-5
    assert sorted(o.product for o in submission.offerings) == [
        UPL_NAMESPACE + "paspoort",
        product.uri,
        product.uri,
    ]
    # Written, the product is defined by its URI and its local_name, and reads back the same.
    assert loads(dumps(submission, form="csv"), form="csv", catalogue=CATALOGUE) == submission


def test_a_local_product_column_with_a_local_name_defines_as_local_name_does() -> None:
    """XCH-18.4: A row whose `local_product` says yes and whose `local_name` is filled defines
    its product as the rows above do, its `product` cell being the `uri`."""
    header = [*HEAD, "lokaal product", "naam lokaal product"]
    flagged = sheet(header, [*VLAARDINGEN, "urn:gm0622:product:afvalpas", "ja", "Afvalpas V"])
    plain = sheet(header, [*VLAARDINGEN, "urn:gm0622:product:afvalpas", "", "Afvalpas V"])
    read = loads(flagged, form="csv", catalogue=CATALOGUE)
    assert read == loads(plain, form="csv", catalogue=CATALOGUE)
    assert [(p.uri, p.name) for p in read.local_products] == [
        ("urn:gm0622:product:afvalpas", "Afvalpas V")
    ]


@pytest.mark.parametrize(
    ("row", "message", "suggestion"),
    [
        (["urn:x:pas", "nee", "X-pas"], "says no, but the row's local_name", "write ja, or empty"),
        (["", "ja", ""], "says yes, but the row's product cell holds no name", "write the"),
        (["?", "ja", ""], "says yes, but the row's product cell holds no name", "write the"),
        (["Straatfeest", "misschien", ""], "must be true or false (or ja/nee)", "write ja or nee"),
    ],
)
def test_a_local_product_column_that_contradicts_its_row_is_refused(
    row: list[str], message: str, suggestion: str
) -> None:
    """XCH-18.4: A `local_product` that says no in a row whose `local_name` is filled, and one
    that says yes in a row whose `product` is empty or holds no letter or digit, MUST be
    refused (at the cell, with the fix), as is a cell that is no yes or no."""
    text = sheet([*HEAD, "lokaal product", "naam lokaal product"], [*VLAARDINGEN, *row])
    found = [p for p in problems(text) if p.field == "local_product"]
    (problem,) = found
    assert (problem.location, problem.clause) == ("row 2, column G", "XCH-18.4")
    assert message in problem.message
    assert (problem.suggestion or "").startswith(suggestion)


def test_a_local_product_column_never_shadows_a_reference_product() -> None:
    """XCH-18.4, PRD-6.1: the product so defined obeys PRD-6.1: a name that already names a
    product of the catalogue is refused at the product cell."""
    text = sheet([*HEAD, "lokaal product"], [*VLAARDINGEN, "Paspoort", "ja"])
    (problem,) = problems(text)
    assert (problem.location, problem.clause) == ("row 2, column F", "PRD-6.1")


def test_a_row_with_an_invalid_code_defines_no_product() -> None:
    """XCH-18.4: a row whose CBS code is not valid (MUN-2) defines no product, and its code
    is refused."""
    text = sheet(
        FLAGGED, ["2024", "0622", "Vlaardingen", "76.409", "2024", "Straatfeest", "ja", "ja"]
    )
    found = problems(text)
    assert {p.clause for p in found} >= {"MUN-2"}
    assert not any(p.field == "local_product" for p in found)


@given(st.text(max_size=40), st.sampled_from(["", " ", "  \t"]))
def test_the_uri_of_a_flagged_product_is_made_of_its_name(name: str, space: str) -> None:
    """XCH-18.4: the `uri` is `urn:`, the CBS code in lower case, `:product:` and the
    normal form (PRD-7.1) of the name with every space written `-` and every character other
    than `a`-`z`, `0`-`9` and `-` percent-encoded in UTF-8: names of one normal form give one
    URI, names of two normal forms two, and the URI holds no other character."""
    uri = local_uri("GM0622", name)
    assert uri.startswith("urn:gm0622:product:")
    assert set(uri) <= set("abcdefghijklmnopqrstuvwxyz0123456789-:%ABCDEF")
    assert local_uri("GM0622", f"{space}{name.upper()}{space}") == uri or (
        normalise_key(name.upper()) != normalise_key(name)  # Unicode case mappings differ
    )
    other = name + " x"
    assert local_uri("GM0622", other) != uri


def test_an_unknown_name_suggests_what_its_first_words_find() -> None:
    """XCH-18.4: where the catalogue has no close match, its suggestion SHOULD name the
    products that a search ranks exact or prefix for the longest run of two or more of the
    key's first words that finds any, at most three, best first, as products to check, never
    as the product of the key; and it says that a product the UPL does not name can be
    defined here."""
    text = sheet(HEAD, [*VLAARDINGEN, "Afspraak maken of annuleren"])
    (problem,) = problems(text, catalogue=reference_catalogue())
    assert (problem.location, problem.clause) == ("row 2, column F", "XCH-8")
    assert problem.suggestion == (
        "the catalogue has for 'afspraak maken': 'bezafspr' (bezoekafspraak), 'rijbewijs' "
        "(rijbewijs); give the key meant, or for a product the UPL does not name, write ja in "
        "a column 'lokaal product' (local_product), or fill local_name ('naam lokaal product'), "
        "to define it here"
    )
    alone = sheet(HEAD, [*VLAARDINGEN, "Straatfeest melden"])
    (problem,) = problems(alone, catalogue=reference_catalogue())
    assert (problem.suggestion or "").startswith("for a product the UPL does not name")


def test_a_search_by_first_words_takes_two_words_or_more() -> None:
    """XCH-18.4: runs of two or more of the key's first words, longest first; fuzzy matches
    are not products to check."""
    catalogue = reference_catalogue()
    assert catalogue.search_leading("Afspraak") == ("", [])
    words, hits = catalogue.search_leading("afspraak maken")
    assert words == "afspraak maken"
    assert [h.rank.label for h in hits] == ["exact", "exact"]
    assert catalogue.search_leading("Aanmelden gesprek voor jeugdhlp") == ("", [])
    assert catalogue.search_leading(7) == ("", [])


# -- XCH-18.8: the population's year from the CBS register ------------------------------------

NO_YEAR = ["peiljaar", "gemeentecode", "gemeente", "inwoners", "product"]


def test_the_year_of_a_population_is_that_of_the_register_that_has_it() -> None:
    """XCH-18.8: A sheet MAY leave out `population_year` where the shipped CBS register gives
    it: the year of the register whose population for the municipality's code equals the
    population of its rows, when exactly one year's does."""
    text = sheet(
        NO_YEAR,
        ["2024", "GM0556", "Maassluis", "35.832", "paspoort"],  # 1 January 2024
        ["2024", "GM0622", "Vlaardingen", "75.079", "paspoort"],  # 1 January 2023
        ["2024", "GM0622", "Vlaardingen", "75.079", ""],
    )
    years = {
        m.cbs_code: m.year for m in loads(text, form="csv", catalogue=CATALOGUE).municipalities
    }
    assert years == {"GM0556": 2024, "GM0622": 2023}


def test_a_population_the_register_does_not_have_is_a_missing_column() -> None:
    """XCH-18.8: When for any municipality no year of the register has the population
    written, or its code or population cannot be read, the sheet lacks a REQUIRED column and
    MUST be refused as XCH-11 says, and the problem SHOULD give the register's populations by
    year."""
    text = sheet(
        NO_YEAR,
        ["2024", "GM0556", "Maassluis", "35.832", "paspoort"],
        ["2024", "GM0622", "Vlaardingen", "74.124", "paspoort"],
        ["2024", "GM9999", "Nergenshuizen", "1.000", "paspoort"],
    )
    (problem,) = [p for p in problems(text) if p.location == "row 1"]
    assert (problem.message, problem.clause) == (
        "lacks the required column population_year",
        "XCH-11",
    )
    assert problem.suggestion == (
        "add a column 'population_year' (in Dutch 'jaar inwoners') with the year of each "
        "population; the CBS register gives GM0622 (row 3, 74124 written) 75079 in 2023, "
        "76409 in 2024; GM9999 (row 4, 1000 written) nothing"
    )
    unreadable = sheet(NO_YEAR, ["2024", "GM0556", "Maassluis", "veel", "paspoort"])
    found = problems(unreadable)
    assert {(p.location, p.clause) for p in found} == {
        ("row 1", "XCH-11"),
        ("row 2, column D", "MUN-1"),
    }


def test_without_code_or_population_the_year_is_a_missing_column_as_before() -> None:
    """XCH-11: without the columns the register is read by, a missing `population_year` is
    refused as any missing REQUIRED column."""
    text = sheet(
        ["peiljaar", "gemeentecode", "gemeente", "product"],
        ["2024", "GM0556", "Maassluis", "paspoort"],
    )
    messages = sorted(p.message for p in problems(text))
    assert messages == [
        "lacks the required column population",
        "lacks the required column population_year",
    ]


REGISTER_2023 = cbs_register(2023)
MUNICIPALITIES_2024 = list(cbs_register(2024))


@given(st.sampled_from(MUNICIPALITIES_2024), st.integers(-3, 3))
def test_only_the_registers_figure_of_one_year_gives_the_year(
    municipality: object, delta: int
) -> None:
    """XCH-18.8: the year is the register's only where the population written is its figure
    of exactly one year; a reader MUST NOT take the year from anything else, such as
    `reference_year` or the year of the nearest figure."""
    from digimaat.vocabulary.municipalities import Municipality

    assert isinstance(municipality, Municipality)
    written = municipality.population + delta
    earlier = (
        REGISTER_2023.get(municipality.cbs_code).population
        if municipality.cbs_code in REGISTER_2023
        else None
    )
    matches = [
        year
        for year, figure in ((2023, earlier), (2024, municipality.population))
        if figure == written
    ]
    text = sheet(NO_YEAR, ["2022", municipality.cbs_code, "M", str(written), "paspoort"])
    if len(matches) == 1:
        (read,) = loads(text, form="csv", catalogue=CATALOGUE).municipalities
        assert read.year == matches[0]
    else:
        found = problems(text)
        assert [p.message for p in found] == ["lacks the required column population_year"]


@pytest.mark.parametrize(
    "rows",
    [
        [[*VLAARDINGEN, "Straatfeest melden", "ja", ""], [*VLAARDINGEN, "paspoort", "", "ja"]],
        [
            [*VLAARDINGEN, "Straatfeest melden", "ja", "ja"],
            ["2024", "", "V", "1", "2024", "x", "ja", ""],
        ],
        [[*VLAARDINGEN, "", "ja", ""], [*VLAARDINGEN, "paspoort", "wellicht", ""]],
    ],
)
def test_a_local_product_column_reads_alike_by_either_tokenizer(rows: list[list[str]]) -> None:
    """XCH-18.4: the pure and the native tokenizer give the same submission, or the same
    problems, for a sheet with a `local_product` column and empty cells."""
    same_csv(sheet(FLAGGED, *rows))


@pytest.mark.parametrize(
    "rows",
    [
        [
            ["2024", "GM0556", "Maassluis", "35.832", "paspoort"],
            ["2024", "GM0556", "Maassluis", "35.832", ""],
        ],
        [
            ["2024", "GM0556", "Maassluis", "", "paspoort"],
            ["2024", "", "Maassluis", "35.832", "paspoort"],
        ],
        [["2024", "GM0556", "Maassluis", "35.000", "paspoort"]],
    ],
)
def test_a_population_without_its_year_reads_alike_by_either_tokenizer(
    rows: list[list[str]],
) -> None:
    """XCH-18.8: the pure and the native tokenizer give the same submission, or the same
    problems, for a sheet without `population_year`, empty cells included."""
    same_csv(sheet(NO_YEAR, *rows))


@given(st.permutations(range(5)))
def test_the_registers_figures_do_not_depend_on_the_order_of_the_rows(order: list[int]) -> None:
    """XCH-18.8, XCH-14: the problem of a sheet whose populations the register does not have
    gives the same figures, of the same municipalities, whatever the order of its rows; only
    the rows it names differ."""
    rows = [
        ["2024", code, "M", population, "paspoort"]
        for code, population in [
            ("GM0622", "74.124"),
            ("GM0556", "35.000"),
            ("GM0503", "1"),
            ("GM9999", "5"),
            ("GM0014", "2"),
        ]
    ]
    (problem,) = problems(sheet(NO_YEAR, *(rows[k] for k in order)))
    said = re.sub(r"row [0-9]+", "row N", problem.suggestion or "")
    assert said.endswith(
        "the CBS register gives GM0014 (row N, 2 written) 238147 in 2023, 243768 in 2024; "
        "GM0503 (row N, 1 written) 106086 in 2023, 109577 in 2024; GM0556 (row N, 35000 "
        "written) 35303 in 2023, 35832 in 2024; and 2 more"
    )
