"""Hypothesis strategies shared by the measurement tests (chapters WGT, MET and AGG).

Random datasets are built the way a user builds them: random :class:`Offering` records of
random :class:`Municipality` records against a small random :class:`Catalogue` of
:class:`Product` records with random :class:`Additions`. Sizes are bounded (at most
:data:`MAX_MUNICIPALITIES` x :data:`MAX_PRODUCTS` cells) so that an example costs a few
milliseconds. Numbers are bounded too: volumes and custom weights are multiples of 0.01
between 0 and 10,000, never subnormal, so that tolerances can be stated once.

Drawing dozens of offerings field by field costs Hypothesis tens of milliseconds per
example, so the offerings and products of a world are drawn as one block of bytes and
decoded from bit fields (see :func:`_offering`); the strategies for single objects
(:func:`offerings`, :func:`products`, :data:`capability_sets`, ...) use the same decoders.

Raw-array strategies (:func:`cell_arrays`, :func:`part_arrays`) feed the reductions of
chapter AGG directly.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import attrs
import numpy as np
from hypothesis import settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from digimaat.measurement.aggregation import MissingPolicy
from digimaat.measurement.dataset import Dataset
from digimaat.vocabulary.assurance import CREDENTIALS, AssuranceLevel, Authentication, AuthMeans
from digimaat.vocabulary.channels import CHANNELS, Channel
from digimaat.vocabulary.maturity import LADDER, Capability, MaturityLevel
from digimaat.vocabulary.municipalities import Municipality
from digimaat.vocabulary.offerings import FormFunnel, Offering, Status, VolumeRecord
from digimaat.vocabulary.products import (
    Additions,
    Audience,
    Catalogue,
    InteractionKind,
    Product,
    TaskType,
)

MAX_MUNICIPALITIES = 6
MAX_PRODUCTS = 8

WORLD_SETTINGS = settings(max_examples=max(10, settings.default.max_examples // 4))
"""Settings of the properties over random worlds: a quarter of the profile's examples.

A world costs about ten milliseconds to draw, build and score, against well under one for
the raw arrays; a quarter keeps the test files fast under the default profile (25
examples) and still runs 250 under ``DIGIMAAT_HYPOTHESIS_PROFILE=thorough``.
"""
UPL_FLAGS = ("Gemeente", "Dienstenwet", "Provincie")
POLICIES = tuple(MissingPolicy)

AUTHENTICATIONS: tuple[Authentication, ...] = (
    Authentication.none(),
    *(Authentication(c.means, c.level) for c in CREDENTIALS),
    *(Authentication(AuthMeans.OWN_ACCOUNT, level) for level in AssuranceLevel if level > 0),
    *(Authentication(means, None) for means in AuthMeans if means is not AuthMeans.NONE),
)
"""Every valid kind of authentication an offering can record (LOA-4, LOA-5), with every
means at an unknown level (LOA-4.1)."""

STATUSES: tuple[Status | None, ...] = (
    Status.OFFERED,
    Status.OFFERED,
    Status.OFFERED,
    Status.OFFERED,
    Status.UNKNOWN,
    Status.NOT_OFFERED,
    Status.NOT_APPLICABLE,
    None,
)
"""Statuses to draw from; ``None`` is a cell without an offering record. Offered is likelier."""

FULLY_ONLINE = frozenset(
    c for rung in LADDER[1 : int(MaturityLevel.FULLY_ONLINE) + 1] for c in rung.gate
)
"""Every capability of the gates of levels 1 to 4 (with online payment)."""


def gates_up_to(level: int) -> frozenset[Capability]:
    """The capabilities of the gates of levels 1 to ``level``: enough to reach it (MAT-3)."""
    return frozenset(c for rung in LADDER[1 : level + 1] for c in rung.gate)


def authentication_at(level: AssuranceLevel) -> Authentication:
    """An authentication that asks exactly ``level``: none, or DigiD at that level."""
    if level is AssuranceLevel.NONE:
        return Authentication.none()
    return Authentication(AuthMeans.DIGID, level)


# ---------------------------------------------------------------------------- numbers
amounts = st.integers(0, 10**6).map(lambda n: n / 100)
"""A volume or weight: a multiple of 0.01 from 0 to 10,000."""

positive_amounts = st.integers(1, 10**6).map(lambda n: n / 100)
"""A positive volume or weight: a multiple of 0.01 from 0.01 to 10,000."""

scale_factors = st.sampled_from((1e-3, 0.5, 3.0, 7.25, 1e3, 12.0, 1 / 7))
"""Common factors for invariance tests."""


# ---------------------------------------------------------------------------- vocabulary
# Generation is kept cheap, because a world has up to 48 cells: a product or an offering is
# decoded, in plain Python, from the bit fields of ONE integer. The single-object strategies
# draw that integer directly (a field of value 0 decodes to the simplest choice: offered,
# level 0, nothing recorded); :func:`worlds` draws the integers of all its cells as one
# block of bytes, spread by :func:`_spread`.
_CAPABILITIES = tuple(Capability)
_LEVELS = tuple(MaturityLevel)
_ASSURANCE = tuple(AssuranceLevel)
_FEES = (None, True, False)


def _bits(value: int, shift: int, width: int) -> int:
    """The ``width``-bit field of ``value`` that starts at bit ``shift``."""
    return value >> shift & ((1 << width) - 1)


def _members(kinds: Sequence[object], mask: int) -> list[object]:
    return [kind for bit, kind in enumerate(kinds) if mask >> bit & 1]


def _capabilities(value: int) -> frozenset[Capability]:
    """14 bits: a level reached (3 bits), plus capabilities that each have odds 1 in 4."""
    level = _bits(value, 0, 3) % len(_LEVELS)
    extra = _bits(value, 3, 11) & _bits(value, 14, 11) & _bits(value, 25, 11)
    found = {c for bit, c in enumerate(_CAPABILITIES) if extra >> bit & 1}
    return gates_up_to(level) | found


capability_sets = st.integers(0, 2**36 - 1).map(_capabilities)
"""Capabilities reaching at least a random level, plus random others (any level results)."""


def _additions(value: int) -> Additions:
    """9 bits: required assurance or none, physical presence, fee and reference target."""
    required = _bits(value, 0, 3) % (len(_ASSURANCE) + 1)
    return Additions(
        required_assurance=None if required == 0 else _ASSURANCE[required - 1],
        physical_presence=bool(_bits(value, 3, 1)),
        fee_applies=_FEES[_bits(value, 4, 2) % 3],
        reference_target=_LEVELS[(_bits(value, 6, 3) + 4) % len(_LEVELS)],
        reason="random additions of a test",
    )


additions = st.integers(0, 2**9 - 1).map(_additions)
"""Random additions (PRD-4); 0 is: not assessed, no presence, fee unknown, target 4."""

_PRODUCT_BITS = 2**22 - 1


def _product(number: int, value: int, local: bool | None) -> Product:
    """22 bits: UPL attributes (11), additions (9) and, one in four, a local product (2)."""
    flags = _bits(value, 0, 11)
    if local is None:
        local = _bits(value, 20, 2) == 3
    return Product(
        uri=f"urn:test:product:{number:02d}",
        name=f"product {number:02d}",
        audiences=_members(tuple(Audience), flags),
        task_types=_members(tuple(TaskType), flags >> 2),
        interaction_kinds=_members(tuple(InteractionKind), flags >> 4),
        upl_flags=_members(UPL_FLAGS, flags >> 8),
        additions=_additions(_bits(value, 11, 9)),
        reference=not local,
    )


@st.composite
def products(draw: st.DrawFn, number: int, local: bool | None = None) -> Product:
    """A product ``urn:test:product:NN``; ``local`` None draws whether it is a local product."""
    return _product(number, draw(st.integers(0, _PRODUCT_BITS)), local)


@st.composite
def catalogues(
    draw: st.DrawFn,
    min_products: int = 1,
    max_products: int = MAX_PRODUCTS,
    local: bool | None = None,
) -> Catalogue:
    """A catalogue of distinct random products (URIs drawn from ``urn:test:product:00-99``)."""
    numbers = draw(
        st.lists(st.integers(0, 99), min_size=min_products, max_size=max_products, unique=True)
    )
    raw = draw(st.binary(min_size=20 * len(numbers), max_size=20 * len(numbers)))
    values = [_spread(raw[20 * k : 20 * k + 20], 100 + k) for k in range(len(numbers))]
    return Catalogue(tuple(_product(n, v, local) for n, v in zip(numbers, values, strict=True)))


@st.composite
def municipality_lists(
    draw: st.DrawFn, min_size: int = 1, max_size: int = MAX_MUNICIPALITIES
) -> tuple[Municipality, ...]:
    """Municipalities with distinct random CBS codes and populations."""
    codes = draw(st.lists(st.integers(1, 9999), min_size=min_size, max_size=max_size, unique=True))
    populations = draw(
        st.lists(st.integers(1_000, 900_000), min_size=len(codes), max_size=len(codes))
    )
    return tuple(
        Municipality(f"GM{code:04d}", f"gemeente {code}", population, 2021)
        for code, population in zip(codes, populations, strict=True)
    )


def _volumes(value: int) -> VolumeRecord:
    """72 bits: up to three (channel, amount) pairs, each present (1), channel (3), amount (20)."""
    found: dict[Channel, float] = {}
    for k in range(3):
        field = _bits(value, 24 * k, 24)
        if field & 1:
            channel = CHANNELS[_bits(field, 1, 3) % len(CHANNELS)]
            found[channel] = (field >> 4) % (10**6 + 1) / 100
    return VolumeRecord.from_per_year(found)


volume_records = st.integers(0, 2**72 - 1).map(_volumes)
"""A volume record: requests per year (multiples of 0.01) through up to three channels."""


def _forms(value: int) -> FormFunnel:
    """18 bits: two counts from 0 to 500; the larger is the number started."""
    a, b = _bits(value, 0, 9) % 501, _bits(value, 9, 9) % 501
    return FormFunnel(max(a, b), min(a, b))


form_funnels = st.integers(0, 2**18 - 1).map(_forms)
"""Web forms started and completed (completed <= started)."""

_CELL_BITS = 2**160 - 1


def _offering(
    code: str, uri: str, value: int, statuses: Sequence[Status | None], complete: bool
) -> Offering | None:
    """160 bits: an offering, or ``None`` for no record, decoded from bit fields.

    Bits 0-5 status, 6-7 fee, 8-43 capabilities, 44-49 authentication, 50-53 local
    target, 54-126 volumes, 127-145 forms; a presence bit starts each optional record.
    """
    status = statuses[_bits(value, 0, 6) % len(statuses)]
    if status is None:
        return None
    if status in (Status.NOT_OFFERED, Status.NOT_APPLICABLE):
        return Offering(code, uri, status=status)
    local = _bits(value, 50, 4)  # 1-7: levels 0-6; anything else: no local target
    local = local if local <= len(_LEVELS) else 0
    has = [complete or bool(_bits(value, bit, 1)) for bit in (44, 54, 127)]
    return Offering(
        code,
        uri,
        status=status,
        capabilities=_capabilities(_bits(value, 8, 36)) if status is Status.OFFERED else (),
        authentication=AUTHENTICATIONS[_bits(value, 45, 5) % len(AUTHENTICATIONS)]
        if has[0]
        else None,
        local_target=None if local == 0 else _LEVELS[local - 1],
        local_target_reason=None if local == 0 else "a local reason",
        volumes=_volumes(_bits(value, 55, 72)) if has[1] else None,
        forms=_forms(_bits(value, 128, 18)) if has[2] else None,
        fee_applies=_FEES[_bits(value, 6, 2) % 3],
    )


@st.composite
def offerings(
    draw: st.DrawFn,
    code: str,
    uri: str,
    statuses: Sequence[Status | None] = STATUSES,
    complete: bool = False,
) -> Offering | None:
    """A random offering of one cell, or ``None`` for no record.

    With ``complete`` every optional record (authentication, volumes, forms) is present.
    """
    return _offering(code, uri, draw(st.integers(0, _CELL_BITS)), statuses, complete)


# ---------------------------------------------------------------------------- worlds
@attrs.frozen
class World:
    """A random input: a catalogue, municipalities and offerings, and the dataset they make.

    Every product of the catalogue is a product of the dataset, so cells without an
    offering have the status "no record".
    """

    catalogue: Catalogue
    municipalities: tuple[Municipality, ...]
    offerings: tuple[Offering, ...]

    @property
    def uris(self) -> tuple[str, ...]:
        return tuple(p.uri for p in self.catalogue.products)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(sorted(m.cbs_code for m in self.municipalities))

    def offering(self, code: str, uri: str) -> Offering | None:
        """The offering of a cell, or ``None`` when it has no record."""
        for o in self.offerings:
            if o.key == (code, uri):
                return o
        return None

    def dataset(self) -> Dataset:
        """The dataset built from this input."""
        return _dataset(self)

    def with_offering(self, code: str, uri: str, offering: Offering | None) -> World:
        """A copy in which the cell (code, uri) has ``offering`` (``None``: no record)."""
        rest = tuple(o for o in self.offerings if o.key != (code, uri))
        return attrs.evolve(self, offerings=rest if offering is None else (*rest, offering))

    def map_offerings(self, change: Callable[[Offering], Offering | None]) -> World:
        """A copy with every offering replaced by ``change(offering)`` (``None`` drops it)."""
        changed = (change(o) for o in self.offerings)
        return attrs.evolve(self, offerings=tuple(o for o in changed if o is not None))

    def with_product(self, product: Product) -> World:
        """A copy whose catalogue has ``product`` in place of the product with its URI."""
        rest = tuple(p for p in self.catalogue.products if p.uri != product.uri)
        return attrs.evolve(self, catalogue=Catalogue((*rest, product)))


@functools.lru_cache(maxsize=512)
def _dataset(world: World) -> Dataset:
    return Dataset.from_offerings(
        world.offerings, world.municipalities, world.catalogue, products=world.uris
    )


_MIX = 0x9E3779B97F4A7C15F39CC0605CEDC8341082276BF3A27251  # odd: multiplication is bijective
_SHIFT = 0xD1B54A32D192ED03A3E1F2C78B4E5C7D9B5C2A1F


def _spread(raw: bytes, position: int) -> int:
    """A 160-bit integer from 20 bytes, by the bijection v -> (v * MIX + SHIFT * (k + 1))."""
    value = int.from_bytes(raw, "little")
    return (value * _MIX + _SHIFT * (position + 1)) % (1 << 160)


@st.composite
def worlds(
    draw: st.DrawFn,
    min_municipalities: int = 1,
    max_municipalities: int = MAX_MUNICIPALITIES,
    min_products: int = 1,
    max_products: int = MAX_PRODUCTS,
    statuses: Sequence[Status | None] = STATUSES,
    complete: bool = False,
    local: bool | None = None,
) -> World:
    """A random catalogue, municipalities and an offering (or none) for every cell."""
    catalogue = draw(catalogues(min_products, max_products, local))
    munis = draw(municipality_lists(min_municipalities, max_municipalities))
    n = len(munis) * len(catalogue)
    # One draw for every cell: 20 bytes (160 bits) per cell, spread by a bijective affine
    # map so that runs of zero bytes, which Hypothesis favours, still give varied cells.
    raw = draw(st.binary(min_size=20 * n, max_size=20 * n))
    drawn = iter(_spread(raw[20 * k : 20 * k + 20], k) for k in range(n))
    found = []
    for m in munis:
        for p in catalogue.products:
            o = _offering(m.cbs_code, p.uri, next(drawn), statuses, complete)
            if o is not None:
                found.append(o)
    return World(catalogue, munis, tuple(found))


@st.composite
def cells_of(draw: st.DrawFn, world: World) -> tuple[str, str]:
    """One cell (CBS code, product URI) of a world."""
    code = draw(st.sampled_from(world.codes))
    return code, draw(st.sampled_from(world.uris))


@st.composite
def custom_tables(
    draw: st.DrawFn, world: World, weights: st.SearchStrategy[float] = amounts
) -> dict[str, float]:
    """A custom weight for every product of a world."""
    return {uri: draw(weights) for uri in world.uris}


# ---------------------------------------------------------------------------- raw arrays
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

# As for worlds, arrays are drawn as one block of bytes and decoded with numpy: 32-bit words
# XOR-ed with a fixed random pad (a bijection, so runs of zero bytes still vary).
_PAD = np.random.default_rng(20170524).integers(0, 2**32, size=4096, dtype=np.uint32)


def _words(draw: st.DrawFn, count: int) -> NDArray[np.uint32]:
    raw = draw(st.binary(min_size=4 * count, max_size=4 * count))
    return np.frombuffer(raw, dtype="<u4").astype(np.uint32) ^ _PAD[:count]


def _unit_values(words: NDArray[np.uint32], undefined: bool) -> FloatArray:
    """Values in [0, 1]: 0 and 1 one in eight each, NaN one in eight if ``undefined``."""
    kind = words & 7
    x = (words >> 3) / float(2**29 - 1)
    x = np.where(kind == 0, 0.0, np.where(kind == 1, 1.0, x))
    if undefined:
        x = np.where(kind == 2, np.nan, x)
    return np.asarray(x, dtype=np.float64)


def _weights(words: NDArray[np.uint32], zero: int, unknown: bool) -> FloatArray:
    """Multiples of 0.01 in (0, 10000]; 0 ``zero`` in eight, NaN one in eight if ``unknown``."""
    kind = words & 7
    w = ((words >> 3) % 10**6 + 1) / 100
    w = np.where(kind < zero, 0.0, w)
    if unknown:
        w = np.where(kind == 7, np.nan, w)
    return np.asarray(w, dtype=np.float64)


@attrs.frozen(eq=False)
class CellArrays:
    """Inputs of :func:`~digimaat.measurement.aggregation.reduce_cells`."""

    x: FloatArray
    known: BoolArray
    eligible: BoolArray
    weight: FloatArray


@st.composite
def cell_arrays(
    draw: st.DrawFn, max_m: int = 5, max_p: int = 8, positive: bool = False
) -> CellArrays:
    """Random ``[m, p]`` values in [0, 1], masks, and raw weights (0, unknown or positive;
    only positive with ``positive``)."""
    m, p = draw(st.integers(1, max_m)), draw(st.integers(1, max_p))
    words = _words(draw, 3 * m * p).reshape(3, m, p)
    flags = words[1]
    return CellArrays(
        x=_unit_values(words[0], undefined=False),
        known=(flags & 3) != 0,  # three in four known
        eligible=(flags >> 2 & 3) != 0,  # three in four eligible
        weight=_weights(words[2], 0, False) if positive else _weights(words[2], 1, True),
    )


@attrs.frozen(eq=False)
class PartArrays:
    """Inputs of :func:`~digimaat.measurement.aggregation.combine`."""

    values: FloatArray
    """``[k, m]`` part values in [0, 1], NaN where undefined."""
    weights: FloatArray
    """``[k]`` part weights >= 0."""


@st.composite
def part_arrays(
    draw: st.DrawFn, max_k: int = 5, max_m: int = 4, allow_undefined: bool = True
) -> PartArrays:
    """Random composite parts: values in [0, 1] (or NaN) and weights (0 one in four)."""
    k, m = draw(st.integers(1, max_k)), draw(st.integers(1, max_m))
    words = _words(draw, k * m + k)
    return PartArrays(
        values=_unit_values(words[: k * m].reshape(k, m), allow_undefined),
        weights=_weights(words[k * m :], 2, False),
    )


__all__ = [
    "AUTHENTICATIONS",
    "FULLY_ONLINE",
    "MAX_MUNICIPALITIES",
    "MAX_PRODUCTS",
    "POLICIES",
    "STATUSES",
    "WORLD_SETTINGS",
    "CellArrays",
    "PartArrays",
    "World",
    "additions",
    "amounts",
    "authentication_at",
    "capability_sets",
    "catalogues",
    "cell_arrays",
    "cells_of",
    "custom_tables",
    "form_funnels",
    "gates_up_to",
    "municipality_lists",
    "offerings",
    "part_arrays",
    "positive_amounts",
    "products",
    "scale_factors",
    "volume_records",
    "worlds",
]
