"""The HTML report in a real browser: headless Chromium driven by Playwright (CMP-12).

The tests open the report of the worked example (two reference years) and of a synthetic
national file, and check that each page loads without console errors and without a single
request leaving the file, that every chart is visible with a size, that the numbers shown
are the score cards' (as the Python API computes them), and that the page prints to PDF
with each municipality on its own pages. Screenshots and the PDF are kept in
``tests/artifacts/`` (git-ignored); their paths are printed at the end of the run.

The browser is Debian's ``chromium`` package (``/usr/bin/chromium``, or the path in
``DIGIMAAT_CHROMIUM``); Playwright's own browser downloads are never used. ``.ci/run``
installs the package on a fresh machine. Where no browser can be installed the tests skip
with the reason, except under CI (the ``CI`` environment variable set), where a missing
browser fails them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from digimaat.analysis.peers import compare
from digimaat.analysis.report import percent, render_report
from digimaat.analysis.trends import read_years
from digimaat.exchange import Submission, dumps
from digimaat.measurement.profiles import standard_profile

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("DIGIMAAT_CHROMIUM", "/usr/bin/chromium"))
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
DATA = resources.files("digimaat.data")
EXAMPLE = str(DATA.joinpath("example.json"))
EXAMPLE_2023 = str(DATA.joinpath("example-2023.json"))
NATIONAL_SHOWN = ("GM0001", "GM0175", "GM0350")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must have a browser (.ci/run installs Debian's chromium)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A persistent Chromium context with a fresh user-data directory."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (it comes with the dev extra)")
    if not CHROMIUM.exists():
        _unavailable(f"no Chromium at {CHROMIUM}: install Debian's chromium package")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=list(FLAGS),
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


class Visit:
    """A page opened from a file, with every console error and outside request recorded."""

    def __init__(self, context: Any, path: Path) -> None:
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.page = context.new_page()
        self.page.set_default_timeout(120_000)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        self.page.route("**/*", self._route)
        self.page.goto(path.as_uri(), wait_until="load")

    def _console(self, message: Any) -> None:
        if message.type in ("error", "warning"):
            self.errors.append(f"console {message.type}: {message.text}")

    def _route(self, route: Any) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def cells(self, table: str) -> dict[str, list[tuple[str, str]]]:
        """Each row of a table by its key: the cells' (data-value, text as shown)."""
        rows: dict[str, list[list[str]]] = self.page.evaluate(
            """(id) => Object.fromEntries([...document.getElementById(id).querySelectorAll(
                   'tr[data-key]')].map(tr => [tr.dataset.key, [...tr.querySelectorAll('td')]
                   .map(td => [td.dataset.value ?? '', td.innerText.trim()])]))""",
            table,
        )
        return {key: [(v, t) for v, t in cells] for key, cells in rows.items()}


def exact(value: float | None) -> str:
    return "" if value is None else repr(value)


def check_page(visit: Visit, charts: int) -> None:
    """No console error, no request outside the file, every chart visible with a size."""
    assert visit.errors == []
    assert visit.outside == []
    figures = visit.page.locator("figure.chart svg")
    assert figures.count() == charts
    for k in range(charts):
        chart = figures.nth(k)
        chart.scroll_into_view_if_needed()
        assert chart.is_visible()
        box = chart.bounding_box()
        assert box is not None
        assert box["width"] > 100
        assert box["height"] > 50
    assert visit.page.evaluate("document.querySelectorAll('script').length") == 0


def check_numbers(visit: Visit, years: Any, codes: tuple[str, ...], lang: str) -> None:
    """The numbers shown are the score cards' (Python API), in every table that shows them."""
    board = standard_profile().score(years[max(years)].dataset)
    comparison = compare(board)
    for code in codes:
        card = board.card(code)
        shown = visit.cells(f"{code}-card-table")
        assert set(shown) == set(card.values)
        for metric, value in card.values.items():
            assert shown[metric][0] == (exact(value), percent(value, lang))
            assert shown[metric][1] == (
                exact(card.coverage[metric]),
                percent(card.coverage[metric], lang),
            )
        among_all = visit.cells(f"{code}-peers-table")
        for place in comparison.place(code):
            if place.group.kind == "all":
                assert among_all[f"all|{place.metric}"][0] == shown[place.metric][0]
                assert among_all[f"all|{place.metric}"][3][1].startswith(str(place.position.rank))
        if len(years) > 1:
            trend = visit.cells(f"{code}-trend-table")
            for metric in card.values:
                assert trend[metric][-1] == shown[metric][0]


def pdf_pages(data: bytes) -> int:
    return data.count(b"/Type /Page") - data.count(b"/Type /Pages")


def test_the_worked_example_in_chromium(
    browser: Any, tmp_path: Path, artifact: Callable[[str], Path]
) -> None:
    """The report of the worked example over 2023 and 2024, in Dutch."""
    years = read_years([EXAMPLE_2023, EXAMPLE])
    path = tmp_path / "example.html"
    path.write_text(render_report(years, standard_profile(), lang="nl"), encoding="utf-8")
    visit = Visit(browser, path)
    check_page(visit, charts=3 * 7)
    check_numbers(visit, years, ("GM0556", "GM0606", "GM0622"), "nl")
    visit.page.screenshot(path=str(artifact("report-example.png")), full_page=True)
    pdf = visit.page.pdf(path=str(artifact("report-example.pdf")), format="A4")
    assert pdf.startswith(b"%PDF")
    assert pdf_pages(pdf) >= 3 + 1  # the head, then each municipality on a page of its own
    visit.page.close()


@pytest.fixture(scope="module")
def national_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic national file (350 municipalities), written with the exchange writer."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import generate
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    data = generate.national(n_products=120)
    submission = Submission.build(
        data.municipalities,
        data.offerings(),
        reference_year=2024,
        source="Synthetic national data (benchmarks/generate.py), for the browser test.",
    )
    path = tmp_path_factory.mktemp("national") / "national.json"
    path.write_text(dumps(submission), encoding="utf-8")
    return path


def test_a_national_file_in_chromium(
    browser: Any, national_file: Path, tmp_path: Path, artifact: Callable[[str], Path]
) -> None:
    """The report of three municipalities of a national file, compared among all 350."""
    years = read_years([national_file])
    path = tmp_path / "national.html"
    page = render_report(years, standard_profile(), municipalities=NATIONAL_SHOWN, lang="en")
    path.write_text(page, encoding="utf-8")
    visit = Visit(browser, path)
    check_page(visit, charts=len(NATIONAL_SHOWN) * 6)
    check_numbers(visit, years, NATIONAL_SHOWN, "en")
    groups = visit.page.locator("tbody[data-group='all'] th[scope='rowgroup']")
    assert "350" in groups.first.inner_text()
    visit.page.screenshot(path=str(artifact("report-national.png")), full_page=True)
    visit.page.close()


def test_a_report_with_rank_intervals_in_chromium(
    browser: Any, tmp_path: Path, artifact: Callable[[str], Path]
) -> None:
    """The worked example with rank intervals (UNC-7, UNC-7.3, UNC-8), in Dutch: each
    municipality has the chart of its intervals with their numbers beside it, the numbers
    are the analysis's, and every rank among peers has its rank interval beside it."""
    from digimaat.analysis.uncertainty import analyse
    from digimaat.exchange.profiles import load_profile

    profile = load_profile(ROOT / "specs" / "examples" / "profile-uncertainty.toml")
    years = read_years([EXAMPLE_2023, EXAMPLE])
    page = render_report(
        years, profile, lang="nl", samples=90, seed=4, pairs=[("GM0606", "GM0622")]
    )
    path = tmp_path / "intervals.html"
    path.write_text(page, encoding="utf-8")
    visit = Visit(browser, path)
    check_page(visit, charts=3 * 8)
    check_numbers(visit, years, ("GM0556", "GM0606", "GM0622"), "nl")
    ds = years[max(years)].dataset
    result = analyse(
        ds,
        profile,
        samples=90,
        seed=4,
        metrics=[m.id for m in profile.metrics],
        pairs=[("GM0606", "GM0622")],
        within={"size class 5": ["GM0606", "GM0622"]},
    )
    for code in ("GM0556", "GM0606", "GM0622"):
        shown = visit.cells(f"{code}-unc-table")
        assert set(shown) == {m.id for m in profile.metrics}
        for metric, cells in shown.items():
            s = result.spread(metric, code)
            assert cells[0] == (exact(s.nominal), percent(s.nominal, "nl"))
            assert cells[1][0] == exact(s.low)
            assert cells[2][0] == exact(s.high)
            span = f"{s.rank_low}" if s.rank_low == s.rank_high else f"{s.rank_low}–{s.rank_high}"
            assert cells[5][1] == span
        peers = visit.cells(f"{code}-peers-table")
        for metric in ("digimaat-score", "maturity"):
            s = result.spread(metric, code)
            span = f"{s.rank_low}" if s.rank_low == s.rank_high else f"{s.rank_low}–{s.rank_high}"
            assert peers[f"all|{metric}"][4][1] == span
    within = result.rank_within("size class 5", "digimaat-score", "GM0622")
    assert within is not None
    cell = visit.page.locator(
        "#GM0622-peers-table tr[data-key='size class 5|digimaat-score'] td[data-low]"
    )
    assert cell.get_attribute("data-low") == str(within.rank_low)
    assert cell.get_attribute("data-high") == str(within.rank_high)
    pairs = visit.cells("GM0606-unc-pairs-table")
    probability = next(p for p in result.pairs if p.metric == "digimaat-score").probability
    assert pairs["digimaat-score|GM0606|GM0622"][2][0] == exact(probability)
    assert "Onzekerheidsanalyse" in visit.page.inner_text("dl.about")
    visit.page.screenshot(path=str(artifact("report-intervals.png")), full_page=True)
    visit.page.close()
