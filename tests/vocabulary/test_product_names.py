"""Tests of chapter PRD, products by the names people use: PRD-6.1, PRD-7 and PRD-8.

Grouped by clause. The synonym table is derived from the Samenwerkende Catalogi harvest kept
at ``data/sc/national-2023-10-18.tar.xz``; the rebuild test runs the script on it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import lzma
import subprocess
import sys
import tarfile
import unicodedata
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from digimaat.errors import (
    AmbiguousProductError,
    InputError,
    InvalidValueError,
    Problem,
    UnknownProductError,
)
from digimaat.vocabulary.products import (
    UPL_NAMESPACE,
    UPL_PLACEHOLDER,
    AmbiguousName,
    Candidate,
    Catalogue,
    MatchRank,
    Product,
    Resolution,
    Synonym,
    SynonymTable,
    canonical_upl_uri,
    normalise_key,
    reference_catalogue,
    reference_synonyms,
)

REPO = Path(__file__).resolve().parents[2]
HARVEST = REPO / "data" / "sc" / "national-2023-10-18.tar.xz"
SCRIPT = REPO / "scripts" / "build_synonyms.py"

CATALOGUE = reference_catalogue()
TABLE = reference_synonyms()
PRODUCTS = CATALOGUE.products


def _uri(key: str) -> str:
    return UPL_NAMESPACE + key


def _key(product: Product) -> str:
    return product.uri.removeprefix(UPL_NAMESPACE)


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_synonyms", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def script() -> ModuleType:
    return _script()


# ---------------------------------------------------------------------------- strategies
_ACCENTED = {
    "a": "áàäâ",
    "e": "éèëê",
    "i": "íìïî",
    "o": "óòöô",
    "u": "úùüû",
    "c": "ç",
    "n": "ñ",
}
_SEPARATORS = st.text(st.sampled_from(" \t-_.,/()'’:;!?"), min_size=1, max_size=3)


@st.composite
def variants(draw: st.DrawFn, text: str) -> str:
    """``text`` with random letter case, accents on its vowels, other punctuation between
    its words and surrounding white space or punctuation: the same text in normal form."""
    words = normalise_key(text).split()
    out = []
    for word in words:
        chars = []
        for ch in word:
            if ch in _ACCENTED and draw(st.booleans()):
                ch = draw(st.sampled_from(_ACCENTED[ch]))
            chars.append(ch.upper() if draw(st.booleans()) else ch)
        out.append("".join(chars))
    inner = [draw(_SEPARATORS) for _ in range(len(out) - 1)]
    joined = out[0] + "".join(sep + word for sep, word in zip(inner, out[1:], strict=True))
    before = draw(st.sampled_from(["", " ", "  ", "\t", "(", "- "]))
    after = draw(st.sampled_from(["", " ", " \n", ")", ".", "!"]))
    return before + joined + after


products = st.sampled_from(PRODUCTS)
synonyms = st.sampled_from(TABLE.synonyms)
ambiguous_names = st.sampled_from(TABLE.ambiguous)

_EDIT_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789 "


@st.composite
def one_edit(draw: st.DrawFn, form: str) -> str:
    """``form`` with one edit: a character inserted, deleted or replaced, or two adjacent
    characters swapped; never ``form`` itself in normal form."""
    kind = draw(st.sampled_from(["insert", "delete", "substitute", "transpose"]))
    if kind == "transpose" and len(form) < 2:
        kind = "insert"
    if kind == "insert":
        i = draw(st.integers(0, len(form)))
        edited = form[:i] + draw(st.sampled_from(_EDIT_ALPHABET)) + form[i:]
    elif kind == "delete":
        i = draw(st.integers(0, len(form) - 1))
        edited = form[:i] + form[i + 1 :]
    elif kind == "substitute":
        i = draw(st.integers(0, len(form) - 1))
        edited = form[:i] + draw(st.sampled_from(_EDIT_ALPHABET)) + form[i + 1 :]
    else:
        i = draw(st.integers(0, len(form) - 2))
        edited = form[:i] + form[i + 1] + form[i] + form[i + 2 :]
    assume(normalise_key(edited) not in ("", form))
    return edited


# ---------------------------------------------------------------------------- PRD-6.1
class TestPRD61LocalProductsDoNotShadow:
    @pytest.mark.parametrize(
        ("uri", "name", "field", "taken"),
        [
            ("urn:gm0622:product:1", "Paspoort", "name", "paspoort"),
            ("urn:gm0622:product:1", "RIJBAANVRAAG", "name", "rijbAanvraag"),
            ("urn:gm0622:product:1", "rijbewijs - aanvragen", "name", "rijbAanvraag"),
            ("urn:gm0622:product:1", "Verhuizen", "name", "verhuismelding"),
            ("urn:gm0622:product:1", "parkeren", "name", "parkeervergunning"),
            (_uri("paspoort").replace("http:", "https:") + "/", "eigen", "uri", "paspoort"),
            ("paspoort", "eigen paspoort", "uri", "paspoort"),
        ],
    )
    def test_a_local_product_may_not_take_a_reference_key(
        self, uri: str, name: str, field: str, taken: str
    ) -> None:
        """PRD-6.1: a catalogue MUST reject a local product whose URI or name, read as a
        product key, already resolves to a reference product or is ambiguous among
        candidates that include one."""
        local = Product.local(uri, name)
        problems = CATALOGUE.local_problems(local)
        assert [p.field for p in problems] == [field]
        assert _uri(taken) in problems[0].message
        with pytest.raises(InvalidValueError, match="already names"):
            CATALOGUE.with_local(local)

    def test_every_problem_is_reported_at_once(self) -> None:
        """PRD-6.1 with the project's rule that all problems of an input are reported."""
        bad = [Product.local("urn:a", "Paspoort"), Product.local("urn:b", "VOG")]
        with pytest.raises(InputError) as caught:
            CATALOGUE.with_local(*bad, Product.local("urn:c", "eigen balie"))
        assert [p.value for p in caught.value.problems] == ["Paspoort", "VOG"]

    def test_local_products_resolve_by_uri_and_name(self) -> None:
        """PRD-6.1: a local product is found by its URI and by its name (PRD-7.2)."""
        local = Product.local("urn:gm0622:product:balieafspraak", "Afspraak balie")
        extended = CATALOGUE.with_local(local)
        assert extended.resolve("urn:gm0622:product:balieafspraak") is local
        assert extended.resolve(" urn:gm0622:product:balieafspraak ") is local
        assert extended.resolve("afspraak-BALIE") is local
        assert extended.lookup("afspraak balie").via == "name"
        assert extended.resolve("Verhuizen").name == "verhuismelding"  # synonyms kept

    def test_local_products_may_share_a_name_which_is_then_ambiguous(self) -> None:
        """PRD-6.1: local products MAY share a name with each other; such a name is then
        ambiguous and they are found by their URIs."""
        first = Product.local("urn:gm0606:product:stadspas-plus", "Stadspas plus")
        second = Product.local("urn:gm0622:product:stadspas-plus", "stadspas-plus")
        extended = CATALOGUE.with_local(first).with_local(second)
        resolution = extended.lookup("Stadspas Plus")
        assert resolution.product is None
        assert resolution.candidates == (first.uri, second.uri)
        assert extended.resolve(second.uri) is second


# ---------------------------------------------------------------------------- PRD-7.1
class TestPRD71NormalForm:
    @pytest.mark.parametrize(
        ("text", "form"),
        [
            ("  Melding   OPENBARE ruimte (Algemeen) ", "melding openbare ruimte algemeen"),
            ("melding_openbare_ruimte_(algemeen)", "melding openbare ruimte algemeen"),
            ("Financiële hulp", "financiele hulp"),
            ("ID-kaart", "id kaart"),
            ("Straße", "strasse"),
            ("ﬁets", "fiets"),
            ("’s-Hertogenbosch", "s hertogenbosch"),
            ("ĲSSELSTEIN", "ijsselstein"),
            ("---", ""),
            ("", ""),
        ],
    )
    def test_the_table_of_the_clause(self, text: str, form: str) -> None:
        """PRD-7.1: the examples of the clause's table."""
        assert normalise_key(text) == form

    @pytest.mark.property
    @given(st.text(max_size=40))
    def test_normal_form_is_a_normal_form(self, text: str) -> None:
        """PRD-7.1: "Keys, names and synonyms MUST be compared in normal form." The normal
        form of a normal form is itself; it holds only letters, digits and single spaces
        between them; it does not change with the Unicode normalisation or the case folding
        of the text, nor with punctuation around it."""
        form = normalise_key(text)
        assert normalise_key(form) == form
        assert form == form.strip()
        assert "  " not in form
        for ch in form.replace(" ", ""):
            assert unicodedata.category(ch)[0] in "LN", ch
        for same in ("NFC", "NFD", "NFKC"):
            assert normalise_key(unicodedata.normalize(same, text)) == form
        assert normalise_key(text.casefold()) == form
        assert normalise_key(f" ({text}) ") == form

    def test_reference_names_and_keys_do_not_collide(self) -> None:
        """PRD-7.1: no two products of the reference catalogue share a name or a key in normal
        form, and no name of one equals the key of another."""
        owner: dict[str, str] = {}
        for product in PRODUCTS:
            for form in {normalise_key(product.name), normalise_key(_key(product))}:
                assert owner.setdefault(form, product.uri) == product.uri, form


# ---------------------------------------------------------------------------- PRD-7.2
class TestPRD72KeysAndOrder:
    @pytest.mark.property
    @given(products.flatmap(lambda p: st.tuples(st.just(p), variants(p.name))))
    def test_any_variant_of_a_name_resolves(self, case: tuple[Product, str]) -> None:
        """PRD-7.2: a product key MAY be the product's name, in normal form: any case, accent
        or punctuation variant of a name resolves to the same product."""
        product, variant = case
        assert CATALOGUE.resolve(variant) is product

    @pytest.mark.property
    @given(products.flatmap(lambda p: st.tuples(st.just(p), variants(_key(p)))))
    def test_any_variant_of_a_key_resolves(self, case: tuple[Product, str]) -> None:
        """PRD-7.2: a product key MAY be the last segment of its UPL URI, in normal form."""
        product, variant = case
        assert CATALOGUE.resolve(variant) is product

    @pytest.mark.property
    @given(synonyms.flatmap(lambda s: st.tuples(st.just(s), variants(s.text))))
    def test_any_variant_of_a_synonym_resolves(self, case: tuple[Synonym, str]) -> None:
        """PRD-7.2: a product key MAY be a synonym (PRD-8), in normal form."""
        synonym, variant = case
        resolution = CATALOGUE.lookup(variant)
        assert resolution.product is not None
        assert resolution.product.uri == synonym.uri
        assert (resolution.via, resolution.matched) == ("synonym", synonym.text)

    @pytest.mark.property
    @given(
        products,
        st.sampled_from(["http", "https", "HTTP", "Https"]),
        st.sampled_from(["", "/"]),
        st.sampled_from(["", " ", "\t "]),
    )
    def test_any_written_form_of_a_upl_uri_resolves(
        self, product: Product, scheme: str, slash: str, space: str
    ) -> None:
        """PRD-7.2: a UPL URI MAY be written with https for http, with the scheme and host in
        any letter case and with a trailing slash."""
        written = f"{space}{scheme}://standaarden.overheid.nl/owms/terms/{_key(product)}{slash}"
        resolution = CATALOGUE.lookup(written + space)
        assert resolution.product is product
        assert resolution.via == "uri"
        assert canonical_upl_uri(written) == product.uri

    def test_a_upl_uri_is_only_ever_read_as_a_uri(self) -> None:
        """PRD-7.2: a text in the form of a UPL URI is only ever read as a URI (its last
        segment as a key, never as a name or a synonym)."""
        assert CATALOGUE.lookup(_uri("RIJBAANVRAAG")).product is CATALOGUE.get(_uri("rijbAanvraag"))
        for tail in ("rijbewijs aanvragen", "Verhuizen", "verhuismeldin"):
            resolution = CATALOGUE.lookup(_uri(tail))
            assert resolution.product is None
            assert not resolution.candidates
        assert CATALOGUE.lookup(_uri("verhuismeldin")).suggestions[0] == _uri("verhuismelding")

    def test_the_first_form_that_matches_decides(self) -> None:
        """PRD-7.2: the forms are tried in the order URI, key, name, synonym; the first that
        matches decides."""
        # A catalogue in which one text is a URI, a key, a name and a synonym of four
        # different products.
        by_uri = Product.local("paspoort", "eerste")
        by_key = Product.local(_uri("Paspoort"), "tweede")
        by_name = Product.local("urn:c", "PASPOORT")
        by_synonym = Product.local(_uri("reisdocument"), "vierde")
        table = SynonymTable([Synonym("paspoort!", "reisdocument", 2)])
        both = Catalogue((by_uri, by_key, by_name, by_synonym), synonyms=table)
        assert both.lookup("paspoort").product is by_uri
        assert both.lookup("Paspoort").product is by_key
        assert both.lookup("urn:c").product is by_name
        assert both.lookup("PASPOORT ").product is by_key  # key before name
        without_key = Catalogue((by_name, by_synonym), synonyms=table)
        assert without_key.lookup("Paspoort").product is by_name  # name before synonym
        assert Catalogue((by_synonym,), synonyms=table).lookup("Paspoort").via == "synonym"

    @pytest.mark.property
    @given(ambiguous_names.flatmap(lambda a: st.tuples(st.just(a), variants(a.text))))
    def test_an_ambiguous_name_never_resolves(self, case: tuple[AmbiguousName, str]) -> None:
        """PRD-7.2: "An ambiguous key MUST NOT be resolved: it is a problem that lists every
        candidate, by URI, most likely first." Any variant of a name municipalities use for
        several products resolves to none of them."""
        name, variant = case
        resolution = CATALOGUE.lookup(variant)
        assert resolution.product is None
        assert resolution.candidates == tuple(c.uri for c in name.candidates)
        counts = [c.municipalities for c in name.candidates]
        assert counts == sorted(counts, reverse=True)
        with pytest.raises(AmbiguousProductError) as caught:
            CATALOGUE.resolve(variant, field="product")
        assert caught.value.candidates == resolution.candidates

    @pytest.mark.property
    @given(st.text(st.sampled_from("balie!-_ BALIE"), min_size=1, max_size=12))
    def test_a_shared_name_never_resolves(self, text: str) -> None:
        """PRD-7.2: a key that matches more than one product at the step that decides is
        ambiguous and is not resolved."""
        c = Catalogue((Product.local("urn:a", "balie"), Product.local("urn:b", "Balie!")))
        resolution = c.lookup(text)
        assert resolution.product is None
        if normalise_key(text) == "balie":
            assert resolution.candidates == ("urn:a", "urn:b")
            with pytest.raises(AmbiguousProductError, match="more than one product"):
                c.resolve(text)
            with pytest.raises(AmbiguousProductError):
                c.by_name(text)

    def test_examples_of_the_issue(self) -> None:
        """PRD-7.2: `paspoort`, `Paspoort` and an https UPL URI are product keys."""
        passport = CATALOGUE.get(_uri("paspoort"))
        for key in ("paspoort", "Paspoort", "https://standaarden.overheid.nl/owms/terms/paspoort"):
            assert CATALOGUE.resolve(key) is passport
        assert CATALOGUE.resolve("Verhuizing doorgeven").uri == _uri("verhuismelding")
        assert CATALOGUE.resolve("parkeervergunning bewoners").uri == _uri("parkeervergunning")
        assert CATALOGUE.resolve("VOG").uri == _uri("verklaring_omtrent_gedrag_(vog)")
        with pytest.raises(AmbiguousProductError) as caught:
            CATALOGUE.resolve("id-kaart")
        assert caught.value.candidates[:2] == (_uri("identiteitskaart"), _uri("paspoort"))
        assert "identiteitskaart (used so by 9 municipalities), paspoort (1)" in str(caught.value)

    def test_lookup_does_not_raise_and_says_why(self) -> None:
        """PRD-7.2 and PRD-7.3: the non-raising lookup returns the product, the candidates or
        the suggestions, and the problem a reader reports."""
        found = CATALOGUE.lookup("brpuittr")
        assert (found.found, found.via, found.problem()) == (True, "key", None)
        with pytest.raises(ValueError, match="resolved"):
            found.error()
        unknown = CATALOGUE.lookup("paspoot")
        problem = unknown.problem("product")
        assert isinstance(problem, Problem)
        assert unknown.suggestions == (_uri("paspoort"),)
        assert problem.suggestion == f"did you mean: {_uri('paspoort')}?"
        assert isinstance(unknown.error(), UnknownProductError)
        for nothing in ("", "  ", "---", 42, None):
            resolution = CATALOGUE.lookup(nothing)
            assert resolution == Resolution(nothing)
            with pytest.raises(UnknownProductError):
                CATALOGUE.resolve(nothing)  # type: ignore[arg-type]

    def test_a_uri_lookup_needs_no_index(self) -> None:
        """Design note of PRD: looking up products by URI or key loads neither the synonym
        table nor the index of near misses."""
        code = (
            "from digimaat.vocabulary.products import reference_catalogue, reference_synonyms\n"
            "c = reference_catalogue()\n"
            "c.resolve('http://standaarden.overheid.nl/owms/terms/paspoort')\n"
            "c.resolve('Paspoort'); c.resolve('rijbewijs aanvragen')\n"
            "print(reference_synonyms.cache_info().currsize, sorted(c._lazy))\n"
            "c.resolve('Verhuizen')\n"
            "print(reference_synonyms.cache_info().currsize, sorted(c._lazy))\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.splitlines()
        assert out == ["0 ['key', 'name']", "1 ['key', 'name', 'synonyms']"]


# ---------------------------------------------------------------------------- PRD-7.3
class TestPRD73Suggestions:
    @pytest.mark.property
    @given(products.flatmap(lambda p: st.tuples(st.just(p), one_edit(normalise_key(p.name)))))
    def test_one_edit_from_a_name_is_suggested(self, case: tuple[Product, str]) -> None:
        """PRD-7.3: "a key one edit away from a product's name or key MUST have that product
        among the first three, unless three other products are at least as close.\""""
        product, near = case
        suggested = CATALOGUE.suggest(near)
        assert product.uri in suggested or _three_as_close(near, product)

    @pytest.mark.property
    @given(products.flatmap(lambda p: st.tuples(st.just(p), one_edit(normalise_key(_key(p))))))
    def test_one_edit_from_a_key_is_suggested(self, case: tuple[Product, str]) -> None:
        """PRD-7.3: the same for a key."""
        product, near = case
        suggested = CATALOGUE.suggest(near)
        assert product.uri in suggested or _three_as_close(near, product)

    @pytest.mark.property
    @given(products.flatmap(lambda p: st.tuples(st.just(p), one_edit(normalise_key(_key(p))))))
    def test_an_unknown_key_problem_carries_the_suggestions(
        self, case: tuple[Product, str]
    ) -> None:
        """PRD-7 and PRD-7.3: an unknown key raises UnknownProductError listing the
        suggestions, which its problem carries too."""
        _, near = case
        resolution = CATALOGUE.lookup(near)
        assume(resolution.product is None and not resolution.candidates)
        with pytest.raises(UnknownProductError) as caught:
            CATALOGUE.resolve(near)
        assert caught.value.suggestions == resolution.suggestions == tuple(CATALOGUE.suggest(near))
        hint = caught.value.problem.suggestion
        assert (hint is None) is (not resolution.suggestions)
        assert all(uri in (hint or "") for uri in resolution.suggestions)

    def test_suggestions_of_a_url_look_at_its_key(self) -> None:
        """PRD-7.3: a UPL URI that is not in the catalogue gets the suggestions of its key."""
        assert CATALOGUE.suggest(_uri("paspoort_"))[0] == _uri("paspoort")
        assert CATALOGUE.suggest("HTTPS://standaarden.overheid.nl/owms/terms/brpUitr/") == [
            _uri("brpUittr")
        ]

    def test_far_keys_get_trigram_matches_or_nothing(self) -> None:
        """PRD-7.3: only when nothing is within two edits, the products whose trigrams are
        most alike (Dice at least 0.5); an unlike key gets no suggestion."""
        assert CATALOGUE.suggest("xyzzy-nothing-like-it") == []
        assert CATALOGUE.suggest("melding openbare ruimte algemeen graag")[0] == _uri(
            "melding_openbare_ruimte_(algemeen)"
        )
        assert CATALOGUE.suggest("paspoort" * 30) == []  # over 200 characters: none
        assert CATALOGUE.suggest(42) == []  # type: ignore[arg-type]
        assert len(CATALOGUE.suggest("vergunnig", n=5)) <= 5

    def test_suggestions_are_never_applied(self) -> None:
        """PRD-7.3: a suggestion is never applied: it is only named in the problem."""
        with pytest.raises(UnknownProductError, match=r"did you mean: .*/parkeervergunning"):
            CATALOGUE.resolve("parkeervergunnig")


def _three_as_close(near: str, product: Product) -> bool:
    """Whether three other products have a name, key or synonym as close to ``near`` as
    ``product``'s closest (by edit distance, computed in full)."""
    form = normalise_key(near)

    def distance(a: str, b: str) -> int:
        previous = list(range(len(b) + 1))
        for i, ca in enumerate(a, 1):
            current = [i]
            for j, cb in enumerate(b, 1):
                current.append(
                    min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
                )
            previous = current
        return previous[-1]

    best: dict[str, int] = {}
    for entry in CATALOGUE._entries():
        if entry.via != "ambiguous name":
            d = distance(form, entry.form)
            best[entry.product.uri] = min(d, best.get(entry.product.uri, d))
    own = best[product.uri]
    return sum(1 for uri, d in best.items() if uri != product.uri and d <= own) >= 3


# ---------------------------------------------------------------------------- PRD-7.4
class TestPRD74Search:
    @pytest.mark.parametrize(
        ("query", "top", "rank", "via"),
        [
            ("paspoort", "paspoort", MatchRank.EXACT, "name"),
            ("id-kaart", "identiteitskaart", MatchRank.EXACT, "ambiguous name"),
            ("ID kaart", "identiteitskaart", MatchRank.EXACT, "ambiguous name"),
            ("verhuizing", "verhuismelding", MatchRank.EXACT, "synonym"),
            ("parkeren", "parkeervergunning", MatchRank.EXACT, "ambiguous name"),
            ("parkeervergunning bewoners", "parkeervergunning", MatchRank.EXACT, "synonym"),
            ("vog", "verklaring_omtrent_gedrag_(vog)", MatchRank.EXACT, "synonym"),
            ("rijbewijs aanv", "rijbAanvraag", MatchRank.PREFIX, "name"),
            (
                "kaart gehandicapten passagier",
                "gehandicaptenparkeerkaart_passagier",
                MatchRank.WORDS,
                "name",
            ),
            ("parkeervergunnig", "parkeervergunning", MatchRank.FUZZY, "name"),
        ],
    )
    def test_sensible_top_results(self, query: str, top: str, rank: MatchRank, via: str) -> None:
        """PRD-7.4: the search ranks exact > prefix > all words > fuzzy and says what matched;
        it finds "paspoort", "id-kaart", "verhuizing" and "parkeren"."""
        hit = CATALOGUE.search(query)[0]
        assert (_key(hit.product), hit.rank, hit.via) == (top, rank, via)

    def test_what_matched_is_shown(self) -> None:
        """PRD-7.4: each result says what matched: the synonym as municipalities write it
        and how many use it."""
        hit = CATALOGUE.search("verhuizen")[0]
        assert (hit.matched, hit.via, hit.municipalities) == ("Verhuizen", "synonym", 45)
        hit = CATALOGUE.search("parkeren")[0]
        assert (hit.matched, hit.municipalities) == ("Parkeren", 7)
        assert CATALOGUE.search("rijbgezverkl")[0].matched == "rijbGezVerkl"

    @pytest.mark.property
    @given(st.sampled_from(["rijbewijs", "vergunning", "afval", "kaart", "melding", "bijstand"]))
    def test_ranks_are_in_order_and_products_listed_once(self, query: str) -> None:
        """PRD-7.4: best rank first; a product is listed once, at its best match; within a
        rank a name before a key, a key before a synonym, a synonym before an ambiguous
        name."""
        hits = CATALOGUE.search(query)
        assert hits
        assert len({h.product.uri for h in hits}) == len(hits)
        order = {"name": 0, "key": 1, "synonym": 2, "ambiguous name": 3}
        keys = [(h.rank, order[h.via]) for h in hits]
        assert keys == sorted(keys)
        for hit in hits:
            form = normalise_key(hit.matched)
            expected = (
                MatchRank.EXACT
                if form == query
                else MatchRank.PREFIX
                if form.startswith(query)
                else MatchRank.WORDS
            )
            assert hit.rank == expected

    def test_fuzzy_only_when_nothing_better(self) -> None:
        """PRD-7.4: fuzzy matches are listed only when nothing matched in ranks 1 to 3."""
        assert {h.rank for h in CATALOGUE.search("paspoort")} <= {
            MatchRank.EXACT,
            MatchRank.PREFIX,
            MatchRank.WORDS,
        }
        fuzzy = CATALOGUE.search("paspoot")
        assert fuzzy
        assert {h.rank for h in fuzzy} == {MatchRank.FUZZY}
        assert CATALOGUE.search("") == CATALOGUE.search(" -- ") == []

    def test_one_off_candidates_of_ambiguous_names_are_not_searched(self) -> None:
        """PRD-7.4: an ambiguous name matches, in a search, the products that at least two
        municipalities use it for."""
        keys = [_key(h.product) for h in CATALOGUE.search("id-kaart") if h.via == "ambiguous name"]
        assert "identiteitskaart" in keys
        assert "paspoort" not in keys  # one municipality only


# ---------------------------------------------------------------------------- agreement
class TestPRD7ResolverAndIndexAgree:
    def test_every_entry_of_the_index_resolves_to_its_product(self) -> None:
        """PRD-7.2 and PRD-7.4: every name, key and synonym the search and the suggestions
        index resolves to its product, and every ambiguous name to its candidates."""
        for entry in CATALOGUE._entries():
            resolution = CATALOGUE.lookup(entry.text)
            if entry.via == "ambiguous name":
                assert entry.product.uri in resolution.candidates, entry
            else:
                assert resolution.product is entry.product, entry
            exact = [h for h in CATALOGUE.search(entry.text) if h.rank is MatchRank.EXACT]
            assert entry.product in [h.product for h in exact], entry

    @pytest.mark.property
    @given(st.sampled_from(CATALOGUE._entries()))
    def test_an_entry_is_its_own_closest_match(self, entry: Any) -> None:
        """PRD-7.3: a name, key or synonym that is in the index is its own nearest match."""
        if entry.via != "ambiguous name":
            assert CATALOGUE.suggest(entry.form, n=1) == [entry.product.uri]


# ---------------------------------------------------------------------------- PRD-8
class TestPRD8SynonymTable:
    def test_every_synonym_names_a_product_of_the_catalogue(self) -> None:
        """PRD-8: every synonym points to exactly one product of the catalogue; every
        ambiguous name has two or more candidates of the catalogue."""
        assert TABLE.uris() <= {p.uri for p in PRODUCTS}
        assert all(len(a.candidates) >= 2 for a in TABLE.ambiguous)
        assert UPL_PLACEHOLDER not in TABLE.uris()

    def test_the_rules_hold_for_every_entry(self) -> None:
        """PRD-8.1: no name shorter than 3 characters, equal to a UPL name or key, or given by
        fewer than 2 municipalities."""
        taken = {normalise_key(p.name) for p in PRODUCTS} | {
            normalise_key(_key(p)) for p in PRODUCTS
        }
        provenance = TABLE.provenance
        assert provenance is not None
        for entry in (*TABLE.synonyms, *TABLE.ambiguous):
            form = normalise_key(entry.text)
            assert len(form) >= provenance.min_length == 3
            assert form not in taken
        for synonym in TABLE.synonyms:
            assert synonym.municipalities >= provenance.min_municipalities == 2
        for name in TABLE.ambiguous:
            assert sum(c.municipalities for c in name.candidates) >= 2

    def test_provenance_matches_the_clause(self) -> None:
        """PRD-8.3: the provenance table of the clause."""
        p = TABLE.provenance
        assert p is not None
        assert p.md5 == "4ff43678a30daeb751913a4197732329"
        assert p.harvested == "2023-10-18"
        assert p.catalogue_md5 == CATALOGUE.provenance.md5  # type: ignore[union-attr]
        assert (p.records, p.municipal_records, p.municipalities) == (51568, 51388, 342)
        assert (p.links, p.links_repaired, p.links_placeholder, p.links_not_in_catalogue) == (
            43162,
            1567,
            5871,
            5999,
        )
        assert (p.records_linked, p.synonyms, p.short_forms, p.ambiguous) == (28085, 1530, 129, 693)
        assert p.synonyms == len(TABLE.synonyms)
        assert p.short_forms == sum(s.kind == "short form" for s in TABLE.synonyms)
        assert p.ambiguous == len(TABLE.ambiguous)
        assert p.script == "scripts/build_synonyms.py"
        assert "not verified" in p.licence
        spec = (REPO / "specs" / "01-products.md").read_text(encoding="utf-8")
        for figure in ("51,568; 51,388; 342", "43,162; 1,567; 5,871; 5,999", "1,530 (129); 693"):
            assert figure in spec

    def test_the_harvest_is_the_recorded_copy(self) -> None:
        """PRD-8.3: the md5 of the harvest kept in the repository is the recorded one."""
        assert HARVEST.exists(), f"the harvest is missing: {HARVEST}"
        assert hashlib.md5(HARVEST.read_bytes()).hexdigest() == TABLE.provenance.md5  # type: ignore[union-attr]

    def test_a_malformed_table_is_reported_with_pointers(self) -> None:
        """PRD-8.3: the packaged table is read with every problem reported at once."""
        document = json.loads(_packaged())
        document["synonyms"][0]["municipalities"] = 0
        document["synonyms"][2]["product"] = "a/b"
        document["ambiguous"][1]["candidates"] = document["ambiguous"][1]["candidates"][:1]
        document["extra"] = 1
        with pytest.raises(InputError) as caught:
            SynonymTable.from_document(document)
        where = sorted(str(p.location) for p in caught.value.problems)
        assert where == ["", "/ambiguous/1", "/synonyms/0", "/synonyms/2"]
        assert all(p.source == "synonyms.json" for p in caught.value.problems)

    @pytest.mark.parametrize("text", ["=HYPERLINK(1)", "+31", "@x", "- x", "a\x1b[2Jb", " a"])
    def test_names_are_safe_in_a_spreadsheet_and_a_terminal(self, text: str) -> None:
        """PRD-8 with the project's rule that output is safe in a spreadsheet or terminal:
        a name in the table has no control character and no leading =, +, - or @."""
        with pytest.raises(InvalidValueError, match="printable"):
            Synonym(text, "paspoort", 2)
        with pytest.raises(InvalidValueError, match="printable"):
            AmbiguousName(text, [Candidate("a", 2), Candidate("b", 1)])

    def test_two_entries_may_not_share_a_normal_form(self) -> None:
        """PRD-8 with PRD-7.1: two entries of a table may not share a normal form."""
        with pytest.raises(InvalidValueError, match="normal form"):
            SynonymTable(
                [Synonym("Verhuizen", "verhuismelding", 2)],
                [AmbiguousName("verhuizen!", [Candidate("a", 2), Candidate("b", 1)])],
            )
        with pytest.raises(InvalidValueError, match="not in the catalogue"):
            Catalogue(PRODUCTS[:3], synonyms=TABLE)


def _packaged() -> str:
    return resources.files("digimaat.data").joinpath("synonyms.json").read_text(encoding="utf-8")


# A small harvest: three responses, written as the zoekdienst writes them.
_RESPONSE = """<?xml version="1.0" encoding="UTF-8"?>
<searchRetrieveResponse xmlns="http://www.loc.gov/zing/srw/"><records>{records}</records>
</searchRetrieveResponse>"""
_RECORD = """<record><recordData><gzd xmlns="http://standaarden.overheid.nl/sru"><originalData>
<overheidproduct:scproduct xmlns:overheidproduct="http://standaarden.overheid.nl/product/terms/"
 xmlns:dcterms="http://purl.org/dc/terms/" xmlns:overheid="http://standaarden.overheid.nl/owms/terms/">
<overheidproduct:meta><overheidproduct:owmskern>
<dcterms:title><![CDATA[{title}]]></dcterms:title>
<overheid:authority scheme="overheid:{scheme}"
 resourceIdentifier="{authority}">x</overheid:authority>
</overheidproduct:owmskern><overheidproduct:scmeta>{links}</overheidproduct:scmeta>
</overheidproduct:meta></overheidproduct:scproduct></originalData>
<enrichedData><uniformeProductnaamUri>http://standaarden.overheid.nl/owms/terms/reisdocument</uniformeProductnaamUri></enrichedData>
</gzd></recordData></record>"""


def _record(authority: str, title: str, *uris: str, scheme: str = "Gemeente") -> str:
    links = "".join(
        f'<overheidproduct:uniformeProductnaam resourceIdentifier="{u}">x'
        "</overheidproduct:uniformeProductnaam>"
        for u in uris
    )
    return _RECORD.format(title=title, scheme=scheme, authority=authority, links=links)


def _harvest(path: Path, responses: dict[str, list[str]]) -> Path:
    with tarfile.open(path, "w:xz") as tar:
        for name, records in sorted(responses.items()):
            data = _RESPONSE.format(records="".join(records)).encode()
            info = tarfile.TarInfo(f"per-gemeente/{name}.xml")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


class TestPRD81Derivation:
    def test_the_rules_on_a_small_harvest(self, script: ModuleType, tmp_path: Path) -> None:
        """PRD-8.1 and PRD-8.2 on a harvest made for the test: municipal records only;
        repaired links; placeholder and unknown URIs skipped; a synonym needs every record
        that gives it and at least two municipalities; names and keys are not synonyms."""
        a, b, c, p = (f"{UPL_NAMESPACE}{n}" for n in ("GemA", "GemB", "GemC", "Prov_(provincie)"))
        move, passport, card = _uri("verhuismelding"), _uri("paspoort"), _uri("identiteitskaart")
        doubled = UPL_NAMESPACE + passport.replace("http:", "https:")
        harvest = _harvest(
            tmp_path / "harvest.tar.xz",
            {
                "A": [
                    _record(a, "Verhuizing doorgeven", move),
                    _record(
                        a,
                        "ID-kaart",
                        " hhttp://standaarden.overheid.nl/owms/terms/identiteitskaart",
                    ),
                    _record(a, "Reisdocumenten", passport, card),
                    _record(a, "Paspoort aanvragen", doubled),
                    _record(a, "Eenmalig", move),
                    _record(
                        a,
                        "Verklaring omtrent het gedrag (VOG)",
                        _uri("verklaring_omtrent_gedrag_(vog)"),
                    ),
                ],
                "B": [
                    _record(b, "verhuizing  doorgeven", move, _uri("AangifteVertrekBuitenland")),
                    _record(b, "ID kaart", passport),
                    _record(b, "Reisdocumenten", passport),
                    _record(b, "Niets", UPL_PLACEHOLDER, _uri("bestaat_niet")),
                    _record(b, "VOG aanvragen", _uri("verklaring_omtrent_gedrag_(vog)")),
                    _record(
                        b, "Verklaring omtrent het gedrag", _uri("verklaring_omtrent_gedrag_(vog)")
                    ),
                ],
                "C": [
                    _record(
                        p, "Verhuizing doorgeven", _uri("parkeervergunning"), scheme="Provincie"
                    ),
                    _record(c, "Paspoort", passport),
                    _record(c, "", move),
                ],
            },
        )
        document = script.build(harvest, CATALOGUE, check_md5=False)
        synonyms = {
            s["text"]: (s["product"], s["municipalities"], s["kind"]) for s in document["synonyms"]
        }
        ambiguous = {
            a["text"]: [(c["product"], c["municipalities"]) for c in a["candidates"]]
            for a in document["ambiguous"]
        }
        assert synonyms == {
            # both records link verhuismelding; the province's record is not read
            "Verhuizing doorgeven": ("verhuismelding", 2, "title"),
            "Verhuizing": ("verhuismelding", 2, "short form"),
            "Reisdocumenten": ("paspoort", 2, "title"),
            "Verklaring omtrent het gedrag": ("verklaring_omtrent_gedrag_(vog)", 2, "title"),
            "VOG": ("verklaring_omtrent_gedrag_(vog)", 2, "short form"),
        }
        # equally frequent spellings: the alphabetically first is shown
        assert ambiguous == {"ID kaart": [("identiteitskaart", 1), ("paspoort", 1)]}
        counts = document["provenance"]
        assert (counts["records"], counts["municipal_records"], counts["municipalities"]) == (
            15,
            14,
            3,
        )
        assert (counts["links_repaired"], counts["links_placeholder"]) == (2, 1)
        assert counts["links_not_in_catalogue"] == 1
        assert counts["files"] == 3
        # deterministic
        again = script.build(harvest, CATALOGUE, check_md5=False)
        assert script.render(again) == script.render(document)

    def test_repairs_of_the_known_quirks(self, script: ModuleType) -> None:
        """PRD-8.1: surrounding white space, hhttp, https and a doubled prefix are repaired."""
        passport = _uri("paspoort")
        for written in (
            f"  {passport} ",
            "hhttp://standaarden.overheid.nl/owms/terms/paspoort",
            "https://standaarden.overheid.nl/owms/terms/paspoort",
            UPL_NAMESPACE + passport,
            UPL_NAMESPACE + UPL_NAMESPACE + "paspoort",
            UPL_NAMESPACE + "https://standaarden.overheid.nl/owms/terms/paspoort/",
        ):
            assert script.repair_uri(written) == passport
        assert script.repair_uri(" urn:x ") == "urn:x"

    def test_titles_are_made_safe(self, script: ModuleType) -> None:
        """PRD-8.1: a title's white space is made single spaces; the table's text has no
        control characters and nothing a spreadsheet reads as a formula at its start."""
        assert script._display("  =Paspoort\x00\t aanvragen ,  nu\u200b ") == (
            "Paspoort aanvragen, nu"
        )

    def test_short_forms(self, script: ModuleType) -> None:
        """PRD-8.2: the examples of the clause's table."""
        assert script.short_forms("Verklaring omtrent het gedrag (VOG) aanvragen") == [
            "VOG",
            "Verklaring omtrent het gedrag aanvragen",
            "Verklaring omtrent het gedrag (VOG)",
            "Verklaring omtrent het gedrag",
        ]
        assert script.short_forms("Verhuizing doorgeven") == ["Verhuizing"]
        assert script.short_forms("Bewijs van in leven zijn (attestatie de vita)") == [
            "Bewijs van in leven zijn"
        ]
        assert script.short_forms("Melden") == []
        assert script.short_forms("Paspoort") == []

    def test_entities_are_refused(self, script: ModuleType, tmp_path: Path) -> None:
        """PRD-8.3: the script reads the XML with entities and document type declarations
        refused."""
        bomb = (
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">]>'
            b"<searchRetrieveResponse>&a;</searchRetrieveResponse>"
        )
        path = tmp_path / "bomb.tar.xz"
        with tarfile.open(path, "w:xz") as tar:
            info = tarfile.TarInfo("per-gemeente/Bomb.xml")
            info.size = len(bomb)
            tar.addfile(info, io.BytesIO(bomb))
        with pytest.raises(ValueError, match="DTD"):
            script.build(path, CATALOGUE, check_md5=False)

    def test_another_copy_needs_its_own_provenance(
        self, script: ModuleType, tmp_path: Path
    ) -> None:
        """PRD-8.3: the script refuses a harvest with another md5 unless a new source and
        harvest date are given."""
        harvest = _harvest(tmp_path / "other.tar.xz", {"A": []})
        with pytest.raises(ValueError, match="md5"):
            script.build(harvest, CATALOGUE)
        assert script.main([str(harvest), "-o", str(tmp_path / "out.json")]) == 1
        assert (
            script.main(
                [
                    str(harvest),
                    "-o",
                    str(tmp_path / "out.json"),
                    "--source",
                    "test",
                    "--harvested",
                    "2024-01-01",
                ]
            )
            == 0
        )
        written = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
        assert written["provenance"]["source"] == "test"
        assert written["synonyms"] == written["ambiguous"] == []


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder into which the script wrote both tables from the harvest (read once)."""
    assert HARVEST.exists(), f"the harvest is missing: {HARVEST}"
    folder = tmp_path_factory.mktemp("rebuilt")
    subprocess.run(
        [sys.executable, str(SCRIPT), str(HARVEST), "--output", str(folder / "synonyms.json")],
        check=True,
        capture_output=True,
    )
    return folder


class TestPRD83Rebuild:
    def test_rebuild_reproduces_the_packaged_file(self, rebuilt: Path) -> None:
        """PRD-8.3: "running python scripts/build_synonyms.py national-2023-10-18.tar.xz on
        the harvest with the recorded md5 MUST reproduce the packaged file byte for byte.\""""
        assert (rebuilt / "synonyms.json").read_text(encoding="utf-8") == _packaged()


class TestPRD86Rebuild:
    def test_rebuild_reproduces_the_packaged_own_name_table(self, rebuilt: Path) -> None:
        """PRD-8.6: the own-name table "MUST be derived by that script alone, from the same
        reading of the harvest as the synonym table, and deterministically: running the
        script on the harvest with the recorded md5 MUST reproduce the packaged file byte
        for byte" (the JSON document, and the xz file that holds it)."""
        written = (rebuilt / "own_names.json.xz").read_bytes()
        packaged = resources.files("digimaat.data").joinpath("own_names.json.xz").read_bytes()
        assert lzma.decompress(written) == lzma.decompress(packaged)
        assert written == packaged
