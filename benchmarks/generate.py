"""Seeded generator of synthetic digimaat datasets for the benchmarks.

Everything is drawn from ``numpy.random.default_rng(seed)``, so a seed gives the same data
on every machine. The data are synthetic: they look like municipal data (populations,
heavy-tailed volumes, capabilities that mostly follow the maturity ladder, authentication
consistent with the schemes' levels, missing and not-offered cells, local targets, form
funnels) but describe no real municipality.

Two shapes:

- :func:`national`: 350 municipalities x the 512 products of the reference catalogue, as a
  :class:`Synthetic` bundle of arrays; :meth:`Synthetic.dataset` builds the
  :class:`~digimaat.measurement.dataset.Dataset` with ``Dataset.from_arrays`` and
  :meth:`Synthetic.offerings` the same data as :class:`~digimaat.vocabulary.offerings.Offering`
  objects (for the per-object peer). Both are built from the bundle's arrays
  independently, so a mistake in one path shows up as a disagreement in ``run.py``.
- :func:`european`: 100,000 local units x 512 products, yielded chunk by chunk (one
  :class:`Synthetic` per chunk) so memory stays bounded. Units are drawn from a pool of
  generated unit profiles and scaled to their own populations. The standard identifies a
  municipality by its CBS code (``GM`` and four digits), so units carry CBS-style codes
  that are unique within a chunk (``GM0001`` .. ``GM1000`` by default); their names
  carry the global unit number.

Run as a script it prints a summary of the national dataset.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from digimaat.measurement.dataset import Dataset, StatusCode
from digimaat.vocabulary.assurance import AssuranceLevel, Authentication, AuthMeans
from digimaat.vocabulary.channels import CHANNELS, Channel
from digimaat.vocabulary.maturity import LADDER, Capability, MaturityLevel, capability_mask
from digimaat.vocabulary.municipalities import Municipality
from digimaat.vocabulary.offerings import FormFunnel, Offering, Status, VolumeRecord
from digimaat.vocabulary.products import Audience, Product, reference_catalogue

__all__ = [
    "DEFAULT_SEED",
    "Synthetic",
    "european",
    "national",
    "select_products",
    "with_edge_cases",
]

DEFAULT_SEED = 20_240_101
"""The seed the benchmark runner uses unless told otherwise."""

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

_MEANS: tuple[AuthMeans, ...] = tuple(AuthMeans)
_MEANS_INDEX = {means: k for k, means in enumerate(_MEANS)}
_CAPS: tuple[Capability, ...] = tuple(Capability)
_STATUS_BY_CODE = {
    StatusCode.OFFERED: Status.OFFERED,
    StatusCode.NOT_OFFERED: Status.NOT_OFFERED,
    StatusCode.NOT_APPLICABLE: Status.NOT_APPLICABLE,
    StatusCode.UNKNOWN: Status.UNKNOWN,
}
# Capability mask of every rung's gate and of the whole ladder up to each level.
_GATES = np.array([capability_mask(rung.gate) for rung in LADDER], dtype=np.int64)
_UP_TO = np.bitwise_or.accumulate(_GATES)
_PAYMENT = Capability.ONLINE_PAYMENT.bit

# Share of requests through digital channels, by the level the offering was built to.
_DIGITAL_SHARE = np.array([0.02, 0.05, 0.10, 0.45, 0.70, 0.80, 0.90])
# How digital requests not made on the web, and offline requests not made at the balie,
# split over the other channels (each takes its fraction of what is left; the last
# channel takes the rest).
_DIGITAL_CHANNELS = (Channel.APP, Channel.EMAIL, Channel.CHAT)
_OFFLINE_CHANNELS = (Channel.TELEFOON, Channel.POST)
_SPLITS = {_DIGITAL_CHANNELS: (0.5, 0.7), _OFFLINE_CHANNELS: (0.75,)}

_LOCAL_REASONS = (
    "fewer than 20 requests a year: a form by e-mail is enough",
    "local regulation requires a paper original of the evidence",
    "ambition above the reference: granted without an application",
    "handled by a regional partner, not by the municipality itself",
)


@dataclass(frozen=True, eq=False)
class Synthetic:
    """One synthetic dataset as arrays in canonical order (municipalities by code, products by URI).

    The arrays follow :class:`~digimaat.measurement.dataset.Dataset`'s conventions: -1 for
    "not recorded", NaN for an unknown number, ``StatusCode`` values for the status.
    """

    municipalities: tuple[Municipality, ...]
    products: tuple[Product, ...]
    status: NDArray[np.int8]
    capabilities: NDArray[np.int16]
    fee_override: NDArray[np.int8]
    local_target: NDArray[np.int8]
    local_target_reasons: tuple[tuple[int, int, str], ...]
    auth_means: NDArray[np.int8]
    auth_level: NDArray[np.int8]
    volume: FloatArray
    forms_started: FloatArray
    forms_completed: FloatArray

    @property
    def shape(self) -> tuple[int, int, int]:
        """``(municipalities, products, channels)``."""
        return (len(self.municipalities), len(self.products), len(CHANNELS))

    def dataset(self) -> Dataset:
        """The data as a :class:`Dataset`, built with ``Dataset.from_arrays``.

        Its product scope is the generated products, for every municipality (``listed``,
        AGG-2.1): a cell without a record is unknown, as the peers count it.
        """
        return Dataset.from_arrays(
            self.municipalities,
            self.products,
            status=self.status,
            capabilities=self.capabilities,
            volume=self.volume,
            auth_means=self.auth_means,
            auth_level=self.auth_level,
            fee_override=self.fee_override,
            local_target=self.local_target,
            local_target_reasons=self.local_target_reasons,
            forms_started=self.forms_started,
            forms_completed=self.forms_completed,
            product_scope="listed",
        )

    def offerings(self) -> list[Offering]:
        """The same data as offerings: one per cell, except cells with no record."""
        caps_of: dict[int, frozenset[Capability]] = {}
        auth_of: dict[tuple[int, int], Authentication] = {}
        reasons = {(i, j): reason for i, j, reason in self.local_target_reasons}
        codes = [mu.cbs_code for mu in self.municipalities]
        uris = [pr.uri for pr in self.products]
        status = self.status.tolist()
        masks = self.capabilities.tolist()
        fees = self.fee_override.tolist()
        targets = self.local_target.tolist()
        means = self.auth_means.tolist()
        levels = self.auth_level.tolist()
        volume = self.volume.tolist()
        started = self.forms_started.tolist()
        completed = self.forms_completed.tolist()
        out: list[Offering] = []
        for i, code in enumerate(codes):
            for j, uri in enumerate(uris):
                s = status[i][j]
                if s == StatusCode.NO_RECORD:
                    continue
                mask = masks[i][j]
                caps = caps_of.get(mask)
                if caps is None:
                    caps = caps_of[mask] = frozenset(c for c in _CAPS if mask & c.bit)
                auth = None
                if means[i][j] >= 0:
                    key = (means[i][j], levels[i][j])
                    auth = auth_of.get(key)
                    if auth is None:
                        auth = auth_of[key] = Authentication(_MEANS[key[0]], AssuranceLevel(key[1]))
                row = volume[i][j]
                volumes = None
                if row[0] == row[0]:  # not NaN: the cell has a volume record
                    # The channels with requests; a record of no requests at all says so
                    # with an explicit 0 (which the CSV form needs).
                    used = {ch: v for ch, v in zip(CHANNELS, row, strict=True) if v > 0.0}
                    volumes = VolumeRecord.from_per_year(used or {Channel.WEB: 0.0})
                forms = None
                if started[i][j] == started[i][j]:
                    forms = FormFunnel(int(started[i][j]), int(completed[i][j]))
                target = targets[i][j]
                fee = fees[i][j]
                out.append(
                    Offering(
                        municipality=code,
                        product=uri,
                        status=_STATUS_BY_CODE[s],
                        capabilities=caps,
                        authentication=auth,
                        local_target=None if target < 0 else MaturityLevel(target),
                        local_target_reason=reasons.get((i, j)),
                        volumes=volumes,
                        forms=forms,
                        fee_applies=None if fee < 0 else bool(fee),
                    )
                )
        return out


def select_products(n_products: int | None, rng: np.random.Generator) -> tuple[Product, ...]:
    """The reference catalogue's products, or a seeded sample of ``n_products`` of them.

    A sample always holds the products the standard has assessed (those have a required
    assurance level, which the authentication metrics need) and ``verhuismelding``.
    """
    products = reference_catalogue().reference_products()
    if n_products is None or n_products >= len(products):
        return tuple(products)
    keep = {k for k, p in enumerate(products) if p.assessed or p.name == "verhuismelding"}
    rest = np.array([k for k in range(len(products)) if k not in keep])
    extra = rng.choice(rest, size=max(0, n_products - len(keep)), replace=False)
    chosen = sorted({*keep, *extra.tolist()})[: max(n_products, 1)]
    return tuple(products[k] for k in chosen)


def _populations(n: int, rng: np.random.Generator) -> IntArray:
    """Log-normal populations around the Dutch distribution (median ~27,000), 1,000..900,000."""
    pop = rng.lognormal(mean=np.log(27_000.0), sigma=1.05, size=n)
    return np.clip(np.round(pop), 1_000, 900_000).astype(np.int64)


@dataclass(frozen=True)
class _ProductTraits:
    """Per-product draws shared by every chunk of a generated population."""

    rate: FloatArray
    """Requests per year per 1,000 inhabitants: a few ~100 (verhuismelding), most rare."""
    digitality: FloatArray
    """How far this product tends to be digitised (a shift of the latent level)."""
    not_offered: FloatArray
    """Probability that a municipality does not offer the product."""
    business: NDArray[np.bool_]
    """Products for businesses only (eHerkenning rather than DigiD)."""
    required: IntArray
    """Required assurance level, -1 where not assessed."""
    product_fee: IntArray
    """-1 (not recorded), 0 or 1."""


def _product_traits(products: Sequence[Product], rng: np.random.Generator) -> _ProductTraits:
    p = len(products)
    # Zipf-like popularity: rank 1 has 100 requests per 1,000 inhabitants a year.
    ranks = rng.permutation(p) + 1
    for j, product in enumerate(products):  # verhuismelding is the most requested product
        if product.name == "verhuismelding":
            other = int(np.argmin(ranks))
            ranks[other], ranks[j] = ranks[j], ranks[other]
    rate = 100.0 * ranks.astype(np.float64) ** -1.4
    not_offered = np.where(rng.random(p) < 0.1, 0.4, 0.03)
    business = np.array(
        [
            Audience.BEDRIJF in pr.audiences and Audience.BURGER not in pr.audiences
            for pr in products
        ]
    )
    required = np.array(
        [-1 if pr.required_assurance is None else int(pr.required_assurance) for pr in products],
        dtype=np.int64,
    )
    fee = np.array(
        [-1 if pr.fee_applies is None else int(pr.fee_applies) for pr in products], dtype=np.int64
    )
    return _ProductTraits(rate, rng.normal(0.0, 0.8, p), not_offered, business, required, fee)


def _generate(
    municipalities: tuple[Municipality, ...],
    products: tuple[Product, ...],
    traits: _ProductTraits,
    rng: np.random.Generator,
) -> Synthetic:
    m, p, c = len(municipalities), len(products), len(CHANNELS)
    pop = np.array([mu.population for mu in municipalities], dtype=np.float64)

    def uniform() -> NDArray[np.float32]:
        # Single precision is plenty for these draws and twice as fast to generate.
        return rng.random((m, p), dtype=np.float32)

    # Status: mostly offered; some products are not offered in many municipalities.
    u = uniform()
    no_off = traits.not_offered[None, :]
    status = np.full((m, p), StatusCode.OFFERED, dtype=np.int8)
    status[u < no_off] = StatusCode.NOT_OFFERED
    status[(u >= no_off) & (u < no_off + 0.02)] = StatusCode.NOT_APPLICABLE
    status[(u >= no_off + 0.02) & (u < no_off + 0.05)] = StatusCode.UNKNOWN
    status[(u >= no_off + 0.05) & (u < no_off + 0.06)] = StatusCode.NO_RECORD
    offered = status == StatusCode.OFFERED
    live = offered | (status == StatusCode.UNKNOWN)  # the product is provided

    # The level each offering was built to: larger, more mature municipalities and more
    # digitisable products are higher; then capabilities follow the ladder up to it.
    maturity = rng.normal(0.0, 0.5, m) + 0.25 * np.log10(pop / 30_000.0)
    latent = rng.standard_normal((m, p), dtype=np.float32)
    latent += (2.6 + maturity[:, None] + traits.digitality[None, :]).astype(np.float32)
    built = np.clip(np.rint(latent), 0, 6).astype(np.int8)
    del latent
    caps = _UP_TO[built]
    u = uniform()
    fee_override = np.where(offered & (u < 0.03), (u < 0.015).astype(np.int8), -1).astype(np.int8)
    fee = np.where(fee_override >= 0, fee_override, np.where(traits.product_fee == 0, 0, 1))
    # Without a fee, an assessor usually leaves online payment unrecorded (it is waived).
    caps = np.where((fee == 0) & (uniform() < 0.7), caps & ~_PAYMENT, caps)
    # Noise: a capability beyond the ladder, or one missing below the level built to.
    bit = np.left_shift(1, rng.integers(0, len(_CAPS), (m, p), dtype=np.int16))
    u = uniform()
    caps = np.where(u < 0.08, caps | bit, caps)
    caps = np.where((u >= 0.08) & (u < 0.12), caps & ~bit, caps)
    caps = np.where(offered, caps, 0).astype(np.int16)
    del bit, fee

    # Authentication for offerings that can be submitted online: an assessed product is
    # mostly asked its required level, sometimes more (a barrier) or less (a shortfall).
    u = uniform()
    shift = np.where(u < 0.75, 0, np.where(u < 0.90, 1, -1))
    usual = np.where(u < 0.10, 0, np.where(u < 0.40, 1, np.where(u < 0.90, 2, 3)))
    required = traits.required[None, :]
    asked = np.clip(np.where(required >= 0, required + shift, usual), 0, 4)
    del shift, usual
    u = uniform()
    citizen = np.where(
        u < 0.85,
        _MEANS_INDEX[AuthMeans.DIGID],
        np.where(u < 0.90, _MEANS_INDEX[AuthMeans.EIDAS], _MEANS_INDEX[AuthMeans.OWN_ACCOUNT]),
    )
    business = np.where(
        u < 0.80,
        _MEANS_INDEX[AuthMeans.EHERKENNING],
        np.where(u < 0.85, _MEANS_INDEX[AuthMeans.EIDAS], _MEANS_INDEX[AuthMeans.OWN_ACCOUNT]),
    )
    means = np.where(traits.business[None, :], business, citizen)
    # Only DigiD and own accounts provide basis; "none" is the means of level none.
    basis = np.where(u < 0.85, _MEANS_INDEX[AuthMeans.DIGID], _MEANS_INDEX[AuthMeans.OWN_ACCOUNT])
    means = np.where(asked == 1, basis, means)
    means = np.where(asked == 0, _MEANS_INDEX[AuthMeans.NONE], means)
    del citizen, business, basis
    recorded = offered & (uniform() < np.where(built >= 3, 0.92, 0.05))
    auth_means = np.where(recorded, means, -1).astype(np.int8)
    auth_level = np.where(recorded, asked, -1).astype(np.int8)
    del means, asked, recorded

    # Local targets (maatwerk), each with a reason.
    rows, cols = np.nonzero(live & (uniform() < 0.015))
    local_target = np.full((m, p), -1, dtype=np.int8)
    local_target[rows, cols] = rng.integers(0, 7, rows.size)
    picks = rng.integers(0, len(_LOCAL_REASONS), rows.size).tolist()
    reasons = tuple(
        (i, j, _LOCAL_REASONS[k])
        for i, j, k in zip(rows.tolist(), cols.tolist(), picks, strict=True)
    )

    # VolumeRecord: heavy-tailed per product, proportional to population, split over channels
    # with a digital share that rises with the level. VolumeRecord are whole requests per year:
    # totals by stochastic rounding, then split by flooring with the rest to the last channel.
    u = uniform()
    has_volume = np.where(offered, u < 0.85, live & (u < 0.4))
    expected = (traits.rate[None, :] * (pop[:, None] / 1000.0)) * (0.6 + 0.8 * uniform())
    total = np.floor(expected + uniform())
    del expected
    share = np.clip(_DIGITAL_SHARE[built] + 0.28 * (uniform() - 0.5), 0.0, 1.0)
    digital = np.floor(total * share + uniform())
    volume = np.empty((m, p, c))
    for part, first, others, spread in (
        (digital, Channel.WEB, _DIGITAL_CHANNELS, (0.6, 0.35)),
        (total - digital, Channel.BALIE, _OFFLINE_CHANNELS, (0.35, 0.4)),
    ):
        leading = np.floor(part * (spread[0] + spread[1] * uniform()))
        volume[:, :, CHANNELS.index(first)] = leading
        rest = part - leading
        for ch, fraction in zip(others[:-1], _SPLITS[others], strict=True):
            counted = np.floor(rest * fraction + 0.5)
            volume[:, :, CHANNELS.index(ch)] = counted
            rest -= counted
        volume[:, :, CHANNELS.index(others[-1])] = rest
    del share, total, digital, leading, rest
    volume[~has_volume] = np.nan

    # Web-form funnels for some offerings that take requests online: started forms are
    # about the web volume, and 55-98 % of them are completed.
    funnel = offered & (built >= 3) & (uniform() < 0.35)
    web = np.nan_to_num(volume[:, :, CHANNELS.index(Channel.WEB)], nan=0.0)
    started = np.floor(web * 1.25 + 1.0 + uniform())
    completed = np.floor(started * (0.55 + 0.43 * uniform()))
    forms_started = np.where(funnel, started, np.nan)
    forms_completed = np.where(funnel, completed, np.nan)

    return Synthetic(
        municipalities=municipalities,
        products=products,
        status=status,
        capabilities=caps,
        fee_override=fee_override,
        local_target=local_target,
        local_target_reasons=reasons,
        auth_means=auth_means,
        auth_level=auth_level,
        volume=volume,
        forms_started=forms_started,
        forms_completed=forms_completed,
    )


def _municipalities(populations: Sequence[int], names: Sequence[str]) -> tuple[Municipality, ...]:
    return tuple(
        Municipality(f"GM{k + 1:04d}", name, int(pop), 2024)
        for k, (pop, name) in enumerate(zip(populations, names, strict=True))
    )


def national(
    seed: int = DEFAULT_SEED,
    n_municipalities: int = 350,
    n_products: int | None = None,
    *,
    edge_cases: bool = False,
) -> Synthetic:
    """A national dataset: ``n_municipalities`` x the reference catalogue (or a sample of it).

    Municipalities get CBS codes ``GM0001``, ``GM0002``, ... in order. With
    ``edge_cases`` the last four municipalities are replaced by the corner cases an
    implementation must get right (see :func:`with_edge_cases`).
    """
    if not 1 <= n_municipalities <= 9_999:
        raise ValueError("n_municipalities must be within 1..9999 (CBS codes have 4 digits)")
    rng = np.random.default_rng(seed)
    products = select_products(n_products, rng)
    traits = _product_traits(products, rng)
    pops = _populations(n_municipalities, rng).tolist()
    names = [f"Synthetic municipality {k + 1:04d}" for k in range(n_municipalities)]
    data = _generate(_municipalities(pops, names), products, traits, rng)
    return with_edge_cases(data) if edge_cases else data


def with_edge_cases(data: Synthetic) -> Synthetic:
    """The data with its last four municipalities replaced by corner cases.

    1. nothing recorded at all: every value undefined, every coverage 0;
    2. nothing offered: no applicable product, so every value and coverage is undefined;
    3. everything offered with its capabilities, but no authentication, volume or forms
       recorded: the authentication metrics, uptake and success ratio are undefined with
       coverage 0;
    4. everything offered at level 1 (information online) with volume records of no
       requests and form funnels with no form started: no product can be submitted, so
       the authentication metrics have no subject; uptake and success ratio are unknown.
    """
    m = len(data.municipalities)
    if m < 4:
        raise ValueError("edge cases need at least 4 municipalities")
    status = data.status.copy()
    caps = data.capabilities.copy()
    fee = data.fee_override.copy()
    target = data.local_target.copy()
    means = data.auth_means.copy()
    level = data.auth_level.copy()
    volume = data.volume.copy()
    started = data.forms_started.copy()
    completed = data.forms_completed.copy()
    rows = [m - 4, m - 3, m - 2, m - 1]
    status[rows[0]] = StatusCode.NO_RECORD
    status[rows[1]] = StatusCode.NOT_OFFERED
    status[rows[2:]] = StatusCode.OFFERED
    caps[rows[:2]] = 0
    caps[rows[2]] = np.where(caps[rows[2]] == 0, _UP_TO[1], caps[rows[2]])
    caps[rows[3]] = _UP_TO[1]
    for array, empty in ((fee, -1), (target, -1), (means, -1), (level, -1)):
        array[rows[:2]] = empty
    means[rows[2:]] = -1
    level[rows[2:]] = -1
    volume[rows[:3]] = np.nan
    volume[rows[3]] = 0.0
    started[rows[:3]] = np.nan
    completed[rows[:3]] = np.nan
    started[rows[3]] = 0.0
    completed[rows[3]] = 0.0
    reasons = tuple(r for r in data.local_target_reasons if r[0] not in rows[:2])
    return replace(
        data,
        status=status,
        capabilities=caps,
        fee_override=fee,
        local_target=target,
        local_target_reasons=reasons,
        auth_means=means,
        auth_level=level,
        volume=volume,
        forms_started=started,
        forms_completed=completed,
    )


def _resample(
    pool: Synthetic, rows: IntArray, municipalities: tuple[Municipality, ...]
) -> Synthetic:
    """Units built from pool rows, with their own populations: volumes and form counts scale."""
    pool_pop = np.array([mu.population for mu in pool.municipalities], dtype=np.float64)
    own_pop = np.array([mu.population for mu in municipalities], dtype=np.float64)
    scale = own_pop / pool_pop[rows]
    by_row: dict[int, list[tuple[int, str]]] = {}
    for i, j, reason in pool.local_target_reasons:
        by_row.setdefault(i, []).append((j, reason))
    reasons = tuple(
        (new, j, reason)
        for new, old in enumerate(rows.tolist())
        for j, reason in by_row.get(old, ())
    )
    volume = pool.volume[rows]
    volume *= scale[:, None, None]
    started = pool.forms_started[rows]
    completed = pool.forms_completed[rows]
    # Flooring both keeps completed <= started.
    started = np.floor(started * scale[:, None])
    completed = np.floor(completed * scale[:, None])
    return Synthetic(
        municipalities=municipalities,
        products=pool.products,
        status=pool.status[rows],
        capabilities=pool.capabilities[rows],
        fee_override=pool.fee_override[rows],
        local_target=pool.local_target[rows],
        local_target_reasons=reasons,
        auth_means=pool.auth_means[rows],
        auth_level=pool.auth_level[rows],
        volume=volume,
        forms_started=started,
        forms_completed=completed,
    )


def european(
    seed: int = DEFAULT_SEED,
    n_units: int = 100_000,
    chunk: int = 1_000,
    n_products: int | None = None,
    pool: int = 1_000,
    *,
    part: int = 0,
    parts: int = 1,
) -> Iterator[Synthetic]:
    """A European-like population of ``n_units`` local units, yielded ``chunk`` units at a time.

    Generating every unit from scratch would take longer than scoring it, so the units are
    drawn from a pool of ``pool`` generated unit profiles (status, capabilities,
    authentication, local targets, volumes and form funnels), each unit with its own
    population, to which its volumes and form counts are scaled. Only the pool and one
    chunk's arrays exist at a time (as long as the caller drops the previous chunk), so
    memory stays bounded whatever ``n_units`` is.

    ``part`` and ``parts`` split the chunks between processes: part ``k`` of ``n`` yields
    chunks ``k``, ``k + n``, ``k + 2n``, ... The random draws of every chunk are made in
    every part, so each chunk is the same whichever part yields it, and the parts together
    are exactly the chunks of ``parts=1``.
    """
    if not 1 <= chunk <= 9_999:
        raise ValueError("chunk must be within 1..9999 (CBS-style codes have 4 digits)")
    if not 0 <= part < parts:
        raise ValueError("part must be within 0..parts-1")
    rng = np.random.default_rng(seed)
    products = select_products(n_products, rng)
    traits = _product_traits(products, rng)
    pool_pops = _populations(pool, rng).tolist()
    pool_names = [f"Synthetic unit profile {k + 1:04d}" for k in range(pool)]
    profiles = _generate(_municipalities(pool_pops, pool_names), products, traits, rng)
    for number, start in enumerate(range(0, n_units, chunk)):
        size = min(chunk, n_units - start)
        pops = _populations(size, rng).tolist()
        rows = rng.integers(0, pool, size)
        if number % parts != part:
            continue
        names = [f"Synthetic local unit {start + k + 1:06d}" for k in range(size)]
        yield _resample(profiles, rows, _municipalities(pops, names))


def summary(data: Synthetic) -> dict[str, Any]:
    """Counts that show what a synthetic dataset holds."""
    status = data.status
    names = {
        StatusCode.OFFERED: "offered",
        StatusCode.NOT_OFFERED: "not-offered",
        StatusCode.NOT_APPLICABLE: "not-applicable",
        StatusCode.UNKNOWN: "unknown",
        StatusCode.NO_RECORD: "no-record",
    }
    ds = data.dataset()
    levels = np.bincount(ds.level[ds.observed].astype(np.int64), minlength=7)
    return {
        "shape": data.shape,
        "status": {name: int((status == code).sum()) for code, name in names.items()},
        "levels": levels.tolist(),
        "authentication recorded": int((data.auth_level >= 0).sum()),
        "local targets": len(data.local_target_reasons),
        "volume records": int((~np.isnan(data.volume[:, :, 0])).sum()),
        "form funnels": int((~np.isnan(data.forms_started)).sum()),
        "requests per year": float(np.nansum(data.volume)),
        "population": int(sum(mu.population for mu in data.municipalities)),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--municipalities", type=int, default=350)
    parser.add_argument("--products", type=int, default=None)
    args = parser.parse_args(argv)
    data = national(args.seed, args.municipalities, args.products)
    for key, value in summary(data).items():
        print(f"{key:>24}: {value}")


if __name__ == "__main__":
    main()
