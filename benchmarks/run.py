"""The digimaat benchmark runner.

First it checks that digimaat and its two peers (``peers/naive.py``, per object;
``peers/pandas_peer.py``, pandas) agree to 1e-9 on every metric of the standard profile,
value and coverage, for every municipality; a disagreement exits with status 1 before
anything is timed. Then, in one run, it times the three in turn and measures import time,
memory, a chunked European-scale run (in worker processes side by side, one per core,
two by default) and loading from the exchange formats, and compares each figure with the
project's target.

Last comes the uncertainty analysis of chapter UNC (the example profile with an
uncertainty section, ``specs/examples/profile-uncertainty.toml``): 10,000 samples of the
national dataset against a naive peer that scores each sample with a whole
``Profile.score``, its peak memory at two sample counts, and a European-scale run.

Usage::

    python benchmarks/run.py              # the full run (a few minutes)
    python benchmarks/run.py --quick      # small sizes: agreement and a smoke timing
    python benchmarks/run.py --json out.json

Exit status: 0 when the implementations agree (and, with ``--strict``, every measured
target passes), 1 on a disagreement, 2 when ``--strict`` and a target fails.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np

import exchange_peers
import generate
from digimaat.measurement.dataset import Dataset
from digimaat.measurement.profiles import standard_profile
from peers import naive, pandas_peer, plain_charts

TOLERANCE = 1e-9
"""Agreement tolerance, absolute, on values and coverages (AGG-8)."""

MB = 1024 * 1024

# Repetitions of the timed runs (medians are reported).
REPEATS = {"digimaat": 50, "pandas": 15, "naive": 7}
QUICK_REPEATS = {"digimaat": 10, "pandas": 3, "naive": 3}
IMPORT_RUNS = 9


# ---------------------------------------------------------------------- machine
def usable_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = usable_cores()
    import pandas as pd  # type: ignore[import-untyped]

    env = {
        name: os.environ.get(name, "unset")
        for name in (
            "OPENBLAS_CORETYPE",
            "OPENBLAS_L2_SIZE",
            "OPENBLAS_NUM_THREADS",
            "OMP_NUM_THREADS",
        )
    }
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = []
    return {
        "load_average": load,
        "cpu": cpu,
        "cores": usable,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "platform": platform.platform(),
        "env": env,
    }


# ---------------------------------------------------------------------- agreement
Columns = dict[str, tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]]
"""``{metric id: (value[m], coverage[m])}`` in CBS-code order."""


def digimaat_columns(ds: Dataset) -> Columns:
    board = standard_profile().score(ds)
    return {mid: (r.value, r.coverage) for mid, r in board.results.items()}


def naive_columns(scores: naive.Scores, codes: Sequence[str]) -> Columns:
    return {
        mid: (
            np.array([by_code[c][0] for c in codes], dtype=np.float64),
            np.array([by_code[c][1] for c in codes], dtype=np.float64),
        )
        for mid, by_code in scores.items()
    }


def pandas_columns(frame: Any, codes: Sequence[str]) -> Columns:
    frame = frame.reindex(list(codes))
    metrics = dict.fromkeys(frame.columns.get_level_values(0))
    return {
        mid: (
            frame[(mid, "value")].to_numpy(dtype=np.float64),
            frame[(mid, "coverage")].to_numpy(dtype=np.float64),
        )
        for mid in metrics
    }


@attrs.frozen
class Agreement:
    """How far a peer is from digimaat."""

    peer: str
    max_diff: float
    compared: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def compare(peer: str, reference: Columns, other: Columns, codes: Sequence[str]) -> Agreement:
    """Compare every metric's value and coverage per municipality, to :data:`TOLERANCE`.

    Both undefined (NaN) is agreement; one undefined and the other not is a disagreement.
    """
    problems: list[str] = []
    worst = 0.0
    compared = 0
    for mid in sorted(set(reference) | set(other)):
        if mid not in reference or mid not in other:
            problems.append(f"{peer}: metric {mid!r} missing on one side")
            continue
        for k, what in enumerate(("value", "coverage")):
            ref, got = reference[mid][k], other[mid][k]
            if ref.shape != got.shape:
                problems.append(f"{peer}: {mid} {what}: shape {got.shape} != {ref.shape}")
                continue
            for i, code in enumerate(codes):
                a, b = float(ref[i]), float(got[i])
                compared += 1
                if math.isnan(a) and math.isnan(b):
                    continue
                diff = abs(a - b)
                if math.isnan(diff) or diff > TOLERANCE:
                    problems.append(f"{peer}: {mid} {what} of {code}: digimaat {a!r}, {peer} {b!r}")
                else:
                    worst = max(worst, diff)
    return Agreement(peer, worst, compared, tuple(problems))


# ---------------------------------------------------------------------- timing
def timed(
    call: Callable[[Any], object], repeats: int, setup: Callable[[], Any] = lambda: None
) -> tuple[list[float], list[float], list[float]]:
    """Wall-clock seconds, CPU seconds and minor page faults per ``call(setup())``.

    The call is made ``repeats`` times; only the call is timed. The garbage collector is
    off while timing (as in :mod:`timeit`), and each result is dropped before the next
    repetition. CPU time (this process) is reported beside wall-clock time because it is
    less disturbed by other work on the machine; minor page faults count the fresh memory
    a call touches (4 KiB each), which is expensive on some virtual machines.
    """
    wall: list[float] = []
    cpu: list[float] = []
    faults: list[float] = []
    gc.collect()
    for _ in range(repeats):
        arg = setup()
        gc.disable()
        try:
            before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            start, start_cpu = time.perf_counter(), time.process_time()
            result = call(arg)
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
            faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
        finally:
            gc.enable()
        del arg, result
    return wall, cpu, faults


def summary(
    times: Sequence[float],
    cpu: Sequence[float] | None = None,
    faults: Sequence[float] | None = None,
) -> dict[str, Any]:
    out = {
        "median_s": statistics.median(times),
        "min_s": min(times),
        "max_s": max(times),
        "repeats": len(times),
    }
    if cpu is not None:
        out["cpu_median_s"] = statistics.median(cpu)
    if faults is not None:
        out["page_faults_median"] = statistics.median(faults)
    return out


def traced_peak(call: Callable[[Any], object], arg: Any = None) -> int:
    """Peak bytes allocated (tracemalloc) during ``call(arg)``, above what existed before."""
    gc.collect()
    tracemalloc.start()
    try:
        base, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        result = call(arg)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del result
    return peak - base


# ---------------------------------------------------------------------- subprocesses
def import_times(runs: int) -> dict[str, Any]:
    """Seconds to ``import digimaat`` (and the scoring modules), each in a fresh interpreter."""
    code = (
        "import time, json\n"
        "t0 = time.perf_counter()\n"
        "import digimaat\n"
        "t1 = time.perf_counter()\n"
        "import digimaat.measurement.profiles\n"
        "t2 = time.perf_counter()\n"
        "print(json.dumps([t1 - t0, t2 - t0]))\n"
    )
    top, scoring = [], []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        first, second = json.loads(out.stdout)
        top.append(first)
        scoring.append(second)
    return {
        "import_digimaat": summary(top),
        "import_scoring": summary(scoring),
    }


def peak_rss() -> int:
    """This process's peak resident set size in bytes.

    On Linux, ``VmHWM`` of ``/proc/self/status``: unlike ``getrusage``'s ``ru_maxrss``, it
    starts afresh when a program is executed, so a subprocess does not report the memory
    of the process that started it.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def european_worker(
    seed: int, units: int, chunk: int, part: int = 0, parts: int = 1
) -> dict[str, Any]:
    """Score part ``part`` of ``parts`` of the units chunk by chunk, in its own process.

    The part is every ``parts``-th chunk (see ``generate.european``); with ``parts=1``
    all of them.
    """
    profile = standard_profile()
    ids = [m.id for m in profile.metrics]
    values: list[np.ndarray[Any, Any]] = []
    generating = building = scoring = 0.0
    units_done = 0
    chunks = 0
    rss_after_import = peak_rss()
    t = time.perf_counter()
    for data in generate.european(seed, units, chunk, part=part, parts=parts):
        generating += time.perf_counter() - t
        t = time.perf_counter()
        ds = data.dataset()
        del data
        building += time.perf_counter() - t
        t = time.perf_counter()
        board = profile.score(ds)
        values.append(np.stack([board.results[mid].value for mid in ids], axis=1))
        scoring += time.perf_counter() - t
        units_done += len(ds.codes)
        chunks += 1
        del ds, board
        t = time.perf_counter()
    generating += time.perf_counter() - t
    headline = np.concatenate(values)[:, ids.index(profile.headline)] if values else np.empty(0)
    return {
        "units": units_done,
        "chunk": chunk,
        "chunks": chunks,
        "part": part,
        "parts": parts,
        "generate_s": generating,
        "build_s": building,
        "score_s": scoring,
        "library_s": building + scoring,
        "peak_rss_bytes": peak_rss(),
        "rss_after_imports_bytes": rss_after_import,
        "headline_sum": float(np.nansum(headline)),
        "headline_defined": int(np.count_nonzero(~np.isnan(headline))),
    }


def european(seed: int, units: int, chunk: int, workers: int) -> dict[str, Any]:
    """The European-scale run: ``workers`` processes at once, each scoring every
    ``workers``-th chunk (one process per core).

    Each worker times its own building and scoring. The workers run side by side, so the
    time the library needs for all the units is the longest worker's building plus
    scoring (``library_s``); their sum is what one core alone would need
    (``library_one_core_s``). Generating the synthetic data is not counted; the elapsed
    time of the whole run, generating included, is reported too. The peak memory is the
    sum of the workers' peaks (they are alive at the same time).
    """
    command = [sys.executable, str(Path(__file__).resolve()), "--european-worker"]
    command += ["--seed", str(seed), "--units", str(units), "--chunk", str(chunk)]
    start = time.perf_counter()
    running = [
        subprocess.Popen(
            [*command, "--part", str(k), "--parts", str(workers)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in range(workers)
    ]
    parts: list[dict[str, Any]] = []
    for process in running:
        out, err = process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"European worker failed:\n{err}")
        parts.append(json.loads(out.strip().splitlines()[-1]))
    elapsed = time.perf_counter() - start
    defined = sum(w["headline_defined"] for w in parts)
    longest = max(parts, key=lambda w: w["library_s"])
    return {
        "units": sum(w["units"] for w in parts),
        "chunk": chunk,
        "chunks": sum(w["chunks"] for w in parts),
        "workers": workers,
        "generate_s": longest["generate_s"],
        "build_s": longest["build_s"],
        "score_s": longest["score_s"],
        "library_s": longest["library_s"],
        "library_one_core_s": sum(w["library_s"] for w in parts),
        "elapsed_s": elapsed,
        "peak_rss_bytes": sum(w["peak_rss_bytes"] for w in parts),
        "rss_after_imports_bytes": sum(w["rss_after_imports_bytes"] for w in parts),
        "mean_headline": sum(w["headline_sum"] for w in parts) / defined if defined else None,
        "per_worker": parts,
    }


def score_worker(seed: int, municipalities: int, products: int | None) -> dict[str, Any]:
    """Time scoring fresh copies of the national dataset in a process that did nothing else."""
    ds = generate.national(seed, municipalities, products).dataset()
    profile = standard_profile()
    return summary(*timed(profile.score, REPEATS["digimaat"], setup=lambda: attrs.evolve(ds)))


def score_fresh_process(args: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--score-worker"]
    command += ["--seed", str(args.seed), "--municipalities", str(args.municipalities)]
    if args.products is not None:
        command += ["--products", str(args.products)]
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


# ---------------------------------------------------------------------- uncertainty
UNCERTAINTY_PROFILE = (
    Path(__file__).resolve().parent.parent / "specs/examples/profile-uncertainty.toml"
)
UNCERTAINTY_SEED = 20_241_205
"""The seed of the uncertainty design (the data have their own, ``--seed``)."""
NAIVE_SAMPLES = 100
"""Samples the naive peer scores; its time for all the samples is extrapolated from them."""


def uncertainty_profile() -> Any:
    from digimaat.exchange.profiles import load_profile

    return load_profile(UNCERTAINTY_PROFILE)


def uncertainty_worker(args: argparse.Namespace) -> dict[str, Any]:
    """One uncertainty run in its own process, so that its peak memory is its own.

    ``national``: ``analyse`` of the national dataset (the SALib and threadpoolctl imports
    and the dataset are made before the clock starts); ``european``: ``analyse_chunks`` of
    the European-scale units, generated chunk by chunk (generating is timed apart).
    """
    import SALib.analyze.sobol  # noqa: F401 - imported before the clock starts
    import threadpoolctl  # noqa: F401

    from digimaat.analysis.uncertainty import analyse, analyse_chunks

    profile = uncertainty_profile()
    runs: list[float] = []
    cpu: list[float] = []
    naive: list[dict[str, Any]] = []
    if args.mode == "national":
        data = generate.national(args.seed, args.municipalities, args.products)
        ds = data.dataset()
        gc.collect()
        before = peak_rss()
        first = time.perf_counter()
        result = analyse(ds, profile, samples=args.samples, seed=UNCERTAINTY_SEED)
        runs.append(time.perf_counter() - first)
        # The first run pays for the memory new to the process. Then, in turn, the
        # analysis and (with --naive) the naive peer are timed, so that both meet the same
        # load of the machine.
        for _ in range(3):
            start, start_cpu = time.perf_counter(), time.process_time()
            analyse(ds, profile, samples=args.samples, seed=UNCERTAINTY_SEED)
            runs.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
            if args.naive:
                naive.append(naive_uncertainty(data, args.samples, args.naive))
        elapsed = statistics.median(runs[1:])
        generating = 0.0
    else:
        generating = 0.0

        def chunks() -> Any:
            nonlocal generating
            t = time.perf_counter()
            for data in generate.european(args.seed, args.units, args.chunk):
                ds = data.dataset()
                del data
                generating += time.perf_counter() - t
                yield ds
                t = time.perf_counter()

        before = peak_rss()
        start = time.perf_counter()
        result = analyse_chunks(
            chunks(),
            profile,
            samples=args.samples,
            seed=UNCERTAINTY_SEED,
            metrics=[profile.headline],
        )
        elapsed = time.perf_counter() - start - generating
        runs.append(elapsed)
    headline = result.spreads[profile.headline]
    widths = [s.high - s.low for s in headline if s.high is not None and s.low is not None]
    moved = [
        s
        for s in headline
        if s.rank_low is not None and s.rank_high is not None and s.rank_low != s.rank_high
    ]
    return {
        "mode": args.mode,
        "samples": result.evaluations,
        "municipalities": len(result.codes),
        "groups": list(result.groups),
        "seconds": elapsed,
        "runs_s": runs,
        "cpu_s": statistics.median(cpu) if cpu else None,
        "naive": _naive_summary(naive) if naive else None,
        "generate_s": generating,
        "rss_before_bytes": before,
        "peak_rss_bytes": peak_rss(),
        "mean_interval_width": statistics.fmean(widths) if widths else None,
        "rank_moves_share": len(moved) / len(headline) if headline else None,
    }


def _naive_summary(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """The median of the naive peer's rounds (wall-clock and CPU per sample)."""
    out = dict(rounds[0])
    for key in ("per_sample_s", "per_sample_cpu_s", "extrapolated_s", "extrapolated_cpu_s"):
        out[key] = statistics.median(r[key] for r in rounds)
    out["max_abs_diff"] = max(r["max_abs_diff"] for r in rounds)
    out["rounds"] = len(rounds)
    return out


def _uncertainty_process(
    args: argparse.Namespace, mode: str, samples: int, m: int, p: int | None, naive: int = 0
) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--uncertainty-worker"]
    command += ["--mode", mode, "--samples", str(samples), "--seed", str(args.seed)]
    command += ["--municipalities", str(m), "--units", str(args.units)]
    command += ["--chunk", str(args.chunk), "--naive", str(naive)]
    if p is not None:
        command += ["--products", str(p)]
    out = subprocess.run(command, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"uncertainty worker failed:\n{out.stderr}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def naive_uncertainty(data: generate.Synthetic, samples: int, count: int) -> dict[str, Any]:
    """The naive peer: one whole ``Profile.score`` of the sample profile on the sample
    dataset per sample (UNC-4), for the first ``count`` samples of the same design; the
    time for ``samples`` is extrapolated from them, and their scores are checked against
    the batch scorer's."""
    from digimaat.analysis.uncertainty import Design, _options
    from digimaat.measurement.uncertainty import BatchScorer, sample_dataset, sample_profile

    profile = uncertainty_profile()
    ds = data.dataset()
    scorer = BatchScorer(profile, ds, [profile.headline])
    section = profile.uncertainty
    design = Design.build(
        section,
        _options(profile),
        scorer.parts,
        len(ds.uris),
        len(scorer.cells),
        samples,
        UNCERTAINTY_SEED,
        scorer.level_counts.tolist(),
    )
    batch = design.samples(
        0,
        count,
        slice(0, len(scorer.cells)),
        scorer.parts,
        len(ds.uris),
        slice(0, len(scorer.level_cells)),
    )
    fast = scorer.score(batch)[:, 0, :]
    worst = 0.0
    start, start_cpu = time.perf_counter(), time.process_time()
    for k in range(count):
        board = sample_profile(profile, ds, batch, k).score(sample_dataset(ds, section, batch, k))
        value = board.results[profile.headline].value
        both = ~np.isnan(value)
        if not np.array_equal(both, ~np.isnan(fast[k])):
            worst = math.inf
        else:
            worst = max(worst, float(np.max(np.abs(value[both] - fast[k][both]), initial=0.0)))
    per_sample = (time.perf_counter() - start) / count
    per_sample_cpu = (time.process_time() - start_cpu) / count
    return {
        "measured_samples": count,
        "per_sample_s": per_sample,
        "per_sample_cpu_s": per_sample_cpu,
        "extrapolated_s": per_sample * design.evaluations,
        "extrapolated_cpu_s": per_sample_cpu * design.evaluations,
        "evaluations": design.evaluations,
        "max_abs_diff": worst,
    }


def uncertainty(
    args: argparse.Namespace, data: generate.Synthetic, m: int, p: int | None
) -> dict[str, Any]:
    """The uncertainty figures: national timing and memory at two sample counts (each in a
    fresh process), the naive peer, and the European-scale run."""
    if args.quick:
        small, large = 200, 800
    else:
        small, large = args.uncertainty_samples, 4 * args.uncertainty_samples
    out: dict[str, Any] = {"profile": str(UNCERTAINTY_PROFILE.name)}
    count = 5 if args.quick else NAIVE_SAMPLES
    out["national"] = _uncertainty_process(args, "national", small, m, p, naive=count)
    out["national_large"] = _uncertainty_process(args, "national", large, m, p)
    out["naive"] = out["national"]["naive"]
    if not args.quick and not args.no_european:
        out["european"] = _uncertainty_process(args, "european", args.european_samples, m, p)
    return out


def print_uncertainty(u: dict[str, Any]) -> None:
    n, big, naive = u["national"], u["national_large"], u["naive"]
    print(
        f"\nuncertainty ({u['profile']}: {len(n['groups'])} groups; each run in a fresh process):"
    )
    for run in (n, big):
        print(
            f"  national, {run['samples']:,} samples x {run['municipalities']} municipalities: "
            f"{run['seconds']:.2f} s (median of 3 after a first run of {run['runs_s'][0]:.2f} s)"
            f"; peak RSS {run['peak_rss_bytes'] / MB:.0f} MB "
            f"({(run['peak_rss_bytes'] - run['rss_before_bytes']) / MB:.0f} MB above the "
            f"{run['rss_before_bytes'] / MB:.0f} MB before the analysis)"
        )
    print(
        f"  naive peer (one Profile.score per sample), timed in turn with the analysis in "
        f"the same process: {naive['per_sample_s'] * 1000:.1f} ms per sample (CPU "
        f"{naive['per_sample_cpu_s'] * 1000:.1f} ms), measured on {naive['measured_samples']} "
        f"samples and extrapolated to {naive['evaluations']:,}: {naive['extrapolated_s']:.0f} s "
        f"(median of {naive['rounds']} rounds); largest difference from the batch scores "
        f"{naive['max_abs_diff']:.2g}"
    )
    print(
        f"  ratios: wall-clock {naive['extrapolated_s'] / n['seconds']:.0f}x, CPU "
        f"{naive['extrapolated_cpu_s'] / n['cpu_s']:.0f}x (the analysis's CPU median "
        f"{n['cpu_s']:.2f} s)"
    )
    if "european" in u:
        e = u["european"]
        print(
            f"  European scale, {e['municipalities']:,} units x {e['samples']:,} samples "
            f"(headline): {e['seconds']:.1f} s (generating the units, not counted: "
            f"{e['generate_s']:.1f} s); peak RSS {e['peak_rss_bytes'] / MB:.0f} MB"
        )
    print(
        f"  headline: mean width of the 5-95 % interval {n['mean_interval_width']:.3f}; "
        f"share of municipalities whose rank interval is wider than one rank "
        f"{n['rank_moves_share']:.2f}"
    )


# ---------------------------------------------------------------------- memory
def dataset_memory(data: generate.Synthetic) -> dict[str, Any]:
    """The national dataset's arrays (nbytes) and what building it allocates (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        base, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        ds = data.dataset()
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    fields = sum(
        value.nbytes
        for a in attrs.fields(Dataset)
        if isinstance(value := getattr(ds, a.name), np.ndarray)
    )
    standard_profile().score(ds)
    cache = getattr(ds, "_derived", {})
    derived = sum(v.nbytes for v in cache.values() if isinstance(v, np.ndarray))
    return {
        "arrays_bytes": fields,
        "built_retained_bytes": current - base,
        "built_peak_bytes": peak - base,
        "derived_after_scoring_bytes": derived,
    }


# ---------------------------------------------------------------------- loading
LOADING_BUDGET_S = 30.0
"""Stop repeating a loading measurement once this many seconds were spent on it."""


def loading(data: generate.Synthetic, offerings: Sequence[Any], repeats: int) -> dict[str, Any]:
    """Seconds to load the national dataset from its CSV and JSON forms, with validation.

    Each form is written once with the exchange writer (``exchange.dumps``), then read
    straight into a validated dataset with ``exchange.load_dataset``, the one reading
    pipeline; the target applies to that, file to dataset in memory. For comparison the
    record view is timed once, without a target: ``exchange.load``, then the submission's
    offerings as records into ``Dataset.from_offerings``. The readers' size limit is raised
    to the file's size where the file is larger than the default limit (reported as
    ``over_default_limit``).
    """
    from digimaat import exchange

    submission = exchange.Submission.build(
        data.municipalities, offerings, reference_year=2024, source="digimaat benchmarks"
    )
    reference = data.dataset()
    out: dict[str, Any] = {"measured": True, "offerings": len(offerings)}
    with tempfile.TemporaryDirectory() as tmp:
        for form in ("csv", "json"):
            try:
                out[form] = _load_form(
                    exchange, submission, data, reference, Path(tmp) / f"national.{form}", repeats
                )
                out[f"{form}_s"] = out[form]["total"]["median_s"]
            except Exception as exc:  # report, do not lose the other figures
                out[form] = {"error": f"{type(exc).__name__}: {exc}"}
    return out


def _same_arrays(a: Dataset, b: Dataset) -> bool:
    if a.codes != b.codes or a.uris != b.uris:
        return False
    for field in attrs.fields(Dataset):
        left, right = getattr(a, field.name), getattr(b, field.name)
        if isinstance(left, np.ndarray) and not np.array_equal(
            left, right, equal_nan=left.dtype.kind == "f"
        ):
            return False
    return True


def _load_form(
    exchange: Any,
    submission: Any,
    data: generate.Synthetic,
    reference: Dataset,
    path: Path,
    repeats: int,
) -> dict[str, Any]:
    form = path.suffix.lstrip(".")
    path.write_text(exchange.dumps(submission, form=form), encoding="utf-8", newline="")
    size = path.stat().st_size
    limit = int(exchange.MAX_BYTES)
    limits = exchange.Limits(max_bytes=max(limit, size))
    uris = [p.uri for p in data.products]
    totals: list[float] = []
    same = True
    gc.collect()
    while len(totals) < repeats and sum(totals) < LOADING_BUDGET_S:
        start = time.perf_counter()
        ds = exchange.load_dataset(path, limits=limits, products=uris)
        totals.append(time.perf_counter() - start)
        same = same and _same_arrays(ds, reference)
        del ds
    start = time.perf_counter()
    loaded = exchange.load(path, limits=limits)
    ds = Dataset.from_offerings(
        loaded.offerings, loaded.municipalities, loaded.catalogue, products=uris
    )
    record_view = time.perf_counter() - start
    same = same and loaded == submission and _same_arrays(ds, reference)
    return {
        "bytes": size,
        "default_limit_bytes": limit,
        "over_default_limit": size > limit,
        "total": summary(totals),
        "record_view_s": record_view,
        "round_trip": same,
    }


# ---------------------------------------------------------------------- the report
def report(data: generate.Synthetic, repeats: int) -> dict[str, Any]:
    """Seconds to write the HTML report of one municipality and of every municipality.

    The dataset is in memory (reading files is timed by ``loading``); the report scores it,
    compares every municipality among its size class and among all, draws seven charts a
    municipality (six with one year) and writes the page. The peer draws the same six charts
    of one municipality with plain matplotlib calls (``peers/plain_charts.py``), with its
    numbers from digimaat's API, and writes no page.
    """
    try:
        from digimaat.analysis.peers import compare
        from digimaat.analysis.report import render_report
        from digimaat.analysis.trends import YearData
    except ImportError as exc:  # pragma: no cover - the report extra is part of dev
        return {"measured": False, "reason": str(exc)}
    profile = standard_profile()
    ds = data.dataset()
    code = ds.codes[len(ds.codes) // 2]
    years = {2024: YearData(2024, ds)}
    render_report(years, profile, municipalities=[code])  # imports and caches, not timed
    one = timed(lambda _: render_report(years, profile, municipalities=[code]), repeats)
    board = profile.score(ds)
    comparison = compare(board)
    peer = timed(lambda _: plain_charts.charts(board, profile, comparison, code), repeats)
    start, start_cpu = time.perf_counter(), time.process_time()
    page = render_report(years, profile)
    every = (time.perf_counter() - start, time.process_time() - start_cpu)
    return {
        "measured": True,
        "municipalities": len(ds.codes),
        "one": summary(*one[:2]),
        "peer_one": summary(*peer[:2]),
        "one_over_peer": statistics.median(one[0]) / statistics.median(peer[0]),
        "all_s": every[0],
        "all_cpu_s": every[1],
        "all_per_municipality_s": every[0] / len(ds.codes),
        "all_bytes": len(page.encode("utf-8")),
    }


# ---------------------------------------------------------------------- profile
def hot_spots(ds: Dataset, runs: int = 30, top: int = 15) -> list[dict[str, Any]]:
    """cProfile of scoring a fresh copy of ``ds`` ``runs`` times: the top functions by own time.

    Times are per scoring (divided by ``runs``); paths are shown from the package or
    library folder down, never from the root of the machine.
    """
    import cProfile
    import pstats

    profile = standard_profile()
    profiler = cProfile.Profile()
    for _ in range(runs):
        fresh = attrs.evolve(ds)
        profiler.enable()
        profile.score(fresh)
        profiler.disable()
        del fresh
    stats = pstats.Stats(profiler)
    rows = []
    entries: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    for (file, line, func), (_, calls, own, cumulative, _) in entries.items():
        rows.append(
            {
                "function": func,
                "where": f"{_short(file)}:{line}" if line else _short(file),
                "calls": calls / runs,
                "own_ms": own / runs * 1000,
                "cumulative_ms": cumulative / runs * 1000,
            }
        )
    rows.sort(key=lambda r: -r["own_ms"])
    return rows[:top]


def _short(file: str) -> str:
    parts = Path(file).parts
    for anchor in ("digimaat", "numpy", "site-packages"):
        if anchor in parts:
            return "/".join(parts[parts.index(anchor) :])
    return Path(file).name if file.startswith(("/", ".")) else file


# ---------------------------------------------------------------------- report
@attrs.frozen
class Target:
    name: str
    measured: str
    goal: str
    status: str  # PASS, FAIL or "not measured"


def check(name: str, value: float | None, limit: float, fmt: str, at_least: bool = False) -> Target:
    goal = (">= " if at_least else "<= ") + fmt.format(limit)
    if value is None:
        return Target(name, "-", goal, "not measured")
    ok = value >= limit if at_least else value <= limit
    return Target(name, fmt.format(value), goal, "PASS" if ok else "FAIL")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> str:
    widths = [max(len(str(r[k])) for r in [header, *rows]) for k in range(len(header))]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True)), line]
    out += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(out)


def print_machine(info: dict[str, Any]) -> None:
    print("machine:")
    print(f"  cpu: {info['cpu']} ({info['cores']} usable cores)")
    print(f"  python {info['python']} ({info['implementation']}), numpy {info['numpy']}, ", end="")
    print(f"pandas {info['pandas']}")
    print(f"  {info['platform']}")
    print("  " + ", ".join(f"{k}={v}" for k, v in info["env"].items()))
    print(f"  load average (1, 5, 15 min) at start: {info['load_average']}")


# ---------------------------------------------------------------------- main
def run(args: argparse.Namespace) -> int:
    figures: dict[str, Any] = {"mode": "quick" if args.quick else "full", "seed": args.seed}
    info = machine()
    figures["machine"] = info
    print_machine(info)

    if args.quick:
        m, p = 20, 60
    else:
        m, p = args.municipalities, args.products
    t = time.perf_counter()
    # The quick dataset (the one the test suite checks) includes the corner cases.
    data = generate.national(args.seed, m, p, edge_cases=args.quick)
    ds = data.dataset()
    offerings = data.offerings()
    frames = pandas_peer.frames(data)
    shape = ds.shape
    figures["national"] = {
        "municipalities": shape[0],
        "products": shape[1],
        "channels": shape[2],
        "offerings": len(offerings),
    }
    print(
        f"\ndataset: {shape[0]} municipalities x {shape[1]} products x {shape[2]} channels, "
        f"{len(offerings):,} offerings (seed {args.seed}; generated in "
        f"{time.perf_counter() - t:.1f} s)"
    )

    # 1. Agreement, before anything is timed.
    codes = ds.codes
    reference = digimaat_columns(attrs.evolve(ds))
    agreements = [
        compare(
            "naive",
            reference,
            naive_columns(naive.score(offerings, data.municipalities, data.products), codes),
            codes,
        ),
        compare("pandas", reference, pandas_columns(pandas_peer.score(*frames), codes), codes),
    ]
    figures["agreement"] = {
        "tolerance": TOLERANCE,
        "metrics": len(reference),
        "municipalities": len(codes),
        **{a.peer: {"max_abs_diff": a.max_diff, "compared": a.compared} for a in agreements},
        "ok": all(a.ok for a in agreements),
    }
    print(
        f"\nagreement ({len(reference)} metrics x {len(codes)} municipalities x value and "
        f"coverage, tolerance {TOLERANCE:g}):"
    )
    for a in agreements:
        verdict = "agree" if a.ok else f"DISAGREE in {len(a.problems)} figures"
        print(f"  {a.peer:>7}: {verdict}; largest difference {a.max_diff:.3g}")
        for problem in a.problems[:10]:
            print(f"           {problem}")
    if not all(a.ok for a in agreements):
        print("\nFAIL: the implementations disagree; nothing was timed.")
        write_json(args.json, figures)
        return 1

    # 2. Timings, one implementation after the other, in this one process.
    repeats = QUICK_REPEATS if args.quick else REPEATS
    profile = standard_profile()
    times = {
        # A dataset caches derived arrays, so every repetition scores a fresh copy
        # (attrs.evolve, outside the timed region): each timing includes those arrays.
        "digimaat": timed(profile.score, repeats["digimaat"], setup=lambda: attrs.evolve(ds)),
        "pandas": timed(lambda _: pandas_peer.score(*frames), repeats["pandas"]),
        "naive": timed(
            lambda _: naive.score(offerings, data.municipalities, data.products),
            repeats["naive"],
        ),
    }
    # For comparison only: scoring the same dataset again, its derived arrays cached.
    times["digimaat, cached"] = timed(lambda _: profile.score(ds), repeats["digimaat"])
    timing = {name: summary(*ts) for name, ts in times.items()}
    base = timing["digimaat"]["median_s"]
    ratios = {
        "naive_over_digimaat": timing["naive"]["median_s"] / base,
        "pandas_over_digimaat": timing["pandas"]["median_s"] / base,
    }
    base_cpu = timing["digimaat"]["cpu_median_s"]
    ratios_cpu = {
        "naive_over_digimaat": timing["naive"]["cpu_median_s"] / base_cpu,
        "pandas_over_digimaat": timing["pandas"]["cpu_median_s"] / base_cpu,
    }
    figures["timing"] = timing
    figures["ratios"] = ratios
    figures["ratios_cpu"] = ratios_cpu

    peaks: dict[str, int | None] = dict.fromkeys(times)
    peaks.pop("digimaat, cached")
    if not args.quick:  # tracemalloc slows Python code down many times: a separate run
        peaks = {
            "digimaat": traced_peak(profile.score, attrs.evolve(ds)),
            "pandas": traced_peak(lambda _: pandas_peer.score(*frames)),
            "naive": traced_peak(
                lambda _: naive.score(offerings, data.municipalities, data.products)
            ),
        }
    figures["scoring_peak_bytes"] = peaks
    print(
        "\nscoring the standard profile (digimaat on a fresh Dataset copy per repetition, "
        "because a dataset caches derived arrays; garbage collector off while timing):"
    )
    rows = [
        [
            name,
            ms(timing[name]["median_s"]),
            ms(timing[name]["min_s"]),
            ms(timing[name]["cpu_median_s"]),
            f"{timing[name]['page_faults_median']:,.0f}",
            str(timing[name]["repeats"]),
            f"{timing[name]['median_s'] / base:.1f}x",
            "-" if (peak := peaks.get(name)) is None else f"{peak / MB:.1f} MB",
        ]
        for name in ("digimaat", "pandas", "naive", "digimaat, cached")
    ]
    header = ["implementation", "median", "min", "CPU median", "page faults", "runs"]
    header.append("vs digimaat")
    print(table(rows, [*header, "peak (traced)"]))
    print(
        "  digimaat: Profile.score on a Dataset; pandas: merges and a groupby on a long table "
        "of offerings\n  (levels derived when the table was built); naive: a loop over "
        "Offering objects, each level\n  derived from its capabilities; 'digimaat, cached': "
        "the same Dataset scored again (not a target)."
    )
    print(
        f"  ratios of the CPU medians (less disturbed by other work; the targets use the "
        f"wall-clock medians):\n  naive / digimaat {ratios_cpu['naive_over_digimaat']:.0f}x, "
        f"pandas / digimaat {ratios_cpu['pandas_over_digimaat']:.1f}x"
    )

    if not args.quick:
        fresh = score_fresh_process(args)
        figures["timing"]["digimaat, fresh process"] = fresh
        print(
            f"  digimaat in a fresh process (nothing else run before, so the memory it "
            f"allocates is new to the process):\n  median {ms(fresh['median_s'])}, min "
            f"{ms(fresh['min_s'])}, CPU median {ms(fresh['cpu_median_s'])}, "
            f"{fresh['page_faults_median']:,.0f} page faults per scoring (not a target)"
        )

    reports = report(data, 3)
    figures["report"] = reports
    print_report(reports)

    if args.quick:
        if not args.no_uncertainty:
            unc_quick = uncertainty(args, data, m, p)
            figures["uncertainty"] = unc_quick
            print_uncertainty(unc_quick)
        print("\n--quick: small sizes; the targets are not checked.")
        write_json(args.json, figures)
        return 0

    # 3. Import time, dataset memory, European scale, loading.
    imports = import_times(IMPORT_RUNS)
    figures["import"] = imports
    memory = dataset_memory(data)
    figures["dataset_memory"] = memory
    euro: dict[str, Any] | None = None
    if not args.no_european:
        euro = european(args.seed, args.units, args.chunk, args.workers)
        figures["european"] = euro
    loads = loading(data, offerings, 3)
    figures["loading"] = loads
    unc: dict[str, Any] | None = None
    if not args.no_uncertainty:
        unc = uncertainty(args, data, m, p)
        figures["uncertainty"] = unc

    print(
        f"\nimport (fresh interpreter, median of {IMPORT_RUNS}): import digimaat "
        f"{ms(imports['import_digimaat']['median_s'])}; with the scoring modules "
        f"{ms(imports['import_scoring']['median_s'])}"
    )
    print(
        f"dataset memory: arrays {memory['arrays_bytes'] / MB:.1f} MB; building it "
        f"(tracemalloc) retains {memory['built_retained_bytes'] / MB:.1f} MB, peak "
        f"{memory['built_peak_bytes'] / MB:.1f} MB; derived arrays cached by scoring "
        f"{memory['derived_after_scoring_bytes'] / MB:.1f} MB"
    )
    if euro is not None:
        print(
            f"European scale ({euro['workers']} processes side by side, sharing the chunks): "
            f"{euro['units']:,} units x {shape[1]} products in "
            f"{euro['chunks']} chunks of {euro['chunk']:,}; the longest process: build "
            f"{euro['build_s']:.2f} s + score {euro['score_s']:.2f} s = {euro['library_s']:.2f} s "
            f"(generating the synthetic data, not counted: {euro['generate_s']:.2f} s); all "
            f"processes together {euro['library_one_core_s']:.2f} s (one core's work); elapsed, "
            f"generating included, {euro['elapsed_s']:.2f} s; peak RSS of the processes "
            f"together {euro['peak_rss_bytes'] / MB:.0f} MB "
            f"({euro['rss_after_imports_bytes'] / MB:.0f} MB after the imports)"
        )
    print(f"loading the national dataset ({loads['offerings']:,} offerings), file to dataset:")
    for form in ("csv", "json"):
        f = loads[form]
        if "error" in f:
            print(f"  {form.upper():>4}: ERROR: {f['error']}")
            continue
        limit = " (over the readers' default size limit)" if f["over_default_limit"] else ""
        print(
            f"  {form.upper():>4}: {f['bytes'] / MB:.1f} MB file{limit}; load_dataset "
            f"{f['total']['median_s']:.2f} s (median of {f['total']['repeats']}); "
            f"load and the records into Dataset.from_offerings "
            f"{f['record_view_s']:.2f} s (once, no target); "
            f"round trip {'exact' if f['round_trip'] else 'NOT EXACT'}"
        )
    if unc is not None:
        print_uncertainty(unc)

    megabytes = "{:.1f} MB"
    dataset_mb = max(memory["arrays_bytes"], memory["built_retained_bytes"]) / MB
    targets = [
        check("standard profile, national, in memory", base * 1000, 10.0, "{:.2f} ms"),
        check("naive / digimaat", ratios["naive_over_digimaat"], 100.0, "{:.0f}x", at_least=True),
        check("pandas / digimaat", ratios["pandas_over_digimaat"], 10.0, "{:.1f}x", at_least=True),
        check("import digimaat", imports["import_digimaat"]["median_s"], 0.5, "{:.3f} s"),
        check(
            "European scale, build + score",
            None if euro is None else euro["library_s"],
            5.0,
            "{:.2f} s",
        ),
        check(
            "European scale, peak RSS",
            None if euro is None else euro["peak_rss_bytes"] / MB,
            1536.0,
            "{:.0f} MB",
        ),
        check("national dataset in memory", dataset_mb, 50.0, megabytes),
        check("load national CSV", loads.get("csv_s"), 1.0, "{:.2f} s"),
        check("load national JSON", loads.get("json_s"), 2.0, "{:.2f} s"),
        check(
            "report of one municipality, national",
            reports["one"]["median_s"] if reports.get("measured") else None,
            2.0,
            "{:.2f} s",
        ),
        check(
            "report of every municipality, national",
            reports.get("all_s"),
            180.0,
            "{:.0f} s",
        ),
        *uncertainty_targets(unc),
    ]
    peers = exchange_peers.measure(args.seed)  # loading against polars, pyarrow and orjson
    figures["exchange_peers"] = peers
    print("\n" + exchange_peers.report(peers))
    targets += [Target(*row) for row in exchange_peers.targets(peers)]
    for form in ("csv", "json"):
        if "error" in loads.get(form, {}):
            targets = [
                attrs.evolve(t, status="ERROR") if t.name == f"load national {form.upper()}" else t
                for t in targets
            ]
    figures["targets"] = [attrs.asdict(t) for t in targets]
    print("\ntargets:")
    print(
        table(
            [[t.name, t.measured, t.goal, t.status] for t in targets],
            ["target", "measured", "goal", "status"],
        )
    )
    end_load = machine()["load_average"]
    figures["load_average_at_end"] = end_load
    print(f"\nload average (1, 5, 15 min) at the end: {end_load}")
    write_json(args.json, figures)
    failed = [t for t in targets if t.status == "FAIL"]
    if failed and args.strict:
        return 2
    return 0


def print_report(reports: dict[str, Any]) -> None:
    if not reports.get("measured"):
        print(f"\nreport: not measured: {reports.get('reason')}")
        return
    print(
        f"\nHTML report (standard profile, one reference year, dataset in memory):\n"
        f"  one municipality among {reports['municipalities']}: median "
        f"{reports['one']['median_s']:.2f} s (CPU {reports['one']['cpu_median_s']:.2f} s); "
        f"the same six charts drawn with plain matplotlib calls: "
        f"{reports['peer_one']['median_s']:.2f} s; report / peer "
        f"{reports['one_over_peer']:.2f}x\n"
        f"  all {reports['municipalities']} municipalities: {reports['all_s']:.1f} s "
        f"(CPU {reports['all_cpu_s']:.1f} s, {reports['all_per_municipality_s']:.3f} s a "
        f"municipality), {reports['all_bytes'] / MB:.1f} MB of HTML"
    )


def uncertainty_targets(u: dict[str, Any] | None) -> list[Target]:
    """The targets of the uncertainty analysis (UNC), each measured in this run."""
    if u is None:
        names = ("10,000 samples", "naive / digimaat", "memory", "European")
        return [check(f"uncertainty, {n}", None, 0, "{}") for n in names]
    n, big, naive = u["national"], u["national_large"], u["naive"]
    growth = (big["peak_rss_bytes"] - big["rss_before_bytes"]) / max(
        n["peak_rss_bytes"] - n["rss_before_bytes"], 1
    )
    e = u.get("european")
    return [
        check(f"uncertainty, national, {n['samples']:,} samples", n["seconds"], 2.0, "{:.2f} s"),
        check(
            "uncertainty, naive / digimaat (naive extrapolated)",
            naive["extrapolated_s"] / n["seconds"],
            50.0,
            "{:.0f}x",
            at_least=True,
        ),
        check(
            f"uncertainty memory, {big['samples']:,} / {n['samples']:,} samples (peak above start)",
            growth,
            1.25,
            "{:.2f}x",
        ),
        check(
            "uncertainty, European scale, peak RSS",
            None if e is None else e["peak_rss_bytes"] / MB,
            1536.0,
            "{:.0f} MB",
        ),
    ]


def write_json(path: str | None, figures: dict[str, Any]) -> None:
    if path:
        Path(path).write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
        print(f"\nfigures written to {path}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Check that digimaat and its peers agree, then time them."
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, agreement + smoke")
    parser.add_argument("--json", metavar="PATH", help="write the figures as JSON")
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    parser.add_argument("--municipalities", type=int, default=350)
    parser.add_argument("--products", type=int, default=None, help="default: all 512")
    parser.add_argument("--units", type=int, default=100_000, help="European-scale units")
    parser.add_argument("--chunk", type=int, default=1_000, help="units per chunk")
    parser.add_argument(
        "--workers",
        type=int,
        default=min(2, usable_cores()),
        help="processes of the European run (default: 2, or 1 on one core)",
    )
    parser.add_argument("--no-european", action="store_true", help="skip the European run")
    parser.add_argument(
        "--no-uncertainty", action="store_true", help="skip the uncertainty analysis"
    )
    parser.add_argument(
        "--uncertainty-samples",
        type=int,
        default=10_000,
        help="samples of the national uncertainty run (the memory check runs 4 times as many)",
    )
    parser.add_argument(
        "--european-samples", type=int, default=1_000, help="samples of the European run"
    )
    parser.add_argument("--uncertainty-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--mode", default="national", help=argparse.SUPPRESS)
    parser.add_argument("--samples", type=int, default=10_000, help=argparse.SUPPRESS)
    parser.add_argument("--naive", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--strict", action="store_true", help="exit 2 when a target fails")
    parser.add_argument(
        "--profile", action="store_true", help="only print the hot spots of digimaat's scoring"
    )
    parser.add_argument("--european-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--part", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--parts", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--score-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.european_worker:
        print(json.dumps(european_worker(args.seed, args.units, args.chunk, args.part, args.parts)))
        return 0
    if args.uncertainty_worker:
        print(json.dumps(uncertainty_worker(args)))
        return 0
    if args.score_worker:
        print(json.dumps(score_worker(args.seed, args.municipalities, args.products)))
        return 0
    if args.profile:
        ds = generate.national(args.seed, args.municipalities, args.products).dataset()
        rows = hot_spots(ds)
        print(f"cProfile of the standard profile on {ds.shape}, fresh dataset, per scoring:")
        print(
            table(
                [
                    [
                        r["where"],
                        r["function"],
                        f"{r['calls']:g}",
                        f"{r['own_ms']:.2f}",
                        f"{r['cumulative_ms']:.2f}",
                    ]
                    for r in rows
                ],
                ["file:line", "function", "calls", "own ms", "cumulative ms"],
            )
        )
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
