"""The commands about what the standard ships: ``catalogue``, ``profiles``, ``conformance``
and ``example``.

Like every command, each returns a report for the renderers; its texts are in the language
of ``--lang`` (:mod:`digimaat.cli.i18n`). The helpers of :mod:`digimaat.cli.commands` are
imported by the commands that use them, so that ``catalogue`` does not import the readers
of exchange files.
"""

from __future__ import annotations

import argparse
import statistics
from typing import Any

from digimaat._boundary import guard
from digimaat._version import SPEC_VERSION
from digimaat.analysis.tables import Column, Report, Table
from digimaat.cli.i18n import _
from digimaat.errors import N_

__all__ = ["catalogue", "conformance", "example", "national_baseline", "profiles"]


# -- catalogue ------------------------------------------------------------------------------


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
        Column("key", _("key"), "code"),
        Column("name", _("name"), "text"),
        Column("required_assurance", _("assurance"), "code"),
        Column("reference_target", _("target"), "code"),
        Column("match", _("match"), "code"),
        Column("matched_via", _("via"), "code"),
        Column("matched_text", _("matched"), "text"),
        Column("municipalities", _("municipalities"), "integer"),
    )
    table = Table("products", columns, rows)
    if args.format == "table":
        shown: tuple[tuple[str, ...], ...] = tuple(
            (r[2], r[1], r[3] or "-", "" if hit is None else _matched(hit))
            for r, (_p, hit) in zip(rows, found, strict=True)
        )
        key_w = min(28, max([3, *(len(r[1]) for r in shown)]))
        if query:  # the key, which a file may hold, in full; what matched gets the rest
            width = 80 - key_w - len("substantial") - 2 * 2
            columns_shown = [
                Column("key", _("key"), "code", width=key_w),
                Column("assurance", _("assurance"), "code"),
                Column("matched", _("matched"), "text", width=width),
            ]
            shown = tuple((r[1], r[2], r[3]) for r in shown)
        else:
            columns_shown = [
                Column("name", _("name"), "text", width=min(36, max(len(r[0]) for r in shown))),
                Column("key", _("key"), "code", width=key_w),
                Column("assurance", _("assurance"), "code"),
            ]
            shown = tuple(r[:3] for r in shown)
        table = Table("products", tuple(columns_shown), shown)
    order = _(", best match first (exact, prefix, all words, fuzzy)") if query else ""
    return Report(
        "catalogue",
        tables=(table,),
        after=(
            _(
                "{count} of {total} products{order}. A product is named by its URI, its key "
                "(the last part of its UPL URI), its name or a synonym (PRD-7.2); a name that "
                "municipalities use for several products (ambiguous) names none of them. "
                "Assurance '-' = not assessed."
            ).format(count=len(rows), total=len(products_catalogue), order=order),
        ),
        data={"count": len(rows)},
    )


_RANKS = (N_("exact"), N_("prefix"), N_("all words"), N_("fuzzy"))
"""How a product matches a query (PRD-7.4), as the table shows it."""


def _matched(hit: Any) -> str:
    """What matched a query, shortly: ``exact: name``, or for a name municipalities use,
    ``prefix (15, ambiguous): "Afspraak maken"`` (how many use it; the text last, as it may
    be cut)."""
    rank = _(hit.rank.label)
    if hit.via in ("name", "key"):
        return f"{rank}: {_(hit.via)}"
    ambiguous = "" if hit.via == "synonym" else _(", ambiguous")
    return f'{rank} ({hit.municipalities}{ambiguous}): "{hit.matched}"'


# -- profiles -------------------------------------------------------------------------------


def profiles(args: argparse.Namespace) -> Report:
    """List the built-in profiles, or show one (a built-in name or a file)."""
    from digimaat.cli.commands import profile_of
    from digimaat.measurement.profiles import BUILTIN_PROFILES, builtin_profile

    if args.name:
        profile = profile_of(args.name)
        metrics = Table(
            "metrics",
            (
                Column("id", _("metric"), "code"),
                Column("kind", _("kind"), "code"),
                Column("clause", _("clause"), "code"),
            ),
            tuple((m.id, m.kind, m.clause) for m in profile.metrics),
        )
        return Report(
            "profile",
            title=f"{profile.name} {profile.version}: {profile.title}",
            text=(
                _("fingerprint:\n  {fingerprint}").format(fingerprint=profile.fingerprint),
                profile.description,
                _("weighting: {weighting}").format(weighting=profile.weighting.describe()),
                _("missing values: {missing}\nheadline: {headline}").format(
                    missing=profile.missing.value, headline=profile.headline
                ),
            ),
            tables=(metrics,),
            data={"fingerprint": profile.fingerprint, "profile": profile.to_dict()},
        )
    listed = [builtin_profile(n) for n in BUILTIN_PROFILES]
    table = Table(
        "profiles",
        (
            Column("name", _("name"), "code"),
            Column("version", _("version"), "code"),
            Column("title", _("title"), "text", width=46),
            Column("fingerprint", _("fingerprint"), "code"),
        ),
        tuple((p.name, p.version, p.title, p.fingerprint) for p in listed),
    )
    if args.format == "table":
        table = Table("profiles", table.columns[:3], tuple(r[:3] for r in table.rows))
    return Report("profiles", tables=(table,))


# -- conformance ----------------------------------------------------------------------------


def conformance(args: argparse.Namespace) -> Report:
    """Run a folder of conformance vectors; a failed vector (or, ``--strict``, a skipped one)
    is a finding."""
    from digimaat.conformance import Outcome, published_vectors, run_directory, succeeded

    outcomes = run_directory(args.directory or published_vectors())

    def detail(outcome: Outcome) -> str:
        if args.verbose:
            return "; ".join(outcome.differences) or outcome.reason
        return outcome.first_difference

    table = Table(
        "vectors",
        (
            Column("id", _("vector"), "code"),
            Column("status", _("status"), "code"),
            Column("detail", _("detail"), "text"),
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
            _(
                "specification {version}: {count} vectors, {passed} passed, {failed} failed, "
                "{skipped} skipped, {errors} not vectors"
            ).format(
                version=SPEC_VERSION,
                count=len(outcomes),
                passed=counts["pass"],
                failed=counts["fail"],
                skipped=counts["skip"],
                errors=counts["error"],
            ),
        ),
    )


# -- example --------------------------------------------------------------------------------


def example(args: argparse.Namespace) -> list[Report]:
    """The worked example: score the embedded data, explain Vlaardingen, rank next steps;
    then the three municipalities against the national Samenwerkende Catalogi baseline."""
    from digimaat.cli.commands import explain, next_steps, score

    intro = Report(
        "example",
        text=(
            _(
                "The digimaat worked example: Maassluis, Schiedam and Vlaardingen, the "
                "municipalities that asked what 'massaal digitaal, maatwerk lokaal' means. "
                "The data of the first part is illustrative; the last part is real."
            ),
        ),
    )
    common: dict[str, Any] = {"files": [], "format": "table", "sheet": None}
    reports = [intro]
    for name in ("digimaat-standard", "digimaat-volume"):
        reports.append(score(argparse.Namespace(profile=name, **common)))
    reports.append(
        explain(argparse.Namespace(profile=None, municipality="GM0622", metric=None, **common))
    )
    reports.append(
        next_steps(
            argparse.Namespace(
                profile=None, municipality="GM0606", by="requests", limit=5, **common
            )
        )
    )
    reports.append(national_baseline())
    return reports


_MVS = ("GM0556", "GM0622", "GM0606")
"""Maassluis, Vlaardingen and Schiedam."""


def national_baseline() -> Report:
    """The three MVS municipalities against the national SC baseline, under sc-online."""
    from digimaat.cli.commands import profile_meta
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
                "n/a"
                if rank is None
                else _("{rank} of {count}").format(rank=rank, count=len(scored)),
            )
        )
    quartiles = statistics.quantiles(scored, n=4, method="inclusive")

    def pct(value: float) -> str:
        return display(value * 100, 1) + "%"

    return Report(
        "national-baseline",
        title=_(
            "Real data: what all {count} municipalities published in Samenwerkende Catalogi "
            "on 2023-10-18 (the national baseline shipped with digimaat), scored with "
            "{profile} {version}: the share of the products a municipality publishes that can "
            "be submitted online, as published. A PDF form is not online; payment, outcome "
            "and volumes cannot be seen in this source."
        ).format(count=len(baseline.municipalities), profile=profile.name, version=profile.version),
        meta=profile_meta(profile),
        text=(f"  fingerprint {profile.fingerprint[:23]}…  spec {SPEC_VERSION}",),
        tables=(
            Table(
                "baseline",
                (
                    Column("municipality", _("code"), "code"),
                    Column("name", _("municipality"), "text", width=14),
                    Column("online", _("online"), "share"),
                    Column("form", _("form"), "share"),
                    Column("coverage", _("cover"), "share"),
                    Column("rank", _("rank"), "text"),
                ),
                tuple(rows),
                note=_(
                    "National distribution of 'online' over the {count} municipalities with a "
                    "score: lowest {lowest}, first quartile {q1}, median {median}, third "
                    "quartile {q3}, highest {highest}. form: a form online, to download or to "
                    "submit; cover: the share of the products published anywhere in the "
                    "country that the municipality publishes; rank: 1 is the highest share "
                    "online."
                ).format(
                    count=len(scored),
                    lowest=pct(scored[-1]),
                    q1=pct(quartiles[0]),
                    median=pct(quartiles[1]),
                    q3=pct(quartiles[2]),
                    highest=pct(scored[0]),
                ),
            ),
        ),
    )


guard(__name__)
