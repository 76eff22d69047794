"""Weightings made of weightings (specification chapter WGT, WGT-9 to WGT-11): the product
of two weightings, a mix of weightings, and a weighting restricted to a selection of
products.

Their names are also offered by :mod:`digimaat.measurement.weights`, which imports this
module when one of them is first asked for: a profile that uses none of them (the
standard profile) is read and scored without it.

>>> from digimaat.measurement.weights import Equal, Volume
>>> from digimaat.measurement.weights_composed import Mix, ProductOf
>>> ProductOf(Volume(), Equal()).describe()
'(volume: requests per year over all channels) x (equal: each product counts once)'
>>> Mix(((Equal(), 1), (Volume(), 3))).parts[1][1]
3.0
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

import attrs
import numpy as np
from numpy.typing import NDArray

from digimaat._boundary import guard
from digimaat._classes import shared_eq, shared_repr
from digimaat._numbers import weight
from digimaat.errors import InvalidValueError
from digimaat.measurement.dataset import Dataset
from digimaat.measurement.weights import FloatArray, Weighting, normalise
from digimaat.vocabulary.products import Audience, InteractionKind, Product, TaskType

__all__ = ["MAX_FACTORS", "Mix", "ProductOf", "Restrict", "Selector", "factors"]


def _weighting(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Weighting):
        raise InvalidValueError(attribute.name, value, "must be a weighting", "WGT-1")


@attrs.frozen
@shared_repr
@shared_eq
class ProductOf(Weighting):
    """The cell-wise product of two weightings (WGT-9)."""

    kind: ClassVar[str] = "product"
    left: Weighting = attrs.field(validator=_weighting)
    right: Weighting = attrs.field(validator=_weighting)

    def __attrs_post_init__(self) -> None:
        if factors(self) > MAX_FACTORS:
            raise InvalidValueError(
                "product",
                factors(self),
                f"multiplies more than {MAX_FACTORS} factors; raw weights could overflow",
                "WGT-9",
            )

    def raw(self, ds: Dataset) -> FloatArray:
        return self.left.raw(ds) * self.right.raw(ds)

    @property
    def by_subject(self) -> bool:
        return self.left.by_subject or self.right.by_subject

    def raw_for(self, ds: Dataset, subject: NDArray[np.bool_]) -> FloatArray:
        return self.left.raw_for(ds, subject) * self.right.raw_for(ds, subject)

    def describe(self) -> str:
        return f"({self.left.describe()}) x ({self.right.describe()})"


MAX_FACTORS = 8
"""The most raw weights a weighting multiplies (WGT-9): a product of products counts each."""


def factors(weighting: Weighting) -> int:
    """How many raw weights ``weighting`` multiplies per cell (1 but for a product).

    A mix normalises its parts (WGT-10), so it counts as one factor whatever its parts.
    """
    if isinstance(weighting, ProductOf):
        return factors(weighting.left) + factors(weighting.right)
    if isinstance(weighting, Restrict):
        return factors(weighting.base)
    return 1


def _parts(values: Any) -> tuple[tuple[Weighting, float], ...]:
    try:
        parts = tuple((w, a) for w, a in values)
    except (TypeError, ValueError):
        raise InvalidValueError(
            "parts", values, "must be (weighting, share) pairs", "WGT-10"
        ) from None
    if not parts:
        raise InvalidValueError("parts", parts, "a mix needs at least one weighting", "WGT-10")
    for w, _ in parts:
        if not isinstance(w, Weighting):
            raise InvalidValueError("parts.weighting", w, "must be a weighting", "WGT-10")
    return tuple((w, weight("parts.share", a, positive=True, clause="WGT-10")) for w, a in parts)


@attrs.frozen
@shared_repr
@shared_eq
class Mix(Weighting):
    """A convex mix of weightings: each is normalised per municipality, then mixed (WGT-10).

    Shares are normalised to sum to 1. For a metric, every part is normalised over the same
    cells: the cells of the metric's subject whose weight is known under every part, so that
    the parts keep exactly their shares in every metric. A cell whose weight is unknown under
    any part has an unknown mixed weight (WGT-3); a municipality where some part's total is
    zero has no defined mix, so all its mixed weights are 0 and the metric is not defined
    there. :meth:`raw` is the mix for a subject of every applicable cell.
    """

    kind: ClassVar[str] = "mix"
    parts: tuple[tuple[Weighting, float], ...] = attrs.field(converter=_parts)

    @property
    def by_subject(self) -> bool:
        return True

    def raw(self, ds: Dataset) -> FloatArray:
        return self.raw_for(ds, ds.applicable)

    def raw_for(self, ds: Dataset, subject: NDArray[np.bool_]) -> FloatArray:
        shares = np.array([a for _, a in self.parts])
        shares = shares / shares.sum()
        raws = [weighting.raw_for(ds, subject) for weighting, _ in self.parts]
        unknown = np.zeros(ds.status.shape, dtype=np.bool_)
        for raw in raws:
            unknown |= np.isnan(raw)
        unknown &= subject
        common = subject & ~unknown
        out = np.zeros(ds.status.shape)
        undefined = np.zeros(ds.status.shape[0], dtype=np.bool_)
        for raw, share in zip(raws, shares, strict=True):
            w, total = normalise(raw, common)
            undefined |= ~(total > 0)
            out += share * w
        out[undefined] = 0.0
        out[unknown] = np.nan
        return out

    def describe(self) -> str:
        return "mix: " + " + ".join(f"{a:g} x ({w.describe()})" for w, a in self.parts)


def _names(kind: type[Any], field: str, values: Any) -> tuple[str, ...] | None:
    if values is None:
        return None
    if isinstance(values, str):
        values = (values,)
    if isinstance(values, bytes) or not isinstance(values, Iterable):
        raise InvalidValueError(field, values, "must be a list of names")
    out = set()
    for v in values:
        try:
            out.add(kind(str(v).strip().lower()).value)
        except ValueError:
            from digimaat.errors import UnknownNameError

            raise UnknownNameError(field, v, (m.value for m in kind), "WGT-11") from None
    return tuple(sorted(out))


def _audiences(values: Any) -> tuple[str, ...] | None:
    return _names(Audience, "audiences", values)


def _task_types(values: Any) -> tuple[str, ...] | None:
    return _names(TaskType, "task_types", values)


def _interaction_kinds(values: Any) -> tuple[str, ...] | None:
    return _names(InteractionKind, "interaction_kinds", values)


def _optional_strs(values: Any) -> tuple[str, ...] | None:
    if values is None:
        return None
    if isinstance(values, str):
        values = (values,)
    if isinstance(values, bytes) or not isinstance(values, Iterable):
        raise InvalidValueError("selector", values, "must be a list of texts")
    texts = tuple(values)
    for text in texts:
        if not isinstance(text, str):
            raise InvalidValueError("selector", text, "must be a text")
    return tuple(sorted(texts))


@attrs.frozen
@shared_repr
@shared_eq
class Selector:
    """Selects products by UPL attributes (WGT-11). Unset criteria select everything.

    Within a criterion any listed value matches; all set criteria must match.

    >>> from digimaat.vocabulary.products import Product
    >>> Selector(audiences=("bedrijf",)).matches(Product(uri="u", name="n", audiences=["bedrijf"]))
    True
    """

    audiences: tuple[str, ...] | None = attrs.field(default=None, converter=_audiences)
    task_types: tuple[str, ...] | None = attrs.field(default=None, converter=_task_types)
    interaction_kinds: tuple[str, ...] | None = attrs.field(
        default=None, converter=_interaction_kinds
    )
    upl_flags: tuple[str, ...] | None = attrs.field(default=None, converter=_optional_strs)
    uris: tuple[str, ...] | None = attrs.field(default=None, converter=_optional_strs)

    def matches(self, product: Product) -> bool:
        """Whether the product meets every set criterion."""
        checks = (
            (self.audiences, {a.value for a in product.audiences}),
            (self.task_types, {t.value for t in product.task_types}),
            (self.interaction_kinds, {k.value for k in product.interaction_kinds}),
            (self.upl_flags, set(product.upl_flags)),
        )
        for wanted, have in checks:
            if wanted is not None and not set(wanted) & have:
                return False
        return self.uris is None or product.uri in self.uris

    def mask(self, ds: Dataset) -> NDArray[np.bool_]:
        """``[p]`` which of the dataset's products are selected."""
        return np.array([self.matches(pr) for pr in ds.products], dtype=np.bool_)


def _selector(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Selector):
        raise InvalidValueError(attribute.name, value, "must be a Selector", "WGT-11")


@attrs.frozen
@shared_repr
@shared_eq
class Restrict(Weighting):
    """A weighting restricted to a subset of products: others get weight 0 (WGT-11)."""

    kind: ClassVar[str] = "restrict"
    base: Weighting = attrs.field(validator=_weighting)
    selector: Selector = attrs.field(validator=_selector)

    def raw(self, ds: Dataset) -> FloatArray:
        raw = self.base.raw(ds)
        return np.where(self.selector.mask(ds)[None, :], raw, 0.0)

    @property
    def by_subject(self) -> bool:
        return self.base.by_subject

    def raw_for(self, ds: Dataset, subject: NDArray[np.bool_]) -> FloatArray:
        raw = self.base.raw_for(ds, subject)
        return np.where(self.selector.mask(ds)[None, :], raw, 0.0)

    def describe(self) -> str:
        return f"{self.base.describe()}, restricted to {self.selector}"


guard(__name__)
