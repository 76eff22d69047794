"""Benchmark: importing the national Samenwerkende Catalogi harvest (chapter SCI).

The harvest kept in ``data/sc/national-2023-10-18.tar.xz`` (609 SRU responses, 176 MB of
XML, 51,568 records) is imported with ``digimaat.exchange.sc.import_sc`` in a fresh
process, and its wall time and peak resident memory are compared with the targets:

- the national harvest imports in at most 60 s;
- with a peak resident set size of at most 500 MB.

Two peers run in the same way, in the same run, so that the figure is also a ratio:

- *decompress*: reading the tarball's members to their end (xz and tar, nothing parsed);
- *parse*: the standard library's ``xml.etree.ElementTree.iterparse`` over every member,
  counting records and clearing them (no safety, no fields, no mapping): what a bare
  streaming parse of the same bytes costs.

Usage::

    python benchmarks/sc_import.py [--repeats N] [--json FILE] [--strict]

Exit status: 0, or 2 with ``--strict`` when a target fails.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARBALL = ROOT / "data" / "sc" / "national-2023-10-18.tar.xz"
UPL_LIST = ROOT / "data" / "sc" / "lists" / "UPL-actueel.json"
TIME_LIMIT = 60.0
RSS_LIMIT_MB = 500.0

_WORKERS = {
    "digimaat": """
from digimaat.exchange.sc import import_sc
result = import_sc([TARBALL], upl_lists=[UPL_LIST])
assert not result.problems, result.problems[:3]
print(result.summary.national.records + sum(n["records"] for n in result.summary.non_municipal))
""",
    "parse": """
import tarfile
import xml.etree.ElementTree as ET
records = 0
with tarfile.open(TARBALL, "r|xz") as archive:
    for info in archive:
        if not info.isfile():
            continue
        for event, element in ET.iterparse(archive.extractfile(info)):
            if element.tag == "{http://www.loc.gov/zing/srw/}record":
                records += 1
                element.clear()
print(records)
""",
    "decompress": """
import tarfile
size = 0
with tarfile.open(TARBALL, "r|xz") as archive:
    for info in archive:
        if info.isfile():
            size += len(archive.extractfile(info).read())
print(size)
""",
}


def measure(name: str) -> dict[str, Any]:
    """One run of a worker in a fresh interpreter: wall time, peak RSS, its output."""
    code = (
        "import resource, sys, time\n"
        f"TARBALL, UPL_LIST = {str(TARBALL)!r}, {str(UPL_LIST)!r}\n"
        "start = time.perf_counter()\n" + _WORKERS[name] + "\nprint(time.perf_counter() - start)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT
    )
    result, seconds, rss_kb = done.stdout.split()[-3:]
    return {"result": int(result), "seconds": float(seconds), "peak_rss_mb": int(rss_kb) / 1024}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs of each (default 3)")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    parser.add_argument("--strict", action="store_true", help="exit 2 when a target fails")
    args = parser.parse_args(argv)
    figures: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "input": {"file": TARBALL.name, "bytes": TARBALL.stat().st_size},
    }
    figures["load_average"] = {"start": os.getloadavg()}
    for name in ("decompress", "parse", "digimaat"):
        runs = [measure(name) for _ in range(args.repeats)]
        figures[name] = {
            "result": runs[0]["result"],
            "seconds": statistics.median(r["seconds"] for r in runs),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
        }
    figures["load_average"]["end"] = os.getloadavg()
    ours = figures["digimaat"]
    ratios = {peer: ours["seconds"] / figures[peer]["seconds"] for peer in ("decompress", "parse")}
    figures["ratios"] = ratios
    checks = [
        ("national import, median wall time", ours["seconds"], TIME_LIMIT, "s"),
        ("national import, peak resident memory", ours["peak_rss_mb"], RSS_LIMIT_MB, "MB"),
    ]
    figures["targets"] = []
    print(f"Input: {TARBALL.name}, {TARBALL.stat().st_size:,} bytes (176 MB of XML)")
    load = figures["load_average"]
    start, end = (", ".join(f"{v:.2f}" for v in load[k]) for k in ("start", "end"))
    print(f"Load average (1, 5, 15 min): start {start}; end {end}")
    print(f"{'run':<11} {'median s':>9} {'peak RSS MB':>12}  result")
    for name in ("decompress", "parse", "digimaat"):
        f = figures[name]
        print(f"{name:<11} {f['seconds']:9.2f} {f['peak_rss_mb']:12.1f}  {f['result']:,}")
    print(
        f"digimaat / parse: {ratios['parse']:.2f} x; digimaat / decompress: "
        f"{ratios['decompress']:.2f} x"
    )
    failed = False
    for label, value, limit, unit in checks:
        status = "PASS" if value <= limit else "FAIL"
        failed |= status == "FAIL"
        figures["targets"].append(
            {"target": label, "value": value, "limit": limit, "status": status}
        )
        print(f"{status}  {label}: {value:.1f} {unit} (target <= {limit:.0f} {unit})")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    if failed and args.strict:
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
