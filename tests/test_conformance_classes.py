"""The conformance classes (chapter CLS): the reference implementation as producer, consumer
and scorer, and the conformance report that backs its claim."""

from __future__ import annotations

import io
import json
import math
from importlib import resources
from pathlib import Path

import attrs
import pytest

from digimaat._version import SPEC_VERSION
from digimaat.cli import main
from digimaat.conformance import published_vectors, run_directory
from digimaat.errors import InputError
from digimaat.exchange import dumps, loads
from digimaat.exchange.profiles import loads_profile
from digimaat.measurement.dataset import Dataset
from digimaat.measurement.profiles import BUILTIN_PROFILES, Profile, ScoreCard, builtin_profile

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "specs" / "conformance"
CARD_FIELDS = {
    "municipality",
    "name",
    "population",
    "size_class",
    "spec_version",
    "profile",
    "profile_version",
    "fingerprint",
    "headline",
    "values",
    "coverage",
}


def run(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), out, err), out.getvalue()


def example_text() -> bytes:
    return resources.files("digimaat.data").joinpath("example.json").read_bytes()


def test_a_claim_is_backed_by_a_report_naming_the_version_and_every_vector() -> None:
    """CLS-1: A conformance claim names the conformance classes it claims and the version of
    this specification; CNF-5: a conformance report MUST name the specification version and
    the ids of the vectors passed and failed."""
    code, out = run("conformance", str(FOLDER))
    assert code == 0
    assert f"specification {SPEC_VERSION}" in out
    for path in FOLDER.glob("*.json"):
        assert path.stem in out
    claim = (ROOT / "specs" / "17-conformance-classes.md").read_text(encoding="utf-8")
    assert "claims the classes producer, consumer and scorer" in claim


def test_a_producer_writes_what_a_consumer_reads_back_the_same() -> None:
    """CLS-2: Every document a producer writes MUST be a conforming dataset ... A document
    that a conforming consumer reads back MUST give the same records; every profile it
    writes is written as PRF-7 defines, every field written out."""
    submission = loads(example_text(), form="json", name="example.json")
    again = loads(dumps(submission), form="json", name="written.json")
    assert again.offerings == submission.offerings
    assert again.municipalities == submission.municipalities
    for name in BUILTIN_PROFILES:
        profile = builtin_profile(name)
        data = profile.to_dict()
        assert set(data) == {
            "name",
            "version",
            "title",
            "description",
            "weighting",
            "missing",
            "metrics",
            "headline",
        }
        assert all("scope" in m or m["kind"] == "composite" for m in data["metrics"])
        assert Profile.from_dict(data) == profile


SMALL = {
    "format": "digimaat-offerings",
    "spec_version": SPEC_VERSION,
    "reference_year": 2024,
    "municipalities": [
        {"cbs_code": "GM0622", "name": "Vlaardingen", "population": 74124, "year": 2021}
    ],
    "offerings": [
        {
            "municipality": "GM0622",
            "product": "parkeervergunning",
            "capabilities": ["information-online"],
        },
        {
            "municipality": "GM0622",
            "product": "paspoort",
            "status": "unknown",
            "volumes": {"balie": "100/year"},
        },
    ],
}
"""One offering at level 1 without volumes, one of status unknown with volumes."""


def test_a_producer_writes_unknown_as_unknown_not_as_zero() -> None:
    """CLS-2: a value that was not observed is left out or recorded as unknown, never
    written as 0: an offering without volumes is written without a volume record, and one
    of status unknown keeps its status."""
    submission = loads(json.dumps(SMALL), form="json", name="small.json")
    written = json.loads(dumps(submission))["offerings"]
    by_product = {record["product"].rsplit("/", 1)[-1]: record for record in written}
    assert "volumes" not in by_product["parkeervergunning"]
    assert by_product["paspoort"]["status"] == "unknown"
    assert (
        "capabilities" not in by_product["paspoort"] or not by_product["paspoort"]["capabilities"]
    )


def test_a_consumer_reports_every_problem_and_guesses_nothing() -> None:
    """CLS-3: A conforming consumer MUST reject every input it declares invalid, reporting
    every problem of the input together, each with the source, the location, the field and
    the value; it MUST NOT drop, clamp or guess a value."""
    document = json.loads(example_text())
    document["offerings"][0]["volumes"] = {"web": "-5/year"}
    document["offerings"][1]["status"] = "maybe"
    document["municipalities"][0]["cbs_code"] = "0606"
    with pytest.raises(InputError) as caught:
        loads(json.dumps(document), form="json", name="bad.json")
    problems = caught.value.problems
    assert len(problems) >= 3
    for problem in problems:
        assert problem.source == "bad.json"
        assert problem.location
        assert problem.field


def test_a_consumer_keeps_undefined_apart_from_zero(tmp_path: Path) -> None:
    """CLS-3: It MUST keep an undefined value or coverage apart from 0 wherever it stores or
    shows one (`null`, `n/a`)."""
    path = tmp_path / "small.json"
    path.write_text(json.dumps(SMALL), encoding="utf-8")
    code, out = run("score", str(path), "--format", "json")
    assert code == 0
    (card,) = json.loads(out)["cards"]
    # Nothing is at online submission, so authentication fit does not apply: null, not 0.
    assert card["values"]["authentication-fit"] is None
    assert card["coverage"]["authentication-fit"] is None
    assert card["values"]["fully-online"] == 0.0
    code, table = run("score", str(path))
    assert "n/a" in table


def test_a_scorer_computes_every_vector_and_writes_full_score_cards() -> None:
    """CLS-4: A conforming scorer MUST provide the built-in profiles ..., compute every
    value ... so that each agrees with its exact value, compute canonical bytes and
    fingerprints exactly, record on every score card the fields of PRF-6, and pass every
    scores and fingerprint vector of the version it claims."""
    outcomes = {o.vector: o for o in run_directory(published_vectors())}
    vectors = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in FOLDER.glob("*.json")}
    for ident, vector in vectors.items():
        if vector["kind"] in ("scores", "fingerprint"):
            assert outcomes[ident].status == "pass", outcomes[ident]
    submission = loads(example_text(), form="json", name="example.json")
    ds = Dataset.from_offerings(
        submission.offerings, submission.municipalities, submission.catalogue
    )
    for name in BUILTIN_PROFILES:
        card = builtin_profile(name).score(ds).cards()[0]
        assert {field.name for field in attrs.fields(ScoreCard)} == CARD_FIELDS
        assert card.spec_version == SPEC_VERSION
        assert card.fingerprint == builtin_profile(name).fingerprint
        for value in card.values.values():
            assert value is None or (0.0 <= value <= 1.0 and not math.isnan(value))


def test_rejection_vectors_are_rejected_and_checked() -> None:
    """CLS-5: A consumer or scorer that attributes the problems it reports to the clauses
    they break (INT-7) MUST pass every rejection vector of the version it claims (CNF-9);
    one that does not still MUST reject their inputs."""
    vectors = [json.loads(p.read_text(encoding="utf-8")) for p in FOLDER.glob("cnf-reject-*.json")]
    assert vectors
    outcomes = {o.vector: o for o in run_directory(FOLDER)}
    for vector in vectors:
        assert outcomes[vector["id"]].status == "pass", outcomes[vector["id"]]
        given = vector["input"]
        text = given if isinstance(given, str) else json.dumps(given, ensure_ascii=False)
        form = "csv" if vector.get("media_type") == "text/csv" else "json"
        read = loads_profile if vector["subject"] == "profile" else loads
        with pytest.raises(InputError) as caught:
            read(text, form=form)
        assert all(p.clause for p in caught.value.problems), vector["id"]
