"""Versioning and deprecation (chapter VER): what a version may change, fingerprints across
versions, and how the package's version relates to the specification's."""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from digimaat._version import SPEC_VERSION, __version__, keeps_numbers_of
from digimaat.cli import main
from digimaat.measurement.profiles import BUILTIN_PROFILES, builtin_profile, same_results

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
sys.path.insert(0, str(ROOT / "docs" / "_ext"))

import clauses as index  # noqa: E402  (docs/_ext/clauses.py)

FINGERPRINT = r"`(sha256:[0-9a-f]{64})`"
FINGERPRINT_ROW = re.compile(
    rf"^\| `([a-z-]+)` \| {FINGERPRINT} \| {FINGERPRINT}(?: \(unchanged: [^)]*\))? \|$",
    re.MULTILINE,
)


def tabled_fingerprints() -> dict[str, tuple[str, str]]:
    """``{profile: (fingerprint, superseded fingerprint)}`` from the table of chapter PRF."""
    text = (SPECS / "10-profiles.md").read_text(encoding="utf-8")
    return {m[1]: (m[2], m[3]) for m in FINGERPRINT_ROW.finditer(text)}


def test_the_change_log_names_only_clauses_that_exist() -> None:
    """VER-1: Every version is published ... with an entry in the change log of the
    specification that lists every clause it adds, changes, deprecates or withdraws: every
    clause the change log names exists, and every clause the change log calls new is
    stated in a chapter."""
    text = (SPECS / "21-changes.md").read_text(encoding="utf-8")
    known = set(index.clauses())
    prefixes = {clause.split("-")[0] for clause in known}
    named = {c for c in index.CITATION.findall(text) if c.split("-")[0] in prefixes}
    assert named, "the change log names no clause"
    assert named - known == set()
    for new in re.findall(r"([A-Z]{3}-[0-9]+(?:\.[0-9]+)?) new", text):
        assert new in known


def test_a_minor_release_keeps_every_fingerprint() -> None:
    """VER-2: every profile valid under it stays valid and keeps its canonical form and
    fingerprint: the built-in profiles have exactly the fingerprints tabled for this
    version, so a change of the canonical form cannot pass unnoticed; and every vector is
    one of this version or of an earlier release of its MAJOR version, which stays valid."""
    tabled = tabled_fingerprints()
    assert set(tabled) == set(BUILTIN_PROFILES)
    for name in BUILTIN_PROFILES:
        assert builtin_profile(name).fingerprint == tabled[name][0]
    for path in (SPECS / "conformance").glob("*.json"):
        version = json.loads(path.read_text(encoding="utf-8"))["spec_version"]
        assert keeps_numbers_of(version), path.name
        assert not version.endswith("-draft"), path.name


def test_a_change_of_fingerprints_lists_the_old_beside_the_new() -> None:
    """VER-3, VER-6: a release that changes the canonical form MUST list the fingerprint of
    every built-in profile under the new version beside its fingerprint under the previous
    one; the two differ where the two canonical forms write different bytes."""
    for name, (now, old) in tabled_fingerprints().items():
        profile = builtin_profile(name)
        assert (now != old) is (_old_canonical(profile) != profile.canonical_json()), name


def _old_canonical(profile: Any) -> bytes:
    """The canonical text of the drafts before 1.0, written out here independently:
    every number as a binary64 float, keys sorted, no whitespace, ASCII with escapes."""

    def floats(data: Any) -> Any:
        if isinstance(data, dict):
            return {k: floats(v) for k, v in data.items()}
        if isinstance(data, list):
            return [floats(v) for v in data]
        if isinstance(data, int | float) and not isinstance(data, bool):
            return float(data) + 0.0
        return data

    text = json.dumps(
        floats(profile.canonical()), sort_keys=True, separators=(",", ":"), ensure_ascii=True
    )
    return text.encode("ascii")


def test_the_superseded_fingerprints_are_those_of_the_old_canonical_form() -> None:
    """VER-6: the fingerprints of the built-in profiles under 1.0, and those of the drafts
    before it that they supersede, are listed: each superseded one is the SHA-256 of the
    canonical text of the drafts."""
    for name, (_, old) in tabled_fingerprints().items():
        text = _old_canonical(builtin_profile(name))
        assert "sha256:" + hashlib.sha256(text).hexdigest() == old, name


def test_deprecated_and_withdrawn_clauses_say_since_when() -> None:
    """VER-4: a deprecated feature's clause says so and names the release; a withdrawn
    clause keeps its identifier with the mark *withdrawn*."""
    for chapter in SPECS.glob("[0-9][0-9]-*.md"):
        for line in chapter.read_text(encoding="utf-8").splitlines():
            if re.search(r"\*deprecated\*\s+(since|in)\b", line):
                assert re.search(r"\*deprecated\*\s+(since|in)\s+[0-9]+\.[0-9]+", line), line
            if re.match(r"^\*\*[A-Z]{3}-[0-9.]+\.\*\* \*withdrawn\*", line):
                assert re.search(r"[0-9]+\.[0-9]+", line), line


@pytest.mark.parametrize(
    ("a", "b", "comparable"),
    [
        ("1.0", "1.0", True),
        ("1.0", "1.3", True),
        ("1.4", "1.0", True),
        ("1.0", "2.0", False),
        ("1.0-draft", "1.0-draft", True),
        ("1.0-draft", "1.0", False),
        ("2.0-draft", "2.0", False),
        ("1.0-draft", "1.1-draft", False),
    ],
)
def test_score_cards_of_one_major_version_are_comparable(a: str, b: str, comparable: bool) -> None:
    """VER-5: Two score cards are comparable when their fingerprints are equal and their
    specification versions are equal, or are releases, not drafts, of the same MAJOR
    version; INT-3: a draft's scores only with the same draft's."""
    assert same_results(a, b) is comparable
    assert same_results(b, a) is comparable


def test_comparable_cards_need_one_fingerprint() -> None:
    """VER-5, PRF-6: cards of different fingerprints are not comparable, whatever their
    versions."""
    import attrs

    from tests.test_security import example_dataset

    standard = builtin_profile("digimaat-standard").score(example_dataset()).cards()[0]
    volume = builtin_profile("digimaat-volume").score(example_dataset()).cards()[0]
    assert standard.comparable_with(standard)
    assert not standard.comparable_with(volume)
    assert not standard.comparable_with(attrs.evolve(standard, spec_version="9.0"))


# ---------------------------------------------------------------------------- VER-7
def follows_version_rule(old: tuple[str, str], new: tuple[str, str]) -> bool:
    """VER-7 on two consecutive releases ``(package version, specification version)``."""

    def parts(version: str) -> tuple[int, int]:
        major, minor = re.match(r"([0-9]+)\.([0-9]+)", version).groups()  # type: ignore[union-attr]
        return int(major), int(minor)

    (old_pkg, old_spec), (new_pkg, new_spec) = old, new
    if parts(new_spec)[0] != parts(old_spec)[0]:
        return parts(new_pkg)[0] > parts(old_pkg)[0]
    if parts(new_spec) != parts(old_spec):
        return parts(new_pkg) > parts(old_pkg)
    return True


def test_the_version_rule_itself() -> None:
    """VER-7: a release that moves to a new MAJOR version of the specification MUST be a new
    major release; one that moves to a new MINOR version MUST be at least a new minor
    release; otherwise the implementation numbers by its own rules."""
    assert follows_version_rule(("1.4.2", "1.0"), ("2.0.0", "2.0"))
    assert not follows_version_rule(("1.4.2", "1.0"), ("1.5.0", "2.0"))
    assert follows_version_rule(("1.4.2", "1.0"), ("1.5.0", "1.1"))
    assert not follows_version_rule(("1.4.2", "1.0"), ("1.4.3", "1.1"))
    assert follows_version_rule(("1.4.2", "1.1"), ("1.4.3", "1.1"))


def released() -> list[tuple[str, str]]:
    """``(package version, specification version)`` of every release in CHANGELOG.md."""
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    out = []
    for match in re.finditer(r"^## \[([0-9][^\]]*)\][^\n]*\n(.*?)(?=^## |\Z)", text, re.M | re.S):
        spec = re.search(r"[Ss]pecification ([0-9]+\.[0-9]+(?:-[0-9A-Za-z.]+)?)", match[2])
        assert spec is not None, (
            f"release {match[1]} does not say which specification it implements"
        )
        out.append((match[1], spec[1]))
    return out


def test_the_releases_of_the_package_follow_the_rule() -> None:
    """VER-7: the package's change log records, for every release, the specification version
    it implements, and consecutive releases follow the rule."""
    history = list(reversed(released()))  # oldest first
    for old, new in itertools.pairwise(history):
        assert follows_version_rule(old, new), (old, new)


def test_the_package_reports_both_versions() -> None:
    """VER-7: An implementation MUST implement exactly one version of the specification at a
    time and MUST report it together with its own version (for a command-line program, its
    `--version`)."""
    out = io.StringIO()
    code = main(["--version"], out, io.StringIO())
    printed = out.getvalue()
    assert code == 0
    assert __version__ in printed
    assert f"specification {SPEC_VERSION}" in printed


def test_schemas_carry_the_version_that_introduced_them() -> None:
    """VER-8: A schema's file name carries the version that introduced it, and its `$id`
    names that file."""
    for path in (SPECS / "schema").glob("*.json"):
        assert re.fullmatch(r"digimaat(-[a-z]+)+-[0-9]+\.[0-9]+\.schema\.json", path.name)
        schema = json.loads(path.read_text(encoding="utf-8"))
        assert schema["$id"].endswith("/" + path.name)
