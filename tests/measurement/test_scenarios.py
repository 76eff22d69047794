"""Scenario tests: the questions of the standard (INT), each on a small hand-built case.

Every expected number is worked out by hand in the comments, from the clauses of WGT, MET
and AGG, not copied from the implementation's output. Tolerance ``TOL = 1e-12`` absolute:
each value is a ratio of sums of at most a few terms in [0, 1000] (binary64 rounding
errors below 1e-15).
"""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

import numpy as np
import pytest

from digimaat.measurement.aggregation import display
from digimaat.measurement.dataset import Dataset
from digimaat.measurement.explain import priorities
from digimaat.measurement.metrics import Availability
from digimaat.measurement.profiles import ScoreBoard, builtin_profile, standard_profile
from digimaat.measurement.weights import Equal, Volume
from digimaat.vocabulary.municipalities import Municipality
from digimaat.vocabulary.offerings import Offering, VolumeRecord
from digimaat.vocabulary.products import Additions, Catalogue, Product
from tests.measurement.strategies import gates_up_to

TOL = 1e-12

SCHIEDAM = Municipality("GM0606", "Schiedam", 79279, 2021)
VLAARDINGEN = Municipality("GM0622", "Vlaardingen", 74124, 2021)
MAASSLUIS = Municipality("GM0556", "Maassluis", 33043, 2021)

INFORMATION = gates_up_to(1)
PDF = gates_up_to(2)  # information online and a downloadable form: level 2
SUBMISSION = gates_up_to(3)
FULLY = gates_up_to(4)  # the SDG art. 6(2) test, with online payment: level 4

NO_FEE = Additions(fee_applies=False, reason="scenario: no fee")


def product(tail: str, additions: Additions = NO_FEE) -> Product:
    return Product(uri=f"urn:scenario:{tail}", name=tail, additions=additions)


def values(board: ScoreBoard, code: str) -> dict[str, float | None]:
    return board.card(code).values


# ---------------------------------------------------------------------------- 1. PDFs
def test_a_municipality_of_pdfs_is_not_fully_online() -> None:
    """Question 1, "Is a PDF mass digital?" (MET-2, MET-3).

    Every product is offered only as a downloadable form (information online and a PDF):
    level 2 everywhere. Fully-online availability is (0 + 0 + 0) / 3 = 0; maturity is
    (2/6 + 2/6 + 2/6) / 3 = 2/6, the download level's score. The MDD maturity is 25 % and
    the EU online availability 50 (MAT-6).
    """
    products = [product(tail) for tail in ("afval", "kapvergunning", "parkeervergunning")]
    ds = Dataset.from_offerings(
        [Offering("GM0606", p.uri, capabilities=PDF) for p in products],
        [SCHIEDAM],
        Catalogue(tuple(products)),
    )
    card = values(standard_profile().score(ds), "GM0606")
    assert card["fully-online"] == 0.0
    assert card["online-submission"] == 0.0
    assert card["maturity"] == pytest.approx(2 / 6, abs=TOL)
    # Reference attainment: target fully-online (4) for each, so 2/4 each: 1/2.
    assert card["attainment"] == pytest.approx(1 / 2, abs=TOL)
    assert builtin_profile("mdd-product").score(ds).card("GM0606").score == 0.25
    assert builtin_profile("eu-online-availability").score(ds).card("GM0606").score == 0.5


# ---------------------------------------------------------------------------- 2. Vlaardingen
def test_removing_digid_from_the_counter_appointment() -> None:
    """Question 3, "Does the authentication fit the product?" (MET-5, MET-8).

    Booking an appointment at the counter needs no assurance (required `none`) and is
    fully online. With DigiD Midden (`low`) asked, for that single product the barrier is
    1/1 = 1 and the fit 0/1 = 0. The standard score is the mean of maturity (4/6),
    attainment (4/4 = 1), fully online (1) and fit: (4/6 + 1 + 1 + 0) / 4 = 2/3.
    Without DigiD (authentication `none`) the fit is 1, the barrier 0, and the score
    (4/6 + 1 + 1 + 1) / 4 = 11/12. No metric gets worse in its good direction: fit and
    score rise, barrier falls, everything else stays.
    """
    appointment = product(
        "bezoekafspraak", Additions(required_assurance="none", fee_applies=False, reason="t")
    )

    def board(authentication: str) -> ScoreBoard:
        offering = Offering(
            "GM0622", appointment.uri, capabilities=FULLY, authentication=authentication
        )
        return standard_profile().score(
            Dataset.from_offerings([offering], [VLAARDINGEN], Catalogue((appointment,)))
        )

    before, after = values(board("DigiD Midden"), "GM0622"), values(board("none"), "GM0622")
    assert (before["authentication-barrier"], before["authentication-fit"]) == (1.0, 0.0)
    assert (after["authentication-barrier"], after["authentication-fit"]) == (0.0, 1.0)
    assert before["digimaat-score"] == pytest.approx(2 / 3, abs=TOL)
    assert after["digimaat-score"] == pytest.approx(11 / 12, abs=TOL)
    for metric in standard_profile().metrics:
        a, b = before[metric.id], after[metric.id]
        if a is None or b is None:
            assert a is b, metric.id  # undefined both times (no forms, no volumes)
        elif metric.id == "authentication-barrier":
            assert b < a
        elif metric.id in ("authentication-fit", "digimaat-score"):
            assert b > a
        else:
            assert b == a, metric.id


# ---------------------------------------------------------------------------- 3. Weighting
EXEMPTION = product("ontheffing")
PARKING = product("parkeervergunning")
CONTAINER = product("afvalcontainer")


def twenty_vs_thousand(*extra: Offering) -> Dataset:
    """The exemption (20 a year through the web, fully online) and the parking permit
    (1,000 a year at the balie, information online only)."""
    return Dataset.from_offerings(
        [
            Offering(
                "GM0556",
                EXEMPTION.uri,
                capabilities=FULLY,
                volumes=VolumeRecord.from_mapping({"web": "20/year"}),
            ),
            Offering(
                "GM0556",
                PARKING.uri,
                capabilities=INFORMATION,
                volumes=VolumeRecord.from_mapping({"balie": "1000/year"}),
            ),
            *extra,
        ],
        [MAASSLUIS],
        Catalogue((EXEMPTION, PARKING, CONTAINER)),
    )


def test_each_product_once_or_each_request() -> None:
    """Question 4, "Does each product count once, or each request?" (WGT-4, WGT-5).

    Fully-online availability per product: (1 + 0) / 2 = 0.5; per request:
    (20 × 1 + 1000 × 0) / (20 + 1000) = 20/1020.
    """
    ds = twenty_vs_thousand()
    fully = Availability("fully-online", "Fully online")
    assert fully.evaluate(ds, Equal()).of("GM0556") == 0.5
    assert fully.evaluate(ds, Volume()).of("GM0556") == pytest.approx(20 / 1020, abs=TOL)
    assert display(fully.evaluate(ds, Volume()).of("GM0556")) == "0.0196"


@pytest.mark.parametrize(
    ("by", "parking_gain", "container_gain"),
    [
        # Equal weights. The products' authentication is not assessed, so the score is the
        # mean of maturity, attainment and fully online (fit is undefined and dropped).
        # Now (levels 4, 1, 3): maturity (4 + 1 + 3)/6/3 = 4/9, attainment
        # (1 + 1/4 + 3/4)/3 = 2/3, fully (1 + 0 + 0)/3 = 1/3: score (4/9 + 1)/3 = 13/27.
        # Parking at 4: 11/18, 11/12, 2/3: score 79/108, a gain of 79/108 - 52/108 = 1/4.
        # Container at 4: 1/2, 3/4, 2/3: score 23/36, a gain of 69/108 - 52/108 = 17/108.
        ("score", Fraction(1, 4), Fraction(17, 108)),
        # Weights 20, 1000, 100 (total 1120). Now: maturity (80 + 1000 + 300)/6720,
        # attainment (20 + 250 + 75)/1120, fully 20/1120: score 119/672.
        # Parking at 4: 4380/6720, 1095/1120, 1020/1120: score 569/672, a gain of
        # 450/672 = 75/112. Container at 4: 1480/6720, 370/1120, 120/1120: score
        # 4420/20160, a gain of (4420 - 3570)/20160 = 85/2016.
        ("requests", Fraction(75, 112), Fraction(85, 2016)),
    ],
)
def test_the_parking_permit_comes_first(
    by: str, parking_gain: Fraction, container_gain: Fraction
) -> None:
    """Question 6, "What should be digitised next?" (EXP-3, with WGT-4 and WGT-5).

    With a third product, a waste container at online submission (100 requests a year
    through the web), the parking permit gains most, per product and per request.
    """
    ds = twenty_vs_thousand(
        Offering(
            "GM0556",
            CONTAINER.uri,
            capabilities=SUBMISSION,
            volumes=VolumeRecord.from_mapping({"web": "100/year"}),
        )
    )
    ranked = priorities(ds, standard_profile(), "GM0556", by=by)
    assert [p.uri for p in ranked] == [PARKING.uri, CONTAINER.uri]
    assert ranked[0].gain == pytest.approx(float(parking_gain), abs=TOL)
    assert ranked[1].gain == pytest.approx(float(container_gain), abs=TOL)
    assert ranked[0].requests == 1000.0


def test_the_parking_permit_comes_first_in_the_example_itself() -> None:
    """Question 6 on the two products of question 4: the exemption has reached its target,
    so the parking permit is the only, and first, priority per product and per request."""
    for by in ("score", "requests"):
        ranked = priorities(twenty_vs_thousand(), standard_profile(), "GM0556", by=by)
        assert ranked[0].uri == PARKING.uri


# ---------------------------------------------------------------------------- 4. Units
def test_volumes_per_month_give_the_results_per_year() -> None:
    """Question 5, "Are two scores comparable?", for the unit of volumes (WGT-2, AGG-9).

    The same volumes given per month and per year (5/month = 60/year, 83/month =
    996/year, 7/month = 84/year) give every value of the volume-weighted profile within
    1e-12, and the same text after display rounding. By hand, fully online (only the
    first product): 60 / (60 + 996 + 84) = 60/1140 = 1/19 = 0.0526315…, shown 0.0526.
    """
    rates = {"a": (5, 60), "b": (83, 996), "c": (7, 84)}
    levels = {"a": FULLY, "b": INFORMATION, "c": SUBMISSION}
    products = tuple(product(tail) for tail in rates)

    def dataset(per: str) -> Dataset:
        offerings = []
        for tail, (monthly, yearly) in rates.items():
            text = f"{monthly} per month" if per == "month" else f"{yearly}/year"
            offerings.append(
                Offering(
                    "GM0606",
                    f"urn:scenario:{tail}",
                    capabilities=levels[tail],
                    volumes=VolumeRecord.from_mapping({"balie": text}),
                )
            )
        return Dataset.from_offerings(offerings, [SCHIEDAM], Catalogue(products))

    profile = builtin_profile("digimaat-volume")
    monthly = values(profile.score(dataset("month")), "GM0606")
    yearly = values(profile.score(dataset("year")), "GM0606")
    assert yearly["fully-online"] == pytest.approx(1 / 19, abs=TOL)
    assert monthly.keys() == yearly.keys()
    for key, value in yearly.items():
        other = monthly[key]
        if value is None or other is None:
            assert value is other, key
            continue
        assert abs(value - other) <= TOL, key
        assert display(value) == display(other), key


# ---------------------------------------------------------------------------- 5. Maatwerk
def test_a_local_target_changes_local_attainment_only() -> None:
    """Question 2, "What is the right target, and where is local tailoring allowed?"
    (MET-4, MET-1.1).

    Two products with reference target fully-online (4): one at online submission (3),
    one fully online. Reference attainment (3/4 + 1) / 2 = 7/8. Without a local target
    the local attainment is the same 7/8. With a local target online-submission (below
    the reference) for the first: local attainment (3/3 + 1) / 2 = 1, reference still
    7/8, and every other metric unchanged. A local product (maatwerk) at level 1 with its
    default target 4 enters local attainment (scope all): (1 + 1 + 1/4) / 3 = 3/4; the
    reference figures stay as they were.
    """
    permit, form = product("kapvergunning"), product("melding")
    local = Product.local("urn:gm0606:product:stadspas", "stadspas", additions=NO_FEE)

    def board(target: str | None, with_local: bool = False) -> ScoreBoard:
        first = Offering(
            "GM0606",
            permit.uri,
            capabilities=SUBMISSION,
            local_target=target,
            local_target_reason=None if target is None else "a hearing at the counter",
        )
        offerings = [first, Offering("GM0606", form.uri, capabilities=FULLY)]
        catalogue = Catalogue((permit, form))
        if with_local:
            offerings.append(Offering("GM0606", local.uri, capabilities=INFORMATION))
            catalogue = catalogue.with_local(local)
        return standard_profile().score(Dataset.from_offerings(offerings, [SCHIEDAM], catalogue))

    plain = values(board(None), "GM0606")
    tailored = values(board("online-submission"), "GM0606")
    assert plain["attainment"] == plain["local-attainment"] == pytest.approx(7 / 8, abs=TOL)
    assert tailored["local-attainment"] == pytest.approx(1.0, abs=TOL)
    assert tailored["attainment"] == plain["attainment"]
    for key in plain:
        if key != "local-attainment":
            assert tailored[key] == plain[key], key
    with_local = values(board("online-submission", with_local=True), "GM0606")
    assert with_local["local-attainment"] == pytest.approx(3 / 4, abs=TOL)
    for key in ("attainment", "maturity", "fully-online", "digimaat-score"):
        assert with_local[key] == pytest.approx(tailored[key], abs=TOL), key


# ---------------------------------------------------------------------------- 6. Order
def test_shuffling_municipalities_and_products_changes_nothing() -> None:
    """AGG-1: "the same offerings, municipalities and products given in any order MUST give
    the same values, coverages and contributions for every municipality."

    Three municipalities and three products: for every order of the municipalities, with
    the offerings and the catalogue shuffled, every score card is identical (exactly).
    """
    products = (EXEMPTION, PARKING, CONTAINER)
    levels = (FULLY, INFORMATION, SUBMISSION, PDF)
    offerings = [
        Offering(
            m.cbs_code,
            p.uri,
            capabilities=levels[(k + n) % len(levels)],
            volumes=VolumeRecord.from_per_year({"web": 10.0 * (k + 1), "balie": 7.0 * (n + 1)}),
        )
        for k, m in enumerate((SCHIEDAM, VLAARDINGEN, MAASSLUIS))
        for n, p in enumerate(products)
    ]
    municipalities = [SCHIEDAM, VLAARDINGEN, MAASSLUIS]
    profile = builtin_profile("digimaat-volume")
    catalogue = Catalogue(products)
    reference = profile.score(Dataset.from_offerings(offerings, municipalities, catalogue))
    assert reference.dataset.codes == ("GM0556", "GM0606", "GM0622")
    cards = reference.cards()
    rng = random.Random(26)
    for order in itertools.permutations(municipalities):
        shuffled = rng.sample(offerings, len(offerings))
        reordered = Catalogue(tuple(rng.sample(products, len(products))))
        board = profile.score(Dataset.from_offerings(shuffled, order, reordered))
        assert board.cards() == cards
        for key, result in reference.results.items():
            np.testing.assert_array_equal(result.contribution, board.results[key].contribution)
