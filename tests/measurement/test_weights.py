"""Tests of chapter WGT: raw weights, their normalisation and the weighting schemes, by clause.

Tolerances: ``TOL = 1e-12`` absolute for values in [0, 1] (ratios of sums of at most eight
binary64 terms err by less than 1e-15); ``REL = 1e-12`` relative for raw weights, which
are products of at most three binary64 numbers. Where a property holds exactly (the same
arrays reduced the same way), it is asserted exactly.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from fractions import Fraction
from typing import ClassVar

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from digimaat.errors import DigimaatError, InvalidValueError, MeasurementError
from digimaat.measurement.aggregation import MissingPolicy
from digimaat.measurement.dataset import Dataset
from digimaat.measurement.metrics import AuthenticationFit, Availability, Maturity, Metric
from digimaat.measurement.profiles import standard_profile
from digimaat.measurement.weights import (
    ChannelCost,
    Custom,
    Equal,
    Mix,
    PerCapita,
    ProductOf,
    Restrict,
    Selector,
    Volume,
    Weighting,
    normalise,
)
from digimaat.units import annual_rate
from digimaat.vocabulary.channels import Channel
from digimaat.vocabulary.channels import ContactCost as Cost
from digimaat.vocabulary.municipalities import Municipality
from digimaat.vocabulary.offerings import Offering, VolumeRecord
from digimaat.vocabulary.products import Additions, Catalogue, Product
from tests.measurement import oracle
from tests.measurement.oracle import SIMPLE, close
from tests.measurement.strategies import (
    FULLY_ONLINE,
    POLICIES,
    WORLD_SETTINGS,
    CellArrays,
    World,
    amounts,
    cell_arrays,
    cells_of,
    custom_tables,
    gates_up_to,
    offerings,
    positive_amounts,
    scale_factors,
    worlds,
)

TOL = 1e-12
REL = 1e-12

GM = Municipality("GM0622", "Vlaardingen", 74124, 2021)
NO_FEE = Additions(fee_applies=False, reason="test: no fee")
EXEMPTION = Product(uri="urn:x:exemption", name="exemption", additions=NO_FEE)
PARKING = Product(uri="urn:x:parking-permit", name="parking permit", additions=NO_FEE)
FULLY = Availability("fully-online", "Fully online")


def twenty_vs_thousand(*extra: Offering, products: tuple[Product, ...] = ()) -> Dataset:
    """The exemption (20 a year, fully online) and the parking permit (1,000, information)."""
    return Dataset.from_offerings(
        [
            Offering(
                "GM0622",
                EXEMPTION.uri,
                capabilities=FULLY_ONLINE,
                volumes=VolumeRecord.from_mapping({"web": "20/year"}),
            ),
            Offering(
                "GM0622",
                PARKING.uri,
                capabilities=gates_up_to(1),
                volumes=VolumeRecord.from_mapping({"balie": "1000/year"}),
            ),
            *extra,
        ],
        [GM],
        Catalogue((EXEMPTION, PARKING, *products)),
    )


def scored(ds: Dataset, weighting: Weighting, policy: MissingPolicy) -> dict[str, np.ndarray]:
    """Value and coverage of every metric of the standard profile under ``weighting``."""
    profile = attrs.evolve(standard_profile(), weighting=weighting, missing=policy)
    board = profile.score(ds)
    out = {}
    for key, result in board.results.items():
        out[key] = result.value
        out[key + "/coverage"] = result.coverage
    return out


def assert_close_results(a: dict[str, np.ndarray], b: dict[str, np.ndarray], tol: float) -> None:
    assert a.keys() == b.keys()
    for key in a:
        for x, y in zip(a[key], b[key], strict=True):
            assert close(float(x), float(y), tol), (key, x, y)


# ---------------------------------------------------------------------------- WGT-1
class TestWGT1RawWeights:
    @pytest.mark.parametrize("bad", [-1.0, float("inf"), -float("inf")])
    def test_a_negative_or_infinite_raw_weight_is_rejected(self, bad: float) -> None:
        """WGT-1: "A negative or infinite raw weight MUST be rejected with an error, never
        clamped or replaced." """
        ds = twenty_vs_thousand()
        raw = np.array([[1.0, bad]])
        with pytest.raises(MeasurementError):
            FULLY.evaluate(ds, raw)

    @pytest.mark.property
    @WORLD_SETTINGS
    @given(worlds(), st.data())
    def test_raw_weights_are_finite_and_not_negative_or_unknown(
        self, world: World, data: st.DataObject
    ) -> None:
        """WGT-1: a weighting gives every cell "a finite number greater than or equal to 0,
        or unknown" (NaN)."""
        ds = world.dataset()
        table = data.draw(custom_tables(world))
        for weighting in (
            Equal(),
            Volume(),
            PerCapita(),
            ChannelCost(),
            Custom(table),
            ProductOf(Custom(table), Volume()),
            Mix(((Equal(), 1.0), (Volume(), 2.0))),
            Restrict(Volume(), Selector(audiences=["bedrijf"])),
        ):
            raw = weighting.raw(ds)
            assert raw.shape == ds.status.shape
            known = raw[~np.isnan(raw)]
            assert np.all(np.isfinite(known)), weighting.kind
            assert np.all(known >= 0.0), weighting.kind


# ---------------------------------------------------------------------------- WGT-2
class TestWGT2Normalisation:
    @pytest.mark.property
    @given(cell_arrays())
    def test_normalised_weights_sum_to_one_over_the_known_base(self, arrays: CellArrays) -> None:
        """WGT-2: "The normalised weight of a cell j of S is w(m, j) / Σ w(m, k) ... and the
        cells outside S have none. The normalised weights of S sum to 1." (TOL)"""
        raw, base = arrays.weight, arrays.eligible
        weights, total = normalise(raw, base)
        known = base & ~np.isnan(raw)
        for i in range(raw.shape[0]):
            expected = math.fsum(raw[i][known[i]])
            assert abs(total[i] - expected) <= REL * expected
            assert np.all(weights[i][~known[i]] == 0.0)
            if expected > 0:
                assert abs(math.fsum(weights[i]) - 1.0) <= TOL
                for j in np.nonzero(known[i])[0]:
                    assert abs(weights[i, j] - raw[i, j] / expected) <= TOL
            else:
                assert not weights[i].any()  # WGT-3: not defined, never divided by zero

    @pytest.mark.property
    @WORLD_SETTINGS
    @given(worlds(), st.sampled_from(POLICIES), scale_factors, st.data())
    def test_a_common_scale_factor_changes_nothing(
        self, world: World, policy: MissingPolicy, k: float, data: st.DataObject
    ) -> None:
        """WGT-2: "Multiplying every raw weight of a municipality by the same factor c > 0
        MUST NOT change any value, coverage or contribution of that municipality."

        Custom weights and the same weights times k give the same values and coverages of
        every metric of the standard profile, within TOL.
        """
        table = data.draw(custom_tables(world, positive_amounts))
        scaled = {uri: w * k for uri, w in table.items()}
        ds = world.dataset()
        assert_close_results(
            scored(ds, Custom(table), policy), scored(ds, Custom(scaled), policy), TOL
        )
        metric = data.draw(st.sampled_from(SIMPLE))
        a = metric.evaluate(ds, Custom(table), policy).contribution
        b = metric.evaluate(ds, Custom(scaled), policy).contribution
        assert np.allclose(a, b, rtol=0.0, atol=TOL)

    @pytest.mark.property
    @WORLD_SETTINGS
    @given(worlds(), st.sampled_from(POLICIES), st.data())
    def test_the_unit_of_time_of_volumes_changes_nothing(
        self, world: World, policy: MissingPolicy, data: st.DataObject
    ) -> None:
        """WGT-2: "The unit of time in which volumes were given (OFF-12) MUST NOT change any
        value".

        Every volume is taken as a whole number n per month, and again as the same rate per
        year, per week or per day: 12 n per year, n × 7 / 30.4375 per week, n / 30.4375
        per day (OFF-12: a month is a twelfth of the Julian year of 365.25 days). Both are
        converted to requests per year with the unit registry's factor for their unit.
        Under volume, per-capita, channel-cost and mixed weightings, every value of the
        standard profile agrees within 1e-12 relative.
        """
        unit = data.draw(st.sampled_from(("year", "week", "day")))
        per_month = {"year": 12.0, "week": 7 / 30.4375, "day": 1 / 30.4375}[unit]

        def restate(o: Offering, unit: str, factor: float) -> Offering:
            if o.volumes is None:
                return o
            counts = {ch: round(v) * factor for ch, v in o.volumes.per_year().items()}
            per_year = {ch: c * _to_year(unit) for ch, c in counts.items()}
            return attrs.evolve(o, volumes=VolumeRecord.from_per_year(per_year))

        monthly = world.map_offerings(lambda o: restate(o, "month", 1.0))
        other = world.map_offerings(lambda o: restate(o, unit, per_month))
        weighting = data.draw(
            st.sampled_from(
                (Volume(), PerCapita(), ChannelCost(), Mix(((Volume(), 1.0), (Equal(), 1.0))))
            )
        )
        a = scored(monthly.dataset(), weighting, policy)
        b = scored(other.dataset(), weighting, policy)
        for key in a:
            for x, y in zip(a[key], b[key], strict=True):
                if math.isnan(x) or math.isnan(y):
                    assert math.isnan(x), key
                    assert math.isnan(y), key
                else:
                    assert math.isclose(x, y, rel_tol=REL, abs_tol=1e-300), (key, x, y)

    @pytest.mark.property
    @WORLD_SETTINGS
    @given(worlds(), st.sampled_from(POLICIES), st.data())
    def test_a_product_of_weight_zero_changes_nothing(
        self, world: World, policy: MissingPolicy, data: st.DataObject
    ) -> None:
        """WGT-2: "A cell whose raw weight is 0 contributes nothing: changing its level, or
        any other of its values, MUST NOT change any value, and its being unknown MUST NOT
        make a value undefined (AGG-4)."

        One product gets custom weight 0; one of its offerings is replaced by another
        random offering (another level, status, authentication, volumes, ...). Every value
        and coverage of the standard profile, and of a drawn metric, stays exactly the same.
        """
        code, uri = data.draw(cells_of(world))
        table = {**data.draw(custom_tables(world)), uri: 0.0}
        replaced = world.with_offering(code, uri, data.draw(offerings(code, uri)))
        a = scored(world.dataset(), Custom(table), policy)
        b = scored(replaced.dataset(), Custom(table), policy)
        for key in a:
            np.testing.assert_array_equal(a[key], b[key], err_msg=key)
        metric = data.draw(st.sampled_from(SIMPLE))
        first = metric.evaluate(world.dataset(), Custom(table), policy)
        second = metric.evaluate(replaced.dataset(), Custom(table), policy)
        np.testing.assert_array_equal(first.value, second.value)
        np.testing.assert_array_equal(first.contribution, second.contribution)

    def test_normalisation_is_over_the_subject_of_each_metric(self) -> None:
        """WGT-2: "Normalisation is over the subject of each metric, not over all products".

        With an unknown third product, equal weights give fully-online availability
        1/(1 + 1) = 0.5 (the unknown product is not counted under `drop`), and a metric
        about the exemption alone (selected by URI) 1/1 = 1.
        """
        ds = twenty_vs_thousand(
            Offering("GM0622", "urn:x:zz-other", status="unknown"),
            products=(Product(uri="urn:x:zz-other", name="other"),),
        )
        assert FULLY.evaluate(ds).of("GM0622") == 0.5
        only = Restrict(Equal(), Selector(uris=[EXEMPTION.uri]))
        assert FULLY.evaluate(ds, only).of("GM0622") == 1.0


@functools.cache
def _to_year(unit: str) -> float:
    """Requests per year in one request per ``unit``, read through the unit registry."""
    return annual_rate(f"1 / {unit}")


# ---------------------------------------------------------------------------- WGT-3
class TestWGT3UnknownAndZero:
    def test_an_unknown_volume_is_unknown_not_zero(self) -> None:
        """WGT-3: "A raw weight that cannot be known MUST be unknown (NaN in the reference
        implementation), never 0 and never any other guessed number."

        A third product without a volume record has an unknown volume weight: it is left
        out of the value (20/1020 stays) and makes `propagate` undefined, which a weight of
        0 would not do (AGG-4).
        """
        ds = twenty_vs_thousand(
            Offering("GM0622", "urn:x:zz-other", capabilities=gates_up_to(1)),
            products=(Product(uri="urn:x:zz-other", name="other"),),
        )
        raw = Volume().raw(ds)
        assert raw[0].tolist()[:2] == [20.0, 1000.0]
        assert math.isnan(raw[0, 2])
        assert FULLY.evaluate(ds, Volume()).of("GM0622") == 20 / 1020
        assert math.isnan(FULLY.evaluate(ds, Volume(), MissingPolicy.PROPAGATE).of("GM0622"))
        zero = Custom({EXEMPTION.uri: 20, PARKING.uri: 1000, "urn:x:zz-other": 0})
        assert FULLY.evaluate(ds, zero, MissingPolicy.PROPAGATE).of("GM0622") == 20 / 1020

    @pytest.mark.parametrize("policy", POLICIES)
    def test_no_weight_at_all_gives_an_undefined_value_not_zero(
        self, policy: MissingPolicy
    ) -> None:
        """WGT-3: "Where the known raw weights of a municipality's subject sum to 0 ... the
        value is undefined ... It MUST NOT be computed by a division by zero, and it MUST
        NOT be reported as 0." (Warnings are errors in this test suite, so a division by
        zero would fail the test.)"""
        ds = twenty_vs_thousand()
        result = FULLY.evaluate(ds, Custom({}, default=0.0), policy)
        assert math.isnan(result.of("GM0622"))
        assert math.isnan(float(result.coverage[0]))
        assert not result.contribution.any()
        assert not result.share.any()


# ---------------------------------------------------------------------------- WGT-4 .. WGT-6
class TestWGT4Equal:
    @pytest.mark.property
    @WORLD_SETTINGS
    @given(worlds(), st.sampled_from(POLICIES), st.sampled_from(SIMPLE))
    def test_equal_weights_count_every_eligible_product_once(
        self, world: World, policy: MissingPolicy, metric: Metric
    ) -> None:
        """WGT-4: "every cell has raw weight 1, so every eligible product of a municipality
        counts once"; the value is the plain mean of the known x (oracle, TOL)."""
        ds = world.dataset()
        assert np.all(Equal().raw(ds) == 1.0)
        result = metric.evaluate(ds, Equal(), policy)
        want = oracle.expected(world, metric, oracle.equal, policy)
        for i, code in enumerate(ds.codes):
            assert close(float(result.value[i]), want[code].value)

    def test_the_example_per_product(self) -> None:
        """WGT-4 (introduction): "Per product the municipality is half digital: 1/2 = 0.5"."""
        assert FULLY.evaluate(twenty_vs_thousand(), Equal()).of("GM0622") == 0.5


class TestWGT5Volume:
    @pytest.mark.property
    @WORLD_SETTINGS
    @given(worlds())
    def test_the_volume_weight_is_the_total_per_year_or_unknown(self, world: World) -> None:
        """WGT-5: "the raw weight of a cell is the offering's volume over all channels, in
        requests per year ... It is unknown for a cell without a volume record" (REL)."""
        ds = world.dataset()
        raw = Volume().raw(ds)
        for i, code in enumerate(ds.codes):
            for j, uri in enumerate(ds.uris):
                o = world.offering(code, uri)
                if o is None or o.volumes is None:
                    assert math.isnan(raw[i, j])
                else:
                    total = math.fsum(o.volumes.per_year_values)
                    assert abs(raw[i, j] - total) <= REL * total

    def test_the_example_per_request(self) -> None:
        """WGT-5 (introduction): "Per request it is 20 / (20 + 1000) = 20/1020 = 1/51"."""
        value = FULLY.evaluate(twenty_vs_thousand(), Volume()).of("GM0622")
        assert value == pytest.approx(float(Fraction(1, 51)), abs=TOL)


class TestWGT6PerCapita:
    @pytest.mark.property
    @WORLD_SETTINGS
    @given(worlds(), st.sampled_from(POLICIES))
    def test_per_capita_equals_volume_within_a_municipality(
        self, world: World, policy: MissingPolicy
    ) -> None:
        """WGT-6: "by WGT-2 every value, coverage and contribution of a municipality MUST be
        the same as under `volume`" (TOL)."""
        ds = world.dataset()
        assert_close_results(
            scored(ds, Volume(), policy), scored(ds, PerCapita(per=100.0), policy), TOL
        )

    def test_raw_weights_differ_between_municipalities(self) -> None:
        """WGT-6: "500 requests a year in a municipality of 25,000 inhabitants and 500 in one
        of 100,000 have the same raw weight 500 under `volume`, and 500 × 1000 / 25000 = 20
        and 500 × 1000 / 100000 = 5 under `per-capita`." """
        product = Product(uri="urn:x:a", name="a")
        ds = Dataset.from_offerings(
            [
                Offering(code, "urn:x:a", volumes=VolumeRecord.from_mapping({"web": "500/year"}))
                for code in ("GM0001", "GM0002")
            ],
            [
                Municipality("GM0001", "small", 25_000, 2021),
                Municipality("GM0002", "large", 100_000, 2021),
            ],
            Catalogue((product,)),
        )
        assert Volume().raw(ds).tolist() == [[500.0], [500.0]]
        assert PerCapita().raw(ds).tolist() == [[20.0], [5.0]]

    @pytest.mark.parametrize("bad", [0, -1000, float("nan"), float("inf"), True, "1000"])
    def test_per_must_be_a_positive_number(self, bad: object) -> None:
        """WGT-6: "The parameter per is a finite number greater than 0"."""
        with pytest.raises(InvalidValueError):
            PerCapita(per=bad)


# ---------------------------------------------------------------------------- WGT-7
class TestWGT7ChannelCost:
    def test_the_default_is_balie_and_telefoon_at_their_sourced_costs(self) -> None:
        """WGT-7: "by default it is `balie` and `telefoon`"; "an offering with 700 requests a
        year at the balie and 300 by post has raw weight 700 × 8.62 = 6,034"."""
        assert ChannelCost().channels == (Channel.BALIE, Channel.TELEFOON)
        ds = Dataset.from_offerings(
            [
                Offering(
                    "GM0622",
                    "urn:x:a",
                    volumes=VolumeRecord.from_mapping({"balie": "700/year", "post": "300/year"}),
                ),
                Offering(
                    "GM0622",
                    "urn:x:b",
                    volumes=VolumeRecord.from_mapping({"telefoon": "100/year", "web": "9/year"}),
                ),
            ],
            [GM],
            Catalogue((Product(uri="urn:x:a", name="a"), Product(uri="urn:x:b", name="b"))),
        )
        # 700 × 8.62 = 6034; 100 × 2.83 = 283 (web is not chosen).
        assert ChannelCost().raw(ds)[0] == pytest.approx([6034.0, 283.0], rel=REL)
        with pytest.raises(MeasurementError, match="post"):
            ChannelCost(channels=("balie", "post")).raw(ds)

    def test_stated_costs_replace_the_defaults(self) -> None:
        """WGT-7: "When a chosen channel has no known cost in the dataset, the weighting MUST
        fail with an error that names the channel; a cost MUST NOT be guessed." (CHN-5:
        stated costs replace the defaults as a whole.)"""
        ds = Dataset.from_offerings(
            [Offering("GM0622", "urn:x:a", volumes=VolumeRecord.from_mapping({"balie": "4/year"}))],
            [GM],
            Catalogue((Product(uri="urn:x:a", name="a"),)),
            costs={Channel.BALIE: Cost(2.5, "EUR", "a local study")},
        )
        # 4 × 2.50 = 10 (EUR); telefoon has no stated cost, so the default choice fails.
        assert ChannelCost(channels=["balie"]).raw(ds).tolist() == [[10.0]]
        assert ChannelCost(channels="balie").channels == (Channel.BALIE,)
        with pytest.raises(MeasurementError, match="telefoon"):
            ChannelCost().raw(ds)

    @pytest.mark.parametrize("bad", [(), ["fax"], ["balie", "pigeon"]])
    def test_the_channels_are_at_least_one_known_channel(self, bad: object) -> None:
        """WGT-7: "The parameter `channels` names at least one channel (CHN-3)"."""
        with pytest.raises(InvalidValueError):
            ChannelCost(channels=bad)

    @pytest.mark.property
    @WORLD_SETTINGS
    @given(worlds())
    def test_channel_cost_is_volume_times_cost(self, world: World) -> None:
        """WGT-7: "the raw weight of a cell is the sum, over the chosen channels c, of the
        offering's volume through c times the cost per contact of c" (REL)."""
        ds = world.dataset()
        raw = ChannelCost().raw(ds)
        costs = {Channel.BALIE: 8.62, Channel.TELEFOON: 2.83}  # CHN-5's defaults
        weight = oracle.channel_cost(costs, (Channel.BALIE, Channel.TELEFOON))
        for i, m in enumerate(ds.municipalities):
            for j, p in enumerate(ds.products):
                want = weight(m, p, world.offering(m.cbs_code, p.uri))
                if want is None:
                    assert math.isnan(raw[i, j])
                else:
                    assert abs(raw[i, j] - float(want)) <= REL * float(want)


# ---------------------------------------------------------------------------- WGT-8 .. WGT-9
class TestWGT8Custom:
    @pytest.mark.parametrize("key", ["parkeervergunning", "bezafspr"])
    def test_a_key_that_is_not_a_full_uri_is_rejected(self, key: str) -> None:
        """WGT-8: "A key MUST be a full product URI; a key that is not ... MUST be rejected." """
        with pytest.raises(InvalidValueError) as info:
            Custom({key: 9.0}, default=1.0)
        assert "weights:" in str(info.value)
        assert repr(key) in str(info.value)

    def test_an_unlisted_product_without_default_is_an_error(self) -> None:
        """WGT-8: "A dataset product that is not listed, when there is no default, MUST be an
        error: a missing weight is not taken as 0 or as 1." """
        ds = twenty_vs_thousand()
        with pytest.raises(MeasurementError):
            Custom({EXEMPTION.uri: 1.0}).raw(ds)
        assert Custom({EXEMPTION.uri: 1.0}, default=3).raw(ds).tolist() == [[1.0, 3.0]]

    def test_the_weight_is_the_same_in_every_municipality(self) -> None:
        """WGT-8: "an explicit raw weight per product URI ... the same in every municipality".

        Weights 20 and 1000 reproduce the volume weighting of the example: 20/1020."""
        ds = twenty_vs_thousand()
        custom = Custom({EXEMPTION.uri: 20, PARKING.uri: 1000})
        assert FULLY.evaluate(ds, custom).of("GM0622") == FULLY.evaluate(ds, Volume()).of("GM0622")

    @pytest.mark.parametrize(
        ("weights", "default"),
        [
            ({"urn:x:a": -1}, None),
            ({"urn:x:a": float("nan")}, None),
            ({"urn:x:a": float("inf")}, None),
            ({"urn:x:a": True}, None),
            ({"urn:x:a": "1"}, None),
            ({"urn:x:a": 1}, -1),
            ({"urn:x:a": 1}, float("nan")),
            ({"urn:x:a": 1}, "0"),
            ({3: 1}, None),
            ("urn:x:a", None),
        ],
    )
    def test_weights_are_finite_and_not_negative(self, weights: object, default: object) -> None:
        """WGT-8: the weights are "each a finite number greater than or equal to 0"; so is
        the optional default."""
        with pytest.raises(InvalidValueError):
            Custom(weights, default=default)


class TestWGT9Product:
    @pytest.mark.property
    @WORLD_SETTINGS
    @given(worlds(), st.data())
    def test_the_product_is_cellwise_and_unknown_where_a_factor_is(
        self, world: World, data: st.DataObject
    ) -> None:
        """WGT-9: "the cell-wise product of the raw weights of two weightings ... It is
        unknown where either factor is unknown, even where the other is 0." (REL)"""
        ds = world.dataset()
        table = data.draw(custom_tables(world, st.just(0.0) | amounts))
        left, right = Custom(table).raw(ds), Volume().raw(ds)
        raw = ProductOf(Custom(table), Volume()).raw(ds)
        assert np.array_equal(np.isnan(raw), np.isnan(left) | np.isnan(right))
        known = ~np.isnan(raw)
        assert np.allclose(raw[known], (left * right)[known], rtol=REL, atol=0.0)

    def test_factors_must_be_weightings(self) -> None:
        """WGT-9: the factors are two weightings; anything else is bad input."""
        with pytest.raises(InvalidValueError):
            ProductOf(Equal(), "volume")


# ---------------------------------------------------------------------------- WGT-10
class TestWGT10Mix:
    def test_the_equal_mix_of_the_example(self) -> None:
        """WGT-10: "The mixed weight of the exemption is 1/2 × 1/2 + 1/2 × 1/51 = 1/4 + 1/102
        = 53/204 ... and of the permit ... 151/204"; fully online is 53/204."""
        ds = twenty_vs_thousand()
        mix = Mix(((Equal(), 1), (Volume(), 1)))
        assert mix.raw(ds)[0] == pytest.approx([53 / 204, 151 / 204], abs=TOL)
        assert FULLY.evaluate(ds, mix).of("GM0622") == pytest.approx(53 / 204, abs=TOL)
        # Shares are divided by their sum: 2 and 2 is 1 and 1.
        assert Mix(((Equal(), 2), (Volume(), 2))).raw(ds)[0] == pytest.approx(mix.raw(ds)[0])

    def test_an_unknown_weight_under_one_part_leaves_the_shares_of_the_mix(self) -> None:
        """WGT-10: "Each part is normalised over B", the cells of the metric's subject "whose
        raw weight is known under every part"; "A cell of the subject outside B has an
        unknown mixed weight".

        A third product without a volume record is outside B: the mix of the example is
        unchanged (53/204 fully online, not 1/2 × 1/3 + 1/2 × 1/51 of a base of three).
        """
        ds = twenty_vs_thousand(
            Offering("GM0622", "urn:x:zz-other", capabilities=gates_up_to(1)),
            products=(Product(uri="urn:x:zz-other", name="other"),),
        )
        mix = Mix(((Equal(), 1), (Volume(), 1)))
        raw = mix.raw(ds)[0]
        assert raw[:2] == pytest.approx([53 / 204, 151 / 204], abs=TOL)
        assert math.isnan(raw[2])
        assert FULLY.evaluate(ds, mix).of("GM0622") == pytest.approx(53 / 204, abs=TOL)

    def test_a_part_without_weight_makes_the_mix_undefined(self) -> None:
        """WGT-10: "Where the raw weights of some part sum to 0 over B, ... every mixed
        weight of the municipality in the metric is 0, so the metric does not apply there
        ... and its value is undefined." """
        ds = twenty_vs_thousand()
        mix = Mix(((Equal(), 1), (Custom({}, default=0.0), 1)))
        assert mix.raw(ds).tolist() == [[0.0, 0.0]]
        assert math.isnan(FULLY.evaluate(ds, mix).of("GM0622"))

    @pytest.mark.property
    @WORLD_SETTINGS
    @given(worlds(), st.sampled_from(POLICIES), st.sampled_from(SIMPLE), st.data())
    def test_a_mix_of_one_weighting_is_that_weighting(
        self, world: World, policy: MissingPolicy, metric: Metric, data: st.DataObject
    ) -> None:
        """WGT-10: each part is normalised per municipality, and a metric then normalises the
        mixed weights over its own subject (WGT-2); a mix of one weighting therefore gives
        every value that weighting gives (TOL)."""
        ds = world.dataset()
        part = data.draw(
            st.sampled_from((Equal(), Volume(), Custom(data.draw(custom_tables(world)))))
        )
        share = data.draw(positive_amounts)
        a = metric.evaluate(ds, part, policy).value
        b = metric.evaluate(ds, Mix(((part, share),)), policy).value
        for x, y in zip(a, b, strict=True):
            assert close(float(x), float(y)), (x, y)

    @pytest.mark.property
    @WORLD_SETTINGS
    @given(worlds(), st.data())
    def test_mixed_weights_sum_to_one_over_the_common_base(
        self, world: World, data: st.DataObject
    ) -> None:
        """WGT-10: "the mixed raw weight of a cell of B is Σ a_k × (normalised weight of the
        cell under part k)", with shares summing to 1: they sum to 1 over B (TOL), or are
        all 0 where the mix is not defined."""
        ds = world.dataset()
        table = data.draw(custom_tables(world))
        raw = Mix(((Custom(table), 2.0), (Volume(), 1.0), (Equal(), 0.5))).raw(ds)
        for i in range(raw.shape[0]):
            row = raw[i][ds.applicable[i] & ~np.isnan(raw[i])]
            assert row.size == 0 or not row.any() or abs(math.fsum(row) - 1.0) <= TOL

    @pytest.mark.property
    @WORLD_SETTINGS
    @given(worlds(), st.sampled_from(SIMPLE), positive_amounts, positive_amounts, st.data())
    def test_the_parts_keep_their_shares_in_every_metric(
        self, world: World, metric: Metric, a: float, b: float, data: st.DataObject
    ) -> None:
        """WGT-2, WGT-10: every part is normalised over the subject of each metric, so that
        "the parts keep exactly their shares in every metric": under `zero`, where every
        raw weight of the subject is known, the value under a mix with shares a and b is
        (a × value under the first + b × value under the second) / (a + b), for metrics
        whose subject is narrower than the applicable cells (authentication fit, scope
        `reference`) as for the others (TOL)."""
        ds = world.dataset()
        custom = Custom(data.draw(custom_tables(world)))
        mixed = metric.evaluate(ds, Mix(((Equal(), a), (custom, b))), MissingPolicy.ZERO)
        first = metric.evaluate(ds, Equal(), MissingPolicy.ZERO)
        second = metric.evaluate(ds, custom, MissingPolicy.ZERO)
        for i in range(len(ds.codes)):
            x, y, z = float(first.value[i]), float(second.value[i]), float(mixed.value[i])
            if math.isnan(x) or math.isnan(y):
                assert math.isnan(z), (metric.id, x, y, z)  # a part without weight
                continue
            assert close(z, (a * x + b * y) / (a + b), 1e-9), (metric.id, x, y, z)

    def test_a_mix_is_normalised_over_the_subject_of_authentication_fit(self) -> None:
        """WGT-10: "For a metric and a municipality, let B be the cells of the metric's
        subject whose raw weight is known under every part." Authentication fit is about two
        of three products: their mixed weights are 1/2 × 1/2 + 1/2 × 1/4 = 3/8 and 5/8, so
        the fit is 3/8, not 13/32 (the mix over all three, then renormalised)."""
        fully = FULLY_ONLINE
        booking = Product(
            uri="urn:x:a",
            name="a",
            additions=Additions(required_assurance="none", fee_applies=False, reason="test"),
        )
        permit = Product(
            uri="urn:x:b",
            name="b",
            additions=Additions(required_assurance="low", fee_applies=False, reason="test"),
        )
        other = Product(uri="urn:x:c", name="c")
        ds = Dataset.from_offerings(
            [
                Offering(
                    "GM0622",
                    "urn:x:a",
                    capabilities=fully,
                    authentication="none",
                    volumes=VolumeRecord.from_mapping({"web": "100/year"}),
                ),
                Offering(
                    "GM0622",
                    "urn:x:b",
                    capabilities=fully,
                    authentication="DigiD Substantieel",
                    volumes=VolumeRecord.from_mapping({"web": "300/year"}),
                ),
                Offering(
                    "GM0622",
                    "urn:x:c",
                    capabilities=gates_up_to(1),
                    volumes=VolumeRecord.from_mapping({"balie": "600/year"}),
                ),
            ],
            [Municipality("GM0622", "Vlaardingen", 74124, 2021)],
            Catalogue((booking, permit, other)),
        )
        mix = Mix(((Equal(), 1), (Volume(), 1)))
        fit = AuthenticationFit("fit", "Fit", scope="all")
        assert fit.evaluate(ds, mix).of("GM0622") == pytest.approx(3 / 8, abs=TOL)
        everything = Availability("fully", "Fully", scope="all")
        assert everything.evaluate(ds, mix).of("GM0622") == pytest.approx(8 / 15, abs=TOL)

    @pytest.mark.parametrize(
        "parts",
        [(), ((Equal(), 0),), ((Equal(), -1),), ((Equal(), float("nan")),), (("equal", 1),)],
    )
    def test_bad_parts_are_rejected(self, parts: object) -> None:
        """WGT-10: "a convex mix of weightings with shares a1, ..., an, each a finite number
        greater than 0"."""
        with pytest.raises(InvalidValueError):
            Mix(parts)


# ---------------------------------------------------------------------------- WGT-11
class TestWGT11Restrict:
    @pytest.mark.property
    @WORLD_SETTINGS
    @given(worlds(), st.sampled_from(POLICIES), st.sampled_from(SIMPLE), st.data())
    def test_restricting_is_measuring_only_the_selected_products(
        self, world: World, policy: MissingPolicy, metric: Metric, data: st.DataObject
    ) -> None:
        """WGT-11: "A selected product keeps its raw weight; any other product gets raw
        weight 0, so that, by WGT-2, it changes no value."

        Restricting to a random subset of URIs gives the values of a dataset of only those
        products (TOL: the sums run over more, zero, terms).
        """
        chosen = data.draw(st.lists(st.sampled_from(world.uris), unique=True))
        restricted = Restrict(Volume(), Selector(uris=chosen))
        full = metric.evaluate(world.dataset(), restricted, policy).value
        if not chosen:  # nothing selected: no weight anywhere, so nothing is defined
            assert np.all(np.isnan(full))
            return
        ds = Dataset.from_offerings(
            [o for o in world.offerings if o.product in chosen],
            world.municipalities,
            world.catalogue,
            products=chosen,
        )
        part = metric.evaluate(ds, Volume(), policy).value
        for value, expected in zip(full, part, strict=True):
            assert close(float(value), float(expected)), (value, expected)

    def test_criteria_match_any_value_and_all_criteria(self) -> None:
        """WGT-11: "A product meets a criterion that is unset, or a criterion one of whose
        listed values it has; it is selected when it meets every criterion. An empty list
        therefore selects nothing." """
        burger = Product(uri="u1", name="n", audiences=["burger"], upl_flags=["Gemeente"])
        both = Product(
            uri="u2",
            name="n",
            audiences=["burger", "bedrijf"],
            task_types=["medebewind"],
            interaction_kinds=["aanvraag"],
        )
        assert Selector().matches(burger)
        assert Selector(audiences=["bedrijf", "burger"]).matches(burger)
        assert not Selector(audiences=["bedrijf"]).matches(burger)
        assert Selector(audiences=["bedrijf"], task_types=["medebewind"]).matches(both)
        assert not Selector(audiences=["bedrijf"], task_types=["autonomie"]).matches(both)
        assert Selector(interaction_kinds=["Aanvraag"]).matches(both)
        assert Selector(upl_flags=["Gemeente"]).matches(burger)
        assert not Selector(upl_flags=["gemeente"]).matches(burger)  # matched exactly
        assert Selector(uris=["u2"]).matches(both)
        assert not Selector(uris=["u2"]).matches(burger)
        assert not Selector(audiences=[]).matches(burger)

    @pytest.mark.parametrize(
        "criteria",
        [
            {"audiences": ["citizen"]},
            {"task_types": ["eigen"]},
            {"interaction_kinds": ["klacht"]},
        ],
    )
    def test_unknown_names_are_rejected(self, criteria: dict[str, list[str]]) -> None:
        """WGT-11: "A name that is not in the vocabulary of its criterion MUST be rejected
        with an error that names the field and the value." """
        with pytest.raises(DigimaatError) as info:
            Selector(**criteria)
        field = next(iter(criteria))
        assert field in str(info.value)

    def test_restricting_to_business_products(self) -> None:
        """WGT-11: restricting "to the products for businesses ... gives the score for
        ondernemers".

        Of the two products, only the parking permit is for businesses: fully online 0/1.
        """
        permit = attrs.evolve(PARKING, audiences=frozenset({"bedrijf"}))
        ds = Dataset.from_offerings(
            [
                Offering("GM0622", EXEMPTION.uri, capabilities=FULLY_ONLINE),
                Offering("GM0622", permit.uri, capabilities=gates_up_to(1)),
            ],
            [GM],
            Catalogue((EXEMPTION, permit)),
        )
        business = Restrict(Equal(), Selector(audiences=["bedrijf"]))
        assert business.raw(ds).tolist() == [[0.0, 1.0]]
        assert FULLY.evaluate(ds, business).of("GM0622") == 0.0
        assert Maturity("m", "M").evaluate(ds, business).of("GM0622") == pytest.approx(1 / 6)


# ---------------------------------------------------------------------------- WGT-1: range
class TestWGT1Range:
    """WGT-1: every number a methodology is given is 0 or from 1e-15 to 1e15; with the
    volumes of OFF-14 and at most 8 factors (WGT-9), no sum or normalisation of weights can
    overflow or lose a weight in a denormal number."""

    OUTSIDE = (1e308, 10**400, 5e-324, 1e-16, 1.0000000000000002e15, -1.0, math.nan, math.inf)

    MAKERS: ClassVar[dict[str, Callable[[object], object]]] = {
        "custom weight": lambda v: Custom({"urn:x:a": v}),
        "custom default": lambda v: Custom({}, default=v),
        "per": lambda v: PerCapita(per=v),
        "mix share": lambda v: Mix(((Equal(), v),)),
        "composite weight": lambda v: _composite(v),
        "cost per contact": lambda v: Cost(v, "EUR", "test"),
    }

    KINDS: ClassVar[dict[str, str]] = {
        "custom weight": "WGT-8",
        "custom default": "WGT-8",
        "per": "WGT-6",
        "mix share": "WGT-10",
        "composite weight": "MET-8",
        "cost per contact": "CHN-6",
    }
    """The clause of each kind of number: a value that is no finite number >= 0 breaks it."""

    @pytest.mark.parametrize("maker", sorted(MAKERS))
    @pytest.mark.parametrize("value", [*OUTSIDE, "1", True])
    def test_a_number_outside_the_range_is_refused(self, maker: str, value: object) -> None:
        """WGT-1: a number outside the range MUST be rejected: never overflow, never a
        denormal weight, never a bare Python error. A value that is no finite number >= 0
        breaks the clause of its kind; a positive one beyond the range breaks WGT-1 (a cost
        over 1e6 per contact, CHN-7)."""
        with pytest.raises(InvalidValueError) as caught:
            self.MAKERS[maker](value)
        number = isinstance(value, int | float) and not isinstance(value, bool)
        beyond = number and value == value and value > 0 and value != math.inf  # type: ignore[operator]
        expected = {"WGT-1", "CHN-7"} if beyond else {self.KINDS[maker]}
        assert caught.value.problem.clause in expected

    @pytest.mark.parametrize("maker", sorted(MAKERS))
    @pytest.mark.parametrize("value", [1e-15, 1e6, 1, 0.5])
    def test_the_bounds_are_accepted(self, maker: str, value: float) -> None:
        """WGT-1: from 1e-15 to 1e15, both included (a cost per contact to 1e6, CHN-7)."""
        self.MAKERS[maker](value)
        if maker != "cost per contact":
            self.MAKERS[maker](1e15)

    def test_a_product_multiplies_at_most_eight_raw_weights(self) -> None:
        """WGT-9: A weighting MUST NOT multiply more than 8 raw weights; a restrict counts
        its base's, a mix one."""
        eight: Weighting = Volume()
        for _ in range(7):
            eight = ProductOf(eight, Restrict(Volume(), Selector()))
        with pytest.raises(InvalidValueError, match="more than 8") as caught:
            ProductOf(eight, Volume())
        assert caught.value.problem.clause == "WGT-9"
        ProductOf(Mix(((eight, 1.0),)), Volume())  # a mix of products counts as one

    def test_a_profile_file_refuses_the_same_numbers(self) -> None:
        """WGT-1, PRF-7: a profile read from its data refuses the numbers a record refuses,
        each at its JSON pointer."""
        from digimaat.errors import InputError
        from digimaat.measurement.profiles import Profile

        data = standard_profile().to_dict()
        data["weighting"] = {
            "kind": "mix",
            "parts": [
                {"weighting": {"kind": "per-capita", "per": 1e-16}, "share": 1},
                {"weighting": {"kind": "custom", "weights": {"urn:x:a": 5e-324}}, "share": 1e16},
            ],
        }
        with pytest.raises(InputError) as caught:
            Profile.from_dict(data)
        assert sorted(p.location for p in caught.value.problems) == [
            "/weighting/parts/0/weighting/per",
            "/weighting/parts/1/share",
            "/weighting/parts/1/weighting/weights/urn:x:a",
        ]


def _composite(value: object) -> Metric:
    from digimaat.measurement.metrics import Composite

    return Composite("c", "C", parts=((FULLY, value), (Maturity("m", "M"), 1.0)))


EXTREMES = (0.0, 1e-6, 1e12)
"""VolumeRecord of one channel at the limits of OFF-14 (0, MIN_VOLUME, MAX_VOLUME)."""
WEIGHT_EXTREMES = (1e-15, 1e15)
COST_EXTREMES = (1e-15, 1e6)
"""A cost per contact at its limits: 1e-15 (WGT-1) and 1e6 (CHN-7)."""
_PRODUCTS = tuple(Product(uri=f"urn:x:{c}", name=c, additions=NO_FEE) for c in "abc")
_CHANNELS = (Channel.BALIE, Channel.TELEFOON, Channel.WEB)


@st.composite
def extreme_datasets(draw: st.DrawFn) -> Dataset:
    """Two municipalities (population 1 and 10^9), three products, volumes and costs at
    their limits; every offering offered, with some capabilities."""
    munis = [
        Municipality("GM0001", "Klein", 1, 2021),
        Municipality("GM0002", "Groot", 10**9, 2021),
    ]
    offerings = []
    for m in munis:
        for p in _PRODUCTS:
            volumes = {ch: draw(st.sampled_from(EXTREMES)) for ch in _CHANNELS}
            offerings.append(
                Offering(
                    m.cbs_code,
                    p.uri,
                    capabilities=gates_up_to(draw(st.integers(0, 6))),
                    volumes=VolumeRecord.from_per_year(volumes),
                )
            )
    costs = {ch: Cost(draw(st.sampled_from(COST_EXTREMES)), "EUR", "test") for ch in Channel}
    return Dataset.from_offerings(offerings, munis, Catalogue(_PRODUCTS), costs=costs)


_EXTREME = st.sampled_from(WEIGHT_EXTREMES)
_LEAVES = st.one_of(
    st.just(Equal()),
    st.just(Volume()),
    st.builds(PerCapita, _EXTREME),
    st.builds(ChannelCost, st.sets(st.sampled_from(_CHANNELS), min_size=1).map(tuple)),
    st.builds(
        Custom,
        st.fixed_dictionaries({p.uri: _EXTREME for p in _PRODUCTS}),
        st.none() | _EXTREME,
    ),
)
extreme_weightings = st.recursive(
    _LEAVES,
    lambda inner: st.one_of(
        st.builds(ProductOf, inner, inner),
        st.builds(Restrict, inner, st.just(Selector(uris=[_PRODUCTS[0].uri, _PRODUCTS[2].uri]))),
        st.lists(st.tuples(inner, _EXTREME), min_size=1, max_size=3).map(Mix),
    ),
    max_leaves=8,  # at most 8 raw weights multiplied (WGT-9)
)


@pytest.mark.property
@given(extreme_datasets(), extreme_weightings, st.sampled_from(POLICIES))
def test_normalisation_at_the_limits_neither_overflows_nor_underflows(
    ds: Dataset, weighting: Weighting, policy: MissingPolicy
) -> None:
    """WGT-1, WGT-2, AGG-7: with weights, shares, ``per`` and costs at 1e-15 and 1e15,
    volumes at 0, 1e-6 and 1e12 and populations of 1 and 10^9, every raw weight is finite,
    every positive raw weight stays positive once normalised together with the others, the
    normalised weights of a municipality sum to 1, and every value and coverage is finite
    and within its metric's range where it is defined, NaN where it is not."""
    raw = weighting.raw(ds)
    known = ~np.isnan(raw)
    assert np.isfinite(raw[known]).all()
    positive = known & (raw > 0)
    assert (raw[positive] >= np.finfo(np.float64).tiny).all()  # normal, not denormal
    weights, total = normalise(raw, ds.applicable)
    assert np.isfinite(total).all()
    has_weight = (positive & ds.applicable).any(axis=1)
    assert (total[has_weight] > 0).all()
    assert (weights[positive & ds.applicable] > 0).all()
    sums = weights.sum(axis=1)
    assert np.allclose(sums[has_weight], 1.0, rtol=0, atol=TOL)
    for key, values in scored(ds, weighting, policy).items():
        defined = ~np.isnan(values)
        assert np.isfinite(values[defined]).all(), key
        assert ((values[defined] >= -TOL) & (values[defined] <= 1 + TOL)).all(), (key, values)
