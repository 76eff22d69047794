"""Charts (``digimaat.plot``): matplotlib figures for notebooks, deterministic SVG for reports."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import resources

import pytest
from matplotlib import _pylab_helpers
from matplotlib.figure import Figure

from digimaat import plot
from digimaat.analysis.peers import compare
from digimaat.analysis.summary import (
    authentication_summary,
    ladder_distribution,
    largest_parts,
)
from digimaat.analysis.trends import read_years, trend
from digimaat.measurement.dataset import Dataset
from digimaat.measurement.explain import decompose, priorities
from digimaat.measurement.profiles import standard_profile
from digimaat.vocabulary.municipalities import Municipality
from digimaat.vocabulary.offerings import Offering
from digimaat.vocabulary.products import Catalogue, Product

DATA = resources.files("digimaat.data")
YEARS = read_years([str(DATA.joinpath("example-2023.json")), str(DATA.joinpath("example.json"))])
DS = YEARS[2024].dataset
PROFILE = standard_profile()
BOARD = PROFILE.score(DS)


def every_chart(code: str = "GM0556", lang: str = "en") -> dict[str, Figure]:
    return {
        "card": plot.score_card(BOARD.card(code), PROFILE, lang=lang),
        "ladder": plot.ladder(ladder_distribution(DS, code), lang=lang),
        "parts": plot.contributions(decompose(BOARD, code), lang=lang),
        "auth": plot.authentication(authentication_summary(DS, code), lang=lang),
        "next": plot.priorities(priorities(DS, PROFILE, code), lang=lang),
        "peers": plot.peers(compare(BOARD), code, lang=lang),
        "trend": plot.trend(trend(YEARS, PROFILE), code, lang=lang),
    }


def test_every_chart_is_a_figure_not_kept_by_pyplot() -> None:
    """The API returns figures for a notebook; pyplot neither shows nor keeps them."""
    charts = every_chart()
    assert all(isinstance(f, Figure) and f.axes for f in charts.values())
    assert _pylab_helpers.Gcf.get_num_fig_managers() == 0


def test_svg_is_deterministic() -> None:
    """The same chart gives the same SVG text: fixed hash salt, no date in the metadata."""
    first = {k: plot.svg(f, id_prefix=k) for k, f in every_chart().items()}
    second = {k: plot.svg(f, id_prefix=k) for k, f in every_chart().items()}
    assert first == second
    for text in first.values():
        assert text.startswith("<svg")
        assert "<dc:date" not in text
        assert not re.search(r"20[0-9]{2}-[0-9]{2}-[0-9]{2}", text)


def test_svg_in_a_fresh_process_is_the_same() -> None:
    """Determinism across processes (hash salt fixed, not random per process)."""
    code = (
        "from digimaat import plot\n"
        "from digimaat.analysis.summary import ladder_distribution\n"
        "from digimaat.exchange import load_dataset\n"
        "from importlib import resources\n"
        "ds = load_dataset(str(resources.files('digimaat.data').joinpath('example.json')))\n"
        "print(plot.svg(plot.ladder(ladder_distribution(ds, 'GM0622')), id_prefix='x'), end='')"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out == plot.svg(plot.ladder(ladder_distribution(DS, "GM0622")), id_prefix="x")


def test_svg_ids_are_prefixed_unique_and_resolve() -> None:
    """Charts inline in one page: every id has the prefix, every reference resolves."""
    text = plot.svg(every_chart()["peers"], id_prefix="GM0556-peers", title="Peers")
    ids = re.findall(r'\bid="([^"]+)"', text)
    assert ids
    assert len(ids) == len(set(ids))
    assert all(i.startswith("GM0556-peers-") for i in ids)
    for reference in re.findall(r'(?:href="#|url\(#)([^")]+)', text):
        assert reference in ids
    assert 'role="img"' in text
    assert 'aria-labelledby="GM0556-peers-title"' in text


def test_text_from_data_is_plain_text_in_charts() -> None:
    """A ``$`` in a name is a dollar sign (no mathematical notation); markup is escaped."""
    product = Product(uri="urn:example:x", name="costs $x^2$ & <b>more</b>")
    ds = Dataset.from_offerings(
        [Offering("GM0001", product.uri, capabilities=["information-online"])],
        [Municipality("GM0001", "$\\alpha$ & Co", 1000, 2024)],
        Catalogue((product,)),
    )
    board = PROFILE.score(ds)
    card = plot.svg(plot.score_card(board.card("GM0001"), PROFILE), title="<t>", description="d&")
    assert "$\\alpha$ &amp; Co" in card
    assert '<title id="chart-title">&lt;t&gt;</title>' in card
    parts = plot.svg(plot.contributions(decompose(board, "GM0001")))
    assert "costs $x^2$ &amp; &lt;b&gt;more&lt;/b&gt;" in parts


def test_long_names_are_shortened_and_the_rest_is_one_bar() -> None:
    parts = largest_parts(decompose(BOARD, "GM0622"), top=2)
    assert parts[-1].uri is None
    assert parts[-1].count == len(decompose(BOARD, "GM0622").items) - 2
    text = plot.svg(plot.contributions(parts, lang="nl"))
    assert f"{parts[-1].count} andere producten" in text


def test_dutch_axes_use_a_decimal_comma() -> None:
    text = plot.svg(plot.contributions(decompose(BOARD, "GM0556"), lang="nl"))
    assert re.search(r">[0-9]+,[0-9]+<", text)
    assert ">2.5<" not in text


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_charts_have_their_titles_in_the_language(lang: str) -> None:
    titles = {"nl": "Wat elk product bijdraagt", "en": "What each product contributes"}
    assert titles[lang] in plot.svg(every_chart(lang=lang)["parts"])


def test_the_report_module_does_not_need_matplotlib_to_import() -> None:
    """matplotlib is an optional extra: the analysis layer imports it only to draw."""
    code = "import sys, digimaat.analysis.report; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
