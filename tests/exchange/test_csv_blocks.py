"""A CSV file read from its path a block at a time is cut as when it is read whole (XCH-2,
XCH-3, XCH-4).

A large CSV file given by its path is never held in memory whole: pyarrow reads it a block
at a time, and each block is checked on its way for what the whole file is checked for
otherwise (the size limit, UTF-8, a blank file) and for what pyarrow reads otherwise than
the pure tokenizer (line ends, quotes). The file must give the same raw records, or be
declined and then read whole; either way a load gives the same submission or the same
problems as the file read whole. The blocks are made small here, so that lines, quoted
cells and UTF-8 sequences fall across their edges.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digimaat.errors import InputError
from digimaat.exchange import Limits, Submission, load, loads, native
from digimaat.exchange.csvform import tokenize as tokenize_csv
from digimaat.exchange.csvform import tokenize_file
from digimaat.exchange.source import read_source
from digimaat.exchange.writers import dumps_csv
from tests.exchange.strategies import submissions
from tests.exchange.test_fast_ways import CSV_EDITS, _edited, _problems, _sheet

pytest.importorskip("pyarrow")
pytestmark = pytest.mark.property

LIMITS = Limits()
BOM = b"\xef\xbb\xbf"


@contextlib.contextmanager
def blocks_of(size: int, max_line: int = native._MAX_LINE) -> Iterator[None]:
    """Files of any size cut by pyarrow, ``size`` bytes at a time."""
    saved = native.NATIVE_CSV_MIN_BYTES, native._BLOCK, native._MAX_LINE
    native.NATIVE_CSV_MIN_BYTES, native._BLOCK, native._MAX_LINE = 0, size, max_line
    try:
        yield
    finally:
        native.NATIVE_CSV_MIN_BYTES, native._BLOCK, native._MAX_LINE = saved


@contextlib.contextmanager
def written(data: bytes, name: str = "offerings.csv") -> Iterator[str]:
    """The path of a file holding ``data``."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, name)
        with open(path, "wb") as handle:
            handle.write(data)
        yield path


def whole(path: str, limits: Limits = LIMITS) -> tuple[Any, ...]:
    """The raw records of a file read whole, or the problems of reading it."""
    try:
        source = read_source(path, limits=limits)
    except InputError as exc:
        return ("refused", _problems(exc.problems))
    return _sheet(tokenize_csv(source, limits))


def outcome(read: Any) -> tuple[str, Any]:
    """A submission, or the problems found."""
    try:
        submission = read()
    except InputError as exc:
        return ("problems", _problems(exc.problems))
    assert isinstance(submission, Submission)
    return ("submission", submission)


def same_load(data: bytes, limits: Limits = LIMITS) -> tuple[str, Any]:
    """Loading a file from its path gives what loading its bytes gives."""
    with written(data) as path:
        from_path = outcome(lambda: load(path, limits=limits))
        in_memory = outcome(lambda: loads(data, form="csv", name=path, limits=limits))
    assert from_path == in_memory
    return from_path


@given(
    submissions(csv=True),
    st.booleans(),
    st.lists(st.tuples(CSV_EDITS, st.integers(0, 200)), max_size=3),
    st.sampled_from([1, 7, 64, 1 << 10, 1 << 22]),
    st.booleans(),
    st.booleans(),
)
def test_a_file_read_a_block_at_a_time_is_cut_as_when_read_whole(
    submission: Submission,
    dutch: bool,
    edits: list[tuple[tuple[str, str], int]],
    block: int,
    bom: bool,
    last_line_feed: bool,
) -> None:
    """XCH-2: A reader MUST check the whole file and report every problem it finds together,
    in one error, in the order of the file."""
    text = _edited(dumps_csv(submission, dutch=dutch), edits)
    if not last_line_feed:
        text = text.rstrip("\r\n")
    data = (BOM if bom else b"") + text.encode("utf-8")
    with written(data) as path, blocks_of(block):
        streamed = tokenize_file(path, LIMITS)
        expected = whole(path)
        if streamed is not None:
            assert _sheet(streamed) == expected
        elif not edits and block >= 1 << 10:  # the header line fits in the first block
            pytest.fail("a file as written is declined")
    same_load(data)


@given(
    st.lists(
        st.tuples(
            st.integers(0, 1 << 12),
            st.sampled_from(
                [b"\xff", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\xc0\xaf", b"\x80", b"\xc3\xa9"]
            ),
        ),
        max_size=3,
    ),
    st.sampled_from([1, 5, 64, 1 << 10]),
)
def test_utf8_is_checked_across_the_blocks(inserts: list[tuple[int, bytes]], block: int) -> None:
    """XCH-3: A file that is not valid UTF-8 MUST be refused with a problem that says so and
    names the line."""
    data = bytearray(_plain_file(40).encode("utf-8"))
    for at, sequence in inserts:
        at %= len(data)
        data[at : at + len(sequence)] = sequence
    with blocks_of(block):
        kind, found = same_load(bytes(data))
    try:
        bytes(data).decode("utf-8")
    except UnicodeDecodeError:
        assert kind == "problems"
        assert any(problem[5] == "XCH-3" for problem in found)


def _plain_file(rows: int) -> str:
    header = "reference_year,cbs_code,municipality_name,population,population_year,product,status"
    line = "2024,GM0622,Vlaardingen,74124,2021,http://standaarden.overheid.nl/owms/terms/{},offered"
    products = ["Paspoort", "Rijbewijs", "Identiteitskaart", "Parkeervergunning"]
    return "\r\n".join([header, *(line.format(products[k % 4]) for k in range(rows))]) + "\r\n"


def test_a_plain_file_is_read_a_block_at_a_time() -> None:
    """XCH-4: Limits MUST be applied before the input is parsed in full, so that memory and
    time stay bounded."""
    with written(_plain_file(50).encode()) as path, blocks_of(128):
        streamed = tokenize_file(path, LIMITS)
        assert streamed is not None
        assert streamed.source.data == b""  # the file is never held whole
        assert _sheet(streamed) == whole(path)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe" + _plain_file(3).encode("utf-16-le"), "is UTF-16 text"),
        (b"\n" * 50 + b"   \r\n" * 20, "is empty"),
        (_plain_file(30).encode() + b"2024,GM0622,\xff\r\n", "is not UTF-8 text"),
        (b"reference_year\r\xff" + _plain_file(30).encode(), "is not UTF-8 text"),  # header
        (_plain_file(30).replace("\r\n", "\r").encode() + b"\xff", "is not UTF-8 text"),
    ],
)
def test_a_file_refused_when_read_whole_is_refused_alike(data: bytes, message: str) -> None:
    """XCH-3: A file that is not valid UTF-8 MUST be refused with a problem that says so and
    names the line."""
    with written(data) as path, blocks_of(16):
        assert tokenize_file(path, LIMITS) is None
        kind, found = same_load(data)
    assert kind == "problems"
    assert message in found[0][4]


_LAST_CELL = _plain_file(3).rstrip("\r\n").encode()


@pytest.mark.parametrize(
    ("data", "block"),
    [
        (_LAST_CELL + b"\xc3", 1 << 10),  # the last line cut inside a character
        (_LAST_CELL + b"\xe2\x82", 1 << 10),
        # a block ends inside a character of a row's last cell, the next is refused
        (_LAST_CELL + b"\xc3(\r\n", len(_LAST_CELL) + 1),
    ],
)
def test_a_character_cut_short_in_a_cell_is_refused_alike(data: bytes, block: int) -> None:
    """XCH-3: A file that is not valid UTF-8 MUST be refused with a problem that says so and
    names the line."""
    with written(data) as path, blocks_of(block):
        assert tokenize_file(path, LIMITS) is None
        kind, found = same_load(data)
    assert kind == "problems"
    assert "is not UTF-8 text" in found[0][4]


def test_a_file_over_the_size_limit_is_refused_alike() -> None:
    """XCH-4: A file larger than the size limit MUST be refused without being read past it."""
    data = _plain_file(30).encode()
    limits = Limits(max_bytes=len(data) - 1)
    with written(data) as path, blocks_of(128):
        assert tokenize_file(path, limits) is None
        kind, found = same_load(data, limits)
    assert kind == "problems"
    assert "larger than the limit" in found[0][4]


@pytest.mark.parametrize(
    ("data", "streams"),
    [
        (_plain_file(20).replace("offered\r\n", "offered\r", 1).encode(), False),  # a lone return
        (_plain_file(20).replace(",offered", ',"off\r\nered"', 1).encode(), False),  # in a cell
        (_plain_file(20).replace(",offered", ',"off"ered', 1).encode(), False),  # RFC 4180 refuses
        (_plain_file(20).replace(",offered", ',off"ered', 3).encode(), True),  # cut again
        (_plain_file(20).rstrip("\r\n").encode() + b'"', True),  # the last line, cut again
    ],
)
def test_what_pyarrow_reads_otherwise_is_declined_or_read_alike(data: bytes, streams: bool) -> None:
    """XCH-2: A reader MUST check the whole file and report every problem it finds together,
    in one error, in the order of the file."""
    with written(data) as path, blocks_of(128):
        streamed = tokenize_file(path, LIMITS)
        assert (streamed is not None) == streams
        if streamed is not None:
            assert _sheet(streamed) == whole(path)
    same_load(data)


def test_a_line_carried_over_more_than_the_limit_declines_the_file() -> None:
    """XCH-4: Limits MUST be applied before the input is parsed in full, so that memory and
    time stay bounded."""

    def reader(max_line: int) -> native._Reader:
        parts = iter([b"h\n" + b"a" * 150, b"b" * 100, b"\n"])
        with blocks_of(1 << 10, max_line=max_line):
            reader = native._Reader(lambda size: next(parts, b""), ",", None, None)
            while reader.read(1 << 10):
                pass
        return reader

    assert reader(200).finish() is False  # 250 bytes of one line held between blocks
    assert reader(300).finish() is True


def test_the_lines_kept_to_be_cut_again_are_bounded() -> None:
    """XCH-4: Limits MUST be applied before the input is parsed in full, so that memory and
    time stay bounded."""
    import tracemalloc

    data = _plain_file(40_000).replace(",offered", ',off"ered').encode()  # 4 MB, all kept
    with written(data) as path, blocks_of(1 << 16):
        tracemalloc.start()
        try:
            tokenize_file(path, LIMITS)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < len(data)  # never as much as the file (8 times as much when all kept)


def test_a_header_of_very_many_columns_is_read_whole() -> None:
    """XCH-4: Limits MUST be applied before the input is parsed in full, so that memory and
    time stay bounded. (pyarrow takes some 10 kB per column: a header of a megabyte of
    separators would take 10 GB.)"""
    data = b"reference_year" + b"," * 5000 + b"\n" + b"2024" + b"," * 5000 + b"\n"
    with written(data) as path, blocks_of(1 << 16):
        assert tokenize_file(path, LIMITS) is None
    with blocks_of(1 << 16):
        kind, found = same_load(data)
    assert kind == "problems"
    assert "every column needs a name" in found[0][4]


def test_a_compressed_or_special_file_is_read_whole() -> None:
    """XCH-4: A compressed input MUST be decompressed under the same size limit."""
    import gzip

    data = _plain_file(10).encode()
    with written(gzip.compress(data), "offerings.csv.gz") as path, blocks_of(16):
        assert outcome(lambda: load(path)) == outcome(lambda: loads(data, form="csv", name=path))
    with blocks_of(16):
        assert tokenize_file(os.devnull, LIMITS) is None  # not a regular file


def test_a_path_that_cannot_be_opened_is_a_problem_of_its_own() -> None:
    """XCH-2: A reader MUST NOT fail with any error other than its documented error for bad
    input (in the reference implementation, a subclass of `DigimaatError`), whatever the
    input."""
    with tempfile.TemporaryDirectory() as folder, blocks_of(16):
        os.mkdir(os.path.join(folder, "folder.csv"))
        for path in ("folder.csv", "missing.csv", "nul\x00.csv"):
            kind, found = outcome(lambda path=path: load(os.path.join(folder, path)))
            assert kind == "problems"
            assert "cannot be read" in found[0][4]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_read_once_from_its_start() -> None:
    """XCH-3: Text files (the JSON document and the CSV form) MUST be encoded in UTF-8; a
    workbook is read as XCH-18.6 says. (A pipe's bytes can be read only once: it is never
    opened to be looked at before it is read.)"""
    data = _plain_file(30).encode()
    found: list[tuple[str, Any]] = []
    with tempfile.TemporaryDirectory() as folder, blocks_of(128):
        path = os.path.join(folder, "offerings.csv")
        os.mkfifo(path)

        def write() -> None:
            with open(path, "wb") as pipe:
                pipe.write(data)

        writer = threading.Thread(target=write, daemon=True)
        reader = threading.Thread(target=lambda: found.append(outcome(lambda: load(path))))
        reader.daemon = True
        writer.start()
        reader.start()
        reader.join(timeout=20)
        writer.join(timeout=1)
        assert found, "the pipe was not read (opened twice?)"
        assert found[0] == outcome(lambda: loads(data, form="csv", name=path))
