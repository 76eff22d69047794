"""The parts of a report page that place a municipality: among its peers, with its
intervals, and over the years (CMP-5 to CMP-12).

Private to :mod:`digimaat.analysis.report`, like :mod:`digimaat.analysis._html`, whose
``Page`` draws the rest of the page on these sections and helpers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from digimaat._boundary import guard
from digimaat.analysis.peers import Comparison
from digimaat.analysis.report import (
    count,
    escape,
    group_label,
    metric_name,
    percent,
    percentile,
    points,
    text,
)
from digimaat.analysis.trends import Trend
from digimaat.analysis.uncertainty import UncertaintyResult
from digimaat.measurement.metrics import Composite

__all__ = ["Sections"]


def _num(shown: str, value: float | None = None) -> str:
    """A table cell with a number, shown rounded, its exact value in ``data-value``.

    A count is written as an integer, any other number as the shortest text that reads
    back as the same binary64 number (Python's ``repr``); an undefined value as ``""``.
    """
    if value is None or math.isnan(value):
        exact = ""
    elif isinstance(value, int):
        exact = str(value)
    else:
        exact = repr(float(value))
    return f'<td class="num" data-value="{exact}">{escape(shown)}</td>'


def _txt(value: object) -> str:
    return f"<td>{escape(value)}</td>"


def _row(head: str, *cells: str, css: str = "", key: str = "") -> str:
    klass = f' class="{css}"' if css else ""
    data = f' data-key="{escape(key)}"' if key else ""
    return f'<tr{klass}{data}><th scope="row">{escape(head)}</th>{"".join(cells)}</tr>'


def _span(low: int | None, high: int | None, lang: str) -> str:
    """A rank interval: a cell showing ``"2–5"`` (one rank alone), its ends exact in
    ``data-low`` and ``data-high``; not defined where the rank never is."""
    if low is None or high is None:
        return f'<td class="num" data-low="" data-high="">{escape(text("na", lang))}</td>'
    shown = str(low) if low == high else f"{low}–{high}"
    return f'<td class="num" data-low="{low}" data-high="{high}">{shown}</td>'


def _table(key: str, caption: str, header: Sequence[str], rows: Sequence[str]) -> str:
    """A table: ``rows`` are ``<tr>`` elements, or ``<tbody>`` elements of row groups."""
    heads = "".join(f'<th scope="col">{escape(h)}</th>' for h in header)
    body = "".join(rows)
    if not body.startswith("<tbody"):
        body = f"<tbody>{body}</tbody>"
    return (
        f'<table id="{key}-table"><caption>{escape(caption)}</caption>'
        f"<thead><tr>{heads}</tr></thead>{body}</table>"
    )


class Sections:
    """The sections of a page that compare; the page is drawn by its subclass ``Page``."""

    def __init__(
        self,
        trend_: Trend,
        comparison: Comparison,
        lang: str,
        top: int,
        basis: str,
        intervals: UncertaintyResult | None = None,
    ) -> None:
        self.trend, self.comparison, self.lang, self.top = trend_, comparison, lang, top
        self.basis = basis
        self.intervals = intervals
        self.board = comparison.board
        self.profile = self.board.profile
        self.sources = trend_.years[-1].sources

    def t(self, key: str, **values: Any) -> str:
        return text(key, self.lang, **values)

    def pct(self, value: float | None) -> str:
        return percent(value, self.lang)

    def pair(self, key: str, title: str, figure: Any, alt: str, caption: str, table: str) -> str:
        """A chart and the table of its numbers, side by side; one above the other in print."""
        from digimaat import plot

        drawing = plot.svg(figure, id_prefix=f"{key}-chart", title=title, description=alt)
        return (
            f'<section class="part" id="{key}"><h3>{escape(title)}</h3><div class="pair">'
            f'<figure class="chart" aria-describedby="{key}-table">{drawing}'
            f"<figcaption>{escape(alt)}</figcaption></figure>{table}</div></section>"
        )

    def peers(self, code: str) -> str:
        from digimaat import plot

        name = self.board.dataset.municipalities[self.board.dataset.index_of(code)].name
        bodies = []
        every = self.comparison.place(code)
        for group in self.comparison.groups_of(code):
            places = [p for p in every if p.group == group]
            stats = places[0].statistics
            label = group_label(self.comparison, group, self.lang)
            counts = self.t(
                "group.counts", count=stats.count, undefined=stats.undefined, absent=stats.absent
            )
            width = 6 if self.intervals is None else 7
            rows = [
                f'<tr><th scope="rowgroup" colspan="{width}">{escape(label)}: '
                f"{escape(counts)}</th></tr>"
            ]
            for place in places:
                s, pos = place.statistics, place.position
                rank = "" if pos.rank is None else self.t("rank_of", rank=pos.rank, count=pos.count)
                spans = (
                    () if self.intervals is None else (self.rank_span(group, place.metric, code),)
                )
                rows.append(
                    _row(
                        metric_name(self.board.results[place.metric].metric, self.lang),
                        _num(self.pct(place.value), place.value),
                        _num(self.pct(s.mean), s.mean),
                        _num(self.pct(s.median), s.median),
                        _num(rank or self.t("na"), pos.rank),
                        *spans,
                        _num(percentile(pos.percentile, self.lang), pos.percentile),
                        key=f"{group.name}|{place.metric}",
                    )
                )
            bodies.append(f'<tbody data-group="{escape(group.name)}">{"".join(rows)}</tbody>')
        caption = self.t("peers.caption", name=name)
        header = [
            self.t("metric"),
            self.t("value"),
            self.t("mean"),
            self.t("median"),
            self.t("rank"),
            *([] if self.intervals is None else [self.t("unc.ranks")]),
            self.t("percentile"),
        ]
        metric = metric_name(self.board.results[self.profile.headline].metric, self.lang)
        return self.pair(
            f"{code}-peers",
            self.t("peers"),
            plot.peers(self.comparison, code, lang=self.lang),
            self.t("peers.alt", metric=metric, name=name),
            caption,
            _table(f"{code}-peers", caption, header, bodies),
        )

    def rank_span(self, group: Any, metric: str, code: str) -> str:
        """The cell of a rank interval within a group (UNC-7; UNC-7.3 for a peer group)."""
        result = self.intervals
        assert result is not None
        if group.kind == "all":
            s = result.spread(metric, code)
            return _span(s.rank_low, s.rank_high, self.lang)
        r = result.rank_within(group.name, metric, code)
        return _span(
            None if r is None else r.rank_low, None if r is None else r.rank_high, self.lang
        )

    def uncertainty(self, code: str) -> str:
        """How sure the values and the ranks are (chapter UNC): a chart of the intervals,
        their numbers beside it, and the pair probabilities that name the municipality."""
        from digimaat import plot

        result = self.intervals
        assert result is not None
        name = self.board.dataset.municipalities[self.board.dataset.index_of(code)].name
        rows = []
        for metric in self.profile.metrics:
            s = result.spread(metric.id, code)
            rows.append(
                _row(
                    metric_name(metric, self.lang),
                    _num(self.pct(s.nominal), s.nominal),
                    _num(self.pct(s.low), s.low),
                    _num(self.pct(s.high), s.high),
                    _num(
                        self.t("na") if s.nominal_rank is None else str(s.nominal_rank),
                        s.nominal_rank,
                    ),
                    _num(
                        self.t("na") if s.median_rank is None else str(s.median_rank), s.median_rank
                    ),
                    _span(s.rank_low, s.rank_high, self.lang),
                    _num(self.pct(s.defined), s.defined),
                    css="headline" if metric.id == self.profile.headline else "",
                    key=metric.id,
                )
            )
        caption = self.t(
            "unc.caption", count=count(result.evaluations, self.lang), total=len(result.codes)
        )
        header = [
            self.t("metric"),
            self.t("value"),
            self.t("unc.low"),
            self.t("unc.high"),
            self.t("rank"),
            self.t("unc.median_rank"),
            self.t("unc.ranks"),
            self.t("unc.defined"),
        ]
        part = self.pair(
            f"{code}-unc",
            self.t("unc"),
            plot.intervals(result, code, self.profile, lang=self.lang),
            self.t("unc.alt", name=name),
            caption,
            _table(f"{code}-unc", caption, header, rows),
        )
        pairs = [p for p in result.pairs if code in (p.first, p.second)]
        if not pairs:
            return part
        names = {m.id: metric_name(m, self.lang) for m in self.profile.metrics}
        by_code = {c: self.board.card(c).name for p in pairs for c in (p.first, p.second)}
        listed = [
            _row(
                names.get(p.metric, p.metric),
                _txt(f"{by_code[p.first]} ({p.first})"),
                _txt(f"{by_code[p.second]} ({p.second})"),
                _num(self.pct(p.probability), p.probability),
                key=f"{p.metric}|{p.first}|{p.second}",
            )
            for p in pairs
        ]
        table = _table(
            f"{code}-unc-pairs",
            self.t("unc.pairs"),
            [
                self.t("metric"),
                self.t("unc.first"),
                self.t("unc.second"),
                self.t("unc.probability"),
            ],
            listed,
        )
        return part.replace("</div></section>", f"</div>{table}</section>")

    def trend_part(self, code: str) -> str:
        from digimaat import plot

        years = [y.year for y in self.trend.years]
        rows = []
        for metric in self.profile.metrics:
            cells = [
                _num(self.pct(p.value) if p.present else self.t("absent"), p.value)
                for p in self.trend.series(code, metric.id)
            ]
            rows.append(
                _row(
                    metric_name(metric, self.lang),
                    *cells,
                    key=metric.id,
                    css="headline" if metric.id == self.profile.headline else "",
                )
            )
        caption = self.t("trend.caption")
        table = _table(f"{code}-trend", caption, [self.t("metric"), *map(str, years)], rows)
        name = self.board.dataset.municipalities[self.board.dataset.index_of(code)].name
        headline = metric_name(self.board.results[self.profile.headline].metric, self.lang)
        drawn = ", ".join(
            metric_name(self.board.results[m].metric, self.lang) for m in self.trend_metrics()
        )
        alt = self.t("trend.alt", metric=drawn, name=name, years=", ".join(map(str, years)))
        part = self.pair(
            f"{code}-trend",
            self.t("trend"),
            plot.trend(self.trend, code, self.trend_metrics(), lang=self.lang),
            alt,
            caption,
            table,
        )
        return part.replace("</div></section>", f"</div>{self.change(code, headline)}</section>")

    def trend_metrics(self) -> list[str]:
        """The metrics drawn in a trend: the parts of the headline composite, and the headline."""
        headline = self.board.results[self.profile.headline].metric
        parts = [part.id for part, _ in headline.parts] if isinstance(headline, Composite) else []
        return [*parts, headline.id]

    def change(self, code: str, metric: str) -> str:
        first = self.trend.years[0]
        if first.board is None or code not in first.cards:
            return ""
        change = self.trend.explain(code)
        if change.change is None:
            return f'<p class="note">{escape(self.t("change.undefined", metric=metric))}</p>'
        items = change.items[: self.top]
        rows = [
            _row(
                i.name,
                _num(points(i.before, self.lang), i.before),
                _num(points(i.after, self.lang), i.after),
                _num(points(i.change, self.lang, sign=True), i.change),
                _txt(", ".join(self.t(f"moved.{m}") for m in i.movements)),
                key=i.uri,
            )
            for i in items
        ]
        rest = change.items[self.top :]
        if rest:
            total = math.fsum(i.change for i in rest)
            rows.append(
                _row(
                    self.t("others", count=len(rest)),
                    _txt(""),
                    _txt(""),
                    _num(points(total, self.lang, sign=True), total),
                    _txt(""),
                    key="others",
                )
            )
        caption = self.t(
            "change.caption",
            metric=metric,
            before=self.pct(change.before),
            after=self.pct(change.after),
            start=change.start,
            end=change.end,
            change=points(change.change, self.lang, sign=True),
        )
        header = [
            self.t("product"),
            self.t("before"),
            self.t("after"),
            self.t("difference"),
            self.t("what_moved"),
        ]
        heading = self.t("change", start=change.start, end=change.end)
        return f"<h4>{escape(heading)}</h4>" + _table(f"{code}-change", caption, header, rows)


guard(__name__)
