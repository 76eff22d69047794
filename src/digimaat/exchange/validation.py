"""The third stage of reading: the rules applied to raw records (specification chapter XCH).

:func:`validate` takes the raw records of one file, as either tokenizer gives them, and
applies the rules of :mod:`digimaat.exchange.rules` to every field: once per distinct raw
value, with the result spread back over the records as arrays. It then checks what spans
fields and records: the rules of an offering (chapter OFF, by building one
:class:`~digimaat.vocabulary.offerings.Offering` per distinct combination of fields, so
that OFF's rules are OFF's own code), that CSV rows agree on their municipality and
document cells, and that no municipality and product occur twice (XCH-7).

Every problem is recorded in one :class:`~digimaat.errors.ProblemCollector` with its
file, location, field, value, clause and suggestion; beyond the collector's limit
problems are counted, never built. The result is a :class:`FileContent`: the validated
columns of the file, from which a dataset's arrays or offering records are made.
"""

from __future__ import annotations

import functools
import heapq
import math
import operator
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Final

import attrs
import numpy as np
from numpy.typing import NDArray

from digimaat._boundary import guard
from digimaat._version import SPEC_VERSION
from digimaat.errors import N_, NO_VALUE, InputError, InvalidValueError, Problem, ProblemCollector
from digimaat.exchange import rules
from digimaat.exchange.jsonform import RawDocument
from digimaat.exchange.local import LocalProductRecord, read_local_product
from digimaat.exchange.raw import IntArray, RawTable, compact, depth, joint
from digimaat.exchange.rules import JSON, Dialect, Fault, Item
from digimaat.exchange.sheet import CAPABILITY_COLUMNS, VOLUME_COLUMNS, RawSheet
from digimaat.exchange.source import Limits
from digimaat.measurement.dataset import STATUS_CODES
from digimaat.vocabulary.assurance import (
    AssuranceLevel,
    Authentication,
    AuthenticationOptions,
    AuthMeans,
    parse_level,
)
from digimaat.vocabulary.channels import CHANNELS
from digimaat.vocabulary.maturity import Capability, capability_mask
from digimaat.vocabulary.municipalities import MAX_NAME, Municipality
from digimaat.vocabulary.offerings import FormFunnel, Offering, Provenance, Status, Volumes
from digimaat.vocabulary.products import (
    UPL_NAMESPACE,
    Audience,
    Catalogue,
    Product,
    Resolution,
)

__all__ = ["FORMAT", "FileContent", "OfferingColumns", "validate"]

FORMAT: Final = "digimaat-offerings"
"""The value of a document's ``format`` member (XCH-5)."""

FloatArray = NDArray[np.float64]
Int8Array = NDArray[np.int8]
_MEANS_CODE: Final = {means: code for code, means in enumerate(AuthMeans)}
_VERSION = re.compile(r"([0-9]+)\.([0-9]+)(?:-[0-9A-Za-z.]+)?", re.ASCII)
_MAJOR: Final = SPEC_VERSION.split(".", 1)[0]
_RECORD_LEVELS: Final = 3
"""Levels above a field of a record in a document: the document, its array, the record."""
_ACCEPTED_LEVELS: Final = _RECORD_LEVELS + 3
"""The deepest nesting of an accepted field: a rate object inside the volumes object."""
_SOME_VOLUMES: Final = Volumes((), ())
_SOME_FORMS: Final = FormFunnel(0, 0)


@attrs.frozen(eq=False)
class OfferingColumns:
    """The validated offerings of one file, as columns (one entry per offering)."""

    size: int
    municipality: tuple[str, ...]
    """The CBS code of each offering."""
    uris: tuple[str, ...]
    """The distinct product URIs, indexed by :attr:`product`."""
    product: IntArray
    status: Int8Array
    """Status codes (``digimaat.measurement.dataset.StatusCode``)."""
    capabilities: NDArray[np.int16]
    auth_means: Int8Array
    auth_level: Int8Array
    local_target: Int8Array
    fee: Int8Array
    volume: FloatArray
    """``[offering, channel]`` requests per year; NaN where the channel is not listed."""
    has_volume: NDArray[np.bool_]
    """Per offering, whether it has a volume record (which may list no channel)."""
    forms_started: FloatArray
    forms_completed: FloatArray
    reasons: dict[int, str]
    notes: dict[int, str]
    provenance: dict[int, Provenance]
    options: dict[int, AuthenticationOptions]
    """The offerings that accept several means (LOA-4.2); the arrays hold the weakest."""
    where: Callable[[int], str]
    """The location of an offering in its file."""

    @classmethod
    def empty(cls) -> OfferingColumns:
        """No offerings."""
        none = np.zeros(0, dtype=np.int8)
        return cls(
            size=0,
            municipality=(),
            uris=(),
            product=np.zeros(0, dtype=np.intp),
            status=none,
            capabilities=np.zeros(0, dtype=np.int16),
            auth_means=none,
            auth_level=none,
            local_target=none,
            fee=none,
            volume=np.zeros((0, len(CHANNELS))),
            has_volume=np.zeros(0, dtype=np.bool_),
            forms_started=np.zeros(0),
            forms_completed=np.zeros(0),
            reasons={},
            notes={},
            provenance={},
            options={},
            where=lambda k: "",
        )


@attrs.frozen(eq=False)
class FileContent:
    """The validated content of one exchange file."""

    source: str
    reference_year: int | None
    description: str | None
    """The document's ``source`` text: who compiled the data, from what and when."""
    municipalities: tuple[Municipality, ...]
    municipality_where: dict[str, str]
    local_products: tuple[Product, ...]
    local_where: dict[str, str]
    offerings: OfferingColumns
    product_scope: str | tuple[str, ...] | None = None
    """The product scope the file claims (AGG-2.1): a name, or product URIs; ``None`` if
    it claims none."""
    costs: Any = None
    """The cost table the file states (CHN-7), a ``CostTable``, or ``None``."""


_RANK: Final = {"document": 1, "municipalities": 2, "local_products": 3, "offerings": 4}
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


class _Validator:
    """Applies the rules to the raw records of one file."""

    def __init__(
        self,
        raw: RawDocument | RawSheet,
        catalogue: Catalogue,
        limits: Limits,
        collector: ProblemCollector,
    ) -> None:
        self.raw = raw
        self.source = raw.source.name
        self.dialect: Dialect = raw.dialect if isinstance(raw, RawSheet) else JSON
        self.csv = isinstance(raw, RawSheet)
        self.catalogue = catalogue
        self.limits = limits
        self.collector = _Sorted(collector)
        self.product_scope: str | tuple[str, ...] | None = None
        self.costs: Any = None

    # -- reporting ------------------------------------------------------------------------

    def field_name(self, table: RawTable, field: str, sub: str) -> str:
        if self.csv:
            return table.names.get(field, field)
        parts = [p for p in sub.split("/") if p and not p.isdigit()]
        return ".".join([field, *parts])

    def rank(self, table: RawTable) -> int:
        """The place of a table in the order problems are reported in (a sheet: rows only)."""
        return 0 if self.csv else _RANK.get(table.name, 9)

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
            (0, k, _column_number(location)) if self.csv else (_RANK.get(table.name, 9), k, 0),
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
                for start in range(k, len(bad), _ROWS):
                    part = codes[start : start + _ROWS][bad[start : start + _ROWS]]
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
        :class:`~digimaat.exchange.rules.Fault` where it failed) and, per record, whether
        its value failed. ``live`` restricts the reports to some records.
        """
        column = table.column(field)
        if not column.values:  # no record has the field: nothing to read, nothing failed
            return column.codes, [], np.zeros(table.size, dtype=np.bool_)
        above = 1 if table.name == "document" else _RECORD_LEVELS
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

    def checked(self, rule: Callable[[Any], Any], value: Any, above: int = _RECORD_LEVELS) -> Any:
        """A rule's result; a value nested too deeply is refused as such (XCH-4).

        ``above`` is the number of levels above the value: 1 for a member of the document,
        :data:`_RECORD_LEVELS` for a field of a record.

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

    # -- the document -----------------------------------------------------------------------

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
                        fmt if isinstance(fmt, str) else rules.shown(fmt),
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
                            rules.shown(version),
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
        from digimaat.exchange.costs import resolve_products

        try:
            return resolve_products(self.costs, catalogue) if self.costs is not None else None
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

    # -- municipalities ---------------------------------------------------------------------

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
        for start in range(0, size, _ROWS):
            part = raw_codes.codes[start : start + _ROWS]
            hit[part[broken[start : start + _ROWS]]] = True
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
            for at in _walk(differs):
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
        for start in range(0, len(ok), _ROWS):
            good = np.flatnonzero(ok[start : start + _ROWS]) + start
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

    # -- local products ---------------------------------------------------------------------

    def local_products(self) -> tuple[list[Product], dict[str, str], set[str]]:
        """The local products of a document (XCH-6) or a sheet (XCH-18.4), where each is, and
        the URIs of local products with problems."""
        if isinstance(self.raw, RawSheet):
            return self.sheet_local_products()
        products: list[Product] = []
        where: dict[str, str] = {}
        broken: set[str] = set()
        rank = _RANK["local_products"]
        for n, (at, value) in enumerate(self.raw.local_products):
            product, problems = read_local_product(value, at)
            for p in problems:
                self.collector.add(p.at(source=self.source), (rank, n, 0))
            uri = value.get("uri") if isinstance(value, dict) else None
            if product is None:
                if isinstance(uri, str):
                    broken.add(uri)
                continue
            clash = _clash(self.catalogue, product)
            clause = "PRD-6.1"
            if product.uri in where:
                clash = ("uri", f"is listed more than once (also at {where[product.uri]})")
                clause = "PRD-6"
            if clash:
                field, message = clash
                self.collector.add(
                    Problem(
                        field,
                        product.uri if field == "uri" else product.name,
                        message,
                        source=self.source,
                        location=f"{at}/{field}",
                        clause=clause,
                    ),
                    (rank, n, 0),
                )
                broken.add(product.uri)
                continue
            where[product.uri] = at
            products.append(product)
        return products, where, broken

    def sheet_local_products(self) -> tuple[list[Product], dict[str, str], set[str]]:
        """Local products defined in the rows of a sheet that name them (XCH-18.4).

        A row whose ``local_name`` is filled defines the product its ``product`` cell names;
        every row that defines the same product must define it the same way.
        """
        table = self.raw.local_rows if isinstance(self.raw, RawSheet) else None
        products: dict[str, Product] = {}
        where: dict[str, str] = {}
        broken: set[str] = set()
        if table is None:
            return [], where, broken
        d = self.dialect
        rules_of: dict[str, Callable[[Any], Any]] = {
            "uri": lambda v: rules.read_text(v, d, max_length=2000, clause="XCH-6"),
            "name": lambda v: rules.read_text(v, d, max_length=200, clause="XCH-6"),
            "audiences": _audiences,
            "required_assurance": _assurance,
            "physical_presence": lambda v: rules.read_boolean(v, d, "XCH-6"),
            "fee_applies": lambda v: rules.read_boolean(v, d, "XCH-6"),
            "reference_target": lambda v: rules.read_level(v, d, "MAT-1"),
            "reason": lambda v: rules.read_text(
                v, d, max_length=self.limits.max_text, multiline=True, clause="XCH-6"
            ),
        }
        defining = table.column("name").codes >= 0
        self.orphan_local_cells(table, defining)
        no_key = defining & (table.column("uri").codes < 0)
        for k in self.each(table, no_key):
            self.problem(
                table,
                k,
                "name",
                Item(
                    "",
                    N_("defines a local product, but the row's product cell is empty"),
                    table.column("name").value(k),
                    "XCH-18.4",
                    N_("write the local product's key in the product cell"),
                ),
            )
        defining &= ~no_key
        coded: dict[str, tuple[IntArray, list[Any]]] = {}
        failed = np.zeros(table.size, dtype=np.bool_)
        for field, rule in rules_of.items():
            codes, parsed, bad = self.apply(table, field, rule, defining)
            coded[field] = (codes, parsed)
            failed |= bad & defining
        rows = np.flatnonzero(defining)
        combination, members = joint([coded[f][0][rows] for f in rules_of])
        for m, member in enumerate(members):
            chosen = rows[combination == m]
            values = {
                f: (None if c < 0 else coded[f][1][c])
                for f, c in zip(rules_of, member, strict=True)
            }
            if any(isinstance(v, Fault) for v in values.values()):
                if isinstance(values["uri"], str):
                    broken.add(values["uri"])
                continue
            k = int(chosen[0])
            uri = str(values["uri"])
            try:
                product = LocalProductRecord(
                    uri=uri,
                    name=str(values["name"]),
                    audiences=values["audiences"] or (Audience.BURGER,),
                    required_assurance=values["required_assurance"],
                    physical_presence=values["physical_presence"],
                    fee_applies=values["fee_applies"],
                    reference_target=values["reference_target"],
                    reason=values["reason"],
                ).product()
            except InvalidValueError as exc:
                field = {"name": "name", "reason": "reason"}.get(exc.field, "uri")
                self.problem(table, k, field, Item("", exc.problem.message, exc.value, "XCH-6"))
                broken.add(uri)
                continue
            clash = _clash(self.catalogue, product)
            if clash:
                field, message = clash
                shown = uri if field == "uri" else product.name
                self.problem(table, k, field, Item("", message, shown, "PRD-6.1"))
                broken.add(uri)
                continue
            if uri in products and products[uri] != product:
                for row in chosen.tolist():
                    self.problem(
                        table,
                        row,
                        "name",
                        Item(
                            "",
                            f"defines {uri} otherwise than {where[uri]}",
                            values["name"],
                            "XCH-18.4",
                        ),
                    )
                broken.add(uri)
                continue
            if uri not in products:
                products[uri] = product
                where[uri] = table.locate(k, "", "")
        good = [p for u, p in products.items() if u not in broken]
        return good, where, broken

    def orphan_local_cells(self, table: RawTable, defining: NDArray[np.bool_]) -> None:
        """Local product cells in a row that defines no local product (XCH-18.4): reported,
        never dropped."""
        for field, column in table.columns.items():
            if field in ("uri", "name"):
                continue
            for k in self.each(table, (column.codes >= 0) & ~defining):
                self.problem(
                    table,
                    k,
                    field,
                    Item(
                        "",
                        "is filled, but the row defines no local product (its local_name is empty)",
                        column.value(k),
                        "XCH-18.4",
                        "fill local_name ('naam lokaal product') to define one, or empty the cell",
                    ),
                )

    # -- offerings ---------------------------------------------------------------------------

    def offerings(
        self,
        municipalities: dict[str, Municipality],
        broken_codes: set[str],
        catalogue: Catalogue,
        broken_uris: set[str],
    ) -> OfferingColumns:
        """The offerings (XCH-8, OFF): every field by its rule, then what spans fields."""
        table = self.raw.offerings
        n = table.size
        d = self.dialect
        live = np.ones(n, dtype=np.bool_)
        for field in ("municipality", "product"):
            missing = table.column(field).codes < 0
            if self.csv and (field not in table.names or field == "municipality"):
                # A missing column is a header problem, and an empty CBS code cell a
                # problem of the row's municipality: both are reported there.
                live &= ~missing
            elif self.csv:
                live &= ~self._listing_rows(table, missing)
            elif missing.any():
                live &= ~missing
                for k in self.each(table, missing & table.readable()):
                    self.problem(table, k, field, Item("", N_("is required"), NO_VALUE, "XCH-8"))

        def municipality(value: Any) -> Any:
            code = rules.read_code(value, d, "MUN-2")
            if isinstance(code, Fault):
                return Fault(()) if self.csv else code
            if code in municipalities:
                return code
            if self.csv or code in broken_codes:
                return Fault(())  # its own record has a problem, reported there
            return Fault.one("is not a municipality listed in /municipalities", code, "XCH-7")

        # Every field of an offering is checked and reported on its own, whatever its other
        # fields hold (what spans fields, OFF-3, OFF-4 and XCH-7, only where every field could
        # be read): reportable are all records but the rows that list a municipality and
        # nothing else.
        reportable = live.copy() if self.csv else np.ones(n, dtype=np.bool_)
        m_codes, m_parsed, failed = self.apply(table, "municipality", municipality, reportable)
        live &= ~failed
        resolver = _Products(catalogue, broken_uris, self.csv)
        p_codes, p_parsed, failed = self.apply(table, "product", resolver, reportable)
        if resolver.pending:
            p_codes, p_parsed, failed = resolver.per_municipality(
                self, table, (m_codes, m_parsed), (p_codes, p_parsed, failed), reportable
            )
        live &= ~failed

        text = self.limits.max_text
        descriptive: dict[str, Callable[[Any], Any]] = {
            "status": lambda v: rules.read_status(v, d),
            "capabilities": lambda v: rules.read_capabilities(v, d),
            "authentication": lambda v: rules.read_authentication(v, d),
            "local_target": lambda v: rules.read_level(v, d, "MAT-1"),
            "local_target_reason": lambda v: rules.read_text(
                v, d, max_length=text, multiline=True, clause="OFF-4"
            ),
            "fee_applies": lambda v: rules.read_boolean(v, d, "OFF-7"),
            "notes": lambda v: rules.read_text(
                v, d, max_length=text, multiline=True, clause="OFF-17"
            ),
            "provenance": _provenance,
        }
        coded: dict[str, tuple[IntArray, list[Any]]] = {}
        for field, rule in descriptive.items():
            codes, parsed, failed = self.apply(table, field, rule, reportable)
            coded[field] = (codes, parsed)
            live &= ~failed
        if self.csv and any(c in table.columns for c in CAPABILITY_COLUMNS):
            coded["capabilities"], failed = self.capability_columns(
                table, coded["capabilities"], reportable
            )
            live &= ~failed
        volume, has_volume, failed = self.volumes(table, reportable)
        live &= ~failed
        started, completed, failed = self.forms(table, reportable)
        live &= ~failed
        live &= ~self.combinations(table, coded, has_volume, ~np.isnan(started), live)
        live &= ~self.repeats(table, m_codes, p_codes, p_parsed, live)

        rows = np.flatnonzero(live)
        named = np.flatnonzero(np.bincount(p_codes[rows], minlength=len(p_parsed)))
        uris = tuple(sorted({p_parsed[c] for c in named.tolist()}))
        uri_index = {uri: j for j, uri in enumerate(uris)}
        product_of = np.array(
            [uri_index.get(u, -1) if isinstance(u, str) else -1 for u in p_parsed] or [-1],
            dtype=np.intp,
        )

        def spread(
            field: str, code_of: Callable[[Any], int], dtype: Any, absent: int = -1
        ) -> NDArray[Any]:
            """Per offering, the code of its parsed value (``absent`` where it has none)."""
            codes, parsed = coded[field]
            lookup = np.array(
                [code_of(v) if not isinstance(v, Fault) else -1 for v in parsed] + [absent],
                dtype=dtype,
            )
            return lookup[codes[rows]]  # code -1 (absent) takes the last entry

        status = spread("status", STATUS_CODES.__getitem__, np.int8, STATUS_CODES[Status.OFFERED])
        auth_codes, auth_parsed = coded["authentication"]
        codes_k = auth_codes[rows]

        def texts(field: str, only: type | None = None) -> dict[int, Any]:
            codes, parsed = coded[field]
            chosen = codes[rows]
            if only is None:
                at = np.flatnonzero(chosen >= 0)
            else:
                kind = np.array([isinstance(v, only) for v in parsed] + [False], dtype=np.bool_)
                at = np.flatnonzero(kind[chosen])
            return dict(zip(at.tolist(), map(parsed.__getitem__, chosen[at].tolist()), strict=True))

        def kept(array: NDArray[Any]) -> NDArray[Any]:
            return array if rows.size == n else array[rows]

        return OfferingColumns(
            size=len(rows),
            municipality=tuple(map(m_parsed.__getitem__, m_codes[rows].tolist())),
            uris=uris,
            product=product_of[p_codes[rows]],
            status=status,
            capabilities=spread("capabilities", capability_mask, np.int16, 0),
            auth_means=_auth_part(auth_parsed, codes_k, lambda a: _MEANS_CODE[a.means]),
            auth_level=_auth_part(
                auth_parsed, codes_k, lambda a: -1 if a.level is None else int(a.level)
            ),
            local_target=spread("local_target", int, np.int8),
            fee=spread("fee_applies", int, np.int8),
            volume=kept(volume),
            has_volume=kept(has_volume),
            forms_started=kept(started),
            forms_completed=kept(completed),
            reasons=texts("local_target_reason"),
            notes=texts("notes"),
            provenance=texts("provenance"),
            options=texts("authentication", AuthenticationOptions),
            where=_places(table, rows),
        )

    def capability_columns(
        self,
        table: RawTable,
        listed: tuple[IntArray, list[Any]],
        live: NDArray[np.bool_],
    ) -> tuple[tuple[IntArray, list[Any]], NDArray[np.bool_]]:
        """The capabilities of every row from its yes/no columns and its list (XCH-18.3).

        A capability is present when its column says yes or the ``capabilities`` list names
        it; a column that says no while the list names the capability is a problem.
        """
        codes, parsed = listed
        lookup = np.array(
            [capability_mask(v) if isinstance(v, frozenset) else 0 for v in parsed] + [0],
            dtype=np.int32,
        )
        masks = lookup[np.where(codes >= 0, codes, len(parsed))]
        failed = np.zeros(table.size, dtype=np.bool_)
        for capability in Capability:
            field = f"capability:{capability.value}"
            if field not in table.columns:
                continue
            answer, values, bad = self.apply(
                table, field, lambda v: rules.read_tick(v, self.dialect), live
            )
            failed |= bad
            yes = np.array([v is True for v in values] + [False], dtype=np.bool_)
            no = np.array([v is False for v in values] + [False], dtype=np.bool_)
            at = np.where(answer >= 0, answer, len(values))
            conflict = no[at] & ((masks & capability.bit) != 0) & live & ~failed
            for k in self.each(table, conflict):
                self.problem(
                    table,
                    k,
                    field,
                    Item(
                        "",
                        f"says no, but the capabilities cell lists {capability.value}",
                        table.column(field).value(k),
                        "XCH-18.3",
                    ),
                )
            failed |= conflict
            masks = np.where(yes[at], masks | capability.bit, masks)
        distinct, index = compact(masks.astype(np.intp), 1 << len(Capability))
        sets = [frozenset(c for c in Capability if int(m) & c.bit) for m in distinct.tolist()]
        return (index, sets), failed

    def _listing_rows(self, table: RawTable, listing: NDArray[np.bool_]) -> NDArray[np.bool_]:
        """CSV rows without a product: they list a municipality, nothing else (XCH-11)."""
        filled = np.zeros(table.size, dtype=np.bool_)
        for field, column in table.columns.items():
            if field not in ("municipality", "product"):
                filled |= column.codes >= 0
        for k in self.each(table, listing & filled):
            self.problem(
                table,
                k,
                "product",
                Item(
                    "",
                    N_("is empty, but other cells of the offering are filled"),
                    "",
                    "XCH-11",
                    N_("fill in the product, or empty the row's other offering cells"),
                ),
            )
        return listing

    def volumes(
        self, table: RawTable, live: NDArray[np.bool_]
    ) -> tuple[FloatArray, NDArray[np.bool_], NDArray[np.bool_]]:
        """Requests per year per listed channel (XCH-9, XCH-11, OFF-5), whether each record has
        volumes, and whether its volumes failed. NaN where a channel is not listed."""
        n = table.size
        # Not listed anywhere: one NaN seen through every record (no memory per record).
        volume: FloatArray = np.broadcast_to(np.nan, (n, len(CHANNELS)))
        if not self.csv:
            codes, parsed, failed = self.apply(table, "volumes", _JsonVolumes(), live)
            ok = (codes >= 0) & ~failed
            if ok.any():
                volume = np.full((n, len(CHANNELS)), np.nan)
                unlisted = np.full(len(CHANNELS), np.nan)
                stack = np.array([unlisted if isinstance(p, Fault) else p for p in parsed])
                volume[ok] = stack[codes[ok]]
            return volume, ok, failed
        failed = np.zeros(n, dtype=np.bool_)
        d = self.dialect
        unit_codes, units, _ = self.apply(table, "volume_unit", lambda v: _unit(str(v)), live)
        unit_cells = table.column("volume_unit").values
        filled = np.zeros(n, dtype=np.bool_)
        for slot, column_name in enumerate(VOLUME_COLUMNS):
            column = table.column(column_name)
            if not column.values:
                continue
            present = column.codes >= 0
            filled |= present
            at = np.flatnonzero(present)
            # One reading per distinct pair of cell and unit, by the one rule of rates.
            pair, members = joint([column.codes[at], unit_codes[at]])
            results: list[Any] = []
            for cell_code, unit_code in members:
                cell = column.values[cell_code]
                unit = None if unit_code < 0 else units[unit_code]
                if isinstance(unit, Fault):  # reported at the unit; a bare number waits for it
                    own = rules.read_rate(cell, d, None)
                    bare = isinstance(own, Fault) and _bare(cell, d)
                    results.append(Fault(()) if bare else own)
                    continue
                unit_text = None if unit_code < 0 else str(unit_cells[unit_code]).strip()
                results.append(rules.read_rate(cell, d, unit_text))
            failed_member = np.array([isinstance(r, Fault) for r in results], dtype=np.bool_)
            bad = failed_member[pair]
            if bad.any():
                reported = bad & live[at]
                self.report_at(table, column_name, at[reported], pair[reported], results)
                failed[at[bad]] = True
            values = np.array([r if isinstance(r, float) else 0.0 for r in results])
            if not volume.flags.writeable:
                volume = np.full((n, len(CHANNELS)), np.nan)
            volume[at, slot] = values[pair]
        return volume, filled, failed

    def forms(
        self, table: RawTable, live: NDArray[np.bool_]
    ) -> tuple[FloatArray, FloatArray, NDArray[np.bool_]]:
        """Web forms started and completed (OFF-6); NaN without a record."""
        n = table.size
        started: FloatArray = np.broadcast_to(np.nan, n)  # no record anywhere: no memory
        completed: FloatArray = started
        d = self.dialect
        if not self.csv:
            codes, parsed, failed = self.apply(table, "forms", _json_forms, live)
            ok = (codes >= 0) & ~failed
            if ok.any():
                started, completed = np.full(n, np.nan), np.full(n, np.nan)
                pairs = np.array(
                    [(0, 0) if isinstance(p, Fault) else p for p in parsed], dtype=np.float64
                )
                started[ok] = pairs[codes[ok], 0]
                completed[ok] = pairs[codes[ok], 1]
            return started, completed, failed
        failed = np.zeros(n, dtype=np.bool_)
        counts: list[tuple[IntArray, list[Any]]] = []
        for field in ("forms_started", "forms_completed"):
            codes, parsed, bad = self.apply(
                table,
                field,
                lambda v: rules.read_integer(v, d, 0, rules.MAX_COUNT, "OFF-6", above="XCH-4"),
                live,
            )
            counts.append((codes, parsed))
            failed |= bad
        (s_codes, s_parsed), (c_codes, c_parsed) = counts
        at = np.flatnonzero((s_codes >= 0) | (c_codes >= 0))  # the rows with either cell
        pair, members = joint([s_codes[at], c_codes[at]])
        results: list[Any] = []
        for s_code, c_code in members:
            first = None if s_code < 0 else s_parsed[s_code]
            done = None if c_code < 0 else c_parsed[c_code]
            if isinstance(first, Fault) or isinstance(done, Fault):
                results.append(Fault(()))  # reported at its cell
            elif first is None and done is None:
                results.append(None)
            elif first is None or done is None:
                other = "forms_started" if first is None else "forms_completed"
                results.append(
                    Fault.one(
                        N_("must be filled when the other forms cell is"), "", "OFF-6", sub=other
                    )
                )
            else:
                try:
                    FormFunnel(first, done)
                except InvalidValueError as exc:
                    results.append(
                        Fault.one(exc.problem.message, done, "OFF-6", sub="forms_completed")
                    )
                else:
                    results.append((first, done))
        bad_member = np.array([isinstance(r, Fault) for r in results], dtype=np.bool_)
        bad = bad_member[pair] & ~failed[at]
        reported = bad & live[at]
        if reported.any():
            self.report_at(table, "forms_started", at[reported], pair[reported], results)
        failed[at[bad_member[pair]]] = True
        ok = np.array([isinstance(r, tuple) for r in results], dtype=np.bool_)[pair]
        if ok.any():
            started, completed = np.full(n, np.nan), np.full(n, np.nan)
            values = np.array(
                [r if isinstance(r, tuple) else (0, 0) for r in results], dtype=np.float64
            )
            started[at[ok]] = values[pair[ok], 0]
            completed[at[ok]] = values[pair[ok], 1]
        return started, completed, failed

    def combinations(
        self,
        table: RawTable,
        coded: dict[str, tuple[IntArray, list[Any]]],
        has_volumes: NDArray[np.bool_],
        has_forms: NDArray[np.bool_],
        live: NDArray[np.bool_],
    ) -> NDArray[np.bool_]:
        """The rules of an offering that span its fields (OFF-3, OFF-4), once per combination."""
        fields = (
            "status",
            "capabilities",
            "authentication",
            "local_target",
            "local_target_reason",
            "fee_applies",
        )
        rows = np.flatnonzero(live)
        failed = np.zeros(table.size, dtype=np.bool_)
        if not rows.size:
            return failed
        every = rows.size == table.size  # then the columns as they are, not a copy

        def of(array: NDArray[Any]) -> NDArray[Any]:
            return array if every else array[rows]

        combination, members = joint(
            [of(coded[f][0]) for f in fields]
            + [of(has_volumes).astype(np.intp), of(has_forms).astype(np.intp)]
        )
        faults: list[Any] = []
        for key in members:
            values = [None if c < 0 else coded[f][1][c] for f, c in zip(fields, key, strict=False)]
            status, capabilities, authentication, target, reason, fee = values
            try:
                Offering(
                    "GM0000",
                    "urn:x",
                    Status.OFFERED if status is None else status,
                    capabilities or frozenset(),
                    authentication,
                    target,
                    reason,
                    _SOME_VOLUMES if key[6] else None,
                    _SOME_FORMS if key[7] else None,
                    fee,
                )
            except InvalidValueError as exc:
                # Volumes and forms stand in for the record's own (reported at its field),
                # and None is a field left out: neither is a value to show.
                stand_in = exc.value is None or exc.field in ("volumes", "forms")
                value = NO_VALUE if stand_in else rules.shown(exc.value)
                item = Item(exc.field, exc.problem.message, value, exc.problem.clause)
                faults.append(Fault((item,)))
            else:
                faults.append(None)
        bad_member = np.array([f is not None for f in faults], dtype=np.bool_)
        bad = bad_member[combination]
        if bad.any():
            failed[rows[bad]] = True
            member_of = np.zeros(table.size, dtype=np.intp)
            member_of[rows] = combination
            for k in self.each(table, failed):
                item = faults[int(member_of[k])].items[0]
                self.problem(table, k, item.sub, attrs.evolve(item, sub=""))
        return failed

    def repeats(
        self,
        table: RawTable,
        m_codes: IntArray,
        p_codes: IntArray,
        p_parsed: list[Any],
        live: NDArray[np.bool_],
    ) -> NDArray[np.bool_]:
        """Two offerings of one municipality and product: the later is refused (XCH-7)."""
        rows = np.flatnonzero(live)
        failed = np.zeros(table.size, dtype=np.bool_)
        if not rows.size:
            return failed
        uri_codes: dict[str, int] = {}
        uri_of = np.array(
            [uri_codes.setdefault(u, len(uri_codes)) if isinstance(u, str) else 0 for u in p_parsed]
            or [0],
            dtype=np.intp,
        )
        width = len(uri_codes) + 1
        key = m_codes[rows] * width + uri_of[p_codes[rows]]
        distinct, index = compact(key, (int(m_codes[rows].max()) + 1) * width)
        if len(distinct) == rows.size:
            return failed
        first = np.full(len(distinct), rows.size, dtype=np.intp)
        np.minimum.at(first, index, np.arange(rows.size))
        repeat = np.flatnonzero(first[index] != np.arange(rows.size))
        for at in _walk(repeat):
            k = int(rows[at])
            failed[k] = True
            place = table.locate(int(rows[first[index[at]]]), "", "").split(",")[0]
            self.problem(
                table,
                k,
                "product",
                Item(
                    "",
                    f"repeats the offering at {place} (same municipality and product)",
                    p_parsed[int(p_codes[k])],
                    "XCH-7",
                ),
            )
        return failed


_BLOCK: Final = 4096
_ROWS: Final = 1 << 18
"""Records taken together where a step needs several arrays of one entry per record."""


def _walk(indices: IntArray) -> Iterator[int]:
    """The items of an index array, a block at a time: never one list of millions (SEC-5)."""
    for start in range(0, len(indices), _BLOCK):
        yield from indices[start : start + _BLOCK].tolist()


def _where(mask: NDArray[np.bool_]) -> Iterator[int]:
    """The indices where a mask holds, in order, a block at a time."""
    for start in range(0, len(mask), _BLOCK):
        yield from (np.flatnonzero(mask[start : start + _BLOCK]) + start).tolist()


_PROVENANCE_FIELDS: Final = ("source", "records", "retrieved")
_PROVENANCE_SAMPLE: Final[dict[str, Any]] = {
    "source": "-",
    "records": ["-"],
    "retrieved": "2000-01-01",
}


def _provenance(value: Any) -> Provenance | Fault:
    """An offering's provenance (OFF-16): ``{"source", "records", "retrieved"}``."""
    if not isinstance(value, dict):
        return Fault.one(
            "must be an object {source, records, retrieved}", rules.shown(value), "OFF-16"
        )
    items = rules.read_keys(value, frozenset(_PROVENANCE_FIELDS), _PROVENANCE_FIELDS, "OFF-16")
    records = value.get("records")
    if isinstance(records, list):
        items += [
            Item(f"/records/{k}", "must be a text", rules.shown(r), "OFF-16")
            for k, r in enumerate(records)
            if not isinstance(r, str)
        ]
    for key in _PROVENANCE_FIELDS:
        if key not in value or any(i.sub.startswith(f"/{key}") for i in items):
            continue
        try:  # each field on its own, so that every bad field is reported
            Provenance(**{**_PROVENANCE_SAMPLE, key: value[key]})
        except InvalidValueError as exc:
            items.append(Item(f"/{key}", exc.problem.message, rules.shown(exc.value), "OFF-16"))
    if items:
        return Fault(tuple(items))
    return Provenance(value["source"], value["records"], value["retrieved"])


def _audiences(value: Any) -> tuple[Audience, ...] | Fault:
    """Audiences of a local product in a sheet cell: ``burger``, ``bedrijf`` (XCH-6)."""
    out: list[Audience] = []
    for name in re.split(r"[|,;\s]+", str(value).strip()):
        if not name:
            continue
        try:
            out.append(Audience(name.lower()))
        except ValueError:
            return Fault.one(N_("must be burger and/or bedrijf"), value, "XCH-6")
    return tuple(out)


def _assurance(value: Any) -> AssuranceLevel | Fault:
    """The assurance level a local product requires, in a sheet cell (LOA-1)."""
    try:
        return parse_level(str(value).strip(), "required_assurance")
    except InvalidValueError as exc:
        return Fault.of(exc, "LOA-1")


def _given(result: Any, value: Any) -> Any:
    """The rule that gives ``result`` (already found) for ``value``."""
    return result


def _places(table: RawTable, rows: IntArray) -> Callable[[int], str]:
    """Where the ``k``-th validated offering is in its file (its row or JSON pointer)."""

    locate = table.locate  # not the table: its columns are not kept with the offerings

    def where(k: int) -> str:
        return locate(int(rows[k]), "", "").split(",")[0]

    return where


def _auth_part(
    parsed: list[Any],
    codes: IntArray,
    part: Callable[[Authentication | AuthenticationOptions], int],
) -> Int8Array:
    """One part (means or level code) of every row's authentication; -1 where absent."""
    lookup = np.array(
        [part(a) if isinstance(a, Authentication | AuthenticationOptions) else -1 for a in parsed]
        + [-1],
        dtype=np.int8,
    )
    return lookup[codes]  # code -1 (absent) takes the last entry


def _clash(catalogue: Catalogue, product: Product) -> tuple[str, str] | None:
    """Why a local product may not be defined (PRD-6.1), as its field and a message: its URI
    or its name already names a product of the catalogue (by URI, key, name or synonym)."""
    problems = catalogue.local_problems(product)
    if not problems:
        return None
    first = problems[0]
    message = first.message.replace(f"of local product {product.uri!r} ", "")
    return first.field, message


class _Products:
    """Resolves product keys (XCH-8) by URI, key, name or synonym (PRD-7.2), each distinct key
    once; an ambiguous key lists its candidates, an unknown one its suggestions (PRD-7.3). A
    key of a broken local product is silent: its own problem is reported where it is defined.

    A key the national steps leave unresolved may still be an own name of the municipality
    of its offering (PRD-7.2, step 5; PRD-8.4). When the catalogue has own names such a key
    is *pending*: :meth:`__call__` returns a silent fault for it, without the cost of
    suggestions, and :meth:`per_municipality` then resolves it once per distinct
    (municipality, key) pair and reports what still fails at its rows. Keys that resolve
    nationally take the fast path alone, once per distinct key.
    """

    def __init__(self, catalogue: Catalogue, broken: set[str], sheet: bool = False) -> None:
        self.catalogue = catalogue
        self.broken = broken
        self.sheet = sheet
        self.own = catalogue.has_own_names
        self.pending: set[str] = set()
        """The pending keys, as written."""

    def __call__(self, value: Any) -> str | Fault:
        if not isinstance(value, str):
            return Fault.one("must be a text: a product URI or key", rules.shown(value), "XCH-8")
        key = value.strip()
        if key in self.broken:
            return Fault(())
        resolution = self.catalogue.lookup(key, suggestions=not self.own)
        if resolution.product is not None:
            return resolution.product.uri
        if not self.own:
            return self.fault(value, resolution)
        self.pending.add(value)
        return _PENDING

    def fault(self, value: str, resolution: Resolution) -> Fault:
        """The fault of a key that names no product, with its suggestion (PRD-7.3); in a
        sheet, where nothing comes close, how to define a local product (XCH-18.4)."""
        problem = resolution.error("product").problem
        hint = problem.suggestion
        if self.sheet and not resolution.candidates and not hint:
            hint = N_(
                "for a product the UPL does not name, write ja in a column 'lokaal product' "
                "(local_product), or fill local_name ('naam lokaal product'), to define it here"
            )
            words, hits = self.catalogue.search_leading(value)
            if hits:  # products to check, never the key's product (XCH-18.4)
                found = ", ".join(
                    f"{h.product.uri.removeprefix(UPL_NAMESPACE)!r} ({h.product.name})"
                    for h in hits
                )
                hint = f"the catalogue has for {words!r}: {found}; give the key meant, or {hint}"
        return Fault.one(problem.message, value, "XCH-8", suggestion=hint)

    def per_municipality(
        self,
        validator: _Validator,
        table: RawTable,
        municipalities: tuple[IntArray, list[Any]],
        products: tuple[IntArray, list[Any], NDArray[np.bool_]],
        reportable: NDArray[np.bool_],
    ) -> tuple[IntArray, list[Any], NDArray[np.bool_]]:
        """The product codes, parsed values and failures with the pending keys resolved.

        Each row of a pending key gets the outcome of its (municipality, key) pair, a new
        parsed value: the product's URI, or the fault to report. The municipality is the
        CBS code the row writes, also where the municipality's own record has a problem
        (reported there); where the row holds no CBS code the national fault stands.
        Faults are reported at the reportable rows, as :meth:`_Validator.apply` reports.
        """
        m_codes, m_parsed = municipalities
        p_codes, p_parsed, failed = products
        pending = np.array([p is _PENDING for p in p_parsed] or [False], dtype=np.bool_)
        rows = np.flatnonzero((p_codes >= 0) & pending[np.maximum(p_codes, 0)])
        pairs, members = joint([m_codes[rows], p_codes[rows]])
        values = table.column("product").values
        written = table.column("municipality").values
        outcomes: list[Any] = []
        for m_code, p_code in members:
            value = values[p_code]
            code = m_parsed[m_code] if m_code >= 0 else None
            if isinstance(code, Fault):
                code = rules.read_code(written[m_code], validator.dialect)
            municipality = code if isinstance(code, str) else None
            resolution = self.catalogue.lookup(value.strip(), municipality=municipality)
            found = resolution.product
            outcomes.append(found.uri if found is not None else self.fault(value, resolution))
        codes = p_codes.copy()
        codes[rows] = len(p_parsed) + pairs
        parsed = [*p_parsed, *outcomes]
        bad = np.array([isinstance(o, Fault) for o in outcomes] or [False], dtype=np.bool_)
        failed = failed.copy()
        failed[rows] = bad[pairs]
        report = rows[bad[pairs] & reportable[rows]]
        if report.size:
            validator.report_at(table, "product", report, codes[report], parsed)
        return codes, parsed, failed


_PENDING: Final = Fault(())
"""What :class:`_Products` makes of a key that only a municipality's own names may resolve."""


def _bare(cell: Any, dialect: Dialect) -> bool:
    from digimaat.units import split_rate

    parts = split_rate(str(cell), dialect.decimal_comma)
    return parts is not None and not parts[2]


def _unit(text: str) -> float | Fault:
    from digimaat.units import rate_factor

    try:
        return rate_factor(text)
    except InvalidValueError:
        return Fault.one(
            N_("is not a rate unit"),
            text,
            "XCH-9",
            suggestion="write a count per unit of time, e.g. 'per year', 'per maand', '/week'",
        )


class _JsonVolumes:
    """Reads JSON volume objects (OFF-5, XCH-9), remembering each channel name and rate text.

    A national file writes some ten thousand distinct volume objects from a few hundred
    distinct channel names and rate texts; each of those is read by its rule once.
    """

    def __init__(self) -> None:
        self.channels: dict[Any, Any] = {}
        self.rates: dict[str, Any] = {}
        self.layouts: dict[tuple[str, ...], Callable[[list[float]], tuple[float, ...]]] = {}
        """Member names of objects read without a fault -> the channels' requests per year,
        in channel order, from the members' (then NaN for the channels not listed)."""
        self.good: dict[str, float] = {}
        """The rate texts read without a fault."""

    def __call__(self, value: Any) -> NDArray[np.float64] | tuple[float, ...] | Fault:
        if type(value) is dict:  # the names and texts of an object like one read before
            layout = self.layouts.get(tuple(value))
            if layout is not None:
                try:
                    per_year = list(map(self.good.get, value.values()))
                except TypeError:  # an object as a rate
                    per_year = [None]
                if None not in per_year:
                    per_year.append(math.nan)
                    return layout(per_year)  # type: ignore[arg-type]
        if not isinstance(value, dict):
            return Fault.one(
                "must be an object of volumes per channel", rules.shown(value), "XCH-8"
            )
        out = np.full(len(CHANNELS), np.nan)
        items: list[Item] = []
        seen: dict[int, str] = {}
        for key, item in value.items():
            sub = "/" + str(key).replace("~", "~0").replace("/", "~1")
            slot = self.channels.get(key)
            if slot is None:
                channel = rules.read_channel(key, JSON)
                slot = self.channels[key] = (
                    channel if isinstance(channel, Fault) else CHANNELS.index(channel)
                )
            if isinstance(slot, Fault):
                items.extend(attrs.evolve(i, sub=sub) for i in slot.items)
                continue
            if slot in seen:
                items.append(
                    Item(
                        sub,
                        f"repeats channel {CHANNELS[slot].value} (also {seen[slot]!r})",
                        key,
                        "XCH-8",
                    )
                )
                continue
            seen[slot] = key
            rate = self.rates.get(item) if type(item) is str else None
            if rate is None:
                rate = rules.read_rate(item, JSON)
                if type(item) is str:
                    self.rates[item] = rate
                    if type(rate) is float:
                        self.good[item] = rate
            if isinstance(rate, Fault):
                items.extend(rate.within(sub).items)
            else:
                out[slot] = rate
        if items:
            return Fault(tuple(items))
        if type(value) is dict and len(CHANNELS) > 1:
            places = {slot: k for k, slot in enumerate(seen)}  # slot -> member; else NaN
            unlisted = len(seen)
            self.layouts[tuple(value)] = operator.itemgetter(
                *(places.get(slot, unlisted) for slot in range(len(CHANNELS)))
            )
        return out


def _json_forms(value: Any) -> tuple[int, int] | Fault:
    """A forms record ``{"started": ..., "completed": ...}`` (OFF-6)."""
    if not isinstance(value, dict):
        return Fault.one("must be an object {started, completed}", rules.shown(value), "XCH-8")
    items = rules.read_keys(
        value, frozenset({"started", "completed"}), ("started", "completed"), "OFF-6"
    )
    counts: list[int] = []
    for key in ("started", "completed"):
        if key in value:
            number = rules.read_integer(
                value[key], JSON, 0, rules.MAX_COUNT, "OFF-6", above="XCH-4"
            )
            if isinstance(number, Fault):
                items.extend(number.within(f"/{key}").items)
            else:
                counts.append(number)
    if items:
        return Fault(tuple(items))
    try:
        FormFunnel(counts[0], counts[1])
    except InvalidValueError as exc:
        return Fault.one(exc.problem.message, counts[1], "OFF-6", sub="/completed")
    return counts[0], counts[1]


def validate(
    raw: RawDocument | RawSheet,
    catalogue: Catalogue,
    limits: Limits,
    collector: ProblemCollector,
) -> FileContent | None:
    """Apply every rule to the raw records of one file; ``None`` when nothing could be read.

    Problems go into ``collector``; the content returned holds only what passed.
    """
    validator = _Validator(raw, catalogue, limits, collector)
    for problem in raw.problems:
        validator.collector.add(problem)
    try:
        if not raw.complete:
            if not isinstance(raw, RawSheet):
                validator.document(complete=False)  # a format problem replaces the syntax one
            return None
        year, text, go_on = validator.document()
        if not go_on:
            return None
        municipalities, municipality_where, broken_codes = validator.municipalities()
        local, local_where, broken_uris = validator.local_products()
        full = catalogue.with_local(*local) if local else catalogue
        offerings = validator.offerings(municipalities, broken_codes, full, broken_uris)
        product_scope = validator.resolved_scope(full)
        costs = validator.resolved_costs(full)
    finally:
        validator.collector.flush()
    return FileContent(
        source=raw.source.name,
        reference_year=year,
        description=text,
        municipalities=tuple(municipalities[c] for c in sorted(municipalities)),
        municipality_where=municipality_where,
        local_products=tuple(sorted(local, key=lambda p: p.uri)),
        local_where=local_where,
        offerings=offerings,
        product_scope=product_scope,
        costs=costs,
    )


guard(__name__)
