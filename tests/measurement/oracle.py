"""A plain-Python oracle of chapters WGT, MET and AGG, for the measurement tests.

The oracle reads the objects a dataset is built from (offerings, products and
municipalities) and follows the text of the specification cell by cell: the subject,
known cells and values of the table of MET-1.1, the raw weights of WGT-4 to WGT-8 and the
reduction of AGG-3 and AGG-4. It reduces in exact rational arithmetic
(:class:`fractions.Fraction` of the binary64 inputs), which is how AGG-7 defines a value,
and it shares no code with :mod:`digimaat.measurement`. A test that compares the two
compares the reference implementation with an independent reading of the specification.

The module ends with what the tests share: the metrics under test (every kind, with its
parameters varied) and the comparison :func:`close`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction

import attrs

from digimaat.measurement.aggregation import Method, MissingPolicy
from digimaat.measurement.metrics import (
    Attainment,
    AuthenticationFit,
    Availability,
    Composite,
    Maturity,
    Metric,
    SuccessRatio,
    Uptake,
)
from digimaat.measurement.profiles import Profile, standard_profile
from digimaat.vocabulary.channels import Channel
from digimaat.vocabulary.maturity import EU_ONLINE_AVAILABILITY, MDD_PERCENT, MaturityLevel
from digimaat.vocabulary.municipalities import Municipality
from digimaat.vocabulary.offerings import Offering, Status
from digimaat.vocabulary.products import Product
from tests.measurement.strategies import World

NAN = float("nan")

WeightFn = Callable[[Municipality, Product, Offering | None], Fraction | None]
"""The raw weight of a cell (WGT-1), or ``None`` when it is unknown (WGT-3)."""


# ---------------------------------------------------------------------------- weights
def equal(m: Municipality, p: Product, o: Offering | None) -> Fraction | None:
    """WGT-4: every cell has raw weight 1."""
    return Fraction(1)


def volume(m: Municipality, p: Product, o: Offering | None) -> Fraction | None:
    """WGT-5: requests per year over all channels; unknown without a volume record."""
    if o is None or o.volumes is None:
        return None
    return sum((Fraction(v) for v in o.volumes.per_year_values), Fraction(0))


def per_capita(per: float = 1000.0) -> WeightFn:
    """WGT-6: the volume times per / population."""

    def weight(m: Municipality, p: Product, o: Offering | None) -> Fraction | None:
        v = volume(m, p, o)
        return None if v is None else v * Fraction(per) / m.population

    return weight


def custom(table: Mapping[str, float]) -> WeightFn:
    """WGT-8: an explicit weight per product URI (every product listed)."""

    def weight(m: Municipality, p: Product, o: Offering | None) -> Fraction | None:
        return Fraction(table[p.uri])

    return weight


def channel_cost(costs: Mapping[Channel, float], channels: Sequence[Channel]) -> WeightFn:
    """WGT-7: the volume through the chosen channels times their costs per contact."""

    def weight(m: Municipality, p: Product, o: Offering | None) -> Fraction | None:
        if o is None or o.volumes is None:
            return None
        per_channel = dict(zip(o.volumes.channels, o.volumes.per_year_values, strict=True))
        return sum(
            (Fraction(per_channel.get(ch, 0.0)) * Fraction(costs[ch]) for ch in channels),
            Fraction(0),
        )

    return weight


# ---------------------------------------------------------------------------- cells
@attrs.frozen
class Cell:
    """One cell as a metric sees it (MET-1.1)."""

    eligible: bool
    known: bool
    x: Fraction


def cell(metric: Metric, product: Product, offering: Offering | None) -> Cell:
    """The subject, known flag and value x of one cell, by the table of MET-1.1."""
    status = None if offering is None else offering.status
    applicable = status not in (Status.NOT_OFFERED, Status.NOT_APPLICABLE)
    in_scope = getattr(metric, "scope", "reference") == "all" or product.reference
    eligible = applicable and in_scope
    level = None if offering is None else offering.level_for(product)
    zero = Fraction(0)
    if isinstance(metric, Availability):
        if level is None:
            return Cell(eligible, False, zero)
        return Cell(eligible, True, Fraction(int(level >= metric.at_least)))
    if isinstance(metric, Maturity):
        if level is None:
            return Cell(eligible, False, zero)
        return Cell(eligible, True, Fraction(metric.scores[int(level)]))
    if isinstance(metric, Attainment):
        if level is None or offering is None:
            return Cell(eligible, False, zero)
        target = product.reference_target
        if metric.target == "local" and offering.local_target is not None:
            target = offering.local_target
        x = Fraction(1) if target == 0 else Fraction(min(int(level), int(target)), int(target))
        return Cell(eligible, True, x)
    if isinstance(metric, AuthenticationFit):
        required = product.required_assurance
        if level is None or level < 3 or required is None or offering is None:
            return Cell(False, False, zero)
        if offering.authentication is None or offering.authentication.level is None:
            return Cell(eligible, False, zero)  # not recorded, or its level unknown (LOA-7)
        used = offering.authentication.level
        hit = {
            "match": used == required,
            "barrier": used > required,
            "shortfall": used < required,
        }[metric.outcome]
        return Cell(eligible, True, Fraction(int(hit)))
    if isinstance(metric, Uptake):
        if offering is None or offering.volumes is None:
            return Cell(eligible, False, zero)
        pairs = list(zip(offering.volumes.channels, offering.volumes.per_year_values, strict=True))
        total = sum((Fraction(v) for _, v in pairs), zero)
        digital = sum((Fraction(v) for ch, v in pairs if ch.digital), zero)
        if total == 0:
            return Cell(eligible, False, zero)
        return Cell(eligible, True, digital / total)
    if isinstance(metric, SuccessRatio):
        if offering is None or offering.forms is None or offering.forms.started == 0:
            return Cell(eligible, False, zero)
        return Cell(eligible, True, Fraction(offering.forms.completed, offering.forms.started))
    raise TypeError(f"no oracle for {metric!r}")


# ---------------------------------------------------------------------------- reduction
@attrs.frozen
class Expected:
    """What the specification says a metric is for one municipality."""

    value: float
    """The value (AGG-3, AGG-4), NaN where undefined."""
    coverage: float
    """The coverage (MET-9), NaN where undefined."""
    contributions: dict[str, float]
    """Contributions of the cells with a share (MET-10); empty where the value is undefined."""
    applies: bool = True
    """Whether the metric has anything to measure: a subject cell of positive or unknown
    weight (MET-1.2)."""


def reduce(
    rows: Sequence[tuple[str, Cell, Fraction | None]], policy: MissingPolicy, direction: int = 1
) -> Expected:
    """AGG-3 and AGG-4 in exact arithmetic over ``(uri, cell, raw weight)`` rows.

    Under ``zero`` an unknown cell counts at its worst value: 0 for a metric whose direction
    is +1, 1 for one whose direction is -1 (AGG-4).
    """
    subject = [(uri, c, w) for uri, c, w in rows if c.eligible]
    weighted = [(uri, c, w) for uri, c, w in subject if w is not None]
    unweighted = len(subject) - len(weighted)
    known_weight = sum((w for _, c, w in weighted if c.known), Fraction(0))
    all_weight = sum((w for _, _, w in weighted), Fraction(0))
    applies = all_weight > 0 or unweighted > 0
    worst = Fraction(0) if direction > 0 else Fraction(1)
    zero = policy is MissingPolicy.ZERO

    def x(c: Cell) -> Fraction:
        return c.x if c.known else worst

    coverage = float(known_weight / all_weight) if all_weight > 0 else NAN
    denominator = all_weight if zero else known_weight
    undefined = denominator == 0
    if policy is MissingPolicy.PROPAGATE:
        undefined |= unweighted > 0 or any(not c.known and w > 0 for _, c, w in weighted)
    if undefined:
        return Expected(NAN, coverage, {}, applies)
    counted = weighted if zero else [r for r in weighted if r[1].known]
    numerator = sum((w * x(c) for _, c, w in counted), Fraction(0))
    contributions = {uri: float(w / denominator * x(c)) for uri, c, w in counted if w > 0}
    return Expected(float(numerator / denominator), coverage, contributions, applies)


def expected(
    world: World, metric: Metric, weight: WeightFn, policy: MissingPolicy
) -> dict[str, Expected]:
    """The oracle's value, coverage and contributions of ``metric`` per municipality code."""
    offerings = {o.key: o for o in world.offerings}
    out: dict[str, Expected] = {}
    for m in world.municipalities:
        rows = []
        for p in world.catalogue.products:
            o = offerings.get((m.cbs_code, p.uri))
            rows.append((p.uri, cell(metric, p, o), weight(m, p, o)))
        out[m.cbs_code] = reduce(rows, policy, metric.direction)
    return out


EPSILON = 1e-9
"""The tolerance of AGG-8, which is also the tie rule's (AGG-10)."""


def combined(
    values: Sequence[float],
    weights: Sequence[float],
    directions: Sequence[int],
    method: str,
    policy: MissingPolicy,
    applies: Sequence[bool] | None = None,
) -> float:
    """AGG-5 for one municipality, written out with ``math``: the composite of part values.

    A part that does not apply (MET-1.2) is left out under every policy; ties and the zero
    rule follow AGG-10.
    """
    applying = [True] * len(values) if applies is None else list(applies)
    parts = [
        (v if d > 0 else 1.0 - v, a)
        for v, a, d, ok in zip(values, weights, directions, applying, strict=True)
        if a > 0 and ok
    ]
    if policy is MissingPolicy.PROPAGATE and any(math.isnan(u) for u, _ in parts):
        return NAN
    if policy is MissingPolicy.ZERO:
        parts = [(0.0 if math.isnan(u) else u, a) for u, a in parts]
    parts = [(u, a) for u, a in parts if not math.isnan(u)]
    if not parts:
        return NAN
    total = math.fsum(a for _, a in parts)
    if method == "arithmetic":
        return math.fsum(a / total * u for u, a in parts)
    if method == "geometric":
        if any(u <= EPSILON for u, _ in parts):
            return 0.0
        return math.exp(math.fsum(a / total * math.log(u) for u, a in parts))
    least = min(u for u, _ in parts)
    return next(u for u, _ in parts if u <= least + EPSILON)


# ---------------------------------------------------------------------------- shared by tests
TOL = 1e-12
"""Default absolute tolerance of the tests' comparisons of values in [0, 1]."""


def close(a: float, b: float, tol: float = TOL) -> bool:
    """Both undefined, or both defined and within ``tol``."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= tol


MDD = tuple(MDD_PERCENT[level] / 100 for level in MaturityLevel)
EU = tuple(EU_ONLINE_AVAILABILITY[level] / 100 for level in MaturityLevel)

AVAILABILITY = (
    Availability("fully-online", "Fully online"),
    Availability("submission", "Online submission", at_least="online-submission"),
    Availability("information", "Information, all", at_least="information", scope="all"),
)
MATURITY = (
    Maturity("maturity", "Maturity"),
    Maturity("mdd", "MDD maturity", scores=MDD),
    Maturity("eu", "EU online availability", scores=EU, scope="all"),
)
ATTAINMENT = (
    Attainment("attainment", "Reference attainment"),
    Attainment("local-attainment", "Local attainment", target="local", scope="all"),
    Attainment("local-reference-scope", "Local attainment, reference scope", target="local"),
)
AUTHENTICATION = (
    AuthenticationFit("fit", "Fit"),
    AuthenticationFit("barrier", "Barrier", outcome="barrier"),
    AuthenticationFit("shortfall", "Shortfall", outcome="shortfall"),
    AuthenticationFit("fit-all", "Fit, all products", scope="all"),
)
UPTAKE = (Uptake("uptake", "Uptake"), Uptake("uptake-all", "Uptake, all", scope="all"))
SUCCESS = (SuccessRatio("success", "Success ratio"),)


def _with_composites() -> Profile:
    standard = standard_profile()
    by_id = {m.id: m for m in standard.metrics}
    parts = [
        (by_id["authentication-fit"], 1.0),
        (by_id["authentication-barrier"], 2.0),
        (by_id["authentication-shortfall"], 1.0),
        (by_id["maturity"], 1.0),
    ]
    composites = [Composite(f"c-{m.value}", "C", parts=parts, method=m) for m in Method]
    return attrs.evolve(standard, metrics=(*standard.metrics, *composites))


WITH_COMPOSITES = _with_composites()
"""The standard profile plus composites of fit, barrier, shortfall and maturity by method."""
COMPOSITES = WITH_COMPOSITES.metrics[-4:]
"""The standard score and a composite of each method with a lower-is-better part."""

SIMPLE: tuple[Metric, ...] = (
    *AVAILABILITY,
    *MATURITY,
    *ATTAINMENT,
    *AUTHENTICATION,
    *UPTAKE,
    *SUCCESS,
)
"""Every kind of simple metric, with its parameters varied."""
REFERENCE_SCOPE = tuple(m for m in SIMPLE if getattr(m, "scope", "reference") == "reference")
NOT_LOCAL = tuple(m for m in SIMPLE if getattr(m, "target", "reference") != "local")
