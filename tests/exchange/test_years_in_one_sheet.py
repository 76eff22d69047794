"""Several reference years in one sheet (XCH-11.1), read with ``load_years``.

Cells are named as a spreadsheet names them: the header is row 1, the first column is A.
"""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digimaat.errors import InputError
from digimaat.exchange import Submission, load, load_years
from digimaat.exchange.writers import dumps_csv
from tests.exchange.strategies import submissions
from tests.exchange.support import CATALOGUE, HEADER


def _records(submission: Submission) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(dumps_csv(submission)))
    return list(reader.fieldnames or ()), list(reader)


def _file(text: str, name: str = "series.csv") -> io.StringIO:
    stream = io.StringIO(text)
    stream.name = name
    return stream


def _years(text: str) -> dict[int, Submission]:
    return load_years(_file(text), form="csv", catalogue=CATALOGUE)


@pytest.mark.property
@settings(max_examples=40, deadline=None)
@given(first=submissions(csv=True), second=submissions(csv=True), data=st.data())
def test_the_rows_of_each_year_read_as_a_file_of_that_year(
    first: Submission, second: Submission, data: st.DataObject
) -> None:
    """XCH-11.1: when the rows give more than one year, the rows of each year are read as
    one file of that year; how the rows of the years are interleaved does not matter."""
    if first.reference_year == second.reference_year:
        return
    (names_a, body_a), (names_b, body_b) = _records(first), _records(second)
    names = names_a + [n for n in names_b if n not in names_a]
    # Interleave the two years' rows, each year's rows in their own order.
    picks = data.draw(st.permutations([0] * len(body_a) + [1] * len(body_b)))
    taken = [iter(body_a), iter(body_b)]
    out = io.StringIO()
    writer = csv.DictWriter(out, names, restval="", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(next(taken[p]) for p in picks)
    text = out.getvalue()
    years = _years(text)
    assert sorted(years) == sorted((first.reference_year, second.reference_year))
    assert dumps_csv(years[first.reference_year]) == dumps_csv(first)
    assert dumps_csv(years[second.reference_year]) == dumps_csv(second)


ROW_2023 = "2023,GM0622,Vlaardingen,74000,2022,parkeervergunning"
ROW_2024 = "2024,GM0622,Vlaardingen,74124,2023,parkeervergunning"


def _sheet(*rows: str) -> str:
    names = HEADER.split(",")
    width = len(names)
    filled = [r + "," * (width - 1 - r.count(",")) for r in rows]
    return "\n".join((HEADER, *filled)) + "\n"


def test_a_municipality_is_listed_once_per_year_and_its_population_may_differ() -> None:
    """XCH-11.1: the rules of XCH-11 apply within the rows of one year, so a municipality is
    listed once per year, and its population may differ between years."""
    years = _years(_sheet(ROW_2023, ROW_2024))
    assert [m.population for m in years[2023].municipalities] == [74000]
    assert [m.population for m in years[2024].municipalities] == [74124]


def test_one_year_written_in_two_ways_is_one_year() -> None:
    """XCH-11.1: Cells that write one year differently are one year."""
    other = ROW_2024.replace("2024,", " 2024 ,", 1).replace("parkeervergunning", "paspoort")
    years = _years(_sheet(ROW_2024, other))
    assert list(years) == [2024]


def test_a_reader_of_one_submission_refuses_several_years() -> None:
    """XCH-11.1: A reader that reads one submission refuses a file of several years as it
    refuses files of several years (XCH-7), and only for that reason."""
    with pytest.raises(InputError) as info:
        load(_file(_sheet(ROW_2023, ROW_2024)), form="csv", catalogue=CATALOGUE)
    problems = info.value.problems
    assert [(p.field, p.value, p.clause) for p in problems] == [("reference_year", 2024, "XCH-7")]
    assert "load_years" in problems[0].message


def test_rows_keep_their_own_row_numbers() -> None:
    """XCH-11.1: every row keeps its own row number: a problem in a later year's rows names
    the row of the file."""
    bad = ROW_2024.replace("parkeervergunning", "no-such-product")
    with pytest.raises(InputError) as info:
        _years(_sheet(ROW_2023, ROW_2024, ROW_2023.replace("GM0622", "GM0556"), bad))
    locations = [p.location or "" for p in info.value.problems]
    assert locations[0].startswith("row 5")


def test_a_cell_that_is_no_year_is_refused_where_it_is() -> None:
    """XCH-11.1: When any reference_year cell is empty or no year, the sheet is read as one
    year and that cell is refused where it is."""
    with pytest.raises(InputError) as info:
        _years(_sheet(ROW_2023, ROW_2024, ROW_2024.replace("2024,", "twenty,", 1)))
    assert any(
        p.field == "reference_year" and (p.location or "").startswith("row 4, column A")
        for p in info.value.problems
    )
