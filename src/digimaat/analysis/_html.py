"""The HTML of a report: one page, its parts drawn from the API and its texts from the table.

Private to :mod:`digimaat.analysis.report`, whose :func:`~digimaat.analysis.report.render_report`
builds a :class:`Page` and whose message table holds every text shown. Every number in a
table cell is shown rounded and carried exactly in the cell's ``data-value``; every text
from data is escaped.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from importlib import resources

from digimaat._version import SPEC_VERSION, __version__
from digimaat.analysis._html_parts import Sections, _num, _row, _table, _txt
from digimaat.analysis.report import (
    count,
    escape,
    level_name,
    metric_name,
    points,
)
from digimaat.analysis.summary import authentication_summary, ladder_distribution, largest_parts
from digimaat.measurement.explain import decompose, priorities

__all__ = ["Page"]


def _style_sheet() -> str:
    return resources.files("digimaat.data").joinpath("report.css").read_text(encoding="utf-8")


class Page(Sections):
    """What one report is drawn from: the latest year's scores, its peers, and the trend."""

    def card(self, code: str) -> str:
        from digimaat import plot

        card, rows = self.board.card(code), []
        for metric in self.profile.metrics:
            value, cover = card.values[metric.id], card.coverage[metric.id]
            rows.append(
                _row(
                    metric_name(metric, self.lang),
                    _num(self.pct(value), value),
                    _num(self.pct(cover), cover),
                    _txt(self.t("higher" if metric.direction > 0 else "lower")),
                    css="headline" if metric.id == card.headline else "",
                    key=metric.id,
                )
            )
        caption = self.t("card.caption", profile=self.profile.name)
        header = [self.t("metric"), self.t("value"), self.t("coverage"), self.t("better")]
        headline = metric_name(self.board.results[card.headline].metric, self.lang)
        alt = self.t(
            "card.alt",
            count=len(rows),
            name=card.name,
            headline=headline,
            score=self.pct(card.score),
        )
        files = ", ".join(os.path.basename(s.file) for s in self.sources)
        provenance = (
            f'<p class="provenance">{escape(self.t("spec_version"))} {escape(card.spec_version)}'
            f" · {escape(self.t('profile'))} {escape(card.profile)} {escape(card.profile_version)}"
            f" · {escape(self.t('fingerprint'))} <code>{escape(card.fingerprint)}</code>"
            f" · {escape(self.t('sources'))}: {escape(files)}</p>"
        )
        part = self.pair(
            f"{code}-card",
            self.t("card"),
            plot.score_card(card, self.profile, lang=self.lang),
            alt,
            caption,
            _table(f"{code}-card", caption, header, rows),
        )
        return part.replace("</section>", provenance + "</section>")

    def ladder(self, code: str) -> str:
        from digimaat import plot

        d = ladder_distribution(self.board.dataset, code)
        rows = [
            _row(level_name(k, self.lang), _num(str(n), n), key=str(k))
            for k, n in enumerate(d.levels)
        ]
        rows.append(_row(self.t("unknown"), _num(str(d.unknown), d.unknown), key="unknown"))
        caption = self.t(
            "ladder.caption",
            unknown=d.unknown,
            not_offered=d.not_offered,
            not_applicable=d.not_applicable,
        )
        table = _table(f"{code}-ladder", caption, [self.t("level"), self.t("products")], rows)
        return self.pair(
            f"{code}-ladder",
            self.t("ladder"),
            plot.ladder(d, lang=self.lang),
            self.t("ladder.alt", offered=d.offered),
            caption,
            table,
        )

    def parts(self, code: str) -> str:
        from digimaat import plot

        decomposition = decompose(self.board, code)
        parts = largest_parts(decomposition, self.top)
        metric = metric_name(self.board.results[decomposition.metric].metric, self.lang)
        rows = [
            _row(
                p.label if p.uri else self.t("others", count=p.count),
                _num(points(p.value, self.lang), p.value),
                key=p.uri or "others",
            )
            for p in parts
        ]
        rows.append(
            _row(
                self.t("total"),
                _num(points(decomposition.total, self.lang), decomposition.total),
                css="headline",
                key="total",
            )
        )
        caption = self.t("parts.caption", metric=metric, value=self.pct(decomposition.value))
        table = _table(f"{code}-parts", caption, [self.t("product"), self.t("contribution")], rows)
        return self.pair(
            f"{code}-parts",
            self.t("parts"),
            plot.contributions(parts, lang=self.lang),
            self.t("parts.alt", metric=metric),
            caption,
            table,
        )

    def authentication(self, code: str) -> str:
        from digimaat import plot

        s = authentication_summary(self.board.dataset, code)
        counts = {
            "match": s.match,
            "barrier": s.barrier,
            "shortfall": s.shortfall,
            "unrecorded": s.unrecorded,
        }
        rows = [_row(self.t(f"auth.{k}"), _num(str(n), n), key=k) for k, n in counts.items()]
        caption = self.t("auth.caption")
        table = _table(f"{code}-auth", caption, [self.t("outcome"), self.t("products")], rows)
        findings = [
            _row(
                f.name,
                _txt(self.t(f"auth.{f.outcome}")),
                _txt(
                    f"{self.t(f'means.{f.means.value}')} ({self.t(f'assurance.{f.asked.label}')})"
                ),
                _txt(self.t(f"assurance.{f.required.label}")),
                key=f.uri,
            )
            for f in s.findings
        ]
        listing = (
            _table(
                f"{code}-auth-findings",
                self.t("auth.findings"),
                [self.t("product"), self.t("outcome"), self.t("asked"), self.t("needed")],
                findings,
            )
            if findings
            else f'<p class="note">{escape(self.t("auth.none"))}</p>'
        )
        part = self.pair(
            f"{code}-auth",
            self.t("auth"),
            plot.authentication(s, lang=self.lang),
            self.t("auth.alt", **counts),
            caption,
            table,
        )
        return part.replace("</div></section>", f"</div>{listing}</section>")

    def next(self, code: str) -> str:
        from digimaat import plot

        ranked = priorities(self.board.dataset, self.profile, code)[: self.top]
        if not ranked:
            body = f'<p class="note">{escape(self.t("next.none"))}</p>'
            return (
                f'<section class="part" id="{code}-next"><h3>{escape(self.t("next"))}</h3>'
                f"{body}</section>"
            )
        rows = [
            _row(
                p.name,
                _num(points(p.gain, self.lang, sign=True), p.gain),
                _txt(level_name(p.level, self.lang)),
                _txt(level_name(p.target, self.lang)),
                _num(count(p.requests, self.lang), p.requests),
                key=p.uri,
            )
            for p in ranked
        ]
        caption = self.t("next.caption")
        header = [
            self.t("product"),
            self.t("gain"),
            self.t("now"),
            self.t("target"),
            self.t("offline_requests"),
        ]
        return self.pair(
            f"{code}-next",
            self.t("next"),
            plot.priorities(ranked, lang=self.lang),
            self.t("next.alt", count=len(ranked)),
            caption,
            _table(f"{code}-next", caption, header, rows),
        )

    def municipality(self, code: str) -> str:
        ds = self.board.dataset
        muni = ds.municipalities[ds.index_of(code)]
        meta = (
            f"{self.t('population')} {count(muni.population, self.lang)} ({muni.year}) · "
            f"{self.t('size_class')} {muni.size_class.code}"
        )
        parts = [
            self.card(code),
            self.ladder(code),
            self.parts(code),
            self.authentication(code),
            self.next(code),
            self.peers(code),
        ]
        if self.intervals is not None:
            parts.append(self.uncertainty(code))
        if len(self.trend.years) > 1:
            parts.append(self.trend_part(code))
        return (
            f'<section class="municipality" id="{code}" aria-labelledby="{code}-name">'
            f'<h2 id="{code}-name">{escape(muni.name)} ({code})</h2>'
            f'<p class="meta">{escape(meta)}</p>{"".join(parts)}</section>'
        )

    def head(self, codes: Sequence[str]) -> str:
        year = self.trend.years[-1].year
        about = [
            (self.t("profile"), f"{self.profile.name} {self.profile.version}"),
            (self.t("fingerprint"), self.profile.fingerprint),
            (self.t("spec_version"), SPEC_VERSION),
            (self.t("computed_by"), f"digimaat {__version__}"),
            (self.t("years"), ", ".join(str(y.year) for y in self.trend.years)),
            (self.t("peer_basis"), self.basis),
        ]
        if self.intervals is not None:
            result = self.intervals
            about.append(
                (
                    self.t("unc.about"),
                    self.t(
                        f"unc.design.{result.design}",
                        count=count(result.evaluations, self.lang),
                        seed=result.seed,
                        groups=", ".join(result.groups) or "-",
                    ),
                )
            )
        items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in about)
        sources = "".join(
            f"<li><code>{escape(os.path.basename(s.file))}</code>: "
            f"{escape(s.source or self.t('no_source'))}</li>"
            for y in self.trend.years
            for s in y.sources
        )
        links = "".join(
            f'<li><a href="#{c}">{escape(self.board.card(c).name)}</a> '
            f"({self.pct(self.board.card(c).score)})</li>"
            for c in codes
        )
        lead = self.t("lead", count=len(codes), profile=self.profile.name, year=year)
        return (
            f"<header><h1>{escape(self.t('title'))}</h1><p>{escape(lead)}</p>"
            f'<h2>{escape(self.t("about"))}</h2><dl class="about">{items}</dl>'
            f"<h3>{escape(self.t('sources'))}</h3><ul>{sources}</ul>"
            f'<p class="note">{escape(self.t("rounding"))}</p></header>'
            f'<nav aria-label="{escape(self.t("contents"))}"><h2>{escape(self.t("contents"))}'
            f"</h2><ol>{links}</ol></nav>"
        )

    def document(
        self, codes: Sequence[str], progress: Callable[[int, int], None] | None = None
    ) -> str:
        """The whole page: the head, then a section per municipality of ``codes``."""
        sections = [self.head(codes)]
        for n, code in enumerate(codes):
            if progress is not None:
                progress(n, len(codes))
            sections.append(self.municipality(code))
        if progress is not None:
            progress(len(codes), len(codes))
        body = "".join(sections)
        title = f"{self.t('title')} · {self.profile.name} · {self.trend.years[-1].year}"
        return (
            f'<!DOCTYPE html>\n<html lang="{self.lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{_style_sheet()}</style></head>"
            f"<body>{body}</body></html>\n"
        )
