"""The design of an uncertainty analysis: which samples are scored (chapter UNC, UNC-6).

A :class:`Design` is fixed by a profile's uncertainty section, the dataset, a number of
samples and a seed: every combination of the options (an *exhaustive* design), or
Saltelli's radial design drawn from numpy's PCG64 streams of the seed (a *sampled* one),
so that another implementation draws the same samples bit for bit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from digimaat._boundary import guard
from digimaat._classes import shared_eq, shared_repr
from digimaat.errors import InvalidValueError, MeasurementError
from digimaat.measurement.aggregation import AGREEMENT_TOLERANCE
from digimaat.measurement.uncertainty import Samples, UncertaintySection

__all__ = [
    "EXHAUSTIVE_LIMIT",
    "MAX_SAMPLES",
    "Design",
    "Group",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]

EXHAUSTIVE_LIMIT = 4096
"""A section without a continuous factor and at most this many combinations is
enumerated, not sampled (UNC-6.1)."""

MAX_SAMPLES = 10_000_000
"""The most samples an analysis scores. Each sample's values and ranks are kept on disk
until the statistics are made: 12 bytes per sample, metric and municipality."""


def _whole(value: object) -> bool:
    """An ``int`` that is not a boolean."""
    return isinstance(value, int) and not isinstance(value, bool)


_CELL_GROUPS = ("authentication", "levels")
"""The groups with a factor per uncertain cell, drawn from streams of their own."""


# ---------------------------------------------------------------------- the design
@attrs.frozen
@shared_repr
@shared_eq
class Group:
    """A group of factors whose Sobol' indices are reported together (UNC-3, UNC-9)."""

    name: str
    width: int
    """Columns of the design: 1 for a choice, one per part, product or cell."""
    options: int = 0
    """The number of options of each factor of the group (of uncertain levels: the most of
    any cell, each cell having its own, :attr:`Design.level_counts`); 0 for a continuous
    factor."""
    half_width: float = 0.0
    """r of a continuous factor, uniform in [1 - r, 1 + r]."""

    @property
    def continuous(self) -> bool:
        """Whether the group's factors are continuous."""
        return self.options == 0


@attrs.frozen(eq=False)
@shared_repr
class Design:
    """The samples of a section: enumerated, or drawn from the seed (UNC-6).

    An *exhaustive* design enumerates every combination of the options once (a section
    with no continuous factor and at most :data:`EXHAUSTIVE_LIMIT` combinations). A
    *sampled* design is Saltelli's radial design for first-order and total-order indices:
    ``base`` rows of two independent uniform points A and B, each evaluated as A, then
    A with the columns of each group taken from B, then B (``groups + 2`` evaluations per
    base row, in the order SALib's ``sobol`` analysis expects).
    """

    TIE = AGREEMENT_TOLERANCE

    groups: tuple[Group, ...]
    seed: int
    exhaustive: bool
    base: int
    """Base rows of a sampled design; the number of combinations of an exhaustive one."""
    cells: int
    """Uncertain authentications (the width of the authentication group; see :meth:`build`)."""
    level_counts: tuple[int, ...] = ()
    """The number of options of each uncertain level (the levels group, UNC-3.5)."""

    @classmethod
    def build(
        cls,
        section: UncertaintySection,
        options: Sequence[int],
        parts: int,
        products: int,
        cells: int,
        samples: int,
        seed: int,
        level_counts: Sequence[int] = (),
    ) -> Design:
        """The design of a section for a dataset (UNC-6).

        ``options`` are the numbers of options of the three choices (weighting, method,
        missing; 1 when not listed), ``parts`` the composite parts, ``products`` the
        products of the dataset, ``cells`` its uncertain authentications and
        ``level_counts`` the number of options of each of its uncertain levels.
        """
        counts = tuple(int(c) for c in level_counts)
        groups: list[Group] = []
        for name, listed, n in zip(
            ("weighting", "method", "missing"),
            (section.weightings, section.methods, section.missing),
            options,
            strict=True,
        ):
            if listed:
                groups.append(Group(name, 1, options=n))
        for name, r, width in (
            ("part-weights", section.part_weights, parts),
            ("product-weights", section.product_weights, products),
            ("volumes", section.volumes, products),
        ):
            if r > 0:
                groups.append(Group(name, width, half_width=r))
        if section.authentication:
            groups.append(Group("authentication", cells, options=len(section.authentication)))
        if section.levels:
            groups.append(Group("levels", len(counts), options=max(counts, default=1)))
        if not _whole(seed) or not 0 <= seed < 2**63:
            raise InvalidValueError("seed", seed, "must be an integer >= 0 and < 2**63")
        combinations = 1
        for g in groups:
            if g.continuous:
                combinations = EXHAUSTIVE_LIMIT + 1
                break
            for n in counts if g.name == "levels" else (g.options,) * g.width:
                combinations *= n
                if combinations > EXHAUSTIVE_LIMIT:
                    break
            if combinations > EXHAUSTIVE_LIMIT:
                break
        if combinations <= EXHAUSTIVE_LIMIT:
            return cls(tuple(groups), seed, True, combinations, cells, counts)
        per_base = len(groups) + 2
        if _whole(samples) and samples > MAX_SAMPLES:
            raise InvalidValueError("samples", samples, f"must be at most {MAX_SAMPLES:,}")
        base = samples // per_base if _whole(samples) else 0
        if base < 2:
            raise InvalidValueError(
                "samples",
                samples,
                f"must be at least {2 * per_base}: two base rows of {per_base} evaluations "
                f"({len(groups)} groups + 2)",
            )
        return cls(tuple(groups), seed, False, base, cells, counts)

    @property
    def evaluations(self) -> int:
        """The number of samples scored."""
        return self.base if self.exhaustive else self.base * (len(self.groups) + 2)

    @property
    def kind(self) -> str:
        """``"exhaustive"`` or ``"sampled"``."""
        return "exhaustive" if self.exhaustive else "sampled"

    def _plain_width(self) -> int:
        return sum(g.width for g in self.groups if g.name not in _CELL_GROUPS)

    def uniforms(
        self, base_row: int, cells: slice, levels: slice = slice(0, 0)
    ) -> tuple[FloatArray, FloatArray]:
        """The points A and B of a base row, the uncertain authentications restricted to
        ``cells`` and the uncertain levels to ``levels`` (UNC-6.2).

        The plain columns come from the stream ``SeedSequence(seed, spawn_key=(row, 0))``
        (PCG64): A's columns, then B's, each draw ``Generator.random()``. The uncertain
        authentications come from the stream with ``spawn_key=(row, 1)``, the uncertain
        levels from ``spawn_key=(row, 2)``: cell ``c`` takes draws ``2c`` (A) and ``2c + 1``
        (B), so any range of cells is reached by ``PCG64.advance``.
        """
        d = self._plain_width()
        plain = np.random.Generator(
            np.random.PCG64(np.random.SeedSequence(self.seed, spawn_key=(base_row, 0)))
        ).random(2 * d)
        a, b = plain[:d], plain[d:]
        for stream, (name, chosen) in enumerate(
            (("authentication", cells), ("levels", levels)), start=1
        ):
            if not any(g.name == name for g in self.groups):
                continue
            start, stop = chosen.start or 0, chosen.stop or 0
            bits = np.random.PCG64(np.random.SeedSequence(self.seed, spawn_key=(base_row, stream)))
            bits.advance(2 * start)
            pairs = np.random.Generator(bits).random(2 * (stop - start)).reshape(-1, 2)
            a = np.concatenate([a, pairs[:, 0]])
            b = np.concatenate([b, pairs[:, 1]])
        return a, b

    def _columns(self, cells: int, levels: int = 0) -> list[tuple[Group, slice]]:
        out, column = [], 0
        for g in self.groups:
            width = {"authentication": cells, "levels": levels}.get(g.name, g.width)
            out.append((g, slice(column, column + width)))
            column += width
        return out

    def shape(self) -> list[int]:
        """The number of options of every factor, in canonical order (an exhaustive
        design enumerates their combinations)."""
        return [
            n
            for g in self.groups
            for n in (self.level_counts if g.name == "levels" else (g.options,) * g.width)
        ]

    def points(
        self, start: int, stop: int, cells: slice, levels: slice = slice(0, 0)
    ) -> FloatArray:
        """``[rows, columns]``: the design points of evaluations ``start`` to ``stop``;
        uniforms in a sampled design, option indices in an exhaustive one."""
        width = (cells.stop or 0) - (cells.start or 0)
        level_width = (levels.stop or 0) - (levels.start or 0)
        layout = self._columns(width, level_width)
        total = layout[-1][1].stop if layout else 0
        rows = stop - start
        if self.exhaustive:
            shape = self.shape()
            index = np.arange(start, stop)
            # Combinations in lexicographic order, the first factor varying slowest.
            grid = np.stack(np.unravel_index(index, shape), axis=1) if shape else None
            out: FloatArray = np.zeros((rows, total))
            if grid is not None:
                # An exhaustive design's cells are all the dataset's cells.
                out[:, :] = grid
            return out
        per_base = len(self.groups) + 2
        evaluation = np.arange(start, stop)
        base, j = np.divmod(evaluation, per_base)
        first = int(base[0]) if rows else 0
        drawn = [
            self.uniforms(i, cells, levels) for i in range(first, int(base[-1]) + 1 if rows else 0)
        ]
        a = np.stack([d[0] for d in drawn]) if drawn else np.empty((0, total))
        b = np.stack([d[1] for d in drawn]) if drawn else np.empty((0, total))
        out = a[base - first]
        from_b = b[base - first]
        out[j == per_base - 1] = from_b[j == per_base - 1]
        for g, (_, columns) in enumerate(layout):
            these = np.flatnonzero(j == g + 1)
            out[these, columns] = from_b[these, columns]
        return np.asarray(out, dtype=np.float64)

    def _values(self, g: Group, u: FloatArray, counts: IntArray | None = None) -> NDArray[Any]:
        """UNC-6.3: a coordinate ``u`` as an option index or a factor; ``counts`` gives
        each column's number of options where they differ (uncertain levels)."""
        if g.continuous:
            out: NDArray[Any] = 1.0 - g.half_width + 2.0 * g.half_width * u
            return out
        # u < 1, so floor(u n) is the truncation of u n; the bound guards against u n
        # rounding up to n.
        n = np.asarray(g.options if counts is None else counts)
        index: NDArray[Any] = (u * n).astype(np.int8 if g.options <= 127 else np.intp)
        np.minimum(index, n - 1, out=index, casting="unsafe")
        return index

    def samples(
        self,
        start: int,
        stop: int,
        cells: slice,
        parts: int,
        products: int,
        levels: slice = slice(0, 0),
        counts: Sequence[int] | NDArray[np.integer[Any]] | None = None,
    ) -> Samples:
        """The factor values of evaluations ``start`` to ``stop`` (UNC-6.3): a choice's
        option is ``floor(u n)``, a factor ``1 - r + 2 r u``. ``cells`` and ``levels`` are
        the uncertain authentications and levels of the dataset scored, ``counts`` the
        number of options of each of those levels (by default :attr:`level_counts`).

        In a sampled design each group's values are made once per base row, for A and for
        B, and each evaluation takes its group's values from A or from B (UNC-6.2).
        """
        rows = stop - start
        width = (cells.stop or 0) - (cells.start or 0)
        level_width = (levels.stop or 0) - (levels.start or 0)
        if counts is None:
            counts = self.level_counts[levels]
        level_counts = np.asarray(counts, dtype=np.intp).reshape(-1)
        if len(level_counts) != level_width:
            raise MeasurementError("design: the option counts do not match the uncertain levels")
        layout = self._columns(width, level_width)
        values: dict[str, Any] = {}
        if self.exhaustive:
            points = self.points(start, stop, cells, levels)
            for g, columns in layout:
                values[g.name] = points[:, columns].astype(np.intp)
        elif rows:
            per_base = len(self.groups) + 2
            base, j = np.divmod(np.arange(start, stop), per_base)
            first = int(base[0])
            drawn = [self.uniforms(i, cells, levels) for i in range(first, int(base[-1]) + 1)]
            a = np.stack([d[0] for d in drawn])
            b = np.stack([d[1] for d in drawn])
            local = base - first
            for g_index, (g, columns) in enumerate(layout):
                from_b = (j == per_base - 1) | (j == g_index + 1)
                n = level_counts if g.name == "levels" else None
                va, vb = self._values(g, a[:, columns], n), self._values(g, b[:, columns], n)
                out = va[local]
                out[from_b] = vb[local[from_b]]
                values[g.name] = out
        zero = np.zeros(rows, dtype=np.intp)

        def choice(name: str) -> IntArray:
            return values[name][:, 0] if name in values else zero

        if "part-weights" in values and values["part-weights"].shape[1] != parts:
            raise MeasurementError("design: part columns do not match the profile")
        return Samples(
            weighting=choice("weighting"),
            method=choice("method"),
            missing=choice("missing"),
            part_factors=values.get("part-weights"),
            product_factors=values.get("product-weights"),
            volume_factors=values.get("volumes"),
            authentication=values.get("authentication"),
            levels=values.get("levels"),
        )


guard(__name__)
