"""Aggregation, missing values, and the reduction and rounding rule (specification chapter AGG).

Two reductions exist in digimaat, both on plain numpy arrays:

- over **products** (:func:`reduce_cells`): a metric's per-product values ``x[m, p]`` and
  weights ``w[m, p]`` give a value per municipality, a coverage, and per-product
  contributions that sum to the value;
- over **metrics** (:func:`combine`): a composite's parts give a value per municipality by
  an arithmetic mean, a geometric mean or a minimum.

Missing values follow a policy chosen per profile (AGG-4): drop the missing cells and
renormalise (``drop``), count them as zero (``zero``), or make the result undefined
(``propagate``). A cell of weight 0 is never missing: it changes nothing.

>>> import numpy as np
>>> from digimaat.measurement.aggregation import MissingPolicy, reduce_cells
>>> x = np.array([[1.0, 0.0, np.nan]])
>>> w = np.array([[1.0, 1.0, 1.0]])
>>> known = ~np.isnan(x)
>>> eligible = np.ones_like(known)
>>> r = reduce_cells(x, known, eligible, w, MissingPolicy.DROP)
>>> r.value.tolist(), r.coverage.round(4).tolist()
([0.5], [0.6667])
>>> reduce_cells(x, known, eligible, w, MissingPolicy.ZERO).value.round(4).tolist()
[0.3333]
>>> reduce_cells(x, known, eligible, w, MissingPolicy.PROPAGATE).value.tolist()
[nan]
"""

from __future__ import annotations

import enum
import heapq
import numbers
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import Any, TypeVar

import attrs
import numpy as np
from numpy.typing import NDArray

from digimaat._boundary import guard
from digimaat._classes import shared_repr
from digimaat._names import parse_name
from digimaat.errors import InvalidValueError, MeasurementError

__all__ = [
    "AGREEMENT_TOLERANCE",
    "DISPLAY_DECIMALS",
    "CellReduction",
    "Method",
    "MissingPolicy",
    "PreparedWeights",
    "combine",
    "display",
    "exceeds",
    "ranked",
    "reduce_cells",
    "reduce_with",
    "ties",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
_T = TypeVar("_T")

AGREEMENT_TOLERANCE = 1e-9
"""Two implementations agree on a value when they differ by at most this, absolutely (AGG-8)."""

DISPLAY_DECIMALS = 4
"""Values in [0, 1] are shown rounded half-to-even to this many decimals (AGG-9)."""


# ---------------------------------------------------------------------- comparisons (AGG-10)
def ties(a: float, b: float) -> bool:
    """Whether two computed numbers are equal by the tie rule: within the tolerance (AGG-10).

    >>> ties(0.1 + 0.2, 0.3), ties(0.3, 0.3 + 2e-9)
    (True, False)
    """
    return abs(_real("a", a) - _real("b", b)) <= AGREEMENT_TOLERANCE


def _real(field: str, value: object) -> float:
    """A number as a binary64 float (NaN and infinities too), or an error naming it."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidValueError(field, value, "must be a number")
    try:
        return float(value)
    except OverflowError:  # an integer beyond binary64 (AGG-7)
        raise InvalidValueError(field, value, "is too large for a binary64 number") from None


def exceeds(a: float, b: float = 0.0) -> bool:
    """Whether ``a`` is greater than ``b`` by the tie rule: by more than the tolerance (AGG-10).

    A gain of ``5e-17`` (a rounding error of an exact 0) does not exceed 0; NaN exceeds nothing.

    >>> exceeds(5e-17), exceeds(1e-6), exceeds(float("nan"))
    (False, True, False)
    """
    return _real("a", a) - _real("b", b) > AGREEMENT_TOLERANCE


def ranked(items: Sequence[_T], value: Callable[[_T], float], key: Callable[[_T], str]) -> list[_T]:
    """Items by value, largest first; values that tie (AGG-10) in the order of ``key`` (AGG-10).

    The order is built by taking, again and again, among the items left, those whose value is
    within the tolerance of the largest value left, and of those the one with the least key.
    It is a total order, the same on the exact values and on any values within the
    tolerance of them (except where two values differ by the tolerance itself), and costs
    ``O(n log n)``: the window of tied items only moves towards smaller values.

    >>> ranked([("b", 0.5), ("c", 0.25), ("a", 0.5 + 1e-12)], lambda t: t[1], lambda t: t[0])
    [('a', 0.500000000001), ('b', 0.5), ('c', 0.25)]
    """
    order = sorted(range(len(items)), key=lambda k: -value(items[k]))
    taken = [False] * len(order)
    window: list[tuple[str, int]] = []  # (key, position in ``order``), a heap
    top = 0  # position of the largest value not yet taken
    end = 0  # positions before ``end`` are in the window (or taken)
    out: list[_T] = []
    while len(out) < len(order):
        while taken[top]:
            top += 1
        largest = value(items[order[top]])
        while end < len(order) and not value(items[order[end]]) < largest - AGREEMENT_TOLERANCE:
            heapq.heappush(window, (key(items[order[end]]), end))
            end += 1
        _, position = heapq.heappop(window)
        taken[position] = True
        out.append(items[order[position]])
    return out


class MissingPolicy(enum.Enum):
    """What a reduction does with a cell (or part) whose value is unknown (AGG-4)."""

    DROP = "drop"
    """Leave it out and renormalise the weights over what is known (the default)."""
    ZERO = "zero"
    """Count it as zero with its full weight."""
    PROPAGATE = "propagate"
    """Any unknown makes the result undefined (NaN)."""

    @classmethod
    def parse(cls, value: str | MissingPolicy) -> MissingPolicy:
        """Parse by name (``"drop"``)."""
        return parse_name(cls, value, "missing")


class Method(enum.Enum):
    """How a composite combines its parts (AGG-5)."""

    ARITHMETIC = "arithmetic"
    """Weighted arithmetic mean: fully compensatory."""
    GEOMETRIC = "geometric"
    """Weighted geometric mean: partly compensatory; any part at 0 gives 0."""
    MINIMUM = "minimum"
    """The lowest part with a positive weight: non-compensatory."""

    @classmethod
    def parse(cls, value: str | Method) -> Method:
        """Parse by name (``"geometric"``)."""
        return parse_name(cls, value, "method")


@attrs.frozen(eq=False)
@shared_repr
class PreparedWeights:
    """Raw weights ``[m, p]`` checked once and shared by every reduction of a profile."""

    raw: FloatArray
    """Raw weights, NaN where unknown."""
    filled: FloatArray
    """Raw weights with unknown ones as 0."""
    unknown: BoolArray | None
    """Where the weight is unknown, or ``None`` when every weight is known."""
    uniform: bool = False
    """Every weight is 1 (:meth:`equal`): reductions count cells instead of summing weights."""
    _bases: dict[tuple[int, int], tuple[BoolArray, BoolArray, _Base]] = attrs.field(
        factory=dict, init=False, repr=False
    )

    def base(self, eligible: BoolArray, known: BoolArray) -> _Base:
        """The weights restricted to a subject, shared by metrics with the same masks."""
        key = (id(eligible), id(known))
        hit = self._bases.get(key)
        if hit is not None and hit[0] is eligible and hit[1] is known:
            return hit[2]
        base = _Base.build(self, eligible, known)
        self._bases[key] = (eligible, known, base)
        return base

    @classmethod
    def prepare(cls, raw: FloatArray) -> PreparedWeights:
        """Check raw weights (no negative or infinite weight) and prepare them."""
        raw = np.asarray(raw, dtype=np.float64)
        unknown = np.isnan(raw)
        has_unknown = bool(unknown.any())
        filled = np.where(unknown, 0.0, raw) if has_unknown else raw
        if filled.size and (filled.min() < 0 or not np.isfinite(filled).all()):
            raise MeasurementError("weights must be finite and not negative (NaN = unknown)")
        return cls(raw=raw, filled=filled, unknown=unknown if has_unknown else None)

    @classmethod
    def equal(cls, shape: tuple[int, int]) -> PreparedWeights:
        """A weight of 1 for every cell (WGT-4), without an array of weights in memory.

        Reductions under these weights count cells, which gives exactly the sums of ones.

        >>> w = PreparedWeights.equal((2, 3))
        >>> w.uniform, w.raw.shape, float(w.raw.sum())
        (True, (2, 3), 6.0)
        """
        ones: FloatArray = np.broadcast_to(np.float64(1.0), shape)
        return cls(raw=ones, filled=ones, unknown=None, uniform=True)


def _count(mask: BoolArray) -> FloatArray:
    """``[m]`` the number of true cells in each row of ``mask`` (exact), as floats."""
    rows = mask.view(np.uint8) if mask.dtype == np.bool_ else (mask != 0).view(np.uint8)
    # A sum of bytes in 16 bits is the quickest, and exact while a row is shorter than 2**16.
    dtype = np.uint16 if mask.shape[1] < 1 << 16 else np.int64
    counts: FloatArray = rows.sum(axis=1, dtype=dtype).astype(np.float64)
    return counts


@attrs.frozen(eq=False)
@shared_repr
class _Base:
    """Weights of one subject (eligible cells) split by whether the value is known.

    Under uniform weights the totals are counts of cells, and the per-cell weight arrays
    are made only when shares or contributions are asked for.
    """

    uniform: bool
    filled: FloatArray
    eligible: BoolArray
    known: BoolArray
    counted: BoolArray
    total_base: FloatArray
    total_known: FloatArray
    coverage: FloatArray
    unweighted: NDArray[np.int64]
    applies: BoolArray
    """``[m]`` whether the subject has a cell of positive or unknown weight (MET-1.2)."""
    _arrays: dict[str, FloatArray | BoolArray] = attrs.field(factory=dict)

    @classmethod
    def build(cls, w: PreparedWeights, eligible: BoolArray, known: BoolArray) -> _Base:
        counted = known & eligible
        arrays: dict[str, FloatArray | BoolArray] = {}
        if w.uniform:
            total_base, total_known = _count(eligible), _count(counted)
        else:
            w_base = arrays["w_base"] = w.filled * eligible
            w_known = arrays["w_known"] = w.filled * counted
            total_base = w_base.sum(axis=1)
            total_known = w_known.sum(axis=1)
        if w.unknown is not None:
            unweighted = (eligible & w.unknown).sum(axis=1)
        else:
            unweighted = np.zeros(eligible.shape[0], dtype=np.int64)
        coverage = np.divide(
            total_known, total_base, out=np.full(total_base.shape, np.nan), where=total_base > 0
        )
        applies = (total_base > 0) | (unweighted > 0)
        return cls(
            w.uniform,
            w.filled,
            eligible,
            known,
            counted,
            total_base,
            total_known,
            coverage,
            unweighted,
            applies,
            arrays,
        )

    def _array(self, key: str, compute: Callable[[], FloatArray | BoolArray]) -> Any:
        if key not in self._arrays:
            self._arrays[key] = compute()
        return self._arrays[key]

    @property
    def w_base(self) -> FloatArray:
        """``[m, p]`` the weights of the eligible cells (0 elsewhere)."""
        out: FloatArray = self._array("w_base", lambda: self.eligible.astype(np.float64))
        return out

    @property
    def w_known(self) -> FloatArray:
        """``[m, p]`` the weights of the counted cells: eligible with a known value."""
        out: FloatArray = self._array("w_known", lambda: self.counted.astype(np.float64))
        return out

    @property
    def incomplete(self) -> BoolArray:
        """``[m]`` whether an eligible cell of positive weight has no value, or an eligible
        cell has no weight: what makes a ``propagate`` result undefined (AGG-4)."""

        def compute() -> BoolArray:
            # A cell of weight 0 changes nothing, so its unknown value does not make the
            # result undefined either (AGG-4); a cell of unknown weight does.
            missing = self.eligible & ~self.known
            if not self.uniform:
                missing &= self.filled > 0
            out: BoolArray = missing.any(axis=1) | (self.unweighted > 0)
            return out

        out: BoolArray = self._array("incomplete", compute)
        return out


@attrs.frozen(eq=False)
@shared_repr
class CellReduction:
    """The result of reducing cells over products for every municipality.

    ``value`` and ``coverage`` are computed at once; ``share`` and ``contribution`` are
    computed when first asked for (explanations need them, scores do not).
    """

    value: FloatArray
    """``[m]`` the weighted mean, NaN where not defined."""
    coverage: FloatArray
    """``[m]`` share of the eligible weight whose value is known; NaN with no eligible weight."""
    unweighted: NDArray[np.int64]
    """``[m]`` eligible cells left out because their weight is unknown."""
    applies: BoolArray
    """``[m]`` whether the metric has anything to measure: a subject cell of positive or
    unknown weight (MET-1.2). Where it does not, value and coverage are undefined."""
    _base: _Base
    _zero: bool
    _values: Callable[[], FloatArray | BoolArray]
    _cache: dict[str, FloatArray] = attrs.field(factory=dict, init=False)

    @property
    def share(self) -> FloatArray:
        """``[m, p]`` each cell's weight in the value's denominator (sums to 1 where defined)."""
        if "share" not in self._cache:
            b = self._base
            cells, denominator = (
                (b.w_base, b.total_base) if self._zero else (b.w_known, b.total_known)
            )
            defined = np.isfinite(self.value)
            safe = np.where(defined, denominator, 1.0)
            self._cache["share"] = np.where(defined[:, None], cells / safe[:, None], 0.0)
        return self._cache["share"]

    @property
    def contribution(self) -> FloatArray:
        """``[m, p]`` ``share * x`` on the cells with a value: sums to ``value`` where defined."""
        if "contribution" not in self._cache:
            x = self._values()
            self._cache["contribution"] = np.where(self._base.counted, self.share * x, 0.0)
        return self._cache["contribution"]


Values = FloatArray | BoolArray
"""Per-cell values ``x[m, p]``: floating-point, or boolean (``True`` counts as 1)."""


def reduce_cells(
    x: Values,
    known: BoolArray,
    eligible: BoolArray,
    weight: FloatArray | PreparedWeights,
    policy: MissingPolicy,
    direction: int = 1,
) -> CellReduction:
    """Reduce per-product values to one value per municipality (AGG-3).

    ``eligible`` cells are the metric's subject; ``known`` cells have a value in ``x``
    (``x`` must be finite everywhere; its value outside ``known`` is ignored); ``weight``
    holds raw weights (NaN where unknown). The value is

    ``sum(w * x over counted cells) / sum(w over counted cells)``

    where the counted cells are the known eligible ones (``drop``), or all eligible ones
    with unknown values taken as 0 (``zero``); ``propagate`` gives NaN for a municipality
    with an unknown eligible cell of positive weight (a cell of weight 0 changes nothing,
    AGG-4). Eligible cells with an unknown weight cannot be counted: they are reported in
    ``unweighted`` and make a ``propagate`` result undefined. Sums run over products in
    canonical order, the numerator exactly as the denominator (AGG-7).

    ``x`` may be boolean (1 for true): availability and authentication metrics are. Under
    uniform weights (:meth:`PreparedWeights.equal`) the sums of weights are counts of
    cells, exact, and so is the numerator for a boolean ``x``.

    ``direction`` is the metric's (MET-1): under ``zero`` an unknown cell counts as its
    worst value, 0 when higher is better (+1) and 1 when lower is better (-1) (AGG-4).
    """
    w = weight if isinstance(weight, PreparedWeights) else PreparedWeights.prepare(weight)
    if x.shape != w.raw.shape:
        raise MeasurementError("reduce_cells: x, known, eligible and weight must have one shape")
    return reduce_with(lambda: x, known, eligible, w, policy, direction=direction)


def reduce_with(
    values: Callable[[], Values],
    known: BoolArray,
    eligible: BoolArray,
    weight: FloatArray | PreparedWeights,
    policy: MissingPolicy,
    counted_sum: Callable[[BoolArray], FloatArray] | None = None,
    *,
    direction: int = 1,
) -> CellReduction:
    """:func:`reduce_cells` with the values ``x`` made only when they are needed.

    ``values()`` gives ``x``. Under uniform weights a metric can give ``counted_sum``
    instead: ``counted_sum(counted)`` is the sum of ``x`` over the ``counted`` cells of
    each municipality (exactly, or within AGG-7's tolerance), from the dataset's columns
    without an array of values; ``values()`` is then called only for contributions.
    """
    w = weight if isinstance(weight, PreparedWeights) else PreparedWeights.prepare(weight)
    if known.shape != w.raw.shape or eligible.shape != known.shape:
        raise MeasurementError("reduce_cells: x, known, eligible and weight must have one shape")
    if direction not in (1, -1):
        raise MeasurementError(f"reduce_cells: direction must be 1 or -1 (got {direction!r})")
    b = w.base(eligible, known)
    zero = policy is MissingPolicy.ZERO
    if zero and direction < 0:
        # An unknown cell counts as its worst value, 1 (AGG-4): every eligible cell is
        # counted, the unknown ones at x = 1, so that the numerator is summed over the same
        # cells as the denominator and the value cannot leave [0, 1] by rounding.
        worst = _worst_filled(values, known)
        counted = w.base(eligible, eligible)
        value = _quotient(_numerator(worst(), counted), counted.total_known)
        return CellReduction(value, b.coverage, b.unweighted, b.applies, counted, False, worst)
    numerator: FloatArray
    if w.uniform and counted_sum is not None:
        numerator = counted_sum(b.counted)
    else:
        numerator = _numerator(values(), b)
    value = _quotient(numerator, b.total_base if zero else b.total_known)
    if policy is MissingPolicy.PROPAGATE:
        value[b.incomplete] = np.nan
    return CellReduction(value, b.coverage, b.unweighted, b.applies, b, zero, values)


def _quotient(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    """``numerator / denominator``, NaN (undefined) where the denominator is 0 (WGT-3)."""
    out: FloatArray = np.divide(
        numerator, denominator, out=np.full(numerator.shape, np.nan), where=denominator > 0
    )
    return out


def _worst_filled(
    values: Callable[[], Values], known: BoolArray
) -> Callable[[], FloatArray | BoolArray]:
    """``x`` with every unknown cell at 1, the worst value of a lower-is-better metric."""

    def make() -> FloatArray | BoolArray:
        x = values()
        if x.dtype == np.bool_:
            filled_bool: BoolArray = np.logical_or(x, ~known)
            return filled_bool
        filled: FloatArray = np.where(known, x, 1.0)
        return filled

    return make


def _numerator(x: Values, b: _Base) -> FloatArray:
    """``[m]`` the sum of ``w * x`` over the counted cells."""
    if x.shape != b.counted.shape:
        raise MeasurementError("reduce_cells: x, known, eligible and weight must have one shape")
    uniform = b.uniform
    if x.dtype == np.bool_:
        if uniform:
            return _count(np.logical_and(x, b.counted))
        out: FloatArray = (b.w_known * x).sum(axis=1)
        return out
    # Under uniform weights the denominator is a count, exact whatever the order of the
    # sum; the numerator is a sum of x over the same cells, so with x <= 1 in every cell
    # it cannot exceed the denominator (floating-point addition is monotone), and a value
    # never leaves [0, 1] by rounding. Under other weights the numerator is summed exactly
    # as the denominator is (the same reduction of the same shape), to the same end.
    numerator: FloatArray = (
        np.einsum("ij,ij->i", x, b.counted) if uniform else (b.w_known * x).sum(axis=1)
    )
    if not np.isfinite(numerator).all():
        # x is not finite somewhere (0 * inf is NaN): values outside the counted cells
        # are ignored, whatever they are.
        x = np.where(b.counted, x, 0.0)
        numerator = np.einsum("ij,ij->i", x, b.counted) if uniform else (b.w_known * x).sum(axis=1)
    return numerator


def combine(
    values: FloatArray,
    weights: FloatArray,
    method: Method,
    policy: MissingPolicy,
    applies: BoolArray | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Combine parts ``values[k, m]`` with part weights ``weights[k]`` (AGG-5).

    ``values`` are on the higher-is-better scale (*u* of AGG-5), within [0, 1], NaN where
    undefined. ``applies[k, m]`` says whether part *k* has anything to measure for
    municipality *m* (MET-1.2; by default every part applies): a part that does not apply is
    left out under every policy, a part that applies but is undefined is treated by the
    policy. Returns ``(value[m], used_share[k, m])``, where ``used_share`` is each part's
    share in the result: it sums to 1 over the parts used; for ``minimum`` it is 1 for the
    selected part, the first in part order of the parts that tie with the least (AGG-10);
    all 0 where the value is undefined.
    ``weights`` may also be ``[k, m]``, a weight per part and column: each column is then
    combined with its own weights, exactly as it would be alone (the uncertainty analysis
    combines many samples' parts at once this way).
    """
    if values.ndim != 2 or weights.shape not in ((values.shape[0],), values.shape):
        raise MeasurementError("combine: values must be [parts, m] and weights [parts]")
    if np.any(weights < 0) or not np.all(np.isfinite(weights)):
        raise InvalidValueError("weights", weights.tolist(), "must be finite and >= 0")
    finite = values[np.isfinite(values)]
    if finite.size and (finite.min() < 0 or finite.max() > 1):
        raise MeasurementError("combine: part values must lie in [0, 1]")
    per_column = weights if weights.ndim == 2 else weights[:, None]
    active = np.broadcast_to(per_column > 0, values.shape)
    if applies is not None:
        if applies.shape != values.shape:
            raise MeasurementError("combine: applies must have the shape of values")
        active = active & applies
    missing = np.isnan(values) & active
    v = np.where(np.isnan(values), 0.0, values)
    use = active & ~missing if policy is MissingPolicy.DROP else active.copy()
    w = np.where(use, per_column, 0.0)
    total = w.sum(axis=0)
    defined = total > 0
    share = np.divide(w, total, out=np.zeros_like(w), where=defined)
    # A mean lies between the lowest and the highest part it is taken over; rounding must
    # not take it outside them (nor outside [0, 1]).
    counted = share > 0
    lo = np.where(defined, np.min(np.where(counted, v, np.inf), axis=0), 0.0)
    hi = np.where(defined, np.max(np.where(counted, v, -np.inf), axis=0), 0.0)
    if method is Method.ARITHMETIC:
        value = np.clip((share * v).sum(axis=0), lo, hi)
    elif method is Method.GEOMETRIC:
        # The zero rule, with the tie rule: a part within the tolerance of 0 is 0 (AGG-10).
        nil = v <= AGREEMENT_TOLERANCE
        logs = np.where(counted & ~nil, np.log(np.where(nil, 1.0, v)), 0.0)
        zero = (nil & counted).any(axis=0)
        value = np.where(zero, 0.0, np.clip(np.exp((share * logs).sum(axis=0)), lo, hi))
    else:
        # The selected part: the first in part order of those that tie with the least
        # (AGG-5, AGG-10), so that parts equal as decimals select the same part whatever the
        # last bits of their binary64 values.
        masked = np.where(use, v, np.inf)
        tied = use & (masked <= masked.min(axis=0) + AGREEMENT_TOLERANCE)
        lowest = np.argmax(tied, axis=0)
        value = np.take_along_axis(masked, lowest[None, :], axis=0)[0]
        share = np.zeros_like(w)
        share[lowest, np.arange(values.shape[1])] = 1.0
        share = np.where(defined[None, :], share, 0.0)
    value = np.where(defined, value, np.nan)
    if policy is MissingPolicy.PROPAGATE:
        value = np.where(missing.any(axis=0), np.nan, value)
    share = np.where(np.isnan(value)[None, :], 0.0, share)  # no share in an undefined value
    return value, share


def display(value: float, decimals: int = DISPLAY_DECIMALS) -> str:
    """Round a value for display, half to even on its exact decimal expansion (AGG-9).

    Only output is rounded, never an intermediate result. An undefined value shows as
    ``"n/a"``.

    >>> display(0.019607843137254902)
    '0.0196'
    >>> display(0.125, 2), display(0.375, 2)
    ('0.12', '0.38')
    >>> display(float("nan"))
    'n/a'
    """
    number = _real("value", value)
    places: object = decimals
    if isinstance(places, bool) or not isinstance(places, int) or not 0 <= places <= 100:
        raise InvalidValueError("decimals", decimals, "must be a whole number from 0 to 100")
    if number != number:  # NaN
        return "n/a"
    if number in (float("inf"), float("-inf")):
        raise InvalidValueError("value", value, "must be a finite number or NaN (undefined)")
    quantum = Decimal(1).scaleb(-decimals)
    with localcontext() as context:
        context.prec = 400 + decimals  # every digit of any binary64 number, rounded once
        return str(Decimal(number).quantize(quantum, rounding=ROUND_HALF_EVEN))


guard(__name__)
