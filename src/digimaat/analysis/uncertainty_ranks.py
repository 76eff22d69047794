"""The samples' values and ranks, kept on disk, and the statistics taken from them.

Part of the uncertainty analysis of :mod:`digimaat.analysis.uncertainty`: each chunk's
values and ranks are appended to files, one per block of municipalities (UNC-7.2, UNC-7.3),
while the rank shifts (UNC-9) and the pair counts (UNC-8) are accumulated; the spreads and
indices are taken block by block at the end.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from digimaat._boundary import guard
from digimaat.analysis.uncertainty_design import (
    Design,
)
from digimaat.analysis.uncertainty_statistics import (
    HIGH,
    LOW,
    MEDIAN,
    PairProbability,
    RankWithin,
    Spread,
    UncertaintyResult,
    _number,
    _quantiles,
    _rank,
    _rank_quantiles,
    _sobol,
    ranks,
)
from digimaat.errors import InvalidValueError
from digimaat.measurement.profiles import Profile

__all__: list[str] = []

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


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
        within: Sequence[tuple[str, IntArray]] = (),
        block: int = 1 << 30,
    ) -> None:
        k_metrics = nominal.shape[0]
        self.directions = list(directions)
        self.signs = np.array([1.0 if d > 0 else -1.0 for d in directions])
        self.nominal = np.stack([ranks(nominal[k], directions[k]) for k in range(k_metrics)])
        self.store = _Store(folder, "ranks", np.int32, k_metrics)
        for lo, hi in blocks:
            self.store.add_block(lo, hi)
        self.pairs = list(pairs)
        self.shift = np.empty((evaluations, k_metrics))
        self.above = np.zeros((len(pairs), k_metrics), dtype=np.int64)
        self.both = np.zeros((len(pairs), k_metrics), dtype=np.int64)
        self.done = 0
        # Ranks within sets of municipalities (UNC-7.3), each set a store of its own.
        self.within: list[tuple[str, IntArray, _Store, NDArray[np.int32]]] = []
        for n, (name, members) in enumerate(within):
            store = _Store(folder, f"within-{n}", np.int32, k_metrics)
            for lo in range(0, len(members), block):
                store.add_block(lo, min(lo + block, len(members)))
            inside = np.stack(
                [ranks(nominal[k][members], directions[k]) for k in range(k_metrics)]
            ).reshape(k_metrics, len(members))
            self.within.append((name, members, store, inside))

    def close(self) -> None:
        """Close every store's files."""
        self.store.close()
        for _, _, store, _ in self.within:
            store.close()

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
        for _, members, store, _ in self.within:
            inside = ranks(values[:, :, members] * self.signs[None, :, None])
            for block, (lo, hi) in enumerate(store.blocks):
                store.append(block, inside[:, :, lo:hi])
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


def _within_indices(
    codes: Sequence[str], within: Mapping[str, Sequence[str]] | None
) -> list[tuple[str, IntArray]]:
    """The members of each set that are in the data, as indices (UNC-7.3); members that
    are not in the data are left out, as a comparison leaves out absent members (CMP-1)."""
    index: dict[str, int] = {}
    for i, code in enumerate(codes):
        index.setdefault(code, i)
    out = []
    for name, members in (within or {}).items():
        found = sorted({index[c] for c in members if c in index})
        out.append((str(name), np.array(found, dtype=np.intp)))
    return out


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
    within: list[RankWithin] = []
    for name, members, store, inside in ranking.within:
        by_metric: dict[str, list[RankWithin]] = {mid: [] for mid in ids}
        for block, (lo, hi) in enumerate(store.blocks):
            rk = np.moveaxis(store.read(block), 0, -1)  # [K, mb, S]
            r_low, r_mid, r_high = _rank_quantiles(rk, (LOW, MEDIAN, HIGH))
            for k, mid in enumerate(ids):
                for j in range(hi - lo):
                    by_metric[mid].append(
                        RankWithin(
                            group=name,
                            metric=mid,
                            municipality=codes[int(members[lo + j])],
                            members=len(members),
                            nominal_rank=_rank(inside[k, lo + j]),
                            median_rank=_rank(r_mid[k, j]),
                            rank_low=_rank(r_low[k, j]),
                            rank_high=_rank(r_high[k, j]),
                        )
                    )
        within.extend(r for mid in ids for r in by_metric[mid])
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
        within=tuple(within),
    )


guard(__name__)
