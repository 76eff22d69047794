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
from typing import Any, TypeVar

import attrs

from digimaat.errors import (
    _NO_VALUE,
    InputError,
    InvalidValueError,
    Problem,
    ProblemCollector,
    UnknownNameError,
    UnknownProductError,
)
from digimaat.vocabulary.assurance import AssuranceLevel, parse_level
from digimaat.vocabulary.maturity import MaturityLevel

__all__ = [
    "DEFAULT_ADDITIONS",
    "UPL_NAMESPACE",
    "UPL_PLACEHOLDER",
    "Additions",
    "Audience",
    "Catalogue",
    "InteractionKind",
    "LegalBasis",
    "Product",
    "Provenance",
    "TaskType",
    "reference_catalogue",
]

UPL_NAMESPACE = "http://standaarden.overheid.nl/owms/terms/"
"""The namespace of UPL product URIs."""

UPL_PLACEHOLDER = UPL_NAMESPACE + "UPL-naam_nog_niet_beschikbaar"
"""The UPL's placeholder entry, "UPL-naam nog niet beschikbaar" (UPL name not yet available).

It is flagged ``Gemeente`` in the UPL and so belongs to the reference catalogue, but it names
no product (PRD-2.2); :attr:`Product.placeholder` is ``True`` for it.
"""

_UPL_RECORD_KEYS = frozenset(
    {
        "uri",
        "name",
        "audiences",
        "task_types",
        "interaction_kinds",
        "sdg_codes",
        "upl_flags",
        "legal_bases",
    }
)

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


_E = TypeVar("_E", bound=enum.Enum)


def _enum_set(kind: type[_E], field: str, values: Iterable[Any]) -> frozenset[_E]:
    if isinstance(values, str):
        values = [values]
    out: set[_E] = set()
    for value in values:
        if isinstance(value, kind):
            out.add(value)
            continue
        try:
            out.add(kind(str(value).strip().lower()))
        except ValueError:
            raise UnknownNameError(field, value, (m.value for m in kind)) from None
    return frozenset(out)


def _audiences(values: Iterable[Any]) -> frozenset[Audience]:
    return _enum_set(Audience, "audiences", values)


def _task_types(values: Iterable[Any]) -> frozenset[TaskType]:
    return _enum_set(TaskType, "task_types", values)


def _interaction_kinds(values: Iterable[Any]) -> frozenset[InteractionKind]:
    return _enum_set(InteractionKind, "interaction_kinds", values)


def _upl_flags(values: Iterable[Any]) -> frozenset[str]:
    if isinstance(values, str):
        values = [values]
    flags = frozenset(values)
    for flag in flags:
        if not isinstance(flag, str) or not flag:
            raise InvalidValueError("upl_flags", flag, "must be a UPL column name like 'Gemeente'")
    return flags


def _legal_bases(values: Iterable[Any]) -> tuple[LegalBasis, ...]:
    bases = tuple(values)
    for basis in bases:
        if not isinstance(basis, LegalBasis):
            raise InvalidValueError("legal_bases", basis, "must be a LegalBasis")
    return bases


def _sdg_codes(values: Iterable[Any]) -> tuple[str, ...]:
    codes = tuple(values)
    for code in codes:
        if not isinstance(code, str) or not _SDG_CODE.fullmatch(code):
            raise InvalidValueError(
                "sdg_codes", code, "must be an SDG Annex I information-area code like 'A1'"
            )
    return codes


def _non_empty(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValueError(attribute.name, value, "must be a non-empty string")


def _optional_level(value: Any) -> AssuranceLevel | None:
    return None if value is None else parse_level(value, "required_assurance")


def _target(value: Any) -> MaturityLevel:
    return MaturityLevel.parse(value, "reference_target")


@attrs.frozen
class LegalBasis:
    """A legal basis (UPL ``Grondslag``): an OWMS term URI, a label and a link to the text."""

    uri: str = attrs.field(validator=_non_empty)
    label: str = attrs.field(default="", validator=attrs.validators.instance_of(str))
    link: str = attrs.field(default="", validator=attrs.validators.instance_of(str))

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> LegalBasis:
        """Build from a ``{uri, label, link}`` record of the packaged UPL extract."""
        if not isinstance(record, Mapping):
            raise InvalidValueError("legal_bases", record, "must be an object {uri, label, link}")
        unknown = sorted(set(record) - {"uri", "label", "link"})
        if unknown:
            raise InvalidValueError(
                "legal_bases", unknown, "unknown keys; expected uri, label, link"
            )
        if "uri" not in record:
            raise InvalidValueError("legal_bases.uri", _NO_VALUE, "is required")
        return cls(**record)


@attrs.frozen
class Additions:
    """What the standard adds to a UPL product, each with its reason (PRD-4).

    ``required_assurance`` is ``None`` when the standard has not assessed the product;
    ``fee_applies`` is ``None`` when it is not recorded whether a fee applies.
    """

    required_assurance: AssuranceLevel | None = attrs.field(default=None, converter=_optional_level)
    physical_presence: bool = attrs.field(
        default=False, validator=attrs.validators.instance_of(bool)
    )
    fee_applies: bool | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.instance_of(bool))
    )
    reference_target: MaturityLevel = attrs.field(
        default=MaturityLevel.FULLY_ONLINE,
        converter=_target,
    )
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
    audiences: frozenset[Audience] = attrs.field(factory=frozenset, converter=_audiences)
    task_types: frozenset[TaskType] = attrs.field(factory=frozenset, converter=_task_types)
    interaction_kinds: frozenset[InteractionKind] = attrs.field(
        factory=frozenset, converter=_interaction_kinds
    )
    sdg_codes: tuple[str, ...] = attrs.field(default=(), converter=_sdg_codes)
    upl_flags: frozenset[str] = attrs.field(factory=frozenset, converter=_upl_flags)
    """All UPL flags set for the product (``"Gemeente"``, ``"Dienstenwet"``, ...)."""
    legal_bases: tuple[LegalBasis, ...] = attrs.field(default=(), converter=_legal_bases)
    additions: Additions = DEFAULT_ADDITIONS
    reference: bool = True
    """Part of the standard's reference catalogue; ``False`` for local products (maatwerk)."""

    @classmethod
    def from_upl(cls, record: Mapping[str, Any], additions: Additions | None = None) -> Product:
        """Build from a record of the packaged UPL extract (see ``scripts/build_catalogue.py``).

        The record's keys are ``uri``, ``name`` (both required), ``audiences``,
        ``task_types``, ``interaction_kinds``, ``sdg_codes``, ``upl_flags`` and
        ``legal_bases`` (a list of ``{uri, label, link}``); any other key is an error.

        >>> p = Product.from_upl({"uri": UPL_NAMESPACE + "bezafspr", "name": "bezoekafspraak",
        ...                       "audiences": ["burger", "bedrijf"], "upl_flags": ["Gemeente"]})
        >>> sorted(a.value for a in p.audiences), p.reference
        (['bedrijf', 'burger'], True)
        """
        unknown = sorted(set(record) - _UPL_RECORD_KEYS)
        if unknown:
            raise InvalidValueError(
                "record", unknown, f"unknown keys; expected: {', '.join(sorted(_UPL_RECORD_KEYS))}"
            )
        for key in ("uri", "name"):
            if key not in record:
                raise InvalidValueError(key, _NO_VALUE, "is required")
        return cls(
            uri=record["uri"],
            name=record["name"],
            audiences=record.get("audiences", ()),
            task_types=record.get("task_types", ()),
            interaction_kinds=record.get("interaction_kinds", ()),
            sdg_codes=record.get("sdg_codes", ()),
            upl_flags=record.get("upl_flags", ()),
            legal_bases=tuple(LegalBasis.from_record(lb) for lb in record.get("legal_bases", ())),
            additions=additions or DEFAULT_ADDITIONS,
            reference=True,
        )

    @classmethod
    def local(
        cls,
        uri: str,
        name: str,
        *,
        additions: Additions | None = None,
        audiences: Iterable[str | Audience] = (Audience.BURGER,),
        interaction_kinds: Iterable[str | InteractionKind] = (),
    ) -> Product:
        """A local product (maatwerk), not part of the reference catalogue (PRD-6).

        >>> p = Product.local("urn:gm0622:product:balieafspraak", "afspraak balie")
        >>> p.reference
        False
        """
        return cls(
            uri=uri,
            name=name,
            audiences=audiences,
            interaction_kinds=interaction_kinds,
            additions=additions or DEFAULT_ADDITIONS,
            reference=False,
        )

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
    def placeholder(self) -> bool:
        """Whether this is the UPL's placeholder entry, which names no product (PRD-2.2)."""
        return self.uri == UPL_PLACEHOLDER

    @property
    def assessed(self) -> bool:
        """Whether the standard records additions for this product (not the defaults)."""
        return self.additions is not DEFAULT_ADDITIONS and self.additions != DEFAULT_ADDITIONS


def _normalise_name(name: str) -> str:
    return re.sub(r"\s+", " ", name.strip().lower())


@attrs.frozen
class Provenance:
    """Where the packaged UPL extract came from (PRD-3)."""

    source: str = attrs.field(validator=_non_empty)
    """The publisher and the copy of the export the extract was built from."""
    retrieved: str = attrs.field(validator=_non_empty)
    """The date of that copy (ISO 8601)."""
    md5: str = attrs.field(validator=_non_empty)
    """The md5 checksum of the export file."""
    rows: int = attrs.field(validator=attrs.validators.instance_of(int))
    """Data rows in the export."""
    unique_uris: int = attrs.field(validator=attrs.validators.instance_of(int))
    """Distinct URIs in the export."""
    municipal_uris: int = attrs.field(validator=attrs.validators.instance_of(int))
    """Distinct URIs flagged ``Gemeente``: the size of the reference catalogue."""
    script: str = attrs.field(validator=_non_empty)
    """The script that built the extract, relative to the repository root."""


def _sorted_products(products: Iterable[Any]) -> tuple[Product, ...]:
    items = tuple(products)
    for item in items:
        if not isinstance(item, Product):
            raise InvalidValueError("products", item, "must be a Product")
    return tuple(sorted(items, key=lambda p: p.uri))


@attrs.frozen(eq=False)
class Catalogue:
    """An immutable set of products, ordered by URI, with lookups (PRD-2, PRD-7).

    The reference catalogue is :func:`reference_catalogue`; :meth:`with_local` returns a new
    catalogue that also holds local products.
    """

    products: tuple[Product, ...] = attrs.field(converter=_sorted_products)
    provenance: Provenance | None = None
    _by_uri: dict[str, Product] = attrs.field(init=False, repr=False)
    _by_name: dict[str, list[Product]] = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        by_uri: dict[str, Product] = {}
        by_name: dict[str, list[Product]] = {}
        for product in self.products:
            if product.uri in by_uri:
                raise InvalidValueError(
                    "uri", product.uri, "appears more than once in the catalogue"
                )
            by_uri[product.uri] = product
            by_name.setdefault(_normalise_name(product.name), []).append(product)
        object.__setattr__(self, "_by_uri", by_uri)
        object.__setattr__(self, "_by_name", by_name)

    @classmethod
    def from_documents(
        cls,
        upl: Mapping[str, Any],
        additions: Mapping[str, Any],
        *,
        upl_source: str = "upl_gemeente.json",
        additions_source: str = "additions.json",
    ) -> Catalogue:
        """Build a reference catalogue from the two package-data documents (PRD-2, PRD-4).

        ``upl`` is the extract written by ``scripts/build_catalogue.py`` (``provenance`` and
        ``products``); ``additions`` is ``{"products": [{"uri": ..., "name": ...,
        "required_assurance": ..., ...}]}``. Every problem in either document is reported
        together in one :class:`~digimaat.errors.InputError`, with the file and JSON pointer.
        """
        upl_problems = ProblemCollector(source=upl_source)
        products: list[Product] = []
        for index, record in enumerate(_entries(upl, upl_problems)):
            with upl_problems.catching(location=f"/products/{index}"):
                if not isinstance(record, Mapping):
                    raise InvalidValueError("product", record, "must be an object")
                products.append(Product.from_upl(record))
        provenance = None
        with upl_problems.catching(location="/provenance"):
            try:
                provenance = Provenance(**upl["provenance"])
            except (KeyError, TypeError) as exc:
                raise InvalidValueError("provenance", _NO_VALUE, f"is malformed ({exc})") from None
        names = {p.uri: p.name for p in products}
        extra_problems = ProblemCollector(source=additions_source)
        extra = _additions_from(additions, names, extra_problems)
        problems = [*upl_problems.problems, *extra_problems.problems]
        if problems:
            raise InputError(problems)
        with_additions = (
            attrs.evolve(p, additions=extra[p.uri]) if p.uri in extra else p for p in products
        )
        return cls(tuple(with_additions), provenance)

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
        """A product by URI, by the last segment of a UPL URI, or by name, in that order.

        >>> c = reference_catalogue()
        >>> c.resolve("bezafspr").name
        'bezoekafspraak'
        """
        if not isinstance(key, str):
            raise UnknownProductError(field, key)
        if key in self._by_uri:
            return self._by_uri[key]
        if (UPL_NAMESPACE + key) in self._by_uri:
            return self._by_uri[UPL_NAMESPACE + key]
        found = self._by_name.get(_normalise_name(key), [])
        if len(found) == 1:
            return found[0]
        raise UnknownProductError(field, key, self.suggest(key))

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
        return sorted(
            (
                p
                for p in self.products
                if all(w in p.name.lower() or w in p.uri.lower() for w in words)
            ),
            key=lambda p: (p.name, p.uri),
        )

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
                raise InvalidValueError(
                    "reference",
                    True,
                    f"local product {product.uri!r} must not be marked as reference",
                )
        return Catalogue((*self.products, *products), self.provenance)


@functools.cache
def reference_catalogue() -> Catalogue:
    """The standard's reference catalogue: the municipal subset of the UPL with additions (PRD-2).

    Loaded once from package data (``digimaat/data/upl_gemeente.json``, built by
    ``scripts/build_catalogue.py``, and the hand-maintained ``digimaat/data/additions.json``)
    and shared; the catalogue is immutable.
    """
    data = resources.files("digimaat.data")
    upl = json.loads(data.joinpath(_UPL_FILE).read_text(encoding="utf-8"))
    extra = json.loads(data.joinpath(_ADDITIONS_FILE).read_text(encoding="utf-8"))
    return Catalogue.from_documents(upl, extra)


_UPL_FILE = "upl_gemeente.json"
_ADDITIONS_FILE = "additions.json"


def _structure_problems(exc: Exception) -> list[Problem]:
    """The problems in a cattrs structuring error, one per offending attribute."""
    from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError

    if isinstance(exc, InvalidValueError):
        return [exc.problem]
    if isinstance(exc, ForbiddenExtraKeysError):
        return [Problem(k, _NO_VALUE, "unknown key") for k in sorted(exc.extra_fields)]
    if isinstance(exc, ClassValidationError):
        with_notes, others = exc.group_exceptions()
        out = []
        for sub, note in with_notes:
            for problem in _structure_problems(sub):
                out.append(attrs.evolve(problem, field=note.name))
        for sub in others:
            out.extend(_structure_problems(sub))
        return out
    return [Problem("value", _NO_VALUE, str(exc))]


def _entries(document: object, collector: ProblemCollector) -> list[Any]:
    """The ``products`` list of a package-data document, or a problem when there is none."""
    products = document.get("products") if isinstance(document, Mapping) else None
    if not isinstance(products, list):
        collector.add(Problem("products", _NO_VALUE, "must be a list"), "/products")
        return []
    return products


def _additions_from(
    document: Mapping[str, Any], upl_names: Mapping[str, str], collector: ProblemCollector
) -> dict[str, Additions]:
    from cattrs.errors import BaseValidationError

    from digimaat._serial import converter

    out: dict[str, Additions] = {}
    seen: set[str] = set()
    for index, raw in enumerate(_entries(document, collector)):
        where = f"/products/{index}"
        if not isinstance(raw, Mapping):
            collector.add(Problem("product", raw, "must be an object"), where)
            continue
        entry = dict(raw)
        uri = entry.pop("uri", None)
        name = entry.pop("name", None)
        if not isinstance(uri, str) or uri not in upl_names:
            collector.add(
                Problem("uri", uri, "is not a product of the packaged UPL extract"), where
            )
            continue
        if uri in seen:
            collector.add(Problem("uri", uri, "has additions more than once"), where)
            continue
        seen.add(uri)
        if name is not None and name != upl_names[uri]:
            collector.add(
                Problem("name", name, f"is not the UPL name of {uri} ({upl_names[uri]!r})"), where
            )
        try:
            out[uri] = converter().structure(entry, Additions)
        except (InvalidValueError, BaseValidationError) as exc:
            # cattrs wraps the hooks' errors in its own exception group
            for problem in _structure_problems(exc):
                collector.add(problem, where)
            continue
        if not out[uri].reason.strip():
            collector.add(Problem("reason", out[uri].reason, "must state the grounds"), where)
    return out
