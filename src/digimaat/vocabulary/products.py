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

import bisect
import enum
import functools
import json
import lzma
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from importlib import resources
from typing import Any, TypeVar

import attrs

from digimaat._boundary import guard
from digimaat._text import check_text
from digimaat.errors import (
    _NO_VALUE,
    AmbiguousProductError,
    DigimaatError,
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


def _uri(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    """A product's URI: a text without white space (XCH-6), by the rule of texts."""
    check_text(attribute.name, value)
    assert isinstance(value, str)
    if any(c.isspace() for c in value):
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


_SYNONYM_KINDS = ("title", "short form")


def _count(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidValueError(attribute.name, value, "must be a whole number of at least 1")


def _upl_key_text(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value or "/" in value or value != value.strip():
        raise InvalidValueError(
            attribute.name, value, "must be a UPL key: the last segment of a UPL URI"
        )


def _synonym_kind(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if value not in _SYNONYM_KINDS:
        raise UnknownNameError(attribute.name, value, _SYNONYM_KINDS)


def _shown_text(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValueError(attribute.name, value, "must be a non-empty string")
    if (
        value != value.strip()
        or value[0] in "=+-@"
        or any(unicodedata.category(c)[0] == "C" for c in value)
    ):
        raise InvalidValueError(
            attribute.name,
            value,
            "must be printable text without surrounding space or a leading =, +, - or @",
        )


@attrs.frozen
class Synonym:
    """A name that municipalities use for one product in their own catalogues (PRD-8).

    >>> s = Synonym("Verhuizen", "verhuismelding", 45)
    >>> s.uri
    'http://standaarden.overheid.nl/owms/terms/verhuismelding'
    """

    text: str = attrs.field(validator=_shown_text)
    """The name as municipalities write it (its most frequent spelling)."""
    product: str = attrs.field(validator=_upl_key_text)
    """The product's UPL key, the last segment of its URI."""
    municipalities: int = attrs.field(validator=_count)
    """How many municipalities use the name for the product."""
    kind: str = attrs.field(default="title", validator=_synonym_kind)
    """``"title"`` for a product title as published, ``"short form"`` for one derived from
    titles (PRD-8.2)."""

    @property
    def uri(self) -> str:
        """The product's URI."""
        return UPL_NAMESPACE + self.product


@attrs.frozen
class Candidate:
    """One of the products an ambiguous name is used for (PRD-8.1)."""

    product: str = attrs.field(validator=_upl_key_text)
    """The product's UPL key."""
    municipalities: int = attrs.field(validator=_count)
    """How many municipalities use the name for this product."""

    @property
    def uri(self) -> str:
        """The product's URI."""
        return UPL_NAMESPACE + self.product


def _listed(values: Iterable[Any]) -> tuple[Any, ...]:
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise InvalidValueError("synonyms", values, "must be a list of entries")
    return tuple(values)


def _candidates(values: Iterable[Any]) -> tuple[Candidate, ...]:
    out = tuple(values)
    if len(out) < 2 or not all(isinstance(c, Candidate) for c in out):
        raise InvalidValueError("candidates", out, "must be two or more Candidate")
    if len({c.product for c in out}) != len(out):
        raise InvalidValueError("candidates", out, "must not repeat a product")
    return tuple(sorted(out, key=lambda c: (-c.municipalities, c.product)))


@attrs.frozen
class AmbiguousName:
    """A name that municipalities use for more than one product; it never resolves (PRD-8.1).

    Its candidates are ordered by the number of municipalities that use the name for each,
    most first, then by key.
    """

    text: str = attrs.field(validator=_shown_text)
    """The name as municipalities write it (its most frequent spelling)."""
    candidates: tuple[Candidate, ...] = attrs.field(converter=_candidates)


@attrs.frozen
class SynonymProvenance:
    """Where the packaged synonym table came from and how it was derived (PRD-8.3)."""

    source: str = attrs.field(validator=_non_empty)
    """The published data and the copy of it the table was derived from."""
    harvested: str = attrs.field(validator=_non_empty)
    """The date the data were harvested (ISO 8601)."""
    md5: str = attrs.field(validator=_non_empty)
    """The md5 checksum of the harvest file."""
    licence: str = attrs.field(validator=_non_empty)
    """What is known of the licence of the data."""
    catalogue_md5: str
    """The md5 of the UPL export of the catalogue the table was checked against (PRD-3)."""
    files: int
    """Responses (one per municipality name) in the harvest."""
    records: int
    """Product records in the harvest."""
    municipal_records: int
    """Records of a municipal authority."""
    municipalities: int
    """Municipal authorities with records."""
    links: int
    """Links from a municipal record to a UPL URI."""
    links_repaired: int
    """Links whose URI was repaired (a doubled prefix, ``https``, ``hhttp``, whitespace)."""
    links_placeholder: int
    """Links to the UPL placeholder (PRD-2.2), skipped."""
    links_not_in_catalogue: int
    """Links to a URI that is not in the catalogue, skipped."""
    records_linked: int
    """Records with a title and at least one link to a product of the catalogue."""
    titles_too_long: int
    """Records whose title is longer than ``max_title`` characters, not used."""
    max_title: int
    """The longest title used, in characters."""
    min_municipalities: int
    """The least number of municipalities that must use a name (PRD-8.1)."""
    min_length: int
    """The least length of a name in normal form (PRD-8.1)."""
    request_verbs: tuple[str, ...]
    """The final words dropped from titles to make short forms (PRD-8.2)."""
    synonyms: int
    """Synonyms in the table."""
    short_forms: int
    """Synonyms that are short forms."""
    ambiguous: int
    """Ambiguous names in the table."""
    script: str = attrs.field(validator=_non_empty)
    """The script that derived the table, relative to the repository root."""


@attrs.frozen(eq=False)
class SynonymTable:
    """Names municipalities use for products, each pointing to one product or to several (PRD-8).

    Two entries may not share a normal form (PRD-7.1).

    >>> table = SynonymTable(
    ...     synonyms=[Synonym("Verhuizen", "verhuismelding", 45)],
    ...     ambiguous=[AmbiguousName("Parkeren", [Candidate("parkeervergunning", 7),
    ...                                           Candidate("parkeerbelasting", 3)])])
    >>> table.get(" VERHUIZEN ").product
    'verhuismelding'
    >>> [c.product for c in table.get("parkeren").candidates]
    ['parkeervergunning', 'parkeerbelasting']
    """

    synonyms: tuple[Synonym, ...] = attrs.field(default=(), converter=_listed)
    ambiguous: tuple[AmbiguousName, ...] = attrs.field(default=(), converter=_listed)
    provenance: SynonymProvenance | None = None
    _by_form: dict[str, Synonym | AmbiguousName] = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        by_form: dict[str, Synonym | AmbiguousName] = {}
        for entry in (*self.synonyms, *self.ambiguous):
            if not isinstance(entry, (Synonym, AmbiguousName)):
                raise InvalidValueError("synonyms", entry, "must be a Synonym or AmbiguousName")
            form = normalise_key(entry.text)
            if not form:
                raise InvalidValueError("text", entry.text, "has no letter or digit")
            if form in by_form:
                raise InvalidValueError(
                    "text", entry.text, f"has the normal form of {by_form[form].text!r} (PRD-7.1)"
                )
            by_form[form] = entry
        object.__setattr__(self, "_by_form", by_form)

    @classmethod
    def from_document(
        cls, document: Mapping[str, Any], *, source: str = "synonyms.json"
    ) -> SynonymTable:
        """Build from the document ``scripts/build_synonyms.py`` writes.

        Every problem is reported together in one :class:`~digimaat.errors.InputError`,
        with the file and the JSON pointer.
        """
        from digimaat._serial import converter

        collector = ProblemCollector(source=source)
        if not isinstance(document, Mapping):
            raise InputError([Problem("document", _NO_VALUE, "must be an object", source)])
        unknown = sorted(set(document) - {"provenance", "synonyms", "ambiguous"})
        for key in unknown:
            collector.add(Problem(key, _NO_VALUE, "unknown key"), "")
        provenance = None
        with collector.catching(location="/provenance"):
            provenance = _structure(converter(), document.get("provenance"), SynonymProvenance)
        parts: dict[str, list[Any]] = {}
        for name, kind in (("synonyms", Synonym), ("ambiguous", AmbiguousName)):
            entries = document.get(name)
            if not isinstance(entries, list):
                collector.add(Problem(name, _NO_VALUE, "must be a list"), f"/{name}")
                continue
            try:  # all at once; one by one only to say where the problems are
                parts[name] = _structure(converter(), entries, list[kind])  # type: ignore[valid-type]
            except DigimaatError:
                for index, entry in enumerate(entries):
                    with collector.catching(location=f"/{name}/{index}"):
                        _structure(converter(), entry, kind)
        collector.raise_if_any()
        try:
            return cls(parts["synonyms"], parts["ambiguous"], provenance)
        except InvalidValueError as exc:
            raise InputError([exc.problem.at(source=source)]) from None

    def __len__(self) -> int:
        return len(self._by_form)

    def get(self, text: str) -> Synonym | AmbiguousName | None:
        """The entry whose normal form is that of ``text``, if there is one."""
        return self._by_form.get(normalise_key(text))

    def uris(self) -> frozenset[str]:
        """The URIs of every product the table names."""
        out = {s.uri for s in self.synonyms}
        out.update(c.uri for a in self.ambiguous for c in a.candidates)
        return frozenset(out)


def _structure(conv: Any, value: Any, kind: Any) -> Any:
    """``value`` structured as ``kind`` by the shared converter; problems as InputError."""
    from cattrs.errors import BaseValidationError

    try:
        return conv.structure(value, kind)
    except (InvalidValueError, BaseValidationError) as exc:
        raise InputError(_structure_problems(exc)) from None
    except (TypeError, AttributeError, KeyError):
        raise InvalidValueError("entry", value, "is malformed") from None


_SYNONYMS_FILE = "synonyms.json"


@functools.cache
def reference_synonyms() -> SynonymTable:
    """The packaged synonym table of the reference catalogue (PRD-8), loaded once.

    Derived by ``scripts/build_synonyms.py`` from the Samenwerkende Catalogi harvest kept in
    ``data/sc/``; its provenance is :attr:`SynonymTable.provenance`.
    """
    text = resources.files("digimaat.data").joinpath(_SYNONYMS_FILE).read_text(encoding="utf-8")
    return SynonymTable.from_document(json.loads(text), source=_SYNONYMS_FILE)


_CBS_CODE = re.compile(r"GM[0-9]{4}")


def _own_products(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple) or not value:
        raise InvalidValueError(attribute.name, value, "must list at least one UPL key")
    for key in value:
        _upl_key_text(instance, attribute, key)
    if len(set(value)) != len(value):
        raise InvalidValueError(attribute.name, value, "must not repeat a product")


@attrs.frozen
class OwnName:
    """A title a municipality publishes in its own Samenwerkende Catalogi records, with the
    products those records link it to (PRD-8.4).

    It names a product for that municipality's offerings only, and only when its records link
    the title to exactly one product; a title they link to several is ambiguous for the
    municipality too (PRD-7.2, step 5).

    >>> own = OwnName("Verhuizing melden", ["verhuismelding"])
    >>> own.product, own.uris
    ('verhuismelding', ('http://standaarden.overheid.nl/owms/terms/verhuismelding',))
    >>> OwnName("Reisdocumenten", ["paspoort", "identiteitskaart"]).product is None
    True
    """

    text: str = attrs.field(validator=_shown_text)
    """The title as the municipality writes it (its most frequent spelling)."""
    products: tuple[str, ...] = attrs.field(converter=tuple, validator=_own_products)
    """The UPL keys of the products the municipality's records link the title to, the one
    linked by most of those records first, then by key."""

    @property
    def product(self) -> str | None:
        """The UPL key of the one product the title names, or ``None`` when it names several."""
        return self.products[0] if len(self.products) == 1 else None

    @property
    def uris(self) -> tuple[str, ...]:
        """The URIs of the products, in the order of :attr:`products`."""
        return tuple(UPL_NAMESPACE + key for key in self.products)


@attrs.frozen
class OwnNameProvenance:
    """Where the packaged own-name table came from and how it was derived (PRD-8.6)."""

    source: str = attrs.field(validator=_non_empty)
    """The published data and the copy of it the table was derived from."""
    harvested: str = attrs.field(validator=_non_empty)
    """The date the data were harvested (ISO 8601)."""
    md5: str = attrs.field(validator=_non_empty)
    """The md5 checksum of the harvest file."""
    licence: str = attrs.field(validator=_non_empty)
    """What is known of the licence of the data."""
    catalogue_md5: str
    """The md5 of the UPL export of the catalogue the table was checked against (PRD-3)."""
    authorities: str = attrs.field(validator=_non_empty)
    """The correspondence of Samenwerkende Catalogi authorities and CBS codes it used."""
    authorities_md5: str
    """The md5 of the file that holds that correspondence."""
    records_linked: int
    """Municipal records with a title and at least one link to a product of the catalogue."""
    records_without_code: int
    """Of those, records whose authority has no CBS code in the correspondence, not used."""
    municipalities: int
    """Municipalities (CBS codes) with at least one own name."""
    names: int
    """Own names in the table, over all municipalities."""
    ambiguous: int
    """Of those, the names a municipality's records link to several products."""
    left_out_short: int
    """Titles of a municipality left out because their normal form is too short."""
    left_out_taken: int
    """Titles of a municipality left out because they are a UPL name or key of the catalogue."""
    max_title: int
    """The longest title used, in characters."""
    min_length: int
    """The least length of a name in normal form."""
    script: str = attrs.field(validator=_non_empty)
    """The script that derived the table, relative to the repository root."""


def _own_entries(value: Any) -> dict[str, tuple[Any, ...]]:
    if not isinstance(value, Mapping):
        raise InvalidValueError("municipalities", value, "must map CBS codes to lists of names")
    out: dict[str, tuple[Any, ...]] = {}
    for code, entries in value.items():
        if not isinstance(code, str) or not _CBS_CODE.fullmatch(code):
            raise InvalidValueError("municipalities", code, "must be a CBS code like 'GM0503'")
        if isinstance(entries, (str, bytes)) or not isinstance(entries, Iterable):
            raise InvalidValueError(code, entries, "must be a list of names")
        out[code] = tuple(entries)
    return out


@attrs.frozen(eq=False)
class OwnNameTable:
    """The titles each municipality publishes for its products, by CBS code (PRD-8.4).

    A municipality's names are checked and indexed the first time they are asked for, so a
    table of every municipality costs little until a key needs one of them; every problem of
    one municipality's names is reported together, with the file and the JSON pointer.

    >>> table = OwnNameTable({"GM0503": [OwnName("Verhuizing melden", ["verhuismelding"])]})
    >>> table.get("GM0503", " verhuizing MELDEN ").product
    'verhuismelding'
    >>> table.get("GM0518", "Verhuizing melden") is None
    True
    """

    _entries: dict[str, tuple[Any, ...]] = attrs.field(alias="names", converter=_own_entries)
    provenance: OwnNameProvenance | None = None
    source: str = attrs.field(default="own names", kw_only=True)
    """The file the table was read from, named in its problems."""
    _index: dict[str, dict[str, OwnName]] = attrs.field(init=False, repr=False, factory=dict)

    @classmethod
    def from_document(
        cls, document: Mapping[str, Any], *, source: str = "own_names.json"
    ) -> OwnNameTable:
        """Build from the document ``scripts/build_synonyms.py`` writes (PRD-8.6).

        The provenance and the shape of the document are checked here, each municipality's
        names when they are first asked for; problems are reported in an
        :class:`~digimaat.errors.InputError` with the file and the JSON pointer.
        """
        from digimaat._serial import converter

        collector = ProblemCollector(source=source)
        if not isinstance(document, Mapping):
            raise InputError([Problem("document", _NO_VALUE, "must be an object", source)])
        for key in sorted(set(document) - {"provenance", "municipalities"}):
            collector.add(Problem(key, _NO_VALUE, "unknown key"), "")
        provenance = None
        with collector.catching(location="/provenance"):
            provenance = _structure(converter(), document.get("provenance"), OwnNameProvenance)
        table = None
        with collector.catching(location="/municipalities"):
            table = cls(document.get("municipalities"), provenance, source=source)
        collector.raise_if_any()
        assert table is not None
        return table

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def municipalities(self) -> tuple[str, ...]:
        """The CBS codes of the municipalities the table has names for, in order."""
        return tuple(sorted(self._entries))

    def names(self, municipality: str) -> tuple[OwnName, ...]:
        """The own names of a municipality, by its CBS code; none for a code not in the table."""
        return tuple(self._names(municipality).values())

    def get(self, municipality: str, text: str) -> OwnName | None:
        """The own name of ``municipality`` whose normal form is that of ``text``, if any."""
        return self._names(municipality).get(normalise_key(text))

    def uris(self, municipality: str) -> frozenset[str]:
        """The URIs of every product the own names of a municipality name."""
        return frozenset(uri for name in self.names(municipality) for uri in name.uris)

    def _names(self, municipality: str) -> dict[str, OwnName]:
        """The names of one municipality by normal form, checked and built on first use."""
        index = self._index.get(municipality)
        if index is not None:
            return index
        from digimaat._serial import converter

        collector = ProblemCollector(source=self.source)
        index = {}
        for position, entry in enumerate(self._entries.get(municipality, ())):
            where = f"/municipalities/{municipality}/{position}"
            with collector.catching(location=where):
                name = entry if isinstance(entry, OwnName) else None
                if name is None:
                    name = _structure(converter(), entry, OwnName)
                form = normalise_key(name.text)
                if not form:
                    raise InvalidValueError("text", name.text, "has no letter or digit")
                if form in index:
                    raise InvalidValueError(
                        "text", name.text, f"has the normal form of {index[form].text!r} (PRD-7.1)"
                    )
                index[form] = name
        collector.raise_if_any()
        self._index[municipality] = index
        return index


_OWN_NAMES_FILE = "own_names.json.xz"
_OWN_NAMES_MAX_BYTES = 64 * 1024 * 1024
"""The most the packaged own-name table may decompress to (it is about 2 MB)."""


@functools.cache
def reference_own_names() -> OwnNameTable:
    """The packaged own-name table of the reference catalogue (PRD-8.4), loaded once.

    Derived by ``scripts/build_synonyms.py``, with the synonym table, from the Samenwerkende
    Catalogi harvest kept in ``data/sc/``; xz-compressed JSON, keyed by CBS code. Its
    provenance is :attr:`OwnNameTable.provenance`.
    """
    packed = resources.files("digimaat.data").joinpath(_OWN_NAMES_FILE).read_bytes()
    decompressor = lzma.LZMADecompressor()
    text = decompressor.decompress(packed, max_length=_OWN_NAMES_MAX_BYTES)
    if not decompressor.eof:  # pragma: no cover - the packaged file is far smaller
        raise InputError(
            [Problem("document", _NO_VALUE, "decompresses to too many bytes", _OWN_NAMES_FILE)]
        )
    return OwnNameTable.from_document(json.loads(text), source=_OWN_NAMES_FILE)


@attrs.frozen
class Resolution:
    """What a product key resolves to: a product, or why there is none (PRD-7.2).

    :meth:`Catalogue.lookup` returns one without raising, so a reader can resolve each
    distinct key once and report every problem; :meth:`Catalogue.resolve` raises
    :meth:`error` instead.
    """

    key: Any
    """The key as given."""
    product: Product | None = None
    """The product, or ``None``."""
    via: str = ""
    """How the key matched: ``"uri"``, ``"key"``, ``"name"``, ``"synonym"`` or ``"own name"``
    (a title of the municipality's own records, PRD-8.4); empty if not."""
    matched: str = ""
    """The name, key, synonym or own name that matched, as the catalogue writes it."""
    candidates: tuple[str, ...] = ()
    """For an ambiguous key, the URIs of the products it names, most likely first."""
    listing: str = ""
    """For an ambiguous key, the candidates as the error message lists them."""
    suggestions: tuple[str, ...] = ()
    """For an unknown key, the URIs of close matches (PRD-7.3)."""
    municipality: str = ""
    """The CBS code whose own names decided (PRD-7.2, step 5): for a key found as an own
    name or ambiguous among one municipality's own names; empty otherwise."""

    @property
    def found(self) -> bool:
        """Whether the key resolved to a product."""
        return self.product is not None

    def error(self, field: str = "product") -> UnknownProductError | AmbiguousProductError:
        """The error that :meth:`Catalogue.resolve` raises for this key (not for a found one)."""
        if self.product is not None:
            raise ValueError("the key resolved; there is no error")
        if self.candidates:
            return AmbiguousProductError(field, self.key, self.candidates, self.listing)
        return UnknownProductError(field, self.key, self.suggestions)

    def problem(self, field: str = "product") -> Problem | None:
        """The problem to report for this key, with its candidates or suggestions, if any."""
        return None if self.product is not None else self.error(field).problem


class MatchRank(enum.IntEnum):
    """How well a search matched a product (PRD-7.4); lower is better."""

    EXACT = 1
    """The query is the name, key or synonym (in normal form)."""
    PREFIX = 2
    """The name, key or synonym begins with the query."""
    WORDS = 3
    """Every word of the query occurs in the name, key or synonym."""
    FUZZY = 4
    """The query is a near miss of the name, key or synonym (a suggestion, PRD-7.3)."""

    @property
    def label(self) -> str:
        """The rank's name as printed: ``exact``, ``prefix``, ``all words`` or ``fuzzy``."""
        return "all words" if self is MatchRank.WORDS else self.name.lower()


_VIA_ORDER = {"name": 0, "key": 1, "synonym": 2, "own name": 2, "ambiguous name": 3}


@attrs.frozen
class SearchHit:
    """One product found by :meth:`Catalogue.search`, with what matched it (PRD-7.4)."""

    product: Product
    rank: MatchRank
    matched: str
    """The name, key or synonym that matched, as written."""
    via: str
    """What matched: ``"name"``, ``"key"``, ``"synonym"`` or ``"ambiguous name"`` (a name
    municipalities use for this product and others)."""
    municipalities: int = 0
    """For a synonym or an ambiguous name, how many municipalities use it for this product."""


class _Entry:
    """A normal form under which a product can be found (a plain class: built in bulk)."""

    __slots__ = ("form", "municipalities", "product", "text", "via")

    def __init__(
        self, form: str, product: Product, via: str, text: str, municipalities: int = 0
    ) -> None:
        self.form = form
        self.product = product
        self.via = via
        self.text = text
        self.municipalities = municipalities

    def __repr__(self) -> str:
        return f"_Entry({self.form!r}, {self.product.uri!r}, {self.via!r}, {self.text!r})"

    def order(self) -> tuple[int, int, int, str, str]:
        """Sort key: names, keys, synonyms, ambiguous names; more municipalities; shorter."""
        return (
            _VIA_ORDER[self.via],
            -self.municipalities,
            len(self.form),
            self.form,
            self.product.uri,
        )


_SEARCH_MIN_MUNICIPALITIES = 2
"""A search finds a product under a name municipalities use for several products only when at
least this many municipalities use the name for it (PRD-7.4)."""

_LEADING_WORDS = 12
"""The most words of a key whose leading runs :meth:`Catalogue.search_leading` tries."""

_MAX_SUGGEST = 200
"""Keys longer than this (in normal form) get no suggestions: the work per key is bounded."""

_TRIGRAM = 3
"""The distance :meth:`_NearIndex.scored` gives a match found by trigrams only."""

_DICE_CUTOFF = 0.5
"""Trigram similarity (Dice) a match needs when no name is within two edits (PRD-7.3)."""


def _trigrams(form: str) -> frozenset[str]:
    padded = f"  {form} "
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


def _within_one(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` are at most one edit apart (insertion, deletion,
    substitution, or a transposition of two adjacent characters)."""
    if len(a) < len(b):
        a, b = b, a
    if len(a) - len(b) > 1:
        return False
    i = 0
    shorter = len(b)
    while i < shorter and a[i] == b[i]:
        i += 1
    if len(a) != len(b):
        return a[i + 1 :] == b[i:]
    if i >= len(a) or a[i + 1 :] == b[i + 1 :]:
        return True
    return (
        a[i + 1 : i + 2] == b[i : i + 1] and a[i] == b[i + 1 : i + 2] and a[i + 2 :] == b[i + 2 :]
    )


class _NearIndex:
    """Near misses among the normal forms of a catalogue's names, keys and synonyms (PRD-7.3).

    Built once per catalogue, on first use. Two structures answer a query: every form and
    every form with one character deleted, so that any form within one edit of the query
    (and some within two) is found by at most ``len(query) + 1`` dictionary look-ups; and,
    built when first needed, the forms' character trigrams, for the queries that have no
    form that close.
    """

    def __init__(self, entries: Iterable[_Entry]) -> None:
        self.entries: list[_Entry] = []
        self.variants: defaultdict[str, list[int]] = defaultdict(list)
        self._postings: dict[str, list[int]] | None = None
        self._sizes: list[int] = []
        seen: set[tuple[str, str]] = set()
        variants = self.variants
        for entry in sorted(entries, key=_Entry.order):
            if entry.via == "ambiguous name" or (entry.form, entry.product.uri) in seen:
                continue
            seen.add((entry.form, entry.product.uri))
            index = len(self.entries)
            self.entries.append(entry)
            form = entry.form
            variants[form].append(index)
            for variant in {form[:i] + form[i + 1 :] for i in range(len(form))}:
                variants[variant].append(index)

    def near(self, form: str) -> list[_Entry]:
        """The entries near ``form``, best first: within one edit, then two, then by trigrams."""
        return [entry for _, entry in self.scored(form)]

    def scored(self, form: str, trigrams: bool = True) -> list[tuple[tuple[int, float], _Entry]]:
        """:meth:`near` with each entry's distance (0 to 2 edits, 3 for a trigram match) and
        negated Dice coefficient, by which two indexes' matches are merged (PRD-7.3).
        Without ``trigrams`` only the entries within two edits are looked for."""
        if not form or len(form) > _MAX_SUGGEST:
            return []
        found: dict[int, tuple[int, float]] = {}
        variants = {form, *(form[:i] + form[i + 1 :] for i in range(len(form)))}
        grams = frozenset[str]()
        for variant in variants:
            for index in self.variants.get(variant, ()):
                if index not in found:
                    grams = grams or _trigrams(form)
                    other = self.entries[index].form
                    distance = 0 if other == form else (1 if _within_one(form, other) else 2)
                    others = _trigrams(other)
                    dice = 2 * len(grams & others) / (len(grams) + len(others))
                    found[index] = (distance, -dice)
        if not found and trigrams:
            grams = _trigrams(form)
            postings = self._trigram_postings()
            shared: Counter[int] = Counter()
            for gram in grams:
                shared.update(postings.get(gram, ()))
            for index, count in shared.most_common(32):
                dice = 2 * count / (len(grams) + self._sizes[index])
                if dice >= _DICE_CUTOFF:
                    found[index] = (_TRIGRAM, -dice)
        ranked = sorted(found, key=lambda i: (*found[i], *self.entries[i].order()))
        return [(found[i], self.entries[i]) for i in ranked]

    def _trigram_postings(self) -> dict[str, list[int]]:
        """The entries by trigram of their form (built on first use)."""
        if self._postings is None:
            postings: defaultdict[str, list[int]] = defaultdict(list)
            for index, entry in enumerate(self.entries):
                grams = _trigrams(entry.form)
                self._sizes.append(len(grams))
                for gram in grams:
                    postings[gram].append(index)
            self._postings = postings
        return self._postings


@attrs.frozen(eq=False)
class Catalogue:
    """An immutable set of products, ordered by URI, with lookups (PRD-2, PRD-7).

    The reference catalogue is :func:`reference_catalogue`; :meth:`with_local` returns a new
    catalogue that also holds local products. ``synonyms`` is the catalogue's synonym table
    (PRD-8), or a function that returns it when it is first needed (the reference catalogue
    loads its packaged table so); every product a table names must be in the catalogue.
    ``own_names`` is, in the same way, the table of the titles each municipality publishes
    for its own products (PRD-8.4), which :meth:`lookup` consults only for a key given with
    a municipality that the national steps do not resolve; a municipality's names are
    checked against the catalogue when first used.

    The indexes behind :meth:`lookup`, :meth:`suggest` and :meth:`search` are built once
    per catalogue, when first needed: looking a product up by its URI needs none of them.
    """

    products: tuple[Product, ...] = attrs.field(converter=_sorted_products)
    provenance: Provenance | None = None
    _synonym_source: SynonymTable | Callable[[], SynonymTable] | None = attrs.field(
        default=None, kw_only=True, alias="synonyms", repr=False
    )
    _own_name_source: OwnNameTable | Callable[[], OwnNameTable] | None = attrs.field(
        default=None, kw_only=True, alias="own_names", repr=False
    )
    _by_uri: dict[str, Product] = attrs.field(init=False, repr=False)
    _lazy: dict[str, Any] = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        by_uri: dict[str, Product] = {}
        for product in self.products:
            if product.uri in by_uri:
                raise InvalidValueError(
                    "uri", product.uri, "appears more than once in the catalogue"
                )
            by_uri[product.uri] = product
        object.__setattr__(self, "_by_uri", by_uri)
        object.__setattr__(self, "_lazy", {})
        if isinstance(self._synonym_source, SynonymTable):
            self._check_synonyms(self._synonym_source)

    @classmethod
    def from_documents(
        cls,
        upl: Mapping[str, Any],
        additions: Mapping[str, Any],
        *,
        upl_source: str = "upl_gemeente.json",
        additions_source: str = "additions.json",
        synonyms: SynonymTable | Callable[[], SynonymTable] | None = None,
        own_names: OwnNameTable | Callable[[], OwnNameTable] | None = None,
    ) -> Catalogue:
        """Build a reference catalogue from the two package-data documents (PRD-2, PRD-4).

        ``upl`` is the extract written by ``scripts/build_catalogue.py`` (``provenance`` and
        ``products``); ``additions`` is ``{"products": [{"uri": ..., "name": ...,
        "required_assurance": ..., ...}]}``. Every problem in either document is reported
        together in one :class:`~digimaat.errors.InputError`, with the file and JSON pointer.
        ``synonyms`` and ``own_names`` are the catalogue's synonym table (PRD-8) and
        own-name table (PRD-8.4), as for the constructor.
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
        return cls(tuple(with_additions), provenance, synonyms=synonyms, own_names=own_names)

    def __len__(self) -> int:
        return len(self.products)

    def __iter__(self) -> Iterator[Product]:
        return iter(self.products)

    def __contains__(self, uri: object) -> bool:
        return uri in self._by_uri

    @property
    def synonyms(self) -> SynonymTable | None:
        """The catalogue's synonym table (PRD-8), loaded when first asked for; or ``None``."""
        if "synonyms" not in self._lazy:
            source = self._synonym_source
            table = source() if callable(source) else source
            if table is not None and table is not source:
                self._check_synonyms(table)
            self._lazy["synonyms"] = table
        table = self._lazy["synonyms"]
        assert table is None or isinstance(table, SynonymTable)
        return table

    @property
    def own_names(self) -> OwnNameTable | None:
        """The catalogue's own-name table (PRD-8.4), loaded when first asked for; or ``None``."""
        if "own names" not in self._lazy:
            source = self._own_name_source
            self._lazy["own names"] = source() if callable(source) else source
        table = self._lazy["own names"]
        assert table is None or isinstance(table, OwnNameTable)
        return table

    @property
    def has_own_names(self) -> bool:
        """Whether the catalogue has an own-name table, without loading it."""
        return self._own_name_source is not None

    def _own(self, municipality: str) -> OwnNameTable | None:
        """The own-name table, once the names of ``municipality`` are known to name only
        products of this catalogue; ``None`` without a table."""
        table = self.own_names
        if table is None or not isinstance(municipality, str):
            return None
        checked = f"own names of {municipality}"
        if checked not in self._lazy:
            missing = sorted(table.uris(municipality) - self._by_uri.keys())
            if missing:
                raise InvalidValueError(
                    f"own names of {municipality}",
                    missing,
                    "name products that are not in the catalogue",
                )
            self._lazy[checked] = True
        return table

    def _check_synonyms(self, table: SynonymTable) -> None:
        missing = sorted(table.uris() - self._by_uri.keys())
        if missing:
            raise InvalidValueError(
                "synonyms", missing, "name products that are not in the catalogue"
            )

    def get(self, uri: str, field: str = "product") -> Product:
        """The product with exactly this URI; an unknown URI raises with close matches suggested.

        Use :meth:`resolve` for a key written in any of the forms of PRD-7.2.
        """
        try:
            return self._by_uri[uri]
        except (KeyError, TypeError):
            raise UnknownProductError(field, uri, self.suggest(str(uri))) from None

    def by_name(self, name: object) -> Product:
        """The product with this name, compared in normal form (PRD-7.1), and nothing else."""
        found = self._exact("name").get(normalise_key(name), ()) if isinstance(name, str) else ()
        if len(found) == 1:
            return found[0]
        if found:
            raise AmbiguousProductError("name", name, [p.uri for p in found])
        raise UnknownProductError("name", name, self.suggest(str(name)))

    def lookup(
        self, key: object, *, municipality: str | None = None, suggestions: bool = True
    ) -> Resolution:
        """What ``key`` resolves to, without raising (PRD-7.2).

        The key is tried as a URI, then as a UPL key, then as a name, then as a synonym; the
        first that matches decides. A key that matches more than one product at that step,
        or a name municipalities use for several products, is ambiguous: the resolution
        lists the candidates and has no product. An unknown key gets suggestions (PRD-7.3).

        ``municipality`` (a CBS code) is the municipality whose offering the key names. A
        key that the steps above leave unresolved, unknown or an ambiguous name, is then
        compared with that municipality's own names (PRD-8.4): a title its own records link
        to one product resolves to it (``via`` ``"own name"``); one they link to several is
        ambiguous, with those products as candidates. Without a municipality, or for
        another municipality, own names change nothing.

        With ``suggestions`` false an unknown key gets none, which saves their cost for a
        caller that only needs to know whether the key resolves.

        >>> c = reference_catalogue()
        >>> c.lookup("HTTPS://standaarden.overheid.nl/owms/terms/paspoort/").via
        'uri'
        >>> r = c.lookup("Verhuizen")
        >>> r.product.name, r.via
        ('verhuismelding', 'synonym')
        >>> c.lookup("id-kaart").candidates[0]
        'http://standaarden.overheid.nl/owms/terms/identiteitskaart'
        >>> c.lookup("Terras plaatsen").found
        False
        >>> delft = c.lookup("Terras plaatsen", municipality="GM0503")
        >>> delft.product.name, delft.via, delft.municipality
        ('terrasvergunning', 'own name', 'GM0503')
        """
        if not isinstance(key, str):
            return Resolution(key)
        product = self._by_uri.get(key) or self._by_uri.get(key.strip())
        if product is not None:
            return Resolution(key, product, "uri", product.uri)
        upl = canonical_upl_uri(key)
        if upl is not None:
            product = self._by_uri.get(upl)
            if product is not None:
                return Resolution(key, product, "uri", product.uri)
            found = self._exact("key").get(normalise_key(upl[_NS:]), ())
            return self._pick(key, "uri", found, suggestions)
        form = normalise_key(key)
        if not form:
            return Resolution(key)
        for step in ("key", "name"):
            found = self._exact(step).get(form, ())
            if found:
                return self._pick(key, step, found, suggestions)
        table = self.synonyms
        entry = None if table is None else table.get(form)
        if isinstance(entry, Synonym):
            return Resolution(key, self._by_uri[entry.uri], "synonym", entry.text)
        own = None if municipality is None else self._own(municipality)
        if own is not None and municipality is not None:
            name = own.get(municipality, key)
            if name is not None:
                return self._own_resolution(key, municipality, name)
        if isinstance(entry, AmbiguousName):
            first, *others = entry.candidates
            shown = [
                f"{first.product} (used so by {first.municipalities} "
                f"municipalit{'y' if first.municipalities == 1 else 'ies'})",
                *(f"{c.product} ({c.municipalities})" for c in others[: _LISTED - 1]),
            ]
            if len(others) >= _LISTED:
                shown.append(f"and {len(others) - _LISTED + 1} more")
            return Resolution(
                key,
                candidates=tuple(c.uri for c in entry.candidates),
                listing=", ".join(shown),
            )
        if not suggestions:
            return Resolution(key)
        return Resolution(key, suggestions=tuple(self.suggest(key, municipality=municipality)))

    def _own_resolution(self, key: str, municipality: str, name: OwnName) -> Resolution:
        """What an own name of ``municipality`` makes of ``key`` (PRD-7.2, step 5)."""
        if name.product is not None:
            product = self._by_uri[UPL_NAMESPACE + name.product]
            return Resolution(key, product, "own name", name.text, municipality=municipality)
        shown = list(name.products[:_LISTED])
        if len(name.products) > _LISTED:
            shown.append(f"and {len(name.products) - _LISTED} more")
        return Resolution(
            key,
            candidates=name.uris,
            listing=f"{', '.join(shown)} (all linked to this title by the own records "
            f"of {municipality})",
            municipality=municipality,
        )

    def _pick(
        self, key: str, via: str, found: Sequence[Product], suggestions: bool = True
    ) -> Resolution:
        if len(found) == 1:
            product = found[0]
            matched = product.name if via == "name" else product.uri
            return Resolution(key, product, via, matched)
        if found:
            return Resolution(key, candidates=tuple(p.uri for p in found))
        if not suggestions:
            return Resolution(key)
        return Resolution(key, suggestions=tuple(self.suggest(key)))

    def resolve(
        self, key: str, field: str = "product", *, municipality: str | None = None
    ) -> Product:
        """The product ``key`` names, in any of the forms of PRD-7.2, or an error.

        ``municipality`` (a CBS code) lets that municipality's own names resolve a key the
        national steps leave unresolved, as for :meth:`lookup`.

        Raises :class:`~digimaat.errors.AmbiguousProductError` (with the candidates) or
        :class:`~digimaat.errors.UnknownProductError` (with suggestions); the error's
        ``problem`` carries them too. :meth:`lookup` answers without raising.

        >>> c = reference_catalogue()
        >>> c.resolve("bezafspr").name
        'bezoekafspraak'
        >>> c.resolve("  Rijbewijs-AANVRAGEN ").uri
        'http://standaarden.overheid.nl/owms/terms/rijbAanvraag'
        """
        resolution = self.lookup(key, municipality=municipality)
        if resolution.product is None:
            raise resolution.error(field)
        return resolution.product

    def suggest(self, text: str, n: int = 3, *, municipality: str | None = None) -> list[str]:
        """Close matches for a key that is not in the catalogue, as URIs, best first (PRD-7.3).

        The matches come from an index of the normal forms of the products' names, keys and
        synonyms, built once per catalogue: a look-up costs microseconds, whatever the size
        of the catalogue. With ``municipality`` (a CBS code) the own names of that
        municipality that name one product are close matches too (PRD-8.4), from an index
        of its own built on first use.

        >>> c = reference_catalogue()
        >>> c.suggest("parkeervergunnig")
        ['http://standaarden.overheid.nl/owms/terms/parkeervergunning']
        >>> misspelt = "Aanmelden gesprek voor jeugdhlp"  # a title of Delft's
        >>> c.suggest(misspelt), c.suggest(misspelt, municipality="GM0503")
        ([], ['http://standaarden.overheid.nl/owms/terms/jeugdhulp'])
        """
        if not isinstance(text, str):
            return []
        upl = canonical_upl_uri(text)
        form = normalise_key(upl[_NS:] if upl is not None else text)
        scored = self._scored(form)
        if upl is None and municipality is not None:
            own = self._own_near(municipality)
            if own is not None:
                close = any(distance < _TRIGRAM for (distance, _), _ in scored)
                scored = scored + own.scored(form, trigrams=not close)
                if any(distance < _TRIGRAM for (distance, _), _ in scored):
                    scored = [item for item in scored if item[0][0] < _TRIGRAM]
                scored.sort(key=lambda item: (*item[0], *item[1].order()))
        out: list[str] = []
        for _, entry in scored:
            if entry.product.uri not in out:
                out.append(entry.product.uri)
                if len(out) == n:
                    break
        return out

    def search(self, query: object) -> list[SearchHit]:
        """Products for the words of ``query``, best first, with what matched (PRD-7.4).

        A product matches when the query, in normal form, is one of its names, keys or
        synonyms (exact), begins one (prefix), or has every word in one (all words); when
        none matches so, the near misses of PRD-7.3 are listed (fuzzy). A product is listed
        once, at its best match.

        >>> hits = reference_catalogue().search("id-kaart")
        >>> hits[0].product.name, hits[0].rank.label, hits[0].matched, hits[0].municipalities
        ('identiteitskaart', 'exact', 'ID-kaart', 9)
        """
        form = normalise_key(query) if isinstance(query, str) else ""
        if not form:
            return []
        words = form.split()
        best: dict[str, tuple[tuple[Any, ...], SearchHit]] = {}

        def consider(entry: _Entry, rank: MatchRank, order: tuple[Any, ...]) -> None:
            uri = entry.product.uri
            if uri not in best or order < best[uri][0]:
                hit = SearchHit(entry.product, rank, entry.text, entry.via, entry.municipalities)
                best[uri] = (order, hit)

        for entry in self._entries():
            if entry.form == form:
                rank = MatchRank.EXACT
            elif entry.form.startswith(form):
                rank = MatchRank.PREFIX
            elif all(word in entry.form for word in words):
                rank = MatchRank.WORDS
            else:
                continue
            consider(entry, rank, (rank, *entry.order()))
        if not best:
            for position, entry in enumerate(self._near().near(form)):
                if entry.product.uri not in best:
                    consider(entry, MatchRank.FUZZY, (MatchRank.FUZZY, position))
        return [hit for _, hit in sorted(best.values(), key=lambda item: item[0])]

    def search_leading(self, key: object, n: int = 3) -> tuple[str, list[SearchHit]]:
        """Products to check for a key that names none (XCH-18.4): those that a search
        (PRD-7.4) ranks exact or prefix for the longest run of two or more of the key's
        first words that finds any, at most ``n``, best first, and that run of words. Never
        the product of the key: a sheet's problem suggests them.

        The runs are looked up in the sorted normal forms of the catalogue's names, keys and
        synonyms, built once per catalogue, so a key costs a few binary searches; only its
        first 12 words are tried.

        >>> words, hits = reference_catalogue().search_leading("Afspraak maken of annuleren")
        >>> words, [hit.product.uri.rsplit("/", 1)[-1] for hit in hits]
        ('afspraak maken', ['bezafspr', 'rijbewijs'])
        """
        words = normalise_key(key).split()[:_LEADING_WORDS] if isinstance(key, str) else []
        index = self._lazy.get("sorted")
        if index is None:
            entries = sorted(self._entries(), key=lambda entry: entry.form)
            index = self._lazy["sorted"] = ([entry.form for entry in entries], entries)
        forms, entries = index
        for end in range(len(words), 1, -1):
            query = " ".join(words[:end])
            low = bisect.bisect_left(forms, query)
            high = bisect.bisect_left(forms, query + "\U0010ffff", low)
            if low == high:
                continue
            best: dict[str, tuple[tuple[Any, ...], SearchHit]] = {}
            for entry in entries[low:high]:
                rank = MatchRank.EXACT if entry.form == query else MatchRank.PREFIX
                order = (rank, *entry.order())
                uri = entry.product.uri
                if uri not in best or order < best[uri][0]:
                    hit = SearchHit(
                        entry.product, rank, entry.text, entry.via, entry.municipalities
                    )
                    best[uri] = (order, hit)
            ranked = sorted(best.values(), key=lambda item: item[0])
            return query, [hit for _, hit in ranked[:n]]
        return "", []

    def reference_products(self) -> tuple[Product, ...]:
        """The products that belong to the standard's reference catalogue."""
        return tuple(p for p in self.products if p.reference)

    def local_problems(self, *products: Product) -> list[Problem]:
        """Why these local products may not join the catalogue (PRD-6), all at once.

        A local product must not be marked as reference and must not reuse a URI, and
        neither its URI nor its name may resolve (PRD-7.2) to a reference product or to
        candidates among which there is one: a local product may not shadow a UPL URI, key,
        name or synonym. Local products may share a name; that name is then ambiguous.
        """
        problems: list[Problem] = []
        uris: set[str] = set()
        for product in products:
            if product.reference:
                problems.append(
                    Problem(
                        "reference",
                        True,
                        f"local product {product.uri!r} must not be marked as reference",
                    )
                )
                continue
            if product.uri in self._by_uri or product.uri in uris:
                problems.append(
                    Problem("uri", product.uri, "appears more than once in the catalogue")
                )
                continue
            uris.add(product.uri)
            for field, text in (("uri", product.uri), ("name", product.name)):
                resolution = self.lookup(text)
                named = (resolution.product.uri,) if resolution.product else resolution.candidates
                taken = tuple(uri for uri in named if self._by_uri[uri].reference)
                if taken:
                    problems.append(
                        Problem(
                            field,
                            text,
                            f"of local product {product.uri!r} already names "
                            f"{', '.join(taken)} ({resolution.via or 'a synonym'})",
                            clause="PRD-6.1",
                            suggestion="choose another",
                        )
                    )
                    break
        return problems

    def with_local(self, *products: Product) -> Catalogue:
        """A new catalogue with local products added (PRD-6).

        A local product must be marked as not part of the reference, must not reuse a URI
        already in the catalogue, and must not shadow a URI, key, name or synonym
        (:meth:`local_problems`). One problem raises
        :class:`~digimaat.errors.InvalidValueError`, several an
        :class:`~digimaat.errors.InputError`.
        """
        problems = self.local_problems(*products)
        if len(problems) == 1:
            problem = problems[0]
            error = InvalidValueError(problem.field, problem.value, problem.message)
            error.problem = problem
            raise error
        if problems:
            raise InputError(problems)
        return Catalogue(
            (*self.products, *products),
            self.provenance,
            synonyms=self._synonym_source,
            own_names=self._own_name_source,
        )

    # The indexes, each built on first use.

    def _exact(self, step: str) -> dict[str, tuple[Product, ...]]:
        """Products by the normal form of their UPL key (``"key"``) or name (``"name"``)."""
        index = self._lazy.get(step)
        if index is None:
            grouped: dict[str, list[Product]] = {}
            for product in self.products:
                if step == "name":
                    grouped.setdefault(normalise_key(product.name), []).append(product)
                elif product.uri.startswith(UPL_NAMESPACE):
                    grouped.setdefault(normalise_key(product.uri[_NS:]), []).append(product)
            grouped.pop("", None)
            index = {form: tuple(found) for form, found in grouped.items()}
            self._lazy[step] = index
        assert isinstance(index, dict)
        return index

    def _entries(self) -> list[_Entry]:
        """Every normal form a product can be found under: names, keys, synonyms, and the
        names municipalities use for several products."""
        entries = self._lazy.get("entries")
        if entries is None:
            entries = []
            for product in self.products:
                entries.append(_Entry(normalise_key(product.name), product, "name", product.name))
                if product.uri.startswith(UPL_NAMESPACE):
                    key = product.uri[_NS:]
                    entries.append(_Entry(normalise_key(key), product, "key", key))
            table = self.synonyms
            if table is not None:
                for synonym in table.synonyms:
                    product = self._by_uri[synonym.uri]
                    form = normalise_key(synonym.text)
                    entries.append(
                        _Entry(form, product, "synonym", synonym.text, synonym.municipalities)
                    )
                for name in table.ambiguous:
                    form = normalise_key(name.text)
                    for candidate in name.candidates:
                        if candidate.municipalities < _SEARCH_MIN_MUNICIPALITIES:
                            continue
                        entries.append(
                            _Entry(
                                form,
                                self._by_uri[candidate.uri],
                                "ambiguous name",
                                name.text,
                                candidate.municipalities,
                            )
                        )
            entries = [e for e in entries if e.form]
            self._lazy["entries"] = entries
        assert isinstance(entries, list)
        return entries

    def _near(self) -> _NearIndex:
        index = self._lazy.get("near")
        if index is None:
            index = _NearIndex(self._entries())
            self._lazy["near"] = index
        assert isinstance(index, _NearIndex)
        return index

    def _scored(self, form: str) -> list[tuple[tuple[int, float], _Entry]]:
        """The near misses of ``form`` in the catalogue's index, remembered for the last
        :data:`_REMEMBERED` forms: a key that fails in the offerings of many municipalities
        is compared with the catalogue once."""
        memory = self._lazy.get("scored")
        if memory is None:
            memory = self._lazy["scored"] = {}
        assert isinstance(memory, dict)
        found = memory.get(form)
        if found is None:
            if len(memory) >= _REMEMBERED:
                memory.clear()
            found = memory[form] = self._near().scored(form)
        return list(found)

    def _own_near(self, municipality: str) -> _NearIndex | None:
        """The near misses among the own names of a municipality that name one product."""
        table = self._own(municipality)
        if table is None:
            return None
        index = self._lazy.get(f"near {municipality}")
        if index is None:
            entries = [
                _Entry(
                    normalise_key(name.text), self._by_uri[name.uris[0]], "own name", name.text, 1
                )
                for name in table.names(municipality)
                if name.product is not None
            ]
            index = _NearIndex(entries)
            self._lazy[f"near {municipality}"] = index
        assert isinstance(index, _NearIndex)
        return index


_NS = len(UPL_NAMESPACE)
_REMEMBERED = 1024
"""How many keys' near misses a catalogue remembers (:meth:`Catalogue._scored`)."""
_LISTED = 5
"""An ambiguous key's message lists this many candidates; the error holds them all."""


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
    return Catalogue.from_documents(
        upl, extra, synonyms=reference_synonyms, own_names=reference_own_names
    )


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


guard(__name__)
