"""The form of the specification itself (chapter INT): versions, language, clauses, index.

These tests read the Markdown of ``specs/``: they check what the introduction promises
about every chapter, and what the clause index (``docs/_ext/clauses.py``) is built from.
"""

from __future__ import annotations

import re
import sys
from importlib import resources
from pathlib import Path

import pytest

from digimaat._version import SPEC_VERSION
from digimaat.exchange import load, loads
from digimaat.measurement.dataset import Dataset

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
sys.path.insert(0, str(ROOT / "docs" / "_ext"))

import clauses as index  # noqa: E402  (docs/_ext/clauses.py, the Sphinx extension)

CHAPTERS = sorted(p for p in SPECS.glob("[0-9][0-9]-*.md"))
FENCE = re.compile(r"^```.*?^```[ \t]*$", re.MULTILINE | re.DOTALL)
HEADING = re.compile(r"^#{1,6} ", re.MULTILINE)


def example_dataset() -> Dataset:
    """The worked example embedded in the package."""
    data = resources.files("digimaat.data").joinpath("example.json").read_bytes()
    submission = loads(data, form="json", name="example.json")
    return Dataset.from_offerings(
        submission.offerings, submission.municipalities, submission.catalogue
    )


def prose(text: str) -> str:
    """The text of a chapter without its fenced blocks (examples, doctests)."""
    return FENCE.sub("", text)


def clause_texts() -> dict[str, str]:
    """Every clause's text: from its identifier to the next identifier or heading (INT-7),
    examples left out (INT-6)."""
    out: dict[str, str] = {}
    for chapter in CHAPTERS:
        text = prose(chapter.read_text(encoding="utf-8"))
        starts = [(m.start(), m.group(1)) for m in index.CLAUSE_AT_START.finditer(text)]
        stops = sorted({m.start() for m in HEADING.finditer(text)} | {s for s, _ in starts})
        for begin, clause in starts:
            end = next((s for s in stops if s > begin), len(text))
            out[clause] = text[begin:end]
    return out


# ---------------------------------------------------------------------------- versions
def test_the_version_has_the_stated_form() -> None:
    """INT-1: The specification has a version of the form `MAJOR.MINOR`, optionally
    followed by a pre-release label; the introduction states the version the package
    implements."""
    assert re.fullmatch(r"[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?", SPEC_VERSION)
    intro = (SPECS / "00-introduction.md").read_text(encoding="utf-8")
    assert f"| **Specification version** | `{SPEC_VERSION}` |" in intro


def test_a_version_with_a_label_is_a_draft() -> None:
    """INT-3: A version with a pre-release label is a draft; the introduction says so."""
    intro = (SPECS / "00-introduction.md").read_text(encoding="utf-8")
    status = re.search(r"^\| \*\*Status\*\* \| (.*) \|$", intro, re.MULTILINE)
    assert status is not None
    assert status.group(1).startswith("Draft") == ("-" in SPEC_VERSION)


def _change_log() -> list[tuple[str, list[str]]]:
    """The versions of the change log (chapter Changes) with their subsection titles."""
    text = (SPECS / "21-changes.md").read_text(encoding="utf-8")
    versions = []
    for block in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        title = block.splitlines()[0].split(" ", 1)[0]
        subsections = re.findall(r"^### (.+)$", block, re.MULTILINE)
        versions.append((title, subsections))
    return versions


def test_only_a_new_major_version_or_a_draft_changes_numbers() -> None:
    """INT-2: A change that alters any number a conforming implementation computes ... MUST
    increase MAJOR. In the change log, a version whose list has "Numbers that change" is a
    new MAJOR version (x.0) or a draft."""
    versions = _change_log()
    assert versions, "the change log lists no version"
    for version, subsections in versions:
        if "Numbers that change" in subsections:
            assert version.endswith(".0") or "draft" in version, version


def test_the_change_log_has_the_implemented_version() -> None:
    """INT-1, VER-1: the change log of the specification has an entry for the version
    implemented (its release, which a draft prepares)."""
    release = SPEC_VERSION.split("-")[0]
    assert release in [version for version, _ in _change_log()]


def test_score_cards_record_the_specification_version() -> None:
    """INT-4: Every score card MUST record the specification version under which it was
    computed."""
    from digimaat.measurement.profiles import builtin_profile

    board = builtin_profile("digimaat-standard").score(example_dataset())
    assert {card.spec_version for card in board.cards()} == {SPEC_VERSION}


# ---------------------------------------------------------------------------- language
BCP14 = (
    "MUST",
    "MUST NOT",
    "REQUIRED",
    "SHALL",
    "SHALL NOT",
    "SHOULD",
    "SHOULD NOT",
    "RECOMMENDED",
    "NOT RECOMMENDED",
    "MAY",
    "OPTIONAL",
)


def test_the_key_words_are_those_of_bcp_14() -> None:
    """INT-5: The key words ... are to be interpreted as described in BCP 14 (RFC 2119 and
    RFC 8174) when, and only when, they appear in all capitals. Every capitalised key word
    of a clause is one of them, and the references chapter lists BCP 14."""
    intro = clause_texts()["INT-5"]
    for word in BCP14:
        assert word in intro
    assert "RFC 2119" in intro
    assert "RFC 8174" in intro
    shouted = re.compile(r"\b(MUSTN'T|SHAN'T|MUST ?NOT ?BE|REQUIRE|OPTIONALLY|SHOULDN'T)\b")
    for clause, text in clause_texts().items():
        assert not shouted.search(text), clause
    assert "BCP 14" in (SPECS / "19-references.md").read_text(encoding="utf-8")


def test_python_examples_are_doctests() -> None:
    """INT-6: Examples in Python are doctests: every Python block of the specification is a
    `{doctest}` block or starts with `>>>`, so that the documentation build runs it."""
    opening = re.compile(r"^```(\S*)[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
    for chapter in CHAPTERS:
        for language, body in opening.findall(chapter.read_text(encoding="utf-8")):
            if language in ("python", "python3", "py", "pycon"):
                assert body.lstrip().startswith(">>>"), (chapter.name, body[:60])


MODULE = re.compile(r"\bdigimaat\.[a-z_]+|\b[a-z_]+\.py\b|\bsrc/digimaat\b|`[a-z_]+\(\)`")


def test_clauses_name_no_module_of_an_implementation() -> None:
    """INT-6: The clauses name no module, class or function of any implementation."""
    offenders = {}
    for clause, text in clause_texts().items():
        lines = [line for line in text.splitlines() if not line.startswith("|")]
        found = MODULE.findall("\n".join(lines))  # a table holds data: recorded values
        if found:
            offenders[clause] = found
    # Chapter XCH is being reworked elsewhere; every other clause is free of module names.
    assert {c for c in offenders if not c.startswith("XCH")} == set(), offenders


def test_the_text_outside_clauses_of_the_measurement_chapters_names_no_module() -> None:
    """INT-6: where the reference implementation implements a chapter is told in its
    design notes, not in the chapter's prose."""
    for name in ("07-weights", "08-metrics", "09-aggregation", "10-profiles", "11-explain"):
        text = prose((SPECS / f"{name}.md").read_text(encoding="utf-8"))
        assert not re.search(r"\bdigimaat\.[a-z_]+", text), name


# ---------------------------------------------------------------------------- clauses
def test_every_clause_is_stated_once_with_its_chapters_prefix() -> None:
    """INT-7: Every requirement is a numbered clause ... identifiers are stable and never
    reused; INT-7.1: clauses and sub-clauses are numbered by one rule."""
    assert index.sub_clause_problems() == []


def test_the_numbering_rule_finds_every_kind_of_breach(tmp_path: Path) -> None:
    """INT-7.1: the check of the numbering rule can fail: a gap, a sub-clause away from its
    clause, a skipped sub-clause, a second level and a repeated identifier are each found."""
    (tmp_path / "01-a.md").write_text(
        "**AAA-1.** x\n\n**AAA-1.2.** y\n\n**AAA-3.** z\n\n**AAA-1.1.** w\n\n**AAA-3.** v\n",
        encoding="utf-8",
    )
    problems = index.sub_clause_problems(tmp_path)
    assert any("AAA-1.2 is not sub-clause 1" in p for p in problems)
    assert any("AAA-1.1 does not follow" in p for p in problems)
    assert any("stated twice" in p for p in problems)
    assert any("not 1 to n" in p for p in problems)


@pytest.mark.parametrize(
    ("clause", "anchor"), [("MET-1", "met-1"), ("MET-1.1", "met-1-1"), ("AGG-10", "agg-10")]
)
def test_every_clause_has_a_stable_anchor(clause: str, anchor: str) -> None:
    """INT-7.1: Every clause and sub-clause has a stable anchor, named by its identifier in
    lower case with `.` written `-`."""
    assert index.anchor(clause) == anchor


def test_every_clause_is_cited_by_a_test() -> None:
    """INT-7: Tests ... refer to clauses by identifier; the clause index (generated when the
    documentation is built) links each clause to the tests that cite it, and every clause
    has at least one."""
    assert index.uncited() == []


def test_tests_and_vectors_cite_only_clauses_that_exist() -> None:
    """INT-7: a citation of a clause identifier that the specification does not state is an
    error (an identifier is never reused, so a stale citation is found)."""
    known = set(index.clauses())
    prefixes = {c.split("-")[0] for c in known}
    cited: set[str] = set()
    for path in (ROOT / "tests").rglob("*.py"):
        cited |= {
            c
            for c in index.CITATION.findall(path.read_text(encoding="utf-8"))
            if c.split("-")[0] in prefixes
        }
    assert cited - known == set()


def test_the_index_finds_the_tests_and_code_of_a_clause() -> None:
    """INT-7: the clause index links a clause to the tests that cite it and the modules
    that name it."""
    found = index.clauses()
    tests = index.citations(found, ROOT / "tests")
    code = index.citations(found, ROOT / "src")
    assert "tests/measurement/test_aggregation.py" in tests["AGG-5"]
    assert "src/digimaat/measurement/aggregation.py" in code["AGG-5"]
    assert found["MET-1.1"] == "08-metrics"
    assert "UTF-16" not in tests


# ---------------------------------------------------------------------------- conformance
def test_the_published_examples_are_conforming_datasets() -> None:
    """INT-9: A *conforming dataset* is a set of records ... that satisfies every MUST of
    chapters PRD to OFF and is written in the exchange format: every published example
    reads without a problem."""
    examples = sorted(p for p in (SPECS / "examples").glob("*") if p.suffix in (".json", ".csv"))
    assert examples
    for path in examples:
        submission = load(path)
        assert submission.offerings, path.name
