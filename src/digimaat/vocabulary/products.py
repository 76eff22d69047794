"""Products and the reference catalogue (specification chapter PRD).

A product is keyed by its UPL URI (Uniforme Productnamenlijst). From the UPL it takes its
name, audiences, task types, interaction kinds, SDG information-area codes and legal
bases. The standard adds, per product, the assurance level the product requires, whether
physical presence is legally required, whether a fee applies and the reference target
maturity level ("optimaal digitaal"), each with a reason (PRD-4). Products the standard has
not assessed get documented defaults (PRD-5).

>>> from digimaat.vocabulary.products import reference_catalogue
>>> catalogue = reference_catalogue()
>>> len(catalogue.reference_products())
512
>>> p = catalogue.by_name("parkeervergunning")
>>> p.uri
'http://standaarden.overheid.nl/owms/terms/parkeervergunning'
>>> p.sdg_codes
('N1', 'D1')
>>> p.reference_target
<MaturityLevel.FULLY_ONLINE: 4>
"""

from __future__ import annotations

import difflib
import enum
import functools
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from importlib import resources
from typing import Any

import attrs

from digimaat.errors import InvalidValueError, UnknownNameError, UnknownProductError
from digimaat.vocabulary.assurance import AssuranceLevel, parse_level
from digimaat.vocabulary.maturity import MaturityLevel

__all__ = [
    "DEFAULT_ADDITIONS",
    "UPL_NAMESPACE",
    "Additions",
    "Audience",
    "Catalogue",
    "InteractionKind",
    "LegalBasis",
    "Product",
    "TaskType",
    "reference_catalogue",
]

UPL_NAMESPACE = "http://standaarden.overheid.nl/owms/terms/"
"""The namespace of UPL product URIs."""

_SDG_CODE = re.compile(r"[A-Z]\d{1,2}")


class Audience(enum.Enum):
    """Who a product is for (UPL flags ``Burger`` and ``Bedrijf``)."""

    BURGER = "burger"
    BEDRIJF = "bedrijf"


class TaskType(enum.Enum):
    """Whether the municipality acts on its own authority or on behalf of central government."""

    AUTONOMIE = "autonomie"
    MEDEBEWIND = "medebewind"


class InteractionKind(enum.Enum):
    """The UPL's interaction flags."""

    AANVRAAG = "aanvraag"
    MELDING = "melding"
    VERPLICHTING = "verplichting"
    SUBSIDIE = "subsidie"


def _enum_set(kind: type[enum.Enum], field: str) -> Any:
    def convert(values: Iterable[Any]) -> frozenset[Any]:
        if isinstance(values, str):
            values = [values]
        out = set()
        for value in values:
            if isinstance(value, kind):
                out.add(value)
                continue
            try:
                out.add(kind(str(value).strip().lower()))
            except ValueError:
                raise UnknownNameError(field, value, (m.value for m in kind)) from None
        return frozenset(out)

    return convert


def _sdg_codes(values: Iterable[str]) -> tuple[str, ...]:
    codes = tuple(values)
    for code in codes:
        if not isinstance(code, str) or not _SDG_CODE.fullmatch(code):
            raise InvalidValueError("sdg_codes", code,
                                    "must be an SDG Annex I information-area code like 'A1'")
    return codes


def _non_empty(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValueError(attribute.name, value, "must be a non-empty string")


def _optional_level(value: Any) -> AssuranceLevel | None:
    return None if value is None else parse_level(value, "required_assurance")


@attrs.frozen
class LegalBasis:
    """A legal basis (UPL ``Grondslag``): an OWMS term URI, a label and a link to the text."""

    uri: str
    label: str = ""
    link: str = ""


@attrs.frozen
class Additions:
    """What the standard adds to a UPL product, each with its reason (PRD-4).

    ``required_assurance`` is ``None`` when the standard has not assessed the product;
    ``fee_applies`` is ``None`` when it is not recorded whether a fee applies.
    """

    required_assurance: AssuranceLevel | None = attrs.field(
        default=None, converter=_optional_level)
    physical_presence: bool = attrs.field(default=False,
                                          validator=attrs.validators.instance_of(bool))
    fee_applies: bool | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.instance_of(bool)))
    reference_target: MaturityLevel = attrs.field(
        default=MaturityLevel.FULLY_ONLINE,
        converter=lambda v: MaturityLevel.parse(v, "reference_target"))
    reason: str = ""
    """Why these values (sources, legal grounds); empty only for :data:`DEFAULT_ADDITIONS`."""


DEFAULT_ADDITIONS = Additions()
"""The documented defaults for a product the standard has not assessed (PRD-5).

- required assurance: not assessed (``None``); authentication fit is not measurable for it;
- physical presence: not required;
- fee: not recorded (``None``); the online-payment capability is then required for
  :attr:`~digimaat.vocabulary.maturity.MaturityLevel.FULLY_ONLINE`, as if a fee applied;
- reference target: :attr:`~digimaat.vocabulary.maturity.MaturityLevel.FULLY_ONLINE`, the
  SDG Regulation's art. 6(1) ambition for procedures in general.
"""


@attrs.frozen
class Product:
    """A product, keyed by its UPL URI (PRD-1).

    Build reference products with :meth:`from_upl` and local products (maatwerk) with
    :meth:`local`.
    """

    uri: str = attrs.field(validator=_non_empty)
    name: str = attrs.field(validator=_non_empty)
    audiences: frozenset[Audience] = attrs.field(
        factory=frozenset, converter=_enum_set(Audience, "audiences"))
    task_types: frozenset[TaskType] = attrs.field(
        factory=frozenset, converter=_enum_set(TaskType, "task_types"))
    interaction_kinds: frozenset[InteractionKind] = attrs.field(
        factory=frozenset, converter=_enum_set(InteractionKind, "interaction_kinds"))
    sdg_codes: tuple[str, ...] = attrs.field(default=(), converter=_sdg_codes)
    upl_flags: frozenset[str] = attrs.field(factory=frozenset, converter=frozenset)
    """All UPL flags set for the product (``"Gemeente"``, ``"Dienstenwet"``, ...)."""
    legal_bases: tuple[LegalBasis, ...] = attrs.field(default=(), converter=tuple)
    additions: Additions = DEFAULT_ADDITIONS
    reference: bool = True
    """Part of the standard's reference catalogue; ``False`` for local products (maatwerk)."""

    @classmethod
    def from_upl(cls, record: Mapping[str, Any], additions: Additions | None = None) -> Product:
        """Build from a record of the packaged UPL extract (see ``scripts/build_catalogue.py``)."""
        return cls(
            uri=record["uri"],
            name=record["name"],
            audiences=record.get("audiences", ()),
            task_types=record.get("task_types", ()),
            interaction_kinds=record.get("interaction_kinds", ()),
            sdg_codes=record.get("sdg_codes", ()),
            upl_flags=record.get("upl_flags", ()),
            legal_bases=tuple(LegalBasis(**lb) for lb in record.get("legal_bases", ())),
            additions=additions or DEFAULT_ADDITIONS,
            reference=True,
        )

    @classmethod
    def local(cls, uri: str, name: str, *, additions: Additions | None = None,
              audiences: Iterable[str | Audience] = (Audience.BURGER,),
              interaction_kinds: Iterable[str | InteractionKind] = ()) -> Product:
        """A local product (maatwerk), not part of the reference catalogue (PRD-6).

        >>> p = Product.local("urn:gm0622:product:balieafspraak", "afspraak balie")
        >>> p.reference
        False
        """
        return cls(uri=uri, name=name, audiences=audiences,
                   interaction_kinds=interaction_kinds,
                   additions=additions or DEFAULT_ADDITIONS, reference=False)

    @property
    def required_assurance(self) -> AssuranceLevel | None:
        """The assurance level the product requires, or ``None`` if not assessed."""
        return self.additions.required_assurance

    @property
    def physical_presence(self) -> bool:
        """Whether physical presence is legally required (SDG art. 6(3))."""
        return self.additions.physical_presence

    @property
    def fee_applies(self) -> bool | None:
        """Whether a fee applies, or ``None`` if not recorded."""
        return self.additions.fee_applies

    @property
    def reference_target(self) -> MaturityLevel:
        """The reference target maturity level ("optimaal digitaal")."""
        return self.additions.reference_target

    @property
    def assessed(self) -> bool:
        """Whether the standard records additions for this product (not the defaults)."""
        return self.additions is not DEFAULT_ADDITIONS and self.additions != DEFAULT_ADDITIONS


def _normalise_name(name: str) -> str:
    return re.sub(r"\s+", " ", name.strip().lower())


@attrs.frozen
class Provenance:
    """Where the packaged UPL extract came from (PRD-3)."""

    source: str
    retrieved: str
    md5: str
    rows: int
    unique_uris: int
    municipal_uris: int
    script: str


@attrs.frozen(eq=False)
class Catalogue:
    """An immutable set of products with lookups by URI and by name (PRD-2).

    The reference catalogue is :func:`reference_catalogue`; :meth:`with_local` returns a new
    catalogue that also holds local products.
    """

    products: tuple[Product, ...] = attrs.field(converter=lambda ps: tuple(
        sorted(ps, key=lambda p: p.uri)))
    provenance: Provenance | None = None
    _by_uri: dict[str, Product] = attrs.field(init=False, repr=False)
    _by_name: dict[str, list[Product]] = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        by_uri: dict[str, Product] = {}
        by_name: dict[str, list[Product]] = {}
        for product in self.products:
            if product.uri in by_uri:
                raise InvalidValueError("uri", product.uri, "appears more than once in the catalogue")
            by_uri[product.uri] = product
            by_name.setdefault(_normalise_name(product.name), []).append(product)
        object.__setattr__(self, "_by_uri", by_uri)
        object.__setattr__(self, "_by_name", by_name)

    def __len__(self) -> int:
        return len(self.products)

    def __iter__(self) -> Iterator[Product]:
        return iter(self.products)

    def __contains__(self, uri: object) -> bool:
        return uri in self._by_uri

    def get(self, uri: str, field: str = "product") -> Product:
        """The product with this URI; an unknown URI raises with close matches suggested."""
        try:
            return self._by_uri[uri]
        except (KeyError, TypeError):
            raise UnknownProductError(field, uri, self.suggest(str(uri))) from None

    def by_name(self, name: str) -> Product:
        """The product with this UPL name (case- and whitespace-insensitive)."""
        found = self._by_name.get(_normalise_name(name), [])
        if len(found) != 1:
            if found:
                raise InvalidValueError("name", name, "names more than one product; use the URI")
            raise UnknownProductError("name", name, self.suggest(name))
        return found[0]

    def resolve(self, key: str, field: str = "product") -> Product:
        """A product by URI, by the last segment of a UPL URI, or by name."""
        if key in self._by_uri:
            return self._by_uri[key]
        if isinstance(key, str) and (UPL_NAMESPACE + key) in self._by_uri:
            return self._by_uri[UPL_NAMESPACE + key]
        if isinstance(key, str) and len(self._by_name.get(_normalise_name(key), [])) == 1:
            return self._by_name[_normalise_name(key)][0]
        raise UnknownProductError(field, key, self.suggest(str(key)))

    def suggest(self, text: str, n: int = 3) -> list[str]:
        """Close matches for a URI or name, as URIs."""
        tail = text.rsplit("/", 1)[-1].lower()
        names = {_normalise_name(p.name): p.uri for p in self.products}
        tails = {p.uri.rsplit("/", 1)[-1].lower(): p.uri for p in self.products}
        hits = difflib.get_close_matches(_normalise_name(text), list(names), n=n, cutoff=0.75)
        out = [names[h] for h in hits]
        for h in difflib.get_close_matches(tail, list(tails), n=n, cutoff=0.75):
            if tails[h] not in out:
                out.append(tails[h])
        return out[:n]

    def search(self, query: str) -> list[Product]:
        """Products whose name or URI contains every word of ``query``, sorted by name."""
        words = _normalise_name(query).split()
        return sorted((p for p in self.products
                       if all(w in p.name.lower() or w in p.uri.lower() for w in words)),
                      key=lambda p: (p.name, p.uri))

    def reference_products(self) -> tuple[Product, ...]:
        """The products that belong to the standard's reference catalogue."""
        return tuple(p for p in self.products if p.reference)

    def with_local(self, *products: Product) -> Catalogue:
        """A new catalogue with local products added (PRD-6).

        A local product must be marked as not part of the reference and must not reuse a
        URI already in the catalogue.
        """
        for product in products:
            if product.reference:
                raise InvalidValueError("reference", True,
                                        f"local product {product.uri!r} must not be marked as reference")
        return Catalogue((*self.products, *products), self.provenance)


@functools.cache
def reference_catalogue() -> Catalogue:
    """The standard's reference catalogue: the municipal subset of the UPL with additions (PRD-2).

    Loaded once from package data and shared; the catalogue is immutable.
    """
    data = resources.files("digimaat.data")
    upl = json.loads(data.joinpath("upl_gemeente.json").read_text(encoding="utf-8"))
    extra = json.loads(data.joinpath("additions.json").read_text(encoding="utf-8"))
    additions = _additions_from(extra)
    products = []
    for record in upl["products"]:
        products.append(Product.from_upl(record, additions.pop(record["uri"], None)))
    if additions:
        raise InvalidValueError("additions", sorted(additions),
                                "name products that are not in the packaged UPL extract")
    return Catalogue(tuple(products), Provenance(**upl["provenance"]))


def _additions_from(document: Mapping[str, Any]) -> dict[str, Additions]:
    from digimaat._serial import converter

    out: dict[str, Additions] = {}
    for entry in document["products"]:
        entry = dict(entry)
        uri = entry.pop("uri")
        entry.pop("name", None)
        out[uri] = converter().structure(entry, Additions)
    return out
