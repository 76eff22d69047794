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
>>> column_of("Online aanvragen"), column_of("Aantal digitaal"), column_of("Lokaal product")
('capability:online-submission', 'volume_web', 'local_product')
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Final

import attrs
import numpy as np
from numpy.typing import NDArray

from digimaat._boundary import guard
from digimaat._classes import shared_repr
from digimaat.errors import MAX_PROBLEMS, N_, NO_VALUE, Problem
from digimaat.exchange import rules
from digimaat.exchange.raw import (
    ABSENT,
    IntArray,
    RawColumn,
    RawFile,
    RawTable,
)
from digimaat.exchange.rules import Dialect, Fault, read_year
from digimaat.exchange.sheet_columns import (
    CAPABILITY_COLUMNS,
    COLUMNS,
    DUTCH,
    LISTED,
    LOCAL_COLUMNS,
    LOCAL_FLAG,
    REQUIRED_COLUMNS,
    SCOPE_COLUMN,
    VOLUME_COLUMNS,
    Header,
    column_letter,
    column_of,
    header_key,
    header_names,
)
from digimaat.exchange.source import Source
from digimaat.vocabulary.municipalities import MAX_POPULATION, cbs_register, register_years
from digimaat.vocabulary.products import normalise_key

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
    "local_uri",
]


@attrs.frozen(eq=False)
@shared_repr
class RawSheet(RawFile):
    """A CSV file or a workbook's sheet cut into raw records, one record per row."""

    local_rows: RawTable | None = None
    """The local product columns of every row (XCH-18.4), when the sheet has any."""
    is_sheet: ClassVar[bool] = True

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


def unread(source: Source, dialect: Dialect, problems: tuple[Problem, ...]) -> RawSheet:
    """A sheet whose rows could not be read: its problems, and no records."""

    def nowhere(k: int, field: str, sub: str) -> str:
        return ""

    table = RawTable("document", 0, {}, nowhere)
    return RawSheet(source, table, table, (), table, problems, False, dialect)


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
    derived = _local_flag(source.name, dialect, header, rows, columns, problems)
    year = _population_year(dialect, header, rows, columns)
    if year is not None:
        derived["population_year"] = year

    def table(name: str, fields: dict[str, str], repeated: bool) -> RawTable:
        letters: dict[str, str] = {}
        out: dict[str, RawColumn] = {}
        for column, field in fields.items():
            if column in derived:
                at, (codes, values) = derived[column]
            elif column in position:
                at = position[column]
                codes, values = columns[at]
            else:
                continue
            letters[field] = column_letter(at)
            out[field] = cells(codes, values, column in TEXTS_AS_WRITTEN)

        def locate(k: int, field: str, sub: str, letters: dict[str, str] = letters) -> str:
            letter = letters.get(field)
            row = int(row_numbers[k]) if 0 <= k < size else "?"
            return f"row {row}, column {letter}" if letter else f"row {row}"

        names = {
            field: column
            for column, field in fields.items()
            if column in position or column in derived
        }
        return RawTable(name, size, out, locate, repeated, names)

    local = None
    if any(column in position or column in derived for column in LOCAL_COLUMNS):
        local = table("local_products", _LOCAL, True)
    if not size and complete and not problems and not header.problems:  # not a bad row
        problems = [
            Problem(
                "file",
                NO_VALUE,
                N_("has a header but no rows"),
                source=source.name,
                clause="XCH-11",
            )
        ]
    return RawSheet(
        source,
        table("document", _DOCUMENT, True),
        table("municipalities", _MUNICIPAL, True),
        (),
        table("offerings", _OFFERING, False),
        (*header.problems, *problems),
        complete,
        dialect,
        local,
    )


Cells = tuple[IntArray, list[str]]
"""A column of a sheet as its tokenizer gives it: the code of each row's cell, and the
distinct cells."""


def _local_flag(
    source: str,
    dialect: Dialect,
    header: Header,
    rows: IntArray,
    columns: Sequence[Cells],
    problems: list[Problem],
) -> dict[str, tuple[int, Cells]]:
    """The columns a ``local_product`` column gives (XCH-18.4): in each row whose cell says
    yes and whose ``local_name`` is empty, the product cell is the local product's name,
    and its URI is made of the row's CBS code and that name. Returns the new ``product``
    and ``local_name`` columns, each with the position of the product column."""
    position = header.position
    if not {LOCAL_FLAG, "product", "cbs_code"} <= position.keys():
        return {}
    flag_at, product_at = position[LOCAL_FLAG], position["product"]
    flag_codes, flag_values = columns[flag_at]
    product_codes, product_values = columns[product_at]
    code_codes, code_values = columns[position["cbs_code"]]
    read = [rules.read_boolean(v, dialect, "XCH-18.4") if v.strip() else None for v in flag_values]

    def per_row(known: list[bool], codes: IntArray) -> NDArray[np.bool_]:
        mask: NDArray[np.bool_] = np.array([*known, False], dtype=np.bool_)[codes]
        return mask

    yes = per_row([r is True for r in read], flag_codes)
    filled = per_row([bool(normalise_key(v)) for v in product_values], product_codes)
    named = np.zeros(len(flag_codes), dtype=np.bool_)
    if "local_name" in position:
        named_codes, named_values = columns[position["local_name"]]
        named = per_row([bool(v.strip()) for v in named_values], named_codes)
    letter = column_letter(flag_at)

    def report(mask: NDArray[np.bool_], message: str, suggestion: str | None) -> None:
        bad = np.flatnonzero(mask)
        for k in bad[:MAX_PROBLEMS].tolist():
            value = flag_values[flag_codes[k]]
            fault = read[flag_codes[k]]
            items = fault.items if isinstance(fault, Fault) else ()
            problems.append(
                Problem(
                    LOCAL_FLAG,
                    items[0].value if items else value,
                    items[0].message if items else message,
                    source=source,
                    location=f"row {int(rows[k])}, column {letter}",
                    clause="XCH-18.4",
                    suggestion=items[0].suggestion if items else suggestion,
                )
            )
        if len(bad) > MAX_PROBLEMS:
            problems.append(
                Problem(
                    LOCAL_FLAG,
                    NO_VALUE,
                    f"is wrong in {len(bad) - MAX_PROBLEMS:,} more rows, as in the rows above",
                    source=source,
                    location=f"row {int(rows[bad[MAX_PROBLEMS]])}, column {letter}",
                    clause="XCH-18.4",
                )
            )

    report(per_row([isinstance(r, Fault) for r in read], flag_codes), "", None)
    report(
        per_row([r is False for r in read], flag_codes) & named,
        N_("says no, but the row's local_name defines a local product"),
        N_("write ja, or empty the cell of local_name ('naam lokaal product')"),
    )
    report(
        yes & ~filled,
        N_("says yes, but the row's product cell holds no name (no letter or digit)"),
        N_("write the local product's name in the product cell"),
    )
    defining = np.flatnonzero(yes & filled & ~named)
    if not defining.size:
        return {}
    # Per distinct (product, CBS code) pair, the name and the URI of its product.
    base = len(code_values) + 1  # codes shifted by one: an absent cell is 0
    pair = product_codes[defining].astype(np.int64) * base + code_codes[defining] + 1
    keys, inverse = np.unique(pair, return_inverse=True)
    inverse = inverse.reshape(-1)
    names: list[str] = []
    uris: list[str] = []
    valid = np.ones(len(keys), dtype=np.bool_)
    for m, key in enumerate(keys.tolist()):
        product, code = divmod(int(key), base)
        name = product_values[product].strip()
        cbs = rules.read_code(code_values[code - 1] if code else "", dialect)
        valid[m] = not isinstance(cbs, Fault)  # an invalid code defines nothing (MUN-2)
        names.append(name)
        uris.append(local_uri(cbs, name) if isinstance(cbs, str) else "")
    kept = valid[inverse]
    defining, inverse = defining[kept], inverse[kept]
    new_products = product_codes.copy()
    new_products[defining] = len(product_values) + inverse
    new_names = np.full(len(flag_codes), ABSENT, dtype=np.intp)
    new_names[defining] = inverse
    if "local_name" in position:  # the rows that name their product keep their names
        named_codes, named_values = columns[position["local_name"]]
        new_names[named] = len(names) + named_codes[named]
        names += named_values
    return {
        "product": (product_at, (new_products, [*product_values, *uris])),
        "local_name": (product_at, (new_names, names)),
    }


def local_uri(cbs_code: str, name: str) -> str:
    """The URI a sheet's form gives a local product it names (XCH-18.4): ``urn:``, the CBS
    code in lower case, ``:product:`` and the name's normal form (PRD-7.1), its spaces
    written ``-`` and other characters than ``a``-``z``, ``0``-``9`` and ``-``
    percent-encoded.

    >>> local_uri("GM0503", "Straatfeest melden"), local_uri("GM0503", "Kermis-Ēén")
    ('urn:gm0503:product:straatfeest-melden', 'urn:gm0503:product:kermis-een')
    """
    import urllib.parse  # only for a sheet that defines a local product

    slug = normalise_key(name).replace(" ", "-")
    return f"urn:{cbs_code.lower()}:product:{urllib.parse.quote(slug, safe='-')}"


def _population_year(
    dialect: Dialect, header: Header, rows: IntArray, columns: Sequence[Cells]
) -> tuple[int, Cells] | None:
    """The ``population_year`` column the shipped CBS register gives a sheet that leaves it
    out (XCH-18.8): for each municipality, the one year of the register whose population
    for its code is the population written. Where the register does not give exactly one
    year for every municipality of the sheet, the header keeps its problem, with the
    register's figures, and there is no column."""
    if not header.year_from_register:
        return None
    population_at = header.position["population"]
    code_codes, code_values = columns[header.position["cbs_code"]]
    population_codes, population_values = columns[population_at]
    if not len(rows):
        return None
    base = len(population_values) + 1  # codes shifted by one: an absent cell is 0
    pair = (code_codes.astype(np.int64) + 1) * base + population_codes + 1
    keys, first, inverse = np.unique(pair, return_index=True, return_inverse=True)
    registers = [cbs_register(year) for year in register_years()]
    years: list[str] = []
    year_of = np.zeros(len(keys), dtype=np.intp)
    unsettled: list[tuple[tuple[str, str], str]] = []  # (code and population, what to say)
    for m, key in enumerate(keys.tolist()):
        code_at, population_at_ = divmod(int(key), base)
        row = int(rows[first[m]])
        code_text = code_values[code_at - 1] if code_at else ""
        population_text = population_values[population_at_ - 1] if population_at_ else ""
        order = (code_text.strip(), population_text.strip())
        code = rules.read_code(code_text, dialect)
        written = rules.read_integer(population_text, dialect, 1, MAX_POPULATION)
        if isinstance(code, Fault) or isinstance(written, Fault):
            said = f"nothing for row {row}, whose CBS code or population is unreadable"
            unsettled.append((order, said))
            continue
        figures = [(r.year, r.get(code).population) for r in registers if code in r]
        matching = [year for year, population in figures if population == written]
        if len(matching) == 1:
            text = str(matching[0])
            if text not in years:
                years.append(text)
            year_of[m] = years.index(text)
            continue
        given = ", ".join(f"{population} in {year}" for year, population in figures) or "nothing"
        unsettled.append((order, f"{code} (row {row}, {written} written) {given}"))
    if unsettled:
        unsettled.sort()  # by code and population, whatever the order of the rows
        shown = [said for _, said in unsettled[:LISTED]]
        if len(unsettled) > LISTED:
            shown.append(f"and {len(unsettled) - LISTED} more")
        header._problem(
            "row 1",
            NO_VALUE,
            "lacks the required column population_year",
            "add a column 'population_year' (in Dutch 'jaar inwoners') with the year of each "
            f"population; the CBS register gives {'; '.join(shown)}",
        )
        return None
    return population_at, (year_of[inverse.reshape(-1)], years)


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
