"""The reference catalogue and its lookups (specification chapter PRD: PRD-2, PRD-7)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from digimaat._boundary import guard
from digimaat._classes import shared_repr
from digimaat._package import collector_paused, files
from digimaat.errors import (
    _NO_VALUE,
    AmbiguousProductError,
    InputError,
    InvalidValueError,
    Problem,
    ProblemCollector,
    UnknownProductError,
)
from digimaat.vocabulary.products import (
    _UPL_RECORD_KEYS,
    DEFAULT_ADDITIONS,
    UPL_NAMESPACE,
    Additions,
    Audience,
    InteractionKind,
    LegalBasis,
    Product,
    Provenance,
    TaskType,
    _additions_from,
    _entries,
    _sorted_products,
    canonical_upl_uri,
    normalise_key,
)
from digimaat.vocabulary.resolution import (
    _TRIGRAM,
    MatchRank,
    Resolution,
    SearchHit,
    _Entry,
    _exact_index,
    _index_entries,
    _LeadingIndex,
    _NearIndex,
    _own_entries,
    best_hits,
)

if TYPE_CHECKING:  # pragma: no cover - the product names are imported when first needed
    from digimaat.vocabulary.product_names import OwnName, OwnNameTable, SynonymTable

__all__ = [
    "Catalogue",
    "reference_catalogue",
]


@attrs.frozen(eq=False)
@shared_repr
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
        source = self._synonym_source
        if source is not None and not callable(source):
            from digimaat.vocabulary.product_names import SynonymTable

            if isinstance(source, SynonymTable):
                self._check_synonyms(source)

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
        if table is None:
            return None
        from digimaat.vocabulary.product_names import SynonymTable

        assert isinstance(table, SynonymTable)
        return table

    @property
    def own_names(self) -> OwnNameTable | None:
        """The catalogue's own-name table (PRD-8.4), loaded when first asked for; or ``None``."""
        if "own names" not in self._lazy:
            source = self._own_name_source
            self._lazy["own names"] = source() if callable(source) else source
        table = self._lazy["own names"]
        if table is None:
            return None
        from digimaat.vocabulary.product_names import OwnNameTable

        assert isinstance(table, OwnNameTable)
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
        from digimaat.vocabulary.product_names import AmbiguousName, Synonym

        if isinstance(entry, Synonym):
            return Resolution(key, self._by_uri[entry.uri], "synonym", entry.text)
        own = None if municipality is None else self._own(municipality)
        if own is not None and municipality is not None:
            name = own.get(municipality, key)
            if name is not None and not name.unnamed:  # an unnamed title keeps step 4's outcome
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

    def own_name(self, key: str, municipality: str) -> OwnName | None:
        """The own name of ``municipality`` (a CBS code) that ``key`` is, in normal form
        (PRD-8.4), if the catalogue has an own-name table and the municipality that name.

        An *unnamed* own name (:attr:`~digimaat.vocabulary.product_names.OwnName.unnamed`)
        is a title the municipality's records link to the placeholder only: it resolves to
        no product (PRD-7.2, step 5), and a sheet of that municipality reads it as a local
        product (XCH-18.9).

        >>> from digimaat.vocabulary.products import reference_catalogue
        >>> own = reference_catalogue().own_name("afspraak maken of annuleren", "GM0503")
        >>> own.text, own.unnamed
        ('Afspraak maken of annuleren', True)
        >>> reference_catalogue().own_name("Afspraak maken of annuleren", "GM0518") is None
        True
        """
        table = self._own(municipality)
        return None if table is None else table.get(municipality, key)

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

        def matches() -> Iterator[tuple[_Entry, MatchRank, tuple[Any, ...]]]:
            for entry in self._entries():
                if entry.form == form:
                    rank = MatchRank.EXACT
                elif entry.form.startswith(form):
                    rank = MatchRank.PREFIX
                elif all(word in entry.form for word in words):
                    rank = MatchRank.WORDS
                else:
                    continue
                yield entry, rank, (rank, *entry.order())

        hits = best_hits(matches())
        if hits:
            return hits
        near = self._near().near(form)
        return best_hits(
            (entry, MatchRank.FUZZY, (MatchRank.FUZZY, position))
            for position, entry in enumerate(near)
        )

    def search_leading(self, key: object, n: int = 3) -> tuple[str, list[SearchHit]]:
        """Products to check for a key that names none (XCH-18.4): those that a search
        (PRD-7.4) ranks exact or prefix for the longest run of two or more of the key's
        first words that finds any, at most ``n``, best first, and that run of words. Never
        the product of the key: a sheet's problem suggests them. Only the key's first 12
        words are tried, each run by binary search in an index built once per catalogue.

        >>> words, hits = reference_catalogue().search_leading("Afspraak maken of annuleren")
        >>> words, [hit.product.uri.rsplit("/", 1)[-1] for hit in hits]
        ('afspraak maken', ['bezafspr', 'rijbewijs'])
        """
        index = self._lazy.get("leading")
        if index is None:
            index = self._lazy["leading"] = _LeadingIndex(self._entries())
        found: tuple[str, list[SearchHit]] = index.leading(key, n)
        return found

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
            index = self._lazy[step] = _exact_index(self.products, step)
        assert isinstance(index, dict)
        return index

    def _entries(self) -> list[_Entry]:
        """Every normal form a product can be found under: names, keys, synonyms, and the
        names municipalities use for several products."""
        entries = self._lazy.get("entries")
        if entries is None:
            entries = self._lazy["entries"] = _index_entries(
                self.products, self.synonyms, self._by_uri
            )
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
            index = _NearIndex(_own_entries(table, municipality, self._by_uri))
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
    data = files("digimaat.data")
    with collector_paused():  # tens of thousands of objects, none in a cycle
        upl = json.loads(data.joinpath(_UPL_FILE).read_text(encoding="utf-8"))
        extra = json.loads(data.joinpath(_ADDITIONS_FILE).read_text(encoding="utf-8"))
        return _reference(upl, extra)


def _reference(upl: Any, additions: Any) -> Catalogue:
    """The reference catalogue of the two package-data documents: restored
    (:func:`_packaged`) where they are in the form the package writes, else built with
    every check, which reports what is wrong."""
    try:
        return _packaged(upl, additions)
    except (KeyError, TypeError, ValueError, AttributeError):
        return Catalogue.from_documents(
            upl, additions, synonyms=_reference_synonyms, own_names=_reference_own_names
        )


_UPL_FILE = "upl_gemeente.json"
_ADDITIONS_FILE = "additions.json"


def _packaged(upl: Mapping[str, Any], additions: Mapping[str, Any]) -> Catalogue:
    """The reference catalogue restored from the package's own data, in about a fifth of
    the time :meth:`Catalogue.from_documents` takes to check it.

    Each product and legal basis is restored from its record field by field, as unpickling
    restores an object, without running its validators and converters again: the package
    data is what ``scripts/build_catalogue.py`` wrote and the tests read with every check
    (``from_documents``), and they check that both give the same catalogue. A record that
    is not exactly in the written form (a key more or less, a name of a flag that is not an
    exchange name) raises, and so do fields of the classes other than those restored; then
    :func:`reference_catalogue` builds the catalogue with every check, which says what is
    wrong. The additions, the provenance and the catalogue itself are built by their
    constructors.
    """
    if {a.name for a in attrs.fields(Product)} != _RESTORED or set(_BASIS_FIELDS) != {
        a.name for a in attrs.fields(LegalBasis)
    }:
        raise AttributeError("the fields of a product are not those restored")
    extra: dict[str, tuple[Any, Additions]] = {}
    for entry in additions["products"]:
        values = dict(entry)
        uri = values.pop("uri")
        name = values.pop("name", None)
        built = Additions(**values)
        if uri in extra or not built.reason.strip():
            raise ValueError(uri)
        extra[uri] = (name, built)
    sets: dict[Any, frozenset[Any]] = {}
    products = [_restored_product(record, sets, extra) for record in upl["products"]]
    if sum(product.additions is not DEFAULT_ADDITIONS for product in products) != len(extra):
        raise ValueError("additions of a product that is not in the extract")
    return Catalogue(
        tuple(products),
        Provenance(**upl["provenance"]),
        synonyms=_reference_synonyms,
        own_names=_reference_own_names,
    )


_NAMES = (
    ("audiences", {a.value: a for a in Audience}),
    ("task_types", {t.value: t for t in TaskType}),
    ("interaction_kinds", {k.value: k for k in InteractionKind}),
    ("upl_flags", None),
)
"""The fields of a product that are sets of names, with the members of their enumeration."""
_NO_NAMES: frozenset[Any] = frozenset()
_BASIS_FIELDS = ("uri", "label", "link")
"""The fields of a legal basis, the keys of its record."""
_RESTORED = frozenset(
    {"uri", "name", *(key for key, _ in _NAMES), "sdg_codes", "legal_bases", "additions"}
    | {"reference"}
)
"""The fields of a product that :func:`_restored_product` sets."""
_SET = object.__setattr__


def _restored_product(
    record: Mapping[str, Any],
    sets: dict[Any, frozenset[Any]],
    extra: Mapping[str, tuple[Any, Additions]],
) -> Product:
    """A product of the packaged UPL extract, restored from its record with its additions
    (``extra``: the name given with them, and them), see :func:`_packaged`; a record not in
    the written form raises, and so do additions given with another name. ``sets`` holds
    the sets of names made so far, which products share."""
    if record.keys() != _UPL_RECORD_KEYS:
        raise KeyError(record.get("uri"))
    name, additions = extra.get(record["uri"], (None, DEFAULT_ADDITIONS))
    if name is not None and name != record["name"]:
        raise ValueError(record["uri"])
    product = object.__new__(Product)
    _SET(product, "uri", record["uri"])
    _SET(product, "name", record["name"])
    for key, members in _NAMES:
        values = record[key]
        if not values:
            _SET(product, key, _NO_NAMES)
            continue
        given = (key, *values)
        found = sets.get(given)
        if found is None:
            found = sets[given] = frozenset(
                values if members is None else [members[value] for value in values]
            )
        _SET(product, key, found)
    _SET(product, "sdg_codes", tuple(record["sdg_codes"]))
    bases = record["legal_bases"]
    _SET(product, "legal_bases", tuple(_restored_basis(basis) for basis in bases) if bases else ())
    _SET(product, "additions", additions)
    _SET(product, "reference", True)
    return product


def _restored_basis(record: Mapping[str, Any]) -> LegalBasis:
    """A legal basis of a product of the packaged UPL extract (see :func:`_packaged`)."""
    if record.keys() != _BASIS_KEYS:
        raise KeyError(record.get("uri"))
    basis = object.__new__(LegalBasis)
    for name in _BASIS_FIELDS:
        _SET(basis, name, record[name])
    return basis


_BASIS_KEYS = frozenset(_BASIS_FIELDS)


def _reference_synonyms() -> SynonymTable:
    """The packaged synonym table (PRD-8), its module imported when it is first needed."""
    from digimaat.vocabulary.product_names import reference_synonyms

    return reference_synonyms()


def _reference_own_names() -> OwnNameTable:
    """The packaged own-name table (PRD-8.4), its module imported when it is first needed."""
    from digimaat.vocabulary.product_names import reference_own_names

    return reference_own_names()


guard(__name__)
