"""The documentation site includes every chapter of the specification, and nothing else.

Each chapter file ``specs/NN-name.md`` is pulled into the site, without a copy, by a stub
page ``docs/spec/NN-name.md`` that holds one MyST ``{include}`` of it, and the
specification index lists every stub in its toctree. These tests keep the three in step,
so the site cannot silently miss a chapter or show a page whose chapter is gone.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
STUBS = ROOT / "docs" / "spec"
SPEC_INDEX = STUBS / "index.md"

CHAPTER_NAME = re.compile(r"\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*\.md")
INCLUDE = re.compile(r"^```\{include\}[ \t]+(\S+)[ \t]*$", re.MULTILINE)
TOCTREE = re.compile(r"^```\{toctree\}[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def chapters(folder: Path) -> list[str]:
    """The chapter file names (``NN-name.md``) in a folder, sorted."""
    return sorted(p.name for p in folder.glob("*.md") if CHAPTER_NAME.fullmatch(p.name))


def toctree_entries(text: str) -> list[str]:
    """The document names listed in the toctree blocks of a MyST page, in order."""
    entries: list[str] = []
    for body in TOCTREE.findall(text):
        for raw in body.splitlines():
            line = raw.strip()
            if line and not line.startswith(":"):
                entries.append(line)
    return entries


def test_the_specification_has_chapters() -> None:
    assert chapters(SPECS), f"no chapter files NN-name.md in {SPECS.relative_to(ROOT)}"


def test_every_chapter_has_a_stub_page() -> None:
    missing = sorted(set(chapters(SPECS)) - set(chapters(STUBS)))
    assert not missing, (
        f"chapters without a page in docs/spec/: {missing}; add a stub that includes each"
    )


def test_every_stub_page_has_a_chapter() -> None:
    orphans = sorted(set(chapters(STUBS)) - set(chapters(SPECS)))
    assert not orphans, f"pages in docs/spec/ whose chapter is not in specs/: {orphans}"


def test_every_stub_page_includes_its_own_chapter_once() -> None:
    wrong = {}
    for name in chapters(STUBS):
        includes = INCLUDE.findall((STUBS / name).read_text(encoding="utf-8"))
        expected = f"../../specs/{name}"
        if includes != [expected]:
            wrong[name] = includes
        elif (STUBS / expected).resolve() != (SPECS / name).resolve():
            wrong[name] = [f"{expected} does not resolve to specs/{name}"]
    assert not wrong, f"stub pages that do not include exactly their own chapter: {wrong}"


def test_the_specification_index_lists_every_stub_page_in_order() -> None:
    """The chapters in order, then the generated clause index (INT-7.1)."""
    listed = toctree_entries(SPEC_INDEX.read_text(encoding="utf-8"))
    expected = [name.removesuffix(".md") for name in chapters(STUBS)]
    assert listed == [*expected, "clauses"]
    assert (STUBS / "clauses.md").is_file()


def test_layout_helpers_recognise_chapters_and_toctrees() -> None:
    page = "# Title\n\n```{toctree}\n:hidden:\n\n00-introduction\n01-products\n```\n"
    assert toctree_entries(page) == ["00-introduction", "01-products"]
    assert CHAPTER_NAME.fullmatch("05-municipalities.md")
    assert not CHAPTER_NAME.fullmatch("index.md")
    assert not CHAPTER_NAME.fullmatch("5-municipalities.md")


def test_the_footer_names_the_licence_of_the_code() -> None:
    """The documentation's footer names the licence that LICENSE grants (MIT)."""
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8").splitlines()[0]
    assert licence == "MIT License"
    conf = (ROOT / "docs" / "conf.py").read_text(encoding="utf-8")
    (copyright_line,) = [line for line in conf.splitlines() if line.startswith("copyright =")]
    assert "MIT" in copyright_line
    assert "EUPL" not in conf


def test_every_chapter_has_a_row_in_the_design_notes() -> None:
    """Every chapter of the specification has a row in the chapter table of the design
    notes, which says where the reference implementation implements it."""
    design = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    for name in chapters(SPECS):
        assert f"{{doc}}`spec/{name.removesuffix('.md')}`" in design, name
