"""Trends over several reference years, and the explanation of a change (specification chapter CMP).

A :class:`Trend` holds, for several reference years, the score cards of every municipality
under one profile (CMP-9): built from a dataset per year (:func:`trend`), or from saved
score documents, the JSON output of ``digimaat score --format json``
(:func:`~digimaat.analysis.scores.read_scores`, :func:`trend_of_scores`). It refuses to
put scores with different profile fingerprints or incomparable specification versions in
one series unless asked (CMP-10), and says so whenever they differ.

:meth:`Trend.explain` explains the change of a municipality's value between two years as
the sum of per-product changes of the contributions of EXP-1, and says for each product
whether it moved up or down the ladder, changed its authentication, gained or lost volume,
or changed status (CMP-11).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Final

import attrs

from digimaat._boundary import guard
from digimaat._classes import shared_eq, shared_repr
from digimaat._version import SPEC_VERSION
from digimaat.analysis.scores import ScoreDocument
from digimaat.errors import InvalidValueError, MeasurementError
from digimaat.measurement.dataset import STATUS_NAMES, Dataset
from digimaat.measurement.profiles import Profile, ScoreBoard, ScoreCard
from digimaat.vocabulary.assurance import AssuranceLevel, AuthMeans
from digimaat.vocabulary.maturity import MaturityLevel
from digimaat.vocabulary.products import Catalogue

__all__ = [
    "MOVEMENTS",
    "Change",
    "DataSource",
    "Point",
    "ProductChange",
    "Trend",
    "YearData",
    "YearScores",
    "comparable_versions",
    "explain_change",
    "read_years",
    "trend",
    "trend_of_scores",
]

MOVEMENTS: Final = ("up", "down", "status", "authentication", "volume", "weight")
"""The movements of a product between two years, in the order they are listed (CMP-11)."""

_MEANS = tuple(AuthMeans)
_VERSION = re.compile(r"([0-9]+)\.([0-9]+)(-[0-9A-Za-z.]+)?")


# ---------------------------------------------------------------------- data of several years
@attrs.frozen
@shared_repr
@shared_eq
class DataSource:
    """One input file of a year, with its own account of where its data come from."""

    file: str
    source: str | None
    """The file's ``source`` text (XCH), if it has one."""


@attrs.frozen(eq=False)
@shared_repr
class YearData:
    """The data of one reference year: one dataset read from one or more files."""

    year: int
    dataset: Dataset
    sources: tuple[DataSource, ...] = ()


def read_years(
    paths: Sequence[str | os.PathLike[str]],
    catalogue: Catalogue | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> dict[int, YearData]:
    """Read exchange files and group them by their reference year: one dataset per year.

    Each file is read once; the files of one year make one dataset (a municipality in
    two files of the same year is a problem). Every problem of every file is reported
    together. This is the one place where the analysis layer reads exchange files.
    ``progress`` is told the steps of reading done (:data:`digimaat.exchange.Progress`).
    """
    from digimaat.exchange import load_years

    if not paths:
        raise InvalidValueError("paths", [], "must name at least one file")
    years = load_years(*paths, catalogue=catalogue, progress=progress)
    return {
        year: YearData(
            year,
            submission.dataset(),
            tuple(
                DataSource(file, source)
                for file, source in zip(submission.files, submission.sources, strict=True)
            ),
        )
        for year, submission in years.items()
    }


# ---------------------------------------------------------------------- trends
@attrs.frozen(eq=False)
@shared_repr
class YearScores:
    """The score cards of one reference year, with what they were computed under (PRF-6)."""

    year: int
    spec_version: str
    profile: str
    profile_version: str
    fingerprint: str
    headline: str
    metrics: tuple[str, ...]
    """The metric ids, in profile order."""
    cards: Mapping[str, ScoreCard]
    """The score cards by CBS code."""
    board: ScoreBoard | None = None
    """The score board, where the trend was computed from data (needed to explain a change)."""
    sources: tuple[DataSource, ...] = ()


@attrs.frozen
@shared_repr
@shared_eq
class Point:
    """A value of one metric of one municipality in one year (CMP-9)."""

    year: int
    value: float | None
    """The value, or ``None`` where it is undefined or the municipality is absent."""
    present: bool
    """Whether the municipality is in that year's data (absent is not undefined)."""


def comparable_versions(a: str, b: str) -> bool:
    """Whether scores of two specification versions may be compared (CMP-10, INT-2, INT-3).

    Equal versions may; otherwise both must be releases (no pre-release label) of the
    same MAJOR version.

    >>> from digimaat.analysis.trends import comparable_versions
    >>> comparable_versions("1.0", "1.2"), comparable_versions("1.0-draft", "1.0")
    (True, False)
    """
    if a == b:
        return True
    ma, mb = _VERSION.fullmatch(a), _VERSION.fullmatch(b)
    if ma is None or mb is None or ma.group(3) or mb.group(3):
        return False
    return ma.group(1) == mb.group(1)


@attrs.frozen(eq=False)
@shared_repr
class Trend:
    """Score cards of several reference years, compared by CBS code (CMP-9, CMP-10).

    Build it with :func:`trend` (from data) or :func:`trend_of_scores` (from saved score
    documents).
    """

    years: tuple[YearScores, ...]
    """One entry per reference year, oldest first."""
    mixed: bool = False
    """Whether scores of different fingerprints or incomparable versions were allowed."""

    def __attrs_post_init__(self) -> None:
        if not self.years:
            raise InvalidValueError("years", [], "a trend needs at least one year")
        years = [y.year for y in self.years]
        if years != sorted(set(years)):
            raise InvalidValueError("years", years, "must be distinct and in order")
        if self.mixed:
            return
        first = self.years[0]
        for other in self.years[1:]:
            if other.fingerprint != first.fingerprint:
                raise MeasurementError(
                    f"the scores of {first.year} and {other.year} were computed with different "
                    f"profiles (fingerprints {first.fingerprint[:19]}… and "
                    f"{other.fingerprint[:19]}…); a trend mixes them only when asked (CMP-10)"
                )
            if not comparable_versions(first.spec_version, other.spec_version):
                raise MeasurementError(
                    f"the scores of {first.year} and {other.year} follow specification versions "
                    f"{first.spec_version} and {other.spec_version}, which are not comparable; "
                    "a trend mixes them only when asked (CMP-10)"
                )

    @property
    def metrics(self) -> tuple[str, ...]:
        """Every metric id of any year: the latest year's, in its order, then the others."""
        out: list[str] = []
        for year in reversed(self.years):
            out += [m for m in year.metrics if m not in out]
        return tuple(out)

    @property
    def headline(self) -> str:
        """The headline metric of the latest year."""
        return self.years[-1].headline

    @property
    def codes(self) -> tuple[str, ...]:
        """Every CBS code of any year, sorted."""
        return tuple(sorted({code for year in self.years for code in year.cards}))

    def differences(self) -> tuple[str, ...]:
        """What differs between the years' profiles and specification versions (CMP-10)."""
        out = []
        fingerprints = {y.fingerprint for y in self.years}
        if len(fingerprints) > 1:
            out.append(
                "different profiles: "
                + "; ".join(
                    f"{y.year} {y.profile} {y.profile_version} ({y.fingerprint[:19]}…)"
                    for y in self.years
                )
            )
        versions = {y.spec_version for y in self.years}
        if len(versions) > 1:
            out.append(
                "different specification versions: "
                + "; ".join(f"{y.year} {y.spec_version}" for y in self.years)
            )
        return tuple(out)

    def series(self, code: str, metric: str | None = None) -> tuple[Point, ...]:
        """A municipality's value of ``metric`` (default: the headline) in every year."""
        metric_id = metric or self.headline
        out = []
        for year in self.years:
            card = year.cards.get(code)
            value = None if card is None else card.values.get(metric_id)
            out.append(Point(year.year, value, card is not None))
        return tuple(out)

    def year(self, year: int) -> YearScores:
        """The scores of one reference year."""
        for entry in self.years:
            if entry.year == year:
                return entry
        raise InvalidValueError("year", year, "is not a year of the trend")

    def explain(
        self,
        code: str,
        metric: str | None = None,
        *,
        start: int | None = None,
        end: int | None = None,
    ) -> Change:
        """Explain the change of a value between two years (default: the first and the last)."""
        before = self.year(self.years[0].year if start is None else start)
        after = self.year(self.years[-1].year if end is None else end)
        if before.board is None or after.board is None:
            raise MeasurementError(
                "explaining a change needs the data of both years; saved score documents "
                "hold only the values"
            )
        return explain_change(
            before.board, after.board, code, metric, years=(before.year, after.year)
        )


def trend(data: Mapping[int, Dataset | YearData], profile: Profile) -> Trend:
    """Score the data of every reference year with one profile (CMP-9).

    >>> from digimaat.analysis.trends import trend
    >>> from digimaat.measurement.dataset import Dataset
    >>> from digimaat.measurement.profiles import standard_profile
    >>> from digimaat.vocabulary.municipalities import Municipality
    >>> from digimaat.vocabulary.offerings import Offering
    >>> from digimaat.vocabulary.products import UPL_NAMESPACE
    >>> gm = [Municipality("GM0622", "Vlaardingen", 74124, 2021)]
    >>> permit = UPL_NAMESPACE + "parkeervergunning"
    >>> def year(capabilities):
    ...     return Dataset.from_offerings(
    ...         [Offering("GM0622", permit, capabilities=capabilities)], gm)
    >>> t = trend({2023: year(["information-online"]),
    ...            2024: year(["information-online", "downloadable-form"])}, standard_profile())
    >>> [(p.year, round(p.value, 4)) for p in t.series("GM0622")]
    [(2023, 0.1389), (2024, 0.2778)]
    """
    years = []
    for year in sorted(data):
        entry = data[year]
        year_data = entry if isinstance(entry, YearData) else YearData(year, entry)
        board = profile.score(year_data.dataset)
        cards = {card.municipality: card for card in board.cards()}
        years.append(
            YearScores(
                year,
                SPEC_VERSION,
                profile.name,
                profile.version,
                profile.fingerprint,
                profile.headline,
                tuple(board.results),
                cards,
                board,
                year_data.sources,
            )
        )
    return Trend(tuple(years))


def trend_of_scores(documents: Mapping[int, ScoreDocument], *, mixed: bool = False) -> Trend:
    """A trend from saved score documents, one per reference year (CMP-9, CMP-10).

    Documents computed with different profile fingerprints, or under specification
    versions that are not comparable, are refused unless ``mixed`` is true.
    """
    years = []
    for year in sorted(documents):
        doc = documents[year]
        if not doc.cards:
            raise InvalidValueError("cards", doc.source, "a score document without score cards")
        first = doc.cards[0]
        metrics = tuple(first.values)
        years.append(
            YearScores(
                year,
                doc.spec_version,
                doc.profile,
                doc.profile_version,
                doc.fingerprint,
                first.headline,
                metrics,
                {card.municipality: card for card in doc.cards},
                None,
                (DataSource(doc.source, None),),
            )
        )
    return Trend(tuple(years), mixed=mixed)


# ---------------------------------------------------------------------- explaining a change
@attrs.frozen
@shared_repr
@shared_eq
class ProductChange:
    """One product's part in the change of a value between two years (CMP-11)."""

    uri: str
    name: str
    before: float
    """Its contribution (EXP-1) in the first year; 0 where it had no share."""
    after: float
    """Its contribution in the second year."""
    share_before: float
    share_after: float
    status_before: str | None
    """Its status in the first year, ``None`` where the product is not in that year's data."""
    status_after: str | None
    level_before: MaturityLevel | None
    level_after: MaturityLevel | None
    authentication_before: tuple[AuthMeans, AssuranceLevel | None] | None
    authentication_after: tuple[AuthMeans, AssuranceLevel | None] | None
    volume_before: float | None
    """Requests per year over all channels, ``None`` without a volume record."""
    volume_after: float | None
    movements: tuple[str, ...]
    """What moved, in the order of :data:`MOVEMENTS`."""

    @property
    def change(self) -> float:
        """``after - before``: the product's part in the change."""
        return self.after - self.before


@attrs.frozen
@shared_repr
@shared_eq
class Change:
    """The change of a municipality's value between two years, product by product (CMP-11)."""

    municipality: str
    metric: str
    start: int
    end: int
    before: float | None
    after: float | None
    items: tuple[ProductChange, ...]
    """Every product that changed or moved: largest change (absolute) first, then by URI."""

    @property
    def change(self) -> float | None:
        """``after - before``; ``None`` where either value is undefined."""
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def total(self) -> float:
        """The sum of the per-product changes (equals :attr:`change` within AGG-8's tolerance)."""
        return math.fsum(item.change for item in self.items)


@attrs.frozen
@shared_repr
@shared_eq
class _Cell:
    status: str | None = None
    level: MaturityLevel | None = None
    authentication: tuple[AuthMeans, AssuranceLevel | None] | None = None
    volume: float | None = None
    share: float = 0.0
    contribution: float = 0.0
    name: str = ""


def _cells(board: ScoreBoard, i: int, metric: str) -> dict[str, _Cell]:
    ds = board.dataset
    result = board.results[metric]
    share, contribution = result.share[i], result.contribution[i]
    volume = ds.total_volume[i]
    out = {}
    for j, product in enumerate(ds.products):
        level = int(ds.level[i, j])
        means = int(ds.auth_means[i, j])
        asked = int(ds.auth_level[i, j])  # -1 with a means: its level is unknown (LOA-4.1)
        amount = float(volume[j])
        out[product.uri] = _Cell(
            status=STATUS_NAMES[int(ds.status[i, j])],
            level=None if level < 0 else MaturityLevel(level),
            authentication=None
            if means < 0
            else (_MEANS[means], None if asked < 0 else AssuranceLevel(asked)),
            volume=None if math.isnan(amount) else amount,
            share=float(share[j]),
            contribution=float(contribution[j]),
            name=product.name,
        )
    return out


def _movements(a: _Cell, b: _Cell) -> tuple[str, ...]:
    moved = []
    if a.level is not None and b.level is not None and a.level != b.level:
        moved.append("up" if b.level > a.level else "down")
    if a.status != b.status:
        moved.append("status")
    if a.authentication != b.authentication:
        moved.append("authentication")
    if a.volume != b.volume:
        moved.append("volume")
    if not moved and a.share != b.share:
        moved.append("weight")
    return tuple(moved)


def explain_change(
    before: ScoreBoard,
    after: ScoreBoard,
    code: str,
    metric: str | None = None,
    *,
    years: tuple[int, int] = (0, 1),
) -> Change:
    """Explain the change of a municipality's value between two score boards (CMP-11).

    Both boards must have been scored with profiles of the same fingerprint. The change of
    every product is its contribution (EXP-1) after minus its contribution before; the
    changes sum to the change of the value. ``years`` label the two boards.
    """
    if before.profile.fingerprint != after.profile.fingerprint:
        raise MeasurementError(
            "a change is explained only between scores of one profile (one fingerprint, CMP-10)"
        )
    metric_id = metric or after.profile.headline
    if metric_id not in before.results or metric_id not in after.results:
        raise InvalidValueError("metric", metric_id, "is not a metric of the profile")
    i, k = before.dataset.index_of(code), after.dataset.index_of(code)
    value_a = float(before.results[metric_id].value[i])
    value_b = float(after.results[metric_id].value[k])
    defined = not (math.isnan(value_a) or math.isnan(value_b))
    items: list[ProductChange] = []
    if defined:
        cells_a, cells_b = _cells(before, i, metric_id), _cells(after, k, metric_id)
        for uri in sorted(set(cells_a) | set(cells_b)):
            a, b = cells_a.get(uri, _Cell()), cells_b.get(uri, _Cell())
            moved = _movements(a, b)
            if not moved and a.contribution == b.contribution:
                continue
            items.append(
                ProductChange(
                    uri,
                    b.name or a.name,
                    a.contribution,
                    b.contribution,
                    a.share,
                    b.share,
                    a.status,
                    b.status,
                    a.level,
                    b.level,
                    a.authentication,
                    b.authentication,
                    a.volume,
                    b.volume,
                    moved,
                )
            )
        items.sort(key=lambda item: (-abs(item.change), item.uri))
    return Change(
        code,
        metric_id,
        years[0],
        years[1],
        None if math.isnan(value_a) else value_a,
        None if math.isnan(value_b) else value_b,
        tuple(items),
    )


guard(__name__)
