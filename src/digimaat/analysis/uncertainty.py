"""Uncertainty and sensitivity analysis of scores and ranks (specification chapter UNC).

"Would our rank survive another reasonable method?" A profile's uncertainty section
(:class:`~digimaat.measurement.uncertainty.UncertaintySection`) lists the other
reasonable choices and how uncertain the data is. :func:`analyse` draws samples of them
by a fixed design (UNC-6), scores every sample with
:class:`~digimaat.measurement.uncertainty.BatchScorer`, and reports for every metric and
municipality the nominal value, the 5-95 % interval of the value, the median rank and the
rank interval (UNC-7), for chosen pairs the probability that one ranks above the other
(UNC-8), and first-order and total-order Sobol' indices of the rank shift: which choice
moves the ranking (UNC-9).

The samples are scored chunk by chunk; per-sample results go to temporary files, never
all into memory, so memory is bounded by the chunk size whatever the number of samples.
The chunks may run on a Dask cluster (:func:`analyse` with ``scheduler``); every chunk's
random numbers come from streams fixed by the seed and the sample's number alone, so the
results are the same whatever the chunk size, the scheduler or the number of workers.

>>> from digimaat.analysis.uncertainty import Design
>>> Design.TIE
1e-09
"""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
import uuid
import warnings
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from digimaat._boundary import guard
from digimaat._version import SPEC_VERSION
from digimaat.errors import InvalidValueError, MeasurementError
from digimaat.measurement.aggregation import AGREEMENT_TOLERANCE
from digimaat.measurement.dataset import Dataset
from digimaat.measurement.profiles import Profile
from digimaat.measurement.uncertainty import BatchScorer, Samples, UncertaintySection

__all__ = [
    "EXHAUSTIVE_LIMIT",
    "MAX_SAMPLES",
    "Design",
    "Group",
    "PairProbability",
    "SobolIndex",
    "Spread",
    "UncertaintyResult",
    "analyse",
    "analyse_chunks",
    "analyse_files",
    "rank_intervals",
    "ranks",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]

EXHAUSTIVE_LIMIT = 4096
"""A section without a continuous factor and at most this many combinations is
enumerated, not sampled (UNC-6.1)."""

MAX_SAMPLES = 10_000_000
"""The most samples an analysis scores. Each sample's values and ranks are kept on disk
until the statistics are made: 12 bytes per sample, metric and municipality."""

RANK_ROWS_BUDGET = 1 << 20
"""The rank pass reads at most about this many values per metric at a time."""

LOW, HIGH, MEDIAN = 0.05, 0.95, 0.5
"""The interval is from the 5 % to the 95 % quantile; the median rank is the 50 % one."""


def _whole(value: object) -> bool:
    """An ``int`` that is not a boolean."""
    return isinstance(value, int) and not isinstance(value, bool)


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


# ---------------------------------------------------------------------- the design
@attrs.frozen
class Group:
    """A group of factors whose Sobol' indices are reported together (UNC-3, UNC-9)."""

    name: str
    width: int
    """Columns of the design: 1 for a choice, one per part, product or cell."""
    options: int = 0
    """The number of options of each factor of the group; 0 for a continuous factor."""
    half_width: float = 0.0
    """r of a continuous factor, uniform in [1 - r, 1 + r]."""

    @property
    def continuous(self) -> bool:
        """Whether the group's factors are continuous."""
        return self.options == 0


@attrs.frozen(eq=False)
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
    """Uncertain cells (the width of the authentication group; see :meth:`build`)."""

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
    ) -> Design:
        """The design of a section for a dataset (UNC-6).

        ``options`` are the numbers of options of the three choices (weighting, method,
        missing; 1 when not listed), ``parts`` the composite parts, ``products`` the
        products of the dataset and ``cells`` its uncertain cells.
        """
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
        if not _whole(seed) or not 0 <= seed < 2**63:
            raise InvalidValueError("seed", seed, "must be an integer >= 0 and < 2**63")
        combinations = 1
        for g in groups:
            if g.continuous:
                combinations = EXHAUSTIVE_LIMIT + 1
                break
            combinations *= g.options**g.width
            if combinations > EXHAUSTIVE_LIMIT:
                break
        if combinations <= EXHAUSTIVE_LIMIT:
            return cls(tuple(groups), seed, True, combinations, cells)
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
        return cls(tuple(groups), seed, False, base, cells)

    @property
    def evaluations(self) -> int:
        """The number of samples scored."""
        return self.base if self.exhaustive else self.base * (len(self.groups) + 2)

    @property
    def kind(self) -> str:
        """``"exhaustive"`` or ``"sampled"``."""
        return "exhaustive" if self.exhaustive else "sampled"

    def _plain_width(self) -> int:
        return sum(g.width for g in self.groups if g.name != "authentication")

    def uniforms(self, base_row: int, cells: slice) -> tuple[FloatArray, FloatArray]:
        """The points A and B of a base row, the uncertain cells restricted to ``cells``
        (UNC-6.2).

        The plain columns come from the stream ``SeedSequence(seed, spawn_key=(row, 0))``
        (PCG64): A's columns, then B's, each draw ``Generator.random()``. The cells come
        from the stream with ``spawn_key=(row, 1)``: cell ``c`` takes draws ``2c`` (A) and
        ``2c + 1`` (B), so any range of cells is reached by ``PCG64.advance``.
        """
        d = self._plain_width()
        plain = np.random.Generator(
            np.random.PCG64(np.random.SeedSequence(self.seed, spawn_key=(base_row, 0)))
        ).random(2 * d)
        a, b = plain[:d], plain[d:]
        if any(g.name == "authentication" for g in self.groups):
            start, stop = cells.start or 0, cells.stop or 0
            bits = np.random.PCG64(np.random.SeedSequence(self.seed, spawn_key=(base_row, 1)))
            bits.advance(2 * start)
            pairs = np.random.Generator(bits).random(2 * (stop - start)).reshape(-1, 2)
            a = np.concatenate([a, pairs[:, 0]])
            b = np.concatenate([b, pairs[:, 1]])
        return a, b

    def _columns(self, cells: int) -> list[tuple[Group, slice]]:
        out, column = [], 0
        for g in self.groups:
            width = cells if g.name == "authentication" else g.width
            out.append((g, slice(column, column + width)))
            column += width
        return out

    def points(self, start: int, stop: int, cells: slice) -> FloatArray:
        """``[rows, columns]``: the design points of evaluations ``start`` to ``stop``;
        uniforms in a sampled design, option indices in an exhaustive one."""
        width = (cells.stop or 0) - (cells.start or 0)
        layout = self._columns(width)
        total = layout[-1][1].stop if layout else 0
        rows = stop - start
        if self.exhaustive:
            shape = [g.options for g, s in layout for _ in range(s.stop - s.start)]
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
        drawn = [self.uniforms(i, cells) for i in range(first, int(base[-1]) + 1 if rows else 0)]
        a = np.stack([d[0] for d in drawn]) if drawn else np.empty((0, total))
        b = np.stack([d[1] for d in drawn]) if drawn else np.empty((0, total))
        out = a[base - first]
        from_b = b[base - first]
        out[j == per_base - 1] = from_b[j == per_base - 1]
        for g, (_, columns) in enumerate(layout):
            these = np.flatnonzero(j == g + 1)
            out[these, columns] = from_b[these, columns]
        return np.asarray(out, dtype=np.float64)

    def _values(self, g: Group, u: FloatArray) -> NDArray[Any]:
        """UNC-6.3: a coordinate ``u`` as an option index or a factor."""
        if g.continuous:
            out: NDArray[Any] = 1.0 - g.half_width + 2.0 * g.half_width * u
            return out
        # u < 1, so floor(u n) is the truncation of u n; the bound guards against u n
        # rounding up to n.
        index = (u * g.options).astype(np.int8 if g.options <= 127 else np.intp)
        np.minimum(index, g.options - 1, out=index)
        return index

    def samples(self, start: int, stop: int, cells: slice, parts: int, products: int) -> Samples:
        """The factor values of evaluations ``start`` to ``stop`` (UNC-6.3): a choice's
        option is ``floor(u n)``, a factor ``1 - r + 2 r u``.

        In a sampled design each group's values are made once per base row, for A and for
        B, and each evaluation takes its group's values from A or from B (UNC-6.2).
        """
        rows = stop - start
        width = (cells.stop or 0) - (cells.start or 0)
        layout = self._columns(width)
        values: dict[str, Any] = {}
        if self.exhaustive:
            points = self.points(start, stop, cells)
            for g, columns in layout:
                values[g.name] = points[:, columns].astype(np.intp)
        elif rows:
            per_base = len(self.groups) + 2
            base, j = np.divmod(np.arange(start, stop), per_base)
            first = int(base[0])
            drawn = [self.uniforms(i, cells) for i in range(first, int(base[-1]) + 1)]
            a = np.stack([d[0] for d in drawn])
            b = np.stack([d[1] for d in drawn])
            local = base - first
            for g_index, (g, columns) in enumerate(layout):
                from_b = (j == per_base - 1) | (j == g_index + 1)
                va, vb = self._values(g, a[:, columns]), self._values(g, b[:, columns])
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
        )


# ---------------------------------------------------------------------- results
@attrs.frozen
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
class PairProbability:
    """The probability that ``first`` ranks above ``second`` in a metric (UNC-8)."""

    metric: str
    first: str
    second: str
    probability: float | None
    """Over the samples where both are defined; ``None`` when there is none."""
    samples: int


@attrs.frozen
class SobolIndex:
    """Sobol' indices of a group for a metric's mean absolute rank shift (UNC-9)."""

    metric: str
    group: str
    first_order: float | None
    total_order: float | None


@attrs.frozen(eq=False)
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

    def spread(self, metric: str, code: str) -> Spread:
        """The spread of one metric of one municipality (the first with the code)."""
        return self.spreads[metric][self.codes.index(code)]

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


# ---------------------------------------------------------------------- spill store
class _Store:
    """Per-sample arrays ``[samples, metrics, municipalities]`` in files, one per block of
    municipalities, appended in sample order: bounded memory, whatever the sample count."""

    def __init__(self, folder: Path, name: str, dtype: Any, metrics: int) -> None:
        self.folder, self.name, self.dtype, self.metrics = folder, name, np.dtype(dtype), metrics
        self.blocks: list[tuple[int, int]] = []  # global municipality ranges
        self._files: dict[int, Any] = {}

    def add_block(self, start: int, stop: int) -> int:
        self.blocks.append((start, stop))
        (self.folder / f"{self.name}-{len(self.blocks) - 1}").touch()
        return len(self.blocks) - 1

    def append(self, block: int, array: NDArray[Any]) -> None:
        f = self._files.get(block)
        if f is None:
            f = self._files[block] = open(self.folder / f"{self.name}-{block}", "ab")  # noqa: SIM115
        f.write(np.ascontiguousarray(array, dtype=self.dtype).data)

    def close(self) -> None:
        """Close the files held open for appending (a read closes its block's)."""
        for f in self._files.values():
            f.close()
        self._files.clear()

    def read(self, block: int, start: int = 0, stop: int | None = None) -> NDArray[Any]:
        f = self._files.get(block)
        if f is not None:
            f.flush()
        lo, hi = self.blocks[block]
        per_row = self.metrics * (hi - lo)
        path = self.folder / f"{self.name}-{block}"
        rows = path.stat().st_size // (per_row * self.dtype.itemsize)
        stop = rows if stop is None else stop
        data = np.fromfile(
            path,
            dtype=self.dtype,
            count=(stop - start) * per_row,
            offset=start * per_row * self.dtype.itemsize,
        )
        return data.reshape(stop - start, self.metrics, hi - lo)

    def rows(self, start: int, stop: int) -> NDArray[Any]:
        """``[stop - start, metrics, all municipalities]``."""
        return np.concatenate([self.read(b, start, stop) for b in range(len(self.blocks))], axis=2)


# ---------------------------------------------------------------------- evaluation
_SCORERS: dict[str, BatchScorer] = {}


def _tile(
    token: str,
    profile: Profile,
    ds: Dataset,
    metrics: tuple[str, ...],
    design: Design,
    start: int,
    stop: int,
    cells: slice,
) -> FloatArray:
    """Score evaluations ``start`` to ``stop`` of the design on one dataset (a task).

    The scorer, with its per-cell matrices, is kept for the next task of the same run.
    """
    scorer = _SCORERS.get(token)
    if scorer is None:
        _SCORERS.clear()
        scorer = _SCORERS[token] = BatchScorer(profile, ds, metrics)
    samples = design.samples(start, stop, cells, scorer.parts, len(ds.uris))
    scorer.check(samples)
    return scorer.score(samples)


@contextlib.contextmanager
def _one_thread() -> Iterator[None]:
    """BLAS in one thread while chunks are scored in this process.

    A chunk's matrix products are small enough that a second BLAS thread gains little on
    a quiet machine and loses several times on a busy one; the results are the same
    either way. Without threadpoolctl, BLAS keeps its own setting.
    """
    try:
        from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - installed with the uncertainty extra
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


@contextlib.contextmanager
def _client(scheduler: Any) -> Iterator[Any]:
    """A ``dask.distributed`` client: a local cluster of processes for ``"local"``, the
    scheduler at an address for a string, or the client given."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - the dask extra is installed with dev
        raise MeasurementError(
            "running on Dask needs the optional dependency: pip install 'digimaat[dask]'"
        ) from None
    if not isinstance(scheduler, str):
        yield scheduler
        return
    if scheduler == "local":
        with (
            LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            Client(cluster) as client,  # type: ignore[no-untyped-call]
        ):
            yield client
        return
    with Client(scheduler) as client:  # type: ignore[no-untyped-call]
        yield client


def _options(profile: Profile) -> tuple[int, int, int]:
    section = profile.uncertainty or UncertaintySection()
    return (
        len(section.weightings) or 1,
        len(section.methods) or 1,
        len(section.missing) or 1,
    )


def analyse(
    dataset: Dataset,
    profile: Profile,
    *,
    samples: int,
    seed: int,
    metrics: Sequence[str] | None = None,
    pairs: Sequence[tuple[str, str]] = (),
    chunk: int = 256,
    scheduler: Any = None,
    threads: int | None = None,
) -> UncertaintyResult:
    """Uncertainty and sensitivity of a profile's scores on a dataset (UNC-6 to UNC-9).

    ``samples`` is the number of samples to score (a sampled design scores the largest
    multiple of ``groups + 2`` not above it; an exhaustive design scores every
    combination, whatever ``samples``); ``seed`` fixes them. ``metrics`` are the ids to
    analyse, by default the headline and the metrics it is made of; ``pairs`` are
    ``(code, code)`` pairs for UNC-8. Samples are scored ``chunk`` at a time, in this
    process (``threads`` chunks at a time, by default 1: on a shared machine a second
    thread gains little), or on Dask
    with ``scheduler``: ``"local"`` for a local cluster of processes, a scheduler address,
    or a ``distributed.Client``. The results are the same whichever way.
    """
    if profile.uncertainty is None:
        raise MeasurementError(
            f"profile {profile.name!r} declares no uncertainty section (UNC-1); give a "
            "profile that declares one"
        )
    return _analyse(
        [dataset], profile, samples, seed, metrics, pairs, chunk, scheduler, threads=threads
    )


def analyse_files(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    profile: Profile,
    *,
    samples: int,
    seed: int,
    metrics: Sequence[str] | None = None,
    pairs: Sequence[tuple[str, str]] = (),
    chunk: int = 256,
    scheduler: Any = None,
) -> UncertaintyResult:
    """:func:`analyse` of the data of one reference year in exchange files (read by
    :func:`digimaat.analysis.trends.read_years`, every problem of every file reported at
    once)."""
    from digimaat.analysis.trends import read_years

    files = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    years = read_years(files)
    if len(years) != 1:
        raise InvalidValueError(
            "paths", sorted(years), "must hold one reference year: analyse one year at a time"
        )
    (year,) = years.values()
    dataset = year.dataset
    return analyse(
        dataset,
        profile,
        samples=samples,
        seed=seed,
        metrics=metrics,
        pairs=pairs,
        chunk=chunk,
        scheduler=scheduler,
    )


def analyse_chunks(
    chunks: Iterable[Dataset],
    profile: Profile,
    *,
    samples: int,
    seed: int,
    metrics: Sequence[str] | None = None,
    pairs: Sequence[tuple[str, str]] = (),
    chunk: int = 256,
    threads: int | None = None,
) -> UncertaintyResult:
    """:func:`analyse` for municipalities given in chunks, one dataset each, with the same
    products in every chunk (for populations too large for one dataset in memory).

    Each chunk is scored for every sample and dropped. The results list the
    municipalities chunk after chunk; CBS codes that repeat over the chunks (synthetic
    populations larger than the code space) are kept apart by their position. An
    exhaustive design with uncertain cells needs every cell at once and is refused.
    """
    if profile.uncertainty is None:
        raise MeasurementError(f"profile {profile.name!r} declares no uncertainty section")
    return _analyse(
        chunks, profile, samples, seed, metrics, pairs, chunk, None, threads, chunked=True
    )


def _default_metrics(profile: Profile) -> tuple[str, ...]:
    by_id = {m.id: m for m in profile.metrics}
    chosen: set[str] = set()

    def add(mid: str) -> None:
        chosen.add(mid)
        for part, _ in getattr(by_id[mid], "parts", ()):
            add(part.id)

    add(profile.headline)
    return tuple(m.id for m in profile.metrics if m.id in chosen)


class _Ranking:
    """Ranks every sample as its values arrive (UNC-7.2), storing them, and accumulates
    the rank shifts (UNC-9) and the pair counts (UNC-8)."""

    def __init__(
        self,
        folder: Path,
        blocks: Sequence[tuple[int, int]],
        nominal: FloatArray,
        directions: Sequence[int],
        pairs: Sequence[tuple[int, int]],
        evaluations: int,
    ) -> None:
        k_metrics = nominal.shape[0]
        self.directions = list(directions)
        self.signs = np.array([1.0 if d > 0 else -1.0 for d in directions])
        self.nominal = np.stack([ranks(nominal[k], directions[k]) for k in range(k_metrics)])
        self.store = _Store(folder, "ranks", np.int32, k_metrics)
        self.close = self.store.close
        for lo, hi in blocks:
            self.store.add_block(lo, hi)
        self.pairs = list(pairs)
        self.shift = np.empty((evaluations, k_metrics))
        self.above = np.zeros((len(pairs), k_metrics), dtype=np.int64)
        self.both = np.zeros((len(pairs), k_metrics), dtype=np.int64)
        self.done = 0

    def add(self, values: FloatArray) -> None:
        """The next samples' values ``[n, metrics, every municipality]``."""
        s0, s1 = self.done, self.done + len(values)
        # One sort for every metric: a metric where lower is better is ranked on -value.
        r = ranks(values * self.signs[None, :, None])
        for block, (lo, hi) in enumerate(self.store.blocks):
            self.store.append(block, r[:, :, lo:hi])
        nominal = self.nominal[None]
        usable = (r > 0) & (nominal > 0)
        moved = np.where(usable, np.abs(r - nominal), 0).sum(axis=2, dtype=np.float64)
        counted = usable.sum(axis=2)
        self.shift[s0:s1] = np.divide(
            moved, counted, out=np.full(moved.shape, np.nan), where=counted > 0
        )
        for n, (a, b) in enumerate(self.pairs):
            ra, rb = r[:, :, a], r[:, :, b]
            defined = (ra > 0) & (rb > 0)
            self.both[n] += defined.sum(axis=0)
            self.above[n] += (defined & (ra < rb)).sum(axis=0)
        self.done = s1


def _pair_indices(codes: Sequence[str], pairs: Sequence[tuple[str, str]]) -> list[tuple[int, int]]:
    index: dict[str, int] = {}
    for i, code in enumerate(codes):
        index.setdefault(code, i)
    out = []
    for first, second in pairs:
        for code in (first, second):
            if code not in index:
                raise InvalidValueError("pairs", code, "is not a municipality of the data")
        out.append((index[first], index[second]))
    return out


def _analyse(
    chunks: Iterable[Dataset],
    profile: Profile,
    samples: int,
    seed: int,
    metrics: Sequence[str] | None,
    pairs: Sequence[tuple[str, str]],
    chunk: int,
    scheduler: Any,
    threads: int | None = None,
    chunked: bool = False,
) -> UncertaintyResult:
    if not _whole(chunk) or chunk < 1:
        raise InvalidValueError("chunk", chunk, "must be an integer >= 1")
    if threads is None:
        threads = 1
    elif not _whole(threads) or threads < 1:
        raise InvalidValueError("threads", threads, "must be an integer >= 1")
    section = profile.uncertainty
    assert section is not None
    ids = tuple(metrics) if metrics is not None else _default_metrics(profile)
    by_id = {m.id: m for m in profile.metrics}
    for mid in ids:
        if mid not in by_id:
            raise InvalidValueError("metric", mid, "is not a metric of the profile")
    directions = [by_id[mid].direction for mid in ids]
    k_metrics = len(ids)
    codes: list[str] = []
    nominal_parts: list[FloatArray] = []
    design: Design | None = None
    ranking: _Ranking | None = None
    cell_offset = 0
    with (
        tempfile.TemporaryDirectory(prefix="digimaat-uncertainty-") as tmp,
        contextlib.ExitStack() as open_files,
    ):
        folder = Path(tmp)
        values = _Store(folder, "values", np.float64, k_metrics)
        open_files.callback(values.close)
        for ds in chunks:
            scorer = BatchScorer(profile, ds, ids)
            if design is None:
                design = Design.build(
                    section,
                    _options(profile),
                    scorer.parts,
                    len(ds.uris),
                    len(scorer.cells),
                    samples,
                    seed,
                )
                products = ds.uris
                if chunked and design.exhaustive and section.authentication:
                    raise MeasurementError(
                        "an exhaustive design with uncertain authentication needs one dataset"
                    )
            elif ds.uris != products:
                raise InvalidValueError(
                    "chunks", ds.uris[:3], "every chunk needs the same products"
                )
            cells_here = slice(cell_offset, cell_offset + len(scorer.cells))
            if design.exhaustive:
                cells_here = slice(0, len(scorer.cells))
            cell_offset += len(scorer.cells)
            board = profile.score(ds)
            nominal_parts.append(np.stack([board.results[mid].value for mid in ids]))
            first = len(codes)
            codes.extend(ds.codes)
            m = len(ds.codes)
            evaluations = design.evaluations
            # Blocks small enough that reading one block for every sample costs about as
            # much memory as one chunk of samples for every municipality of the dataset.
            size = max(1, min(m, (chunk * m) // max(evaluations, 1)))
            blocks = [
                (values.add_block(first + lo, first + min(lo + size, m)), lo, min(lo + size, m))
                for lo in range(0, m, size)
            ]
            if not chunked:  # every municipality is in each chunk of samples: rank now
                ranking = _Ranking(
                    folder,
                    values.blocks,
                    nominal_parts[0],
                    directions,
                    _pair_indices(codes, pairs),
                    evaluations,
                )
                open_files.callback(ranking.close)
            ranges = [(s, min(s + chunk, evaluations)) for s in range(0, evaluations, chunk)]

            def store(
                tile: FloatArray,
                blocks: list[tuple[int, int, int]] = blocks,
                ranking: _Ranking | None = ranking,
            ) -> None:
                for block, lo, hi in blocks:
                    values.append(block, tile[:, :, lo:hi])
                if ranking is not None:
                    ranking.add(tile)

            if scheduler is None:
                token = uuid.uuid4().hex
                _SCORERS.clear()
                _SCORERS[token] = scorer
                scorer.prepare()  # before the threads share it
                with _one_thread(), ThreadPoolExecutor(max_workers=threads) as pool:
                    # Chunks are scored side by side (numpy releases the GIL) and stored
                    # in order; at most two chunks a thread are held at once.
                    pending: deque[Future[FloatArray]] = deque()
                    for s0, s1 in ranges:
                        pending.append(
                            pool.submit(_tile, token, profile, ds, ids, design, s0, s1, cells_here)
                        )
                        if len(pending) >= 2 * threads:
                            store(pending.popleft().result())
                    while pending:
                        store(pending.popleft().result())
                _SCORERS.clear()
            else:
                _run_dask(scheduler, profile, ds, ids, design, ranges, cells_here, store)
            del scorer, board
        if design is None:
            raise InvalidValueError("chunks", [], "must hold at least one dataset")
        nominal = np.concatenate(nominal_parts, axis=1)  # [K, M]
        if ranking is None:  # chunks of municipalities: rank sample by sample afterwards
            ranking = _Ranking(
                folder,
                values.blocks,
                nominal,
                directions,
                _pair_indices(codes, pairs),
                design.evaluations,
            )
            open_files.callback(ranking.close)
            rows = max(1, min(chunk, RANK_ROWS_BUDGET // max(len(codes), 1)))
            for s0 in range(0, design.evaluations, rows):
                ranking.add(values.rows(s0, min(s0 + rows, design.evaluations)))
        return _statistics(profile, design, ids, tuple(codes), nominal, values, ranking, pairs)


def _run_dask(
    scheduler: Any,
    profile: Profile,
    ds: Dataset,
    ids: tuple[str, ...],
    design: Design,
    ranges: list[tuple[int, int]],
    cells: slice,
    store: Any,
) -> None:
    """Score the chunks on a Dask cluster; results are stored in sample order."""
    with _client(scheduler) as client:
        token = uuid.uuid4().hex
        [ds_future, profile_future, design_future] = client.scatter(
            [ds, profile, design], broadcast=True
        )
        window = 2 * max(1, len(client.scheduler_info().get("workers", {})) or 1)
        pending: list[Any] = []
        queue = list(ranges)
        while queue or pending:
            while queue and len(pending) < window:
                s0, s1 = queue.pop(0)
                pending.append(
                    client.submit(
                        _tile,
                        token,
                        profile_future,
                        ds_future,
                        ids,
                        design_future,
                        s0,
                        s1,
                        cells,
                        pure=False,
                    )
                )
            store(pending.pop(0).result())


def _statistics(
    profile: Profile,
    design: Design,
    ids: tuple[str, ...],
    codes: tuple[str, ...],
    nominal: FloatArray,
    values: _Store,
    ranking: _Ranking,
    pairs: Sequence[tuple[str, str]],
) -> UncertaintyResult:
    """Spreads, pair probabilities and Sobol' indices from the stored values and ranks."""
    evaluations = design.evaluations
    spreads: dict[str, list[Spread]] = {mid: [] for mid in ids}
    for block, (lo, hi) in enumerate(values.blocks):
        v = np.moveaxis(values.read(block), 0, -1)  # [K, mb, S]
        rk = np.moveaxis(ranking.store.read(block), 0, -1)
        defined, (low, high) = _quantiles(v, (LOW, HIGH))
        r_low, r_mid, r_high = _rank_quantiles(rk, (LOW, MEDIAN, HIGH))
        for k, mid in enumerate(ids):
            for j in range(hi - lo):
                i = lo + j
                spreads[mid].append(
                    Spread(
                        municipality=codes[i],
                        nominal=_number(nominal[k, i]),
                        low=_number(low[k, j]),
                        high=_number(high[k, j]),
                        defined=float(defined[k, j]) / evaluations,
                        nominal_rank=_rank(ranking.nominal[k, i]),
                        median_rank=_rank(r_mid[k, j]),
                        rank_low=_rank(r_low[k, j]),
                        rank_high=_rank(r_high[k, j]),
                    )
                )
    pair_results = tuple(
        PairProbability(
            metric=mid,
            first=pairs[n][0],
            second=pairs[n][1],
            probability=float(ranking.above[n, k]) / float(ranking.both[n, k])
            if ranking.both[n, k]
            else None,
            samples=int(ranking.both[n, k]),
        )
        for n in range(len(pairs))
        for k, mid in enumerate(ids)
    )
    return UncertaintyResult(
        profile=profile.name,
        profile_version=profile.version,
        fingerprint=profile.fingerprint,
        design=design.kind,
        seed=design.seed,
        evaluations=evaluations,
        groups=tuple(g.name for g in design.groups),
        metrics=ids,
        codes=codes,
        spreads={mid: tuple(s) for mid, s in spreads.items()},
        pairs=pair_results,
        sobol=_sobol(design, ids, ranking.shift),
    )


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
        shape = [g.options for g in design.groups for _ in range(g.width)]
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
