"""The columnar, immutable dataset the measurement core works on (specification chapter AGG).

A :class:`Dataset` holds many municipalities' offerings as numpy arrays indexed
``[municipality, product]`` (and ``[municipality, product, channel]`` for volumes).
Municipalities are ordered by CBS code and products by URI, whatever the order of the
input: this canonical order is what makes results independent of input order (AGG-1).

"Not offered", "not applicable", "unknown" and "no record" are kept as distinct status
codes, never folded into a level of zero (OFF-2).

>>> from digimaat.measurement.dataset import Dataset
>>> from digimaat.vocabulary.municipalities import Municipality
>>> from digimaat.vocabulary.offerings import Offering, VolumeRecord
>>> from digimaat.vocabulary.products import Catalogue, Product
>>> cat = Catalogue((Product(uri="urn:a", name="a"), Product(uri="urn:b", name="b")))
>>> gm = Municipality("GM0622", "Vlaardingen", 74124, 2021)
>>> ds = Dataset.from_offerings(
...     [Offering("GM0622", "urn:b", capabilities=["information-online"],
...               volumes=VolumeRecord.from_mapping({"web": "20/year"})),
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

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import attrs
import numpy as np
from numpy.typing import NDArray

from digimaat._boundary import guard
from digimaat._classes import shared_repr
from digimaat.errors import InvalidValueError
from digimaat.measurement.dataset_arrays import (
    _CAPS,
    _MEANS,
    _STATUS_BY_CODE,
    NO_LEVEL,
    STATUS_CODES,
    FloatArray,
    IntArray,
    StatusCode,
    _cost_array,
    _frozen,
    _levels,
    _product_fees,
    array_fields,
    offering_fields,
)
from digimaat.measurement.dataset_arrays import STATUS_NAMES as STATUS_NAMES
from digimaat.vocabulary.assurance import AssuranceLevel, Authentication
from digimaat.vocabulary.channels import Channel, ContactCost, CostTable
from digimaat.vocabulary.maturity import (
    MaturityLevel,
)
from digimaat.vocabulary.municipalities import Municipality
from digimaat.vocabulary.offerings import (
    FormFunnel,
    Offering,
    VolumeRecord,
)
from digimaat.vocabulary.products import Catalogue, Product

__all__ = [
    "NO_LEVEL",
    "STATUS_CODES",
    "Dataset",
    "StatusCode",
]


T = TypeVar("T")


@attrs.frozen(eq=False)
@shared_repr
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
        costs: CostTable | Mapping[Channel, ContactCost] | None = None,
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
        return cls(
            **offering_fields(offerings, municipalities, catalogue, products=products, costs=costs)
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
        costs: CostTable | Mapping[Channel, ContactCost] | None = None,
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
        given = {
            "status": status,
            "capabilities": capabilities,
            "volume": volume,
            "auth_means": auth_means,
            "auth_level": auth_level,
            "fee_override": fee_override,
            "local_target": local_target,
            "forms_started": forms_started,
            "forms_completed": forms_completed,
        }
        return cls(
            **array_fields(
                municipalities, products, given, local_target_reasons, costs, product_scope
            )
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
                volumes = VolumeRecord.from_per_year(
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


guard(__name__)
