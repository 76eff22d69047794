"""The names municipalities give their products: synonyms and own names (PRD-8)."""

from __future__ import annotations

import functools
import json
import lzma
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from digimaat._boundary import guard
from digimaat._classes import shared_eq, shared_repr
from digimaat._package import files
from digimaat.errors import (
    _NO_VALUE,
    DigimaatError,
    InputError,
    InvalidValueError,
    Problem,
    ProblemCollector,
    UnknownNameError,
)
from digimaat.vocabulary.products import (
    UPL_NAMESPACE,
    _non_empty,
    _structure_problems,
    normalise_key,
)

__all__ = [
    "AmbiguousName",
    "Candidate",
    "HarvestProvenance",
    "OwnName",
    "OwnNameProvenance",
    "OwnNameTable",
    "Synonym",
    "SynonymProvenance",
    "SynonymTable",
    "reference_own_names",
    "reference_synonyms",
]


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
@shared_repr
@shared_eq
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
@shared_repr
@shared_eq
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
@shared_repr
@shared_eq
class AmbiguousName:
    """A name that municipalities use for more than one product; it never resolves (PRD-8.1).

    Its candidates are ordered by the number of municipalities that use the name for each,
    most first, then by key.
    """

    text: str = attrs.field(validator=_shown_text)
    """The name as municipalities write it (its most frequent spelling)."""
    candidates: tuple[Candidate, ...] = attrs.field(converter=_candidates)


@attrs.frozen
@shared_repr
@shared_eq
class HarvestProvenance:
    """The harvest a packaged table of names was derived from (PRD-8.3, PRD-8.6)."""

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


@attrs.frozen
@shared_repr
@shared_eq
class SynonymProvenance(HarvestProvenance):
    """Where the packaged synonym table came from and how it was derived (PRD-8.3)."""

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
@shared_repr
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
    text = files("digimaat.data").joinpath(_SYNONYMS_FILE).read_text(encoding="utf-8")
    return SynonymTable.from_document(json.loads(text), source=_SYNONYMS_FILE)


_CBS_CODE = re.compile(r"GM[0-9]{4}")


def _key_list(value: Any) -> Any:
    """A list of keys as a tuple; a text (not a list) is left for the validator to refuse."""
    return value if isinstance(value, str | bytes) else tuple(value)


def _own_products(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple):
        raise InvalidValueError(attribute.name, value, "must be a list of UPL keys")
    for key in value:
        _upl_key_text(instance, attribute, key)
    if len(set(value)) != len(value):
        raise InvalidValueError(attribute.name, value, "must not repeat a product")


@attrs.frozen
@shared_repr
@shared_eq
class OwnName:
    """A title a municipality publishes in its own Samenwerkende Catalogi records, with the
    products those records link it to (PRD-8.4).

    It names a product for that municipality's offerings only, and only when its records link
    the title to exactly one product; a title they link to several is ambiguous for the
    municipality too (PRD-7.2, step 5). A title its records link to the placeholder only
    has no products: it is *unnamed*, a product the municipality says has no UPL name,
    which a sheet of that municipality reads as a local product (XCH-18.9).

    >>> own = OwnName("Verhuizing melden", ["verhuismelding"])
    >>> own.product, own.uris
    ('verhuismelding', ('http://standaarden.overheid.nl/owms/terms/verhuismelding',))
    >>> OwnName("Reisdocumenten", ["paspoort", "identiteitskaart"]).product is None
    True
    >>> OwnName("Afspraak maken of annuleren", []).unnamed
    True
    """

    text: str = attrs.field(validator=_shown_text)
    """The title as the municipality writes it (its most frequent spelling)."""
    products: tuple[str, ...] = attrs.field(converter=_key_list, validator=_own_products)
    """The UPL keys of the products the municipality's records link the title to, the one
    linked by most of those records first, then by key; none when they link the
    placeholder only."""

    @property
    def unnamed(self) -> bool:
        """Whether the municipality's records give the title no UPL name: they link it to
        the placeholder (PRD-2.2) only (PRD-8.4)."""
        return not self.products

    @property
    def product(self) -> str | None:
        """The UPL key of the one product the title names, or ``None`` when it names several."""
        return self.products[0] if len(self.products) == 1 else None

    @property
    def uris(self) -> tuple[str, ...]:
        """The URIs of the products, in the order of :attr:`products`."""
        return tuple(UPL_NAMESPACE + key for key in self.products)


@attrs.frozen
@shared_repr
@shared_eq
class OwnNameProvenance(HarvestProvenance):
    """Where the packaged own-name table came from and how it was derived (PRD-8.6)."""

    authorities: str = attrs.field(validator=_non_empty)
    """The correspondence of Samenwerkende Catalogi authorities and CBS codes it used."""
    authorities_md5: str
    """The md5 of the file that holds that correspondence."""
    records_linked: int
    """Municipal records with a title and at least one link to a product of the catalogue."""
    records_without_code: int
    """Of those, records whose authority has no CBS code in the correspondence, not used."""
    records_unnamed: int
    """Municipal records with a title whose every link is to the placeholder (PRD-2.2)."""
    unnamed_without_code: int
    """Of those, records whose authority has no CBS code in the correspondence, not used."""
    municipalities: int
    """Municipalities (CBS codes) with at least one own name."""
    names: int
    """Own names in the table, over all municipalities."""
    ambiguous: int
    """Of those, the names a municipality's records link to several products."""
    unnamed: int
    """Of those, the names its records link to the placeholder only (no products)."""
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
@shared_repr
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
    packed = files("digimaat.data").joinpath(_OWN_NAMES_FILE).read_bytes()
    decompressor = lzma.LZMADecompressor()
    text = decompressor.decompress(packed, max_length=_OWN_NAMES_MAX_BYTES)
    if not decompressor.eof:  # pragma: no cover - the packaged file is far smaller
        raise InputError(
            [Problem("document", _NO_VALUE, "decompresses to too many bytes", _OWN_NAMES_FILE)]
        )
    return OwnNameTable.from_document(json.loads(text), source=_OWN_NAMES_FILE)


guard(__name__)
