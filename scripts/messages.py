"""The message catalogues of the command line: extract, update and compile (gettext).

The command line marks every text it shows a person with ``_()`` or ``ngettext()``
(``digimaat.cli.i18n``), and the readers mark the messages of the problems they report
with ``N_()`` (``digimaat.errors``). This script keeps the catalogues in step with those
marks, using Babel's extractor and its ``.po`` and ``.mo`` writers:

    python scripts/messages.py extract   # write src/digimaat/locale/digimaat.pot
    python scripts/messages.py update    # merge it into every <lang>/LC_MESSAGES/digimaat.po
    python scripts/messages.py compile   # compile every .po into its .mo
    python scripts/messages.py all       # the three, in that order (make messages)

To add a language, copy ``digimaat.pot`` to ``src/digimaat/locale/<lang>/LC_MESSAGES/
digimaat.po``, set its ``Language`` and ``Plural-Forms`` header, translate every message
(keep each ``{placeholder}`` as it is), and run ``make messages``: ``digimaat --lang <lang>``
then works, without a change to the code. The compiled ``.mo`` files are committed, so that
a wheel carries them; ``tests/test_messages.py`` checks that the template, the catalogues
and the compiled files are in step with the code and with each other.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "digimaat"
LOCALE = PACKAGE / "locale"
TEMPLATE = LOCALE / "digimaat.pot"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
"""The marks: ``_(message)``, ``N_(message)`` and ``ngettext(singular, plural, n)``."""


def extract(package: Path = PACKAGE) -> Catalog:
    """Every marked message of the package, with where it is marked."""
    catalog = Catalog(
        project="digimaat",
        copyright_holder="the digimaat authors",
        msgid_bugs_address="https://github.com/digimaat/digimaat/issues",
        charset="utf-8",
        fuzzy=False,
    )
    found = extract_from_dir(
        str(package),
        method_map=[("**.py", "python")],
        keywords=KEYWORDS,
        comment_tags=("Translators:",),
        strip_comment_tags=True,
    )
    for filename, lineno, message, comments, context in found:
        path = (package / filename).relative_to(package.parents[1]).as_posix()
        catalog.add(message, None, [(path, lineno)], auto_comments=comments, context=context)
    return catalog


def catalogues(locale: Path = LOCALE) -> Iterator[Path]:
    """The ``.po`` file of every language, by language."""
    yield from sorted(locale.glob("*/LC_MESSAGES/digimaat.po"))


def _write(catalog: Catalog, path: Path) -> None:
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, include_lineno=False, sort_output=False)


def _read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def write_template(locale: Path = LOCALE) -> Path:
    """Write the template of every catalogue from the marks in the code."""
    catalog = extract()
    catalog.creation_date = catalog.revision_date = _FIXED  # the same text for the same marks
    catalog.header_comment = (
        "# Translations template for digimaat: the messages of the command line.\n"
        "# Copyright (C) 2025 the digimaat authors\n"
        "# This file is distributed under the same license as the digimaat project.\n#"
    )
    _write(catalog, locale / "digimaat.pot")
    return locale / "digimaat.pot"


def update(locale: Path = LOCALE) -> list[Path]:
    """Merge the template into every catalogue: new messages empty, changed ones fuzzy."""
    template = _read(locale / "digimaat.pot")
    done = []
    for path in catalogues(locale):
        catalog = _read(path)
        catalog.update(template, no_fuzzy_matching=False)
        catalog.obsolete.clear()
        _write(catalog, path)
        done.append(path)
    return done


def compile_all(locale: Path = LOCALE) -> list[Path]:
    """Compile every catalogue into its ``.mo``, leaving out fuzzy and untranslated ones."""
    done = []
    for path in catalogues(locale):
        target = path.with_suffix(".mo")
        with target.open("wb") as handle:
            write_mo(handle, _read(path), use_fuzzy=False)
        done.append(target)
    return done


def _fixed() -> object:
    import datetime as dt

    return dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)


_FIXED = _fixed()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", choices=("extract", "update", "compile", "all"))
    step = parser.parse_args(argv).step
    if step in ("extract", "all"):
        print(write_template().relative_to(ROOT))
    if step in ("update", "all"):
        for path in update():
            print(path.relative_to(ROOT))
    if step in ("compile", "all"):
        for path in compile_all():
            print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
