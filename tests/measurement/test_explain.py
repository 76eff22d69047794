"""Tests of specification chapter EXP: decomposition, gaps and priorities.

The what-if of a priority is applied here the long way, to the offerings, and the dataset
is built and scored again; the gain must be the one reported. Missing capabilities are
checked against the vocabulary's ``level_of`` and ``missing_for``.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from digimaat.errors import InvalidValueError, MeasurementError
from digimaat.measurement.aggregation import AGREEMENT_TOLERANCE
from digimaat.measurement.dataset import Dataset
from digimaat.measurement.explain import RANKINGS, decompose, gaps, priorities
from digimaat.measurement.profiles import (
    BUILTIN_PROFILES,
    Profile,
    builtin_profile,
    standard_profile,
)
from digimaat.measurement.weights import ChannelCost, Volume
from digimaat.vocabulary.assurance import AssuranceLevel, Authentication, AuthMeans
from digimaat.vocabulary.channels import CHANNELS, Channel
from digimaat.vocabulary.maturity import Capability, MaturityLevel, level_of, missing_for
from digimaat.vocabulary.municipalities import Municipality
from digimaat.vocabulary.offerings import Offering, Status, VolumeRecord
from digimaat.vocabulary.products import Additions, Catalogue, Product
from tests.measurement._profile_strategies import (
    EXEMPTION,
    PARKING,
    Case,
    cases,
    gate_caps,
    twenty_vs_thousand,
)

SUM_TOLERANCE = 1e-12
"""Contributions and a value in [0, 1] are sums of a few terms: they agree to 1e-12."""

GAIN_TOLERANCE = 1e-12
"""A gain recomputed the long way agrees with the reported one to 1e-12."""


def _offering(case: Case, code: str, uri: str) -> Offering:
    return next(o for o in case.offerings if o.key == (code, uri))


def _target(offering: Offering, product: Product) -> MaturityLevel:
    """EXP-2: the local target where one is set, else the reference target."""
    return offering.local_target if offering.local_target is not None else product.reference_target


# --------------------------------------------------------------------------- EXP-1


@pytest.mark.property
@given(cases())
def test_contributions_sum_to_the_value(case: Case) -> None:
    """EXP-1: The contributions MUST sum to the value within the tolerance of AGG-8. Where
    the value is undefined, every share is 0 and no product is listed. The products are
    listed largest contribution first, contributions that tie (AGG-10) by URI."""
    ds = case.dataset()
    for name in BUILTIN_PROFILES:
        board = builtin_profile(name).score(ds)
        for code in ds.codes:
            for metric_id in board.results:
                d = decompose(board, code, metric_id)
                contributions = [item.contribution for item in d.items]
                if d.value is None:
                    assert all(c == 0.0 for c in contributions)
                    continue
                assert abs(math.fsum(contributions) - d.value) <= SUM_TOLERANCE
                assert d.total == math.fsum(contributions)
                # Largest first; values within the tolerance tie and then go by URI (AGG-10),
                # so two close values may stand in either order, equal ones only by URI.
                for a, b in itertools.pairwise(d.items):
                    assert a.contribution >= b.contribution - AGREEMENT_TOLERANCE
                    if a.contribution == b.contribution:
                        assert a.uri < b.uri
                assert all(item.share != 0.0 for item in d.items)


def test_decomposition_of_the_worked_example() -> None:
    """EXP-1, by hand: under digimaat-standard the exemption contributes
    1/3 x (1/2 x 4/6 + 1/2 x 1 + 1/2 x 1) = 4/9 and the parking permit
    1/3 x (1/2 x 2/6 + 1/2 x 2/4 + 0) = 5/36 to the score 7/12."""
    board = standard_profile().score(twenty_vs_thousand())
    d = decompose(board, "GM0622")
    assert d.metric == "digimaat-score"
    assert [item.uri for item in d.items] == [EXEMPTION, PARKING]
    assert [item.share for item in d.items] == [0.5, 0.5]
    expected = [Fraction(4, 9), Fraction(5, 36)]
    for item, value in zip(d.items, expected, strict=True):
        assert abs(item.contribution - float(value)) <= 1e-15
    assert sum(expected) == Fraction(7, 12)
    assert [item.level for item in d.items] == [
        MaturityLevel.FULLY_ONLINE,
        MaturityLevel.DOWNLOADABLE_FORM,
    ]


def test_decompose_names_an_unknown_metric() -> None:
    board = standard_profile().score(twenty_vs_thousand())
    with pytest.raises(InvalidValueError, match="popularity"):
        decompose(board, "GM0622", "popularity")


# --------------------------------------------------------------------------- EXP-2


@pytest.mark.property
@given(cases(), st.sampled_from(["local", "reference"]))
def test_gaps_list_exactly_the_capabilities_still_needed(case: Case, target: str) -> None:
    """EXP-2: The missing capabilities MUST be exactly those needed: with them the offering
    reaches its target, and without any one of them it does not."""
    ds = case.dataset()
    products = {p.uri: p for p in case.catalogue}
    for code in ds.codes:
        offered = {
            o.product: o
            for o in case.offerings
            if o.municipality == code and o.status is Status.OFFERED
        }
        listed = gaps(ds, code, target=target)
        assert {g.uri for g in listed} == set(offered)
        keys = [(-g.gap, g.uri) for g in listed]
        assert keys == sorted(keys)
        for gap in listed:
            o, product = offered[gap.uri], products[gap.uri]
            goal = _target(o, product) if target == "local" else product.reference_target
            fee = o.fee_for(product)
            assert gap.target == goal
            assert gap.local == (target == "local" and o.local_target is not None)
            assert gap.level == level_of(o.capabilities, fee_applies=fee)
            assert gap.gap == max(0, int(goal) - int(gap.level))
            missing = set(gap.missing)
            assert missing == missing_for(goal, o.capabilities, fee_applies=fee)
            assert list(gap.missing) == [c for c in Capability if c in missing]
            # Enough: with them the target is reached ...
            assert level_of(o.capabilities | missing, fee_applies=fee) >= goal
            # ... and no fewer: without any one of them it is not.
            for capability in missing:
                rest = o.capabilities | (missing - {capability})
                assert level_of(rest, fee_applies=fee) < goal
            if not fee:
                assert Capability.ONLINE_PAYMENT not in missing


# --------------------------------------------------------------------------- EXP-3


def _what_if(case: Case, code: str, uri: str) -> list[Offering]:
    """The offerings with the what-if of EXP-3 applied to one product, the long way."""
    products = {p.uri: p for p in case.catalogue}
    out = []
    for o in case.offerings:
        if o.key == (code, uri):
            product = products[uri]
            goal = _target(o, product)
            authentication = o.authentication
            required = product.required_assurance
            if goal >= MaturityLevel.ONLINE_SUBMISSION and required is not None:
                authentication = (
                    Authentication.none()
                    if required is AssuranceLevel.NONE
                    else Authentication(AuthMeans.DIGID, required)
                )
            o = attrs.evolve(
                o, capabilities=o.capabilities | gate_caps(int(goal)), authentication=authentication
            )
        out.append(o)
    return out


def _ranked(profile: Profile, by: str) -> Profile:
    """EXP-3: the profile whose score a ranking uses."""
    if by == "requests":
        return attrs.evolve(profile, weighting=Volume())
    if by == "cost":
        return attrs.evolve(profile, weighting=ChannelCost())
    return profile


def _cost_per_contact(case: Case, channel: Channel) -> float | None:
    if case.costs is None:
        cost = channel.default_cost
        return None if cost is None else cost.amount
    return case.costs[channel].amount if channel in case.costs else None


@pytest.mark.property
@given(cases(max_municipalities=2), st.sampled_from(RANKINGS), st.data())
def test_a_priority_gains_what_its_what_if_gains(case: Case, by: str, data: st.DataObject) -> None:
    """EXP-3: Every candidate's what-if changes only that candidate: gains ... MUST be
    evaluated each from the municipality as it is; a candidate whose gain is 0 or undefined
    MUST be left out; the list is by gain, largest first, then by URI."""
    ds = case.dataset()
    code = data.draw(st.sampled_from(ds.codes))
    profile = standard_profile()
    scoring = _ranked(profile, by)
    base = scoring.score(ds).headline.of(code)
    listed = {p.uri: p for p in priorities(ds, profile, code, by=by)}
    products = {p.uri: p for p in case.catalogue}
    for o in case.offerings:
        if o.municipality != code or o.status is not Status.OFFERED:
            continue
        product = products[o.product]
        if level_of(o.capabilities, fee_applies=o.fee_for(product)) >= _target(o, product):
            assert o.product not in listed
            continue
        changed = case.dataset(offerings=_what_if(case, code, o.product))
        gain = scoring.score(changed).headline.of(code) - base
        if o.product in listed:
            assert abs(listed[o.product].gain - gain) <= GAIN_TOLERANCE
            assert listed[o.product].gain > 0
        else:
            assert not gain > GAIN_TOLERANCE  # NaN (no score) or no rise
    ranked = priorities(ds, profile, code, by=by)
    _assert_listed_by_repeated_selection([(p.gain, p.uri) for p in ranked])


def _assert_listed_by_repeated_selection(listed: list[tuple[float, str]]) -> None:
    """AGG-10: the next item listed is, of the items not yet listed whose number ties with
    the greatest number not yet listed, the one with the least URI (ties within 1e-9)."""
    rest = list(listed)
    for item in listed:
        greatest = max(gain for gain, _ in rest)
        tied = [uri for gain, uri in rest if abs(gain - greatest) <= 1e-9]
        assert item[1] == min(tied), (item, rest)
        rest.remove(item)


@pytest.mark.property
@given(cases(max_municipalities=2))
def test_priorities_report_requests_and_cost_at_stake(case: Case) -> None:
    """EXP-3: Each priority reports its missing capabilities, its requests through the
    non-digital channels and its cost at stake; both are `null` when the offering has no
    volume record, the cost also when a used non-digital channel has no known cost."""
    ds = case.dataset()
    products = {p.uri: p for p in case.catalogue}
    for code in ds.codes:
        missing = {g.uri: g.missing for g in gaps(ds, code)}
        for p in priorities(ds, standard_profile(), code):
            o = _offering(case, code, p.uri)
            assert p.missing == missing[p.uri]
            assert p.target == _target(o, products[p.uri])
            if o.volumes is None:
                assert (p.requests, p.cost_at_stake) == (None, None)
                continue
            volumes = {ch: o.volumes.per_year().get(ch.value, 0.0) for ch in CHANNELS}
            offline = {ch: v for ch, v in volumes.items() if not ch.digital}
            assert p.requests == pytest.approx(math.fsum(offline.values()), rel=1e-12)
            costs = {ch: _cost_per_contact(case, ch) for ch, v in offline.items() if v > 0}
            if any(c is None for c in costs.values()):
                assert p.cost_at_stake is None
            else:
                expected = math.fsum(offline[ch] * c for ch, c in costs.items() if c is not None)
                assert p.cost_at_stake == pytest.approx(expected, rel=1e-12)


@pytest.mark.property
@given(cases(max_municipalities=2))
def test_priorities_report_the_change_of_authentication(case: Case) -> None:
    """EXP-3: Where the what-if changes the level of assurance asked, or asks one where none
    was recorded, the priority also reports that change: the authentication asked as it is
    (of several accepted means, the weakest, LOA-7; none where none is recorded) and the one
    the what-if asks."""
    ds = case.dataset()
    for code in ds.codes:
        for p in priorities(ds, standard_profile(), code):
            o = _offering(case, code, p.uri)
            asked = o.authentication
            expected = None if asked is None else Authentication(asked.means, asked.level)
            assert p.asked == expected
            (changed,) = [w for w in _what_if(case, code, p.uri) if w.key == (code, p.uri)]
            after = changed.authentication
            if after is None or (asked is not None and after.level == asked.level):
                assert p.asks is None
            else:
                assert p.asks == after


# The 20-vs-1,000 example by hand (chapter EXP's worked example). Before: 7/12 under
# digimaat-standard. Parking's what-if: it reaches fully online and asks DigiD at its
# required level (low), so maturity (4/6 + 4/6)/2 = 2/3, attainment 1, fully online 1 and
# authentication fit 1 (parking is now in its subject, and fits): (2/3 + 1 + 1 + 1)/4 = 11/12.
AFTER = (Fraction(2, 3) + 1 + 1 + 1) / 4
BY_SCORE = AFTER - Fraction(7, 12)  # 1/3
# By requests (volume weighting), before: (52/153 + 26/51 + 1/51)/3 = 133/459.
BY_REQUESTS = AFTER - Fraction(133, 459)  # 1151/1836
# By cost (balie and telefoon volume x cost): only parking has weight, so before it is
# parking alone: (2/6 + 2/4 + 0)/3 = 5/18.
BY_COST = AFTER - (Fraction(2, 6) + Fraction(2, 4) + 0) / 3  # 23/36


@pytest.mark.parametrize(
    ("by", "gain"), [("score", BY_SCORE), ("requests", BY_REQUESTS), ("cost", BY_COST)]
)
def test_parking_permits_first(by: str, gain: Fraction) -> None:
    """EXP-3, by hand: in the 20-vs-1,000 example the parking permit comes first, with gain
    1/3 by score, 1151/1836 by requests and 23/36 by cost."""
    assert (
        Fraction(1, 3),
        Fraction(1151, 1836),
        Fraction(23, 36),
    ) == (BY_SCORE, BY_REQUESTS, BY_COST)
    (first,) = priorities(twenty_vs_thousand(), standard_profile(), "GM0622", by=by)
    assert first.uri == PARKING
    assert abs(first.gain - float(gain)) <= 1e-15
    assert (first.level, first.target) == (
        MaturityLevel.DOWNLOADABLE_FORM,
        MaturityLevel.FULLY_ONLINE,
    )
    assert first.missing[0] is Capability.ONLINE_SUBMISSION
    assert first.requests == 1000.0
    assert first.cost_at_stake == pytest.approx(1000 * 8.62, rel=1e-12)  # GBP, CHN-3 default


def _two_products(costs: dict[Channel, object] | None = None) -> Dataset:
    """Two identical products (a, b) below target, and a local product, in one municipality."""
    additions = Additions(fee_applies=False, reason="test")
    catalogue = Catalogue(
        (
            Product(uri="urn:test:b", name="b", additions=additions),
            Product(uri="urn:test:a", name="a", additions=additions),
            Product.local("urn:test:local", "local", additions=additions),
        )
    )
    caps = gate_caps(int(MaturityLevel.INFORMATION))
    offerings = [
        Offering(
            "GM0622", uri, capabilities=caps, volumes=VolumeRecord.from_per_year({"balie": 0.0})
        )
        for uri in ("urn:test:b", "urn:test:a", "urn:test:local")
    ]
    muni = Municipality("GM0622", "Vlaardingen", 74124, 2021)
    return Dataset.from_offerings(offerings, [muni], catalogue, costs=costs)  # type: ignore[arg-type]


def test_ties_are_broken_by_uri_and_zero_gains_left_out() -> None:
    """EXP-3: candidates with equal gains are listed by URI; a candidate whose gain is 0 or
    undefined MUST be left out (a local product under metrics of scope `reference`, or a
    product without weight under `volume`)."""
    ds = _two_products()
    ranked = priorities(ds, standard_profile(), "GM0622")
    assert [p.uri for p in ranked] == ["urn:test:a", "urn:test:b"]
    assert ranked[0].gain == ranked[1].gain > 0
    assert "urn:test:local" in {g.uri for g in gaps(ds, "GM0622")}
    # A known volume of zero gives no weight by requests: nothing gains.
    assert priorities(ds, standard_profile(), "GM0622", by="requests") == ()


def test_ranking_by_cost_needs_costs() -> None:
    """EXP-3: A ranking by cost MUST fail, with an error naming the channel, when the dataset
    has no cost per contact for one of those channels, whether or not there are
    candidates."""
    with pytest.raises(MeasurementError, match="cost per contact"):
        priorities(_two_products(costs={}), standard_profile(), "GM0622", by="cost")
    done = twenty_vs_thousand().with_arrays(
        capabilities=twenty_vs_thousand().capabilities | (1 << 11) - 1
    )
    assert priorities(done, standard_profile(), "GM0622", by="cost") == ()
    no_costs = done.with_arrays(cost=done.cost * float("nan"))
    with pytest.raises(MeasurementError, match="cost per contact"):
        priorities(no_costs, standard_profile(), "GM0622", by="cost")


@pytest.mark.parametrize(("by", "target"), [("votes", "local"), ("score", "dream")])
def test_unknown_ranking_or_target_is_named(by: str, target: str) -> None:
    with pytest.raises(InvalidValueError, match=by if by == "votes" else target):
        priorities(twenty_vs_thousand(), standard_profile(), "GM0622", by=by, target=target)
