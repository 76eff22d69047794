"""The commands that score and explain: ``score``, ``explain`` and ``next``, and the inputs
every command reads; ``validate`` and ``import sc`` are in :mod:`digimaat.cli.intake`.

A command never writes output itself: it builds a :class:`~digimaat.analysis.tables.Report`
and the renderer of the asked format writes it (:mod:`digimaat.cli.render`). Its texts and
table headings are in the language of ``--lang`` (:mod:`digimaat.cli.i18n`); what it writes
for programs (JSON members, CSV keys, metric ids, level and capability names in JSON and
CSV) is not. The modules every command of this module needs (reading files, profiles)
are imported with it: the command line imports a command's module only to run that
command, while Python's garbage collector is paused (:func:`digimaat.cli.main`).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from digimaat._boundary import guard
from digimaat._version import SPEC_VERSION
from digimaat.analysis.tables import Column, Report, Table, scores_table
from digimaat.cli.i18n import _, name_of
from digimaat.cli.render import WIDTH
from digimaat.errors import N_, safe_text
from digimaat.exchange import Limits, Submission, load
from digimaat.exchange.source import path_name
from digimaat.measurement.profiles import BUILTIN_PROFILES, Profile, ScoreBoard, builtin_profile
from digimaat.progress import Progress

if TYPE_CHECKING:  # pragma: no cover
    from digimaat.cli.intake import import_sc, validate
    from digimaat.measurement.dataset import Dataset
    from digimaat.measurement.explain import Priority
    from digimaat.vocabulary.assurance import Authentication

__all__ = ["explain", "import_sc", "next_steps", "score", "validate"]
"""The commands of this module; the helpers beside them serve the other commands."""

# Metrics shown in the score table, with short column heads (<= 80 columns in all).
SHOWN = (
    ("maturity", N_("matur")),
    ("fully-online", N_("fully")),
    ("attainment", N_("attn")),
    ("authentication-fit", N_("fit")),
    ("authentication-barrier", N_("barr")),
    ("uptake", N_("uptk")),
)
"""Metric ids with their short headings, for tables that must fit 80 columns."""
_LEGEND = N_(
    "Percentages. score: the profile's headline; matur: maturity; fully: fully online; "
    "attn: attainment of the reference target; fit/barr: authentication fits / asks more "
    "than needed; uptk: requests through digital channels; cover: share of the weight "
    "that could be measured; n/a: not defined."
)
_RESULTS = (N_("ok"), N_("problems"))
_RANKING_TEXT = {
    "score": N_("the gain of the score"),
    "requests": N_("the gain of the score with every request counting (volume weighting)"),
    "cost": N_(
        "the gain of the score with every unit of non-digital contact cost counting "
        "(channel-cost weighting)"
    ),
}


# -- inputs ---------------------------------------------------------------------------------


def profile_of(spec: str | None) -> Profile:
    """A built-in profile by name, or a profile file (.toml or .json)."""
    if spec is None:
        return builtin_profile("digimaat-standard")
    if spec in BUILTIN_PROFILES:
        return builtin_profile(spec)
    from pathlib import Path  # a profile file: read under its name as pathlib writes it

    path = Path(spec)
    if path.suffix.lower() in (".toml", ".json") or path.exists():
        from digimaat.exchange.profiles import load_profile

        return load_profile(path)
    return builtin_profile(spec)  # raises with the list of known names


def limits_of(args: argparse.Namespace) -> Any:
    """The reading limits the command line was given (the defaults where none)."""
    given: dict[str, int] = {}
    for name in ("max_bytes", "max_problems"):
        value = getattr(args, name, None)
        if isinstance(value, int):
            given[name] = value
    return Limits(**given)


def submission_of(files: Sequence[str], args: argparse.Namespace | None = None) -> Submission:
    """The files read into one submission (a workbook from ``--sheet`` or its first sheet);
    the worked example when no file is named.

    On a terminal a progress bar shows while the files are read (:mod:`digimaat.progress`).
    """
    if not files:
        from importlib import resources

        example = resources.files("digimaat.data").joinpath("example.json")
        with example.open("rb") as handle:
            return load(handle)
    limits = limits_of(args) if args is not None else None
    sheet = getattr(args, "sheet", None)
    with reading(files, args) as progress:
        return load(*files, limits=limits, sheet=sheet, progress=progress)


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
    command = getattr(args, "command", None)
    what = safe_text(path_name(files[0])) if len(files) == 1 else f"{len(files)} files"
    return Progress(0, f"digimaat {command}: reading {what}" if command else f"reading {what}")


def part_of(bar: Progress, n: int, count: int) -> Callable[[int, int], None]:
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
        return _(
            "No costs were given (not in the data, the profile or --costs FILE): costs are "
            "the illustrative defaults of the standard, {table}."
        ).format(table=table.describe())
    return _("Costs: {table}.").format(table=table.describe())


def profile_meta(profile: Profile) -> dict[str, Any]:
    """The profile a report's numbers come from, as its JSON ``profile`` member."""
    return {
        "profile": {
            "name": profile.name,
            "version": profile.version,
            "fingerprint": profile.fingerprint,
        }
    }


def sources_of(submission: Submission, files: Sequence[str]) -> list[dict[str, Any]]:
    """The files the data came from, each with its ``source`` text (who compiled it)."""
    names = list(submission.files) if files else ["example.json (built in)"]
    return [
        {"file": name, "source": source}
        for name, source in zip(names, submission.sources, strict=True)
    ]


def scored_of(args: argparse.Namespace) -> tuple[Profile, ScoreBoard, dict[str, Any]]:
    """The profile of ``--profile``, the score board of the files, and the facts of both
    for a report (the profile, the sources)."""
    profile = profile_of(args.profile)
    submission = submission_of(args.files, args)
    meta = {**profile_meta(profile), "sources": sources_of(submission, args.files)}
    return profile, profile.score(dataset_from(submission, args)), meta


def board_of(args: argparse.Namespace) -> tuple[Profile, ScoreBoard]:
    """The profile of ``--profile`` and the score board of the files."""
    profile, board, _meta = scored_of(args)
    return profile, board


def fingerprint_line(profile: Profile) -> str:
    """The line under a score's title: the fingerprint's start and the specification."""
    return _("  fingerprint {fingerprint}…  spec {version}").format(
        fingerprint=profile.fingerprint[:23], version=SPEC_VERSION
    )


# -- score --------------------------------------------------------------------------------


def score(args: argparse.Namespace) -> Report:
    """Score municipalities with a profile."""
    profile, board, meta = scored_of(args)
    cards = board.cards()
    shown = [(m, h) for m, h in SHOWN if m in board.results]
    terse = args.format == "table"
    columns = [
        Column("municipality", _("code"), "code"),
        Column("name", _("municipality"), "text", width=14 if terse else None),
        Column("size_class", _("cl"), "integer"),
        Column("score", _("score"), "share"),
    ]
    if terse:
        columns += [Column(m, _(h), "share") for m, h in shown]
        columns.append(Column("coverage", _("cover"), "share"))
        rows = [
            (
                c.municipality,
                c.name,
                c.size_class,
                c.score,
                *[c.values[m] for m, _h in shown],
                c.coverage[profile.headline],
            )
            for c in cards
        ]
        table = Table("scores", tuple(columns), tuple(rows), note=_(_LEGEND))
    else:  # every row a score card that records its profile (PRF)
        table = scores_table(cards)
    text = [fingerprint_line(profile)]
    if uses_costs(profile.weighting):  # the cost table before any number (CHN-8)
        text.insert(0, costs_line(board.dataset, profile))
    return Report(
        "scores",
        title=_("Profile {name} {version}: {title}").format(
            name=profile.name, version=profile.version, title=profile.title
        ),
        meta={
            **meta,
            "product_scope": board.dataset.product_scope,
            "costs": profile.costed(board.dataset).cost_table.to_dict(),
        },
        text=tuple(text),
        tables=(table,),
        data={"cards": [card_record(c) for c in cards]},
    )


def percent(value: float | None) -> str:
    """A share as a percentage for a sentence (``32.0%``), or ``n/a``."""
    from digimaat.measurement.aggregation import display

    return _("n/a") if value is None else display(value * 100, 1) + "%"


def shorten(text: str, width: int) -> str:
    """A text of at most ``width`` characters, cut with an ellipsis."""
    return text if len(text) <= width else text[: width - 1] + "…"


def card_record(card: Any) -> dict[str, Any]:
    """A score card as JSON."""
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

    profile, board, meta = scored_of(args)
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
        Column("name", _("product"), "text", width=24),
        Column("status", _("status"), "code"),
        Column("level", _("level"), "code"),
        Column("target", _("target"), "code"),
        Column("share", _("share"), "share"),
        Column("contribution", _("contrib."), "share"),
    )
    table = Table("contributions", columns, tuple(rows))
    if args.format == "table":  # the URI and status do not fit on a terminal
        table = Table(
            "contributions",
            tuple(c for c in columns if c.key not in ("product", "status")),
            tuple(
                (r[1], name_of(r[3]) if r[3] else "-", name_of(r[4]) if r[4] else "-", r[5], r[6])
                for r in rows
            ),
        )
    from digimaat.measurement.aggregation import display

    return Report(
        "explanation",
        title=_(
            "{name} ({code}): {metric} = {value} under {profile}. Each product's "
            "contribution; the contributions add up to the score."
        ).format(
            name=municipality.name,
            code=code,
            metric=decomposition.metric,
            value=percent(decomposition.value),
            profile=profile.name,
        ),
        meta=meta,
        tables=(table,),
        data={"municipality": code, "metric": decomposition.metric, "value": decomposition.value},
        after=(f"{_('total'):>24}  {display(decomposition.total * 100, 1)}%",),
    )


# -- next -----------------------------------------------------------------------------------


def _auth(authentication: Authentication | None) -> str | None:
    return None if authentication is None else authentication.name


def _step(k: int, p: Priority) -> str:
    """What one step takes, in words, wrapped to the width of a terminal with the lines after
    the first indented: the capabilities to add and the change of authentication."""
    import textwrap

    parts = []
    if p.missing:
        names = ", ".join(name_of(c.value) for c in p.missing)
        parts.append(_("add {capabilities}").format(capabilities=names))
    if p.asks is not None:
        before = _auth(p.asked) or _("none recorded")
        parts.append(
            _("authentication {before} → {after}").format(before=before, after=p.asks.name)
        )
    what = "; ".join(parts) or _("reach the target")
    return textwrap.fill(
        f"{k:>2}. {p.name}: {what}", WIDTH, subsequent_indent="    ", break_on_hyphens=False
    )


def next_steps(args: argparse.Namespace) -> Report:
    """What a municipality could digitise next: the gain of each step, the capabilities it
    still misses and the change of authentication the gain includes (EXP-3)."""
    from digimaat.measurement.explain import priorities

    profile = profile_of(args.profile)
    submission = submission_of(args.files, args)
    ds = dataset_from(submission, args)
    costed = profile.costed(ds)
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
            _auth(p.asked),
            _auth(p.asks),
            p.gain,
            p.requests,
            p.cost_at_stake,
        )
        for k, p in enumerate(ranked, 1)
    )
    columns = (
        Column("rank", "#", "integer"),
        Column("product", "URI", "code"),
        Column("name", _("product"), "text", width=17),
        Column("level", _("level"), "code"),
        Column("target", _("target"), "code"),
        Column("missing", _("missing"), "text"),
        Column("authentication", _("authentication"), "code"),
        Column("asks", _("asks"), "code"),
        Column("gain", _("gain pt"), "share"),
        Column("requests_per_year", _("offline/yr"), "number"),
        Column("cost_at_stake", _("cost"), "number"),
    )
    table = Table("priorities", columns, rows)
    after: tuple[str, ...] = ()
    if args.format == "table":
        keep = ("rank", "name", "level", "target", "gain", "requests_per_year")
        picks = [k for k, c in enumerate(columns) if c.key in keep]
        named = ("level", "target")
        table = Table(
            "priorities",
            tuple(columns[k] for k in picks),
            tuple(
                tuple(name_of(str(r[k])) if columns[k].key in named else r[k] for k in picks)
                for r in rows
            ),
            note=_(
                "gain pt: rise of the score in percentage points if the product reached its "
                "target; offline/yr: requests a year through non-digital channels."
            ),
        )
        if rows:
            after = (
                _("What each step takes; the gain includes the change of authentication:"),
                *(_step(k, p) for k, p in enumerate(ranked, 1)),
            )
    text = _("What {name} ({code}) could digitise next, ranked by {ranking} under {profile}:")
    title = text.format(
        name=municipality.name,
        code=code,
        ranking=_(_RANKING_TEXT[args.by]),
        profile=profile.name,
    )
    if args.by == "cost":  # the cost table before any number (CHN-8)
        title = costs_line(ds, profile) + "\n" + title
    return Report(
        "priorities",
        title=title,
        meta={**profile_meta(profile), "sources": sources_of(submission, args.files)},
        tables=(table,) if rows else (),
        text=() if rows else (_("Nothing: every observed product has reached its target."),),
        after=after,
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
                    "authentication": _auth(p.asked),
                    "asks": _auth(p.asks),
                    "gain": p.gain,
                    "requests_per_year": p.requests,
                    "cost_at_stake": p.cost_at_stake,
                    "currency": costed.currency,
                }
                for p in ranked
            ],
        },
    )


guard(__name__)


def __getattr__(name: str) -> Any:
    """``validate`` and ``import_sc``, from :mod:`digimaat.cli.intake` when first asked for."""
    if name not in ("import_sc", "validate"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from digimaat.cli import intake

    value = getattr(intake, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names, with those it imports when first asked for."""
    return sorted({*globals(), *("import_sc", "validate")})
