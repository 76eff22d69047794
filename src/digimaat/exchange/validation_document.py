"""The rules of a document's own members and of its municipalities (chapter XCH, MUN).

The format and the specification version (XCH-5, XCH-15), the reference year, the source
text, the product scope and the cost table (XCH-5, AGG-2.1, CHN-7), in the CSV form the
same in every row (XCH-11); the municipality records (MUN-1, MUN-2, XCH-6), each listed
once (XCH-7), in the CSV form the same in every row of a municipality (XCH-11).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Final

import attrs
import numpy as np
from numpy.typing import NDArray

from digimaat._boundary import guard
from digimaat._serial import shown
from digimaat._version import SPEC_VERSION
from digimaat.errors import N_, NO_VALUE, InputError
from digimaat.exchange import rules
from digimaat.exchange.raw import IntArray, RawTable, joint
from digimaat.exchange.rules import Item
from digimaat.exchange.validation_checker import ROWS, Checker, walk
from digimaat.vocabulary.municipalities import MAX_NAME, Municipality
from digimaat.vocabulary.products import Catalogue

__all__ = ["DocumentChecks"]

FORMAT: Final = "digimaat-offerings"
"""The value of a document's ``format`` member (XCH-5)."""

_VERSION = re.compile(r"([0-9]+)\.([0-9]+)(?:-[0-9A-Za-z.]+)?", re.ASCII)
_MAJOR: Final = SPEC_VERSION.split(".", 1)[0]


class DocumentChecks(Checker):
    """The document's own members and its municipalities."""

    def document(self, complete: bool = True) -> tuple[int | None, str | None, bool]:
        """Reference year, source text, and whether reading may go on (XCH-5, XCH-15).

        Of a document whose reading stopped at a syntax error only the format is checked:
        the other members may not have been reached, or not been read whole.
        """
        table = self.raw.document
        if not self.csv:
            fmt = table.column("format").value(0) if table.size else None
            if fmt is not None and fmt != FORMAT:
                self.collector.clear()
                self.problem(
                    table,
                    0,
                    "format",
                    Item(
                        "",
                        f"must be {FORMAT!r}: this is not an offerings document",
                        fmt if isinstance(fmt, str) else shown(fmt),
                        "XCH-5",
                    ),
                )
                return None, None, False
            if not complete:
                return None, None, False
            version = table.column("spec_version").value(0) if table.size else None
            if version is not None:
                match = _VERSION.fullmatch(version) if isinstance(version, str) else None
                if match is None:
                    self.problem(
                        table,
                        0,
                        "spec_version",
                        Item(
                            "",
                            "must be a specification version such as '1.0'",
                            shown(version),
                            "XCH-15",
                        ),
                    )
                elif match.group(1) != _MAJOR:
                    self.problem(
                        table,
                        0,
                        "spec_version",
                        Item(
                            "",
                            f"has another major version than this reader's ({SPEC_VERSION})",
                            version,
                            "XCH-15",
                        ),
                    )
                    return None, None, False
        year = self.agreed(
            table,
            "reference_year",
            lambda v: rules.read_year(v, self.dialect, "XCH-5"),
            required=True,
        )
        text = self.agreed(
            table,
            "source",
            lambda v: rules.read_text(
                v, self.dialect, max_length=self.limits.max_text, multiline=True, clause="XCH-5"
            ),
        )
        self.product_scope = self.agreed(
            table, "product_scope", lambda v: rules.read_product_scope(v, self.dialect)
        )
        if "costs" in table.columns:
            self.costs = self.agreed(table, "costs", lambda v: rules.read_costs(v, self.dialect))
        return year, text, True

    def resolved_scope(self, catalogue: Catalogue) -> str | tuple[str, ...] | None:
        """The product scope with its listed products resolved to URIs (AGG-2.1, PRD-7.2)."""
        scope = self.product_scope
        if not isinstance(scope, tuple):
            return scope
        table = self.raw.document
        uris: list[str] = []
        failed = False
        for k, key in enumerate(scope):
            resolution = catalogue.lookup(key)
            if resolution.product is None:
                problem = resolution.error("product").problem
                item = Item(f"/{k}", problem.message, key, "XCH-5", problem.suggestion)
                self.problem(table, 0, "product_scope", item)
                failed = True
            else:
                uris.append(resolution.product.uri)
        return None if failed else tuple(sorted(set(uris)))

    def resolved_costs(self, catalogue: Catalogue) -> Any:
        """The stated cost table with its products' keys resolved to URIs (CHN-7, PRD-7.2)."""
        if self.costs is None:
            return None
        from digimaat.exchange.costs import resolve_products

        try:
            return resolve_products(self.costs, catalogue)
        except InputError as exc:
            for found in exc.problems:
                item = Item(found.location or "", found.message, found.value, "CHN-7")
                self.problem(
                    self.raw.document, 0, "costs", attrs.evolve(item, suggestion=found.suggestion)
                )
            return None

    def agreed(
        self, table: RawTable, field: str, rule: Callable[[Any], Any], required: bool = False
    ) -> Any:
        """A document field: one value, and in the CSV form the same in every row (XCH-11)."""
        codes, parsed, failed = self.apply(table, field, rule)
        present = codes >= 0
        if self.csv and required and field in table.names and (~present).any():
            for k in self.each(table, ~present):
                self.problem(table, k, field, Item("", N_("is required"), "", "XCH-11"))
        ok = present & ~failed
        if not ok.any():
            return None
        first = int(np.argmax(ok))
        value = parsed[codes[first]]
        # One more entry, False, for the absent code -1.
        unequal = np.array([bool(p != value) for p in parsed] + [False], dtype=np.bool_)
        for k in self.each(table, ok & unequal[codes]):
            first_place = table.locate(first, field, "").split(",")[0]
            self.problem(
                table,
                k,
                field,
                Item(
                    "",
                    f"differs from the value in {first_place} ({value!r})",
                    table.column(field).value(k),
                    "XCH-11",
                ),
            )
        return value

    def municipalities(self) -> tuple[dict[str, Municipality], dict[str, str], set[str]]:
        """The municipalities by CBS code, where each is, and the codes of broken records."""
        table = self.raw.municipalities
        dialect = self.dialect
        fields: dict[str, Callable[[Any], Any]] = {
            "cbs_code": lambda v: rules.read_code(v, dialect, "MUN-2"),
            "name": lambda v: rules.read_text(v, dialect, max_length=MAX_NAME, clause="MUN-1"),
            "population": lambda v: rules.read_integer(
                v, dialect, 1, rules.MAX_POPULATION, "MUN-1", above="XCH-4"
            ),
            "year": lambda v: rules.read_year(v, dialect, "MUN-1"),
        }
        size = table.size
        codes: dict[str, IntArray] = {}
        parsed: dict[str, list[Any]] = {}
        broken = np.zeros(size, dtype=np.bool_)
        for field, rule in fields.items():
            codes[field], parsed[field], failed = self.apply(table, field, rule)
            missing = codes[field] < 0
            if not self.csv or field in table.names:  # a missing column: a header problem
                for k in self.each(table, missing & table.readable()):
                    self.problem(
                        table, k, field, Item("", N_("is required"), NO_VALUE, self.clause)
                    )
            broken |= failed | missing
        raw_codes = table.column("cbs_code")
        hit = np.zeros(len(raw_codes.values) + 1, dtype=np.bool_)  # the last: absent
        for start in range(0, size, ROWS):
            part = raw_codes.codes[start : start + ROWS]
            hit[part[broken[start : start + ROWS]]] = True
        broken_codes = {str(raw_codes.values[c]).strip() for c in np.flatnonzero(hit[:-1])}
        found: dict[str, Municipality] = {}
        where: dict[str, str] = {}
        # The distinct combinations of the four fields among the good records and the first
        # record of each; a block of records at a time, since a CSV file repeats them in
        # every row (memory: SEC-5).
        ok = ~broken
        index: dict[tuple[int, ...], int] = {}
        first_record: list[int] = []
        for good, combination, block in self.combinations_of(codes, fields, ok):
            first_at = np.full(len(block), good.size, dtype=np.intp)
            np.minimum.at(first_at, combination, np.arange(good.size))
            for m, member in enumerate(block):
                if member not in index:
                    index[member] = len(first_record)
                    first_record.append(int(good[first_at[m]]))
        if not index:
            return found, where, broken_codes
        members = list(index)
        first_of_code: dict[str, tuple[int, int]] = {}  # code -> (combination, record)
        for m in np.argsort(first_record, kind="stable").tolist():
            k = first_record[m]
            values = [parsed[f][c] for f, c in zip(fields, members[m], strict=True)]
            code = values[0]
            if code not in first_of_code:
                first_of_code[code] = (m, k)
                found[code] = Municipality(*values)
                where[code] = table.locate(k, "", "").split(",")[0]
        if len(first_of_code) == (len(members) if self.csv else int(ok.sum())):
            # Each code in one combination (a sheet) or one record (a document): none differs.
            return found, where, broken_codes
        # Per combination: the combination and the record that came first for its code.
        code_of = [parsed["cbs_code"][member[0]] for member in members]
        first_member = np.array([first_of_code[c][0] for c in code_of], dtype=np.intp)
        first_of = np.array([first_of_code[c][1] for c in code_of], dtype=np.intp)
        for good, combination, block in self.combinations_of(codes, fields, ok):
            global_of = np.array([index[b] for b in block], dtype=np.intp)[combination]
            if self.csv:
                differs = np.flatnonzero(global_of != first_member[global_of])
            else:
                differs = np.flatnonzero(good != first_of[global_of])
            for at in walk(differs):
                m = int(global_of[at])
                k = int(good[at])
                code = code_of[m]
                if self.csv:
                    self.disagree(table, k, members[m], parsed, found[code], where[code])
                else:
                    self.problem(
                        table,
                        k,
                        "cbs_code",
                        Item(
                            "", f"is listed more than once (also at {where[code]})", code, "XCH-7"
                        ),
                    )
        return found, where, broken_codes

    @staticmethod
    def combinations_of(
        codes: dict[str, IntArray], fields: Iterable[str], ok: NDArray[np.bool_]
    ) -> Iterator[tuple[IntArray, IntArray, list[tuple[int, ...]]]]:
        """Per block of records: the records where ``ok`` holds, the code of each one's
        combination of ``fields``, and the combinations of the block."""
        for start in range(0, len(ok), ROWS):
            good = np.flatnonzero(ok[start : start + ROWS]) + start
            if good.size:
                combination, members = joint([codes[f][good] for f in fields])
                yield good, combination, members

    @property
    def clause(self) -> str:
        """The clause of a required field: XCH-11 in the CSV form, XCH-6 in a document."""
        return "XCH-11" if self.csv else "XCH-6"

    def disagree(
        self,
        table: RawTable,
        k: int,
        key: tuple[int, ...],
        parsed: dict[str, list[Any]],
        first: Municipality,
        first_row: str,
    ) -> None:
        """A row whose municipality cells differ from the first row of its code (XCH-11)."""
        for n, field in enumerate(("name", "population", "year"), start=1):
            this = parsed[field][key[n]]
            that = getattr(first, field)
            if this != that:
                self.problem(
                    table,
                    k,
                    field,
                    Item(
                        "",
                        f"differs from {first_row} ({that!r}) for {first.cbs_code}",
                        this,
                        "XCH-11",
                    ),
                )


guard(__name__)
