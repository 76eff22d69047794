"""Scoring many samples of an uncertainty section at once (chapter UNC, UNC-5).

:class:`BatchScorer` scores a batch of samples as array operations: under a product
perturbation the weighted sums of every metric, for every sample and municipality, are
one matrix product of the batch's product factors with the per-cell matrices of the
metrics, built once from the metrics' own per-cell values
(:meth:`~digimaat.measurement.metrics.Metric.cells`); the uncertain cells
(:class:`~digimaat.measurement.uncertainty_cells.UncertainCells`) add what their sampled
options give; composites are combined by
:func:`~digimaat.measurement.aggregation.combine` with a column of weights per sample.
The design of the samples and the statistics over them are the analysis layer's
(:mod:`digimaat.analysis.uncertainty`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
from numpy.typing import NDArray

from digimaat._boundary import guard
from digimaat._classes import shared_repr
from digimaat.errors import InvalidValueError, MeasurementError
from digimaat.measurement.aggregation import MissingPolicy, PreparedWeights, combine
from digimaat.measurement.dataset import Dataset
from digimaat.measurement.metrics import Composite
from digimaat.measurement.uncertainty_cells import CellTables, UncertainCells
from digimaat.measurement.uncertainty_samples import Samples, _composites, _options
from digimaat.measurement.uncertainty_section import UncertaintySection, uses_volume
from digimaat.measurement.weights import SubjectWeights, Weighting

if TYPE_CHECKING:  # pragma: no cover - profiles import this module
    from digimaat.measurement.profiles import Profile

__all__ = ["BatchScorer"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.intp]
Indices = NDArray[np.integer[Any]]


@attrs.frozen(eq=False)
@shared_repr
class _MetricCells:
    """Where a metric's sums are in its option's stacked matrices (UNC-5)."""

    numerator: int
    """Block of ``w * x`` over the counted cells."""
    known: int
    """Block of ``w`` over the counted cells: the denominator under drop and propagate."""
    eligible: int
    """Block of ``w`` over the eligible cells of known weight: the denominator under zero."""
    incomplete: BoolArray
    """``[m]`` what makes a propagate value undefined (the uncertain cells whose
    contribution varies left out: :attr:`tables` adds them)."""
    applies: BoolArray
    """``[m]`` whether the metric has anything to measure (MET-1.2): an eligible cell of
    positive or unknown weight. Factors are positive (UNC-1), so only an uncertain cell's
    option can change it."""
    known_zero: int | None
    """For a metric where lower is better, the block of its known-cell denominator in the
    zero matrix: under ``zero`` an unknown cell counts at the worst value, 1 (AGG-4)."""
    tables: CellTables
    """What the uncertain cells add, per option, where their option changes it."""
    prepared: PreparedWeights
    """The raw weights of the metric's subject (WGT-2, WGT-10)."""


@attrs.frozen(eq=False)
@shared_repr
class _Option:
    """One weighting option, prepared once for a dataset: every metric's per-cell matrices
    stacked, so that the sums of all metrics are one matrix product."""

    weighting: Weighting
    volume: bool
    cells: dict[str, _MetricCells]
    drop: FloatArray
    """``[p, blocks * m]``: the numerators, then the known-cell denominators."""
    zero: FloatArray
    """``[p, blocks * m]``: the numerators, then the eligible-cell denominators."""
    numerators: int
    exact: dict[tuple[str, MissingPolicy], FloatArray] = attrs.field(factory=dict)


@attrs.frozen(eq=False)
@shared_repr
class _Extra:
    """``[rows, m]`` what the uncertain cells add to one metric for some samples."""

    numerator: FloatArray | None = None
    known: FloatArray | None = None
    eligible: FloatArray | None = None
    incomplete: BoolArray | None = None
    applies: BoolArray | None = None

    def take(self, rows: IntArray) -> _Extra:
        def part(a: Any) -> Any:
            return None if a is None else a[rows]

        return _Extra(
            part(self.numerator),
            part(self.known),
            part(self.eligible),
            part(self.incomplete),
            part(self.applies),
        )


def _plus(a: FloatArray, b: FloatArray | None) -> FloatArray:
    return a if b is None else a + b


def _distinct_rows(*arrays: NDArray[Any]) -> tuple[IntArray, IntArray]:
    """``(first, again)``: the first row of each distinct row of the arrays side by side,
    in order of first occurrence, and for every row the number of its distinct row.

    Rows are grouped by a hash of their bytes and then compared whole, so a collision of
    hashes can only cost time, never merge two different rows.
    """
    n = len(arrays[0])
    words = []
    for a in arrays:
        raw = np.ascontiguousarray(a).reshape(n, -1).view(np.uint8)
        pad = -raw.shape[1] % 8
        if pad:  # whole 64-bit words: zero bytes added to every row change no comparison
            raw = np.concatenate([raw, np.zeros((n, pad), dtype=np.uint8)], axis=1)
        words.append(raw.view(np.uint64))
    hashes = np.zeros(n, dtype=np.uint64)
    for w in words:
        multipliers = _MULTIPLIERS[: w.shape[1]]
        if len(multipliers) < w.shape[1]:
            multipliers = np.resize(_MULTIPLIERS, w.shape[1])
        hashes = hashes * np.uint64(0x9E3779B97F4A7C15) + (w * multipliers).sum(
            axis=1, dtype=np.uint64
        )
    seen: dict[int, int] = {}
    first: list[int] = []
    again = np.empty(n, dtype=np.intp)
    for i, h in enumerate(hashes.tolist()):
        j = seen.setdefault(h, len(first))
        if j == len(first):
            first.append(i)
        again[i] = j
    chosen = np.array(first, dtype=np.intp)
    same = np.ones(n, dtype=np.bool_)
    for w in words:
        same &= (w == w[chosen[again]]).all(axis=1)
    if same.all():
        return chosen, again
    # A collision: group by the bytes themselves.
    by_bytes: dict[bytes, int] = {}
    first = []
    for i in range(n):
        key = b"".join(w[i].tobytes() for w in words)
        j = by_bytes.setdefault(key, len(first))
        if j == len(first):
            first.append(i)
        again[i] = j
    return np.array(first, dtype=np.intp), again


_MULTIPLIERS = (
    np.random.Generator(np.random.PCG64(20_241_205)).integers(1, 2**63, 8192, dtype=np.uint64) | 1
)
"""Fixed odd multipliers of the bytes of a row, for :func:`_distinct_rows`."""


def _product(f: FloatArray, matrix: FloatArray) -> FloatArray:
    """``f @ matrix``, by the same BLAS routine whatever the number of rows.

    numpy computes a product with one row by a matrix-vector routine, whose sums round
    differently from the matrix-matrix one; a single row is therefore given a twin, so
    that a sample's numbers do not depend on how many samples were scored with it.
    """
    if f.shape[0] == 1:
        out: FloatArray = (np.concatenate([f, f]) @ matrix)[:1]
        return out
    result: FloatArray = f @ matrix
    return result


class BatchScorer:
    """Scores batches of samples of a profile's uncertainty section on one dataset (UNC-5).

    ``metrics`` lists the ids to report (by default every metric); the metrics a
    composite needs are computed too. :meth:`score` returns ``[n, metrics, m]`` values in
    the order of :attr:`metric_ids`, NaN where not defined. A batch whose samples vary
    only choices (no factor, no uncertain cell) is scored by the profile's own reductions,
    so it gives exactly the numbers :meth:`Profile.score
    <digimaat.measurement.profiles.Profile.score>` gives; a batch with factors or
    uncertain cells is scored by matrix products and agrees with one scoring per sample
    to about 1e-15.
    """

    def __init__(self, profile: Profile, ds: Dataset, metrics: Sequence[str] | None = None) -> None:
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
        self._plain = [m for m in self._computed if not isinstance(m, Composite)]
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
        self.uncertain = UncertainCells(ds, self.section)
        self.cells: IntArray = self.uncertain.authentication
        """The uncertain authentications (UNC-3.4), flat indices in canonical order."""
        self.level_cells: IntArray = self.uncertain.levels
        """The uncertain levels (UNC-3.5), flat indices in canonical order."""
        self.level_counts: IntArray = self.uncertain.level_counts
        """The number of options of each uncertain level."""

    # ------------------------------------------------------------------ preparation
    def prepare(self) -> None:
        """Prepare every weighting option now, not on first use (so that threads can
        share the scorer)."""
        self.uncertain.prepare(self._plain)
        for a in range(len(self._weightings)):
            self._option(a)

    def _option(self, a: int) -> _Option:
        option = self._options[a]
        if option is None:
            option = self._options[a] = self._prepare(self._weightings[a])
        return option

    def _prepare(self, weighting: Weighting) -> _Option:
        """Every plain metric's matrices under one weighting, stacked (UNC-5)."""
        ds = self.dataset
        by_subject = SubjectWeights(ds, weighting)
        blocks: list[FloatArray] = []
        seen: dict[bytes, int] = {}

        def block(matrix: FloatArray) -> int:
            key = matrix.tobytes()
            if key not in seen:
                seen[key] = len(blocks)
                blocks.append(matrix)
            return seen[key]

        found: dict[str, dict[str, NDArray[Any]]] = {}
        tables: dict[str, CellTables] = {}
        prepared_of: dict[str, PreparedWeights] = {}
        for metric in self._plain:
            cells = metric.cells(ds)
            prepared = prepared_of[metric.id] = by_subject.for_subject(cells.eligible)
            w = np.asarray(prepared.filled, dtype=np.float64)
            wk = ~np.isnan(prepared.raw)
            x = np.asarray(cells.x, dtype=np.float64)
            known, eligible = cells.known, cells.eligible
            counted = known & eligible & wk
            arrays: dict[str, NDArray[Any]] = {
                "numerator": np.where(counted, w * np.where(counted, x, 0.0), 0.0),
                "known": np.where(counted, w, 0.0),
                "eligible": np.where(eligible & wk, w, 0.0),
                "incomplete": (eligible & ~known & (w > 0) & wk) | (eligible & ~wk),
                "applies": (eligible & wk & (w > 0)) | (eligible & ~wk),
            }
            tables[metric.id] = self.uncertain.tables(metric, w, wk, arrays)
            found[metric.id] = arrays
        # Metrics with one subject share their tables: each distinct table is summed once.
        shared: dict[bytes, NDArray[Any]] = {}

        def one(table: NDArray[Any] | None) -> Any:
            if table is None:
                return None
            return shared.setdefault(table.dtype.str.encode() + table.tobytes(), table)

        for mid, t in tables.items():
            tables[mid] = CellTables(
                one(t.numerator), one(t.known), one(t.eligible), one(t.incomplete), one(t.applies)
            )
        numerators = [block(found[metric.id]["numerator"]) for metric in self._plain]
        n_num = len(blocks)
        known_blocks = [block(found[metric.id]["known"]) for metric in self._plain]
        eligible_blocks = [block(found[metric.id]["eligible"]) for metric in self._plain]
        # Column blocks: the numerators, then every denominator; drop and zero take
        # the numerators and the denominators each needs.
        need_known = sorted(set(known_blocks) - set(range(n_num)))
        need_eligible = sorted(set(eligible_blocks) - set(range(n_num)))

        def stack(dens: list[int]) -> tuple[FloatArray, dict[int, int]]:
            order = list(range(n_num)) + dens
            where = {b: k for k, b in enumerate(order)}
            m = len(ds.codes)
            matrix = np.empty((len(ds.uris), len(order) * m))
            for k, b in enumerate(order):
                matrix[:, k * m : (k + 1) * m] = blocks[b].T
            return matrix, where

        lower = [k for k, metric in enumerate(self._plain) if metric.direction < 0]
        need_lower = sorted({known_blocks[k] for k in lower} - set(range(n_num)))
        drop, at_drop = stack(need_known)
        zero, at_zero = stack(sorted(set(need_eligible) | set(need_lower)))
        cells_of: dict[str, _MetricCells] = {}
        for k, metric in enumerate(self._plain):
            arrays = found[metric.id]
            cells_of[metric.id] = _MetricCells(
                numerator=numerators[k],
                known=at_drop[known_blocks[k]],
                eligible=at_zero[eligible_blocks[k]],
                incomplete=np.asarray(arrays["incomplete"].any(axis=1), np.bool_),
                applies=np.asarray(arrays["applies"].any(axis=1), np.bool_),
                known_zero=at_zero[known_blocks[k]] if k in lower else None,
                tables=tables[metric.id],
                prepared=prepared_of[metric.id],
            )
        return _Option(weighting, uses_volume(weighting), cells_of, drop, zero, n_num)

    # ------------------------------------------------------------------ scoring
    def score(self, samples: Samples) -> FloatArray:
        """``[n, metrics, m]``: every reported metric for every sample and municipality."""
        self.check(samples)
        n = samples.size
        m = len(self.dataset.codes)
        values = np.full((n, len(self._computed), m), np.nan)
        applies = np.zeros((n, len(self._computed), m), dtype=np.bool_)
        policy = np.asarray(samples.missing)
        zero = np.isin(policy, [k for k, p in enumerate(self._policies) if p is MissingPolicy.ZERO])
        propagate = np.isin(
            policy, [k for k, p in enumerate(self._policies) if p is MissingPolicy.PROPAGATE]
        )
        uncertain = self.uncertain
        for a in range(len(self._weightings)):
            rows = np.flatnonzero(samples.weighting == a)
            if not len(rows):
                continue
            option = self._option(a)
            for metric in self._plain:
                applies[rows, self._index[metric.id], :] = option.cells[metric.id].applies
            factor = None
            if samples.product_factors is not None:
                factor = samples.product_factors[rows]
            if samples.volume_factors is not None and option.volume:
                vf = samples.volume_factors[rows]
                factor = vf if factor is None else factor * vf
            if factor is None and not len(uncertain):
                self._exact(option, rows, samples, values)
                continue
            f = np.ones((len(rows), len(self.dataset.uris))) if factor is None else factor
            # Samples of one base row of a radial design share most factors: sums are
            # made once for each distinct row of product factors (and of cell options).
            f_first, f_again = _distinct_rows(f)
            extra: dict[str, _Extra] = {}
            varying = {
                metric.id: option.cells[metric.id].tables
                for metric in self._plain
                if option.cells[metric.id].tables.varies
            }
            if varying:
                joint = uncertain.joint(samples, rows)
                first, again = _distinct_rows(f_again[:, None], joint)
                picks = uncertain.picks(joint[first])
                on_cells = f[first].take(uncertain.products, axis=1)
                memo: dict[int, NDArray[Any]] = {}
                for mid, t in varying.items():
                    extra[mid] = more = self._extra(t, picks, on_cells, memo).take(again)
                    if more.applies is not None:
                        applies[rows, self._index[mid], :] |= more.applies
            for use_zero, matrix in ((False, option.drop), (True, option.zero)):
                these = np.flatnonzero(zero[rows] == use_zero)
                if len(these):
                    self._matrix(
                        option,
                        matrix,
                        use_zero,
                        rows[these],
                        f,
                        f_first,
                        f_again[these],
                        {mid: e.take(these) for mid, e in extra.items()},
                        propagate,
                        values,
                    )
        self._combine(samples, values, applies)
        out: FloatArray = values[:, [self._index[mid] for mid in self.metric_ids], :]
        return out

    def _extra(
        self,
        t: CellTables,
        picks: IntArray,
        on_cells: FloatArray,
        memo: dict[int, NDArray[Any]],
    ) -> _Extra:
        """What the uncertain cells add to a metric for each distinct row of options;
        ``memo`` keeps the sums of the tables metrics share."""
        cells = self.uncertain

        def total(table: FloatArray | None) -> FloatArray | None:
            if table is None:
                return None
            if id(table) not in memo:
                memo[id(table)] = cells.sums(table, picks, on_cells)
            found: FloatArray = memo[id(table)]
            return found

        def anywhere(table: BoolArray | None) -> BoolArray | None:
            if table is None:
                return None
            if id(table) not in memo:
                memo[id(table)] = cells.any(table, picks)
            found: BoolArray = memo[id(table)]
            return found

        return _Extra(
            total(t.numerator),
            total(t.known),
            total(t.eligible),
            anywhere(t.incomplete),
            anywhere(t.applies),
        )

    def _exact(self, option: _Option, rows: IntArray, samples: Samples, values: FloatArray) -> None:
        """Samples that vary only choices: each metric once per policy, by its own code."""
        for p, policy in enumerate(self._policies):
            these = rows[samples.missing[rows] == p]
            if not len(these):
                continue
            for metric in self._plain:
                key = (metric.id, policy)
                if key not in option.exact:
                    prepared = option.cells[metric.id].prepared
                    option.exact[key] = metric.evaluate(self.dataset, prepared, policy).value
                values[these, self._index[metric.id], :] = option.exact[key]

    def _matrix(
        self,
        option: _Option,
        matrix: FloatArray,
        use_zero: bool,
        rows: IntArray,
        f: FloatArray,
        f_first: IntArray,
        f_again: IntArray,
        extra: dict[str, _Extra],
        propagate: BoolArray,
        values: FloatArray,
    ) -> None:
        """Samples with factors: the sums of every metric are one matrix product (UNC-5);
        ``f_again`` gives each sample's distinct row of factors ``f[f_first]``, and
        ``extra`` holds what the uncertain cells add."""
        n = len(rows)
        m = len(self.dataset.codes)
        # Samples that share their product factors share their sums: one product each.
        distinct, again = np.unique(f_again, return_inverse=True)
        sums = _product(f[f_first[distinct]], matrix)[again.reshape(-1)].reshape(n, -1, m)
        undefined_if = propagate[rows][:, None] if not use_zero else None
        none = _Extra()
        for metric in self._plain:
            mc = option.cells[metric.id]
            ex = extra.get(metric.id, none)
            num = _plus(sums[:, mc.numerator, :], ex.numerator)
            if use_zero:
                den = _plus(sums[:, mc.eligible, :], ex.eligible)
                if mc.known_zero is not None:
                    # Lower is better: an unknown cell counts at the worst value, 1 (AGG-4).
                    known = _plus(sums[:, mc.known_zero, :], ex.known)
                    num = num + np.maximum(den - known, 0.0)
            else:
                den = _plus(sums[:, mc.known, :], ex.known)
            value = np.divide(num, den, out=np.full(num.shape, np.nan), where=den > 0)
            # Every x lies in [0, 1], so the value does (AGG-3); the numerator and the
            # denominator are different sums, and their rounding must not take it out.
            np.clip(value, 0.0, 1.0, out=value)
            if undefined_if is not None:
                incomplete = mc.incomplete[None, :]
                if ex.incomplete is not None:
                    incomplete = incomplete | ex.incomplete
                if incomplete.any():
                    value[undefined_if & incomplete] = np.nan
            values[rows, self._index[metric.id], :] = value

    def _combine(self, samples: Samples, values: FloatArray, applies: BoolArray) -> None:
        """Every composite, in profile order, per sampled method and policy (AGG-5); a part
        that does not apply is left out under every policy (MET-1.2)."""
        n, _, m = values.shape
        for metric in self._computed:
            if not isinstance(metric, Composite):
                continue
            index = self._index[metric.id]
            for part, weight in metric.parts:
                if weight > 0:
                    applies[:, index, :] |= applies[:, self._index[part.id], :]
            part_applies = np.stack(
                [applies[:, self._index[part.id], :] for part, _ in metric.parts]
            )
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
                    cols_apply = part_applies[:, rows, :].reshape(k, -1)
                    value, _ = combine(columns, w_cols, method or metric.method, policy, cols_apply)
                    out[rows] = value.reshape(len(rows), m)
            values[:, index, :] = out

    def check(self, samples: Samples) -> None:
        """Raise when a batch does not fit the section and the dataset."""
        p = len(self.dataset.uris)
        expected = {
            "part_factors": (samples.part_factors, self.parts),
            "product_factors": (samples.product_factors, p),
            "volume_factors": (samples.volume_factors, p),
        }
        for name, (array, width) in expected.items():
            if array is not None and array.shape != (samples.size, width):
                raise MeasurementError(f"samples.{name} must have shape ({samples.size}, {width})")
        self.uncertain.check(samples)


guard(__name__)
