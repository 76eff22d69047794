"""Security and privacy considerations (chapter SEC): what the data holds, untrusted input,
safe output, and what a fingerprint does not prove."""

from __future__ import annotations

import io
import json
import re
import socket
from pathlib import Path
from typing import Any

import attrs
import pytest

from digimaat import conformance
from digimaat.cli import main
from digimaat.errors import DigimaatError, InputError
from digimaat.exchange import load
from digimaat.jcs import canonical_json
from digimaat.measurement.dataset import Dataset
from digimaat.measurement.explain import priorities
from digimaat.measurement.metrics import Uptake
from digimaat.measurement.profiles import Profile, builtin_profile, standard_profile
from digimaat.measurement.weights import Volume
from digimaat.vocabulary.municipalities import Municipality
from digimaat.vocabulary.offerings import Offering, VolumeRecord
from digimaat.vocabulary.products import UPL_NAMESPACE, reference_catalogue

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "src" / "digimaat" / "data" / "example.json"
PERSONAL = re.compile(
    r"[\w.+-]+@[\w-]+\.[\w.]+"  # an e-mail address
    r"|(?<!\d)\d{9}(?!\d)"  # nine digits, the form of a BSN
    r"|(?<!\d)(?:\+31|0)6[ -]?\d{8}(?!\d)"  # a Dutch mobile number
)


def strings(data: Any) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for k, v in data.items() for s in (*strings(k), *strings(v))]
    if isinstance(data, list):
        return [s for item in data for s in strings(item)]
    return []


def example_dataset() -> Dataset:
    submission = load(EXAMPLE)
    return Dataset.from_offerings(
        submission.offerings, submission.municipalities, submission.catalogue
    )


# ---------------------------------------------------------------------------- the data
def test_the_published_data_holds_no_personal_data() -> None:
    """SEC-1: An exchange document MUST NOT hold personal data ... every text names a
    municipality, a product, a channel, a capability, an authentication means or a
    reason. No published document (the embedded example, the examples of the
    specification, the inputs of the vectors) holds an e-mail address, a number of the form
    of a BSN or a telephone number."""
    documents = [json.loads(EXAMPLE.read_text(encoding="utf-8"))]
    documents += [
        json.loads(p.read_text(encoding="utf-8"))
        for p in (ROOT / "specs" / "examples").glob("*.json")
    ]
    documents += [
        json.loads(p.read_text(encoding="utf-8")).get("input", {})
        for p in (ROOT / "specs" / "conformance").glob("*.json")
    ]
    found = [s for document in documents for s in strings(document) if PERSONAL.search(s)]
    assert found == []
    schema = json.loads(
        (ROOT / "specs" / "schema" / "digimaat-offerings-1.0.schema.json").read_text("utf-8")
    )
    members = set(strings(schema.get("$defs", {}).get("offering", {}).get("properties", {})))
    assert not {m for m in members if re.search(r"person|citizen|bsn|e-?mail_address", m)}


def test_a_volume_left_out_is_unknown_and_the_rest_is_still_measured() -> None:
    """SEC-2: a publisher MAY ... leave the volume out (it is then unknown, WGT-3): the
    other products are still measured, the coverage says what is missing."""
    catalogue = reference_catalogue()
    ds = Dataset.from_offerings(
        [
            Offering(
                "GM0622",
                UPL_NAMESPACE + "parkeervergunning",
                volumes=VolumeRecord.from_mapping({"web": "300/year", "balie": "100/year"}),
            ),
            Offering("GM0622", UPL_NAMESPACE + "geluidsontheffing"),  # 2 a year: left out
        ],
        [Municipality("GM0622", "Vlaardingen", 74124, 2021)],
        catalogue,
    )
    result = Uptake("uptake", "Uptake").evaluate(ds, Volume())
    assert result.of("GM0622") == 0.75
    assert float(result.coverage[0]) == 1.0  # the unknown weight is outside the coverage
    assert int(Volume().prepare(ds).unknown.sum()) == 1  # type: ignore[union-attr]


def test_a_score_card_names_no_product() -> None:
    """SEC-3: a publisher ... MAY publish the shortfall metric for a municipality without
    the products behind it: a score card holds values per metric, never per product."""
    card = standard_profile().score(example_dataset()).cards()[0]
    text = json.dumps(attrs.asdict(card))
    assert "authentication-shortfall" in card.values
    assert UPL_NAMESPACE not in text
    assert "urn:" not in text


# ---------------------------------------------------------------------------- input
def test_a_profile_cannot_make_the_reader_do_anything(tmp_path: Path) -> None:
    """SEC-4: a profile is data ... a TOML or JSON file MUST NOT be able to make the reader
    run anything, include other files or fetch anything: a key that is not a field is an
    error, whatever it names."""
    from digimaat.exchange.profiles import load_profile

    data = builtin_profile("mdd-product").to_dict()
    for key in ("include", "import", "$ref", "__class__"):
        with pytest.raises(InputError, match="is not a field"):
            Profile.from_dict({**data, key: "other.toml"})
    path = tmp_path / "profile.toml"
    path.write_text('include = "/etc/passwd"\n', encoding="utf-8")
    with pytest.raises(DigimaatError):
        load_profile(path)


def test_no_uri_is_fetched(monkeypatch: pytest.MonkeyPatch) -> None:
    """SEC-4: a consumer MUST NOT dereference a URI it reads: reading, scoring and
    explaining data full of http URIs (products, legal bases, sources) opens no socket."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a socket was opened")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    ds = example_dataset()
    standard_profile().score(ds).cards()
    priorities(ds, standard_profile(), ds.codes[0], by="requests")


def test_a_vector_file_over_the_limit_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SEC-4: A reader of test vectors likewise refuses a vector file it cannot read within
    a stated size: the runner reads no more than the limit and one byte."""
    monkeypatch.setattr(conformance, "MAX_VECTOR_BYTES", 64)
    (tmp_path / "cnf-big.json").write_text(json.dumps({"x": "y" * 200}), encoding="utf-8")
    (outcome,) = conformance.run_directory(tmp_path)
    assert outcome.status == "error"
    assert "larger than 64 bytes" in outcome.reason


def test_nesting_beyond_the_limit_is_not_followed(tmp_path: Path) -> None:
    """SEC-5: a consumer MUST NOT follow nesting deeper than its limit: the canonical form
    refuses it, and the runner reports a vector nested too deep as not a vector rather
    than failing."""
    deep: Any = 0
    for _ in range(200):
        deep = [deep]
    with pytest.raises(DigimaatError, match="nested deeper"):
        canonical_json(deep)
    (tmp_path / "cnf-deep.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    (outcome,) = conformance.run_directory(tmp_path)
    assert outcome.status == "error"


def test_lookups_are_indexed_not_scans(monkeypatch: pytest.MonkeyPatch) -> None:
    """SEC-5: A consumer MUST NOT look records up by scanning all the others: a product is
    found in the catalogue by its URI, name or last segment without iterating over the
    catalogue."""
    catalogue = reference_catalogue()

    def refuse(self: Any) -> Any:
        raise AssertionError("the catalogue was scanned")

    monkeypatch.setattr(type(catalogue), "__iter__", refuse)
    for key in ("paspoort", UPL_NAMESPACE + "parkeervergunning", "bezoekafspraak"):
        assert catalogue.resolve(key).uri.startswith(UPL_NAMESPACE)


# ---------------------------------------------------------------------------- output
def test_control_characters_of_the_input_do_not_reach_the_terminal(tmp_path: Path) -> None:
    """SEC-6, XCH-17: Written to a terminal, a control character of the input MUST NOT reach
    the terminal as itself: neither in the command line's tables nor in the conformance
    runner's report."""
    vector = json.loads(
        (ROOT / "specs" / "conformance" / "cnf-weighting-mix.json").read_text("utf-8")
    )
    vector["id"] = "cnf-\x1b[2Jx"
    (tmp_path / "cnf-x.json").write_text(json.dumps(vector), encoding="utf-8")
    out = io.StringIO()
    conformance.report(conformance.run_directory(tmp_path), out)
    assert "\x1b" not in out.getvalue()
    assert "\\x1b[2Jx" in out.getvalue()
    document = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    document["municipalities"][0]["name"] = "Maas\x1b[31msluis"
    path = tmp_path / "evil.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    table, err = io.StringIO(), io.StringIO()
    assert main(["score", str(path)], table, err) == 2  # refused (XCH-4), and shown escaped
    assert table.getvalue() == ""
    assert "\x1b" not in err.getvalue()
    assert "Maas\\x1b[31msluis" in err.getvalue()


def test_formulas_from_the_input_are_written_as_text_for_a_spreadsheet(tmp_path: Path) -> None:
    """SEC-6, XCH-17: Written to a file meant for a spreadsheet, a text that a spreadsheet
    would read as a formula MUST be written so that it is read as text; numbers stay
    numbers."""
    document = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    document["municipalities"][0]["name"] = '=HYPERLINK("http://x","y")'
    path = tmp_path / "evil.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    out = io.StringIO()
    assert main(["score", str(path), "--format", "csv"], out, io.StringIO()) == 0
    rows = out.getvalue().splitlines()
    assert not any(cell.startswith("=") for row in rows for cell in row.split(","))
    assert any("'=HYPERLINK" in row for row in rows)


# ---------------------------------------------------------------------------- fingerprints
def test_a_fingerprint_proves_nothing_about_the_numbers() -> None:
    """SEC-7: anyone can write a score card with any numbers and any fingerprint; a consumer
    that must know recomputes the card from the data and the profile."""
    ds = example_dataset()
    profile = standard_profile()
    genuine = profile.score(ds).cards()[0]
    forged = attrs.evolve(genuine, values={**genuine.values, profile.headline: 1.0})
    assert forged.fingerprint == genuine.fingerprint == profile.fingerprint
    recomputed = profile.score(ds).card(forged.municipality)
    assert recomputed == genuine
    assert recomputed != forged
