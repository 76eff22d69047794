"""SCI-8 to SCI-11: one offering per municipality and product, the profile, the summary and
the national baseline."""

from __future__ import annotations

import itertools
import json
import lzma
import random
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digimaat.exchange.sc import BASELINE_FILE, ScImport, evidence_of, import_sc, national_baseline
from digimaat.exchange.sc.mapping import pick
from digimaat.exchange.writers import dumps_json as dump_json
from digimaat.measurement.dataset import Dataset
from digimaat.measurement.metrics import Availability
from digimaat.measurement.profiles import builtin_profile
from digimaat.vocabulary.maturity import MaturityLevel
from tests.exchange.sc.conftest import ROOT, entry
from tests.exchange.sc.test_sci2_sci3_records_and_authorities import response

# -- SCI-8 -----------------------------------------------------------------------------------


def test_the_strongest_evidence_wins_and_ties_go_to_the_first_identifier() -> None:
    """SCI-8: the record of the highest evidence class of SCI-5, and among records of the
    same class the one whose identifier comes first in code point order."""
    cases = [
        (("nee", None), ("ja", "https://x.nl/a.pdf")),
        (("ja", "https://x.nl/a.pdf"), ("ja", None)),
        (("ja", None), ("ja", "https://x.nl/form")),
        (("ja", "https://x.nl/form"), ("digid", None)),
        (("digid", None), ("digid", "https://x.nl/form")),
    ]
    for weaker, stronger in cases:
        a, b = evidence_of(*weaker), evidence_of(*stronger)
        for order in ([(a, "1"), (b, "2")], [(b, "2"), (a, "1")]):
            assert pick(order)[1] == "2", (weaker, stronger)
    same = evidence_of("ja", None)
    assert pick([(same, "https://b"), (same, "https://a")])[1] == "https://a"


def test_several_records_become_one_offering_with_their_provenance(tmp_path: Path) -> None:
    """SCI-8: All records of one municipality that name one product become one offering ...
    records: the identifier of the evidence and then the identifiers of the other records in
    code point order; retrieved: the evidence's retrieval date."""
    (tmp_path / "r.xml").write_bytes(
        response({"online": "nee"}, {"online": "digid"}, {"online": "ja"}, {"online": "nee"})
    )
    result = import_sc([tmp_path / "r.xml"])
    (offering,) = result.submission.offerings
    assert offering.authentication is not None
    assert offering.authentication.name == "digid"
    assert offering.provenance is not None
    assert offering.provenance.records == (
        "https://www.delft.nl/p2",
        "https://www.delft.nl/p1",
        "https://www.delft.nl/p3",
        "https://www.delft.nl/p4",
    )
    assert offering.provenance.source == "r.xml"
    assert offering.provenance.retrieved.isoformat() == "2023-10-18"
    assert result.summary.national.offerings == 1
    assert result.summary.national.records == 4


def test_the_import_does_not_depend_on_the_order_of_reading(raw: Path) -> None:
    """SCI-8: The result MUST NOT depend on the order in which documents or records are read."""
    files = [raw / f"{name}.xml" for name in ("Maassluis", "Groningen", "Utrecht--Utr-")]
    results = [import_sc(order) for order in itertools.permutations(files)]
    for other in results[1:]:
        assert other.submission == results[0].submission
        assert other.summary == results[0].summary


# -- SCI-9 -----------------------------------------------------------------------------------


def test_the_sc_online_profile() -> None:
    """SCI-9: The profile sc-online (version 1.0) ... has the weighting equal, the policy
    drop, and two metrics; the headline is online-submission."""
    profile = builtin_profile("sc-online")
    assert (profile.name, profile.version, profile.headline) == (
        "sc-online",
        "1.0",
        "online-submission",
    )
    assert profile.to_dict()["weighting"] == {"kind": "equal"}
    assert profile.missing.value == "drop"
    assert [(m.id, type(m), getattr(m, "at_least", None)) for m in profile.metrics] == [
        ("online-submission", Availability, MaturityLevel.ONLINE_SUBMISSION),
        ("downloadable-form", Availability, MaturityLevel.DOWNLOADABLE_FORM),
    ]
    assert all(m.scope == "reference" for m in profile.metrics)  # type: ignore[attr-defined]
    assert "payment" in profile.description


def test_a_pdf_counts_as_a_form_not_as_online(tmp_path: Path) -> None:
    """SCI-9: online-submission is the share of the products a municipality publishes that
    can be submitted online as published: a PDF form counts as a form, not as online."""
    paspoort = "http://standaarden.overheid.nl/owms/terms/paspoort"
    rijbewijs = "http://standaarden.overheid.nl/owms/terms/rijbewijs"
    doc = response({"online": "ja"}, {"online": "ja", "upl": rijbewijs})
    doc = doc.replace(
        rijbewijs.encode() + b'"/>',
        rijbewijs.encode()
        + b'"/><overheidproduct:aanvraagURL resourceIdentifier="https://d.nl/f.pdf"/>',
    )
    (tmp_path / "r.xml").write_bytes(doc)
    submission = import_sc([tmp_path / "r.xml"]).submission
    assert {o.product for o in submission.offerings} == {paspoort, rijbewijs}
    dataset = Dataset.from_offerings(
        submission.offerings, submission.municipalities, submission.catalogue
    )
    card = builtin_profile("sc-online").score(dataset).card("GM0503")
    assert card.values == {"online-submission": 0.5, "downloadable-form": 1.0}
    assert card.coverage == {"online-submission": 1.0, "downloadable-form": 1.0}


# -- SCI-10 ----------------------------------------------------------------------------------

FIELDS = [
    "authority", "code", "name", "records", "records_with_product", "online_aanvragen",
    "application_urls", "repairs", "unknown_products", "offerings",
]  # fmt: skip


def test_the_summary_has_exactly_the_fields_of_sci10(imported: ScImport) -> None:
    """SCI-10: An import MUST report a summary with, per municipal authority (keyed by its
    OWMS URI as published), these fields, and the same totals over all of them."""
    document = imported.summary.to_dict()
    for item in document["municipalities"]:
        assert list(item) == FIELDS
        assert sum(item["online_aanvragen"].values()) == item["records"]
        assert sum(item["application_urls"].values()) == item["records"]
        assert item["records_with_product"] <= item["records"]
    national = document["national"]
    for key in FIELDS[3:]:
        if isinstance(national[key], dict):
            for sub in national[key]:
                total = sum(m[key][sub] for m in document["municipalities"])
                assert national[key][sub] == total, (key, sub)
        else:
            assert national[key] == sum(m[key] for m in document["municipalities"]), key
    assert national["offerings"] == len(imported.submission.offerings)
    assert json.loads(json.dumps(document)) == document


def test_the_national_summary_agrees_with_the_harvest(national: ScImport) -> None:
    """SCI-10 on the whole harvest: 51,568 records, 342 municipalities and two provinces;
    application addresses to PDF 122, to .doc/.docx 5, mailto: 81 (SOURCE.md)."""
    document = national.summary.to_dict()["national"]
    provinces = sum(n["records"] for n in document["non_municipal"])
    assert document["records"] + provinces == 51_568
    assert document["municipalities"] == 342
    assert len(document["non_municipal"]) == 2
    assert document["unmapped_authorities"] == []
    urls = document["application_urls"]
    assert (urls["pdf"], urls["doc"], urls["email"]) == (122, 5, 81)
    assert document["duplicates"] == 0
    assert document["problems"] == 0
    assert len(national.submission.municipalities) == 342


def test_the_summary_table_fits_a_terminal(imported: ScImport) -> None:
    """SCI-10: the table form of the summary (80 columns), with the national totals last."""
    import io

    from digimaat.analysis.tables import Report
    from digimaat.cli.render import render

    summary = imported.summary
    out = io.StringIO()
    render(Report("sc-import", tables=(summary.as_table(),)), "table", out)
    table = out.getvalue()
    assert max(len(line) for line in table.splitlines()) <= 80
    assert "Utrecht (95 records)" in " ".join(summary.legend())
    assert summary.as_table().rows[-1][1] == "total"
    assert entry(imported, "Maassluis_(gemeente)")["records"] == 113


# -- SCI-11 ----------------------------------------------------------------------------------


def test_the_shipped_baseline_is_the_import_of_the_harvest(national: ScImport) -> None:
    """SCI-11: the harvest of 2023-10-18 imported by these rules with the UPL list of that
    date, as an offerings document whose source records the harvest's provenance and terms;
    reproducible from the harvest as kept."""
    baseline = national_baseline()
    assert baseline.offerings == national.submission.offerings
    assert baseline.municipalities == national.submission.municipalities
    assert baseline.reference_year == 2023
    assert baseline.source is not None
    for fact in ("2023-10-18", "fd6082c3559e141c607c14509f53093b2087ae20", "licence", "Cite as"):
        assert fact in baseline.source
    assert all(o.provenance is not None for o in baseline.offerings)


def test_the_build_script_reproduces_the_package_data(tmp_path: Path) -> None:
    """SCI-11: The baseline MUST be reproducible by one command from the harvest as kept:
    the build script writes the shipped file byte for byte."""
    import subprocess
    import sys

    output = tmp_path / BASELINE_FILE
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_sc_baseline.py"), "--output", str(output)],
        check=True,
        capture_output=True,
    )
    shipped = ROOT / "src" / "digimaat" / "data" / BASELINE_FILE
    assert lzma.decompress(output.read_bytes()) == lzma.decompress(shipped.read_bytes())
    assert output.read_bytes() == shipped.read_bytes()
    assert dump_json(national_baseline()).encode() == lzma.decompress(shipped.read_bytes())


@pytest.mark.property
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["nee", "ja", "digid"]),
            st.sampled_from([None, "https://x.nl/f", "https://x.nl/f.pdf", "mailto:a@x.nl", "0"]),
            st.text("abc", min_size=1, max_size=3),
        ),
        min_size=1,
        max_size=8,
        unique_by=lambda t: t[2],
    ),
    st.randoms(use_true_random=False),
)
def test_the_evidence_picked_does_not_depend_on_order(
    records: list[tuple[str, str | None, str]], rnd: random.Random
) -> None:
    """SCI-8: The result MUST NOT depend on the order in which documents or records are
    read; the evidence is of the highest class, and no record of a higher class exists."""
    candidates = [
        (evidence_of(online, address), identifier) for online, address, identifier in records
    ]
    first = pick(candidates)
    rnd.shuffle(candidates)
    assert pick(candidates) == first
    assert all(e.rank <= first[0].rank for e, _ in candidates)
    assert all(i >= first[1] for e, i in candidates if e.rank == first[0].rank)
