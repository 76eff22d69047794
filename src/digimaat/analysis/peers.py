"""Peer groups and national position (specification chapter CMP).

A municipality is compared with its *peers*: the municipalities of the data in the same
CBS size class (:func:`size_class_groups`, CMP-2), or groups a user defines in a file
(:func:`read_peer_groups`, CMP-3), and with every municipality of the data (CMP-4). For
every metric of a profile, :func:`compare` gives each group's mean and median and each
member's rank and percentile (CMP-5 to CMP-8).

>>> from digimaat.analysis.peers import group_statistics
>>> result = group_statistics({"GM0001": 0.5, "GM0002": 0.25, "GM0003": None, "GM0004": 0.75})
>>> result.count, result.undefined, result.mean, result.median
(3, 1, 0.5, 0.5)
>>> [(code, p.rank, p.percentile) for code, p in sorted(result.positions.items())]
[('GM0001', 2, 50.0), ('GM0002', 3, 0.0), ('GM0003', None, None), ('GM0004', 1, 100.0)]
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final

import attrs
import numpy as np
from numpy.typing import NDArray

from digimaat._boundary import guard
from digimaat._classes import shared_eq, shared_repr
from digimaat.analysis.peer_groups import (
    ALL,
    MAX_PEER_FILE_BYTES,
    PEER_GROUPS_FORMAT,
    PeerGroup,
    PeerGroups,
    parse_peer_groups,
    peer_groups_from_mapping,
    read_peer_groups,
    size_class_groups,
)
from digimaat.errors import InvalidValueError
from digimaat.measurement.aggregation import AGREEMENT_TOLERANCE
from digimaat.measurement.profiles import ScoreBoard
from digimaat.vocabulary.municipalities import cbs_register

__all__ = [
    "ALL",
    "MAX_PEER_FILE_BYTES",
    "PEER_GROUPS_FORMAT",
    "TIE_TOLERANCE",
    "Comparison",
    "GroupStatistics",
    "PeerGroup",
    "PeerGroups",
    "Place",
    "Position",
    "compare",
    "group_statistics",
    "parse_peer_groups",
    "peer_groups_from_mapping",
    "read_peer_groups",
    "size_class_groups",
]

TIE_TOLERANCE: Final = AGREEMENT_TOLERANCE
"""Two values closer than this (1e-9, AGG-8) are tied for rank and percentile (CMP-6)."""


# ---------------------------------------------------------------------- statistics
@attrs.frozen
@shared_repr
@shared_eq
class Position:
    """A member's place within a group for one metric (CMP-7, CMP-8)."""

    rank: int | None
    """1 + the number of members that do better (CMP-7); ``None`` for an undefined value."""
    percentile: float | None
    """100 × (members it beats + half the members it ties with) / (n − 1) (CMP-8)."""
    count: int
    """n: the members with a defined value (the rank is "rank of n")."""


@attrs.frozen
@shared_repr
@shared_eq
class GroupStatistics:
    """The statistics of one metric within one group (CMP-5 to CMP-8)."""

    count: int
    """Members in the data with a defined value."""
    undefined: int
    """Members in the data whose value is undefined (left out of every statistic)."""
    absent: int
    """Members of the group that are not in the data."""
    mean: float | None
    median: float | None
    positions: Mapping[str, Position]
    """The position of every member in the data, by CBS code."""


FloatArray = NDArray[np.float64]
IntpArray = NDArray[np.intp]


def _first_true(sorted_x: FloatArray, x: FloatArray, predicate: Any) -> IntpArray:
    """For each ``x``: the first index ``k`` of ``sorted_x`` where ``predicate(sorted_x[k], x)``.

    The predicate is monotone along ``sorted_x`` (false, then true), so a binary search per
    value, run for all values at once, finds it exactly in log2(n) vectorised steps.
    """
    n = sorted_x.size
    lo = np.zeros(x.size, dtype=np.intp)
    hi = np.full(x.size, n, dtype=np.intp)
    while True:
        active = lo < hi
        if not active.any():
            return lo
        mid = (lo + hi) // 2
        hit = predicate(sorted_x[np.minimum(mid, n - 1)], x)
        hi = np.where(active & hit, mid, hi)
        lo = np.where(active & ~hit, mid + 1, lo)


def _positions(values: FloatArray, direction: int) -> tuple[IntpArray, FloatArray]:
    """Ranks and percentiles of defined values (CMP-6 to CMP-8), for all at once.

    ``x`` is the value in the direction "higher is better"; ``u`` is better than ``v`` when
    ``x(u) - x(v) > TIE_TOLERANCE``. Floating-point subtraction is monotone, so the count of
    members better (or worse) than each is found by binary search in the sorted values.
    """
    x = values if direction > 0 else -values
    n = x.size
    s = np.sort(x)
    better = n - _first_true(s, x, lambda u, v: (u - v) > TIE_TOLERANCE)
    worse = _first_true(s, x, lambda u, v: ~((v - u) > TIE_TOLERANCE))
    ties = n - 1 - better - worse
    ranks = 1 + better
    if n < 2:
        return ranks, np.full(n, np.nan)
    percentiles = 100.0 * (worse + ties / 2) / (n - 1)
    return ranks, percentiles


def group_statistics(
    values: Mapping[str, float | None], *, direction: int = 1, absent: int = 0
) -> GroupStatistics:
    """Mean, median, ranks and percentiles of one metric's values in a group (CMP-5 to CMP-8).

    ``values`` maps each member in the data to its value (``None`` or NaN: undefined);
    ``direction`` is the metric's (+1: higher is better, −1: lower is better); ``absent``
    counts the members that are not in the data. The result does not depend on the order
    of ``values``.
    """
    if direction not in (1, -1):
        raise InvalidValueError("direction", direction, "must be +1 or -1")
    codes = sorted(values)
    raw = np.array([_number(values[c]) for c in codes], dtype=np.float64)
    defined = ~np.isnan(raw)
    known = raw[defined]
    n = int(known.size)
    mean = math.fsum(known.tolist()) / n if n else None
    median: float | None = None
    if n:
        ordered = np.sort(known)
        half = n // 2
        if n % 2:
            median = float(ordered[half])
        else:
            median = (float(ordered[half - 1]) + float(ordered[half])) / 2
    ranks, percentiles = _positions(known, direction)
    positions: dict[str, Position] = {}
    k = 0
    for code, is_defined in zip(codes, defined.tolist(), strict=True):
        if is_defined:
            p = float(percentiles[k])
            positions[code] = Position(int(ranks[k]), None if math.isnan(p) else p, n)
            k += 1
        else:
            positions[code] = Position(None, None, n)
    return GroupStatistics(n, len(codes) - n, absent, mean, median, positions)


def _number(value: float | None) -> float:
    return math.nan if value is None else float(value)


# ---------------------------------------------------------------------- comparison
@attrs.frozen
@shared_repr
@shared_eq
class Place:
    """One municipality's place in one group for one metric: its value and the group's figures."""

    group: PeerGroup
    metric: str
    value: float | None
    statistics: GroupStatistics
    position: Position


@attrs.frozen(eq=False)
@shared_repr
class Comparison:
    """Every metric of a score board compared within peer groups and among all (CMP-4 to CMP-8).

    Build it with :func:`compare`.
    """

    board: ScoreBoard
    groups: PeerGroups
    everyone: PeerGroup
    """The group of every municipality of the data (CMP-4)."""
    _statistics: Mapping[tuple[str, str], GroupStatistics] = attrs.field(repr=False)
    year: int | None = None
    """The reference year of the data, where known (to tell whether it is national, CMP-4)."""

    @property
    def metrics(self) -> tuple[str, ...]:
        """The metric ids of the profile, in profile order."""
        return tuple(self.board.results)

    def groups_of(self, code: str) -> tuple[PeerGroup, ...]:
        """The municipality's peer groups, then the group of every municipality."""
        self.board.dataset.index_of(code)  # an unknown code is an error, not an empty list
        return (*self.groups.of(code), self.everyone)

    def statistics(self, group: str, metric: str) -> GroupStatistics:
        """The statistics of ``metric`` within the group named ``group``."""
        try:
            return self._statistics[(group, metric)]
        except KeyError:
            raise InvalidValueError(
                "group", [group, metric], "is not a group and metric of this comparison"
            ) from None

    def place(self, code: str, metric: str | None = None) -> tuple[Place, ...]:
        """The municipality's place in each of its groups, for one metric or every metric."""
        metrics = self.metrics if metric is None else (metric,)
        i = self.board.dataset.index_of(code)
        out = []
        for group in self.groups_of(code):
            for m in metrics:
                stats = self.statistics(group.name, m)
                value = float(self.board.results[m].value[i])
                out.append(
                    Place(
                        group,
                        m,
                        None if math.isnan(value) else value,
                        stats,
                        stats.positions[code],
                    )
                )
        return tuple(out)

    @property
    def national(self) -> bool:
        """Whether the data holds exactly the municipalities of the CBS register of its year.

        Only then may the group of every municipality be called national (CMP-4); without a
        known year, or for a year without a shipped register, it is not.
        """
        if self.year is None:
            return False
        try:
            register = cbs_register(self.year)
        except InvalidValueError:
            return False
        return set(self.everyone.members) == {m.cbs_code for m in register}


def compare(
    board: ScoreBoard, groups: PeerGroups | None = None, *, year: int | None = None
) -> Comparison:
    """Compare every metric of a score board within peer groups and among all (CMP-4 to CMP-8).

    ``groups`` default to the CBS size classes by the population in the data (CMP-2);
    ``year`` is the reference year of the data, where known.

    >>> from digimaat.analysis.peers import compare
    >>> from digimaat.measurement.profiles import standard_profile
    >>> from digimaat.exchange import load_dataset
    >>> from importlib import resources
    >>> example = resources.files("digimaat.data").joinpath("example.json")
    >>> comparison = compare(standard_profile().score(load_dataset(str(example))))
    >>> for place in comparison.place("GM0622", "digimaat-score"):
    ...     print(place.group.name, place.position.rank, place.statistics.count,
    ...           place.position.percentile)
    size class 5 2 2 0.0
    all 2 3 50.0
    """
    groups = size_class_groups(board) if groups is None else groups
    ds = board.dataset
    present = set(ds.codes)
    everyone = PeerGroup(ALL, ds.codes, "all")
    stats: dict[tuple[str, str], GroupStatistics] = {}
    for group in (*groups, everyone):
        members = [c for c in group.members if c in present]
        rows = np.array([ds.index_of(c) for c in members], dtype=np.intp)
        absent = len(group.members) - len(members)
        for metric_id, result in board.results.items():
            values = result.value[rows] if rows.size else np.empty(0)
            stats[(group.name, metric_id)] = group_statistics(
                dict(zip(members, values.tolist(), strict=True)),
                direction=result.metric.direction,
                absent=absent,
            )
    return Comparison(board, groups, everyone, stats, year)


guard(__name__)
