"""The commands over the analysis layer: ``compare --peers``, ``trend`` and ``report``."""

from __future__ import annotations

import io
import json
from importlib import resources
from pathlib import Path

import pytest

from digimaat.analysis.peers import compare, peer_groups_from_mapping, size_class_groups
from digimaat.cli import main
from digimaat.exchange import load_dataset
from digimaat.measurement.profiles import standard_profile

DATA = resources.files("digimaat.data")
EXAMPLE = str(DATA.joinpath("example.json"))
EXAMPLE_2023 = str(DATA.joinpath("example-2023.json"))


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def fits(text: str) -> bool:
    return max(len(line) for line in text.splitlines()) <= 80


@pytest.fixture
def peers_file(tmp_path: Path) -> Path:
    path = tmp_path / "waterweg.csv"
    path.write_text("group;cbs_code\nWaterweg;GM0556\nWaterweg;GM0606\nWaterweg;GM0622\n")
    return path


# ---------------------------------------------------------------------- compare
def test_compare_table_names_profile_fingerprint_groups_and_fits(peers_file: Path) -> None:
    """CMP-1: a comparison states the profile, its fingerprint and how the groups were formed."""
    code, out, err = run("compare", EXAMPLE, "--peers", str(peers_file), "--municipality", "gm0622")
    assert code == 0, err
    assert standard_profile().fingerprint in out.replace("\n", "")
    assert "Vlaardingen (GM0622) in size class 5: 2 in the data" in out
    assert "Vlaardingen (GM0622) in Waterweg: 3 in the data" in out
    assert "Vlaardingen (GM0622) in all 3 municipalities in the data" in out
    assert "Maassluis (GM0556)" not in out
    assert fits(out)


def test_compare_json_holds_the_statistics(peers_file: Path) -> None:
    code, out, _ = run("compare", EXAMPLE, "--peers", str(peers_file), "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert document["kind"] == "comparison"
    board = standard_profile().score(load_dataset(EXAMPLE))
    groups = size_class_groups(board).combine(
        peer_groups_from_mapping({"Waterweg": ["GM0556", "GM0606", "GM0622"]})
    )
    comparison = compare(board, groups)
    for entry in document["municipalities"]:
        listed = {g["name"]: g for g in entry["groups"]}
        for place in comparison.place(entry["municipality"]):
            got = listed[place.group.name]["metrics"][place.metric]
            assert got["mean"] == place.statistics.mean
            assert got["median"] == place.statistics.median
            assert got["rank"] == place.position.rank
            assert got["percentile"] == place.position.percentile


def test_compare_csv_and_population_year() -> None:
    code, out, _ = run("compare", EXAMPLE, "--population-year", "2024", "--format", "csv")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "municipality,group,metric,value,count,mean,median,rank,percentile"
    assert len(lines) == 1 + 3 * 2 * 11
    code, _, err = run("compare", EXAMPLE, "--population-year", "2019")
    assert code == 2
    assert "available: 2023, 2024" in err


def test_compare_reports_a_bad_peer_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"format": "digimaat-peer-groups", "groups": {"x": ["GM1"]}}')
    code, out, err = run("compare", EXAMPLE, "--peers", str(path))
    assert code == 2
    assert out == ""
    assert f"{path}:/groups/x/0: cbs_code" in err


# ---------------------------------------------------------------------- trend
def test_trend_table_per_year_and_the_change() -> None:
    """CMP-9, CMP-11: each metric per year; the change explained product by product."""
    code, out, err = run("trend", EXAMPLE_2023, EXAMPLE, "--municipality", "GM0622", "--explain")
    assert code == 0, err
    assert "reference years 2023, 2024" in out
    assert "digimaat-score            60.9  68.2" in out
    assert "parkeervergunning" in out
    assert "up, authentication" in out
    assert fits(out)


def test_trend_json_and_csv() -> None:
    code, out, _ = run("trend", EXAMPLE, EXAMPLE_2023, "--format", "json", "--explain")
    assert code == 0
    document = json.loads(out)
    assert document["kind"] == "trend"
    assert [y["year"] for y in document["years"]] == [2023, 2024]
    assert document["differences"] == []
    change = next(c for c in document["changes"] if c["municipality"] == "GM0622")
    assert abs(sum(p["change"] for p in change["products"]) - change["change"]) <= 1e-12
    code, out, _ = run("trend", EXAMPLE, EXAMPLE_2023, "--format", "csv", "--metric", "uptake")
    assert code == 0
    assert out.splitlines()[1] == "GM0556,uptake,2023," + out.splitlines()[1].split(",")[3] + ",yes"
    assert len(out.splitlines()) == 1 + 3 * 2


def test_trend_of_saved_scores_refuses_mixed_profiles(tmp_path: Path) -> None:
    """CMP-10: scores of different fingerprints are refused unless --allow-mixed."""
    paths = {}
    for year, source, profile in ((2023, EXAMPLE_2023, "digimaat-volume"), (2024, EXAMPLE, None)):
        argv = ["score", source, "--format", "json"] + (["--profile", profile] if profile else [])
        code, out, _ = run(*argv)
        assert code == 0
        paths[year] = tmp_path / f"scores-{year}.json"
        paths[year].write_text(out)
    scores = [f"--scores={year}={path}" for year, path in paths.items()]
    code, out, err = run("trend", *scores)
    assert code == 2
    assert "different profiles" in err
    code, out, err = run("trend", *scores, "--allow-mixed", "--municipality", "GM0622")
    assert code == 0, err
    assert "Note: the years differ: different profiles" in out
    code, _, err = run("trend", *scores, "--explain")
    assert code == 2


def test_trend_usage_errors() -> None:
    assert run("trend")[0] == 2
    code, _, err = run("trend", "--scores", "2023")
    assert code == 2
    assert "YEAR=FILE" in err
    code, _, err = run("trend", EXAMPLE, "--scores", f"2024={EXAMPLE}")
    assert code == 2
    code, _, err = run("trend", EXAMPLE, "--municipality", "GM9999")
    assert code == 2
    assert "GM9999" in err


# ---------------------------------------------------------------------- report
def test_report_writes_one_html_file(tmp_path: Path, peers_file: Path) -> None:
    target = tmp_path / "report.html"
    code, out, err = run(
        "report",
        EXAMPLE_2023,
        EXAMPLE,
        "--lang",
        "nl",
        "--municipality",
        "GM0622",
        "GM0556",
        "--peers",
        str(peers_file),
        "-o",
        str(target),
    )
    assert code == 0, err
    said = " ".join(out.split())  # in Dutch, as --lang asks
    assert said.startswith(f"{target}: rapport van 2 gemeenten, peiljaren 2023, 2024")
    page = target.read_text(encoding="utf-8")
    assert '<html lang="nl">' in page
    assert 'id="GM0622"' in page
    assert 'id="GM0606"' not in page
    assert 'data-group="Waterweg"' in page


def test_report_errors_write_nothing(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    code, _, err = run("report", EXAMPLE, "--municipality", "GM9999", "-o", str(target))
    assert code == 2
    assert "GM9999" in err
    assert not target.exists()
    assert run("report", EXAMPLE)[0] == 2  # -o is required


@pytest.mark.parametrize("command", ["trend", "report", "compare"])
def test_help(command: str) -> None:
    code, out, _ = run(command, "--help")
    assert code == 0
    assert f"usage: digimaat {command}" in out
