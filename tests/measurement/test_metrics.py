"""Tests of chapter MET: metrics, their subjects, coverage and contributions, by clause.

Most properties compare :mod:`digimaat.measurement.metrics` with the plain-Python oracle in
:mod:`tests.measurement.oracle`, which reads the specification's table of MET-1.1 cell by
cell and reduces in exact rational arithmetic. Tolerance: ``TOL = 1e-12`` absolute. Every
value lies in [0, 1] and is a ratio of sums of at most eight terms, whose binary64
rounding errors are below 1e-15; 1e-12 leaves room for that and is far stricter than the
agreement tolerance of AGG-8 (1e-9).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from digimaat.errors import DigimaatError, InvalidValueError
from digimaat.measurement.aggregation import Method, MissingPolicy
from digimaat.measurement.dataset import Dataset
from digimaat.measurement.metrics import (
    LINEAR_SCORES,
    Attainment,
    AuthenticationFit,
    Availability,
    Composite,
    Maturity,
    Metric,
    MetricResult,
    Uptake,
)
from digimaat.measurement.profiles import standard_profile
from digimaat.measurement.weights import Custom, Equal, PerCapita, Volume, Weighting
from digimaat.vocabulary.assurance import AssuranceLevel, Authentication, AuthMeans
from digimaat.vocabulary.municipalities import Municipality
from digimaat.vocabulary.offerings import FormFunnel, Offering, Status, VolumeRecord
from digimaat.vocabulary.products import Additions, Catalogue, Product
from tests.measurement import oracle
from tests.measurement.oracle import (
    ATTAINMENT,
    AUTHENTICATION,
    AVAILABILITY,
    COMPOSITES,
    EU,
    MATURITY,
    MDD,
    NOT_LOCAL,
    REFERENCE_SCOPE,
    SIMPLE,
    SUCCESS,
    TOL,
    UPTAKE,
    WITH_COMPOSITES,
    close,
)
from tests.measurement.strategies import (
    FULLY_ONLINE,
    POLICIES,
    WORLD_SETTINGS,
    World,
    authentication_at,
    capability_sets,
    catalogues,
    cells_of,
    custom_tables,
    gates_up_to,
    offerings,
    worlds,
)

WEIGHTINGS = ("equal", "volume", "per-capita", "custom")


def weighting_pair(name: str, table: dict[str, float]) -> tuple[Weighting, oracle.WeightFn]:
    """A weighting of the implementation and the oracle's reading of it."""
    if name == "equal":
        return Equal(), oracle.equal
    if name == "volume":
        return Volume(), oracle.volume
    if name == "per-capita":
        return PerCapita(), oracle.per_capita()
    return Custom(table), oracle.custom(table)


def check_against_oracle(
    world: World, metric: Metric, name: str, table: dict[str, float], policy: MissingPolicy
) -> MetricResult:
    """Evaluate ``metric`` and compare value, coverage and contributions with the oracle."""
    weighting, weight = weighting_pair(name, table)
    ds = world.dataset()
    result = metric.evaluate(ds, weighting, policy)
    want = oracle.expected(world, metric, weight, policy)
    for i, code in enumerate(ds.codes):
        e = want[code]
        assert close(float(result.value[i]), e.value), (code, result.value[i], e.value)
        assert close(float(result.coverage[i]), e.coverage), (code, result.coverage[i], e)
        assert bool(result.applies[i]) == e.applies, (code, "applies (MET-1.2)")
        got = result.contributions_of(code)
        assert set(got) == set(e.contributions), (code, got, e.contributions)
        for uri, c in e.contributions.items():
            assert close(got[uri], c), (code, uri, got[uri], c)
    return result


ORACLE_CASES = {
    "world": worlds(),
    "policy": st.sampled_from(POLICIES),
    "name": st.sampled_from(WEIGHTINGS),
    "data": st.data(),
}
"""A random world, policy, weighting and (through ``data``) custom weights."""


def _table(data: st.DataObject, world: World) -> dict[str, float]:
    return data.draw(custom_tables(world))


# ---------------------------------------------------------------------------- MET-1
class TestMET1Metric:
    @pytest.mark.parametrize(
        ("metric", "clause", "unit", "direction"),
        [
            (AVAILABILITY[0], "MET-2", "share", 1),
            (MATURITY[0], "MET-3", "score", 1),
            (ATTAINMENT[0], "MET-4", "score", 1),
            (AUTHENTICATION[0], "MET-5", "share", 1),
            (AUTHENTICATION[1], "MET-5", "share", -1),
            (AUTHENTICATION[2], "MET-5", "share", -1),
            (UPTAKE[0], "MET-6", "share", 1),
            (SUCCESS[0], "MET-7", "share", 1),
            (standard_profile().metrics[-1], "MET-8", "score", 1),
        ],
    )
    def test_every_metric_states_clause_unit_range_and_direction(
        self, metric: Metric, clause: str, unit: str, direction: int
    ) -> None:
        """MET-1: a metric has an id, a title, its clause, a unit, the range [0, 1] and a
        direction (+1 when higher is better, -1 when lower is better)."""
        assert (metric.clause, metric.unit, metric.range, metric.direction) == (
            clause,
            unit,
            (0.0, 1.0),
            direction,
        )
        assert metric.id
        assert metric.title

    @pytest.mark.parametrize("bad", ["", "Fully-online", "fully online", "fully_online", 3])
    def test_an_id_is_lower_case_letters_digits_and_hyphens(self, bad: object) -> None:
        """MET-1: an id is "lower-case letters, digits and `-`"; anything else is rejected."""
        with pytest.raises(InvalidValueError) as info:
            Availability(bad, "title")
        assert info.value.field == "id"

    @pytest.mark.parametrize(
        "build",
        [
            lambda: Availability("a", "A", scope="local"),
            lambda: Availability("a", "A", at_least="pdf"),
            lambda: Attainment("a", "A", target="municipal"),
            lambda: AuthenticationFit("a", "A", outcome="mismatch"),
            lambda: Maturity("a", "A", scores=(0.0, 0.5, 1.0)),
            lambda: Maturity("a", "A", scores=(0, 0.2, 0.1, 0.5, 0.6, 0.8, 1)),
            lambda: Maturity("a", "A", scores=(0, 0.2, 0.3, 0.5, 0.6, 0.8, 1.5)),
            lambda: Maturity("a", "A", scores=("low",) * 7),
        ],
    )
    def test_bad_parameters_are_rejected_with_a_digimaat_error(
        self, build: Callable[[], Metric]
    ) -> None:
        """MET-1: a metric's parameters are part of its definition; a parameter outside its
        vocabulary is bad input, rejected with an error that names the field and the value."""
        with pytest.raises(DigimaatError):
            build()

    @pytest.mark.property
    @WORLD_SETTINGS
    @given(**ORACLE_CASES)
    def test_every_value_lies_in_the_range_or_is_undefined(
        self, world: World, policy: MissingPolicy, name: str, data: st.DataObject
    ) -> None:
        """MET-1: "The value of a metric for a municipality MUST lie in its range, or be
        undefined"; coverage lies in [0, 1] or is undefined (MET-9). One metric (or a
        composite of each method) is drawn per example."""
        weighting, _ = weighting_pair(name, _table(data, world))
        metric = data.draw(st.sampled_from((*SIMPLE, *COMPOSITES)))
        result = metric.evaluate(world.dataset(), weighting, policy)
        value, coverage = result.value, result.coverage
        assert np.all(np.isnan(value) | ((value >= 0.0) & (value <= 1.0)))
        assert np.all(np.isnan(coverage) | ((coverage >= 0.0) & (coverage <= 1.0)))


# ---------------------------------------------------------------------------- MET-1.1
class TestMET1Point1Subject:
    @pytest.mark.property
    @WORLD_SETTINGS
    @given(worlds(local=False), st.data())
    def test_local_products_do_not_change_reference_scope_metrics(
        self, world: World, data: st.DataObject
    ) -> None:
        """MET-1.1: "a local product (PRD-6) MUST NOT be eligible in any metric of scope
        `reference`, so that reference figures stay comparable between municipalities."

        Local products with random offerings are added to a world of reference products;
        every reference-scope value and coverage stays the same (within TOL: the sums run
        over more, zero, terms).
        """
        local = data.draw(catalogues(max_products=3, local=True))
        renamed = [attrs.evolve(p, uri=p.uri.replace("product", "local")) for p in local]
        extra = [
            data.draw(offerings(m.cbs_code, p.uri)) for m in world.municipalities for p in renamed
        ]
        bigger = World(
            Catalogue((*world.catalogue.products, *renamed)),
            world.municipalities,
            (*world.offerings, *(o for o in extra if o is not None)),
        )
        policy = data.draw(st.sampled_from(POLICIES))
        metric = data.draw(st.sampled_from(REFERENCE_SCOPE))
        before = metric.evaluate(world.dataset(), Equal(), policy)
        after = metric.evaluate(bigger.dataset(), Equal(), policy)
        for a, b in zip(before.value, after.value, strict=True):
            assert close(a, b), metric.id
        for a, b in zip(before.coverage, after.coverage, strict=True):
            assert close(a, b), metric.id

    def test_not_offered_and_not_applicable_cells_are_never_eligible(self) -> None:
        """MET-1.1: "A not-offered or not-applicable cell is never eligible in any metric."

        Two products offered fully online and two that are not offered or not applicable:
        every metric about levels is 2/2 = 1 with coverage 1, as if the others were absent.
        """
        catalogue = Catalogue(
            tuple(
                Product(
                    uri=f"urn:x:{k}",
                    name=k,
                    additions=Additions(required_assurance="none", reason="test"),
                )
                for k in "abcd"
            )
        )
        ds = Dataset.from_offerings(
            [
                Offering("GM0001", "urn:x:a", capabilities=FULLY_ONLINE, authentication="none"),
                Offering("GM0001", "urn:x:b", capabilities=FULLY_ONLINE, authentication="none"),
                Offering("GM0001", "urn:x:c", status="not-offered"),
                Offering("GM0001", "urn:x:d", status="not-applicable"),
            ],
            [Municipality("GM0001", "one", 1000, 2021)],
            catalogue,
        )
        for metric in (*AVAILABILITY, ATTAINMENT[0], AUTHENTICATION[0]):
            result = metric.evaluate(ds)
            assert (result.of("GM0001"), float(result.coverage[0])) == (1.0, 1.0), metric.id


# ---------------------------------------------------------------------------- MET-2 .. MET-7
class TestMET2Availability:
    @pytest.mark.property
    @WORLD_SETTINGS
    @given(**ORACLE_CASES)
    def test_availability_is_the_weighted_share_at_or_above_the_level(
        self, world: World, policy: MissingPolicy, name: str, data: st.DataObject
    ) -> None:
        """MET-2: availability at or above a level L "is the weighted share of the eligible
        products whose level is at least L: x = 1 when the level is L or higher, and 0
        otherwise." Value, coverage and contributions agree with the oracle."""
        metric = data.draw(st.sampled_from(AVAILABILITY))
        check_against_oracle(world, metric, name, _table(data, world), policy)


class TestMET3Maturity:
    def test_the_standard_scores_are_level_over_six(self) -> None:
        """MET-3: "The standard's scores, the default, are level / 6, so that every rung of
        the ladder is worth the same (`LINEAR_SCORES`)"."""
        assert LINEAR_SCORES == (0.0, 1 / 6, 2 / 6, 3 / 6, 4 / 6, 5 / 6, 1.0)
        assert Maturity("m", "M").scores == LINEAR_SCORES
        assert MDD == (0.0, 0.0, 0.25, 0.5, 0.75, 1.0, 1.0)
        assert EU == (0.0, 0.5, 0.5, 0.5, 1.0, 1.0, 1.0)

    @pytest.mark.property
    @WORLD_SETTINGS
    @given(**ORACLE_CASES)
    def test_maturity_is_the_weighted_mean_of_the_level_scores(
        self, world: World, policy: MissingPolicy, name: str, data: st.DataObject
    ) -> None:
        """MET-3: maturity "is the weighted mean of a score of each eligible product's
        level: x = score(level)", for the standard, MDD and EU tables."""
        metric = data.draw(st.sampled_from(MATURITY))
        check_against_oracle(world, metric, name, _table(data, world), policy)


class TestMET4Attainment:
    @pytest.mark.property
    @WORLD_SETTINGS
    @given(**ORACLE_CASES)
    def test_attainment_is_the_weighted_mean_of_level_over_target(
        self, world: World, policy: MissingPolicy, name: str, data: st.DataObject
    ) -> None:
        """MET-4: attainment is the weighted mean of "x = min(level, T) / T when T > 0, and
        x = 1 when T = 0", with T the reference target, or the local target where one is
        set."""
        metric = data.draw(st.sampled_from(ATTAINMENT))
        check_against_oracle(world, metric, name, _table(data, world), policy)

    @pytest.mark.property
    @WORLD_SETTINGS
    @given(worlds(), st.sampled_from(POLICIES), st.data())
    def test_local_targets_never_change_any_other_metric(
        self, world: World, policy: MissingPolicy, data: st.DataObject
    ) -> None:
        """MET-4: "A local target MUST NOT change the value, coverage or contributions of
        any metric that uses the reference target, nor of any other metric of this
        chapter."

        The same world without any local target gives identical results (exactly: only the
        local-target array differs) for every metric but local attainment.
        """
        bare = world.map_offerings(
            lambda o: attrs.evolve(o, local_target=None, local_target_reason=None)
        )
        metric = data.draw(st.sampled_from(NOT_LOCAL))
        a = metric.evaluate(world.dataset(), Equal(), policy)
        b = metric.evaluate(bare.dataset(), Equal(), policy)
        np.testing.assert_array_equal(a.value, b.value)
        np.testing.assert_array_equal(a.coverage, b.coverage)
        np.testing.assert_array_equal(a.contribution, b.contribution)

    @pytest.mark.property
    @WORLD_SETTINGS
    @given(worlds(), st.sampled_from(POLICIES))
    def test_without_local_targets_local_attainment_is_reference_attainment(
        self, world: World, policy: MissingPolicy
    ) -> None:
        """MET-4: with `target` = `local`, "T is the offering's local target where the
        municipality set one (OFF-4), and the reference target elsewhere"."""
        bare = world.map_offerings(
            lambda o: attrs.evolve(o, local_target=None, local_target_reason=None)
        )
        for scope in ("reference", "all"):
            ref = Attainment("r", "R", scope=scope).evaluate(bare.dataset(), None, policy)
            loc = Attainment("l", "L", target="local", scope=scope).evaluate(
                bare.dataset(), None, policy
            )
            np.testing.assert_array_equal(ref.value, loc.value)


class TestMETMonotone:
    @pytest.mark.property
    @WORLD_SETTINGS
    @given(worlds(), st.data())
    def test_raising_capabilities_never_lowers_availability_maturity_or_attainment(
        self, world: World, data: st.DataObject
    ) -> None:
        """MET-2, MET-3, MET-4: x is non-decreasing in the level (the scores MUST be
        non-decreasing), so adding capabilities to one offering, which never lowers its
        level (MAT-5), never lowers availability, maturity or attainment.

        Tolerance 0: only the numerator changes, and rounded products and sums are
        monotone, so the computed value cannot fall either.
        """
        code, uri = data.draw(cells_of(world))
        before = data.draw(capability_sets)
        after = before | data.draw(capability_sets)
        original = world.offering(code, uri)
        base = (
            original
            if original is not None and original.status is Status.OFFERED
            else Offering(code, uri)
        )
        low = world.with_offering(code, uri, attrs.evolve(base, capabilities=before))
        high = world.with_offering(code, uri, attrs.evolve(base, capabilities=after))
        policy = data.draw(st.sampled_from(POLICIES))
        name = data.draw(st.sampled_from(WEIGHTINGS))
        weighting, _ = weighting_pair(name, data.draw(custom_tables(world)))
        metric = data.draw(st.sampled_from((*AVAILABILITY, *MATURITY, *ATTAINMENT)))
        a = metric.evaluate(low.dataset(), weighting, policy).value
        b = metric.evaluate(high.dataset(), weighting, policy).value
        assert np.array_equal(np.isnan(a), np.isnan(b)), metric.id
        defined = ~np.isnan(a)
        assert np.all(b[defined] >= a[defined]), (metric.id, a, b)


class TestMET5AuthenticationFit:
    @pytest.mark.property
    @WORLD_SETTINGS
    @given(**ORACLE_CASES)
    def test_fit_barrier_and_shortfall_follow_the_used_and_required_levels(
        self, world: World, policy: MissingPolicy, name: str, data: st.DataObject
    ) -> None:
        """MET-5: the subject is the cells "that are offered, whose level is at least
        `online-submission` (3), and whose product has an assessed required assurance"; a
        cell is known when its authentication is recorded; x is 1 for match (used =
        required), barrier (used > required) or shortfall (used < required)."""
        metric = data.draw(st.sampled_from(AUTHENTICATION))
        check_against_oracle(world, metric, name, _table(data, world), policy)

    @pytest.mark.property
    @WORLD_SETTINGS
    @given(worlds(), st.sampled_from(WEIGHTINGS), st.data())
    def test_fit_barrier_and_shortfall_sum_to_one(
        self, world: World, name: str, data: st.DataObject
    ) -> None:
        """MET-5: "Every known cell is exactly one of the three, so under one weighting and
        the policy `drop` the three values of a municipality sum to 1 where they are
        defined." Tolerance TOL."""
        weighting, _ = weighting_pair(name, data.draw(custom_tables(world)))
        ds = world.dataset()
        values = [m.evaluate(ds, weighting).value for m in AUTHENTICATION[:3]]
        for fit, barrier, shortfall in zip(*values, strict=True):
            assert math.isnan(fit) == math.isnan(barrier) == math.isnan(shortfall)
            if not math.isnan(fit):
                assert abs(fit + barrier + shortfall - 1.0) <= TOL

    @pytest.mark.property
    @WORLD_SETTINGS
    @given(worlds(), st.data())
    def test_removing_an_over_asked_authentication_lowers_no_score(
        self, world: World, data: st.DataObject
    ) -> None:
        """MET-5: "Lowering the used level of a cell with a barrier to the required level
        MUST NOT lower its fit, MUST NOT raise its barrier or its shortfall, and MUST NOT
        lower any composite (MET-8) in which these metrics enter with their directions."

        One cell is made a barrier (offered at level 3 or more, product with an assessed
        required level, more asked), then the authentication is lowered to the required
        level. Under every policy and weighting: fit up or equal, barrier down or equal,
        shortfall equal, every other metric equal, and composites of all three methods up
        or equal. Tolerance TOL (for the composites' rounding).
        """
        code, uri = data.draw(cells_of(world))
        required = data.draw(st.sampled_from(tuple(AssuranceLevel)[:-1]))
        used = data.draw(st.sampled_from([lv for lv in AssuranceLevel if lv > required]))
        level = data.draw(st.integers(3, 6))
        product = world.catalogue.get(uri)
        world = world.with_product(
            attrs.evolve(
                product,
                additions=attrs.evolve(product.additions, required_assurance=required),
            )
        )
        original = world.offering(code, uri)
        base = (
            original
            if original is not None and original.status is Status.OFFERED
            else Offering(code, uri)
        )
        caps = gates_up_to(level)
        asked = world.with_offering(
            code, uri, attrs.evolve(base, capabilities=caps, authentication=authentication_at(used))
        )
        fixed = world.with_offering(
            code,
            uri,
            attrs.evolve(base, capabilities=caps, authentication=authentication_at(required)),
        )
        policy = data.draw(st.sampled_from(POLICIES))
        name = data.draw(st.sampled_from(WEIGHTINGS))
        weighting, _ = weighting_pair(name, data.draw(custom_tables(world)))
        profile = attrs.evolve(
            WITH_COMPOSITES, weighting=weighting, missing=policy, name="standard+composites"
        )
        i = asked.dataset().index_of(code)
        first, second = profile.score(asked.dataset()), profile.score(fixed.dataset())
        for metric in profile.metrics:
            before = float(first.results[metric.id].value[i])
            after = float(second.results[metric.id].value[i])
            if math.isnan(before) or math.isnan(after):
                assert math.isnan(before), metric.id
                assert math.isnan(after), metric.id
                continue
            outcome = getattr(metric, "outcome", None)
            if outcome == "barrier":
                assert after <= before + TOL, metric.id
            elif outcome == "shortfall":
                assert abs(after - before) <= TOL, metric.id
            elif isinstance(metric, AuthenticationFit | Composite):
                assert after >= before - TOL, metric.id
            else:
                assert after == before, metric.id

    def test_an_unrecorded_authentication_is_unknown_not_a_match(self) -> None:
        """MET-5: "an unrecorded authentication is unknown, never taken as a match."

        One fully online product without a recorded authentication: under `drop` the fit is
        undefined with coverage 0/1 = 0; under `zero` it is 0/1 = 0.
        """
        product = Product(
            uri="urn:x:a", name="a", additions=Additions(required_assurance="low", reason="t")
        )
        ds = Dataset.from_offerings(
            [Offering("GM0001", "urn:x:a", capabilities=FULLY_ONLINE)],
            [Municipality("GM0001", "one", 1000, 2021)],
            Catalogue((product,)),
        )
        fit = AuthenticationFit("fit", "Fit")
        result = fit.evaluate(ds)
        assert math.isnan(result.of("GM0001"))
        assert float(result.coverage[0]) == 0.0
        assert fit.evaluate(ds, None, MissingPolicy.ZERO).of("GM0001") == 0.0

    @pytest.mark.property
    @given(
        st.sampled_from([m for m in AuthMeans if m is not AuthMeans.NONE]),
        st.sampled_from(tuple(AssuranceLevel)),
        st.integers(3, 6),
    )
    def test_a_means_at_an_unknown_level_has_an_unknown_fit(
        self, means: AuthMeans, required: AssuranceLevel, level: int
    ) -> None:
        """MET-5: "an authentication whose means is recorded and whose level is not
        (LOA-4.1) ... Such a cell stays in the subject, is left out of the value as not
        measurable, and lowers the coverage (MET-9); it MUST NOT be counted as a match, a
        barrier or a shortfall at any level its means provides."

        One product at level 3 or more, any required level, any means at an unknown level:
        under `drop` all three outcomes are undefined with coverage 0 (even where every
        level of the means would be a barrier); under `zero` (AGG-4) each counts at the
        metric's worst value: 0 for fit, 1 for barrier and shortfall, which are lower-is-better.
        """
        product = Product(
            uri="urn:x:a", name="a", additions=Additions(required_assurance=required, reason="t")
        )
        ds = Dataset.from_offerings(
            [
                Offering(
                    "GM0001",
                    "urn:x:a",
                    capabilities=gates_up_to(level),
                    authentication=Authentication(means, None),
                )
            ],
            [Municipality("GM0001", "one", 1000, 2021)],
            Catalogue((product,)),
        )
        assert ds.auth_level[0, 0] == -1
        assert ds.auth_means[0, 0] >= 0
        for metric in AUTHENTICATION:
            result = metric.evaluate(ds)
            assert math.isnan(result.of("GM0001")), metric.id
            assert float(result.coverage[0]) == 0.0, metric.id
            worst = 0.0 if metric.outcome == "match" else 1.0
            assert metric.evaluate(ds, None, MissingPolicy.ZERO).of("GM0001") == worst

    def test_offerings_below_online_submission_are_not_in_the_subject(self) -> None:
        """MET-5: "below level 3 nothing is done online, so there is nothing to
        authenticate".

        A downloadable form that (oddly) records DigiD Hoog for a product that requires
        none is not a barrier: the subject is empty and the fit undefined.
        """
        product = Product(
            uri="urn:x:a", name="a", additions=Additions(required_assurance="none", reason="t")
        )
        ds = Dataset.from_offerings(
            [
                Offering(
                    "GM0001",
                    "urn:x:a",
                    capabilities=gates_up_to(2),
                    authentication=Authentication.from_name("DigiD Hoog"),
                )
            ],
            [Municipality("GM0001", "one", 1000, 2021)],
            Catalogue((product,)),
        )
        for metric in AUTHENTICATION:
            result = metric.evaluate(ds)
            assert math.isnan(result.of("GM0001"))
            assert math.isnan(result.coverage[0])


class TestMET6Uptake:
    @pytest.mark.property
    @WORLD_SETTINGS
    @given(**ORACLE_CASES)
    def test_uptake_is_the_weighted_mean_of_the_digital_share(
        self, world: World, policy: MissingPolicy, name: str, data: st.DataObject
    ) -> None:
        """MET-6: uptake "is the weighted mean of the digital share of each eligible
        product's volume"; a cell "is known when its offering has a volume record whose
        total is greater than 0"."""
        metric = data.draw(st.sampled_from(UPTAKE))
        check_against_oracle(world, metric, name, _table(data, world), policy)

    @pytest.mark.property
    @WORLD_SETTINGS
    @given(worlds())
    def test_volume_weighted_uptake_is_the_digital_share_of_all_requests(
        self, world: World
    ) -> None:
        """MET-6: "Under `volume` weighting ... the value is the municipality's digital
        share of all requests of the eligible products: Σ digital / Σ total." Tolerance
        TOL, relative to the value (at most 1)."""
        ds = world.dataset()
        result = UPTAKE[0].evaluate(ds, Volume())
        for i, code in enumerate(ds.codes):
            digital = total = 0.0
            for p in world.catalogue.products:
                o = world.offering(code, p.uri)
                if o is None or o.volumes is None or not p.reference:
                    continue
                if o.status in (Status.NOT_OFFERED, Status.NOT_APPLICABLE):
                    continue
                volumes = dict(zip(o.volumes.channels, o.volumes.per_year_values, strict=True))
                digital += math.fsum(v for ch, v in volumes.items() if ch.digital)
                total += math.fsum(volumes.values())
            expected = digital / total if total > 0 else math.nan
            assert close(float(result.value[i]), expected), (code, result.value[i], expected)

    def test_an_all_digital_offering_has_uptake_one_not_more(self) -> None:
        """MET-6: x = digital volume / total volume lies in [0, 1]; the two sums must not
        round the share above 1.

        These four digital volumes sum to 24340.33 one way and to 24340.329999999998 the
        other; the share is still at most 1, and a composite of it (which checks that its
        parts lie in [0, 1]) can be computed.
        """
        volumes = VolumeRecord.from_per_year(
            {"e-mail": 1813.65, "web": 8012.74, "app": 8692.32, "chat": 5821.62}
        )
        ds = Dataset.from_offerings(
            [Offering("GM0001", "urn:x:a", volumes=volumes)],
            [Municipality("GM0001", "one", 1000, 2021)],
            Catalogue((Product(uri="urn:x:a", name="a"),)),
        )
        uptake = Uptake("uptake", "Uptake")
        value = uptake.evaluate(ds).of("GM0001")
        assert 1.0 - TOL <= value <= 1.0
        composite = Composite("c", "C", parts=((uptake, 1.0),))
        assert 1.0 - TOL <= composite.evaluate(ds).of("GM0001") <= 1.0


class TestMET7SuccessRatio:
    @pytest.mark.property
    @WORLD_SETTINGS
    @given(**ORACLE_CASES)
    def test_success_ratio_is_the_weighted_mean_of_completed_over_started(
        self, world: World, policy: MissingPolicy, name: str, data: st.DataObject
    ) -> None:
        """MET-7: the success ratio is the weighted mean of "x = (web forms completed) /
        (web forms started)"; a cell is known "when its offering has a forms record with at
        least one form started"."""
        check_against_oracle(world, SUCCESS[0], name, _table(data, world), policy)

    def test_the_mdd_example(self) -> None:
        """MET-7: "when 100 people start a web form and 50 complete it, the success ratio is
        50/100 = 0.5"; with 180 of 200 (0.9) beside it, (0.5 + 0.9) / 2 = 0.7."""
        ds = Dataset.from_offerings(
            [
                Offering("GM0001", "urn:x:a", forms=FormFunnel(100, 50)),
                Offering("GM0001", "urn:x:b", forms=FormFunnel(200, 180)),
            ],
            [Municipality("GM0001", "one", 1000, 2021)],
            Catalogue((Product(uri="urn:x:a", name="a"), Product(uri="urn:x:b", name="b"))),
        )
        assert SUCCESS[0].evaluate(ds).of("GM0001") == pytest.approx(0.7, abs=TOL)


# ---------------------------------------------------------------------------- MET-8
class TestMET8Composite:
    @pytest.mark.parametrize(
        "parts",
        [
            (),
            ((MATURITY[0], 1.0), (MATURITY[0], 1.0)),
            ((MATURITY[0], -1.0),),
            ((MATURITY[0], float("nan")),),
            ((MATURITY[0], 0.0), (AVAILABILITY[0], 0.0)),
            ((MATURITY[0], "one"),),
            (("maturity", 1.0),),
        ],
    )
    def test_bad_parts_are_rejected(self, parts: object) -> None:
        """MET-8: "Its parts MUST have distinct ids and the range [0, 1]; each part weight
        MUST be a finite number greater than or equal to 0, and they MUST NOT all be 0"."""
        with pytest.raises(InvalidValueError):
            Composite("c", "C", parts=parts)

    @pytest.mark.property
    @WORLD_SETTINGS
    @given(**ORACLE_CASES, method=st.sampled_from(tuple(Method)))
    def test_a_composite_combines_its_parts_values(
        self,
        world: World,
        policy: MissingPolicy,
        name: str,
        data: st.DataObject,
        method: Method,
    ) -> None:
        """MET-8: "A part whose direction is −1 enters as 1 − its value"; "a part whose value
        is undefined is missing for the composite, and is treated by the same policy" unless
        it does not apply (MET-1.2), when it is left out; MET-9: "The coverage of a composite
        is the part-weighted mean of the coverages of its active parts that apply, an
        undefined coverage of such a part counted as 0." Compared with AGG-5 written out
        (TOL)."""
        weighting, _ = weighting_pair(name, _table(data, world))
        parts = [
            (m, data.draw(st.sampled_from((0.0, 0.5, 1.0, 3.0))))
            for m in (AVAILABILITY[0], MATURITY[1], AUTHENTICATION[1], UPTAKE[0])
        ]
        if sum(w for _, w in parts) == 0:
            parts[0] = (parts[0][0], 1.0)
        composite = Composite("c", "C", parts=parts, method=method)
        ds = world.dataset()
        result = composite.evaluate(ds, weighting, policy)
        values = [m.evaluate(ds, weighting, policy) for m, _ in parts]
        weights = [w for _, w in parts]
        directions = [m.direction for m, _ in parts]
        for i in range(len(ds.codes)):
            applies = [bool(r.applies[i]) for r in values]
            want = oracle.combined(
                [float(r.value[i]) for r in values],
                weights,
                directions,
                method.value,
                policy,
                applies,
            )
            assert close(float(result.value[i]), want), (result.value[i], want)
            covs = [0.0 if math.isnan(r.coverage[i]) else float(r.coverage[i]) for r in values]
            active = [
                (c, w) for c, w, ok in zip(covs, weights, applies, strict=True) if w > 0 and ok
            ]
            total = math.fsum(w for _, w in active)
            coverage = math.fsum(c * w for c, w in active) / total if total else math.nan
            assert close(float(result.coverage[i]), coverage)


# ---------------------------------------------------------------------------- MET-9, MET-10
class TestMET9Coverage:
    @pytest.mark.property
    @WORLD_SETTINGS
    @given(worlds(), st.sampled_from(WEIGHTINGS), st.data())
    def test_coverage_does_not_depend_on_the_policy(
        self, world: World, name: str, data: st.DataObject
    ) -> None:
        """MET-9: the coverage "lies in [0, 1], it does not depend on the missing-value
        policy, and it is undefined when the subject has no weight" (exactly equal)."""
        weighting, _ = weighting_pair(name, data.draw(custom_tables(world)))
        ds = world.dataset()
        for metric in (data.draw(st.sampled_from(SIMPLE)),):
            coverages = [metric.evaluate(ds, weighting, p).coverage for p in POLICIES]
            np.testing.assert_array_equal(coverages[0], coverages[1])
            np.testing.assert_array_equal(coverages[0], coverages[2])

    def test_the_example_of_four_products(self) -> None:
        """MET-9: "a municipality with four products, of which two are offered, one is
        `unknown` and one is `not-offered`, has three eligible cells and two known ones;
        under `equal` the coverage of its maturity is 2/3"."""
        ds = Dataset.from_offerings(
            [
                Offering("GM0001", "urn:x:a", capabilities=gates_up_to(1)),
                Offering("GM0001", "urn:x:b", capabilities=gates_up_to(1)),
                Offering("GM0001", "urn:x:c", status="unknown"),
                Offering("GM0001", "urn:x:d", status="not-offered"),
            ],
            [Municipality("GM0001", "one", 1000, 2021)],
            Catalogue(tuple(Product(uri=f"urn:x:{k}", name=k) for k in "abcd")),
        )
        result = MATURITY[0].evaluate(ds)
        assert float(result.coverage[0]) == pytest.approx(2 / 3, abs=TOL)
        # Both offered products are at level 1: value 1/6, contributions 1/12 each.
        assert result.of("GM0001") == pytest.approx(1 / 6, abs=TOL)
        assert result.contributions_of("GM0001") == pytest.approx(
            {"urn:x:a": 1 / 12, "urn:x:b": 1 / 12}, abs=TOL
        )


class TestMET10Contributions:
    @pytest.mark.property
    @WORLD_SETTINGS
    @given(**ORACLE_CASES, method=st.sampled_from(tuple(Method)))
    def test_contributions_sum_to_the_value_and_shares_to_one(
        self,
        world: World,
        policy: MissingPolicy,
        name: str,
        data: st.DataObject,
        method: Method,
    ) -> None:
        """MET-10: "The contributions MUST sum to the value, within the tolerance of AGG-8,
        and the shares to 1; where the value is undefined every share and contribution is
        0." Checked for a simple metric (drawn) and a composite of each method (TOL)."""
        weighting, _ = weighting_pair(name, _table(data, world))
        ds = world.dataset()
        composite = Composite(
            "c",
            "C",
            parts=((MATURITY[0], 1.0), (AUTHENTICATION[1], 1.0), (AVAILABILITY[0], 2.0)),
            method=method,
        )
        for metric in (data.draw(st.sampled_from(SIMPLE)), composite):
            result = metric.evaluate(ds, weighting, policy)
            for i, value in enumerate(result.value):
                contributions, shares = result.contribution[i], result.share[i]
                if math.isnan(value):
                    assert not contributions.any(), metric.id
                    assert not shares.any(), metric.id
                    continue
                assert abs(math.fsum(contributions) - value) <= TOL, metric.id
                if metric is composite:
                    # Under `zero` an undefined part keeps its weight but has no shares.
                    assert math.fsum(shares) <= 1.0 + TOL
                else:
                    assert abs(math.fsum(shares) - 1.0) <= TOL, metric.id
                assert np.all(contributions >= 0.0)
                assert np.all(shares >= 0.0)


# ---------------------------------------------------------------------------- LOA-7
def test_fit_needs_both_levels_and_is_never_taken_as_a_match() -> None:
    """LOA-7: Fit is defined only when both levels are known: the product's required
    assurance is assessed and the offering's authentication is recorded. Where either is
    missing the fit is *unknown*; it MUST NOT be taken as a match."""
    from digimaat.vocabulary.products import Additions, Catalogue, Product

    assessed = Additions(required_assurance="low", fee_applies=False, reason="test")
    catalogue = Catalogue(
        (
            Product(uri="urn:x:a", name="a", additions=assessed),
            Product(uri="urn:x:b", name="b", additions=assessed),
            Product(uri="urn:x:c", name="c"),  # required assurance not assessed
        )
    )
    ds = Dataset.from_offerings(
        [
            Offering("GM0606", "urn:x:a", capabilities=FULLY_ONLINE, authentication="DigiD Midden"),
            Offering("GM0606", "urn:x:b", capabilities=FULLY_ONLINE),  # not recorded
            Offering("GM0606", "urn:x:c", capabilities=FULLY_ONLINE, authentication="none"),
        ],
        [Municipality("GM0606", "Schiedam", 79279, 2021)],
        catalogue,
    )
    fit = AuthenticationFit("fit", "Fit").evaluate(ds)
    # a is a match; b is unknown (left out under drop, half the coverage); c is not measured.
    assert fit.of("GM0606") == 1.0
    assert float(fit.coverage[0]) == 0.5
    assert set(fit.contributions_of("GM0606")) == {"urn:x:a"}
    assert AuthenticationFit("fit", "Fit").evaluate(ds, policy=MissingPolicy.ZERO).of(
        "GM0606"
    ) == pytest.approx(0.5)
