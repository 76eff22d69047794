"""The command that follows municipalities over the years: ``trend`` (CMP-9 to CMP-11).

It reads the files of each reference year (and saved score documents), asks
:mod:`digimaat.analysis.trends` for the trend and, with ``--explain``, for the change of a
value as the sum of its products' changes, and returns a report for the renderers.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from digimaat._boundary import guard
from digimaat.analysis.tables import Column, Report, Table
from digimaat.cli.commands import percent, profile_of, reading, shorten
from digimaat.cli.i18n import _
from digimaat.errors import N_, InputError, Problem, UsageError

if TYPE_CHECKING:  # pragma: no cover
    from digimaat.analysis.trends import Change, Trend
    from digimaat.measurement.profiles import Profile

__all__ = ["trend"]


def trend(args: argparse.Namespace) -> Report:
    """Each metric per reference year per municipality, and what changed (CMP-9 to CMP-11)."""
    series = _trend(args, profile_of(args.profile))
    latest = series.years[-1]
    codes = (
        [c.strip().upper() for c in args.municipality] if args.municipality else list(series.codes)
    )
    for code in codes:
        if all(code not in y.cards for y in series.years):
            raise InputError([Problem("municipality", code, N_("is in none of the years"))])
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
        _(
            "Profile {name} {version}, specification {spec}, reference years {years}, "
            "fingerprint\n  {fingerprint}"
        ).format(
            name=latest.profile,
            version=latest.profile_version,
            spec=latest.spec_version,
            years=listed,
            fingerprint=latest.fingerprint,
        )
    ]
    text += [
        _("Note: the years differ: {difference}.").format(difference=difference)
        for difference in series.differences()
    ]
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
                Column("metric", _("metric"), "code", width=24),
                *(Column(str(years[k]), str(years[k]), "share") for k in chunk),
            )
            rows: list[tuple[Any, ...]] = []
            for m in metrics:
                points = series.series(code, m)
                rows.append((m, *(points[k].value if points[k].present else "-" for k in chunk)))
            title = f"{shorten(_name_in(series, code), 40)} ({code})" if start == 0 else ""
            tables.append(Table(f"{code}-{start}", columns, tuple(rows), title=title))
    for change in changes:
        tables.extend(_change_tables(series, change, args.limit))
    return Report(
        "trend",
        text=tuple(text),
        tables=tuple(tables),
        data=data,
        after=(_("Percentages; n/a: not defined; -: not in that year's data."),),
    )


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
            None if i.level_before is None else str(i.level_before.label),
            None if i.level_after is None else str(i.level_after.label),
            ", ".join(i.movements),
        )
        for c in changes
        for i in c.items
    )
    return Table("changes", columns, rows)


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
            raise UsageError(_("--scores takes YEAR=FILE (got {item!r})").format(item=item))
        documents[int(year)] = read_scores(path)
    if not args.files and not documents:
        raise UsageError(_("give exchange files, --scores YEAR=FILE, or both"))
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
        raise UsageError(
            _("the years {years} are given both as data and as scores").format(years=twice)
        )
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


def _label(level: Any) -> str | None:
    return None if level is None else str(level.label)


def _points(value: float) -> str:
    from digimaat.measurement.aggregation import display

    return ("+" if value >= 0 else "") + display(value * 100, 2)


def _change_tables(series: Trend, change: Change, limit: int) -> list[Table]:
    name = _name_in(series, change.municipality)
    if change.change is None:
        title = _(
            "{name}: {metric} is not defined in both {start} and {end}; its change is not "
            "explained."
        ).format(name=name, metric=change.metric, start=change.start, end=change.end)
        return [Table(f"change-{change.municipality}", (), (), title=title)]
    title = _(
        "{name}: {metric} went from {before} in {start} to {after} in {end}, {change} "
        "points: the sum of the changes per product."
    ).format(
        name=name,
        metric=change.metric,
        before=percent(change.before),
        start=change.start,
        after=percent(change.after),
        end=change.end,
        change=_points(change.change),
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
        other = _("{count} other products").format(count=len(rest))
        rows.append((other, "", "", _points(total), ""))
    columns = (
        Column("product", _("product"), "text", width=24),
        Column("before", _("before"), "number"),
        Column("after", _("after"), "number"),
        Column("change", _("change"), "number"),
        Column("moved", _("moved"), "text", width=20),
    )
    return [Table(f"change-{change.municipality}", columns, tuple(rows), title=title)]


guard(__name__)
