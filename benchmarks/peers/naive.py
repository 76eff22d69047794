"""A straightforward per-object implementation of the ``digimaat-standard`` profile.

It loops over :class:`~digimaat.vocabulary.offerings.Offering` objects with dicts, as a
first implementation of the standard would, and shares no code with
``digimaat.measurement``: it reads only the vocabulary (offerings, products, the ladder's
gates and implied capabilities, the channels' digital flag). It derives each offering's
maturity level from its capabilities by tier gating (MAT-3), because an offering object
carries capabilities, not a level.

The profile, as ``digimaat.measurement.profiles.standard_profile()`` defines it: equal
weights (each product counts once), missing values dropped; a cell is *applicable* unless
its product is not offered or not applicable there, and a (municipality, product) pair
without an offering counts as unknown. For every metric the value is the mean of the
known cells' values over the applicable cells it is about, and the coverage the share of
those cells that are known:

- ``maturity``: level / 6; ``fully-online``, ``online-submission``: level >= 4, >= 3;
- ``attainment``: min(level, target) / target with the product's reference target (1 when
  the target is 0); ``local-attainment``: the same with the local target where one is set;
- ``authentication-fit`` / ``-barrier`` / ``-shortfall``: over offerings at or above online
  submission whose product has a required assurance level, whether the level asked equals,
  exceeds or falls short of it (known where an authentication is recorded);
- ``uptake``: digital requests / all requests (known where the volume total is > 0);
- ``success-ratio``: web forms completed / started (known where started > 0);
- ``digimaat-score``: the mean of maturity, attainment, fully-online and authentication-fit
  over those that are defined; its coverage is the mean of the coverages of those that
  apply (MET-9: a part applies where it has an applicable cell, which under equal weights
  is where its coverage is defined), undefined where none applies.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from digimaat.vocabulary.maturity import IMPLIED, LADDER, Capability
from digimaat.vocabulary.municipalities import Municipality
from digimaat.vocabulary.offerings import Offering, Status
from digimaat.vocabulary.products import Product

__all__ = ["METRICS", "Scores", "score"]

Scores = dict[str, dict[str, tuple[float, float]]]
"""``{metric id: {CBS code: (value, coverage)}}``; NaN where not defined."""

METRICS = (
    "maturity",
    "fully-online",
    "online-submission",
    "attainment",
    "local-attainment",
    "authentication-fit",
    "authentication-barrier",
    "authentication-shortfall",
    "uptake",
    "success-ratio",
    "digimaat-score",
)
"""The standard profile's metric ids, in the profile's order."""

_COMPOSITE_PARTS = ("maturity", "attainment", "fully-online", "authentication-fit")


def level_of(offering: Offering, product: Product) -> int:
    """The maturity level by tier gating (MAT-3).

    Online payment is waived when no fee applies (MAT-4) and implied capabilities are added
    (MAT-2: online submission implies a form obtained online).
    """
    have = set(offering.capabilities)
    fee = offering.fee_applies
    if fee is None:
        fee = True if product.fee_applies is None else product.fee_applies
    if not fee:
        have.add(Capability.ONLINE_PAYMENT)
    for present, implied in IMPLIED:  # an online form that can be submitted is a form
        if present in have:
            have.add(implied)
    level = 0
    for rung in LADDER[1:]:
        if not rung.gate <= have:
            break
        level = int(rung.level)
    return level


def _mean(total: float, known: int, base: int) -> tuple[float, float]:
    value = total / known if known else math.nan
    coverage = known / base if base else math.nan
    return value, coverage


class _Accumulator:
    """Sum of known values, known cells and applicable cells of one metric."""

    __slots__ = ("base", "known", "total")

    def __init__(self) -> None:
        self.total = 0.0
        self.known = 0
        self.base = 0

    def add(self, value: float | None) -> None:
        self.base += 1
        if value is not None:
            self.total += value
            self.known += 1


def _attainment(level: int, target: int) -> float:
    return min(level, target) / target if target > 0 else 1.0


def score(
    offerings: Iterable[Offering],
    municipalities: Sequence[Municipality],
    products: Sequence[Product],
) -> Scores:
    """Score every municipality under the standard profile, one offering at a time."""
    by_key = {(o.municipality, o.product): o for o in offerings}
    results: Scores = {metric: {} for metric in METRICS}
    for municipality in municipalities:
        code = municipality.cbs_code
        acc = {metric: _Accumulator() for metric in METRICS if metric != "digimaat-score"}
        for product in products:
            offering = by_key.get((code, product.uri))
            status = offering.status if offering is not None else Status.UNKNOWN
            if status in (Status.NOT_OFFERED, Status.NOT_APPLICABLE):
                continue
            level = None
            if offering is not None and status is Status.OFFERED:
                level = level_of(offering, product)
            # Local attainment is about every applicable product, local ones included.
            if level is None:
                acc["local-attainment"].add(None)
            else:
                assert offering is not None
                local = offering.local_target
                target = product.reference_target if local is None else local
                acc["local-attainment"].add(_attainment(level, int(target)))
            if not product.reference:
                continue
            # The other metrics are about reference products only.
            if level is None:
                for metric in ("maturity", "fully-online", "online-submission", "attainment"):
                    acc[metric].add(None)
            else:
                acc["maturity"].add(level / 6)
                acc["fully-online"].add(1.0 if level >= 4 else 0.0)
                acc["online-submission"].add(1.0 if level >= 3 else 0.0)
                acc["attainment"].add(_attainment(level, int(product.reference_target)))
            required = product.required_assurance
            if level is not None and level >= 3 and required is not None:
                assert offering is not None
                auth = offering.authentication
                if auth is None:
                    acc["authentication-fit"].add(None)
                    acc["authentication-barrier"].add(None)
                    acc["authentication-shortfall"].add(None)
                else:
                    acc["authentication-fit"].add(1.0 if auth.level == required else 0.0)
                    acc["authentication-barrier"].add(1.0 if auth.level > required else 0.0)
                    acc["authentication-shortfall"].add(1.0 if auth.level < required else 0.0)
            uptake = None
            if offering is not None and offering.volumes is not None:
                total = 0.0
                digital = 0.0
                for channel, volume in zip(
                    offering.volumes.channels, offering.volumes.per_year_values, strict=True
                ):
                    total += volume
                    if channel.digital:
                        digital += volume
                if total > 0:
                    uptake = digital / total
            acc["uptake"].add(uptake)
            success = None
            if offering is not None and offering.forms is not None:
                started = offering.forms.started
                if started > 0:
                    success = offering.forms.completed / started
            acc["success-ratio"].add(success)
        for metric, a in acc.items():
            results[metric][code] = _mean(a.total, a.known, a.base)
        parts = [results[metric][code] for metric in _COMPOSITE_PARTS]
        defined = [value for value, _ in parts if not math.isnan(value)]
        composite = sum(defined) / len(defined) if defined else math.nan
        applying = [cov for _, cov in parts if not math.isnan(cov)]
        coverage = sum(applying) / len(applying) if applying else math.nan
        results["digimaat-score"][code] = (composite, coverage)
    return results
