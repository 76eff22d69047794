"""Trends over reference years and the explanation of a change (chapter CMP, CMP-9 to CMP-11).

Includes the property the chapter states for every dataset and profile: the per-product
changes sum to the change of the value.
"""

from __future__ import annotations

import io
import json
import math
from importlib import resources
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digimaat.analysis.scores import ScoreDocument, parse_scores, read_scores
from digimaat.analysis.trends import (
    MOVEMENTS,
    Trend,
    YearData,
    comparable_versions,
    explain_change,
    read_years,
    trend,
    trend_of_scores,
)
from digimaat.cli import main
from digimaat.errors import InputError, InvalidValueError, MeasurementError
from digimaat.exchange import Submission, dumps, load, load_dataset
from digimaat.measurement.explain import decompose
from digimaat.measurement.profiles import BUILTIN_PROFILES, builtin_profile, standard_profile
from tests.measurement.strategies import World, worlds

DATA = resources.files("digimaat.data")
EXAMPLE = str(DATA.joinpath("example.json"))
EXAMPLE_2023 = str(DATA.joinpath("example-2023.json"))


def two_years() -> Trend:
    return trend(read_years([EXAMPLE_2023, EXAMPLE]), standard_profile())


def saved_scores(path: str, tmp_path: Path, name: str, profile: str = "digimaat-standard") -> Path:
    """The JSON ``digimaat score --format json`` writes, saved to a file."""
    out = io.StringIO()
    assert main(["score", path, "--profile", profile, "--format", "json"], out) == 0
    target = tmp_path / name
    target.write_text(out.getvalue(), encoding="utf-8")
    return target


# ---------------------------------------------------------------------- reading several years
def test_read_years_groups_files_by_their_reference_year(tmp_path: Path) -> None:
    """CMP-9: the files of one reference year are read together, of different years apart."""
    submission = load(EXAMPLE)

    def part(first: bool) -> Submission:
        return Submission.build(
            [m for m in submission.municipalities if (m.cbs_code == "GM0556") == first],
            [o for o in submission.offerings if (o.municipality == "GM0556") == first],
            reference_year=submission.reference_year,
            local_products=submission.local_products,
            source=submission.source,
        )

    one, two = part(True), part(False)
    (tmp_path / "a.json").write_text(dumps(one), encoding="utf-8")
    (tmp_path / "b.json").write_text(dumps(two), encoding="utf-8")
    years = read_years([tmp_path / "a.json", EXAMPLE_2023, tmp_path / "b.json"])
    assert sorted(years) == [2023, 2024]
    assert years[2024].dataset.codes == load_dataset(EXAMPLE).codes
    assert [s.file for s in years[2024].sources] == [
        str(tmp_path / "a.json"),
        str(tmp_path / "b.json"),
    ]
    assert "Illustrative" in (years[2023].sources[0].source or "")


def test_read_years_reports_every_problem_of_every_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "digimaat-offerings"}', encoding="utf-8")
    worse = tmp_path / "worse.csv"
    worse.write_text("nonsense\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_years([bad, EXAMPLE, worse])
    sources = {p.source for p in caught.value.problems}
    assert {str(bad), str(worse)} <= sources
    with pytest.raises(InvalidValueError):
        read_years([])


# ---------------------------------------------------------------------- CMP-9, CMP-10
def test_cmp_9_values_per_year_absent_is_not_undefined() -> None:
    """CMP-9: absent and undefined MUST be told apart, and neither shown as 0."""
    years = read_years([EXAMPLE_2023, EXAMPLE])
    ds = years[2023].dataset
    fewer = ds.take_municipalities([0, 1])  # Vlaardingen absent in 2023
    series = trend({2023: fewer, 2024: years[2024].dataset}, standard_profile())
    points = series.series("GM0622", "authentication-fit")
    assert [(p.year, p.present) for p in points] == [(2023, False), (2024, True)]
    assert points[0].value is None
    assert points[1].value is not None
    undefined = series.series("GM0606", "success-ratio")
    assert all(p.present for p in undefined)
    assert series.codes == ("GM0556", "GM0606", "GM0622")


def test_cmp_9_the_worked_example_over_two_years() -> None:
    """The worked example of 2023 and 2024: every municipality rose."""
    series = two_years()
    for code in series.codes:
        before, after = (p.value for p in series.series(code))
        assert before is not None
        assert after is not None
        assert after > before


def _document(fingerprint: str, version: str = "1.0-draft") -> ScoreDocument:
    card = standard_profile().score(load_dataset(EXAMPLE)).card("GM0622")
    card = attrs.evolve(card, fingerprint=fingerprint, spec_version=version)
    return ScoreDocument(version, "digimaat-standard", "1.0", fingerprint, (card,), "saved.json")


def test_cmp_10_different_fingerprints_are_refused_unless_asked() -> None:
    """CMP-10: a trend MUST refuse score cards with different fingerprints unless asked, and
    then MUST show each year's profile and fingerprint."""
    a, b = "sha256:" + "a" * 64, "sha256:" + "b" * 64
    with pytest.raises(MeasurementError, match="different profiles"):
        trend_of_scores({2023: _document(a), 2024: _document(b)})
    mixed = trend_of_scores({2023: _document(a), 2024: _document(b)}, mixed=True)
    (difference,) = mixed.differences()
    assert "2023 digimaat-standard 1.0 (sha256:aaaaaaaaaaaa" in difference
    assert "2024 digimaat-standard 1.0 (sha256:bbbbbbbbbbbb" in difference


def test_cmp_10_versions_must_be_comparable() -> None:
    """CMP-10: versions are comparable when equal, or releases of the same MAJOR version."""
    a = "sha256:" + "a" * 64
    assert comparable_versions("1.0", "1.9")
    assert not comparable_versions("1.0", "2.0")
    assert not comparable_versions("1.0-draft", "1.0")
    assert not comparable_versions("1.0-draft", "1.0-draft2")
    assert not comparable_versions("one", "1.0")
    with pytest.raises(MeasurementError, match="not comparable"):
        trend_of_scores({2023: _document(a, "1.0-draft"), 2024: _document(a, "1.0")})
    minor = trend_of_scores({2023: _document(a, "1.0"), 2024: _document(a, "1.1")})
    assert minor.differences() == ("different specification versions: 2023 1.0; 2024 1.1",)


def test_cmp_10_scores_and_data_of_one_profile_mix_freely(tmp_path: Path) -> None:
    """Saved score documents of the same profile agree with a trend computed from the data."""
    saved = read_scores(saved_scores(EXAMPLE_2023, tmp_path, "2023.json"))
    from_scores = trend_of_scores(
        {2023: saved, 2024: read_scores(saved_scores(EXAMPLE, tmp_path, "2024.json"))}
    )
    from_data = two_years()
    for code in from_data.codes:
        for metric in from_data.metrics:
            assert from_scores.series(code, metric) == from_data.series(code, metric)
    with pytest.raises(MeasurementError, match="needs the data"):
        from_scores.explain("GM0622")


def test_a_trend_needs_distinct_years_in_order() -> None:
    with pytest.raises(InvalidValueError):
        Trend(())
    year = two_years().years[0]
    with pytest.raises(InvalidValueError):
        Trend((year, year))


# ---------------------------------------------------------------------- saved score documents
def test_score_documents_round_trip(tmp_path: Path) -> None:
    """What ``digimaat score --format json`` writes reads back into the same score cards."""
    document = read_scores(saved_scores(EXAMPLE, tmp_path, "scores.json", "digimaat-volume"))
    board = builtin_profile("digimaat-volume").score(load_dataset(EXAMPLE))
    assert document.cards == board.cards()
    assert document.fingerprint == builtin_profile("digimaat-volume").fingerprint


def test_score_documents_report_every_problem() -> None:
    document = {
        "format": "digimaat-output",
        "kind": "scores",
        "spec_version": "1.0-draft",
        "profile": {"name": "p", "version": "1", "fingerprint": "sha256:x"},
        "cards": [
            {
                "municipality": "GM12",
                "name": "",
                "population": True,
                "size_class": 9,
                "headline": "s",
                "values": {"s": 1.5},
                "coverage": {"s": None},
            },
            "not a card",
        ],
    }
    with pytest.raises(InputError) as caught:
        parse_scores(json.dumps(document), "scores.json")
    assert [p.location for p in caught.value.problems] == [
        "/cards/0/municipality",
        "/cards/0/name",
        "/cards/0/population",
        "/cards/0/size_class",
        "/cards/0/values/s",
        "/cards/1",
    ]
    with pytest.raises(InputError, match="not valid JSON"):
        parse_scores("{", "x.json")


# ---------------------------------------------------------------------- CMP-11
def test_cmp_11_the_worked_example_change() -> None:
    """CMP-11: Vlaardingen dropped DigiD from the counter appointment and put the parking
    permit online: both show, with the movements the chapter names."""
    change = two_years().explain("GM0622")
    assert (change.start, change.end, change.metric) == (2023, 2024, "digimaat-score")
    moved = {item.name: item.movements for item in change.items}
    assert moved["parkeervergunning"] == ("up", "authentication")
    assert moved["bezoekafspraak"] == ("authentication",)
    assert change.change is not None
    assert abs(change.total - change.change) <= 1e-12
    assert [abs(i.change) for i in change.items] == sorted(
        (abs(i.change) for i in change.items), reverse=True
    )


def test_cmp_11_volume_and_down_movements() -> None:
    """CMP-11: ``volume`` when the requests per year differ, ``down`` when the level fell."""
    later = two_years().explain("GM0556")
    moved = {item.name: item.movements for item in later.items}
    assert moved["bezoekafspraak"] == ("volume",)
    assert moved["verhuismelding"] == ("up", "volume")
    years = read_years([EXAMPLE_2023, EXAMPLE])
    backwards = explain_change(
        standard_profile().score(years[2024].dataset),
        standard_profile().score(years[2023].dataset),
        "GM0556",
        years=(2024, 2023),
    )
    assert {i.name: i.movements for i in backwards.items}["verhuismelding"] == ("down", "volume")


def test_cmp_11_explanation_uses_the_contributions_of_exp_1() -> None:
    """CMP-11: the change of a product is its contribution (EXP-1) after minus before."""
    series = two_years()
    change = series.explain("GM0606", "maturity")
    before = {
        i.uri: i.contribution for i in decompose(series.years[0].board, "GM0606", "maturity").items
    }  # type: ignore[arg-type]
    after = {
        i.uri: i.contribution for i in decompose(series.years[1].board, "GM0606", "maturity").items
    }  # type: ignore[arg-type]
    for item in change.items:
        assert item.before == before.get(item.uri, 0.0)
        assert item.after == after.get(item.uri, 0.0)


def test_cmp_11_one_profile_only() -> None:
    """CMP-11: both years MUST have been scored with one profile (one fingerprint)."""
    ds = load_dataset(EXAMPLE)
    with pytest.raises(MeasurementError, match="one profile"):
        explain_change(
            standard_profile().score(ds), builtin_profile("mdd-product").score(ds), "GM0622"
        )
    with pytest.raises(InvalidValueError, match="metric"):
        explain_change(standard_profile().score(ds), standard_profile().score(ds), "GM0622", "x")


@st.composite
def year_pairs(draw: st.DrawFn) -> tuple[World, World]:
    """Two years of one municipality: its offerings drawn afresh, the catalogue too."""
    first = draw(worlds(max_municipalities=2))
    second = draw(worlds(max_municipalities=1))
    code = first.codes[0]
    (other,) = second.municipalities
    renamed = attrs.evolve(other, cbs_code=code)
    second = attrs.evolve(
        second,
        municipalities=(renamed,),
        offerings=tuple(attrs.evolve(o, municipality=code) for o in second.offerings),
    )
    return first, second


@settings(max_examples=60)
@given(year_pairs(), st.sampled_from(BUILTIN_PROFILES))
def test_cmp_11_the_changes_sum_to_the_change(pair: tuple[World, World], name: str) -> None:
    """CMP-11: the per-product changes MUST sum to the change (here within 1e-12)."""
    first, second = pair
    profile = builtin_profile(name)
    series = trend(
        {2023: YearData(2023, first.dataset()), 2024: YearData(2024, second.dataset())}, profile
    )
    code = second.codes[0]
    for metric in profile.metrics:
        change = series.explain(code, metric.id)
        if change.change is None:
            assert change.items == ()
            continue
        assert abs(change.total - change.change) <= 1e-12
        for item in change.items:
            assert set(item.movements) <= set(MOVEMENTS)
            assert list(item.movements) == [m for m in MOVEMENTS if m in item.movements]
            assert item.change != 0.0 or item.movements
            if "weight" in item.movements:
                assert item.movements == ("weight",)
            assert not ("up" in item.movements and "down" in item.movements)
            assert math.isfinite(item.change)
