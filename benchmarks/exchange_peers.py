"""Loading the exchange formats, against named peers reading the same files.

The national dataset (``generate.national``: 350 municipalities x the reference catalogue)
is written in its CSV and its JSON form by digimaat's writers, and each file is read, in
one process, by digimaat into a validated ``Dataset`` and by its peers:

- CSV: polars (``pl.read_csv``, one thread: ``POLARS_MAX_THREADS=1`` is set before polars is
  imported, and checked), pyarrow (``pyarrow.csv.read_csv``, ``use_threads=False``) and the
  standard library's ``csv`` module (every row a list of texts);
- JSON: ``orjson.loads`` and the standard library's ``json.loads`` of the whole file.

Each reading includes reading the file's bytes. The garbage collector is off while a
reading is timed (for the peers as for digimaat, which turns it off itself). digimaat and
its peers read in turn, round after round, each timed reading right after an untimed one
by the same reader; the least and the median CPU time
(``time.process_time``) and the median wall-clock time of each are reported, and each
ratio is the median over the rounds of digimaat's CPU time over the peer's in the same
round, which other work on the machine slows alike (see :func:`ratios`).
digimaat is also timed without its native accelerators (``DIGIMAAT_PURE=1``), without a
target. Before anything is timed, both files are read back and their datasets compared
with the generated one, array by array.

Memory: each form is loaded once more in a fresh process, after the imports and the
catalogue a load needs; the peak resident set size during the load, above what the
process held before it, is compared with the file's size.

The command line: ``digimaat score`` on a small file (the specification's example
document), as a whole process: the ``digimaat`` program that ``pip install`` puts beside
the interpreter, as a user runs it (``digimaat score FILE``; the target is its median), and
``python -m digimaat score FILE``, which also imports :mod:`runpy`, beside ``python -c
pass`` and ``python -c "import numpy"`` (the floor of anything that scores with numpy),
also with ``OPENBLAS_NUM_THREADS=1``, as the program runs BLAS unless told otherwise, so
that numpy starts no BLAS threads; the commands run in turn. digimaat's modules are
byte-compiled first (``compileall``), as ``pip install`` compiles those of an installed
wheel, so that the process reads their bytecode as an installed digimaat does; the same
command is also timed, without a target, from a copy of the package without bytecode and
with writing it off (``PYTHONDONTWRITEBYTECODE=1``), where every module of digimaat is
compiled on every run, as in an editable install on a machine where Python may not write
bytecode.

Targets (issue 9): CSV within 2.5x of polars, JSON within 2x of orjson, peak memory under
3x the file size, ``digimaat score`` in at most 0.15 s.

Usage::

    python benchmarks/exchange_peers.py              # the national files
    python benchmarks/exchange_peers.py --quick      # small files: agreement and a smoke run
    python benchmarks/exchange_peers.py --json out.json
    python benchmarks/exchange_peers.py --cli        # the command line only, with its target
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SMALL = ROOT / "specs" / "examples" / "offerings.json"
"""The small file the command line is timed on."""

TARGETS = {
    "csv_over_polars": 2.5,
    "json_over_orjson": 2.0,
    "memory_over_size": 3.0,
    "cli_score_s": 0.15,
}
REPEATS = {"digimaat": 9, "peer": 9, "slow": 3}
QUICK_SIZE = (20, 60)
"""Municipalities and products of the quick run."""


# ---------------------------------------------------------------------- the files
def write_national(folder: Path, seed: int, quick: bool = False) -> dict[str, Any]:
    """Write the national dataset's CSV and JSON forms into ``folder``; their paths."""
    sys.path.insert(0, str(HERE))
    import generate
    from digimaat.exchange import Submission, dumps

    sizes = QUICK_SIZE if quick else (350, None)
    data = generate.national(seed, *sizes)
    submission = Submission.build(
        data.municipalities, data.offerings(), reference_year=2024, source="digimaat benchmarks"
    )
    paths = {}
    for form in ("csv", "json"):
        path = folder / f"national.{form}"
        path.write_text(dumps(submission, form=form), encoding="utf-8", newline="")
        paths[form] = str(path)
    expected = folder / "expected.npz"
    reference = data.dataset()
    _save(reference, expected)
    (folder / "uris.json").write_text(json.dumps(list(reference.uris)))
    return {
        "paths": paths,
        "expected": str(expected),
        "offerings": len(submission.columns.municipality),
        "municipalities": len(data.municipalities),
        "products": len(data.products),
    }


def _arrays(dataset: Any) -> dict[str, Any]:
    import attrs
    import numpy as np

    out = {"codes": np.array(dataset.codes), "uris": np.array(dataset.uris)}
    for field in attrs.fields(type(dataset)):
        value = getattr(dataset, field.name)
        if isinstance(value, np.ndarray):
            out[field.name] = value
    return out


def _save(dataset: Any, path: Path) -> None:
    import numpy as np

    np.savez(path, **_arrays(dataset))


def _same(dataset: Any, expected: str) -> bool:
    import numpy as np

    with np.load(expected) as saved:
        mine = _arrays(dataset)
        if set(mine) != set(saved.files):
            return False
        return all(
            np.array_equal(mine[k], saved[k], equal_nan=mine[k].dtype.kind == "f") for k in mine
        )


# ---------------------------------------------------------------------- timing (worker)
def _once(call: Callable[[], object]) -> tuple[float, float]:
    """CPU and wall-clock seconds of one ``call()``, the garbage collector off."""
    gc.collect()
    gc.disable()
    try:
        start, start_cpu = time.perf_counter(), time.process_time()
        result = call()
        cpu = time.process_time() - start_cpu
        wall = time.perf_counter() - start
    finally:
        gc.enable()
    del result
    return cpu, wall


def _figures(cpu: list[float], wall: list[float]) -> dict[str, Any]:
    return {
        "cpu_median_s": statistics.median(cpu),
        "wall_median_s": statistics.median(wall),
        "cpu_min_s": min(cpu),
        "cpu_s": cpu,
        "repeats": len(cpu),
    }


def timed(call: Callable[[], object], repeats: int) -> dict[str, Any]:
    """Medians of CPU and wall-clock seconds of ``call()``, the garbage collector off."""
    runs = [_once(call) for _ in range(repeats)]
    return _figures([c for c, _ in runs], [w for _, w in runs])


def timed_in_turn(calls: dict[str, tuple[Callable[[], object], int]]) -> dict[str, Any]:
    """The calls timed in turn, round after round (each ``(call, repeats)`` in the rounds
    up to its number of repeats), so that other work on the machine falls on them alike:
    the round-by-round CPU times of readings in the same rounds are paired (see
    :func:`ratios`). Each timed call follows an untimed one of the same call, so that each
    is timed as it runs in a row: polars read the national CSV about a tenth slower right
    after a load by digimaat than right after its own read (its allocator keeps memory
    between its reads)."""
    cpu: dict[str, list[float]] = {name: [] for name in calls}
    wall: dict[str, list[float]] = {name: [] for name in calls}
    for round_ in range(max(repeats for _, repeats in calls.values())):
        for name, (call, repeats) in calls.items():
            if round_ < repeats:
                _once(call)  # untimed: the reading before is this reader's own
                c, w = _once(call)
                cpu[name].append(c)
                wall[name].append(w)
    return {name: _figures(cpu[name], wall[name]) for name in calls}


def _csv_rows(path: str) -> list[list[str]]:
    import csv
    import io

    with open(path, "rb") as handle:
        text = handle.read().decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline="")))


def _json(path: str) -> Any:
    with open(path, "rb") as handle:
        return json.loads(handle.read())


def _orjson(path: str) -> Any:
    import orjson

    with open(path, "rb") as handle:
        return orjson.loads(handle.read())


def _pyarrow(path: str) -> Any:
    import pyarrow.csv as pacsv

    return pacsv.read_csv(path, read_options=pacsv.ReadOptions(use_threads=False))


def worker(files: dict[str, Any], repeats: dict[str, int]) -> dict[str, Any]:
    """Check the files read back, then time digimaat and the peers (in this process)."""
    import polars as pl

    from digimaat.exchange import Limits, load_dataset
    from digimaat.vocabulary.products import reference_catalogue

    if pl.thread_pool_size() != 1:
        raise RuntimeError("polars must run in one thread (set POLARS_MAX_THREADS=1)")
    paths = files["paths"]
    limits = Limits(
        max_bytes=max(Limits().max_bytes, *(os.path.getsize(p) for p in paths.values()))
    )
    uris = json.loads((Path(files["expected"]).parent / "uris.json").read_text())
    reference_catalogue()  # loaded once per process, as by any reader: not timed

    def digimaat(form: str) -> Callable[[], object]:
        return lambda: load_dataset(paths[form], limits=limits, products=uris)

    agree = {form: _same(digimaat(form)(), files["expected"]) for form in paths}
    if not all(agree.values()):
        return {"agree": agree}
    n, p, s = repeats["digimaat"], repeats["peer"], repeats["slow"]
    out: dict[str, Any] = {"agree": agree}
    out["csv"] = timed_in_turn(
        {
            "digimaat": (digimaat("csv"), n),
            "polars (1 thread)": (lambda: pl.read_csv(paths["csv"]), p),
            "pyarrow (no threads)": (lambda: _pyarrow(paths["csv"]), p),
            "csv module": (lambda: _csv_rows(paths["csv"]), s),
        }
    )
    out["json"] = timed_in_turn(
        {
            "digimaat": (digimaat("json"), n),
            "orjson": (lambda: _orjson(paths["json"]), p),
            "json module": (lambda: _json(paths["json"]), s),
        }
    )
    os.environ["DIGIMAAT_PURE"] = "1"
    try:
        # Timed apart from the others, after them: not paired.
        out["csv"]["digimaat, pure"] = {**timed(digimaat("csv"), s), "apart": True}
        out["json"]["digimaat, pure"] = {**timed(digimaat("json"), s), "apart": True}
    finally:
        del os.environ["DIGIMAAT_PURE"]
    return out


# ---------------------------------------------------------------------- memory (worker)
def _status(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key):
            return int(line.split()[1]) * 1024
    raise KeyError(key)


def memory_worker(path: str) -> dict[str, Any]:
    """Peak RSS of one load of ``path``, above the RSS before it (imports and catalogue done)."""
    import numpy  # noqa: F401

    from digimaat.exchange import Limits, load_dataset
    from digimaat.exchange.native import enabled
    from digimaat.vocabulary.products import reference_catalogue

    reference_catalogue()
    if enabled():  # the accelerators a load imports
        for name in ("orjson", "pyarrow", "pyarrow.csv"):
            with contextlib.suppress(ImportError):
                __import__(name)
    gc.collect()
    before = _status("VmRSS:")
    reset = True
    try:  # start the peak afresh (Linux); else the peak of the imports may hide the load's
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        reset = False
    size = os.path.getsize(path)
    dataset = load_dataset(path, limits=Limits(max_bytes=max(Limits().max_bytes, size)))
    peak = _status("VmHWM:")
    del dataset
    return {"bytes": size, "before": before, "peak": peak, "reset": reset}


def memory(path: str) -> dict[str, Any]:
    """:func:`memory_worker` in a fresh process."""
    out = _subprocess(["--memory-worker", path])
    out["added"] = out["peak"] - out["before"]
    out["over_size"] = out["added"] / out["bytes"]
    return out


# ---------------------------------------------------------------------- the command line
def cli_startup(runs: int = 15) -> dict[str, Any]:
    """``digimaat score`` on a small file as a whole process, and the interpreter's floor
    (see the module's docstring): the commands run in turn, ``runs`` times each."""
    import compileall

    import digimaat

    package = Path(digimaat.__file__).resolve().parent
    compileall.compile_dir(str(package), quiet=1)  # as pip compiles an installed wheel's
    python = sys.executable
    module = [python, "-m", "digimaat", "score", str(SMALL)]
    # The program as a user runs it: the script pip installs beside the interpreter (its
    # entry point, digimaat.cli:run), or, where there is none, the module.
    program = Path(python).with_name("digimaat")
    score = [str(program), "score", str(SMALL)] if program.exists() else module
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "digimaat"
        shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
        plain = {**os.environ, "PYTHONPATH": tmp, "PYTHONDONTWRITEBYTECODE": "1"}
        one_blas = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
        commands: dict[str, tuple[list[str], dict[str, str] | None]] = {
            "digimaat score": (score, None),
            "python -m digimaat score": (module, None),
            "python -c pass": ([python, "-c", "pass"], None),
            "python -c 'import numpy'": ([python, "-c", "import numpy"], None),
            "the same, one BLAS thread": ([python, "-c", "import numpy"], one_blas),
            "digimaat score, no bytecode": (module, plain),
        }
        times = _child_times_in_turn(commands, runs)
    return {"file": SMALL.name, **times}


def _child_times_in_turn(
    commands: dict[str, tuple[list[str], dict[str, str] | None]], runs: int
) -> dict[str, Any]:
    """Each command ``runs`` times, one after the other in turn, so that other work on the
    machine disturbs them alike; the medians and the minimum of each."""
    wall: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, (command, env) in commands.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            done = subprocess.run(command, capture_output=True, check=False, env=env)
            wall[name].append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[name].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            if done.returncode != 0:
                raise RuntimeError(f"{command} failed: {done.stderr.decode()[-500:]}")
    return {
        name: {
            "wall_median_s": statistics.median(wall[name]),
            "cpu_median_s": statistics.median(cpu[name]),
            "wall_min_s": min(wall[name]),
            "runs": runs,
        }
        for name in commands
    }


# ---------------------------------------------------------------------- the run
def _subprocess(arguments: Sequence[str]) -> dict[str, Any]:
    env = {**os.environ, "POLARS_MAX_THREADS": "1"}
    env.pop("DIGIMAAT_PURE", None)
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *arguments],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"exchange_peers {arguments[0]} failed:\n{done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure(seed: int, quick: bool = False) -> dict[str, Any]:
    """Every figure of this benchmark (files written to a temporary folder)."""
    repeats = dict.fromkeys(REPEATS, 1) if quick else REPEATS
    with tempfile.TemporaryDirectory() as tmp:
        files = write_national(Path(tmp), seed, quick)
        figures: dict[str, Any] = {
            "quick": quick,
            "offerings": files["offerings"],
            "bytes": {form: os.path.getsize(p) for form, p in files["paths"].items()},
        }
        figures["timing"] = _subprocess(["--worker", json.dumps(files), json.dumps(repeats)])
        if not all(figures["timing"]["agree"].values()):
            return figures
        figures["memory"] = {form: memory(path) for form, path in files["paths"].items()}
    figures["cli"] = cli_startup(3 if quick else 15)
    figures["ratios"] = ratios(figures)
    return figures


def ratios(figures: dict[str, Any]) -> dict[str, float]:
    """digimaat over its peers, paired round by round; memory over file size.

    digimaat and its peers read in turn, round after round (:func:`timed_in_turn`), and
    the ratio is the median over the rounds of digimaat's CPU time over the peer's in the
    same round. On a shared machine other work slows the readings for seconds at a time:
    a ratio of the readings' medians, or of their least times, taken from runs one after
    the other, passed or failed by chance (in one run the least of polars' reads of the
    national CSV was 107 ms, in the next, minutes later, 163 ms, while digimaat's barely
    moved), where readings in the same round are slowed alike. The least and median
    times are printed beside it.
    """
    timing = figures["timing"]

    def over(form: str, peer: str) -> float:
        mine, theirs = timing[form]["digimaat"]["cpu_s"], timing[form][peer]["cpu_s"]
        return float(statistics.median(a / b for a, b in zip(mine, theirs, strict=False)))

    return {
        "csv_over_polars": over("csv", "polars (1 thread)"),
        "csv_over_pyarrow": over("csv", "pyarrow (no threads)"),
        "csv_over_csv_module": over("csv", "csv module"),
        "json_over_orjson": over("json", "orjson"),
        "json_over_json_module": over("json", "json module"),
        "memory_over_size": max(m["over_size"] for m in figures["memory"].values()),
        "cli_score_s": figures["cli"]["digimaat score"]["wall_median_s"],
    }


def targets(figures: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """``(target, measured, goal, PASS/FAIL)`` of each target (not checked in a quick run)."""
    if figures.get("quick") or "ratios" not in figures:
        return []
    r = figures["ratios"]
    names = {
        "csv_over_polars": ("load national CSV / polars (1 thread), CPU", "{:.2f}x"),
        "json_over_orjson": ("load national JSON / orjson (gc off), CPU", "{:.2f}x"),
        "memory_over_size": ("peak memory of a load / file size", "{:.2f}x"),
        "cli_score_s": ("digimaat score on a small file, wall", "{:.3f} s"),
    }
    out = []
    for key, (name, fmt) in names.items():
        if key not in r:
            continue  # a run of the command line alone (--cli)
        goal = TARGETS[key]
        out.append(
            (
                name,
                fmt.format(r[key]),
                "<= " + fmt.format(goal),
                "PASS" if r[key] <= goal else "FAIL",
            )
        )
    return out


def report(figures: dict[str, Any]) -> str:
    """The figures as text."""
    lines = []
    sizes = ", ".join(f"{form.upper()} {b / 2**20:.1f} MB" for form, b in figures["bytes"].items())
    lines.append(
        f"loading the national files against peers ({figures['offerings']:,} offerings; {sizes}):"
    )
    timing = figures["timing"]
    if not all(timing["agree"].values()):
        lines.append(
            f"  DISAGREE: the files read back differ from the generated dataset: {timing['agree']}"
        )
        return "\n".join(lines)
    for form in ("csv", "json"):
        mine = timing[form]["digimaat"]
        for name, t in timing[form].items():
            paired = ""
            if name != "digimaat" and not t.get("apart"):
                rounds = zip(mine["cpu_s"], t["cpu_s"], strict=False)
                paired = f"paired {statistics.median(a / b for a, b in rounds):.2f}x, "
            lines.append(
                f"  {form.upper():>4} {name:<22} CPU least {t['cpu_min_s'] * 1000:7.1f} ms  "
                f"median {t['cpu_median_s'] * 1000:7.1f} ms  wall {t['wall_median_s'] * 1000:7.1f}"
                f" ms  (digimaat / this: {paired}least {mine['cpu_min_s'] / t['cpu_min_s']:.2f}x,"
                f" {t['repeats']} runs)"
            )
    for form, m in figures["memory"].items():
        lines.append(
            f"  memory, {form.upper()}: peak {m['added'] / 2**20:.1f} MB above the "
            f"{m['before'] / 2**20:.1f} MB held before the load = {m['over_size']:.2f}x the file"
            + ("" if m["reset"] else " (peak not reset: an upper bound)")
        )
    lines.append(cli_report(figures["cli"]))
    return "\n".join(lines)


def cli_report(cli: dict[str, Any]) -> str:
    """The figures of :func:`cli_startup` as text."""
    lines = [f"the command line on {cli['file']}, whole processes:"]
    for name, t in cli.items():
        if isinstance(t, dict):
            lines.append(
                f"  {name:<28} wall {t['wall_median_s'] * 1000:6.0f} ms  CPU "
                f"{t['cpu_median_s'] * 1000:6.0f} ms (median of {t['runs']}; "
                f"wall at least {t['wall_min_s'] * 1000:.0f} ms)"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time loading the exchange formats against peers.")
    parser.add_argument("--quick", action="store_true", help="small files: agreement and smoke")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--json", metavar="PATH", help="write the figures as JSON")
    parser.add_argument(
        "--cli", action="store_true", help="only the command line's start-up, with its target"
    )
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--memory-worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(json.loads(args.worker[0]), json.loads(args.worker[1]))))
        return 0
    if args.memory_worker:
        print(json.dumps(memory_worker(args.memory_worker)))
        return 0
    if args.cli:
        cli = cli_startup()
        figures = {"cli": cli, "ratios": {"cli_score_s": cli["digimaat score"]["wall_median_s"]}}
        print(cli_report(cli))
        for row in targets(figures):
            print("  " + "  ".join(row))
        if args.json:
            Path(args.json).write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
        return 0
    sys.path.insert(0, str(HERE))
    import generate

    figures = measure(generate.DEFAULT_SEED if args.seed is None else args.seed, args.quick)
    print(report(figures))
    for row in targets(figures):
        print("  " + "  ".join(row))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
    return 0 if all(figures["timing"]["agree"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
