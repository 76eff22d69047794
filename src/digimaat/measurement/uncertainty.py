"""The uncertainty section of a profile, and scoring many samples at once (chapter UNC).

A profile may declare how uncertain its own methodology and its data are
(:class:`UncertaintySection`, UNC-1): alternative *choices* (weightings, the composite
method, the missing-value policy), *perturbations* of weights (each composite part weight,
each product's weight, each product's volumes within a relative range) and *data sets*
(an offering that is online but whose authentication was not recorded has one of a set of
assurance levels). A *sample* fixes every one of them (:class:`Samples`); its score is the
score of the profile and data those values make (:func:`sample_profile`,
:func:`sample_dataset`, UNC-4).

:class:`BatchScorer` scores a batch of samples as array operations: under a product
perturbation the weighted sums of every metric, for every sample and municipality, are
one matrix product of the batch's product factors with the per-cell matrices of the
metrics, built once from the metrics' own per-cell values
(:meth:`~digimaat.measurement.metrics.Metric.cells`); composites are combined by
:func:`~digimaat.measurement.aggregation.combine` with a column of weights per sample.
The design of the samples and the statistics over them are the analysis layer's
(:mod:`digimaat.analysis.uncertainty`).

>>> from digimaat.measurement.uncertainty import UncertaintySection
>>> section = UncertaintySection(methods=("arithmetic", "geometric"), part_weights=0.25)
>>> section.to_dict(lambda w: {"kind": w.kind})["methods"]
['arithmetic', 'geometric']
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import attrs
import numpy as np
from numpy.typing import NDArray

from digimaat.errors import NO_VALUE, InvalidValueError, MeasurementError
from digimaat.measurement.aggregation import Method, MissingPolicy, PreparedWeights, combine
from digimaat.measurement.dataset import Dataset
from digimaat.measurement.metrics import Composite, Metric
from digimaat.measurement.weights import (
    ChannelCost,
    Custom,
    Mix,
    PerCapita,
    ProductOf,
    Restrict,
    Volume,
    Weighting,
)
from digimaat.vocabulary.assurance import AssuranceLevel
from digimaat.vocabulary.maturity import MaturityLevel

__all__ = [
    "SECTION_KEYS",
    "BatchScorer",
    "Samples",
    "UncertaintySection",
    "authentication_cells",
    "sample_dataset",
    "sample_profile",
    "section_problems",
    "structure_section",
    "uses_volume",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.intp]

SECTION_KEYS = (
    "weightings",
    "methods",
    "missing",
    "part_weights",
    "product_weights",
    "volumes",
    "authentication",
)
"""The fields of the uncertainty section, in their canonical order (UNC-1)."""


def _half_width(name: str, value: Any) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 <= value < 1
    ):
        raise InvalidValueError(name, value, "must be a number >= 0 and < 1")
    return float(value) + 0.0


def _part_weights(value: Any) -> float:
    return _half_width("part_weights", value)


def _product_weights(value: Any) -> float:
    return _half_width("product_weights", value)


def _volumes(value: Any) -> float:
    return _half_width("volumes", value)


def _distinct(name: str, values: Sequence[Any]) -> None:
    seen: list[Any] = []
    for value in values:
        if value in seen:
            raise InvalidValueError(name, value, "is listed twice")
        seen.append(value)


def _weightings(values: Any) -> tuple[Weighting, ...]:
    out = tuple(values)
    for w in out:
        if not isinstance(w, Weighting):
            raise InvalidValueError("weightings", w, "must be a weighting")
    _distinct("weightings", out)
    return out


def _methods(values: Any) -> tuple[Method, ...]:
    out = tuple(Method.parse(v) for v in ((values,) if isinstance(values, str) else values))
    _distinct("methods", out)
    return out


def _policies(values: Any) -> tuple[MissingPolicy, ...]:
    out = tuple(MissingPolicy.parse(v) for v in ((values,) if isinstance(values, str) else values))
    _distinct("missing", out)
    return out


def _levels(values: Any) -> tuple[AssuranceLevel, ...]:
    items = (values,) if isinstance(values, str) else values
    out = tuple(AssuranceLevel.parse(v, "authentication") for v in items)
    _distinct("authentication", out)
    return out


@attrs.frozen
class UncertaintySection:
    """How uncertain a profile's choices and its data are (UNC-1).

    Every field is optional; an empty choice keeps the profile's own, a half-width of 0
    perturbs nothing. A listed choice gives its options in order; it must include the
    profile's own (UNC-2), which :class:`~digimaat.measurement.profiles.Profile` checks.
    """

    weightings: tuple[Weighting, ...] = attrs.field(default=(), converter=_weightings)
    """Alternative weightings (WGT), the profile's own among them."""
    methods: tuple[Method, ...] = attrs.field(default=(), converter=_methods)
    """Alternative methods for every composite (AGG-5)."""
    missing: tuple[MissingPolicy, ...] = attrs.field(default=(), converter=_policies)
    """Alternative missing-value policies (AGG-4)."""
    part_weights: float = attrs.field(default=0.0, converter=_part_weights)
    """Each composite part weight times a factor uniform in [1 - r, 1 + r]."""
    product_weights: float = attrs.field(default=0.0, converter=_product_weights)
    """Each product's raw weight times a factor uniform in [1 - r, 1 + r], one per product."""
    volumes: float = attrs.field(default=0.0, converter=_volumes)
    """Each product's volumes times a factor uniform in [1 - r, 1 + r], one per product."""
    authentication: tuple[AssuranceLevel, ...] = attrs.field(default=(), converter=_levels)
    """The levels an unrecorded authentication of an online offering may have (UNC-3.4)."""

    @property
    def empty(self) -> bool:
        """Whether the section varies nothing."""
        return not (
            self.weightings
            or self.methods
            or self.missing
            or self.part_weights
            or self.product_weights
            or self.volumes
            or self.authentication
        )

    def to_dict(self, weighting: Callable[[Weighting], dict[str, Any]]) -> dict[str, Any]:
        """The section as plain data, every field written (UNC-1); ``weighting``
        unstructures a weighting object (the profile's own writer)."""
        return {
            "weightings": [weighting(w) for w in self.weightings],
            "methods": [m.value for m in self.methods],
            "missing": [p.value for p in self.missing],
            "part_weights": self.part_weights,
            "product_weights": self.product_weights,
            "volumes": self.volumes,
            "authentication": [level.label for level in self.authentication],
        }


class _Sink(Protocol):
    """What the profile reader gives the section's reader: a place for problems and a
    reader of weighting objects (PRF-7)."""

    def problem(self, pointer: str, field: str, value: Any, message: str) -> None: ...

    def weighting(self, pointer: str, value: Any, what: str = "weighting") -> Weighting | None: ...


def structure_section(sink: _Sink, pointer: str, data: Any) -> UncertaintySection | None:
    """Read the uncertainty section from profile data, reporting every problem to ``sink``
    with its JSON pointer (UNC-1, PRF-7); ``None`` when there was a problem."""
    if not isinstance(data, Mapping):
        sink.problem(pointer, "uncertainty", data, "must be an object")
        return None
    ok = True
    for key in sorted((k for k in data if k not in SECTION_KEYS), key=str):
        sink.problem(f"{pointer}/{key}", str(key), data[key], "is not a field of uncertainty")
        ok = False
    fields: dict[str, Any] = {}
    weightings = data.get("weightings", [])
    if not isinstance(weightings, list):
        sink.problem(f"{pointer}/weightings", "weightings", weightings, "must be a list")
        ok = False
    else:
        built = [
            sink.weighting(f"{pointer}/weightings/{k}", w, "weightings")
            for k, w in enumerate(weightings)
        ]
        if all(w is not None for w in built):
            fields["weightings"] = tuple(w for w in built if w is not None)
        else:
            ok = False
    names: tuple[tuple[str, Callable[[Any], Any]], ...] = (
        ("methods", lambda v: Method.parse(v)),
        ("missing", lambda v: MissingPolicy.parse(v)),
        ("authentication", lambda v: AssuranceLevel.parse(v, "authentication")),
    )
    for key, parse in names:
        values = data.get(key, [])
        if not isinstance(values, list):
            sink.problem(f"{pointer}/{key}", key, values, "must be a list")
            ok = False
            continue
        parsed = []
        for k, value in enumerate(values):
            try:
                if not isinstance(value, str):
                    raise InvalidValueError(key, value, "must be a name")
                parsed.append(parse(value))
            except InvalidValueError as exc:
                sink.problem(f"{pointer}/{key}/{k}", key, value, exc.problem.message)
                ok = False
        fields[key] = tuple(parsed)
    for key in ("part_weights", "product_weights", "volumes"):
        value = data.get(key, 0.0)
        try:
            fields[key] = _half_width(key, value)
        except InvalidValueError as exc:
            sink.problem(f"{pointer}/{key}", key, value, exc.problem.message)
            ok = False
    if not ok:
        return None
    for key in ("weightings", "methods", "missing", "authentication"):
        values = list(fields.get(key, ()))
        for k, value in enumerate(values):
            if value in values[:k]:
                shown = data[key][k]
                sink.problem(f"{pointer}/{key}/{k}", key, shown, "is listed twice")
                ok = False
    return UncertaintySection(**fields) if ok else None


def section_problems(
    section: UncertaintySection,
    weighting: Weighting,
    metrics: Sequence[Metric],
    missing: MissingPolicy,
) -> list[tuple[str, str, Any, str]]:
    """What makes a section unfit for its profile (UNC-2), as ``(pointer, field, value,
    message)``: a listed choice without the profile's own, a composite choice in a
    profile without a composite, volume uncertainty under a mix of volume weightings."""
    out: list[tuple[str, str, Any, str]] = []
    composites = [m for m in metrics if isinstance(m, Composite)]
    if section.weightings and weighting not in section.weightings:
        out.append(
            (
                "/uncertainty/weightings",
                "weightings",
                NO_VALUE,
                "must include the profile's own weighting",
            )
        )
    if section.missing and missing not in section.missing:
        out.append(
            (
                "/uncertainty/missing",
                "missing",
                [p.value for p in section.missing],
                f"must include the profile's own policy {missing.value!r}",
            )
        )
    if section.methods:
        if not composites:
            out.append(
                ("/uncertainty/methods", "methods", NO_VALUE, "the profile has no composite")
            )
        for metric in composites:
            if metric.method not in section.methods:
                out.append(
                    (
                        "/uncertainty/methods",
                        "methods",
                        [m.value for m in section.methods],
                        f"must include the method {metric.method.value!r} of composite "
                        f"{metric.id!r}",
                    )
                )
    if section.part_weights and not composites:
        out.append(
            (
                "/uncertainty/part_weights",
                "part_weights",
                section.part_weights,
                "the profile has no composite",
            )
        )
    if section.volumes:
        for k, option in enumerate(section.weightings or (weighting,)):
            if _mixes_volume(option):
                out.append(
                    (
                        f"/uncertainty/weightings/{k}" if section.weightings else "/weighting",
                        "weighting",
                        option.kind,
                        "volume uncertainty cannot be applied to a mix that uses volumes",
                    )
                )
    return out


# ---------------------------------------------------------------------- samples
def uses_volume(weighting: Weighting) -> bool:
    """Whether a weighting's raw weights are proportional to volumes (UNC-3.3)."""
    if isinstance(weighting, Volume | PerCapita | ChannelCost):
        return True
    if isinstance(weighting, ProductOf):
        return uses_volume(weighting.left) or uses_volume(weighting.right)
    if isinstance(weighting, Restrict):
        return uses_volume(weighting.base)
    if isinstance(weighting, Mix):
        return any(uses_volume(w) for w, _ in weighting.parts)
    return False


def _mixes_volume(weighting: Weighting) -> bool:
    if isinstance(weighting, Mix):
        return any(uses_volume(w) for w, _ in weighting.parts)
    if isinstance(weighting, ProductOf):
        return _mixes_volume(weighting.left) or _mixes_volume(weighting.right)
    if isinstance(weighting, Restrict):
        return _mixes_volume(weighting.base)
    return False


def authentication_cells(ds: Dataset) -> IntArray:
    """Flat indices ``i * p + j`` of the cells whose assurance level is uncertain (UNC-3.4):
    offered at online submission or higher, with no authentication recorded; in
    canonical order."""
    cells = ds.observed & (ds.level >= int(MaturityLevel.ONLINE_SUBMISSION)) & (ds.auth_level < 0)
    out: IntArray = np.flatnonzero(cells)
    return out


@attrs.frozen(eq=False)
class Samples:
    """The values of every factor for a batch of ``n`` samples (UNC-3).

    Choices are option indices into the section's options (the profile's own alone when
    the section lists none); factors are multipliers; ``authentication`` holds an index
    into the section's levels for each uncertain cell (:func:`authentication_cells`).
    ``None`` means the factor is not varied.
    """

    weighting: IntArray
    method: IntArray
    missing: IntArray
    part_factors: FloatArray | None = None
    """``[n, parts]``: the parts of the composites sorted by id, each in its order."""
    product_factors: FloatArray | None = None
    """``[n, p]``, products in canonical order."""
    volume_factors: FloatArray | None = None
    """``[n, p]``, products in canonical order."""
    authentication: IntArray | None = None
    """``[n, cells]``."""

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
        )


def _options(
    profile: Any,
) -> tuple[tuple[Weighting, ...], tuple[Method | None, ...], tuple[MissingPolicy, ...]]:
    section: UncertaintySection = profile.uncertainty or UncertaintySection()
    methods: tuple[Method | None, ...] = section.methods or (None,)
    return (
        section.weightings or (profile.weighting,),
        methods,
        section.missing or (profile.missing,),
    )


def _composites(profile: Any) -> list[Composite]:
    """The profile's composites sorted by id: the order of the part factors (UNC-3.2)."""
    return sorted((m for m in profile.metrics if isinstance(m, Composite)), key=lambda m: m.id)


def sample_profile(profile: Any, ds: Dataset, samples: Samples, k: int = 0) -> Any:
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
    ds: Dataset, levels: Sequence[AssuranceLevel], samples: Samples, k: int = 0
) -> Dataset:
    """The data sample ``k`` of a batch scores (UNC-4): every uncertain authentication
    (:func:`authentication_cells`) at the level the sample chose for it."""
    if samples.authentication is None or not len(levels):
        return ds
    cells = authentication_cells(ds)
    chosen = np.array([int(levels[o]) for o in samples.authentication[k]], dtype=np.int8)
    return _with_levels(ds, cells, chosen)


def _with_levels(ds: Dataset, cells: IntArray, levels: NDArray[np.int8]) -> Dataset:
    auth_level = ds.auth_level.copy()
    auth_means = ds.auth_means.copy()
    auth_level.reshape(-1)[cells] = levels
    auth_means.reshape(-1)[cells] = 0  # a means must be recorded with a level; none counts
    return ds.with_arrays(auth_level=auth_level, auth_means=auth_means)


# ---------------------------------------------------------------------- batch scoring
@attrs.frozen(eq=False)
class _MetricCells:
    """A metric's per-cell matrices under one weighting option (UNC-5)."""

    numerator: FloatArray  # [m, p] w * x over the counted cells
    known: FloatArray  # [m, p] w over the counted cells (drop)
    eligible: FloatArray  # [m, p] w over the eligible cells of known weight (zero)
    incomplete: BoolArray  # [m] what makes a propagate value undefined
    # The uncertain cells, per option of the section's levels: [options, cells]
    cell_x: FloatArray | None
    cell_known: BoolArray | None
    cell_eligible: BoolArray | None


@attrs.frozen(eq=False)
class _Option:
    """One weighting option, prepared once for a dataset."""

    weighting: Weighting
    prepared: PreparedWeights
    volume: bool
    filled: FloatArray
    weight_known: BoolArray
    cells: dict[str, _MetricCells] = attrs.field(factory=dict)
    exact: dict[tuple[str, MissingPolicy], FloatArray] = attrs.field(factory=dict)


class BatchScorer:
    """Scores batches of samples of a profile's uncertainty section on one dataset (UNC-5).

    ``metrics`` lists the ids to report (by default every metric); the metrics a
    composite needs are computed too. :meth:`score` returns ``[n, metrics, m]`` values in
    the order of :attr:`metric_ids`, NaN where not defined. A batch whose samples vary
    only choices (no factor, no uncertain cell) is scored by the profile's own reductions,
    so it gives exactly the numbers :meth:`Profile.score
    <digimaat.measurement.profiles.Profile.score>` gives; a batch with factors is scored
    by matrix products and agrees with one scoring per sample to about 1e-15.
    """

    def __init__(self, profile: Any, ds: Dataset, metrics: Sequence[str] | None = None) -> None:
        self.profile = profile
        self.dataset = ds
        self.section: UncertaintySection = profile.uncertainty or UncertaintySection()
        by_id = {m.id: m for m in profile.metrics}
        wanted = list(by_id) if metrics is None else list(metrics)
        for mid in wanted:
            if mid not in by_id:
                raise InvalidValueError("metric", mid, "is not a metric of the profile")
        needed: set[str] = set()

        def need(mid: str) -> None:
            needed.add(mid)
            metric = by_id[mid]
            if isinstance(metric, Composite):
                for part, _ in metric.parts:
                    need(part.id)

        for mid in wanted:
            need(mid)
        self.metric_ids: tuple[str, ...] = tuple(m.id for m in profile.metrics if m.id in wanted)
        self._computed = [m for m in profile.metrics if m.id in needed]
        self._index = {m.id: k for k, m in enumerate(self._computed)}
        weightings, self._methods, self._policies = _options(profile)
        self._weightings = weightings
        self._options: list[_Option | None] = [None] * len(weightings)
        self._composites = _composites(profile)
        self._part_columns: dict[str, slice] = {}
        column = 0
        for composite in self._composites:
            self._part_columns[composite.id] = slice(column, column + len(composite.parts))
            column += len(composite.parts)
        self.parts = column
        self.cells = (
            authentication_cells(ds) if self.section.authentication else np.empty(0, np.intp)
        )
        self._variants: list[Dataset] | None = None

    # ------------------------------------------------------------------ preparation
    def _option(self, a: int) -> _Option:
        option = self._options[a]
        if option is None:
            weighting = self._weightings[a]
            prepared = weighting.prepare(self.dataset)
            raw = prepared.raw
            option = _Option(
                weighting,
                prepared,
                uses_volume(weighting),
                np.asarray(prepared.filled, dtype=np.float64),
                ~np.isnan(raw),
            )
            self._options[a] = option
        return option

    def _variant_datasets(self) -> list[Dataset]:
        if self._variants is None:
            self._variants = [
                _with_levels(
                    self.dataset, self.cells, np.full(len(self.cells), int(level), np.int8)
                )
                for level in self.section.authentication
            ]
        return self._variants

    def _cells(self, option: _Option, metric: Metric) -> _MetricCells:
        hit = option.cells.get(metric.id)
        if hit is not None:
            return hit
        ds = self.dataset
        cells = metric.cells(ds)
        x = np.asarray(cells.x, dtype=np.float64)
        known, eligible = cells.known, cells.eligible
        w, wk = option.filled, option.weight_known
        uncertain = np.zeros(known.shape, dtype=np.bool_)
        cell_x = cell_known = cell_eligible = None
        if len(self.cells):
            flat = self.cells
            xs, ks, es = [], [], []
            for variant in self._variant_datasets():
                vc = metric.cells(variant)
                xs.append(np.asarray(vc.x, dtype=np.float64).reshape(-1)[flat])
                ks.append(vc.known.reshape(-1)[flat])
                es.append(vc.eligible.reshape(-1)[flat])
            base = (
                x.reshape(-1)[flat],
                known.reshape(-1)[flat],
                eligible.reshape(-1)[flat],
            )
            varies = any(
                not (np.array_equal(e, base[2]) and np.array_equal(k & e, base[1] & base[2]))
                or not np.array_equal(
                    np.where(k & e, xv, 0.0), np.where(base[1] & base[2], base[0], 0.0)
                )
                for xv, k, e in zip(xs, ks, es, strict=True)
            )
            if varies:
                uncertain.reshape(-1)[flat] = True
                cell_x = np.stack(xs)
                cell_known = np.stack(ks)
                cell_eligible = np.stack(es)
        keep = ~uncertain
        counted = known & eligible & wk & keep
        in_base = eligible & wk & keep
        numerator = np.where(counted, w * np.where(counted, x, 0.0), 0.0)
        missing_value = eligible & ~known & (w > 0) & wk & keep
        unweighted = eligible & ~wk & keep
        built = _MetricCells(
            numerator=numerator,
            known=np.where(counted, w, 0.0),
            eligible=np.where(in_base, w, 0.0),
            incomplete=np.asarray((missing_value | unweighted).any(axis=1), dtype=np.bool_),
            cell_x=cell_x,
            cell_known=cell_known,
            cell_eligible=cell_eligible,
        )
        option.cells[metric.id] = built
        return built

    # ------------------------------------------------------------------ scoring
    def score(self, samples: Samples) -> FloatArray:
        """``[n, metrics, m]``: every reported metric for every sample and municipality."""
        n = samples.size
        m = len(self.dataset.codes)
        values = np.full((n, len(self._computed), m), np.nan)
        policies = np.array([self._policies[int(i)] is MissingPolicy.ZERO for i in samples.missing])
        propagate = np.array(
            [self._policies[int(i)] is MissingPolicy.PROPAGATE for i in samples.missing]
        )
        for a in range(len(self._weightings)):
            rows = np.flatnonzero(samples.weighting == a)
            if not len(rows):
                continue
            option = self._option(a)
            factor = None
            if samples.product_factors is not None:
                factor = samples.product_factors[rows]
            if samples.volume_factors is not None and option.volume:
                vf = samples.volume_factors[rows]
                factor = vf if factor is None else factor * vf
            chosen = None if samples.authentication is None else samples.authentication[rows]
            plain = [mt for mt in self._computed if not isinstance(mt, Composite)]
            perturbed = factor is not None or (chosen is not None and len(self.cells) > 0)
            if not perturbed:
                self._exact(option, plain, rows, samples, values)
            else:
                self._matrix(option, plain, rows, factor, chosen, policies, propagate, values)
        self._combine(samples, values)
        out: FloatArray = values[:, [self._index[mid] for mid in self.metric_ids], :]
        return out

    def _exact(
        self,
        option: _Option,
        plain: list[Metric],
        rows: IntArray,
        samples: Samples,
        values: FloatArray,
    ) -> None:
        """Samples that vary only choices: each metric once per policy, by its own code."""
        for p, policy in enumerate(self._policies):
            these = rows[samples.missing[rows] == p]
            if not len(these):
                continue
            for metric in plain:
                key = (metric.id, policy)
                if key not in option.exact:
                    option.exact[key] = metric.evaluate(self.dataset, option.prepared, policy).value
                values[these, self._index[metric.id], :] = option.exact[key]

    def _matrix(
        self,
        option: _Option,
        plain: list[Metric],
        rows: IntArray,
        factor: FloatArray | None,
        chosen: IntArray | None,
        zero: BoolArray,
        propagate: BoolArray,
        values: FloatArray,
    ) -> None:
        """Samples with factors: weighted sums as one matrix product per metric (UNC-5)."""
        n = len(rows)
        p = len(self.dataset.uris)
        f = np.ones((n, p)) if factor is None else factor
        z = zero[rows][:, None]
        prop = propagate[rows][:, None]
        for metric in plain:
            mc = self._cells(option, metric)
            stacked = np.concatenate([mc.numerator, mc.known, mc.eligible], axis=0)  # [3m, p]
            sums = f @ stacked.T  # [n, 3m]
            m = mc.numerator.shape[0]
            num, den_known, den_all = sums[:, :m], sums[:, m : 2 * m], sums[:, 2 * m :]
            incomplete = np.broadcast_to(mc.incomplete, (n, m)).copy()
            if mc.cell_x is not None and chosen is not None:
                self._add_cells(option, mc, f, chosen, num, den_known, den_all, incomplete)
            den = np.where(z, den_all, den_known)
            value = np.divide(num, den, out=np.full(num.shape, np.nan), where=den > 0)
            value[prop & incomplete] = np.nan
            values[rows, self._index[metric.id], :] = value

    def _add_cells(
        self,
        option: _Option,
        mc: _MetricCells,
        f: FloatArray,
        chosen: IntArray,
        num: FloatArray,
        den_known: FloatArray,
        den_all: FloatArray,
        incomplete: BoolArray,
    ) -> None:
        """Add the uncertain cells, each at its sampled option, to the sums of its row."""
        assert mc.cell_x is not None
        assert mc.cell_known is not None
        assert mc.cell_eligible is not None
        p = len(self.dataset.uris)
        flat = self.cells
        rows_of, cols_of = flat // p, flat % p
        k = np.arange(len(flat))
        x = mc.cell_x[chosen, k]  # [n, cells]
        known = mc.cell_known[chosen, k]
        eligible = mc.cell_eligible[chosen, k]
        weight_known = option.weight_known.reshape(-1)[flat]
        w = option.filled.reshape(-1)[flat] * f[:, cols_of]
        counted = known & eligible & weight_known
        based = eligible & weight_known
        starts = np.flatnonzero(np.r_[True, rows_of[1:] != rows_of[:-1]])
        municipalities = rows_of[starts]

        def grouped(a: FloatArray) -> FloatArray:
            out: FloatArray = np.add.reduceat(a, starts, axis=1)
            return out

        num[:, municipalities] += grouped(np.where(counted, w * x, 0.0))
        den_known[:, municipalities] += grouped(np.where(counted, w, 0.0))
        den_all[:, municipalities] += grouped(np.where(based, w, 0.0))
        bad = (eligible & ~known & (w > 0) & weight_known) | (eligible & ~weight_known)
        incomplete[:, municipalities] |= np.logical_or.reduceat(bad, starts, axis=1)

    def _combine(self, samples: Samples, values: FloatArray) -> None:
        """Every composite, in profile order, per sampled method and policy (AGG-5)."""
        n, _, m = values.shape
        for metric in self._computed:
            if not isinstance(metric, Composite):
                continue
            parts = np.stack(
                [
                    values[:, self._index[part.id], :]
                    if part.direction > 0
                    else 1.0 - values[:, self._index[part.id], :]
                    for part, _ in metric.parts
                ]
            )  # [k, n, m]
            weights = np.array([w for _, w in metric.parts])
            per_sample = np.broadcast_to(weights, (n, len(weights)))
            if samples.part_factors is not None:
                per_sample = per_sample * samples.part_factors[:, self._part_columns[metric.id]]
            out = np.full((n, m), np.nan)
            for a, method in enumerate(self._methods):
                for b, policy in enumerate(self._policies):
                    rows = np.flatnonzero((samples.method == a) & (samples.missing == b))
                    if not len(rows):
                        continue
                    k = len(weights)
                    columns = parts[:, rows, :].reshape(k, -1)
                    if samples.part_factors is None:
                        w_cols: FloatArray = weights
                    else:
                        w_cols = np.repeat(per_sample[rows].T, m, axis=1)
                    value, _ = combine(columns, w_cols, method or metric.method, policy)
                    out[rows] = value.reshape(len(rows), m)
            values[:, self._index[metric.id], :] = out

    def check(self, samples: Samples) -> None:
        """Raise when a batch does not fit the section and the dataset."""
        p = len(self.dataset.uris)
        expected = {
            "part_factors": (samples.part_factors, self.parts),
            "product_factors": (samples.product_factors, p),
            "volume_factors": (samples.volume_factors, p),
            "authentication": (samples.authentication, len(self.cells)),
        }
        for name, (array, width) in expected.items():
            if array is not None and array.shape != (samples.size, width):
                raise MeasurementError(f"samples.{name} must have shape ({samples.size}, {width})")
