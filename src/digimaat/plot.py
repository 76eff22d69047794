"""Charts of digimaat's results, as matplotlib figures (the optional extra ``report``).

Every function returns a :class:`matplotlib.figure.Figure` drawn from the objects the
Python API returns: a score card, a ladder distribution, a decomposition, an
authentication summary, priorities, a peer comparison, a trend or the intervals of an
uncertainty analysis. The figures are not
registered with pyplot, so nothing is shown or kept alive behind the caller's back; in a
notebook a figure displays itself, and ``figure.savefig("chart.png")`` writes it. The HTML
report draws the same charts, through :func:`svg`, which writes deterministic SVG (fixed
hash salt, no date, text kept as text).

Texts in the charts come from the report's message table, in Dutch or English (``lang``).
Text from data (names of municipalities, products and groups) is drawn as plain text:
mathematical notation is switched off, so a ``$`` in a name is only a dollar sign.

>>> from digimaat import plot
>>> from digimaat.measurement.profiles import standard_profile
>>> from digimaat.exchange import load_dataset
>>> from importlib import resources
>>> ds = load_dataset(str(resources.files("digimaat.data").joinpath("example.json")))
>>> profile = standard_profile()
>>> figure = plot.score_card(profile.score(ds).card("GM0622"), profile)
>>> type(figure).__name__, len(figure.axes)
('Figure', 1)
>>> plot.svg(figure).startswith("<svg")
True
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Final

try:
    import matplotlib
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator
except ImportError as exc:  # pragma: no cover - the extra is installed with dev
    raise ImportError(
        "digimaat.plot draws with matplotlib, which is not installed: "
        "pip install 'digimaat[report]'"
    ) from exc

from digimaat._boundary import guard
from digimaat.analysis.peers import Comparison
from digimaat.analysis.report import group_label, level_name, metric_name, percent, points, text
from digimaat.analysis.summary import (
    AuthenticationSummary,
    LadderDistribution,
    Part,
    largest_parts,
)
from digimaat.analysis.trends import Trend
from digimaat.analysis.uncertainty import UncertaintyResult
from digimaat.measurement.explain import Decomposition, Priority
from digimaat.measurement.metrics import Metric
from digimaat.measurement.profiles import Profile, ScoreCard

__all__ = [
    "SVG_HASH_SALT",
    "authentication",
    "contributions",
    "intervals",
    "ladder",
    "peers",
    "priorities",
    "score_card",
    "svg",
    "trend",
]

SVG_HASH_SALT: Final = "digimaat"
"""The salt of the ids in SVG output: fixed, so the same figure gives the same SVG text."""

WIDTH: Final = 6.4
"""Width of every chart, in inches."""

BLUE: Final = "#1f5fa8"
DARK: Final = "#0b2e59"
ORANGE: Final = "#c4500b"
GREY: Final = "#8c8c8c"
GREEN: Final = "#1a7f37"
RED: Final = "#b2182b"

_LABEL_CHARS: Final = 44
_CHAR_INCHES: Final = 0.068  # the width of one character of a 9-point label, roughly


@contextmanager
def _style() -> Iterator[None]:
    with matplotlib.rc_context(
        {
            "font.size": 9,
            "font.family": "sans-serif",
            # One font, shipped with matplotlib, measures the texts; the SVG names it with
            # the generic family after it, which a browser without it falls back to.
            "font.sans-serif": ["DejaVu Sans"],
            "text.parse_math": False,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlesize": 10,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "svg.fonttype": "none",
            "svg.hashsalt": SVG_HASH_SALT,
        }
    ):
        yield


def _short(label: str, width: int = _LABEL_CHARS) -> str:
    label = " ".join(label.split())  # no line breaks or tabs from data
    return label if len(label) <= width else label[: width - 1] + "…"


def _bars(
    labels: Sequence[str],
    values: Sequence[float | None],
    shown: Sequence[str],
    *,
    title: str,
    axis: str,
    limit: float | None = 100.0,
    colours: Sequence[str] | None = None,
    integer: bool = False,
    lang: str = "en",
) -> Figure:
    """Horizontal bars, the first label on top, each bar with its shown value beside it.

    Row labels are drawn as plain texts rather than tick labels: a tick is several artists,
    and a national report draws thousands of rows.
    """
    labels = [_short(label) for label in labels]
    rows = max(len(labels), 1)
    height = 0.95 + 0.27 * rows
    widest = max((len(label) for label in labels), default=4)
    left = min(0.5, 0.03 + widest * _CHAR_INCHES / WIDTH)
    figure = Figure(figsize=(WIDTH, height), dpi=100)
    ax: Axes = figure.add_axes((left, 0.5 / height, 0.86 - left, 1 - 0.85 / height))
    ys = list(range(len(labels) - 1, -1, -1))
    drawn = [0.0 if v is None or math.isnan(v) else v for v in values]
    ax.barh(ys, drawn, height=0.7, color=list(colours) if colours else BLUE)
    top = limit if limit is not None else max([*drawn, 1e-9]) * 1.05
    lowest = min([0.0, *drawn])
    ax.set_xlim(lowest, top)
    pad = (top - lowest) * 0.01
    for y, v, label in zip(ys, drawn, shown, strict=True):
        ax.text(max(v, 0.0) + pad, y, label, va="center", ha="left", fontsize=8)
    _row_labels(ax, ys, labels)
    ax.set_ylim(-0.6, len(labels) - 0.4)
    _value_axis(ax, axis, lang, integer=integer)
    ax.set_title(_short(title, 70))
    return figure


def _row_labels(ax: Axes, ys: Sequence[float], labels: Sequence[str]) -> None:
    ax.set_yticks([])
    beside = ax.get_yaxis_transform()  # x in axes fractions, y in data
    for y, label in zip(ys, labels, strict=True):
        ax.text(-0.015, y, label, transform=beside, ha="right", va="center")


def _value_axis(ax: Axes, label: str, lang: str, *, integer: bool = False) -> None:
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=integer))
    if lang == "nl":
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}".replace(".", ",")))
    ax.set_xlabel(label)


def score_card(card: ScoreCard, profile: Profile | None = None, *, lang: str = "en") -> Figure:
    """Every metric of a score card, in percent; lower-is-better metrics marked with ↓.

    With the ``profile`` the metrics are named by their titles, otherwise by their ids.
    """
    metrics: Sequence[Metric] | None = profile.metrics if profile is not None else None
    ids = [m.id for m in metrics] if metrics else list(card.values)
    names = [metric_name(m, lang) for m in metrics] if metrics else ids
    lower = {m.id for m in metrics if m.direction < 0} if metrics else set()
    labels = [f"{name} ↓" if mid in lower else name for mid, name in zip(ids, names, strict=True)]
    values = [None if card.values[m] is None else 100 * card.values[m] for m in ids]  # type: ignore[operator]
    colours = [DARK if m == card.headline else ORANGE if m in lower else BLUE for m in ids]
    with _style():
        return _bars(
            labels,
            values,
            [percent(card.values[m], lang) for m in ids],
            title=f"{card.name} ({card.municipality})",
            axis=text("percent_axis", lang),
            colours=colours,
            lang=lang,
        )


def ladder(distribution: LadderDistribution, *, lang: str = "en") -> Figure:
    """The number of a municipality's products at each level of the ladder, and unknown."""
    labels = [level_name(k, lang) for k in range(len(distribution.levels))]
    counts = [*distribution.levels, distribution.unknown]
    colours = [BLUE] * len(distribution.levels) + [GREY]
    with _style():
        return _bars(
            [*labels, text("unknown", lang)],
            [float(n) for n in counts],
            [str(n) for n in counts],
            title=text("ladder", lang),
            axis=text("products", lang),
            limit=None,
            colours=colours,
            integer=True,
            lang=lang,
        )


def contributions(
    decomposition: Decomposition | Sequence[Part], *, top: int = 10, lang: str = "en"
) -> Figure:
    """The largest contributions of products to a value (EXP-1), the rest as one bar."""
    parts = (
        largest_parts(decomposition, top)
        if isinstance(decomposition, Decomposition)
        else tuple(decomposition)
    )
    labels = [p.label if p.uri else text("others", lang, count=p.count) for p in parts]
    with _style():
        return _bars(
            labels,
            [100 * p.value for p in parts],
            [points(p.value, lang) for p in parts],
            title=text("parts", lang),
            axis=text("points_axis", lang),
            limit=None,
            colours=[BLUE if p.uri else GREY for p in parts],
            lang=lang,
        )


def authentication(summary: AuthenticationSummary, *, lang: str = "en") -> Figure:
    """How many products' authentication fits, asks too much, asks too little, or is unknown."""
    keys = ("match", "barrier", "shortfall", "unrecorded")
    counts = [summary.match, summary.barrier, summary.shortfall, summary.unrecorded]
    with _style():
        return _bars(
            [text(f"auth.{k}", lang) for k in keys],
            [float(n) for n in counts],
            [str(n) for n in counts],
            title=text("auth", lang),
            axis=text("products", lang),
            limit=None,
            colours=[GREEN, ORANGE, RED, GREY],
            integer=True,
            lang=lang,
        )


def priorities(ranked: Sequence[Priority], *, top: int = 10, lang: str = "en") -> Figure:
    """The gain of the score of each of the ``top`` best steps (EXP-3), in percentage points."""
    shown = list(ranked[:top])
    with _style():
        return _bars(
            [p.name for p in shown],
            [100 * p.gain for p in shown],
            [points(p.gain, lang, sign=True) for p in shown],
            title=text("next", lang),
            axis=text("points_axis", lang),
            limit=None,
            lang=lang,
        )


def peers(
    comparison: Comparison, code: str, metric: str | None = None, *, lang: str = "en"
) -> Figure:
    """The members' values of a metric in each group of a municipality, it and the median marked."""
    metric_id = metric or comparison.board.profile.headline
    board = comparison.board
    index = board.dataset.index_of(code)
    values = board.results[metric_id].value
    groups = comparison.groups_of(code)
    labels = [_short(group_label(comparison, g, lang, short=True), 40) for g in groups]
    rows = len(groups)
    height = 1.45 + 0.45 * rows
    widest = max(len(label) for label in labels)
    left = min(0.45, 0.03 + widest * _CHAR_INCHES / WIDTH)
    present = set(board.dataset.codes)
    with _style():
        figure = Figure(figsize=(WIDTH, height), dpi=100)
        ax = figure.add_axes((left, 0.85 / height, 0.95 - left, 1 - 1.25 / height))
        for row, group in enumerate(groups):
            y = rows - 1 - row
            members = [board.dataset.index_of(c) for c in group.members if c in present]
            xs = [100 * float(values[i]) for i in members if not math.isnan(values[i])]
            offsets = [((k % 5) - 2) * 0.07 for k in range(len(xs))]
            ax.scatter(xs, [y + o for o in offsets], s=9, color=GREY, alpha=0.6, linewidths=0)
            median = comparison.statistics(group.name, metric_id).median
            if median is not None:
                ax.plot([100 * median] * 2, [y - 0.3, y + 0.3], color="black", linewidth=1.5)
            own = float(values[index])
            if not math.isnan(own):
                ax.scatter([100 * own], [y], s=60, marker="D", color=ORANGE, zorder=3)
        ax.set_xlim(-2, 102)
        ax.set_ylim(-0.6, rows - 0.4)
        _row_labels(ax, list(range(rows - 1, -1, -1)), labels)
        _value_axis(ax, text("percent_axis", lang), lang)
        name = board.dataset.municipalities[index].name
        metric_title = metric_name(board.results[metric_id].metric, lang)
        ax.set_title(_short(f"{metric_title}: {name}", 70))
        handles = [
            ax.scatter([], [], s=60, marker="D", color=ORANGE, label=text("this", lang)),
            ax.scatter([], [], s=9, color=GREY, label=text("members", lang)),
            ax.plot([], [], color="black", label=text("median", lang))[0],
        ]
        figure.legend(
            handles=handles,
            loc="lower center",
            bbox_to_anchor=(0.5, 0.0),
            ncols=3,
            frameon=False,
            fontsize=8,
        )
        return figure


def intervals(
    result: UncertaintyResult, code: str, profile: Profile | None = None, *, lang: str = "en"
) -> Figure:
    """A municipality's metrics over the samples of an uncertainty analysis (UNC-7): for
    each metric a bar from the 5 % to the 95 % quantile of its value, and a dot at the
    value as the profile declares it; lower-is-better metrics marked with ↓.

    With the ``profile`` the metrics are named by their titles, otherwise by their ids.
    """
    by_id = {m.id: m for m in profile.metrics} if profile is not None else {}
    ids = list(result.metrics)
    spreads = [result.spread(m, code) for m in ids]
    names = [metric_name(by_id[m], lang) if m in by_id else m for m in ids]
    labels = [
        _short(f"{name} ↓" if m in by_id and by_id[m].direction < 0 else name)
        for m, name in zip(ids, names, strict=True)
    ]
    rows = len(ids)
    height = 1.3 + 0.32 * rows
    widest = max((len(label) for label in labels), default=1)
    left = min(0.45, 0.03 + widest * _CHAR_INCHES / WIDTH)
    with _style():
        figure = Figure(figsize=(WIDTH, height), dpi=100)
        ax = figure.add_axes((left, 0.75 / height, 0.95 - left, 1 - 1.15 / height))
        for row, s in enumerate(spreads):
            y = rows - 1 - row
            if s.low is not None and s.high is not None:
                ax.plot([100 * s.low, 100 * s.high], [y, y], color=BLUE, linewidth=6, alpha=0.6)
            if s.nominal is not None:
                ax.scatter([100 * s.nominal], [y], s=30, color=DARK, zorder=3)
        ax.set_xlim(-2, 102)
        ax.set_ylim(-0.6, rows - 0.4)
        _row_labels(ax, list(range(rows - 1, -1, -1)), labels)
        _value_axis(ax, text("percent_axis", lang), lang)
        handles = [
            ax.plot([], [], color=BLUE, linewidth=6, alpha=0.6, label=text("unc.band", lang))[0],
            ax.scatter([], [], s=30, color=DARK, label=text("unc.declared", lang)),
        ]
        figure.legend(
            handles=handles,
            loc="lower center",
            bbox_to_anchor=(0.5, 0.0),
            ncols=2,
            frameon=False,
            fontsize=8,
        )
        return figure


def trend(
    trend: Trend, code: str, metrics: Sequence[str] | None = None, *, lang: str = "en"
) -> Figure:
    """A municipality's values of ``metrics`` (default: the headline) in every reference year.

    Each metric has its own colour and marker; the headline is the thick dark line. A year
    in which the value is undefined or the municipality absent is a gap in its line.
    """
    chosen = list(metrics) if metrics else [trend.headline]
    years = [y.year for y in trend.years]
    known = _metrics(trend)
    with _style():
        figure = Figure(figsize=(WIDTH, 3.0), dpi=100)
        ax = figure.add_axes((0.09, 0.16, 0.5, 0.72))
        others = 0
        for metric in chosen:
            ys = [
                math.nan if p.value is None else 100 * p.value for p in trend.series(code, metric)
            ]
            headline = metric == trend.headline
            colour = DARK if headline else _SERIES[others % len(_SERIES)]
            marker = "o" if headline else _MARKERS[others % len(_MARKERS)]
            others += 0 if headline else 1
            name = metric_name(known[metric], lang) if metric in known else metric
            ax.plot(
                years,
                ys,
                marker=marker,
                color=colour,
                linewidth=2.4 if headline else 1.3,
                label=_short(name, 30),
            )
        ax.set_xticks(years, [str(y) for y in years])
        ax.set_xlim(years[0] - 0.3, years[-1] + 0.3)
        ax.set_ylim(0, 100)
        ax.set_ylabel(text("percent_axis", lang))
        ax.set_title(_short(text("trend", lang), 70))
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, fontsize=8)
        return figure


# Colours and markers of the lines of a trend besides the headline: the Okabe-Ito palette,
# told apart also without colour vision, and a different marker for each.
_SERIES: Final = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00")
_MARKERS: Final = ("s", "^", "v", "D", "P", "X")


def _metrics(trend: Trend) -> dict[str, Metric]:
    out: dict[str, Metric] = {}
    for year in trend.years:
        if year.board is not None:
            out.update({m.id: m for m in year.board.profile.metrics})
    return out


_ID = re.compile(r'\bid="([^"]+)"')
_SPACE = re.compile(r"\s*\n\s*")
_BETWEEN = re.compile(r">\s+<")
_NO_TURN = re.compile(r' transform="rotate\(-?0 [0-9.e+-]+ [0-9.e+-]+\)"')


def _compact(text: str) -> str:
    """The ``<svg>`` element without the XML prolog, line breaks, and ids nothing refers to.

    matplotlib names every group (``figure_1``, ``patch_3``); only the ids that a
    ``href`` or ``url()`` points at are needed. Texts from data hold no line breaks
    (:func:`_short` folds them), so folding white space changes no text shown.
    """
    text = text[text.index("<svg") :]
    used = {m.group(2) for m in _REFERENCE.finditer(text)}
    text = _ID.sub(lambda m: m.group(0) if m.group(1) in used else "", text)
    text = _NO_TURN.sub("", _BETWEEN.sub("><", _SPACE.sub(" ", text)))
    return text.replace(" >", ">").strip() + "\n"


_REFERENCE = re.compile(r'(href="#|url\(#)([^")]+)')


def svg(
    figure: Figure,
    *,
    id_prefix: str | None = None,
    title: str | None = None,
    description: str | None = None,
) -> str:
    """The figure as an SVG element, deterministic: the same figure gives the same text.

    Ids get ``id_prefix`` (so that several charts can be inlined in one HTML page); with
    a ``title`` the element gets ``role="img"``, a ``<title>`` and an optional ``<desc>``,
    which screen readers read out. The titles are escaped here.
    """
    buffer = io.StringIO()
    with _style():
        figure.savefig(
            buffer,
            format="svg",
            metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
        )
    out = _compact(buffer.getvalue())
    if id_prefix:
        out = _ID.sub(lambda m: f'id="{id_prefix}-{m.group(1)}"', out)
        out = _REFERENCE.sub(lambda m: f"{m.group(1)}{id_prefix}-{m.group(2)}", out)
    if title is not None:
        from digimaat.analysis.report import escape

        key = id_prefix or "chart"
        labelled = f"{key}-title" + (f" {key}-desc" if description else "")
        opening_end = out.index(">") + 1
        head = out[: opening_end - 1] + f' role="img" aria-labelledby="{labelled}">'
        inner = f'<title id="{key}-title">{escape(title)}</title>'
        if description:
            inner += f'<desc id="{key}-desc">{escape(description)}</desc>'
        out = head + inner + out[opening_end:]
    return out


guard(__name__)
