"""Tests of chapter PRD: products and the reference catalogue, grouped by clause.

The UPL export the catalogue is built from is kept in the repository, with its provenance,
at ``data/upl/UPL-actueel.csv``. The tests that need it fail, with a message saying so,
when it is missing: its checksum and the byte-for-byte rebuild are what PRD-3 promises.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
import re
import subprocess
import sys
from collections import Counter
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from digimaat.errors import (
    AmbiguousProductError,
    DigimaatError,
    InputError,
    InvalidValueError,
    UnknownProductError,
)
from digimaat.vocabulary.assurance import AssuranceLevel
from digimaat.vocabulary.maturity import MaturityLevel
from digimaat.vocabulary.offerings import Offering
from digimaat.vocabulary.products import (
    DEFAULT_ADDITIONS,
    UPL_NAMESPACE,
    UPL_PLACEHOLDER,
    Additions,
    Audience,
    Catalogue,
    InteractionKind,
    LegalBasis,
    Product,
    TaskType,
    reference_catalogue,
)

REPO = Path(__file__).resolve().parents[2]
SOURCE_CSV = REPO / "data" / "upl" / "UPL-actueel.csv"
SCRIPT = REPO / "scripts" / "build_catalogue.py"
SPEC = REPO / "specs" / "01-products.md"

# The seeded products (PRD-4), written out by hand from the clause and the spec's table.
SEEDED: dict[str, tuple[AssuranceLevel, bool, bool, MaturityLevel]] = {
    "paspoort": (AssuranceLevel.SUBSTANTIAL, True, True, MaturityLevel.ONLINE_SUBMISSION),
    "identiteitskaart": (AssuranceLevel.SUBSTANTIAL, True, True, MaturityLevel.ONLINE_SUBMISSION),
    "rijbAanvraag": (AssuranceLevel.SUBSTANTIAL, True, True, MaturityLevel.ONLINE_SUBMISSION),
    "rijbVerlengen": (AssuranceLevel.SUBSTANTIAL, False, True, MaturityLevel.FULLY_ONLINE),
    "brpUittr": (AssuranceLevel.SUBSTANTIAL, False, True, MaturityLevel.PREFILLED),
    "verhuismelding": (AssuranceLevel.SUBSTANTIAL, False, False, MaturityLevel.PREFILLED),
    "geboorteaangifte": (AssuranceLevel.SUBSTANTIAL, False, False, MaturityLevel.FULLY_ONLINE),
    "overlijdensaangifte": (AssuranceLevel.SUBSTANTIAL, False, False, MaturityLevel.FULLY_ONLINE),
    "parkeervergunning": (AssuranceLevel.LOW, False, True, MaturityLevel.FULLY_ONLINE),
    "gehandicaptenparkeerkaart": (
        AssuranceLevel.SUBSTANTIAL,
        False,
        True,
        MaturityLevel.FULLY_ONLINE,
    ),
    "evenementenvergunning": (AssuranceLevel.SUBSTANTIAL, False, True, MaturityLevel.FULLY_ONLINE),
    "omgevingsvergunning": (AssuranceLevel.SUBSTANTIAL, False, True, MaturityLevel.FULLY_ONLINE),
    "melding_openbare_ruimte_(algemeen)": (
        AssuranceLevel.NONE,
        False,
        False,
        MaturityLevel.FULLY_ONLINE,
    ),
    "bijstand": (AssuranceLevel.SUBSTANTIAL, False, False, MaturityLevel.FULLY_ONLINE),
    "wmo-voorziening": (AssuranceLevel.SUBSTANTIAL, False, False, MaturityLevel.FULLY_ONLINE),
    "verklaring_omtrent_gedrag_(vog)": (
        AssuranceLevel.SUBSTANTIAL,
        False,
        True,
        MaturityLevel.FULLY_ONLINE,
    ),
    "belastingkwijtschelding": (
        AssuranceLevel.SUBSTANTIAL,
        False,
        False,
        MaturityLevel.FULLY_ONLINE,
    ),
    "bezafspr": (AssuranceLevel.NONE, False, False, MaturityLevel.FULLY_ONLINE),
}


def _source_csv() -> Path:
    if not SOURCE_CSV.is_file():
        pytest.fail(
            "The UPL export is missing: PRD-3 is checked against data/upl/UPL-actueel.csv "
            "in the repository (md5 e121346f754fe7905b99c2430cb2b3ed, see "
            "data/upl/SOURCE.md)."
        )
    return SOURCE_CSV


def _source_rows() -> list[dict[str, str]]:
    with _source_csv().open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _packaged(name: str) -> str:
    return resources.files("digimaat.data").joinpath(name).read_text(encoding="utf-8")


def _build_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_catalogue", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _uri(tail: str) -> str:
    return UPL_NAMESPACE + tail


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return reference_catalogue()


@pytest.fixture(scope="module")
def build() -> ModuleType:
    return _build_module()


# The header of the export, as the build script reads it; the rebuild test checks the
# script against the real export.
_HEADER = ",".join(_build_module().COLUMNS)


def _row(
    name: str,
    tail: str,
    *,
    gemeente: str = "X",
    burger: str = "X",
    sdg: str = "",
    basis: tuple[str, str, str] = ("", "", ""),
) -> str:
    """One export row: Autonomie and Aanvraag set, the other flags as given."""
    fields = [name, _uri(tail), "", "", "", gemeente, burger, "", "", sdg, "X", "", "X", "", "", ""]
    return ",".join([*fields, *basis])


class TestPRD1ProductKey:
    def test_uris_are_unique_in_the_packaged_extract(self) -> None:
        """PRD-1: a catalogue MUST NOT hold two products with the same URI."""
        uris = [p["uri"] for p in json.loads(_packaged("upl_gemeente.json"))["products"]]
        assert len(uris) == len(set(uris)) == 512

    def test_catalogue_rejects_a_repeated_uri(self, catalogue: Catalogue) -> None:
        """PRD-1: a catalogue MUST NOT hold two products with the same URI."""
        product = catalogue.get(_uri("paspoort"))
        twin = Product(uri=product.uri, name="another name")
        with pytest.raises(InvalidValueError, match="more than once"):
            Catalogue((product, twin))

    def test_record_needs_uri_and_name_and_known_keys(self) -> None:
        """PRD-1: a product MUST be identified by its UPL URI."""
        with pytest.raises(InvalidValueError, match="uri: is required"):
            Product.from_upl({"name": "paspoort"})
        with pytest.raises(InvalidValueError, match="must be a non-empty string"):
            Product.from_upl({"uri": " ", "name": "paspoort"})
        with pytest.raises(InvalidValueError, match="unknown keys"):
            Product.from_upl({"uri": _uri("x"), "name": "x", "digid_macht": True})
        with pytest.raises(InvalidValueError, match="legal_bases"):
            Product.from_upl({"uri": _uri("x"), "name": "x", "legal_bases": [{"label": "a"}]})


class TestPRD1UplFields:
    """PRD-1.1: the UPL fields of a reference product."""

    def test_parkeervergunning_fields(self, catalogue: Catalogue) -> None:
        """PRD-1.1: UPL fields MUST be taken from the UPL export as published."""
        p = catalogue.get(_uri("parkeervergunning"))
        assert p.name == "parkeervergunning"
        assert p.audiences == {Audience.BURGER, Audience.BEDRIJF}
        assert p.task_types == {TaskType.AUTONOMIE}
        assert p.interaction_kinds == {InteractionKind.AANVRAAG}
        assert p.sdg_codes == ("N1", "D1")
        assert p.upl_flags == {
            "Gemeente",
            "Burger",
            "Bedrijf",
            "Dienstenwet",
            "Autonomie",
            "Aanvraag",
        }
        assert [b.uri for b in p.legal_bases] == [_uri("Gemw_art_225")]
        assert p.legal_bases[0].label == "Artikel 225 Gemeentewet"
        assert p.legal_bases[0].link.startswith("https://wetten.overheid.nl/")

    def test_counts_of_the_municipal_subset(self, catalogue: Catalogue) -> None:
        """PRD-1.1: UPL fields MUST be taken from the UPL export as published.

        The expected counts were computed from the export independently of this code
        (per unique URI of the Gemeente subset).
        """
        flags = Counter(flag for p in catalogue for flag in p.upl_flags)
        expected = {
            "Gemeente": 512,
            "Burger": 430,
            "Bedrijf": 297,
            "Autonomie": 165,
            "Medebewind": 322,
            "Aanvraag": 247,
            "Verplichting": 50,
            "Subsidie": 37,
            "Melding": 16,
            "Dienstenwet": 94,
        }
        assert {k: flags[k] for k in expected} == expected
        assert sum(Audience.BURGER in p.audiences for p in catalogue) == 430
        assert sum(TaskType.MEDEBEWIND in p.task_types for p in catalogue) == 322
        assert sum(InteractionKind.MELDING in p.interaction_kinds for p in catalogue) == 16
        assert sum(bool(p.sdg_codes) for p in catalogue) == 79
        typeless = [p for p in catalogue if not p.interaction_kinds]
        assert len(typeless) == 200
        only_municipal = [
            p for p in catalogue if not {"Rijk", "Provincie", "Waterschap"} & p.upl_flags
        ]
        assert len(only_municipal) == 364

    def test_every_sdg_code_of_the_export_is_accepted(self) -> None:
        """PRD-1.1: an SDG code MUST be a capital letter followed by one or two digits."""
        codes = {c for row in _source_rows() for c in row["SDG"].split(";") if c}
        assert "J11" in codes
        product = Product(uri=_uri("x"), name="x", sdg_codes=sorted(codes))
        assert set(product.sdg_codes) == codes

    def test_legal_basis_fields(self) -> None:
        """PRD-1.1: a legal basis is an OWMS term URI, a label and a link."""
        basis = LegalBasis.from_record({"uri": _uri("Wet_BRP_art_2_39"), "label": "Artikel 2.39"})
        assert (basis.label, basis.link) == ("Artikel 2.39", "")
        with pytest.raises(InvalidValueError):
            LegalBasis.from_record({"uri": ""})
        with pytest.raises(InvalidValueError):
            LegalBasis.from_record("Wet_BRP")  # type: ignore[arg-type]

    @pytest.mark.parametrize("code", ["J111", "a1", "1A", "A", "A1 ", ""])
    def test_malformed_sdg_codes_are_refused(self, code: str) -> None:
        """PRD-1.1: an SDG code MUST be a capital letter followed by one or two digits."""
        with pytest.raises(InvalidValueError, match="sdg_codes"):
            Product(uri=_uri("x"), name="x", sdg_codes=[code])


class TestPRD2ReferenceCatalogue:
    def test_exactly_the_512_municipal_uris(self, catalogue: Catalogue) -> None:
        """PRD-2: the reference catalogue MUST consist of exactly the URIs that the UPL export
        named in its provenance flags Gemeente."""
        municipal = {row["URI"] for row in _source_rows() if row["Gemeente"] == "X"}
        assert len(municipal) == 512
        assert {p.uri for p in catalogue.reference_products()} == municipal
        assert len(catalogue) == 512
        assert all(p.reference and "Gemeente" in p.upl_flags for p in catalogue)

    def test_provenance_counts(self, catalogue: Catalogue) -> None:
        """PRD-2: the reference catalogue MUST consist of exactly the URIs that the UPL export
        named in its provenance flags Gemeente."""
        assert catalogue.provenance is not None
        assert catalogue.provenance.rows == 1321
        assert catalogue.provenance.unique_uris == 1214
        assert catalogue.provenance.municipal_uris == 512


def _outcome(build: Any) -> Any:
    """The products a build gives, or the problems it raises."""
    try:
        return build().products
    except InputError as exc:
        return exc.problems


class TestPRD2PackagedCatalogue:
    """PRD-2: the reference catalogue restored from the package data (to start quickly) is
    the catalogue that every check of ``Catalogue.from_documents`` builds from it."""

    def test_the_restored_catalogue_is_the_checked_one(self, catalogue: Catalogue) -> None:
        """PRD-2: the reference catalogue MUST consist of exactly the URIs that the UPL export
        named in its provenance flags Gemeente; restored, each product is the checked one,
        every field equal and of the same type."""
        upl = json.loads(_packaged("upl_gemeente.json"))
        checked = Catalogue.from_documents(upl, json.loads(_packaged("additions.json")))
        assert catalogue is reference_catalogue()
        assert catalogue.products == checked.products
        assert catalogue.provenance == checked.provenance
        for restored, built in zip(catalogue.products, checked.products, strict=True):
            for field in attrs.fields(Product):
                mine, theirs = getattr(restored, field.name), getattr(built, field.name)
                assert (type(mine), mine) == (type(theirs), theirs), field.name
            assert hash(restored) == hash(built)
        assert sum(p.assessed for p in catalogue) == sum(p.assessed for p in checked) > 0

    @pytest.mark.parametrize(
        "change",
        [
            lambda upl, extra: upl["products"][3].update(audiences=["Burger"]),
            lambda upl, extra: upl["products"][5].pop("legal_bases"),
            lambda upl, extra: upl["products"][8].update(colour="red"),
            lambda upl, extra: extra["products"][0].update(name="another name"),
            lambda upl, extra: extra["products"][1].update(reason=" "),
        ],
    )
    def test_data_not_in_the_written_form_is_read_with_every_check(self, change: Any) -> None:
        """PRD-2: data that is not in the form the package writes is built with every check,
        which accepts what it accepts and reports every problem otherwise."""
        from digimaat.vocabulary.catalogue import _packaged as restore
        from digimaat.vocabulary.catalogue import _reference

        upl = json.loads(_packaged("upl_gemeente.json"))
        extra = json.loads(_packaged("additions.json"))
        change(upl, extra)
        with pytest.raises((KeyError, ValueError)):
            restore(upl, extra)
        assert _outcome(lambda: _reference(upl, extra)) == _outcome(
            lambda: Catalogue.from_documents(upl, extra)
        )


class TestPRD2Merging:
    """PRD-2.1: merging the rows of one URI."""

    def test_legal_bases_of_several_rows_are_merged(self, catalogue: Catalogue) -> None:
        """PRD-2.1: the rows of one URI MUST be merged into one product."""
        wmo = catalogue.get(_uri("wmo-voorziening"))
        assert [b.uri for b in wmo.legal_bases] == [
            _uri("WMO_2015_art_2_2_3"),
            _uri("WMO_2015_art_2_3_1"),
        ]

    def test_legal_bases_match_the_rows_of_the_export(self, catalogue: Catalogue) -> None:
        """PRD-2.1: the legal bases are the distinct non-empty triples of the URI's rows, sorted."""
        expected: dict[str, set[tuple[str, str, str]]] = {}
        for row in _source_rows():
            if row["Gemeente"] == "X":
                triples = expected.setdefault(row["URI"], set())
                if row["Grondslag"]:
                    triples.add(
                        (row["Grondslag"], row["Grondslaglabel"].strip(), row["Grondslaglink"])
                    )
        for product in catalogue:
            got = [(b.uri, b.label, b.link) for b in product.legal_bases]
            assert got == sorted(expected[product.uri]), product.uri

    def test_disagreeing_rows_fail_the_build_loudly(
        self, build: ModuleType, tmp_path: Path
    ) -> None:
        """PRD-2.1: every column other than the Grondslag columns MUST agree across the rows of
        one URI, and a build MUST fail, naming the rows, when one does not."""
        path = tmp_path / "upl.csv"
        rows = [
            _HEADER,
            _row("paspoort", "paspoort"),
            _row("paspoort", "paspoort", burger=""),
            _row("identiteitskaart", "identiteitskaart", sdg="A1;a2"),
            _row("y", "y", gemeente="Y", basis=("", "Artikel 1 without a Grondslag", "")),
        ]
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
        with pytest.raises(InputError) as caught:
            build.build(path, check_md5=False)
        text = str(caught.value)
        assert "row 3: Burger: differs from row 2" in text
        assert "sdg_codes" in text
        assert "'a2'" in text
        assert "row 5: Gemeente: must be 'X' or empty" in text
        assert "row 5: Grondslag: must not be empty" in text
        assert len(caught.value.problems) == 4

    def test_a_consistent_small_export_builds(self, build: ModuleType, tmp_path: Path) -> None:
        """PRD-2.1: the rows of one URI MUST be merged into one product."""
        path = tmp_path / "upl.csv"
        rows = [
            _HEADER,
            _row("paspoort", "paspoort", basis=(_uri("W_art_2"), "Artikel 2 Wet ", "https://x/2")),
            _row("paspoort", "paspoort", basis=(_uri("W_art_1"), "Artikel 1 Wet", "")),
            _row("paspoort", "paspoort"),
            _row("paspoort", "paspoort", basis=(_uri("W_art_1"), "Artikel 1 Wet", "")),
            _row("rijks product", "rijksproduct", gemeente=""),
        ]
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
        document = build.build(path, source="test", retrieved="2025-01-01", check_md5=False)
        assert document["provenance"]["rows"] == 5
        assert document["provenance"]["unique_uris"] == 2
        assert document["provenance"]["municipal_uris"] == 1
        (record,) = document["products"]
        assert record["legal_bases"] == [
            {"uri": _uri("W_art_1"), "label": "Artikel 1 Wet", "link": ""},
            {"uri": _uri("W_art_2"), "label": "Artikel 2 Wet", "link": "https://x/2"},
        ]
        assert record["upl_flags"] == ["Gemeente", "Burger", "Autonomie", "Aanvraag"]


class TestPRD2Placeholder:
    """PRD-2.2: the UPL placeholder."""

    def test_placeholder_is_kept_and_marked(self, catalogue: Catalogue) -> None:
        """PRD-2.2: the placeholder is one of the 512 municipal URIs, so the catalogue keeps it."""
        placeholder = catalogue.get(UPL_PLACEHOLDER)
        assert placeholder.name == "UPL-naam nog niet beschikbaar"
        assert placeholder.placeholder
        assert placeholder.reference
        assert not placeholder.assessed
        assert [p.uri for p in catalogue if p.placeholder] == [UPL_PLACEHOLDER]


class TestPRD3Provenance:
    def test_md5_is_the_md5_of_the_source(self, catalogue: Catalogue) -> None:
        """PRD-3: the packaged UPL extract MUST record the md5 checksum of the export file."""
        assert catalogue.provenance is not None
        assert re.fullmatch(r"[0-9a-f]{32}", catalogue.provenance.md5)
        assert catalogue.provenance.md5 == hashlib.md5(_source_csv().read_bytes()).hexdigest()

    def test_provenance_names_the_copy_and_the_script(self, catalogue: Catalogue) -> None:
        """PRD-3: the packaged UPL extract MUST record its provenance."""
        provenance = catalogue.provenance
        assert provenance is not None
        assert "Logius" in provenance.source
        assert "nl-portal/nl-portal-docker-compose" in provenance.source
        assert "53fc0012aa29c77dfb0b1b1ad2a6c2bfbc3ca61c" in provenance.source
        assert provenance.retrieved == "2025-04-30"
        assert (REPO / provenance.script).resolve() == SCRIPT
        assert provenance.md5 in SPEC.read_text(encoding="utf-8")

    def test_first_key_is_provenance(self) -> None:
        """PRD-3.1: the script writes the provenance first and then the products sorted by URI."""
        document = json.loads(_packaged("upl_gemeente.json"))
        assert list(document) == ["provenance", "products"]
        uris = [p["uri"] for p in document["products"]]
        assert uris == sorted(uris)

    def test_malformed_extract_is_reported_with_pointers(self) -> None:
        """PRD-3: the packaged UPL extract MUST record its provenance; problems are reported
        together with file and JSON pointer."""
        upl = json.loads(_packaged("upl_gemeente.json"))
        upl["products"][3] = dict(upl["products"][3], sdg_codes=["a1"])
        upl["products"][7] = "paspoort"
        del upl["provenance"]["md5"]
        with pytest.raises(InputError) as caught:
            Catalogue.from_documents(upl, {"items": []})
        where = [(p.source, p.location, p.field) for p in caught.value.problems]
        assert where == [
            ("upl_gemeente.json", "/products/3", "sdg_codes"),
            ("upl_gemeente.json", "/products/7", "product"),
            ("upl_gemeente.json", "/provenance", "provenance"),
            ("additions.json", "/products", "products"),
        ]


class TestPRD3Rebuild:
    """PRD-3.1: the deterministic build."""

    def test_rebuild_reproduces_the_packaged_file(self, tmp_path: Path) -> None:
        """PRD-3.1: running the build script on the export with the recorded md5 MUST
        reproduce the packaged file byte for byte."""
        packaged = resources.files("digimaat.data").joinpath("upl_gemeente.json").read_bytes()
        outputs = []
        for attempt in range(2):  # re-runnable: a second run writes the same bytes
            out = tmp_path / f"run{attempt}.json"
            done = subprocess.run(
                [sys.executable, str(SCRIPT), str(_source_csv()), "--output", str(out)],
                capture_output=True,
                text=True,
                check=False,
            )
            assert done.returncode == 0, done.stderr
            outputs.append(out.read_bytes())
        assert outputs[0] == outputs[1] == packaged
        assert packaged.endswith(b"}\n")
        assert not packaged.endswith(b"\n\n")

    def test_another_copy_needs_its_own_provenance(self, build: ModuleType, tmp_path: Path) -> None:
        """PRD-3.1: the script refuses a file with another md5 unless a new source and
        retrieved date are given."""
        copy = tmp_path / "UPL-actueel.csv"
        copy.write_bytes(_source_csv().read_bytes().replace(b"\n", b"\r\n"))
        out = tmp_path / "out.json"
        assert build.main([str(copy), "--output", str(out)]) == 1
        assert not out.exists()
        assert (
            build.main(
                [
                    str(copy),
                    "--output",
                    str(out),
                    "--source",
                    "a test copy",
                    "--retrieved",
                    "2025-05-01",
                ]
            )
            == 0
        )
        provenance = json.loads(out.read_text(encoding="utf-8"))["provenance"]
        assert provenance["source"] == "a test copy"
        assert provenance["md5"] == hashlib.md5(copy.read_bytes()).hexdigest()


def _spec_table() -> dict[str, tuple[str, str, str, str, str]]:
    """The spec's table of seeded products: URI tail -> (name, assurance, presence, fee, target)."""
    lines = SPEC.read_text(encoding="utf-8").splitlines()
    header = (
        "| Product | UPL URI tail | Required assurance | Physical presence | Fee "
        "| Reference target |"
    )
    start = lines.index(header) + 2
    table: dict[str, tuple[str, str, str, str, str]] = {}
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        name, tail, level, presence, fee, target = (c.strip() for c in line.strip("|").split("|"))
        assert tail not in table, f"{tail} appears twice in the spec's table"
        table[tail.strip("`")] = (name, level, presence, fee, target)
    return table


class TestPRD4Additions:
    def test_every_seeded_product_is_present_with_a_reason(self, catalogue: Catalogue) -> None:
        """PRD-4: each assessed product MUST carry a reason that states the grounds of all four."""
        for tail, (level, presence, fee, target) in SEEDED.items():
            p = catalogue.get(_uri(tail))
            assert p.assessed, tail
            assert (
                p.required_assurance,
                p.physical_presence,
                p.fee_applies,
                p.reference_target,
            ) == (
                level,
                presence,
                fee,
                target,
            ), tail
            reason = p.additions.reason
            for ground in ("Assurance", "Handreiking", "Physical presence", "Fee", "Target"):
                assert ground in reason, (tail, ground)
            assert "not official classifications" in reason

    def test_additions_name_only_catalogue_products(self, catalogue: Catalogue) -> None:
        """PRD-4: the standard records four additions for a product it has assessed."""
        entries = json.loads(_packaged("additions.json"))["products"]
        assert {e["uri"] for e in entries} == {p.uri for p in catalogue if p.assessed}
        assert [e["uri"] for e in entries] == sorted(e["uri"] for e in entries)
        for entry in entries:
            assert entry["name"] == catalogue.get(entry["uri"]).name

    def test_spec_table_matches_the_additions(self) -> None:
        """PRD-4: the seeded products' table in the spec MUST agree with additions.json."""
        entries = json.loads(_packaged("additions.json"))["products"]
        from_json = {
            e["uri"].removeprefix(UPL_NAMESPACE): (
                e["name"],
                e["required_assurance"],
                "yes" if e["physical_presence"] else "no",
                "yes" if e["fee_applies"] else "no",
                e["reference_target"],
            )
            for e in entries
        }
        assert _spec_table() == from_json

    def test_presence_means_online_submission_target(self, catalogue: Catalogue) -> None:
        """PRD-4.2: for a product with physical presence the reference target MUST be the
        highest level reachable while the visit remains (online-submission)."""
        present = [p for p in catalogue if p.physical_presence]
        assert {p.uri for p in present} == {
            _uri("paspoort"),
            _uri("identiteitskaart"),
            _uri("rijbAanvraag"),
        }
        assert {p.reference_target for p in present} == {MaturityLevel.ONLINE_SUBMISSION}

    def test_targets_other_than_fully_online_are_argued(self, catalogue: Catalogue) -> None:
        """PRD-4.4: the reference target MUST be fully-online unless the reason gives grounds
        for another level."""
        for p in catalogue:
            assert p.reference_target is not MaturityLevel.PROACTIVE, p.uri
            if p.reference_target is not MaturityLevel.FULLY_ONLINE:
                assert f"Target {p.reference_target.label}:" in p.additions.reason, p.uri
        prefilled = {p.uri for p in catalogue if p.reference_target is MaturityLevel.PREFILLED}
        assert prefilled == {_uri("brpUittr"), _uri("verhuismelding")}
        for uri in prefilled:
            assert "MDD anchor for 100 %" in catalogue.get(uri).additions.reason

    def test_counter_appointment_follows_vlaardingen(self, catalogue: Catalogue) -> None:
        """PRD-4.1: the required level MUST be the highest over the Handreiking's criteria;
        for a counter appointment none of them applies (Vlaardingen, De Pilotstarter)."""
        booking = catalogue.resolve("bezoekafspraak")
        assert booking.required_assurance is AssuranceLevel.NONE
        assert "Vlaardingen" in booking.additions.reason
        assert "24 May 2017" in booking.additions.reason

    def test_bad_additions_are_all_reported_with_file_and_pointer(self) -> None:
        """PRD-4: each assessed product MUST carry a reason; problems are reported together."""
        upl = json.loads(_packaged("upl_gemeente.json"))
        additions = {
            "products": [
                {
                    "uri": _uri("paspoort"),
                    "name": "paspoort",
                    "required_assurance": "hgh",
                    "reason": "x",
                },
                {"uri": _uri("paspoort"), "reason": "again"},
                {"uri": _uri("nope"), "reason": "x"},
                {"uri": _uri("bijstand"), "name": "bijstnd", "reason": "x"},
                {"uri": _uri("bezafspr"), "fee_applies": "no", "reference_target": "optimal"},
                {"uri": _uri("paspTweede"), "reason": " "},
                {"uri": _uri("wmo-voorziening"), "reason": "x", "colour": "red"},
            ]
        }
        with pytest.raises(InputError) as caught:
            Catalogue.from_documents(upl, additions)
        where = [(p.source, p.location, p.field) for p in caught.value.problems]
        assert where == [
            ("additions.json", "/products/0", "required_assurance"),
            ("additions.json", "/products/1", "uri"),
            ("additions.json", "/products/2", "uri"),
            ("additions.json", "/products/3", "name"),
            ("additions.json", "/products/4", "fee_applies"),
            ("additions.json", "/products/4", "reference_target"),
            ("additions.json", "/products/5", "reason"),
            ("additions.json", "/products/6", "colour"),
        ]

    def test_additions_are_validated(self) -> None:
        """PRD-4.1: required assurance is one of the assurance levels of chapter LOA."""
        with pytest.raises(DigimaatError):
            Additions(required_assurance="very high")
        with pytest.raises(DigimaatError):
            Additions(reference_target="optimal")


class TestPRD5Defaults:
    def test_defaults_for_an_unassessed_product(self, catalogue: Catalogue) -> None:
        """PRD-5: a reference product without additions MUST get the documented defaults."""
        assert (
            Additions(
                required_assurance=None,
                physical_presence=False,
                fee_applies=None,
                reference_target=MaturityLevel.FULLY_ONLINE,
                reason="",
            )
            == DEFAULT_ADDITIONS
        )
        p = catalogue.get(_uri("rijbGezVerkl"))
        assert not p.assessed
        assert p.additions is DEFAULT_ADDITIONS
        assert p.required_assurance is None
        assert p.physical_presence is False
        assert p.fee_applies is None
        assert p.reference_target is MaturityLevel.FULLY_ONLINE
        assert sum(not q.assessed for q in catalogue) == 512 - len(SEEDED)

    def test_unrecorded_fee_requires_payment(self, catalogue: Catalogue) -> None:
        """PRD-5: fee not recorded, so online payment is required for fully-online, as if a
        fee applied."""
        p = catalogue.get(_uri("rijbGezVerkl"))
        assert Offering(municipality="GM0622", product=p.uri).fee_for(p) is True


class TestPRD6LocalProducts:
    def test_local_products_are_not_reference(self, catalogue: Catalogue) -> None:
        """PRD-6: a local product MUST NOT be counted in any reference figure."""
        local = Product.local("urn:gm0622:product:balieafspraak", "afspraak balie")
        extended = catalogue.with_local(local)
        assert local.reference is False
        assert local.additions is DEFAULT_ADDITIONS
        assert extended.get(local.uri) is local
        assert len(extended) == 513
        assert extended.reference_products() == catalogue.reference_products()
        assert len(catalogue) == 512  # the reference catalogue itself is unchanged

    def test_reference_marked_local_product_is_rejected(self, catalogue: Catalogue) -> None:
        """PRD-6: a catalogue MUST reject a local product marked as reference."""
        marked = Product(uri="urn:gm0622:product:x", name="x", reference=True)
        with pytest.raises(InvalidValueError, match="must not be marked as reference"):
            catalogue.with_local(marked)

    def test_local_product_reusing_a_uri_is_rejected(self, catalogue: Catalogue) -> None:
        """PRD-6: a catalogue MUST reject a local product whose URI is already in the catalogue."""
        with pytest.raises(InvalidValueError, match="more than once"):
            catalogue.with_local(Product.local(_uri("paspoort"), "eigen paspoort"))
        local = Product.local("urn:gm0622:product:x", "x")
        with pytest.raises(InvalidValueError, match="more than once"):
            catalogue.with_local(local, Product.local("urn:gm0622:product:x", "y"))


class TestPRD7Lookups:
    def test_by_uri_name_and_tail(self, catalogue: Catalogue) -> None:
        """PRD-7: a catalogue MUST find a product by any of the keys of PRD-7.2: its URI, the
        last segment of its UPL URI and its UPL name."""
        uri = _uri("verhuismelding")
        p = catalogue.get(uri)
        assert p.uri == uri
        assert catalogue.by_name("verhuismelding") is p
        general = catalogue.get(_uri("melding_openbare_ruimte_(algemeen)"))
        assert catalogue.by_name("  Melding   OPENBARE\truimte (Algemeen) ") is general
        assert catalogue.resolve("verhuismelding") is p
        assert catalogue.resolve(uri) is p
        assert catalogue.resolve("brp-uittreksel") is catalogue.resolve("brpUittr")
        assert uri in catalogue
        assert "verhuismelding" not in catalogue

    def test_unknown_keys_raise_with_suggestions(self, catalogue: Catalogue) -> None:
        """PRD-7: a catalogue MUST raise UnknownProductError, which lists close matches as
        suggestions (PRD-7.3), for a key it does not hold."""
        with pytest.raises(UnknownProductError) as caught:
            catalogue.get(_uri("paspoort_"))
        assert _uri("paspoort") in caught.value.suggestions
        with pytest.raises(UnknownProductError) as caught:
            catalogue.by_name("parkeervergunnig")
        assert caught.value.suggestions[0] == _uri("parkeervergunning")
        with pytest.raises(UnknownProductError):
            catalogue.resolve("xyzzy-nothing-like-it")
        with pytest.raises(UnknownProductError):
            catalogue.resolve(42)  # type: ignore[arg-type]

    def test_a_shared_name_is_refused(self) -> None:
        """PRD-7.2: a key that matches more than one product at the step that decides is
        ambiguous and MUST NOT be resolved."""
        c = Catalogue((Product.local("urn:a", "balie"), Product.local("urn:b", "Balie")))
        with pytest.raises(AmbiguousProductError, match="more than one product"):
            c.by_name("balie")
        with pytest.raises(AmbiguousProductError) as caught:
            c.resolve("balie")
        assert caught.value.candidates == ("urn:a", "urn:b")

    def test_search(self, catalogue: Catalogue) -> None:
        """PRD-7.4: a search ranks exact matches before prefixes before all words."""
        names = [hit.product.name for hit in catalogue.search("rijbewijs")]
        assert names[:5] == [
            "rijbewijs",
            "rijbewijs aanvragen",
            "rijbewijs verlengen",
            "rijbewijs gezondheidsverklaring",
            "rijbewijs buitenlands omwisseling",
        ]
        top = catalogue.search("gehandicapten KAART passagier")[0]
        assert top.product.name == "gehandicaptenparkeerkaart passagier"
        assert catalogue.search("qqqq zzzz wwww") == []


_ALL = reference_catalogue().products
_LOOKUP_CASES = st.lists(st.integers(0, len(_ALL) - 1), unique=True, max_size=40).flatmap(
    lambda picks: st.tuples(st.just(picks), st.permutations(picks))
)


class TestPRD7Order:
    @pytest.mark.property
    @given(_LOOKUP_CASES)
    def test_order_and_lookups_do_not_depend_on_input_order(
        self, cases: tuple[list[int], list[int]]
    ) -> None:
        """PRD-7: "A catalogue MUST order its products by URI, whatever the order it was built
        from, so every result that iterates over it is independent of input order."

        For any subset of the reference products, built in two orders, the catalogues hold
        the same products in the same order and answer every lookup alike.
        """
        picks, shuffled = cases
        first = Catalogue(tuple(_ALL[i] for i in picks))
        second = Catalogue(tuple(_ALL[i] for i in shuffled))
        expected = tuple(sorted((_ALL[i] for i in picks), key=lambda p: p.uri))
        assert first.products == second.products == expected
        for product in expected:
            tail = product.uri.removeprefix(UPL_NAMESPACE)
            assert first.get(product.uri) is second.get(product.uri) is product
            assert first.resolve(tail) is second.resolve(tail) is product
            assert first.by_name(product.name) is second.by_name(product.name) is product
