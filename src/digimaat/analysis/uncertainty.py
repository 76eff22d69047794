"""Uncertainty and sensitivity analysis of scores and ranks (specification chapter UNC).

"Would our rank survive another reasonable method?" A profile's uncertainty section
(:class:`~digimaat.measurement.uncertainty_section.UncertaintySection`) lists the other
reasonable choices and how uncertain the data is. :func:`analyse` draws samples of them
by a fixed design (UNC-6), scores every sample with
:class:`~digimaat.measurement.uncertainty_batch.BatchScorer`, and reports for every metric and
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
import os
import tempfile
import uuid
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from digimaat._boundary import guard
from digimaat.analysis.uncertainty_design import (
    EXHAUSTIVE_LIMIT,
    MAX_SAMPLES,
    Design,
    Group,
    _whole,
)
from digimaat.analysis.uncertainty_ranks import (
    _pair_indices,
    _Ranking,
    _statistics,
    _Store,
    _within_indices,
)
from digimaat.analysis.uncertainty_statistics import (
    PairProbability,
    RankWithin,
    SobolIndex,
    Spread,
    UncertaintyResult,
    rank_intervals,
    ranks,
)
from digimaat.errors import InvalidValueError, MeasurementError
from digimaat.measurement.dataset import Dataset
from digimaat.measurement.profiles import Profile
from digimaat.measurement.uncertainty import BatchScorer, UncertaintySection

__all__ = [
    "EXHAUSTIVE_LIMIT",
    "MAX_SAMPLES",
    "Design",
    "Group",
    "PairProbability",
    "RankWithin",
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

RANK_ROWS_BUDGET = 1 << 20
"""The rank pass reads at most about this many values per metric at a time."""


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
    cells: tuple[slice, slice],
) -> FloatArray:
    """Score evaluations ``start`` to ``stop`` of the design on one dataset (a task);
    ``cells`` are the dataset's uncertain authentications and levels in the design.

    The scorer, with its per-cell matrices, is kept for the next task of the same run.
    """
    scorer = _SCORERS.get(token)
    if scorer is None:
        _SCORERS.clear()
        scorer = _SCORERS[token] = BatchScorer(profile, ds, metrics)
    authentication, levels = cells
    samples = design.samples(
        start, stop, authentication, scorer.parts, len(ds.uris), levels, scorer.level_counts
    )
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
    within: Mapping[str, Sequence[str]] | None = None,
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
    or a ``distributed.Client``. The results are the same whichever way. ``within`` names
    sets of CBS codes (peer groups, CMP) to rank within as well (UNC-7.3).
    """
    if profile.uncertainty is None:
        raise MeasurementError(
            f"profile {profile.name!r} declares no uncertainty section (UNC-1); give a "
            "profile that declares one"
        )
    return _analyse(
        [dataset],
        profile,
        samples,
        seed,
        metrics,
        pairs,
        chunk,
        scheduler,
        threads=threads,
        within=within,
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
    within: Mapping[str, Sequence[str]] | None = None,
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
        within=within,
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
    within: Mapping[str, Sequence[str]] | None = None,
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
        chunks,
        profile,
        samples,
        seed,
        metrics,
        pairs,
        chunk,
        None,
        threads,
        chunked=True,
        within=within,
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
    within: Mapping[str, Sequence[str]] | None = None,
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
    cell_offset = level_offset = 0
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
                    scorer.level_counts.tolist(),
                )
                products = ds.uris
                if chunked and design.exhaustive and (section.authentication or section.levels):
                    raise MeasurementError(
                        "an exhaustive design with uncertain cells needs one dataset"
                    )
            elif ds.uris != products:
                raise InvalidValueError(
                    "chunks", ds.uris[:3], "every chunk needs the same products"
                )
            levels = len(scorer.level_cells)
            cells_here = (
                slice(cell_offset, cell_offset + len(scorer.cells)),
                slice(level_offset, level_offset + levels),
            )
            if design.exhaustive:
                cells_here = (slice(0, len(scorer.cells)), slice(0, levels))
            cell_offset += len(scorer.cells)
            level_offset += levels
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
                    _within_indices(codes, within),
                    size,
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
                _within_indices(codes, within),
                max(1, (chunk * len(codes)) // max(design.evaluations, 1)),
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
    cells: tuple[slice, slice],
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


guard(__name__)
