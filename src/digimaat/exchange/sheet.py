"""The columns of a sheet of offerings, in English and in Dutch (chapter XCH, XCH-11, XCH-18).

The CSV form and a workbook (``.xlsx``) are two ways to write the same sheet: a header row
naming the columns and one row per offering. This module is that sheet's vocabulary, which
both tokenizers and the template share: every column's canonical name, its Dutch name and
the other names a header may give it; one yes/no column per capability, as an alternative
to the compact ``capabilities`` list; and the columns that define a local product in the
rows that use it. It also turns a sheet's header and coded cells into the raw tables
of :mod:`digimaat.exchange.raw`, each cell located by its row and column.

>>> from digimaat.exchange.sheet import column_of
>>> column_of(" Volume_Email "), column_of("Aantal balie"), column_of("Online betalen")
('volume_e-mail', 'volume_balie', 'capability:online-payment')
>>> column_of("Gemeente"), column_of("opmerkingen"), column_of("x")
('municipality_name', 'notes', None)
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from typing import Any, Final

import attrs
import numpy as np

from digimaat._boundary import guard
from digimaat.errors import N_, NO_VALUE, Problem
from digimaat.exchange.raw import ABSENT, IntArray, RawColumn, RawTable
from digimaat.exchange.rules import Dialect, Fault, read_year
from digimaat.exchange.source import Source
from digimaat.vocabulary.channels import CHANNELS
from digimaat.vocabulary.maturity import CAPABILITY_DUTCH, Capability

__all__ = [
    "CAPABILITY_COLUMNS",
    "COLUMNS",
    "DUTCH",
    "LOCAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "SCOPE_COLUMN",
    "VOLUME_COLUMNS",
    "RawSheet",
    "column_letter",
    "column_of",
    "header_key",
    "header_names",
]

VOLUME_COLUMNS: Final = tuple(f"volume_{channel.value}" for channel in CHANNELS)

COLUMNS: Final[tuple[str, ...]] = (
    "reference_year",
    "cbs_code",
    "municipality_name",
    "population",
    "population_year",
    "product",
    "status",
    "capabilities",
    "authentication",
    "local_target",
    "local_target_reason",
    "fee_applies",
    "volume_unit",
    *VOLUME_COLUMNS,
    "forms_started",
    "forms_completed",
    "notes",
    "source",
)
"""The columns of the CSV form, in the order a writer writes them (XCH-11)."""

SCOPE_COLUMN: Final = "product_scope"
"""The column that names the product scope (AGG-2.1, XCH-11); a writer writes it last, and
only when the scope is not the default."""

REQUIRED_COLUMNS: Final[tuple[str, ...]] = (
    "reference_year",
    "cbs_code",
    "municipality_name",
    "population",
    "population_year",
    "product",
)
"""The columns every sheet must have; the others may be left out (XCH-11)."""

CAPABILITY_COLUMNS: Final = tuple(f"capability:{c.value}" for c in Capability)
"""One yes/no column per capability (XCH-18.3); the header is the capability's name."""

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
    >>> header_names("volume_e-mail")
    ('volume_e-mail', 'aantal e-mail', 'volume e-mail', 'volume email', 'aantal email')
    """
    if column.startswith("capability:"):
        return (column.removeprefix("capability:"), DUTCH[column], column)
    names = [column, DUTCH[column], *_OTHER_NAMES.get(column, ())]
    if column in VOLUME_COLUMNS:  # the English aliases of CHN-3 with the English word only
        channel = column.removeprefix("volume_")
        names += [f"volume {alias}" for alias in (channel, *_CHANNEL_ALIASES.get(channel, ()))]
        if channel == "e-mail":
            names.append("aantal email")
    return tuple(dict.fromkeys(names))


def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    for column in (*COLUMNS, SCOPE_COLUMN, *CAPABILITY_COLUMNS, *LOCAL_COLUMNS):
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


@attrs.frozen(eq=False)
class RawSheet:
    """A CSV file or a workbook's sheet cut into raw records, one record per row."""

    source: Source
    dialect: Dialect
    document: RawTable
    municipalities: RawTable
    local_products: tuple[tuple[str, Any], ...]
    offerings: RawTable
    problems: tuple[Problem, ...]
    complete: bool
    """``False`` when the rows could not be read (a separator or syntax problem)."""
    local_rows: RawTable | None = None
    """The local product columns of every row (XCH-18.4), when the sheet has any."""

    def by_year(self) -> list[RawSheet]:
        """The sheet as one sheet per reference year its rows give (XCH-11.1): the rows of
        each distinct ``reference_year`` cell, in the order the years first occur, each row
        still located where it is. A sheet of one year (or without the column) is itself.
        The problems of cutting the sheet go with the first part."""
        column = self.document.columns.get("reference_year")
        if column is None or len(column.values) < 2 or not self.complete:
            return [self]
        # Cells that are one year ("2024", "2024.0") go together. Where a cell is empty or
        # no year, the sheet is not cut: the rules report that cell where it is.
        codes = np.asarray(column.codes)
        years = [read_year(value, self.dialect, "XCH-5") for value in column.values]
        if (codes < 0).any() or any(isinstance(y, Fault) for y in years):
            return [self]
        part = {year: n for n, year in enumerate(dict.fromkeys(years))}  # first occurrence
        if len(part) < 2:
            return [self]
        which = np.asarray([part[y] for y in years], dtype=np.intp)[codes]
        parts: list[RawSheet] = []
        for n in range(len(part)):
            rows = np.flatnonzero(which == n).astype(np.intp)
            local = None if self.local_rows is None else self.local_rows.take(rows)
            parts.append(
                attrs.evolve(
                    self,
                    document=self.document.take(rows),
                    municipalities=self.municipalities.take(rows),
                    offerings=self.offerings.take(rows),
                    problems=self.problems if n == 0 else (),
                    local_rows=local,
                )
            )
        return parts


def column_letter(position: int) -> str:
    """The spreadsheet name of a column by its 0-based position: A, B, ..., Z, AA, ...

    >>> column_letter(0), column_letter(25), column_letter(26), column_letter(701)
    ('A', 'Z', 'AA', 'ZZ')
    """
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
    """The suggestion for a header that names no column: the closest header, else the way to
    keep a column of one's own (XCH-18.1, XCH-18.7)."""
    keys = list(_INDEX)
    close = difflib.get_close_matches(header_key(text), keys, n=1, cutoff=0.7)
    if close:
        column = _INDEX[close[0]]
        names = {header_key(n): n for n in header_names(column)}
        return f"did you mean {names.get(close[0], column)!r}?"
    return (
        "see the columns of the sheet (XCH-11, XCH-18.1); keep remarks in the column "
        "'notes' ('opmerkingen'), or delete the column"
    )


# Where each column's cells go: (table, field). The CBS code is the municipality of both
# the municipality record and the offering of its row.
_DOCUMENT: Final = {
    "reference_year": "reference_year",
    "source": "source",
    "product_scope": "product_scope",
}
_MUNICIPAL: Final = {
    "cbs_code": "cbs_code",
    "municipality_name": "name",
    "population": "population",
    "population_year": "year",
}
_OFFERING: Final = {
    "cbs_code": "municipality",
    **{c: c for c in COLUMNS[5:] if c != "source"},
    **{c: c for c in CAPABILITY_COLUMNS},
}
_LOCAL: Final = {"product": "uri", **{c: c.removeprefix("local_") for c in LOCAL_COLUMNS}}
TEXTS_AS_WRITTEN: Final = frozenset(
    {"municipality_name", "local_target_reason", "notes", "source", "local_name", "local_reason"}
)
"""Columns whose cells are taken as written; white space around other cells is ignored."""


def sheet(
    source: Source,
    dialect: Dialect,
    header: Header,
    rows: IntArray,
    columns: Sequence[tuple[IntArray, list[str]]],
    problems: list[Problem],
    complete: bool,
) -> RawSheet:
    """The raw tables of a sheet's rows, every cell located by its row and column."""
    size = len(rows)
    position = header.position
    row_numbers = rows  # numbers, not a list of Python integers: a row is looked up rarely

    def table(name: str, fields: dict[str, str], repeated: bool) -> RawTable:
        letters: dict[str, str] = {}
        out: dict[str, RawColumn] = {}
        for column, field in fields.items():
            if column not in position:
                continue
            at = position[column]
            letters[field] = column_letter(at)
            codes, values = columns[at]
            out[field] = cells(codes, values, column in TEXTS_AS_WRITTEN)

        def locate(k: int, field: str, sub: str, letters: dict[str, str] = letters) -> str:
            letter = letters.get(field)
            row = int(row_numbers[k]) if 0 <= k < size else "?"
            return f"row {row}, column {letter}" if letter else f"row {row}"

        names = {field: column for column, field in fields.items() if column in position}
        return RawTable(name, size, out, locate, repeated, names)

    local = None
    if any(column in position for column in LOCAL_COLUMNS):
        local = table("local_products", _LOCAL, True)
    return RawSheet(
        source,
        dialect,
        table("document", _DOCUMENT, True),
        table("municipalities", _MUNICIPAL, True),
        (),
        table("offerings", _OFFERING, False),
        (*header.problems, *problems),
        complete,
        local,
    )


def cells(codes: IntArray, values: list[str], as_written: bool) -> RawColumn:
    """A column of cells: empty cells (or white space only) are absent; others trimmed.

    ``values`` are the distinct cells of the column, ``codes`` index them (or are
    :data:`~digimaat.exchange.raw.ABSENT`).
    """
    if not values:
        return RawColumn(codes, values)
    stripped = [v.strip() for v in values]
    blank = np.array([not v for v in stripped], dtype=np.bool_)
    kept = values if as_written else stripped
    if blank.any():
        codes = _spread(np.where(blank, ABSENT, np.arange(len(values))), codes)
    if as_written or kept == values or len(set(kept)) == len(kept):
        return RawColumn(codes, kept)
    return _recoded(codes, kept)


def _spread(lookup: IntArray, codes: IntArray) -> IntArray:
    """``lookup[code]`` of every code, and :data:`ABSENT` where the code is."""
    spread: IntArray = np.append(lookup, ABSENT)[codes]  # code -1 takes the last entry
    return spread


def _recoded(codes: IntArray, values: list[str]) -> RawColumn:
    """Merge values made equal by trimming (``" a"`` and ``"a"``)."""
    index: dict[str, int] = {}
    remap = np.array([index.setdefault(v, len(index)) for v in values], dtype=np.intp)
    return RawColumn(_spread(remap, codes), list(index))


guard(__name__)
