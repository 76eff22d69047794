"""The careful way of reading a JSON document: any layout (specification chapter XCH).

The document is decoded member by member and each offering record by record, by the
standard library's incremental decoder, so that a syntax error is reported where it is
(its line and column) and memory holds the records' columns rather than the whole
document's objects. A member name repeated in an object is marked by the decoder and
reported with its JSON pointer (XCH-5); a document nested too deeply for the decoder is
reported at the first place that goes deeper than the limit (XCH-4).

>>> from digimaat.exchange.jsoncareful import read_carefully
>>> from digimaat.exchange.source import Limits, text_source
>>> raw = read_carefully(text_source('{"format": 1, "format": 2}'), Limits())
>>> raw.problems[0].location, raw.problems[0].message
('/format', 'is repeated within its object; every member name must be unique')
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, Final

import numpy as np

from digimaat._boundary import guard
from digimaat._serial import shown
from digimaat.errors import NO_VALUE
from digimaat.exchange.jsonform import (
    REPEATED,
    MarkedPairs,
    RawDocument,
    Reader,
    pointer,
    reject_constant,
    repeated_members,
)
from digimaat.exchange.source import Limits, Source

__all__ = ["read_carefully"]

_WS: Final = re.compile(r"[ \t\n\r]*")
_BATCH: Final = 4096


def read_carefully(source: Source, limits: Limits) -> RawDocument:
    """The raw records of any document, and the problems of its structure."""
    reader = Reader(source, limits)
    text = source.data.decode("utf-8")
    try:
        _walk_document(reader, text, _Decoder())
    except RecursionError:
        _too_deep(reader, source.data, limits)
    return reader.document()


class _Decoder:
    """A decoder that marks repeated member names, and remembers that it met one."""

    def __init__(self) -> None:
        self.marked = MarkedPairs()
        decoder = json.JSONDecoder(object_pairs_hook=self.marked, parse_constant=reject_constant)
        self.decode = decoder.raw_decode

    @property
    def repeated(self) -> bool:
        return self.marked.repeated

    @repeated.setter
    def repeated(self, value: bool) -> None:
        self.marked.repeated = value


def _walk_document(reader: Reader, text: str, decoder: _Decoder) -> None:
    decode = decoder.decode
    i = _WS.match(text, 0).end()  # type: ignore[union-attr]
    if not text.startswith("{", i):
        decoded = _decoded(reader, decode, text, i)
        if decoded is not None:
            reader.problem("", "document", shown(decoded[0]), "must be a JSON object", "XCH-5")
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
            end = _walk_offerings(reader, text, i, decoder)
            if end < 0:
                return
            i = end
            continue
        decoder.repeated = False
        decoded = _decoded(reader, decode, text, i)
        if decoded is None:
            return
        value, i = decoded
        reader.member(name, value, decoder.repeated)
    rest = _WS.match(text, i).end()  # type: ignore[union-attr]
    if rest != len(text):
        reader.syntax(text, rest, "Extra data")


def _decoded(
    reader: Reader, decode: Callable[[str, int], tuple[Any, int]], text: str, i: int
) -> tuple[Any, int] | None:
    """The JSON value at ``i`` and the index after it; ``None`` after reporting why there is
    none (a syntax error, or a ``NaN`` or an infinity, which JSON does not have)."""
    try:
        return decode(text, i)
    except json.JSONDecodeError as exc:
        reader.syntax(text, exc.pos, exc.msg)
    except ValueError as exc:
        reader.syntax(text, _constant_at(text, i), str(exc))
    return None


def _walk_offerings(reader: Reader, text: str, i: int, decoder: _Decoder) -> int:
    """Read the offerings array record by record; the index after it, or -1 on an error."""
    decode = decoder.decode
    columns = reader.offerings
    batch: list[Any] = []
    i = _WS.match(text, i + 1).end()  # type: ignore[union-attr]
    index = 0
    if text.startswith("]", i):
        return i + 1
    while True:
        decoded = _decoded(reader, decode, text, i)
        if decoded is None:
            return -1
        record, i = decoded
        if decoder.repeated:  # a member name repeated somewhere in this record
            decoder.repeated = False
            for at, name in repeated_members(record, pointer("offerings", index)):
                reader.problem(at, name, NO_VALUE, REPEATED, "XCH-5")
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


def _too_deep(reader: Reader, data: bytes, limits: Limits) -> None:
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


_CONSTANT = re.compile(r'"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)', re.DOTALL)


def _constant_at(text: str, start: int) -> int:
    """Where the NaN or Infinity that stopped the parser is: the first one outside a string
    from ``start`` (the parser names it, not its place), or ``start``."""
    for match in _CONSTANT.finditer(text, start):
        if match.group(1):
            return match.start(1)
    return start


guard(__name__)
