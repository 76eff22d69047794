"""Tests of chapter PRD, a municipality's own names: PRD-7.2 (step 5), PRD-7.3, PRD-8.4 to
PRD-8.6.

Grouped by clause. The packaged own-name table is derived, with the synonym table, from the
Samenwerkende Catalogi harvest kept at ``data/sc/national-2023-10-18.tar.xz``; the rebuild
test of PRD-8.6 is beside the one of PRD-8.3, in ``test_product_names.py``, so that the
script reads the harvest once for both.
"""

from __future__ import annotations

import functools
import importlib.util
import io
import json
import lzma
import tarfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from digimaat.errors import AmbiguousProductError, InputError, InvalidValueError
from digimaat.vocabulary.products import (
    UPL_NAMESPACE,
    AmbiguousName,
    Candidate,
    Catalogue,
    OwnName,
    OwnNameTable,
    Product,
    Resolution,
    Synonym,
    SynonymTable,
    normalise_key,
    reference_catalogue,
    reference_own_names,
    reference_synonyms,
)

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "build_synonyms.py"

CATALOGUE = reference_catalogue()
OWN = reference_own_names()
NATIONAL = Catalogue(CATALOGUE.products, CATALOGUE.provenance, synonyms=reference_synonyms())
"""The reference catalogue without own names."""

DELFT = "GM0503"
MAASSLUIS = "GM0556"

# Delft's own titles (harvest of 2023-10-18): each linked by Delft's records to one product,
# and each refused nationally, as ambiguous or as unknown (the acceptance test of issue 12).
DELFT_TITLES = {
    "Paspoort aanvragen": ("paspoort", "ambiguous"),
    "Uittreksel BRP": ("brpUittr", "ambiguous"),
    "Verhuizing melden": ("verhuismelding", "unknown"),
    "Terras plaatsen": ("terrasvergunning", "ambiguous"),
    "Geboorte aangeven": ("geboorteaangifte", "ambiguous"),
    "Melding over de buitenruimte": ("melding_openbare_ruimte_(algemeen)", "unknown"),
}


def _uri(key: str) -> str:
    return UPL_NAMESPACE + key


def _outcome(resolution: Resolution) -> tuple[Any, ...]:
    """Everything a resolution says, comparable."""
    product = resolution.product.uri if resolution.product is not None else None
    return (
        product,
        resolution.via,
        resolution.matched,
        resolution.candidates,
        resolution.listing,
        resolution.suggestions,
        resolution.municipality,
    )


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


# A small catalogue with tables made for the tests.
A, B, C = (_uri(key) for key in ("produktA", "produktB", "produktC"))
SMALL = (Product(A, "alpha"), Product(B, "beta"), Product(C, "gamma"))


def _small(
    names: dict[str, list[OwnName]],
    synonyms: SynonymTable | None = None,
    local: tuple[Product, ...] = (),
) -> Catalogue:
    catalogue = Catalogue(SMALL, synonyms=synonyms, own_names=OwnNameTable(names))
    return catalogue.with_local(*local) if local else catalogue


MUNICIPALITIES = st.sampled_from(OWN.municipalities)
SOME = (DELFT, MAASSLUIS, "GM0363", "GM0599", "GM0014", "GM0546", "GM0606")
"""Municipalities (Schiedam, GM0606, without own names) whose catalogues are cached below."""


@functools.cache
def only(municipality: str) -> Catalogue:
    """The reference catalogue with the own names of one municipality only."""
    table = OwnNameTable({municipality: list(OWN.names(municipality))})
    return Catalogue(
        CATALOGUE.products, CATALOGUE.provenance, synonyms=reference_synonyms(), own_names=table
    )


@st.composite
def own_names(
    draw: st.DrawFn, single: bool | None = None, unnamed: bool = False
) -> tuple[str, OwnName]:
    """A municipality and one of its own names (one naming one product, or several; or,
    with ``unnamed``, one its records link to the placeholder only)."""
    code = draw(MUNICIPALITIES)
    names = [
        n
        for n in OWN.names(code)
        if n.unnamed is unnamed and (single is None or (n.product is not None) is single)
    ]
    assume(names)
    return code, draw(st.sampled_from(names))


# ---------------------------------------------------------------------------- PRD-7.2
class TestPRD72Step5OwnNames:
    @pytest.mark.parametrize("title", DELFT_TITLES)
    def test_delfts_titles_name_its_products(self, title: str) -> None:
        """PRD-7.2, step 5: "An own name that the municipality's own records link to exactly
        one product resolves to that product", where the national steps leave the key
        ambiguous or unknown."""
        key, nationally = DELFT_TITLES[title]
        national = CATALOGUE.lookup(title)
        assert national.product is None
        assert bool(national.candidates) is (nationally == "ambiguous")
        own = CATALOGUE.lookup(title, municipality=DELFT)
        assert own.product is not None
        assert own.product.uri == _uri(key)
        assert (own.via, own.matched, own.municipality) == ("own name", title, DELFT)
        assert CATALOGUE.resolve(f"  {title.upper()} ", municipality=DELFT) is own.product

    @pytest.mark.property
    @given(own_names(single=True))
    def test_every_own_name_of_one_product_resolves_for_its_municipality(
        self, case: tuple[str, OwnName]
    ) -> None:
        """PRD-7.2, step 5 over the whole table: an own name naming one product gives that
        product, unless the national steps already resolve the key (the first form that
        matches decides, and an own name cannot contradict a synonym: PRD-8.1)."""
        code, name = case
        national = CATALOGUE.lookup(name.text)
        resolution = CATALOGUE.lookup(name.text, municipality=code)
        assert resolution.product is not None
        if national.product is not None:
            assert resolution.product is national.product
            assert resolution.via == "synonym"
            assert name.uris[0] == national.product.uri
        else:
            assert resolution.product.uri == name.uris[0]
            assert resolution.via == "own name"

    @pytest.mark.property
    @given(own_names(single=False))
    def test_an_own_name_of_several_products_is_ambiguous_for_its_municipality(
        self, case: tuple[str, OwnName]
    ) -> None:
        """PRD-7.2: a key "is ambiguous ... when it is an own name that the municipality's
        records link to several products", with those products as its candidates, whatever
        step 4 found; unless a synonym resolves it first."""
        code, name = case
        national = CATALOGUE.lookup(name.text)
        resolution = CATALOGUE.lookup(name.text, municipality=code)
        if national.product is not None:
            assert resolution.product is national.product
            assert national.product.uri in name.uris  # every record agrees on it (PRD-8.1)
            return
        assert resolution.product is None
        assert resolution.candidates == name.uris
        assert resolution.municipality == code
        with pytest.raises(AmbiguousProductError) as caught:
            CATALOGUE.resolve(name.text, municipality=code)
        assert caught.value.candidates == name.uris
        assert f"own records of {code}" in str(caught.value)

    @pytest.mark.property
    @given(own_names(unnamed=True))
    def test_an_unnamed_own_name_keeps_the_outcome_of_step_4(
        self, case: tuple[str, OwnName]
    ) -> None:
        """PRD-7.2, step 5: "A key that is not an own name of the municipality, or is an
        unnamed own name (...), keeps the outcome of step 4": with the municipality the key
        resolves exactly as without it."""
        code, name = case
        national = CATALOGUE.lookup(name.text, suggestions=False)
        resolution = CATALOGUE.lookup(name.text, municipality=code, suggestions=False)
        assert resolution.product is national.product
        assert resolution.candidates == national.candidates
        assert resolution.via == national.via
        assert CATALOGUE.own_name(name.text, code) == name

    def test_delfts_appointment_title_is_unnamed(self) -> None:
        """PRD-8.4: Delft links "Afspraak maken of annuleren" to the placeholder only; it
        resolves to no product, and the search's products stay suggestions (PRD-7.3)."""
        own = CATALOGUE.own_name(" afspraak MAKEN of annuleren", DELFT)
        assert own == OwnName("Afspraak maken of annuleren", [])
        assert own.unnamed
        assert own.product is None
        assert own.uris == ()
        assert CATALOGUE.lookup("Afspraak maken of annuleren", municipality=DELFT).found is False
        assert CATALOGUE.own_name("Afspraak maken of annuleren", MAASSLUIS) is None

    def test_an_own_ambiguity_lists_the_municipalitys_candidates(self) -> None:
        """PRD-7.2: Maassluis links "Trouwen" to two products; nationally it names seven."""
        national = CATALOGUE.lookup("Trouwen")
        assert len(national.candidates) == 7
        resolution = CATALOGUE.lookup("trouwen", municipality=MAASSLUIS)
        assert resolution.candidates == (_uri("huwelijk"), _uri("huwelijksaangifte"))
        assert resolution.listing == (
            "huwelijk, huwelijksaangifte (all linked to this title by the own records of GM0556)"
        )

    def test_steps_1_to_4_decide_before_own_names(self) -> None:
        """PRD-7.2: the first form that matches decides; an own name is tried only when the
        key matched no URI, key or name, and is no synonym (PRD-8.5: it never overrides
        them)."""
        names = {
            "GM0001": [
                OwnName("beta", ["produktA"]),  # a name (step 3)
                OwnName("produktC", ["produktA"]),  # a key (step 2)
                OwnName("Verbergen", ["produktA"]),  # a synonym (step 4) of produktB
                OwnName("Twijfel", ["produktA"]),  # an ambiguous name (step 4)
                OwnName("Beide", ["produktA", "produktB"]),  # ambiguous for GM0001
            ]
        }
        table = SynonymTable(
            [Synonym("Verbergen", "produktB", 5)],
            [AmbiguousName("Twijfel", [Candidate("produktB", 3), Candidate("produktC", 2)])],
        )
        catalogue = _small(names, table)
        lookup = functools.partial(catalogue.lookup, municipality="GM0001")
        assert lookup("beta").product is catalogue.get(B)
        assert lookup("produktc").product is catalogue.get(C)
        assert lookup(UPL_NAMESPACE + "produktx").suggestions  # a URI is only a URI
        assert lookup(UPL_NAMESPACE + "produktx").via == ""
        assert (lookup("verbergen").via, lookup("verbergen").product) == ("synonym", SMALL[1])
        assert (lookup("twijfel").via, lookup("twijfel").product) == ("own name", SMALL[0])
        assert lookup("beide").candidates == (A, B)
        assert catalogue.lookup("twijfel").candidates == (B, C)  # without a municipality
        assert not catalogue.lookup("beide").candidates
        # a synonym that every record agrees on is never undone by an own ambiguity
        undecided = _small({"GM0001": [OwnName("Verbergen", ["produktB", "produktC"])]}, table)
        assert undecided.lookup("Verbergen", municipality="GM0001").product is SMALL[1]

    def test_a_local_products_name_comes_before_an_own_name(self) -> None:
        """PRD-7.2 with PRD-8.5: a local product is found by its name at step 3, before the
        own names of step 5."""
        local = Product.local("urn:gm0001:feest", "Straatfeest melden")
        catalogue = _small(
            {"GM0001": [OwnName("Straatfeest melden", ["produktA"])]}, None, (local,)
        )
        assert catalogue.lookup("Straatfeest melden", municipality="GM0001").product is local

    def test_a_key_that_is_no_own_name_keeps_the_national_outcome(self) -> None:
        """PRD-7.2, step 5: "A key that is not an own name of the municipality keeps the
        outcome of step 4"."""
        for key in ("ID-kaart", "Terras plaatsen", "parkeervergunnig", "xyzzy", ""):
            assert _outcome(CATALOGUE.lookup(key, municipality="GM0606")) == _outcome(
                CATALOGUE.lookup(key)
            )

    def test_own_names_are_loaded_only_when_a_key_needs_them(self) -> None:
        """PRD-8.4 design note: the table is read only for a key written for an offering that
        the national steps leave unresolved."""
        calls: list[int] = []

        def source() -> OwnNameTable:
            calls.append(1)
            return OWN

        catalogue = Catalogue(CATALOGUE.products, synonyms=reference_synonyms(), own_names=source)
        assert catalogue.has_own_names
        assert catalogue.lookup("paspoort", municipality=DELFT).via == "key"
        assert catalogue.lookup("Verhuizing doorgeven", municipality=DELFT).via == "synonym"
        assert catalogue.lookup("Terras plaatsen").candidates
        assert calls == []
        assert catalogue.lookup("Terras plaatsen", municipality=DELFT).via == "own name"
        assert catalogue.lookup("Geboorte aangeven", municipality=DELFT).via == "own name"
        assert calls == [1]
        assert catalogue.with_local().lookup("Terras plaatsen", municipality=DELFT).found


# ---------------------------------------------------------------------------- PRD-7.3
_EDITS = "abcdefghijklmnopqrstuvwxyz "


@st.composite
def one_edit(draw: st.DrawFn, form: str) -> str:
    """``form`` with one character inserted, deleted or replaced."""
    i = draw(st.integers(0, len(form) - 1))
    kind = draw(st.sampled_from(["insert", "delete", "substitute"]))
    if kind == "insert":
        edited = form[:i] + draw(st.sampled_from(_EDITS)) + form[i:]
    elif kind == "delete":
        edited = form[:i] + form[i + 1 :]
    else:
        edited = form[:i] + draw(st.sampled_from(_EDITS)) + form[i + 1 :]
    assume(normalise_key(edited) not in ("", form))
    return edited


def _distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


class TestPRD73OwnSuggestions:
    def test_an_own_name_is_suggested_for_its_municipality_only(self) -> None:
        """PRD-7.3: "the own names of the offering's municipality that name one product
        SHOULD be compared too"; another municipality's are not (PRD-8.5)."""
        near = "Aanmelden gesprek voor jeugdhlp"  # Delft's title, misspelt
        assert CATALOGUE.suggest(near) == []
        assert CATALOGUE.suggest(near, municipality="GM0606") == []
        assert CATALOGUE.suggest(near, municipality=DELFT) == [_uri("jeugdhulp")]
        resolution = CATALOGUE.lookup(near, municipality=DELFT)
        assert resolution.product is None
        assert resolution.suggestions == tuple(CATALOGUE.suggest(near, municipality=DELFT))
        assert "did you mean" in (resolution.problem().suggestion or "")  # type: ignore[union-attr]

    @pytest.mark.property
    @settings(max_examples=40)
    @given(
        st.sampled_from(SOME[:-1]).flatmap(
            lambda code: st.sampled_from(
                [n for n in OWN.names(code) if n.product is not None]
            ).flatmap(
                lambda name: st.tuples(
                    st.just(code), st.just(name), one_edit(normalise_key(name.text))
                )
            )
        )
    )
    def test_one_edit_from_an_own_name_is_suggested(self, case: tuple[str, OwnName, str]) -> None:
        """PRD-7.3 with the MUST of its one-edit rule, for an own name: the product is among
        the first three suggestions unless three other products are at least as close."""
        code, name, near = case
        resolution = CATALOGUE.lookup(near, municipality=code)
        assume(resolution.product is None and not resolution.candidates)
        if name.uris[0] in resolution.suggestions:
            return
        form = normalise_key(near)
        best: dict[str, int] = {}
        entries = [
            (e.form, e.product.uri) for e in CATALOGUE._entries() if e.via != "ambiguous name"
        ]
        entries += [(normalise_key(n.text), n.uris[0]) for n in OWN.names(code) if n.product]
        for other, uri in entries:
            d = _distance(form, other)
            best[uri] = min(d, best.get(uri, d))
        own = best[name.uris[0]]
        assert sum(1 for uri, d in best.items() if uri != name.uris[0] and d <= own) >= 3


# ---------------------------------------------------------------------------- PRD-8.4
class TestPRD84Table:
    def test_every_own_name_obeys_the_rules(self) -> None:
        """PRD-8.4 over the packaged table: names at least 3 characters in normal form, no
        UPL name or key, products of the catalogue, unique normal forms per municipality."""
        taken = {normalise_key(p.name) for p in CATALOGUE}
        taken |= {normalise_key(p.uri.removeprefix(UPL_NAMESPACE)) for p in CATALOGUE}
        total = ambiguous = unnamed = 0
        for code in OWN.municipalities:
            names = OWN.names(code)
            assert names, code
            forms = [normalise_key(n.text) for n in names]
            assert forms == sorted(forms)
            assert len(set(forms)) == len(forms)
            for name, form in zip(names, forms, strict=True):
                assert len(form) >= 3
                assert form not in taken
                assert all(uri in CATALOGUE for uri in name.uris)
            total += len(names)
            ambiguous += sum(len(n.products) > 1 for n in names)
            unnamed += sum(n.unnamed for n in names)
        p = OWN.provenance
        assert p is not None
        assert (total, ambiguous, unnamed) == (p.names, p.ambiguous, p.unnamed)

    def test_the_clauses_table_of_delft(self) -> None:
        """PRD-8.4: the table of the clause."""
        assert OWN.get(DELFT, "Paspoort aanvragen") == OwnName("Paspoort aanvragen", ["paspoort"])
        assert OWN.get(DELFT, "terras plaatsen").products == ("terrasvergunning",)  # type: ignore[union-attr]
        assert OWN.get(DELFT, "Verhuizing melden").products == ("verhuismelding",)  # type: ignore[union-attr]
        assert OWN.get(DELFT, "Afspraak maken of annuleren") == OwnName(
            "Afspraak maken of annuleren", []
        )
        assert CATALOGUE.lookup("Afspraak maken of annuleren", municipality=DELFT).found is False
        assert CATALOGUE.lookup("Paspoort aanvragen").candidates[:2] == (
            _uri("paspoort"),
            _uri("identiteitskaart"),
        )

    def test_the_rules_on_a_small_harvest(self, script: ModuleType, tmp_path: Path) -> None:
        """PRD-8.4 on a harvest made for the test: per CBS code (two authorities of one code
        are one municipality; an authority without a code is counted and not used); whole
        titles only; every product linked by a record with the title, most linked first; a
        UPL name or key left out; the most frequent spelling shown; provinces not read; a
        title only records linking the placeholder give kept without products (unnamed),
        and a record with another link beside the placeholder not used for it."""
        harvest = _harvest(tmp_path / "harvest.tar.xz", _SMALL_HARVEST)
        _, document = script.derive(harvest, CATALOGUE, authorities=_AUTHORITIES, check_md5=False)
        assert document["municipalities"] == {
            "GM9001": [
                {"text": "Paspoort aanvragen", "products": ["paspoort"]},
                {"text": "Reisdocumenten", "products": ["paspoort", "identiteitskaart"]},
                {"text": "Straatfeest melden", "products": []},
                {"text": "Verhuizing melden", "products": ["verhuismelding"]},
            ],
            "GM9002": [
                {"text": "Paspoort aanvragen", "products": ["identiteitskaart"]},
                {"text": "Reisdocumenten", "products": ["identiteitskaart", "paspoort"]},
            ],
        }
        counts = document["provenance"]
        assert counts["records_without_code"] == 1
        assert counts["records_linked"] == 11
        assert (counts["records_unnamed"], counts["unnamed_without_code"]) == (2, 0)
        assert (counts["names"], counts["ambiguous"], counts["municipalities"]) == (6, 2, 2)
        assert counts["unnamed"] == 1
        assert (counts["left_out_taken"], counts["left_out_short"]) == (1, 1)
        assert counts["authorities"] == "given by the caller"

    @pytest.mark.property
    @settings(max_examples=15)
    @given(st.randoms(use_true_random=False))
    def test_the_derivation_does_not_depend_on_the_order_of_records(
        self, script: ModuleType, tmp_path_factory: pytest.TempPathFactory, random: Any
    ) -> None:
        """PRD-8.6 (deterministic) and the project's order independence: the records in
        another order, spread over other files, give the same bytes (but for the md5 of the
        other file)."""
        records = [(name, record) for name, rs in _SMALL_HARVEST.items() for record in rs]
        random.shuffle(records)
        spread: dict[str, list[str]] = {}
        for index, (_, record) in enumerate(records):
            spread.setdefault(f"F{index % 3}", []).append(record)
        folder = tmp_path_factory.mktemp("order")
        first = _harvest(folder / "a.tar.xz", _SMALL_HARVEST)
        second = _harvest(folder / "b.tar.xz", spread)
        documents = [
            script.derive(path, CATALOGUE, authorities=_AUTHORITIES, check_md5=False)[1]
            for path in (first, second)
        ]
        assert documents[0]["provenance"].pop("md5") != documents[1]["provenance"].pop("md5")
        assert script.render_own_names(documents[0]) == script.render_own_names(documents[1])


# ---------------------------------------------------------------------------- PRD-8.5
class TestPRD85OnlyItsOwnMunicipality:
    @pytest.mark.property
    @given(own_names(), st.sampled_from(SOME), st.booleans())
    def test_an_own_name_never_changes_another_municipalitys_resolution(
        self, case: tuple[str, OwnName], other: str, edit: bool
    ) -> None:
        """PRD-8.5: an own name "MUST NOT change what a key resolves to for any other
        municipality": what a key gives another municipality is what it gives with that
        municipality's own names alone."""
        code, name = case
        assume(code != other)
        key = name.text + ("x" if edit else "")
        assert _outcome(CATALOGUE.lookup(key, municipality=other)) == _outcome(
            only(other).lookup(key, municipality=other)
        )

    @pytest.mark.property
    @given(own_names())
    def test_an_own_name_never_changes_a_key_without_a_municipality(
        self, case: tuple[str, OwnName]
    ) -> None:
        """PRD-8.5: nor "for a key written for no municipality", whether looked up,
        suggested or searched."""
        _, name = case
        assert _outcome(CATALOGUE.lookup(name.text)) == _outcome(NATIONAL.lookup(name.text))
        assert CATALOGUE.suggest(name.text) == NATIONAL.suggest(name.text)
        assert [h.product.uri for h in CATALOGUE.search(name.text)] == [
            h.product.uri for h in NATIONAL.search(name.text)
        ]

    @pytest.mark.property
    @given(own_names())
    def test_an_own_name_never_changes_the_national_steps(self, case: tuple[str, OwnName]) -> None:
        """PRD-8.5: it "MUST NOT change what steps 1 to 4 of PRD-7.2 resolve"."""
        code, name = case
        national = NATIONAL.lookup(name.text)
        if national.product is not None:
            assert CATALOGUE.lookup(name.text, municipality=code).product is national.product

    def test_local_products_are_checked_without_own_names(self) -> None:
        """PRD-8.5: a local product's name is a key written for no municipality (PRD-6.1),
        so it may be another municipality's own title."""
        local = Product.local("urn:gm0518:verhuizen", "Verhuizing melden")
        assert CATALOGUE.with_local(local).lookup("Verhuizing melden").product is local


# ---------------------------------------------------------------------------- PRD-8.6
class TestPRD86Provenance:
    def test_provenance_matches_the_clause(self) -> None:
        """PRD-8.6: the table of the clause, and the same source as the synonym table."""
        p = OWN.provenance
        assert p is not None
        synonyms = reference_synonyms().provenance
        assert synonyms is not None
        assert (p.source, p.harvested, p.md5, p.catalogue_md5) == (
            synonyms.source,
            synonyms.harvested,
            synonyms.md5,
            synonyms.catalogue_md5,
        )
        assert p.licence.startswith(synonyms.licence.rsplit("This table", 1)[0])
        assert "whose licence was not verified" in p.licence
        assert p.licence.endswith("not the records.")
        packaged = resources.files("digimaat.data").joinpath("sc_authorities.json").read_bytes()
        import hashlib

        assert p.authorities_md5 == hashlib.md5(packaged).hexdigest()
        assert "sc_authorities.json" in p.authorities
        assert (p.records_linked, p.records_without_code) == (28085, 0)
        assert (p.records_unnamed, p.unnamed_without_code) == (5797, 0)
        assert (p.municipalities, p.names, p.ambiguous, p.unnamed) == (339, 28597, 1318, 5581)
        assert (p.left_out_short, p.left_out_taken) == (3, 5169)
        assert (p.max_title, p.min_length, p.script) == (500, 3, "scripts/build_synonyms.py")
        assert len(OWN) == p.municipalities

    def test_a_malformed_table_is_reported_with_pointers(self) -> None:
        """PRD-8.6: the packaged table is read with every problem reported at once: the
        document's when it is read, a municipality's when its names are first used."""
        document = _packaged()
        document["extra"] = 1
        del document["provenance"]["names"]
        with pytest.raises(InputError) as caught:
            OwnNameTable.from_document(document, source="own.json")
        where = sorted(str(p.location) for p in caught.value.problems)
        assert where == ["", "/provenance"]
        assert all(p.source == "own.json" for p in caught.value.problems)

        document = _packaged()
        document["municipalities"]["gm503"] = []
        with pytest.raises(InputError) as caught:
            OwnNameTable.from_document(document)
        assert [p.location for p in caught.value.problems] == ["/municipalities"]

        document = _packaged()
        names = document["municipalities"][DELFT]
        names[0]["products"] = "paspoort"
        names[1]["text"] = "=HYPERLINK(1)"
        names[2]["text"] = names[3]["text"].upper()
        table = OwnNameTable.from_document(document, source="own.json")
        assert table.get(MAASSLUIS, "Trouwen") is not None  # another municipality is fine
        with pytest.raises(InputError) as caught:
            table.get(DELFT, "Paspoort aanvragen")
        where = [str(p.location) for p in caught.value.problems]
        assert where == [f"/municipalities/{DELFT}/{i}" for i in (0, 1, 3)]

    def test_names_must_be_of_the_catalogue(self) -> None:
        """PRD-8.4: the products of an own name are products of the catalogue; a table that
        names others is refused when the municipality is first used."""
        catalogue = Catalogue(
            SMALL, own_names=OwnNameTable({"GM0001": [OwnName("x y z", ["nope"])]})
        )
        assert catalogue.lookup("x y z", municipality="GM0002").found is False
        with pytest.raises(InvalidValueError, match="not in the catalogue"):
            catalogue.lookup("x y z", municipality="GM0001")

    @pytest.mark.parametrize(
        ("make", "match"),
        [
            (lambda: OwnName("Paspoort", "paspoort"), "a list of UPL keys"),
            (lambda: OwnName("Paspoort", ["paspoort", "paspoort"]), "repeat"),
            (lambda: OwnName("Paspoort", ["a/b"]), "UPL key"),
            (lambda: OwnName("@SUM(1)", ["paspoort"]), "printable"),
            (lambda: OwnNameTable({"0503": []}), "CBS code"),
        ],
    )
    def test_entries_are_checked(self, make: Callable[[], object], match: str) -> None:
        """PRD-8.4 with the project's rule that output is safe in a spreadsheet or terminal."""
        with pytest.raises(InvalidValueError, match=match):
            make()


def _packaged() -> dict[str, Any]:
    packed = resources.files("digimaat.data").joinpath("own_names.json.xz").read_bytes()
    document: dict[str, Any] = json.loads(lzma.decompress(packed))
    return document


# A small harvest: four responses, written as the zoekdienst writes them.
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
</overheidproduct:meta></overheidproduct:scproduct></originalData></gzd></recordData></record>"""


def _record(authority: str, title: str, *keys: str, scheme: str = "Gemeente") -> str:
    links = "".join(
        f'<overheidproduct:uniformeProductnaam resourceIdentifier="{_uri(k)}">x'
        "</overheidproduct:uniformeProductnaam>"
        for k in keys
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


_OLD, _NEW, _OTHER, _NONE, _PROVINCE = (
    _uri(n) for n in ("Oud_(gemeente)", "Nieuw", "Ander_(gemeente)", "Zonder", "Prov_(provincie)")
)


class _Mapping:
    """Authorities to CBS codes, as the packaged mapping answers (two URIs for one code)."""

    def __init__(self) -> None:
        self.codes = {_OLD: "GM9001", _NEW: "GM9001", _OTHER: "GM9002"}

    def code(self, uri: str) -> str | None:
        return self.codes.get(uri)


_AUTHORITIES = _Mapping()
_PLACEHOLDER = "UPL-naam_nog_niet_beschikbaar"
_SMALL_HARVEST = {
    "Oud": [
        _record(_OLD, "Paspoort aanvragen", "paspoort"),
        _record(_OLD, "Reisdocumenten", "paspoort", "identiteitskaart"),
        _record(_OLD, "Paspoort", "identiteitskaart"),  # a UPL name: left out
        _record(_OLD, "Straatfeest melden", _PLACEHOLDER),  # unnamed
        _record(_OLD, "Verhuizing melden", _PLACEHOLDER),  # another record links a product
    ],
    "Nieuw": [
        _record(_NEW, "paspoort  aanvragen", "paspoort"),
        _record(_NEW, "Reisdocumenten", "paspoort"),
        _record(_NEW, "Verhuizing melden", "verhuismelding"),
        _record(_NEW, "ID", "identiteitskaart"),  # too short
    ],
    "Ander": [
        _record(_OTHER, "Paspoort aanvragen", "identiteitskaart"),
        _record(_OTHER, "Reisdocumenten", "identiteitskaart"),
        _record(_OTHER, "Reisdocumenten", "identiteitskaart", "paspoort"),
        _record(_OTHER, "Zonder link"),
        _record(_OTHER, "Kermis", _PLACEHOLDER, "bestaat_niet"),  # a link beside it: not used
        _record(_PROVINCE, "Verhuizing melden", "parkeervergunning", scheme="Provincie"),
    ],
    "Zonder": [_record(_NONE, "Verhuizing melden", "verhuismelding")],
}
