"""The CSV form: the pure and the native tokenizer, and datasets of columns and records (XCH).

A CSV file may be cut by the pure tokenizer or, with the ``fast`` extra, by pyarrow's
reader; both must give the same raw records, so the same submission or the same problems
in the same order. And the dataset built from a submission's columns must equal the one
``Dataset.from_offerings`` builds from its records. The properties compare them on
generated submissions, on the same files damaged at random, and on several files read
together.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digimaat.errors import InputError, InvalidValueError
from digimaat.exchange import Submission, load, load_dataset
from digimaat.exchange.writers import dumps_csv, dumps_json
from digimaat.measurement.dataset import Dataset
from digimaat.vocabulary.products import Product, TaskType
from tests.exchange.strategies import CELLS, submissions
from tests.exchange.support import (
    BASE,
    CATALOGUE,
    HEADER,
    PARKING,
    ROWS,
    assert_same,
    from_records,
    outcome,
    same_csv,
    text,
)


@pytest.mark.property
@given(submissions(csv=True), st.booleans())
def test_a_written_csv_file_read_as_columns_holds_the_submission(
    submission: Submission, dutch: bool
) -> None:
    """XCH-1: A file holds one submission: a reference year, one or more municipalities
    (MUN-1), their offerings (OFF-1), the local products (PRD-6) those offerings use, and
    optionally a free-text source."""
    written = dumps_csv(submission, dutch=dutch)
    assert isinstance(same_csv(written), Dataset)


@pytest.mark.property
@given(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 17), CELLS), max_size=4))
def test_a_csv_file_with_changed_cells_gives_the_same_problems(
    changes: list[tuple[int, int, str]],
) -> None:
    """XCH-2: A reader MUST check the whole file and report every problem it finds
    together, in one error."""
    rows = [r.split(",") for r in ROWS]
    for row, column, cell in changes:
        rows[row][column] = cell
    same_csv("\n".join([HEADER, *(",".join(r) for r in rows)]))


@pytest.mark.property
@given(
    submissions(csv=True),
    st.booleans(),
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 30), CELLS), min_size=1, max_size=3),
)
def test_a_written_csv_file_with_changed_cells_gives_the_same_problems(
    submission: Submission, dutch: bool, changes: list[tuple[int, int, str]]
) -> None:
    """XCH-2: Each problem MUST name the file, the location, the field and the offending
    value (where there is one)."""
    separator = ";" if dutch else ","
    rows = list(
        csv.reader(
            io.StringIO(dumps_csv(submission, dutch=dutch).lstrip("\ufeff")), delimiter=separator
        )
    )
    for row, column, cell in changes:
        target = rows[row % len(rows)]
        target[column % len(target)] = cell
    out = io.StringIO()
    csv.writer(out, delimiter=separator, lineterminator="\r\n").writerows(rows)
    same_csv(out.getvalue())


@pytest.mark.property
@given(
    st.lists(
        st.sampled_from([*HEADER.split(","), "volume_email", "bogus"]), min_size=1, max_size=12
    ),
    st.lists(st.lists(CELLS, max_size=14), max_size=5),
    st.sampled_from([",", ";"]),
)
def test_a_damaged_csv_form_gives_the_same_problems(
    header: list[str], rows: list[list[str]], separator: str
) -> None:
    """XCH-2: A reader MUST NOT fail with any error other than its documented error for bad
    input, whatever the input."""
    same_csv("\n".join([separator.join(header), *(separator.join(r) for r in rows)]))


CSV_EDITS = st.sampled_from(
    [
        ("\r\n", "\n"),
        ("\r\n", "\r"),
        ("\r\n", "\r\n\r\n"),
        ("\r\n", "\r\n,,,,,,,,,,,,,,,,,,,,,\r\n"),
        ("\r\n", ",\r\n"),
        (",\r\n", "\r\n"),
        (",", ", "),
        ("2024", " 2024"),
        ("per year", ""),
        ("per year", "per week"),
        ("|", " "),
        ("GM", "gm"),
        ("\r\n", '\r\n"'),
        ("", "\ufeff"),
        ("", "\x00"),
    ]
)


@pytest.mark.property
@given(
    submissions(csv=True),
    st.lists(st.tuples(CSV_EDITS, st.integers(0, 50)), min_size=1, max_size=3),
)
def test_an_edited_csv_file_gives_the_same_result(
    submission: Submission, edits: list[tuple[tuple[str, str], int]]
) -> None:
    """XCH-12: a byte order mark (XCH-3), CRLF or LF line ends, rows of empty cells, and
    blank lines are accepted; a row shorter than the header has empty cells at its end."""
    written = dumps_csv(submission)
    for (old, new), which in edits:
        found = [k for k in range(len(written)) if written.startswith(old, k)] if old else [0]
        if found:
            at = found[which % len(found)]
            written = written[:at] + new + written[at + len(old) :]
    same_csv(written)


LOCAL = Product.local("urn:gm0622:product:1", "Parkeren voor mantelzorgers")


def test_a_csv_row_may_name_a_local_product_of_the_catalogue() -> None:
    catalogue = CATALOGUE.with_local(LOCAL)
    row = "2024,GM0622,Vlaardingen,74124,2021," + LOCAL.uri + ",,information-online" + "," * 10
    dataset = same_csv(HEADER + "\n" + row + "\n", catalogue)
    assert isinstance(dataset, Dataset)
    assert dataset.uris == (LOCAL.uri,)
    assert same_csv(HEADER + "\n" + row + "\n") != []  # without it in the catalogue: a problem


def test_a_local_product_that_cannot_be_exchanged_cannot_be_written() -> None:
    """XCH-6: A local product's other fields (task types, SDG codes, UPL flags, legal bases)
    are empty; a local product that has any cannot be written in a document."""
    from digimaat.exchange import ExchangeError

    unexchangeable = attrs.evolve(LOCAL, task_types=frozenset({TaskType.AUTONOMIE}))
    row = "2024,GM0622,Vlaardingen,74124,2021," + LOCAL.uri + "," * 12
    catalogue = CATALOGUE.with_local(unexchangeable)
    result = same_csv(HEADER + "\n" + row + "\n", catalogue)
    assert isinstance(result, Dataset)
    submission = load(io.StringIO(HEADER + "\n" + row + "\n"), form="csv", catalogue=catalogue)
    assert submission.local_products == (unexchangeable,)
    with pytest.raises(ExchangeError, match="task_types"):
        dumps_json(submission)


def test_every_problem_of_a_large_file_is_reported_as_the_record_reader_reports_it() -> None:
    rows = [
        f"2024,GM{k:04d},Gemeente {k},{1000 + k},2021,{product},,,,,,,per year,{k},,,,,"
        for k in range(1, 301)
        for product in ("parkeervergunning", "paspoort")
    ]
    rows[7] = rows[7].replace("per year,", "per lightyear,")
    rows[401] = rows[401].replace(",2021,", ",20x1,")
    result = same_csv("\n".join([HEADER, *rows]) + "\n")
    assert isinstance(result, list)
    assert [(p[1], p[2]) for p in result] == [
        ("row 9, column M", "volume_unit"),
        ("row 403, column E", "population_year"),
    ]


@pytest.mark.property
@settings(max_examples=50)  # files on disk: fewer examples
@given(st.lists(st.tuples(submissions(), st.booleans()), min_size=1, max_size=3))
def test_several_files_read_as_one_dataset(files: list[tuple[Submission, bool]]) -> None:
    """XCH-2: A reader MUST check the whole file and report every problem it finds
    together, in one error (and a municipality in two files is one of them)."""
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for k, (submission, as_csv) in enumerate(files):
            can_csv = not submission.local_products and all(
                o.volumes is None or o.volumes.channels for o in submission.offerings
            )
            if as_csv and can_csv:
                path = Path(folder) / f"file{k}.csv"
                path.write_text(dumps_csv(submission), encoding="utf-8")
            else:
                path = Path(folder) / f"file{k}.json"
                path.write_text(dumps_json(submission), encoding="utf-8")
            paths.append(path)
        columns = outcome(lambda: load_dataset(*paths, catalogue=CATALOGUE))
        submissions = [load(p, catalogue=CATALOGUE) for p in paths]
        if len({s.reference_year for s in submissions}) > 1:
            # One submission has one reference year (XCH-1): another year names the file.
            assert isinstance(columns, list)
            assert any(field == "reference_year" for _, _, field, _, _ in columns)
            return
        try:
            records = from_records(submissions)
        except InputError:
            assert isinstance(columns, list)  # a municipality in two files, or another problem
            return
        assert_same(columns, records)


def test_several_files_report_all_their_problems_together(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(text(BASE), encoding="utf-8")
    twice = tmp_path / "twice.csv"
    twice.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "\n" + ROWS[0].replace("2024", "20x4", 1) + "\n", encoding="utf-8")
    other = tmp_path / "offerings.xlsx"
    with pytest.raises(InputError) as info:
        load_dataset(good, bad, other, catalogue=CATALOGUE)
    assert [(p.source, p.field) for p in info.value.problems] == [
        (str(bad), "reference_year"),
        (str(good), "cbs_code"),  # GM0622 is in bad.csv too (XCH-7)
        (str(other), "file"),
    ]
    # Both files list GM0622 and GM0556: a municipality may be in one file only (XCH-7).
    with pytest.raises(InputError) as info:
        load_dataset(good, twice, catalogue=CATALOGUE)
    assert {(p.source, p.field, p.clause) for p in info.value.problems} == {
        (str(twice), "cbs_code", "XCH-7")
    }
    assert all(str(good) in p.message for p in info.value.problems)
    with pytest.raises(InputError):
        load_dataset(str(good), catalogue=CATALOGUE, products=[PARKING])


def test_one_path_is_one_file() -> None:
    with pytest.raises(InputError) as info:
        load_dataset("no-such-file.json")
    assert info.value.problems[0].source == "no-such-file.json"


def test_no_path_is_no_dataset() -> None:
    with pytest.raises(InvalidValueError):
        load_dataset()


@pytest.mark.parametrize("rest", ["", "\n\n\n", ",,,,\n,,\n"])
def test_a_header_without_rows_is_refused_by_both_tokenizers(rest: str) -> None:
    """XCH-11: a file needs at least one row (it carries the reference year). Blank lines
    and rows of empty cells are no rows, to the pure and the native tokenizer alike."""
    problems = same_csv(HEADER + "\n" + rest)
    assert isinstance(problems, list)
    assert [(p[2], p[4]) for p in problems] == [("file", "has a header but no rows")]
