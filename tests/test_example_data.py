"""The worked example's data: packaged file, generating script and the situations it must show."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from digimaat.exchange import dumps, load
from digimaat.measurement.dataset import Dataset
from digimaat.measurement.profiles import builtin_profile

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "src" / "digimaat" / "data" / "example.json"
EXAMPLE_2023 = ROOT / "src" / "digimaat" / "data" / "example-2023.json"


def _script_output(function: str = "example") -> str:
    spec = importlib.util.spec_from_file_location(
        "build_example", ROOT / "scripts" / "build_example.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dumps(getattr(module, function)())


def test_packaged_example_is_the_scripts_output() -> None:
    assert EXAMPLE.read_text(encoding="utf-8") == _script_output()


def test_packaged_example_of_2023_is_the_scripts_output() -> None:
    assert EXAMPLE_2023.read_text(encoding="utf-8") == _script_output("previous_year")
    assert load(EXAMPLE_2023).reference_year == 2023


def test_example_is_labelled_illustrative() -> None:
    assert "Illustrative" in (load(EXAMPLE).source or "")


def _board(profile: str) -> tuple[Dataset, object]:
    sub = load(EXAMPLE)
    ds = Dataset.from_offerings(sub.offerings, sub.municipalities, sub.catalogue)
    return ds, builtin_profile(profile).score(ds)


def test_example_contains_the_situations_the_standard_was_made_for() -> None:
    ds, board = _board("digimaat-standard")
    results = board.results  # type: ignore[attr-defined]
    # Vlaardingen's counter appointment without DigiD: no barrier there.
    assert results["authentication-barrier"].of("GM0622") == 0.0
    # Maassluis keeps DigiD Midden on the appointment: a barrier (1 of its 2 assessed).
    assert results["authentication-barrier"].of("GM0556") == 0.5
    # Maassluis offers 4 products as PDF only: 5 of its 7 offerings are below online submission.
    assert results["online-submission"].of("GM0556") == 2 / 7
    # Schiedam: the 20-a-year exemption online and 1,000 parking permits offline.
    i, uri = ds.index_of("GM0606"), "http://standaarden.overheid.nl/owms/terms/"
    j_ex, j_park = (
        ds.uris.index(uri + "geluidsontheffing"),
        ds.uris.index(uri + "parkeervergunning"),
    )
    assert ds.total_volume[i, j_ex] == 20.0
    assert ds.total_volume[i, j_park] == 1000.0
    # Vlaardingen's local target below the reference changes local attainment only.
    assert results["local-attainment"].of("GM0622") > results["attainment"].of("GM0622")
