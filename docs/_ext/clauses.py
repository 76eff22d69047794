"""Clause anchors and the clause index of the specification (a local Sphinx extension).

Every clause of the specification is a paragraph that starts with its identifier in bold,
``**MET-1.1.**`` (INT-7). This extension gives each such paragraph a stable anchor, its
identifier in lower case with ``.`` written ``-`` (``met-1-1``), registers it as a label
(so ``{ref}`met-1-1``` links to it from any page), and makes the identifier a link to
itself. The directive ``clause-index`` writes a table of every clause with the test files
that cite it and the source modules that name it, found by scanning ``tests/`` and
``src/`` when the site is built. A clause that no test cites is a warning, which fails a
build run with ``-W``; ``tests/test_clause_index.py`` checks the same with pytest.

The scanning functions have no Sphinx dependency, so the test imports them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

CLAUSE_AT_START = re.compile(r"^(?:[-*] )?\*\*([A-Z]{3}-[0-9]+(?:\.[0-9]+)?)\.\*\*", re.MULTILINE)
"""A clause: its bold identifier at the start of a paragraph or list item (INT-7)."""

CITATION = re.compile(r"(?<![A-Za-z0-9-])([A-Z]{3}-[0-9]+(?:\.[0-9]+)?)(?![0-9])")
"""A clause identifier anywhere in text, as tests and code cite it."""

CHAPTER = re.compile(r"[0-9]{2}-[a-z0-9]+(?:-[a-z0-9]+)*\.md")


def anchor(clause: str) -> str:
    """The anchor of a clause: ``MET-1.1`` -> ``met-1-1`` (INT-7.1)."""
    return clause.lower().replace(".", "-")


def clauses(specs: Path = ROOT / "specs") -> dict[str, str]:
    """Every clause of the specification, in chapter order: ``{clause id: chapter file}``."""
    found: dict[str, str] = {}
    for chapter in sorted(p for p in specs.glob("*.md") if CHAPTER.fullmatch(p.name)):
        for clause in CLAUSE_AT_START.findall(chapter.read_text(encoding="utf-8")):
            found.setdefault(clause, chapter.stem)
    return found


def _files(folder: Path, suffixes: tuple[str, ...]) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        if path.suffix in suffixes and path.is_file() and "__pycache__" not in path.parts:
            yield path


def citations(
    known: Iterable[str], folder: Path, suffixes: tuple[str, ...] = (".py",)
) -> dict[str, list[str]]:
    """``{clause id: [files that name it]}`` for the known clause ids, paths relative to the
    repository. An identifier that is not a clause (``UTF-16``) is ignored."""
    wanted = set(known)
    out: dict[str, list[str]] = {clause: [] for clause in wanted}
    for path in _files(folder, suffixes):
        text = path.read_text(encoding="utf-8", errors="replace")
        named = {c for c in CITATION.findall(text) if c in wanted}
        for clause in sorted(named):
            out[clause].append(path.relative_to(ROOT).as_posix())
    return out


def uncited(root: Path = ROOT) -> list[str]:
    """The clauses that no test cites, in specification order."""
    found = clauses(root / "specs")
    tests = citations(found, root / "tests")
    return [clause for clause in found if not tests[clause]]


def sub_clause_problems(specs: Path = ROOT / "specs") -> list[str]:
    """Every breach of the numbering rule of INT-7.1, chapter by chapter.

    Clauses are numbered from 1 without gaps; sub-clauses n.1, n.2, ... follow their clause
    n, without gaps, before the next clause, one level deep; no identifier occurs twice;
    every identifier has its chapter's prefix.
    """
    problems: list[str] = []
    seen: set[str] = set()
    for chapter in sorted(p for p in specs.glob("*.md") if CHAPTER.fullmatch(p.name)):
        ids = CLAUSE_AT_START.findall(chapter.read_text(encoding="utf-8"))
        if not ids:
            continue
        prefixes = {c.split("-")[0] for c in ids}
        if len(prefixes) != 1:
            problems.append(f"{chapter.name}: clauses of several prefixes {sorted(prefixes)}")
        tops: list[int] = []
        current: int | None = None
        subs = 0
        for clause in ids:
            if clause in seen:
                problems.append(f"{chapter.name}: {clause} is stated twice")
            seen.add(clause)
            number = clause.split("-", 1)[1]
            if "." in number:
                top, sub = (int(part) for part in number.split("."))
                if top != current:
                    problems.append(f"{chapter.name}: {clause} does not follow {clause[:4]}{top}")
                elif sub != subs + 1:
                    problems.append(f"{chapter.name}: {clause} is not sub-clause {subs + 1}")
                subs = sub
            else:
                current, subs = int(number), 0
                tops.append(current)
        if sorted(tops) != list(range(1, len(tops) + 1)):
            problems.append(f"{chapter.name}: clause numbers {sorted(tops)} are not 1 to n")
    return problems


# ---------------------------------------------------------------------- Sphinx
def _mark_clauses(app: Any, doctree: Any) -> None:
    """Give every clause paragraph of a page its anchor, a label and a self-link."""
    from docutils import nodes

    std = app.env.get_domain("std")
    docname = app.env.docname
    pattern = re.compile(r"^([A-Z]{3}-[0-9]+(?:\.[0-9]+)?)\.$")
    for strong in list(doctree.findall(nodes.strong)):
        parent = strong.parent
        if not isinstance(parent, nodes.paragraph):
            continue
        before = parent.children[: parent.index(strong)]
        if any(not isinstance(n, nodes.Text) or n.astext().strip() for n in before):
            continue  # only a paragraph that starts with the identifier states a clause
        match = pattern.match(strong.astext())
        if match is None:
            continue
        clause = match.group(1)
        target = anchor(clause)
        if target in doctree.ids:
            continue
        parent["ids"].append(target)
        doctree.ids[target] = parent
        std.anonlabels[target] = (docname, target)
        std.labels[target] = (docname, target, clause)
        link = nodes.reference("", "", internal=True, refid=target, classes=["clause-anchor"])
        link += nodes.strong(strong.astext(), strong.astext())
        parent.replace(strong, link)


def setup(app: Any) -> dict[str, Any]:
    """Register the anchors and the ``clause-index`` directive."""
    from docutils import nodes
    from docutils.parsers.rst import Directive
    from sphinx import addnodes
    from sphinx.util import logging

    logger = logging.getLogger(__name__)

    class ClauseIndex(Directive):
        """The table of every clause, its chapter, the tests citing it and the code naming it."""

        has_content = False

        def run(self) -> list[Any]:
            env = self.state.document.settings.env
            found = clauses()
            tests = citations(found, ROOT / "tests")
            code = citations(found, ROOT / "src")
            for path in (ROOT / "specs").glob("*.md"):
                env.note_dependency(str(path))
            table = nodes.table(classes=["clause-index"])
            group = nodes.tgroup(cols=4)
            table += group
            for width in (12, 18, 40, 30):
                group += nodes.colspec(colwidth=width)
            head = nodes.thead()
            group += head
            head += self._row(
                [nodes.Text(t) for t in ("Clause", "Chapter", "Tests citing it", "Code")]
            )
            body = nodes.tbody()
            group += body
            for clause, chapter in found.items():
                if not tests[clause]:
                    logger.warning(
                        "clause %s (specs/%s.md) is cited by no test in tests/",
                        clause,
                        chapter,
                        location=(env.docname, self.lineno),
                    )
                ref = addnodes.pending_xref(
                    "",
                    refdomain="std",
                    reftype="ref",
                    reftarget=anchor(clause),
                    refdoc=env.docname,
                    refexplicit=True,
                )
                ref += nodes.strong(clause, clause)
                chapter_ref = addnodes.pending_xref(
                    "",
                    refdomain="std",
                    reftype="doc",
                    reftarget=f"/spec/{chapter}",
                    refdoc=env.docname,
                    refexplicit=True,
                )
                chapter_ref += nodes.Text(chapter)
                body += self._row(
                    [ref, chapter_ref, self._paths(tests[clause]), self._paths(code[clause])]
                )
            return [table]

        @staticmethod
        def _paths(paths: list[str]) -> Any:
            if not paths:
                return nodes.Text("-")
            out = nodes.inline()
            for n, path in enumerate(paths):
                if n:
                    out += nodes.Text(", ")
                out += nodes.literal(path, path)
            return out

        @staticmethod
        def _row(cells: list[Any]) -> Any:
            row = nodes.row()
            for content in cells:
                entry = nodes.entry()
                paragraph = nodes.paragraph()
                paragraph += content
                entry += paragraph
                row += entry
            return row

    app.add_directive("clause-index", ClauseIndex)
    app.connect("doctree-read", _mark_clauses)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
