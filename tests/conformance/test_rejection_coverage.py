"""CNF-9: a rejection vector for every requirement of chapters XCH and PRF that rejects input.

The test walks the clauses of the two chapters (a clause runs from its bold identifier to the
next identifier or heading, without its examples, INT-7) and finds every clause with a MUST
sentence. Each such clause is listed below, and reviewed, in exactly one of three places:

- :data:`REJECTS`: the rules of the clause that reject an input, each with the rejection
  vectors that hold such an input. Every vector listed exists and cites the clause;
- :data:`CANNOT`: a rule that rejects something no vector can hold, with the reason; the
  chapter CNF lists the same rules beside its table of vectors;
- :data:`NOT_REJECTING`: a clause whose MUST sentences require something other than the
  rejection of an input (how to write, score or compare), with the reason.

A new clause with a MUST sentence, or a rule that a vector stops citing, fails the test
until it is reviewed here.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"
FOLDER = SPECS / "conformance"
CHAPTERS = {"XCH": SPECS / "12-exchange.md", "PRF": SPECS / "10-profiles.md"}

CLAUSE = re.compile(r"^(?:[-*] )?\*\*([A-Z]{3}-[0-9]+(?:\.[0-9]+)?)\.\*\*", re.MULTILINE)
FENCE = re.compile(r"^```.*?^```[ \t]*$", re.MULTILINE | re.DOTALL)
HEADING = re.compile(r"^#{1,6} ", re.MULTILINE)
MUST = re.compile(r"\bMUST\b")
REFUSES = re.compile(r"\b(?:reject|refuse)", re.IGNORECASE)

REJECTS: dict[str, dict[str, tuple[str, ...]]] = {
    "XCH-18": {"everything else, as XCH-11 says": ("cnf-reject-xch-sheet-remarks-column",)},
    "XCH-18.1": {
        "a first row that is not a header": ("cnf-reject-xch-sheet-first-row",),
        "a digital volume beside the web channel's: volume_web named twice": (
            "cnf-reject-xch-sheet-digital-volume",
        ),
    },
    "XCH-18.2": {
        "a Dutch name the vocabulary does not have": ("cnf-reject-xch-sheet-dutch-words",)
    },
    "XCH-18.3": {
        "a yes/no column that says no to a capability its row lists": (
            "cnf-reject-xch-sheet-tick",
        ),
    },
    "XCH-18.4": {
        "local cells without a local name; a local name without a product": (
            "cnf-reject-xch-sheet-local-cells",
        ),
        "local_product no beside a local name; local_product yes without a product": (
            "cnf-reject-xch-sheet-local-product-column",
        ),
    },
    "XCH-18.7": {"a column for remarks other than notes": ("cnf-reject-xch-sheet-remarks-column",)},
    "XCH-18.8": {
        "no population_year, and a population that is no year's figure in the register": (
            "cnf-reject-xch-sheet-population-year",
        ),
    },
    "XCH-18.9": {
        "an unnamed own name written for another municipality makes no product": (
            "cnf-reject-xch-sheet-unnamed-own-name-elsewhere",
        ),
    },
    "XCH-2": {
        "every problem of a file, reported together with its clause": (
            "cnf-reject-xch-every-problem",
        ),
        "a problem in a CSV header does not hide the rows' problems": (
            "cnf-reject-xch-csv-header-and-rows",
        ),
    },
    "XCH-3": {
        "an empty file, or one of nothing but white space": (
            "cnf-reject-xch-empty-document",
            "cnf-reject-xch-blank-csv",
        ),
    },
    "XCH-4": {
        "nesting deeper than 64 levels": ("cnf-reject-xch-nesting",),
        "a text longer than its limit": ("cnf-reject-xch-text-length",),
        "control, bidirectional, surrogate and noncharacter code points": (
            "cnf-reject-xch-text-characters",
        ),
        "a population, a count of forms or an integer over its limit": (
            "cnf-reject-xch-number-limits",
        ),
    },
    "XCH-5": {
        "text that is not JSON": ("cnf-reject-xch-not-json",),
        "a document of another format, refused at once": (
            "cnf-reject-xch-not-an-offerings-document",
        ),
        "a member the format does not define, in any object": ("cnf-reject-xch-unknown-members",),
        "a REQUIRED member missing": ("cnf-reject-xch-missing-members",),
        "a member name that occurs twice": ("cnf-reject-xch-repeated-members",),
        "NaN, Infinity and -Infinity": ("cnf-reject-xch-nan",),
        "the document's members outside their rules; a record that is not an object": (
            "cnf-reject-xch-document-members",
        ),
    },
    "XCH-6": {
        "a municipality record without a REQUIRED field": ("cnf-reject-xch-municipality-record",),
        "a local product record: uri, name, names twice, additions without a reason": (
            "cnf-reject-xch-local-product-record",
        ),
        "a local product that takes or shadows a product of the catalogue": (
            "cnf-reject-xch-local-product-shadow",
        ),
    },
    "XCH-7": {
        "a repeated CBS code, an unknown municipality, a repeated offering": (
            "cnf-reject-xch-consistency",
        ),
        "a local product URI in two records": ("cnf-reject-xch-local-product-twice",),
    },
    "XCH-8": {
        "a product reference that resolves to no product or to several": (
            "cnf-reject-xch-product-keys",
        ),
        "a field not written as XCH-8 writes it": ("cnf-reject-xch-offering-forms",),
        "a rule of chapter OFF (and the vocabularies it refers to)": (
            "cnf-reject-xch-offering-values",
        ),
    },
    "XCH-9": {
        "a rate outside the grammar, a bare number, a volume out of range": (
            "cnf-reject-xch-rates",
            "cnf-reject-xch-csv-cells",
        ),
    },
    "XCH-11": {
        "an unknown, a repeated or a missing REQUIRED column": ("cnf-reject-xch-csv-header",),
        "a bare number with an empty volume_unit; a volume_unit that is no rate unit": (
            "cnf-reject-xch-csv-cells",
        ),
        "municipality cells that disagree; a listing row with offering cells": (
            "cnf-reject-xch-csv-rows",
        ),
        "a file without a row": ("cnf-reject-xch-csv-no-rows",),
        "text that is not CSV (RFC 4180)": ("cnf-reject-xch-csv-not-csv",),
    },
    "XCH-12": {
        "a header with both separators": ("cnf-reject-xch-csv-separators",),
        "1.5 in a file separated by ';'; a longer row with a filled extra cell": (
            "cnf-reject-xch-csv-dutch-numbers",
        ),
    },
    "XCH-15": {"a document of another MAJOR version": ("cnf-reject-xch-version",)},
    "PRF-1": {
        "metric ids that are not distinct": ("cnf-reject-prf-metric-ids",),
        "a composite that refers to a metric not listed before it; a headline that is no metric": (
            "cnf-reject-prf-composites-and-headline",
        ),
        "an empty name or version, no metrics": ("cnf-reject-prf-empty-texts-and-metrics",),
    },
    "PRF-3": {
        "profile data that takes a built-in profile's name": ("cnf-reject-prf-builtin-name",)
    },
    "PRF-7": {
        "a key that is not a field, a missing field, a value of the wrong type, an unknown "
        "metric kind": ("cnf-reject-prf-form",),
        "a number outside its range, a name outside its vocabulary (weightings)": (
            "cnf-reject-prf-weighting-values",
        ),
        "a number outside its range, a name outside its vocabulary (metrics, policy)": (
            "cnf-reject-prf-metric-values",
        ),
        "data that breaks a rule of PRF-1": (
            "cnf-reject-prf-metric-ids",
            "cnf-reject-prf-composites-and-headline",
        ),
    },
    "PRF-7.1": {
        "a file that is not valid JSON": ("cnf-reject-prf-not-json",),
        "a member name that occurs twice": ("cnf-reject-prf-repeated-member",),
        "NaN and the infinities": ("cnf-reject-prf-nan",),
        "a number of magnitude greater than 10^15": ("cnf-reject-prf-large-numbers",),
        "nesting deeper than 64 levels": ("cnf-reject-prf-nesting",),
        "an empty file (XCH-3)": ("cnf-reject-prf-empty",),
    },
    "PRF-7.2": {
        "a product URI that names no product of the catalogue": (
            "cnf-reject-prf-unknown-products",
        ),
    },
}
"""Per clause, each rule that rejects an input, with the vectors that hold such an input."""

CANNOT: dict[tuple[str, str], str] = {
    ("XCH-3", "bytes that are not UTF-8; a UTF-16 or UTF-32 byte order mark"): (
        "a vector gives its input as text, which is Unicode before it is encoded"
    ),
    ("XCH-4", "a file larger than 128 MiB"): (
        "a vector that held one would be larger than all the others together"
    ),
    ("XCH-7", "several files read together that disagree"): "a vector has one input",
    ("XCH-13", "a volume record without channels, which a writer of the CSV form refuses"): (
        "a rejection vector checks a reader, not a writer"
    ),
    ("XCH-18.5", "a formula without a saved value; an error cell"): (
        "a vector gives its input as text, and a workbook is a binary archive"
    ),
    (
        "XCH-18.6",
        "a workbook without the named sheet; an archive over its limits; rows out of order",
    ): ("a vector gives its input as text, and a workbook is a binary archive"),
    ("PRF-7.1", "a profile file larger than 1 MiB"): (
        "a vector that held one would be larger than all the others together"
    ),
}
"""Rules that reject what no vector can hold, with the reason (listed in the chapter CNF)."""

NOT_REJECTING: dict[str, str] = {
    "XCH-10": "how a writer writes a JSON document",
    "XCH-16": "every document a writer writes validates against the schema",
    "XCH-17": "how results are written for people",
    "PRF-2": "the built-in profiles an implementation provides",
    "PRF-4": "the canonical form and the fingerprint; a publisher changes the version",
    "PRF-5": "how a dataset is scored",
    "PRF-6": "score cards and when two may be compared",
}
"""Clauses whose MUST sentences require something other than rejecting an input."""


@cache
def clause_texts() -> dict[str, str]:
    """Every clause of XCH and PRF: its text without examples, up to the next clause or
    heading (INT-7)."""
    found: dict[str, str] = {}
    for prefix, chapter in CHAPTERS.items():
        text = FENCE.sub("", chapter.read_text(encoding="utf-8"))
        marks = list(CLAUSE.finditer(text))
        for k, mark in enumerate(marks):
            end = marks[k + 1].start() if k + 1 < len(marks) else len(text)
            heading = HEADING.search(text, mark.end(), end)
            body = text[mark.end() : heading.start() if heading else end]
            assert mark.group(1).startswith(prefix + "-"), mark.group(1)
            found[mark.group(1)] = " ".join(body.split())
    return found


def must_sentences(clause: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.;:])\s+", clause_texts()[clause]) if MUST.search(s)]


@cache
def vectors() -> dict[str, dict[str, Any]]:
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(FOLDER.glob("*.json"))
    }


def with_must() -> set[str]:
    return {clause for clause in clause_texts() if must_sentences(clause)}


def test_the_walk_finds_the_clauses_of_both_chapters() -> None:
    """INT-7: the walk finds the clauses, their MUST sentences and nothing from examples."""
    clauses = clause_texts()
    assert {"XCH-2", "XCH-5", "XCH-17", "PRF-1", "PRF-7", "PRF-7.1", "PRF-7.2"} <= set(clauses)
    assert "Traceback" not in " ".join(clauses.values())
    assert any("MUST be refused wherever they occur" in s for s in must_sentences("XCH-5"))


def test_every_clause_with_a_must_sentence_is_reviewed() -> None:
    """CNF-9: every clause of XCH and PRF with a MUST sentence is listed once: as rejecting
    an input (with vectors), as rejecting what no vector can hold, or as not rejecting; and
    nothing is listed that is not such a clause."""
    rejecting = set(REJECTS)
    cannot = {clause for clause, _ in CANNOT}
    other = set(NOT_REJECTING)
    assert not rejecting & other
    assert not cannot & other
    assert rejecting | cannot | other == with_must()


def test_every_clause_that_rejects_is_listed_as_rejecting() -> None:
    """CNF-9: a clause whose MUST sentences reject or refuse something has a vector, or is
    listed among the rules no vector can hold."""
    refusing = {c for c in with_must() if any(REFUSES.search(s) for s in must_sentences(c))}
    cannot = {clause for clause, _ in CANNOT}
    assert refusing - set(REJECTS) - cannot == set()
    assert refusing & set(NOT_REJECTING) == set()


@pytest.mark.parametrize(
    ("clause", "rule", "vector_id"),
    [
        (clause, rule, vector_id)
        for clause, rules in REJECTS.items()
        for rule, ids in rules.items()
        for vector_id in ids
    ],
)
def test_every_rule_that_rejects_has_a_rejection_vector_citing_it(
    clause: str, rule: str, vector_id: str
) -> None:
    """CNF-9: The rejection vectors of a version MUST together hold an input for every
    requirement of chapters XCH and PRF that rejects an input."""
    vector = vectors().get(vector_id)
    assert vector is not None, f"{clause}: {rule}: no vector {vector_id}"
    assert vector["kind"] == "rejection"
    assert clause in vector["clauses"], (vector_id, vector["clauses"])


def test_every_rejection_vector_is_reviewed() -> None:
    """CNF-9: every rejection vector of XCH and PRF holds an input for a rule listed here, and
    is named cnf-reject-<chapter>-<what>."""
    listed = {v for rules in REJECTS.values() for ids in rules.values() for v in ids}
    rejection = {i for i, v in vectors().items() if v["kind"] == "rejection"}
    assert rejection == listed
    assert all(re.fullmatch(r"cnf-reject-(xch|prf)-[a-z0-9-]+", i) for i in rejection)
    for vector_id in rejection:
        cited = set(vectors()[vector_id]["clauses"])
        assert cited & set(REJECTS), vector_id


def test_the_chapter_lists_what_no_vector_can_hold() -> None:
    """CNF-9: requirements no vector can hold are listed beside the vectors, with the
    reason; this list and the chapter's agree."""
    chapter = (SPECS / "13-conformance.md").read_text(encoding="utf-8")
    start = chapter.index("These\ncannot be held by a vector")
    listing = chapter[start : chapter.index("The six questions", start)]
    for clause, rule in CANNOT:
        assert f"({clause})" in listing, (clause, rule)
        assert clause in with_must(), clause
