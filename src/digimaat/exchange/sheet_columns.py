"""The columns of a sheet of offerings and its header row (XCH-11, XCH-18.1, XCH-18.3).

Every column's canonical name, its Dutch name and the other names a header may give it;
one yes/no column per capability, as an alternative to the compact ``capabilities`` list;
the columns that define a local product in the rows that use it; and the header row read
against them, with a suggestion for a cell that names no column. Re-exported by
:mod:`digimaat.exchange.sheet`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any, Final

from digimaat._boundary import guard
from digimaat.errors import N_, NO_VALUE, InvalidValueError, Problem
from digimaat.exchange.raw import OFFERING_DESCRIPTION
from digimaat.vocabulary.channels import CHANNELS
from digimaat.vocabulary.maturity import CAPABILITY_DUTCH, Capability

__all__ = [
    "CAPABILITY_COLUMNS",
    "COLUMNS",
    "DUTCH",
    "LISTED",
    "LOCAL_COLUMNS",
    "LOCAL_FLAG",
    "REQUIRED_COLUMNS",
    "SCOPE_COLUMN",
    "VOLUME_COLUMNS",
    "Header",
    "column_letter",
    "column_of",
    "header_key",
    "header_names",
]

REQUIRED_COLUMNS: Final[tuple[str, ...]] = (
    "reference_year",
    "cbs_code",
    "municipality_name",
    "population",
    "population_year",
    "product",
)
"""The columns every sheet must have; the others may be left out (XCH-11)."""

VOLUME_COLUMNS: Final = tuple(f"volume_{channel.value}" for channel in CHANNELS)
"""One column per channel (CHN-1) with the offering's volume on it (XCH-9, XCH-11)."""

COLUMNS: Final[tuple[str, ...]] = (
    *REQUIRED_COLUMNS,
    *OFFERING_DESCRIPTION,
    "volume_unit",
    *VOLUME_COLUMNS,
    "forms_started",
    "forms_completed",
    "notes",
    "source",
)
"""The columns of the CSV form, in the order a writer writes them (XCH-11): the required
ones first."""

SCOPE_COLUMN: Final = "product_scope"
"""The column that names the product scope (AGG-2.1, XCH-11); a writer writes it last, and
only when the scope is not the default."""

LOCAL_COLUMNS: Final[tuple[str, ...]] = (
    "local_name",
    "local_audiences",
    "local_required_assurance",
    "local_physical_presence",
    "local_fee_applies",
    "local_reference_target",
    "local_reason",
)
"""The columns that define a local product in the rows that use it (XCH-18.4, XCH-6)."""

LOCAL_FLAG: Final = "local_product"
"""The yes/no column that marks a row's product as local, named by its product cell
(XCH-18.4); the reader turns it into the row's ``local_name`` and the product's URI."""

CAPABILITY_COLUMNS: Final = tuple(f"capability:{c.value}" for c in Capability)
"""One yes/no column per capability (XCH-18.3); the header is the capability's name."""

DUTCH: Final[dict[str, str]] = {
    "reference_year": "peiljaar",
    "cbs_code": "gemeentecode",
    "municipality_name": "gemeente",
    "population": "inwoners",
    "population_year": "jaar inwoners",
    "product": "product",
    "status": "status",
    "capabilities": "kenmerken",
    "authentication": "inloggen",
    "local_target": "lokaal doel",
    "local_target_reason": "reden lokaal doel",
    "fee_applies": "leges",
    "volume_unit": "eenheid",
    **{f"volume_{c.value}": f"aantal {c.value}" for c in CHANNELS},
    "forms_started": "formulieren gestart",
    "forms_completed": "formulieren afgerond",
    "notes": "opmerkingen",
    "source": "bron",
    "product_scope": "productbereik",
    **{f"capability:{c.value}": CAPABILITY_DUTCH[c] for c in Capability},
    "local_name": "naam lokaal product",
    "local_audiences": "doelgroepen lokaal product",
    "local_required_assurance": "vereist niveau lokaal product",
    "local_physical_presence": "fysieke aanwezigheid lokaal product",
    "local_fee_applies": "leges lokaal product",
    "local_reference_target": "referentiedoel lokaal product",
    "local_reason": "reden lokaal product",
    LOCAL_FLAG: "lokaal product",
}
"""The Dutch name of every column, as the Dutch template writes it (XCH-18.1)."""

_OTHER_NAMES: Final[dict[str, tuple[str, ...]]] = {
    "cbs_code": ("cbs code", "gemeente code", "code"),
    "municipality_name": ("gemeentenaam", "naam gemeente", "municipality"),
    "population": ("inwonertal", "aantal inwoners"),
    "population_year": ("peiljaar inwoners",),
    "capabilities": ("mogelijkheden",),
    "authentication": ("authenticatie", "inlogmiddel"),
    "volume_unit": ("volume eenheid", "eenheid volume"),
    "forms_completed": ("formulieren voltooid",),
    "notes": ("toelichting", "notities", "opmerking", "remarks", "comments", "note"),
    "source": ("bronnen",),
    # A digital volume not split by channel is the web channel's (XCH-18.1).
    "volume_web": ("aantal digitaal", "aantal online", "volume digital"),
    # The words municipalities write above the capabilities they tick (XCH-18.3).
    "capability:online-submission": ("online aanvragen",),
    "capability:remote-identification": ("digitaal identificeren",),
    "capability:electronic-evidence": ("bewijsstukken digitaal",),
    "capability:electronic-outcome": ("besluit digitaal",),
    "capability:electronic-notification": ("afhandelbericht",),
}


def header_key(text: str) -> str:
    """A header cell as it is matched: accents dropped, letter case ignored, and every run of
    spaces, ``_`` and ``-`` as one space.

    >>> header_key("  Volume_E-Mail "), header_key("Naam lokaal Product")
    ('volume e mail', 'naam lokaal product')
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\s_\-]+", " ", plain).strip().casefold()


def header_names(column: str) -> tuple[str, ...]:
    """Every header that names a column (XCH-18.1): its canonical name, its Dutch name and
    the other names a header may give it, the canonical name first.

    >>> header_names("capability:online-payment")
    ('online-payment', 'online betalen', 'capability:online-payment')
    >>> header_names("capability:electronic-notification")[-1]
    'afhandelbericht'
    >>> header_names("volume_e-mail")
    ('volume_e-mail', 'aantal e-mail', 'volume e-mail', 'volume email', 'aantal email')
    """
    if column.startswith("capability:"):
        short = column.removeprefix("capability:")
        return (short, DUTCH[column], column, *_OTHER_NAMES.get(column, ()))
    names = [column, DUTCH[column], *_OTHER_NAMES.get(column, ())]
    if column in VOLUME_COLUMNS:  # the English aliases of CHN-3 with the English word only
        channel = column.removeprefix("volume_")
        names += [f"volume {alias}" for alias in (channel, *_CHANNEL_ALIASES.get(channel, ()))]
        if channel == "e-mail":
            names.append("aantal email")
    return tuple(dict.fromkeys(names))


def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    for column in (*COLUMNS, SCOPE_COLUMN, *CAPABILITY_COLUMNS, *LOCAL_COLUMNS, LOCAL_FLAG):
        for name in header_names(column):
            key = header_key(name)
            if index.setdefault(key, column) != column:  # pragma: no cover (a test checks)
                raise AssertionError(f"the header {name!r} names {index[key]} and {column}")
    return index


_CHANNEL_ALIASES: Final = {
    "balie": ("counter",),
    "telefoon": ("phone", "telephone"),
    "post": ("mail",),
    "e-mail": ("email",),
    "web": ("online", "website"),
}
_INDEX: Final = _index()


def column_of(cell: str) -> str | None:
    """The column a header cell names, or ``None`` (XCH-18.1)."""
    return _INDEX.get(header_key(cell))


def column_letter(position: int) -> str:
    """The spreadsheet name of a column by its 0-based position: A, B, ..., Z, AA, ...

    >>> column_letter(0), column_letter(25), column_letter(26), column_letter(701)
    ('A', 'Z', 'AA', 'ZZ')
    """
    given: object = position
    if isinstance(given, bool) or not isinstance(given, int) or position < 0:
        raise InvalidValueError("position", position, "must be a whole number >= 0")
    letters = ""
    n = position + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class Header:
    """The header row: which column holds which field, and its problems (XCH-11, XCH-18.1)."""

    def __init__(self, cells: Sequence[str], source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self.position: dict[str, int] = {}
        self.dutch = 0
        self.width = len(cells)
        self.year_from_register = False
        """Whether ``population_year`` is left out for the CBS register to give (XCH-18.8)."""
        if not any(column_of(str(cell)) for cell in cells):
            required = ", ".join(REQUIRED_COLUMNS)
            self._problem(
                "row 1",
                NO_VALUE,
                N_("names none of the sheet's columns: it is not a header"),
                "the first row of the sheet must be its header, with at least the columns "
                f"{required} (in Dutch: {', '.join(DUTCH[c] for c in REQUIRED_COLUMNS)}); "
                "delete the rows above it",
            )
            return
        for position, cell in enumerate(cells):
            text = str(cell)
            name = column_of(text)
            where = f"row 1, column {column_letter(position)}"
            if name is None:
                if not text.strip():
                    self._problem(
                        where,
                        text,
                        N_("is empty; every column needs a name"),
                        N_("give the column a name, or delete it"),
                    )
                    continue
                self._problem(where, text, N_("is not a column of the sheet"), _meant(text))
            elif name in self.position:
                first = column_letter(self.position[name])
                self._problem(
                    where,
                    text,
                    f"repeats column {name} (also column {first})",
                    f"keep one of columns {first} and {column_letter(position)}",
                )
            else:
                self.position[name] = position
                if header_key(text) == header_key(DUTCH[name]) != header_key(name):
                    self.dutch += 1
        for name in REQUIRED_COLUMNS:
            if name == "population_year" and {"cbs_code", "population"} <= self.position.keys():
                self.year_from_register = name not in self.position
                continue
            if name not in self.position:
                self._problem(
                    "row 1",
                    NO_VALUE,
                    f"lacks the required column {name}",
                    f"add a column {name!r} (in Dutch {DUTCH[name]!r})",
                )

    def _problem(self, where: str, value: Any, message: str, suggestion: str | None) -> None:
        self.problems.append(
            Problem(
                "header",
                value,
                message,
                source=self.source,
                location=where,
                clause="XCH-11",
                suggestion=suggestion,
            )
        )


def _meant(text: str) -> str:
    """The suggestion for a header that names no column (XCH-18.1, XCH-18.7): the closest
    header; else the headers that share a word with it; else how to keep a column of one's
    own.

    >>> _meant("Aantal balei")
    "did you mean 'aantal balie'?"
    >>> _meant("Besluit per post")
    "did you mean 'volume post' or 'besluit digitaal'? Else keep remarks in the column ..."
    """
    import difflib  # only for a header that names no column

    key = header_key(text)
    close = difflib.get_close_matches(key, list(_INDEX), n=1, cutoff=0.7)
    if close:
        return f"did you mean {_shown(close[0])!r}?"
    words = {word for word in key.split() if len(word) >= _WORD}
    sharing = [k for k in _INDEX if words & set(k.split())]
    if not sharing:
        return _OWN_COLUMN
    ratio = {k: difflib.SequenceMatcher(None, key, k).ratio() for k in sharing}
    columns: dict[str, str] = {}  # column -> its closest name
    for k in sorted(sharing, key=lambda k: (-ratio[k], k)):
        columns.setdefault(_INDEX[k], k)
    shown = [repr(_shown(k)) for k in list(columns.values())[:LISTED]]
    choices = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"
    return f"did you mean {choices}? Else {_OWN_COLUMN}"


_WORD: Final = 4
"""The least length of a word that two headers share for one to suggest the other."""
LISTED: Final = 3
_OWN_COLUMN: Final = N_("keep remarks in the column 'notes' ('opmerkingen'), or delete the column")


def _shown(key: str) -> str:
    """A header key as the name it is the key of."""
    column = _INDEX[key]
    return {header_key(n): n for n in header_names(column)}.get(key, column)


guard(__name__)
