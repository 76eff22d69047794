"""The arrays of a dataset: the status codes, and the arrays built from offerings or from
given arrays, checked (AGG-1, AGG-2, MAT-3)."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from digimaat._boundary import guard
from digimaat._text import check_text
from digimaat.errors import InvalidValueError, Problem, ProblemCollector
from digimaat.vocabulary.assurance import AssuranceLevel, AuthMeans
from digimaat.vocabulary.channels import CHANNELS, Channel, ContactCost, CostTable
from digimaat.vocabulary.maturity import (
    IMPLIED,
    LADDER,
    Capability,
    capability_mask,
)
from digimaat.vocabulary.municipalities import Municipality
from digimaat.vocabulary.offerings import (
    MAX_VOLUME,
    MIN_VOLUME,
    Offering,
    Status,
)
from digimaat.vocabulary.products import Catalogue, Product

__all__ = [
    "NO_LEVEL",
    "STATUS_CODES",
    "STATUS_NAMES",
    "StatusCode",
]

NO_LEVEL = -1
"""The level array's value where no level is known (the status says why)."""


class StatusCode:
    """Integer codes of the ``status`` array (OFF-2, AGG-2)."""

    OFFERED = 0
    NOT_OFFERED = 1
    NOT_APPLICABLE = 2
    UNKNOWN = 3
    NO_RECORD = 4
    """No offering was recorded for this municipality and product: treated as unknown."""


STATUS_CODES: dict[Status, int] = {
    Status.OFFERED: StatusCode.OFFERED,
    Status.NOT_OFFERED: StatusCode.NOT_OFFERED,
    Status.NOT_APPLICABLE: StatusCode.NOT_APPLICABLE,
    Status.UNKNOWN: StatusCode.UNKNOWN,
}
_STATUS_BY_CODE = {code: status for status, code in STATUS_CODES.items()}
STATUS_NAMES: dict[int, str] = {
    **{code: status.value for status, code in STATUS_CODES.items()},
    StatusCode.NO_RECORD: "no-record",
}
"""The name of every status code, as outputs write it: the exchange name of the status
(OFF-2), and ``"no-record"`` for a cell without a record (AGG-2)."""
_MEANS = tuple(AuthMeans)
_MEANS_CODE = {m: i for i, m in enumerate(_MEANS)}
_CAPS = tuple(Capability)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int8]


def _frozen(array: NDArray[Any]) -> NDArray[Any]:
    """A read-only copy of an array, over an immutable buffer of its own.

    The copy's memory is a ``bytes`` object, so no attribute, view or base of the array can
    ever be made writeable (numpy refuses to write to an immutable buffer), and no two
    datasets share an array.
    """
    contiguous = np.ascontiguousarray(array)
    buffer = contiguous.tobytes()
    if len(buffer) < 2:  # Python shares the empty bytes and those of one byte: not these
        buffer += b"\x00\x00"
    frozen: NDArray[Any] = np.frombuffer(
        buffer, dtype=contiguous.dtype, count=contiguous.size
    ).reshape(contiguous.shape)
    return frozen


# Enum members hash in Python (by name); the loop over offerings looks them up by id, which
# is the same member (members are singletons), with the mapping by member as a fallback.
_STATUS_BY_ID = {id(status): code for status, code in STATUS_CODES.items()}
_MEANS_BY_ID = {id(means): code for means, code in _MEANS_CODE.items()}
_SLOT = {ch: k for k, ch in enumerate(CHANNELS)}
_SLOT_BY_ID = {id(ch): k for ch, k in _SLOT.items()}
E = TypeVar("E")


def _code(by_id: dict[int, int], by_member: dict[E, int], member: E) -> int:
    code = by_id.get(id(member))
    return by_member[member] if code is None else code


def _unplaced(
    collector: ProblemCollector,
    catalogue: Catalogue,
    o: Offering,
    k: int,
    no_municipality: bool,
    no_product: bool,
    seen: set[tuple[str, str]],
) -> None:
    """Report an offering whose municipality or product is not in the dataset."""
    where = f"offering {k}"
    if no_municipality:
        collector.add(
            Problem("municipality", o.municipality, "is not among the dataset's municipalities"),
            where,
        )
    if no_product:
        if o.product not in catalogue:
            with collector.catching(where):
                catalogue.get(o.product)
        else:
            collector.add(
                Problem("product", o.product, "is not among the dataset's products"), where
            )
    if o.key in seen:
        collector.add(
            Problem(
                "offering", list(o.key), "duplicate offering for this municipality and product"
            ),
            where,
        )
    seen.add(o.key)


def _reasons(values: object) -> tuple[tuple[int, int, str], ...]:
    """Local-target reasons as ``(i, j, reason)``: two whole indices and a text (OFF-4)."""
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise InvalidValueError(
            "local_target_reasons", values, "must be (municipality, product, reason) triples"
        )
    out: list[tuple[int, int, str]] = []
    for item in values:
        if not (
            isinstance(item, tuple | list)
            and len(item) == 3
            and all(isinstance(k, int | np.integer) and not isinstance(k, bool) for k in item[:2])
        ):
            raise InvalidValueError(
                "local_target_reasons", item, "must be a (municipality, product, reason) triple"
            )
        text = check_text("local_target_reasons", item[2], multiline=True)
        out.append((int(item[0]), int(item[1]), text))
    return tuple(out)


def _report_first(
    collector: ProblemCollector, name: str, values: NDArray[Any], bad: NDArray[np.bool_]
) -> None:
    """Report the first offending cell of an array (in index order)."""
    where = tuple(int(k) for k in np.unravel_index(int(np.argmax(bad)), bad.shape))
    collector.add(Problem(name, values[where].item(), f"invalid at index {where}"))


def _product_fees(products: Sequence[Product]) -> IntArray:
    return np.array(
        [-1 if pr.fee_applies is None else int(pr.fee_applies) for pr in products], dtype=np.int8
    )


@functools.cache
def _level_table() -> IntArray:
    """The level of every capability mask, by tier gating (MAT-2, MAT-3): ``2**11`` entries.

    Index with the mask a fee waiver has already added online payment to (MAT-4); the
    implied capabilities are added here. Built once, vectorised over all masks.
    """
    have = np.arange(1 << len(_CAPS), dtype=np.int32)
    for present, implied in IMPLIED:
        have |= np.where((have & present.bit) != 0, implied.bit, 0)
    level = np.zeros(have.shape, dtype=np.int8)
    reached = np.ones(have.shape, dtype=np.bool_)
    for rung in LADDER[1:]:
        gate = capability_mask(rung.gate)
        reached &= (have & gate) == gate
        level[reached] = int(rung.level)
    return _frozen(level)


def _levels(
    masks: NDArray[np.int16], status: IntArray, fee_override: IntArray, product_fee: IntArray
) -> IntArray:
    """Vectorised tier gating (MAT-3) over a whole array of capability masks.

    One look-up per cell in :func:`_level_table`, on the mask with online payment added
    where no fee applies (MAT-4): the offering's override, else the product's record; an
    unrecorded fee counts as a fee (PRD-5). Masks must lie in ``0 .. 2**11 - 1``.
    """
    waived = (fee_override == 0) | ((fee_override < 0) & (product_fee == 0))
    have = masks | waived * np.int16(Capability.ONLINE_PAYMENT.bit)
    offered = status == StatusCode.OFFERED
    # The level where offered, NO_LEVEL (-1) elsewhere, by arithmetic on the whole array.
    level: IntArray = _level_table().take(have) * offered - ~offered
    return level


def _cost_table(costs: CostTable | Mapping[Channel, ContactCost] | None) -> CostTable:
    """The cost table of a dataset (CHN-8): the one given, or the defaults of CHN-5."""
    if costs is None:
        return CostTable.default()
    if isinstance(costs, CostTable):
        return costs
    if isinstance(costs, Mapping):
        return CostTable.from_costs(costs)
    raise InvalidValueError("costs", type(costs).__name__, "must be a CostTable or a mapping")


def _cost_array(table: CostTable, uris: Sequence[str]) -> tuple[FloatArray, str]:
    """``[p, c]`` costs per contact of the products (CHN-7): a product's own cost of a channel
    where it has one, else the channel's; NaN where neither is known."""
    base = np.array(
        [np.nan if (x := table.cost(ch)) is None else x for ch in CHANNELS], dtype=np.float64
    )
    array = np.tile(base, (len(uris), 1))
    index = {uri: j for j, uri in enumerate(uris)}
    for uri, amounts in table.products:
        j = index.get(uri)
        if j is not None:
            for ch, amount in amounts:
                array[j, CHANNELS.index(ch)] = amount
    return array, table.currency


def offering_fields(
    offerings: Iterable[Offering],
    municipalities: Iterable[Municipality],
    catalogue: Catalogue | None = None,
    *,
    products: Iterable[str] | str | None = None,
    costs: CostTable | Mapping[Channel, ContactCost] | None = None,
) -> dict[str, Any]:
    """The fields of :meth:`Dataset.from_offerings`: its arrays, checked, from offerings."""
    if catalogue is None:
        from digimaat.vocabulary.products import reference_catalogue

        catalogue = reference_catalogue()
    offerings = tuple(offerings)
    collector = ProblemCollector()
    munis: dict[str, Municipality] = {}
    for mu in municipalities:
        if mu.cbs_code in munis:
            collector.add(Problem("cbs_code", mu.cbs_code, "municipality listed twice"))
        munis[mu.cbs_code] = mu
    named = {o.product for o in offerings}
    scope = "recorded" if products is None else "listed"
    if products is None:
        uris = sorted(named)
    elif isinstance(products, str):
        if products not in ("reference", "offerings"):
            raise InvalidValueError(
                "products", products, "must be a list of URIs, 'reference', 'offerings' or None"
            )
        reference = {pr.uri for pr in catalogue if pr.reference}
        uris = sorted(reference | named if products == "reference" else named)
    else:
        uris = sorted(set(products))
    # Without an explicit product list, an unknown product is reported once, at the
    # first offering that names it.
    first: dict[str, int] = {}
    if products is None:
        for k, o in enumerate(offerings):
            first.setdefault(o.product, k)
    prods: list[Product] = []
    for uri in uris:
        where = f"offering {first[uri]}" if uri in first else "products"
        with collector.catching(where):
            prods.append(catalogue.get(uri))
    m_index = {code: i for i, code in enumerate(sorted(munis))}
    p_index = {uri: j for j, uri in enumerate(uris)}
    m, p, c = len(m_index), len(p_index), len(CHANNELS)
    # One pass over the offerings checks them and collects flat cell indices and values
    # in lists; the arrays are then filled by one vectorised assignment each.
    seen: set[int] = set()  # the cells of offerings seen
    seen_unplaced: set[tuple[str, str]] = set()  # the keys of those without a cell
    cells: list[int] = []
    status_of: list[int] = []
    mask_of: list[int] = []
    fee_cells: list[int] = []
    fees: list[int] = []
    target_cells: list[int] = []
    targets: list[int] = []
    auth_cells: list[int] = []
    means_of: list[int] = []
    levels_of: list[int] = []
    volume_cells: list[int] = []
    volume_slots: list[int] = []
    volume_values: list[float] = []
    form_cells: list[int] = []
    started_of: list[int] = []
    completed_of: list[int] = []
    reasons: list[tuple[int, int, str]] = []
    masks_seen: dict[frozenset[Capability], int] = {}
    for k, o in enumerate(offerings):
        i, j = m_index.get(o.municipality), p_index.get(o.product)
        if i is None or j is None:
            _unplaced(collector, catalogue, o, k, i is None, j is None, seen_unplaced)
            continue
        cell = i * p + j
        if cell in seen:
            collector.add(
                Problem(
                    "offering",
                    list(o.key),
                    "duplicate offering for this municipality and product",
                ),
                f"offering {k}",
            )
            continue
        seen.add(cell)
        cells.append(cell)
        status_of.append(_code(_STATUS_BY_ID, STATUS_CODES, o.status))
        mask = masks_seen.get(o.capabilities)
        if mask is None:
            mask = masks_seen[o.capabilities] = capability_mask(o.capabilities)
        mask_of.append(mask)
        if o.fee_applies is not None:
            fee_cells.append(cell)
            fees.append(int(o.fee_applies))
        if o.local_target is not None:
            target_cells.append(cell)
            targets.append(int(o.local_target))
            reasons.append((i, j, str(o.local_target_reason)))
        if o.authentication is not None:
            auth_cells.append(cell)
            means_of.append(_code(_MEANS_BY_ID, _MEANS_CODE, o.authentication.means))
            asked = o.authentication.level  # None: the means' level is unknown (LOA-4.1)
            levels_of.append(-1 if asked is None else int(asked))
        if o.volumes is not None:
            volume_cells.append(cell)
            first_slot = cell * c
            for ch in o.volumes.channels:
                volume_slots.append(first_slot + _code(_SLOT_BY_ID, _SLOT, ch))
            volume_values.extend(o.volumes.per_year_values)
        if o.forms is not None:
            form_cells.append(cell)
            started_of.append(o.forms.started)
            completed_of.append(o.forms.completed)
    collector.raise_if_any()

    def filled(fill: float, dtype: Any, at: list[int], values: list[Any]) -> NDArray[Any]:
        out = np.full(m * p, fill, dtype=dtype)
        out[at] = values
        return out.reshape(m, p)

    status = filled(StatusCode.NO_RECORD, np.int8, cells, status_of)
    masks = filled(0, np.int16, cells, mask_of)
    fee_override = filled(-1, np.int8, fee_cells, fees)
    local_target = filled(-1, np.int8, target_cells, targets)
    auth_means = filled(-1, np.int8, auth_cells, means_of)
    auth_level = filled(-1, np.int8, auth_cells, levels_of)
    started = filled(np.nan, np.float64, form_cells, started_of)
    completed = filled(np.nan, np.float64, form_cells, completed_of)
    volume = np.full((m, p, c), np.nan)
    volume.reshape(m * p, c)[volume_cells] = 0.0
    volume.reshape(-1)[volume_slots] = volume_values
    level = _levels(masks, status, fee_override, _product_fees(prods))
    table = _cost_table(costs)
    cost, currency = _cost_array(table, uris)
    return {
        "municipalities": tuple(munis[code] for code in sorted(munis)),
        "products": tuple(prods),
        "channels": CHANNELS,
        "status": status,
        "level": level,
        "capabilities": masks,
        "fee_override": fee_override,
        "local_target": local_target,
        "local_target_reasons": tuple(sorted(reasons)),
        "auth_means": auth_means,
        "auth_level": auth_level,
        "volume": volume,
        "forms_started": started,
        "forms_completed": completed,
        "cost": cost,
        "currency": currency,
        "cost_table": table,
        "product_scope": scope,
    }


def array_fields(
    municipalities: Sequence[Municipality],
    products: Sequence[Product],
    given: Mapping[str, Any],
    local_target_reasons: Sequence[tuple[int, int, str]],
    costs: CostTable | Mapping[Channel, ContactCost] | None,
    product_scope: str,
) -> dict[str, Any]:
    """The fields of :meth:`Dataset.from_arrays`: the given arrays (``None`` where not
    recorded, by name), checked and copied."""
    m, p, c = len(municipalities), len(products), len(CHANNELS)

    def arr(value: Any, fill: float, dtype: Any, shape: tuple[int, ...]) -> Any:
        if value is None:
            return np.full(shape, fill, dtype=dtype)
        try:
            given = np.asarray(value)
        except (ValueError, TypeError) as exc:
            raise InvalidValueError(
                "array", type(value).__name__, f"is not an array ({exc})"
            ) from None
        if given.dtype.kind not in "biuf":
            raise InvalidValueError("array", str(given.dtype), "must hold numbers")
        if given.dtype.kind == "b" and np.dtype(dtype).kind != "b":
            raise InvalidValueError("array", "bool", "must hold numbers, not booleans")
        if given.dtype.kind == "f" and np.dtype(dtype).kind == "i" and given.size:
            whole = np.isfinite(given) & (given == np.round(given))
            if not whole.all():
                where = tuple(int(k) for k in np.argwhere(~whole)[0])
                raise InvalidValueError(
                    "array", given[where].item(), f"must hold whole numbers (at {where})"
                )
        if given.dtype.kind in "iuf" and np.dtype(dtype).kind == "i" and given.size:
            info = np.iinfo(dtype)
            low, high = int(given.min()), int(given.max())
            if low < info.min or high > info.max:  # a cast would wrap silently
                raise InvalidValueError(
                    "array", low if low < info.min else high, f"does not fit in {info.dtype}"
                )
        # Not copied here: the dataset keeps a frozen copy of each array (_frozen).
        out = np.asarray(given, dtype=dtype)
        if out.shape != shape:
            raise InvalidValueError("array", out.shape, f"must have shape {shape}")
        return out

    status_a = arr(given["status"], StatusCode.NO_RECORD, np.int8, (m, p))
    caps_a = arr(given["capabilities"], 0, np.int16, (m, p))
    fee_a = arr(given["fee_override"], -1, np.int8, (m, p))
    target_a = arr(given["local_target"], -1, np.int8, (m, p))
    means_a = arr(given["auth_means"], -1, np.int8, (m, p))
    level_a = arr(given["auth_level"], -1, np.int8, (m, p))
    volume_a = arr(given["volume"], np.nan, np.float64, (m, p, c))
    started_a = arr(given["forms_started"], np.nan, np.float64, (m, p))
    completed_a = arr(given["forms_completed"], np.nan, np.float64, (m, p))
    collector = ProblemCollector()
    # Range checks by reductions (no temporary arrays); where one fails, the first
    # offending index is looked up.
    ranges: tuple[tuple[str, NDArray[Any], float, float], ...] = (
        ("status", status_a, 0, StatusCode.NO_RECORD),
        ("capabilities", caps_a, 0, (1 << len(_CAPS)) - 1),
        ("fee_override", fee_a, -1, 1),
        ("local_target", target_a, -1, 6),
        ("auth_means", means_a, -1, len(_MEANS) - 1),
    )
    for name, values, lo, hi in ranges:
        if values.size and (values.min() < lo or values.max() > hi):
            _report_first(collector, name, values, (values < lo) | (values > hi))
    # An assurance level is recorded only where a means is, and it is unknown (-1) only
    # for a means other than none (LOA-4.1).
    level_bad = (
        (level_a < -1)
        | (level_a > 4)
        | ((level_a >= 0) & (means_a < 0))
        | ((means_a == _MEANS_CODE[AuthMeans.NONE]) & (level_a != int(AssuranceLevel.NONE)))
    )
    if level_bad.any():
        _report_first(collector, "auth_level", level_a, level_bad)
    # VolumeRecord are 0 or from MIN_VOLUME to MAX_VOLUME (OFF-14), or NaN (no record):
    # fmin/fmax skip the NaNs.
    if volume_a.size and (
        np.fmin.reduce(volume_a, axis=None) < 0
        or np.fmax.reduce(volume_a, axis=None) > MAX_VOLUME
        or ((volume_a > 0) & (volume_a < MIN_VOLUME)).any()
    ):
        bad = (volume_a < 0) | (volume_a > MAX_VOLUME) | ((volume_a > 0) & (volume_a < MIN_VOLUME))
        _report_first(collector, "volume", volume_a, bad)
    # A cell has a volume record (every channel a number, 0 where not listed) or none
    # (every channel NaN, OFF-5): never some channels of each.
    if volume_a.size:
        # The channels without a number in each cell, counted (einsum sums the short last
        # axis several times faster than any() and all() reduce it).
        unknown = np.einsum("mpc->mp", np.isnan(volume_a).view(np.uint8))
        partial = (unknown != 0) & (unknown != c)
        if partial.any():
            where = tuple(int(k) for k in np.argwhere(partial)[0])
            collector.add(
                Problem(
                    "volume",
                    volume_a[where].tolist(),
                    f"mixes NaN (no volume record) and numbers at {where}; a record lists "
                    "every channel (0 where it has no requests) or none",
                    clause="OFF-5",
                )
            )
    # Web-form counts are whole numbers from 0 to 10**12, or NaN (not recorded).
    for name, counts in (("forms_started", started_a), ("forms_completed", completed_a)):
        known = ~np.isnan(counts)
        bad = known & ((counts < 0) | (counts > 1e12) | (counts != np.round(counts)))
        if bad.any():
            _report_first(collector, name, counts, bad)
    # A web-form funnel records both counts, completed <= started (OFF-6), or neither.
    funnel_bad = ~((completed_a <= started_a) | (np.isnan(completed_a) & np.isnan(started_a)))
    if funnel_bad.any():
        _report_first(collector, "forms_completed", completed_a, funnel_bad)
    reasons = _reasons(local_target_reasons)
    rows = np.fromiter((r[0] for r in reasons), dtype=np.intp, count=len(reasons))
    cols = np.fromiter((r[1] for r in reasons), dtype=np.intp, count=len(reasons))
    outside = (rows < 0) | (rows >= m) | (cols < 0) | (cols >= p)
    if outside.any():
        first = reasons[int(np.argmax(outside))]
        collector.add(
            Problem(
                "local_target_reasons",
                list(first[:2]),
                f"index out of range for {m} municipalities and {p} products",
            )
        )
    else:
        unreasoned = target_a >= 0
        unreasoned[rows, cols] = False
        if unreasoned.any():
            first3 = [(int(i), int(j)) for i, j in np.argwhere(unreasoned)[:3]]
            collector.add(Problem("local_target_reasons", first3, "a local target needs a reason"))
        # Stored sorted; a generator usually gives them in (i, j) order already.
        keys = rows * p + cols
        if not np.all(keys[1:] > keys[:-1]):
            reasons = tuple(sorted(reasons))
    collector.raise_if_any()
    arrays = {
        "status": status_a,
        "capabilities": caps_a,
        "fee_override": fee_a,
        "local_target": target_a,
        "auth_means": means_a,
        "auth_level": level_a,
        "volume": volume_a,
        "forms_started": started_a,
        "forms_completed": completed_a,
    }
    return checked_fields(municipalities, products, arrays, reasons, costs, product_scope)


def checked_fields(
    municipalities: Sequence[Municipality],
    products: Sequence[Product],
    arrays: Mapping[str, Any],
    local_target_reasons: tuple[tuple[int, int, str], ...],
    costs: CostTable | Mapping[Channel, ContactCost] | None,
    product_scope: str,
) -> dict[str, Any]:
    """The fields of a dataset of arrays that hold what :func:`array_fields` checks, each
    of its dtype and shape (``arrays``, by name, all nine), and of reasons sorted by cell:
    with the levels derived from the capability masks (MAT-3) and the costs per contact.

    :meth:`~digimaat.exchange.Submission.dataset` builds its arrays from offerings the
    exchange rules have checked, and hands them over here without their being checked a
    second time; ``tests/exchange/test_dataset_build.py`` checks that every dataset so
    built passes :func:`array_fields` unchanged.
    """
    table = _cost_table(costs)
    cost, currency = _cost_array(table, [pr.uri for pr in products])
    return {
        "municipalities": tuple(municipalities),
        "products": tuple(products),
        "channels": CHANNELS,
        **arrays,
        "level": _levels(
            arrays["capabilities"],
            arrays["status"],
            arrays["fee_override"],
            _product_fees(products),
        ),
        "local_target_reasons": local_target_reasons,
        "cost": cost,
        "currency": currency,
        "cost_table": table,
        "product_scope": product_scope,
    }


guard(__name__)
