"""The commands over the analysis layer: ``compare``, ``trend`` and ``report`` (chapter CMP).

Each reads its inputs, asks :mod:`digimaat.analysis` for the comparison, and returns a
report for the renderers; only ``report`` writes a file, the HTML page.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digimaat.analysis.tables import Column, Report, Table
from digimaat.cli.commands import _card, _scored, profile_of, reading
from digimaat.errors import InputError, Problem, UsageError

if TYPE_CHECKING:  # pragma: no cover
    from digimaat.analysis.peers import Comparison, PeerGroup, PeerGroups
    from digimaat.analysis.trends import Change, Trend
    from digimaat.measurement.dataset import Dataset
    from digimaat.measurement.profiles import Profile, ScoreBoard

__all__ = ["compare", "report", "trend"]


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
        return f"all {len(group.members)} municipalities in the data"
    return group.name


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# -- compare --------------------------------------------------------------------------------


def compare(args: argparse.Namespace) -> Report:
    """Municipalities among their peers: group mean and median, rank and percentile (CMP)."""
    from digimaat._version import SPEC_VERSION

    profile, board, meta = _scored(args)
    comparison = _comparison(board, args)
    codes = _codes(args, board.dataset)
    data = {
        "peer_groups": comparison.groups.basis,
        "municipalities": [
            {**_card(board.card(code)), "groups": _places_json(comparison, code)} for code in codes
        ],
    }
    text = (
        f"Profile {profile.name} {profile.version}, specification {SPEC_VERSION}, "
        f"fingerprint\n  {profile.fingerprint}",
        f"Peer groups: {comparison.groups.basis}. Mean and median of each group, the "
        "municipality's rank (1 = best) and percentile (share of the others it beats, ties "
        "counting half).",
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
            for code in codes
            for p in comparison.place(code)
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
    tables = []
    for code in codes:
        card = board.card(code)
        for group in comparison.groups_of(code):
            places = [p for p in comparison.place(code) if p.group == group]
            stats = places[0].statistics
            absent = f", {stats.absent} not" if stats.absent else ""
            title = (
                f"{_short(card.name, 30)} ({code}) in {_short(_group_name(group), 40)}: "
                f"{stats.count + stats.undefined} in the data{absent}"
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
                Column("metric", "metric", "code", width=24),
                Column("value", "value", "share"),
                Column("mean", "mean", "share"),
                Column("median", "median", "share"),
                Column("rank", "rank", "code"),
                Column("percentile", "pct", "share"),
            )
            tables.append(Table(f"{code}-{group.name}", columns, rows, title=title))
    return Report(
        "comparison",
        meta=meta,
        text=text,
        tables=tuple(tables),
        data=data,
        after=("Percentages; pct: percentile; n/a: not defined.",),
    )


def _comparison(board: ScoreBoard, args: argparse.Namespace) -> Comparison:
    from digimaat.analysis.peers import compare as compare_groups

    return compare_groups(board, _peer_groups(board, args))


def _places_json(comparison: Comparison, code: str) -> list[dict[str, Any]]:
    out = []
    for group in comparison.groups_of(code):
        places = [p for p in comparison.place(code) if p.group == group]
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


# -- trend ----------------------------------------------------------------------------------


def trend(args: argparse.Namespace) -> Report:
    """Each metric per reference year per municipality, and what changed (CMP-9 to CMP-11)."""
    series = _trend(args, profile_of(args.profile))
    latest = series.years[-1]
    codes = (
        [c.strip().upper() for c in args.municipality] if args.municipality else list(series.codes)
    )
    for code in codes:
        if all(code not in y.cards for y in series.years):
            raise InputError([Problem("municipality", code, "is in none of the years")])
    metrics = [args.metric] if args.metric else list(series.metrics)
    changes = []
    if args.explain:
        from digimaat.progress import Progress

        many = "municipality" if len(codes) == 1 else "municipalities"
        with Progress(len(codes), f"digimaat trend: explaining {len(codes)} {many}") as bar:
            for n, code in enumerate(codes, 1):
                changes.append(series.explain(code, args.metric, start=args.start, end=args.end))
                bar.update(n)
    years = [y.year for y in series.years]
    data = {
        "years": [
            {
                "year": y.year,
                "spec_version": y.spec_version,
                "profile": {
                    "name": y.profile,
                    "version": y.profile_version,
                    "fingerprint": y.fingerprint,
                },
                "sources": [s.file for s in y.sources],
            }
            for y in series.years
        ],
        "differences": list(series.differences()),
        "municipalities": [
            {
                "municipality": code,
                "name": _name_in(series, code),
                "series": {
                    m: [
                        {"year": p.year, "value": p.value, "present": p.present}
                        for p in series.series(code, m)
                    ]
                    for m in metrics
                },
            }
            for code in codes
        ],
        "changes": [_change_json(c) for c in changes],
    }
    listed = ", ".join(map(str, years))
    text = [
        f"Profile {latest.profile} {latest.profile_version}, specification "
        f"{latest.spec_version}, reference years {listed}, fingerprint\n  {latest.fingerprint}"
    ]
    text += [f"Note: the years differ: {difference}." for difference in series.differences()]
    if args.format != "table":
        long_columns = (
            Column("municipality", "municipality", "code"),
            Column("metric", "metric", "code"),
            Column("year", "year", "code"),
            Column("value", "value", "share"),
            Column("present", "present", "code"),
        )
        long: tuple[tuple[Any, ...], ...] = tuple(
            (code, m, p.year, p.value if p.present else None, "yes" if p.present else "no")
            for code in codes
            for m in metrics
            for p in series.series(code, m)
        )
        values = Table("values", long_columns, long)
        return Report(
            "trend",
            meta={"years": data["years"]},  # the same member as in data: JSON is unchanged
            text=tuple(text),
            tables=(values, _changes_table(changes)) if changes else (values,),
            data=data,
        )
    tables: list[Table] = []
    for code in codes:
        for start in range(0, len(years), 6):
            chunk = list(range(start, min(start + 6, len(years))))
            columns: tuple[Column, ...] = (
                Column("metric", "metric", "code", width=24),
                *(Column(str(years[k]), str(years[k]), "share") for k in chunk),
            )
            rows: list[tuple[Any, ...]] = []
            for m in metrics:
                points = series.series(code, m)
                rows.append((m, *(points[k].value if points[k].present else "-" for k in chunk)))
            title = f"{_short(_name_in(series, code), 40)} ({code})" if start == 0 else ""
            tables.append(Table(f"{code}-{start}", columns, tuple(rows), title=title))
    for change in changes:
        tables.extend(_change_tables(series, change, args.limit))
    return Report(
        "trend",
        text=tuple(text),
        tables=tuple(tables),
        data=data,
        after=("Percentages; n/a: not defined; -: not in that year's data.",),
    )


def _name_in(series: Trend, code: str) -> str:
    for year in reversed(series.years):
        if code in year.cards:
            return year.cards[code].name
    return code


def _trend(args: argparse.Namespace, profile: Profile) -> Trend:
    """The trend of the data files (one dataset per reference year) and saved score documents."""
    from digimaat.analysis.scores import read_scores
    from digimaat.analysis.trends import Trend, read_years, trend_of_scores
    from digimaat.analysis.trends import trend as trend_of_years

    documents = {}
    for item in args.scores or []:
        year, sep, path = item.partition("=")
        if not sep or not year.strip().isdigit():
            raise UsageError(f"--scores takes YEAR=FILE (got {item!r})")
        documents[int(year)] = read_scores(path)
    if not args.files and not documents:
        raise UsageError("give exchange files, --scores YEAR=FILE, or both")
    parts = []
    if args.files:
        with reading(args.files, args) as progress:
            read = read_years(args.files, progress=progress)
        parts.append(trend_of_years(read, profile))
    if documents:
        parts.append(trend_of_scores(documents, mixed=args.allow_mixed))
    years = sorted((y for part in parts for y in part.years), key=lambda y: y.year)
    twice = sorted({y.year for y in years if [z.year for z in years].count(y.year) > 1})
    if twice:
        raise UsageError(f"the years {twice} are given both as data and as scores")
    return Trend(tuple(years), mixed=args.allow_mixed)


def _change_json(change: Change) -> dict[str, Any]:
    return {
        "municipality": change.municipality,
        "metric": change.metric,
        "from": change.start,
        "to": change.end,
        "before": change.before,
        "after": change.after,
        "change": change.change,
        "products": [
            {
                "product": i.uri,
                "name": i.name,
                "before": i.before,
                "after": i.after,
                "change": i.change,
                "level": [_label(i.level_before), _label(i.level_after)],
                "status": [i.status_before, i.status_after],
                "volume": [i.volume_before, i.volume_after],
                "movements": list(i.movements),
            }
            for i in change.items
        ],
    }


def _changes_table(changes: Sequence[Change]) -> Table:
    """Every product's change of every explained change, a row each (for a spreadsheet)."""
    columns = (
        Column("municipality", "municipality", "code"),
        Column("metric", "metric", "code"),
        Column("from", "from", "code"),
        Column("to", "to", "code"),
        Column("product", "product", "code"),
        Column("name", "name", "text"),
        Column("before", "before", "share"),
        Column("after", "after", "share"),
        Column("change", "change", "share"),
        Column("level_before", "level before", "code"),
        Column("level_after", "level after", "code"),
        Column("movements", "moved", "text"),
    )
    rows = tuple(
        (
            c.municipality,
            c.metric,
            c.start,
            c.end,
            i.uri,
            i.name,
            i.before,
            i.after,
            i.change,
            _label(i.level_before),
            _label(i.level_after),
            ", ".join(i.movements),
        )
        for c in changes
        for i in c.items
    )
    return Table("changes", columns, rows)


def _label(level: Any) -> str | None:
    return None if level is None else str(level.label)


def _points(value: float) -> str:
    from digimaat.measurement.aggregation import display

    return ("+" if value >= 0 else "") + display(value * 100, 2)


def _percent(value: float | None) -> str:
    from digimaat.measurement.aggregation import display

    return "n/a" if value is None else display(value * 100, 1) + "%"


def _change_tables(series: Trend, change: Change, limit: int) -> list[Table]:
    name = _name_in(series, change.municipality)
    if change.change is None:
        title = (
            f"{name}: {change.metric} is not defined in both {change.start} and "
            f"{change.end}; its change is not explained."
        )
        return [Table(f"change-{change.municipality}", (), (), title=title)]
    title = (
        f"{name}: {change.metric} went from {_percent(change.before)} in "
        f"{change.start} to {_percent(change.after)} in {change.end}, "
        f"{_points(change.change)} points: the sum of the changes per product."
    )
    rows: list[tuple[Any, ...]] = [
        (
            i.name,
            i.before * 100,
            i.after * 100,
            _points(i.change),
            ", ".join(i.movements),
        )
        for i in change.items[:limit]
    ]
    rest = change.items[limit:]
    if rest:
        total = math.fsum(i.change for i in rest)
        rows.append((f"{len(rest)} other products", "", "", _points(total), ""))
    columns = (
        Column("product", "product", "text", width=24),
        Column("before", "before", "number"),
        Column("after", "after", "number"),
        Column("change", "change", "number"),
        Column("moved", "moved", "text", width=20),
    )
    return [Table(f"change-{change.municipality}", columns, tuple(rows), title=title)]


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
    many = "municipality" if len(codes) == 1 else "municipalities"
    with Progress(0, f"digimaat report: {len(codes)} {many}") as progress:
        page = render_report(
            years,
            profile,
            municipalities=codes,
            peers=peers,
            register_year=args.population_year,
            lang=args.lang,
            progress=progress,
        )
    path = Path(args.output)
    path.write_text(page, encoding="utf-8")
    plural = "s" if len(years) > 1 else ""
    line = (
        f"{path}: report of {len(codes)} {many}, reference year{plural} "
        f"{', '.join(map(str, sorted(years)))}, {len(page.encode('utf-8')):,} bytes"
    )
    return Report(
        "report",
        text=(line,),
        data={"output": str(path), "municipalities": codes, "years": sorted(years)},
    )
