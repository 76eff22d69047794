"""Tests of the Submission record (XCH-1, XCH-7) built in code."""

from __future__ import annotations

import pytest

from digimaat.errors import DigimaatError, InputError, InvalidValueError
from digimaat.exchange import Submission
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
    assert build(Offering("GM0622", PARKING)) == Submission(
        2024, (VLAARDINGEN, MAASSLUIS), (Offering("GM0622", PARKING),)
    )
    assert Submission(2024, (VLAARDINGEN,), ()).catalogue is not None
    assert len(Submission(2024, (VLAARDINGEN,), ()).catalogue) == len(reference_catalogue())


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
        "cbs_code: is listed more than once (got 'GM0622')",
        "municipality: is not a listed municipality (got 'GM0606')",
        f"product: has two offerings in GM0622 (got {PARKING!r})",
        "product: is not in the submission's catalogue (got 'urn:nowhere')",
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
        Submission(2024, ("GM0622",), ())  # type: ignore[arg-type]
    with pytest.raises(DigimaatError, match="offerings"):
        Submission(2024, (VLAARDINGEN,), "offerings")  # type: ignore[arg-type]


def test_local_products_must_be_listed_and_exchangeable() -> None:
    """XCH-6: a local product used by an offering is listed; it has no UPL-only fields."""
    local = Product.local("urn:gm0622:product:x", "x")
    with_local = CATALOGUE.with_local(local)
    with pytest.raises(InputError, match="local product not in local_products"):
        Submission(2024, (VLAARDINGEN,), (Offering("GM0622", local.uri),), (), None, with_local)
    assert Submission(
        2024, (VLAARDINGEN,), (Offering("GM0622", local.uri),), (local,), None, with_local
    )
    odd = Product(
        "urn:gm0622:product:y",
        "y",
        sdg_codes=["A1"],
        reference=False,
        legal_bases=[LegalBasis("urn:law")],
        additions=Additions(fee_applies=True),
    )
    with pytest.raises(InputError) as info:
        build(local_products=[odd])
    assert {p.field for p in info.value.problems} == {"sdg_codes", "legal_bases", "reason"}


def test_municipality_lookup() -> None:
    """XCH-1: a submission finds its municipality by CBS code."""
    submission = build()
    assert submission.municipality("GM0556") == MAASSLUIS
    with pytest.raises(InvalidValueError, match="GM0606"):
        submission.municipality("GM0606")
