"""The command ``digimaat uncertainty``: how sure is a rank (specification chapter UNC)."""

from __future__ import annotations

import argparse
from typing import Any

from digimaat._boundary import guard
from digimaat.analysis.tables import Column, Report, Table
from digimaat.cli.commands import profile_meta, profile_of
from digimaat.errors import UsageError

__all__ = ["uncertainty"]

_EXPLAINED = (
    "Percentages. nominal: the profile as declared; 5%/95%: the interval of the value over "
    "the samples; rank: the nominal rank (1 = best); median and ranks 5-95%: the rank over "
    "the samples; defined: share of samples with a value. A Sobol' index says how much of "
    "the movement of the ranking a group of choices explains, alone (first order) and with "
    "its interactions (total order)."
)


def uncertainty(args: argparse.Namespace) -> Report:
    """Intervals of scores and ranks, pair probabilities and Sobol' indices (UNC)."""
    from digimaat._version import SPEC_VERSION
    from digimaat.analysis.uncertainty import analyse_files

    profile = profile_of(args.profile)
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
    result = analyse_files(
        args.files,
        profile,
        samples=args.samples,
        seed=args.seed,
        metrics=args.metric or None,
        pairs=pairs,
        chunk=args.chunk,
        scheduler=args.dask,
    )
    tables = [
        Table(
            f"spread-{metric}",
            (
                Column("municipality", "code", "code"),
                Column("nominal", "nominal", "share"),
                Column("low", "5%", "share"),
                Column("high", "95%", "share"),
                Column("nominal_rank", "rank", "integer"),
                Column("median_rank", "median", "integer"),
                Column("ranks", "ranks 5-95%", "code"),
                Column("defined", "defined", "share"),
            ),
            tuple(
                (
                    s.municipality,
                    s.nominal,
                    s.low,
                    s.high,
                    s.nominal_rank,
                    s.median_rank,
                    f"{_rank(s.rank_low)}-{_rank(s.rank_high)}",
                    s.defined,
                )
                for s in result.spreads[metric]
            ),
            title=metric,
        )
        for metric in result.metrics
    ]
    if result.pairs:
        tables.append(
            Table(
                "pair-probabilities",
                (
                    Column("metric", "metric", "code"),
                    Column("first", "first", "code"),
                    Column("second", "second", "code"),
                    Column("probability", "P", "share"),
                    Column("samples", "samples", "integer"),
                ),
                tuple(
                    (p.metric, p.first, p.second, p.probability, p.samples) for p in result.pairs
                ),
                title="P(first ranks above second)",
            )
        )
    shown = profile.headline if profile.headline in result.metrics else result.metrics[-1]
    indices = [i for i in result.sobol if i.metric == shown]
    if indices:
        tables.append(
            Table(
                "sobol",
                (
                    Column("group", "group", "code"),
                    Column("first_order", "first order", "number"),
                    Column("total_order", "total order", "number"),
                ),
                tuple((i.group, i.first_order, i.total_order) for i in indices),
                title=f"Sobol' indices of the rank shift of {shown} (JSON: every metric's)",
            )
        )
    data: dict[str, Any] = result.to_dict()
    return Report(
        "uncertainty",
        title=(
            f"Profile {profile.name} {profile.version}; {result.design} design of "
            f"{result.evaluations:,} samples, seed {result.seed}; varied: "
            f"{', '.join(result.groups) or 'nothing'}."
        ),
        meta=profile_meta(profile),
        text=(f"  fingerprint {profile.fingerprint[:23]}…  spec {SPEC_VERSION}",),
        tables=tuple(tables),
        data={k: v for k, v in data.items() if k != "profile"},
        after=(_EXPLAINED,),
    )


def _rank(rank: int | None) -> str:
    return "n/a" if rank is None else str(rank)


guard(__name__)
