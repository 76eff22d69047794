"""SCI-2, SCI-2.1, SCI-3: records, their identity, and the municipalities they belong to."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from digimaat.exchange.sc import ScImport, import_sc, sc_authorities
from digimaat.vocabulary.municipalities import cbs_register
from tests.exchange.sc.conftest import OWMS, ROOT, entry

SRU = '<searchRetrieveResponse xmlns="http://www.loc.gov/zing/srw/">'
RECORD = """<record><recordData><gzd xmlns="http://standaarden.overheid.nl/sru"><originalData>
<overheidproduct:scproduct xmlns:overheidproduct="http://standaarden.overheid.nl/product/terms/"
 xmlns:dcterms="http://purl.org/dc/terms/" xmlns:overheid="http://standaarden.overheid.nl/owms/terms/">
<overheidproduct:meta><overheidproduct:owmskern>{identifier}
<overheid:authority scheme="{scheme}" resourceIdentifier="{authority}">X</overheid:authority>
</overheidproduct:owmskern><overheidproduct:scmeta>
<overheidproduct:onlineAanvragen>{online}</overheidproduct:onlineAanvragen>
<overheidproduct:uniformeProductnaam resourceIdentifier="{upl}"/>
</overheidproduct:scmeta></overheidproduct:meta></overheidproduct:scproduct>
</originalData></gzd></recordData><recordPosition>{position}</recordPosition>
<extraRecordData><dtf:timestamp xmlns:dtf="http://standaarden.overheid.nl/sru/dtf"
>2023-10-18T10:55:36+02:00</dtf:timestamp></extraRecordData></record>"""


def response(*records: dict[str, str], declared: int | None = None) -> bytes:
    """An SRU response with the given records (defaults: a Delft passport, ``ja``)."""
    body = []
    for k, fields in enumerate(records, start=1):
        values = {
            "identifier": f"<dcterms:identifier>https://www.delft.nl/p{k}</dcterms:identifier>",
            "scheme": "overheid:Gemeente",
            "authority": OWMS + "Delft_(gemeente)",
            "online": "ja",
            "upl": OWMS + "paspoort",
            "position": str(k),
            **fields,
        }
        body.append(RECORD.format(**values))
    count = len(records) if declared is None else declared
    return (
        f"{SRU}<numberOfRecords>{count}</numberOfRecords><records>{''.join(body)}</records>"
        "</searchRetrieveResponse>"
    ).encode()


# -- SCI-2 -----------------------------------------------------------------------------------


def test_unusable_records_are_reported_and_the_rest_imported(tmp_path: Path) -> None:
    """SCI-2: A record without an identifier, without an authority URI, or whose
    onlineAanvragen is not nee, ja or digid ... MUST be reported, naming the document, the
    record, the field and the value, and is not imported."""
    records = [{}, {"identifier": ""}, {"online": "misschien"}, {"authority": " "}]
    (tmp_path / "r.xml").write_bytes(response(*records, {"online": " JA "}))
    result = import_sc([tmp_path / "r.xml"])
    found = [(p.source, p.location, p.field) for p in result.problems]
    assert found == [
        ("r.xml", "record 2", "dcterms:identifier"),
        ("r.xml", "record 3", "overheidproduct:onlineAanvragen"),
        ("r.xml", "record 4", "overheid:authority"),
    ]
    assert result.problems[1].value == "misschien"
    assert result.summary.national.records == 2  # records 1 and 5 (" JA " is ja)
    assert result.summary.national.online_aanvragen["ja"] == 2


def test_a_page_of_a_larger_result_is_reported(tmp_path: Path) -> None:
    """SCI-2: An SRU response whose numberOfRecords is larger than the records it holds is
    one page of a larger result: that MUST be reported."""
    (tmp_path / "page.xml").write_bytes(response({}, declared=1000))
    result = import_sc([tmp_path / "page.xml"])
    (problem,) = result.problems
    assert (problem.field, problem.value) == ("numberOfRecords", 1000)
    assert result.summary.national.records == 1


FEED = b"""<overheidproduct:scproducten xmlns:overheidproduct="http://standaarden.overheid.nl/product/terms/"
 xmlns:dcterms="http://purl.org/dc/terms/" xmlns:overheid="http://standaarden.overheid.nl/owms/terms/">
<overheidproduct:scproduct><overheidproduct:meta><overheidproduct:owmskern>
<dcterms:identifier>https://www.delft.nl/paspoort</dcterms:identifier>
<overheid:authority scheme="overheid:Gemeente"
 resourceIdentifier="http://standaarden.overheid.nl/owms/terms/Delft_(gemeente)">Delft</overheid:authority>
</overheidproduct:owmskern><overheidproduct:scmeta>
<overheidproduct:onlineAanvragen>nee</overheidproduct:onlineAanvragen>
<overheidproduct:uniformeProductnaam resourceIdentifier="http://standaarden.overheid.nl/owms/terms/paspoort"/>
</overheidproduct:scmeta></overheidproduct:meta></overheidproduct:scproduct>
</overheidproduct:scproducten>"""


def test_a_feed_needs_a_retrieval_date(tmp_path: Path) -> None:
    """SCI-2: A feed carries no retrieval date; its records MUST be given one by the caller,
    or the document is reported and not imported."""
    from digimaat.errors import InputError

    (tmp_path / "feed.xml").write_bytes(FEED)
    with pytest.raises(InputError) as info:
        import_sc([tmp_path / "feed.xml"])
    assert [(p.field, p.source) for p in info.value.problems[:1]] == [("retrieved", "feed.xml")]
    result = import_sc([tmp_path / "feed.xml"], retrieved="2025-01-31")
    (offering,) = result.submission.offerings
    assert offering.provenance is not None
    assert offering.provenance.retrieved.isoformat() == "2025-01-31"
    assert result.submission.reference_year == 2025
    assert result.submission.municipalities[0].year == 2024  # the latest register shipped
    assert offering.municipality == "GM0503"  # Delft


MODIFIED = b"<dcterms:modified>%s</dcterms:modified>"

# -- SCI-2.1 ---------------------------------------------------------------------------------


def test_a_record_read_twice_counts_once_whatever_the_order(raw: Path, tmp_path: Path) -> None:
    """SCI-2.1: A record read more than once ... MUST be counted once; the copy kept is the one
    with the latest dcterms:modified, and among those the one whose document name and place
    come first in code point order, so that the result does not depend on the order."""
    copy = tmp_path / "Maassluis.xml"
    copy.write_bytes((raw / "Maassluis.xml").read_bytes())
    results = [import_sc(order) for order in itertools.permutations([raw / "Maassluis.xml", copy])]
    results.append(import_sc([tmp_path, raw / "Maassluis.xml"]))
    first = results[0]
    assert first.summary.duplicates == 113
    assert first.summary.national.records == 113
    for other in results[1:]:
        assert other.summary.national.records == 113
    assert results[0].submission == results[1].submission
    sources = {o.provenance.source for o in first.submission.offerings if o.provenance}
    assert sources == {"Maassluis.xml"}  # both are named Maassluis.xml: the first place wins


def test_the_latest_modified_copy_is_kept(tmp_path: Path) -> None:
    """SCI-2.1: the copy kept is the one with the latest dcterms:modified."""
    old = response({"online": "nee"}).replace(
        b"</dcterms:identifier>",
        b"</dcterms:identifier><dcterms:modified>2023-01-01</dcterms:modified>",
    )
    new = response({"online": "ja"}).replace(
        b"</dcterms:identifier>",
        b"</dcterms:identifier><dcterms:modified>2023-06-01</dcterms:modified>",
    )
    (tmp_path / "a.xml").write_bytes(new)
    (tmp_path / "b.xml").write_bytes(old)
    for order in (["a.xml", "b.xml"], ["b.xml", "a.xml"]):
        result = import_sc([tmp_path / name for name in order])
        assert result.summary.national.online_aanvragen == {"nee": 0, "ja": 1, "digid": 0}
        assert result.submission.offerings[0].provenance.source == "a.xml"  # type: ignore[union-attr]


# -- SCI-3 -----------------------------------------------------------------------------------


def test_records_belong_to_their_authority_not_their_file(imported: ScImport) -> None:
    """SCI-3: A record belongs to the organisation its overheid:authority resourceIdentifier
    names, never to the organisation a file name suggests: Utrecht.xml holds the province,
    Groningen.xml both the municipality and the province (SOURCE.md)."""
    left_out = {n["authority"]: n["records"] for n in imported.summary.non_municipal}
    assert left_out == {OWMS + "Utrecht_(provincie)": 95, OWMS + "Groningen_(provincie)": 85}
    assert entry(imported, "Groningen_(gemeente)")["records"] == 648
    assert entry(imported, "Groningen_(gemeente)")["code"] == "GM0014"
    utrecht = entry(imported, "Utrecht_oud")
    assert (utrecht["code"], utrecht["name"], utrecht["records"]) == ("GM0344", "Utrecht", 294)
    assert entry(imported, "Rotterdam")["code"] == "GM0599"
    codes = {m.cbs_code for m in imported.submission.municipalities}
    assert {"GM0344", "GM0014", "GM0599", "GM0556", "GM0622", "GM0606"} <= codes
    assert len(codes) == 12  # 14 files: one province only, one empty


def test_an_unmapped_municipality_is_reported_never_dropped(raw: Path, tmp_path: Path) -> None:
    """SCI-3: A municipal authority that the mapping does not hold MUST be reported, with the
    number of its records, and appear in the summary without a code."""
    (tmp_path / "atlantis.xml").write_bytes(
        response({"authority": OWMS + "Atlantis"}, {"authority": OWMS + "Atlantis"})
    )
    result = import_sc([tmp_path / "atlantis.xml", raw / "Mook-en-Middelaar.xml"])
    (problem,) = result.problems
    assert (problem.field, problem.value) == ("overheid:authority", OWMS + "Atlantis")
    assert "its 2 records give no offerings" in problem.message
    found = entry(result, "Atlantis")
    assert (found["code"], found["records"], found["offerings"]) == (None, 2, 0)
    assert result.summary.to_dict()["national"]["unmapped_authorities"] == [OWMS + "Atlantis"]


def test_the_shipped_mapping_gives_every_cbs_code() -> None:
    """SCI-3: The mapping gives all 342 codes of 2023 and 2024 at least one URI, and the
    stated manual correspondences."""
    authorities = sc_authorities()
    for year in (2023, 2024):
        assert {m.cbs_code for m in cbs_register(year)} == set(authorities.codes.values())
    assert authorities.code(OWMS + "Utrecht_oud") == "GM0344"
    assert authorities.code(OWMS + "Bergen_(Li)") == "GM0893"
    assert authorities.code(OWMS + "Bergen_(NH)") == "GM0373"
    assert authorities.code(OWMS + "'s-Gravenhage") == "GM0518"
    manual = {m["uri"]: m["code"] for m in authorities.provenance["manual"]}
    assert manual == {
        OWMS + "Utrecht_oud": "GM0344",
        OWMS + "Bergen_(Li)": "GM0893",
        OWMS + "Bergen_(NH)": "GM0373",
    }
    assert all(m["reason"] for m in authorities.provenance["manual"])


def test_the_mapping_is_reproduced_by_its_script(tmp_path: Path) -> None:
    """SCI-3: the mapping is derived mechanically ...: the committed script reproduces the
    package data byte for byte from the OWMS list kept in data/sc/lists."""
    import subprocess
    import sys

    output = tmp_path / "sc_authorities.json"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "build_sc_authorities.py"),
            "--output",
            str(output),
        ],
        check=True,
        capture_output=True,
    )
    shipped = ROOT / "src" / "digimaat" / "data" / "sc_authorities.json"
    assert output.read_bytes() == shipped.read_bytes()
    assert json.loads(output.read_text())["provenance"]["md5"] == "612622b6bec0785d2fa5d261e579da0b"
