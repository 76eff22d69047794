"""The commands of the command line: each reads its inputs and returns a report.

A command never writes output itself: it builds a :class:`~digimaat.analysis.tables.Report`
and the renderer of the asked format writes it (:mod:`digimaat.cli.render`). The heavy
modules are imported inside the commands, so that ``digimaat --help`` and a small
``digimaat score`` start quickly.
"""

from __future__ import annotations

import argparse
import io
import statistics
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digimaat._version import SPEC_VERSION
from digimaat.analysis.tables import Column, Report, Table, scores_table
from digimaat.errors import safe_text

if TYPE_CHECKING:  # pragma: no cover
    from digimaat.exchange import Submission
    from digimaat.measurement.dataset import Dataset
    from digimaat.measurement.profiles import Profile, ScoreBoard
    from digimaat.progress import Progress

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


def submission_of(files: Sequence[str], args: argparse.Namespace | None = None) -> Submission:
    """The files read into one submission; the worked example when no file is named.

    On a terminal a progress bar shows while the files are read (:mod:`digimaat.progress`).
    """
    from digimaat.exchange import load

    if not files:
        example = resources.files("digimaat.data").joinpath("example.json")
        with example.open("rb") as handle:
            return load(handle)
    limits = limits_of(args) if args is not None else None
    with reading(files, args) as progress:
        return load(*files, limits=limits, progress=progress)


def dataset_of(files: Sequence[str], args: argparse.Namespace | None = None) -> Dataset:
    """The files read into one dataset; the worked example when no file is named."""
    return dataset_from(submission_of(files, args), args)


def dataset_from(submission: Submission, args: argparse.Namespace | None = None) -> Dataset:
    """A submission's dataset, with the product scope (``--product-scope``) and the cost
    table (``--costs FILE``) the command line was given, else the data's own (AGG-2.1,
    CHN-8)."""
    costs = getattr(args, "costs", None)
    table = None
    if costs:
        from digimaat.exchange.costs import load_costs

        table = load_costs(costs, catalogue=submission.catalogue)
    return submission.dataset(products=getattr(args, "product_scope", None), costs=table)


def reading(files: Sequence[str], args: argparse.Namespace | None = None) -> Progress:
    """The progress bar of reading files, on standard error (shown on a terminal only)."""
    from digimaat.progress import Progress

    command = getattr(args, "command", None)
    what = safe_text(Path(files[0]).name) if len(files) == 1 else f"{len(files)} files"
    return Progress(0, f"digimaat {command}: reading {what}" if command else f"reading {what}")


def _part(bar: Progress, n: int, count: int) -> Callable[[int, int], None]:
    """The progress of the ``n``-th of ``count`` equal parts of the work, on one bar."""

    def progress(done: int, total: int) -> None:
        bar(n * total + done, count * total)

    return progress


def uses_costs(weighting: Any) -> bool:
    """Whether a weighting weighs by costs per contact (WGT-7), in any of its parts."""
    import attrs

    if getattr(weighting, "kind", None) == "channel-cost":
        return True
    if not attrs.has(type(weighting)):
        return False
    for value in attrs.asdict(weighting, recurse=False).values():
        parts = value if isinstance(value, tuple) else (value,)
        for part in parts:
            inner = part[0] if isinstance(part, tuple) and part else part
            if attrs.has(type(inner)) and uses_costs(inner):
                return True
    return False


def costs_line(ds: Dataset, profile: Profile) -> str:
    """Which cost table a cost-based result used (CHN-8), said before any number."""
    table = profile.costed(ds).cost_table
    if table.origin == "default":
        return (
            "No costs were given (not in the data, the profile or --costs FILE): costs are "
            f"the illustrative defaults of the standard, {table.describe()}."
        )
    return f"Costs: {table.describe()}."


def _profile_meta(profile: Profile) -> dict[str, Any]:
    return {
        "profile": {
            "name": profile.name,
            "version": profile.version,
            "fingerprint": profile.fingerprint,
        }
    }


def _sources(submission: Submission, files: Sequence[str]) -> list[dict[str, Any]]:
    """The files the data came from, each with its ``source`` text (who compiled it)."""
    names = list(submission.files) if files else ["example.json (built in)"]
    return [
        {"file": name, "source": source}
        for name, source in zip(names, submission.sources, strict=True)
    ]


def _scored(args: argparse.Namespace) -> tuple[Profile, ScoreBoard, dict[str, Any]]:
    """The profile, the score board of the files, and the facts of both for a report."""
    profile = profile_of(args.profile)
    submission = submission_of(args.files, args)
    meta = {**_profile_meta(profile), "sources": _sources(submission, args.files)}
    return profile, profile.score(dataset_from(submission, args)), meta


def _board(args: argparse.Namespace) -> tuple[Profile, ScoreBoard]:
    profile, board, _ = _scored(args)
    return profile, board


# -- score --------------------------------------------------------------------------------


def score(args: argparse.Namespace) -> Report:
    """Score municipalities with a profile."""
    profile, board, meta = _scored(args)
    cards = board.cards()
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
        table = Table("scores", tuple(columns), tuple(rows), note=_LEGEND)
    else:  # every row a score card that records its profile (PRF)
        table = scores_table(cards)
    text = [f"  fingerprint {profile.fingerprint[:23]}…  spec {SPEC_VERSION}"]
    if uses_costs(profile.weighting):  # the cost table before any number (CHN-8)
        text.insert(0, costs_line(board.dataset, profile))
    return Report(
        "scores",
        title=f"Profile {profile.name} {profile.version}: {profile.title}",
        meta={
            **meta,
            "product_scope": board.dataset.product_scope,
            "costs": profile.costed(board.dataset).cost_table.to_dict(),
        },
        text=tuple(text),
        tables=(table,),
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

    profile, board, meta = _scored(args)
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
        meta=meta,
        tables=(table,),
        data={"municipality": code, "metric": decomposition.metric, "value": decomposition.value},
        after=(f"{'total':>24}  {display(decomposition.total * 100, 1)}%",),
    )


# -- next -----------------------------------------------------------------------------------


def next_steps(args: argparse.Namespace) -> Report:
    """What a municipality could digitise next, with the gain of each step."""
    from digimaat.measurement.explain import priorities

    profile = profile_of(args.profile)
    submission = submission_of(args.files, args)
    ds = dataset_from(submission, args)
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
    costed = profile.costed(ds)
    if args.by == "cost":  # the cost table before any number (CHN-8)
        text = costs_line(ds, profile) + "\n" + text
    return Report(
        "priorities",
        title=text,
        meta={**_profile_meta(profile), "sources": _sources(submission, args.files)},
        tables=(table,) if rows else (),
        text=() if rows else ("Nothing: every observed product has reached its target.",),
        data={
            "municipality": code,
            "ranking": args.by,
            "currency": costed.currency,
            "costs": costed.cost_table.to_dict(),
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
                    "currency": costed.currency,
                }
                for p in ranked
            ],
        },
    )


# -- compare ------------------------------------------------------------------------------


# -- validate -------------------------------------------------------------------------------


def validate(args: argparse.Namespace) -> Report:
    """Check files and list every problem; the report's data says whether there were any."""
    from digimaat.errors import InputError
    from digimaat.exchange import load

    results: list[tuple[str, str, int | None, int | None, int]] = []
    problems: list[Any] = []
    more = 0
    count = len(args.files)
    with reading(args.files, args) as bar:
        for n, path in enumerate(args.files):
            try:
                submission = load(path, limits=limits_of(args), progress=_part(bar, n, count))
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
    tables: tuple[Table, ...] = (table,)
    if args.format != "table":  # a row per problem rather than a line of text
        listed = [p.to_dict() for p in problems]
        keys = ("source", "location", "field", "value", "message", "clause", "suggestion")
        columns = tuple(Column(k, k, "code" if k == "clause" else "text") for k in keys)
        tables += (Table("problems", columns, tuple(tuple(p[k] for k in keys) for p in listed)),)
        text = ()
    after: tuple[str, ...] = ()
    if count:
        after = (
            f"{count:,} problem{'s' if count != 1 else ''} found"
            + (f" ({more:,} not shown)" if more else ""),
        )
    return Report(
        "validation",
        text=text,
        tables=tables,
        data={"problems": [p.to_dict() for p in problems], "more": more, "findings": count},
        after=after,
    )


# -- catalogue, profiles, example -----------------------------------------------------------


def catalogue(args: argparse.Namespace) -> Report:
    """Search the reference catalogue by name, key and synonym (PRD-7.4), or list it."""
    from digimaat.vocabulary.products import UPL_NAMESPACE, reference_catalogue

    products_catalogue = reference_catalogue()
    query = " ".join(args.query) if isinstance(args.query, list) else (args.query or "")
    hits = products_catalogue.search(query) if query else []
    found = [(h.product, h) for h in hits] if query else [(p, None) for p in products_catalogue]
    rows = tuple(
        (
            p.uri,
            p.uri.removeprefix(UPL_NAMESPACE),
            p.name,
            None if p.required_assurance is None else p.required_assurance.label,
            p.reference_target.label,
            None if hit is None else hit.rank.label,
            None if hit is None else hit.via,
            None if hit is None else hit.matched,
            None if hit is None else (hit.municipalities or None),
        )
        for p, hit in found
    )
    columns = (
        Column("uri", "URI", "code"),
        Column("key", "key", "code"),
        Column("name", "name", "text"),
        Column("required_assurance", "assurance", "code"),
        Column("reference_target", "target", "code"),
        Column("match", "match", "code"),
        Column("matched_via", "via", "code"),
        Column("matched_text", "matched", "text"),
        Column("municipalities", "municipalities", "integer"),
    )
    table = Table("products", columns, rows)
    if args.format == "table":
        shown: tuple[tuple[str, ...], ...] = tuple(
            (r[2], r[1], r[3] or "-", "" if hit is None else _matched(hit))
            for r, (_, hit) in zip(rows, found, strict=True)
        )
        key_w = min(28, max([3, *(len(r[1]) for r in shown)]))
        if query:  # the key, which a file may hold, in full; what matched gets the rest
            width = 80 - key_w - len("substantial") - 2 * 2
            columns_shown = [
                Column("key", "key", "code", width=key_w),
                Column("assurance", "assurance", "code"),
                Column("matched", "matched", "text", width=width),
            ]
            shown = tuple((r[1], r[2], r[3]) for r in shown)
        else:
            columns_shown = [
                Column("name", "name", "text", width=min(36, max(len(r[0]) for r in shown))),
                Column("key", "key", "code", width=key_w),
                Column("assurance", "assurance", "code"),
            ]
            shown = tuple(r[:3] for r in shown)
        table = Table("products", tuple(columns_shown), shown)
    order = ", best match first (exact, prefix, all words, fuzzy)" if query else ""
    return Report(
        "catalogue",
        tables=(table,),
        after=(
            f"{len(rows)} of {len(products_catalogue)} products{order}. A product is named by "
            "its URI, its key (the last part of its UPL URI), its name or a synonym (PRD-7.2); "
            "a name that municipalities use for several products (ambiguous) names none of "
            "them. Assurance '-' = not assessed.",
        ),
        data={"count": len(rows)},
    )


def _matched(hit: Any) -> str:
    """What matched a query, shortly: ``exact: name``, or for a name municipalities use,
    ``prefix (15, ambiguous): "Afspraak maken"`` (how many use it; the text last, as it may
    be cut)."""
    if hit.via in ("name", "key"):
        return f"{hit.rank.label}: {hit.via}"
    ambiguous = "" if hit.via == "synonym" else ", ambiguous"
    return f'{hit.rank.label} ({hit.municipalities}{ambiguous}): "{hit.matched}"'


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
    """Import Samenwerkende Catalogi (SC 4.0) into an offerings document (chapter SCI).

    ``--summary FILE`` also writes the summary: as a workbook when FILE ends in ``.xlsx``,
    else as JSON.
    """
    from digimaat.cli.render import check_destination, deliver, output
    from digimaat.exchange import dumps
    from digimaat.exchange.sc import import_sc as run
    from digimaat.progress import Progress

    workbook = bool(args.summary) and args.summary.lower().endswith(".xlsx")
    if workbook:
        check_destination("xlsx", args.summary, io.StringIO())  # before the work
    with Progress(0, "digimaat import sc") as bar:
        result = run(
            args.paths,
            upl_lists=args.upl_list,
            year=args.year,
            retrieved=args.retrieved,
            progress=bar,
        )
    Path(args.output).write_text(dumps(result.submission, form="json"), encoding="utf-8")
    summary = result.summary
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
    report = Report(
        "sc-import",
        meta={"sources": [{"file": path} for path in args.paths]},
        tables=(Table(table.name, table.columns, table.rows),),
        after=tuple(after),
        data={"findings": len(result.problems), "summary": summary.to_dict()},
    )
    if workbook:
        deliver(output([report], "xlsx"), args.summary, io.StringIO())
    elif args.summary:
        deliver(
            output([Report("sc-summary", data=summary.to_dict())], "json"),
            args.summary,
            io.StringIO(),
        )
    return report


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
    "validate": validate,
    "catalogue": catalogue,
    "profiles": profiles,
    "example": example,
    "import": import_sc,
}
