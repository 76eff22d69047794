"""The command line in the reader's language: gettext message catalogues.

Every text the command line shows a person (titles, paragraphs, table headings, legends,
the words around a problem) is written in English in the code, marked with :func:`_` (or
:func:`ngettext` where it depends on a count), and looked up in the message catalogue of
the language chosen with ``--lang``. English needs no catalogue. A catalogue is the
standard gettext pair in the package, ``digimaat/locale/<lang>/LC_MESSAGES/digimaat.po``
(the source a translator edits) and ``digimaat.mo`` (compiled from it by
``make messages``; a test checks that the two are in step), so a translator adds a
language by adding a ``.po`` file and compiling it, without a change to the code:
:func:`languages` lists every language that has a compiled catalogue.

What a command writes for programs is never translated: JSON members, CSV column keys,
metric ids, level and capability names. A problem keeps its structure (file, place,
field, value, clause); its message and suggestion are shown in the chosen language where
the catalogue has them (the messages a reader marks with :func:`digimaat.errors.N_`), and
in English where they are built from values.

>>> from digimaat.cli.i18n import _, language
>>> with language("nl"):
...     _("score")
'score'
>>> with language("nl"):
...     _("Percentages; pct: percentile; n/a: not defined.")
'Percentages; pct: percentiel; n.v.t.: niet gedefinieerd.'
>>> _("Percentages; pct: percentile; n/a: not defined.")
'Percentages; pct: percentile; n/a: not defined.'
"""

from __future__ import annotations

import contextlib
import functools
import gettext
from collections.abc import Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING, Final

from digimaat._boundary import guard
from digimaat._package import files
from digimaat.errors import N_, InputError, Problem, safe_text, shown_value

if TYPE_CHECKING:  # pragma: no cover
    from importlib.abc import Traversable

__all__ = [
    "DOMAIN",
    "ENGLISH",
    "_",
    "language",
    "languages",
    "name_of",
    "ngettext",
    "problem_text",
    "problems_text",
]

DOMAIN: Final = "digimaat"
"""The gettext domain: the name of every catalogue file."""
ENGLISH: Final = "en"
"""The language of the code, which needs no catalogue."""

_NONE: Final = gettext.NullTranslations()
_current: ContextVar[gettext.NullTranslations] = ContextVar("digimaat_language", default=_NONE)


def _locale() -> Traversable:
    return files("digimaat").joinpath("locale")


@functools.cache
def languages() -> tuple[str, ...]:
    """English and every language with a compiled catalogue in the package, sorted.

    >>> languages()
    ('en', 'nl')
    """
    found = {ENGLISH}
    root = _locale()
    if root.is_dir():
        for entry in root.iterdir():
            if entry.joinpath("LC_MESSAGES").joinpath(f"{DOMAIN}.mo").is_file():
                found.add(entry.name)
    return tuple(sorted(found))


@functools.cache
def translation(lang: str) -> gettext.NullTranslations:
    """The catalogue of a language of :func:`languages` (none for English)."""
    if lang == ENGLISH:
        return _NONE
    if lang not in languages():
        raise ValueError(f"no message catalogue for {lang!r}; the languages are {languages()}")
    with (
        _locale()
        .joinpath(lang)
        .joinpath("LC_MESSAGES")
        .joinpath(f"{DOMAIN}.mo")
        .open("rb") as handle
    ):
        return gettext.GNUTranslations(handle)


@contextlib.contextmanager
def language(lang: str) -> Iterator[None]:
    """Show every message in ``lang`` within the block."""
    token = _current.set(translation(lang))
    try:
        yield
    finally:
        _current.reset(token)


def _(message: str) -> str:
    """The message in the current language (itself in English)."""
    return _current.get().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a message for ``n``, in the current language."""
    return _current.get().ngettext(singular, plural, n)


VOCABULARY: Final = (
    # The levels of MAT-1.
    N_("offline"),
    N_("information"),
    N_("downloadable-form"),
    N_("online-submission"),
    N_("fully-online"),
    N_("prefilled"),
    N_("proactive"),
    # The capabilities of MAT-2 (downloadable-form, prefilled and proactive are above).
    N_("information-online"),
    N_("remote-identification"),
    N_("electronic-evidence"),
    N_("online-payment"),
    N_("automatic-acknowledgement"),
    N_("electronic-outcome"),
    N_("electronic-notification"),
)
"""The exchange names of the levels and capabilities, which a table for people shows by
their names in the current language (the Dutch ones are the standard's own, XCH-18.2); a
test checks that the list is complete."""


def name_of(name: str) -> str:
    """A level's or capability's exchange name as a table for people shows it: its name in
    the current language (``volledig online``), itself in English."""
    return _(name)


def problem_text(problem: Problem) -> str:
    """A problem as one line, its message and suggestion in the current language where the
    catalogue has them; file, place, field, value and clause as they are (XCH-2).

    >>> from digimaat.errors import Problem
    >>> p = Problem("population", "-3", "must not be negative", source="a.csv",
    ...             location="row 2, column D", clause="OFF-14")
    >>> with language("nl"):
    ...     print(problem_text(p))
    a.csv:row 2, column D: population: mag niet negatief zijn (gegeven: '-3') [OFF-14]
    """
    if _current.get() is _NONE:
        return str(problem)
    where = ":".join(safe_text(part) for part in (problem.source, problem.location) if part)
    prefix = f"{where}: " if where else ""
    shown = shown_value(problem.value)
    got = _(" (got {value})").format(value=shown) if shown is not None else ""
    clause = f" [{problem.clause}]" if problem.clause else ""
    hint = f"; {safe_text(_suggestion(problem.suggestion))}" if problem.suggestion else ""
    message = safe_text(_(problem.message))
    return f"{prefix}{safe_text(problem.field)}: {message}{got}{hint}{clause}"


_MEANT = "did you mean"


def _suggestion(text: str) -> str:
    """A problem's suggestion in the current language: from the catalogue, or, for the
    suggestions that name what was meant (``did you mean 'ja'?``), its words around the
    names."""
    if text.startswith(_MEANT):
        return _("did you mean{choice}").format(choice=text[len(_MEANT) :])
    return _(text)


def problems_text(error: InputError) -> str:
    """The problems of an error as :class:`~digimaat.errors.InputError` writes them, a line
    each (:func:`problem_text`), under a count in the current language."""
    count = len(error.problems)
    if error.more:
        head = _(
            "{total:,} problems found; the first {count:,} are shown ({more:,} more not shown):"
        )
        head = head.format(total=count + error.more, count=count, more=error.more)
    else:
        head = ngettext("{count} problem found:", "{count} problems found:", count)
        head = head.format(count=count)
    return "\n  ".join([head, *(problem_text(p) for p in error.problems)])


guard(__name__)
