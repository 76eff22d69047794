"""The JSON document: its tokenizer (specification chapter XCH, XCH-5 to XCH-10).

:func:`tokenize` cuts a document into raw records (:mod:`digimaat.exchange.raw`), with the
JSON pointer of every value; it checks the syntax of JSON (RFC 8259), the members of every
object (XCH-5: unknown members, a member named twice), and the nesting limit (XCH-4).
The rules of the fields come after, the same as for the CSV form.

Two ways lead to the same raw records:

- the fast way (:mod:`digimaat.exchange.jsonfast`) reads a document laid out as a writer
  writes it (XCH-10: the offerings array opens at the end of a line, and holds one record
  per line), with ``orjson`` where it is installed (the ``fast`` extra) and the standard
  library's parser otherwise;
- the careful way (:mod:`digimaat.exchange.jsoncareful`) reads any document member by
  member and record by record with the standard library's incremental decoder.

Both keep memory bounded by the size of the records' columns, not by the number of
Python objects a whole document would make, and both report the same problems: where
the fast way meets anything it does not expect, the document is read the careful way.
This module holds what both share: the members of the records, and the reader that
collects the records and the problems of a document's structure.

>>> from digimaat.exchange.jsonform import tokenize
>>> from digimaat.exchange.source import text_source
>>> raw = tokenize(text_source('{"format": "digimaat-offerings", "offerings": '
...                            '[{"municipality": "GM0622", "product": "paspoort"}]}'))
>>> raw.offerings.size, raw.offerings.column("product").values
(1, ['paspoort'])
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterator
from typing import Any, Final

import attrs

from digimaat._boundary import guard
from digimaat._classes import shared_repr
from digimaat._serial import shown
from digimaat.errors import NO_VALUE, Problem
from digimaat.exchange.raw import OFFERING_DESCRIPTION, RawFile, RawTable, RecordColumns, depth
from digimaat.exchange.source import Limits, Source

__all__ = [
    "DOCUMENT_FIELDS",
    "MUNICIPALITY_FIELDS",
    "OFFERING_FIELDS",
    "RawDocument",
    "pointer",
    "tokenize",
]

DOCUMENT_FIELDS: Final = (
    "format",
    "spec_version",
    "reference_year",
    "source",
    "product_scope",
    "costs",
    "municipalities",
    "local_products",
    "offerings",
)
"""The members of a document (XCH-5), in the order a writer writes them."""
MUNICIPALITY_FIELDS: Final = ("cbs_code", "name", "population", "year")
"""The members of a municipality record (XCH-6)."""
OFFERING_FIELDS: Final = (
    "municipality",
    "product",
    *OFFERING_DESCRIPTION,
    "volumes",
    "forms",
    "notes",
    "provenance",
)
"""The members of an offering record (XCH-8), in the order a writer writes them."""

_SCALARS: Final = tuple(
    f for f in DOCUMENT_FIELDS if f not in ("municipalities", "local_products", "offerings")
)
_REQUIRED: Final = ("format", "spec_version", "reference_year", "municipalities", "offerings")
_NESTING_CHECKED_LATER: Final = frozenset({"reference_year", "source", "municipalities"})
"""Members whose values the rules read, and refuse at the field when nested too deeply."""
REPEATED: Final = "is repeated within its object; every member name must be unique"
"""The message of a member named twice in one object (XCH-5)."""


def pointer(*parts: str | int) -> str:
    """A JSON pointer (RFC 6901) from its reference tokens.

    >>> pointer("offerings", 3, "volumes", "e-mail"), pointer("a/b", "c~d")
    ('/offerings/3/volumes/e-mail', '/a~1b/c~0d')
    """
    return "".join(f"/{str(p).replace('~', '~0').replace('/', '~1')}" for p in parts)


@attrs.frozen(eq=False)
@shared_repr
class RawDocument(RawFile):
    """A JSON document cut into raw records."""


class Repeats(dict[str, Any]):
    """An object in which a member name occurred more than once."""

    repeated: tuple[str, ...] = ()


class MarkedPairs:
    """:func:`object_pairs`, remembering whether it met a member name given twice."""

    def __init__(self) -> None:
        self.repeated = False

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = object_pairs(pairs)
        if type(result) is Repeats:
            self.repeated = True
        return result


def object_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object from its members: a :class:`Repeats` where a name occurs more than once."""
    result = dict(pairs)
    if len(result) == len(pairs):
        return result
    marked = Repeats(result)
    names = [name for name, _ in pairs]
    marked.repeated = tuple(sorted({n for n in names if names.count(n) > 1}))
    return marked


def reject_constant(name: str) -> Any:
    """Refuse ``NaN``, ``Infinity`` and ``-Infinity``, which are not JSON (RFC 8259)."""
    raise ValueError(f"{name} is not a JSON number")


def plain_loads(data: bytes | str) -> Any:
    """A JSON value parsed by the standard library (which keeps the last of a repeated name)."""
    return json.loads(data, parse_constant=reject_constant)


def native_loads() -> Callable[[bytes], Any] | None:
    """``orjson.loads`` where the ``fast`` extra is installed and native readers are enabled."""
    from digimaat.exchange.native import enabled

    if not enabled():
        return None
    try:  # by name: the type checker need not find orjson, which is optional
        orjson = importlib.import_module("orjson")
    except ImportError:  # the fast extra is not installed
        return None
    loads: Callable[[bytes], Any] = orjson.loads
    return loads


class Reader:
    """Collects the raw records and the structural problems of one document."""

    def __init__(self, source: Source, limits: Limits) -> None:
        self.source = source
        self.limits = limits
        self.problems: list[Problem] = []
        self.header: dict[str, Any] = {}
        self.municipalities = RecordColumns(MUNICIPALITY_FIELDS)
        self.local_products: list[tuple[str, Any]] = []
        self.offerings = RecordColumns(OFFERING_FIELDS)
        self.offerings_table: RawTable | None = None
        """The offerings as a raw table, where the fast way made it without :attr:`offerings`."""
        self.complete = True

    def problem(self, location: str, field: str, value: Any, message: str, clause: str) -> None:
        self.problems.append(
            Problem(
                field, value, message, source=self.source.name, location=location, clause=clause
            )
        )

    def syntax(self, text: str | bytes, position: int, message: str) -> None:
        if isinstance(text, bytes):
            line = text.count(b"\n", 0, position) + 1
            column = position - (text.rfind(b"\n", 0, position) + 1) + 1
        else:
            line = text.count("\n", 0, position) + 1
            column = position - (text.rfind("\n", 0, position) + 1) + 1
        self.problem(
            f"line {line}, column {column}",
            "document",
            NO_VALUE,
            f"is not valid JSON: {message}",
            "XCH-5",
        )
        self.complete = False

    # -- the document's own members ---------------------------------------------------------

    def member(self, name: str, value: Any, repeats: bool = True) -> None:
        """A member of the document other than the offerings; ``repeats=False`` when the
        parser saw no member name repeated within an object anywhere in it."""
        where = pointer(name)
        if name in self.header:
            self.problem(
                where,
                name,
                NO_VALUE,
                REPEATED,
                "XCH-5",
            )
            return
        self.header[name] = value
        self.check_tree(where, value, 1, repeats, nesting=name not in _NESTING_CHECKED_LATER)
        if name == "municipalities" and isinstance(value, list):
            self.municipalities.add(value)
        elif name == "local_products" and isinstance(value, list):
            self.local_products.extend(
                (pointer("local_products", k), item) for k, item in enumerate(value)
            )

    def check_tree(
        self, where: str, value: Any, level: int, repeats: bool = True, nesting: bool = True
    ) -> None:
        """Repeated member names and (with ``nesting``) nesting anywhere inside a value."""
        if not isinstance(value, list | dict):
            return
        deepest = level + depth(value) if nesting else 0
        if deepest > self.limits.max_depth:
            self.problem(
                where,
                where.rsplit("/", 1)[-1] or "document",
                NO_VALUE,
                f"is nested more than {self.limits.max_depth} levels deep",
                "XCH-4",
            )
            return
        for at, name in repeated_members(value, where) if repeats else ():
            self.problem(
                at,
                name,
                NO_VALUE,
                REPEATED,
                "XCH-5",
            )

    def document(self) -> RawDocument:
        scalars = RecordColumns(_SCALARS)
        scalars.add([{k: v for k, v in self.header.items() if k in _SCALARS}])
        document = scalars.table("document", lambda k, field, sub: pointer(field) + sub)
        municipalities = self.municipalities.table(
            "municipalities", lambda k, field, sub: pointer("municipalities", k, *_f(field)) + sub
        )
        offerings = self.offerings_table or self.offerings.table("offerings", locate_offering)
        for table, columns in (
            ("municipalities", self.municipalities),
            ("offerings", self.offerings),
        ):
            self._others(table, columns)
        for key in _REQUIRED if self.complete else ():
            if self.header.get(key) is None:
                self.problem(pointer(key), key, NO_VALUE, "is required", "XCH-5")
        for key in ("municipalities", "local_products", "offerings"):
            value = self.header.get(key)
            if value is not None and not isinstance(value, list):
                self.problem(pointer(key), key, shown(value), "must be an array", "XCH-5")
        if self.header.get("municipalities") == []:
            self.problem(
                pointer("municipalities"),
                "municipalities",
                NO_VALUE,
                "must list at least one municipality",
                "XCH-5",
            )
        for key in self.header:
            if key not in DOCUMENT_FIELDS:
                expected = ", ".join(DOCUMENT_FIELDS)
                self.problem(
                    pointer(key),
                    key,
                    NO_VALUE,
                    f"is not a member of the document; expected one of: {expected}",
                    "XCH-5",
                )
        return RawDocument(
            self.source,
            document,
            municipalities,
            tuple(self.local_products),
            offerings,
            tuple(self.problems),
            self.complete,
        )

    def _others(self, table: str, columns: RecordColumns) -> None:
        """Records that are not objects, and members the format does not define."""
        expected = ", ".join(columns.fields)
        for k, record in columns.others:
            where = pointer(table, k)
            if not isinstance(record, dict):
                self.problem(where, table, shown(record), "must be an object", "XCH-5")
                continue
            for key in record:
                if key not in columns.known:
                    self.problem(
                        where + pointer(key),
                        key,
                        NO_VALUE,
                        f"is not a member of {_one(table)}; expected one of: {expected}",
                        "XCH-5",
                    )


def _f(field: str) -> tuple[str, ...]:
    return (field,) if field else ()


def locate_offering(k: int, field: str, sub: str) -> str:
    """The JSON pointer of a field (and a place inside it) of the ``k``-th offering."""
    return pointer("offerings", k, *_f(field)) + sub


def _one(table: str) -> str:
    return {"municipalities": "a municipality record", "offerings": "an offering record"}[table]


def repeated_members(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """``(pointer, name)`` of every member name repeated within an object, anywhere inside."""
    stack: list[tuple[str, Any]] = [(where, value)]
    while stack:
        at, node = stack.pop()
        if isinstance(node, Repeats):
            yield from ((at + pointer(name), name) for name in node.repeated)
        if isinstance(node, dict):
            stack.extend((at + pointer(k), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((at + pointer(i), v) for i, v in enumerate(node))


def tokenize(source: Source, limits: Limits | None = None, *, careful: bool = False) -> RawDocument:
    """Cut a JSON document into raw records (XCH-5 to XCH-8), with its structural problems.

    ``careful=True`` reads every document the careful way (the tests compare the two).
    """
    from digimaat.exchange.jsonfast import read_fast

    limits = Limits() if limits is None else limits
    fast = None if careful else read_fast(source, limits)
    if fast is not None:
        return fast
    from digimaat.exchange.jsoncareful import read_carefully

    return read_carefully(source, limits)


guard(__name__)
