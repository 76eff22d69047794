"""Applying the rules to raw records, and reporting problems in file order (chapter XCH).

:class:`Checker` applies a rule of :mod:`digimaat.exchange.rules` once per *distinct* raw
value of a field and spreads the result back over the records as arrays; it refuses a
value nested too deeply (XCH-4). It reports every problem with its file, location, field,
value, clause and suggestion, in the order of the file: of all the problems of a file, the
collector's limit keeps those that come first, and the rest are counted, never built
(XCH-2, SEC-5). The checks of the parts of a file extend it.
"""

from __future__ import annotations

import functools
import heapq
import re
from collections.abc import Callable, Iterator
from typing import Any, Final

import attrs
import numpy as np
from numpy.typing import NDArray

from digimaat._boundary import guard
from digimaat.errors import NO_VALUE, Problem, ProblemCollector
from digimaat.exchange.raw import IntArray, RawFile, RawTable, depth
from digimaat.exchange.rules import Dialect, Fault, Item
from digimaat.exchange.source import Limits
from digimaat.vocabulary.products import Catalogue, Product

__all__ = ["Checker"]

RECORD_LEVELS: Final = 3
"""Levels above a field of a record in a document: the document, its array, the record."""
_ACCEPTED_LEVELS: Final = RECORD_LEVELS + 3
"""The deepest nesting of an accepted field: a rate object inside the volumes object."""
RANK: Final = {"document": 1, "municipalities": 2, "local_products": 3, "offerings": 4}
"""The order in which a document's problems are reported: by kind of record, then record."""
_BLOCK: Final = 4096
ROWS: Final = 1 << 18
"""Records taken together where a step needs several arrays of one entry per record."""


_COLUMN = re.compile(r"column ([A-Z]+)$")


def _column_number(location: str) -> int:
    """The 1-based number of the column a sheet's location names (``row 3, column AB``: 28),
    0 for a location without a column."""
    match = _COLUMN.search(location)
    if match is None:
        return 0
    number = 0
    for letter in match.group(1):
        number = number * 26 + ord(letter) - 64
    return number


class _Sorted:
    """The problems of one file: the first ones in the order of the file, and a count of the rest.

    Problems are found field by field; they are reported record by record (the document's
    own first, then municipalities, local products and offerings, each in file order; a
    sheet's by row and column). Of all the problems of a file, the collector's limit keeps
    those that come first in that order: a heap holds at most that many, the last of them
    on top, so a problem that comes later than every kept one is counted without being
    built (XCH-2, SEC-5).
    """

    def __init__(self, outer: ProblemCollector) -> None:
        self.outer = outer
        self.heap: list[tuple[tuple[int, int, int, int], Problem]] = []
        """``(negated place, problem)``: the top is the problem that comes last."""
        self.more = 0
        self.found = 0

    @property
    def room(self) -> int:
        """How many problems of this file can be kept."""
        return max(self.outer.limit - len(self.outer.problems), 0)

    def full(self, key: tuple[int, int]) -> bool:
        """Whether a problem of the record at ``key`` (table rank and record; every later
        record too) would only be counted: it comes after every problem kept."""
        if len(self.heap) < self.room:
            return False
        if not self.heap:
            return True
        last = self.heap[0][0]
        return (-last[0], -last[1]) < key

    def add(self, problem: Problem, key: tuple[int, int, int] = (0, 0, 0)) -> None:
        order = (-key[0], -key[1], -key[2], -self.found)
        self.found += 1
        if len(self.heap) < self.room:
            heapq.heappush(self.heap, (order, problem))
        elif self.heap and order > self.heap[0][0]:  # earlier than the last one kept
            heapq.heapreplace(self.heap, (order, problem))
            self.more += 1
        else:
            self.more += 1

    def count_more(self, n: int) -> None:
        self.more += n

    def clear(self) -> None:
        self.heap.clear()
        self.more = 0

    def flush(self) -> None:
        for _, problem in sorted(self.heap, key=lambda item: item[0], reverse=True):
            self.outer.add(problem)
        self.outer.count_more(self.more)


class Checker:
    """Applies the rules to the raw records of one file, and reports what they find.

    The checks of the document, the municipalities, the local products and the offerings
    extend it (:class:`~digimaat.exchange.validation_document.DocumentChecks`,
    :class:`~digimaat.exchange.validation_local.LocalProductChecks`,
    :class:`~digimaat.exchange.validation_offerings.OfferingChecks`).
    """

    def __init__(
        self,
        raw: RawFile,
        catalogue: Catalogue,
        limits: Limits,
        collector: ProblemCollector,
    ) -> None:
        self.raw = raw
        self.source = raw.source.name
        self.dialect: Dialect = raw.dialect
        self.csv = raw.is_sheet
        self.catalogue = catalogue
        self.limits = limits
        self.implied_local: dict[str, tuple[Product, str]] = {}
        """The local products a sheet names by its municipality's unnamed own names
        (XCH-18.9), by URI, with the place of the first row that names each."""
        self.collector = _Sorted(collector)
        self.product_scope: str | tuple[str, ...] | None = None
        self.costs: Any = None

    def field_name(self, table: RawTable, field: str, sub: str) -> str:
        if self.csv:
            return table.names.get(field, field)
        parts = [p for p in sub.split("/") if p and not p.isdigit()]
        return ".".join([field, *parts])

    def rank(self, table: RawTable) -> int:
        """The place of a table in the order problems are reported in (a sheet: rows only)."""
        return 0 if self.csv else RANK.get(table.name, 9)

    def problem(self, table: RawTable, k: int, field: str, item: Item) -> None:
        if self.collector.full((self.rank(table), k)):  # counted, never built
            self.collector.count_more(1)
            return
        location = table.locate(k, field, item.sub)
        self.collector.add(
            Problem(
                self.field_name(table, field, item.sub),
                item.value,
                item.message,
                source=self.source,
                location=location,
                clause=item.clause,
                suggestion=item.suggestion,
            ),
            # A sheet's problems by row and column; a document's by record.
            (0, k, _column_number(location)) if self.csv else (RANK.get(table.name, 9), k, 0),
        )

    def each(self, table: RawTable, mask: NDArray[np.bool_]) -> Iterator[int]:
        """The records where ``mask`` holds, each to be reported with one problem: in order,
        a block at a time, and only while problems can be kept; the rest are counted."""
        rank = self.rank(table)
        for k in _where(mask):
            if self.collector.full((rank, k)):
                self.collector.count_more(int(np.count_nonzero(mask[k:])))
                return
            yield k

    def report_at(
        self, table: RawTable, field: str, rows: IntArray, row_codes: IntArray, faults: list[Any]
    ) -> None:
        """Report ``faults[row_codes[n]]`` at record ``rows[n]`` (rows in record order)."""
        bad = np.zeros(table.size, dtype=np.bool_)
        bad[rows] = True
        codes = np.zeros(table.size, dtype=np.intp)
        codes[rows] = row_codes
        self.report_rows(table, field, bad, codes, faults)

    def report_rows(
        self,
        table: RawTable,
        field: str,
        bad: NDArray[np.bool_],
        codes: IntArray,
        faults: list[Any],
    ) -> None:
        """Report ``faults[codes[k]]`` at every record ``k`` where ``bad`` holds, in order.

        Records are taken a block at a time; beyond the collector's limit the remaining
        problems are counted, not built (SEC-5).
        """
        rank = self.rank(table)
        for k in _where(bad):
            if self.collector.full((rank, k)):
                sizes = np.array(
                    [len(f.items) if isinstance(f, Fault) else 0 for f in faults] or [0],
                    dtype=np.int64,
                )
                rest = np.zeros(len(sizes), dtype=np.int64)
                for start in range(k, len(bad), ROWS):
                    part = codes[start : start + ROWS][bad[start : start + ROWS]]
                    rest += np.bincount(part, minlength=len(sizes))
                self.collector.count_more(int(sizes @ rest))
                return
            for item in faults[int(codes[k])].items:
                self.problem(
                    table,
                    k,
                    item.sub if item.sub in table.names else field,
                    item if item.sub not in table.names else attrs.evolve(item, sub=""),
                )

    def apply(
        self,
        table: RawTable,
        field: str,
        rule: Callable[[Any], Any],
        live: NDArray[np.bool_] | None = None,
    ) -> tuple[IntArray, list[Any], NDArray[np.bool_]]:
        """Apply a rule to every distinct raw value of a field; report faults where they are.

        Returns the column's codes, the parsed value of each distinct raw value (a
        :class:`~digimaat.exchange.rules_values.Fault` where it failed) and, per record, whether
        its value failed. ``live`` restricts the reports to some records.
        """
        column = table.column(field)
        if not column.values:  # no record has the field: nothing to read, nothing failed
            return column.codes, [], np.zeros(table.size, dtype=np.bool_)
        above = 1 if table.name == "document" else RECORD_LEVELS
        values = column.values
        if self.limits.max_depth >= _ACCEPTED_LEVELS:  # only a fault can be too deep
            parsed = list(map(rule, values))
            for k, result in enumerate(parsed):
                if isinstance(result, Fault):  # unless the value is nested too deep
                    parsed[k] = self.checked(functools.partial(_given, result), values[k], above)
        else:
            parsed = [self.checked(rule, value, above) for value in values]
        # Whether each distinct value failed, and last False for the records without one.
        failed = np.array([isinstance(p, Fault) for p in parsed] + [False], dtype=np.bool_)
        codes = column.codes
        if not failed.any():
            return codes, parsed, np.zeros(len(codes), dtype=np.bool_)
        record_failed = failed[codes]  # code -1 (absent) takes the last entry
        bad = record_failed if live is None else record_failed & live
        if bad.any():
            self.report_rows(table, field, bad, codes, parsed)
        return codes, parsed, record_failed

    def checked(self, rule: Callable[[Any], Any], value: Any, above: int = RECORD_LEVELS) -> Any:
        """A rule's result; a value nested too deeply is refused as such (XCH-4).

        ``above`` is the number of levels above the value: 1 for a member of the document,
        :data:`RECORD_LEVELS` for a field of a record.

        The rules accept only values nested at most :data:`_ACCEPTED_LEVELS` deep, so the
        depth of an accepted value is measured only under a limit lower than that; a
        refused value is measured always.
        """
        result = rule(value)
        if isinstance(value, list | dict) and (
            isinstance(result, Fault) or self.limits.max_depth < _ACCEPTED_LEVELS
        ):
            levels = depth(value) + above
            if levels > self.limits.max_depth:
                return Fault.one(
                    f"is nested more than {self.limits.max_depth} levels deep",
                    NO_VALUE,
                    "XCH-4",
                )
        return result


def walk(indices: IntArray) -> Iterator[int]:
    """The items of an index array, a block at a time: never one list of millions (SEC-5)."""
    for start in range(0, len(indices), _BLOCK):
        yield from indices[start : start + _BLOCK].tolist()


def _where(mask: NDArray[np.bool_]) -> Iterator[int]:
    """The indices where a mask holds, in order, a block at a time."""
    for start in range(0, len(mask), _BLOCK):
        yield from (np.flatnonzero(mask[start : start + _BLOCK]) + start).tolist()


def _given(result: Any, value: Any) -> Any:
    """The rule that gives ``result`` (already found) for ``value``."""
    return result


guard(__name__)
