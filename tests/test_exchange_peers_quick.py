"""The exchange loading benchmark's quick mode: files read back, every peer timed.

``benchmarks/exchange_peers.py --quick`` writes a small synthetic dataset in both exchange
forms, checks that digimaat reads each back into the dataset it was written from, and
times digimaat, its peers (polars, pyarrow, orjson, the standard library), the memory of
a load and the command line once each. Running it here keeps the benchmark working when
the readers change; the targets are checked only by the full run.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture(scope="module")
def peers() -> Iterator[ModuleType]:
    """The benchmark module, imported from the benchmarks folder (a folder of scripts)."""
    pytest.importorskip("polars")
    saved = {
        name: sys.modules.pop(name)
        for name in ("exchange_peers", "generate")
        if name in sys.modules
    }
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import exchange_peers

        yield exchange_peers
    finally:
        sys.path.remove(str(BENCHMARKS))
        for name in ("exchange_peers", "generate"):
            sys.modules.pop(name, None)
        sys.modules.update(saved)


def test_quick_run_reads_the_files_back_and_times_every_peer(peers: ModuleType) -> None:
    figures = peers.measure(seed=7, quick=True)
    assert figures["timing"]["agree"] == {"csv": True, "json": True}
    assert set(figures["timing"]["csv"]) == {
        "digimaat",
        "digimaat, pure",
        "polars (1 thread)",
        "pyarrow (no threads)",
        "csv module",
    }
    assert set(figures["timing"]["json"]) == {"digimaat", "digimaat, pure", "orjson", "json module"}
    for form in ("csv", "json"):
        for timing in figures["timing"][form].values():
            assert timing["cpu_median_s"] > 0
        memory = figures["memory"][form]
        assert memory["peak"] >= memory["before"]
    assert figures["cli"]["digimaat score"]["wall_median_s"] > 0
    assert set(figures["ratios"]) >= set(peers.TARGETS)
    assert peers.targets(figures) == []  # a quick run checks no target
    assert "polars (1 thread)" in peers.report(figures)
