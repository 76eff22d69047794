"""Tests of the measurement core's fast paths against its general path (AGG-7, WGT-4, MAT-3).

Under equal weights the reductions count cells, and several metrics sum their values from
integer counts instead of an array of values (:class:`PreparedWeights.equal`). The general
path is the one every other weighting takes: the same metric reduced with raw weights of
1 (:meth:`PreparedWeights.prepare`). Tolerance: ``TOL = 1e-12`` absolute, as in the
comparisons with the oracle; the values lie in [0, 1] and their rounding errors are
below 1e-15.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from digimaat.errors import InputError, InvalidValueError
from digimaat.measurement.aggregation import MissingPolicy, PreparedWeights
from digimaat.measurement.dataset import Dataset, StatusCode
from digimaat.measurement.metrics import Metric
from digimaat.measurement.weights import Equal
from digimaat.vocabulary.maturity import Capability, level_of
from digimaat.vocabulary.municipalities import Municipality
from digimaat.vocabulary.products import Additions, Product
from tests.measurement.oracle import COMPOSITES, SIMPLE, TOL, close
from tests.measurement.strategies import POLICIES, WORLD_SETTINGS, World, worlds

GM = (Municipality("GM0001", "Een", 10_000, 2024), Municipality("GM0002", "Twee", 20_000, 2024))
PRODUCTS = (Product(uri="urn:a", name="a"), Product(uri="urn:b", name="b"))


@pytest.mark.property
@WORLD_SETTINGS
@given(worlds(), st.sampled_from(POLICIES), st.sampled_from((*SIMPLE, *COMPOSITES)))
def test_equal_weights_agree_with_the_general_reduction(
    world: World, policy: MissingPolicy, metric: Metric
) -> None:
    """AGG-7: "An implementation MAY use any other order or summation algorithm ... whose
    results agree with the reference results within the tolerance of AGG-8."

    Equal weights (WGT-4: every cell has raw weight 1) reduced by counting agree with the
    general reduction of raw weights of 1 within TOL: values, coverages, shares and
    contributions.
    """
    ds = world.dataset()
    fast = metric.evaluate(ds, Equal(), policy)
    general = metric.evaluate(ds, PreparedWeights.prepare(np.ones(ds.status.shape)), policy)
    assert PreparedWeights.equal(ds.status.shape).uniform
    for i in range(len(ds.codes)):
        assert close(float(fast.value[i]), float(general.value[i])), (i, fast.value, general)
        assert close(float(fast.coverage[i]), float(general.coverage[i]))
    np.testing.assert_allclose(fast.share, general.share, rtol=0, atol=TOL)
    np.testing.assert_allclose(fast.contribution, general.contribution, rtol=0, atol=TOL)


@pytest.mark.property
@given(
    st.lists(st.integers(0, (1 << len(Capability)) - 1), min_size=4, max_size=4),
    st.lists(st.integers(-1, 1), min_size=4, max_size=4),
    st.lists(st.sampled_from([None, True, False]), min_size=2, max_size=2),
)
def test_from_arrays_derives_every_level_by_tier_gating(
    masks: list[int], fees: list[int], product_fees: list[bool | None]
) -> None:
    """MAT-3: "A level MUST count only when every capability of its gate and of the gates
    of all levels below it is present": the look-up table of ``from_arrays`` gives
    ``level_of`` of every mask, with the fee override, else the product's fee (MAT-4)."""
    products = tuple(
        Product(uri=p.uri, name=p.name, additions=Additions(fee_applies=fee, reason="test"))
        for p, fee in zip(PRODUCTS, product_fees, strict=True)
    )
    ds = Dataset.from_arrays(
        GM,
        products,
        status=np.zeros((2, 2), dtype=np.int8),
        capabilities=np.array(masks).reshape(2, 2),
        fee_override=np.array(fees).reshape(2, 2),
        volume=np.full((2, 2, 7), np.nan),
    )
    for k, (mask, fee) in enumerate(zip(masks, fees, strict=True)):
        i, j = divmod(k, 2)
        applies = bool(fee) if fee >= 0 else products[j].fee_applies is not False
        have = {c for c in Capability if mask & c.bit}
        assert ds.level[i, j] == level_of(have, fee_applies=applies)


def test_from_arrays_reports_a_funnel_with_one_count_and_a_reason_out_of_range() -> None:
    """INT-8: "It MUST NOT silently drop, clamp or guess a value": a web-form funnel with
    one count only (OFF-6) and a local target's reason for a cell outside the dataset are
    both reported, together."""
    started = np.full((2, 2), np.nan)
    started[0, 1] = 10.0
    with pytest.raises(InputError) as caught:
        Dataset.from_arrays(
            GM,
            PRODUCTS,
            status=np.full((2, 2), StatusCode.OFFERED, dtype=np.int8),
            capabilities=np.zeros((2, 2), dtype=np.int16),
            volume=np.full((2, 2, 7), np.nan),
            forms_started=started,
            local_target_reasons=[(2, 0, "no such municipality")],
        )
    fields = {p.field: p for p in caught.value.problems}
    assert set(fields) == {"forms_completed", "local_target_reasons"}
    assert "(0, 1)" in fields["forms_completed"].message


def test_from_arrays_rejects_integers_that_would_wrap() -> None:
    """INT-8: "It MUST NOT silently drop, clamp or guess a value": a status of 260 would
    wrap to 4 (no record) in an int8 array; it is rejected, naming the field and value."""
    status = np.full((2, 2), StatusCode.OFFERED, dtype=np.int64)
    status[1, 0] = 260
    with pytest.raises(InvalidValueError) as caught:
        Dataset.from_arrays(
            GM,
            PRODUCTS,
            status=status,
            capabilities=np.zeros((2, 2), dtype=np.int16),
            volume=np.full((2, 2, 7), np.nan),
        )
    assert "array:" in str(caught.value)
    assert "(got 260)" in str(caught.value)
