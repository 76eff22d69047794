"""The columnar, immutable dataset the measurement core works on (specification chapter AGG).

A :class:`Dataset` holds many municipalities' offerings as numpy arrays indexed
``[municipality, product]`` (and ``[municipality, product, channel]`` for volumes).
Municipalities are ordered by CBS code and products by URI, whatever the order of the
input: this canonical order is what makes results independent of input order (AGG-1).

"Not offered", "not applicable", "unknown" and "no record" are kept as distinct status
codes, never folded into a level of zero (OFF-2).

>>> from digimaat.measurement.dataset import Dataset
>>> from digimaat.vocabulary.municipalities import Municipality
>>> from digimaat.vocabulary.offerings import Offering, Volumes
>>> from digimaat.vocabulary.products import Catalogue, Product
>>> cat = Catalogue((Product(uri="urn:a", name="a"), Product(uri="urn:b", name="b")))
>>> gm = Municipality("GM0622", "Vlaardingen", 74124, 2021)
>>> ds = Dataset.from_offerings(
...     [Offering("GM0622", "urn:b", capabilities=["information-online"],
...               volumes=Volumes.from_mapping({"web": "20/year"})),
...      Offering("GM0622", "urn:a", status="not-offered")],
...     [gm], cat)
>>> ds.shape
(1, 2, 7)
>>> ds.level.tolist(), ds.status.tolist()
([[-1, 1]], [[1, 0]])
>>> sorted(o.product for o in ds.to_offerings())
['urn:a', 'urn:b']
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import attrs
import numpy as np
from numpy.typing import NDArray

from digimaat._boundary import guard
from digimaat._text import check_text
from digimaat.errors import InvalidValueError, Problem, ProblemCollector
from digimaat.vocabulary.assurance import AssuranceLevel, Authentication, AuthMeans
from digimaat.vocabulary.channels import CHANNELS, Channel, ChannelCost, CostTable
from digimaat.vocabulary.maturity import (
    IMPLIED,
    LADDER,
    Capability,
    MaturityLevel,
    capability_mask,
)
from digimaat.vocabulary.municipalities import Municipality
from digimaat.vocabulary.offerings import (
    MAX_VOLUME,
    MIN_VOLUME,
    FormFunnel,
    Offering,
    Status,
    Volumes,
)
from digimaat.vocabulary.products import Catalogue, Product

__all__ = [
    "NO_LEVEL",
    "STATUS_CODES",
    "Dataset",
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
T = TypeVar("T")


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


@attrs.frozen(eq=False)
class Dataset:
    """Many municipalities' offerings as arrays (AGG-1). Build with a ``from_...`` constructor.

    Arrays are read-only. Shapes: ``m`` municipalities, ``p`` products, ``c`` channels.
    """

    municipalities: tuple[Municipality, ...]
    products: tuple[Product, ...]
    channels: tuple[Channel, ...]
    status: IntArray
    """``[m, p]`` :class:`StatusCode` values."""
    level: IntArray
    """``[m, p]`` maturity level 0-6, or :data:`NO_LEVEL` unless offered."""
    capabilities: NDArray[np.int16]
    """``[m, p]`` capability bit masks (:func:`~digimaat.vocabulary.maturity.capability_mask`)."""
    fee_override: IntArray
    """``[m, p]`` -1 (use the product's), 0 (no fee) or 1 (fee applies)."""
    local_target: IntArray
    """``[m, p]`` local target level, or -1 where none is set."""
    local_target_reasons: tuple[tuple[int, int, str], ...]
    """``(i, j, reason)`` for every local target."""
    auth_means: IntArray
    """``[m, p]`` index into :class:`~digimaat.vocabulary.assurance.AuthMeans`; -1 if unrecorded."""
    auth_level: IntArray
    """``[m, p]`` assurance level asked, or -1 if not recorded or unknown (LOA-4.1)."""
    volume: FloatArray
    """``[m, p, c]`` requests per year; NaN where the offering has no volume record."""
    forms_started: FloatArray
    """``[m, p]`` web forms started; NaN if unknown."""
    forms_completed: FloatArray
    """``[m, p]`` web forms completed; NaN if unknown."""
    cost: FloatArray
    """``[p, c]`` cost per contact in :attr:`currency`, per product and channel; NaN where
    unknown (CHN-5, CHN-7)."""
    currency: str
    cost_table: CostTable = attrs.field(factory=lambda: CostTable.default())
    """The cost table the costs come from, with its origin and source (CHN-8)."""
    product_scope: str = attrs.field(
        default="recorded", validator=attrs.validators.in_(("recorded", "listed"))
    )
    """The product scope (AGG-2.1): ``"recorded"``, each municipality's own records, so that a
    cell without a record is outside its scope; or ``"listed"``, the products of the dataset,
    so that a cell without a record is *no record*, counted as unknown."""
    # Derived per-product and per-municipality arrays, computed once.
    population: FloatArray = attrs.field(init=False)
    reference_target: IntArray = attrs.field(init=False)
    required_assurance: IntArray = attrs.field(init=False)
    """``[p]`` required level, -1 where the product is not assessed."""
    is_reference: NDArray[np.bool_] = attrs.field(init=False)
    applicable: NDArray[np.bool_] = attrs.field(init=False)
    """``[m, p]`` cells that count in denominators: all but not-offered and not-applicable."""
    reference_cells: NDArray[np.bool_] = attrs.field(init=False)
    """``[m, p]`` applicable cells of reference products (local products excluded)."""
    observed: NDArray[np.bool_] = attrs.field(init=False)
    """``[m, p]`` cells whose level is known (status offered)."""
    digital: NDArray[np.bool_] = attrs.field(init=False)
    """``[c]`` whether each channel is digital."""
    total_volume: FloatArray = attrs.field(init=False)
    """``[m, p]`` requests per year over all channels; NaN without a volume record."""
    digital_volume: FloatArray = attrs.field(init=False)
    """``[m, p]`` requests per year through digital channels; NaN without a volume record."""
    codes: tuple[str, ...] = attrs.field(init=False)
    """The municipalities' CBS codes, in array order."""
    uris: tuple[str, ...] = attrs.field(init=False)
    """The products' URIs, in array order."""
    _derived: dict[str, Any] = attrs.field(init=False, factory=dict, repr=False)

    def __attrs_post_init__(self) -> None:
        m, p, c = len(self.municipalities), len(self.products), len(self.channels)
        expected = {
            "status": (m, p),
            "level": (m, p),
            "capabilities": (m, p),
            "fee_override": (m, p),
            "local_target": (m, p),
            "auth_means": (m, p),
            "auth_level": (m, p),
            "volume": (m, p, c),
            "forms_started": (m, p),
            "forms_completed": (m, p),
            "cost": (p, c),
        }
        set_ = object.__setattr__
        for name, shape in expected.items():
            array = getattr(self, name)
            if not isinstance(array, np.ndarray) or array.shape != shape:
                raise InvalidValueError(
                    name, getattr(array, "shape", array), f"must be an array of shape {shape}"
                )
            set_(self, name, _frozen(array))
        codes = [mu.cbs_code for mu in self.municipalities]
        if codes != sorted(set(codes)):
            raise InvalidValueError(
                "municipalities", codes, "must be unique and sorted by CBS code"
            )
        uris = [pr.uri for pr in self.products]
        if uris != sorted(set(uris)):
            raise InvalidValueError("products", uris, "must be unique and sorted by URI")
        set_(
            self,
            "population",
            _frozen(np.array([mu.population for mu in self.municipalities], dtype=np.float64)),
        )
        set_(
            self,
            "reference_target",
            _frozen(np.array([int(pr.reference_target) for pr in self.products], dtype=np.int8)),
        )
        set_(
            self,
            "required_assurance",
            _frozen(
                np.array(
                    [
                        -1 if pr.required_assurance is None else int(pr.required_assurance)
                        for pr in self.products
                    ],
                    dtype=np.int8,
                )
            ),
        )
        set_(
            self,
            "is_reference",
            _frozen(np.array([pr.reference for pr in self.products], dtype=np.bool_)),
        )
        set_(
            self,
            "applicable",
            _frozen(
                (self.status != StatusCode.NOT_OFFERED)
                & (self.status != StatusCode.NOT_APPLICABLE)
                & ((self.status != StatusCode.NO_RECORD) | (self.product_scope == "listed"))
            ),
        )
        set_(self, "reference_cells", _frozen(self.applicable & self.is_reference[None, :]))
        set_(self, "observed", _frozen(self.status == StatusCode.OFFERED))
        digital = _frozen(np.array([ch.digital for ch in self.channels], dtype=np.bool_))
        set_(self, "digital", digital)
        # The two volume columns every volume metric and weighting uses, derived once.
        # numpy's einsum sums the short channel axis several times faster than `sum`
        # does, in one thread (a BLAS matrix product is as fast in one thread but erratic
        # in several on a busy machine). NaN (no volume record) stays NaN: 0 * NaN is NaN.
        set_(self, "total_volume", _frozen(np.einsum("mpc->mp", self.volume)))
        set_(
            self,
            "digital_volume",
            _frozen(np.einsum("mpc,c->mp", self.volume, digital.astype(np.float64))),
        )
        # The level with "no level" as 0, for metrics that look levels up (their cells are
        # left out as unknown wherever the level is not known).
        self._derived["level-clipped"] = _frozen(np.maximum(self.level, 0))
        set_(self, "codes", tuple(codes))
        set_(self, "uris", tuple(uris))

    # ------------------------------------------------------------------ shape and masks
    def derived(self, key: str, compute: Callable[[], T]) -> T:
        """A derived array computed once per dataset (the dataset is immutable).

        Metrics share derived arrays (total volume per cell, masks) through this cache;
        returned arrays are read-only.
        """
        if key not in self._derived:
            value: Any = compute()
            if isinstance(value, np.ndarray):
                # Over an immutable buffer: no caller can make a cached array writeable
                # again and change what every later metric reads.
                value = _frozen(value)
            self._derived[key] = value
        result: T = self._derived[key]
        return result

    @property
    def shape(self) -> tuple[int, int, int]:
        """``(municipalities, products, channels)``."""
        return (len(self.municipalities), len(self.products), len(self.channels))

    def index_of(self, code: str) -> int:
        """The array index of a municipality by CBS code."""
        index = self.derived("code-index", lambda: {c: i for i, c in enumerate(self.codes)})
        try:
            return index[code]
        except (KeyError, TypeError):
            raise InvalidValueError("municipality", code, "is not in the dataset") from None

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_offerings(
        cls,
        offerings: Iterable[Offering],
        municipalities: Iterable[Municipality],
        catalogue: Catalogue | None = None,
        *,
        products: Iterable[str] | str | None = None,
        costs: CostTable | Mapping[Channel, ChannelCost] | None = None,
    ) -> Dataset:
        """Build from offerings, checking them against the municipalities and the catalogue.

        ``products`` is the product scope (AGG-2.1). By default (``None``, the scope
        ``recorded``) each municipality's scope is the products it records, so that adding a
        municipality changes no other municipality's results; the arrays span the products of
        all offerings, and a cell without a record is outside its municipality's scope. A
        list of URIs, ``"reference"`` for every product of the reference catalogue (with the
        local products the offerings name) or ``"offerings"`` for the products any offering
        names is one scope for all: a (municipality, product) pair of it without an offering
        gets the status "no record", treated as unknown. ``costs`` is the cost table (CHN-7),
        by default the defaults of CHN-5. Every problem (an unknown municipality or product,
        a duplicate offering) is reported at once in an :class:`~digimaat.errors.InputError`.
        """
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
        return cls(
            municipalities=tuple(munis[code] for code in sorted(munis)),
            products=tuple(prods),
            channels=CHANNELS,
            status=status,
            level=level,
            capabilities=masks,
            fee_override=fee_override,
            local_target=local_target,
            local_target_reasons=tuple(sorted(reasons)),
            auth_means=auth_means,
            auth_level=auth_level,
            volume=volume,
            forms_started=started,
            forms_completed=completed,
            cost=cost,
            currency=currency,
            cost_table=table,
            product_scope=scope,
        )

    @classmethod
    def from_arrays(
        cls,
        municipalities: Sequence[Municipality],
        products: Sequence[Product],
        *,
        status: NDArray[np.integer[Any]],
        capabilities: NDArray[np.integer[Any]],
        volume: FloatArray,
        auth_means: NDArray[np.integer[Any]] | None = None,
        auth_level: NDArray[np.integer[Any]] | None = None,
        fee_override: NDArray[np.integer[Any]] | None = None,
        local_target: NDArray[np.integer[Any]] | None = None,
        local_target_reasons: Sequence[tuple[int, int, str]] = (),
        forms_started: FloatArray | None = None,
        forms_completed: FloatArray | None = None,
        costs: CostTable | Mapping[Channel, ChannelCost] | None = None,
        product_scope: str = "recorded",
    ) -> Dataset:
        """Build from arrays already in canonical order (for generators and bulk loaders).

        ``product_scope`` (AGG-2.1) is ``"recorded"`` (each municipality's records are its
        scope: a "no record" cell is outside it) or ``"listed"`` (the products given are
        everyone's scope: a "no record" cell is unknown).

        The arrays are checked (shapes, codes, value ranges, a web-form funnel recorded
        with both counts or neither, a reason for every local target) and copied; levels
        are always derived from the capability masks (MAT-3), never taken as given.
        Optional arrays default to "not recorded". Municipalities must be sorted by CBS
        code and products by URI.
        """
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
            out = np.array(given, dtype=dtype, copy=True)
            if out.shape != shape:
                raise InvalidValueError("array", out.shape, f"must have shape {shape}")
            return out

        status_a = arr(status, StatusCode.NO_RECORD, np.int8, (m, p))
        caps_a = arr(capabilities, 0, np.int16, (m, p))
        fee_a = arr(fee_override, -1, np.int8, (m, p))
        target_a = arr(local_target, -1, np.int8, (m, p))
        means_a = arr(auth_means, -1, np.int8, (m, p))
        level_a = arr(auth_level, -1, np.int8, (m, p))
        volume_a = arr(volume, np.nan, np.float64, (m, p, c))
        started_a = arr(forms_started, np.nan, np.float64, (m, p))
        completed_a = arr(forms_completed, np.nan, np.float64, (m, p))
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
        # Volumes are 0 or from MIN_VOLUME to MAX_VOLUME (OFF-14), or NaN (no record):
        # fmin/fmax skip the NaNs.
        if volume_a.size and (
            np.fmin.reduce(volume_a, axis=None) < 0
            or np.fmax.reduce(volume_a, axis=None) > MAX_VOLUME
            or ((volume_a > 0) & (volume_a < MIN_VOLUME)).any()
        ):
            bad = (
                (volume_a < 0)
                | (volume_a > MAX_VOLUME)
                | ((volume_a > 0) & (volume_a < MIN_VOLUME))
            )
            _report_first(collector, "volume", volume_a, bad)
        # A cell has a volume record (every channel a number, 0 where not listed) or none
        # (every channel NaN, OFF-5): never some channels of each.
        if volume_a.size:
            unknown = np.isnan(volume_a)
            partial = unknown.any(axis=2) & ~unknown.all(axis=2)
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
                collector.add(
                    Problem("local_target_reasons", first3, "a local target needs a reason")
                )
            # Stored sorted; a generator usually gives them in (i, j) order already.
            keys = rows * p + cols
            if not np.all(keys[1:] > keys[:-1]):
                reasons = tuple(sorted(reasons))
        collector.raise_if_any()
        table = _cost_table(costs)
        cost, currency = _cost_array(table, [pr.uri for pr in products])
        return cls(
            municipalities=tuple(municipalities),
            products=tuple(products),
            channels=CHANNELS,
            status=status_a,
            level=_levels(caps_a, status_a, fee_a, _product_fees(products)),
            capabilities=caps_a,
            fee_override=fee_a,
            local_target=target_a,
            local_target_reasons=reasons,
            auth_means=means_a,
            auth_level=level_a,
            volume=volume_a,
            forms_started=started_a,
            forms_completed=completed_a,
            cost=cost,
            currency=currency,
            cost_table=table,
            product_scope=product_scope,
        )

    def with_arrays(self, **arrays: Any) -> Dataset:
        """A copy with some arrays replaced; the level is re-derived when capabilities change."""
        changed = {"capabilities", "fee_override", "status"} & set(arrays)
        if changed and "level" not in arrays:
            arrays["level"] = _levels(
                arrays.get("capabilities", self.capabilities),
                arrays.get("status", self.status),
                arrays.get("fee_override", self.fee_override),
                _product_fees(self.products),
            )
        return attrs.evolve(self, **arrays)

    def with_costs(self, costs: CostTable) -> Dataset:
        """A copy whose costs per contact are those of another cost table (CHN-8)."""
        cost, currency = _cost_array(costs, self.uris)
        return attrs.evolve(self, cost=cost, currency=currency, cost_table=costs)

    def take_municipalities(
        self,
        indices: Sequence[int] | NDArray[np.intp],
        municipalities: Sequence[Municipality] | None = None,
    ) -> Dataset:
        """A dataset of some municipalities (by index), optionally relabelled.

        Used to evaluate what-if variants of one municipality side by side.
        """
        idx = np.asarray(indices, dtype=np.intp)
        munis = (
            tuple(municipalities)
            if municipalities is not None
            else tuple(self.municipalities[i] for i in idx)
        )
        rows = idx.tolist()
        taken = set(rows)
        by_row: dict[int, list[tuple[int, str]]] = {}
        for i, j, r in self.local_target_reasons:  # one pass, however many rows are taken
            if i in taken:
                by_row.setdefault(i, []).append((j, r))
        reasons = tuple((new, j, r) for new, old in enumerate(rows) for j, r in by_row.get(old, ()))
        return attrs.evolve(
            self,
            municipalities=munis,
            status=self.status[idx].copy(),
            level=self.level[idx].copy(),
            capabilities=self.capabilities[idx].copy(),
            fee_override=self.fee_override[idx].copy(),
            local_target=self.local_target[idx].copy(),
            local_target_reasons=reasons,
            auth_means=self.auth_means[idx].copy(),
            auth_level=self.auth_level[idx].copy(),
            volume=self.volume[idx].copy(),
            forms_started=self.forms_started[idx].copy(),
            forms_completed=self.forms_completed[idx].copy(),
            cost=self.cost.copy(),
        )

    # ------------------------------------------------------------------ back to objects
    def to_offerings(self) -> list[Offering]:
        """The offerings this dataset was built from (cells with no record give none)."""
        reasons = {(i, j): r for i, j, r in self.local_target_reasons}
        out: list[Offering] = []
        rows, cols = np.nonzero(self.status != StatusCode.NO_RECORD)
        for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
            mask = int(self.capabilities[i, j])
            auth = None
            if self.auth_means[i, j] >= 0:
                level = int(self.auth_level[i, j])
                auth = Authentication(
                    _MEANS[self.auth_means[i, j]], None if level < 0 else AssuranceLevel(level)
                )
            volumes = None
            if not np.isnan(self.volume[i, j, 0]):
                volumes = Volumes.from_per_year(
                    {
                        ch: float(self.volume[i, j, k])
                        for k, ch in enumerate(self.channels)
                        if self.volume[i, j, k] != 0.0
                    }
                )
            forms = None
            if not np.isnan(self.forms_started[i, j]):
                forms = FormFunnel(int(self.forms_started[i, j]), int(self.forms_completed[i, j]))
            target = int(self.local_target[i, j])
            fee = int(self.fee_override[i, j])
            out.append(
                Offering(
                    municipality=self.municipalities[i].cbs_code,
                    product=self.products[j].uri,
                    status=_STATUS_BY_CODE[int(self.status[i, j])],
                    capabilities=frozenset(cap for cap in _CAPS if mask & cap.bit),
                    authentication=auth,
                    local_target=None if target < 0 else MaturityLevel(target),
                    local_target_reason=reasons.get((i, j)),
                    volumes=volumes,
                    forms=forms,
                    fee_applies=None if fee < 0 else bool(fee),
                )
            )
        return out


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


def _cost_table(costs: CostTable | Mapping[Channel, ChannelCost] | None) -> CostTable:
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


guard(__name__)
