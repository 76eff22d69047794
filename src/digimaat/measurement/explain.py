"""Explanation and priorities (specification chapter EXP).

- :func:`explain` scores a dataset under a profile and decomposes one municipality's
  value: :func:`decompose` of :meth:`Profile.score <digimaat.measurement.profiles.Profile.score>`.
- :func:`decompose` splits a municipality's score into per-product contributions that sum
  to it (EXP-1).
- :func:`gaps` lists, per product, the distance from the level to the target and the
  capabilities still missing (EXP-2).
- :func:`priorities` ranks what to digitise next by the marginal gain of the headline
  score if a product reached its target, evaluated for all candidates at once (EXP-3).
"""

from __future__ import annotations

import functools
import math

import attrs
import numpy as np
from numpy.typing import NDArray

from digimaat._boundary import guard
from digimaat._classes import shared_eq, shared_repr
from digimaat.errors import InvalidValueError
from digimaat.measurement.aggregation import exceeds, ranked
from digimaat.measurement.dataset import STATUS_NAMES, Dataset, StatusCode
from digimaat.measurement.profiles import Profile, ScoreBoard
from digimaat.measurement.weights import ChannelCost, Volume
from digimaat.vocabulary.assurance import AssuranceLevel, Authentication, AuthMeans
from digimaat.vocabulary.maturity import (
    LADDER,
    Capability,
    MaturityLevel,
    capability_mask,
    missing_for,
)

__all__ = [
    "RANKINGS",
    "Contribution",
    "Decomposition",
    "Gap",
    "Priority",
    "decompose",
    "explain",
    "gaps",
    "priorities",
]

RANKINGS = ("score", "requests", "cost")
"""How :func:`priorities` can rank: by the profile's score gain, by the gain when every
request counts (volume weighting), or by the gain when every euro of non-digital contact
cost counts (channel-cost weighting)."""

_CAPS = tuple(Capability)


@attrs.frozen
@shared_repr
@shared_eq
class Contribution:
    """One product's part in a municipality's value of a metric."""

    uri: str
    name: str
    status: str
    level: MaturityLevel | None
    share: float
    """The product's share of the weight behind the value."""
    contribution: float
    """What the product adds to the value; the contributions sum to the value."""


@attrs.frozen
@shared_repr
@shared_eq
class Decomposition:
    """A metric value of one municipality split into per-product contributions (EXP-1)."""

    municipality: str
    metric: str
    value: float | None
    items: tuple[Contribution, ...]
    """Products with a non-zero share, largest contribution first; contributions that tie
    (within the tolerance, AGG-10) by URI."""

    @property
    def total(self) -> float:
        """The sum of the contributions (equals :attr:`value` within AGG-8's tolerance)."""
        return math.fsum(item.contribution for item in self.items)


def decompose(board: ScoreBoard, code: str, metric: str | None = None) -> Decomposition:
    """Decompose a municipality's value of ``metric`` (default: the headline) (EXP-1)."""
    metric_id = metric or board.profile.headline
    if metric_id not in board.results:
        raise InvalidValueError("metric", metric_id, "is not a metric of the profile")
    result = board.results[metric_id]
    ds = board.dataset
    i = ds.index_of(code)
    items = []
    for j, product in enumerate(ds.products):
        share = float(result.share[i, j])
        if share == 0.0:
            continue
        level = int(ds.level[i, j])
        items.append(
            Contribution(
                uri=product.uri,
                name=product.name,
                status=STATUS_NAMES[int(ds.status[i, j])],
                level=None if level < 0 else MaturityLevel(level),
                share=share,
                contribution=float(result.contribution[i, j]),
            )
        )
    ordered = ranked(items, lambda c: c.contribution, lambda c: c.uri)
    value = float(result.value[i])
    return Decomposition(code, metric_id, None if math.isnan(value) else value, tuple(ordered))


def explain(
    ds: Dataset, profile: Profile, code: str, *, metric: str | None = None
) -> Decomposition:
    """A municipality's value of ``metric`` (default: the profile's headline) as the sum of
    its products' contributions (EXP-1), with ``ds`` scored under ``profile``.

    >>> from importlib import resources
    >>> import digimaat
    >>> data = digimaat.load(str(resources.files("digimaat.data") / "example.json")).dataset()
    >>> d = digimaat.explain(data, digimaat.standard_profile(), "GM0622")
    >>> d.metric == digimaat.standard_profile().headline, abs(d.value - d.total) < 1e-9
    (True, True)
    """
    return decompose(profile.score(ds), code, metric)


@attrs.frozen
@shared_repr
@shared_eq
class Gap:
    """The distance from a product's level to its target in one municipality (EXP-2)."""

    uri: str
    name: str
    level: MaturityLevel
    target: MaturityLevel
    local: bool
    """Whether the target is the municipality's local target."""
    missing: tuple[Capability, ...]
    """Capabilities still needed to reach the target, in ladder order."""

    @property
    def gap(self) -> int:
        """Levels to go (0 when the target is reached)."""
        return max(0, int(self.target) - int(self.level))


def _targets(ds: Dataset, i: int, target: str) -> NDArray[np.int16]:
    if target not in ("reference", "local"):
        raise InvalidValueError("target", target, "must be 'reference' or 'local'")
    ref = ds.reference_target.astype(np.int16)
    if target == "local":
        return np.where(ds.local_target[i] >= 0, ds.local_target[i], ref)
    return ref


def _needed_mask(target: int) -> int:
    return capability_mask(c for rung in LADDER[1 : target + 1] for c in rung.gate)


_NEEDED = np.array([_needed_mask(int(level)) for level in MaturityLevel], dtype=np.int64)
"""The capabilities of the gates of levels 1 to T, as a mask, indexed by T."""
_MEANS = tuple(AuthMeans)


def _missing(ds: Dataset, i: int, j: int, target: int) -> tuple[Capability, ...]:
    """The capabilities cell (i, j) still needs to reach ``target``, in ladder order (EXP-2).

    Online payment is waived where no fee applies (MAT-4): the offering's override, else the
    product's record; an unrecorded fee counts as a fee (PRD-5).
    """
    fee = int(ds.fee_override[i, j])
    fee_applies = ds.products[j].fee_applies if fee < 0 else bool(fee)
    return _missing_of(int(ds.capabilities[i, j]), fee_applies is not False, target)


@functools.lru_cache(maxsize=4096)
def _missing_of(mask: int, fee_applies: bool, target: int) -> tuple[Capability, ...]:
    """:func:`missing_for` of a capability mask, in ladder order (few distinct masks occur)."""
    missing = missing_for(
        MaturityLevel(target), {c for c in _CAPS if mask & c.bit}, fee_applies=fee_applies
    )
    return tuple(c for c in _CAPS if c in missing)


def gaps(ds: Dataset, code: str, target: str = "local") -> tuple[Gap, ...]:
    """Per observed product of a municipality: level, target and missing capabilities (EXP-2).

    ``target="local"`` uses the local target where one is set, else the reference target.
    Products are listed largest gap first, then by URI.
    """
    i = ds.index_of(code)
    targets = _targets(ds, i, target)
    out = []
    for j, product in enumerate(ds.products):
        if ds.status[i, j] != StatusCode.OFFERED:
            continue
        out.append(
            Gap(
                uri=product.uri,
                name=product.name,
                level=MaturityLevel(int(ds.level[i, j])),
                target=MaturityLevel(int(targets[j])),
                local=bool(ds.local_target[i, j] >= 0 and target == "local"),
                missing=_missing(ds, i, j, int(targets[j])),
            )
        )
    out.sort(key=lambda g: (-g.gap, g.uri))
    return tuple(out)


@attrs.frozen
@shared_repr
@shared_eq
class Priority:
    """A candidate to digitise next and what it would gain (EXP-3)."""

    uri: str
    name: str
    level: MaturityLevel
    target: MaturityLevel
    missing: tuple[Capability, ...]
    gain: float
    """Rise of the headline score if the product reached its target (the chosen ranking)."""
    requests: float | None
    """Requests per year through non-digital channels, if volumes are known."""
    cost_at_stake: float | None
    """Those requests times their channels' cost per contact, if known (dataset currency)."""
    asked: Authentication | None = None
    """The authentication the offering asks now (the weakest of several accepted means,
    LOA-7), or ``None`` where none is recorded."""
    asks: Authentication | None = None
    """The authentication the what-if asks instead (EXP-3), where it changes the level
    asked; ``None`` where the step leaves the authentication as it is."""


def priorities(
    ds: Dataset, profile: Profile, code: str, *, by: str = "score", target: str = "local"
) -> tuple[Priority, ...]:
    """Rank what one municipality should digitise next (EXP-3).

    For every observed product below its target, the what-if is: the product gains every
    capability up to its target, and, where the target is at or above online submission
    and the product's required assurance is assessed, asks exactly that assurance. All
    what-ifs are evaluated at once as variants of the municipality. ``by`` chooses the
    gain: the profile as it is (``"score"``), the profile with every request counting
    (``"requests"``, volume weighting) or with every unit of non-digital contact cost
    counting (``"cost"``, channel-cost weighting). A gain counts only when it exceeds 0 by
    more than the tolerance, and gains that tie are ranked by URI (AGG-10); products with no
    gain are left out.
    """
    if by not in RANKINGS:
        raise InvalidValueError("by", by, f"must be one of {RANKINGS}")
    ds = profile.costed(ds)  # the cost table of the computation (CHN-8)
    if by == "requests":
        profile = attrs.evolve(profile, weighting=Volume())
    elif by == "cost":
        profile = attrs.evolve(profile, weighting=ChannelCost())
    i = ds.index_of(code)
    targets = _targets(ds, i, target)
    # The weighting is checked up front (e.g. "cost" needs a cost per contact for balie and
    # telefoon), so that a ranking that cannot be made fails whether or not there are
    # candidates.
    profile.weighting.raw(ds.take_municipalities([i]))
    observed = ds.status[i] == StatusCode.OFFERED
    candidates = np.nonzero(observed & (ds.level[i] < targets))[0]
    if candidates.size == 0:
        return ()
    k = candidates.size
    muni = ds.municipalities[i]
    # Variants get placeholder codes GM0000, GM0001, ... (row 0 is the municipality as it is).
    labels = [attrs.evolve(muni, cbs_code=f"GM{n:04d}") for n in range(k + 1)]
    variants = ds.take_municipalities(np.full(k + 1, i), labels)
    rows = np.arange(1, k + 1)
    goal = targets[candidates].astype(np.intp)
    caps = variants.capabilities.copy()
    caps[rows, candidates] |= _NEEDED[goal].astype(caps.dtype)
    required = ds.required_assurance[candidates]
    asks = (goal >= int(MaturityLevel.ONLINE_SUBMISSION)) & (required >= 0)
    levels = variants.auth_level.copy()
    levels[rows[asks], candidates[asks]] = required[asks]
    means = variants.auth_means.copy()
    means[rows[asks], candidates[asks]] = np.where(
        required[asks] == 0, _MEANS.index(AuthMeans.NONE), _MEANS.index(AuthMeans.DIGID)
    )
    variants = variants.with_arrays(capabilities=caps, auth_means=means, auth_level=levels)
    headline = profile.score(variants).headline.value
    gains = headline[1:] - headline[0]
    # Requests through non-digital channels and their cost, per product (NaN where unknown).
    volume = ds.volume[i][:, ~ds.digital]
    cost = ds.cost[:, ~ds.digital]
    requests = volume.sum(axis=1)
    at_stake = np.where(volume > 0, volume * cost, 0.0).sum(axis=1)
    at_stake[np.isnan(requests)] = np.nan
    asks_at = dict(zip(candidates[asks].tolist(), required[asks].tolist(), strict=True))
    out = []
    for row, j in enumerate(candidates.tolist()):
        gain = float(gains[row])
        if not exceeds(gain):  # AGG-10: a gain within the tolerance of 0 is no gain
            continue
        product = ds.products[j]
        asked = _authentication(int(ds.auth_means[i, j]), int(ds.auth_level[i, j]))
        wanted = asks_at.get(j)
        change = None
        if wanted is not None and (asked is None or asked.level != AssuranceLevel(wanted)):
            means = AuthMeans.NONE if wanted == 0 else AuthMeans.DIGID
            change = Authentication(means, AssuranceLevel(wanted))
        out.append(
            Priority(
                uri=product.uri,
                name=product.name,
                level=MaturityLevel(int(ds.level[i, j])),
                target=MaturityLevel(int(targets[j])),
                missing=_missing(ds, i, j, int(targets[j])),
                gain=gain,
                requests=_opt(requests[j]),
                cost_at_stake=_opt(at_stake[j]),
                asked=asked,
                asks=change,
            )
        )
    return tuple(ranked(out, lambda p: p.gain, lambda p: p.uri))


def _authentication(means: int, level: int) -> Authentication | None:
    """The authentication of a dataset's cell, or ``None`` where none is recorded."""
    if means < 0:
        return None
    return Authentication(_MEANS[means], None if level < 0 else AssuranceLevel(level))


def _opt(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


guard(__name__)
