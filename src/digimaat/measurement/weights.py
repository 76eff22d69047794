"""Weighting schemes (specification chapter WGT).

A weighting gives every (municipality, product) cell a raw, non-negative weight. Metrics
normalise the raw weights per municipality over the cells they are about (WGT-2), so a
common scale factor, the unit a volume was given in, or a product's weight of zero never
changes a result. A weight that cannot be known (a volume weighting where the volume is
unknown) is NaN, never a guessed zero (WGT-3).

The two views of the weighting question: 20 requests a year fully online against 1,000
a year offline is 50 % digital per product and 20/1020, about 2 %, per request.

This module holds the weightings of WGT-4 to WGT-8; the weightings made of weightings
(WGT-9 to WGT-11: :class:`ProductOf`, :class:`Mix`, :class:`Restrict` with its
:class:`Selector`) are in :mod:`digimaat.measurement.weights_composed`, whose names this
module offers too, importing it when one is first asked for.

>>> import numpy as np
>>> from digimaat.measurement.weights import Equal, Volume, Restrict, Selector
>>> Equal().describe()
'equal: each product counts once'
>>> Restrict(Volume(), Selector(audiences=("bedrijf",))).kind
'restrict'
"""

from __future__ import annotations

import abc
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

import attrs
import numpy as np
from numpy.typing import NDArray

from digimaat._boundary import guard
from digimaat._classes import shared_eq, shared_repr
from digimaat._numbers import MAX_WEIGHT, MIN_WEIGHT, weight
from digimaat.errors import InvalidValueError, MeasurementError
from digimaat.measurement.aggregation import PreparedWeights
from digimaat.measurement.dataset import Dataset
from digimaat.vocabulary.channels import Channel

if TYPE_CHECKING:  # pragma: no cover - the composed weightings are imported when needed
    from digimaat.measurement.weights_composed import (
        MAX_FACTORS,
        Mix,
        ProductOf,
        Restrict,
        Selector,
        factors,
    )

__all__ = [
    "MAX_FACTORS",
    "MAX_WEIGHT",
    "MIN_WEIGHT",
    "ChannelCost",
    "Custom",
    "Equal",
    "Mix",
    "PerCapita",
    "ProductOf",
    "Restrict",
    "Selector",
    "SubjectWeights",
    "Volume",
    "Weighting",
    "factors",
    "normalise",
]

FloatArray = NDArray[np.float64]


class Weighting(abc.ABC):
    """A weighting scheme: raw weights ``[m, p]`` for a dataset (WGT-1)."""

    kind: ClassVar[str]

    @abc.abstractmethod
    def raw(self, ds: Dataset) -> FloatArray:
        """Raw weights ``[m, p]``: finite and >= 0, or NaN where the weight cannot be known.

        For a weighting whose raw weights depend on the subject (a mix, WGT-10), these are
        its raw weights for the subject of every applicable cell.
        """

    @abc.abstractmethod
    def describe(self) -> str:
        """A one-line human description."""

    @property
    def by_subject(self) -> bool:
        """Whether the raw weights depend on the metric's subject (a mix, or one inside)."""
        return False

    def raw_for(self, ds: Dataset, subject: NDArray[np.bool_]) -> FloatArray:
        """Raw weights ``[m, p]`` for a metric whose subject is ``subject`` (WGT-2, WGT-10).

        Only a mix depends on the subject; every other weighting gives :meth:`raw`.
        """
        return self.raw(ds)

    def prepare(self, ds: Dataset) -> PreparedWeights:
        """The raw weights for ``ds``, checked once for the reductions of a profile."""
        return PreparedWeights.prepare(self.raw(ds))

    def prepare_for(self, ds: Dataset, subject: NDArray[np.bool_]) -> PreparedWeights:
        """The checked raw weights for a metric whose subject is ``subject``."""
        if not self.by_subject:
            return self.prepare(ds)
        return PreparedWeights.prepare(self.raw_for(ds, subject))


class SubjectWeights:
    """A weighting's prepared raw weights for one dataset, by subject, made once each.

    The raw weights of most weightings do not depend on the metric (WGT-1), so every metric
    of a profile shares one :class:`PreparedWeights`; those of a mix are normalised over each
    metric's subject (WGT-2, WGT-10) and are prepared once per subject.
    """

    def __init__(self, ds: Dataset, weighting: Weighting) -> None:
        self.ds = ds
        self.weighting = weighting
        self._shared: PreparedWeights | None = None
        self._by_subject: dict[int, tuple[NDArray[np.bool_], PreparedWeights]] = {}

    def for_subject(self, subject: NDArray[np.bool_]) -> PreparedWeights:
        """The prepared raw weights for a metric whose subject is ``subject``."""
        if not self.weighting.by_subject:
            if self._shared is None:
                self._shared = self.weighting.prepare(self.ds)
            return self._shared
        hit = self._by_subject.get(id(subject))
        if hit is not None and hit[0] is subject:
            return hit[1]
        prepared = self.weighting.prepare_for(self.ds, subject)
        self._by_subject[id(subject)] = (subject, prepared)
        return prepared

    def check(self) -> None:
        """Make the raw weights once, so that a weighting that cannot be made fails now."""
        self.weighting.raw(self.ds)


def normalise(raw: FloatArray, base: NDArray[np.bool_]) -> tuple[FloatArray, FloatArray]:
    """Normalise raw weights per municipality over ``base`` cells with a known weight (WGT-2).

    Returns ``(weights, total)``: weights sum to 1 over each municipality's known base
    cells, and are 0 elsewhere; ``total`` is the raw total per municipality. Where the
    total is 0 the weights are all 0 and the municipality's result is *not defined*
    (NaN), never a division by zero.

    >>> import numpy as np
    >>> w, total = normalise(np.array([[20.0, 1000.0]]), np.array([[True, True]]))
    >>> w.round(4).tolist(), total.tolist()
    ([[0.0196, 0.9804]], [1020.0])
    """
    try:
        raw = np.asarray(raw, dtype=np.float64)
        base = np.asarray(base, dtype=np.bool_)
    except (TypeError, ValueError, OverflowError):
        raise InvalidValueError("raw", type(raw).__name__, "must be an array of numbers") from None
    if raw.ndim != 2 or base.shape != raw.shape:
        raise InvalidValueError(
            "base", base.shape, f"must be a [municipality, product] mask of shape {raw.shape}"
        )
    known = base & ~np.isnan(raw)
    masked = np.where(known, raw, 0.0)
    total = masked.sum(axis=1)
    w = np.divide(masked, total[:, None], out=np.zeros_like(masked), where=total[:, None] > 0)
    return w, total


@attrs.frozen
@shared_repr
@shared_eq
class Equal(Weighting):
    """Each product counts once, as the VNG/MDD product measurement counts (WGT-4)."""

    kind: ClassVar[str] = "equal"

    def raw(self, ds: Dataset) -> FloatArray:
        return ds.derived("ones", lambda: np.ones(ds.status.shape))

    def prepare(self, ds: Dataset) -> PreparedWeights:
        # Every weight is 1: the reductions count cells, with no array of weights.
        return PreparedWeights.equal(ds.status.shape)

    def describe(self) -> str:
        return "equal: each product counts once"


@attrs.frozen
@shared_repr
@shared_eq
class Volume(Weighting):
    """Requests per year over all channels, "massaal" (WGT-5)."""

    kind: ClassVar[str] = "volume"

    def raw(self, ds: Dataset) -> FloatArray:
        return ds.total_volume

    def describe(self) -> str:
        return "volume: requests per year over all channels"


def _per(value: Any) -> float:
    return weight("per", value, positive=True, clause="WGT-6")


@attrs.frozen
@shared_repr
@shared_eq
class PerCapita(Weighting):
    """Requests per year per ``per`` inhabitants (WGT-6).

    Within one municipality this equals :class:`Volume` (a common factor); it differs
    when results are pooled over municipalities of different size.
    """

    kind: ClassVar[str] = "per-capita"
    per: float = attrs.field(default=1000.0, converter=_per)

    def raw(self, ds: Dataset) -> FloatArray:
        return ds.total_volume * (self.per / ds.population[:, None])

    def describe(self) -> str:
        return f"per capita: requests per year per {self.per:g} inhabitants"


def _channels(values: Any) -> tuple[Channel, ...]:
    if isinstance(values, str | Channel):
        values = (values,)
    if not isinstance(values, Iterable):
        raise InvalidValueError("channels", values, "must be channel names")
    parsed = {Channel.parse(v, "channels") for v in values}
    if not parsed:
        raise InvalidValueError("channels", list(values), "must name at least one channel", "WGT-7")
    return tuple(ch for ch in Channel if ch in parsed)


@attrs.frozen
@shared_repr
@shared_eq
class ChannelCost(Weighting):
    """Volume through the given channels times their cost per contact: the savings at stake (WGT-7).

    The default channels are the non-digital channels with a sourced default cost (balie
    and telefoon; there is no sourced figure for post). Every selected channel must have
    a known cost in the dataset, else the weighting raises rather than guess.
    """

    kind: ClassVar[str] = "channel-cost"
    channels: tuple[Channel, ...] = attrs.field(
        default=(Channel.BALIE, Channel.TELEFOON), converter=_channels
    )

    def raw(self, ds: Dataset) -> FloatArray:
        idx = [ds.channels.index(ch) for ch in self.channels]
        cost = ds.cost[:, idx]
        unknown = np.isnan(cost)
        if unknown.any():
            missing = [ch.value for k, ch in enumerate(self.channels) if unknown[:, k].any()]
            some = [ds.uris[j] for j in np.flatnonzero(unknown.any(axis=1))[:3].tolist()]
            which = "" if unknown.any(axis=1).all() else f" (products {', '.join(some)})"
            raise MeasurementError(
                f"channel-cost weighting: no cost per contact for {missing}{which} in the cost "
                f"table {ds.cost_table.describe()}"
            )
        return np.asarray((ds.volume[:, :, idx] * cost[None, :, :]).sum(axis=2), dtype=np.float64)

    def describe(self) -> str:
        names = ", ".join(ch.value for ch in self.channels)
        return f"channel cost: volume times cost per contact of {names}"


def _weight_map(values: Any) -> tuple[tuple[str, float], ...]:
    try:
        table = dict(values)
    except (TypeError, ValueError):
        raise InvalidValueError(
            "weights", values, "must map product URIs to weights", "WGT-8"
        ) from None
    out: list[tuple[str, float]] = []
    for uri, value in table.items():
        if not isinstance(uri, str) or not uri:
            raise InvalidValueError("weights", uri, "keys must be product URIs", "WGT-8")
        if ":" not in uri:  # a UPL tail such as "parkeervergunning" would never match
            raise InvalidValueError(
                "weights",
                uri,
                "keys must be full product URIs, e.g. "
                "'http://standaarden.overheid.nl/owms/terms/parkeervergunning'",
                "WGT-8",
            )
        out.append((uri, weight(f"weights[{uri}]", value, clause="WGT-8")))
    return tuple(sorted(out))


def _default_weight(value: Any) -> float | None:
    return None if value is None else weight("default", value, clause="WGT-8")


@attrs.frozen
@shared_repr
@shared_eq
class Custom(Weighting):
    """An explicit weight per product URI (WGT-8).

    A product not in the mapping gets ``default``; with no default it is an error.
    """

    kind: ClassVar[str] = "custom"
    weights: tuple[tuple[str, float], ...] = attrs.field(converter=_weight_map)
    default: float | None = attrs.field(default=None, converter=_default_weight)

    def raw(self, ds: Dataset) -> FloatArray:
        table = dict(self.weights)
        missing = [uri for uri in ds.uris if uri not in table]
        if missing and self.default is None:
            raise MeasurementError(
                f"custom weighting has no weight for {len(missing)} products, e.g. {missing[:3]}"
            )
        row = np.array([table.get(uri, self.default) for uri in ds.uris], dtype=np.float64)
        out: FloatArray = np.broadcast_to(row, ds.status.shape).copy()
        return out

    def describe(self) -> str:
        return f"custom: {len(self.weights)} explicit product weights"


guard(__name__)


_COMPOSED = frozenset({"MAX_FACTORS", "Mix", "ProductOf", "Restrict", "Selector", "factors"})
"""The names this module offers from :mod:`digimaat.measurement.weights_composed` (WGT-9 to
WGT-11), imported when first asked for."""


def __getattr__(name: str) -> Any:
    if name not in _COMPOSED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from digimaat.measurement import weights_composed

    value = getattr(weights_composed, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names, with those it imports when first asked for."""
    return sorted({*globals(), *_COMPOSED})
