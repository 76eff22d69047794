"""The commands that compare municipalities: ``compare`` and ``report`` (chapter CMP).

Each reads its inputs, asks :mod:`digimaat.analysis` for the comparison, and returns a
report for the renderers; only ``report`` writes a file, the HTML page. ``trend`` is in
:mod:`digimaat.cli.trends`.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digimaat._boundary import guard
from digimaat._version import SPEC_VERSION
from digimaat.analysis.tables import Column, Report, Table
from digimaat.cli.commands import (
    card_record,
    fingerprint_line,
    profile_of,
    reading,
    scored_of,
    shorten,
)
from digimaat.cli.i18n import _, ngettext
from digimaat.errors import N_, UsageError

if TYPE_CHECKING:  # pragma: no cover
    from digimaat.analysis.peers import Comparison, PeerGroup, PeerGroups
    from digimaat.analysis.uncertainty import UncertaintyResult
    from digimaat.measurement.dataset import Dataset
    from digimaat.measurement.profiles import Profile, ScoreBoard

__all__ = ["compare", "report"]


def _peer_groups(board: ScoreBoard, args: argparse.Namespace) -> PeerGroups:
    """Size classes (by the data's population or a register year), then any file's groups."""
    from digimaat.analysis.peers import read_peer_groups, size_class_groups

    groups = size_class_groups(board, register_year=args.population_year)
    if args.peers:
        groups = groups.combine(read_peer_groups(args.peers))
    return groups


def _codes(args: argparse.Namespace, ds: Dataset) -> list[str]:
    """The municipalities asked for with ``--municipality`` (all by default), each checked."""
    if not args.municipality:
        return list(ds.codes)
    codes = [code.strip().upper() for code in args.municipality]
    for code in codes:
        ds.index_of(code)
    return codes


def _group_name(group: PeerGroup) -> str:
    if group.kind == "all":
        return _("all {count} municipalities in the data").format(count=len(group.members))
    return group.name


# -- compare --------------------------------------------------------------------------------

OVERVIEW_ROWS = 20
"""The municipalities the overview table shows without ``--top``: a screen."""


def _metrics(board: ScoreBoard, asked: Sequence[str] | None) -> list[str]:
    """The metrics to show: those asked, each checked, or the headline and up to four of its
    parts (of a composite) or of the profile's other metrics."""
    if asked:
        for metric in asked:
            if metric not in board.results:
                known = ", ".join(board.results)
                raise UsageError(
                    _("{metric} is not a metric of the profile; its metrics are: {known}").format(
                        metric=metric, known=known
                    )
                )
        return list(dict.fromkeys(asked))
    headline = board.profile.headline
    parts = [m.id for m, _w in getattr(board.results[headline].metric, "parts", ())]
    others = parts or [m for m in board.results if m != headline]
    return [headline, *others[:4]]


def _order(board: ScoreBoard, metric: str, codes: Sequence[str]) -> list[str]:
    """The municipalities by ``metric``, best first in its direction; undefined last; ties
    by CBS code (AGG-10)."""
    from digimaat.measurement.aggregation import ranked

    result = board.results[metric]
    direction = result.metric.direction
    index = board.dataset.index_of
    defined = [c for c in codes if not math.isnan(float(result.value[index(c)]))]
    rest = [c for c in codes if c not in set(defined)]
    best = ranked(defined, lambda c: direction * float(result.value[index(c)]), lambda c: c)
    return [*best, *sorted(rest)]


def compare(args: argparse.Namespace) -> Report:
    """Municipalities among their peers (CMP): with ``--municipality``, each one's place in
    each of its groups; otherwise one row per municipality, ordered by the first metric of
    ``--metric`` (the headline by default), ``--top`` of them."""
    from digimaat.cli.uncertainty import interval_request, pairs_table

    profile = profile_of(args.profile)
    asked = interval_request(args, profile)  # before the work, not after
    profile, board, meta = scored_of(args)
    comparison = _comparison(board, args)
    metrics = _metrics(board, args.metric)
    chosen = bool(args.municipality)
    if (chosen or args.format != "table") and not args.metric:
        metrics = list(board.results)  # a municipality in full, or the full data
    codes = _codes(args, board.dataset)
    intervals = None if asked is None else _intervals(board, comparison, metrics, *asked)
    if not chosen:
        codes = _order(board, metrics[0], codes)
        top = args.top or (OVERVIEW_ROWS if args.format == "table" else None)
        shown = codes[:top] if top else codes
    else:
        shown = codes
    data: dict[str, Any] = {
        "peer_groups": comparison.groups.basis,
        "metrics": metrics,
        "municipalities": [
            {
                **card_record(board.card(code)),
                "groups": _places_json(comparison, code, metrics, intervals),
                **({} if intervals is None else {"intervals": _spreads_json(intervals, code)}),
            }
            for code in shown
        ],
    }
    extra_tables: tuple[Table, ...] = ()
    if intervals is not None:
        data["uncertainty"] = _uncertainty_json(intervals)
        if intervals.pairs:
            extra_tables = (pairs_table(intervals, metrics),)
    text: tuple[str, ...] = (
        _("Profile {name} {version}, specification {spec}, fingerprint\n  {fingerprint}").format(
            name=profile.name,
            version=profile.version,
            spec=SPEC_VERSION,
            fingerprint=profile.fingerprint,
        ),
        _(
            "Peer groups: {basis}. Mean and median of each group, the municipality's rank "
            "(1 = best) and percentile (share of the others it beats, ties counting half)."
        ).format(basis=comparison.groups.basis),
    )
    if intervals is not None:
        text += (_intervals_line(intervals),)
    if args.format != "table":
        long: tuple[tuple[Any, ...], ...] = tuple(
            (
                code,
                p.group.name,
                p.metric,
                p.value,
                p.statistics.count,
                p.statistics.mean,
                p.statistics.median,
                p.position.rank,
                p.position.percentile,
                *(
                    ()
                    if intervals is None
                    else (
                        *_ranks(intervals, p.group, p.metric, code),
                        intervals.spread(p.metric, code).low,
                        intervals.spread(p.metric, code).high,
                    )
                ),
            )
            for code in shown
            for metric in metrics
            for p in comparison.place(code, metric)
        )
        long_columns: tuple[Column, ...] = (
            Column("municipality", "municipality", "code"),
            Column("group", "group", "text"),
            Column("metric", "metric", "code"),
            Column("value", "value", "share"),
            Column("count", "count", "integer"),
            Column("mean", "mean", "share"),
            Column("median", "median", "share"),
            Column("rank", "rank", "integer"),
            Column("percentile", "percentile", "number"),
        )
        if intervals is not None:
            long_columns += (
                Column("median_rank", "median rank", "integer"),
                Column("rank_low", "rank 5%", "integer"),
                Column("rank_high", "rank 95%", "integer"),
                Column("low", "value 5%", "share"),
                Column("high", "value 95%", "share"),
            )
        table = Table("places", long_columns, long)
        return Report("comparison", meta=meta, text=text, tables=(table, *extra_tables), data=data)
    if not chosen:
        return _overview(
            profile, board, comparison, metrics, codes, shown, data, meta, intervals, extra_tables
        )
    tables = []
    for code in shown:
        card = board.card(code)
        for group in comparison.groups_of(code):
            places = [p for m in metrics for p in comparison.place(code, m) if p.group == group]
            stats = places[0].statistics
            absent = _(", {absent} not").format(absent=stats.absent) if stats.absent else ""
            title = _("{name} ({code}) in {group}: {count} in the data{absent}").format(
                name=shorten(card.name, 30),
                code=code,
                group=shorten(_group_name(group), 40),
                count=stats.count + stats.undefined,
                absent=absent,
            )
            rows = tuple(
                (
                    p.metric,
                    p.value,
                    p.statistics.mean,
                    p.statistics.median,
                    None if p.position.rank is None else f"{p.position.rank}/{p.position.count}",
                    *(
                        ()
                        if intervals is None
                        else (_span(*_ranks(intervals, group, p.metric, code)[1:]),)
                    ),
                    None if p.position.percentile is None else p.position.percentile / 100,
                )
                for p in places
            )
            columns = (
                Column("metric", _("metric"), "code", width=24),
                Column("value", _("value"), "share"),
                Column("mean", _("mean"), "share"),
                Column("median", _("median"), "share"),
                Column("rank", _("rank"), "code"),
                *(() if intervals is None else (Column("ranks", _("5-95%"), "code"),)),
                Column("percentile", _("pct"), "share"),
            )
            tables.append(Table(f"{code}-{group.name}", columns, rows, title=title))
    after = _("Percentages; pct: percentile; n/a: not defined.")
    if intervals is not None:
        after += " " + _(
            "5-95%: the rank interval over the samples, from the 5 % to the 95 % quantile of "
            "the rank in the group (UNC-7)."
        )
    return Report(
        "comparison",
        meta=meta,
        text=text,
        tables=(*tables, *extra_tables),
        data=data,
        after=(after,),
    )


_HEADS = {
    "online-submission": N_("subm"),
    "downloadable-form": N_("form"),
    "local-attainment": N_("local"),
    "authentication-shortfall": N_("short"),
    "success-ratio": N_("succ"),
}
"""Short headings of the metrics the score table does not show (:data:`SHOWN` has the
others)."""


def _overview(
    profile: Profile,
    board: ScoreBoard,
    comparison: Comparison,
    metrics: list[str],
    ordered: list[str],
    shown: list[str],
    data: dict[str, Any],
    meta: dict[str, Any],
    intervals: UncertaintyResult | None = None,
    extra_tables: tuple[Table, ...] = (),
) -> Report:
    """One row per municipality: its rank among all by the first metric, its size class and
    its rank there, and the metrics' values; a screen of them, best first."""
    from digimaat.cli.commands import SHOWN

    heads = {**dict(SHOWN), **_HEADS}
    first = metrics[0]
    headline = profile.headline
    rows = []
    for code in shown:
        card = board.card(code)
        everyone = comparison.place(code, first)[-1].position
        classes = [
            p.position for p in comparison.place(code, first) if p.group.kind == "size-class"
        ]
        in_class = classes[0] if classes else None
        spans: tuple[str, ...] = ()
        if intervals is not None:
            all_group = comparison.place(code, first)[-1].group
            class_groups = [
                p.group for p in comparison.place(code, first) if p.group.kind == "size-class"
            ]
            spans = (
                _span(*_ranks(intervals, all_group, first, code)[1:]),
                _span(*_ranks(intervals, class_groups[0], first, code)[1:])
                if class_groups
                else "n/a",
            )
        rows.append(
            (
                everyone.rank,
                *spans[:1],
                code,
                card.name,
                card.size_class,
                None
                if in_class is None or in_class.rank is None
                else f"{in_class.rank}/{in_class.count}",
                *spans[1:],
                *[card.values[m] for m in metrics],
            )
        )
    columns = (
        Column("rank", "#", "integer"),
        *(() if intervals is None else (Column("ranks", _("5-95%"), "code"),)),
        Column("municipality", _("code"), "code"),
        Column("name", _("municipality"), "text", width=16),
        Column("size_class", _("cl"), "integer"),
        Column("class_rank", _("in cl"), "code"),
        *(() if intervals is None else (Column("class_ranks", _("5-95%"), "code"),)),
        *[
            Column(m, _("score") if m == headline else _(heads[m]) if m in heads else m, "share")
            for m in metrics
        ],
    )
    count = len(ordered)
    if len(shown) < count:
        more = _(
            "The first {shown} of {count} municipalities by {metric}; --top N shows more, "
            "--format csv or json every place in every group."
        ).format(shown=len(shown), count=count, metric=first)
    else:
        more = _("All {count} municipalities by {metric}.").format(count=count, metric=first)
    legend = _(
        "#: rank among all in the data by {metric} (1 = best); cl: CBS size class; in cl: rank "
        "within it; then percentages."
    ).format(metric=first)
    labels = [_("score: the profile's headline")] if headline in metrics else []
    labels += [f"{_(heads[m])}: {m}" for m in metrics if m in heads and m != headline]
    if labels:
        legend += " " + "; ".join(labels) + "."
    text: tuple[str, ...] = (fingerprint_line(profile),)
    if intervals is not None:
        legend += " " + _(
            "5-95%: the rank interval over the samples, among all and within the class (UNC-7)."
        )
        text += (_intervals_line(intervals),)
    return Report(
        "comparison",
        title=_("Profile {name} {version}: {count} municipalities compared").format(
            name=profile.name, version=profile.version, count=count
        ),
        meta=meta,
        text=text,
        tables=(Table("overview", columns, tuple(rows), note=legend), *extra_tables),
        data=data,
        after=(more,),
    )


def _comparison(board: ScoreBoard, args: argparse.Namespace) -> Comparison:
    from digimaat.analysis.peers import compare as compare_groups

    return compare_groups(board, _peer_groups(board, args))


def _intervals(
    board: ScoreBoard,
    comparison: Comparison,
    metrics: Sequence[str],
    samples: int,
    seed: int,
    pairs: Sequence[tuple[str, str]],
) -> UncertaintyResult:
    """The uncertainty analysis behind the rank intervals of a comparison (UNC-7, UNC-7.3):
    every metric shown, ranked among all and within each peer group."""
    from digimaat.analysis.uncertainty import analyse

    within = {g.name: g.members for g in comparison.groups.groups if g.kind != "all"}
    return analyse(
        board.dataset,
        board.profile,
        samples=samples,
        seed=seed,
        metrics=list(metrics),
        pairs=pairs,
        within=within,
    )


def _ranks(
    result: UncertaintyResult, group: PeerGroup, metric: str, code: str
) -> tuple[int | None, int | None, int | None]:
    """``(median, low, high)``: a municipality's rank over the samples within a group
    (UNC-7; UNC-7.3 for a peer group)."""
    if group.kind == "all":
        s = result.spread(metric, code)
        return s.median_rank, s.rank_low, s.rank_high
    r = result.rank_within(group.name, metric, code)
    return (None, None, None) if r is None else (r.median_rank, r.rank_low, r.rank_high)


def _span(low: int | None, high: int | None) -> str:
    """A rank interval as text: ``"2-5"``, ``"3"`` when it is one rank."""
    if low is None or high is None:
        return "n/a"
    return str(low) if low == high else f"{low}-{high}"


def _intervals_line(result: UncertaintyResult) -> str:
    return _(
        "Rank intervals: {design} design of {count:,} samples, seed {seed}; varied: {groups}."
    ).format(
        design=result.design,
        count=result.evaluations,
        seed=result.seed,
        groups=", ".join(result.groups) or "-",
    )


def _uncertainty_json(result: UncertaintyResult) -> dict[str, Any]:
    """What a comparison reports of its uncertainty analysis (UNC-10)."""
    data = result.to_dict()
    return {key: data[key] for key in ("design", "seed", "evaluations", "groups", "pairs")}


def _spreads_json(result: UncertaintyResult, code: str) -> dict[str, Any]:
    out = {}
    for metric in result.metrics:
        s = result.spread(metric, code)
        out[metric] = {
            "nominal": s.nominal,
            "low": s.low,
            "high": s.high,
            "defined": s.defined,
            "nominal_rank": s.nominal_rank,
            "median_rank": s.median_rank,
            "rank_low": s.rank_low,
            "rank_high": s.rank_high,
        }
    return out


def _places_json(
    comparison: Comparison,
    code: str,
    metrics: Sequence[str],
    intervals: UncertaintyResult | None = None,
) -> list[dict[str, Any]]:
    out = []
    for group in comparison.groups_of(code):
        places = [p for m in metrics for p in comparison.place(code, m) if p.group == group]
        stats = places[0].statistics
        out.append(
            {
                "name": group.name,
                "kind": group.kind,
                "size_class": group.size_class,
                "members": len(group.members),
                "absent": stats.absent,
                "metrics": {
                    p.metric: {
                        "count": p.statistics.count,
                        "undefined": p.statistics.undefined,
                        "mean": p.statistics.mean,
                        "median": p.statistics.median,
                        "rank": p.position.rank,
                        "percentile": p.position.percentile,
                        **(
                            {}
                            if intervals is None
                            else dict(
                                zip(
                                    ("median_rank", "rank_low", "rank_high"),
                                    _ranks(intervals, group, p.metric, code),
                                    strict=True,
                                )
                            )
                        ),
                    }
                    for p in places
                },
            }
        )
    return out


# -- report ---------------------------------------------------------------------------------


def report(args: argparse.Namespace) -> Report:
    """Write the HTML report (score cards, charts, peers and trends) to ``--output``."""
    from digimaat.analysis.peers import read_peer_groups
    from digimaat.analysis.report import render_report
    from digimaat.analysis.trends import read_years

    try:
        import digimaat.plot  # noqa: F401  (the charts need the optional extra "report")
    except ImportError as exc:
        raise UsageError(str(exc)) from None
    from digimaat.cli.uncertainty import interval_request
    from digimaat.progress import Progress

    profile = profile_of(args.profile)
    asked = interval_request(args, profile)  # before the work, not after
    with reading(args.files, args) as progress:
        years = read_years(args.files, progress=progress)
    latest = years[max(years)].dataset
    codes = _codes(args, latest)
    peers = read_peer_groups(args.peers) if args.peers else None
    from digimaat.analysis.report import LANGUAGES

    if args.lang not in LANGUAGES:
        raise UsageError(
            _("the HTML report is written in {languages} (got --lang {lang})").format(
                languages=" or ".join(LANGUAGES), lang=args.lang
            )
        )
    many = "municipality" if len(codes) == 1 else "municipalities"
    with Progress(0, f"digimaat report: {len(codes)} {many}") as bar:
        page = render_report(
            years,
            profile,
            municipalities=codes,
            peers=peers,
            register_year=args.population_year,
            lang=args.lang,
            progress=bar,
            samples=None if asked is None else asked[0],
            seed=None if asked is None else asked[1],
            pairs=() if asked is None else asked[2],
        )
    path = Path(args.output)
    path.write_text(page, encoding="utf-8")
    line = ngettext(
        "{path}: report of {count} municipality, {years}, {size:,} bytes",
        "{path}: report of {count} municipalities, {years}, {size:,} bytes",
        len(codes),
    ).format(
        path=path,
        count=len(codes),
        years=ngettext("reference year {years}", "reference years {years}", len(years)).format(
            years=", ".join(map(str, sorted(years)))
        ),
        size=len(page.encode("utf-8")),
    )
    return Report(
        "report",
        text=(line,),
        data={"output": str(path), "municipalities": codes, "years": sorted(years)},
    )


guard(__name__)
