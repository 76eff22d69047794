"""Scoring many samples of an uncertainty section at once (chapter UNC, UNC-5).

:class:`BatchScorer` scores a batch of samples as array operations: under a product
perturbation the weighted sums of every metric, for every sample and municipality, are
one matrix product of the batch's product factors with the per-cell matrices of the
metrics, built once from the metrics' own per-cell values
(:meth:`~digimaat.measurement.metrics.Metric.cells`); composites are combined by
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

from digimaat.errors import InvalidValueError, MeasurementError
from digimaat.measurement.aggregation import MissingPolicy, PreparedWeights, combine
from digimaat.measurement.dataset import Dataset
from digimaat.measurement.metrics import Composite
from digimaat.measurement.uncertainty_samples import (
    Samples,
    _composites,
    _options,
    _with_levels,
    authentication_cells,
)
from digimaat.measurement.uncertainty_section import UncertaintySection, uses_volume
from digimaat.measurement.weights import (
    Weighting,
)

if TYPE_CHECKING:  # pragma: no cover - profiles import this module
    from digimaat.measurement.profiles import Profile

__all__ = ["BatchScorer"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.intp]
Indices = NDArray[np.integer[Any]]


@attrs.frozen(eq=False)
class _MetricCells:
    """Where a metric's sums are in its option's stacked matrices (UNC-5)."""

    numerator: int
    """Block of ``w * x`` over the counted cells."""
    known: int
    """Block of ``w`` over the counted cells: the denominator under drop and propagate."""
    eligible: int
    """Block of ``w`` over the eligible cells of known weight: the denominator under zero."""
    incomplete: BoolArray
    """``[m]`` what makes a propagate value undefined."""
    applies: BoolArray
    """``[m]`` whether the metric has anything to measure (MET-1.2): an eligible cell of
    positive or unknown weight. Factors are positive (UNC-1), so no sample changes it."""
    known_zero: int | None
    """For a metric where lower is better, the block of its known-cell denominator in the
    zero matrix: under ``zero`` an unknown cell counts at the worst value, 1 (AGG-4)."""
    table: FloatArray | None
    """``[options, cells]``: ``w * x`` of each uncertain cell under each option, when the
    metric's value depends on the option (only the numerator does)."""


@attrs.frozen(eq=False)
class _Option:
    """One weighting option, prepared once for a dataset: every metric's per-cell matrices
    stacked, so that the sums of all metrics are one matrix product."""

    weighting: Weighting
    prepared: PreparedWeights
    volume: bool
    filled: FloatArray
    weight_known: BoolArray
    cells: dict[str, _MetricCells]
    drop: FloatArray
    """``[p, blocks * m]``: the numerators, then the known-cell denominators."""
    zero: FloatArray
    """``[p, blocks * m]``: the numerators, then the eligible-cell denominators."""
    numerators: int
    exact: dict[tuple[str, MissingPolicy], FloatArray] = attrs.field(factory=dict)


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
    <digimaat.measurement.profiles.Profile.score>` gives; a batch with factors is scored
    by matrix products and agrees with one scoring per sample to about 1e-15.
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
        self.cells: IntArray = (
            authentication_cells(ds) if self.section.authentication else np.empty(0, np.intp)
        )
        p = len(ds.uris)
        rows_of = self.cells // p
        self._cell_products = self.cells % p
        self._starts = (
            np.flatnonzero(np.r_[True, rows_of[1:] != rows_of[:-1]])
            if len(self.cells)
            else np.empty(0, np.intp)
        )
        self._cell_rows = rows_of[self._starts]
        self._variants: list[Dataset] | None = None

    # ------------------------------------------------------------------ preparation
    def prepare(self) -> None:
        """Prepare every weighting option now, not on first use (so that threads can
        share the scorer)."""
        for a in range(len(self._weightings)):
            self._option(a)

    def _option(self, a: int) -> _Option:
        option = self._options[a]
        if option is None:
            option = self._options[a] = self._prepare(self._weightings[a])
        return option

    def _variant_datasets(self) -> list[Dataset]:
        """The dataset with every uncertain cell at each of the section's levels, made once
        for every weighting option."""
        if self._variants is None:
            self._variants = [
                _with_levels(
                    self.dataset, self.cells, np.full(len(self.cells), int(level), np.int8)
                )
                for level in self.section.authentication
            ]
        return self._variants

    def _prepare(self, weighting: Weighting) -> _Option:
        """Every plain metric's matrices under one weighting, stacked (UNC-5)."""
        ds = self.dataset
        prepared = weighting.prepare(ds)
        w = np.asarray(prepared.filled, dtype=np.float64)
        wk = ~np.isnan(prepared.raw)
        variants = self._variant_datasets() if len(self.cells) else None
        blocks: list[FloatArray] = []
        seen: dict[bytes, int] = {}

        def block(matrix: FloatArray) -> int:
            key = matrix.tobytes()
            if key not in seen:
                seen[key] = len(blocks)
                blocks.append(matrix)
            return seen[key]

        found: dict[str, tuple[FloatArray, FloatArray, FloatArray, BoolArray, Any, BoolArray]] = {}
        for metric in self._plain:
            cells = metric.cells(ds)
            x = np.asarray(cells.x, dtype=np.float64)
            known, eligible = cells.known, cells.eligible
            table = None
            if variants is not None:
                flat = self.cells
                opts = [metric.cells(v) for v in variants]
                ks = np.stack([c.known.reshape(-1)[flat] for c in opts])
                es = np.stack([c.eligible.reshape(-1)[flat] for c in opts])
                xs = np.stack([np.asarray(c.x, dtype=np.float64).reshape(-1)[flat] for c in opts])
                if not ((ks == ks[0]).all() and (es == es[0]).all()):  # pragma: no cover
                    raise MeasurementError("an uncertain level changed a metric's subject")
                # Every sample gives the cells one of the options: their subject and
                # known-ness are those of every option; only the value may vary.
                known = known.copy()
                eligible = eligible.copy()
                known.reshape(-1)[flat] = ks[0]
                eligible.reshape(-1)[flat] = es[0]
                counted_cells = ks[0] & es[0] & wk.reshape(-1)[flat]
                values = np.where(counted_cells, xs, 0.0)
                if not (values == values[0]).all():
                    table = values * w.reshape(-1)[flat]
                    x = x.copy()
                    x.reshape(-1)[flat] = 0.0  # the numerator's cells are added per sample
                else:
                    x = x.copy()
                    x.reshape(-1)[flat] = xs[0]
            counted = known & eligible & wk
            numerator = np.where(counted, w * np.where(counted, x, 0.0), 0.0)
            missing_value = eligible & ~known & (w > 0) & wk
            unweighted = eligible & ~wk
            found[metric.id] = (
                numerator,
                np.where(counted, w, 0.0),
                np.where(eligible & wk, w, 0.0),
                np.asarray((missing_value | unweighted).any(axis=1), dtype=np.bool_),
                table,
                unweighted,
            )
        numerators = [block(found[metric.id][0]) for metric in self._plain]
        n_num = len(blocks)
        known_blocks = [block(found[metric.id][1]) for metric in self._plain]
        eligible_blocks = [block(found[metric.id][2]) for metric in self._plain]
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
            eligible_w = found[metric.id][2]
            unweighted_any = (found[metric.id][5]).any(axis=1)
            cells_of[metric.id] = _MetricCells(
                numerator=numerators[k],
                known=at_drop[known_blocks[k]],
                eligible=at_zero[eligible_blocks[k]],
                incomplete=found[metric.id][3],
                applies=np.asarray((eligible_w.sum(axis=1) > 0) | unweighted_any, np.bool_),
                known_zero=at_zero[known_blocks[k]] if k in lower else None,
                table=found[metric.id][4],
            )
        return _Option(
            weighting, prepared, uses_volume(weighting), w, wk, cells_of, drop, zero, n_num
        )

    # ------------------------------------------------------------------ scoring
    def score(self, samples: Samples) -> FloatArray:
        """``[n, metrics, m]``: every reported metric for every sample and municipality."""
        n = samples.size
        m = len(self.dataset.codes)
        values = np.full((n, len(self._computed), m), np.nan)
        policy = np.asarray(samples.missing)
        zero = np.isin(policy, [k for k, p in enumerate(self._policies) if p is MissingPolicy.ZERO])
        propagate = np.isin(
            policy, [k for k, p in enumerate(self._policies) if p is MissingPolicy.PROPAGATE]
        )
        for a in range(len(self._weightings)):
            rows = np.flatnonzero(samples.weighting == a)
            if not len(rows):
                continue
            volume = uses_volume(self._weightings[a])
            factor = None
            if samples.product_factors is not None:
                factor = samples.product_factors[rows]
            if samples.volume_factors is not None and volume:
                vf = samples.volume_factors[rows]
                factor = vf if factor is None else factor * vf
            chosen = None
            if samples.authentication is not None and len(self.cells):
                chosen = samples.authentication[rows]
            if factor is None and chosen is None:
                self._exact(self._option(a), rows, samples, values)
                continue
            option = self._option(a)
            f = np.ones((len(rows), len(self.dataset.uris))) if factor is None else factor
            tables = {
                metric.id: table
                for metric in self._plain
                if (table := option.cells[metric.id].table) is not None
            }
            # Samples of one base row of a radial design share most factors: sums are
            # made once for each distinct row of product factors (and of cell levels).
            f_first, f_again = _distinct_rows(f)
            extra: dict[str, FloatArray] = {}
            if tables and chosen is not None:
                first, again = _distinct_rows(f_again[:, None], chosen)
                for mid, table in tables.items():
                    extra[mid] = self._cell_sums(table, f[first], chosen[first])[again]
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
                        {mid: sums[these] for mid, sums in extra.items()},
                        propagate,
                        values,
                    )
        self._combine(samples, values)
        out: FloatArray = values[:, [self._index[mid] for mid in self.metric_ids], :]
        return out

    def _exact(self, option: _Option, rows: IntArray, samples: Samples, values: FloatArray) -> None:
        """Samples that vary only choices: each metric once per policy, by its own code."""
        for p, policy in enumerate(self._policies):
            these = rows[samples.missing[rows] == p]
            if not len(these):
                continue
            for metric in self._plain:
                key = (metric.id, policy)
                if key not in option.exact:
                    option.exact[key] = metric.evaluate(self.dataset, option.prepared, policy).value
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
        extra: dict[str, FloatArray],
        propagate: BoolArray,
        values: FloatArray,
    ) -> None:
        """Samples with factors: the sums of every metric are one matrix product (UNC-5);
        ``f_again`` gives each sample's distinct row of factors ``f[f_first]``, and
        ``extra`` holds the numerators' sums over the uncertain cells."""
        n = len(rows)
        m = len(self.dataset.codes)
        # Samples that share their product factors share their sums: one product each.
        distinct, again = np.unique(f_again, return_inverse=True)
        sums = _product(f[f_first[distinct]], matrix)[again.reshape(-1)].reshape(n, -1, m)
        undefined_if = propagate[rows][:, None] if not use_zero else None
        for metric in self._plain:
            mc = option.cells[metric.id]
            num = sums[:, mc.numerator, :]
            den = sums[:, mc.eligible if use_zero else mc.known, :]
            if metric.id in extra:
                num = num + extra[metric.id]
            if use_zero and mc.known_zero is not None:
                # Lower is better: an unknown cell counts at the worst value, 1 (AGG-4).
                num = num + np.maximum(den - sums[:, mc.known_zero, :], 0.0)
            value = np.divide(num, den, out=np.full(num.shape, np.nan), where=den > 0)
            # Every x lies in [0, 1], so the value does (AGG-3); the numerator and the
            # denominator are different sums, and their rounding must not take it out.
            np.clip(value, 0.0, 1.0, out=value)
            if undefined_if is not None and mc.incomplete.any():
                value[undefined_if & mc.incomplete[None, :]] = np.nan
            values[rows, self._index[metric.id], :] = value

    def _cell_sums(self, table: FloatArray, f: FloatArray, chosen: Indices) -> FloatArray:
        """``[n, m]``: each row's uncertain cells at their sampled options, weighted."""
        k = len(self.cells)
        flat = chosen.astype(np.intp)
        flat *= k
        flat += np.arange(k)
        picked = table.reshape(-1).take(flat)  # table[chosen, cell]
        picked *= f.take(self._cell_products, axis=1)
        out = np.zeros((len(f), len(self.dataset.codes)))
        out[:, self._cell_rows] = np.add.reduceat(picked, self._starts, axis=1)
        return out

    def _applies(self, samples: Samples) -> dict[str, BoolArray]:
        """``[n, m]`` per metric: whether it has anything to measure (MET-1.2), under each
        sample's weighting; a composite where an active part does."""
        n, m = samples.size, len(self.dataset.codes)
        out: dict[str, BoolArray] = {}
        for metric in self._computed:
            if isinstance(metric, Composite):
                out[metric.id] = np.zeros((n, m), dtype=np.bool_)
                for part, weight in metric.parts:
                    if weight > 0:
                        out[metric.id] |= out[part.id]
                continue
            applies = np.zeros((n, m), dtype=np.bool_)
            for a in range(len(self._weightings)):
                rows = samples.weighting == a
                if rows.any():
                    applies[rows] = self._option(a).cells[metric.id].applies
            out[metric.id] = applies
        return out

    def _combine(self, samples: Samples, values: FloatArray) -> None:
        """Every composite, in profile order, per sampled method and policy (AGG-5); a part
        that does not apply is left out under every policy (MET-1.2)."""
        n, _, m = values.shape
        applies = self._applies(samples)
        for metric in self._computed:
            if not isinstance(metric, Composite):
                continue
            part_applies = np.stack([applies[part.id] for part, _ in metric.parts])
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
