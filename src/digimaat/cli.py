"""The ``digimaat`` command line (documented in ``docs/cli.md``).

Subcommands: ``score``, ``explain``, ``next``, ``compare``, ``uncertainty``, ``validate``,
``catalogue``, ``profiles`` and ``example``. Exit codes: 0 success, 1 validation findings
(``validate``), 2 a usage or input error. Bad input never ends in a traceback: every
problem is printed with its file, row or JSON pointer and field, and the command exits
with 2 without printing a partial result.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import statistics
import sys
import textwrap
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

from digimaat._version import SPEC_VERSION, __version__
from digimaat.errors import DigimaatError, InputError
from digimaat.exchange import Submission, load_dataset, load_json
from digimaat.exchange.profiles import load_profile
from digimaat.measurement.aggregation import display
from digimaat.measurement.dataset import Dataset, StatusCode
from digimaat.measurement.explain import RANKINGS, decompose, gaps, priorities
from digimaat.measurement.profiles import BUILTIN_PROFILES, Profile, ScoreBoard, builtin_profile
from digimaat.vocabulary.products import reference_catalogue

__all__ = ["main"]

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2
WIDTH = 80
OUTPUT_FORMAT = "digimaat-output"
"""The ``format`` member of every JSON output document (see ``docs/cli.md``)."""

# Metrics shown in the score table, with short column heads (<= 80 columns in all).
_COLUMNS = (
    ("maturity", "matur"),
    ("fully-online", "fully"),
    ("attainment", "attn"),
    ("authentication-fit", "fit"),
    ("authentication-barrier", "barr"),
    ("uptake", "uptk"),
)
_RANKING_TEXT = {
    "score": "the gain of the score",
    "requests": "the gain of the score with every request counting (volume weighting)",
    "cost": "the gain of the score with every unit of non-digital contact cost counting "
    "(channel-cost weighting)",
}
_LEGEND = (
    "Percentages. score: the profile's headline; matur: maturity; fully: fully online; "
    "attn: attainment of the reference target; fit/barr: authentication fits / asks more "
    "than needed; uptk: requests through digital channels; cover: share of the weight "
    "that could be measured; n/a: not defined."
)


class UsageError(Exception):
    """A command-line usage problem (exit code 2)."""


# ---------------------------------------------------------------------- helpers
def _profile(spec: str | None) -> Profile:
    if spec is None:
        return builtin_profile("digimaat-standard")
    if spec in BUILTIN_PROFILES:
        return builtin_profile(spec)
    path = Path(spec)
    if path.suffix.lower() in (".toml", ".json") or path.exists():
        return load_profile(path)
    return builtin_profile(spec)  # raises with the list of known names


def _submissions(paths: Sequence[str]) -> Sequence[Submission | Dataset]:
    """The files read into one dataset, column by column; every problem of every file together."""
    return [load_dataset(paths)]


def _dataset(submissions: Sequence[Submission | Dataset]) -> Dataset:
    if len(submissions) == 1 and isinstance(submissions[0], Dataset):
        return submissions[0]  # read by load_dataset: what the records would give
    records = [s for s in submissions if isinstance(s, Submission)]
    municipalities = [m for s in records for m in s.municipalities]
    offerings = [o for s in records for o in s.offerings]
    catalogue = records[0].catalogue
    for extra in records[1:]:
        local = [p for p in extra.local_products if p.uri not in catalogue]
        if local:
            catalogue = catalogue.with_local(*local)
    return Dataset.from_offerings(offerings, municipalities, catalogue)


def _example() -> Submission:
    text = resources.files("digimaat.data").joinpath("example.json").read_bytes()
    return load_json(text, name="digimaat/data/example.json")


def _value(value: float | None, percent: bool = False, sign: bool = True) -> str:
    if value is None or math.isnan(value):
        return "n/a"
    if percent:
        return display(value * 100, 1) + ("%" if sign else "")
    return display(value, 3)


def _json_number(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def _envelope(kind: str, **content: Any) -> dict[str, Any]:
    return {
        "format": OUTPUT_FORMAT,
        "kind": kind,
        "package_version": __version__,
        "spec_version": SPEC_VERSION,
        **content,
    }


def _profile_json(profile: Profile) -> dict[str, Any]:
    return {"name": profile.name, "version": profile.version, "fingerprint": profile.fingerprint}


def _write_json(out: TextIO, data: Any) -> None:
    json.dump(data, out, indent=2, ensure_ascii=False, allow_nan=False)
    out.write("\n")


def _write_csv(out: TextIO, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)


def _table(
    out: TextIO, header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool]
) -> None:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=False)]

    def line(cells: Sequence[str]) -> str:
        parts = [
            str(c).rjust(w) if r else str(c).ljust(w)
            for c, w, r in zip(cells, widths, right, strict=True)
        ]
        return "  ".join(parts).rstrip()

    out.write(line(header) + "\n")
    out.write(line(["-" * w for w in widths]) + "\n")
    for row in rows:
        out.write(line(row) + "\n")


def _say(out: TextIO, text: str) -> None:
    """Write prose wrapped to the terminal width of 80 columns."""
    out.write(textwrap.fill(text, WIDTH) + "\n")


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# ---------------------------------------------------------------------- commands
def _score_board(args: argparse.Namespace) -> tuple[Profile, ScoreBoard]:
    profile = _profile(args.profile)
    submissions = _submissions(args.files) if args.files else [_example()]
    return profile, profile.score(_dataset(submissions))


def cmd_score(args: argparse.Namespace, out: TextIO) -> int:
    """Score municipalities with a profile."""
    profile, board = _score_board(args)
    cards = board.cards()
    if args.format == "json":
        _write_json(
            out,
            _envelope(
                "scores", profile=_profile_json(profile), cards=[_card_json(c) for c in cards]
            ),
        )
        return EXIT_OK
    metric_ids = list(board.results)
    if args.format == "csv":
        header = ["municipality", "name", "size_class", "profile", "fingerprint"]
        header += metric_ids + [f"coverage:{m}" for m in metric_ids]
        _write_csv(
            out,
            header,
            [
                [c.municipality, c.name, c.size_class, profile.name, profile.fingerprint]
                + [_csv_number(c.values[m]) for m in metric_ids]
                + [_csv_number(c.coverage[m]) for m in metric_ids]
                for c in cards
            ],
        )
        return EXIT_OK
    _say(out, f"Profile {profile.name} {profile.version}: {profile.title}")
    out.write(f"  fingerprint {profile.fingerprint[:23]}…  spec {SPEC_VERSION}\n\n")
    shown = [(m, h) for m, h in _COLUMNS if m in board.results]
    header = ["code", "municipality", "cl", "score", *[h for _, h in shown], "cover"]
    rows: list[list[str]] = []
    for c in cards:
        rows.append(
            [
                c.municipality,
                _short(c.name, 14),
                str(c.size_class),
                _value(c.score, True, sign=False),
                *[_value(c.values[m], True, sign=False) for m, _ in shown],
                _value(c.coverage[profile.headline], True, sign=False),
            ]
        )
    _table(out, header, rows, [False, False, True] + [True] * (len(header) - 3))
    out.write("\n")
    _say(out, _LEGEND)
    return EXIT_OK


def _csv_number(value: float | None) -> str:
    return "" if value is None else repr(value)


def _card_json(card: Any) -> dict[str, Any]:
    return {
        "municipality": card.municipality,
        "name": card.name,
        "population": card.population,
        "size_class": card.size_class,
        "headline": card.headline,
        "score": card.score,
        "values": card.values,
        "coverage": card.coverage,
    }


def cmd_explain(args: argparse.Namespace, out: TextIO) -> int:
    """Decompose a municipality's score into per-product contributions."""
    profile, board = _score_board(args)
    code = args.municipality.upper()
    decomposition = decompose(board, code, args.metric)
    gap_by_uri = {g.uri: g for g in gaps(board.dataset, code)}
    if args.format == "json":
        _write_json(
            out,
            _envelope(
                "explanation",
                profile=_profile_json(profile),
                municipality=code,
                metric=decomposition.metric,
                value=decomposition.value,
                contributions=[
                    {
                        "product": c.uri,
                        "name": c.name,
                        "status": c.status,
                        "level": None if c.level is None else c.level.label,
                        "target": gap_by_uri[c.uri].target.label if c.uri in gap_by_uri else None,
                        "share": c.share,
                        "contribution": c.contribution,
                    }
                    for c in decomposition.items
                ],
            ),
        )
        return EXIT_OK
    if args.format == "csv":
        _write_csv(
            out,
            ["product", "name", "status", "level", "share", "contribution"],
            [
                [
                    c.uri,
                    c.name,
                    c.status,
                    "" if c.level is None else c.level.label,
                    repr(c.share),
                    repr(c.contribution),
                ]
                for c in decomposition.items
            ],
        )
        return EXIT_OK
    muni = board.dataset.municipalities[board.dataset.index_of(code)]
    _say(
        out,
        f"{muni.name} ({code}): {decomposition.metric} = "
        f"{_value(decomposition.value, True)} under {profile.name}. Each product's "
        "contribution; the contributions add up to the score.",
    )
    out.write("\n")
    rows = []
    for c in decomposition.items:
        gap = gap_by_uri.get(c.uri)
        rows.append(
            [
                _short(c.name, 24),
                "-" if c.level is None else c.level.label,
                gap.target.label if gap else "-",
                _value(c.share, True),
                _value(c.contribution, True),
            ]
        )
    _table(
        out,
        ["product", "level", "target", "share", "contrib."],
        rows,
        [False, False, False, True, True],
    )
    out.write(f"\n{'total':>24}  {_value(decomposition.total, True)}\n")
    return EXIT_OK


def cmd_next(args: argparse.Namespace, out: TextIO) -> int:
    """What to digitise next, with the gain."""
    profile = _profile(args.profile)
    submissions = _submissions(args.files) if args.files else [_example()]
    ds = _dataset(submissions)
    code = args.municipality.upper()
    ranked = priorities(ds, profile, code, by=args.by)[: args.limit]
    if args.format == "json":
        _write_json(
            out,
            _envelope(
                "priorities",
                profile=_profile_json(profile),
                municipality=code,
                ranking=args.by,
                priorities=[
                    {
                        "product": p.uri,
                        "name": p.name,
                        "level": p.level.label,
                        "target": p.target.label,
                        "missing": [c.value for c in p.missing],
                        "gain": p.gain,
                        "requests_per_year": p.requests,
                        "cost_at_stake": p.cost_at_stake,
                        "currency": ds.currency,
                    }
                    for p in ranked
                ],
            ),
        )
        return EXIT_OK
    if args.format == "csv":
        _write_csv(
            out,
            [
                "rank",
                "product",
                "name",
                "level",
                "target",
                "gain",
                "requests_per_year",
                "cost_at_stake",
            ],
            [
                [
                    k,
                    p.uri,
                    p.name,
                    p.level.label,
                    p.target.label,
                    repr(p.gain),
                    _csv_number(p.requests),
                    _csv_number(p.cost_at_stake),
                ]
                for k, p in enumerate(ranked, 1)
            ],
        )
        return EXIT_OK
    muni = ds.municipalities[ds.index_of(code)]
    _say(
        out,
        f"What {muni.name} ({code}) could digitise next, ranked by "
        f"{_RANKING_TEXT[args.by]} under {profile.name}:",
    )
    out.write("\n")
    if not ranked:
        out.write("Nothing: every observed product has reached its target.\n")
        return EXIT_OK
    rows = []
    for p in ranked:
        requests = "n/a" if p.requests is None else f"{p.requests:,.0f}"
        rows.append(
            [
                _short(p.name, 20),
                p.level.label,
                p.target.label,
                "+" + display(p.gain * 100, 2),
                requests,
            ]
        )
    _table(
        out,
        ["product", "level", "target", "gain pt", "offline/yr"],
        rows,
        [False, False, False, True, True],
    )
    out.write("\n")
    _say(
        out,
        "gain pt: rise of the score in percentage points if the product reached its "
        "target; offline/yr: requests a year through non-digital channels.",
    )
    return EXIT_OK


def cmd_compare(args: argparse.Namespace, out: TextIO) -> int:
    """Municipalities side by side, with the median of their size-class peers."""
    profile, board = _score_board(args)
    cards = board.cards()
    metric_ids = list(board.results)
    peers: dict[str, dict[str, float | None]] = {}
    for card in cards:
        others = [
            c
            for c in cards
            if c.size_class == card.size_class and c.municipality != card.municipality
        ]
        peers[card.municipality] = {m: _median([c.values[m] for c in others]) for m in metric_ids}
    if args.format == "json":
        _write_json(
            out,
            _envelope(
                "comparison",
                profile=_profile_json(profile),
                municipalities=[
                    {
                        **_card_json(c),
                        "peers": {
                            "size_class": c.size_class,
                            "count": sum(1 for o in cards if o.size_class == c.size_class) - 1,
                            "median": peers[c.municipality],
                        },
                    }
                    for c in cards
                ],
            ),
        )
        return EXIT_OK
    if args.format == "csv":
        header = ["metric"] + [c.municipality for c in cards]
        rows = [[m] + [_csv_number(c.values[m]) for c in cards] for m in metric_ids]
        _write_csv(out, header, rows)
        return EXIT_OK
    _say(
        out,
        f"Profile {profile.name} {profile.version}; peers: the median of the other "
        "municipalities of the same CBS size class in the data.",
    )
    for start in range(0, len(cards), 3):
        block = cards[start : start + 3]
        header = ["metric"]
        for c in block:
            header += [_short(c.name, 11), "peers"]
        rows = []
        for m in metric_ids:
            row = [_short(m, 22)]
            for c in block:
                row += [_value(c.values[m], True), _value(peers[c.municipality][m], True)]
            rows.append(row)
        out.write("\n")
        _table(out, header, rows, [False] + [True] * (len(header) - 1))
    return EXIT_OK


def _median(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def cmd_uncertainty(args: argparse.Namespace, out: TextIO) -> int:
    """Intervals of scores and ranks, pair probabilities and Sobol' indices (chapter UNC)."""
    from digimaat.analysis.uncertainty import analyse_files

    profile = _profile(args.profile)
    if profile.uncertainty is None:
        raise UsageError(
            f"profile {profile.name!r} declares no uncertainty section (UNC-1); give --profile "
            "a profile file that declares one (specs/examples/profile-uncertainty.toml is "
            "digimaat-standard with a section)"
        )
    pairs = []
    for text in args.pairs or ():
        first, sep, second = text.partition(":")
        if not sep or not first or not second:
            raise UsageError(f"--pairs takes CODE:CODE, e.g. GM0606:GM0622 (got {text!r})")
        pairs.append((first.upper(), second.upper()))
    scheduler = args.dask
    result = analyse_files(
        args.files,
        profile,
        samples=args.samples,
        seed=args.seed,
        metrics=args.metric or None,
        pairs=pairs,
        chunk=args.chunk,
        scheduler=scheduler,
    )
    if args.format == "json":
        _write_json(out, _envelope("uncertainty", **result.to_dict()))
        return EXIT_OK
    _say(
        out,
        f"Profile {profile.name} {profile.version}; {result.design} design of "
        f"{result.evaluations:,} samples, seed {result.seed}; varied: "
        f"{', '.join(result.groups) or 'nothing'}.",
    )
    out.write(f"  fingerprint {profile.fingerprint[:23]}…  spec {SPEC_VERSION}\n")
    for metric in result.metrics:
        out.write(f"\n{metric}\n")
        rows = []
        for s in result.spreads[metric]:
            rows.append(
                [
                    s.municipality,
                    _value(s.nominal, True, sign=False),
                    _value(s.low, True, sign=False),
                    _value(s.high, True, sign=False),
                    _rank_text(s.nominal_rank),
                    _rank_text(s.median_rank),
                    f"{_rank_text(s.rank_low)}-{_rank_text(s.rank_high)}",
                    _value(s.defined, True, sign=False),
                ]
            )
        _table(
            out,
            ["code", "nominal", "5%", "95%", "rank", "median", "ranks 5-95%", "defined"],
            rows,
            [False] + [True] * 7,
        )
    if result.pairs:
        out.write("\nP(first ranks above second)\n")
        _table(
            out,
            ["metric", "first", "second", "P", "samples"],
            [
                [p.metric, p.first, p.second, _value(p.probability, True), f"{p.samples:,}"]
                for p in result.pairs
            ],
            [False, False, False, True, True],
        )
    shown = profile.headline if profile.headline in result.metrics else result.metrics[-1]
    indices = [i for i in result.sobol if i.metric == shown]
    if indices:
        out.write(f"\nSobol' indices of the rank shift of {shown} (JSON: every metric's)\n")
        _table(
            out,
            ["group", "first order", "total order"],
            [[i.group, _index(i.first_order), _index(i.total_order)] for i in indices],
            [False, True, True],
        )
    out.write("\n")
    _say(
        out,
        "Percentages. nominal: the profile as declared; 5%/95%: the interval of the value "
        "over the samples; rank: the nominal rank (1 = best); median and ranks 5-95%: the "
        "rank over the samples; defined: share of samples with a value. A Sobol' index "
        "says how much of the movement of the ranking a group of choices explains, alone "
        "(first order) and with its interactions (total order).",
    )
    return EXIT_OK


def _rank_text(rank: int | None) -> str:
    return "n/a" if rank is None else str(rank)


def _index(value: float | None) -> str:
    return "n/a" if value is None else display(value, 2)


def cmd_validate(args: argparse.Namespace, out: TextIO) -> int:
    """Check files and report every problem; exit 1 when there are findings."""
    findings = 0
    for path in args.files:
        try:
            dataset = load_dataset(path)
        except InputError as exc:
            findings += len(exc.problems)
            for problem in exc.problems:
                out.write(f"{problem}\n")
            continue
        m = len(dataset.municipalities)
        n = int((dataset.status != StatusCode.NO_RECORD).sum())
        out.write(
            f"{path}: ok ({m} municipalit{'y' if m == 1 else 'ies'}, "
            f"{n} offering{'' if n == 1 else 's'})\n"
        )
    if findings:
        out.write(f"{findings} problem{'s' if findings != 1 else ''} found\n")
        return EXIT_FINDINGS
    return EXIT_OK


def cmd_catalogue(args: argparse.Namespace, out: TextIO) -> int:
    """Search the reference catalogue."""
    catalogue = reference_catalogue()
    products = catalogue.search(args.query) if args.query else list(catalogue)
    if args.format == "json":
        _write_json(
            out,
            _envelope(
                "catalogue",
                products=[
                    {
                        "uri": p.uri,
                        "name": p.name,
                        "required_assurance": None
                        if p.required_assurance is None
                        else p.required_assurance.label,
                        "reference_target": p.reference_target.label,
                        "physical_presence": p.physical_presence,
                        "fee_applies": p.fee_applies,
                        "assessed": p.assessed,
                    }
                    for p in products
                ],
            ),
        )
        return EXIT_OK
    if args.format == "csv":
        _write_csv(
            out,
            ["uri", "name", "required_assurance", "reference_target"],
            [
                [
                    p.uri,
                    p.name,
                    "" if p.required_assurance is None else p.required_assurance.label,
                    p.reference_target.label,
                ]
                for p in products
            ],
        )
        return EXIT_OK
    names = [_short(p.name, 46) for p in products]
    width = max([len("name / UPL URI's last part"), *map(len, names)])
    out.write(f"{'name / UPL URI' + chr(39) + 's last part':<{width}}  {'assurance':<11}  target\n")
    out.write(f"{'-' * width}  {'-' * 11}  {'-' * 17}\n")
    for p, name in zip(products, names, strict=True):
        assurance = "-" if p.required_assurance is None else p.required_assurance.label
        out.write(f"{name:<{width}}  {assurance:<11}  {p.reference_target.label}\n")
        out.write(f"  {p.uri.rsplit('/', 1)[-1]}\n")
    out.write("\n")
    _say(
        out,
        f"{len(products)} of {len(catalogue)} products. Each product's second line is the "
        "last part of its UPL URI, which the exchange files accept as the product; "
        "assurance '-' = not assessed.",
    )
    return EXIT_OK


def cmd_profiles(args: argparse.Namespace, out: TextIO) -> int:
    """List the built-in profiles, or show one (built-in name or file)."""
    if args.name:
        profile = _profile(args.name)
        if args.format == "json":
            _write_json(
                out,
                _envelope("profile", fingerprint=profile.fingerprint, profile=profile.to_dict()),
            )
            return EXIT_OK
        _say(out, f"{profile.name} {profile.version}: {profile.title}")
        out.write(f"fingerprint:\n  {profile.fingerprint}\n")
        if profile.description:
            _say(out, profile.description)
        _say(out, f"weighting: {profile.weighting.describe()}")
        out.write(f"missing values: {profile.missing.value}\nheadline: {profile.headline}\n")
        out.write("metrics:\n")
        for metric in profile.metrics:
            out.write(f"  {metric.id:<26} {metric.kind:<20} {metric.clause}\n")
        return EXIT_OK
    profiles = [builtin_profile(n) for n in BUILTIN_PROFILES]
    if args.format == "json":
        _write_json(
            out,
            _envelope(
                "profiles", profiles=[{**_profile_json(p), "title": p.title} for p in profiles]
            ),
        )
        return EXIT_OK
    for p in profiles:
        out.write(f"{p.name:<24} {p.version:<5} {_short(p.title, 48)}\n")
    return EXIT_OK


def cmd_example(args: argparse.Namespace, out: TextIO) -> int:
    """The worked example: score the embedded data, explain Vlaardingen, rank next steps."""
    _say(
        out,
        "The digimaat worked example: Maassluis, Schiedam and Vlaardingen, the "
        "municipalities that asked what 'massaal digitaal, maatwerk lokaal' means. "
        "The data is illustrative.",
    )
    out.write("\n")
    for name in ("digimaat-standard", "digimaat-volume"):
        ns = argparse.Namespace(files=[], profile=name, format="table")
        cmd_score(ns, out)
        out.write("\n")
    ns = argparse.Namespace(
        files=[], profile=None, format="table", municipality="GM0622", metric=None
    )
    cmd_explain(ns, out)
    out.write("\n")
    ns = argparse.Namespace(
        files=[], profile=None, format="table", municipality="GM0606", by="requests", limit=5
    )
    cmd_next(ns, out)
    return EXIT_OK


# ---------------------------------------------------------------------- parser
def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digimaat",
        description="Score the digital maturity of municipal services with the digimaat standard.",
        epilog="Exit codes: 0 ok, 1 validation findings, 2 usage or input error.",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"digimaat {__version__} (specification {SPEC_VERSION})",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    def formats(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--format",
            choices=("table", "json", "csv"),
            default="table",
            help="output format (default: table)",
        )

    def profile(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--profile",
            metavar="NAME|PATH",
            help="built-in profile name or a .toml/.json profile file (default: digimaat-standard)",
        )

    p = sub.add_parser("score", help="score municipalities with a profile")
    p.add_argument("files", nargs="+", metavar="FILE", help="exchange files (.json or .csv)")
    profile(p)
    formats(p)
    p.set_defaults(handler=cmd_score)

    p = sub.add_parser("explain", help="decompose a municipality's score per product")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--municipality", "-m", required=True, metavar="CODE", help="CBS code")
    p.add_argument("--metric", help="metric id (default: the profile's headline)")
    profile(p)
    formats(p)
    p.set_defaults(handler=cmd_explain)

    p = sub.add_parser("next", help="what a municipality could digitise next")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--municipality", "-m", required=True, metavar="CODE", help="CBS code")
    p.add_argument(
        "--by",
        choices=RANKINGS,
        default="score",
        help="rank by the score gain (score), with every request counting (requests) or "
        "every unit of non-digital contact cost counting (cost)",
    )
    p.add_argument("--limit", type=int, default=10, help="show at most this many (default 10)")
    profile(p)
    formats(p)
    p.set_defaults(handler=cmd_next)

    p = sub.add_parser("compare", help="municipalities side by side with size-class peers")
    p.add_argument("files", nargs="+", metavar="FILE")
    profile(p)
    formats(p)
    p.set_defaults(handler=cmd_compare)

    p = sub.add_parser(
        "uncertainty",
        help="how sure is a rank: intervals, rank intervals and Sobol' indices",
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    profile(p)
    p.add_argument("--samples", type=int, required=True, help="the number of samples (N)")
    p.add_argument("--seed", type=int, required=True, help="the seed of the design")
    p.add_argument(
        "--pairs",
        nargs="+",
        metavar="CODE:CODE",
        help="pairs for the probability that the first ranks above the second",
    )
    p.add_argument(
        "--metric",
        action="append",
        metavar="ID",
        help="a metric to analyse (repeatable; default: the headline and its parts)",
    )
    p.add_argument(
        "--dask",
        metavar="ADDRESS|local",
        help="run on Dask: 'local' for a local cluster, or a scheduler address",
    )
    p.add_argument("--chunk", type=int, default=256, help="samples per chunk (default 256)")
    p.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    p.set_defaults(handler=cmd_uncertainty)

    p = sub.add_parser("validate", help="check files and report every problem")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(handler=cmd_validate)

    p = sub.add_parser("catalogue", help="search the reference product catalogue")
    p.add_argument("query", nargs="?", help="words that must occur in the name or URI")
    formats(p)
    p.set_defaults(handler=cmd_catalogue)

    p = sub.add_parser("profiles", help="list the built-in profiles or show one")
    p.add_argument("name", nargs="?", metavar="NAME|PATH")
    formats(p)
    p.set_defaults(handler=cmd_profiles)

    p = sub.add_parser("example", help="run the worked example on the embedded data")
    p.set_defaults(handler=cmd_example)
    return parser


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Run the command line; returns the exit code."""
    out = out if out is not None else sys.stdout
    err = err if err is not None else sys.stderr
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help/--version exit 0, usage errors exit 2
        return int(exc.code) if isinstance(exc.code, int) else EXIT_ERROR
    if getattr(args, "limit", 1) is not None and getattr(args, "limit", 1) < 1:
        err.write("digimaat: error: --limit must be at least 1\n")
        return EXIT_ERROR
    handler: Callable[[argparse.Namespace, TextIO], int] = args.handler
    buffer = io.StringIO()
    try:
        code = handler(args, buffer)
    except (DigimaatError, UsageError) as exc:
        err.write(f"digimaat {args.command}: error: {exc}\n")
        return EXIT_ERROR
    except OSError as exc:
        err.write(f"digimaat {args.command}: error: {exc}\n")
        return EXIT_ERROR
    out.write(buffer.getvalue())  # only complete results are printed
    return code
