"""Local products as exchange records (specification chapter XCH, clause XCH-6; PRD-6).

A local product (maatwerk) is a product a municipality offers that the UPL does not name.
A document defines it in ``local_products``; :class:`LocalProductRecord` is that record,
structured with the package's cattrs converter (problems at their JSON pointers), and
:meth:`LocalProductRecord.product` builds the catalogue's :class:`Product`.

>>> from digimaat.exchange.local import read_local_product
>>> product, problems = read_local_product(
...     {"uri": "https://vlaardingen.nl/producten/havenvergunning", "name": "Havenvergunning"},
...     "/local_products/0")
>>> product.name, product.reference, problems
('Havenvergunning', False, [])
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import attrs

from digimaat._boundary import guard
from digimaat._classes import shared_eq, shared_repr
from digimaat._serial import converter, problems_of
from digimaat.errors import InvalidValueError, Problem, UnknownNameError
from digimaat.exchange.rules import JSON, Fault, read_text
from digimaat.exchange.source import MAX_TEXT
from digimaat.vocabulary.assurance import AssuranceLevel
from digimaat.vocabulary.maturity import MaturityLevel
from digimaat.vocabulary.products import (
    DEFAULT_ADDITIONS,
    Additions,
    Audience,
    InteractionKind,
    Product,
)

if TYPE_CHECKING:  # pragma: no cover - cattrs is imported with the converter
    import cattrs

__all__ = ["LocalProductRecord", "local_record", "read_local_product"]


@attrs.frozen
@shared_repr
@shared_eq
class LocalProductRecord:
    """A local product as written in a document (XCH-6); :meth:`product` builds the Product."""

    uri: str
    name: str
    audiences: tuple[Audience, ...] = (Audience.BURGER,)
    interaction_kinds: tuple[InteractionKind, ...] = ()
    required_assurance: AssuranceLevel | None = None
    physical_presence: bool | None = None
    fee_applies: bool | None = None
    reference_target: MaturityLevel | None = None
    reason: str | None = None

    def product(self) -> Product:
        """The local product; additions are the defaults (PRD-5) when none is given."""
        if not self.uri or any(c.isspace() for c in self.uri):
            raise InvalidValueError(
                "uri", self.uri, "must be a URI: not empty, no white space", "XCH-6"
            )
        if not self.name.strip():
            raise InvalidValueError("name", self.name, "must not be empty", "XCH-6")
        for field, text in (("uri", self.uri), ("name", self.name), ("reason", self.reason)):
            if text is not None and text.strip():
                checked = read_text(text, JSON, max_length=MAX_TEXT, multiline=field == "reason")
                if isinstance(checked, Fault):
                    raise InvalidValueError(field, text, checked.items[0].message, "XCH-4")
        given = (
            self.required_assurance,
            self.physical_presence,
            self.fee_applies,
            self.reference_target,
            self.reason,
        )
        additions = DEFAULT_ADDITIONS
        if any(value is not None for value in given):
            if not (self.reason or "").strip():
                raise InvalidValueError(
                    "reason", self.reason, "additions need a reason (PRD-4)", "XCH-6"
                )
            additions = Additions(
                required_assurance=self.required_assurance,
                physical_presence=bool(self.physical_presence),
                fee_applies=self.fee_applies,
                reference_target=(
                    MaturityLevel.FULLY_ONLINE
                    if self.reference_target is None
                    else self.reference_target
                ),
                reason=self.reason or "",
            )
        for field, values in (
            ("audiences", self.audiences),
            ("interaction_kinds", self.interaction_kinds),
        ):
            if len(set(values)) != len(values):
                raise InvalidValueError(
                    field, [v.value for v in values], "lists a name twice", "XCH-6"
                )
        return Product.local(
            self.uri,
            self.name,
            additions=additions,
            audiences=self.audiences,
            interaction_kinds=self.interaction_kinds,
        )

    @classmethod
    def of(cls, product: Product) -> LocalProductRecord:
        """The record of a local product."""
        extra: dict[str, Any] = {}
        if product.additions != DEFAULT_ADDITIONS:
            additions = product.additions
            extra = {
                "required_assurance": additions.required_assurance,
                "physical_presence": additions.physical_presence,
                "fee_applies": additions.fee_applies,
                "reference_target": additions.reference_target,
                "reason": additions.reason,
            }
        return cls(
            uri=product.uri,
            name=product.name,
            audiences=tuple(sorted(product.audiences, key=lambda a: a.value)),
            interaction_kinds=tuple(sorted(product.interaction_kinds, key=lambda k: k.value)),
            **extra,
        )


def _names(kind: type[Audience] | type[InteractionKind], field: str) -> Any:
    def hook(value: Any, _: Any) -> tuple[Any, ...]:
        if not isinstance(value, list):
            raise InvalidValueError(field, value, "must be an array of names", "XCH-6")
        out = []
        for item in value:
            if isinstance(item, kind):
                out.append(item)
                continue
            try:
                out.append(kind(item))
            except (ValueError, TypeError):
                raise UnknownNameError(field, item, (m.value for m in kind)) from None
        return tuple(out)

    return hook


@functools.cache
def _converter() -> cattrs.Converter:
    """The package converter with the hooks of local product records."""
    conv = converter().copy()
    conv.register_structure_hook_func(
        lambda t: t == tuple[Audience, ...], _names(Audience, "audiences")
    )
    conv.register_structure_hook_func(
        lambda t: t == tuple[InteractionKind, ...], _names(InteractionKind, "interaction_kinds")
    )
    conv.register_unstructure_hook(AssuranceLevel, lambda v: v.label)
    conv.register_unstructure_hook(MaturityLevel, lambda v: v.label)
    return conv


_VALUE_CLAUSES = {"reference_target": "MAT-1", "required_assurance": "LOA-1"}
"""The clauses that define the values of a local product's fields, where XCH-6 refers to
one (XCH-2): a level (MAT-1) and an assurance level (LOA-1)."""


def read_local_product(value: Any, where: str) -> tuple[Product | None, list[Problem]]:
    """A local product record at ``where``: the product, or every problem of the record."""
    if not isinstance(value, dict):
        return None, [
            Problem(
                "local_products",
                type(value).__name__,
                "must be an object",
                location=where,
                clause="XCH-6",
            )
        ]
    try:
        record = _converter().structure(value, LocalProductRecord)
    except Exception as exc:  # the walker turns cattrs' error tree into problems
        problems = [
            p if p.clause else attrs.evolve(p, clause=_VALUE_CLAUSES.get(p.field, "XCH-6"))
            for p in problems_of(
                exc, value, where, LocalProductRecord, form="XCH-6", unknown="XCH-5"
            )
        ]
        return None, problems
    try:
        return record.product(), []
    except InvalidValueError as exc:
        p = exc.problem
        known = {a.name for a in attrs.fields(LocalProductRecord)}
        at = f"{where}/{p.field}" if p.field in known else where
        return None, [Problem(p.field, p.value, p.message, location=at, clause=p.clause or "XCH-6")]


def local_record(product: Product) -> dict[str, Any]:
    """The canonical JSON record of a local product (XCH-10): absent fields left out."""
    raw = _converter().unstructure(LocalProductRecord.of(product))
    return {key: value for key, value in raw.items() if value is not None}


guard(__name__)
