"""Samples of an uncertainty section and what each one scores (chapter UNC, UNC-3 and UNC-4).

A *sample* fixes every factor of a profile's uncertainty section (:class:`Samples`); its
score is the score of the profile and data those values make (:func:`sample_profile`,
:func:`sample_dataset`). These functions are the definition the batch scorer
(:mod:`digimaat.measurement.uncertainty_batch`) is checked against.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
from numpy.typing import NDArray

from digimaat._boundary import guard
from digimaat._classes import shared_repr
from digimaat.measurement.aggregation import Method, MissingPolicy
from digimaat.measurement.dataset import Dataset, StatusCode
from digimaat.measurement.metrics import Composite, Metric
from digimaat.measurement.uncertainty_section import UncertaintySection, uses_volume
from digimaat.measurement.weights import (
    Custom,
    ProductOf,
    Weighting,
)
from digimaat.vocabulary.maturity import LADDER, MaturityLevel, capability_mask

if TYPE_CHECKING:  # pragma: no cover - profiles import this module
    from digimaat.measurement.profiles import Profile

__all__ = [
    "Samples",
    "authentication_cells",
    "level_cells",
    "sample_dataset",
    "sample_profile",
    "with_maturity",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.intp]
Indices = NDArray[np.integer[Any]]


def level_cells(ds: Dataset, section: UncertaintySection) -> tuple[IntArray, IntArray]:
    """The cells whose maturity level is uncertain (UNC-3.5), in canonical order: their
    flat indices ``i * p + j``, and for each the number of its entry in ``section.levels``
    (whose options it may take).

    A cell is in the state *unknown* when metrics count its level as unknown (AGG-2: an
    offering of status ``unknown``, or a cell without a record within a common product
    scope), and in the state of a level when it is offered at that level (MAT-3).
    """
    kind = np.full(ds.status.shape, -1, dtype=np.intp)
    for n, (state, _) in enumerate(section.levels):
        if state is None:
            kind[ds.applicable & ~ds.observed] = n
        else:
            kind[ds.observed & (ds.level == int(state))] = n
    flat = kind.reshape(-1)
    cells: IntArray = np.flatnonzero(flat >= 0)
    kinds: IntArray = flat[cells]
    return cells, kinds


def authentication_cells(ds: Dataset, section: UncertaintySection | None = None) -> IntArray:
    """Flat indices ``i * p + j`` of the cells whose assurance level is uncertain (UNC-3.4):
    with no authentication recorded, and offered at online submission or higher, or with
    an uncertain level (``section``, UNC-3.5) that may be online submission or higher; in
    canonical order."""
    online = ds.observed & (ds.level >= int(MaturityLevel.ONLINE_SUBMISSION))
    if section is not None and section.levels:
        cells, kinds = level_cells(ds, section)
        high = np.array(
            [max(options) >= MaturityLevel.ONLINE_SUBMISSION for _, options in section.levels]
        )
        online = online.copy()
        online.reshape(-1)[cells] |= high[kinds]
    out: IntArray = np.flatnonzero(online & (ds.auth_level < 0))
    return out


@attrs.frozen(eq=False)
@shared_repr
class Samples:
    """The values of every factor for a batch of ``n`` samples (UNC-3).

    Choices are option indices into the section's options (the profile's own alone when
    the section lists none); factors are multipliers; ``authentication`` holds an index
    into the section's assurance levels for each uncertain authentication
    (:func:`authentication_cells`), ``levels`` an index into the options of each uncertain
    level (:func:`level_cells`). ``None`` means the factor is not varied.
    """

    weighting: Indices
    method: Indices
    missing: Indices
    part_factors: FloatArray | None = None
    """``[n, parts]``: the parts of the composites sorted by id, each in its order."""
    product_factors: FloatArray | None = None
    """``[n, p]``, products in canonical order."""
    volume_factors: FloatArray | None = None
    """``[n, p]``, products in canonical order."""
    authentication: Indices | None = None
    """``[n, cells]``: the uncertain authentications."""
    levels: Indices | None = None
    """``[n, cells]``: the uncertain levels."""

    @property
    def size(self) -> int:
        """The number of samples."""
        return len(self.weighting)

    def row(self, k: int) -> Samples:
        """The batch of sample ``k`` alone."""

        def take(a: Any) -> Any:
            return None if a is None else a[k : k + 1]

        return Samples(
            self.weighting[k : k + 1],
            self.method[k : k + 1],
            self.missing[k : k + 1],
            take(self.part_factors),
            take(self.product_factors),
            take(self.volume_factors),
            take(self.authentication),
            take(self.levels),
        )


def _options(
    profile: Profile,
) -> tuple[tuple[Weighting, ...], tuple[Method | None, ...], tuple[MissingPolicy, ...]]:
    section: UncertaintySection = profile.uncertainty or UncertaintySection()
    methods: tuple[Method | None, ...] = section.methods or (None,)
    return (
        section.weightings or (profile.weighting,),
        methods,
        section.missing or (profile.missing,),
    )


def _composites(profile: Profile) -> list[Composite]:
    """The profile's composites sorted by id: the order of the part factors (UNC-3.2)."""
    return sorted((m for m in profile.metrics if isinstance(m, Composite)), key=lambda m: m.id)


def sample_profile(profile: Profile, ds: Dataset, samples: Samples, k: int = 0) -> Profile:
    """The profile that sample ``k`` of a batch scores with (UNC-4): the chosen weighting
    times the product and volume factors (a ``custom`` weighting of the products), the
    chosen method and part weights in every composite, the chosen policy, and no section.

    This is the definition the batch scorer is checked against; it scores one sample with
    a whole :meth:`~digimaat.measurement.profiles.Profile.score`.
    """
    weightings, methods, policies = _options(profile)
    weighting = weightings[int(samples.weighting[k])]
    factor = np.ones(len(ds.uris))
    if samples.product_factors is not None:
        factor = factor * samples.product_factors[k]
    if samples.volume_factors is not None and uses_volume(weighting):
        factor = factor * samples.volume_factors[k]
    if samples.product_factors is not None or (
        samples.volume_factors is not None and uses_volume(weighting)
    ):
        weighting = ProductOf(Custom(dict(zip(ds.uris, factor.tolist(), strict=True))), weighting)
    method = methods[int(samples.method[k])]
    factors: dict[str, list[float]] = {}
    if samples.part_factors is not None:
        column = 0
        for composite in _composites(profile):
            n = len(composite.parts)
            factors[composite.id] = samples.part_factors[k, column : column + n].tolist()
            column += n
    built: dict[str, Metric] = {}
    metrics: list[Metric] = []
    for metric in profile.metrics:
        if isinstance(metric, Composite):
            parts = tuple(
                (built[part.id], weight * (factors[metric.id][n] if metric.id in factors else 1.0))
                for n, (part, weight) in enumerate(metric.parts)
            )
            metric = attrs.evolve(metric, parts=parts, method=method or metric.method)
        built[metric.id] = metric
        metrics.append(metric)
    return attrs.evolve(
        profile,
        weighting=weighting,
        metrics=tuple(metrics),
        missing=policies[int(samples.missing[k])],
        uncertainty=None,
    )


def sample_dataset(
    ds: Dataset, section: UncertaintySection, samples: Samples, k: int = 0
) -> Dataset:
    """The data sample ``k`` of a batch scores (UNC-4): every uncertain authentication
    (:func:`authentication_cells`) at the assurance level the sample chose for it, and
    every uncertain level (:func:`level_cells`) offered at the level it chose. Both sets of
    cells are those of the data as given."""
    out = ds
    if samples.authentication is not None and section.authentication:
        cells = authentication_cells(ds, section)
        levels = section.authentication
        chosen = np.array([int(levels[o]) for o in samples.authentication[k]], dtype=np.int8)
        out = _with_levels(out, cells, chosen)
    if samples.levels is not None and section.levels:
        cells, kinds = level_cells(ds, section)
        picked = [
            int(section.levels[kind][1][option])
            for kind, option in zip(kinds.tolist(), samples.levels[k].tolist(), strict=True)
        ]
        out = with_maturity(out, cells, np.array(picked, dtype=np.int8))
    return out


_GATES = np.array(
    [capability_mask(c for rung in LADDER[1 : level + 1] for c in rung.gate) for level in range(7)],
    dtype=np.int16,
)
"""The capabilities of the gates of levels 1 to L, as a mask, indexed by L: the least an
offering needs to reach level L (MAT-3)."""


def with_maturity(ds: Dataset, cells: IntArray, levels: NDArray[np.int8]) -> Dataset:
    """The dataset with each of ``cells`` (flat indices) offered at the level given for it
    (UNC-3.5): status ``offered``, the capabilities of the gates up to that level, and so
    that level (MAT-3). Everything else recorded for the cells stays."""
    status = ds.status.copy()
    capabilities = ds.capabilities.copy()
    level = ds.level.copy()
    status.reshape(-1)[cells] = StatusCode.OFFERED
    capabilities.reshape(-1)[cells] = _GATES[levels]
    level.reshape(-1)[cells] = levels
    return ds.with_arrays(status=status, capabilities=capabilities, level=level)


def _with_levels(ds: Dataset, cells: IntArray, levels: NDArray[np.int8]) -> Dataset:
    auth_level = ds.auth_level.copy()
    auth_means = ds.auth_means.copy()
    auth_level.reshape(-1)[cells] = levels
    auth_means.reshape(-1)[cells] = 0  # a means must be recorded with a level; none counts
    return ds.with_arrays(auth_level=auth_level, auth_means=auth_means)


guard(__name__)
