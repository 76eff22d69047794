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
    profile, board, meta = scored_of(args)
    comparison = _comparison(board, args)
    metrics = _metrics(board, args.metric)
    chosen = bool(args.municipality)
    if (chosen or args.format != "table") and not args.metric:
        metrics = list(board.results)  # a municipality in full, or the full data
    codes = _codes(args, board.dataset)
    if not chosen:
        codes = _order(board, metrics[0], codes)
        top = args.top or (OVERVIEW_ROWS if args.format == "table" else None)
        shown = codes[:top] if top else codes
    else:
        shown = codes
    data = {
        "peer_groups": comparison.groups.basis,
        "metrics": metrics,
        "municipalities": [
            {**card_record(board.card(code)), "groups": _places_json(comparison, code, metrics)}
            for code in shown
        ],
    }
    text = (
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
            )
            for code in shown
            for metric in metrics
            for p in comparison.place(code, metric)
        )
        long_columns = (
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
        table = Table("places", long_columns, long)
        return Report("comparison", meta=meta, text=text, tables=(table,), data=data)
    if not chosen:
        return _overview(profile, board, comparison, metrics, codes, shown, data, meta)
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
                    None if p.position.percentile is None else p.position.percentile / 100,
                    # Rank intervals (chapter UNC) get a column here.
                )
                for p in places
            )
            columns = (
                Column("metric", _("metric"), "code", width=24),
                Column("value", _("value"), "share"),
                Column("mean", _("mean"), "share"),
                Column("median", _("median"), "share"),
                Column("rank", _("rank"), "code"),
                Column("percentile", _("pct"), "share"),
            )
            tables.append(Table(f"{code}-{group.name}", columns, rows, title=title))
    return Report(
        "comparison",
        meta=meta,
        text=text,
        tables=tuple(tables),
        data=data,
        after=(_("Percentages; pct: percentile; n/a: not defined."),),
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
        rows.append(
            (
                everyone.rank,
                code,
                card.name,
                card.size_class,
                None
                if in_class is None or in_class.rank is None
                else f"{in_class.rank}/{in_class.count}",
                *[card.values[m] for m in metrics],
            )
        )
    columns = (
        Column("rank", "#", "integer"),
        Column("municipality", _("code"), "code"),
        Column("name", _("municipality"), "text", width=16),
        Column("size_class", _("cl"), "integer"),
        Column("class_rank", _("in cl"), "code"),
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
    return Report(
        "comparison",
        title=_("Profile {name} {version}: {count} municipalities compared").format(
            name=profile.name, version=profile.version, count=count
        ),
        meta=meta,
        text=(fingerprint_line(profile),),
        tables=(Table("overview", columns, tuple(rows), note=legend),),
        data=data,
        after=(more,),
    )


def _comparison(board: ScoreBoard, args: argparse.Namespace) -> Comparison:
    from digimaat.analysis.peers import compare as compare_groups

    return compare_groups(board, _peer_groups(board, args))


def _places_json(comparison: Comparison, code: str, metrics: Sequence[str]) -> list[dict[str, Any]]:
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
    from digimaat.progress import Progress

    profile = profile_of(args.profile)
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
