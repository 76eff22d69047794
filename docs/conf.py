"""Sphinx configuration of the digimaat documentation site.

The site is written in MyST Markdown. The specification chapters live in ``specs/`` at the
top of the repository, outside this source directory; each is pulled in, without a copy, by
a small stub page in ``docs/spec/`` that holds a single MyST ``{include}`` directive.

Build (as the Makefile's ``docs`` target does)::

    sphinx-build -W --keep-going -b html docs docs/_build/html
    sphinx-build -W --keep-going -b doctest docs docs/_build/doctest

The build needs no network access.
"""

from __future__ import annotations

import doctest
import sys
from pathlib import Path
from typing import Any

from docutils import nodes

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent

# Import the package from the source tree, so autodoc documents the code next to these
# pages even when another copy of digimaat is installed; local extensions are in _ext/.
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(DOCS / "_ext"))

from digimaat._version import SPEC_VERSION, __version__  # noqa: E402

# -- Project information ------------------------------------------------------------------

project = "digimaat"
author = "The digimaat developers"
copyright = "2026, The digimaat developers; licensed under the MIT licence (see LICENSE)"
release = __version__
version = ".".join(__version__.split(".")[:2])

# -- General configuration ----------------------------------------------------------------

# sphinx.ext.intersphinx is deliberately not used: it downloads inventories at build time,
# and the build must work offline.
extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.doctest",
    "sphinx.ext.viewcode",
    "clauses",  # docs/_ext/clauses.py: clause anchors and the clause index
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "_ext", "Thumbs.db", ".DS_Store"]
language = "en"

# Unresolvable Python cross-references (e.g. to numpy or attrs types in signatures) are not
# errors: without intersphinx they cannot resolve, and the build runs with -W.
nitpicky = False

# No category of warning is suppressed. Every warning fails the build (-W); fix its cause.
suppress_warnings: list[str] = []

# -- MyST ---------------------------------------------------------------------------------

myst_enable_extensions = ["colon_fence", "deflist", "fieldlist", "substitution"]
# Headings down to ### get anchors, so [text](03-assurance.md#some-heading) links work.
myst_heading_anchors = 3
# Available in every page as {{ release }} and {{ spec_version }}.
myst_substitutions = {"release": release, "spec_version": SPEC_VERSION}

# -- autodoc and napoleon -----------------------------------------------------------------

autodoc_default_options = {
    "members": True,
    "undoc-members": True,
    "show-inheritance": True,
    "member-order": "bysource",
}
# Type hints are shown in the signature, where they are written; the descriptions stay
# short. Hints are kept as written (``from __future__ import annotations``), not evaluated.
autodoc_typehints = "signature"
autodoc_preserve_defaults = True
autoclass_content = "class"
napoleon_google_docstring = True
napoleon_numpy_docstring = True
napoleon_use_rtype = False

# -- doctest ------------------------------------------------------------------------------

# Same comparison flags as pytest uses for the same examples (pyproject.toml,
# doctest_optionflags), so an example passes under both runners or under neither. Unlike
# Sphinx's default, IGNORE_EXCEPTION_DETAIL is off: the message of an error is part of the
# standard (it names the field and the value) and is checked.
doctest_default_flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

# Plain ``>>>`` blocks in docstrings (shown on the API pages) are run by pytest with
# --doctest-modules; running them here as well would only run them twice. This builder runs
# the narrative pages and the specification: ```{doctest} blocks, and ```python / ```pycon
# fences that start with ``>>>`` (see _mark_python_examples below).
doctest_test_doctest_blocks = ""

# No doctest_global_setup: every example imports what it uses, because pytest's
# --doctest-glob reads the same Markdown files without any Sphinx setup.

# -- HTML ---------------------------------------------------------------------------------

html_theme = "furo"
html_title = f"digimaat {release}"
html_short_title = "digimaat"
html_show_sourcelink = False


# -- Local hooks --------------------------------------------------------------------------

_PYTHON_LANGUAGES = frozenset({"python", "python3", "py", "pycon"})


def _mark_python_examples(app: Any, doctree: nodes.document) -> None:
    """Make ```python and ```pycon fences that start with ``>>>`` doctests.

    The specification allows Python examples either as ```{doctest} blocks or as ```python
    fences in ``>>>`` style; both must be valid doctests. MyST turns a fence into a plain
    literal block, which the doctest builder would skip. Marking it the way the
    ``doctest`` directive marks its own blocks makes the builder run it too.
    """
    for block in doctree.findall(nodes.literal_block):
        if "testnodetype" in block:
            continue  # already a doctest directive's block
        if block.get("language") not in _PYTHON_LANGUAGES:
            continue
        if not block.astext().lstrip().startswith(">>>"):
            continue
        block["testnodetype"] = "doctest"
        block["groups"] = ["default"]
        block["options"] = {}


def setup(app: Any) -> dict[str, Any]:
    """Register the local hooks."""
    app.connect("doctree-read", _mark_python_examples)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
