"""Products in exchange files by the names people use (XCH-8 with PRD-6.1, PRD-7.2, PRD-7.3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from digimaat.errors import InputError
from digimaat.exchange import load, loads
from digimaat.vocabulary.products import UPL_NAMESPACE

HEADER = "reference_year;cbs_code;municipality_name;population;population_year;product;status\n"
ROW = "2024;GM0622;Vlaardingen;74124;2021;{};offered\n"


def _csv(*products: str) -> str:
    return HEADER + "".join(ROW.format(p) for p in products)


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("parkeervergunning", "parkeervergunning"),
        ("HTTPS://standaarden.overheid.nl/owms/terms/paspoort/", "paspoort"),
        ("Melding openbare ruimte (algemeen)", "melding_openbare_ruimte_(algemeen)"),
        ("Verhuizing doorgeven", "verhuismelding"),
        ("  verhuizing   DOORGEVEN ", "verhuismelding"),
    ],
)
def test_xch_8_a_product_may_be_named_by_any_key_of_prd_7_2(written: str, key: str) -> None:
    """XCH-8, PRD-7.2: the product is a product key of PRD-7.2 (URI, key, name or synonym);
    a writer writes the URI."""
    submission = loads(_csv(written), form="csv")
    (offering,) = submission.offerings
    assert offering.product.rsplit("/", 1)[-1].lower() == key.lower()
    assert UPL_NAMESPACE + offering.product.rsplit("/", 1)[-1] == offering.product


def test_xch_8_an_ambiguous_name_is_a_problem_listing_its_candidates() -> None:
    """PRD-7.2: an ambiguous key MUST NOT be resolved: it is a problem that lists every
    candidate."""
    with pytest.raises(InputError) as caught:
        loads(_csv("ID-kaart"), form="csv", name="ids.csv")
    (problem,) = caught.value.problems
    assert problem.field == "product"
    assert problem.clause == "XCH-8"
    assert "names more than one product" in problem.message
    assert "identiteitskaart" in problem.message
    assert problem.source == "ids.csv"
    assert problem.location is not None
    assert problem.location.startswith("row 2")


def test_xch_8_a_near_miss_gets_suggestions_from_the_index() -> None:
    """PRD-7.3: for a key it cannot resolve, a catalogue SHOULD suggest the products whose
    names, keys or synonyms are close to it; a suggestion is never applied."""
    with pytest.raises(InputError) as caught:
        loads(_csv("verhuismeldin"), form="csv")
    (problem,) = caught.value.problems
    assert problem.message == "is not a product in the catalogue"
    assert problem.suggestion is not None
    assert UPL_NAMESPACE + "verhuismelding" in problem.suggestion


def test_prd_6_1_a_local_product_may_not_take_a_synonym_as_its_name(tmp_path: Path) -> None:
    """PRD-6.1: a local product ... MUST NOT [have a URI or name that] already resolves to a
    reference product."""
    document = (
        '{"format": "digimaat-offerings", "spec_version": "1.0", "reference_year": 2024,'
        '"municipalities": [{"cbs_code": "GM0622", "name": "Vlaardingen", "population": 74124,'
        '"year": 2021}],'
        '"local_products": [{"uri": "urn:vlaardingen:verhuizen", "name": "Verhuizing doorgeven",'
        '"required_assurance": "none", "reason": "made up for a test"}],'
        '"offerings": [{"municipality": "GM0622", "product": "urn:vlaardingen:verhuizen"}]}'
    )
    path = tmp_path / "local.json"
    path.write_text(document, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load(path)
    fields = [(p.field, p.location) for p in caught.value.problems]
    assert ("name", "/local_products/0/name") in fields
    named = next(p for p in caught.value.problems if p.field == "name")
    assert "verhuismelding" in named.message
