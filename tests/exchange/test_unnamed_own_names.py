"""A sheet names a municipality's product that has no UPL name by its own title (XCH-18.9).

Delft (GM0503) publishes "Afspraak maken of annuleren" in its own Samenwerkende Catalogi
records and links it to the placeholder only (PRD-2.2): an *unnamed* own name of Delft
(PRD-8.4). A row of Delft that writes the title names Delft's local product of it; a row of
another municipality, and a JSON document, do not.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digimaat.errors import InputError, Problem
from digimaat.exchange import dumps, loads
from digimaat.exchange.sheet import local_uri
from digimaat.measurement.profiles import builtin_profile
from digimaat.vocabulary.products import reference_catalogue
from tests.exchange.support import same_csv

CATALOGUE = reference_catalogue()
HEAD = ["peiljaar", "gemeentecode", "gemeente", "inwoners", "jaar inwoners", "product", "status"]
DELFT = ["2024", "GM0503", "Delft", "109.577", "2024"]
MAASSLUIS = ["2024", "GM0556", "Maassluis", "35.832", "2024"]
TITLE = "Afspraak maken of annuleren"
URI = "urn:gm0503:product:afspraak-maken-of-annuleren"


def sheet(*rows: Sequence[str], head: Sequence[str] = HEAD) -> str:
    return "\n".join(";".join(cells) for cells in (head, *rows)) + "\n"


def problems(text: str) -> tuple[Problem, ...]:
    with pytest.raises(InputError) as info:
        loads(text, form="csv", name="sheet.csv", catalogue=CATALOGUE)
    return info.value.problems


def test_delfts_own_title_without_a_upl_name_is_its_local_product() -> None:
    """XCH-18.9: a row whose product cell resolves to no product and no candidates, and is
    a title its municipality's records link to the placeholder only, names "that
    municipality's local product of that title", with "the title as the municipality's
    records spell it" as its name, the URI of XCH-18.4 and the defaults of PRD-5."""
    submission = loads(
        sheet([*DELFT, "  AFSPRAAK maken of Annuleren ", "aangeboden"]),
        form="csv",
        catalogue=CATALOGUE,
    )
    (product,) = submission.local_products
    assert (product.uri, product.name) == (URI, TITLE)
    assert product.uri == local_uri("GM0503", TITLE)
    assert not product.reference
    assert not product.assessed
    (offering,) = submission.offerings
    assert offering.product == URI


@pytest.mark.parametrize(
    "spelling", ["afspraak maken of annuleren", "AFSPRAAK MAKEN, OF ANNULEREN!"]
)
def test_every_spelling_of_the_title_names_one_product(spelling: str) -> None:
    """XCH-18.9: "Every row of the municipality that names the title names the same
    product, whatever its spelling"; other rows keep their products."""
    submission = loads(
        sheet([*DELFT, spelling, "aangeboden"], [*DELFT, "paspoort", "aangeboden"]),
        form="csv",
        catalogue=CATALOGUE,
    )
    assert [(p.uri, p.name) for p in submission.local_products] == [(URI, TITLE)]
    assert sorted(o.product.rsplit("/", 1)[-1] for o in submission.offerings) == [
        "paspoort",
        URI,
    ]


def test_another_municipalitys_title_makes_no_product() -> None:
    """XCH-18.9: "a row of another municipality (...) [is] not affected": Maassluis has no
    such title, and the key is refused as XCH-8 says, with products to check."""
    (problem,) = problems(sheet([*MAASSLUIS, TITLE, "aangeboden"]))
    assert (problem.location, problem.clause) == ("row 2, column F", "XCH-8")
    assert "bezafspr" in (problem.suggestion or "")


def test_a_json_document_is_not_affected() -> None:
    """XCH-18.9: "a JSON document [is] not affected (a document lists its local products,
    XCH-6)"."""
    document = {
        "format": "digimaat-offerings",
        "spec_version": "1.1",
        "reference_year": 2024,
        "municipalities": [
            {"cbs_code": "GM0503", "name": "Delft", "population": 109577, "year": 2024}
        ],
        "offerings": [{"municipality": "GM0503", "product": TITLE, "status": "offered"}],
    }
    with pytest.raises(InputError) as info:
        loads(json.dumps(document), form="json", catalogue=CATALOGUE)
    (problem,) = info.value.problems
    assert problem.clause == "XCH-8"


def test_a_key_that_resolves_is_never_read_so() -> None:
    """XCH-18.9: "A product key that resolves to a product, or is ambiguous, is never read
    so": Delft's own titles that link a product keep it (PRD-7.2, step 5)."""
    submission = loads(
        sheet([*DELFT, "Verhuizing melden", "aangeboden"]), form="csv", catalogue=CATALOGUE
    )
    assert submission.local_products == ()
    (offering,) = submission.offerings
    assert offering.product.endswith("/verhuismelding")


def test_a_local_product_column_for_the_title_defines_the_same_product() -> None:
    """XCH-18.4 and XCH-18.9 agree: `lokaal product` ja on one row of the title and none
    on another give one product."""
    head = [*HEAD, "lokaal product"]
    submission = loads(
        sheet(
            [*DELFT, TITLE, "aangeboden", "ja"], [*DELFT, "paspoort", "aangeboden", ""], head=head
        ),
        form="csv",
        catalogue=CATALOGUE,
    )
    assert [(p.uri, p.name) for p in submission.local_products] == [(URI, TITLE)]


def test_a_product_that_would_take_a_uri_of_the_sheet_is_not_made() -> None:
    """XCH-18.9: "a product that would take or shadow one of the catalogue (PRD-6.1), such
    as a local product the sheet defines under the same URI, is not made: the key stays
    unresolved"."""
    head = [*HEAD, "naam lokaal product"]
    found = problems(
        sheet(
            [*DELFT, URI, "aangeboden", "Balieafspraak"],
            [*DELFT, TITLE, "aangeboden", ""],
            head=head,
        )
    )
    assert [(p.location, p.clause) for p in found] == [("row 3, column F", "XCH-8")]


def test_what_a_writer_writes_gives_the_same_numbers() -> None:
    """XCH-18.9: "A writer writes such a product among the document's local products
    (XCH-13), so the document it writes gives the same numbers"."""
    text = sheet(
        [*DELFT, TITLE, "aangeboden"],
        [*DELFT, "paspoort", "aangeboden"],
        head=HEAD,
    )
    submission = loads(text, form="csv", catalogue=CATALOGUE)
    written = dumps(submission)
    again = loads(written, form="json", catalogue=CATALOGUE)
    assert again.local_products == submission.local_products
    profile = builtin_profile("digimaat-standard")
    first = profile.score(submission.dataset()).card("GM0503")
    second = profile.score(again.dataset()).card("GM0503")
    assert first.values == second.values


@pytest.mark.property
@settings(max_examples=25, deadline=None)
@given(st.permutations(range(4)))
def test_the_product_does_not_depend_on_the_order_of_the_rows(order: list[int]) -> None:
    """The project's order independence (XCH-7): any order of the rows gives the same
    local products and the same offerings."""
    rows = [
        [*DELFT, TITLE, "aangeboden"],
        [*DELFT, "Verhuizing melden", "aangeboden"],
        [*DELFT, "paspoort", "aangeboden"],
        [*MAASSLUIS, "paspoort", "aangeboden"],
    ]
    submission = loads(sheet(*(rows[k] for k in order)), form="csv", catalogue=CATALOGUE)
    baseline = loads(sheet(*rows), form="csv", catalogue=CATALOGUE)
    assert submission.local_products == baseline.local_products
    assert submission == baseline


@pytest.mark.parametrize(
    "rows",
    [
        [[*DELFT, TITLE, "aangeboden"], [*MAASSLUIS, TITLE, "aangeboden"]],
        [[*DELFT, TITLE, "aangeboden"], [*DELFT, "paspoort", "aangeboden"]],
    ],
)
def test_the_title_reads_alike_by_either_tokenizer(rows: list[list[str]]) -> None:
    """XCH-18.9 by the pure and the native tokenizer: the same submission, or the same
    problems."""
    same_csv(sheet(*rows), catalogue=CATALOGUE)
