"""Tests of the Submission record (XCH-1, XCH-7) built in code."""

from __future__ import annotations

import pytest

from digimaat.errors import DigimaatError, InputError, InvalidValueError
from digimaat.exchange import ExchangeError, Submission, dumps, loads
from digimaat.vocabulary.municipalities import Municipality
from digimaat.vocabulary.offerings import Offering, Status
from digimaat.vocabulary.products import Additions, LegalBasis, Product, reference_catalogue
from tests.exchange.support import CATALOGUE, PARKING, PASSPORT

VLAARDINGEN = Municipality("GM0622", "Vlaardingen", 74124, 2021)
MAASSLUIS = Municipality("GM0556", "Maassluis", 34148, 2022)


def build(*offerings: Offering, **kwargs: object) -> Submission:
    options: dict[str, object] = {"reference_year": 2024, "catalogue": CATALOGUE}
    options.update(kwargs)
    municipalities = options.pop("municipalities", (VLAARDINGEN, MAASSLUIS))
    return Submission.build(municipalities, offerings, **options)  # type: ignore[arg-type]


def test_records_are_kept_in_canonical_order() -> None:
    """XCH-14: municipalities by CBS code, offerings by CBS code and product URI."""
    first = build(
        Offering("GM0622", PASSPORT), Offering("GM0556", PARKING), Offering("GM0622", PARKING)
    )
    assert [m.cbs_code for m in first.municipalities] == ["GM0556", "GM0622"]
    assert [o.key for o in first.offerings] == [
        ("GM0556", PARKING),
        ("GM0622", PARKING),
        ("GM0622", PASSPORT),
    ]
    second = build(
        Offering("GM0622", PARKING),
        Offering("GM0556", PARKING),
        Offering("GM0622", PASSPORT),
        municipalities=(MAASSLUIS, VLAARDINGEN),
    )
    assert first == second


def test_the_catalogue_takes_no_part_in_equality() -> None:
    """XCH-1: a submission is its records; the catalogue only resolved them."""
    in_reference = Submission.build(
        (VLAARDINGEN, MAASSLUIS), (Offering("GM0622", PARKING),), reference_year=2024
    )
    assert len(in_reference.catalogue) == len(reference_catalogue())
    assert len(CATALOGUE) < len(reference_catalogue())
    assert build(Offering("GM0622", PARKING)) == in_reference
    assert build(Offering("GM0622", PARKING)) != build(Offering("GM0622", PASSPORT))


def test_every_inconsistency_is_reported_together() -> None:
    """XCH-7: duplicate codes and offerings, unlisted municipalities, unknown products."""
    with pytest.raises(InputError) as info:
        build(
            Offering("GM0622", PARKING),
            Offering("GM0622", PARKING, Status.UNKNOWN),
            Offering("GM0606", PARKING),
            Offering("GM0622", "urn:nowhere"),
            municipalities=(VLAARDINGEN, VLAARDINGEN),
        )
    messages = [str(p) for p in info.value.problems]
    assert messages == [
        "cbs_code: is listed more than once (got 'GM0622') [XCH-7]",
        f"offering 1: product: has two offerings in GM0622 (got {PARKING!r}) [XCH-7]",
        "offering 2: municipality: is not a listed municipality (got 'GM0606') [XCH-7]",
        "offering 3: product: is not in the catalogue (got 'urn:nowhere') [XCH-8]",
    ]


def test_a_submission_needs_a_municipality_and_a_sound_year() -> None:
    """XCH-5: at least one municipality; a reference year from 1800 to 2200."""
    with pytest.raises(InputError, match="at least one municipality"):
        build(municipalities=())
    with pytest.raises(InvalidValueError, match="reference_year"):
        build(reference_year=1799)
    with pytest.raises(InvalidValueError, match="source"):
        build(source="  ")


def test_records_of_the_wrong_type_are_refused() -> None:
    """XCH-1: a submission holds vocabulary records only."""
    with pytest.raises(DigimaatError, match="municipalities"):
        Submission.build(("GM0622",), (), reference_year=2024)  # type: ignore[arg-type]
    with pytest.raises(DigimaatError, match="offerings"):
        Submission.build((VLAARDINGEN,), "offerings", reference_year=2024)  # type: ignore[arg-type]
    with pytest.raises(DigimaatError, match="local_products"):
        build(local_products=[PARKING])
    with pytest.raises(DigimaatError, match="catalogue"):
        build(catalogue=[PARKING])


def test_a_local_product_of_the_catalogue_given_is_the_submissions() -> None:
    """XCH-6, XCH-14: a local product of the catalogue given that an offering names is one of
    the submission's local products, so that a document written from the submission defines
    it and reads back to the same submission; the CSV form defines it in the row that names
    it (XCH-13, XCH-18.4), and cannot hold one that no offering names."""
    local = Product.local("urn:gm0622:product:x", "x")
    submission = build(Offering("GM0622", local.uri), catalogue=CATALOGUE.with_local(local))
    assert submission.local_products == (local,)
    assert loads(dumps(submission), form="json", catalogue=CATALOGUE) == submission
    assert loads(dumps(submission, form="csv"), form="csv", catalogue=CATALOGUE) == submission
    unused = build(Offering("GM0622", PARKING), local_products=[local])
    with pytest.raises(ExchangeError, match="named by no offering"):
        dumps(unused, form="csv")


def test_a_local_product_is_checked_when_listed_and_when_written() -> None:
    """XCH-6, XCH-7: a listed local product is not a reference product nor a catalogue
    product; one that a document cannot hold (UPL-only fields, additions without a reason)
    is refused when written, never written to be refused later; one with white space in its
    URI cannot even be made (XCH-6: not empty, no white space)."""
    with pytest.raises(InvalidValueError, match="white space"):
        Product("urn:gm0622 product", "w", reference=False)
    with pytest.raises(InputError, match="reference product"):
        build(local_products=[Product("urn:gm0622:product:r", "r")])
    with pytest.raises(InputError, match="catalogue product"):
        build(local_products=[Product.local(PARKING, "mine")])
    for odd, reason in (
        (
            Product(
                "urn:gm0622:product:y",
                "y",
                sdg_codes=["A1"],
                reference=False,
                legal_bases=[LegalBasis("urn:law")],
            ),
            "sdg_codes",
        ),
        (
            Product(
                "urn:gm0622:product:z", "z", reference=False, additions=Additions(fee_applies=True)
            ),
            "without a reason",
        ),
    ):
        submission = build(local_products=[odd])
        assert submission.local_products == (odd,)
        with pytest.raises(ExchangeError, match=reason):
            dumps(submission)


def test_municipality_lookup() -> None:
    """XCH-1: a submission finds its municipality by CBS code."""
    submission = build()
    assert submission.municipality("GM0556") == MAASSLUIS
    with pytest.raises(InvalidValueError, match="GM0606"):
        submission.municipality("GM0606")
