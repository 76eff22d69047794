"""The benchmark suite's quick mode: digimaat and its two peers must agree (AGG-8).

``benchmarks/run.py --quick`` scores a small synthetic dataset with digimaat, the per-object
peer and the pandas peer and compares every metric of the standard profile, value and
coverage, per municipality, to 1e-9. Running it here keeps the peers from rotting when
the standard changes: a change to a metric that the peers do not follow fails this test.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
_MODULES = (
    "run",
    "names",
    "generate",
    "peers",
    "peers.naive",
    "peers.pandas_peer",
    "peers.difflib_suggest",
    "peers.plain_charts",
)


@pytest.fixture(scope="module")
def bench() -> Iterator[ModuleType]:
    """The runner module, imported from the benchmarks folder (a folder of scripts).

    It needs pandas, from the ``bench`` extra that ``make`` installs with ``dev``.
    """
    saved = {name: sys.modules.pop(name) for name in _MODULES if name in sys.modules}
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import run

        yield run
    finally:
        sys.path.remove(str(BENCHMARKS))
        for name in _MODULES:
            sys.modules.pop(name, None)
        sys.modules.update(saved)


def test_quick_run_agrees(bench: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """AGG-8: the three implementations agree to 1e-9 on every metric and municipality."""
    out = tmp_path / "figures.json"
    status = bench.main(["--quick", "--json", str(out)])
    printed = capsys.readouterr().out
    assert status == 0, printed
    figures = json.loads(out.read_text())
    agreement = figures["agreement"]
    assert agreement["ok"] is True
    assert agreement["metrics"] == 11
    assert agreement["municipalities"] == 20
    for peer in ("naive", "pandas"):
        # 11 metrics x 20 municipalities x (value, coverage)
        assert agreement[peer]["compared"] == 11 * 20 * 2
        assert agreement[peer]["max_abs_diff"] <= 1e-9
    for name in ("digimaat", "pandas", "naive"):
        assert figures["timing"][name]["median_s"] > 0
    report = figures["report"]
    assert report["measured"] is True
    assert report["municipalities"] == 20
    assert report["one"]["median_s"] > 0
    assert report["peer_one"]["median_s"] > 0
    assert report["all_bytes"] > 0
    # UNC-5: the naive uncertainty peer (one Profile.score per sample) agrees with the
    # batch scores of the same samples.
    uncertainty = figures["uncertainty"]
    assert uncertainty["naive"]["max_abs_diff"] <= 1e-12
    assert uncertainty["national"]["samples"] == uncertainty["naive"]["evaluations"]


def test_disagreement_fails_the_run(
    bench: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A peer that is off by more than 1e-9 for one municipality makes the run exit 1."""
    original = bench.naive.score

    def off_by_a_little(*args: Any) -> Any:
        scores = original(*args)
        code = min(scores["maturity"])
        value, coverage = scores["maturity"][code]
        scores["maturity"][code] = (value + 2e-9, coverage)
        return scores

    monkeypatch.setattr(bench.naive, "score", off_by_a_little)
    assert bench.main(["--quick"]) == 1
    printed = capsys.readouterr().out
    assert "naive: DISAGREE in 1 figures" in printed
    assert "pandas: agree" in printed


def test_compare_treats_undefined_as_a_value(bench: Any) -> None:
    """Undefined (NaN) agrees only with undefined; a number against NaN is a disagreement."""
    nan = math.nan
    reference = {"m": (np.array([nan, 0.5]), np.array([nan, 1.0]))}
    same = {"m": (np.array([nan, 0.5 + 1e-12]), np.array([nan, 1.0]))}
    other = {"m": (np.array([0.0, 0.5]), np.array([nan, 1.0]))}
    codes = ["GM0001", "GM0002"]
    assert bench.compare("peer", reference, same, codes).ok
    result = bench.compare("peer", reference, other, codes)
    assert not result.ok
    assert result.problems == ("peer: m value of GM0001: digimaat nan, peer 0.0",)


def test_quick_name_benchmark(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """PRD-7.3: the name benchmark resolves distinct near misses, each with suggestions, and
    the true product of a one-edit near miss is among them; the difflib peer runs too."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import names

        out = tmp_path / "names.json"
        status = names.main(
            ["--quick", "--count", "300", "--peer-sample", "10", "--runs", "1", "--json", str(out)]
        )
    finally:
        sys.path.remove(str(BENCHMARKS))
        for name in _MODULES:
            sys.modules.pop(name, None)
    assert status == 0, capsys.readouterr().out
    figures = json.loads(out.read_text())
    assert figures["count"] == 300
    assert figures["recall"]["1"] >= 0.99
    assert figures["peer"]["per_lookup_ms"] > 0
    assert [t["name"] for t in figures["targets"]][1] == "difflib peer / digimaat"
