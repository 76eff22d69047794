"""The product-name benchmark: resolving keys people type, with suggestions (PRD-7).

It generates distinct near misses of the reference catalogue's names, keys and synonyms
(one or two edits of their normal form, seeded), resolves every one with
``Catalogue.lookup``, which finds no product and lists suggestions from the catalogue's
index of near misses, and times that against the peer: the close-match suggestions
``Catalogue.suggest`` made before the index (``peers/difflib_suggest.py``, a
``difflib.get_close_matches`` scan of every name and key per call), on a sample of the same
near misses in the same run. It also measures, in fresh interpreters, how long
``reference_catalogue()`` takes to load and how long the first look-ups that build the
indexes take.

Own names (PRD-8.4): it writes a national sheet (CSV, one row per municipality and product)
whose rows name their products by the municipalities' own titles, each refused nationally
(ambiguous or unknown) and linked by the municipality's records to one product, and reads
it against its peer, the same rows written with UPL keys, which the reader resolves once per
distinct key; a third copy with a misspelt key in every row (resolved with suggestions
once per municipality and key) is timed as well. The first look-up of an own name in a
fresh interpreter loads the own-name table.

Usage::

    python benchmarks/names.py                 # 10,000 near misses (about a minute)
    python benchmarks/names.py --quick         # 500 near misses, a smoke run
    python benchmarks/names.py --json out.json

Exit status: 0, or 2 with ``--strict`` when a target fails.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import attrs

from digimaat.vocabulary.products import (
    UPL_NAMESPACE,
    Catalogue,
    Product,
    normalise_key,
    reference_catalogue,
    reference_synonyms,
)
from peers import difflib_suggest
from run import check, table

DEFAULT_SEED = 20231018
ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789 "

TARGETS = {
    "total_s": 5.0,  # 10,000 near misses resolved with suggestions
    "ratio": 20.0,  # difflib peer / digimaat, per look-up
    "recall_one_edit": 0.99,  # the true product among the 3 suggestions
    "load_s": 0.1,  # reference_catalogue(), fresh interpreter
    "first_use_s": 0.25,  # the first look-up that needs the synonyms and the index
    "own_titles_ratio": 10.0,  # own-title sheet / the same sheet with keys
    "first_own_name_s": 0.1,  # the first own name: the own-name table loaded
}


def edit(text: str, rng: random.Random) -> str:
    """``text`` with one random edit: insertion, deletion, substitution or transposition."""
    kind = rng.choice("idst" if len(text) > 1 else "is")
    i = rng.randrange(len(text) + (kind == "i"))
    if kind == "i":
        return text[:i] + rng.choice(ALPHABET) + text[i:]
    if kind == "d":
        return text[:i] + text[i + 1 :]
    if kind == "s":
        return text[:i] + rng.choice(ALPHABET) + text[i + 1 :]
    i = min(i, len(text) - 2)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def near_misses(catalogue: Catalogue, count: int, seed: int) -> list[tuple[str, str, int, str]]:
    """``count`` distinct near misses: ``(key, true product URI, edits, what was edited)``.

    Each is one edit (70 %) or two edits (30 %) away from the normal form of a product's
    name, key or synonym, chosen at random, and resolves to nothing (neither a product nor
    an ambiguous name), so every one needs suggestions.
    """
    rng = random.Random(seed)
    sources: list[tuple[str, str, str]] = []
    for product in catalogue:
        sources.append((normalise_key(product.name), product.uri, "name"))
        sources.append((normalise_key(product.uri.removeprefix(UPL_NAMESPACE)), product.uri, "key"))
    table_ = catalogue.synonyms
    assert table_ is not None
    sources += [(normalise_key(s.text), s.uri, "synonym") for s in table_.synonyms]
    seen: set[str] = set()
    out: list[tuple[str, str, int, str]] = []
    while len(out) < count:
        form, uri, what = rng.choice(sources)
        edits = 1 if rng.random() < 0.7 else 2
        key = form
        for _ in range(edits):
            key = edit(key, rng)
        key = normalise_key(key)
        if not key or key in seen:
            continue
        resolution = catalogue.lookup(key)
        if resolution.product is not None or resolution.candidates:
            continue
        seen.add(key)
        out.append((key, uri, edits, what))
    return out


def fresh(code: str, runs: int, source: str | None = None) -> list[dict[str, float]]:
    """Run ``code`` (which prints a JSON object of timings) in ``runs`` fresh interpreters.

    Bytecode is written and used, as for an installed package (the first, untimed run
    writes it); ``source`` is a source tree to import digimaat from instead.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if source is not None:
        env["PYTHONPATH"] = source

    def once() -> dict[str, float]:
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
        )
        return dict(json.loads(done.stdout))

    once()
    return [once() for _ in range(runs)]


_LOAD_ONLY = """
import json, time
clock = time.process_time
t0 = clock()
from digimaat.vocabulary.products import reference_catalogue
t1 = clock()
c = reference_catalogue()
t2 = clock()
print(json.dumps({"import_s": t1 - t0, "load_s": t2 - t1}))
"""


_LOAD = """
import json, time
clock = time.process_time
t0 = clock()
from digimaat.vocabulary.products import reference_catalogue
t1 = clock()
c = reference_catalogue()
t2 = clock()
c.resolve("http://standaarden.overheid.nl/owms/terms/paspoort")
c.resolve("Paspoort")
t3 = clock()
c.lookup("Verhuizing doorgeven")
t4 = clock()
c.lookup("parkeervergunnig")
t5 = clock()
c.search("id-kaart")
t6 = clock()
c.lookup("Terras plaatsen", municipality="GM0503")
t7 = clock()
print(json.dumps({"import_s": t1 - t0, "load_s": t2 - t1, "uri_and_key_s": t3 - t2,
                  "first_synonym_s": t4 - t3, "first_suggestion_s": t5 - t4,
                  "first_search_s": t6 - t5, "first_use_s": t5 - t3,
                  "first_own_name_s": t7 - t6}))
"""


def own_title_sheets(catalogue: Catalogue) -> dict[str, str]:
    """Three CSV sheets of the same rows: products named by the municipality's own title
    (``own``), by their UPL key (``key``) and by a misspelt key (``misspelt``).

    One row per municipality of the 2024 register and product that one of its own names
    (PRD-8.4) names alone, where that title does not resolve nationally.
    """
    from digimaat.vocabulary.municipalities import cbs_register

    own = catalogue.own_names
    assert own is not None
    register = cbs_register(2024)
    rows: dict[str, list[str]] = {"own": [], "key": [], "misspelt": []}
    for code in own.municipalities:
        if code not in register:
            continue
        municipality = register.get(code)
        start = f"2024;{code};{municipality.name};{municipality.population};2024;"
        seen: set[str] = set()
        for name in own.names(code):
            key = name.product
            if key is None or key in seen or catalogue.lookup(name.text).found:
                continue
            seen.add(key)
            rows["own"].append(f"{start}{name.text.replace(';', ',')};offered\n")
            rows["key"].append(f"{start}{key};offered\n")
            rows["misspelt"].append(f"{start}{key}q;offered\n")
    header = "reference_year;cbs_code;municipality_name;population;population_year;product;status\n"
    return {kind: header + "".join(lines) for kind, lines in rows.items()}


def read_time(text: str, repeats: int) -> tuple[float, int]:
    """The least time of ``repeats`` reads of a CSV sheet, and how many rows it refused."""
    from digimaat.errors import InputError
    from digimaat.exchange import loads

    best = float("inf")
    refused = 0
    for _ in range(repeats):
        start = time.perf_counter()
        try:
            loads(text, form="csv")
        except InputError as exc:
            refused = len(exc.problems) + exc.more
        best = min(best, time.perf_counter() - start)
    return best, refused


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="500 near misses, a smoke run")
    parser.add_argument("--count", type=int, default=None, help="near misses (default 10,000)")
    parser.add_argument("--peer-sample", type=int, default=None, help="default 300 (quick: 30)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--runs", type=int, default=None, help="fresh interpreters (default 9)")
    parser.add_argument("--json", metavar="PATH", help="write the figures as JSON")
    parser.add_argument(
        "--baseline",
        metavar="SRC",
        help="a source tree of another version (its src/ folder): also time its import and "
        "reference_catalogue() load in fresh interpreters, for comparison",
    )
    parser.add_argument("--strict", action="store_true", help="exit 2 when a target fails")
    args = parser.parse_args(argv)
    count = args.count or (500 if args.quick else 10_000)
    sample = args.peer_sample or (30 if args.quick else 300)
    runs = args.runs or (3 if args.quick else 9)
    figures: dict[str, Any] = {"seed": args.seed, "count": count, "peer_sample": sample}
    load_at_start = os.getloadavg()

    reference = reference_catalogue()
    misses = near_misses(reference, count, args.seed)
    # A new catalogue of the same products and synonyms: its indexes are built in the run.
    catalogue = Catalogue(reference.products, reference.provenance, synonyms=reference_synonyms)
    products: tuple[Product, ...] = catalogue.products

    start = time.perf_counter()
    catalogue.suggest("warm up: builds the index")
    build_s = time.perf_counter() - start
    results = []
    spent = {1: 0.0, 2: 0.0}
    clock = time.perf_counter
    cpu_start = time.process_time()
    for key, _, edits, _ in misses:
        start = clock()
        results.append(catalogue.lookup(key))
        spent[edits] += clock() - start
    cpu_s = time.process_time() - cpu_start
    total_s = spent[1] + spent[2]
    per_lookup = total_s / count
    per_edits = {e: spent[e] / max(1, sum(1 for m in misses if m[2] == e)) for e in spent}

    found = {1: [0, 0], 2: [0, 0]}
    first = {1: [0, 0], 2: [0, 0]}
    for (_, uri, edits, _), resolution in zip(misses, results, strict=True):
        assert resolution.product is None, resolution.key
        found[edits][0] += uri in resolution.suggestions
        found[edits][1] += 1
        first[edits][0] += resolution.suggestions[:1] == (uri,)
        first[edits][1] += 1
    recall = {e: found[e][0] / found[e][1] for e in found if found[e][1]}
    recall_first = {e: first[e][0] / first[e][1] for e in first if first[e][1]}

    rng = random.Random(args.seed + 1)
    chosen = rng.sample(misses, sample)
    start, cpu_start = time.perf_counter(), time.process_time()
    peer = [difflib_suggest.suggest(products, key) for key, _, _, _ in chosen]
    peer_s, peer_cpu_s = time.perf_counter() - start, time.process_time() - cpu_start
    peer_per_lookup = peer_s / sample
    peer_recall = sum(uri in s for (_, uri, _, _), s in zip(chosen, peer, strict=True)) / sample
    start = time.perf_counter()
    ours = [catalogue.suggest(key) for key, _, _, _ in chosen]
    ours_sample_s = time.perf_counter() - start
    our_recall = sum(uri in s for (_, uri, _, _), s in zip(chosen, ours, strict=True)) / sample
    ratio = peer_per_lookup / per_lookup

    sheets = own_title_sheets(reference)
    repeats = 2 if args.quick else 5
    sheet_s = {kind: read_time(text, repeats) for kind, text in sheets.items()}
    sheet_rows = sheets["key"].count("\n") - 1
    own_ratio = sheet_s["own"][0] / sheet_s["key"][0]
    assert sheet_s["own"][1] == sheet_s["key"][1] == 0
    assert sheet_s["misspelt"][1] == sheet_rows

    fresh_runs = fresh(_LOAD, runs)
    load = {k: statistics.median(r[k] for r in fresh_runs) for k in fresh_runs[0]}
    baseline: dict[str, float] | None = None
    if args.baseline:
        base_runs = fresh(_LOAD_ONLY, runs, args.baseline)
        baseline = {k: statistics.median(r[k] for r in base_runs) for k in base_runs[0]}
        figures["baseline"] = {"source": args.baseline, **baseline}

    figures.update(
        {
            "index_build_s": build_s,
            "total_s": total_s,
            "total_cpu_s": cpu_s,
            "load_average": [load_at_start, os.getloadavg()],
            "per_lookup_us": per_lookup * 1e6,
            "per_lookup_us_by_edits": {e: t * 1e6 for e, t in per_edits.items()},
            "recall": recall,
            "recall_first": recall_first,
            "peer": {
                "per_lookup_ms": peer_per_lookup * 1e3,
                "per_lookup_cpu_ms": peer_cpu_s / sample * 1e3,
                "recall": peer_recall,
                "digimaat_recall_same_sample": our_recall,
                "digimaat_suggest_same_sample_s": ours_sample_s,
            },
            "ratio": ratio,
            "fresh_interpreter_medians": load,
            "fresh_runs": runs,
            "own_titles": {
                "rows": sheet_rows,
                "read_s": {kind: t for kind, (t, _) in sheet_s.items()},
                "ratio_own_to_key": own_ratio,
                "ratio_misspelt_to_key": sheet_s["misspelt"][0] / sheet_s["key"][0],
            },
        }
    )
    ones = sum(1 for m in misses if m[2] == 1)
    print(
        f"{count:,} distinct near misses of names, keys and synonyms ({ones:,} one edit, "
        f"{count - ones:,} two edits; seed {args.seed}), each resolved by Catalogue.lookup "
        "with suggestions:"
    )
    print(
        f"  index of near misses built on first use in {build_s * 1e3:.1f} ms; all look-ups "
        f"{total_s:.3f} s, {per_lookup * 1e6:.1f} us each (one edit {per_edits[1] * 1e6:.1f} "
        f"us, two edits {per_edits[2] * 1e6:.1f} us)"
    )
    print(
        f"  CPU time of all look-ups {cpu_s:.3f} s; peer / digimaat in CPU time "
        f"{(peer_cpu_s / sample) / (cpu_s / count):,.0f}x"
    )
    print(
        "  the true product among the suggestions (3 at most): "
        + ", ".join(f"{e} edit{'s' if e > 1 else ''} {recall[e]:.2%}" for e in sorted(recall))
        + "; first: "
        + ", ".join(f"{e} edit{'s' if e > 1 else ''} {recall_first[e]:.2%}" for e in recall_first)
    )
    print(
        f"peer (difflib scan of every name and key per call), {sample} of the same near "
        f"misses: {peer_per_lookup * 1e3:.2f} ms each, true product suggested {peer_recall:.1%} "
        f"(digimaat on the same sample: {our_recall:.1%}); peer / digimaat per look-up: "
        f"{ratio:,.0f}x"
    )
    print(
        f"fresh interpreters (CPU time, median of {runs}): import {load['import_s'] * 1e3:.1f} ms, "
        f"reference_catalogue() {load['load_s'] * 1e3:.1f} ms, resolving a URI and a key "
        f"{load['uri_and_key_s'] * 1e3:.2f} ms, first synonym {load['first_synonym_s'] * 1e3:.1f}"
        f" ms, first suggestion {load['first_suggestion_s'] * 1e3:.1f} ms, first search "
        f"{load['first_search_s'] * 1e3:.1f} ms"
    )
    print(
        f"own titles: a sheet of {sheet_rows:,} rows (one per municipality and product), each "
        f"naming its product by the municipality's own title, refused nationally: read in "
        f"{sheet_s['own'][0]:.3f} s; the same rows with UPL keys (peer) "
        f"{sheet_s['key'][0]:.3f} s, own / keys {own_ratio:.1f}x; with a misspelt key in "
        f"every row {sheet_s['misspelt'][0]:.3f} s; first own name in a fresh interpreter "
        f"(own-name table loaded) {load['first_own_name_s'] * 1e3:.1f} ms"
    )
    if baseline is not None:
        print(
            f"baseline {args.baseline} (CPU time, median of {runs}): import "
            f"{baseline['import_s'] * 1e3:.1f} ms, reference_catalogue() "
            f"{baseline['load_s'] * 1e3:.1f} ms"
        )
    targets = [
        check(
            f"{count:,} near misses resolved",
            total_s * 10_000 / count,
            TARGETS["total_s"],
            "{:.2f} s",
        ),
        check("difflib peer / digimaat", ratio, TARGETS["ratio"], "{:,.0f}x", at_least=True),
        check(
            "one edit: true product suggested",
            recall[1],
            TARGETS["recall_one_edit"],
            "{:.2%}",
            at_least=True,
        ),
        check("reference_catalogue() load", load["load_s"], TARGETS["load_s"], "{:.3f} s"),
        check(
            "first synonym + suggestion", load["first_use_s"], TARGETS["first_use_s"], "{:.3f} s"
        ),
        check(
            "own-title sheet / keyed sheet",
            own_ratio,
            TARGETS["own_titles_ratio"],
            "{:.1f}x",
        ),
        check(
            "first own name (table loaded)",
            load["first_own_name_s"],
            TARGETS["first_own_name_s"],
            "{:.3f} s",
        ),
    ]
    if count != 10_000:
        targets[0] = attrs.evolve(targets[0], name=targets[0].name + " (scaled to 10,000)")
    figures["targets"] = [attrs.asdict(t) for t in targets]
    print(f"load average (1, 5, 15 min) at the start and the end: {figures['load_average']}")
    print("\ntargets:")
    print(
        table(
            [[t.name, t.measured, t.goal, t.status] for t in targets],
            ["target", "measured", "goal", "status"],
        )
    )
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(
            json.dumps(figures, indent=2, sort_keys=True, default=str) + "\n"
        )
        print(f"\nfigures written to {args.json}")
    failed = [t for t in targets if t.status == "FAIL"]
    return 2 if failed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
