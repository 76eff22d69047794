"""Product keys of exchange files resolved with the municipality's own names (XCH-8 with
PRD-7.2 step 5, PRD-7.3 and PRD-8.5)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digimaat.errors import InputError, Problem
from digimaat.exchange import Submission, loads
from digimaat.vocabulary.products import UPL_NAMESPACE, Catalogue, Resolution

from .support import small_catalogue

HEADER = "reference_year;cbs_code;municipality_name;population;population_year;product;status\n"
MUNICIPALITIES = {
    "GM0503": "Delft;109577;2024",
    "GM0546": "Leiden;127046;2024",
    "GM0556": "Maassluis;34148;2024",
}


def _csv(*rows: tuple[str, str]) -> str:
    """A sheet of offerings, one row per (CBS code, product key)."""
    return HEADER + "".join(
        f"2024;{code};{MUNICIPALITIES[code]};{key};offered\n" for code, key in rows
    )


def _problems(text: str, **options: Any) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        loads(text, form="csv", name="sheet.csv", **options)
    return list(caught.value.problems)


def _uri(key: str) -> str:
    return UPL_NAMESPACE + key


def test_xch_8_a_municipalitys_own_title_names_its_product() -> None:
    """XCH-8 with PRD-7.2, step 5: a key the national steps leave ambiguous or unknown is an
    own name of the record's municipality, which its records link to one product."""
    submission = loads(
        _csv(("GM0503", "Terras plaatsen"), ("GM0503", "verhuizing MELDEN")), form="csv"
    )
    assert sorted(o.product for o in submission.offerings) == [
        _uri("terrasvergunning"),
        _uri("verhuismelding"),
    ]


def test_prd_8_5_the_same_title_is_refused_for_another_municipality() -> None:
    """PRD-8.5: an own name "MUST NOT change what a key resolves to for any other
    municipality": Leiden's row keeps the national problem, at its cell, with the national
    candidates; Delft's row is accepted."""
    (problem,) = _problems(_csv(("GM0503", "Terras plaatsen"), ("GM0546", "Terras plaatsen")))
    assert (problem.location, problem.field, problem.clause) == (
        "row 3, column F",
        "product",
        "XCH-8",
    )
    assert problem.message.startswith("names more than one product: terrasvergunning (used so")
    assert problem.suggestion == "give the URI or key of one"


def test_prd_7_2_an_own_ambiguity_is_a_problem_with_the_municipalitys_candidates() -> None:
    """PRD-7.2: an own name the municipality's records link to several products is
    ambiguous, with those products as candidates: Maassluis's "Trouwen"."""
    (problem,) = _problems(_csv(("GM0556", "Trouwen")))
    assert problem.location == "row 2, column F"
    assert problem.message == (
        "names more than one product: huwelijk, huwelijksaangifte (all linked to this title "
        "by the own records of GM0556)"
    )


def test_prd_7_3_a_misspelt_own_title_is_suggested_at_its_cell() -> None:
    """PRD-7.3: the problem of an unknown key suggests the products of the municipality's
    own names close to it; another municipality's row gets none from them (in a sheet, only
    the way to define a local product, XCH-18.4)."""
    near = "Aanmelden gesprek voor jeugdhlp"
    delft, leiden = _problems(_csv(("GM0503", near), ("GM0546", near)))
    assert delft.location == "row 2, column F"
    assert delft.suggestion == f"did you mean: {_uri('jeugdhulp')}?"
    assert leiden.location == "row 3, column F"
    assert leiden.suggestion is not None
    assert "jeugdhulp" not in leiden.suggestion
    assert "local_name" in leiden.suggestion


def test_xch_8_the_json_form_resolves_own_names_too() -> None:
    """XCH-8: the same in the JSON document, where the municipality is the offering's."""
    document = {
        "format": "digimaat-offerings",
        "spec_version": "1.0",
        "reference_year": 2024,
        "municipalities": [
            {"cbs_code": "GM0503", "name": "Delft", "population": 109577, "year": 2024},
            {"cbs_code": "GM0546", "name": "Leiden", "population": 127046, "year": 2024},
        ],
        "offerings": [
            {"municipality": "GM0503", "product": "Geboorte aangeven"},
            {"municipality": "GM0546", "product": "Geboorte aangeven"},
        ],
    }
    with pytest.raises(InputError) as caught:
        loads(json.dumps(document), form="json", name="doc.json")
    (problem,) = caught.value.problems
    assert problem.location == "/offerings/1/product"
    del document["offerings"][1]  # type: ignore[attr-defined]
    (offering,) = loads(json.dumps(document), form="json").offerings
    assert offering.product == _uri("geboorteaangifte")


def test_own_names_apply_where_the_municipalitys_record_has_a_problem() -> None:
    """XCH-8: the CBS code the row writes decides, also where the municipality's record has
    a problem of its own (reported there, not again as a problem of the product)."""
    text = _csv(("GM0503", "Terras plaatsen"), ("GM0503", "xyzzy")).replace(";109577;", ";;")
    problems = _problems(text)
    assert [p.location for p in problems if p.field == "product"] == ["row 3, column F"]
    assert any(p.field != "product" for p in problems)


def test_each_distinct_key_once_and_each_failing_pair_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The reader resolves each distinct key once, and a key that fails nationally once more
    per distinct (municipality, key) pair, never per row."""
    calls: list[tuple[str, str | None]] = []
    lookup = Catalogue.lookup

    def counted(
        self: Catalogue, key: object, *, municipality: str | None = None, suggestions: bool = True
    ) -> Resolution:
        calls.append((str(key), municipality))
        return lookup(self, key, municipality=municipality, suggestions=suggestions)

    monkeypatch.setattr(Catalogue, "lookup", counted)
    rows = [("GM0503", "Terras plaatsen"), ("GM0546", "Terras plaatsen"), ("GM0503", "paspoort")]
    _problems(_csv(*(rows * 50)))  # the repeats are refused (XCH-7), after resolution
    assert sorted(calls, key=str) == sorted(
        [
            ("Terras plaatsen", None),
            ("paspoort", None),
            ("Terras plaatsen", "GM0503"),
            ("Terras plaatsen", "GM0546"),
        ],
        key=str,
    )


def test_a_catalogue_without_own_names_reports_at_once() -> None:
    """Without own names (a catalogue of one's own) a failing key is reported as before."""
    (problem,) = _problems(_csv(("GM0503", "Terras plaatsen")), catalogue=small_catalogue())
    assert problem.location == "row 2, column F"
    assert problem.message == "is not a product in the catalogue"


KEYS = ("Terras plaatsen", "Verhuizing melden", "parkeervergunning", "Trouwen", "xyzzy")
ALL_ROWS = [(code, key) for code in MUNICIPALITIES for key in KEYS]


def _outcome(text: str) -> tuple[Any, ...]:
    """What a sheet gives, whatever the order of its rows: offerings, or problems by value."""
    try:
        submission = loads(text, form="csv")
    except InputError as exc:
        return tuple(
            sorted((p.field, str(p.value), p.message, str(p.suggestion)) for p in exc.problems)
        )
    assert isinstance(submission, Submission)
    return tuple(sorted((o.municipality, o.product) for o in submission.offerings))


@pytest.mark.property
@given(st.permutations(ALL_ROWS))
def test_the_order_of_rows_changes_nothing(rows: list[tuple[str, str]]) -> None:
    """PRD-8.5: what an offering's key resolves to "depends only on the key, the offering's
    municipality and the tables, never on the other offerings of the data or their order"."""
    assert _outcome(_csv(*rows)) == EXPECTED


EXPECTED = _outcome(_csv(*ALL_ROWS))
