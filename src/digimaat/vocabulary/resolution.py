"""What a product key resolves to, and the index of near misses (PRD-7)."""

from __future__ import annotations

import bisect
import enum
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from digimaat._boundary import guard
from digimaat._classes import shared_eq, shared_repr
from digimaat.errors import (
    AmbiguousProductError,
    Problem,
    UnknownProductError,
)
from digimaat.vocabulary.products import UPL_NAMESPACE, Product, normalise_key

if TYPE_CHECKING:  # pragma: no cover - the product names are imported when first needed
    from digimaat.vocabulary.product_names import OwnNameTable, SynonymTable

__all__ = [
    "MatchRank",
    "Resolution",
    "SearchHit",
]


@attrs.frozen
@shared_repr
@shared_eq
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
@shared_repr
@shared_eq
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


# The indexes of a catalogue's lookups, built by the catalogue on first use.


def best_hits(
    matches: Iterable[tuple[_Entry, MatchRank, tuple[Any, ...]]],
) -> list[SearchHit]:
    """One hit per product, at its best match, best first: ``matches`` are an entry, how it
    matched and the order of that match (least first)."""
    best: dict[str, tuple[tuple[Any, ...], SearchHit]] = {}
    for entry, rank, order in matches:
        uri = entry.product.uri
        if uri not in best or order < best[uri][0]:
            hit = SearchHit(entry.product, rank, entry.text, entry.via, entry.municipalities)
            best[uri] = (order, hit)
    return [hit for _, hit in sorted(best.values(), key=lambda item: item[0])]


_LEADING_WORDS = 12
"""The most words of a key whose leading runs :class:`_LeadingIndex` tries."""


class _LeadingIndex:
    """The sorted normal forms of a catalogue's names, keys and synonyms, for the products
    to check for a key that names none (XCH-18.4): a key costs a few binary searches."""

    def __init__(self, entries: list[_Entry]) -> None:
        self.entries = sorted(entries, key=lambda entry: entry.form)
        self.forms = [entry.form for entry in self.entries]

    def leading(self, key: object, n: int) -> tuple[str, list[SearchHit]]:
        """The longest run of two or more of the key's first words that an exact or prefix
        search finds, and the products it finds (at most ``n``, best first)."""
        words = normalise_key(key).split()[:_LEADING_WORDS] if isinstance(key, str) else []
        for end in range(len(words), 1, -1):
            query = " ".join(words[:end])
            low = bisect.bisect_left(self.forms, query)
            high = bisect.bisect_left(self.forms, query + "\U0010ffff", low)
            if low == high:
                continue
            found = (
                (entry, MatchRank.EXACT if entry.form == query else MatchRank.PREFIX)
                for entry in self.entries[low:high]
            )
            return query, best_hits((e, rank, (rank, *e.order())) for e, rank in found)[:n]
        return "", []


def _exact_index(products: Iterable[Product], step: str) -> dict[str, tuple[Product, ...]]:
    """Products by the normal form of their UPL key (``"key"``) or name (``"name"``)."""
    grouped: dict[str, list[Product]] = {}
    for product in products:
        if step == "name":
            grouped.setdefault(normalise_key(product.name), []).append(product)
        elif product.uri.startswith(UPL_NAMESPACE):
            grouped.setdefault(normalise_key(product.uri[_NS:]), []).append(product)
    grouped.pop("", None)
    return {form: tuple(found) for form, found in grouped.items()}


def _index_entries(
    products: Iterable[Product], table: SynonymTable | None, by_uri: Mapping[str, Product]
) -> list[_Entry]:
    """Every normal form a product can be found under: names, keys, synonyms, and the
    names municipalities use for several products."""
    entries = []
    for product in products:
        entries.append(_Entry(normalise_key(product.name), product, "name", product.name))
        if product.uri.startswith(UPL_NAMESPACE):
            key = product.uri[_NS:]
            entries.append(_Entry(normalise_key(key), product, "key", key))
    if table is not None:
        for synonym in table.synonyms:
            product = by_uri[synonym.uri]
            form = normalise_key(synonym.text)
            entries.append(_Entry(form, product, "synonym", synonym.text, synonym.municipalities))
        for name in table.ambiguous:
            form = normalise_key(name.text)
            for candidate in name.candidates:
                if candidate.municipalities < _SEARCH_MIN_MUNICIPALITIES:
                    continue
                entries.append(
                    _Entry(
                        form,
                        by_uri[candidate.uri],
                        "ambiguous name",
                        name.text,
                        candidate.municipalities,
                    )
                )
    return [e for e in entries if e.form]


def _own_entries(
    table: OwnNameTable, municipality: str, by_uri: Mapping[str, Product]
) -> list[_Entry]:
    """The own names of a municipality that name one product (PRD-8.4), as entries."""
    return [
        _Entry(normalise_key(name.text), by_uri[name.uris[0]], "own name", name.text, 1)
        for name in table.names(municipality)
        if name.product is not None
    ]


_NS = len(UPL_NAMESPACE)


guard(__name__)
