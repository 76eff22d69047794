"""Tests of chapter AGG: order, statuses, the reduction, missing values, composites,
contributions, tolerance and rounding, by clause.

The reductions are compared with exact rational arithmetic (:class:`fractions.Fraction`
of the binary64 inputs), which is how AGG-7 defines a value. Tolerance: ``TOL = 1e-12``
absolute, for values in [0, 1] computed from at most eight terms (binary64 rounding errors
below 1e-15); AGG-8's agreement tolerance, 1e-9, is far looser.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from digimaat.errors import InvalidValueError
from digimaat.measurement.aggregation import (
    AGREEMENT_TOLERANCE,
    DISPLAY_DECIMALS,
    Method,
    MissingPolicy,
    combine,
    display,
    exceeds,
    ranked,
    reduce_cells,
    ties,
)
from digimaat.measurement.dataset import Dataset, StatusCode
from digimaat.measurement.metrics import AuthenticationFit, Availability, Composite, Maturity
from digimaat.measurement.profiles import Profile, standard_profile
from digimaat.measurement.weights import Volume
from digimaat.vocabulary.municipalities import Municipality
from digimaat.vocabulary.offerings import Offering, Status, VolumeRecord
from digimaat.vocabulary.products import Additions, Catalogue, Product
from tests.measurement.oracle import COMPOSITES, WITH_COMPOSITES, close
from tests.measurement.strategies import (
    FULLY_ONLINE,
    POLICIES,
    WORLD_SETTINGS,
    CellArrays,
    PartArrays,
    World,
    cell_arrays,
    gates_up_to,
    part_arrays,
    positive_amounts,
    worlds,
)

TOL = 1e-12
GM = Municipality("GM0606", "Schiedam", 79279, 2021)


def exact_reduction(arrays: CellArrays, policy: MissingPolicy) -> list[tuple[float, float]]:
    """AGG-3 and AGG-4 per row, in exact arithmetic: ``(value, coverage)``, NaN if undefined."""
    out = []
    for x, known, eligible, w in zip(
        arrays.x, arrays.known, arrays.eligible, arrays.weight, strict=True
    ):
        subject = [j for j in range(len(x)) if eligible[j]]
        weighted = [j for j in subject if not math.isnan(w[j])]
        counted = [j for j in weighted if known[j]]
        known_w = sum((Fraction(w[j]) for j in counted), Fraction(0))
        all_w = sum((Fraction(w[j]) for j in weighted), Fraction(0))
        numerator = sum((Fraction(w[j]) * Fraction(x[j]) for j in counted), Fraction(0))
        denominator = all_w if policy is MissingPolicy.ZERO else known_w
        undefined = denominator == 0
        if policy is MissingPolicy.PROPAGATE:
            undefined |= len(weighted) < len(subject)
            undefined |= any(not known[j] and w[j] > 0 for j in weighted)
        value = math.nan if undefined else float(numerator / denominator)
        out.append((value, float(known_w / all_w) if all_w > 0 else math.nan))
    return out


def two_products(first: Offering, second: Offering) -> Dataset:
    """A dataset of municipality GM0606 with products urn:x:a and urn:x:b (no fee)."""
    no_fee = Additions(fee_applies=False, reason="test")
    catalogue = Catalogue(
        (
            Product(uri="urn:x:a", name="a", additions=no_fee),
            Product(uri="urn:x:b", name="b", additions=no_fee),
        )
    )
    return Dataset.from_offerings([first, second], [GM], catalogue)


# ---------------------------------------------------------------------------- AGG-1
class TestAGG1Order:
    @pytest.mark.property
    @WORLD_SETTINGS
    @given(worlds(), st.randoms(use_true_random=False), st.sampled_from(POLICIES))
    def test_no_number_depends_on_the_order_of_the_input(
        self, world: World, rng: random.Random, policy: MissingPolicy
    ) -> None:
        """AGG-1: "the same offerings, municipalities and products given in any order MUST
        give the same values, coverages and contributions for every municipality."

        The offerings, municipalities and catalogue products are shuffled. The arrays are
        identical and so is every result, to the last bit (exact comparison).
        """
        offerings, munis = list(world.offerings), list(world.municipalities)
        products = list(world.catalogue.products)
        for items in (offerings, munis, products):
            rng.shuffle(items)
        uris = list(world.uris)
        rng.shuffle(uris)
        a = world.dataset()
        b = Dataset.from_offerings(offerings, munis, Catalogue(tuple(products)), products=uris)
        assert a.codes == b.codes == tuple(sorted(a.codes))
        assert a.uris == b.uris == tuple(sorted(a.uris))
        for name in ("status", "level", "auth_level", "local_target"):
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
        np.testing.assert_array_equal(a.volume, b.volume)
        profile = attrs.evolve(WITH_COMPOSITES, weighting=Volume(), missing=policy)
        first, second = profile.score(a), profile.score(b)
        for key, result in first.results.items():
            other = second.results[key]
            np.testing.assert_array_equal(result.value, other.value)
            np.testing.assert_array_equal(result.coverage, other.coverage)
            np.testing.assert_array_equal(result.contribution, other.contribution)


# ---------------------------------------------------------------------------- AGG-2
class TestAGG2Statuses:
    def test_the_status_codes(self) -> None:
        """AGG-2: the five statuses and their codes in the reference implementation."""
        codes = (
            StatusCode.OFFERED,
            StatusCode.NOT_OFFERED,
            StatusCode.NOT_APPLICABLE,
            StatusCode.UNKNOWN,
            StatusCode.NO_RECORD,
        )
        assert codes == (0, 1, 2, 3, 4)

    @pytest.mark.parametrize(
        ("policy", "value"),
        [
            # Eligible: a (x = 1), b (x = 0), c (unknown), d (no record); e and f are not.
            (MissingPolicy.DROP, 1 / 2),  # (1 + 0) / 2
            (MissingPolicy.ZERO, 1 / 4),  # (1 + 0 + 0 + 0) / 4
            (MissingPolicy.PROPAGATE, math.nan),
        ],
    )
    def test_what_each_status_counts_as(self, policy: MissingPolicy, value: float) -> None:
        """AGG-2: "a product the municipality does not offer, or that does not apply to it,
        MUST NOT be in any denominator"; "A cell that is `unknown` or has no record MUST be
        counted as unknown".

        Six products: fully online, offline, unknown, no record, not offered, not
        applicable. Fully-online availability under `equal` has coverage 2/4 = 0.5.
        """
        catalogue = Catalogue(tuple(Product(uri=f"urn:x:{k}", name=k) for k in "abcdef"))
        ds = Dataset.from_offerings(
            [
                Offering("GM0606", "urn:x:a", capabilities=FULLY_ONLINE),
                Offering("GM0606", "urn:x:b"),
                Offering("GM0606", "urn:x:c", status="unknown"),
                Offering("GM0606", "urn:x:e", status="not-offered"),
                Offering("GM0606", "urn:x:f", status="not-applicable"),
            ],
            [GM],
            catalogue,
            products=[f"urn:x:{k}" for k in "abcdef"],
        )
        assert ds.status.tolist() == [[0, 0, 3, 4, 1, 2]]
        result = Availability("f", "F").evaluate(ds, None, policy)
        assert close(result.of("GM0606"), value)
        assert float(result.coverage[0]) == 0.5

    @pytest.mark.property
    @WORLD_SETTINGS
    @given(worlds(), st.sampled_from(POLICIES))
    def test_not_offered_is_not_applicable_and_unknown_is_no_record(
        self, world: World, policy: MissingPolicy
    ) -> None:
        """AGG-2: not-offered and not-applicable both count as nothing; `unknown` (with
        nothing else recorded) and no record both count as unknown. Swapping one for the
        other changes no value, coverage or contribution (exactly)."""

        def swap(o: Offering) -> Offering | None:
            if o.status is Status.NOT_OFFERED:
                return attrs.evolve(o, status=Status.NOT_APPLICABLE)
            if o.status is Status.NOT_APPLICABLE:
                return attrs.evolve(o, status=Status.NOT_OFFERED)
            return o

        def bare_unknown(o: Offering) -> Offering | None:
            if o.status is Status.UNKNOWN:
                return Offering(o.municipality, o.product, status=Status.UNKNOWN)
            return o

        def no_record(o: Offering) -> Offering | None:
            return None if o.status is Status.UNKNOWN else o

        base = world.map_offerings(bare_unknown)
        profile = attrs.evolve(WITH_COMPOSITES, missing=policy)
        reference = profile.score(base.dataset())
        for changed in (base.map_offerings(swap), base.map_offerings(no_record)):
            board = profile.score(changed.dataset())
            for key, result in reference.results.items():
                np.testing.assert_array_equal(result.value, board.results[key].value)
                np.testing.assert_array_equal(result.coverage, board.results[key].coverage)
                np.testing.assert_array_equal(result.contribution, board.results[key].contribution)


# ---------------------------------------------------------------------------- AGG-3
class TestAGG3Reduction:
    @pytest.mark.property
    @given(cell_arrays(), st.sampled_from(POLICIES))
    def test_the_value_and_coverage_are_the_formula(
        self, arrays: CellArrays, policy: MissingPolicy
    ) -> None:
        """AGG-3: "value = Σ_{j in K′} w_j × x_j / D", with D the known weight (`drop`) or
        the eligible weight (`zero`); coverage "Σ_{j in K′} w_j / Σ_{j in E′} w_j".
        Compared with exact arithmetic (TOL)."""
        result = reduce_cells(arrays.x, arrays.known, arrays.eligible, arrays.weight, policy)
        for i, (value, coverage) in enumerate(exact_reduction(arrays, policy)):
            assert close(float(result.value[i]), value), (result.value[i], value)
            assert close(float(result.coverage[i]), coverage)

    @pytest.mark.property
    @given(cell_arrays(), st.sampled_from(POLICIES))
    def test_shares_and_contributions(self, arrays: CellArrays, policy: MissingPolicy) -> None:
        """AGG-3: "The share of a cell (MET-10) is w_j / D for the cells that D sums over and
        0 elsewhere, and its contribution is its share times x_j on the cells of K′ and 0
        elsewhere." Shares sum to 1 and contributions to the value (TOL)."""
        r = reduce_cells(arrays.x, arrays.known, arrays.eligible, arrays.weight, policy)
        w = np.nan_to_num(arrays.weight, nan=0.0)
        for i, value in enumerate(r.value):
            if math.isnan(value):
                assert not r.share[i].any()
                assert not r.contribution[i].any()
                continue
            counted = arrays.eligible[i] & ~np.isnan(arrays.weight[i])
            if policy is not MissingPolicy.ZERO:
                counted &= arrays.known[i]
            denominator = math.fsum(w[i][counted])
            for j in range(w.shape[1]):
                share = w[i, j] / denominator if counted[j] else 0.0
                assert abs(r.share[i, j] - share) <= TOL
                known = counted[j] and arrays.known[i, j]
                assert abs(r.contribution[i, j] - (share * arrays.x[i, j] if known else 0.0)) <= TOL
            assert abs(math.fsum(r.share[i]) - 1.0) <= TOL
            assert abs(math.fsum(r.contribution[i]) - value) <= TOL

    @pytest.mark.property
    @given(cell_arrays(positive=True), st.sampled_from(POLICIES))
    def test_the_value_stays_between_the_least_and_greatest_x(
        self, arrays: CellArrays, policy: MissingPolicy
    ) -> None:
        """AGG-3: "the value lies between the least and the greatest x of the cells of K′
        of positive weight (under `zero`, with 0 added to them when a cell of E′ of
        positive weight is unknown), within the tolerance of AGG-8, and it never leaves the
        range [0, 1]." (TOL for the bounds; [0, 1] exactly.)"""
        r = reduce_cells(arrays.x, arrays.known, arrays.eligible, arrays.weight, policy)
        for i, value in enumerate(r.value):
            if math.isnan(value):
                continue
            xs = list(arrays.x[i][arrays.eligible[i] & arrays.known[i]])
            if policy is MissingPolicy.ZERO and (arrays.eligible[i] & ~arrays.known[i]).any():
                xs.append(0.0)
            assert min(xs) - TOL <= value <= max(xs) + TOL
            assert 0.0 <= value <= 1.0

    @pytest.mark.property
    @given(st.lists(positive_amounts, min_size=1, max_size=40))
    def test_all_ones_give_exactly_one(self, weights: list[float]) -> None:
        """AGG-3 and AGG-7: the numerator is summed exactly as the denominator, so products
        that all have x = 1 give exactly 1 (never 1.0000000000000002), whatever the
        weights; a composite of such a value can be computed (MET-8 checks [0, 1])."""
        w = np.array([weights])
        ones = np.ones_like(w)
        known = np.ones(w.shape, dtype=bool)
        assert reduce_cells(ones, known, known, w, MissingPolicy.DROP).value[0] == 1.0

    def test_the_volume_weighted_share_of_four_fully_online_products_is_one(self) -> None:
        """AGG-7, regression: with these volumes a sum of products and a plain sum once
        differed in the last bit (2104.4500000000003 against 2104.45), which made
        fully-online availability exceed 1 and a composite refuse it. It is exactly 1."""
        volumes = (805.0, 22.66, 807.94, 468.85)
        catalogue = Catalogue(tuple(Product(uri=f"urn:x:{k}", name=str(k)) for k in range(4)))
        ds = Dataset.from_offerings(
            [
                Offering(
                    "GM0606",
                    f"urn:x:{k}",
                    capabilities=FULLY_ONLINE,
                    volumes=VolumeRecord.from_per_year({"web": v}),
                )
                for k, v in enumerate(volumes)
            ],
            [GM],
            catalogue,
        )
        fully = Availability("f", "F")
        assert fully.evaluate(ds, Volume()).of("GM0606") == 1.0
        composite = Composite("c", "C", parts=((fully, 1.0),))
        assert composite.evaluate(ds, Volume()).of("GM0606") == 1.0

    def test_the_example(self) -> None:
        """AGG-3: "three eligible products, with x = 1, x = 0 and one unknown. Under `drop`
        the value is ... 1/2 = 0.5; under `zero` it is ... 1/3 = 0.3333…; under `propagate`
        it is undefined. The coverage is 2/3 = 0.6666… under all three." """
        x = np.array([[1.0, 0.0, 0.0]])
        known = np.array([[True, True, False]])
        eligible = np.ones((1, 3), dtype=bool)
        w = np.ones((1, 3))
        values = [reduce_cells(x, known, eligible, w, p).value[0] for p in MissingPolicy]
        assert values[:2] == [0.5, pytest.approx(1 / 3, abs=TOL)]
        assert math.isnan(values[2])
        for policy in MissingPolicy:
            coverage = reduce_cells(x, known, eligible, w, policy).coverage[0]
            assert coverage == pytest.approx(2 / 3, abs=TOL)


# ---------------------------------------------------------------------------- AGG-4
class TestAGG4MissingValues:
    def test_the_default_policy_is_drop(self) -> None:
        """AGG-4: "A profile chooses one missing-value policy for all its metrics; the default
        MUST be `drop`." """
        assert standard_profile().missing is MissingPolicy.DROP
        minimal = Profile("p", "1", Volume(), (Maturity("m", "M"),), "m")
        assert minimal.missing is MissingPolicy.DROP
        assert MissingPolicy.parse("Drop") is MissingPolicy.DROP
        with pytest.raises(InvalidValueError):
            MissingPolicy.parse("impute")
        # Metric.evaluate's default is drop too: a proactive product (x = 1) and an unknown
        # one give (1 × 1) / 1 = 1, not (1 + 0) / 2.
        ds = two_products(
            Offering("GM0606", "urn:x:a", capabilities=gates_up_to(6)),
            Offering("GM0606", "urn:x:b", status="unknown"),
        )
        assert Maturity("m", "M").evaluate(ds).of("GM0606") == 1.0

    @pytest.mark.property
    @given(cell_arrays())
    def test_the_policies_agree_when_nothing_that_counts_is_missing(
        self, arrays: CellArrays
    ) -> None:
        """AGG-4: "When every eligible cell of positive weight is known and every eligible
        weight is known, the three policies MUST give the same value." (Exactly: the same
        sums are taken.) The coverage is the same under every policy, exactly."""
        w = np.nan_to_num(arrays.weight, nan=1.0)  # every weight known
        known = arrays.known | (w > 0)  # every cell of positive weight known
        results = [reduce_cells(arrays.x, known, arrays.eligible, w, p) for p in POLICIES]
        for r in results[1:]:
            np.testing.assert_array_equal(results[0].value, r.value)
        args = (arrays.x, arrays.known, arrays.eligible, arrays.weight)
        coverages = [reduce_cells(*args, p).coverage for p in POLICIES]
        for coverage in coverages[1:]:
            np.testing.assert_array_equal(coverages[0], coverage)

    @pytest.mark.property
    @given(cell_arrays())
    def test_propagate_is_undefined_exactly_when_something_that_counts_is_unknown(
        self, arrays: CellArrays
    ) -> None:
        """AGG-4: `propagate`: "the value is undefined when any eligible cell of positive
        weight has an unknown value, or when any eligible cell has an unknown weight";
        otherwise it is the `drop` value (exactly)."""
        args = (arrays.x, arrays.known, arrays.eligible, arrays.weight)
        propagate = reduce_cells(*args, MissingPolicy.PROPAGATE).value
        drop = reduce_cells(*args, MissingPolicy.DROP).value
        w = arrays.weight
        for i in range(w.shape[0]):
            eligible = arrays.eligible[i]
            missing = (eligible & np.isnan(w[i])).any() or (
                eligible & ~arrays.known[i] & (np.nan_to_num(w[i]) > 0)
            ).any()
            if missing:
                assert math.isnan(propagate[i])
            else:
                assert close(float(propagate[i]), float(drop[i]), 0.0)

    def test_a_cell_of_weight_zero_does_not_make_a_value_undefined(self) -> None:
        """AGG-4: "A cell of weight 0 changes no value under any policy (WGT-2): its value
        being unknown MUST NOT make a value undefined." The chapter's example: 1/2 under
        all three policies."""
        x = np.array([[1.0, 0.0, 0.0]])
        known = np.array([[True, True, False]])
        eligible = np.ones((1, 3), dtype=bool)
        w0 = np.array([[1.0, 1.0, 0.0]])
        assert [reduce_cells(x, known, eligible, w0, p).value[0] for p in MissingPolicy] == [
            0.5,
            0.5,
            0.5,
        ]


# ---------------------------------------------------------------------------- AGG-5
class TestAGG5Composites:
    @pytest.mark.property
    @given(part_arrays(), st.sampled_from(tuple(Method)), st.sampled_from(POLICIES))
    def test_each_method_is_its_formula(
        self, parts: PartArrays, method: Method, policy: MissingPolicy
    ) -> None:
        """AGG-5: arithmetic "Σ α_k × u_k", geometric "Π u_k^α_k" with the zero rule, minimum
        "the least u_k of the active parts"; a part is active when its weight is greater
        than 0 and, under `drop`, its value is defined (TOL)."""
        value, share = combine(parts.values, parts.weights, method, policy)
        for i in range(parts.values.shape[1]):
            want = _oracle_combined(parts.values[:, i], parts.weights, method, policy)
            assert close(float(value[i]), want), (value[i], want)
            if math.isnan(value[i]):
                assert not share[:, i].any()
            else:
                assert abs(math.fsum(share[:, i]) - 1.0) <= TOL

    @pytest.mark.property
    @given(part_arrays(), st.sampled_from(POLICIES))
    def test_minimum_geometric_arithmetic_and_their_bounds(
        self, parts: PartArrays, policy: MissingPolicy
    ) -> None:
        """AGG-5: "Each result MUST lie between the least and the greatest u_k of the active
        parts, and for the same parts minimum ≤ geometric ≤ arithmetic, within the
        tolerance of AGG-8." (Checked with TOL; the bounds hold exactly.)"""
        results = {
            method: combine(parts.values, parts.weights, method, policy)[0] for method in Method
        }
        for i in range(parts.values.shape[1]):
            a = float(results[Method.ARITHMETIC][i])
            g = float(results[Method.GEOMETRIC][i])
            low = float(results[Method.MINIMUM][i])
            if math.isnan(a):
                assert math.isnan(g)
                assert math.isnan(low)
                continue
            column = parts.values[:, i]
            active = [
                (0.0 if math.isnan(v) else float(v))
                for v, w in zip(column, parts.weights, strict=True)
                if w > 0 and not (policy is MissingPolicy.DROP and math.isnan(v))
            ]
            lo, hi = min(active), max(active)
            for value in (a, g, low):
                assert lo <= value <= hi
            assert low <= g + TOL
            assert g <= a + TOL

    def test_the_examples(self) -> None:
        """AGG-5: "parts u = 0.5 and u = 0.8 with equal weights give arithmetic ... 0.65,
        geometric √(0.5 × 0.8) = √0.4 = 0.6324555…, and minimum 0.5. With u = 0 and 0.8 the
        geometric mean is 0 (the zero rule)." """
        values = np.array([[0.5, 0.0], [0.8, 0.8]])
        w = np.array([1.0, 1.0])
        a, g, low = (combine(values, w, m, MissingPolicy.DROP)[0] for m in Method)
        assert a.tolist() == pytest.approx([0.65, 0.4], abs=TOL)
        assert g.tolist() == pytest.approx([math.sqrt(0.4), 0.0], abs=TOL)
        assert low.tolist() == [0.5, 0.0]

    def test_a_lower_is_better_part_enters_as_one_minus_its_value(self) -> None:
        """AGG-5: "u_k = v_k when the part's direction is +1 and u_k = 1 − v_k when it is −1";
        "A barrier (MET-5) of 0.25 enters a composite as 1 − 0.25 = 0.75."

        Four fully online products of which one asks more than needed: barrier 1/4, so
        the composite of the barrier alone is 1 − 1/4 = 3/4.
        """
        from digimaat.measurement.metrics import AuthenticationFit

        catalogue = Catalogue(
            tuple(
                Product(
                    uri=f"urn:x:{k}",
                    name=str(k),
                    additions=Additions(required_assurance="none", reason="t"),
                )
                for k in range(4)
            )
        )
        ds = Dataset.from_offerings(
            [
                Offering(
                    "GM0606",
                    f"urn:x:{k}",
                    capabilities=FULLY_ONLINE,
                    authentication="DigiD Midden" if k == 0 else "none",
                )
                for k in range(4)
            ],
            [GM],
            catalogue,
        )
        barrier = AuthenticationFit("barrier", "Barrier", outcome="barrier")
        assert barrier.evaluate(ds).of("GM0606") == 0.25
        for method in Method:
            composite = Composite("c", "C", parts=((barrier, 1.0),), method=method)
            assert composite.evaluate(ds).of("GM0606") == 0.75

    def test_no_active_part_gives_an_undefined_composite(self) -> None:
        """AGG-5: "A composite with no active part is undefined." (Under `drop`, every part
        undefined; a part of weight 0 is never active.)"""
        values = np.array([[math.nan], [0.7]])
        for method in Method:
            value, _ = combine(values, np.array([1.0, 0.0]), method, MissingPolicy.DROP)
            assert math.isnan(value[0])
            value, _ = combine(values, np.array([1.0, 0.0]), method, MissingPolicy.ZERO)
            assert value[0] == 0.0  # zero: the undefined active part counts as 0


def _oracle_combined(
    column: np.ndarray, weights: np.ndarray, method: Method, policy: MissingPolicy
) -> float:
    from tests.measurement.oracle import combined

    values = [float(v) for v in column]
    return combined(values, [float(w) for w in weights], [1] * len(values), method.value, policy)


# ---------------------------------------------------------------------------- AGG-6
class TestAGG6CompositeContributions:
    @pytest.mark.property
    @WORLD_SETTINGS
    @given(worlds(), st.sampled_from(POLICIES))
    def test_contributions_follow_the_arithmetic_attribution(
        self, world: World, policy: MissingPolicy
    ) -> None:
        """AGG-6: "For `arithmetic`, the contributions MUST be the arithmetic attributions";
        "For `geometric` and `minimum`, the contributions MUST be the arithmetic
        attributions multiplied by value / (their sum), and 0 when that sum is 0. They sum
        to the value." (TOL)"""
        board = attrs.evolve(WITH_COMPOSITES, missing=policy).score(world.dataset())
        for composite in COMPOSITES:
            assert isinstance(composite, Composite)
            result = board.results[composite.id]
            parts = [board.results[m.id] for m, _ in composite.parts]
            weights = [w for _, w in composite.parts]
            for i, value in enumerate(result.value):
                if math.isnan(value):
                    assert not result.contribution[i].any()
                    continue
                u = [
                    float(r.value[i]) if m.direction > 0 else 1.0 - float(r.value[i])
                    for r, (m, _) in zip(parts, composite.parts, strict=True)
                ]
                applies = [bool(r.applies[i]) for r in parts]
                alpha = _alphas(u, weights, composite.method, policy, applies)
                attribution = np.zeros(len(world.uris))
                for a, r, (m, _) in zip(alpha, parts, composite.parts, strict=True):
                    c = r.contribution[i] if m.direction > 0 else r.share[i] - r.contribution[i]
                    attribution += a * c
                total = math.fsum(attribution)
                if composite.method is not Method.ARITHMETIC:
                    attribution *= value / total if total > 0 else 0.0
                assert np.allclose(result.contribution[i], attribution, rtol=0.0, atol=TOL)
                assert abs(math.fsum(result.contribution[i]) - value) <= TOL

    def test_the_example(self) -> None:
        """AGG-6's example: a at level 4 and b at level 1; fully online and maturity.

        Arithmetic 11/24 with contributions 5/12 (a) and 1/24 (b); geometric √(5/24) with
        (10/11)√(5/24) and (1/11)√(5/24); minimum 5/12 with 1/3 and 1/12.
        """
        ds = two_products(
            Offering("GM0606", "urn:x:a", capabilities=FULLY_ONLINE),
            Offering("GM0606", "urn:x:b", capabilities=gates_up_to(1)),
        )
        parts = ((Availability("f", "F"), 1.0), (Maturity("m", "M"), 1.0))
        root = math.sqrt(5 / 24)
        expected = {
            "arithmetic": (11 / 24, 5 / 12, 1 / 24),
            "geometric": (root, 10 / 11 * root, root / 11),
            "minimum": (5 / 12, 1 / 3, 1 / 12),
        }
        for method, (value, a, b) in expected.items():
            result = Composite("c", "C", parts=parts, method=method).evaluate(ds)
            assert result.of("GM0606") == pytest.approx(value, abs=TOL)
            assert result.contributions_of("GM0606") == pytest.approx(
                {"urn:x:a": a, "urn:x:b": b}, abs=TOL
            )


def _alphas(
    u: list[float],
    weights: list[float],
    method: Method,
    policy: MissingPolicy,
    applies: list[bool],
) -> list[float]:
    """The α_k of AGG-6: shares of the active parts (weight > 0, applying, and under
    ``drop`` defined); for minimum 1 for the first part that ties with the least (AGG-10)."""
    active = [
        w > 0 and ok and not (policy is MissingPolicy.DROP and math.isnan(v))
        for v, w, ok in zip(u, weights, applies, strict=True)
    ]
    if method is Method.MINIMUM:
        values = [0.0 if math.isnan(v) else v for v in u]
        least = min(v for k, v in enumerate(values) if active[k])
        first = next(k for k, v in enumerate(values) if active[k] and v <= least + 1e-9)
        return [1.0 if k == first else 0.0 for k in range(len(u))]
    total = math.fsum(w for w, a in zip(weights, active, strict=True) if a)
    return [w / total if a else 0.0 for w, a in zip(weights, active, strict=True)]


# ---------------------------------------------------------------------------- AGG-7, AGG-8
class TestAGG7ReductionRule:
    @pytest.mark.property
    @given(cell_arrays(), st.sampled_from(POLICIES), st.randoms(use_true_random=False))
    def test_any_summation_order_agrees_within_the_tolerance(
        self, arrays: CellArrays, policy: MissingPolicy, rng: random.Random
    ) -> None:
        """AGG-7: "An implementation computes in binary64 arithmetic or with more precision,
        sums over products in any order and with any algorithm ... Every number it reports
        MUST agree with the exact value (AGG-8)."

        The product axis is permuted: another summation order. The values agree within
        TOL, much closer than AGREEMENT_TOLERANCE.
        """
        order = list(range(arrays.x.shape[1]))
        rng.shuffle(order)
        a = reduce_cells(arrays.x, arrays.known, arrays.eligible, arrays.weight, policy)
        b = reduce_cells(
            arrays.x[:, order],
            arrays.known[:, order],
            arrays.eligible[:, order],
            arrays.weight[:, order],
            policy,
        )
        for x, y in zip(a.value, b.value, strict=True):
            assert close(float(x), float(y))
        np.testing.assert_allclose(a.contribution[:, order], b.contribution, rtol=0, atol=TOL)


class TestAGG8Tolerance:
    def test_the_tolerance_is_one_billionth(self) -> None:
        """AGG-8: a computed number agrees with the standard when it "differs from it by at
        most 1e-9 in absolute terms, the *tolerance* ε"."""
        assert AGREEMENT_TOLERANCE == 1e-9

    @pytest.mark.property
    @given(cell_arrays(max_p=8), st.sampled_from(POLICIES))
    def test_the_reference_implementation_agrees_with_exact_arithmetic(
        self, arrays: CellArrays, policy: MissingPolicy
    ) -> None:
        """AGG-8: the reference implementation agrees with the exact value of AGG-7 within
        the agreement tolerance (both undefined counts as agreement)."""
        result = reduce_cells(arrays.x, arrays.known, arrays.eligible, arrays.weight, policy)
        for i, (value, _) in enumerate(exact_reduction(arrays, policy)):
            assert close(float(result.value[i]), value, AGREEMENT_TOLERANCE)


# ---------------------------------------------------------------------------- AGG-10
EPS = AGREEMENT_TOLERANCE


class TestAGG10Ties:
    def test_numbers_within_the_tolerance_tie(self) -> None:
        """AGG-10: *a* and *b* *tie* when |a − b| ≤ ε; *a* is greater than 0 when a > ε."""
        assert ties((0.2 + 0.4) / 2, (0.3 + 0.3) / 2)
        assert ties(0.5, 0.5 + EPS / 2)
        assert not ties(0.5, 0.5 + 2 * EPS)
        assert not exceeds(5.551115123125783e-17)
        assert exceeds(2 * EPS)
        assert not exceeds(math.nan)

    @pytest.mark.property
    @given(
        st.lists(st.integers(0, 20), min_size=1, max_size=12),
        st.randoms(use_true_random=False),
        st.lists(st.floats(-EPS / 100, EPS / 100), min_size=12, max_size=12),
    )
    def test_the_order_of_a_listing_is_total_and_robust(
        self, levels: list[int], rng: random.Random, noise: list[float]
    ) -> None:
        """AGG-10: a listing is "by repeated selection: the next item listed is, of the items
        not yet listed whose number ties with the greatest number not yet listed, the one
        with the least URI". Numbers that differ by more than ε are listed largest first,
        numbers that are equal by URI; the order is the same on the exact numbers, on
        numbers perturbed by far less than ε, and for any order of the input."""
        exact = [(f"urn:x:{k:02d}", level / 8) for k, level in enumerate(levels)]
        listed = ranked(exact, lambda t: t[1], lambda t: t[0])
        assert sorted(listed) == sorted(exact)
        assert listed == sorted(exact, key=lambda t: (-t[1], t[0]))
        shuffled = list(exact)
        rng.shuffle(shuffled)
        perturbed = [(uri, value + noise[k]) for k, (uri, value) in enumerate(shuffled)]
        again = ranked(perturbed, lambda t: t[1], lambda t: t[0])
        assert [uri for uri, _ in again] == [uri for uri, _ in listed]

    def test_ties_are_not_transitive_and_the_listing_still_has_one_order(self) -> None:
        """AGG-10: "a may tie with b and b with c while a is greater than c". With 1.2ε
        (c), 0.6ε (b) and 0 (a): the items tying with the greatest, 1.2ε, are c and b, so b
        (the least URI) comes first; then c, the greatest left; then a."""
        items = [("urn:x:a", 1.2 * EPS), ("urn:x:b", 0.6 * EPS), ("urn:x:c", 0.0)]
        listed = ranked(items, lambda t: t[1], lambda t: t[0])
        assert [uri for uri, _ in listed] == ["urn:x:a", "urn:x:b", "urn:x:c"]
        items = [("urn:x:c", 1.2 * EPS), ("urn:x:b", 0.6 * EPS), ("urn:x:a", 0.0)]
        listed = ranked(items, lambda t: t[1], lambda t: t[0])
        assert [uri for uri, _ in listed] == ["urn:x:b", "urn:x:c", "urn:x:a"]

    def test_a_minimum_selects_the_first_of_the_parts_that_tie(self) -> None:
        """AGG-5, AGG-10: `minimum`: of the active parts whose u ties with the least u, the
        first in part order; here the first is 0.30000000000000004 and the second 0.3."""
        first, second = (0.2 + 0.4) / 2, (0.3 + 0.3) / 2
        assert first > second
        values = np.array([[first], [second], [0.5]])
        value, used = combine(values, np.ones(3), Method.MINIMUM, MissingPolicy.DROP)
        assert used[:, 0].tolist() == [1.0, 0.0, 0.0]
        assert value[0] == first
        value, used = combine(values[[1, 0, 2]], np.ones(3), Method.MINIMUM, MissingPolicy.DROP)
        assert used[:, 0].tolist() == [1.0, 0.0, 0.0]

    def test_the_geometric_zero_rule_applies_within_the_tolerance(self) -> None:
        """AGG-5, AGG-10: "when any active part is 0 by the tie rule (u ≤ 1e-9) the result
        is 0"; a part of 1e-16, a rounding error of 0, does not make the mean 1e-8."""
        values = np.array([[1e-16, 2 * EPS], [1.0, 1.0]])
        value, _ = combine(values, np.ones(2), Method.GEOMETRIC, MissingPolicy.DROP)
        assert value[0] == 0.0
        assert value[1] == pytest.approx(math.sqrt(2 * EPS), rel=1e-12)


class TestAGG4ZeroByDirection:
    @pytest.mark.property
    @given(cell_arrays(max_p=8))
    def test_zero_counts_an_unknown_at_the_worst_value(self, arrays: CellArrays) -> None:
        """AGG-4: `zero`: "an unknown cell counts with its full weight at the metric's worst
        value x0": 0 when higher is better and 1 when lower is better, so that for a
        lower-is-better metric the value is an upper bound. Exact arithmetic (AGG-3)."""
        x = np.clip(arrays.x, 0.0, 1.0)
        down = reduce_cells(x, arrays.known, arrays.eligible, arrays.weight, MissingPolicy.ZERO, -1)
        up = reduce_cells(x, arrays.known, arrays.eligible, arrays.weight, MissingPolicy.ZERO)
        flipped = reduce_cells(
            1.0 - x, arrays.known, arrays.eligible, arrays.weight, MissingPolicy.ZERO
        )
        drop = reduce_cells(x, arrays.known, arrays.eligible, arrays.weight, MissingPolicy.DROP)
        for i in range(x.shape[0]):
            # On the higher-is-better scale an unknown counts as 0 in either direction.
            assert close(1.0 - float(down.value[i]), float(flipped.value[i]), 1e-12)
            if not math.isnan(float(drop.value[i])):
                assert float(down.value[i]) >= float(drop.value[i]) - 1e-12
                assert float(up.value[i]) <= float(drop.value[i]) + 1e-12
            if not math.isnan(float(down.value[i])):
                assert 0.0 <= float(down.value[i]) <= 1.0
                assert close(math.fsum(down.contribution[i]), float(down.value[i]), 1e-12)
        np.testing.assert_array_equal(down.coverage, up.coverage)

    def test_an_unrecorded_authentication_counts_as_a_barrier(self) -> None:
        """AGG-4, MET-5: under `zero` an unrecorded authentication counts "as a barrier and
        as a shortfall", never in the municipality's favour."""
        booking = Additions(required_assurance="low", fee_applies=False, reason="test")
        catalogue = Catalogue((Product(uri="urn:x:a", name="a", additions=booking),))
        ds = Dataset.from_offerings(
            [Offering("GM0606", "urn:x:a", capabilities=FULLY_ONLINE)], [GM], catalogue
        )
        for outcome, worst in (("match", 0.0), ("barrier", 1.0), ("shortfall", 1.0)):
            metric = AuthenticationFit("m", "M", outcome=outcome)
            assert metric.evaluate(ds, policy=MissingPolicy.ZERO).of("GM0606") == worst
            assert math.isnan(metric.evaluate(ds).of("GM0606"))


# ---------------------------------------------------------------------------- AGG-9
def _half_even(value: float, decimals: int) -> str:
    """Round the exact binary64 value half to even, with fractions (independent of Decimal)."""
    exact = Fraction(value) * 10**decimals
    whole = math.floor(exact)
    rest = exact - whole
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and whole % 2 == 1):
        whole += 1
    sign = "-" if whole < 0 or (whole == 0 and value < 0) else ""
    digits = str(abs(whole)).rjust(decimals + 1, "0")
    return f"{sign}{digits[:-decimals]}.{digits[-decimals:]}"


class TestAGG9Display:
    def test_the_examples(self) -> None:
        """AGG-9: "20/1020 = 0.0196078… is shown as `0.0196`; 1/32 = 0.03125 is exactly a tie
        and is shown as `0.0312` (to even), and 3/32 = 0.09375 as `0.0938`; the double
        nearest to 0.00015 is 0.000149999999999999986…, below the tie, so it is shown as
        `0.0001`, not `0.0002`." """
        assert DISPLAY_DECIMALS == 4
        assert display(20 / 1020) == "0.0196"
        assert display(1 / 32) == "0.0312"
        assert display(3 / 32) == "0.0938"
        assert Fraction(0.00015) < Fraction("0.00015")  # the double is below the tie
        assert display(0.00015) == "0.0001"
        assert display(1.0) == "1.0000"
        assert display(0.0) == "0.0000"

    def test_an_undefined_value_is_shown_as_n_a(self) -> None:
        """AGG-9: "An undefined value is written `null` in exchanged data and `n/a` in
        text." (Score cards hold None for it, PRF.)"""
        assert display(math.nan) == "n/a"
        with pytest.raises(InvalidValueError):
            display(math.inf)

    @pytest.mark.property
    @given(st.integers(0, 20_000), st.integers(1, 6))
    def test_rounding_is_half_to_even_on_the_exact_expansion(self, n: int, decimals: int) -> None:
        """AGG-9: "A displayed value is rounded half to even to 4 decimals
        (`DISPLAY_DECIMALS`), applied to the exact decimal expansion of the binary64
        number".

        The values n/20000 include every tie of the fourth decimal (…5 in the fifth); the
        expected text is computed with exact fractions, independently of :mod:`decimal`.
        """
        value = n / 20_000
        assert display(value, decimals) == _half_even(value, decimals)

    @pytest.mark.property
    @given(st.floats(0.0, 1.0))
    def test_display_is_within_half_a_unit_of_the_last_decimal(self, value: float) -> None:
        """AGG-9: rounding is for display only; the shown number is the value to 4 decimals,
        at most half a unit of the fourth decimal away (exactly)."""
        shown = Fraction(display(value))
        assert abs(shown - Fraction(value)) <= Fraction(1, 20_000)
        assert display(value) == _half_even(value, 4)
