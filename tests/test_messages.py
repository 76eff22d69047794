"""The message catalogues of the command line (gettext) are in step with the code.

Every text the command line shows a person is marked in the code (``_``, ``ngettext``,
``N_``); ``scripts/messages.py`` extracts the marks into ``digimaat.pot``, merges them into
each language's ``.po`` and compiles the ``.mo`` the package reads. These tests fail when a
mark was added or changed without running ``make messages``, when a translation is
missing, fuzzy or drops a placeholder, or when a compiled catalogue differs from its source.
"""

from __future__ import annotations

import gettext
import io
import re
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from digimaat.cli import main
from digimaat.cli.i18n import VOCABULARY, _, language, languages, name_of, problem_text
from digimaat.errors import Problem
from digimaat.vocabulary.maturity import CAPABILITY_DUTCH, LEVEL_DUTCH, Capability, MaturityLevel

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import messages  # noqa: E402

LOCALE = ROOT / "src" / "digimaat" / "locale"
CATALOGUES = sorted(LOCALE.glob("*/LC_MESSAGES/digimaat.po"))
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _ids(catalog: object) -> set[object]:
    return {m.id for m in catalog if m.id}  # type: ignore[attr-defined]


def test_the_template_holds_every_marked_message() -> None:
    """The template is what the marks in the code extract to (run ``make messages``)."""
    with (LOCALE / "digimaat.pot").open("rb") as handle:
        template = read_po(handle)
    assert _ids(template) == _ids(messages.extract())


def test_every_language_of_the_package_has_a_catalogue() -> None:
    assert CATALOGUES, "no catalogue"
    assert languages() == ("en", *(p.parents[1].name for p in CATALOGUES))


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parents[1].name)
def test_every_message_is_translated_with_its_placeholders(path: Path) -> None:
    """A catalogue translates every message of the template, none fuzzy, and keeps each
    ``{placeholder}``, so that a translation can never fail to format."""
    with (LOCALE / "digimaat.pot").open("rb") as handle:
        template = read_po(handle)
    with path.open("rb") as handle:
        catalog = read_po(handle)
    assert _ids(catalog) == _ids(template)
    for message in catalog:
        if not message.id:
            continue
        assert not message.fuzzy, message.id
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"not translated: {message.id!r}"
        wanted = sorted(PLACEHOLDER.findall(ids[-1]))
        for text in strings:
            assert sorted(PLACEHOLDER.findall(text)) == wanted, (message.id, text)


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parents[1].name)
def test_the_compiled_catalogue_is_its_source(path: Path) -> None:
    """The committed ``.mo`` holds exactly the translations of its ``.po``."""
    with path.open("rb") as handle:
        catalog = read_po(handle)
    expected: dict[object, str] = {}
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            for n, text in enumerate(message.string):
                expected[(message.id[0], n)] = text
        else:
            expected[message.id] = message.string
    with path.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    held = {k: v for k, v in compiled._catalog.items() if k != ""}  # type: ignore[attr-defined]
    assert held == expected


def test_the_vocabulary_names_are_the_standards_dutch_names() -> None:
    """XCH-18.2: a table for people shows a level or capability by its Dutch name, which the
    catalogue holds as the vocabulary defines it."""
    labels = {level.label for level in MaturityLevel} | {c.value for c in Capability}
    assert set(VOCABULARY) == labels
    with language("nl"):
        for level, dutch in LEVEL_DUTCH.items():
            assert name_of(level.label) == dutch
        for capability, dutch in CAPABILITY_DUTCH.items():
            assert name_of(capability.value) == dutch
    assert name_of("fully-online") == "fully-online"


def test_a_problem_keeps_its_structure_in_every_language() -> None:
    """XCH-2: file, place, field, value and clause stay; the message and the suggestion are
    translated where the catalogue has them."""
    problem = Problem(
        "volume_web",
        "3.500",
        "a bare number has no time unit",
        source="a.csv",
        location="row 2, column O",
        clause="OFF-13",
        suggestion="write e.g. '20/year', or fill volume_unit",
    )
    assert problem_text(problem) == str(problem)
    with language("nl"):
        shown = problem_text(problem)
    assert shown.startswith("a.csv:row 2, column O: volume_web: ")
    assert shown.endswith("[OFF-13]")
    assert "een getal zonder eenheid heeft geen tijdseenheid (gegeven: '3.500')" in shown
    assert "vul de kolom eenheid in" in shown
    meant = Problem(
        "status", "jaa", "must be true or false (or ja/nee)", suggestion="did you mean 'ja'?"
    )
    with language("nl"):
        assert problem_text(meant).endswith("(gegeven: 'jaa'); bedoelt u 'ja'?")


def test_lang_nl_speaks_dutch_and_keeps_what_programs_read(tmp_path: Path) -> None:
    """``--lang nl``: Dutch headings and messages in tables; JSON and CSV keep their keys."""
    example = str(ROOT / "src" / "digimaat" / "data" / "example.json")
    out, err = io.StringIO(), io.StringIO()
    assert main(["--lang", "nl", "score", example], out=out, err=err) == 0
    assert out.getvalue().startswith("Profiel digimaat-standard 1.0")
    assert "gemeente" in out.getvalue().splitlines()[3]
    after = io.StringIO()
    assert main(["score", example, "--lang", "nl", "--format", "csv"], out=after) == 0
    english = io.StringIO()
    assert main(["score", example, "--format", "csv"], out=english) == 0
    assert after.getvalue() == english.getvalue()
    missing = io.StringIO()
    assert main(["--lang", "nl", "validate", str(tmp_path / "none.csv")], err=missing) == 1
    with language("nl"):
        assert _("problems") == "problemen"


def test_a_language_is_chosen_from_the_catalogues(capsys: pytest.CaptureFixture[str]) -> None:
    """A language without a catalogue is a usage error, listing those there are."""
    assert main(["--lang", "xx", "profiles"]) == 2
    assert "'en', 'nl'" in capsys.readouterr().err
