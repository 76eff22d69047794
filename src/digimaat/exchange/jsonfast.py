"""The fast way of reading a JSON document: the writers' layout (specification chapter XCH).

A document laid out as a writer writes it (XCH-10) has its offerings array last, opening
at the end of a line and closing on a line of its own, one record per line. The members
before and after the array are parsed by the standard library, as the careful way
parses them; the records are read in one of two ways:

- **by line**: every record line starts as a writer starts it,
  ``{"municipality": "...", "product": "...", ...``. The municipality and the product of
  a line are coded by their bytes, and the rest of the line, which repeats from one
  municipality to the next (a national file has some 180,000 records but fewer than
  30,000 distinct rests), is parsed once per distinct rest, by ``orjson`` where the
  ``fast`` extra installs it and by the standard library otherwise;
- **by record**: any other layout of records, parsed a few megabytes at a time.

Either way gives the raw records the careful way gives (:mod:`digimaat.exchange.jsoncareful`),
or declines, and then the document is read the careful way: on anything it does not
expect (an escape, a syntax error, a member the format does not define, a member named
twice), the careful way reads the document and reports the problem where it is. A
member named twice is found without the parser's help, which keeps the last: in a
document without escapes every colon separates a member from its value or stands in a
string, so the colons of the text equal the members of the parsed objects plus the
colons of their strings exactly when no object names a member twice.

>>> from digimaat.exchange.jsonfast import read_fast
>>> from digimaat.exchange.source import Limits, text_source
>>> text = ('{"format": "digimaat-offerings",\\n  "offerings": [\\n'
...         '    {"municipality": "GM0622", "product": "paspoort", "status": "offered"},\\n'
...         '    {"municipality": "GM0556", "product": "paspoort", "status": "offered"}\\n'
...         '  ]\\n}')
>>> raw = read_fast(text_source(text), Limits())
>>> raw.offerings.column("municipality").values, raw.offerings.column("status").codes.tolist()
(['GM0622', 'GM0556'], [0, 0])
"""

from __future__ import annotations

import collections
import itertools
import json
import re
from collections.abc import Callable, Sequence
from itertools import repeat
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from digimaat._boundary import guard
from digimaat.exchange.jsonform import (
    OFFERING_FIELDS,
    MarkedPairs,
    RawDocument,
    Reader,
    locate_offering,
    native_loads,
    plain_loads,
    reject_constant,
)
from digimaat.exchange.raw import IntArray, RawColumn, RawTable, RecordColumns
from digimaat.exchange.source import Limits, Source

__all__ = ["read_fast"]

_CHUNK: Final = 1 << 22
"""Bytes of records cut and coded at a time."""
_PENDING: Final = 1 << 14
"""Distinct rests of lines parsed at a time."""
_WHITE: Final = frozenset(b" \t\r\n")
_OPEN: Final = re.compile(rb'\n[ \t]*"offerings"[ \t]*:[ \t]*\[[ \t]*\r?\n')
_START: Final = b'{"municipality": "'
_SEPARATOR: Final = b'", "'
_PRODUCT: Final = b'product": "'
_HEAD: Final = frozenset({"municipality", "product"})


def read_fast(source: Source, limits: Limits) -> RawDocument | None:
    """The raw records of a document in the writers' layout, or ``None`` to read it otherwise."""
    data = source.data
    opening = _OPEN.search(data)
    if opening is None:
        return None
    close_at = _closing(data)
    if close_at <= opening.end():
        return None
    head = data[: opening.end()] + data[close_at:]
    marked = MarkedPairs()
    try:
        value = json.loads(head, object_pairs_hook=marked, parse_constant=reject_constant)
    except (ValueError, RecursionError):
        return None
    if (
        type(value) is not dict
        or value.get("offerings") != []
        or list(value).count("offerings") != 1
    ):
        return None  # (a repeated member of the document itself is a Repeats, not a dict)
    reader = Reader(source, limits)
    for name, member in value.items():
        if name != "offerings":
            reader.member(name, member, marked.repeated)
    reader.header["offerings"] = []
    start, end = opening.end(), data.rfind(b"\n", 0, close_at)
    if _before_blanks(data, end) <= start:
        return reader.document()  # an empty array
    if data.find(b"\\", start, end) >= 0:
        return None  # escapes: member names and strings are checked the careful way
    loads = _exact(native_loads() if end - start >= NATIVE_FROM else None)
    table = _by_line(data, start, end, loads)
    if table is not None:
        reader.offerings_table = table
    elif not _by_record(reader.offerings, data, start, end, loads):
        return None
    return reader.document()


NATIVE_FROM: Final = 64 * 1024
"""The size of the offerings (in bytes) from which they are parsed by ``orjson``: importing
it costs a few milliseconds, more than it saves on a smaller document, which the standard
library parses to the same values (:func:`_exact`)."""


def _exact(native: Callable[[bytes], Any] | None) -> Callable[[bytes], Any]:
    """A parser that gives what the standard library gives: ``native`` (orjson) where a
    text holds no number of 19 digits or more, which orjson would read as a float where
    it does not fit in 64 bits."""
    if native is None:
        return plain_loads

    def parse(text: bytes) -> Any:
        if _LONG_NUMBER in text.translate(_DIGITS):
            return plain_loads(text)
        return native(text)

    return parse


_DIGITS: Final = bytes(0x30 if 0x30 <= b <= 0x39 else 0x2E for b in range(256))
"""Every digit as ``0``, every other byte as ``.``."""
_LONG_NUMBER: Final = b"0" * 19


def _closing(data: bytes) -> int:
    """The offset of the ``]`` that closes the last member, on a line of its own, or -1.

    In the writers' layout the offerings are the last member: the document ends with a
    line holding ``]`` and then ``}``.
    """
    end = _before_blanks(data, len(data))
    if end == 0 or data[end - 1] != 0x7D:  # "}"
        return -1
    before = _before_blanks(data, end - 1)
    if before == 0 or data[before - 1] != 0x5D:  # "]"
        return -1
    line_start = data.rfind(b"\n", 0, before - 1) + 1
    if data[line_start : before - 1].strip(b" \t"):
        return -1
    return before - 1


def _before_blanks(data: bytes, end: int) -> int:
    """The offset just after the last byte before ``end`` that is not white space."""
    while end > 0 and data[end - 1] in _WHITE:
        end -= 1
    return end


# -- By line ---------------------------------------------------------------------------------


class _Coded:
    """Codes of byte strings in order of first occurrence, kept a chunk at a time."""

    def __init__(self) -> None:
        self.index: collections.defaultdict[bytes, int] = collections.defaultdict(
            itertools.count().__next__
        )
        self.codes: list[IntArray] = []

    def add(self, items: Sequence[bytes]) -> list[bytes]:
        """Code the next items; the items not seen before, in order."""
        known = len(self.index)
        codes = np.fromiter(map(self.index.__getitem__, items), np.intp, len(items))
        self.codes.append(codes)
        if len(self.index) == known:
            return []
        # A new item takes the next code: each first occurrence raises the highest code.
        new = np.flatnonzero(codes >= known)
        first = new[np.diff(np.maximum.accumulate(codes[new]), prepend=known - 1) > 0]
        return list(map(items.__getitem__, first.tolist()))

    def all(self) -> IntArray:
        return np.concatenate(self.codes) if self.codes else np.zeros(0, dtype=np.intp)


def _by_line(data: bytes, start: int, end: int, loads: Callable[[bytes], Any]) -> RawTable | None:
    """The offerings read line by line (``data[start:end]``), or ``None`` to decline.

    Each record is cut at its first two member separators (``", "``) into the text of the
    municipality, the text of the product member and the rest of the record; the rests
    are parsed once each. The cuts are where the members end when the municipality's text
    holds no quote and the product member's text holds only the quotes of its name.
    """
    first = data.find(b"{", start, end)
    if first < 0 or data[start:first].strip(b" \t") or not data.startswith(_START, first):
        return None
    opening = data[start:first] + _START  # how every record line starts
    municipalities, products, rests = _Coded(), _Coded(), _Coded()
    parsed = RecordColumns(OFFERING_FIELDS)
    commas: list[bool] = []
    colons = 0
    pending: list[bytes] = []
    at = start
    while at < end:
        cut = data.find(b"\n", at + _CHUNK, end)
        cut = end if cut < 0 else cut
        parts = list(map(bytes.split, data[at:cut].split(b"\n"), repeat(_SEPARATOR), repeat(2)))
        try:
            codes, members, rest = zip(*parts, strict=True)
        except ValueError:
            return None  # a line of fewer than three members
        at = cut + 1
        municipalities.add(codes)
        products.add(members)
        pending.extend(rests.add(rest))
        if len(pending) >= _PENDING or (pending and at >= end):
            counted = _parse(pending, parsed, commas, loads)
            if counted is None:
                return None
            colons += counted
            pending = []
    return _table(municipalities, products, rests, parsed, commas, colons, opening, loads)


def _parse(
    rests: list[bytes], parsed: RecordColumns, commas: list[bool], loads: Callable[[bytes], Any]
) -> int | None:
    """Parse rests of records (each as the object ``{"`` + rest); the colons they hold.

    Records the separating comma of each rest in ``commas``; ``None`` when a rest is not
    the rest of a record.
    """
    stripped = list(map(bytes.rstrip, rests, repeat(b" \t\r\n")))
    commas.extend(map(bytes.endswith, stripped, repeat(b",")))
    # Each rest but the last record's ends with the comma that separates it from the next.
    joined = b'{"'.join([b"", *stripped])
    if joined.endswith(b","):
        joined = joined[:-1]
    try:
        records = loads(b"[" + joined + b"]")
    except Exception:  # any refusal: declined, the other ways report it
        return None
    if type(records) is not list or len(records) != len(stripped):
        return None
    parsed.add(records)
    return joined.count(b":")


def _table(
    municipalities: _Coded,
    products: _Coded,
    rests: _Coded,
    parsed: RecordColumns,
    commas: list[bool],
    colons: int,
    opening: bytes,
    loads: Callable[[bytes], Any],
) -> RawTable | None:
    """The raw table of the offerings, once every line is cut; ``None`` to decline."""
    if parsed.others or any(_HEAD & set(keys) for keys in parsed.signatures):
        return None  # a member the format does not define, or named twice
    rest_table = parsed.table("offerings", locate_offering)
    if colons != _members_and_colons(parsed, rest_table):
        return None  # a member named twice within an object
    rest_codes = rests.all()
    size = len(rest_codes)
    comma = np.array(commas, dtype=np.bool_)[rest_codes]
    if comma[-1] or not comma[:-1].all():
        return None  # a comma missing between records, or one after the last
    texts = {
        "municipality": _texts(municipalities.index, opening, loads),
        "product": _texts(products.index, _PRODUCT, loads),
    }
    if any(values is None for values in texts.values()):
        return None
    coded = {"municipality": municipalities.all(), "product": products.all()}
    columns: dict[str, RawColumn] = {}
    for field in OFFERING_FIELDS:
        values = texts.get(field)
        if values is not None:
            columns[field] = RawColumn(coded[field], values)
        else:
            column = rest_table.column(field)
            if not column.values:  # no record has the field: no array per record (SEC-5)
                columns[field] = RawColumn.absent(size)
            else:
                columns[field] = RawColumn(column.codes[rest_codes], column.values)
    return RawTable("offerings", size, columns, locate_offering)


def _texts(
    index: dict[bytes, int], prefix: bytes, loads: Callable[[bytes], Any]
) -> list[Any] | None:
    """The texts of the distinct bytes of a member (after ``prefix``), or ``None``.

    Each must be the text of a JSON string without its quotes: no quote of its own (the
    cut was at its end), and no character JSON does not allow in a string.
    """
    if not all(map(bytes.startswith, index, repeat(prefix))):
        return None
    inner = [item[len(prefix) :] for item in index]
    if any(b'"' in item for item in inner):
        return None
    try:
        texts = loads(b'["' + b'","'.join(inner) + b'"]')
    except Exception:  # any refusal: declined, the other ways report it
        return None
    return texts if type(texts) is list and len(texts) == len(inner) else None


# -- By record --------------------------------------------------------------------------------


def _by_record(
    columns: RecordColumns, data: bytes, start: int, end: int, loads: Callable[[bytes], Any]
) -> bool:
    """Parse the records a few megabytes at a time; ``False`` when anything is unexpected."""
    colons = 0
    at = start
    while at < end:
        stop = _cut(data, at + _CHUNK, end)
        chunk = data[at:stop]
        if not chunk or chunk.isspace():
            return False  # a comma before the closing bracket, or an empty line of records
        try:
            records = loads(b"[" + chunk + b"]")
        except Exception:  # any refusal: the careful way reports it
            try:
                records = plain_loads(b"[" + chunk + b"]")
            except (ValueError, RecursionError):
                return False
        if type(records) is not list:
            return False
        colons += chunk.count(b":")
        columns.add(records)
        at = stop + 1
    return colons == _members_and_colons(columns, columns.table("offerings", locate_offering))


def _cut(data: bytes, at: int, end: int) -> int:
    """The offset of the first comma at the end of a line from ``at`` on (or ``end``)."""
    while at < end:
        line_end = data.find(b"\n", at, end)
        if line_end < 0:
            break
        last = line_end - 1
        while last >= 0 and data[last] in b" \t\r":
            last -= 1
        if last >= 0 and data[last] == 0x2C:  # ","
            return last
        at = line_end + 1
    return end


def _members_and_colons(columns: RecordColumns, table: RawTable) -> int:
    """The colons the records' text must hold if no member name is repeated in an object.

    A colon in a document without escapes is a member's separator or a character of a
    string; the parsed records give both counts: the members of every object (records
    and the objects in their values) and the colons in every key and string.
    """
    if columns.others:
        return -1  # members the format does not define: checked the careful way
    total = 0
    for keys, count in columns.signatures.items():
        total += count * (len(keys) + sum(key.count(":") for key in keys))
    for column in table.columns.values():
        if not column.values:
            continue
        frequency = np.bincount(column.codes[column.codes >= 0], minlength=len(column.values))
        total += int(_colons_of(column.values) @ frequency)
    return total


def _colons_of(values: list[Any]) -> NDArray[np.int64]:
    """Per value: the members of its objects plus the colons in its keys and strings."""
    kinds = set(map(type, values))
    if kinds == {str}:
        return np.fromiter(map(str.count, values, itertools.repeat(":")), np.int64, len(values))
    if kinds == {list} or kinds == {dict}:
        inner = (
            itertools.chain.from_iterable(values)
            if kinds == {list}
            else itertools.chain(
                itertools.chain.from_iterable(values),
                itertools.chain.from_iterable(map(dict.values, values)),
            )
        )
        pieces = list(inner)
        if set(map(type, pieces)) <= {str} and ":" not in "".join(pieces):
            if kinds == {list}:
                return np.zeros(len(values), dtype=np.int64)
            return np.fromiter(map(len, values), np.int64, len(values))
    return np.array([_colons(v) for v in values], dtype=np.int64)


def _colons(value: Any) -> int:
    """Members of the objects in a value, plus the colons in its keys and strings."""
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if type(item) is str:
            total += item.count(":")
        elif type(item) is list:
            stack.extend(item)
        elif type(item) is dict:
            total += len(item) + sum(k.count(":") for k in item)
            stack.extend(item.values())
    return total


guard(__name__)
