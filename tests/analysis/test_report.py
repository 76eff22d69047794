"""The HTML report (CMP-12): self-contained, its numbers equal to the API's, data escaped.

The browser tests (``test_browser.py``) open the same reports in Chromium; these tests read
the HTML itself.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import attrs
import pytest

from digimaat.analysis.peers import compare, peer_groups_from_mapping, size_class_groups
from digimaat.analysis.report import (
    LANGUAGES,
    MESSAGES,
    count,
    percent,
    percentile,
    points,
    render_report,
    text,
)
from digimaat.analysis.trends import YearData, read_years
from digimaat.errors import InputError, InvalidValueError, MeasurementError
from digimaat.measurement.dataset import Dataset
from digimaat.measurement.explain import decompose, priorities
from digimaat.measurement.profiles import Profile, builtin_profile, standard_profile
from digimaat.vocabulary.municipalities import Municipality
from digimaat.vocabulary.offerings import Offering
from digimaat.vocabulary.products import Catalogue, Product

DATA = resources.files("digimaat.data")
EXAMPLE = str(DATA.joinpath("example.json"))
EXAMPLE_2023 = str(DATA.joinpath("example-2023.json"))
SOURCES = sorted((Path(__file__).resolve().parents[2] / "src" / "digimaat").rglob("*.py"))


class Cells(HTMLParser):
    """Every table cell of a page: (table id, row key, cell index) -> (data-value, text)."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[tuple[str, str, int], tuple[str | None, str]] = {}
        self.attributes: list[tuple[str, str, str]] = []
        self.tags: list[str] = []
        self._table = self._row = ""
        self._index = 0
        self._cell: tuple[str | None] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append(tag)
        for name, value in attrs:
            self.attributes.append((tag, name, value or ""))
        if tag == "table":
            self._table = found.get("id") or ""
        elif tag == "tr":
            self._row, self._index = found.get("data-key") or "", 0
        elif tag == "td":
            self._cell, self._text = (found.get("data-value"),), []

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.cells[(self._table, self._row, self._index)] = (self._cell[0], "".join(self._text))
            self._index += 1
            self._cell = None


def cells(page: str) -> Cells:
    parser = Cells()
    parser.feed(page)
    return parser


def exact(value: float | None) -> str:
    return "" if value is None or math.isnan(value) else repr(float(value))


@functools.cache
def example_page(lang: str = "en", *, years: bool = False) -> str:
    paths = [EXAMPLE_2023, EXAMPLE] if years else [EXAMPLE]
    return render_report(read_years(paths), standard_profile(), lang=lang)


# ---------------------------------------------------------------------- CMP-12
@pytest.mark.parametrize("lang", LANGUAGES)
def test_cmp_12_the_page_is_self_contained(lang: str) -> None:
    """No script, nothing fetched: no src, links only within the page, styles inline."""
    page = example_page(lang, years=True)
    parsed = cells(page)
    assert "script" not in parsed.tags
    assert not [a for a in parsed.attributes if a[1] in ("src", "srcset", "action", "formaction")]
    links = [value for tag, name, value in parsed.attributes if name in ("href", "xlink:href")]
    assert links
    assert all(link.startswith("#") for link in links)
    assert "<link" not in page
    assert "@import" not in page
    assert re.findall(r"url\((?!#)", page) == []
    assert f'<html lang="{lang}">' in page


def test_cmp_12_every_metric_of_the_score_card_as_the_api_gives_it() -> None:
    """CMP-12: the score card with every metric; the numbers shown are the API's, rounded for
    display only, the exact value carried along."""
    page = example_page()
    found = cells(page).cells
    board = standard_profile().score(read_years([EXAMPLE])[2024].dataset)
    for card in board.cards():
        for metric, value in card.values.items():
            shown = found[(f"{card.municipality}-card-table", metric, 0)]
            assert shown == (exact(value), percent(value, "en"))
            cover = card.coverage[metric]
            assert found[(f"{card.municipality}-card-table", metric, 1)] == (
                exact(cover),
                percent(cover, "en"),
            )
        assert card.fingerprint in page
        assert card.spec_version in page


def test_cmp_12_the_tables_of_the_charts_hold_the_apis_numbers() -> None:
    """Each chart's table: contributions, priorities and peers equal what the API computes."""
    profile = standard_profile()
    ds = read_years([EXAMPLE])[2024].dataset
    board = profile.score(ds)
    found = cells(render_report({2024: ds}, profile, lang="nl")).cells
    comparison = compare(board, size_class_groups(board), year=2024)
    for code in ds.codes:
        parts = decompose(board, code)
        assert found[(f"{code}-parts-table", "total", 0)] == (
            exact(parts.total),
            points(parts.total, "nl"),
        )
        for item in parts.items[:10]:
            assert found[(f"{code}-parts-table", item.uri, 0)][0] == exact(item.contribution)
        for step in priorities(ds, profile, code)[:10]:
            gain = found[(f"{code}-next-table", step.uri, 0)]
            assert gain == (exact(step.gain), points(step.gain, "nl", sign=True))
            assert found[(f"{code}-next-table", step.uri, 3)][1] == count(step.requests, "nl")
        for place in comparison.place(code):
            key = f"{place.group.name}|{place.metric}"
            row = [found[(f"{code}-peers-table", key, k)] for k in range(5)]
            assert row[0][0] == exact(place.value)
            assert row[1][0] == exact(place.statistics.mean)
            assert row[2][0] == exact(place.statistics.median)
            assert row[3][0] == ("" if place.position.rank is None else str(place.position.rank))
            assert row[4] == (
                exact(place.position.percentile),
                percentile(place.position.percentile, "nl"),
            )


def test_cmp_12_undefined_is_shown_as_not_defined() -> None:
    """CMP-12: an undefined value is shown as not defined, never as 0."""
    found = cells(example_page("nl")).cells
    # Schiedam's success ratio is defined, Vlaardingen's authentication fit too; the
    # authentication fit of a municipality without products online is not: build one.
    assert found[("GM0622-card-table", "authentication-fit", 0)][1] != text("na", "nl")
    ds = Dataset.from_offerings(
        [Offering("GM0001", "http://standaarden.overheid.nl/owms/terms/paspoort")],
        [Municipality("GM0001", "Nergens", 1000, 2024)],
    )
    page = cells(render_report({2024: ds}, standard_profile(), lang="nl")).cells
    assert page[("GM0001-card-table", "authentication-fit", 0)] == ("", "n.v.t.")


def test_cmp_12_text_from_data_is_escaped() -> None:
    """CMP-12: data MUST NOT be able to add markup or scripts to a report."""
    evil = '<script>alert("x")</script>'
    product = Product(uri="urn:example:evil", name=f'<img src=x onerror="{evil}">')
    ds = Dataset.from_offerings(
        [Offering("GM0001", product.uri, capabilities=["information-online"])],
        [Municipality("GM0001", f"{evil} & Co", 1000, 2024)],
        Catalogue((product,)),
    )
    peers = peer_groups_from_mapping({f"</table>{evil}": ["GM0001"]})
    page = render_report({2024: YearData(2024, ds)}, standard_profile(), peers=peers)
    parsed = cells(page)
    assert "script" not in parsed.tags
    assert "img" not in parsed.tags
    assert "&lt;script&gt;" in page
    assert not [a for a in parsed.attributes if a[1].startswith("on")]


def test_cmp_12_trend_and_change_with_several_years() -> None:
    """With several reference years each municipality shows its trend and what changed."""
    one, two = example_page(), example_page(years=True)
    assert 'id="GM0622-trend"' not in one
    assert 'id="GM0622-trend"' in two
    found = cells(two).cells
    series = read_years([EXAMPLE_2023, EXAMPLE])
    board_2023 = standard_profile().score(series[2023].dataset)
    value = board_2023.card("GM0622").score
    assert found[("GM0622-trend-table", "digimaat-score", 0)] == (
        exact(value),
        percent(value, "en"),
    )
    assert ("GM0622-change-table", "http://standaarden.overheid.nl/owms/terms/bezafspr", 3) in found


def test_the_report_is_deterministic() -> None:
    """The same input gives the same page, byte for byte (no dates, fixed SVG ids)."""
    again = render_report(read_years([EXAMPLE_2023, EXAMPLE]), standard_profile(), lang="nl")
    assert again == example_page("nl", years=True)


def test_report_arguments_are_checked() -> None:
    years = read_years([EXAMPLE])
    with pytest.raises(InvalidValueError, match="lang"):
        render_report(years, standard_profile(), lang="de")
    with pytest.raises(InputError, match="GM9999"):
        render_report(years, standard_profile(), municipalities=["GM9999"])
    with pytest.raises(InvalidValueError):
        render_report({}, standard_profile())


def test_any_profile_can_be_reported() -> None:
    page = render_report(read_years([EXAMPLE]), builtin_profile("mdd-product"), lang="nl")
    assert "mdd-product" in page
    assert "MDD-productvolwassenheid" in page


def test_register_year_and_file_peers_are_stated() -> None:
    peers = peer_groups_from_mapping({"Waterweg": ["GM0556", "GM0606", "GM0622"]}, "waterweg.json")
    page = render_report(read_years([EXAMPLE]), standard_profile(), peers=peers, register_year=2024)
    assert "1 January 2024" in page
    assert "waterweg.json" in page
    assert 'data-group="Waterweg"' in page


# ---------------------------------------------------------------------- the message table
def test_every_message_in_both_languages() -> None:
    """One table holds every text of the report, in Dutch and in English."""
    for key, table in MESSAGES.items():
        assert set(table) == set(LANGUAGES), key
        assert all(value.strip() for value in table.values()), key
        fields = [set(re.findall(r"{(\w+)}", table[lang])) for lang in LANGUAGES]
        assert fields[0] == fields[1], key


def _message_keys() -> Iterator[str]:
    for path in SOURCES:
        source = path.read_text(encoding="utf-8")
        yield from re.findall(r'\b(?:t|text)\(\s*"([a-z_.]+)"', source)


def test_every_message_used_is_in_the_table() -> None:
    used = set(_message_keys())
    assert used
    assert used <= set(MESSAGES), used - set(MESSAGES)


def test_text_names_a_missing_message() -> None:
    with pytest.raises(KeyError, match="nowhere"):
        text("nowhere", "en")


# ---------------------------------------------------------------------- rank intervals (UNC)
def _uncertain(profile_name: str = "digimaat-standard") -> Profile:
    from digimaat.measurement.uncertainty import UncertaintySection

    section = UncertaintySection(missing=("drop", "zero"), product_weights=0.25)
    return attrs.evolve(builtin_profile(profile_name), uncertainty=section)


def test_rank_intervals_are_escaped_and_carry_their_numbers() -> None:
    """CMP-12 with UNC-7 and UNC-8: the part on uncertainty gives every number of its chart
    in the table beside it, exactly, and shows the names in a pair as text."""
    from digimaat.analysis.uncertainty import analyse

    evil = '<script>alert("x")</script>'
    product = Product(uri="urn:example:a", name="a")
    ds = Dataset.from_offerings(
        [
            Offering("GM0001", product.uri, capabilities=["information-online"]),
            Offering("GM0002", product.uri, status="unknown"),
        ],
        [
            Municipality("GM0001", f"{evil} & Co", 1000, 2024),
            Municipality("GM0002", "B", 1000, 2024),
        ],
        Catalogue((product,)),
    )
    profile = _uncertain()
    page = render_report(
        {2024: YearData(2024, ds)}, profile, samples=16, seed=1, pairs=[("GM0001", "GM0002")]
    )
    parsed = cells(page)
    assert "script" not in parsed.tags
    assert "&lt;script&gt;" in page
    result = analyse(ds, profile, samples=16, seed=1, metrics=[m.id for m in profile.metrics])
    for metric in profile.metrics:
        s = result.spread(metric.id, "GM0001")
        assert parsed.cells[("GM0001-unc-table", metric.id, 0)][0] == exact(s.nominal)
        assert parsed.cells[("GM0001-unc-table", metric.id, 1)][0] == exact(s.low)
        assert parsed.cells[("GM0001-unc-table", metric.id, 2)][0] == exact(s.high)
    pair = parsed.cells[("GM0001-unc-pairs-table", "digimaat-score|GM0001|GM0002", 0)]
    assert pair[1].startswith(f"{evil} & Co")


def test_rank_intervals_need_samples_and_a_seed() -> None:
    """The report runs the analysis only with both; a profile without a section is refused
    by the analysis (UNC-1)."""
    years = read_years([EXAMPLE])
    with pytest.raises(InvalidValueError, match="samples"):
        render_report(years, _uncertain(), samples=10)
    with pytest.raises(MeasurementError, match="declares no uncertainty section"):
        render_report(years, standard_profile(), samples=10, seed=1)
    plain = render_report(years, _uncertain())
    assert "-unc-table" not in plain
