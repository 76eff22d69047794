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

A product key may be written as people write it (PRD-7): a URI in any of its forms, a UPL
key, a name or a synonym, whatever the case, accents or punctuation. Synonyms are the
names municipalities give their products in Samenwerkende Catalogi (PRD-8); a name they use
for several products is never resolved, and :meth:`Catalogue.lookup` says which candidates
it has without raising.

>>> catalogue.resolve("Verhuizing doorgeven").uri
'http://standaarden.overheid.nl/owms/terms/verhuismelding'
>>> catalogue.lookup("Parkeren").candidates[0]
'http://standaarden.overheid.nl/owms/terms/parkeervergunning'
>>> [hit.product.name for hit in catalogue.search("id-kaart")][:1]
['identiteitskaart']
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from digimaat._boundary import guard
from digimaat._classes import shared_eq, shared_repr
from digimaat._text import check_text
from digimaat.errors import (
    _NO_VALUE,
    InvalidValueError,
    Problem,
    ProblemCollector,
    UnknownNameError,
)
from digimaat.vocabulary.assurance import AssuranceLevel, parse_level
from digimaat.vocabulary.maturity import MaturityLevel

if TYPE_CHECKING:  # pragma: no cover
    from digimaat.vocabulary.catalogue import Catalogue, reference_catalogue
    from digimaat.vocabulary.product_names import (
        AmbiguousName,
        Candidate,
        OwnName,
        OwnNameProvenance,
        OwnNameTable,
        Synonym,
        SynonymProvenance,
        SynonymTable,
        reference_own_names,
        reference_synonyms,
    )
    from digimaat.vocabulary.resolution import MatchRank, Resolution, SearchHit

__all__ = [
    "DEFAULT_ADDITIONS",
    "UPL_NAMESPACE",
    "UPL_PLACEHOLDER",
    "Additions",
    "AmbiguousName",
    "Audience",
    "Candidate",
    "Catalogue",
    "InteractionKind",
    "LegalBasis",
    "MatchRank",
    "OwnName",
    "OwnNameProvenance",
    "OwnNameTable",
    "Product",
    "Provenance",
    "Resolution",
    "SearchHit",
    "Synonym",
    "SynonymProvenance",
    "SynonymTable",
    "TaskType",
    "canonical_upl_uri",
    "normalise_key",
    "reference_catalogue",
    "reference_own_names",
    "reference_synonyms",
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
    check_text(attribute.name, value)  # the one rule of texts (XCH-4)


_SPACE = re.compile(r"\s")
r"""White space: ``\s`` of a text pattern is what ``str.isspace`` says of a character."""


def _uri(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    """A product's URI: a text without white space (XCH-6), by the rule of texts."""
    check_text(attribute.name, value)
    assert isinstance(value, str)
    if _SPACE.search(value):
        raise InvalidValueError(attribute.name, value, "must be a URI: no white space", "XCH-6")


def _text(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    check_text(attribute.name, value, empty=True, message="must be a text")


def _reason(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    check_text(attribute.name, value, empty=True, multiline=True, message="must be a text")


def _optional_level(value: Any) -> AssuranceLevel | None:
    return None if value is None else parse_level(value, "required_assurance")


def _target(value: Any) -> MaturityLevel:
    return MaturityLevel.parse(value, "reference_target")


@attrs.frozen
@shared_repr
@shared_eq
class LegalBasis:
    """A legal basis (UPL ``Grondslag``): an OWMS term URI, a label and a link to the text."""

    uri: str = attrs.field(validator=_non_empty)
    label: str = attrs.field(default="", validator=_text)
    link: str = attrs.field(default="", validator=_text)

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
@shared_repr
@shared_eq
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
    reason: str = attrs.field(default="", validator=_reason)
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
@shared_repr
@shared_eq
class Product:
    """A product, keyed by its UPL URI (PRD-1).

    Build reference products with :meth:`from_upl` and local products (maatwerk) with
    :meth:`local`.
    """

    uri: str = attrs.field(validator=_uri)
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


_ASCII_SEPARATORS = re.compile(r"[^a-z0-9]+")


def normalise_key(text: str) -> str:
    """The normal form in which product keys, names and synonyms are compared (PRD-7.1).

    Unicode NFKD, then case folding, then NFKD again; combining marks (general category
    M) dropped; every run of characters that are not letters or digits (general categories
    L and N) made one space; leading and trailing spaces removed.

    >>> normalise_key("  Melding   OPENBARE\truimte (Algemeen) ")
    'melding openbare ruimte algemeen'
    >>> normalise_key("melding_openbare_ruimte_(algemeen)")
    'melding openbare ruimte algemeen'
    >>> normalise_key("Financiële hulp"), normalise_key("ID-kaart"), normalise_key("Straße")
    ('financiele hulp', 'id kaart', 'strasse')
    """
    if text.isascii():
        return _ASCII_SEPARATORS.sub(" ", text.lower()).strip()
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    kept = (
        c if unicodedata.category(c)[0] in "LN" else " "
        for c in folded
        if unicodedata.category(c)[0] != "M"
    )
    return " ".join("".join(kept).split())


_UPL_URI = re.compile(r"\s*(?i:https?://standaarden\.overheid\.nl)/owms/terms/([^/\s]+)/?\s*")


def canonical_upl_uri(text: str) -> str | None:
    """The UPL URI that ``text`` writes, in the catalogue's form, or ``None`` (PRD-7.2).

    A UPL URI may be written with ``http`` or ``https`` (in any letter case), with or
    without a trailing slash and with surrounding whitespace; its last segment, the UPL
    key, is kept as written.

    >>> canonical_upl_uri(" https://standaarden.overheid.nl/owms/terms/paspoort/ ")
    'http://standaarden.overheid.nl/owms/terms/paspoort'
    >>> canonical_upl_uri("paspoort") is None
    True
    """
    found = _UPL_URI.fullmatch(text)
    return None if found is None else UPL_NAMESPACE + found.group(1)


@attrs.frozen
@shared_repr
@shared_eq
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


guard(__name__)


_MOVED = {
    "Catalogue": "catalogue",
    "reference_catalogue": "catalogue",
    "MatchRank": "resolution",
    "Resolution": "resolution",
    "SearchHit": "resolution",
    "AmbiguousName": "product_names",
    "Candidate": "product_names",
    "OwnName": "product_names",
    "OwnNameProvenance": "product_names",
    "OwnNameTable": "product_names",
    "Synonym": "product_names",
    "SynonymProvenance": "product_names",
    "SynonymTable": "product_names",
    "reference_own_names": "product_names",
    "reference_synonyms": "product_names",
}
"""The names this module offers from the modules of the catalogue, its lookups and the
product names, imported when first asked for: the catalogue imports this module."""


def __getattr__(name: str) -> Any:
    module = _MOVED.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"digimaat.vocabulary.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names, with those it imports when first asked for."""
    return sorted({*globals(), *_MOVED})
