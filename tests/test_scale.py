"""Memory and time of reading hostile input at scale (SEC-5, XCH-2, XCH-4).

A file of about 300 MB whose every record has a problem (a *problem storm*) is generated in
pieces and validated in a process of its own; the peak memory of that process is measured
by the operating system. Time is compared between two sizes of one storm: a reader whose
time grew with the square of the records would take 64 times as long for 8 times the
records. These tests state properties of the algorithms, not speed targets (those are in
``benchmarks/``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from digimaat.errors import InputError
from digimaat.exchange import Limits, load
from tests.exchange.support import CATALOGUE

pytestmark = pytest.mark.slow

MB = 1_000_000
PRODUCTS = [p.uri for p in CATALOGUE]

_MEASURE = """
import resource, subprocess, sys
result = subprocess.run(sys.argv[1:], capture_output=True, text=True)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps([result.returncode, result.stdout, result.stderr, peak]))
"""
"""Runs a command and prints its peak resident memory: the only child of this process."""

_VALIDATE = """
import sys
from digimaat.errors import InputError
from digimaat.exchange import Limits, load
try:
    load(sys.argv[1], limits=Limits(max_bytes=1 << 30))
except InputError as exc:
    print(len(exc.problems), exc.more)
"""


def write_csv_storm(path: Path, size: int) -> int:
    """A CSV file of about ``size`` bytes whose every row has a bad status; its rows."""
    line = "2024,GM0622,Vlaardingen,74124,2021,paspoort,sold-out\n"
    block = line * 10_000
    rows = 0
    with path.open("w", encoding="utf-8") as out:
        out.write("reference_year,cbs_code,municipality_name,population,population_year,")
        out.write("product,status\n")
        while rows * len(line) < size:
            out.write(block)
            rows += 10_000
    return rows


def write_json_storm(path: Path, size: int) -> int:
    """A JSON document of about ``size`` bytes whose every offering has a bad status."""
    line = '    {"municipality": "GM0622", "product": "paspoort", "status": "sold-out"},\n'
    block = line * 10_000
    rows = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '{"format": "digimaat-offerings", "spec_version": "1.0", "reference_year": 2024,\n'
            ' "municipalities": [{"cbs_code": "GM0622", "name": "Vlaardingen", '
            '"population": 74124, "year": 2021}],\n "offerings": [\n'
        )
        while (rows + 10_000) * len(line) < size:
            out.write(block)
            rows += 10_000
        out.write(line * 9_999 + line.rstrip(",\n") + "\n]}\n")
    return rows + 10_000


def peak_of(*command: str, env: dict[str, str] | None = None) -> tuple[str, int]:
    """The output of a command and its peak resident memory in bytes."""
    done = subprocess.run(
        [sys.executable, "-c", "import json" + _MEASURE, *command],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    code, stdout, stderr, peak = json.loads(done.stdout)
    assert code == 0, stderr
    return stdout, peak * (1 if sys.platform == "darwin" else 1024)


@pytest.mark.parametrize(
    ("form", "size", "pure"),
    [("json", 300 * MB, False), ("csv", 300 * MB, False), ("csv", 128 * MB, True)],
    ids=["json-300MB", "csv-300MB", "csv-pure-128MB"],
)
def test_a_problem_storm_is_validated_in_bounded_memory(
    tmp_path: Path, form: str, size: int, pure: bool
) -> None:
    """SEC-5: A consumer's time and memory MUST be bounded for every input within its
    limits. XCH-4: a file of millions of bad cells is reported in bounded memory; the rest
    are counted. A file of about 300 MB whose every record has a problem is validated in at
    most 1 GB of memory (the file itself included); so is the CSV form read without the
    native tokenizer, at the default size limit."""
    path = tmp_path / f"storm.{form}"
    rows = (write_json_storm if form == "json" else write_csv_storm)(path, size)
    assert path.stat().st_size >= size
    env = {**os.environ, "DIGIMAAT_PURE": "1"} if pure else None
    output, peak = peak_of(sys.executable, "-c", _VALIDATE, str(path), env=env)
    assert output.split() == ["1000", str(rows - 1000)]
    assert peak <= 1_000 * MB, f"{peak / MB:.0f} MB for a file of {size / MB:.0f} MB"


def cpu_seconds(call: Callable[[], object], repeats: int = 3) -> float:
    """The least CPU time of a call over a few runs (CPU time: other work does not count)."""
    times = []
    for _ in range(repeats):
        start = time.process_time()
        call()
        times.append(time.process_time() - start)
    return min(times)


def _refuse(path: Path) -> Callable[[], object]:
    def read() -> object:
        with pytest.raises(InputError) as caught:
            load(path, catalogue=CATALOGUE, limits=Limits(max_bytes=1 << 30))
        return caught.value

    return read


@pytest.mark.parametrize("form", ["json", "csv"])
def test_the_time_of_a_storm_grows_in_proportion_to_the_file(tmp_path: Path, form: str) -> None:
    """SEC-5: time MUST grow at most in proportion to the number of records plus the number
    of cells; a consumer MUST NOT look records up by scanning all the others. Eight times
    the records take at most twice eight times as long (CPU time, best of three)."""
    write = write_json_storm if form == "json" else write_csv_storm
    small, large = tmp_path / f"small.{form}", tmp_path / f"large.{form}"
    write(small, 2 * MB)
    write(large, 16 * MB)
    _refuse(small)()  # warm: imports, the catalogue's indexes
    ratio = cpu_seconds(_refuse(large)) / cpu_seconds(_refuse(small))
    assert ratio < 16, f"8 times the records took {ratio:.1f} times as long"
