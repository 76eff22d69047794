"""The fast ways of reading give what the careful ways give (XCH-1, XCH-2, XCH-3).

A JSON document in the writers' layout is read by line (the rest of a record line parsed
once per distinct rest), or by record, with orjson or with the standard library; any
document can be read the careful way. A CSV file is cut by pyarrow or by the pure
tokenizer. The bytes of a file are checked to be UTF-8 a piece at a time. Every way must
give the same raw records, so the same submission or the same problems in the same
order: the properties compare the raw records themselves, on written files and on the
same files edited where the fast ways look (the separators of a record line, commas,
line ends, escapes, quotes, repeated members).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digimaat.errors import InputError
from digimaat.exchange import Limits, Submission, jsonfast, native
from digimaat.exchange.csvform import tokenize as tokenize_csv
from digimaat.exchange.jsonform import RawDocument, tokenize
from digimaat.exchange.raw import RawTable, raw_key
from digimaat.exchange.sheet import RawSheet
from digimaat.exchange.source import Source, text_source
from digimaat.exchange.writers import dumps_csv, dumps_json
from tests.exchange.strategies import submissions
from tests.exchange.support import same_csv, same_json

pytestmark = pytest.mark.property

LIMITS = Limits()


# -- Comparing raw records --------------------------------------------------------------------


def _table(table: RawTable) -> tuple[Any, ...]:
    """A raw table as plain data: its size, and per field the raw value of every record
    (how the distinct values are numbered is the tokenizer's affair)."""
    columns = {
        field: [None if c < 0 else raw_key(column.values[c]) for c in column.codes.tolist()]
        for field, column in sorted(table.columns.items())
        if (column.codes >= 0).any()
    }
    return (table.name, table.size, columns, table.locate(0, "status", "") if table.size else "")


def _problems(problems: Any) -> list[tuple[Any, ...]]:
    return [(p.source, p.location, p.field, repr(p.value), p.message, p.clause) for p in problems]


def _document(raw: RawDocument) -> tuple[Any, ...]:
    return (
        _table(raw.document),
        _table(raw.municipalities),
        [(at, raw_key(value)) for at, value in raw.local_products],
        _table(raw.offerings),
        _problems(raw.problems),
        raw.complete,
    )


def _sheet(raw: RawSheet) -> tuple[Any, ...]:
    tables = [raw.document, raw.municipalities, raw.offerings]
    if raw.local_rows is not None:
        tables.append(raw.local_rows)
    return (*(_table(t) for t in tables), _problems(raw.problems), raw.complete, raw.dialect)


# -- The ways of the JSON tokenizer -----------------------------------------------------------


def _ways(text: str) -> Iterator[tuple[str, RawDocument]]:
    """The raw records of a document read every way: careful, fast (by line where it can),
    by record only, each with orjson whatever the document's size and with the standard
    library where orjson is left to larger documents, and each fast way without orjson."""
    source = text_source(text, name="offerings.json", form="json")
    by_line = jsonfast._by_line
    native_from = jsonfast.NATIVE_FROM
    yield "careful", tokenize(source, LIMITS, careful=True)
    yield "fast, small", tokenize(source, LIMITS)
    jsonfast.NATIVE_FROM = 0  # type: ignore[misc]
    try:
        yield "fast", tokenize(source, LIMITS)
        jsonfast._by_line = lambda *args: None  # type: ignore[assignment]
        yield "by record", tokenize(source, LIMITS)
    finally:
        jsonfast._by_line = by_line
        jsonfast.NATIVE_FROM = native_from  # type: ignore[misc]
    os.environ["DIGIMAAT_PURE"] = "1"
    try:
        yield "fast, no orjson", tokenize(source, LIMITS)
    finally:
        del os.environ["DIGIMAAT_PURE"]


def same_ways(text: str) -> tuple[Any, ...]:
    """The raw records every way reads; they must all be the careful way's."""
    results = {name: _document(raw) for name, raw in _ways(text)}
    careful = results.pop("careful")
    for name, result in results.items():
        assert result == careful, name
    return careful


def _by_line_reads(text: str) -> bool:
    """Whether the fast way reads the document's records by line."""
    used: list[bool] = []
    by_line = jsonfast._by_line

    def spy(*args: Any) -> Any:
        table = by_line(*args)
        used.append(table is not None)
        return table

    jsonfast._by_line = spy  # type: ignore[assignment]
    try:
        jsonfast.read_fast(text_source(text, form="json"), LIMITS)
    finally:
        jsonfast._by_line = by_line
    return used == [True]


@given(submissions())
def test_a_written_document_is_read_by_line_as_the_careful_way_reads_it(
    submission: Submission,
) -> None:
    """XCH-1: A file holds one submission: a reference year, one or more municipalities
    (MUN-1), their offerings (OFF-1), the local products (PRD-6) those offerings use, and
    optionally a free-text source."""
    written = dumps_json(submission)
    same_ways(written)
    if "\\" not in written and submission.columns.size:
        assert _by_line_reads(written)


LINE_EDITS = st.sampled_from(
    [
        ('", "product": "', '","product": "'),
        ('", "product": "', '", "status": "offered", "product": "'),
        ('{"municipality": "', '{"municipality": "\\u0047'),
        ('{"municipality": "', '{"product": "paspoort", "municipality": "'),
        ('{"municipality": "', '  {"municipality": "'),
        ('{"municipality": "GM', '{"municipality": "G\x01M'),
        ('", "product": "', '", "product": "\t'),
        ('", "product": "', '", "product": "pas\\"'),
        ('"status": ', '"product": "paspoort", "status": '),
        ('"status": ', '"municipality": "GM0622", "status": '),
        ('"status": ', '"status": "unknown", "status": '),
        ('"status": ', '"notes": "a: b", "status": '),
        ('"status": ', '"x": 1, "status": '),
        ('"status": ', '"provenance": {"source": "a", "source": "b"}, "status": '),
        ('"status": "offered"', '"status": "offered"}'),
        ('"status": "offered"', '"status": "offered", "notes": {"a": 1, "b:c": [1, 2]}'),
        ('"volumes": {', '"volumes": {"web": "1/year", '),
        ('"volumes": {', '"volumes": {"e-mail": "1/year", "email": "2/year", '),
        ('/year"', '.0/year"'),
        ('"forms": {"started": ', '"forms": {"started": 1e0, "started": '),
        ('"started": ', '"started": 12345678901234567890123, "x": '),
        ("},\n", "}\n"),
        ("},\n", "},,\n"),
        ("},\n", "} ,\n"),
        ("},\n", "},\n\n"),
        ("}\n  ]", "},\n  ]"),
        ("}\n  ]", "}\n\n  ]"),
        ('"offerings": [\n', '"offerings": [\n\n'),
        (', "', ',\n    {"municipality": "'),
        (', "', ', \n "'),
        ("\n", "\r\n"),
        ('"offered"', '"offered" '),
        ("[", "[ "),
        ('"capabilities": [', '"capabilities": [1, '),
        ('"authentication": ', '"authentication": null, "fee_applies": '),
        ('"status": ', '"status": null, "local_target": '),
    ]
)


def _edited(written: str, edits: list[tuple[tuple[str, str], int]]) -> str:
    for (old, new), which in edits:
        found = [k for k in range(len(written)) if written.startswith(old, k)]
        if found:
            at = found[which % len(found)]
            written = written[:at] + new + written[at + len(old) :]
    return written


@given(submissions(), st.lists(st.tuples(LINE_EDITS, st.integers(0, 50)), min_size=1, max_size=3))
def test_an_edited_record_line_is_read_as_the_careful_way_reads_it(
    submission: Submission, edits: list[tuple[tuple[str, str], int]]
) -> None:
    """XCH-2: A reader MUST check the whole file and report every problem it finds together,
    in one error, in the order of the file."""
    written = _edited(dumps_json(submission), edits)
    same_ways(written)
    same_json(written)


# -- The ways of the CSV tokenizer ------------------------------------------------------------


def _csv_ways(data: bytes) -> tuple[Any, Any]:
    """The raw records of a CSV file cut by the pure tokenizer and by pyarrow (which must
    also cut it alike a kilobyte at a time, each piece with its own dictionaries)."""
    source = Source("offerings.csv", data, "csv")
    pure = _sheet(tokenize_csv(source, LIMITS))
    threshold, block = native.NATIVE_CSV_MIN_BYTES, native._BLOCK
    native.NATIVE_CSV_MIN_BYTES = 0
    try:
        fast = _sheet(tokenize_csv(source, LIMITS))
        native._BLOCK = 1 << 10
        assert _sheet(tokenize_csv(source, LIMITS)) == fast
    finally:
        native.NATIVE_CSV_MIN_BYTES, native._BLOCK = threshold, block
    return pure, fast


CSV_EDITS = st.sampled_from(
    [
        ("\r\n", "\n"),
        ("\r\n", "\r"),
        ("\r\n", "\r\r\n"),
        ("\r\n", "\r\n\r\n"),
        ("\r\n", "\n\n"),
        ("\r\n", "\r\n,,,,,\r\n"),
        ("\r\n", "\r\n \r\n"),
        ("\r\n", "\r\n;\r\n"),
        (",", ',"'),
        (",", ',""'),
        (",", ',"a,b",'),
        (",", ',"a""b",'),
        (",", ',a"b,'),
        (",", ',"a"b,'),
        (",", ',"a\nb",'),
        (",", ',"a\rb",'),
        (",", ',"",'),
        (",", ',"  ",'),
        (",", ",  ,"),
        (",", ', "a",'),
        (",", ", "),
        (",", ",\x00"),
        ("offered", '"offered"'),
        ("offered", " offered "),
        ("\r\n", ",\r\n"),
        ("\r\n", ",x\r\n"),
    ]
)


@given(
    submissions(csv=True),
    st.booleans(),
    st.lists(st.tuples(CSV_EDITS, st.integers(0, 200)), max_size=3),
)
def test_pyarrow_cuts_a_csv_file_as_the_pure_tokenizer_cuts_it(
    submission: Submission, dutch: bool, edits: list[tuple[tuple[str, str], int]]
) -> None:
    """XCH-2: A reader MUST check the whole file and report every problem it finds together,
    in one error, in the order of the file."""
    written = _edited(dumps_csv(submission, dutch=dutch), edits)
    pure, fast = _csv_ways(written.encode("utf-8"))
    assert fast == pure
    same_csv(written)


# -- UTF-8, a piece at a time -----------------------------------------------------------------

PIECE = 16 * 1024


@given(
    st.lists(
        st.tuples(
            st.integers(-4, 4),
            st.sampled_from(["é", "€", "😀", "\n"]).map(str.encode)
            | st.sampled_from(
                [b"\xff", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\xc0\xaf", b"\x80"]
            ),
        ),
        max_size=4,
    ),
    st.integers(1, 3),
)
def test_utf8_is_checked_across_the_pieces_as_a_whole(
    inserts: list[tuple[int, bytes]], pieces: int
) -> None:
    """XCH-3: A file that is not valid UTF-8 MUST be refused with a problem that says so and
    names the line."""
    data = bytearray(b"a" * (PIECE * pieces + 8))
    for offset, sequence in inserts:
        at = PIECE * (1 + abs(offset) % pieces) + offset
        data[at : at + len(sequence)] = sequence
    raw = bytes(data)
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        with pytest.raises(InputError) as refused:
            text_source(raw, name="x.csv", form="csv")
        (problem,) = refused.value.problems
        line = raw.count(b"\n", 0, exc.start) + 1
        assert problem.location == f"line {line}"
        assert problem.clause == "XCH-3"
    else:
        assert text_source(raw, form="csv").data == raw
