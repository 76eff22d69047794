"""The commands of the command line: each reads its inputs and returns a report.

A command never writes output itself: it builds a :class:`~digimaat.analysis.tables.Report`
and the renderer of the asked format writes it (:mod:`digimaat.cli.render`). The heavy
modules are imported inside the commands, so that ``digimaat --help`` and a small
``digimaat score`` start quickly.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digimaat._version import SPEC_VERSION
from digimaat.analysis.tables import Column, Report, Table

if TYPE_CHECKING:  # pragma: no cover
    from digimaat.measurement.dataset import Dataset
    from digimaat.measurement.profiles import Profile, ScoreBoard

__all__ = ["COMMANDS"]

# Metrics shown in the score table, with short column heads (<= 80 columns in all).
_SHOWN = (
    ("maturity", "matur"),
    ("fully-online", "fully"),
    ("attainment", "attn"),
    ("authentication-fit", "fit"),
    ("authentication-barrier", "barr"),
    ("uptake", "uptk"),
)
_LEGEND = (
    "Percentages. score: the profile's headline; matur: maturity; fully: fully online; "
    "attn: attainment of the reference target; fit/barr: authentication fits / asks more "
    "than needed; uptk: requests through digital channels; cover: share of the weight "
    "that could be measured; n/a: not defined."
)
_RANKING_TEXT = {
    "score": "the gain of the score",
    "requests": "the gain of the score with every request counting (volume weighting)",
    "cost": "the gain of the score with every unit of non-digital contact cost counting "
    "(channel-cost weighting)",
}


# -- inputs ---------------------------------------------------------------------------------


def profile_of(spec: str | None) -> Profile:
    """A built-in profile by name, or a profile file (.toml or .json)."""
    from digimaat.measurement.profiles import BUILTIN_PROFILES, builtin_profile

    if spec is None:
        return builtin_profile("digimaat-standard")
    if spec in BUILTIN_PROFILES:
        return builtin_profile(spec)
    path = Path(spec)
    if path.suffix.lower() in (".toml", ".json") or path.exists():
        from digimaat.exchange.profiles import load_profile

        return load_profile(path)
    return builtin_profile(spec)  # raises with the list of known names


def limits_of(args: argparse.Namespace) -> Any:
    """The reading limits the command line was given (the defaults where none)."""
    from digimaat.exchange import Limits

    given: dict[str, int] = {}
    for name in ("max_bytes", "max_problems"):
        value = getattr(args, name, None)
        if isinstance(value, int):
            given[name] = value
    return Limits(**given)


def dataset_of(files: Sequence[str], args: argparse.Namespace | None = None) -> Dataset:
    """The files read into one dataset; the worked example when no file is named."""
    from digimaat.exchange import load

    if not files:
        from importlib import resources

        example = resources.files("digimaat.data").joinpath("example.json")
        with example.open("rb") as handle:
            return load(handle).dataset()
    limits = limits_of(args) if args is not None else None
    return load(*files, limits=limits).dataset()


def _profile_meta(profile: Profile) -> dict[str, Any]:
    return {
        "profile": {
            "name": profile.name,
            "version": profile.version,
            "fingerprint": profile.fingerprint,
        }
    }


def _board(args: argparse.Namespace) -> tuple[Profile, ScoreBoard]:
    profile = profile_of(args.profile)
    return profile, profile.score(dataset_of(args.files, args))


# -- score --------------------------------------------------------------------------------


def score(args: argparse.Namespace) -> Report:
    """Score municipalities with a profile."""
    profile, board = _board(args)
    cards = board.cards()
    metric_ids = list(board.results)
    shown = [(m, h) for m, h in _SHOWN if m in board.results]
    terse = args.format == "table"
    columns = [
        Column("municipality", "code", "code"),
        Column("name", "municipality", "text", width=14 if terse else None),
        Column("size_class", "cl", "integer"),
        Column("score", "score", "share"),
    ]
    if terse:
        columns += [Column(m, h, "share") for m, h in shown]
        columns.append(Column("coverage", "cover", "share"))
        rows = [
            (
                c.municipality,
                c.name,
                c.size_class,
                c.score,
                *[c.values[m] for m, _ in shown],
                c.coverage[profile.headline],
            )
            for c in cards
        ]
    else:
        columns += [Column(m, m, "share") for m in metric_ids]
        columns += [Column(f"coverage:{m}", f"coverage:{m}", "share") for m in metric_ids]
        rows = [
            (
                c.municipality,
                c.name,
                c.size_class,
                c.score,
                *[c.values[m] for m in metric_ids],
                *[c.coverage[m] for m in metric_ids],
            )
            for c in cards
        ]
    return Report(
        "scores",
        title=f"Profile {profile.name} {profile.version}: {profile.title}",
        meta=_profile_meta(profile),
        text=(f"  fingerprint {profile.fingerprint[:23]}…  spec {SPEC_VERSION}",),
        tables=(Table("scores", tuple(columns), tuple(rows), note=_LEGEND),),
        data={"cards": [_card(c) for c in cards]},
    )


def _percent(value: float | None) -> str:
    from digimaat.measurement.aggregation import display

    return "n/a" if value is None else display(value * 100, 1) + "%"


def _card(card: Any) -> dict[str, Any]:
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


# -- explain ------------------------------------------------------------------------------


def explain(args: argparse.Namespace) -> Report:
    """Decompose a municipality's score into per-product contributions."""
    from digimaat.measurement.explain import decompose, gaps

    profile, board = _board(args)
    code = args.municipality.strip().upper()
    decomposition = decompose(board, code, args.metric)
    gap_by_uri = {g.uri: g for g in gaps(board.dataset, code)}
    municipality = board.dataset.municipalities[board.dataset.index_of(code)]
    rows = [
        (
            c.uri,
            c.name,
            c.status,
            None if c.level is None else c.level.label,
            gap_by_uri[c.uri].target.label if c.uri in gap_by_uri else None,
            c.share,
            c.contribution,
        )
        for c in decomposition.items
    ]
    columns = (
        Column("product", "URI", "code"),
        Column("name", "product", "text", width=24),
        Column("status", "status", "code"),
        Column("level", "level", "code"),
        Column("target", "target", "code"),
        Column("share", "share", "share"),
        Column("contribution", "contrib.", "share"),
    )
    table = Table("contributions", columns, tuple(rows))
    if args.format == "table":  # the URI and status do not fit on a terminal
        table = Table(
            "contributions",
            tuple(c for c in columns if c.key not in ("product", "status")),
            tuple((r[1], r[3] or "-", r[4] or "-", r[5], r[6]) for r in rows),
        )
    from digimaat.measurement.aggregation import display

    return Report(
        "explanation",
        title=(
            f"{municipality.name} ({code}): {decomposition.metric} = "
            f"{_percent(decomposition.value)} under {profile.name}. Each product's "
            "contribution; the contributions add up to the score."
        ),
        meta=_profile_meta(profile),
        tables=(table,),
        data={"municipality": code, "metric": decomposition.metric, "value": decomposition.value},
        after=(f"{'total':>24}  {display(decomposition.total * 100, 1)}%",),
    )


# -- next -----------------------------------------------------------------------------------


def next_steps(args: argparse.Namespace) -> Report:
    """What a municipality could digitise next, with the gain of each step."""
    from digimaat.measurement.explain import priorities

    profile = profile_of(args.profile)
    ds = dataset_of(args.files, args)
    code = args.municipality.strip().upper()
    ranked = priorities(ds, profile, code, by=args.by)[: args.limit]
    municipality = ds.municipalities[ds.index_of(code)]
    rows = tuple(
        (
            k,
            p.uri,
            p.name,
            p.level.label,
            p.target.label,
            " ".join(c.value for c in p.missing),
            p.gain,
            p.requests,
            p.cost_at_stake,
        )
        for k, p in enumerate(ranked, 1)
    )
    columns = (
        Column("rank", "#", "integer"),
        Column("product", "URI", "code"),
        Column("name", "product", "text", width=20),
        Column("level", "level", "code"),
        Column("target", "target", "code"),
        Column("missing", "missing", "text"),
        Column("gain", "gain pt", "share"),
        Column("requests_per_year", "offline/yr", "number"),
        Column("cost_at_stake", "cost", "number"),
    )
    table = Table("priorities", columns, rows)
    if args.format == "table":
        keep = ("name", "level", "target", "gain", "requests_per_year")
        picks = [k for k, c in enumerate(columns) if c.key in keep]
        table = Table(
            "priorities",
            tuple(columns[k] for k in picks),
            tuple(tuple(r[k] for k in picks) for r in rows),
            note="gain pt: rise of the score in percentage points if the product reached its "
            "target; offline/yr: requests a year through non-digital channels.",
        )
    text = (
        f"What {municipality.name} ({code}) could digitise next, ranked by "
        f"{_RANKING_TEXT[args.by]} under {profile.name}:"
    )
    return Report(
        "priorities",
        title=text,
        meta=_profile_meta(profile),
        tables=(table,) if rows else (),
        text=() if rows else ("Nothing: every observed product has reached its target.",),
        data={
            "municipality": code,
            "ranking": args.by,
            "currency": ds.currency,
            "priorities": [
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
        },
    )


# -- compare ------------------------------------------------------------------------------


def compare(args: argparse.Namespace) -> Report:
    """Metrics side by side, each municipality beside the median of its size-class peers."""
    profile, board = _board(args)
    cards = board.cards()
    metric_ids = list(board.results)
    peers: dict[str, dict[str, float | None]] = {}
    counts: dict[str, int] = {}
    for card in cards:
        others = [
            c
            for c in cards
            if c.size_class == card.size_class and c.municipality != card.municipality
        ]
        counts[card.municipality] = len(others)
        peers[card.municipality] = {m: _median([c.values[m] for c in others]) for m in metric_ids}
    tables = []
    if args.format == "table":
        for start in range(0, len(cards), 3):
            block = cards[start : start + 3]
            columns = [Column("metric", "metric", "code", width=22)]
            for c in block:
                columns += [
                    Column(c.municipality, c.name[:11], "share"),
                    Column(f"peers:{c.municipality}", "peers", "share"),
                ]
            rows = tuple(
                (m, *[v for c in block for v in (c.values[m], peers[c.municipality][m])])
                for m in metric_ids
            )
            tables.append(Table(f"comparison-{start // 3 + 1}", tuple(columns), rows))
    else:
        columns = [Column("metric", "metric", "code")] + [
            Column(c.municipality, c.municipality, "share") for c in cards
        ]
        rows = tuple((m, *[c.values[m] for c in cards]) for m in metric_ids)
        tables.append(Table("comparison", tuple(columns), rows))
    return Report(
        "comparison",
        title=(
            f"Profile {profile.name} {profile.version}; peers: the median of the other "
            "municipalities of the same CBS size class in the data."
        ),
        meta=_profile_meta(profile),
        tables=tuple(tables),
        data={
            "municipalities": [
                {
                    **_card(c),
                    "peers": {
                        "size_class": c.size_class,
                        "count": counts[c.municipality],
                        "median": peers[c.municipality],
                    },
                }
                for c in cards
            ]
        },
    )


def _median(values: Sequence[float | None]) -> float | None:
    import statistics

    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


# -- validate -------------------------------------------------------------------------------


def validate(args: argparse.Namespace) -> Report:
    """Check files and list every problem; the report's data says whether there were any."""
    from digimaat.errors import InputError
    from digimaat.exchange import load

    results: list[tuple[str, str, int | None, int | None, int]] = []
    problems: list[Any] = []
    more = 0
    for path in args.files:
        try:
            submission = load(path, limits=limits_of(args))
        except InputError as exc:
            problems.extend(exc.problems)
            more += exc.more
            results.append((path, "problems", None, None, len(exc.problems) + exc.more))
            continue
        results.append((path, "ok", len(submission.municipalities), submission.columns.size, 0))
    table = Table(
        "files",
        (
            Column("file", "file", "text"),
            Column("result", "result", "code"),
            Column("municipalities", "municipalities", "integer"),
            Column("offerings", "offerings", "integer"),
            Column("problems", "problems", "integer"),
        ),
        tuple(results),
    )
    count = len(problems) + more
    text = tuple(str(p) for p in problems)
    after: tuple[str, ...] = ()
    if count:
        after = (
            f"{count:,} problem{'s' if count != 1 else ''} found"
            + (f" ({more:,} not shown)" if more else ""),
        )
    return Report(
        "validation",
        text=text,
        tables=(table,),
        data={"problems": [p.to_dict() for p in problems], "more": more, "findings": count},
        after=after,
    )


# -- catalogue, profiles, example -----------------------------------------------------------


def catalogue(args: argparse.Namespace) -> Report:
    """Search the reference catalogue."""
    from digimaat.vocabulary.products import reference_catalogue

    products_catalogue = reference_catalogue()
    query = " ".join(args.query) if isinstance(args.query, list) else args.query
    products = products_catalogue.search(query) if query else list(products_catalogue)
    rows = tuple(
        (
            p.name,
            p.uri.rsplit("/", 1)[-1],
            p.uri,
            None if p.required_assurance is None else p.required_assurance.label,
            p.reference_target.label,
        )
        for p in products
    )
    columns = (
        Column("name", "name", "text", width=40),
        Column("key", "key", "code", width=24),
        Column("uri", "URI", "code"),
        Column("required_assurance", "assurance", "code"),
        Column("reference_target", "target", "code"),
    )
    table = Table("products", columns, rows)
    if args.format == "table":
        table = Table(
            "products",
            (columns[0], columns[1], Column("assurance", "assurance", "code")),
            tuple((r[0], r[1], r[3] or "-") for r in rows),
        )
    return Report(
        "catalogue",
        tables=(table,),
        after=(
            f"{len(products)} of {len(products_catalogue)} products. The key is the last part "
            "of the UPL URI, which the exchange files accept as the product; assurance '-' = "
            "not assessed.",
        ),
        data={"count": len(products)},
    )


def profiles(args: argparse.Namespace) -> Report:
    """List the built-in profiles, or show one (a built-in name or a file)."""
    from digimaat.measurement.profiles import BUILTIN_PROFILES, builtin_profile

    if args.name:
        profile = profile_of(args.name)
        metrics = Table(
            "metrics",
            (
                Column("id", "metric", "code"),
                Column("kind", "kind", "code"),
                Column("clause", "clause", "code"),
            ),
            tuple((m.id, m.kind, m.clause) for m in profile.metrics),
        )
        return Report(
            "profile",
            title=f"{profile.name} {profile.version}: {profile.title}",
            text=(
                f"fingerprint:\n  {profile.fingerprint}",
                profile.description,
                f"weighting: {profile.weighting.describe()}",
                f"missing values: {profile.missing.value}\nheadline: {profile.headline}",
            ),
            tables=(metrics,),
            data={"fingerprint": profile.fingerprint, "profile": profile.to_dict()},
        )
    listed = [builtin_profile(n) for n in BUILTIN_PROFILES]
    table = Table(
        "profiles",
        (
            Column("name", "name", "code"),
            Column("version", "version", "code"),
            Column("title", "title", "text", width=46),
            Column("fingerprint", "fingerprint", "code"),
        ),
        tuple((p.name, p.version, p.title, p.fingerprint) for p in listed),
    )
    if args.format == "table":
        table = Table("profiles", table.columns[:3], tuple(r[:3] for r in table.rows))
    return Report("profiles", tables=(table,))


def example(args: argparse.Namespace) -> list[Report]:
    """The worked example: score the embedded data, explain Vlaardingen, rank next steps;
    then the three municipalities against the national Samenwerkende Catalogi baseline."""
    intro = Report(
        "example",
        text=(
            "The digimaat worked example: Maassluis, Schiedam and Vlaardingen, the "
            "municipalities that asked what 'massaal digitaal, maatwerk lokaal' means. "
            "The data of the first part is illustrative; the last part is real.",
        ),
    )
    reports = [intro]
    for name in ("digimaat-standard", "digimaat-volume"):
        reports.append(score(argparse.Namespace(files=[], profile=name, format="table")))
    reports.append(
        explain(
            argparse.Namespace(
                files=[], profile=None, format="table", municipality="GM0622", metric=None
            )
        )
    )
    reports.append(
        next_steps(
            argparse.Namespace(
                files=[],
                profile=None,
                format="table",
                municipality="GM0606",
                by="requests",
                limit=5,
            )
        )
    )
    reports.append(national_baseline())
    return reports


_MVS = ("GM0556", "GM0622", "GM0606")
"""Maassluis, Vlaardingen and Schiedam."""


def national_baseline() -> Report:
    """The three MVS municipalities against the national SC baseline, under sc-online."""
    import statistics

    from digimaat.exchange.sc import national_baseline as baseline_of
    from digimaat.measurement.aggregation import display
    from digimaat.measurement.profiles import builtin_profile

    baseline = baseline_of()
    profile = builtin_profile("sc-online")
    board = profile.score(baseline.dataset())
    online = board.results[profile.headline].value
    scored = sorted((float(v) for v in online if v == v), reverse=True)
    rows = []
    for code in _MVS:
        card = board.card(code)
        value = card.values[profile.headline]
        rank = None if value is None else 1 + sum(v > value for v in scored)
        rows.append(
            (
                code,
                card.name,
                value,
                card.values["downloadable-form"],
                card.coverage[profile.headline],
                "n/a" if rank is None else f"{rank} of {len(scored)}",
            )
        )
    quartiles = statistics.quantiles(scored, n=4, method="inclusive")

    def pct(value: float) -> str:
        return display(value * 100, 1) + "%"

    return Report(
        "national-baseline",
        title=(
            f"Real data: what all {len(baseline.municipalities)} municipalities published in "
            "Samenwerkende Catalogi on 2023-10-18 (the national baseline shipped with "
            f"digimaat), scored with {profile.name} {profile.version}: the share of the "
            "products a municipality publishes that can be submitted online, as published. A "
            "PDF form is not online; payment, outcome and volumes cannot be seen in this "
            "source."
        ),
        meta=_profile_meta(profile),
        text=(f"  fingerprint {profile.fingerprint[:23]}…  spec {SPEC_VERSION}",),
        tables=(
            Table(
                "baseline",
                (
                    Column("municipality", "code", "code"),
                    Column("name", "municipality", "text", width=14),
                    Column("online", "online", "share"),
                    Column("form", "form", "share"),
                    Column("coverage", "cover", "share"),
                    Column("rank", "rank", "text"),
                ),
                tuple(rows),
                note=(
                    f"National distribution of 'online' over the {len(scored)} municipalities "
                    f"with a score: lowest {pct(scored[-1])}, first quartile "
                    f"{pct(quartiles[0])}, median {pct(quartiles[1])}, third quartile "
                    f"{pct(quartiles[2])}, highest {pct(scored[0])}. form: a form online, to "
                    "download or to submit; cover: the share of the products published "
                    "anywhere in the country that the municipality publishes; rank: 1 is the "
                    "highest share online."
                ),
            ),
        ),
    )


def import_sc(args: argparse.Namespace) -> Report:
    """Import Samenwerkende Catalogi (SC 4.0) into an offerings document (chapter SCI)."""
    from digimaat.cli.render import render
    from digimaat.exchange import dumps
    from digimaat.exchange.sc import import_sc as run
    from digimaat.progress import Progress

    with Progress(0, "digimaat import sc") as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done)

        result = run(
            args.paths,
            upl_lists=args.upl_list,
            year=args.year,
            retrieved=args.retrieved,
            progress=progress,
        )
    Path(args.output).write_text(dumps(result.submission, form="json"), encoding="utf-8")
    summary = result.summary
    if args.summary:
        with Path(args.summary).open("w", encoding="utf-8") as file:
            render(Report("sc-summary", data=summary.to_dict()), "json", file)
    after = summary.legend()
    if result.skipped:
        after.append(f"Not read (not XML, compressed or tar): {len(result.skipped)} files.")
    submission = result.submission
    after.append(
        f"Wrote {args.output}: {len(submission.municipalities)} municipalities, "
        f"{submission.columns.size:,} offerings."
    )
    if result.problems:
        after.append(f"{len(result.problems)} problems; what they name was left out:")
        after.extend(f"  {problem}" for problem in result.problems)
    table = summary.as_table()
    return Report(
        "sc-import",
        tables=(Table(table.name, table.columns, table.rows),),
        after=tuple(after),
        data={"findings": len(result.problems), "summary": summary.to_dict()},
    )


def conformance(args: argparse.Namespace) -> Report:
    """Run a folder of conformance vectors; a failed vector (or, ``--strict``, a skipped one)
    is a finding."""
    from digimaat._version import SPEC_VERSION
    from digimaat.conformance import Outcome, published_vectors, run_directory, succeeded

    outcomes = run_directory(args.directory or published_vectors())

    def detail(outcome: Outcome) -> str:
        if args.verbose:
            return "; ".join(outcome.differences) or outcome.reason
        return outcome.first_difference

    table = Table(
        "vectors",
        (
            Column("id", "vector", "code"),
            Column("status", "status", "code"),
            Column("detail", "detail", "text"),
        ),
        tuple((o.vector, o.status, detail(o) or "") for o in outcomes),
    )
    counts = {s: sum(o.status == s for o in outcomes) for s in ("pass", "fail", "skip", "error")}
    return Report(
        "conformance",
        meta={"spec_version": SPEC_VERSION},
        tables=(table,),
        data={
            "vectors": [
                {
                    "id": o.vector,
                    "status": o.status,
                    "differences": list(o.differences),
                    "reason": o.reason or None,
                }
                for o in outcomes
            ],
            "findings": 0 if succeeded(outcomes, strict=args.strict) else 1,
        },
        after=(
            f"specification {SPEC_VERSION}: {len(outcomes)} vectors, {counts['pass']} passed, "
            f"{counts['fail']} failed, {counts['skip']} skipped, {counts['error']} not vectors",
        ),
    )


COMMANDS = {
    "conformance": conformance,
    "score": score,
    "explain": explain,
    "next": next_steps,
    "compare": compare,
    "validate": validate,
    "catalogue": catalogue,
    "profiles": profiles,
    "example": example,
    "import": import_sc,
}
