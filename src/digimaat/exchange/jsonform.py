"""The JSON document: its tokenizer and its writer (specification chapter XCH, XCH-5 to XCH-10).

:func:`tokenize` cuts a document into raw records (:mod:`digimaat.exchange.raw`), with the
JSON pointer of every value; it checks the syntax of JSON (RFC 8259), the members of every
object (XCH-5: unknown members, a member named twice), and the nesting limit (XCH-4).
The rules of the fields come after, the same as for the CSV form.

Two ways lead to the same raw records:

- a document laid out as a writer writes it (XCH-10: the offerings array opens at the end
  of a line, and holds one record per line) is parsed a megabyte at a time, by ``orjson``
  where it is installed (the ``fast`` extra) and by the standard library's parser
  otherwise;
- any other document is read member by member and record by record with the standard
  library's incremental decoder.

Both keep memory bounded by the size of the records' columns, not by the number of
Python objects a whole document would make, and both report the same problems: where
the fast way meets anything it does not expect, the document is read the other way.

>>> from digimaat.exchange.jsonform import tokenize
>>> from digimaat.exchange.source import text_source
>>> raw = tokenize(text_source('{"format": "digimaat-offerings", "offerings": '
...                            '[{"municipality": "GM0622", "product": "paspoort"}]}'))
>>> raw.offerings.size, raw.offerings.column("product").values
(1, ['paspoort'])
"""

from __future__ import annotations

import importlib
import itertools
import json
import re
from collections.abc import Callable, Iterator
from typing import Any, Final

import attrs
import numpy as np
from numpy.typing import NDArray

from digimaat.errors import NO_VALUE, Problem
from digimaat.exchange.raw import RawTable, RecordColumns, depth
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
    "status",
    "capabilities",
    "authentication",
    "local_target",
    "local_target_reason",
    "fee_applies",
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
_CHUNK: Final = 1 << 21
_BATCH: Final = 4096
_WS = re.compile(r"[ \t\n\r]*")
_BLANK: Final = frozenset(b" \t\r")
_WHITE: Final = frozenset(b" \t\r\n")
_OPEN = re.compile(rb'\n[ \t]*"offerings"[ \t]*:[ \t]*\[[ \t]*\r?\n')
_NESTING_CHECKED_LATER: Final = frozenset({"reference_year", "source", "municipalities"})
"""Members whose values the rules read, and refuse at the field when nested too deeply."""
_DEPTH_OF_RECORD_FIELDS: Final = 3
"""Levels above a field of a record: the document, its array and the record."""


def pointer(*parts: str | int) -> str:
    """A JSON pointer (RFC 6901) from its reference tokens.

    >>> pointer("offerings", 3, "volumes", "e-mail"), pointer("a/b", "c~d")
    ('/offerings/3/volumes/e-mail', '/a~1b/c~0d')
    """
    return "".join(f"/{str(p).replace('~', '~0').replace('/', '~1')}" for p in parts)


@attrs.frozen(eq=False)
class RawDocument:
    """A JSON document cut into raw records."""

    source: Source
    document: RawTable
    """One record: the document's own members (``format``, ``reference_year``, ...)."""
    municipalities: RawTable
    local_products: tuple[tuple[str, Any], ...]
    """``(pointer, raw record)`` of every local product (few; read one by one)."""
    offerings: RawTable
    problems: tuple[Problem, ...]
    """Problems of the document's structure: syntax, members, nesting."""
    complete: bool
    """``False`` when a syntax error stopped the reading: the records are incomplete."""


class _Repeats(dict[str, Any]):
    """An object in which a member name occurred more than once."""

    repeated: tuple[str, ...] = ()


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) == len(pairs):
        return result
    marked = _Repeats(result)
    names = [name for name, _ in pairs]
    marked.repeated = tuple(sorted({n for n in names if names.count(n) > 1}))
    return marked


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _plain_loads(data: bytes | str) -> Any:
    return json.loads(data, parse_constant=_reject_constant)


def _native_loads() -> Callable[[bytes], Any] | None:
    try:  # by name: the type checker need not find orjson, which is optional
        orjson = importlib.import_module("orjson")
    except ImportError:  # the fast extra is not installed
        return None
    loads: Callable[[bytes], Any] = orjson.loads
    return loads


class _Reader:
    """Collects the raw records and the structural problems of one document."""

    def __init__(self, source: Source, limits: Limits) -> None:
        self.source = source
        self.limits = limits
        self.problems: list[Problem] = []
        self.header: dict[str, Any] = {}
        self.municipalities = RecordColumns(MUNICIPALITY_FIELDS)
        self.local_products: list[tuple[str, Any]] = []
        self.offerings = RecordColumns(OFFERING_FIELDS)
        self.complete = True
        self.repeated = [False]
        self.decoder = _decoder(self.repeated)

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

    def member(self, name: str, value: Any) -> None:
        """A member of the document other than the offerings."""
        where = pointer(name)
        if name in self.header:
            self.problem(
                where,
                name,
                NO_VALUE,
                "is repeated within its object; every member name must be unique",
                "XCH-5",
            )
            return
        self.header[name] = value
        self.check_tree(where, value, 1, nesting=name not in _NESTING_CHECKED_LATER)
        if name == "municipalities" and isinstance(value, list):
            self.municipalities.add(value)
        elif name == "local_products" and isinstance(value, list):
            self.local_products.extend(
                (pointer("local_products", k), item) for k, item in enumerate(value)
            )

    def check_tree(self, where: str, value: Any, level: int, nesting: bool = True) -> None:
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
        for at, name in _repeats(value, where):
            self.problem(
                at,
                name,
                NO_VALUE,
                "is repeated within its object; every member name must be unique",
                "XCH-5",
            )

    def document(self) -> RawDocument:
        scalars = RecordColumns(_SCALARS)
        scalars.add([{k: v for k, v in self.header.items() if k in _SCALARS}])
        document = scalars.table("document", lambda k, field, sub: pointer(field) + sub)
        municipalities = self.municipalities.table(
            "municipalities", lambda k, field, sub: pointer("municipalities", k, *_f(field)) + sub
        )
        offerings = self.offerings.table(
            "offerings", lambda k, field, sub: pointer("offerings", k, *_f(field)) + sub
        )
        for table, columns in (
            ("municipalities", self.municipalities),
            ("offerings", self.offerings),
        ):
            self._others(table, columns)
        for key in _REQUIRED if self.complete else ():  # unread members are not missing
            if self.header.get(key) is None:
                self.problem(pointer(key), key, NO_VALUE, "is required", "XCH-5")
        for key in ("municipalities", "local_products", "offerings"):
            value = self.header.get(key)
            if value is not None and not isinstance(value, list):
                self.problem(pointer(key), key, _shown(value), "must be an array", "XCH-5")
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
                self.problem(where, table, _shown(record), "must be an object", "XCH-5")
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


def _one(table: str) -> str:
    return {"municipalities": "a municipality record", "offerings": "an offering record"}[table]


def _shown(value: Any) -> Any:
    if isinstance(value, list):
        return _Text(f"[...] (an array of {len(value)} items)")
    if isinstance(value, dict):
        return _Text(f"{{...}} (an object with {len(value)} members)")
    return value


@attrs.frozen
class _Text:
    text: str

    def __repr__(self) -> str:
        return self.text


def _repeats(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """``(pointer, name)`` of every member name repeated within an object, anywhere inside."""
    stack: list[tuple[str, Any]] = [(where, value)]
    while stack:
        at, node = stack.pop()
        if isinstance(node, _Repeats):
            yield from ((at + pointer(name), name) for name in node.repeated)
        if isinstance(node, dict):
            stack.extend((at + pointer(k), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((at + pointer(i), v) for i, v in enumerate(node))


def tokenize(source: Source, limits: Limits | None = None, *, careful: bool = False) -> RawDocument:
    """Cut a JSON document into raw records (XCH-5 to XCH-8), with its structural problems.

    ``careful=True`` reads every document the careful way (the tests compare the two).
    """
    limits = Limits() if limits is None else limits
    fast = None if careful else _fast(source, limits)
    if fast is not None:
        return fast
    return _generic(source, limits)


# -- The fast way: a document laid out as a writer writes it -------------------------------


def _fast(source: Source, limits: Limits) -> RawDocument | None:
    """The raw records of a document in the writers' layout, or ``None`` to read it otherwise."""
    data = source.data
    opening = _OPEN.search(data)
    if opening is None:
        return None
    close_at = _closing(data)
    if close_at <= opening.end():
        return None
    head = data[: opening.end()] + data[close_at:]
    try:
        value = json.loads(head, object_pairs_hook=_pairs, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return None
    if (
        type(value) is not dict
        or value.get("offerings") != []
        or list(value).count("offerings") != 1
    ):
        return None
    reader = _Reader(source, limits)
    if isinstance(value, _Repeats):
        return None  # a repeated member of the document itself: read it the careful way
    for name, member in value.items():
        if name != "offerings":
            reader.member(name, member)
    reader.header["offerings"] = []
    body = data[opening.end() : close_at]
    if not _records(reader, body):
        return None
    return reader.document()


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


def _records(reader: _Reader, body: bytes) -> bool:
    """Parse the offerings a megabyte at a time; ``False`` when anything is unexpected."""
    from digimaat.exchange.native import enabled

    loads = (_native_loads() if enabled() else None) or _plain_loads
    columns = reader.offerings
    start = 0
    end = len(body)
    if not body or body.isspace():
        return True
    colons = 0
    while start < end:
        stop = _cut(body, start + _CHUNK)
        chunk = body[start:stop]
        if not chunk or chunk.isspace():
            return False  # a comma before the closing bracket, or an empty line of records
        try:
            records = loads(b"[" + chunk + b"]")
        except Exception:  # any refusal: the careful way reports it
            try:
                records = _plain_loads(b"[" + chunk + b"]")
            except (ValueError, RecursionError):
                return False
        if type(records) is not list:
            return False
        if b"\\" in chunk:
            return False  # escapes: member names are checked the careful way
        colons += chunk.count(b":")
        columns.add(records)
        start = stop + 1
    return colons == _members_and_colons(columns)


def _cut(body: bytes, at: int) -> int:
    """The offset of the first comma at the end of a line from ``at`` on (or the end)."""
    while at < len(body):
        line_end = body.find(b"\n", at)
        if line_end < 0:
            break
        last = line_end - 1
        while last >= 0 and body[last] in _BLANK:
            last -= 1
        if last >= 0 and body[last] == 0x2C:  # ","
            return last
        at = line_end + 1
    return len(body)


def _members_and_colons(columns: RecordColumns) -> int:
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
    table = columns.table("offerings", lambda k, f, s: "")
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


# -- The careful way: any document ---------------------------------------------------------


def _generic(source: Source, limits: Limits) -> RawDocument:
    reader = _Reader(source, limits)
    text = source.data.decode("utf-8")
    try:
        _walk_document(reader, text)
    except RecursionError:
        _too_deep(reader, source.data, limits)
    return reader.document()


def _decoder(flag: list[bool]) -> json.JSONDecoder:
    """A decoder that marks repeated member names and sets ``flag[0]`` when it meets one."""

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = _pairs(pairs)
        if type(result) is _Repeats:
            flag[0] = True
        return result

    return json.JSONDecoder(object_pairs_hook=hook, parse_constant=_reject_constant)


def _walk_document(reader: _Reader, text: str) -> None:
    decode = reader.decoder.raw_decode
    i = _WS.match(text, 0).end()  # type: ignore[union-attr]
    if not text.startswith("{", i):
        try:
            value, end = decode(text, i)
        except json.JSONDecodeError as exc:
            reader.syntax(text, exc.pos, exc.msg)
            return
        except ValueError as exc:
            reader.syntax(text, _constant_at(text, i), str(exc))
            return
        reader.problem("", "document", _shown(value), "must be a JSON object", "XCH-5")
        reader.complete = False
        return
    i += 1
    first = True
    while True:
        i = _WS.match(text, i).end()  # type: ignore[union-attr]
        if text.startswith("}", i) and first:
            i += 1
            break
        if not first:
            if text.startswith("}", i):
                i += 1
                break
            if not text.startswith(",", i):
                reader.syntax(text, i, "Expecting ',' delimiter")
                return
            i = _WS.match(text, i + 1).end()  # type: ignore[union-attr]
        first = False
        if not text.startswith('"', i):
            reader.syntax(text, i, "Expecting property name enclosed in double quotes")
            return
        try:
            name, i = json.decoder.scanstring(text, i + 1)  # type: ignore[attr-defined]
        except json.JSONDecodeError as exc:
            reader.syntax(text, exc.pos, exc.msg)
            return
        i = _WS.match(text, i).end()  # type: ignore[union-attr]
        if not text.startswith(":", i):
            reader.syntax(text, i, "Expecting ':' delimiter")
            return
        i = _WS.match(text, i + 1).end()  # type: ignore[union-attr]
        if name == "offerings" and text.startswith("[", i) and "offerings" not in reader.header:
            reader.header["offerings"] = []
            end = _walk_offerings(reader, text, i)
            if end < 0:
                return
            i = end
            continue
        try:
            value, i = decode(text, i)
        except json.JSONDecodeError as exc:
            reader.syntax(text, exc.pos, exc.msg)
            return
        except ValueError as exc:
            reader.syntax(text, _constant_at(text, i), str(exc))
            return
        reader.member(name, value)
    rest = _WS.match(text, i).end()  # type: ignore[union-attr]
    if rest != len(text):
        reader.syntax(text, rest, "Extra data")


def _walk_offerings(reader: _Reader, text: str, i: int) -> int:
    """Read the offerings array record by record; the index after it, or -1 on an error."""
    decode = reader.decoder.raw_decode
    flag = reader.repeated
    columns = reader.offerings
    batch: list[Any] = []
    i = _WS.match(text, i + 1).end()  # type: ignore[union-attr]
    index = 0
    if text.startswith("]", i):
        return i + 1
    while True:
        try:
            record, i = decode(text, i)
        except json.JSONDecodeError as exc:
            reader.syntax(text, exc.pos, exc.msg)
            return -1
        except ValueError as exc:
            reader.syntax(text, _constant_at(text, i), str(exc))
            return -1
        if flag[0]:  # a member name repeated somewhere in this record
            flag[0] = False
            for at, name in _repeats(record, pointer("offerings", index)):
                reader.problem(
                    at,
                    name,
                    NO_VALUE,
                    "is repeated within its object; every member name must be unique",
                    "XCH-5",
                )
        batch.append(record)
        index += 1
        if len(batch) >= _BATCH:
            columns.add(batch)
            batch = []
        i = _WS.match(text, i).end()  # type: ignore[union-attr]
        if text.startswith(",", i):
            i = _WS.match(text, i + 1).end()  # type: ignore[union-attr]
            continue
        if text.startswith("]", i):
            columns.add(batch)
            return i + 1
        reader.syntax(text, i, "Expecting ',' delimiter")
        return -1


_CONSTANT = re.compile(r'"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)', re.DOTALL)


def _constant_at(text: str, start: int) -> int:
    """Where the NaN or Infinity that stopped the parser is: the first one outside a string
    from ``start`` (the parser names it, not its place), or ``start``."""
    for match in _CONSTANT.finditer(text, start):
        if match.group(1):
            return match.start(1)
    return start


def _too_deep(reader: _Reader, data: bytes, limits: Limits) -> None:
    """Report a document too deeply nested for the parser, at the first place too deep."""
    offset = _deep_offset(data, limits.max_depth)
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    reader.problem(
        f"line {line}, column {column}",
        "document",
        NO_VALUE,
        f"is nested more than {limits.max_depth} levels deep",
        "XCH-4",
    )
    reader.complete = False


def _deep_offset(data: bytes, max_depth: int) -> int:
    """The byte offset of the first bracket below ``max_depth`` levels (vectorised)."""
    buffer = np.frombuffer(data, dtype=np.uint8)
    marks = np.flatnonzero(np.isin(buffer, np.frombuffer(b'"[]{}\\', dtype=np.uint8)))
    kinds = buffer[marks]
    # Drop escaped characters: a mark right after an odd run of backslashes.
    escaped = np.zeros(marks.size, dtype=np.bool_)
    slash = kinds == 0x5C
    if slash.any():
        run = 0
        previous = -2
        for n, (at, is_slash) in enumerate(zip(marks.tolist(), slash.tolist(), strict=True)):
            if at != previous + 1:
                run = 0
            if run % 2 == 1:
                escaped[n] = True
                run = 0
            elif is_slash:
                run += 1
            else:
                run = 0
            previous = at
    keep = ~escaped & ~slash
    marks, kinds = marks[keep], kinds[keep]
    quote = kinds == 0x22
    inside = np.bitwise_xor.accumulate(quote.astype(np.uint8)).astype(np.bool_) | quote
    marks, kinds = marks[~inside], kinds[~inside]
    step = np.where((kinds == 0x5B) | (kinds == 0x7B), 1, -1)
    level = np.cumsum(step)
    deep = np.flatnonzero(level > max_depth)
    return int(marks[deep[0]]) if deep.size else 0
