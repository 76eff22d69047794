"""Metrics (specification chapter MET).

A metric turns a dataset and a weighting into one value per municipality, with the
coverage (the share of weight that was measurable) and the per-product contributions that
sum to the value. Every metric evaluates all municipalities at once on the arrays.

Per-product values ``x[m, p]`` are defined by each metric (MET-2 .. MET-7) and reduced by
:func:`~digimaat.measurement.aggregation.reduce_cells`. A :class:`Composite` combines
metrics (MET-8, chapter AGG).

Question 1 of the standard, "is a PDF mass digital?": a municipality that offers its
products only as downloadable forms has fully-online availability 0.

>>> from digimaat.measurement.metrics import Availability
>>> from digimaat.vocabulary.maturity import MaturityLevel
>>> Availability("fully-online", "Fully online", at_least=MaturityLevel.FULLY_ONLINE).unit
'share'
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any, ClassVar

import attrs
import numpy as np
from numpy.typing import NDArray

from digimaat._boundary import guard
from digimaat._classes import shared_eq, shared_repr
from digimaat._numbers import weight
from digimaat.errors import InvalidValueError, UnknownNameError
from digimaat.measurement.aggregation import (
    Method,
    MissingPolicy,
    PreparedWeights,
    combine,
)
from digimaat.measurement.dataset import Dataset
from digimaat.measurement.metric_base import (
    Cells,
    Metric,
    MetricResult,
    _clipped_level,
    _id,
    _in_scope,
    _level,
    _one_of,
    _ratio,
    _scope,
    _title,
)
from digimaat.measurement.weights import Equal, SubjectWeights, Weighting
from digimaat.vocabulary.maturity import MaturityLevel

__all__ = [
    "LINEAR_SCORES",
    "Attainment",
    "AuthenticationFit",
    "Availability",
    "Cells",
    "Composite",
    "Maturity",
    "Metric",
    "MetricResult",
    "SuccessRatio",
    "Uptake",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

LINEAR_SCORES: tuple[float, ...] = tuple(level / 6 for level in range(7))
"""The standard's level-to-score mapping: level / 6, so each rung is worth the same (MET-3)."""


@attrs.frozen
@shared_repr
@shared_eq
class Availability(Metric):
    """Weighted share of products at or above a level, e.g. fully online (MET-2)."""

    kind: ClassVar[str] = "availability"
    clause: ClassVar[str] = "MET-2"
    id: str = attrs.field(validator=_id)
    title: str = attrs.field(validator=_title)
    at_least: MaturityLevel = attrs.field(default=MaturityLevel.FULLY_ONLINE, converter=_level)
    scope: str = attrs.field(default="reference", converter=_scope)

    def cells(self, ds: Dataset) -> Cells:
        level = int(self.at_least)
        x = ds.derived(f"at-least-{level}", lambda: ds.level >= level)
        return Cells(x=x, known=ds.observed, eligible=_in_scope(ds, self.scope))


def _scores(values: Sequence[float]) -> tuple[float, ...]:
    try:
        scores = tuple(float(v) for v in values)
    except (TypeError, ValueError):
        raise InvalidValueError(
            "scores", values, "must be numbers, one per level", "MET-3"
        ) from None
    if len(scores) != len(MaturityLevel):
        raise InvalidValueError(
            "scores", scores, f"needs one score per level ({len(MaturityLevel)})", "MET-3"
        )
    if any(not 0.0 <= s <= 1.0 for s in scores) or any(
        b < a for a, b in itertools.pairwise(scores)
    ):
        raise InvalidValueError(
            "scores", scores, "must be non-decreasing and within [0, 1]", "MET-3"
        )
    return scores


@attrs.frozen
@shared_repr
@shared_eq
class Maturity(Metric):
    """Weighted mean of a level-to-score mapping (MET-3)."""

    kind: ClassVar[str] = "maturity"
    clause: ClassVar[str] = "MET-3"
    unit: ClassVar[str] = "score"
    id: str = attrs.field(validator=_id)
    title: str = attrs.field(validator=_title)
    scores: tuple[float, ...] = attrs.field(default=LINEAR_SCORES, converter=_scores)
    scope: str = attrs.field(default="reference", converter=_scope)

    def cells(self, ds: Dataset) -> Cells:
        scores = self.scores
        level = _clipped_level(ds)
        return Cells(
            x=lambda: np.array(scores, dtype=np.float64)[level],
            known=ds.observed,
            eligible=_in_scope(ds, self.scope),
            counted_sum=lambda counted: _score_sum(level, counted, scores),
        )


_TARGETS = ("reference", "local")


@attrs.frozen
@shared_repr
@shared_eq
class Attainment(Metric):
    """Weighted attainment of each product's target (MET-4).

    A cell's attainment is ``min(level, target) / target`` (1 when the target is offline).
    ``target="reference"`` uses the standard's reference targets; ``target="local"`` uses a
    municipality's local target where it set one and the reference target elsewhere. The
    two are separate metrics: a local target never changes the reference figure.
    """

    kind: ClassVar[str] = "attainment"
    clause: ClassVar[str] = "MET-4"
    unit: ClassVar[str] = "score"
    id: str = attrs.field(validator=_id)
    title: str = attrs.field(validator=_title)
    target: str = attrs.field(default="reference", validator=_one_of(_TARGETS, "MET-4"))
    scope: str = attrs.field(default="reference", converter=_scope)

    def cells(self, ds: Dataset) -> Cells:
        local = self.target == "local"
        points = ds.derived(f"attainment-points-{self.target}", lambda: _points(ds, local))
        # Every point count is a whole multiple of 1 / _LCM: the sum over the counted cells
        # is one exact integer sum, divided once.
        return Cells(
            x=lambda: points / float(_LCM),
            known=ds.observed,
            eligible=_in_scope(ds, self.scope),
            counted_sum=lambda counted: _row_sums(points * counted, _LCM) / float(_LCM),
        )


_LCM = math.lcm(*range(1, len(MaturityLevel)))
"""60: every target level 1..6 divides it, so ``_LCM * min(level, T) / T`` is an integer."""


def _points(ds: Dataset, local: bool) -> NDArray[np.int16]:
    """``[m, p]`` attainment (MET-4) times :data:`_LCM`, an exact integer per cell.

    Attainment is ``min(level, T) / T``, and 1 where ``T = 0``: with ``T' = max(T, 1)`` and
    the level raised by 1 where ``T = 0``, it is ``min(level', T') / T'`` in every cell.
    ``points / _LCM`` is the quotient of the same two integers, so the same double.
    """
    level = _clipped_level(ds)
    target = ds.reference_target
    offline = target == 0
    divisor = target + offline
    per_level = (_LCM // divisor).astype(np.int16)
    points: NDArray[np.int16] = np.minimum(level + offline, divisor) * per_level
    if local:  # local targets are few: those cells are done again
        cells = np.flatnonzero(ds.local_target >= 0)  # (flat indices are found fastest)
        target = ds.local_target.reshape(-1)[cells]
        offline = target == 0
        divisor = target + offline
        reached = np.minimum(level.reshape(-1)[cells] + offline, divisor)
        points.reshape(-1)[cells] = reached * (_LCM // divisor)
    return points


def _row_sums(values: NDArray[np.integer[Any]], largest: int) -> FloatArray:
    """``[m]`` exact sums of non-negative integers of at most ``largest``, over each row."""
    dtype = np.uint16 if largest * values.shape[1] < 1 << 16 else np.int64
    sums: FloatArray = values.sum(axis=1, dtype=dtype).astype(np.float64)
    return sums


def _score_sum(
    level: NDArray[np.int8], counted: BoolArray, scores: tuple[float, ...]
) -> FloatArray:
    """``[m]`` the sum of ``scores[level]`` over the counted cells, from counts (MET-3)."""
    top = len(scores) - 1
    if scores == LINEAR_SCORES:  # level / 6: one integer sum of the levels, divided once
        return _row_sums(level * counted, top) / float(top)
    total = np.zeros(level.shape[0])
    for k, score in enumerate(scores):  # a sum over the levels, in their order
        if score:
            total += score * _row_sums(counted & (level == k), 1)
    return total


_OUTCOMES = ("match", "barrier", "shortfall")


@attrs.frozen
@shared_repr
@shared_eq
class AuthenticationFit(Metric):
    """Share of digital offerings whose assurance level fits the product's need (MET-5).

    The subject is every offering at or above online submission whose product has an
    assessed required level. ``outcome="match"`` measures fit; ``"barrier"`` (more asked
    than needed) and ``"shortfall"`` (less asked than needed) are their own metrics, where
    lower is better.
    """

    kind: ClassVar[str] = "authentication-fit"
    clause: ClassVar[str] = "MET-5"
    id: str = attrs.field(validator=_id)
    title: str = attrs.field(validator=_title)
    outcome: str = attrs.field(default="match", validator=_one_of(_OUTCOMES, "MET-5"))
    scope: str = attrs.field(default="reference", converter=_scope)

    @property
    def direction(self) -> int:
        return 1 if self.outcome == "match" else -1

    def cells(self, ds: Dataset) -> Cells:
        required = ds.required_assurance[None, :]
        eligible = ds.derived(
            f"authentication-subject-{self.scope}",
            lambda: (
                ds.observed
                & (ds.level >= int(MaturityLevel.ONLINE_SUBMISSION))
                & (required >= 0)
                & _in_scope(ds, self.scope)
            ),
        )
        used = ds.auth_level
        compare = {"match": np.equal, "barrier": np.greater, "shortfall": np.less}[self.outcome]
        x = ds.derived(f"authentication-{self.outcome}", lambda: compare(used, required))
        known = ds.derived("authentication-known", lambda: used >= 0)
        return Cells(x=x, known=known, eligible=eligible)


@attrs.frozen
@shared_repr
@shared_eq
class Uptake(Metric):
    """Share of the volume handled through digital channels (MET-6).

    Per product the digital share of its volume; under a volume weighting the value is
    the municipality's total digital share of requests.
    """

    kind: ClassVar[str] = "uptake"
    clause: ClassVar[str] = "MET-6"
    id: str = attrs.field(validator=_id)
    title: str = attrs.field(validator=_title)
    scope: str = attrs.field(default="reference", converter=_scope)

    def cells(self, ds: Dataset) -> Cells:
        total = ds.total_volume
        known = ds.derived("volume-positive", lambda: total > 0)  # NaN > 0 is false
        # The digital volume never exceeds the total; the bound guards against the last
        # bit of rounding of the two sums (MET-6: x lies in [0, 1]).
        return Cells(
            x=lambda: _ratio(ds.digital_volume, total),
            known=known,
            eligible=_in_scope(ds, self.scope),
        )


@attrs.frozen
@shared_repr
@shared_eq
class SuccessRatio(Metric):
    """Web forms completed over web forms started, the MDD *succesratio* (MET-7)."""

    kind: ClassVar[str] = "success-ratio"
    clause: ClassVar[str] = "MET-7"
    id: str = attrs.field(validator=_id)
    title: str = attrs.field(validator=_title)
    scope: str = attrs.field(default="reference", converter=_scope)

    def cells(self, ds: Dataset) -> Cells:
        started = ds.forms_started
        known = ds.derived("forms-known", lambda: started > 0)  # NaN > 0 is false
        # Completed never exceeds started (OFF-6), so the ratio is within [0, 1].
        return Cells(
            x=lambda: _ratio(ds.forms_completed, started),
            known=known,
            eligible=_in_scope(ds, self.scope),
        )


def _parts(values: Any) -> tuple[tuple[Metric, float], ...]:
    try:
        pairs = tuple((metric, weight) for metric, weight in values)
    except (TypeError, ValueError):
        raise InvalidValueError(
            "parts", values, "must be (metric, weight) pairs", "MET-8"
        ) from None
    for metric, _ in pairs:
        if not isinstance(metric, Metric):
            raise InvalidValueError("parts.metric", metric, "must be a metric", "MET-8")
    parts = tuple(
        (metric, weight(f"parts[{metric.id}].weight", w, clause="MET-8")) for metric, w in pairs
    )
    if not parts:
        raise InvalidValueError("parts", parts, "a composite needs at least one part", "MET-8")
    ids = [metric.id for metric, _ in parts]
    if len(set(ids)) != len(ids):
        raise InvalidValueError("parts", ids, "part ids must be unique", "MET-8")
    for metric, _ in parts:
        if metric.range != (0.0, 1.0):
            raise InvalidValueError(
                f"parts[{metric.id}]", metric.id, "must have range [0, 1]", "MET-8"
            )
    if sum(w for _, w in parts) <= 0:
        raise InvalidValueError(
            "parts", [w for _, w in parts], "weights must not all be zero", "MET-8"
        )
    return parts


def _method(value: str | Method) -> Method:
    try:
        return Method.parse(value)
    except InvalidValueError:
        raise UnknownNameError("method", value, (m.value for m in Method), "AGG-5") from None


@attrs.frozen
@shared_repr
@shared_eq
class Composite(Metric):
    """Explicit aggregation of metrics with weights (MET-8, AGG-5).

    Parts where lower is better enter as ``1 - value``. The composite's per-product
    contributions sum to its value: for the arithmetic mean they are the weighted sum of
    the parts' contributions; for the geometric mean and the minimum that sum is scaled
    to the composite's value (AGG-6).
    """

    kind: ClassVar[str] = "composite"
    clause: ClassVar[str] = "MET-8"
    unit: ClassVar[str] = "score"
    id: str = attrs.field(validator=_id)
    title: str = attrs.field(validator=_title)
    parts: tuple[tuple[Metric, float], ...] = attrs.field(converter=_parts)
    method: Method = attrs.field(default=Method.ARITHMETIC, converter=_method)

    def cells(self, ds: Dataset) -> Cells:
        raise NotImplementedError("a composite has no per-product values of its own")

    def evaluate(
        self,
        ds: Dataset,
        weighting: Weighting | PreparedWeights | SubjectWeights | FloatArray | None = None,
        policy: MissingPolicy = MissingPolicy.DROP,
    ) -> MetricResult:
        weights: Weighting | PreparedWeights | SubjectWeights | FloatArray
        if weighting is None or isinstance(weighting, Weighting):
            weights = SubjectWeights(ds, weighting or Equal())
        else:
            weights = weighting
        results = [metric.evaluate(ds, weights, policy) for metric, _ in self.parts]
        return self.combine_results(ds, results, policy)

    def combine_results(
        self, ds: Dataset, results: Sequence[MetricResult], policy: MissingPolicy
    ) -> MetricResult:
        """Combine already evaluated part results (in the order of :attr:`parts`)."""
        directions = [metric.direction for metric, _ in self.parts]
        stacked = np.stack(
            [r.value if d > 0 else 1.0 - r.value for r, d in zip(results, directions, strict=True)]
        )
        weights = np.array([w for _, w in self.parts], dtype=np.float64)
        applies = np.stack([r.applies for r in results])
        value, part_share = combine(stacked, weights, self.method, policy, applies)
        method = self.method

        def detail() -> tuple[FloatArray, FloatArray]:
            mix = np.zeros(results[0].share.shape)
            share = np.zeros_like(mix)
            for k, (result, d) in enumerate(zip(results, directions, strict=True)):
                part = result.contribution if d > 0 else result.share - result.contribution
                mix += part_share[k][:, None] * part
                share += part_share[k][:, None] * result.share
            if method is not Method.ARITHMETIC:
                total = mix.sum(axis=1)
                scale = np.divide(
                    value, total, out=np.zeros_like(total), where=(total > 0) & np.isfinite(value)
                )
                mix *= scale[:, None]
            undefined = ~np.isfinite(value)
            mix[undefined] = 0.0
            share[undefined] = 0.0
            return share, mix

        # MET-9: the part-weighted mean of the coverages of the active parts that apply; a
        # part that applies but has no coverage (no known weight) counts as 0, a part that
        # does not apply counts for nothing.
        coverage_parts = np.stack([r.coverage for r in results])
        coverage_parts[np.isnan(coverage_parts)] = 0.0
        active = (weights[:, None] > 0) & applies
        part_weights = np.where(active, weights[:, None], 0.0)
        # Numerator and denominator are the same reduction, so the coverage stays <= 1.
        total = part_weights.sum(axis=0)
        coverage = np.divide(
            (part_weights * coverage_parts).sum(axis=0),
            total,
            out=np.full(total.shape, np.nan),
            where=total > 0,
        )
        applied: BoolArray = np.asarray(active.any(axis=0), dtype=np.bool_)
        return MetricResult(self, ds.codes, ds.uris, value, coverage, detail, applies=applied)


guard(__name__)
