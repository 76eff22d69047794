"""What every metric is and what it gives (MET-1, MET-9).

A :class:`Metric` defines per-product values and, through them, a :class:`MetricResult`
per municipality; :class:`Cells` are those values with the masks that say which cells are
known and eligible. The metrics of the standard are in :mod:`digimaat.measurement.metrics`,
which offers these classes too.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from typing import ClassVar

import attrs
import numpy as np
from numpy.typing import NDArray

from digimaat._boundary import guard
from digimaat._classes import shared_repr
from digimaat._text import check_text
from digimaat.errors import InvalidValueError
from digimaat.measurement.aggregation import (
    MissingPolicy,
    PreparedWeights,
    reduce_with,
)
from digimaat.measurement.dataset import Dataset
from digimaat.measurement.weights import Equal, SubjectWeights, Weighting
from digimaat.vocabulary.maturity import MaturityLevel

__all__ = [
    "Cells",
    "Metric",
    "MetricResult",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


_SCOPES = ("reference", "all")


@attrs.frozen(eq=False)
@shared_repr
class Cells:
    """A metric's per-product values before reduction.

    ``x`` is given as an array, or as a function that makes it: a metric whose values are
    only needed for contributions under uniform weights (see ``counted_sum``) makes them
    only when asked.
    """

    _x: FloatArray | BoolArray | Callable[[], FloatArray | BoolArray] = attrs.field(alias="x")
    known: BoolArray
    """``[m, p]`` cells whose value is known."""
    eligible: BoolArray
    """``[m, p]`` cells the metric is about (its denominator); within ``Dataset.applicable``.

    Metrics return masks cached on the dataset, so that metrics with the same subject
    share one prepared reduction base.
    """
    counted_sum: Callable[[BoolArray], FloatArray] | None = None
    """Optionally, ``counted_sum(counted)``: the sum of ``x`` over the ``counted`` cells of
    each municipality, from counts rather than an array of values (used under uniform
    weights; see :func:`~digimaat.measurement.aggregation.reduce_with`)."""
    _made: list[FloatArray | BoolArray] = attrs.field(factory=list, init=False, repr=False)

    @property
    def x(self) -> FloatArray | BoolArray:
        """``[m, p]`` value of each cell: finite everywhere, meaningful where ``known``.

        Boolean for metrics whose value is yes or no (availability, authentication fit):
        ``True`` counts as 1. Small boolean arrays are cheaper to reduce than
        floating-point ones.
        """
        if not callable(self._x):
            return self._x
        if not self._made:
            self._made.append(self._x())
        return self._made[0]

    def _maker(self) -> Callable[[], FloatArray | BoolArray]:
        """What makes ``x`` (afresh on each call when ``x`` was given as a function)."""
        x = self._x
        return x if callable(x) else lambda: x


@attrs.frozen(eq=False)
@shared_repr
class MetricResult:
    """A metric's result for every municipality of a dataset (MET-1)."""

    metric: Metric
    codes: tuple[str, ...]
    uris: tuple[str, ...]
    value: FloatArray
    """``[m]`` value; NaN where not defined."""
    coverage: FloatArray
    """``[m]`` share of the eligible weight that was measurable; NaN if none was eligible."""
    _detail: Callable[[], tuple[FloatArray, FloatArray]] = attrs.field(repr=False)
    applies: BoolArray = attrs.field(kw_only=True)
    """``[m]`` whether the metric has anything to measure in the municipality (MET-1.2): a
    subject cell of positive or unknown weight, or for a composite an active part that
    applies. Where it does not apply, value and coverage are undefined and a composite
    leaves the metric out under every policy (AGG-5)."""
    _cache: list[tuple[FloatArray, FloatArray]] = attrs.field(factory=list, init=False, repr=False)

    def _computed(self) -> tuple[FloatArray, FloatArray]:
        if not self._cache:
            self._cache.append(self._detail())
        return self._cache[0]

    @property
    def share(self) -> FloatArray:
        """``[m, p]`` each product's share of the weight behind ``value``."""
        return self._computed()[0]

    @property
    def contribution(self) -> FloatArray:
        """``[m, p]`` per-product contributions; they sum to ``value`` where it is defined.

        Computed on first use: scoring needs only values and coverage.
        """
        return self._computed()[1]

    def of(self, code: str) -> float:
        """The value for one municipality (by CBS code)."""
        return float(self.value[self.codes.index(code)])

    def contributions_of(self, code: str) -> dict[str, float]:
        """``{product URI: contribution}`` for one municipality, non-zero shares only."""
        i = self.codes.index(code)
        return {
            uri: float(self.contribution[i, j])
            for j, uri in enumerate(self.uris)
            if self.share[i, j] != 0.0
        }


def _scope(value: str) -> str:
    if value not in _SCOPES:
        raise InvalidValueError("scope", value, f"must be one of {_SCOPES}", "MET-1.1")
    return value


def _id(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if (
        not isinstance(value, str)
        or not value
        or not value.replace("-", "").isalnum()
        or value != value.lower()
    ):
        raise InvalidValueError(
            attribute.name,
            value,
            "must be a lower-case identifier of letters, digits and '-'",
            "MET-1",
        )


def _title(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    check_text(attribute.name, value, empty=True, message="must be a text")  # XCH-4


class Metric(abc.ABC):
    """A metric: an id, a title, its clause, unit, range and direction (MET-1)."""

    kind: ClassVar[str]
    clause: ClassVar[str]
    unit: ClassVar[str] = "share"
    range: ClassVar[tuple[float, float]] = (0.0, 1.0)
    id: str
    title: str = attrs.field(validator=_title)

    @property
    def direction(self) -> int:
        """+1 when higher is better, -1 when lower is better."""
        return 1

    @abc.abstractmethod
    def cells(self, ds: Dataset) -> Cells:
        """The per-product values of this metric."""

    def evaluate(
        self,
        ds: Dataset,
        weighting: Weighting | PreparedWeights | SubjectWeights | FloatArray | None = None,
        policy: MissingPolicy = MissingPolicy.DROP,
    ) -> MetricResult:
        """Evaluate for every municipality; ``weighting`` defaults to :class:`Equal`."""
        cells = self.cells(ds)
        weights = _prepared(ds, weighting, cells.eligible)
        red = reduce_with(
            cells._maker(),
            cells.known,
            cells.eligible,
            weights,
            policy,
            cells.counted_sum,
            direction=self.direction,
        )
        return MetricResult(
            self,
            ds.codes,
            ds.uris,
            red.value,
            red.coverage,
            lambda: (red.share, red.contribution),
            applies=red.applies,
        )


def _prepared(
    ds: Dataset,
    weighting: Weighting | PreparedWeights | SubjectWeights | FloatArray | None,
    subject: BoolArray,
) -> PreparedWeights:
    """The raw weights of a metric whose subject is ``subject`` (WGT-2)."""
    if isinstance(weighting, PreparedWeights):
        return weighting
    if isinstance(weighting, SubjectWeights):
        return weighting.for_subject(subject)
    if weighting is None:
        weighting = Equal()
    if isinstance(weighting, Weighting):
        return weighting.prepare_for(ds, subject)
    return PreparedWeights.prepare(np.asarray(weighting, dtype=np.float64))


def _clipped_level(ds: Dataset) -> NDArray[np.int8]:
    """``[m, p]`` the level, 0 where none is known (such cells are never counted as known)."""
    level: NDArray[np.int8] = ds.derived("level-clipped", lambda: np.maximum(ds.level, 0))
    return level


def _ratio(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    """``min(numerator / denominator, 1)`` per cell, finite everywhere.

    Where the denominator is 0 or NaN the cell is not known (its value is ignored);
    ``fmin`` turns the NaN of 0/0 or of an unknown into 1 there, so every cell is finite.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio: FloatArray = numerator / denominator
    return np.fmin(ratio, 1.0, out=ratio)


def _in_scope(ds: Dataset, scope: str) -> BoolArray:
    if scope == "all":
        return ds.applicable
    return ds.reference_cells


def _level(value: str | int | MaturityLevel) -> MaturityLevel:
    return MaturityLevel.parse(value, "at_least")


def _one_of(
    options: tuple[str, ...], clause: str
) -> Callable[[object, attrs.Attribute[str], object], None]:
    """A validator: the value is one of ``options``, else an error naming field, value and
    the clause that defines the options."""

    def check(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
        if value not in options:
            raise InvalidValueError(attribute.name, value, f"must be one of {options}", clause)

    return check


guard(__name__)
