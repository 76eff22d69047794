"""The command ``digimaat uncertainty``: how sure is a rank (specification chapter UNC)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from digimaat._boundary import guard
from digimaat.analysis.tables import Column, Report, Table
from digimaat.cli.commands import profile_meta, profile_of
from digimaat.cli.i18n import _
from digimaat.errors import UsageError

if TYPE_CHECKING:  # pragma: no cover
    from digimaat.analysis.uncertainty import UncertaintyResult
    from digimaat.measurement.profiles import Profile

__all__ = ["uncertainty"]
"""The command of this module; the helpers beside it serve ``compare`` and ``report``."""

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
    pairs = parse_pairs(args.pairs)
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
        tables.append(pairs_table(result))
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


def parse_pairs(texts: Sequence[str] | None) -> list[tuple[str, str]]:
    """``--pairs`` as pairs of CBS codes (UNC-8)."""
    pairs = []
    for text in texts or ():
        first, sep, second = text.partition(":")
        if not sep or not first.strip() or not second.strip():
            raise UsageError(
                _("--pairs takes CODE:CODE, e.g. GM0606:GM0622 (got {text!r})").format(text=text)
            )
        pairs.append((first.strip().upper(), second.strip().upper()))
    return pairs


def interval_request(
    args: argparse.Namespace, profile: Profile
) -> tuple[int, int, list[tuple[str, str]]] | None:
    """``(samples, seed, pairs)`` when ``compare`` or ``report`` is asked for rank intervals
    (``--samples N --seed S [--pairs ...]``, chapter UNC), ``None`` when not; a usage error
    when the options do not go together or the profile declares no uncertainty section."""
    samples, seed, pairs = args.samples, args.seed, args.pairs
    if samples is None:
        if seed is not None or pairs:
            raise UsageError(_("--seed and --pairs go with --samples N (rank intervals)"))
        return None
    if seed is None:
        raise UsageError(_("--samples needs --seed S: the seed fixes the samples (UNC-6)"))
    if profile.uncertainty is None:
        raise UsageError(
            _(
                "rank intervals need a profile that declares an uncertainty section (UNC-1); "
                "profile {name!r} declares none (specs/examples/profile-uncertainty.toml is "
                "digimaat-standard with a section)"
            ).format(name=profile.name)
        )
    return samples, seed, parse_pairs(pairs)


def pairs_table(result: UncertaintyResult, metrics: Sequence[str] | None = None) -> Table:
    """The probabilities that one municipality ranks above another (UNC-8)."""
    return Table(
        "pair-probabilities",
        (
            Column("metric", _("metric"), "code"),
            Column("first", _("first"), "code"),
            Column("second", _("second"), "code"),
            Column("probability", "P", "share"),
            Column("samples", _("samples"), "integer"),
        ),
        tuple(
            (p.metric, p.first, p.second, p.probability, p.samples)
            for p in result.pairs
            if metrics is None or p.metric in metrics
        ),
        title=_("P(first ranks above second)"),
    )


guard(__name__)
