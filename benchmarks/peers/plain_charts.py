"""The report's charts drawn with plain matplotlib calls: the peer of the report benchmark.

For one municipality it draws what the report draws, the way a first script would: pyplot
figures with ``subplots``, bars with their labels as tick labels, values beside the bars,
``tight_layout``, and SVG written by ``savefig``. It takes its numbers from digimaat's API
(the point is the drawing, not the scoring) and writes no HTML, so the report's time over
this peer's is the cost of digimaat's page around the same charts.
"""

from __future__ import annotations

import io
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from digimaat.analysis.peers import Comparison
from digimaat.analysis.summary import authentication_summary, ladder_distribution
from digimaat.measurement.explain import decompose, priorities
from digimaat.measurement.profiles import Profile, ScoreBoard

__all__ = ["charts"]


def _bars(labels: list[str], values: list[float], title: str) -> str:
    fig, ax = plt.subplots(figsize=(6.4, 0.95 + 0.27 * max(len(labels), 1)))
    ys = list(range(len(labels)))[::-1]
    ax.barh(ys, values)
    ax.set_yticks(ys, labels)
    for y, v in zip(ys, values, strict=True):
        ax.text(v, y, f"{v:.1f}", va="center")
    ax.set_title(title)
    fig.tight_layout()
    out = io.StringIO()
    fig.savefig(out, format="svg")
    plt.close(fig)
    return out.getvalue()


def charts(board: ScoreBoard, profile: Profile, comparison: Comparison, code: str) -> list[str]:
    """The six charts of a municipality's part of the report, as SVG texts."""
    ds = board.dataset
    card = board.card(code)
    out = [
        _bars(
            [m.title for m in profile.metrics],
            [100 * (card.values[m.id] or 0.0) for m in profile.metrics],
            card.name,
        )
    ]
    ladder = ladder_distribution(ds, code)
    out.append(
        _bars([str(k) for k in range(7)] + ["?"], [*ladder.levels, ladder.unknown], "ladder")
    )
    parts = decompose(board, code).items[:10]
    out.append(_bars([p.name for p in parts], [100 * p.contribution for p in parts], "parts"))
    auth = authentication_summary(ds, code)
    counts = [auth.match, auth.barrier, auth.shortfall, auth.unrecorded]
    out.append(_bars(["fit", "barrier", "shortfall", "unrecorded"], counts, "authentication"))
    steps = priorities(ds, profile, code)[:10]
    out.append(_bars([p.name for p in steps], [100 * p.gain for p in steps], "next"))
    fig, ax = plt.subplots(figsize=(6.4, 2.5))
    values = board.headline.value
    for row, group in enumerate(comparison.groups_of(code)):
        xs: list[Any] = [100 * values[ds.index_of(c)] for c in group.members]
        ax.scatter(xs, [row] * len(xs), s=9)
    fig.tight_layout()
    svg = io.StringIO()
    fig.savefig(svg, format="svg")
    plt.close(fig)
    out.append(svg.getvalue())
    return out
