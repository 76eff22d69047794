"""The uncertain cells of a dataset in a batch of samples (chapter UNC, UNC-3.4, UNC-3.5, UNC-5).

An uncertainty section may leave the data of some cells open: an authentication that was
not recorded (UNC-3.4), a level that is not known or only claimed (UNC-3.5). Each such
cell takes one of a few *options* in every sample, and a cell's contribution to a metric's
sums (AGG-3) depends on its own option only. :class:`UncertainCells` therefore works out,
once, every cell's contributions under every option, from the metrics' own per-cell
values on datasets with every uncertain cell at one option; a batch of samples then picks
each cell's contribution by its option and adds them up per municipality, without
scoring a dataset per sample.

A cell that is uncertain in both ways has an option for each pair of a level and an
assurance level (*joint* options, the level varying slowest).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from digimaat._boundary import guard
from digimaat._classes import shared_repr
from digimaat.errors import MeasurementError
from digimaat.measurement.dataset import Dataset
from digimaat.measurement.metrics import Metric
from digimaat.measurement.uncertainty_samples import (
    Samples,
    _with_levels,
    authentication_cells,
    level_cells,
    with_maturity,
)
from digimaat.measurement.uncertainty_section import UncertaintySection

__all__ = ["CellTables", "UncertainCells"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.intp]


@attrs.frozen(eq=False)
@shared_repr
class CellTables:
    """``[options, cells]``: what each uncertain cell adds to one metric's sums under each
    joint option, for the sums that some option changes; ``None`` for a sum that no option
    changes (its cells are then part of the per-cell matrices)."""

    numerator: FloatArray | None
    """``w * x`` over the counted cells (AGG-3)."""
    known: FloatArray | None
    """``w`` over the counted cells: the denominator under drop and propagate."""
    eligible: FloatArray | None
    """``w`` over the eligible cells of known weight: the denominator under zero."""
    incomplete: BoolArray | None
    """An eligible cell of positive weight whose value is unknown, or whose weight is:
    what makes a value undefined under propagate (AGG-4)."""
    applies: BoolArray | None
    """An eligible cell of positive or unknown weight: the metric applies (MET-1.2)."""

    @property
    def varies(self) -> bool:
        """Whether any sum depends on the cells' options."""
        return any(
            t is not None
            for t in (self.numerator, self.known, self.eligible, self.incomplete, self.applies)
        )


class UncertainCells:
    """The cells a section makes uncertain in a dataset, and their options (UNC-5).

    :attr:`authentication` and :attr:`levels` are the flat indices of the uncertain
    authentications and levels in canonical order (the columns of
    :attr:`Samples.authentication <digimaat.measurement.uncertainty_samples.Samples.authentication>`
    and :attr:`Samples.levels <digimaat.measurement.uncertainty_samples.Samples.levels>`);
    :attr:`cells` is their union, the columns of every table.
    """

    def __init__(self, ds: Dataset, section: UncertaintySection) -> None:
        self.dataset, self.section = ds, section
        self.authentication: IntArray = (
            authentication_cells(ds, section) if section.authentication else np.empty(0, np.intp)
        )
        if section.levels:
            self.levels, kinds = level_cells(ds, section)
        else:
            self.levels, kinds = np.empty(0, np.intp), np.empty(0, np.intp)
        counts = np.array([len(options) for _, options in section.levels], dtype=np.intp)
        self.level_counts: IntArray = counts[kinds] if len(kinds) else np.empty(0, np.intp)
        """The number of options of each uncertain level (UNC-6.3)."""
        # Each level cell's options as levels, padded with its last option.
        width = int(counts.max()) if len(counts) else 1
        table = np.array(
            [[int(o[min(k, len(o) - 1)]) for k in range(width)] for _, o in section.levels]
            or [[0]],
            dtype=np.int8,
        )
        self._level_options = table[kinds] if len(kinds) else np.empty((0, width), np.int8)
        self.cells: IntArray = np.union1d(self.authentication, self.levels)
        self.level_width = width if len(self.levels) else 1
        self.auth_width = len(section.authentication) if len(self.authentication) else 1
        self.options = self.level_width * self.auth_width
        """The number of joint options."""
        self._auth_columns = np.searchsorted(self.cells, self.authentication)
        self._level_columns = np.searchsorted(self.cells, self.levels)
        p = len(ds.uris)
        rows_of = self.cells // p
        self.products: IntArray = self.cells % p
        """The product of each cell (for its factor)."""
        self.starts: IntArray = (
            np.flatnonzero(np.r_[True, rows_of[1:] != rows_of[:-1]])
            if len(self.cells)
            else np.empty(0, np.intp)
        )
        self.rows: IntArray = rows_of[self.starts]
        """The municipality of each run of cells that starts at :attr:`starts`."""
        self._values: dict[str, tuple[FloatArray, BoolArray, BoolArray]] = {}

    def __len__(self) -> int:
        return len(self.cells)

    # ------------------------------------------------------------------ the options
    def _variants(self) -> Any:
        """The dataset with every uncertain cell at each joint option, one at a time."""
        ds = self.dataset
        for lv in range(self.level_width):
            at_level = ds
            if len(self.levels):
                chosen = self._level_options[:, lv]
                at_level = with_maturity(ds, self.levels, chosen)
            for a in range(self.auth_width):
                if len(self.authentication):
                    level = int(self.section.authentication[a])
                    full = np.full(len(self.authentication), level, np.int8)
                    yield _with_levels(at_level, self.authentication, full)
                else:
                    yield at_level

    def prepare(self, metrics: Sequence[Metric]) -> None:
        """Work out every metric's per-cell value, known-ness and subject under every joint
        option (once; before threads share the scorer)."""
        todo = [m for m in metrics if m.id not in self._values]
        if not todo or not len(self.cells):
            return
        xs: dict[str, list[FloatArray]] = {m.id: [] for m in todo}
        ks: dict[str, list[BoolArray]] = {m.id: [] for m in todo}
        es: dict[str, list[BoolArray]] = {m.id: [] for m in todo}
        for variant in self._variants():
            for metric in todo:
                cells = metric.cells(variant)
                xs[metric.id].append(np.asarray(cells.x, np.float64).reshape(-1)[self.cells])
                ks[metric.id].append(cells.known.reshape(-1)[self.cells])
                es[metric.id].append(cells.eligible.reshape(-1)[self.cells])
        for metric in todo:
            self._values[metric.id] = (
                np.stack(xs[metric.id]),
                np.stack(ks[metric.id]),
                np.stack(es[metric.id]),
            )

    def tables(
        self, metric: Metric, w: FloatArray, wk: BoolArray, cells: dict[str, NDArray[Any]]
    ) -> CellTables:
        """The metric's tables under weights ``w`` (filled, ``[m, p]``) whose known ones are
        ``wk``. ``cells`` holds the metric's per-cell arrays ``[m, p]`` (``numerator``,
        ``known``, ``eligible``, ``incomplete``, ``applies``); the uncertain cells of each
        are set here, cell by cell: to their value where no option changes it, else to
        nothing (0 or ``False``), the table adding them per sample."""
        if not len(self.cells):
            return CellTables(None, None, None, None, None)
        self.prepare([metric])
        xs, ks, es = self._values[metric.id]
        wu = w.reshape(-1)[self.cells][None, :]
        wku = wk.reshape(-1)[self.cells][None, :]
        counted = ks & es & wku
        found: dict[str, NDArray[Any]] = {
            "numerator": np.where(counted, wu * xs, 0.0),
            "known": np.where(counted, wu, 0.0),
            "eligible": np.where(es & wku, wu, 0.0),
            "incomplete": (es & ~ks & (wu > 0) & wku) | (es & ~wku),
            "applies": (es & wku & (wu > 0)) | (es & ~wku),
        }
        out: dict[str, NDArray[Any] | None] = {}
        for name, table in found.items():
            # Each cell whose contribution no option changes is part of the matrices, the
            # others of the table: a cell's place depends on it alone, so the sums are the
            # same whichever other cells the dataset holds (chunks of municipalities).
            constant = (table == table[0]).all(axis=0)
            cells[name].reshape(-1)[self.cells] = np.where(constant, table[0], 0)
            table[:, constant] = 0
            out[name] = None if constant.all() else table
        return CellTables(**out)

    # ------------------------------------------------------------------ samples
    def check(self, samples: Samples) -> None:
        """Raise when a batch does not give every uncertain cell an option."""
        for name, cells, width in (
            ("authentication", self.authentication, len(self.section.authentication)),
            ("levels", self.levels, 0),
        ):
            given = getattr(samples, name)
            if not len(cells):
                if given is not None and given.shape[1:] != (0,):
                    raise MeasurementError(f"samples.{name} must have shape ({samples.size}, 0)")
                continue
            if given is None or given.shape != (samples.size, len(cells)):
                raise MeasurementError(
                    f"samples.{name} must have shape ({samples.size}, {len(cells)}): the "
                    f"section makes {len(cells)} cells uncertain"
                )
            if not given.size:
                continue
            if name == "levels":
                wrong = bool(given.min() < 0) or bool((given >= self.level_counts).any())
            else:
                wrong = bool(given.min() < 0) or bool(given.max() >= width)
            if wrong:
                raise MeasurementError(f"samples.{name} holds an option out of range")

    def joint(self, samples: Samples, rows: IntArray) -> NDArray[np.integer[Any]]:
        """``[rows, cells]``: each sample's joint option of every uncertain cell, as small
        integers (rows of them are compared whole, :func:`picks` widens them)."""
        small = np.int8 if self.options <= 127 else np.int32
        levels = samples.levels if len(self.levels) else None
        auth = samples.authentication if len(self.authentication) else None
        if levels is not None and auth is None and len(self.levels) == len(self.cells):
            return np.asarray(levels[rows], dtype=small)
        if auth is not None and levels is None and len(self.authentication) == len(self.cells):
            return np.asarray(auth[rows], dtype=small)
        out = np.zeros((len(rows), len(self.cells)), dtype=small)
        if levels is not None:
            out[:, self._level_columns] = levels[rows] * self.auth_width
        if auth is not None:
            out[:, self._auth_columns] += np.asarray(auth[rows], dtype=small)
        return out

    def picks(self, joint: NDArray[np.integer[Any]]) -> IntArray:
        """Flat positions in a table ``[options, cells]`` of each row's options."""
        k = len(self.cells)
        flat = joint.astype(np.intp)
        flat *= k
        flat += np.arange(k)
        return flat

    def sums(self, table: FloatArray, picks: IntArray, factors: FloatArray) -> FloatArray:
        """``[rows, m]``: the picked entries of ``table``, times each cell's product factor
        (``factors``, ``[rows, cells]``), summed per municipality."""
        picked = table.reshape(-1).take(picks)
        picked *= factors
        out = np.zeros((len(picks), len(self.dataset.codes)))
        out[:, self.rows] = np.add.reduceat(picked, self.starts, axis=1)
        return out

    def any(self, table: BoolArray, picks: IntArray) -> BoolArray:
        """``[rows, m]``: whether a picked entry of ``table`` is true in each municipality."""
        picked = table.reshape(-1).take(picks)
        out = np.zeros((len(picks), len(self.dataset.codes)), dtype=np.bool_)
        out[:, self.rows] = np.logical_or.reduceat(picked, self.starts, axis=1)
        return out


guard(__name__)
