"""The statistics of an uncertainty analysis (chapter UNC, UNC-7 to UNC-9).

Ranks in each sample (:func:`ranks`), quantiles of values and ranks, the results of an
analysis (:class:`UncertaintyResult`: a :class:`Spread` per metric and municipality, the
:class:`PairProbability` of chosen pairs and the :class:`SobolIndex` of each group of
factors) and the Sobol' estimators.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from digimaat._boundary import guard
from digimaat._classes import shared_eq, shared_repr
from digimaat._version import SPEC_VERSION
from digimaat.analysis.uncertainty_design import Design
from digimaat.errors import InvalidTypeError, InvalidValueError
from digimaat.measurement.aggregation import AGREEMENT_TOLERANCE

__all__ = [
    "PairProbability",
    "RankWithin",
    "SobolIndex",
    "Spread",
    "UncertaintyResult",
    "rank_intervals",
    "ranks",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]

LOW, HIGH, MEDIAN = 0.05, 0.95, 0.5
"""The interval is from the 5 % to the 95 % quantile; the median rank is the 50 % one."""


# ---------------------------------------------------------------------- ranks
def ranks(values: FloatArray, direction: int = 1) -> NDArray[np.int32]:
    """Competition ranks along the last axis, 1 the best, 0 where the value is undefined
    (UNC-7.2).

    The defined values are sorted best first (highest when ``direction`` is +1); values
    that differ from the next by at most 1e-9 (AGG-8) tie, and a tie shares the best
    rank of its members, so the rank is 1 + the number of strictly better values.

    >>> import numpy as np
    >>> ranks(np.array([0.5, 0.9, 0.5 + 1e-12, float("nan"), 0.1])).tolist()
    [2, 1, 2, 0, 4]
    >>> ranks(np.array([0.5, 0.9, 0.1]), direction=-1).tolist()
    [2, 3, 1]
    """
    given: object = values
    if not isinstance(given, np.ndarray) or values.ndim == 0 or values.dtype.kind not in "fiu":
        raise InvalidTypeError("values", values, "an array of numbers (at least one axis)")
    if direction not in (1, -1) or isinstance(direction, bool):
        raise InvalidValueError("direction", direction, "must be 1 or -1")
    key = values * (-1.0 if direction > 0 else 1.0)
    undefined = np.isnan(key)
    # An undefined value sorts last as +inf (numpy's vectorised sort takes no NaN).
    key[undefined] = np.inf
    m = key.shape[-1]
    rows = key.reshape(-1, m)
    order = np.argsort(rows, axis=-1)  # ties need no order: they share a rank
    flat = (order + (np.arange(len(rows)) * m)[:, None]).reshape(-1)
    ordered = rows.reshape(-1)[flat].reshape(rows.shape)
    new = np.ones(rows.shape, dtype=np.bool_)
    # An undefined value's group does not matter: it gets no rank, and only undefined
    # values follow it.
    with np.errstate(invalid="ignore"):  # inf - inf between undefined values
        np.greater(np.diff(ordered, axis=-1), Design.TIE, out=new[:, 1:])
    position = np.arange(m, dtype=np.int32)
    start = np.maximum.accumulate(np.where(new, position, np.int32(0)), axis=-1)
    start += 1
    start[np.isinf(ordered)] = 0
    out = np.empty(rows.size, dtype=np.int32)
    out[flat] = start.reshape(-1)
    return out.reshape(key.shape)


def _position(defined: IntArray, p: float) -> IntArray:
    """The 0-based position ceil(p n) - 1 of the quantile ``p`` of ``n`` values, computed
    exactly in integers (UNC-7.1)."""
    percent = round(p * 100)
    out: IntArray = np.maximum((percent * defined + 99) // 100 - 1, 0)
    return out


def _quantile(ordered: FloatArray, defined: IntArray, p: float) -> FloatArray:
    """The inverted-CDF quantile ``p`` of each row's first ``defined`` sorted values:
    the value at 1-based position ceil(p * n); NaN where no value is defined (UNC-7.1)."""
    index = _position(defined, p)[..., None]
    out = np.take_along_axis(ordered, index, axis=-1)[..., 0]
    out[defined == 0] = np.nan
    result: FloatArray = out
    return result


def _quantiles(values: FloatArray, ps: Sequence[float]) -> tuple[IntArray, list[FloatArray]]:
    """``(defined, [quantile p of each row])`` over the last axis, NaN left out (UNC-7.1).

    Each row's defined values come first, in order.
    """
    undefined = np.isnan(values)
    defined: IntArray = values.shape[-1] - undefined.sum(axis=-1)
    # Undefined values sort last as +inf (numpy's vectorised sort takes no NaN).
    ordered = np.sort(np.where(undefined, np.inf, values), axis=-1)
    return defined, [_quantile(ordered, defined, p) for p in ps]


def _rank_quantiles(ranked: NDArray[np.int32], ps: Sequence[float]) -> list[FloatArray]:
    """The quantiles ``ps`` of ranks over the last axis, rank 0 (none) left out (UNC-7.1).

    Ranks are small integers: sorted as such (the 0s first), the defined ones follow the
    undefined ones.
    """
    small = ranked.astype(np.int16) if ranked.size and ranked.max() < 1 << 15 else ranked
    ordered = np.sort(small, axis=-1, kind="stable")
    missing = (ranked == 0).sum(axis=-1)
    defined = ranked.shape[-1] - missing
    out = []
    for p in ps:
        index = np.minimum(missing + _position(defined, p), ranked.shape[-1] - 1)[..., None]
        q = np.take_along_axis(ordered, index, axis=-1)[..., 0].astype(np.float64)
        q[defined == 0] = np.nan
        out.append(q)
    return out


# ---------------------------------------------------------------------- results
@attrs.frozen
@shared_repr
@shared_eq
class Spread:
    """One metric of one municipality over the samples (UNC-7)."""

    municipality: str
    nominal: float | None
    """The value under the profile as declared; ``None`` where undefined."""
    low: float | None
    """The 5 % quantile of the value over the samples where it is defined."""
    high: float | None
    """The 95 % quantile."""
    defined: float
    """The share of the samples in which the value is defined."""
    nominal_rank: int | None
    median_rank: int | None
    rank_low: int | None
    """The 5 % quantile of the rank: the best rank of the interval."""
    rank_high: int | None
    """The 95 % quantile of the rank: the worst rank of the interval."""


@attrs.frozen
@shared_repr
@shared_eq
class PairProbability:
    """The probability that ``first`` ranks above ``second`` in a metric (UNC-8)."""

    metric: str
    first: str
    second: str
    probability: float | None
    """Over the samples where both are defined; ``None`` when there is none."""
    samples: int


@attrs.frozen
@shared_repr
@shared_eq
class RankWithin:
    """The ranks of one municipality within a set of municipalities for one metric, over
    the samples (UNC-7.3): its place in a peer group (CMP) as the samples move it."""

    group: str
    metric: str
    municipality: str
    members: int
    """The members of the set in the data."""
    nominal_rank: int | None
    median_rank: int | None
    rank_low: int | None
    """The 5 % quantile of the rank within the set: the best rank of the interval."""
    rank_high: int | None
    """The 95 % quantile: the worst rank of the interval."""


@attrs.frozen
@shared_repr
@shared_eq
class SobolIndex:
    """Sobol' indices of a group for a metric's mean absolute rank shift (UNC-9)."""

    metric: str
    group: str
    first_order: float | None
    total_order: float | None


@attrs.frozen(eq=False)
@shared_repr
class UncertaintyResult:
    """What :func:`analyse` found; :meth:`to_dict` gives it as plain data."""

    profile: str
    profile_version: str
    fingerprint: str
    design: str
    seed: int
    evaluations: int
    groups: tuple[str, ...]
    metrics: tuple[str, ...]
    codes: tuple[str, ...]
    spreads: dict[str, tuple[Spread, ...]]
    """Per metric, one :class:`Spread` per municipality in CBS-code order."""
    pairs: tuple[PairProbability, ...]
    sobol: tuple[SobolIndex, ...]
    within: tuple[RankWithin, ...] = ()
    """Ranks within the sets of municipalities asked for (UNC-7.3), set by set, metric by
    metric, members in CBS-code order."""
    _by_key: dict[tuple[str, str, str], RankWithin] = attrs.field(
        init=False, factory=dict, repr=False
    )

    def spread(self, metric: str, code: str) -> Spread:
        """The spread of one metric of one municipality (the first with the code)."""
        return self.spreads[metric][self.codes.index(code)]

    def rank_within(self, group: str, metric: str, code: str) -> RankWithin | None:
        """The ranks of a municipality within a set asked for (UNC-7.3); ``None`` when the
        set was not asked for or the municipality is not in it."""
        if self.within and not self._by_key:
            self._by_key.update({(r.group, r.metric, r.municipality): r for r in self.within})
        return self._by_key.get((group, metric, code))

    def to_dict(self) -> dict[str, Any]:
        """The result as plain data (numbers unrounded; ``None`` where undefined)."""
        return {
            "spec_version": SPEC_VERSION,
            "profile": {
                "name": self.profile,
                "version": self.profile_version,
                "fingerprint": self.fingerprint,
            },
            "design": self.design,
            "seed": self.seed,
            "evaluations": self.evaluations,
            "groups": list(self.groups),
            "metrics": {
                metric: [attrs.asdict(s) for s in spreads]
                for metric, spreads in self.spreads.items()
            },
            "pairs": [attrs.asdict(p) for p in self.pairs],
            "sobol": [attrs.asdict(s) for s in self.sobol],
            "within": [attrs.asdict(r) for r in self.within],
        }


def rank_intervals(
    result: UncertaintyResult, metric: str | None = None
) -> dict[str, dict[str, int | None]]:
    """``{code: {"median": ..., "low": ..., "high": ..., "nominal": ...}}`` for one metric
    (the first analysed when not given): the rank intervals as plain data, for reports
    and comparisons."""
    chosen = metric or result.metrics[0]
    return {
        s.municipality: {
            "nominal": s.nominal_rank,
            "median": s.median_rank,
            "low": s.rank_low,
            "high": s.rank_high,
        }
        for s in result.spreads[chosen]
    }


def _number(value: Any) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value


def _rank(value: Any) -> int | None:
    value = float(value)
    return None if math.isnan(value) or value <= 0 else int(value)


VARIANCE_FLOOR = AGREEMENT_TOLERANCE**2
"""An output whose variance is at most this does not vary: its indices are undefined."""


def _sobol(design: Design, ids: tuple[str, ...], shift: FloatArray) -> tuple[SobolIndex, ...]:
    """First-order and total-order indices of each group for each metric's rank shift."""
    out: list[SobolIndex] = []
    if not design.groups:
        return ()
    if design.exhaustive:
        shape = design.shape()
        axes: list[tuple[int, ...]] = []
        column = 0
        for g in design.groups:
            axes.append(tuple(range(column, column + g.width)))
            column += g.width
        for k, mid in enumerate(ids):
            y = shift[:, k].reshape(shape)
            variance = float(np.var(y)) if not np.isnan(y).any() else math.nan
            for g, group_axes in zip(design.groups, axes, strict=True):
                first = total = None
                if variance > VARIANCE_FLOOR and group_axes:
                    others = tuple(a for a in range(len(shape)) if a not in group_axes)
                    first = float(np.var(y.mean(axis=others))) / variance if others else 1.0
                    given_others = y.mean(axis=group_axes)
                    total = 1.0 - float(np.var(given_others)) / variance
                elif variance > VARIANCE_FLOOR:
                    first = total = 0.0
                out.append(SobolIndex(mid, g.name, first, total))
        return tuple(out)
    from SALib.analyze.sobol import first_order, total_order

    per_base = len(design.groups) + 2
    for k, mid in enumerate(ids):
        raw = shift[:, k]
        defined = not np.isnan(raw).any()
        variance = float(np.var(raw)) if defined else math.nan
        # SALib's analysis standardises the outputs (all of them) before it estimates.
        y = (raw - raw.mean()) / raw.std() if variance > VARIANCE_FLOOR else raw
        a, b = y[0::per_base], y[per_base - 1 :: per_base]
        for g_index, g in enumerate(design.groups):
            ab = y[g_index + 1 :: per_base]
            first = total = None
            if variance > VARIANCE_FLOOR:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    first = float(first_order(a, ab, b))
                    total = float(total_order(a, ab, b))
            out.append(SobolIndex(mid, g.name, first, total))
    return tuple(out)


guard(__name__)
